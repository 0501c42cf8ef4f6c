// Tax rounding as a store setting (money.ts): per rate on the sale total for new stores, per line on request, and
// every sale keeps the rule it was opened under; the receipt's tax lines always print figures that agree.
import { afterEach, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { migrate } from '../../../src/main/ledger/db'
import { migrations } from '../../../src/main/ledger/migrations'
import { computeSaleTotals, shareRateTax } from '../../../src/shared/sale/totals'
import { verifyJournal } from '../../../src/main/ledger/journal'
import type { ZReportView } from '../../../src/shared/api/views'
import { useTempKeyDir } from '../reports/ledger-day'
import { decodeEscPos } from '../../fixtures/escpos-decoder'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013' // 0.99, sales tax 8.25 %
const DARK_CHOCOLATE = '7612345678016' // 2.99, sales tax 8.25 %

let till: TestTill | null = null
afterEach(async () => {
  await till?.cleanup()
  till = null
})

/** 2.99 + 3 x 0.99 = 5.96 of 8.25 % goods: per line 0.2467 -> 0.25 and 0.2450 -> 0.25 sum to 0.50; on the total 0.4917 -> 0.49. */
function sellChocolateAndThreeColas(t: TestTill) {
  t.app.sales.scan(DARK_CHOCOLATE, 'wedge')
  return t.app.sales.scan(COLA, 'wedge', 3)
}

async function receiptText(t: TestTill): Promise<string> {
  await t.app.receipts.kick()
  return decodeEscPos(readFileSync(join(t.dataDir, 'printer', 'receipt.escpos'))).lines.join('\n')
}

describe('tax rounding', () => {
  it('the two rules, written down in money.ts, differ exactly where per-line rounding drifts', () => {
    const lines = [
      { amountMinor: 299, taxRateId: 'std', taxRateName: 'Sales tax', taxRatePpm: 82_500, voided: false },
      { amountMinor: 297, taxRateId: 'std', taxRateName: 'Sales tax', taxRatePpm: 82_500, voided: false }
    ]
    expect(computeSaleTotals(lines, 'exclusive', 'per-line')).toMatchObject({ subtotalMinor: 596, taxMinor: 50, totalMinor: 646 })
    expect(computeSaleTotals(lines, 'exclusive', 'per-rate-total')).toMatchObject({ subtotalMinor: 596, taxMinor: 49, totalMinor: 645, taxes: [{ taxableMinor: 596, taxMinor: 49 }] })
    // Inclusive: 5.96 gross holds 5.96 x 0.0825 / 1.0825 = 0.4542 -> 0.45 once, against 0.23 + 0.23 per line.
    expect(computeSaleTotals(lines, 'inclusive', 'per-rate-total')).toMatchObject({ taxMinor: 45, totalMinor: 596 })
    expect(computeSaleTotals(lines, 'inclusive', 'per-line')).toMatchObject({ taxMinor: 46, totalMinor: 596 })
  })

  it('a new store rounds per rate on the total and the receipt prints 5.96 x 8.25% = 0.49', async () => {
    till = testTill()
    expect(till.app.store.info().taxRounding).toBe('per-rate-total')
    const sale = sellChocolateAndThreeColas(till)
    expect(sale).toMatchObject({ taxRounding: 'per-rate-total', subtotalMinor: 596, taxMinor: 49, totalMinor: 645 })
    till.app.sales.tenderCash(1000)
    till.app.sales.complete()
    expect(await receiptText(till)).toMatch(/Sales tax 8\.25% on 5\.96\s+0\.49/)
  })

  it('per line on request; the receipt then says how the tax was summed instead of a base that disagrees', async () => {
    till = testTill({ initialSettings: { taxRounding: 'per-line' } })
    const sale = sellChocolateAndThreeColas(till)
    expect(sale).toMatchObject({ taxRounding: 'per-line', taxMinor: 50, totalMinor: 646 })
    till.app.sales.tenderCash(1000)
    till.app.sales.complete()
    const text = await receiptText(till)
    expect(text).toMatch(/Sales tax 8\.25% \(summed per line\)\s+0\.50/)
    expect(text).not.toMatch(/on 5\.96\s+0\.50/)
  })

  it('an open sale keeps the rule it was opened under when the store changes it', async () => {
    till = testTill()
    sellChocolateAndThreeColas(till)
    const before = till.app.sales.current()!
    till.app.store.save({ ...till.app.store.settings(), taxRounding: 'per-line' })
    expect(till.app.sales.get(before.id)).toMatchObject({ taxRounding: 'per-rate-total', taxMinor: 49 })
  })

  it('migration 0020: sales stored before it keep per-line rounding; the look-up index covers existing products', () => {
    const db = new Database(':memory:')
    const before = migrations.findIndex((m) => m.name === '0020-rounding-returns-search')
    migrate(db, migrations.slice(0, before))
    db.exec(`INSERT INTO tax_rates (id, name, rate_ppm) VALUES ('std', 'Sales tax', 82500);
      INSERT INTO products (id, name, pricing, price_minor, tax_rate_id) VALUES ('P1', 'Croissant au beurre', 'unit', 189, 'std');
      INSERT INTO sales (id, till_id, number, kind, status, currency, tax_mode, cashier, opened_at) VALUES ('T1-000001', 'T1', 1, 'sale', 'open', 'USD', 'exclusive', 'c', 0);`)
    migrate(db, migrations)
    expect(db.prepare('SELECT tax_rounding FROM sales').get()).toEqual({ tax_rounding: 'per-line' })
    expect(db.prepare("SELECT p.id FROM product_search s JOIN products p ON p.rowid = s.rowid WHERE product_search MATCH '\"beur\"'").all()).toEqual([{ id: 'P1' }])
    db.prepare("UPDATE products SET name = 'Pain au chocolat' WHERE id = 'P1'").run()
    expect(db.prepare("SELECT count(*) AS n FROM product_search WHERE product_search MATCH '\"beur\"'").get()).toEqual({ n: 0 })
    expect(() => db.prepare("UPDATE sales SET tax_rounding = 'per-cent' WHERE id = 'T1-000001'").run()).toThrow(/CHECK constraint/)
    db.close()
  })

  it('a completed per-rate sale shares its rounded tax out to its lines: the lines add up, the journal verifies, the Z and its files agree', async () => {
    expect(shareRateTax([{ id: 'a', taxRateId: 'std', amountMinor: 299, taxMinor: 25, voided: false }, { id: 'b', taxRateId: 'std', amountMinor: 297, taxMinor: 25, voided: false }], computeSaleTotals([{ amountMinor: 299, taxRateId: 'std', taxRateName: 'S', taxRatePpm: 82_500, voided: false }, { amountMinor: 297, taxRateId: 'std', taxRateName: 'S', taxRatePpm: 82_500, voided: false }], 'exclusive', 'per-rate-total'))).toEqual([{ lineId: 'a', taxMinor: 24 }])
    useTempKeyDir()
    till = testTill({ timeZone: 'UTC' })
    sellChocolateAndThreeColas(till)
    till.app.sales.tenderCash(till.app.sales.current()!.dueMinor)
    const sale = till.app.sales.complete()
    expect(sale.taxMinor).toBe(49)
    expect(sale.lines.reduce((sum, l) => sum + l.taxMinor, 0)).toBe(49)
    expect(sale.lines.reduce((sum, l) => sum + l.grossMinor, 0)).toBe(sale.totalMinor)
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
    const x = (await till.app.registry.dispatch('backoffice', 'shift:x-report', {})) as { ok: true; value: { drawer: { expectedMinor: number } } }
    const z = await till.app.registry.dispatch('backoffice', 'shift:close', { countedMinor: x.value.drawer.expectedMinor, pin: '1234' })
    expect(z).toMatchObject({ ok: true, value: { artifacts: { failures: [] } } })
    const zv = (z as { ok: true; value: ZReportView }).value
    expect(zv.figures.taxes.reduce((sum, t) => sum + t.taxMinor, 0)).toBe(49)
  })
})

