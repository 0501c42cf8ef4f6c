import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { decodeEscPos } from '../../fixtures/escpos-decoder'
import { gtinCheckDigit } from '../../../src/shared/barcode'
import { TillError } from '../../../src/shared/result'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013' // 0.99, std 8.25 %
const WATER = '5012345000015' // 1.29, groceries 2.25 %
const WATER_SIXPACK = '5012345000107'
const PEANUT_BUTTER_UPC = '036000291452' // UPC-A, stored as its EAN-13 form

function scaleLabel(plu: string, grams: number, prefix = '25'): string {
  const body = `${prefix}${plu}${String(grams).padStart(5, '0')}`
  return body + gtinCheckDigit(body)
}

let till: TestTill
beforeEach(() => {
  till = testTill()
})
afterEach(async () => {
  await till.cleanup()
})

function refused(fn: () => unknown): TillError {
  try {
    fn()
  } catch (e) {
    if (e instanceof TillError) return e
    throw e
  }
  throw new Error('expected a refusal')
}

describe('selling only inside an open day', () => {
  it('a real store refuses the first scan outside an open day, numbers nothing, and sells once the day is open', async () => {
    await till.cleanup()
    till = testTill({ initialSettings: { demo: false } })
    const { sales, db } = till.app
    const refusal = refused(() => sales.scan(COLA, 'manual'))
    expect(refusal).toMatchObject({ code: 'conflict', key: 'shift.day-not-open' })
    expect(refusal.message).toMatch(/^Open the day before selling/)
    expect(refused(() => sales.addProduct('P005', 1))).toMatchObject({ key: 'shift.day-not-open' })
    // Nothing was written: no sale, no number taken, no journal entry for the refused scans.
    expect(db.prepare('SELECT COUNT(*) AS n FROM sales').get()).toEqual({ n: 0 })
    expect(db.prepare("SELECT COUNT(*) AS n FROM journal WHERE kind LIKE 'sale.%'").get()).toEqual({ n: 0 })
    const opened = await till.app.registry.dispatch('backoffice', 'shift:open', { floatMinor: 5_000, pin: '1234' })
    expect(opened).toMatchObject({ ok: true })
    expect(sales.scan(COLA, 'manual')).toMatchObject({ number: 1, status: 'open' })
  })

  it('the demo store opens its own day at its first sale and says so to the windows', () => {
    const seen: unknown[] = []
    till.app.events.subscribe((event, payload) => {
      if (event === 'shift:changed') seen.push(payload)
    })
    expect(till.app.db.prepare("SELECT COUNT(*) AS n FROM cash_sessions WHERE status = 'open'").get()).toEqual({ n: 0 })
    till.app.sales.scan(COLA, 'manual')
    expect(seen).toEqual([expect.objectContaining({ openedBy: 'demo', floatMinor: 20_000 })])
    till.app.sales.scan(COLA, 'manual')
    expect(seen).toHaveLength(1) // once: the day was open for the second scan
  })
})

describe('sale service on a real ledger file', () => {
  it('scans, merges repeat scans, adds packs and computes per-line tax', () => {
    const sales = till.app.sales
    sales.scan(COLA, 'wedge')
    sales.scan(COLA, 'wedge')
    let sale = sales.scan(WATER_SIXPACK, 'manual')
    expect(sale.lines.map((l) => [l.name, l.quantity, l.amountMinor])).toEqual([
      ['Cola 330 ml can', 2, 198],
      ['Sparkling water 500 ml', 6, 774]
    ])
    // 1.98 * 8.25 % = 0.16335 -> 0.16 ; 7.74 * 2.25 % = 0.17415 -> 0.17
    expect(sale.taxMinor).toBe(33)
    expect(sale.totalMinor).toBe(198 + 774 + 33)
    sale = sales.scan(PEANUT_BUTTER_UPC, 'manual')
    expect(sale.lines.at(-1)!.name).toBe('Peanut butter 16 oz')
  })

  it('prices weight-embedded scale labels and price-embedded labels', () => {
    const sales = till.app.sales
    let sale = sales.scan(scaleLabel('04011', 1234), 'wedge') // bananas 2.29/kg
    expect(sale.lines[0]).toMatchObject({ name: 'Bananas', weightGrams: 1234, amountMinor: 283 })
    sale = sales.scan(scaleLabel('20001', 455, '02'), 'wedge') // deli salad, 4.55 on the label
    expect(sale.lines[1]).toMatchObject({ name: 'Deli salad (price label)', amountMinor: 455, weightGrams: null })
    expect(refused(() => sales.setQuantity(sale.lines[0]!.id, 2)).message).toMatch(/weighed/)
  })

  it('refuses bad and unknown codes with a clear message and changes nothing', () => {
    const sales = till.app.sales
    expect(refused(() => sales.scan('5901234123014', 'manual'))).toMatchObject({ code: 'bad-barcode', message: expect.stringMatching(/check digit/i) })
    expect(refused(() => sales.scan('4006381333931', 'manual'))).toMatchObject({ code: 'unknown-barcode', message: expect.stringMatching(/Unknown barcode 4006381333931/) })
    expect(refused(() => sales.scan('12\u0007', 'manual')).code).toBe('bad-barcode')
    expect(sales.current()).toBeNull()
    expect(till.app.db.prepare('SELECT count(*) AS n FROM sales').get()).toEqual({ n: 0 })
  })

  it('voids lines and changes quantities, journaling each change', () => {
    const sales = till.app.sales
    sales.scan(COLA, 'wedge')
    let sale = sales.scan(WATER, 'wedge')
    sale = sales.setQuantity(sale.lines[0]!.id, 5)
    expect(sale.lines[0]).toMatchObject({ quantity: 5, amountMinor: 495 })
    sale = sales.voidLine(sale.lines[1]!.id)
    expect(sale.lines[1]!.voided).toBe(true)
    expect(sale.totalMinor).toBe(495 + 41) // 4.95 * 8.25 % = 0.408 -> 0.41
    const kinds = (till.app.db.prepare('SELECT kind FROM journal WHERE sale_id = ? ORDER BY seq').all(sale.id) as { kind: string }[]).map((r) => r.kind)
    expect(kinds).toEqual(['sale.opened', 'sale.line-added', 'sale.line-added', 'sale.line-quantity-changed', 'sale.line-voided'])
  })

  it('takes cash, gives change, completes, and freezes the sale', () => {
    const sales = till.app.sales
    sales.scan(COLA, 'wedge')
    const open = sales.scan(WATER, 'wedge')
    expect(refused(() => sales.complete())).toMatchObject({ code: 'not-paid' })
    const paid = sales.tenderCash(1000)
    expect(paid).toMatchObject({ paidMinor: open.totalMinor, dueMinor: 0, changeMinor: 1000 - open.totalMinor })
    expect(refused(() => sales.scan(COLA, 'wedge')).message).toMatch(/Payment has started/)
    const done = sales.complete()
    expect(done.status).toBe('completed')
    expect(done.journalHash).toMatch(/^[0-9a-f]{64}$/)
    expect(sales.current()).toBeNull()
    expect(() => till.app.db.prepare('UPDATE sales SET total_minor = 1 WHERE id = ?').run(done.id)).toThrow(/frozen/)
    expect(() => till.app.db.prepare('UPDATE sale_lines SET amount_minor = 1 WHERE sale_id = ?').run(done.id)).toThrow(/frozen/)
    expect(() => till.app.db.prepare('DELETE FROM sales WHERE id = ?').run(done.id)).toThrow(/never deleted/)
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })

  it('numbers sales per till without gaps, and every committed sale survives close and reopen', () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      till.app.sales.scan(COLA, 'wedge')
      till.app.sales.tenderCash(200)
      ids.push(till.app.sales.complete().id)
    }
    till.app.sales.scan(WATER, 'wedge') // left open at "power loss"
    const app = till.reopen()
    expect(app.sales.list(50).map((s) => [s.number, s.status])).toEqual([
      [6, 'open'],
      [5, 'completed'],
      [4, 'completed'],
      [3, 'completed'],
      [2, 'completed'],
      [1, 'completed']
    ])
    for (const id of ids) expect(app.sales.get(id)).toMatchObject({ status: 'completed', totalMinor: 107, paidMinor: 107, changeMinor: 93 })
    expect(app.sales.current()!.lines[0]!.name).toBe('Sparkling water 500 ml')
    expect(verifyJournal(app.db)).toMatchObject({ ok: true })
  })

  it('verify catches a completed sale whose stored total was edited behind the till', () => {
    till.app.sales.scan(COLA, 'wedge')
    till.app.sales.tenderCash(200)
    const done = till.app.sales.complete()
    till.app.db.exec('DROP TRIGGER sales_frozen_when_closed')
    till.app.db.prepare('UPDATE sales SET total_minor = 7 WHERE id = ?').run(done.id)
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: false, reason: expect.stringMatching(/stored total 7 differs/) })
  })

  it('a voided sale keeps its number, is frozen and journaled, and the next sale takes the next number', () => {
    const sales = till.app.sales
    const first = sales.scan(COLA, 'wedge')
    const voided = sales.voidSale('M1', 'customer left')
    expect(voided).toMatchObject({ id: first.id, number: 1, status: 'voided' })
    expect(sales.current()).toBeNull()
    expect(() => till.app.db.prepare('UPDATE sales SET cashier = ? WHERE id = ?').run('x', first.id)).toThrow(/frozen/)
    expect(sales.scan(COLA, 'wedge').number).toBe(2)
    const entry = till.app.db.prepare("SELECT payload FROM journal WHERE kind = 'sale.voided'").get() as { payload: string }
    // rowsRecord: the voided rows' record the full verify compares (ledger/replay.ts recordSaleRows).
    expect(JSON.parse(entry.payload)).toEqual({ number: 1, managerId: 'M1', reason: 'customer left', cashBackMinor: 0, refundOwedMinor: 0, rowsRecord: expect.stringMatching(/^1,'voided',NULL,NULL,NULL\|'[^']+\/L1',1,/) })
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })

  it('a manager-approved line discount lowers the line, is taxed after the discount, and prints on the receipt', async () => {
    const sales = till.app.sales
    sales.scan(COLA, 'wedge')
    const line = sales.scan(COLA, 'wedge').lines[0]!
    const dispatch = (input: unknown) => till.app.registry.dispatch('cashier', 'sale:discount-line', input)
    expect(await dispatch({ lineId: line.id, percent: '10', pin: '0000' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await dispatch({ lineId: line.id, percent: '150', pin: '1234' })).toMatchObject({ ok: false, error: { code: 'invalid-input', message: /150 % is not a discount/ } })
    expect(await dispatch({ lineId: line.id, percent: '1e2', pin: '1234' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    const discounted = await dispatch({ lineId: line.id, percent: '10', pin: '1234' })
    // 2 x 0.99 = 1.98; 10 % = 0.198 -> 0.20; tax 8.25 % of 1.78 = 0.14685 -> 0.15; total 1.93
    expect(discounted).toMatchObject({ ok: true, value: { lines: [{ amountMinor: 198, discountMinor: 20, discountPpm: 100_000, taxMinor: 15, grossMinor: 193 }], totalMinor: 193 } })
    // A quantity change keeps the percentage: 2.97 -> 0.30 off, tax on 2.67 = 0.22
    expect(sales.setQuantity(line.id, 3)).toMatchObject({ lines: [{ amountMinor: 297, discountMinor: 30, taxMinor: 22 }], totalMinor: 289 })
    sales.tenderCash(300)
    const done = sales.complete()
    const kinds = (till.app.db.prepare('SELECT kind, payload FROM journal WHERE sale_id = ? ORDER BY seq').all(done.id) as { kind: string; payload: string }[])
    expect(JSON.parse(kinds.find((k) => k.kind === 'sale.line-discounted')!.payload)).toMatchObject({ discountPpm: 100_000, discountMinor: 20, managerId: 'M1' })
    await till.app.receipts.kick()
    const receipt = decodeEscPos(readFileSync(join(till.dataDir, 'printer', 'receipt.escpos'))).lines.join('\n')
    expect(receipt).toMatch(/Discount\s+-0\.30/)
    expect(receipt).toMatch(/2\.89/)
  })
})
