// A generated day streamed from a generator (as a ledger cursor gives it): every export stays valid for the
// accountants' tools, totals still equal the Z, and each export walks the day a bounded number of times.
import { describe, expect, it } from 'vitest'
import { EXPORT_FORMATS, writeDayExports, writeExport, type ExportFormat } from '../../../src/main/reports'
import { StringSink } from '../../../src/main/reports/output'
import { computeZTotals, type DayEntry, type DaySettlement } from '../../../src/main/reports/settlement'
import { syntheticDay } from './fixtures'
import { CAMT053_XSD, exportText, minorOf, run, runOk, tempDir } from './tools'

/** The synthetic day with a counter of how many times its entries were walked. */
function countedDay(sales: number): { day: DaySettlement; passes: () => number } {
  const base = syntheticDay(sales)
  let passes = 0
  const entries: Iterable<DayEntry> = {
    [Symbol.iterator]() {
      passes++
      return base.entries[Symbol.iterator]()
    }
  }
  return { day: { ...base, entries }, passes: () => passes }
}

describe('a generated 2,000-sale day, streamed', () => {
  const { day, passes } = countedDay(2000)
  const z = computeZTotals(day)

  it('the Z folds it in one pass', () => {
    expect(passes()).toBe(1)
    expect(z.salesCount).toBe(2000)
    expect(z.returnsCount).toBe(40)
  })

  it('each export walks it once, statements included (their accounts are spooled, not re-walked)', async () => {
    const walked: Record<string, number> = {}
    for (const format of EXPORT_FORMATS) {
      const before = passes()
      await exportText((d, out) => writeExport(d, format, out, { totals: z }), day)
      walked[format] = passes() - before
    }
    expect(walked).toEqual({ csv: 1, ofx: 1, camt053: 1, hledger: 1, beancount: 1 })
  })

  it('the Z and all five exports together walk it once', async () => {
    const before = passes()
    const sinks = Object.fromEntries(EXPORT_FORMATS.map((f) => [f, new StringSink()])) as Record<ExportFormat, StringSink>
    const totals = await writeDayExports(day, sinks)
    expect(passes() - before).toBe(1)
    expect(totals).toEqual(z)
    for (const format of EXPORT_FORMATS) expect(sinks[format].text()).toBe(await exportText((d, out) => writeExport(d, format, out, { totals: z }), day))
  })

  it('camt.053 is schema-valid and hledger, ledger and bean-check accept the journals, with the Z totals', async () => {
    const tmp = tempDir()
    try {
      const camt = tmp.write('big.xml', await exportText((d, out) => writeExport(d, 'camt053', out, { totals: z }), day))
      const lint = run('xmllint', ['--noout', '--schema', CAMT053_XSD, camt])
      expect(lint.status, lint.stderr.slice(0, 2000)).toBe(0)
      const journal = tmp.write('big.journal', await exportText((d, out) => writeExport(d, 'hledger', out, { totals: z }), day))
      runOk('hledger', ['-f', journal, 'check', '--strict'])
      runOk('ledger', ['-f', journal, '--pedantic', 'bal'])
      const clearing = runOk('hledger', ['-f', journal, 'bal', 'Assets:Clearing', '-O', 'csv', '--no-total'])
      const usdc = /"Assets:Clearing:USDC:Base","([^"]+) EUR"/.exec(clearing)?.[1]
      expect(minorOf(usdc ?? 'x')).toBe(z.tenders.tokens.find((t) => t.key === 'USDC:8453')!.netMinor)
      const bean = tmp.write('big.beancount', await exportText((d, out) => writeExport(d, 'beancount', out, { totals: z }), day))
      runOk('bean-check', [bean])
    } finally {
      tmp.remove()
    }
  })
})
