import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HidPosDecoder } from '../../../../src/main/devices/scanner/hid-pos'
import { parseBarcode } from '../../../../src/shared/barcode'
import {
  ean13SingleReport,
  fromHex,
  gs1128Text,
  gs1128TwoReports,
  otherReportId,
  qrText,
  qrThreeReports,
  truncatedReport
} from '../../../fixtures/hid/hid-pos-reports'

function feed(decoder: HidPosDecoder, reports: readonly string[]): ReturnType<HidPosDecoder['push']> {
  return reports.flatMap((hex) => decoder.push(fromHex(hex)))
}

describe('HidPosDecoder (HID POS usage page 0x8C, report id 0x02)', () => {
  it('decodes a barcode that fits in one report, with its AIM symbology id', () => {
    const scans = feed(new HidPosDecoder(), ean13SingleReport)
    expect(scans).toEqual([{ code: '4006381333931', aim: ']E0' }])
    expect(parseBarcode(scans[0]?.code ?? '', undefined, scans[0]?.aim)).toMatchObject({ kind: 'gtin', gtin: '4006381333931' })
  })

  it('joins a barcode continued across two reports, keeping the GS separator', () => {
    const decoder = new HidPosDecoder()
    expect(decoder.push(fromHex(gs1128TwoReports[0] ?? ''))).toEqual([])
    expect(decoder.hasPartial).toBe(true)
    const scans = decoder.push(fromHex(gs1128TwoReports[1] ?? ''))
    expect(scans).toEqual([{ code: gs1128Text, aim: ']C1' }])
    expect(decoder.hasPartial).toBe(false)
    expect(parseBarcode(scans[0]?.code ?? '', undefined, scans[0]?.aim)).toMatchObject({
      kind: 'gs1',
      gtin: '09501101530003',
      netWeightGrams: 1234,
      expiry: '2025-12-31',
      batch: 'BATCH-2025-0001',
      ais: { '21': 'SERIAL0123456789' }
    })
  })

  it('joins a barcode continued across three reports', () => {
    expect(feed(new HidPosDecoder(), qrThreeReports)).toEqual([{ code: qrText, aim: ']Q1' }])
  })

  it('decodes back-to-back scans independently', () => {
    const scans = feed(new HidPosDecoder(), [...ean13SingleReport, ...gs1128TwoReports, ...ean13SingleReport])
    expect(scans.map((scan) => scan.aim)).toEqual([']E0', ']C1', ']E0'])
  })

  it('ignores reports with another report id', () => {
    const decoder = new HidPosDecoder()
    expect(decoder.push(fromHex(otherReportId))).toEqual([])
    expect(decoder.hasPartial).toBe(false)
  })

  it('clips and flags a truncated report instead of reading past it', () => {
    expect(new HidPosDecoder().push(fromHex(truncatedReport))).toEqual([{ code: '4006381333931\u0000\u0000', aim: ']E0', clipped: true }])
  })

  it('ignores empty and tiny reports', () => {
    const decoder = new HidPosDecoder()
    expect(decoder.push(Buffer.alloc(0))).toEqual([])
    expect(decoder.push(Buffer.from([0x02]))).toEqual([])
    expect(decoder.push(Buffer.alloc(64, 0).fill(2, 0, 1))).toEqual([])
  })

  it('drops a stale partial whose last report never came', () => {
    const decoder = new HidPosDecoder({ staleAfterMs: 500 })
    expect(decoder.push(fromHex(gs1128TwoReports[0] ?? ''), 1000)).toEqual([])
    expect(decoder.push(fromHex(ean13SingleReport[0] ?? ''), 2000)).toEqual([{ code: '4006381333931', aim: ']E0' }])
  })

  it('bounds a scan that never stops continuing', () => {
    const decoder = new HidPosDecoder({ maxScanBytes: 100 })
    const continued = fromHex(gs1128TwoReports[0] ?? '')
    for (let index = 0; index < 10; index++) decoder.push(continued)
    const [scan] = decoder.push(fromHex(gs1128TwoReports[1] ?? ''))
    expect(scan?.clipped).toBe(true)
    expect(scan?.code.length).toBe(100)
  })

  it('follows a configured layout: unnumbered reports without AIM id', () => {
    const decoder = new HidPosDecoder({ layout: { reportId: null, lengthOffset: 0, aimOffset: null, dataOffset: 1, dataCapacity: 62, continuationOffset: 63 } })
    const report = Buffer.alloc(64)
    report[0] = 4
    report.write('ABCD', 1, 'latin1')
    expect(decoder.push(report)).toEqual([{ code: 'ABCD' }])
  })

  it('never throws on random reports and always recovers for the next good scan', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 8 }), (reports) => {
        const decoder = new HidPosDecoder()
        for (const report of reports) decoder.push(Buffer.from(report))
        decoder.reset()
        expect(feed(decoder, ean13SingleReport)).toEqual([{ code: '4006381333931', aim: ']E0' }])
      }),
      { numRuns: 500 }
    )
    expect(new HidPosDecoder().push(null as unknown as Buffer)).toEqual([])
  })
})
