// Barcode parsing for the till: GTINs (EAN-13, EAN-8, UPC-A, UPC-E, GTIN-14), in-store variable-measure codes
// (price or weight embedded in an EAN-13), GS1 element strings (GS1-128, GS1 DataBar, GS1 DataMatrix, GS1 QR) and
// anything else as an opaque internal code. Pure TypeScript: the scanner layer (src/main/devices/scanner) and the
// cashier's manual entry both call parseBarcode, so the same rules apply to both.
//
// References:
//   GS1 General Specifications (GenSpecs) §7.9 (check digit), §2.1.11 / §7.4 (restricted circulation numbers, prefixes
//   02 and 20-29), §3.2 (application identifier table), §7.8.5 (pre-defined length AIs), §7.12 (century of dates),
//   §7.11 (GS1 AI encodable character set 82), ISO/IEC 15424 (AIM symbology identifiers).
//
// Money and weights are integers: prices in minor units of the store currency, weights in grams. Nothing here ever
// goes through a float (STYLE.md §5); digit strings are converted with digitsToInteger.

import { z } from 'zod'

/** ASCII GS, which scanners transmit for a GS1 FNC1 used as a field separator (GenSpecs §7.8.4). */
export const GS = '\u001d'

/** The longest scan the till accepts; longer input is a stuck key or a document, not a product label. */
export const MAX_BARCODE_LENGTH = 100

export interface VariableMeasureRule {
  /** Leading digits of the 13-digit code, e.g. '02' or '20'..'29'. A 12-digit UPC-A is read as EAN-13 '0' + code. */
  prefix: string
  /** Digits after the prefix that identify the item (the PLU in the scale or catalog), e.g. 5. */
  itemDigits: number
  /** Digits that carry the embedded value, e.g. 5. */
  valueDigits: number
  /** price: minor units of the store currency; weight: grams. */
  value: 'price' | 'weight'
  /** Some schemes put a price/weight check digit between the item reference and the value. */
  priceCheckDigit?: boolean
}

/**
 * A rule is usable when prefix + item + optional price check digit + value fill the 12 data digits of an EAN-13
 * (the 13th is the ordinary check digit). Settings screens validate with this schema before saving.
 */
export const variableMeasureRuleSchema = z
  .object({
    prefix: z.string().regex(/^\d{1,3}$/, 'prefix is 1 to 3 digits'),
    itemDigits: z.number().int().min(1).max(10),
    valueDigits: z.number().int().min(1).max(10),
    value: z.enum(['price', 'weight']),
    priceCheckDigit: z.boolean().optional()
  })
  .refine((rule) => ruleDataDigits(rule) === 12, {
    message: 'prefix, item digits, price check digit and value digits must add up to 12'
  })

/**
 * Defaults for a shop whose scale and label printer follow the most common European layout.
 *
 * GS1 does not define what follows prefix 02 or 20-29: GenSpecs §2.1.11 (restricted circulation numbers) leaves
 * these prefixes to the local GS1 Member Organisation or to the retailer, so every country (and many chains) does
 * it differently. These defaults are a starting point that the manager can change in settings:
 *   02       price, 5-digit item, 5-digit price: the common "variable measure trade item for store use" layout,
 *            and the EAN-13 reading of a US UPC-A "type 2" code (leading 2).
 *   20-24    price, 5-digit item, 5-digit price in minor units (up to 999.99 in a two-decimal currency).
 *   25-29    weight, 5-digit item, 5-digit weight in grams (up to 99.999 kg).
 * No default uses a price check digit: scales that print one must be configured explicitly.
 */
export const defaultVariableMeasureRules: readonly VariableMeasureRule[] = Object.freeze([
  { prefix: '02', itemDigits: 5, valueDigits: 5, value: 'price' },
  ...['20', '21', '22', '23', '24'].map((prefix) => ({ prefix, itemDigits: 5, valueDigits: 5, value: 'price' as const })),
  ...['25', '26', '27', '28', '29'].map((prefix) => ({ prefix, itemDigits: 5, valueDigits: 5, value: 'weight' as const }))
])

export type BarcodeFailureReason = 'empty' | 'bad-characters' | 'bad-check-digit' | 'bad-length' | 'bad-gs1'

export type BarcodeParse =
  | {
      ok: true
      kind: 'gtin'
      symbology: 'EAN-13' | 'EAN-8' | 'UPC-A' | 'GTIN-14'
      /** The scanned data after trimming and removing an AIM symbology prefix. The same for every kind below. */
      raw: string
      /**
       * Normalized catalog key: EAN-13 as 13 digits; UPC-A (and UPC-E, expanded) as 13 digits with a leading 0;
       * EAN-8 as 8 digits; GTIN-14 as 14 digits. See catalogKeyForGtin for matching a GTIN-14 to its GTIN-13.
       */
      gtin: string
    }
  | {
      ok: true
      kind: 'variable'
      raw: string
      prefix: string
      itemRef: string
      value: { kind: 'price'; minor: number } | { kind: 'weight'; grams: number }
    }
  | {
      ok: true
      kind: 'gs1'
      raw: string
      /** AI (01), always 14 digits. */
      gtin?: string
      /** AI (310n), kilograms with n decimals, converted to whole grams. */
      netWeightGrams?: number
      /**
       * AI (17) as YYYY-MM-DD. GenSpecs §7.12: DD = 00 means "end of that month"; it is kept as given ('2027-02-00')
       * so the caller decides, rather than inventing a day here.
       */
      expiry?: string
      /** AI (10). */
      batch?: string
      /** Every element by AI, exactly as encoded (310n keeps its 6 digits). */
      ais: Readonly<Record<string, string>>
    }
  | { ok: true; kind: 'other'; raw: string }
  | { ok: false; reason: BarcodeFailureReason; message: string }

export type BarcodeFailure = Extract<BarcodeParse, { ok: false }>

export type Gs1ElementStringParse =
  | {
      ok: true
      gtin?: string
      netWeightGrams?: number
      expiry?: string
      batch?: string
      ais: Readonly<Record<string, string>>
    }
  | BarcodeFailure

export interface Gs1ParseOptions {
  /**
   * Four-digit current year. When given, the century of YYMMDD dates follows the GenSpecs §7.12 sliding window
   * (51 years back, 49 ahead). When absent, dates are read as 20YY: every date a till will meet until 2050 is in this
   * century, and a pure function should not read the system clock.
   */
  referenceYear?: number
}

// ---------------------------------------------------------------------------------------------------------------
// Check digits (GenSpecs §7.9.1)

/**
 * The GS1 mod-10 check digit for the digits that precede it (any GS1 key: GTIN-8/12/13/14, GLN, SSCC).
 * Weights alternate 3, 1, 3, ... starting from the rightmost digit. Returns -1 when the input is empty or not digits.
 */
export function gtinCheckDigit(digitsWithoutCheck: string): number {
  if (typeof digitsWithoutCheck !== 'string' || !/^\d{1,17}$/.test(digitsWithoutCheck)) return -1
  let sum = 0
  let weight = 3
  for (let index = digitsWithoutCheck.length - 1; index >= 0; index--) {
    sum += (digitsWithoutCheck.charCodeAt(index) - 48) * weight
    weight = weight === 3 ? 1 : 3
  }
  return (10 - (sum % 10)) % 10
}

/** True for an 8, 12, 13 or 14 digit GTIN whose last digit is the right check digit. */
export function isValidGtin(digits: string): boolean {
  if (typeof digits !== 'string' || !/^(\d{8}|\d{12,14})$/.test(digits)) return false
  return hasValidCheckDigit(digits)
}

/**
 * The key under which the catalog stores a GTIN: a GTIN-14 whose indicator digit is 0 is the same item as the
 * GTIN-13 after it (GenSpecs §4.1.3, GTIN data structures are right-justified), and a UPC-A is its EAN-13 with a
 * leading 0. Lets a GS1-128 AI (01) or an ITF-14 find the item filed under its EAN-13. Other input is returned as is.
 */
export function catalogKeyForGtin(gtin: string): string {
  if (/^\d{12}$/.test(gtin)) return `0${gtin}`
  if (/^0\d{13}$/.test(gtin)) return gtin.slice(1)
  return gtin
}

function hasValidCheckDigit(digits: string): boolean {
  const expected = gtinCheckDigit(digits.slice(0, -1))
  return expected >= 0 && expected === digits.charCodeAt(digits.length - 1) - 48
}

function checkDigitFailure(digits: string, what = 'Check digit'): BarcodeFailure {
  const expected = gtinCheckDigit(digits.slice(0, -1))
  return {
    ok: false,
    reason: 'bad-check-digit',
    message: `${what} does not match: ${digits} should end in ${expected}. Scan again or key in the number.`
  }
}

// ---------------------------------------------------------------------------------------------------------------
// AIM symbology identifiers (ISO/IEC 15424): ']' + symbology letter + modifier

const AIM_PREFIX = /^\][A-Za-z][0-9A-Za-z]/

/** Symbology identifiers whose data is a GS1 element string (GenSpecs §5.1.2 / §5.4 / §5.5 / §5.6 / §5.7). */
const GS1_AIM_IDS = new Set([']C1', ']e0', ']d2', ']Q3', ']J1'])

type SymbologyFamily = 'unknown' | 'ean-upc' | 'itf' | 'gs1' | 'other'

function symbologyFamily(aim: string | undefined): SymbologyFamily {
  if (aim === undefined || !AIM_PREFIX.test(aim)) return 'unknown'
  if (GS1_AIM_IDS.has(aim)) return 'gs1'
  const letter = aim.charAt(1)
  if (letter === 'E') return 'ean-upc'
  if (letter === 'I') return 'itf'
  // ]X is "other / unknown symbology" and ]Z "non-barcode" (keyed or wedge): no information, use the digit rules.
  if (letter === 'X' || letter === 'Z') return 'unknown'
  return 'other'
}

// ---------------------------------------------------------------------------------------------------------------
// parseBarcode

/**
 * Classifies one scan. Never throws: every input, however malformed, becomes `{ ok: false, reason, message }` with a
 * sentence the cashier can act on.
 *
 * `symbology` is the AIM identifier when the scanner reports it (HID POS does; a keyboard wedge can be configured to
 * prefix it, in which case it is taken from the data). With a non-EAN/UPC symbology (Code 128 store labels, Code 39,
 * QR...) numeric data is an internal code and is returned as `other` without check-digit rules; with none, or an
 * EAN/UPC one, the digit rules below apply.
 */
export function parseBarcode(
  raw: string,
  rules: readonly VariableMeasureRule[] = defaultVariableMeasureRules,
  symbology?: string
): BarcodeParse {
  if (typeof raw !== 'string') return { ok: false, reason: 'empty', message: 'Nothing was scanned.' }
  // Guard the cost of trim/regex on a runaway input (a stuck key, a pasted document) before looking at it.
  if (raw.length > MAX_BARCODE_LENGTH * 4) return tooLong(raw.length)
  let data = raw.trim()
  let aim = typeof symbology === 'string' && symbology.length > 0 ? symbology : undefined
  const embeddedAim = AIM_PREFIX.exec(data)
  if (embeddedAim) {
    aim ??= embeddedAim[0]
    data = data.slice(3)
  }
  // A scanner sending FNC1 in first position as GS (some do) adds nothing: the AIM id or the data says it is GS1.
  const leadingGs = data.startsWith(GS)
  if (leadingGs) data = data.slice(1)
  // Trailing GS is harmless padding from some encoders (GenSpecs §7.8.5: no separator after the last element).
  while (data.endsWith(GS)) data = data.slice(0, -1)

  if (data.length === 0) return { ok: false, reason: 'empty', message: 'Nothing was scanned.' }
  if (data.length > MAX_BARCODE_LENGTH) return tooLong(data.length)
  if (hasForbiddenControl(data)) {
    return {
      ok: false,
      reason: 'bad-characters',
      message: 'The scan contains control characters, so the scanner is misconfigured or the label is damaged. Scan again.'
    }
  }

  const family = symbologyFamily(aim)
  const looksHumanReadableGs1 = /^\(\d{2,4}\)/.test(data)
  if (family === 'gs1' || leadingGs || data.includes(GS) || looksHumanReadableGs1) {
    return gs1Result(data, parseGs1ElementString(data))
  }

  // A keyboard wedge drops the ]C1 and the FNC1s of a GS1-128, leaving e.g. "010950110153000317251231" + "10AB12".
  // Data that starts with AI (01) and reads as a complete, valid element string is taken as GS1; anything else
  // falls through to the rules below (an internal code, or a number of the wrong length).
  if (family !== 'other' && data.length > 16 && /^01\d{14}/.test(data)) {
    const asGs1 = parseGs1ElementString(data)
    if (asGs1.ok) return gs1Result(data, asGs1)
  }

  if (!/^\d+$/.test(data)) return { ok: true, kind: 'other', raw: data }

  if (family === 'other') return { ok: true, kind: 'other', raw: data }
  if (family === 'itf') {
    return data.length === 14 ? parseNumericGtin(data, rules, family) : { ok: true, kind: 'other', raw: data }
  }
  return parseNumericGtin(data, rules, family)
}

function tooLong(length: number): BarcodeFailure {
  return {
    ok: false,
    reason: 'bad-length',
    message: `The scan is ${length} characters long; the till accepts at most ${MAX_BARCODE_LENGTH}. Scan again.`
  }
}

/** C0 controls other than GS, DEL and C1 controls never belong in a product code (Code 128 sets them only by FNC). */
function hasForbiddenControl(data: string): boolean {
  for (let index = 0; index < data.length; index++) {
    const code = data.charCodeAt(index)
    if ((code < 0x20 && code !== 0x1d) || (code >= 0x7f && code <= 0x9f)) return true
  }
  return false
}

function gs1Result(data: string, parsed: Gs1ElementStringParse): BarcodeParse {
  if (!parsed.ok) return parsed
  return { ...parsed, kind: 'gs1', raw: data }
}

function parseNumericGtin(digits: string, rules: readonly VariableMeasureRule[], family: SymbologyFamily): BarcodeParse {
  switch (digits.length) {
    case 8: {
      // ]E0 with 8 digits is a UPC-E (number system 0/1 + 6 digits + check); EAN-8 is reported as ]E4.
      if (family === 'ean-upc' && /^[01]/.test(digits)) {
        const upcA = expandUpcE(digits)
        if (upcA !== undefined) {
          if (!hasValidCheckDigit(upcA)) return checkDigitFailure(digits, 'UPC-E check digit')
          return { ok: true, kind: 'gtin', symbology: 'UPC-A', raw: digits, gtin: `0${upcA}` }
        }
      }
      if (!hasValidCheckDigit(digits)) return checkDigitFailure(digits)
      return { ok: true, kind: 'gtin', symbology: 'EAN-8', raw: digits, gtin: digits }
    }
    case 12: {
      if (!hasValidCheckDigit(digits)) return checkDigitFailure(digits)
      // UPC-A is EAN-13 with a leading 0 (GenSpecs §5.2.1.2), so UPC "type 2" codes meet the '02' rule.
      const asEan13 = `0${digits}`
      return parseVariable(digits, asEan13, rules) ?? { ok: true, kind: 'gtin', symbology: 'UPC-A', raw: digits, gtin: asEan13 }
    }
    case 13: {
      if (!hasValidCheckDigit(digits)) return checkDigitFailure(digits)
      return parseVariable(digits, digits, rules) ?? { ok: true, kind: 'gtin', symbology: 'EAN-13', raw: digits, gtin: digits }
    }
    case 14: {
      if (!hasValidCheckDigit(digits)) return checkDigitFailure(digits)
      return { ok: true, kind: 'gtin', symbology: 'GTIN-14', raw: digits, gtin: digits }
    }
    default:
      return {
        ok: false,
        reason: 'bad-length',
        message: `The code ${digits} has ${digits.length} digits; a product barcode has 8, 12, 13 or 14. Scan again or key in the number.`
      }
  }
}

/** UPC-E to UPC-A expansion (GenSpecs §5.2.2.4.2, zero suppression), returning 12 digits or undefined. */
function expandUpcE(upcE: string): string | undefined {
  if (!/^[01]\d{7}$/.test(upcE)) return undefined
  const numberSystem = upcE.charAt(0)
  const d = upcE.slice(1, 7)
  const check = upcE.charAt(7)
  const last = d.charAt(5)
  let body: string
  if (last === '0' || last === '1' || last === '2') body = `${d.slice(0, 2)}${last}0000${d.slice(2, 5)}`
  else if (last === '3') body = `${d.slice(0, 3)}00000${d.slice(3, 5)}`
  else if (last === '4') body = `${d.slice(0, 4)}00000${d.charAt(4)}`
  else body = `${d.slice(0, 5)}0000${last}`
  return `${numberSystem}${body}${check}`
}

function ruleDataDigits(rule: Pick<VariableMeasureRule, 'prefix' | 'itemDigits' | 'valueDigits' | 'priceCheckDigit'>): number {
  return rule.prefix.length + rule.itemDigits + (rule.priceCheckDigit === true ? 1 : 0) + rule.valueDigits
}

function isUsableRule(rule: VariableMeasureRule): boolean {
  return (
    rule !== null &&
    typeof rule === 'object' &&
    typeof rule.prefix === 'string' &&
    /^\d{1,3}$/.test(rule.prefix) &&
    Number.isInteger(rule.itemDigits) &&
    Number.isInteger(rule.valueDigits) &&
    rule.itemDigits > 0 &&
    rule.valueDigits > 0 &&
    (rule.value === 'price' || rule.value === 'weight') &&
    ruleDataDigits(rule) === 12
  )
}

// Price/weight verifier digit (GenSpecs §7.9.2-7.9.3). Each digit of the value is weighted by one of four rules defined
// on the digit's product with 2, 3 or 5: "2-" and "5-" take units minus tens, "5+" units plus tens, "3" the units.

function weightTwoMinus(digit: number): number {
  const product = digit * 2
  return (((product % 10) - Math.floor(product / 10)) % 10 + 10) % 10
}

function weightFivePlus(digit: number): number {
  const product = digit * 5
  return ((product % 10) + Math.floor(product / 10)) % 10
}

function weightFiveMinus(digit: number): number {
  const product = digit * 5
  return (((product % 10) - Math.floor(product / 10)) % 10 + 10) % 10
}

/**
 * The price or weight verifier digit for a 4- or 5-digit value (GenSpecs §7.9.3), or -1 for any other input.
 * 4 digits: weights 2-, 2-, 3, 5-; the units digit of three times the sum. 5 digits: weights 5+, 2-, 5-, 5+, 2-; the
 * sum's distance to the next multiple of ten is the 5- weighted value of the verifier digit.
 */
export function priceWeightCheckDigit(value: string): number {
  if (typeof value !== 'string' || !/^\d{4,5}$/.test(value)) return -1
  const digits = [...value].map((character) => character.charCodeAt(0) - 48) as number[]
  if (digits.length === 4) {
    const [a = 0, b = 0, c = 0, d = 0] = digits
    const sum = weightTwoMinus(a) + weightTwoMinus(b) + ((c * 3) % 10) + weightFiveMinus(d)
    return (sum * 3) % 10
  }
  const [a = 0, b = 0, c = 0, d = 0, e = 0] = digits
  const sum = weightFivePlus(a) + weightTwoMinus(b) + weightFiveMinus(c) + weightFivePlus(d) + weightTwoMinus(e)
  const target = (10 - (sum % 10)) % 10
  for (let candidate = 0; candidate <= 9; candidate++) if (weightFiveMinus(candidate) === target) return candidate
  return -1
}

/**
 * Applies the variable-measure rules to a code whose check digit is already verified. The longest matching prefix
 * wins, so a shop can override one prefix of a family. Rules that do not fill 12 data digits are ignored.
 * A rule with a price check digit has it verified for 4- and 5-digit values (the lengths GenSpecs §7.9.3 defines);
 * for other lengths only the EAN-13 check digit guards the code.
 */
function parseVariable(raw: string, ean13: string, rules: readonly VariableMeasureRule[]): BarcodeParse | undefined {
  if (!Array.isArray(rules)) return undefined
  let best: VariableMeasureRule | undefined
  for (const rule of rules) {
    if (!isUsableRule(rule) || !ean13.startsWith(rule.prefix)) continue
    if (best === undefined || rule.prefix.length > best.prefix.length) best = rule
  }
  if (best === undefined) return undefined
  const itemStart = best.prefix.length
  const itemRef = ean13.slice(itemStart, itemStart + best.itemDigits)
  const valueStart = itemStart + best.itemDigits + (best.priceCheckDigit === true ? 1 : 0)
  const valueDigits = ean13.slice(valueStart, valueStart + best.valueDigits)
  if (best.priceCheckDigit === true) {
    const expected = priceWeightCheckDigit(valueDigits)
    const printed = ean13.charCodeAt(valueStart - 1) - 48
    if (expected >= 0 && expected !== printed) {
      const what = best.value === 'price' ? 'price' : 'weight'
      return {
        ok: false,
        reason: 'bad-check-digit',
        message: `The ${what} check digit on label ${raw} does not match (${printed}, expected ${expected}). Scan again or key in the ${what}.`
      }
    }
  }
  const amount = digitsToInteger(valueDigits)
  return {
    ok: true,
    kind: 'variable',
    raw,
    prefix: best.prefix,
    itemRef,
    value: best.value === 'price' ? { kind: 'price', minor: amount } : { kind: 'weight', grams: amount }
  }
}

/** Decimal digits to an integer without going through a float parser. Callers pass at most 15 digits. */
function digitsToInteger(digits: string): number {
  let value = 0
  for (let index = 0; index < digits.length; index++) value = value * 10 + (digits.charCodeAt(index) - 48)
  return value
}

// ---------------------------------------------------------------------------------------------------------------
// GS1 element strings (GenSpecs §3.2 AI table, §7.8 processing of element strings)

interface AiSpec {
  /** Exact value length for fixed-length AIs. */
  readonly fixed?: number
  /** Maximum value length for variable-length AIs (terminated by GS or the end of the data). */
  readonly max?: number
  readonly numeric: boolean
  /** The value ends in a GS1 mod-10 check digit. */
  readonly check?: boolean
  /** YYMMDD date. */
  readonly date?: boolean
  readonly title: string
}

const AI_TABLE: ReadonlyMap<string, AiSpec> = buildAiTable()

function buildAiTable(): Map<string, AiSpec> {
  const table = new Map<string, AiSpec>()
  const fixedNumeric = (length: number, title: string, extra: Partial<AiSpec> = {}): AiSpec => ({ fixed: length, numeric: true, title, ...extra })
  const varNumeric = (max: number, title: string): AiSpec => ({ max, numeric: true, title })
  const varAlpha = (max: number, title: string): AiSpec => ({ max, numeric: false, title })

  table.set('00', fixedNumeric(18, 'SSCC', { check: true }))
  table.set('01', fixedNumeric(14, 'GTIN', { check: true }))
  table.set('02', fixedNumeric(14, 'GTIN of contained trade items', { check: true }))
  table.set('10', varAlpha(20, 'batch or lot number'))
  for (const [ai, title] of [
    ['11', 'production date'],
    ['12', 'due date'],
    ['13', 'packaging date'],
    ['15', 'best before date'],
    ['16', 'sell by date'],
    ['17', 'expiration date']
  ] as const) {
    table.set(ai, fixedNumeric(6, title, { date: true }))
  }
  table.set('20', fixedNumeric(2, 'internal product variant'))
  table.set('21', varAlpha(20, 'serial number'))
  table.set('22', varAlpha(20, 'consumer product variant'))
  table.set('235', varAlpha(28, 'third party controlled serialised extension'))
  table.set('240', varAlpha(30, 'additional product identification'))
  table.set('241', varAlpha(30, 'customer part number'))
  table.set('242', varNumeric(6, 'made-to-order variation number'))
  table.set('243', varAlpha(20, 'packaging component number'))
  table.set('250', varAlpha(30, 'secondary serial number'))
  table.set('251', varAlpha(30, 'reference to source entity'))
  table.set('253', varAlpha(30, 'global document type identifier'))
  table.set('254', varAlpha(20, 'GLN extension component'))
  table.set('255', varNumeric(25, 'global coupon number'))
  table.set('30', varNumeric(8, 'variable count'))
  table.set('37', varNumeric(8, 'count of trade items'))
  // Measures: 4-digit AIs 31nd..36nd, the last digit being the number of decimals (GenSpecs §3.6), value n6.
  for (let family = 310; family <= 369; family++) {
    for (let decimals = 0; decimals <= 9; decimals++) table.set(`${family}${decimals}`, fixedNumeric(6, 'trade measure'))
  }
  for (let decimals = 0; decimals <= 9; decimals++) {
    table.set(`390${decimals}`, varNumeric(15, 'amount payable, local currency'))
    table.set(`391${decimals}`, varNumeric(18, 'amount payable with ISO currency code'))
    table.set(`392${decimals}`, varNumeric(15, 'amount payable for a variable measure item'))
    table.set(`393${decimals}`, varNumeric(18, 'amount payable for a variable measure item with ISO currency code'))
    table.set(`395${decimals}`, fixedNumeric(6, 'amount payable per unit of measure'))
  }
  table.set('400', varAlpha(30, "customer's purchase order number"))
  table.set('401', varAlpha(30, 'global identification number for consignment'))
  table.set('402', fixedNumeric(17, 'global shipment identification number', { check: true }))
  table.set('403', varAlpha(30, 'routing code'))
  for (let ai = 410; ai <= 417; ai++) table.set(String(ai), fixedNumeric(13, 'GLN', { check: true }))
  table.set('420', varAlpha(20, 'ship to postal code'))
  table.set('421', varAlpha(12, 'ship to postal code with ISO country code'))
  table.set('422', fixedNumeric(3, 'country of origin'))
  table.set('423', varNumeric(15, 'country of initial processing'))
  table.set('424', fixedNumeric(3, 'country of processing'))
  table.set('425', varNumeric(15, 'country of disassembly'))
  table.set('426', fixedNumeric(3, 'country covering full process chain'))
  table.set('7001', fixedNumeric(13, 'NATO stock number'))
  table.set('7002', varAlpha(30, 'UN/ECE meat carcasses classification'))
  table.set('7003', fixedNumeric(10, 'expiration date and time'))
  table.set('7004', varNumeric(4, 'active potency'))
  table.set('8005', fixedNumeric(6, 'price per unit of measure'))
  table.set('8008', varNumeric(12, 'date and time of production'))
  table.set('8020', varAlpha(25, 'payment slip reference number'))
  table.set('8200', varAlpha(70, 'extended packaging URL'))
  table.set('90', varAlpha(30, 'information mutually agreed between trading partners'))
  for (let ai = 91; ai <= 99; ai++) table.set(String(ai), varAlpha(90, 'company internal information'))
  return table
}

/** GS1 AIs are prefix-free (GenSpecs §3.1), so trying 2, 3 and 4 digits in turn finds the only candidate. */
function findAi(data: string, position: number): string | undefined {
  for (let length = 2; length <= 4; length++) {
    const candidate = data.slice(position, position + length)
    if (candidate.length === length && AI_TABLE.has(candidate)) return candidate
  }
  return undefined
}

/** GS1 AI encodable character set 82 (GenSpecs §7.11, figure 7.11-1). */
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/

function gs1Failure(message: string): BarcodeFailure {
  return { ok: false, reason: 'bad-gs1', message: `The GS1 label could not be read: ${message}.` }
}

/**
 * Splits a GS1 element string into its application identifiers and validates each value.
 *
 * Accepted forms: raw data with FNC1 transmitted as ASCII GS (0x1D) between variable-length elements, optionally
 * preceded by an AIM identifier (']C1' GS1-128, ']e0' GS1 DataBar, ']d2' GS1 DataMatrix, ']Q3' GS1 QR, ']J1' GS1
 * DotCode) and/or a leading GS; and the human-readable interpretation "(01)09501101530003(17)250101(10)AB-123".
 * Never throws.
 */
export function parseGs1ElementString(data: string, options: Gs1ParseOptions = {}): Gs1ElementStringParse {
  if (typeof data !== 'string') return { ok: false, reason: 'empty', message: 'Nothing was scanned.' }
  if (data.length > MAX_BARCODE_LENGTH * 4) return tooLong(data.length)
  let text = data.trim()
  if (AIM_PREFIX.test(text)) text = text.slice(3)
  while (text.startsWith(GS)) text = text.slice(1)
  while (text.endsWith(GS)) text = text.slice(0, -1)
  if (text.length === 0) return { ok: false, reason: 'empty', message: 'Nothing was scanned.' }
  if (text.length > MAX_BARCODE_LENGTH) return tooLong(text.length)
  if (hasForbiddenControl(text)) {
    return { ok: false, reason: 'bad-characters', message: 'The GS1 label contains control characters. Scan again.' }
  }

  const elements = text.startsWith('(') ? splitHumanReadable(text) : splitRaw(text)
  if (!Array.isArray(elements)) return elements

  const ais: Record<string, string> = {}
  for (const [ai, value] of elements) {
    const problem = validateElement(ai, value)
    if (problem) return problem
    const previous = ais[ai]
    // GenSpecs §4.14: an AI may appear once; a repeat with another value makes the label ambiguous.
    if (previous !== undefined && previous !== value) return gs1Failure(`AI (${ai}) appears twice with different values`)
    ais[ai] = value
  }

  const result: { ok: true; gtin?: string; netWeightGrams?: number; expiry?: string; batch?: string; ais: Readonly<Record<string, string>> } = {
    ok: true,
    ais: Object.freeze(ais)
  }
  if (ais['01'] !== undefined) result.gtin = ais['01']
  const netWeightAi = Object.keys(ais).find((ai) => /^310\d$/.test(ai))
  if (netWeightAi !== undefined) result.netWeightGrams = kilogramsToGrams(ais[netWeightAi] ?? '0', netWeightAi.charCodeAt(3) - 48)
  if (ais['17'] !== undefined) result.expiry = gs1DateToIso(ais['17'], options.referenceYear)
  if (ais['10'] !== undefined) result.batch = ais['10']
  return result
}

type Elements = Array<readonly [ai: string, value: string]>

function splitRaw(text: string): Elements | BarcodeFailure {
  const elements: Elements = []
  let position = 0
  while (position < text.length) {
    if (text.charAt(position) === GS) {
      // A separator after a fixed-length element is redundant but tolerated (GenSpecs §7.8.5, note).
      position++
      continue
    }
    const ai = findAi(text, position)
    if (ai === undefined) return gs1Failure(`unknown application identifier at "${text.slice(position, position + 4)}"`)
    const spec = AI_TABLE.get(ai) as AiSpec
    const start = position + ai.length
    if (spec.fixed !== undefined) {
      const value = text.slice(start, start + spec.fixed)
      if (value.length < spec.fixed) return gs1Failure(`AI (${ai}) needs ${spec.fixed} characters but the data ends after ${value.length}`)
      elements.push([ai, value])
      position = start + spec.fixed
    } else {
      const separator = text.indexOf(GS, start)
      const end = separator === -1 ? text.length : separator
      elements.push([ai, text.slice(start, end)])
      position = end
    }
  }
  return elements
}

function splitHumanReadable(text: string): Elements | BarcodeFailure {
  const elements: Elements = []
  // An element is "(AI)value"; a value ends where the next "(known AI)" starts. Parentheses are in CSET 82, so a
  // bracketed group that is not a known AI stays part of the value.
  const opener = /\((\d{2,4})\)/g
  const starts: Array<{ index: number; ai: string; length: number }> = []
  for (let match = opener.exec(text); match !== null; match = opener.exec(text)) {
    const ai = match[1] ?? ''
    if (AI_TABLE.has(ai)) starts.push({ index: match.index, ai, length: match[0].length })
  }
  if (starts.length === 0 || starts[0]?.index !== 0) return gs1Failure('it does not start with an application identifier in brackets')
  for (let index = 0; index < starts.length; index++) {
    const current = starts[index] as { index: number; ai: string; length: number }
    const next = starts[index + 1]
    const value = text.slice(current.index + current.length, next === undefined ? text.length : next.index).trim()
    elements.push([current.ai, value])
  }
  return elements
}

function validateElement(ai: string, value: string): BarcodeFailure | undefined {
  const spec = AI_TABLE.get(ai)
  if (spec === undefined) return gs1Failure(`unknown application identifier (${ai})`)
  if (value.length === 0) return gs1Failure(`AI (${ai}) has no value`)
  if (spec.fixed !== undefined && value.length !== spec.fixed) {
    return gs1Failure(`AI (${ai}) must have ${spec.fixed} characters, not ${value.length}`)
  }
  if (spec.max !== undefined && value.length > spec.max) {
    return gs1Failure(`AI (${ai}) allows at most ${spec.max} characters but has ${value.length} (a missing separator?)`)
  }
  if (spec.numeric && !/^\d+$/.test(value)) return gs1Failure(`AI (${ai}) ${spec.title} must be digits only`)
  if (!spec.numeric && !CSET82.test(value)) return gs1Failure(`AI (${ai}) ${spec.title} contains a character GS1 does not allow`)
  if (spec.check === true && !hasValidCheckDigit(value)) {
    return checkDigitFailure(value, ai === '01' ? 'GTIN check digit' : `Check digit of AI (${ai})`)
  }
  if (spec.date === true && !isValidGs1Date(value)) return gs1Failure(`AI (${ai}) ${spec.title} ${value} is not a valid YYMMDD date`)
  return undefined
}

/** YYMMDD with DD = 00 allowed (GenSpecs §7.12: "day not specified", i.e. the end of the month for an expiry). */
function isValidGs1Date(yymmdd: string): boolean {
  const month = digitsToInteger(yymmdd.slice(2, 4))
  const day = digitsToInteger(yymmdd.slice(4, 6))
  if (month < 1 || month > 12) return false
  if (day === 0) return true
  // Day limits use the 20YY year; February 29 is accepted whenever 20YY is a leap year (the same in 19YY except 1900).
  const year = 2000 + digitsToInteger(yymmdd.slice(0, 2))
  return day <= daysInMonth(year, month)
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** YYMMDD to YYYY-MM-DD; century per GenSpecs §7.12 when a reference year is known, else 20YY. */
function gs1DateToIso(yymmdd: string, referenceYear: number | undefined): string {
  const yy = digitsToInteger(yymmdd.slice(0, 2))
  let year = 2000 + yy
  if (referenceYear !== undefined && Number.isInteger(referenceYear)) {
    const currentYy = referenceYear % 100
    const century = referenceYear - currentYy
    const difference = yy - currentYy
    // §7.12: 51..99 years ahead means last century; 50..99 years back means next century.
    if (difference >= 51) year = century - 100 + yy
    else if (difference <= -50) year = century + 100 + yy
    else year = century + yy
  }
  return `${String(year).padStart(4, '0')}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`
}

/**
 * AI 310n: kilograms with n implied decimals, to whole grams with integer arithmetic. For n <= 3 the result is exact;
 * for n >= 4 the label is more precise than a gram and is rounded half up to the nearest gram.
 */
function kilogramsToGrams(sixDigits: string, decimals: number): number {
  const value = digitsToInteger(sixDigits)
  if (decimals <= 3) return value * 10 ** (3 - decimals)
  const divisor = 10 ** (decimals - 3)
  const remainder = value % divisor
  const whole = (value - remainder) / divisor
  return remainder * 2 >= divisor ? whole + 1 : whole
}
