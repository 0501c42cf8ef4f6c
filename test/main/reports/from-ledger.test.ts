// A day sold through the real till on anvil and closed with the shift service, read back from the ledger as a
// DaySettlement: its Z figures equal the Z the shift service recorded and the test's own sums over the tables, and
// every export of it passes the accountants' tools, byte-identical when exported twice.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createWriteStream } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXPORT_FORMATS, exportFileName, writeExport, type ExportFormat } from '../../../src/main/reports'
import { daySettlementFromLedger, DEFAULT_CARD_FEE_PPM, openDaySettlement, zNumbersOnDate } from '../../../src/main/reports/from-ledger'
import { finish } from '../../../src/main/reports/output'
import { computeZTotals, type DaySettlement, type ZTotals } from '../../../src/main/reports/settlement'
import { CAMT053_XSD, run, runOk, tempDir } from './tools'
import { seedLedgerDay, type LedgerDay } from './ledger-day'

let day: LedgerDay
let settlement: DaySettlement
let totals: ZTotals
let tmp: ReturnType<typeof tempDir>

beforeAll(async () => {
  day = await seedLedgerDay()
  settlement = daySettlementFromLedger(day.till.app.db, 'T1', day.z.zNumber, { timeZone: 'UTC' })
  totals = computeZTotals(settlement)
  tmp = tempDir()
}, 60_000)
afterAll(async () => {
  tmp?.remove()
  await day?.stop()
})

async function exportTo(format: ExportFormat, dir: string): Promise<string> {
  const file = join(dir, exportFileName(settlement, format))
  const out = createWriteStream(file)
  await writeExport(settlement, format, out)
  await finish(out)
  return file
}

describe('the closed day from the ledger', () => {
  it('has the Z figures the shift service recorded', () => {
    const f = day.z.figures
    expect(settlement.zNumber).toBe(day.z.zNumber)
    expect(settlement.journal).toEqual(f.journal)
    expect(totals.salesCount).toBe(f.salesCount)
    expect(totals.netSalesMinor).toBe(f.netSalesMinor)
    expect(totals.discountsMinor).toBe(f.discountsMinor)
    expect(totals.discountsMinor).toBeGreaterThan(0)
    expect(totals.taxes.map((t) => [t.ratePpm, t.taxableMinor, t.taxMinor])).toEqual(f.taxes.map((t) => [t.ratePpm, t.taxableMinor, t.taxMinor]))
    expect(totals.tenders.cash.netMinor).toBe(f.drawer.cashSalesMinor)
    expect(totals.tenders.tokens.map((t) => [t.key, t.paymentCount, t.receivedMinor])).toEqual(f.tenders.stablecoin.tokens.map((t) => [t.key, t.paymentCount, t.amountMinor]))
    expect(totals.drawer).toMatchObject({ floatMinor: 10_000, expectedMinor: f.drawer.expectedMinor, countedMinor: f.drawer.countedMinor, differenceMinor: -7, differenceReason: 'coins short', cashOutMinor: 500, cashOutCount: 1 })
    expect(totals.voids).toEqual(f.voids)
    expect(totals.voids.count).toBe(1)
    expect(totals.noSaleCount).toBe(1)
    expect(totals.grandTotals.after.salesMinor).toBe(f.grandTotals.after.salesMinor)
    expect(totals.fees).toMatchObject({ cardFeePpm: DEFAULT_CARD_FEE_PPM, stablecoinPaymentCount: 2, networkFeesUnknownCount: 2 })
    expect(settlement.businessDate).toBe(new Date(settlement.periodStartMs).toISOString().slice(0, 10))
    expect(zNumbersOnDate(day.till.app.db, 'T1', settlement.businessDate, 'UTC')).toEqual([day.z.zNumber])
  })

  it('equals the sums the test computes itself from the tables and the chain logs', () => {
    const db = day.till.app.db
    const sales = db.prepare("SELECT COUNT(*) AS n, SUM(total_minor) AS total, SUM(tax_minor) AS tax FROM sales WHERE status = 'completed'").get() as { n: number; total: number; tax: number }
    expect(totals.salesCount).toBe(sales.n)
    expect(totals.netSalesMinor).toBe(sales.total)
    expect(totals.taxMinor).toBe(sales.tax)
    const cash = db.prepare("SELECT SUM(received_minor) - SUM(change_minor) AS kept FROM tenders WHERE kind = 'cash'").get() as { kept: number }
    expect(totals.tenders.cash.receivedMinor).toBe(cash.kept)
    const discount = db.prepare('SELECT SUM(discount_minor) AS d FROM sale_lines l JOIN sales s ON s.id = l.sale_id WHERE s.status = \'completed\' AND l.voided = 0').get() as { d: number }
    expect(totals.discountsMinor).toBe(discount.d)
    // Token amounts to the base unit: what the chain moved to the merchant, per token.
    for (const t of totals.tenders.tokens) {
      const logs = db.prepare('SELECT l.value FROM chain_logs l JOIN payment_requests r ON r.id = l.payment_id WHERE r.token_symbol = ?').all(t.tokenSymbol) as { value: string }[]
      expect(t.receivedUnits).toBe(logs.reduce((s, l) => s + BigInt(l.value), 0n).toString())
    }
    const coins = [...settlement.entries].flatMap((e) => (e.kind === 'sale' ? e.tenders : [])).filter((t) => t.kind === 'stablecoin')
    expect(coins.map((c) => c.txHash).sort()).toEqual([...day.txHashes].sort())
    expect(coins.every((c) => c.blockNumber > 0 && c.late === false && c.networkFeeMinor === null)).toBe(true)
    const voided = db.prepare("SELECT COUNT(*) AS n FROM sales WHERE status = 'voided'").get() as { n: number }
    expect(totals.voids.count).toBe(voided.n)
    // The Z's drawer by hand: float + cash kept − cash out.
    expect(totals.drawer.expectedMinor).toBe(10_000 + cash.kept - 500)
  })

  it('is re-iterable in journal order (each pass reads the ledger again)', () => {
    const first = [...settlement.entries]
    const second = [...settlement.entries]
    expect(second).toEqual(first)
    expect(first.map((e) => e.kind)).toEqual(['sale', 'sale', 'void', 'sale', 'sale', 'sale', 'cash-out', 'no-sale'])
  })

  it.each(EXPORT_FORMATS)('%s passes its accountant tool and is byte-identical when exported twice', async (format) => {
    const a = tempDir()
    const b = tempDir()
    try {
      const first = await exportTo(format, a.dir)
      const second = await exportTo(format, b.dir)
      expect(readFileSync(second)).toEqual(readFileSync(first))
      switch (format) {
        case 'csv': {
          const lines = readFileSync(first, 'utf8').trim().split('\r\n')
          expect(lines.length).toBeGreaterThan(6)
          break
        }
        case 'ofx': {
          const r = run('ofxdump', [first])
          expect(r.status, r.stderr).toBe(0)
          expect(r.stderr).not.toMatch(/LibOFX ERROR/)
          break
        }
        case 'camt053': {
          const r = run('xmllint', ['--noout', '--schema', CAMT053_XSD, first])
          expect(r.status, r.stderr).toBe(0)
          break
        }
        case 'hledger':
          runOk('hledger', ['-f', first, 'check', '--strict'])
          runOk('ledger', ['-f', first, '--pedantic', 'bal'])
          break
        case 'beancount':
          runOk('bean-check', [first])
          break
      }
    } finally {
      a.remove()
      b.remove()
    }
  })

  it('the hledger journal books each token clearing account at its Z net', async () => {
    const file = await exportTo('hledger', tmp.dir)
    const out = runOk('hledger', ['-f', file, 'bal', 'Clearing', '--flat', '-O', 'csv'])
    for (const t of totals.tenders.tokens) {
      const line = out.split('\n').find((l) => l.includes(`Clearing:${t.tokenSymbol}`))
      expect(line, out).toBeDefined()
      expect(line).toContain(`${(t.netMinor / 100).toFixed(2)}`)
    }
  })

  it('the open day gives the X the shift service shows', async () => {
    await day.till.app.registry.dispatch('backoffice', 'shift:open', { floatMinor: 5_000, pin: '1234' })
    day.till.app.sales.scan('5901234123013', 'wedge')
    day.till.app.sales.tenderCash(500)
    day.till.app.sales.complete()
    const open = openDaySettlement(day.till.app.db, day.till.app.store, day.till.clock, { timeZone: 'UTC' })
    const x = computeZTotals(open)
    expect(open.zNumber).toBe(day.z.zNumber + 1)
    expect(x.salesCount).toBe(1)
    expect(x.drawer.expectedMinor).toBe(5_000 + x.tenders.cash.netMinor)
    expect(x.drawer.differenceMinor).toBe(0)
  })
})
