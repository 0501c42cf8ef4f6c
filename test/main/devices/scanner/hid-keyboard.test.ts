import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HidKeyboardDecoder } from '../../../../src/main/devices/scanner/hid-keyboard'
import { parseBarcode } from '../../../../src/shared/barcode'
import {
  altKeypadGs,
  ean13WithEnter,
  fromHex,
  gs1WithCtrlBracket,
  heldKey,
  shiftedCharacters,
  shiftedCharactersText
} from '../../../fixtures/hid/keyboard-reports'

function feed(decoder: HidKeyboardDecoder, reports: readonly string[]): ReturnType<HidKeyboardDecoder['push']> {
  return reports.flatMap((hex) => decoder.push(fromHex(hex)))
}

describe('HidKeyboardDecoder (boot keyboard reports, US layout)', () => {
  it('turns a typed EAN-13 and Enter into one scan', () => {
    expect(feed(new HidKeyboardDecoder(), ean13WithEnter)).toEqual([{ code: '4006381333931' }])
  })

  it('applies shift to letters, digits and punctuation', () => {
    expect(feed(new HidKeyboardDecoder(), shiftedCharacters)).toEqual([{ code: shiftedCharactersText }])
  })

  it('counts a held key once and a new press again', () => {
    expect(feed(new HidKeyboardDecoder(), heldKey)).toEqual([{ code: '112' }])
  })

  it('reads two keys pressed in one report and rolled over without a release', () => {
    const decoder = new HidKeyboardDecoder()
    const reports = ['0000040000000000', '0000040500000000', '0000050000000000', '0000050600000000', '0000000000000000', '0000280000000000']
    expect(feed(decoder, reports)).toEqual([{ code: 'abc' }])
  })

  it('types GS with Ctrl+] so a wedge GS1-128 parses', () => {
    const [scan] = feed(new HidKeyboardDecoder(), gs1WithCtrlBracket)
    expect(scan?.code).toBe('0109501101530003\u001d10AB12')
    expect(parseBarcode(scan?.code ?? '')).toMatchObject({ kind: 'gs1', gtin: '09501101530003', batch: 'AB12' })
  })

  it('types GS with Alt + keypad 029', () => {
    const decoder = new HidKeyboardDecoder()
    feed(decoder, ['00001e0000000000', '0000000000000000'])
    feed(decoder, altKeypadGs)
    expect(feed(decoder, ['00001f0000000000', '0000000000000000', '0000580000000000'])).toEqual([{ code: '1\u001d2' }])
  })

  it('replaces a configured GS substitute', () => {
    const decoder = new HidKeyboardDecoder({ gsSubstitute: '~' })
    const reports = ['00001e0000000000', '0200350000000000', '0000000000000000', '00001f0000000000', '0000280000000000']
    expect(feed(decoder, reports)).toEqual([{ code: '1\u001d2' }])
  })

  it('honours a report id and custom terminators', () => {
    const decoder = new HidKeyboardDecoder({ reportId: 1, terminators: [0x2b] })
    const reports = ['010000040000000000', '020000050000000000', '010000000000000000', '0100002b0000000000']
    expect(feed(decoder, reports)).toEqual([{ code: 'a' }])
  })

  it('ignores phantom-state reports and a bare Enter', () => {
    const decoder = new HidKeyboardDecoder()
    expect(feed(decoder, ['0000010101010101', '0000280000000000'])).toEqual([])
  })

  it('drops a stale partial and clips an overlong one', () => {
    const stale = new HidKeyboardDecoder({ staleAfterMs: 100 })
    stale.push(fromHex('0000040000000000'), 0)
    stale.push(fromHex('0000000000000000'), 10)
    stale.push(fromHex('0000050000000000'), 500)
    expect(stale.push(fromHex('0000280000000000'), 510)).toEqual([{ code: 'b' }])

    const short = new HidKeyboardDecoder({ maxLength: 3 })
    const fiveAs = Array.from({ length: 5 }, () => ['0000040000000000', '0000000000000000']).flat()
    expect(feed(short, [...fiveAs, '0000280000000000'])).toEqual([{ code: 'aaa', clipped: true }])
  })

  it('never throws on random reports', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 40 }), (reports) => {
        const decoder = new HidKeyboardDecoder()
        for (const report of reports) decoder.push(Buffer.from(report))
      }),
      { numRuns: 500 }
    )
    expect(new HidKeyboardDecoder().push(undefined as unknown as Buffer)).toEqual([])
  })
})
