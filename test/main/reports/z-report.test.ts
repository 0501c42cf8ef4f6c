// The Z / X report on paper (ReceiptLine -> ESC/POS, decoded back) and as PDF (read back with pdftotext).
import { describe, expect, it } from 'vitest'
import { PROFILES, resolveProfile } from '../../../src/main/devices/printer/profiles'
import { encodeReceipt, receiptPreviewSvg } from '../../../src/main/devices/printer/receipt'
import { StringSink, finish } from '../../../src/main/reports/output'
import { computeZTotals } from '../../../src/main/reports/settlement'
import { zReportDocument } from '../../../src/main/reports/z-document'
import { writeZPdf } from '../../../src/main/reports/z-pdf'
import { decodeEscPos, decodedText, svgTextLines } from '../../fixtures/escpos-decoder'
import { sampleDay } from './fixtures'
import { runOk, tempDir } from './tools'

const day = sampleDay()
const z = computeZTotals(day)
const epson = PROFILES['epson-tm-80']

/** Figures a manager checks on any Z of the sample day, in the order they appear, whatever the language. */
const FIGURES: readonly RegExp[] = [
  /Z #7/, /2026-01-15/, /52\.75/, /-0\.50/, /-16\.40/, /35\.85/,
  /7% \S+ 16\.82 +1\.18/, /19% \S+ 15\.00 +2\.85/, /31\.82/, /4\.03/,
  /9\.50/, /19\.187358 USDC \(2\) = 17\.85/, /12\.791572 USDC \(1\) = 11\.90/, /20\.450000 USDT \(3\) = 20\.45/, /35\.90/,
  /100\.00/, /14\.00/, /-4\.50/, /5\.00/, /-20\.00/, /94\.50/, /94\.40/, /-0\.10/, /12\.50/, /11\.90/,
  /0\.04/, /1\.5% \S+ 38\.30 +0\.58/, /0\.54/, /12397\.92/, /139\.85/, /b5f80b2d6403/
]

function expectFiguresInOrder(text: string): void {
  let from = 0
  for (const figure of FIGURES) {
    const match = new RegExp(figure.source, 'g')
    match.lastIndex = from
    const found = match.exec(text)
    expect(found, `${figure} after offset ${from} in:\n${text}`).not.toBeNull()
    from = found!.index + found![0].length
  }
}

describe('Z report on the receipt printer', () => {
  it('encodes through the receipt path and decodes to every Z figure (en)', () => {
    const decoded = decodeEscPos(encodeReceipt(zReportDocument(day, z, epson, { kind: 'Z', locale: 'en' }), epson))
    const text = decodedText(decoded)
    expect(decoded.unknown).toEqual([])
    expect(decoded.cuts).toHaveLength(1)
    expect(text).toContain('Z REPORT')
    expectFiguresInOrder(text)
    expect(text).toMatch(/Counted +94\.40/)
    expect(text).toMatch(/Difference +-0\.10/)
    expect(text).toContain('Reason: Coin miscount')
    expect(text).toMatch(/To +2026-01-15 18:00/)
    for (const line of decoded.lines) expect(line.length).toBeLessThanOrEqual(epson.cpl)
  })

  it('prints in Chinese on a GB18030 profile', () => {
    const zh = resolveProfile({ profile: 'epson-tm-80', encoding: 'gb18030' })
    const text = decodedText(decodeEscPos(encodeReceipt(zReportDocument(day, z, zh, { kind: 'Z', locale: 'zh-CN' }), zh)))
    expect(text).toContain('Z 报表')
    expect(text).toMatch(/实点 +94\.40/)
    expect(text).toMatch(/差额 +-0\.10/)
    expectFiguresInOrder(text)
  })

  it('an X report says it is not a closing and shows no counted cash or difference', () => {
    const text = decodedText(decodeEscPos(encodeReceipt(zReportDocument(day, z, epson, { kind: 'X', locale: 'en' }), epson)))
    expect(text).toContain('X REPORT')
    expect(text).toContain('Read only: not a closing')
    expect(text).toMatch(/Expected +94\.50/)
    expect(text).not.toContain('Counted')
    expect(text).not.toContain('Difference')
  })

  it('the screen preview (SVG) shows the same document', () => {
    const lines = svgTextLines(receiptPreviewSvg(zReportDocument(day, z, epson, { kind: 'Z', locale: 'en' }), epson))
    expect(lines).toContain('Net sales 35.85')
    expect(lines).toContain('Counted 94.40')
  })

  it('fits 58 mm paper', () => {
    const small = PROFILES['generic-58']
    const decoded = decodeEscPos(encodeReceipt(zReportDocument(day, z, small, { kind: 'Z', locale: 'en' }), small))
    for (const line of decoded.lines) expect(line.length).toBeLessThanOrEqual(small.cpl)
    expect(decodedText(decoded)).toMatch(/Net sales +35\.85/)
  })
})

describe('Z report as PDF', () => {
  async function pdfText(locale: 'en' | 'zh-CN', cjkFont?: { regular: string; bold: string }, ofDay: typeof day = day): Promise<{ text: string; pdf: Buffer; used: { locale: string; cjkFont: boolean } }> {
    const sink = new StringSink()
    const used = await writeZPdf(ofDay, z, sink, { kind: 'Z', locale, ...(cjkFont ? { cjkFont } : {}) })
    await finish(sink)
    const tmp = tempDir()
    try {
      const file = tmp.write('z.pdf', sink.bytes())
      return { text: runOk('pdftotext', ['-layout', file, '-']), pdf: sink.bytes(), used }
    } finally {
      tmp.remove()
    }
  }

  it('A4, English: pdftotext finds every figure in order', async () => {
    const { text, pdf } = await pdfText('en')
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    // A4 is 595.28 x 841.89 pt.
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/)
    expect(text).toContain('Z REPORT')
    expect(text).toMatch(/Counted +94\.40/)
    expectFiguresInOrder(text)
  })

  it('Chinese with Noto Sans CJK: pdftotext reads the Chinese labels beside the figures', async () => {
    const { text, used } = await pdfText('zh-CN')
    expect(used).toEqual({ locale: 'zh-CN', cjkFont: true })
    expect(text).toContain('Z 报表')
    expect(text).toMatch(/销售净额 +35\.85/)
    expect(text).toMatch(/实点 +94\.40/)
    expectFiguresInOrder(text)
  })

  it('without a CJK font: English labels and a note saying why', async () => {
    const { text, used } = await pdfText('zh-CN', { regular: '/nonexistent/cjk.ttc', bold: '/nonexistent/cjk-bold.ttc' })
    expect(used).toEqual({ locale: 'en', cjkFont: false })
    expect(text).toContain('No CJK font found: labels in English.')
    expect(text).toMatch(/Net sales +35\.85/)
  })

  it('an English Z in Latin text is set in Helvetica; a Chinese store name in it brings the CJK font back', async () => {
    const latin = await pdfText('en')
    expect(latin.used).toEqual({ locale: 'en', cjkFont: false })
    expect(latin.pdf.toString('latin1')).toMatch(/\/BaseFont \/Helvetica/)
    expect(latin.pdf.toString('latin1')).not.toMatch(/NotoSansCJK/)
    const named = await pdfText('en', undefined, { ...day, store: { ...day.store, name: '北京路店' } })
    expect(named.used).toEqual({ locale: 'en', cjkFont: true })
    expect(named.text).toContain('北京路店')
    expect(named.text).toMatch(/Counted +94\.40/)
  })

  it('the same day renders the same PDF', async () => {
    const a = await pdfText('en')
    const b = await pdfText('en')
    expect(b.pdf.equals(a.pdf)).toBe(true)
  })
})

describe('Z report: tax per rate with returns', () => {
  it('a rate with returns shows its sales and its returns beside the net, and they add up to it', () => {
    const text = decodedText(decodeEscPos(encodeReceipt(zReportDocument(day, z, epson, { kind: 'Z', locale: 'en' }), epson)))
    const withReturns = z.taxes.filter((x) => x.returnsNetMinor !== 0 || x.returnsTaxMinor !== 0)
    // The sample day has a return, so at least one rate must show its split; a day without returns shows none.
    expect(withReturns.length).toBeGreaterThan(0)
    const amount = (minor: number): string => (minor / 100).toFixed(2).replace('.', '\\.')
    for (const x of withReturns) {
      expect(x.salesNetMinor - x.returnsNetMinor).toBe(x.taxableMinor)
      expect(x.salesTaxMinor - x.returnsTaxMinor).toBe(x.taxMinor)
      expect(text).toMatch(new RegExp(`Sales ${amount(x.salesNetMinor)} +${amount(x.salesTaxMinor)}`))
      expect(text).toMatch(new RegExp(`Returns -${amount(x.returnsNetMinor)} +-${amount(x.returnsTaxMinor)}`))
    }
  })
})
