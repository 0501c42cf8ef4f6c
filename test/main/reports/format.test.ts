import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatMinorPlain, formatUnits } from '../../../src/shared/money'
import { isoUtc, minorFormatter, plainMinor, plainUnits } from '../../../src/main/reports/format'

describe('export amount formatting', () => {
  it('plainMinor writes what money.ts writes, for any safe integer and exponent', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger().map((n) => Number(n)), fc.constantFrom(0, 2, 3), (minor, exponent) => {
        expect(plainMinor(minor, exponent)).toBe(formatUnits(BigInt(minor), exponent))
      })
    )
    expect(minorFormatter('EUR')(-5)).toBe(formatMinorPlain(-5, 'EUR'))
    expect(minorFormatter('JPY')(1234)).toBe('1234')
    expect(() => plainMinor(1.5, 2)).toThrow(/not an integer/)
  })

  it('plainUnits writes what formatUnits writes, 18-decimal amounts beyond 2^53 included', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.constantFrom(0, 6, 18), fc.boolean(), (units, decimals, negative) => {
        expect(plainUnits(units.toString(), decimals, negative)).toBe(formatUnits(negative ? -units : units, decimals))
      })
    )
    expect(plainUnits('000012', 6)).toBe('0.000012')
    expect(() => plainUnits('-5', 6)).toThrow(/bad token amount/)
  })

  it('isoUtc writes what Date#toISOString writes, within a day, across days and far from the cache', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_000_000_000_000, max: 253_000_000_000_000 }), fc.integer({ min: -90_000_000, max: 90_000_000 }), (ms, step) => {
        expect(isoUtc(ms)).toBe(new Date(ms).toISOString())
        expect(isoUtc(ms + step)).toBe(new Date(ms + step).toISOString())
      })
    )
    expect(isoUtc(Date.UTC(2026, 0, 15, 23, 59, 59, 999))).toBe('2026-01-15T23:59:59.999Z')
    expect(isoUtc(Date.UTC(2026, 0, 16))).toBe('2026-01-16T00:00:00.000Z')
  })
})
