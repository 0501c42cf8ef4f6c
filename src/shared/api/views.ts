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

/** A transfer to a watched address that matched no request: for a manager to reconcile. */
export interface UnattributedTransfer {
  readonly chainId: number
  readonly txHash: string
  readonly logIndex: number
  readonly to: string
  /** Base units, decimal string. */
  readonly value: string
  readonly blockNumber: number
}
