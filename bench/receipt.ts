// Receipt throughput: how long building + encoding a 40-line receipt takes on this machine, and how that compares
// with the time the bytes spend on a serial wire and the paper spends under the head.
//
// Assumptions (written down because the figures depend on them):
//  - Wire: 115200 baud 8N1 = 10 bits per byte (start + 8 data + stop), no flow-control stalls.
//  - Paper: font A is 24 dots high and receiptline sets ESC 3 0, so one text line advances 24 dots = 3.0 mm at
//    203 dpi (8 dots/mm); each LF byte in the output is one printed line. Plus 20 mm for GS V 66's feed from the
//    head to the autocutter blade. Rated speed TM-T88VI: 350 mm/s (real throughput is lower with raster images).
import { performance } from 'node:perf_hooks'
import { PROFILES } from '../src/main/devices/printer/profiles'
import { encodeReceipt, receiptDocument, type ReceiptData } from '../src/main/devices/printer/receipt'

const LINE_HEIGHT_MM = 3
const CUT_FEED_MM = 20
const RUNS = 200

function fortyLineReceipt(): ReceiptData {
  const lines = Array.from({ length: 40 }, (_, i) => ({
    name: `Item ${String(i + 1).padStart(2, '0')} organic produce`,
    quantity: (i % 3) + 1,
    unitPriceMinor: 125 + i * 10,
    amountMinor: (125 + i * 10) * ((i % 3) + 1),
    discountMinor: 0
  }))
  const subtotal = lines.reduce((sum, l) => sum + l.amountMinor, 0)
  // 8.25 % exclusive, rounded half away from zero like money.ts (amounts here are positive).
  const tax = Number((BigInt(subtotal) * 82_500n + 500_000n) / 1_000_000n)
  return {
    store: { name: 'Bench Market', headerLines: ['1 Main Street'], footerLines: ['Thank you!'] },
    locale: 'en',
    saleId: 'bench',
    saleNumber: 1,
    tillId: 'till-1',
    cashier: 'Bench',
    closedAt: Date.UTC(2026, 0, 15, 9, 30),
    timeZone: 'UTC',
    currency: 'USD',
    lines,
    taxes: [{ name: 'Sales tax', ratePpm: 82_500, taxableMinor: subtotal, taxMinor: tax }],
    subtotalMinor: subtotal,
    discountMinor: 0,
    taxMinor: tax,
    totalMinor: subtotal + tax,
    taxMode: 'exclusive',
    tenders: [{ kind: 'cash', amountMinor: subtotal + tax, receivedMinor: subtotal + tax, changeMinor: 0 }],
    journalHash: 'ab'.repeat(32),
    copy: false
  }
}

export async function benchReceipt(): Promise<{ medianMs: number; bytes: number; wireMs115200: number; printerMs: number }> {
  const profile = PROFILES['epson-tm-80']
  const data = fortyLineReceipt()
  let bytes: Buffer = Buffer.alloc(0)
  const times: number[] = []
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now()
    bytes = encodeReceipt(receiptDocument(data, profile), profile)
    times.push(performance.now() - started)
  }
  times.sort((a, b) => a - b)
  const medianMs = times[Math.floor(times.length / 2)]!
  const printedLines = bytes.reduce((count, byte) => count + (byte === 0x0a ? 1 : 0), 0)
  const paperMm = printedLines * LINE_HEIGHT_MM + CUT_FEED_MM
  return {
    medianMs: Math.round(medianMs * 1000) / 1000,
    bytes: bytes.length,
    wireMs115200: Math.round(((bytes.length * 10) / 115_200) * 1000 * 10) / 10,
    printerMs: Math.round((paperMm / profile.ratedSpeedMmPerS) * 1000)
  }
}
