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
  /**
   * The sale's version: the sequence number of its newest journal entry. It grows with every change, so a window
   * holding version N can apply a 'sale:line-changed' made on N and knows it missed one otherwise (SaleLineChange).
   */
  readonly version: number
}

export interface SaleSummary {
  readonly id: string
  readonly number: number
  readonly status: SaleStatus
  readonly totalMinor: number | null
  /** The sale's own currency (a store may change its currency; past sales keep theirs). */
  readonly currency: string
  readonly closedAt: number | null
  /** A refund is a sale of its own whose total is what went back (services/returns.ts); absent from older tills. */
  readonly kind?: 'sale' | 'refund'
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
  /** Net of tax, after line discounts; sales minus returns (what is owed). */
  readonly taxableMinor: number
  /** Sales' tax minus returned tax: what is owed. */
  readonly taxMinor: number
  /** The two sides of the net, per rate (absent on a Z closed before returns were netted). */
  readonly salesTaxableMinor?: number
  readonly salesTaxMinor?: number
  readonly returnsTaxableMinor?: number
  readonly returnsTaxMinor?: number
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
  /** What followed the close (signed head, PDF and exports, backup): on 'shift:close' only. Never undoes the Z. */
  readonly artifacts?: ZArtifactsView
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

// ----- the closed day's reports (issue [D] points 4 and 5) -----

/** What the till did after a Z committed. A failed step is listed (and journaled); the Z stands regardless. */
export interface ZArtifactsView {
  readonly zNumber: number
  /** The accountant's folder for this Z: <dataDir>/closings/Z<number>/. */
  readonly folder: string | null
  /** Files written there (the Z PDF and one export per format). */
  readonly files: readonly string[]
  /** The signed journal head (anchor.ts), or null when signing failed. */
  readonly anchor: { readonly seq: number; readonly hash: string; readonly publicKey: string } | null
  readonly backupFile: string | null
  /** Whether the Z went to the receipt printer's queue (false: no printer hook wired yet, or it failed). */
  readonly printed: boolean
  readonly failures: readonly { readonly step: 'sign' | 'files' | 'backup' | 'print' | 'totals'; readonly reason: string }[]
}

export interface DayReportRowView {
  readonly label: string
  readonly value: string
  readonly indent?: boolean
  readonly strong?: boolean
}

/** The Z (or X) on screen: the same rows as the paper and the PDF (reports/z-report.ts). */
export interface DayReportView {
  readonly kind: 'Z' | 'X'
  readonly zNumber: number
  readonly businessDate: string
  readonly currency: string
  readonly heading: { readonly title: string; readonly subtitle: string | null; readonly storeName: string; readonly storeLines: readonly string[] }
  readonly sections: readonly { readonly title: string | null; readonly rows: readonly DayReportRowView[] }[]
  readonly totals: {
    readonly salesCount: number
    readonly netSalesMinor: number
    readonly taxMinor: number
    readonly takingsMinor: number
    readonly cashNetMinor: number
    readonly tokens: readonly { readonly key: string; readonly tokenSymbol: string; readonly chainName: string; readonly receivedUnits: string; readonly tokenDecimals: number; readonly netMinor: number }[]
    readonly expectedCashMinor: number
    readonly countedCashMinor: number
    readonly differenceMinor: number
    readonly networkFeesMinor: number
    readonly cardEquivalentMinor: number
  }
}

export interface ReconcileProgressView {
  readonly runId: string
  readonly chainId: number
  readonly doneBlocks: number
  readonly totalBlocks: number
}

/** One transfer in a reconciliation (services/reconcile.ts ReconciledTransfer); base units as decimal strings. */
export interface ReconciledTransferView {
  readonly chainId: number
  readonly txHash: string
  readonly logIndex: number
  readonly blockNumber: number
  readonly tokenSymbol: string
  readonly value: string
  readonly to: string
  readonly from: string
  readonly paymentId: string | null
  readonly saleId: string | null
  readonly ledgerValue: string | null
  readonly confirmations: number | null
  readonly confirmationsRequired: number | null
}

/** A period's stablecoin takings checked against the chain (services/reconcile.ts Reconciliation). */
export interface ReconciliationView {
  readonly fromMs: number
  readonly toMs: number
  readonly chains: readonly {
    readonly chainId: number
    readonly chainName: string
    readonly fromBlock: number
    readonly toBlock: number
    readonly head: number
    readonly matched: readonly ReconciledTransferView[]
    readonly missing: readonly ReconciledTransferView[]
    readonly mismatched: readonly ReconciledTransferView[]
    readonly unexpected: readonly ReconciledTransferView[]
    readonly pending: readonly ReconciledTransferView[]
    readonly totals: readonly { readonly tokenSymbol: string; readonly ledger: string; readonly chain: string; readonly unexpected: string }[]
  }[]
  readonly unreachable: readonly { readonly chainId: number; readonly chainName: string; readonly error: string }[]
  readonly clean: boolean
}

// ---- returns and refunds (issue [D] point 2) ----

/** One line of a completed sale as a return sees it: what was sold, what earlier returns took back, what is left. */
export interface ReturnableLineView {
  readonly lineId: string
  readonly position: number
  readonly name: string
  readonly nameZh: string | null
  readonly soldQuantity: number
  /** Taken back by completed returns and held by refunds still awaiting their transfer. */
  readonly returnedQuantity: number
  readonly returnableQuantity: number
  /** A weighed line goes back whole (its quantity is 1). */
  readonly weighed: boolean
  /** What the customer paid for the whole line (after its discount, tax included). */
  readonly grossMinor: number
}

/** The original sale's stablecoin payment, the basis a token refund goes back on. */
export interface ReturnStablecoinOrigin {
  readonly chainId: number
  readonly chainName: string
  readonly tokenSymbol: string
  /** Exact token amount paid, e.g. "12.340001". */
  readonly tokenAmount: string
  readonly rate: string
  readonly amountMinor: number
}

export interface ReturnSummary {
  readonly id: string
  readonly number: number
  readonly method: 'cash' | 'stablecoin'
  readonly status: 'awaiting-transfer' | 'completed' | 'cancelled'
  readonly amountMinor: number
  readonly createdAt: number
}

export interface ReturnableSaleView {
  readonly saleId: string
  readonly number: number
  readonly tillId: string
  readonly currency: string
  readonly closedAt: number
  readonly receiptCode: string
  readonly totalMinor: number
  readonly paidMinor: number
  /** Given back already, or held by a refund awaiting its transfer. */
  readonly refundedMinor: number
  /** Paid minus refunded: no return can give back more. */
  readonly refundableMinor: number
  readonly lines: readonly ReturnableLineView[]
  readonly stablecoin: ReturnStablecoinOrigin | null
  readonly returns: readonly ReturnSummary[]
}

/** What a return would give back, before anyone is asked for a PIN. */
export interface ReturnQuoteView {
  readonly saleId: string
  readonly currency: string
  readonly lines: readonly { readonly lineId: string; readonly name: string; readonly quantity: number; readonly grossMinor: number }[]
  readonly amountMinor: number
  /** Nothing of the sale is left to return after this one. */
  readonly completesSale: boolean
}

export interface ReturnStablecoinView {
  readonly chainId: number
  readonly chainName: string
  readonly tokenSymbol: string
  readonly tokenAddress: string
  readonly tokenDecimals: number
  /** The shop's address the manager's wallet pays from. */
  readonly fromAddress: string
  /** The customer's address (EIP-55 checksummed). */
  readonly toAddress: string
  /** Base units, decimal string. */
  readonly amountUnits: string
  /** Exact decimal token amount, e.g. "4.900000". */
  readonly tokenAmount: string
  readonly basis: 'token' | 'fiat'
  readonly rate: string
  readonly rateSource: string
  /** The EIP-681 transfer request for the manager's wallet to pay. */
  readonly uri: string
  readonly txHash: string | null
  readonly logIndex: number | null
  readonly blockNumber: number | null
  readonly confirmationsRequired: number | 'finalized'
}

export interface ReturnView {
  readonly id: string
  readonly number: number
  readonly tillId: string
  readonly originalSaleId: string
  readonly originalSaleNumber: number
  readonly refundSaleId: string | null
  readonly refundSaleNumber: number | null
  readonly method: 'cash' | 'stablecoin'
  readonly status: 'awaiting-transfer' | 'completed' | 'cancelled'
  readonly amountMinor: number
  readonly currency: string
  readonly approvedBy: string
  readonly createdAt: number
  readonly completedAt: number | null
  readonly lines: readonly { readonly lineId: string; readonly name: string; readonly quantity: number }[]
  readonly stablecoin: ReturnStablecoinView | null
}

// ---- staff and roles (issue [S] point 2) ----
export type StaffRole = 'cashier' | 'manager' | 'owner'

export interface StaffView {
  readonly id: string
  readonly name: string
  readonly role: StaffRole
  readonly disabled: boolean
}

/** Who is signed in at the till; the pages hide or disable what `allowed` does not list (src/shared/permissions.ts). */
export interface StaffSessionView {
  readonly staffId: string
  readonly name: string
  readonly role: StaffRole
  readonly allowed: readonly string[]
}

// ---- catalog import and editing (issue [S] point 3) ----
export interface CatalogBadRow {
  /** The line of the file (1 is the header). */
  readonly line: number
  readonly sku: string
  /** Message id (src/shared/messages.ts) and its values, so the page words the reason in its language. */
  readonly reason: string
  readonly values: Readonly<Record<string, string | number>>
}

export interface CatalogImportPreview {
  readonly rows: number
  readonly valid: number
  readonly newProducts: number
  readonly changedProducts: number
  readonly unchangedProducts: number
  readonly badRows: readonly CatalogBadRow[]
}

export interface CatalogImportResult extends CatalogImportPreview {
  readonly imported: number
  readonly journalSeq: number | null
}

export interface CatalogProductView {
  readonly id: string
  readonly name: string
  readonly nameZh: string | null
  readonly pricing: 'unit' | 'weight'
  readonly priceMinor: number
  readonly taxRateId: string
  readonly plu: string | null
  readonly active: boolean
  readonly barcodes: readonly { readonly code: string; readonly packQty: number }[]
}

/** A live test of one RPC URL (issue [S] point 1): what the node said, before the URL is saved. */
export interface RpcTestView {
  readonly chainId: number
  readonly url: string
  readonly head: number
  readonly headAgeSeconds: number
  readonly tokens: readonly { readonly symbol: string; readonly address: string; readonly symbolOnChain: string; readonly decimals: number }[]
}

// ----- Today at a glance (issue [D] point 6) -----

/** One stablecoin request still waiting for the chain with money already seen (New or Seen), or reversed. */
export interface TodayPaymentView {
  readonly paymentId: string
  readonly saleId: string
  readonly saleNumber: number | null
  readonly tokenSymbol: string
  readonly tokenDecimals: number
  readonly chainId: number
  readonly chainName: string
  /** Base units seen on chain so far, and asked for; decimal strings. */
  readonly receivedUnits: string
  readonly amountDueUnits: string
  readonly amountMinor: number
  readonly status: string
  readonly exception: string | null
  readonly at: number
}

/**
 * The back office's first screen: the open day's figures (or, with no day open, the last closed day's), from the
 * same X/Z figures the reports print, plus what needs a manager now.
 */
export interface TodayView {
  readonly currency: string
  /** 'open': the day in progress (an X); 'closed': the last Z; 'none': no day yet. */
  readonly period: 'open' | 'closed' | 'none'
  readonly zNumber: number | null
  readonly fromMs: number | null
  readonly toMs: number | null
  readonly salesCount: number
  readonly netSalesMinor: number
  readonly returnsMinor: number
  /** Tender mix: cash and each token on each chain, in the store currency. */
  readonly tenders: readonly { readonly key: string; readonly label: string; readonly amountMinor: number; readonly count: number }[]
  /** Sales by local hour of closing (0..23) in the store's time zone: count and Σ totals. */
  readonly byHour: readonly { readonly hour: number; readonly count: number; readonly amountMinor: number }[]
  readonly pending: readonly TodayPaymentView[]
  readonly reversed: readonly TodayPaymentView[]
  /** Open exceptions: unattributed transfers, reversals not yet dealt with, print jobs that failed, a drawer difference. */
  readonly exceptions: readonly { readonly kind: 'unattributed' | 'reversal' | 'print-failed' | 'cash-difference'; readonly count: number; readonly amountMinor: number | null }[]
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
  readonly problems: readonly { readonly check: 'schema' | 'journal' | 'state' | 'anchor' | 'pages' | 'totals'; readonly seq: number | null; readonly reason: string }[]
  readonly firstBad: { readonly seq: number | null; readonly reason: string } | null
  readonly pages: 'pending' | 'ok' | 'damaged'
  /** A manager acknowledged these very problems (journaled): the day may close again; the problems stay listed. */
  readonly acknowledged: { readonly by: string; readonly at: number } | null
}

// ----- First-run set-up and the store's remaining settings (issue [S] points 1 and 4) -----

/** Whether this till still waits for its set-up (a new data folder), and what it can offer instead. */
export interface SetupStatusView {
  readonly pending: boolean
  /** "Try the demo store" is offered (the host can start the demo chain and catalog). */
  readonly demoAvailable: boolean
}

/** A step that passed its checks, with what the till made of it (the first derived address, the rates in ppm). */
export interface SetupCheckView {
  readonly step: 'store' | 'payments' | 'devices' | 'staff'
  readonly firstAddress: string | null
  readonly taxRates: readonly { readonly id: string; readonly name: string; readonly ratePpm: number }[]
  readonly people: number
}

export interface PrinterStatusView {
  readonly online: boolean
  readonly paperOut: boolean
  readonly paperNearEnd: boolean
  readonly coverOpen: boolean
  readonly error: boolean
  readonly drawerOpen: boolean
}

/** A test page's outcome: where it went, how many bytes, and the status the printer answered (two-way links). */
export interface PrinterTestView {
  readonly printer: string
  readonly bytes: number
  readonly status: PrinterStatusView | null
  /** What the status says is wrong (English, from the printer's status bits); null: nothing. */
  readonly problem: string | null
}

/** The store's settings the back office forms show beyond StoreInfo. */
export interface StoreDetailsView {
  readonly addressLines: readonly string[]
  readonly taxId: string
  readonly tillName: string
  readonly headerLines: readonly string[]
  readonly footerLines: readonly string[]
  readonly customerDisplay: 'second-screen' | 'same-screen' | 'none'
  readonly taxRates: readonly { readonly id: string; readonly name: string; readonly ratePpm: number; readonly products: number }[]
  readonly cardFeePpm: number
  /** The store's limits for one sale (services/limits.ts): minor units and units. */
  readonly limits: { readonly maxCashReceivedMinor: number; readonly maxQuantity: number; readonly maxLineAmountMinor: number }
  readonly printer: {
    readonly profile: 'epson-tm-80' | 'generic-58' | 'star-escpos-80'
    readonly transport: 'tcp' | 'usb' | 'device-file' | 'virtual'
    readonly host: string
    readonly port: string
    readonly path: string
    readonly drawerOnCash: boolean
  }
}

/** What a saved settings change did: applied at once, or waiting for the next start. */
export interface SettingsSavedView {
  readonly details: StoreDetailsView
  readonly restartNeeded: boolean
}

/** The back office's full Verify under way ('ledger:verify-progress'): entries hashed so far of the journal's. */
export interface VerifyProgressView {
  readonly checked: number
  readonly total: number
}

/** A sale's head and totals: all of its view but the lines and tenders. */
export type SaleHead = Omit<SaleView, 'lines' | 'tenders'>

/**
 * One line of the open sale added or changed (a scan, a quantity, a discount, a void): the 'sale:line-changed' event
 * and the cashier's slim scan answer. A few hundred bytes where the whole view is 64 KB at 200 lines. A window
 * applies it to the view it holds when that view's version is `fromVersion` (0: this change opened the sale, so
 * there was nothing before it); at any other version it asks for the whole sale (sale:current), so a missed
 * change is never papered over. Tenders are left as the window has them: a line cannot change while one is live.
 */
export interface SaleLineChange {
  readonly sale: SaleHead
  readonly fromVersion: number
  /** The line as it is now; its position (1, 2, 3 ...) is its place in the sale's lines. */
  readonly line: LineView
  /** How many lines the sale has now, voided ones included: a window checks that it holds as many. */
  readonly lineCount: number
}

/** Shipping the journal to head office, as the back office shows it (services/shipper.ts ShipperStatus). */
export interface HeadOfficeStatusView {
  readonly url: string
  readonly state: 'idle' | 'sending' | 'backing-off' | 'stopped'
  /** Highest seq head office acknowledged; null until head office was first reached. */
  readonly ackedSeq: number | null
  readonly headSeq: number
  /** Entries not yet at head office. */
  readonly behind: number
  /** code: 'unreachable' | 'timeout' | 'bad-answer' | 'fork' | one of head office's refusals ('hash-mismatch', 'gap', ...). */
  readonly lastError: { readonly code: string; readonly message: string; readonly at: number } | null
  readonly lastSuccessAt: number | null
  readonly consecutiveFailures: number
  readonly nextAttemptAt: number | null
}

/**
 * A Z has committed and its files (PDF and the five exports) are being written ('shift:close-progress'): the day's
 * entries (sales, returns, voids, no-sales, cash moves) written so far of `expectedEntries`. 0 is the start; equal, the end.
 */
export interface CloseProgressView {
  readonly zNumber: number
  readonly entries: number
  readonly expectedEntries: number
  /** 'backup': the files are written and the ledger's backup is being copied and checked (the last step before the close answers). */
  readonly step?: 'backup'
}

/**
 * One page of the cashier's local product index ('catalog:index'): what a plain scan needs to draw its row at
 * once, as parallel arrays (no per-product object keys: at 100,000 products the names alone are most of it).
 * Only active products sold by the unit are in it: a weighed product's code, an unknown code or a variable-measure
 * label goes to the till the normal way.
 */
export interface CatalogIndexPage {
  /** The catalog's version: the newest catalog journal entry's seq. A load whose pages disagree starts again. */
  readonly version: number
  /** Product i of this page: ids[i], names[i], namesZh[i], pricesMinor[i] (unit price, integer minor units), plus[i]. */
  readonly ids: readonly string[]
  readonly names: readonly string[]
  readonly namesZh: readonly (string | null)[]
  readonly pricesMinor: readonly number[]
  readonly plus: readonly (string | null)[]
  /** Barcode j: codes[j] sells packQty[j] units of product codeProduct[j] (an index into this page's products). */
  readonly codes: readonly string[]
  readonly codeProduct: readonly number[]
  readonly packQty: readonly number[]
  /** The last product id of this page, to ask for the next; null on the last page. */
  readonly next: string | null
  /**
   * The store's bounds for one line (services/limits.ts), which the till checks on every scan: a scan that would
   * take a line past them is not drawn ahead (the till refuses it), so no row shows that is then taken back.
   */
  readonly limits: CatalogIndexLimits
}

export interface CatalogIndexLimits {
  /** Units on one line. */
  readonly maxQuantity: number
  /** One line's amount before discount, integer minor units. */
  readonly maxLineAmountMinor: number
}

/** 'catalog:changed': the catalog's new version (CatalogIndexPage.version). */
export interface CatalogChanged {
  readonly version: number
}
