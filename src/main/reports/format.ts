// Amount formatting for exports: the same strings as money.ts's formatMinorPlain / formatUnits, without a bigint per
// call. A day of 1,000,000 sales formats several million amounts, and the bigint round trip was most of the cost.
// Exact: minor amounts are safe integers (String() of a safe integer is exact), token amounts stay digit strings.
// A test checks both against money.ts over random values.
import { currencyExponent } from '../../shared/money'

/** Minor units to a plain decimal string with the currency's exponent: 1234, 2 -> "12.34"; -5, 2 -> "-0.05". */
export function plainMinor(minor: number, exponent: number): string {
  if (!Number.isSafeInteger(minor)) throw new Error(`${minor} is not an integer number of minor units`)
  if (exponent === 0) return String(minor)
  const negative = minor < 0
  const digits = String(negative ? -minor : minor).padStart(exponent + 1, '0')
  const cut = digits.length - exponent
  return `${negative ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`
}

/** A formatter bound to a currency (its exponent looked up once). */
export function minorFormatter(currency: string): (minor: number) => string {
  const exponent = currencyExponent(currency)
  return (minor) => plainMinor(minor, exponent)
}

/** Base units as a decimal digit string to a token amount: "12791572", 6 -> "12.791572"; negative -> "-12.791572". */
export function plainUnits(units: string, decimals: number, negative = false): string {
  if (!/^\d+$/.test(units)) throw new Error(`bad token amount ${units}`)
  const digits = units.padStart(decimals + 1, '0')
  const cut = digits.length - decimals
  const whole = digits.slice(0, cut).replace(/^0+(?=\d)/, '')
  const text = decimals > 0 ? `${whole}.${digits.slice(cut)}` : whole
  return negative && /[1-9]/.test(text) ? `-${text}` : text
}
