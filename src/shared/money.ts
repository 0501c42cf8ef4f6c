// Money, the one place it is defined.
//
// - Fiat amounts are integer minor units of the store currency (cents for USD, fen for CNY, yen for JPY), typed
//   `number` and always safe integers. Intermediate products are computed in bigint.
// - Token amounts are bigint base units (USDC has 6 decimals, USDT on BNB Smart Chain 18). They travel over the
//   bridge as decimal strings.
// - Formatting happens at the edge only (UI, receipts, exports), from integers, never through a float.
//
// THE ROUNDING RULE (one rule, used everywhere):
//   Every division that must land on a minor unit rounds HALF AWAY FROM ZERO ("commercial rounding", 0.5 -> 1,
//   -0.5 -> -1). Away from zero (not to +infinity) keeps a refund the exact mirror of its sale.
//
//   Where tax is rounded is a store setting (TaxRounding), saved on each sale when it opens, so a past sale keeps
//   the rule it was sold under:
//   - 'per-rate-total' (the default for new stores): the taxable amounts of a sale's lines are summed per tax rate
//     and each rate's tax is rounded ONCE on that sum. US states tax the total of the taxable items, and the
//     receipt's tax lines then always agree with their own figures: "8.25% on 5.96 = 0.49", never the 0.50 that
//     per-line rounding can sum to. The sale's total is the sum of the lines plus (exclusive stores) those taxes.
//   - 'per-line': each line's tax is rounded once and the sale's tax is the sum of its lines' taxes (Odoo's
//     "round per line"; EU VAT Directive art. 91-92 practice allows it). A one-line refund returns exactly the tax
//     charged on that line; a receipt prints each rate's taxable sum and the sum of its line taxes.
//   A line still carries its own rounded tax (LineView.taxMinor) for display and per-line refunds; under
//   'per-rate-total' the sale's tax is the per-rate figure, which can differ from the lines' sum by a cent or so.
//   The one exception is converting fiat to token base units for a payment request: that ROUNDS DOWN (floor),
//   because a request must never ask the customer for more than the price (issue [B]); the difference is at most
//   one base unit (1e-6 USDC).

/** ISO 4217 minor-unit exponents of the currencies a store may choose. */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  USD: 2, EUR: 2, GBP: 2, CNY: 2, HKD: 2, TWD: 2, SGD: 2, CAD: 2, AUD: 2, NZD: 2, CHF: 2, SEK: 2, NOK: 2, DKK: 2,
  PLN: 2, CZK: 2, MXN: 2, BRL: 2, INR: 2, THB: 2, MYR: 2, PHP: 2, IDR: 2, ZAR: 2, TRY: 2, AED: 2, SAR: 2, NGN: 2,
  KES: 2, ARS: 2, COP: 2, VND: 0, JPY: 0, KRW: 0, CLP: 0, ISK: 0, UGX: 0, BHD: 3, KWD: 3, JOD: 3, OMR: 3, TND: 3
}

export function isKnownCurrency(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENTS, code)
}

export function currencyExponent(code: string): number {
  const exponent = CURRENCY_EXPONENTS[code]
  if (exponent === undefined) throw new Error(`Unknown currency ${code}: not in the ISO 4217 table this till knows`)
  return exponent
}

export function assertMinor(value: number, what = 'amount'): number {
  if (!Number.isSafeInteger(value)) throw new Error(`${what} must be an integer number of minor units, got ${value}`)
  return value
}

/** Divides and rounds half away from zero (THE rounding rule). */
export function divRoundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new Error('division by zero')
  const negative = numerator < 0n !== denominator < 0n
  const n = numerator < 0n ? -numerator : numerator
  const d = denominator < 0n ? -denominator : denominator
  const q = (n * 2n + d) / (2n * d)
  return negative ? -q : q
}

function toSafeNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new Error(`${what} is too large`)
  return Number(v)
}

export type TaxMode = 'inclusive' | 'exclusive'

/** Where tax is rounded (THE ROUNDING RULE above). */
export type TaxRounding = 'per-line' | 'per-rate-total'
export const TAX_ROUNDINGS: readonly TaxRounding[] = ['per-line', 'per-rate-total']

export const PPM = 1_000_000

export interface LineTax {
  /** Amount without tax. */
  readonly netMinor: number
  readonly taxMinor: number
  /** Amount the customer pays for the line. */
  readonly grossMinor: number
}

/**
 * Tax of one line. `amountMinor` is the line's shelf amount after discount: tax-inclusive in an inclusive store,
 * net in an exclusive one. `ratePpm` is the rate in parts per million (8.25 % = 82500).
 */
export function lineTax(amountMinor: number, ratePpm: number, mode: TaxMode): LineTax {
  assertMinor(amountMinor)
  if (!Number.isSafeInteger(ratePpm) || ratePpm < 0 || ratePpm > PPM) throw new Error(`bad tax rate ${ratePpm} ppm`)
  const amount = BigInt(amountMinor)
  const rate = BigInt(ratePpm)
  if (mode === 'exclusive') {
    const tax = toSafeNumber(divRoundHalfAwayFromZero(amount * rate, BigInt(PPM)), 'tax')
    return { netMinor: amountMinor, taxMinor: tax, grossMinor: amountMinor + tax }
  }
  const tax = toSafeNumber(divRoundHalfAwayFromZero(amount * rate, BigInt(PPM) + rate), 'tax')
  return { netMinor: amountMinor - tax, taxMinor: tax, grossMinor: amountMinor }
}

/** A percentage discount (parts per million of the amount) in minor units, by THE rounding rule. */
export function discountMinor(amountMinor: number, discountPpm: number): number {
  assertMinor(amountMinor)
  if (!Number.isSafeInteger(discountPpm) || discountPpm < 0 || discountPpm > PPM) throw new Error(`bad discount ${discountPpm} ppm`)
  return toSafeNumber(divRoundHalfAwayFromZero(BigInt(amountMinor) * BigInt(discountPpm), BigInt(PPM)), 'discount')
}

/** quantity × unit price, exact. */
export function multiplyMinor(unitMinor: number, quantity: number): number {
  assertMinor(unitMinor, 'unit price')
  if (!Number.isSafeInteger(quantity)) throw new Error('quantity must be an integer')
  return toSafeNumber(BigInt(unitMinor) * BigInt(quantity), 'line amount')
}

/** Price of a weighed item: price per kilogram × grams / 1000, rounded by THE rule. */
export function weighedAmountMinor(pricePerKgMinor: number, grams: number): number {
  assertMinor(pricePerKgMinor, 'price per kg')
  if (!Number.isSafeInteger(grams) || grams <= 0) throw new Error('weight must be a positive whole number of grams')
  return toSafeNumber(divRoundHalfAwayFromZero(BigInt(pricePerKgMinor) * BigInt(grams), 1000n), 'line amount')
}

/** Integer base units to a plain decimal string with exactly `decimals` fraction digits: 12340000n, 6 -> "12.340000". */
export function formatUnits(value: bigint, decimals: number): string {
  const negative = value < 0n
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0')
  const whole = digits.slice(0, digits.length - decimals)
  const fraction = digits.slice(digits.length - decimals)
  return `${negative ? '-' : ''}${whole}${decimals > 0 ? `.${fraction}` : ''}`
}

/** Minor units to a plain decimal string ("1234.50"): no thousands separators (exports and receipts rely on that). */
export function formatMinorPlain(amountMinor: number, currency: string): string {
  return formatUnits(BigInt(assertMinor(amountMinor)), currencyExponent(currency))
}

/**
 * Parses a decimal string typed by a person into integer units with `decimals` fraction digits.
 * Accepts "12", "12.3", "12.30", ".5", "12,30" (comma as decimal mark). Refuses signs, exponents, thousands
 * separators, more fraction digits than the unit allows, and anything else: returns null (the caller explains).
 */
export function parseDecimalUnits(text: string, decimals: number): bigint | null {
  const s = text.trim().replace(',', '.')
  const m = /^(\d{0,15})(?:\.(\d*))?$/.exec(s)
  if (!m) return null
  const whole = m[1] ?? ''
  const fraction = m[2] ?? ''
  if (whole === '' && fraction === '') return null
  if (fraction.length > decimals) return null
  return BigInt(whole || '0') * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0')
}

/** Parses a fiat amount typed by a cashier into minor units; null when it is not a valid amount for the currency. */
export function parseMinor(text: string, currency: string): number | null {
  const units = parseDecimalUnits(text, currencyExponent(currency))
  if (units === null || units > BigInt(Number.MAX_SAFE_INTEGER)) return null
  return Number(units)
}

/** A fiat/token rate as an exact fraction: `fiatMinorPerToken` minor units of fiat buy one whole token. */
export interface Rate {
  /** Fiat per one whole token, as an exact decimal string in the fiat currency, e.g. "1" or "7.2315". */
  readonly fiatPerToken: string
}

function rateFraction(rate: Rate): { num: bigint; den: bigint } {
  const m = /^(\d{1,12})(?:\.(\d{1,18}))?$/.exec(rate.fiatPerToken)
  if (!m) throw new Error(`bad rate ${rate.fiatPerToken}`)
  const fraction = m[2] ?? ''
  const num = BigInt((m[1] ?? '0') + fraction)
  const den = 10n ** BigInt(fraction.length)
  if (num === 0n) throw new Error('a rate of zero is not a rate')
  return { num, den }
}

/**
 * Fiat minor units to token base units at `rate`, ROUNDED DOWN (never ask for more than the price).
 * tokens = fiat / fiatPerToken; base units = amountMinor / 10^exp * 10^decimals / (num/den).
 */
export function fiatMinorToTokenUnits(amountMinor: number, currency: string, tokenDecimals: number, rate: Rate): bigint {
  assertMinor(amountMinor)
  const { num, den } = rateFraction(rate)
  const exp = currencyExponent(currency)
  return (BigInt(amountMinor) * 10n ** BigInt(tokenDecimals) * den) / (10n ** BigInt(exp) * num)
}

/** Token base units to fiat minor units at `rate`, by THE rounding rule (for reporting what a payment was worth). */
export function tokenUnitsToFiatMinor(units: bigint, currency: string, tokenDecimals: number, rate: Rate): number {
  const { num, den } = rateFraction(rate)
  const exp = currencyExponent(currency)
  return toSafeNumber(divRoundHalfAwayFromZero(units * num * 10n ** BigInt(exp), den * 10n ** BigInt(tokenDecimals)), 'fiat amount')
}

// Building an Intl.NumberFormat costs far more than using one (tens of microseconds): a cart of 200 lines formats
// 400 amounts per update, so one formatter per locale and currency is kept.
const moneyFormats = new Map<string, Intl.NumberFormat>()

function moneyFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`
  let nf = moneyFormats.get(key)
  if (!nf) {
    const exp = currencyExponent(currency)
    nf = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: exp, maximumFractionDigits: exp })
    moneyFormats.set(key, nf)
  }
  return nf
}

/** Locale-aware display of a minor amount, e.g. "$1,234.50" / "US$1,234.50". Exact: Intl formats the decimal string. */
export function formatMoney(amountMinor: number, currency: string, locale = 'en-US'): string {
  const plain = formatMinorPlain(amountMinor, currency)
  const nf = moneyFormat(locale, currency)
  // Intl.NumberFormat accepts decimal strings exactly (ECMA-402 "Intl.NumberFormat v3"); no float is created.
  return nf.format(plain as unknown as number)
}
