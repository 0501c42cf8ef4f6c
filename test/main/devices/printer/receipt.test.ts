import { afterEach, describe, expect, it } from 'vitest'
import { PROFILES, resolveProfile } from '../../../../src/main/devices/printer/profiles'
import {
  encodeReceipt,
  escapeText,
  formatKg,
  formatRatePercent,
  receiptDocument,
  receiptPreviewSvg,
  shortHash
} from '../../../../src/main/devices/printer/receipt'
import { TcpTransport } from '../../../../src/main/devices/printer/transports'
import { decodeEscPos, decodedText, svgTextLines } from '../../../fixtures/escpos-decoder'
import { cashReceipt, chineseReceipt, EXPLORER_URL, stablecoinReceipt } from '../../../fixtures/receipts'
import { startTcpPrinter, type TcpPrinterServer } from '../../../fixtures/tcp-printer'

const epson = PROFILES['epson-tm-80']
const small = PROFILES['generic-58']

let server: TcpPrinterServer | null = null
afterEach(async () => {
  await server?.close()
  server = null
})

describe('receipt over ESC/POS', () => {
  it('prints a full cash receipt to a TCP printer and decodes back to the same content', async () => {
    server = await startTcpPrinter()
    const transport = new TcpTransport({ host: server.host, port: server.port })
    const doc = receiptDocument(cashReceipt(), epson)
    const bytes = encodeReceipt(doc, epson)
    await transport.write(bytes)
    await server.waitForBytes(bytes.length)
    await transport.close()

    const decoded = decodeEscPos(server.printed())
    const text = decodedText(decoded)
    expect(decoded.initializations).toBe(1)
    expect(decoded.unknown).toEqual([])
    expect(text).toContain('Corner Shop')
    expect(text).toContain('Tax ID: DE123456789')
    expect(text).toMatch(/Sale #42 +2026-01-15 10:30/) // 09:30 UTC in Berlin
    expect(text).toMatch(/Apple juice 1L +4\.50/)
    expect(text).toContain('3 x 1.50')
    expect(text).toContain('0.250 kg x 19.90/kg')
    expect(text).toMatch(/Discount +-0\.50/)
    expect(text).toMatch(/Subtotal +11\.98/)
    expect(text).toMatch(/incl\. VAT 7% on 8\.98 +0\.59/)
    expect(text).toMatch(/incl\. VAT 19% on 2\.50 +0\.40/)
    expect(text).toMatch(/TOTAL EUR +11\.48/)
    expect(text).toMatch(/Cash +11\.48/)
    expect(text).toMatch(/Received +20\.00/)
    expect(text).toMatch(/Change +8\.52/)
    expect(text).toContain('Journal 9f86d081884c')
    expect(text).not.toContain('9f86d081884c7')
    expect(text).not.toContain('COPY')
    expect(decoded.cuts).toEqual([{ kind: 'partial', atLine: decoded.lines.length }])
    // Every decoded line fits the paper.
    for (const line of decoded.lines) expect(line.length).toBeLessThanOrEqual(epson.cpl)
  })

  it('the SVG preview shows the same store name and total as the bytes', () => {
    const doc = receiptDocument(cashReceipt(), epson)
    const svgLines = svgTextLines(receiptPreviewSvg(doc, epson))
    const paper = decodedText(decodeEscPos(encodeReceipt(doc, epson)))
    expect(svgLines).toContain('Corner Shop')
    expect(svgLines).toContain('TOTAL EUR 11.48')
    expect(paper).toContain('Corner Shop')
    expect(paper).toMatch(/TOTAL EUR +11\.48/)
  })

  it('a stablecoin tender prints token amount, chain, rate, short hash and a native GS ( k QR of the explorer URL (Epson)', () => {
    const decoded = decodeEscPos(encodeReceipt(receiptDocument(stablecoinReceipt(), epson), epson))
    const text = decodedText(decoded)
    expect(text).toMatch(/USDC on Base +11\.48/)
    expect(text).toContain('Paid in: 12.340000 USDC')
    expect(text).toContain('Rate: 1 USDC = 0.9303 EUR (ECB)')
    expect(text).toContain('Tx: 0x1234..abcd')
    expect(decoded.qrCodes).toEqual([{ source: 'native', payload: EXPLORER_URL, atLine: expect.any(Number) }])
    expect(decoded.images).toEqual([])
  })

  it('on the 58 mm profile the QR is a GS v 0 raster that jsQR reads back to the explorer URL', () => {
    const decoded = decodeEscPos(encodeReceipt(receiptDocument(stablecoinReceipt(), small), small))
    expect(decoded.qrCodes).toEqual([{ source: 'raster', payload: EXPLORER_URL, atLine: expect.any(Number) }])
    expect(decoded.skipped['GS ( k']).toBeUndefined()
    for (const line of decoded.lines) expect(line.length).toBeLessThanOrEqual(small.cpl)
    expect(decodedText(decoded)).toMatch(/TOTAL EUR +11\.48/)
    // No cutter: the job ends with a feed (ESC d), not GS V.
    expect(decoded.cuts).toEqual([])
    expect(decoded.skipped['ESC d']).toBe(1)
  })

  it('GB18030 Chinese text round-trips through encode and decode', () => {
    const profile = resolveProfile({ profile: 'epson-tm-80', encoding: 'gb18030' })
    const decoded = decodeEscPos(encodeReceipt(receiptDocument(chineseReceipt(), profile), profile))
    const text = decodedText(decoded)
    expect(text).toContain('收据 便利店')
    expect(text).toContain('谢谢惠顾')
    expect(text).toContain('上海市南京路1号')
    expect(text).toMatch(/苹果汁 +13\.00/)
    expect(text).toMatch(/合计 CNY +13\.00/)
    expect(text).toMatch(/找零 +7\.00/)
    expect(text).toContain('含 增值税 13% 计税 13.00')
    // Proof it went out as GB18030 bytes: 谢谢 is C9 E1 C9 E1 in GB18030.
    expect(encodeReceipt(receiptDocument(chineseReceipt(), profile), profile).includes(Buffer.from([0xd0, 0xbb, 0xd0, 0xbb]))).toBe(true)
  })

  it('cp858 prints the euro sign', () => {
    const data = cashReceipt({ store: { name: 'Café Müller', headerLines: ['Preise in €'], footerLines: [] } })
    const text = decodedText(decodeEscPos(encodeReceipt(receiptDocument(data, epson), epson)))
    expect(text).toContain('Café Müller')
    expect(text).toContain('Preise in €')
  })

  it('a reprint carries a COPY banner (副本 in Chinese) at the top and the bottom', () => {
    const text = decodedText(decodeEscPos(encodeReceipt(receiptDocument(cashReceipt({ copy: true }), epson), epson)))
    expect(text.match(/COPY/g)).toHaveLength(2)
    const zh = resolveProfile({ profile: 'epson-tm-80', encoding: 'gb18030' })
    const zhText = decodedText(decodeEscPos(encodeReceipt(receiptDocument({ ...chineseReceipt(), copy: true }, zh), zh)))
    expect(zhText.match(/副本/g)).toHaveLength(2)
  })

  it('ReceiptLine markup in product names prints literally', () => {
    const name = 'A|B {x} _u_ "e" `i` ^w^ ~\\=-;'
    const data = cashReceipt({ lines: [{ name, quantity: 1, unitPriceMinor: 100, amountMinor: 100, discountMinor: 0 }] })
    const text = decodedText(decodeEscPos(encodeReceipt(receiptDocument(data, epson), epson)))
    expect(text).toContain(name)
    expect(escapeText('a|b')).toBe('a\\|b')
  })

  it('formats quantities, weights and rates exactly from integers', () => {
    expect(formatKg(250)).toBe('0.250')
    expect(formatKg(1005)).toBe('1.005')
    expect(formatKg(12_000)).toBe('12.000')
    expect(formatRatePercent(82_500)).toBe('8.25')
    expect(formatRatePercent(190_000)).toBe('19')
    expect(formatRatePercent(0)).toBe('0')
    expect(formatRatePercent(55_000)).toBe('5.5')
    expect(shortHash('0x1234567890abcdef1234567890abcdef')).toBe('0x1234…cdef')
  })

  it('refuses a profile setting the printer cannot do', () => {
    expect(() => resolveProfile({ profile: 'star-escpos-80', encoding: 'gb18030' })).toThrow(/cannot print gb18030/)
    expect(() => resolveProfile({ profile: 'generic-58', drawerPin: 5 })).toThrow(/no drawer pin 5/)
    expect(resolveProfile({ profile: 'epson-tm-80', drawerPin: 5 }).drawers).toEqual([{ pin: 5, onMs: 100, offMs: 200 }])
  })
})
