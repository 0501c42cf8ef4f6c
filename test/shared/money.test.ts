import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  currencyExponent,
  discountMinor,
  divRoundHalfAwayFromZero,
  fiatMinorToTokenUnits,
  formatMinorPlain,
  formatMoney,
  formatUnits,
  lineTax,
  parseMinor,
  tokenUnitsToFiatMinor,
  weighedAmountMinor
} from '../../src/shared/money'
import { computeSaleTotals } from '../../src/shared/sale/totals'

describe('money', () => {
  it('knows ISO 4217 exponents and refuses unknown currencies', () => {
    expect(currencyExponent('USD')).toBe(2)
    expect(currencyExponent('JPY')).toBe(0)
    expect(currencyExponent('KWD')).toBe(3)
    expect(() => currencyExponent('USDC')).toThrow(/Unknown currency USDC/)
  })

  it('rounds half away from zero', () => {
    expect(divRoundHalfAwayFromZero(5n, 2n)).toBe(3n)
    expect(divRoundHalfAwayFromZero(-5n, 2n)).toBe(-3n)
    expect(divRoundHalfAwayFromZero(4n, 3n)).toBe(1n)
    expect(divRoundHalfAwayFromZero(-4n, 3n)).toBe(-1n)
    expect(divRoundHalfAwayFromZero(149n, 100n)).toBe(1n)
    expect(divRoundHalfAwayFromZero(150n, 100n)).toBe(2n)
  })

  it('computes exclusive tax per line, half-up', () => {
    // 0.99 at 8.25 % = 0.081675 -> 0.08
    expect(lineTax(99, 82_500, 'exclusive')).toEqual({ netMinor: 99, taxMinor: 8, grossMinor: 107 })
    // 2.00 at 8.25 % = 0.165 -> 0.17 (the half goes up)
    expect(lineTax(200, 82_500, 'exclusive')).toEqual({ netMinor: 200, taxMinor: 17, grossMinor: 217 })
  })

  it('computes inclusive tax per line, half-up', () => {
    // 1.19 incl. 19 % VAT: tax = 1.19 * 19/119 = 0.19
    expect(lineTax(119, 190_000, 'inclusive')).toEqual({ netMinor: 100, taxMinor: 19, grossMinor: 119 })
    // 10.00 incl. 20 %: 1.6666… -> 1.67
    expect(lineTax(1000, 200_000, 'inclusive')).toEqual({ netMinor: 833, taxMinor: 167, grossMinor: 1000 })
  })

  it('sale tax is the sum of rounded line taxes (per-line rule), and voided lines do not count', () => {
    const lines = [0, 1, 2].map(() => ({ amountMinor: 200, taxRateId: 'std', taxRateName: 'Std', taxRatePpm: 82_500, voided: false }))
    const totals = computeSaleTotals([...lines, { ...lines[0]!, voided: true }], 'exclusive')
    // Per line 0.165 -> 0.17, three lines 0.51 (a global rounding would give 0.495 -> 0.50).
    expect(totals.taxMinor).toBe(51)
    expect(totals.totalMinor).toBe(651)
    expect(totals.taxes).toEqual([{ taxRateId: 'std', name: 'Std', ratePpm: 82_500, taxableMinor: 600, taxMinor: 51 }])
  })

  it('inclusive totals always add up: net + tax = gross for any line', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 300_000 }), (amount, rate) => {
        const t = lineTax(amount, rate, 'inclusive')
        return t.netMinor + t.taxMinor === amount && t.taxMinor >= 0
      })
    )
  })

  it('takes percentage discounts by the same rounding rule', () => {
    expect(discountMinor(198, 100_000)).toBe(20) // 10 % of 1.98 = 0.198 -> 0.20
    expect(discountMinor(297, 100_000)).toBe(30) // 0.297 -> 0.30
    expect(discountMinor(250, 125_000)).toBe(31) // 12.5 % of 2.50 = 0.3125 -> 0.31
    expect(discountMinor(999, 1_000_000)).toBe(999)
    expect(() => discountMinor(100, 1_000_001)).toThrow()
  })

  it('weighs exactly: 1.234 kg at 2.29/kg = 2.83', () => {
    expect(weighedAmountMinor(229, 1234)).toBe(283) // 2.82586 -> 2.83
    expect(weighedAmountMinor(1890, 250)).toBe(473) // 4.725 -> 4.73
    expect(() => weighedAmountMinor(229, 0)).toThrow()
  })

  it('parses what cashiers type and refuses the rest', () => {
    expect(parseMinor('20', 'USD')).toBe(2000)
    expect(parseMinor('20.5', 'USD')).toBe(2050)
    expect(parseMinor('20,50', 'USD')).toBe(2050)
    expect(parseMinor('.99', 'USD')).toBe(99)
    expect(parseMinor('1000', 'JPY')).toBe(1000)
    for (const bad of ['', '-1', '1e3', '1,000.00', '20.505', 'abc', '1.2.3', '20.5', 'NaN']) {
      expect(parseMinor(bad, bad === '20.5' ? 'JPY' : 'USD'), bad).toBeNull()
    }
  })

  it('formats from integers with no thousands separators in plain form', () => {
    expect(formatMinorPlain(123450, 'USD')).toBe('1234.50')
    expect(formatMinorPlain(5, 'USD')).toBe('0.05')
    expect(formatMinorPlain(-5, 'USD')).toBe('-0.05')
    expect(formatMinorPlain(1234, 'KWD')).toBe('1.234')
    expect(formatUnits(12_340_000n, 6)).toBe('12.340000')
    expect(formatMoney(123450, 'USD', 'en-US')).toBe('$1,234.50')
    expect(formatMoney(9_007_199_254_740_991, 'USD', 'en-US')).toBe('$90,071,992,547,409.91')
  })

  it('converts fiat to token base units rounding down, and back', () => {
    expect(fiatMinorToTokenUnits(1234, 'USD', 6, { fiatPerToken: '1' })).toBe(12_340_000n)
    expect(fiatMinorToTokenUnits(1234, 'USD', 18, { fiatPerToken: '1' })).toBe(12_340_000_000_000_000_000n)
    // 10.00 EUR at 0.92 EUR per USDC = 10.869565... USDC -> floor to 10.869565
    expect(fiatMinorToTokenUnits(1000, 'EUR', 6, { fiatPerToken: '0.92' })).toBe(10_869_565n)
    expect(tokenUnitsToFiatMinor(10_869_565n, 'EUR', 6, { fiatPerToken: '0.92' })).toBe(1000)
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000 }), (minor) => {
        const units = fiatMinorToTokenUnits(minor, 'USD', 6, { fiatPerToken: '1.0003' })
        // never asks for more than the price
        return tokenUnitsToFiatMinor(units, 'USD', 6, { fiatPerToken: '1.0003' }) <= minor
      })
    )
  })
})
