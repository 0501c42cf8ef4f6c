// Plain readonly shapes that cross the bridge. Money: integer minor units; token amounts: decimal strings.
import type { TaxMode, TaxRounding } from '../money'
import type { ApiError } from '../result'

export type Locale = 'en' | 'zh-CN'

export interface StoreInfo {
  readonly storeName: string
  readonly currency: string
  readonly locale: Locale
  readonly taxMode: TaxMode
  /** How tax is rounded on new sales (money.ts); each sale keeps the rule it was opened with. */
  readonly taxRounding: TaxRounding
  readonly tillId: string
  readonly cashier: string
  readonly demo: boolean
  /** Wedge-scanner detection: a burst of at least minLength keys, each at most maxGapMs apart, ended by Enter. */
  readonly wedge: { readonly maxGapMs: number; readonly minLength: number; readonly slowGapMs: number }
}

export type SaleStatus = 'open' | 'completed' | 'voided'

export interface LineView {
  readonly id: string
  readonly position: number
  readonly productId: string
  readonly name: string
  readonly nameZh: string | null
  readonly barcode: string | null
  readonly quantity: number
  readonly weightGrams: number | null
  readonly unitPriceMinor: number
  /** Shelf amount of the line before its discount (tax-inclusive in an inclusive store, net in an exclusive one). */
  readonly amountMinor: number
  /** Manager-approved discount on the line, in minor units (0 when none), and the percentage it came from. */
  readonly discountMinor: number
  readonly discountPpm: number
  readonly taxRateId: string
  readonly taxRatePpm: number
  readonly taxMinor: number
  /** What the customer pays for the line. */
  readonly grossMinor: number
  readonly voided: boolean
}

export interface TaxView {
  readonly taxRateId: string
  readonly name: string
  readonly ratePpm: number
  readonly taxableMinor: number
  readonly taxMinor: number
}

export interface StablecoinTenderDetails {
  readonly paymentId: string
  readonly tokenSymbol: string
  /** Exact token amount received, e.g. "12.340001". */
  readonly tokenAmount: string
  readonly chainId: number
  readonly chainName: string
  /** Store currency per token, exact decimal string. */
  readonly rate: string
  readonly rateSource: string
  readonly txHash: string | null
  readonly explorerTxUrl: string | null
  /** Goods released by a manager before the chain confirmed the payment. */
  readonly unverified: boolean
  readonly exception: string | null
}

export interface TenderView {
  readonly id: string
  readonly kind: 'cash' | 'stablecoin'
  readonly amountMinor: number
  readonly receivedMinor: number | null
  readonly changeMinor: number | null
  readonly createdAt: number
  /** Taken back before completion (cash handed back, with a manager's approval); it no longer counts as paid. */
  readonly returned: boolean
  readonly stablecoin: StablecoinTenderDetails | null
}

export interface SaleView {
  readonly id: string
  readonly number: number
  readonly tillId: string
  readonly status: SaleStatus
  readonly currency: string
  readonly taxMode: TaxMode
  readonly taxRounding: TaxRounding
  readonly cashier: string
  readonly openedAt: number
  readonly closedAt: number | null
  readonly lines: readonly LineView[]
  readonly taxes: readonly TaxView[]
  readonly subtotalMinor: number
  readonly taxMinor: number
  readonly totalMinor: number
  readonly paidMinor: number
  readonly dueMinor: number
  readonly changeMinor: number
  readonly tenders: readonly TenderView[]
  /** Hash of the journal entry that completed the sale (printed on the receipt). */
  readonly journalHash: string | null
}

export interface SaleSummary {
  readonly id: string
  readonly number: number
  readonly status: SaleStatus
  readonly totalMinor: number | null
  /** The sale's own currency (a store may change its currency; past sales keep theirs). */
  readonly currency: string
  readonly closedAt: number | null
}

export type VerifyView =
  | { readonly ok: true; readonly entries: number; readonly lastHash: string }
  | { readonly ok: false; readonly entries: number; readonly firstBadSeq: number; readonly reason: string }

export interface ScanRejected {
  readonly code: string
  readonly message: string
  /** The refusal's message id and values (src/shared/messages.ts), for the page to word in its language. */
  readonly error?: ApiError
}

/** One catalog look-up answer (PLU or name type-ahead). */
export interface ProductHit {
  readonly id: string
  readonly name: string
  readonly nameZh: string | null
  readonly plu: string | null
  readonly pricing: 'unit' | 'weight'
  readonly priceMinor: number
}

export interface PrintJobView {
  readonly id: number
  readonly saleId: string | null
  readonly kind: 'receipt' | 'reprint' | 'drawer' | 'report'
  readonly status: 'queued' | 'sending' | 'printed' | 'failed'
  readonly copy: boolean
  readonly attempts: number
  readonly lastError: string | null
  readonly createdAt: number
  readonly printedAt: number | null
}

export interface PrinterState {
  readonly printer: string
  readonly pending: number
  readonly lastError: string | null
  readonly jobs: readonly PrintJobView[]
}

export interface PaymentOptions {
  /** False when no chain is configured; `reason` says why, for the cashier. */
  readonly enabled: boolean
  readonly reason: string | null
  readonly choices: readonly { readonly chainId: number; readonly chainName: string; readonly tokens: readonly ('USDC' | 'USDT')[] }[]
  /** Demo store only: the "Simulate customer payment" control is offered. */
  readonly canSimulate: boolean
}

export interface ScannerDeviceView {
  readonly deviceKey: string
  readonly vendorId: number
  readonly productId: number
  readonly serialNumber: string | null
  readonly product: string | null
  readonly manufacturer: string | null
  /** How the till would read it: HID POS (usage page 0x8C) or raw keyboard reports; null if neither. */
  readonly suggestedMode: 'hid-pos' | 'keyboard' | null
  readonly selected: boolean
  readonly connected: boolean
}

export interface ScannerStatusView {
  readonly deviceKey: string
  readonly state: 'connected' | 'disconnected'
  readonly error: string | null
}

/** What a manager decided about a transfer no rule could attribute (services/payments.ts, the attribution table). */
export type TransferResolution = 'assigned' | 'other-income' | 'refund-owed' | 'not-ours'
export const TRANSFER_RESOLUTIONS: readonly TransferResolution[] = ['assigned', 'other-income', 'refund-owed', 'not-ours']

/** A transfer to a watched address that matched no request: for a manager to reconcile. */
export interface UnattributedTransfer {
  readonly chainId: number
  readonly chainName: string
  readonly txHash: string
  readonly logIndex: number
  readonly to: string
  readonly from: string
  /** Base units, decimal string. */
  readonly value: string
  readonly tokenSymbol: string | null
  readonly tokenDecimals: number | null
  readonly blockNumber: number
  /** Block timestamp (ms). */
  readonly blockTime: number
  readonly seenAt: number
  /** The attribution rule that decided (services/payments.ts): 'unattributed', or 'manual' once assigned. */
  readonly rule: string | null
  readonly resolution: TransferResolution | null
  readonly resolvedBy: string | null
  readonly note: string | null
}

// ----- The cash session (shift) and its X and Z reports (issue [D] point 1) -----
// ZFigures is THE data object of an X or a Z: the Z screen, the printer and the exports read it, never the ledger.
// Names line up with the exports' ZTotals (src/main/reports/settlement.ts on the exports branch) where they mean the
// same: drawer.*, grandTotals.{before,after}.{salesMinor,returnsMinor}, pending.payments, journal.{headSeq,headHash},
// periodStartMs/periodEndMs, zNumber, netSalesMinor, returnsMinor, discountsMinor, taxableMinor, taxMinor.

export interface DenominationCountView {
  /** Face value in minor units. */
  readonly valueMinor: number
  readonly count: number
}

export type CashMovementKind = 'cash-in' | 'cash-out' | 'refund'

export interface CashMovementView {
  readonly id: string
  /** Gap-free within the session (1, 2, …). */
  readonly number: number
  readonly kind: CashMovementKind
  /** Positive; the kind says the direction. */
  readonly amountMinor: number
  readonly reason: string
  /** The approving manager's id. */
  readonly approvedBy: string | null
  /** A refund's sale, when the refund service wrote it. */
  readonly saleId: string | null
  readonly at: number
}

export interface ShiftView {
  readonly sessionId: string
  readonly tillId: string
  readonly currency: string
  readonly openedAt: number
  readonly openedBy: string
  readonly floatMinor: number
  readonly floatDenominations: readonly DenominationCountView[] | null
  readonly movements: readonly CashMovementView[]
  /** What the drawer should hold now: the same figure the X and the Z show (one function computes it). */
  readonly expectedCashMinor: number
  /** The currency's note and coin values for a count form, smallest first; null when it is counted by total only. */
  readonly denominations: readonly number[] | null
}

/** The drawer: float + cash sales (received − change) − cash refunds + cash in − cash out. */
export interface DrawerFigures {
  readonly floatMinor: number
  /** Σ cash handed over on the period's sales, and Σ change given back. */
  readonly cashReceivedMinor: number
  readonly changeGivenMinor: number
  /** received − change: what the sales left in the drawer. */
  readonly cashSalesMinor: number
  readonly cashRefundsMinor: number
  readonly cashRefundCount: number
  readonly cashInMinor: number
  readonly cashInCount: number
  readonly cashOutMinor: number
  readonly cashOutCount: number
  readonly expectedMinor: number
  /** null on an X (nothing counted). */
  readonly countedMinor: number | null
  readonly countedDenominations: readonly DenominationCountView[] | null
  /** counted − expected: positive over, negative short; null on an X. */
  readonly differenceMinor: number | null
  readonly differenceReason: string | null
}

export interface TaxFigures {
  readonly taxRateId: string
  readonly name: string
  readonly ratePpm: number
  /** Net of tax, after line discounts. */
  readonly taxableMinor: number
  readonly taxMinor: number
}

export interface TokenTenderFigures {
  /** "USDC:8453", the exports' tokenKey. */
  readonly key: string
  readonly tokenSymbol: string
  readonly chainId: number
  readonly chainName: string
  readonly paymentCount: number
  /** Store currency applied to the sales. */
  readonly amountMinor: number
}

/** A stablecoin payment still unconfirmed at the report: not in today's takings, carried over to the next day. */
export interface PendingPaymentFigures {
  readonly paymentId: string
  readonly saleId: string
  readonly saleNumber: number
  readonly tokenSymbol: string
  readonly tokenDecimals: number
  readonly chainId: number
  readonly chainName: string
  /** Base units seen on chain so far, decimal string. */
  readonly tokenUnits: string
  /** Base units asked for, decimal string. */
  readonly amountDueUnits: string
  readonly amountMinor: number
  readonly requestedAt: number
  /** The request's status (New, Seen, Expired, …) and exception, as stored. */
  readonly state: string
  readonly exception: string | null
  /** Goods left with the customer on a manager's release before the chain confirmed. */
  readonly releasedUnverified: boolean
}

export interface GrandTotalsFigures {
  /** Perpetual, never reset: Σ sale totals since the till's first Z. */
  readonly salesMinor: number
  readonly returnsMinor: number
  /** salesMinor − returnsMinor: the grand total printed on the Z. */
  readonly netMinor: number
}

export interface ZFigures {
  /** 'X': a read-only snapshot of the open day; 'Z': the closed day, final. */
  readonly report: 'X' | 'Z'
  readonly tillId: string
  readonly sessionId: string
  readonly currency: string
  /** Gap-free per till; null on an X. */
  readonly zNumber: number | null
  readonly periodStartMs: number
  readonly periodEndMs: number
  readonly openedBy: string
  readonly closedBy: string | null
  readonly salesCount: number
  /** Σ completed sale totals (what customers owed, tax included, after discounts). */
  readonly salesTotalMinor: number
  /** Σ line discounts (on the shelf amount, before tax in a tax-exclusive store). */
  readonly discountsMinor: number
  readonly returnsCount: number
  readonly returnsMinor: number
  /** salesTotalMinor − returnsMinor. */
  readonly netSalesMinor: number
  readonly taxes: readonly TaxFigures[]
  readonly taxableMinor: number
  readonly taxMinor: number
  readonly tenders: {
    readonly cash: { readonly count: number; readonly salesCount: number; readonly amountMinor: number }
    readonly stablecoin: { readonly count: number; readonly salesCount: number; readonly amountMinor: number; readonly tokens: readonly TokenTenderFigures[] }
  }
  readonly drawer: DrawerFigures
  readonly movements: readonly CashMovementView[]
  readonly voids: { readonly count: number; readonly valueMinor: number }
  readonly noSaleCount: number
  readonly pending: { readonly count: number; readonly amountMinor: number; readonly payments: readonly PendingPaymentFigures[] }
  readonly grandTotals: { readonly before: GrandTotalsFigures; readonly after: GrandTotalsFigures }
  /** The journal's head when the report was made; a Z's own entry is chained right after it. */
  readonly journal: { readonly headSeq: number; readonly headHash: string }
}

export interface ZReportView {
  readonly zNumber: number
  readonly sessionId: string
  readonly closedAt: number
  /** Hash of the 'shift.z-closed' journal entry (printed on the Z). */
  readonly hash: string
  readonly figures: ZFigures
}

export interface ZReportSummary {
  readonly zNumber: number
  readonly sessionId: string
  readonly currency: string
  readonly openedAt: number
  readonly closedAt: number
  readonly netSalesMinor: number
  readonly differenceMinor: number
  readonly grandTotalMinor: number
  readonly hash: string
}

/**
 * The ledger's start-up integrity check ([E] point 4), as the manager sees it: schema, journal (from the last
 * signed checkpoint), settings and catalog against their journal entries, the signed anchors, and SQLite's page
 * check (run after start, off the counter's path). `firstBad` names the first bad journal entry.
 */
export interface IntegrityView {
  readonly ok: boolean
  readonly checkedAt: number
  readonly ms: number
  /** Journal entries covered; `fromSeq` > 0 when the check started at a signed checkpoint. */
  readonly entries: number
  readonly fromSeq: number
  readonly anchors: number
  readonly problems: readonly { readonly check: 'schema' | 'journal' | 'state' | 'anchor' | 'pages'; readonly seq: number | null; readonly reason: string }[]
  readonly firstBad: { readonly seq: number | null; readonly reason: string } | null
  readonly pages: 'pending' | 'ok' | 'damaged'
  /** A manager acknowledged these very problems (journaled): the day may close again; the problems stay listed. */
  readonly acknowledged: { readonly by: string; readonly at: number } | null
}
