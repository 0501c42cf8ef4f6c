// The Z of a day with a sale and a partial return (issue [D]): the returned tax is netted per rate on the Z, and the
// Z, sums the test takes itself from the sale and the refund as sold, and the hledger export's tax accounts all
// agree; then the Z comes out of a TCP receipt printer (the test server the receipt tests use) with its number, its
// totals, the signed journal head and the signature's fingerprint, without the close waiting for the printer.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatRatePercent } from '../../../src/main/devices/printer/receipt'
import { shortFingerprint } from '../../../src/main/services/day-close'
import type { ReturnView, SaleView, ZReportView } from '../../../src/shared/api/views'
import type { Result } from '../../../src/shared/result'
import { decodeEscPos } from '../../fixtures/escpos-decoder'
import { startTcpPrinter, type TcpPrinterServer } from '../../fixtures/tcp-printer'
import { testTill, type TestTill } from '../../fixtures/till'
import { useTempKeyDir } from '../reports/ledger-day'
import { runOk } from '../reports/tools'

const COLA = '5901234123013' // 0.99, sales tax 8.25 %
const CHEDDAR = '8712345678050' // 4.79, groceries 2.25 %
const OJ = '4006381333016' // 3.49, groceries 2.25 %
const PIN = '1234'

let till: TestTill
let printer: TcpPrinterServer
let sale: SaleView
let refund: SaleView
let ret: ReturnView
let z: ZReportView

async function value<T>(window: 'cashier' | 'backoffice', name: string, input: unknown): Promise<T> {
  const r = (await till.app.registry.dispatch(window, name, input)) as Result<T>
  if (!r.ok) throw new Error(`${name} refused: ${r.error.message}`)
  return r.value
}

/** Per rate (ppm) from a sale's lines as sold: Σ line net of tax and Σ line tax. The test's own arithmetic. */
function perRate(view: SaleView): Map<number, { taxable: number; tax: number }> {
  const out = new Map<number, { taxable: number; tax: number }>()
  for (const l of view.lines.filter((l) => !l.voided)) {
    const acc = out.get(l.taxRatePpm) ?? { taxable: 0, tax: 0 }
    const kept = l.amountMinor - l.discountMinor
    acc.taxable += view.taxMode === 'inclusive' ? kept - l.taxMinor : kept
    acc.tax += l.taxMinor
    out.set(l.taxRatePpm, acc)
  }
  return out
}

beforeAll(async () => {
  useTempKeyDir()
  printer = await startTcpPrinter()
  till = testTill({ timeZone: 'UTC' })
  till.app.receipts.save({ name: 'front', profile: { profile: 'epson-tm-80' }, transport: { kind: 'tcp', host: printer.host, port: printer.port }, drawerOnCash: false })
  await value('backoffice', 'shift:open', { floatMinor: 10_000, pin: PIN })
  for (const code of [COLA, COLA, COLA, CHEDDAR, OJ]) till.app.sales.scan(code, 'wedge')
  till.clock.advance(1000)
  till.app.sales.tenderCash(till.app.sales.current()!.dueMinor)
  sale = till.app.sales.complete()
  // A partial return: two of the three colas (8.25 %) and the cheddar (2.25 %); the juice stays sold.
  const cola = sale.lines.find((l) => l.barcode === COLA)!
  const cheddar = sale.lines.find((l) => l.barcode === CHEDDAR)!
  till.clock.advance(60_000)
  ret = await value<ReturnView>('cashier', 'return:cash', { saleId: sale.id, lines: [{ lineId: cola.id, quantity: 2 }, { lineId: cheddar.id, quantity: 1 }], pin: PIN })
  refund = till.app.sales.get(ret.refundSaleId!)
  await till.app.receipts.kick()
  till.clock.advance(60_000)
  const x = await value<{ drawer: { expectedMinor: number } }>('backoffice', 'shift:x-report', {})
  z = await value<ZReportView>('backoffice', 'shift:close', { countedMinor: x.drawer.expectedMinor, pin: PIN })
}, 60_000)

afterAll(async () => {
  await till?.cleanup()
  await printer?.close()
})

describe('the Z of a day with a partial return', () => {
  it('nets the returned tax per rate: the Z, the test\'s own sums and the hledger tax accounts agree', () => {
    // The refund's view reads its stored shares: it says exactly the cash that went back, to the cent.
    expect(refund.totalMinor).toBe(ret.amountMinor)
    expect(refund.taxMinor).toBe(refund.lines.reduce((sum, l) => sum + l.taxMinor, 0))
    const sold = perRate(sale)
    const returned = perRate(refund)
    expect([...returned.keys()].sort()).toEqual([22_500, 82_500])
    const owed = [...sold.entries()].map(([ppm, s]) => ({ ratePpm: ppm, taxableMinor: s.taxable - (returned.get(ppm)?.taxable ?? 0), taxMinor: s.tax - (returned.get(ppm)?.tax ?? 0) }))
    expect(z.figures.taxes.map((t) => ({ ratePpm: t.ratePpm, taxableMinor: t.taxableMinor, taxMinor: t.taxMinor }))).toEqual(owed.sort((a, b) => a.ratePpm - b.ratePpm))
    // The sides of the net are on the Z too, and the returns did take tax off (not a no-op).
    for (const t of z.figures.taxes) {
      expect(t.salesTaxMinor).toBe(sold.get(t.ratePpm)!.tax)
      expect(t.returnsTaxMinor).toBe(returned.get(t.ratePpm)?.tax ?? 0)
    }
    expect(z.figures.taxes.find((t) => t.ratePpm === 82_500)!.returnsTaxMinor).toBeGreaterThan(0)
    expect(z.figures.taxMinor).toBe(owed.reduce((sum, t) => sum + t.taxMinor, 0))
    expect(z.figures.returnsMinor).toBe(ret.amountMinor)

    // The accountant's journal: Liabilities:Tax per rate is credited with the sales' tax and debited with the returned tax.
    const artifacts = z.artifacts!
    expect(artifacts.failures).toEqual([])
    const journal = artifacts.files.find((f) => f.endsWith('.journal'))!
    runOk('hledger', ['-f', journal, 'check', '--strict'])
    const out = runOk('hledger', ['-f', journal, 'bal', 'Liabilities:Tax', '--flat', '--no-total', '-O', 'csv'])
    for (const t of owed) {
      const suffix = `-${formatRatePercent(t.ratePpm).replace('.', 'p')}`
      const line = out.split('\n').find((l) => l.includes('Liabilities:Tax:') && l.includes(`${suffix}"`))
      expect(line, out).toBeDefined()
      const amount = /(-?)[^\d-]*(\d+)\.(\d{2})/.exec(line!.split(',').slice(1).join(','))!
      const minor = (amount[1] === '-' ? -1 : 1) * (Number(amount[2]) * 100 + Number(amount[3]))
      expect(minor).toBe(-t.taxMinor) // a liability: a credit balance
    }
  })

  it('prints the Z on the receipt printer: its number, totals, the signed journal head and the signature fingerprint', async () => {
    expect(z.artifacts!.printed).toBe(true)
    const anchor = z.artifacts!.anchor!
    // The job is queued and journaled like a receipt; the bytes follow in the background.
    const job = till.app.db.prepare("SELECT id, status, reason FROM print_jobs WHERE kind = 'report'").all() as { id: number; status: string; reason: string }[]
    expect(job).toHaveLength(1)
    expect(job[0]!.reason).toBe(`z ${z.zNumber}`)
    const queued = till.app.db.prepare("SELECT payload FROM journal WHERE kind = 'print.queued'").all() as { payload: string }[]
    expect(queued.map((q) => JSON.parse(q.payload) as { jobId: number; kind: string }).filter((p) => p.kind === 'report')).toEqual([expect.objectContaining({ jobId: job[0]!.id })])
    await expect.poll(() => (till.app.db.prepare('SELECT status FROM print_jobs WHERE id = ?').get(job[0]!.id) as { status: string }).status, { timeout: 10_000 }).toBe('printed')

    const decoded = decodeEscPos(printer.printed())
    // The Z is the last slip out (the receipts of the sale and the refund came before it, each ended by a cut).
    const start = decoded.cuts.map((c) => c.atLine).filter((at) => at < decoded.lines.length - 1).at(-1) ?? 0
    const zSlip = decoded.lines.slice(start).join('\n')
    expect(zSlip).toMatch(/^\s*Z REPORT\s*$/m)
    expect(zSlip).toMatch(new RegExp(`Till 1 \\(T1\\) +Z #${z.zNumber}\\b`))
    const plain = (minor: number) => `${minor < 0 ? '-' : ''}${Math.floor(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, '0')}`
    const row = (label: string) => zSlip.split('\n').find((l) => l.trimStart().startsWith(label)) ?? ''
    expect(row('Net sales')).toContain(plain(z.figures.netSalesMinor))
    expect(row('Tax total')).toContain(plain(z.figures.taxMinor))
    // The whole head hash, whatever the paper wrapped, and the fingerprints a person compares with the back office.
    expect(zSlip.replace(/\s+/g, '')).toContain(anchor.hash)
    expect(zSlip).toContain(`#${anchor.seq}`)
    const signed = JSON.parse(readFileSync(`${till.dataDir}/anchors.jsonl`, 'utf8').trim().split('\n').at(-1)!) as { signature: string; hash: string }
    expect(signed.hash).toBe(anchor.hash)
    expect(zSlip).toContain(`Signature: ${shortFingerprint(signed.signature)}`)
    expect(zSlip).toContain(`Till key: ${shortFingerprint(anchor.publicKey)}`)
    expect(decoded.cuts.length).toBeGreaterThanOrEqual(1)
  })
})
