import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  GS,
  catalogKeyForGtin,
  defaultVariableMeasureRules,
  gtinCheckDigit,
  isValidGtin,
  parseBarcode,
  parseGs1ElementString,
  priceWeightCheckDigit,
  variableMeasureRuleSchema
} from '../../src/shared/barcode'
import type { BarcodeParse, VariableMeasureRule } from '../../src/shared/barcode'

function expectOk<K extends Extract<BarcodeParse, { ok: true }>['kind']>(parse: BarcodeParse, kind: K): Extract<BarcodeParse, { kind: K }> {
  expect(parse).toMatchObject({ ok: true, kind })
  return parse as Extract<BarcodeParse, { kind: K }>
}

describe('check digits (GS1 GenSpecs §7.9.1)', () => {
  it.each([
    ['400638133393', 1],
    ['590123412345', 7],
    ['03600029145', 2],
    ['9638507', 4],
    ['0950110153000', 3]
  ])('check digit of %s is %i', (body, check) => {
    expect(gtinCheckDigit(body)).toBe(check)
  })

  it('refuses non-digit input with -1 instead of throwing', () => {
    expect(gtinCheckDigit('')).toBe(-1)
    expect(gtinCheckDigit('12a4')).toBe(-1)
  })

  it.each(['4006381333931', '5901234123457', '036000291452', '96385074', '09501101530003'])('%s is a valid GTIN', (gtin) => {
    expect(isValidGtin(gtin)).toBe(true)
  })

  it.each(['4006381333932', '036000291453', '96385075', '1234567', '123456789', 'abcdefgh', ''])('%s is not a valid GTIN', (gtin) => {
    expect(isValidGtin(gtin)).toBe(false)
  })
})

describe('parseBarcode: GTINs', () => {
  it('reads EAN-13, UPC-A, EAN-8 and GTIN-14 with normalized catalog keys', () => {
    expect(parseBarcode('4006381333931')).toEqual({ ok: true, kind: 'gtin', symbology: 'EAN-13', raw: '4006381333931', gtin: '4006381333931' })
    expect(parseBarcode('5901234123457')).toMatchObject({ kind: 'gtin', symbology: 'EAN-13', gtin: '5901234123457' })
    expect(parseBarcode('036000291452')).toEqual({ ok: true, kind: 'gtin', symbology: 'UPC-A', raw: '036000291452', gtin: '0036000291452' })
    expect(parseBarcode('96385074')).toEqual({ ok: true, kind: 'gtin', symbology: 'EAN-8', raw: '96385074', gtin: '96385074' })
    expect(parseBarcode('09501101530003')).toEqual({ ok: true, kind: 'gtin', symbology: 'GTIN-14', raw: '09501101530003', gtin: '09501101530003' })
  })

  it('gives UPC-A and its EAN-13 form the same key', () => {
    const upc = expectOk(parseBarcode('036000291452'), 'gtin')
    const ean = expectOk(parseBarcode('0036000291452'), 'gtin')
    expect(upc.gtin).toBe(ean.gtin)
  })

  it('maps a GTIN-14 with indicator 0 to the GTIN-13 the catalog files it under', () => {
    expect(catalogKeyForGtin('09501101530003')).toBe('9501101530003')
    expect(catalogKeyForGtin('036000291452')).toBe('0036000291452')
    expect(catalogKeyForGtin('19501101530000')).toBe('19501101530000')
  })

  it('trims spaces, CR and LF a wedge adds', () => {
    expect(parseBarcode('  4006381333931\r\n')).toMatchObject({ ok: true, kind: 'gtin', raw: '4006381333931' })
  })

  it('says which check digit was expected', () => {
    expect(parseBarcode('4006381333932')).toEqual({
      ok: false,
      reason: 'bad-check-digit',
      message: expect.stringContaining('Check digit does not match: 4006381333932 should end in 1') as unknown as string
    })
    expect(parseBarcode('036000291453')).toMatchObject({ ok: false, reason: 'bad-check-digit' })
    expect(parseBarcode('96385075')).toMatchObject({ ok: false, reason: 'bad-check-digit' })
  })

  it('refuses numeric codes of other lengths', () => {
    for (const code of ['1', '12345', '1234567', '123456789', '12345678901', '123456789012345']) {
      expect(parseBarcode(code)).toMatchObject({ ok: false, reason: 'bad-length' })
    }
  })

  it('takes an AIM prefix from the data and expands UPC-E under ]E0', () => {
    expect(parseBarcode(']E04006381333931')).toMatchObject({ ok: true, kind: 'gtin', raw: '4006381333931' })
    expect(parseBarcode('04252614', undefined, ']E0')).toMatchObject({ ok: true, kind: 'gtin', symbology: 'UPC-A', gtin: '0042100005264' })
    expect(parseBarcode('96385074', undefined, ']E4')).toMatchObject({ ok: true, kind: 'gtin', symbology: 'EAN-8' })
  })

  it('treats numeric data of a non-EAN symbology as an internal code', () => {
    expect(parseBarcode('12345', undefined, ']C0')).toEqual({ ok: true, kind: 'other', raw: '12345' })
  })
})

describe('parseBarcode: variable measure (restricted circulation numbers, prefixes 02 and 20-29)', () => {
  it('reads the weight in grams from a 2x code: 1.234 kg -> 1234 g', () => {
    const parse = expectOk(parseBarcode('2812345012345'), 'variable')
    expect(parse).toEqual({ ok: true, kind: 'variable', raw: '2812345012345', prefix: '28', itemRef: '12345', value: { kind: 'weight', grams: 1234 } })
  })

  it('reads the price in minor units from an 02 code', () => {
    expect(parseBarcode('0212345004999')).toEqual({
      ok: true,
      kind: 'variable',
      raw: '0212345004999',
      prefix: '02',
      itemRef: '12345',
      value: { kind: 'price', minor: 499 }
    })
    expect(parseBarcode('2012345012998')).toMatchObject({ kind: 'variable', prefix: '20', value: { kind: 'price', minor: 1299 } })
  })

  it('reads a UPC-A type 2 code as EAN-13 02', () => {
    expect(parseBarcode('212345004999')).toMatchObject({ kind: 'variable', prefix: '02', itemRef: '12345', value: { kind: 'price', minor: 499 } })
  })

  it('still checks the EAN-13 check digit', () => {
    expect(parseBarcode('2812345012346')).toMatchObject({ ok: false, reason: 'bad-check-digit' })
  })

  it('computes the GenSpecs §7.9.3 price/weight verifier digit', () => {
    expect(priceWeightCheckDigit('2875')).toBe(9)
    expect(priceWeightCheckDigit('14685')).toBe(6)
    expect(priceWeightCheckDigit('123')).toBe(-1)
  })

  it('follows custom rules, longest prefix first, verifying a price check digit', () => {
    const rules: VariableMeasureRule[] = [
      { prefix: '2', itemDigits: 6, valueDigits: 5, value: 'price' },
      { prefix: '23', itemDigits: 4, priceCheckDigit: true, valueDigits: 5, value: 'weight' },
      { prefix: '24', itemDigits: 5, priceCheckDigit: true, valueDigits: 4, value: 'price' }
    ]
    const withCheck = (body: string): string => body + String(gtinCheckDigit(body))
    expect(parseBarcode(withCheck('24' + '12345' + '9' + '2875'), rules)).toMatchObject({ kind: 'variable', itemRef: '12345', value: { minor: 2875 } })
    expect(parseBarcode(withCheck('24' + '12345' + '8' + '2875'), rules)).toMatchObject({ ok: false, reason: 'bad-check-digit' })
    const body = '231234' + String(priceWeightCheckDigit('00750')) + '00750'
    const code = body + String(gtinCheckDigit(body))
    expect(parseBarcode(code, rules)).toMatchObject({ kind: 'variable', prefix: '23', itemRef: '1234', value: { kind: 'weight', grams: 750 } })
    const other = '2' + '654321' + '01000'
    expect(parseBarcode(other + String(gtinCheckDigit(other)), rules)).toMatchObject({ prefix: '2', itemRef: '654321', value: { minor: 1000 } })
  })

  it('treats a 2x code as a plain GTIN when no rule covers it', () => {
    expect(parseBarcode('2812345012345', [])).toMatchObject({ kind: 'gtin', gtin: '2812345012345' })
  })

  it('validates rules for the settings screen', () => {
    for (const rule of defaultVariableMeasureRules) expect(variableMeasureRuleSchema.safeParse(rule).success).toBe(true)
    expect(variableMeasureRuleSchema.safeParse({ prefix: '02', itemDigits: 5, valueDigits: 4, value: 'price' }).success).toBe(false)
  })
})

describe('GS1 element strings', () => {
  const gtin = '09501101530003'

  it('reads GS1-128 with FNC1 as GS: 01 + 3103 + 17 + 10', () => {
    const data = `]C101${gtin}3103001234172512311012AB-3${GS}21SER99`
    const parse = expectOk(parseBarcode(data), 'gs1')
    expect(parse.gtin).toBe(gtin)
    expect(parse.netWeightGrams).toBe(1234)
    expect(parse.expiry).toBe('2025-12-31')
    expect(parse.batch).toBe('12AB-3')
    expect(parse.ais).toEqual({ '01': gtin, '3103': '001234', '17': '251231', '10': '12AB-3', '21': 'SER99' })
  })

  it('reads the GS1-128 when the AIM id comes as a parameter and the data starts with GS', () => {
    const parse = parseBarcode(`${GS}01${gtin}10LOT7${GS}17270228`, undefined, ']C1')
    expect(parse).toMatchObject({ kind: 'gs1', batch: 'LOT7', expiry: '2027-02-28' })
  })

  it('reads the human-readable form with parentheses', () => {
    const parse = expectOk(parseBarcode(`(01)${gtin}(3102)012345(17)260600(10)A(B)C`), 'gs1')
    expect(parse).toMatchObject({ gtin, netWeightGrams: 123450, expiry: '2026-06-00', batch: 'A(B)C' })
  })

  it('converts 310n to grams with integer arithmetic for every decimal position', () => {
    const grams = (n: number, value: string): number | undefined => {
      const parse = parseGs1ElementString(`01${gtin}310${n}${value}`)
      return parse.ok ? parse.netWeightGrams : undefined
    }
    expect(grams(0, '000002')).toBe(2000)
    expect(grams(1, '000025')).toBe(2500)
    expect(grams(2, '000125')).toBe(1250)
    expect(grams(3, '001234')).toBe(1234)
    expect(grams(4, '012345')).toBe(1235) // 1.2345 kg rounds half up to 1235 g
    expect(grams(5, '123449')).toBe(1234)
  })

  it('reads other fixed-length AIs: 11, 15, 3922 after a variable one', () => {
    const parse = parseGs1ElementString(`01${gtin}11250101152612313922001299${GS}21X`)
    expect(parse).toMatchObject({ ok: true, ais: { '11': '250101', '15': '261231', '3922': '001299', '21': 'X' } })
  })

  it('takes a wedge-typed GS1-128 without AIM id or separators when it is unambiguous', () => {
    expect(parseBarcode(`01${gtin}17251231`)).toMatchObject({ kind: 'gs1', gtin, expiry: '2025-12-31' })
    expect(parseBarcode(`01${gtin}1712AB`)).toMatchObject({ ok: true, kind: 'other' })
  })

  it('applies the GenSpecs §7.12 century window when given a reference year', () => {
    expect(parseGs1ElementString(`17991231`, { referenceYear: 2026 })).toMatchObject({ ok: true, expiry: '1999-12-31' })
    expect(parseGs1ElementString(`17751231`, { referenceYear: 2026 })).toMatchObject({ ok: true, expiry: '2075-12-31' })
    expect(parseGs1ElementString(`17991231`)).toMatchObject({ ok: true, expiry: '2099-12-31' })
  })

  it('refuses malformed GS1 data with a reason', () => {
    expect(parseBarcode(`]C101${gtin.slice(0, -1)}4`)).toMatchObject({ ok: false, reason: 'bad-check-digit' })
    expect(parseBarcode(`]C101${gtin}17251331`)).toMatchObject({ ok: false, reason: 'bad-gs1' })
    expect(parseBarcode(`]C101${gtin}172502`)).toMatchObject({ ok: false, reason: 'bad-gs1' })
    expect(parseBarcode(`]C101${gtin}10${'X'.repeat(21)}`)).toMatchObject({ ok: false, reason: 'bad-gs1' })
    expect(parseBarcode(`]C1990`)).toMatchObject({ ok: true, kind: 'gs1' })
    expect(parseBarcode(`]C12301`)).toMatchObject({ ok: false, reason: 'bad-gs1' })
    expect(parseBarcode(`]C101${gtin}10AB CD`)).toMatchObject({ ok: false, reason: 'bad-gs1' })
    expect(parseBarcode(`01${gtin}${GS}${GS}10A${GS}10B`)).toMatchObject({ ok: false, reason: 'bad-gs1' })
    expect(parseBarcode('(01)123')).toMatchObject({ ok: false, reason: 'bad-gs1' })
  })
})

describe('parseBarcode: other codes and bad input', () => {
  it('returns non-numeric store codes as they are', () => {
    expect(parseBarcode('SHOP-00042')).toEqual({ ok: true, kind: 'other', raw: 'SHOP-00042' })
  })

  it('refuses empty, control characters and overlong input', () => {
    expect(parseBarcode('')).toMatchObject({ ok: false, reason: 'empty' })
    expect(parseBarcode(' \r\n')).toMatchObject({ ok: false, reason: 'empty' })
    expect(parseBarcode('AB\u0007C')).toMatchObject({ ok: false, reason: 'bad-characters' })
    expect(parseBarcode('AB\u0085C')).toMatchObject({ ok: false, reason: 'bad-characters' })
    expect(parseBarcode('A'.repeat(101))).toMatchObject({ ok: false, reason: 'bad-length' })
    expect(parseBarcode('A'.repeat(100))).toMatchObject({ ok: true, kind: 'other' })
    expect(parseBarcode('A'.repeat(1_000_000))).toMatchObject({ ok: false, reason: 'bad-length' })
  })

  it('every failure carries a sentence for the cashier', () => {
    for (const input of ['', 'A\u0000', '4006381333932', '12345', `]C101${'1'.repeat(14)}`]) {
      const parse = parseBarcode(input)
      expect(parse.ok).toBe(false)
      if (!parse.ok) expect(parse.message).toMatch(/^[A-Z].*\.$/)
    }
  })
})

describe('properties', () => {
  const anyText = fc.oneof(
    fc.string({ maxLength: 140 }),
    fc.string({ unit: 'binary', maxLength: 140 }),
    // Near-misses of real data: AIM ids, AI brackets, digits and GS in random order.
    fc
      .tuple(
        fc.constantFrom('', ']C1', ']E0', '(01)', '01', GS),
        fc.string({ unit: fc.constantFrom(...'0123456789()ABZ-', GS), maxLength: 60 })
      )
      .map(([head, tail]) => head + tail)
  )

  it('parseBarcode never throws and always answers a known shape', () => {
    fc.assert(
      fc.property(anyText, fc.option(fc.constantFrom(']E0', ']E4', ']C1', ']C0', ']Q3', ']I1', 'garbage', '')), (raw, aim) => {
        const parse = parseBarcode(raw, defaultVariableMeasureRules, aim ?? undefined)
        if (parse.ok) expect(['gtin', 'variable', 'gs1', 'other']).toContain(parse.kind)
        else expect(parse.message.length).toBeGreaterThan(0)
      }),
      { numRuns: 3000 }
    )
  })

  it('parseBarcode never throws on hostile argument types or rules', () => {
    const hostile = [null, undefined, 42, {}, [], Symbol.iterator] as unknown[]
    for (const value of hostile) {
      expect(() => parseBarcode(value as string)).not.toThrow()
      expect(() => parseBarcode('2812345012345', value as VariableMeasureRule[])).not.toThrow()
      expect(() => parseBarcode('2812345012345', [value as VariableMeasureRule])).not.toThrow()
      expect(() => parseGs1ElementString(value as string)).not.toThrow()
    }
  })

  it('a payload completed with its check digit always validates, and any other last digit does not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(7, 11, 12, 13).chain((length) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: length, maxLength: length })),
        fc.integer({ min: 1, max: 9 }),
        (payload, wrongOffset) => {
          const check = gtinCheckDigit(payload)
          expect(isValidGtin(payload + String(check))).toBe(true)
          expect(isValidGtin(payload + String((check + wrongOffset) % 10))).toBe(false)
          const parse = parseBarcode(payload + String(check))
          expect(parse.ok).toBe(true)
        }
      ),
      { numRuns: 2000 }
    )
  })

  it('a GS1-128 built from random valid parts parses back to the same elements', () => {
    const cset82 = [...'!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz']
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 13, maxLength: 13 }),
        fc.integer({ min: 0, max: 999999 }),
        fc.date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true }),
        fc.string({ unit: fc.constantFrom(...cset82), minLength: 1, maxLength: 20 }),
        (gtinBody, weight, date, batch) => {
          const gtin = gtinBody + String(gtinCheckDigit(gtinBody))
          const yymmdd = date.toISOString().slice(2, 10).replaceAll('-', '')
          const parse = parseBarcode(`]C101${gtin}3103${String(weight).padStart(6, '0')}17${yymmdd}10${batch}`)
          expect(parse).toMatchObject({ ok: true, kind: 'gs1', gtin, netWeightGrams: weight, expiry: date.toISOString().slice(0, 10), batch })
        }
      ),
      { numRuns: 1000 }
    )
  })
})
