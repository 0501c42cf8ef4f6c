// The closed day as plain data (DaySettlement) and the one function that computes the Z figures from it.
//
// The screen, the paper (z-document.ts), the PDF (z-pdf.ts) and every export read `computeZTotals`, so no two of
// them can disagree on a figure. The day's services (cash session, returns, reconciliation) build a DaySettlement
// from the ledger; this module never touches the ledger.
//
// Big days: `entries` is a re-iterable Iterable (an array, or an object whose [Symbol.iterator]() runs the ledger's
// SELECT again through better-sqlite3's synchronous stmt.iterate()). computeZTotals folds it in one pass; the exports
// walk it once, all five together if asked (day-pass.ts), so a day of 1,000,000 sales is reported in flat memory.
//
// Money: fiat in integer minor units of `store.currency` (number, always a safe integer); token amounts as decimal
// strings of base units (bigint inside the fold); rates as exact decimal strings. Never a float (money.ts).
import { z } from 'zod'
import { divRoundHalfAwayFromZero, PPM } from '../../shared/money'

export interface StoreInfo {
  readonly name: string
  readonly addressLines: readonly string[]
  readonly taxId: string | null
  /** ISO 4217; every fiat amount of the day is in minor units of it. */
  readonly currency: string
  /** IANA zone the business date is counted in, e.g. "Europe/Berlin". */
  readonly timeZone: string
  readonly tillId: string
  /** The till's number in the store (1, 2, …), printed on the Z. */
  readonly tillNumber: number
}

/** Cash kept in the drawer for a sale: received minus change. */
export interface CashTender {
  readonly kind: 'cash'
  readonly amountMinor: number
}

export interface StablecoinTender {
  readonly kind: 'stablecoin'
  readonly tokenSymbol: string
  readonly tokenDecimals: number
  readonly chainId: number
  readonly chainName: string
  /** Token amount in base units, decimal string (what the Transfer log moved). */
  readonly tokenUnits: string
  /** What it was booked at, in store currency minor units (tokenUnitsToFiatMinor at `rate`). */
  readonly amountMinor: number
  /** Store currency per one whole token, exact decimal string ("1", "0.9303"). */
  readonly rate: string
  /** Where the rate came from: 'peg' | 'manual' | 'http' (rates.ts), kept as text for the accountant. */
  readonly rateSource: string
  readonly txHash: string
  readonly logIndex: number
  readonly blockNumber: number
  /** The transfer's network fee valued in store currency minor units; null when it is not known. */
  readonly networkFeeMinor: number | null
  /** Accepted after the request expired (BTCPay PaidLate), by a manager. */
  readonly late: boolean
}

export type Tender = CashTender | StablecoinTender

/** A refund paid in stablecoin by the manager's own wallet (the till holds no key); the watcher saw it go out. */
export interface StablecoinRefundTender extends Omit<StablecoinTender, 'late'> {
  /** The basis chosen: the original token amount, or the fiat amount at today's rate. */
  readonly basis: 'token' | 'fiat'
}

export type RefundTender = CashTender | StablecoinRefundTender

export interface TaxLine {
  /** e.g. "VAT", "Sales tax". */
  readonly name: string
  /** Parts per million: 7 % = 70000. */
  readonly ratePpm: number
  /** Amount without tax. */
  readonly netMinor: number
  readonly taxMinor: number
}

export interface SaleEntry {
  readonly kind: 'sale'
  readonly id: string
  /** Gap-free per till. */
  readonly number: number
  /** Completion time, ms since the Unix epoch. */
  readonly at: number
  readonly cashier: string
  /** Per rate, after line discounts. */
  readonly taxes: readonly TaxLine[]
  /** What the customer owed: Σ taxes (net + tax). */
  readonly grossMinor: number
  /** How much the line discounts took off what the customer owed (tax included). Already out of grossMinor. */
  readonly discountMinor: number
  /**
   * Σ tenders.amountMinor may differ from grossMinor only for a stablecoin over- or under-payment a manager
   * accepted; the difference is the over/under-payment (never cash: cash tenders hold what was kept after change).
   */
  readonly tenders: readonly Tender[]
}

export interface ReturnEntry {
  readonly kind: 'return'
  readonly id: string
  /** Gap-free per till, its own series. */
  readonly number: number
  readonly at: number
  readonly cashier: string
  readonly originalSaleId: string
  readonly originalSaleNumber: number
  /** What was returned, per rate, as positive amounts. */
  readonly taxes: readonly TaxLine[]
  /** Positive: what the customer got back. Equals Σ tenders.amountMinor. */
  readonly grossMinor: number
  readonly tenders: readonly RefundTender[]
}

export interface VoidEntry {
  readonly kind: 'void'
  readonly id: string
  readonly at: number
  readonly cashier: string
  /** The open sale's total when it was voided. */
  readonly valueMinor: number
}

export interface CashMovementEntry {
  readonly kind: 'cash-in' | 'cash-out'
  readonly id: string
  /** Gap-free within the day's Z (1, 2, …): part of the export ids. */
  readonly number: number
  readonly at: number
  readonly cashier: string
  /** Positive. */
  readonly amountMinor: number
  readonly reason: string
}

export interface NoSaleEntry {
  readonly kind: 'no-sale'
  readonly id: string
  readonly at: number
  readonly cashier: string
}

export type DayEntry = SaleEntry | ReturnEntry | VoidEntry | CashMovementEntry | NoSaleEntry

/** A stablecoin request still unconfirmed at closing: not booked today, shown and carried to the next day. */
export interface PendingPayment {
  readonly saleId: string
  readonly saleNumber: number
  readonly tokenSymbol: string
  readonly tokenDecimals: number
  readonly chainId: number
  readonly chainName: string
  readonly tokenUnits: string
  readonly amountMinor: number
  readonly requestedAt: number
  /** The last state the watcher saw: 'new' | 'seen' | … */
  readonly state: string
}

export interface GrandTotals {
  /** Perpetual, never reset: every sale's gross since the till's first day. */
  readonly salesMinor: number
  readonly returnsMinor: number
}

export interface DaySettlement {
  readonly store: StoreInfo
  /** YYYY-MM-DD in store.timeZone. */
  readonly businessDate: string
  /** Gap-free per till. */
  readonly zNumber: number
  readonly periodStartMs: number
  /** The closing time; the only time any export writes as "generated" (so exporting twice is byte-identical). */
  readonly periodEndMs: number
  /** The journal's head at closing: the Z entry itself is chained after it. */
  readonly journal: { readonly headSeq: number; readonly headHash: string }
  readonly cash: {
    readonly floatMinor: number
    readonly countedMinor: number
    /** Why counted differs from expected; null when it does not (or nobody said). */
    readonly differenceReason: string | null
  }
  /** The store's card fee setting, parts per million of the amount (1.5 % = 15000): the thesis figure's baseline. */
  readonly cardFeePpm: number
  /** Grand totals before this day. computeZTotals adds the day. */
  readonly grandTotalsBefore: GrandTotals
  readonly pendingCarriedOver: readonly PendingPayment[]
  /** Chronological, re-iterable (see the top of the file). */
  readonly entries: Iterable<DayEntry>
}

// ---------------------------------------------------------------------------------------------------------------
// zod schemas for the day's header, for the boundaries (CLI, IPC). Entries are checked by the fold itself: a day
// of 1,000,000 sales is folded several times, and a zod parse per entry would cost more than the whole export.

const minor = z.number().int().refine(Number.isSafeInteger, 'not a safe integer')
const decimalUnits = z.string().regex(/^\d+$/)

export const pendingPaymentSchema = z.object({
  saleId: z.string().min(1),
  saleNumber: z.number().int().positive(),
  tokenSymbol: z.string().min(1),
  tokenDecimals: z.number().int().min(0).max(36),
  chainId: z.number().int().positive(),
  chainName: z.string().min(1),
  tokenUnits: decimalUnits,
  amountMinor: minor,
  requestedAt: z.number().int(),
  state: z.string()
})

export const daySettlementHeaderSchema = z.object({
  store: z.object({
    name: z.string().min(1),
    addressLines: z.array(z.string()),
    taxId: z.string().nullable(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    timeZone: z.string().min(1),
    // Export ids start with it: a leading - would read as a formula in a spreadsheet; camt.053 ids are Max35Text.
    tillId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/, 'a till id is up to 16 letters, digits and -, starting with a letter or digit'),
    tillNumber: z.number().int().positive()
  }),
  businessDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  zNumber: z.number().int().positive(),
  periodStartMs: z.number().int(),
  periodEndMs: z.number().int(),
  journal: z.object({ headSeq: z.number().int().nonnegative(), headHash: z.string().regex(/^[0-9a-f]{64}$/) }),
  cash: z.object({ floatMinor: minor.nonnegative(), countedMinor: minor.nonnegative(), differenceReason: z.string().nullable() }),
  cardFeePpm: z.number().int().min(0).max(PPM),
  grandTotalsBefore: z.object({ salesMinor: minor, returnsMinor: minor }),
  pendingCarriedOver: z.array(pendingPaymentSchema)
})

// ---------------------------------------------------------------------------------------------------------------
// The Z figures.

export interface TaxTotal {
  readonly name: string
  readonly ratePpm: number
  readonly salesNetMinor: number
  readonly salesTaxMinor: number
  readonly returnsNetMinor: number
  readonly returnsTaxMinor: number
  /** Sales minus returns: what the tax return declares. */
  readonly taxableMinor: number
  readonly taxMinor: number
}

export interface TokenTotal {
  /** "USDC:8453": one clearing account, one OFX/camt statement. */
  readonly key: string
  readonly tokenSymbol: string
  readonly tokenDecimals: number
  readonly chainId: number
  readonly chainName: string
  readonly paymentCount: number
  /** Base units received, decimal string. */
  readonly receivedUnits: string
  readonly receivedMinor: number
  readonly refundCount: number
  readonly refundedUnits: string
  readonly refundedMinor: number
  /** Received minus refunded. */
  readonly netMinor: number
  /** Every rate used with its source, e.g. ["1 (peg)"]. */
  readonly rates: readonly string[]
}

export interface ZTotals {
  readonly currency: string
  readonly zNumber: number
  readonly businessDate: string
  readonly salesCount: number
  readonly returnsCount: number
  /** Before discounts: net sales + returns + discounts. */
  readonly grossSalesMinor: number
  readonly discountsMinor: number
  readonly returnsMinor: number
  /** What the day kept: Σ sale gross − Σ return gross (tax included). */
  readonly netSalesMinor: number
  /** Per rate, sorted by rate then name. */
  readonly taxes: readonly TaxTotal[]
  readonly taxableMinor: number
  readonly taxMinor: number
  readonly tenders: {
    readonly cash: { readonly salesCount: number; readonly receivedMinor: number; readonly refundCount: number; readonly refundedMinor: number; readonly netMinor: number }
    /** Sorted by token symbol, then chain id. */
    readonly tokens: readonly TokenTotal[]
  }
  /** Σ of every tender's fiat amount minus refunds: equals netSalesMinor + overpaid − underpaid. */
  readonly takingsMinor: number
  readonly overpayments: { readonly count: number; readonly amountMinor: number }
  /** Positive: what the store accepted short. */
  readonly underpayments: { readonly count: number; readonly amountMinor: number }
  readonly latePayments: { readonly count: number; readonly amountMinor: number }
  readonly drawer: {
    readonly floatMinor: number
    readonly cashSalesMinor: number
    readonly cashRefundsMinor: number
    readonly cashInMinor: number
    readonly cashInCount: number
    readonly cashOutMinor: number
    readonly cashOutCount: number
    /** float + cash sales − cash refunds + cash in − cash out. */
    readonly expectedMinor: number
    readonly countedMinor: number
    /** counted − expected: positive over, negative short. */
    readonly differenceMinor: number
    readonly differenceReason: string | null
  }
  readonly voids: { readonly count: number; readonly valueMinor: number }
  readonly noSaleCount: number
  readonly pending: { readonly count: number; readonly amountMinor: number; readonly payments: readonly PendingPayment[] }
  /** The thesis as a figure: what the stablecoin takings cost in network fees beside what cards would have cost. */
  readonly fees: {
    readonly stablecoinTakingsMinor: number
    readonly stablecoinPaymentCount: number
    /** Σ of the known network fees. */
    readonly networkFeesMinor: number
    readonly networkFeesUnknownCount: number
    readonly cardFeePpm: number
    /** Σ per payment of amount × cardFeePpm, each rounded by THE rule (a card acquirer charges per transaction). */
    readonly cardEquivalentMinor: number
  }
  readonly grandTotals: { readonly before: GrandTotals; readonly after: GrandTotals }
  readonly periodStartMs: number
  readonly periodEndMs: number
  readonly journal: { readonly headSeq: number; readonly headHash: string }
}

/** The key a token on a chain is grouped by (statements, clearing accounts). */
export function tokenKey(tender: { readonly tokenSymbol: string; readonly chainId: number }): string {
  return `${tender.tokenSymbol}:${tender.chainId}`
}

function checkMinor(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new Error(`${what}: ${value} is not an integer number of minor units`)
  return value
}

function fail(entry: { readonly id: string }, message: string): never {
  throw new Error(`Entry ${entry.id}: ${message}`)
}

interface TokenAcc {
  tokenSymbol: string
  tokenDecimals: number
  chainId: number
  chainName: string
  paymentCount: number
  receivedUnits: bigint
  receivedMinor: number
  refundCount: number
  refundedUnits: bigint
  refundedMinor: number
  rates: Set<string>
}

interface TaxAcc {
  name: string
  ratePpm: number
  salesNetMinor: number
  salesTaxMinor: number
  returnsNetMinor: number
  returnsTaxMinor: number
}

/**
 * The running state of the Z's fold over a day's entries. A day can be folded in pieces (the export workers each
 * fold a range of its journal, reports/parallel.ts) and the pieces merged in order: every figure is a sum, a count
 * or a set, so folding the ranges and merging them gives what one fold over the whole day gives.
 */
export interface ZFold {
  cardPpm: bigint
  tokens: Map<string, TokenAcc>
  taxes: Map<string, TaxAcc>
  salesCount: number
  returnsCount: number
  salesGross: number
  discounts: number
  returnsGross: number
  cashSalesCount: number
  cashReceived: number
  cashRefundCount: number
  cashRefunded: number
  over: number
  overCount: number
  under: number
  underCount: number
  late: number
  lateCount: number
  cashIn: number
  cashInCount: number
  cashOut: number
  cashOutCount: number
  voidCount: number
  voidValue: number
  noSales: number
  coinTakings: number
  coinCount: number
  fees: number
  feesUnknown: number
  cardEquivalent: bigint
}

export function newZFold(cardFeePpm: number): ZFold {
  return {
    cardPpm: BigInt(cardFeePpm),
    tokens: new Map(),
    taxes: new Map(),
    salesCount: 0,
    returnsCount: 0,
    salesGross: 0,
    discounts: 0,
    returnsGross: 0,
    cashSalesCount: 0,
    cashReceived: 0,
    cashRefundCount: 0,
    cashRefunded: 0,
    over: 0,
    overCount: 0,
    under: 0,
    underCount: 0,
    late: 0,
    lateCount: 0,
    cashIn: 0,
    cashInCount: 0,
    cashOut: 0,
    cashOutCount: 0,
    voidCount: 0,
    voidValue: 0,
    noSales: 0,
    coinTakings: 0,
    coinCount: 0,
    fees: 0,
    feesUnknown: 0,
    cardEquivalent: 0n
  }
}

function zToken(s: ZFold, t: StablecoinTender | StablecoinRefundTender): TokenAcc {
  const key = tokenKey(t)
  let acc = s.tokens.get(key)
  if (!acc) {
    acc = { tokenSymbol: t.tokenSymbol, tokenDecimals: t.tokenDecimals, chainId: t.chainId, chainName: t.chainName, paymentCount: 0, receivedUnits: 0n, receivedMinor: 0, refundCount: 0, refundedUnits: 0n, refundedMinor: 0, rates: new Set() }
    s.tokens.set(key, acc)
  }
  return acc
}

function zTax(s: ZFold, line: TaxLine): TaxAcc {
  const key = `${line.ratePpm}|${line.name}`
  let acc = s.taxes.get(key)
  if (!acc) {
    acc = { name: line.name, ratePpm: line.ratePpm, salesNetMinor: 0, salesTaxMinor: 0, returnsNetMinor: 0, returnsTaxMinor: 0 }
    s.taxes.set(key, acc)
  }
  return acc
}

/** Folds one entry into the Z (throws on an inconsistent entry, see computeZTotals). */
export function foldZEntry(s: ZFold, entry: DayEntry): void {
  switch (entry.kind) {
    case 'sale': {
      s.salesCount++
      let owed = 0
      for (const line of entry.taxes) {
        const acc = zTax(s, line)
        acc.salesNetMinor += checkMinor(line.netMinor, 'net')
        acc.salesTaxMinor += checkMinor(line.taxMinor, 'tax')
        owed += line.netMinor + line.taxMinor
      }
      if (owed !== entry.grossMinor) fail(entry, `taxes add up to ${owed}, gross is ${entry.grossMinor}`)
      s.salesGross += checkMinor(entry.grossMinor, 'gross')
      s.discounts += checkMinor(entry.discountMinor, 'discount')
      let paid = 0
      let usedCash = false
      for (const tender of entry.tenders) {
        paid += checkMinor(tender.amountMinor, 'tender')
        if (tender.kind === 'cash') {
          usedCash = true
          s.cashReceived += tender.amountMinor
        } else {
          const acc = zToken(s, tender)
          acc.paymentCount++
          acc.receivedUnits += BigInt(tender.tokenUnits)
          acc.receivedMinor += tender.amountMinor
          acc.rates.add(`${tender.rate} (${tender.rateSource})`)
          s.coinTakings += tender.amountMinor
          s.coinCount++
          if (tender.networkFeeMinor === null) s.feesUnknown++
          else s.fees += checkMinor(tender.networkFeeMinor, 'network fee')
          s.cardEquivalent += divRoundHalfAwayFromZero(BigInt(tender.amountMinor) * s.cardPpm, BigInt(PPM))
          if (tender.late) {
            s.lateCount++
            s.late += tender.amountMinor
          }
        }
      }
      if (usedCash) s.cashSalesCount++
      const difference = paid - entry.grossMinor
      if (difference !== 0 && entry.tenders.every((t) => t.kind === 'cash')) fail(entry, `cash tenders ${paid} differ from the gross ${entry.grossMinor}`)
      if (difference > 0) {
        s.overCount++
        s.over += difference
      } else if (difference < 0) {
        s.underCount++
        s.under -= difference
      }
      break
    }
    case 'return': {
      s.returnsCount++
      let returned = 0
      for (const line of entry.taxes) {
        const acc = zTax(s, line)
        acc.returnsNetMinor += checkMinor(line.netMinor, 'net')
        acc.returnsTaxMinor += checkMinor(line.taxMinor, 'tax')
        returned += line.netMinor + line.taxMinor
      }
      if (returned !== entry.grossMinor) fail(entry, `returned taxes add up to ${returned}, gross is ${entry.grossMinor}`)
      s.returnsGross += checkMinor(entry.grossMinor, 'gross')
      let refunded = 0
      let usedCash = false
      for (const tender of entry.tenders) {
        refunded += checkMinor(tender.amountMinor, 'refund')
        if (tender.kind === 'cash') {
          usedCash = true
          s.cashRefunded += tender.amountMinor
        } else {
          const acc = zToken(s, tender)
          acc.refundCount++
          acc.refundedUnits += BigInt(tender.tokenUnits)
          acc.refundedMinor += tender.amountMinor
          acc.rates.add(`${tender.rate} (${tender.rateSource})`)
        }
      }
      if (usedCash) s.cashRefundCount++
      if (refunded !== entry.grossMinor) fail(entry, `refunds ${refunded} differ from the returned ${entry.grossMinor}`)
      break
    }
    case 'void':
      s.voidCount++
      s.voidValue += checkMinor(entry.valueMinor, 'void value')
      break
    case 'cash-in':
      s.cashInCount++
      s.cashIn += checkMinor(entry.amountMinor, 'cash in')
      break
    case 'cash-out':
      s.cashOutCount++
      s.cashOut += checkMinor(entry.amountMinor, 'cash out')
      break
    case 'no-sale':
      s.noSales++
      break
  }
}

/** Adds the fold of a later range (`later`) into `into` (the ranges' order is kept: sets and maps keep first-seen order). */
export function mergeZFolds(into: ZFold, later: ZFold): ZFold {
  into.salesCount += later.salesCount
  into.returnsCount += later.returnsCount
  into.salesGross += later.salesGross
  into.discounts += later.discounts
  into.returnsGross += later.returnsGross
  into.cashSalesCount += later.cashSalesCount
  into.cashReceived += later.cashReceived
  into.cashRefundCount += later.cashRefundCount
  into.cashRefunded += later.cashRefunded
  into.over += later.over
  into.overCount += later.overCount
  into.under += later.under
  into.underCount += later.underCount
  into.late += later.late
  into.lateCount += later.lateCount
  into.cashIn += later.cashIn
  into.cashInCount += later.cashInCount
  into.cashOut += later.cashOut
  into.cashOutCount += later.cashOutCount
  into.voidCount += later.voidCount
  into.voidValue += later.voidValue
  into.noSales += later.noSales
  into.coinTakings += later.coinTakings
  into.coinCount += later.coinCount
  into.fees += later.fees
  into.feesUnknown += later.feesUnknown
  into.cardEquivalent += later.cardEquivalent
  for (const [key, t] of later.tokens) {
    const acc = into.tokens.get(key)
    if (!acc) {
      into.tokens.set(key, { ...t, rates: new Set(t.rates) })
      continue
    }
    acc.paymentCount += t.paymentCount
    acc.receivedUnits += t.receivedUnits
    acc.receivedMinor += t.receivedMinor
    acc.refundCount += t.refundCount
    acc.refundedUnits += t.refundedUnits
    acc.refundedMinor += t.refundedMinor
    for (const rate of t.rates) acc.rates.add(rate)
  }
  for (const [key, t] of later.taxes) {
    const acc = into.taxes.get(key)
    if (!acc) {
      into.taxes.set(key, { ...t })
      continue
    }
    acc.salesNetMinor += t.salesNetMinor
    acc.salesTaxMinor += t.salesTaxMinor
    acc.returnsNetMinor += t.returnsNetMinor
    acc.returnsTaxMinor += t.returnsTaxMinor
  }
  return into
}

/**
 * The Z figures of a day, in one pass over its entries. Throws on an inconsistent entry (a sale whose taxes do
 * not add up to its gross, a cash tender that differs from what was owed, a return refunding another amount than
 * it returned): a Z built on such data would be wrong on paper, so it is refused rather than printed.
 */
export function computeZTotals(day: DaySettlement): ZTotals {
  const fold = newZFold(day.cardFeePpm)
  for (const entry of day.entries) foldZEntry(fold, entry)
  return finishZTotals(day, fold)
}

/** The Z of a day from its fold (computeZTotals, or the merged folds of its ranges). */
export function finishZTotals(day: DaySettlement, s: ZFold): ZTotals {
  const salesCount = s.salesCount
  const returnsCount = s.returnsCount
  const salesGross = s.salesGross
  const discounts = s.discounts
  const returnsGross = s.returnsGross
  const cashSalesCount = s.cashSalesCount
  const cashReceived = s.cashReceived
  const cashRefundCount = s.cashRefundCount
  const cashRefunded = s.cashRefunded
  const over = s.over
  const overCount = s.overCount
  const under = s.under
  const underCount = s.underCount
  const late = s.late
  const lateCount = s.lateCount
  const cashIn = s.cashIn
  const cashInCount = s.cashInCount
  const cashOut = s.cashOut
  const cashOutCount = s.cashOutCount
  const voidCount = s.voidCount
  const voidValue = s.voidValue
  const noSales = s.noSales
  const coinTakings = s.coinTakings
  const coinCount = s.coinCount
  const fees = s.fees
  const feesUnknown = s.feesUnknown
  const cardEquivalent = s.cardEquivalent
  const taxes = s.taxes
  const tokens = s.tokens
  const expected = day.cash.floatMinor + cashReceived - cashRefunded + cashIn - cashOut
  const taxTotals = [...taxes.values()]
    .sort((a, b) => a.ratePpm - b.ratePpm || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((t) => ({ ...t, taxableMinor: t.salesNetMinor - t.returnsNetMinor, taxMinor: t.salesTaxMinor - t.returnsTaxMinor }))
  const tokenTotals = [...tokens.values()]
    .sort((a, b) => (a.tokenSymbol < b.tokenSymbol ? -1 : a.tokenSymbol > b.tokenSymbol ? 1 : a.chainId - b.chainId))
    .map((t) => ({
      key: tokenKey(t),
      tokenSymbol: t.tokenSymbol,
      tokenDecimals: t.tokenDecimals,
      chainId: t.chainId,
      chainName: t.chainName,
      paymentCount: t.paymentCount,
      receivedUnits: t.receivedUnits.toString(),
      receivedMinor: t.receivedMinor,
      refundCount: t.refundCount,
      refundedUnits: t.refundedUnits.toString(),
      refundedMinor: t.refundedMinor,
      netMinor: t.receivedMinor - t.refundedMinor,
      rates: [...t.rates].sort()
    }))
  const takings = cashReceived - cashRefunded + tokenTotals.reduce((sum, t) => sum + t.netMinor, 0)
  const pendingAmount = day.pendingCarriedOver.reduce((sum, p) => sum + p.amountMinor, 0)
  const netSales = salesGross - returnsGross
  return {
    currency: day.store.currency,
    zNumber: day.zNumber,
    businessDate: day.businessDate,
    salesCount,
    returnsCount,
    grossSalesMinor: salesGross + discounts,
    discountsMinor: discounts,
    returnsMinor: returnsGross,
    netSalesMinor: netSales,
    taxes: taxTotals,
    taxableMinor: taxTotals.reduce((sum, t) => sum + t.taxableMinor, 0),
    taxMinor: taxTotals.reduce((sum, t) => sum + t.taxMinor, 0),
    tenders: {
      cash: { salesCount: cashSalesCount, receivedMinor: cashReceived, refundCount: cashRefundCount, refundedMinor: cashRefunded, netMinor: cashReceived - cashRefunded },
      tokens: tokenTotals
    },
    takingsMinor: takings,
    overpayments: { count: overCount, amountMinor: over },
    underpayments: { count: underCount, amountMinor: under },
    latePayments: { count: lateCount, amountMinor: late },
    drawer: {
      floatMinor: day.cash.floatMinor,
      cashSalesMinor: cashReceived,
      cashRefundsMinor: cashRefunded,
      cashInMinor: cashIn,
      cashInCount,
      cashOutMinor: cashOut,
      cashOutCount,
      expectedMinor: expected,
      countedMinor: day.cash.countedMinor,
      differenceMinor: day.cash.countedMinor - expected,
      differenceReason: day.cash.differenceReason
    },
    voids: { count: voidCount, valueMinor: voidValue },
    noSaleCount: noSales,
    pending: { count: day.pendingCarriedOver.length, amountMinor: pendingAmount, payments: day.pendingCarriedOver },
    fees: {
      stablecoinTakingsMinor: coinTakings,
      stablecoinPaymentCount: coinCount,
      networkFeesMinor: fees,
      networkFeesUnknownCount: feesUnknown,
      cardFeePpm: day.cardFeePpm,
      cardEquivalentMinor: Number(cardEquivalent)
    },
    grandTotals: {
      before: day.grandTotalsBefore,
      after: { salesMinor: day.grandTotalsBefore.salesMinor + salesGross, returnsMinor: day.grandTotalsBefore.returnsMinor + returnsGross }
    },
    periodStartMs: day.periodStartMs,
    periodEndMs: day.periodEndMs,
    journal: day.journal
  }
}
