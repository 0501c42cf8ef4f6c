// THE contract (STYLE.md §1): every call's input schema and output type, and every event's payload type.
// The main-process registry, the Electron preloads and the browser harness are all derived from it.
import { z } from 'zod'
import type { CallName, EventName } from './channels'
import type { CloseProgressView, HeadOfficeStatusView, Locale, PaymentOptions, ProductHit, PrinterState, PrintJobView, SaleSummary, SaleView, ScannerDeviceView, ScannerStatusView, ScanRejected, StoreInfo, UnattributedTransfer, VerifyView } from './views'
import type { ChainHealthView } from '../payment/health'
import type { PaymentView } from '../payment/view'
import type { Result } from '../result'
import type { PaymentSettings } from '../payment/settings'
import type { ShiftView, ZFigures, ZReportSummary, ZReportView } from './views'
import type { DayReportView, ReconcileProgressView, ReconciliationView } from './views'
import type { ReturnableSaleView, ReturnQuoteView, ReturnView } from './views'
import type { CatalogImportPreview, CatalogImportResult, CatalogProductView, RpcTestView, StaffSessionView, StaffView } from './views'
import type { TodayView } from './views'
import type { IntegrityView, VerifyProgressView } from './views'
import type { PrinterTestView, SettingsSavedView, SetupCheckView, SetupStatusView, StoreDetailsView } from './views'
import type { SaleLineChange } from './views'
import type { CatalogChanged, CatalogIndexPage } from './views'
import { CUSTOMER_DISPLAYS, setupCheckSchema, setupFinishSchema, setupPrinterSchema, setupTaxRateSchema } from '../setup'

const id = z.string().min(1).max(80)
/** One HID scanner the till should read: by vendor and product id, optionally pinned by serial or port. */
export const scannerSelectionSchema = z
  .object({
    vendorId: z.number().int().min(0).max(0xffff),
    productId: z.number().int().min(0).max(0xffff),
    serialNumber: z.string().max(128).optional(),
    path: z.string().max(256).optional(),
    mode: z.enum(['auto', 'hid-pos', 'keyboard']).default('auto')
  })
  .strict()

const txHash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'a 0x-prefixed 32-byte transaction hash')
const pin = z.string().regex(/^\d{4,8}$/, 'a manager PIN is 4 to 8 digits')
/** A PIN being set: digits; the least length is the role's (checked by the staff service with its own message). */
const newPin = z.string().regex(/^\d{4,8}$/, 'a PIN of 4 to 8 digits')
const minor = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
/** Notes and coins counted by face value (minor units); the till checks the values against the currency's table.
 *  A cash count is given one way only: a total, or by denominations (the refine on each call). */
/** Per original line, how many come back (a whole sale: no list). */
const returnLines = z.array(z.object({ lineId: id, quantity: z.number().int().min(1).max(9999) }).strict()).min(1).max(500)
const denominationCounts = z
  .array(z.object({ valueMinor: z.number().int().positive().max(100_000_000), count: z.number().int().min(0).max(1_000_000) }).strict())
  .min(1)
  .max(40)

export const inputs = {
  'store:info': z.object({}).strict(),
  'sale:current': z.object({}).strict(),
  'sale:scan': z
    .object({
      code: z.string().min(1, 'empty barcode').max(100, 'barcode longer than 100 characters'),
      source: z.enum(['wedge', 'manual']),
      // From the Quantity box or a `3*` prefix: how many of a counted item the scan adds (default: the pack size).
      quantity: z.number().int().min(1).max(9999).optional(),
      // 'line': answer with the changed line and the totals (SaleLineChange) instead of the whole sale; the cashier
      // asks for it, since the same change has just reached it as 'sale:line-changed'.
      reply: z.enum(['view', 'line']).default('view')
    })
    .strict(),
  'sale:set-quantity': z.object({ lineId: id, quantity: z.number().int().min(1).max(9999) }).strict(),
  // A change by so many units, not a new absolute quantity: presses sent from a view that is one answer behind
  // still all count (30 quick presses of + add 30).
  'sale:change-quantity': z
    .object({ lineId: id, delta: z.number().int().min(-9999).max(9999).refine((d) => d !== 0, 'a change of zero'), reply: z.enum(['view', 'line']).default('view') })
    .strict(),
  // A product picked by PLU or name look-up (loose produce has no barcode).
  // Loose produce sold by weight comes with the weight the cashier keyed from the scale (grams).
  'sale:add-product': z.object({ productId: id, quantity: z.number().int().min(1).max(9999).default(1), weightGrams: z.number().int().min(1).max(100_000).optional() }).strict(),
  'sale:remove-tender': z.object({ tenderId: id, pin }).strict(),
  'catalog:search': z.object({ query: z.string().trim().min(1).max(40), limit: z.number().int().min(1).max(20).default(8) }).strict(),
  'sale:void-line': z.object({ lineId: id }).strict(),
  // A percentage as typed ("10", "12.5"), at most 4 decimals; parsed exactly, never as a float.
  'sale:discount-line': z.object({ lineId: id, percent: z.string().regex(/^\d{1,3}([.,]\d{1,4})?$/, 'a percentage such as 10 or 12.5'), pin }).strict(),
  // Cash below the amount due is refused unless the cashier confirmed it as a part payment (no silent partial tender).
  'sale:tender-cash': z.object({ receivedMinor: minor, confirmPartial: z.boolean().default(false) }).strict(),
  'sale:complete': z.object({}).strict(),
  'sale:void': z.object({ pin, reason: z.string().trim().max(200).default('') }).strict(),
  'sale:get': z.object({ saleId: id }).strict(),
  'sales:list': z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
  'ledger:verify': z.object({}).strict(),
  'settings:set-locale': z.object({ locale: z.enum(['en', 'zh-CN']) }).strict(),
  'payment:options': z.object({}).strict(),
  'payment:request': z.object({ chainId: z.number().int().positive(), token: z.enum(['USDC', 'USDT']) }).strict(),
  'payment:current': z.object({}).strict(),
  'payment:cancel': z.object({ paymentId: id }).strict(),
  'payment:accept': z.object({ paymentId: id, pin }).strict(),
  'payment:release-unverified': z.object({ paymentId: id, pin }).strict(),
  'payment:record-overpayment': z.object({ paymentId: id }).strict(),
  'payment:simulate': z.object({ paymentId: id }).strict(),
  'drawer:no-sale': z.object({ pin }).strict(),
  'printer:state': z.object({}).strict(),
  'printer:retry': z.object({ jobId: z.number().int().positive() }).strict(),
  'printer:reprint': z.object({ saleId: id }).strict(),
  'printer:preview': z.object({ jobId: z.number().int().positive().optional() }).strict(),
  'scanners:list': z.object({}).strict(),
  'scanners:select': z.object({ selections: z.array(scannerSelectionSchema).max(8) }).strict(),
  'settings:update-store': z
    .object({
      pin,
      storeName: z.string().trim().min(1).max(80).optional(),
      currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code').optional(),
      taxMode: z.enum(['inclusive', 'exclusive']).optional(),
      taxRounding: z.enum(['per-line', 'per-rate-total']).optional(),
      wedgeSlowGapMs: z.number().int().min(0).max(1000).optional(),
      headerLines: z.array(z.string().max(64)).max(6).optional(),
      footerLines: z.array(z.string().max(64)).max(6).optional(),
      addressLines: z.array(z.string().max(64)).max(4).optional(),
      taxId: z.string().trim().max(40).optional(),
      tillName: z.string().trim().max(40).optional()
    })
    .strict(),
  'rates:set-manual': z
    .object({
      pin,
      currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter ISO 4217 code'),
      token: z.enum(['USDC', 'USDT']),
      // Store currency per one token, typed as an exact decimal ("7.2315"); never parsed into a float.
      fiatPerToken: z.string().regex(/^\d{1,12}(\.\d{1,18})?$/, 'a decimal rate such as 7.2315')
    })
    .strict(),
  'payment:unattributed': z.object({}).strict(),
  'chain:health': z.object({}).strict(),
  'payment:resolve-transfer': z
    .object({
      chainId: z.number().int().positive(),
      txHash: txHash,
      logIndex: z.number().int().min(0),
      action: z.enum(['assigned', 'other-income', 'refund-owed', 'not-ours']),
      paymentId: id.optional(),
      note: z.string().trim().max(200).default(''),
      pin
    })
    .strict(),
  'payment:assignable': z.object({ chainId: z.number().int().positive(), txHash: txHash, logIndex: z.number().int().min(0) }).strict(),
  'payment:reversals': z.object({}).strict(),
  'payment:resolve-reversal': z.object({ paymentId: id, note: z.string().trim().min(1, 'say how the reversal was dealt with').max(200), pin }).strict(),
  'shift:current': z.object({}).strict(),
  'shift:open': z
    .object({ floatMinor: minor.optional(), denominations: denominationCounts.optional(), pin })
    .strict()
    .refine((v) => (v.floatMinor === undefined) !== (v.denominations === undefined), 'give the opening float as a total (floatMinor) or by denominations, one of the two'),
  'shift:cash-move': z
    .object({ direction: z.enum(['in', 'out']), amountMinor: minor.min(1, 'an amount above zero'), reason: z.string().trim().min(1, 'say why the cash moves').max(200), pin })
    .strict(),
  'shift:x-report': z.object({}).strict(),
  'shift:close': z
    .object({ countedMinor: minor.optional(), denominations: denominationCounts.optional(), differenceReason: z.string().trim().max(200).optional(), pin })
    .strict()
    .refine((v) => (v.countedMinor === undefined) !== (v.denominations === undefined), 'give the counted cash as a total (countedMinor) or by denominations, one of the two'),
  'shift:z-reports': z.object({ limit: z.number().int().min(1).max(500).default(30) }).strict(),
  'shift:z-report': z.object({ zNumber: z.number().int().positive() }).strict(),
  'day:z-report': z.object({ zNumber: z.number().int().positive(), locale: z.enum(['en', 'zh-CN']).default('en') }).strict(),
  'day:export': z.object({ zNumber: z.number().int().positive(), format: z.enum(['csv', 'ofx', 'camt053', 'hledger', 'beancount']), bom: z.boolean().default(false) }).strict(),
  // A Z's period, or any period by time; runId (chosen by the caller) names the run for its progress and cancel.
  'reconcile:run': z
    .object({ zNumber: z.number().int().positive().optional(), fromMs: z.number().int().min(0).optional(), toMs: z.number().int().min(0).optional(), runId: z.string().regex(/^[A-Za-z0-9-]{1,40}$/).optional() })
    .strict()
    .refine((v) => (v.zNumber !== undefined) !== (v.fromMs !== undefined && v.toMs !== undefined), 'give a Z number, or fromMs and toMs, one of the two')
    .refine((v) => v.fromMs === undefined || v.toMs === undefined || v.fromMs < v.toMs, 'fromMs must be before toMs'),
  'reconcile:cancel': z.object({ runId: z.string().regex(/^[A-Za-z0-9-]{1,40}$/).optional() }).strict(),
  // A receipt code (scanned or typed), or the sale's number and the date it was made (the store's calendar day).
  'return:find': z
    .object({
      code: z.string().trim().min(1, 'scan or type the receipt code').max(100).optional(),
      number: z.number().int().positive().optional(),
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').optional()
    })
    .strict()
    .refine((v) => (v.code !== undefined) !== (v.number !== undefined && v.date !== undefined), 'give the receipt code, or the sale number and its date'),
  // No lines: the whole sale (everything still returnable). Lines: so many of each.
  'return:quote': z.object({ saleId: id, lines: returnLines.optional() }).strict(),
  'return:cash': z.object({ saleId: id, lines: returnLines.optional(), pin }).strict(),
  'return:stablecoin': z
    .object({
      saleId: id,
      lines: returnLines.optional(),
      customerAddress: z.string().trim().min(1, 'scan or type the customer\'s address').max(300),
      basis: z.enum(['token', 'fiat']),
      chainId: z.number().int().positive().optional(),
      token: z.enum(['USDC', 'USDT']).optional(),
      fromAddress: z.string().trim().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x address').optional(),
      pin
    })
    .strict(),
  'return:get': z.object({ returnId: id }).strict(),
  // from/to (ms, to exclusive): the returns asked for in that span, e.g. one day picked in the back office.
  'return:list': z
    .object({ limit: z.number().int().min(1).max(500).default(50), from: z.number().int().nonnegative().optional(), to: z.number().int().positive().optional() })
    .strict()
    .refine((v) => v.from === undefined || v.to === undefined || v.from < v.to, { message: 'from must be before to', path: ['to'] }),
  'return:cancel': z.object({ returnId: id, pin }).strict(),
  // Looks on chain now for the transfers awaiting refunds wait for (the timer does it too).
  'return:check': z.object({}).strict(),
  'staff:session': z.object({}).strict(),
  'staff:sign-in': z.object({ pin }).strict(),
  'staff:lock': z.object({}).strict(),
  // The new PIN's length per role is the service's (permissions.ts MIN_PIN_DIGITS), refused with a specific message.
  'staff:change-pin': z.object({ currentPin: pin, newPin: newPin }).strict(),
  'staff:list': z.object({}).strict(),
  'staff:add': z.object({ pin, name: z.string().trim().min(1, 'a name').max(40), role: z.enum(['cashier', 'manager', 'owner']), newPin }).strict(),
  'staff:set-disabled': z.object({ pin, staffId: id, disabled: z.boolean() }).strict(),
  'staff:reset-pin': z.object({ pin, staffId: id, newPin }).strict(),
  // A CSV file as text (columns in src/main/services/catalog-csv.ts). Electron IPC carries any size; the browser
  // harness caps a frame at 64 KiB, so big files go through the Electron host (or the lead raises the cap).
  // Within the back office's 32 MiB socket frame (harness/server.ts MAX_FRAME_BYTES), with room for the envelope.
  'catalog:import-preview': z.object({ csv: z.string().min(1).max(30 * 1024 * 1024) }).strict(),
  'catalog:import': z.object({ csv: z.string().min(1).max(30 * 1024 * 1024), skipBadRows: z.boolean().default(false), pin }).strict(),
  'catalog:product': z.object({ productId: id }).strict(),
  'catalog:update-product': z
    .object({
      pin,
      productId: id,
      name: z.string().trim().min(1).max(120).optional(),
      nameZh: z.string().trim().max(120).nullable().optional(),
      // Decimal text in the store currency ("1.99"), parsed exactly by the service; never a float.
      price: z.string().trim().max(24).optional(),
      taxRateId: id.optional(),
      pricing: z.enum(['unit', 'weight']).optional(),
      plu: z.string().regex(/^\d{4,6}$/, 'a PLU of 4 to 6 digits').nullable().optional(),
      barcodes: z.array(z.object({ code: z.string().regex(/^\d{8,14}$|^[A-Za-z0-9-]{1,40}$/, 'a scannable code'), packQty: z.number().int().min(1).max(9999) }).strict()).max(20).optional(),
      active: z.boolean().optional()
    })
    .strict(),
  'catalog:export': z.object({}).strict(),
  'settings:check-receive': z.object({ address: z.string().trim().max(100).optional(), xpub: z.string().trim().max(120).optional(), tillNumber: z.number().int().min(1).max(64).default(1) }).strict(),
  'settings:test-rpc': z.object({ chainId: z.number().int().positive(), url: z.string().trim().min(1).max(300), tokens: z.array(z.enum(['USDC', 'USDT'])).min(1).max(2).default(['USDC']) }).strict(),
  // The whole object (src/shared/payment/settings.ts), parsed there with its own messages; the owner's PIN.
  'settings:payments': z.object({ pin, settings: z.record(z.string(), z.unknown()) }).strict(),
  'day:today': z.object({}).strict(),
  'ledger:integrity': z.object({}).strict(),
  'ledger:acknowledge-integrity': z.object({ pin }).strict(),
  'setup:status': z.object({}).strict(),
  'setup:check': setupCheckSchema,
  'setup:demo': z.object({}).strict(),
  'setup:finish': setupFinishSchema,
  // A test page on the printer as typed in the form (saved or not), so it is tried before it is saved.
  'printer:test': z.object({ printer: setupPrinterSchema }).strict(),
  'settings:store-details': z.object({}).strict(),
  'settings:devices': z.object({ pin, printer: setupPrinterSchema, customerDisplay: z.enum(CUSTOMER_DISPLAYS) }).strict(),
  'settings:tax-rates': z.object({ pin, rates: z.array(setupTaxRateSchema).max(8) }).strict(),
  'settings:card-fee': z.object({ pin, percent: z.string().trim().max(12) }).strict(),
  'settings:payments-current': z.object({}).strict(),
  'headoffice:status': z.object({}).strict(),
  'headoffice:till-key': z.object({}).strict(),
  // Keyset pages by product id, so no one answer holds the till's event loop for the whole catalog.
  'catalog:index': z.object({ afterId: id.nullable().default(null), limit: z.number().int().min(1).max(20_000).default(10_000) }).strict(),
  // Amounts as typed in the store currency (the till reads them into minor units); units as typed.
  'settings:limits': z.object({ pin, maxCashReceived: z.string().trim().max(24), maxQuantity: z.string().trim().max(8), maxLineAmount: z.string().trim().max(24) }).strict()
} as const satisfies Record<CallName, z.ZodType>

export interface Outputs {
  'store:info': StoreInfo
  'sale:current': SaleView | null
  /** The whole sale, or with reply 'line' the change alone (the whole sale still when a wedge echo changed nothing). */
  'sale:scan': SaleView | SaleLineChange
  'sale:set-quantity': SaleView
  'sale:change-quantity': SaleView | SaleLineChange
  'sale:add-product': SaleView
  'sale:remove-tender': SaleView
  'catalog:search': readonly ProductHit[]
  'sale:void-line': SaleView
  'sale:discount-line': SaleView
  'sale:tender-cash': SaleView
  'sale:complete': SaleView
  'sale:void': SaleView
  'sale:get': SaleView
  'sales:list': readonly SaleSummary[]
  'ledger:verify': VerifyView
  'settings:set-locale': StoreInfo
  'payment:options': PaymentOptions
  'payment:request': PaymentView
  'payment:current': PaymentView | null
  'payment:cancel': PaymentView
  'payment:accept': PaymentView
  'payment:release-unverified': PaymentView
  'payment:record-overpayment': PaymentView
  'payment:simulate': { readonly txHash: string }
  'drawer:no-sale': PrintJobView
  'printer:state': PrinterState
  'printer:retry': PrintJobView
  'printer:reprint': PrintJobView
  'printer:preview': { readonly jobId: number; readonly svg: string } | null
  'scanners:list': readonly ScannerDeviceView[]
  'scanners:select': readonly ScannerDeviceView[]
  'settings:update-store': StoreInfo
  'rates:set-manual': { readonly fiatPerToken: string; readonly source: string; readonly at: number }
  'payment:unattributed': readonly UnattributedTransfer[]
  'chain:health': readonly ChainHealthView[]
  'payment:resolve-transfer': UnattributedTransfer
  'payment:assignable': readonly PaymentView[]
  'payment:reversals': readonly PaymentView[]
  'payment:resolve-reversal': PaymentView
  'shift:current': ShiftView | null
  'shift:open': ShiftView
  'shift:cash-move': ShiftView
  'shift:x-report': ZFigures
  'shift:close': ZReportView
  'shift:z-reports': readonly ZReportSummary[]
  'shift:z-report': ZReportView
  'day:z-report': DayReportView
  'day:export': { readonly file: string; readonly bytes: number }
  'reconcile:run': ReconciliationView
  /** How many runs were told to stop. */
  'reconcile:cancel': { readonly cancelled: number },
  'return:find': ReturnableSaleView
  'return:quote': ReturnQuoteView
  'return:cash': ReturnView
  'return:stablecoin': ReturnView
  'return:get': ReturnView
  'return:list': readonly ReturnView[]
  'return:cancel': ReturnView
  'return:check': readonly ReturnView[],
  'staff:session': StaffSessionView | null
  'staff:sign-in': StaffSessionView
  'staff:lock': null
  'staff:change-pin': StaffView
  'staff:list': readonly StaffView[]
  'staff:add': StaffView
  'staff:set-disabled': StaffView
  'staff:reset-pin': StaffView
  'catalog:import-preview': CatalogImportPreview
  'catalog:import': CatalogImportResult
  'catalog:product': CatalogProductView
  'catalog:update-product': CatalogProductView
  'catalog:export': { readonly csv: string; readonly products: number }
  'settings:check-receive': { readonly address: string }
  'settings:test-rpc': RpcTestView
  'settings:payments': { readonly tested: readonly RpcTestView[]; readonly restartNeeded: boolean }
  'day:today': TodayView,
  'ledger:integrity': IntegrityView
  'ledger:acknowledge-integrity': IntegrityView
  'setup:status': SetupStatusView
  'setup:check': SetupCheckView
  'setup:demo': { readonly storeName: string }
  'setup:finish': { readonly storeName: string; readonly tested: readonly RpcTestView[] }
  'printer:test': PrinterTestView
  'settings:store-details': StoreDetailsView
  'settings:devices': SettingsSavedView
  'settings:tax-rates': SettingsSavedView
  'settings:card-fee': SettingsSavedView
  /** Null: no payment settings saved (a cash-only shop, or the demo on its embedded defaults). */
  'settings:payments-current': PaymentSettings | null
  'headoffice:status': HeadOfficeStatusView | null
  /** Base64 SPKI of the till's Ed25519 key; null when the till keeps no key (no key folder). */
  'headoffice:till-key': { readonly publicKey: string | null }
  'catalog:index': CatalogIndexPage
  'settings:limits': SettingsSavedView
}

export interface EventPayloads {
  'sale:changed': SaleView | null
  'store:changed': StoreInfo
  'scan:rejected': ScanRejected
  'payment:changed': PaymentView | null
  'printer:changed': PrinterState
  'scanner:status': ScannerStatusView
  'chain:health-changed': readonly ChainHealthView[]
  'shift:changed': ShiftView | null
  'reconcile:progress': ReconcileProgressView,
  'return:changed': ReturnView,
  'staff:changed': StaffSessionView | null,
  'ledger:integrity-changed': IntegrityView
  'ledger:verify-progress': VerifyProgressView,
  'sale:line-changed': SaleLineChange,
  'shift:close-progress': CloseProgressView,
  'catalog:changed': CatalogChanged
}

// Compile-time checks that the maps cover exactly the channel names.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
export const _outputsCoverCalls: Exact<keyof Outputs, CallName> = true
export const _payloadsCoverEvents: Exact<keyof EventPayloads, EventName> = true

export type Input<K extends CallName> = z.input<(typeof inputs)[K]>
export type ParsedInput<K extends CallName> = z.output<(typeof inputs)[K]>
export type Output<K extends CallName> = Outputs[K]

/** What a window sees: one function per call it may make, and a subscription to the events it may receive. */
export type Api<C extends CallName, E extends EventName> = {
  readonly call: { readonly [K in C]: (input: Input<K>) => Promise<Result<Output<K>>> }
  on<K extends E>(event: K, listener: (payload: EventPayloads[K]) => void): () => void
}

export type { Locale }
