// Sale totals from its lines, by THE rounding rule in money.ts: tax rounded per line or once per rate on the sale's
// taxable total, as the sale's own TaxRounding says.
import { lineTax, type TaxMode, type TaxRounding } from '../money'

export interface TotalsLine {
  readonly amountMinor: number
  readonly taxRateId: string
  readonly taxRateName: string
  readonly taxRatePpm: number
  readonly voided: boolean
}

export interface SaleTotals {
  /** Sum of the lines' net amounts. */
  readonly subtotalMinor: number
  readonly taxMinor: number
  /** What the customer pays. */
  readonly totalMinor: number
  readonly taxes: readonly { taxRateId: string; name: string; ratePpm: number; taxableMinor: number; taxMinor: number }[]
}

export function computeSaleTotals(lines: readonly TotalsLine[], mode: TaxMode, rounding: TaxRounding = 'per-line'): SaleTotals {
  if (rounding === 'per-rate-total') return perRateTotals(lines, mode)
  let subtotal = 0
  let tax = 0
  let total = 0
  const byRate = new Map<string, { taxRateId: string; name: string; ratePpm: number; taxableMinor: number; taxMinor: number }>()
  for (const line of lines) {
    if (line.voided) continue
    const t = lineTax(line.amountMinor, line.taxRatePpm, mode)
    subtotal += t.netMinor
    tax += t.taxMinor
    total += t.grossMinor
    const entry = byRate.get(line.taxRateId) ?? { taxRateId: line.taxRateId, name: line.taxRateName, ratePpm: line.taxRatePpm, taxableMinor: 0, taxMinor: 0 }
    entry.taxableMinor += t.netMinor
    entry.taxMinor += t.taxMinor
    byRate.set(line.taxRateId, entry)
  }
  return { subtotalMinor: subtotal, taxMinor: tax, totalMinor: total, taxes: [...byRate.values()] }
}

/** One rounding per rate, on the sum of that rate's line amounts (money.ts, 'per-rate-total'). */
function perRateTotals(lines: readonly TotalsLine[], mode: TaxMode): SaleTotals {
  const byRate = new Map<string, { taxRateId: string; name: string; ratePpm: number; amountMinor: number }>()
  for (const line of lines) {
    if (line.voided) continue
    const entry = byRate.get(line.taxRateId) ?? { taxRateId: line.taxRateId, name: line.taxRateName, ratePpm: line.taxRatePpm, amountMinor: 0 }
    entry.amountMinor += line.amountMinor
    byRate.set(line.taxRateId, entry)
  }
  let subtotal = 0
  let tax = 0
  let total = 0
  const taxes = [...byRate.values()].map((rate) => {
    const t = lineTax(rate.amountMinor, rate.ratePpm, mode)
    subtotal += t.netMinor
    tax += t.taxMinor
    total += t.grossMinor
    return { taxRateId: rate.taxRateId, name: rate.name, ratePpm: rate.ratePpm, taxableMinor: t.netMinor, taxMinor: t.taxMinor }
  })
  return { subtotalMinor: subtotal, taxMinor: tax, totalMinor: total, taxes }
}

export interface ShareLine {
  readonly id: string
  readonly taxRateId: string
  /** The line's amount after its discount (what the tax is on). */
  readonly amountMinor: number
  readonly taxMinor: number
  readonly voided: boolean
}

/**
 * Under 'per-rate-total' the sale's tax per rate is rounded once on the rate's sum, so the lines' own rounded taxes
 * can differ from it by a cent or so. At completion each rate's tax is shared out to its lines, so that the lines
 * (which the Z, the exports and a later return read) add up to the sale exactly: the difference goes a cent at a
 * time to the rate's largest lines first (ties: the earlier line). Returns only the lines whose tax changes.
 */
export function shareRateTax(lines: readonly ShareLine[], totals: SaleTotals): { readonly lineId: string; readonly taxMinor: number }[] {
  const changed: { lineId: string; taxMinor: number }[] = []
  for (const rate of totals.taxes) {
    const own = lines.filter((l) => !l.voided && l.taxRateId === rate.taxRateId)
    if (own.length === 0) continue
    let diff = rate.taxMinor - own.reduce((sum, l) => sum + l.taxMinor, 0)
    if (diff === 0) continue
    const order = own.map((l, i) => ({ l, i })).sort((a, b) => Math.abs(b.l.amountMinor) - Math.abs(a.l.amountMinor) || a.i - b.i)
    const tax = new Map(own.map((l) => [l.id, l.taxMinor]))
    const step = diff > 0 ? 1 : -1
    for (let k = 0; diff !== 0; k++) {
      const { l } = order[k % order.length]!
      tax.set(l.id, tax.get(l.id)! + step)
      diff -= step
    }
    for (const l of own) if (tax.get(l.id) !== l.taxMinor) changed.push({ lineId: l.id, taxMinor: tax.get(l.id)! })
  }
  return changed
}
