// Notes and coins a drawer is counted in, per currency, in minor units (ISO 4217 exponents, money.ts).
// A float or a closing count may be given by denomination (count × value, summed exactly) or as one total; currencies
// not listed here take a total only. One entry per value: where a coin and a note share a value (the US dollar coin
// and bill, the CNY 1 yuan coin and note) they sit in the same drawer compartment count and are counted together.
// Sources: US Mint and Federal Reserve (current issue), ECB (euro coins and the Europa series), Bank of England,
// People's Bank of China (5th series; jiao/fen coins are still legal tender), Bank of Japan.
import { currencyExponent, multiplyMinor } from '../money'

export interface Denomination {
  /** Face value in minor units of the currency. */
  readonly valueMinor: number
  readonly form: 'coin' | 'note'
}

const coin = (valueMinor: number): Denomination => ({ valueMinor, form: 'coin' })
const note = (valueMinor: number): Denomination => ({ valueMinor, form: 'note' })

export const DENOMINATIONS: Readonly<Record<string, readonly Denomination[]>> = {
  USD: [coin(1), coin(5), coin(10), coin(25), coin(50), note(100), note(200), note(500), note(1000), note(2000), note(5000), note(10000)],
  EUR: [coin(1), coin(2), coin(5), coin(10), coin(20), coin(50), coin(100), coin(200), note(500), note(1000), note(2000), note(5000), note(10000), note(20000), note(50000)],
  GBP: [coin(1), coin(2), coin(5), coin(10), coin(20), coin(50), coin(100), coin(200), note(500), note(1000), note(2000), note(5000)],
  CNY: [coin(1), coin(2), coin(5), coin(10), coin(50), note(100), note(500), note(1000), note(2000), note(5000), note(10000)],
  JPY: [coin(1), coin(5), coin(10), coin(50), coin(100), coin(500), note(1000), note(2000), note(5000), note(10000)]
}

/** The currency's notes and coins, smallest first; null when the till counts that currency by total only. */
export function denominationsOf(currency: string): readonly Denomination[] | null {
  return Object.prototype.hasOwnProperty.call(DENOMINATIONS, currency) ? DENOMINATIONS[currency]! : null
}

export interface DenominationCount {
  readonly valueMinor: number
  readonly count: number
}

export type CountResult = { readonly ok: true; readonly totalMinor: number; readonly counts: readonly DenominationCount[] } | { readonly ok: false; readonly message: string }

/**
 * The total of a count by denomination, exactly (multiplyMinor, bigint inside). Refuses a value the currency does
 * not have, a value given twice and a currency counted by total only. Zero counts are dropped; the rest are sorted
 * smallest value first, so the same drawer always records the same way.
 */
export function totalOfCounts(currency: string, counts: readonly DenominationCount[]): CountResult {
  currencyExponent(currency)
  const table = denominationsOf(currency)
  if (!table) return { ok: false, message: `${currency} is counted by total only on this till: give the total.` }
  const seen = new Set<number>()
  let total = 0
  for (const c of counts) {
    if (!table.some((d) => d.valueMinor === c.valueMinor)) return { ok: false, message: `${currency} has no note or coin worth ${c.valueMinor} minor units.` }
    if (seen.has(c.valueMinor)) return { ok: false, message: `The ${c.valueMinor} minor-unit denomination is given twice.` }
    if (!Number.isSafeInteger(c.count) || c.count < 0) return { ok: false, message: 'A count is a whole number of notes or coins.' }
    seen.add(c.valueMinor)
    total += multiplyMinor(c.valueMinor, c.count)
    if (!Number.isSafeInteger(total)) return { ok: false, message: 'That count is too large.' }
  }
  const kept = counts.filter((c) => c.count > 0).map((c) => ({ valueMinor: c.valueMinor, count: c.count }))
  kept.sort((a, b) => a.valueMinor - b.valueMinor)
  return { ok: true, totalMinor: total, counts: kept }
}
