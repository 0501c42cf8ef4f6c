// Returns and cash refunds (issue [D] point 2) through the api a cashier uses, on a real ledger file with the demo
// catalog: find the sale by its receipt code or by number and date, return it whole or per line, never more than
// was sold and paid, a manager's PIN for the cash, and the Z counting the returns with the drawer balanced.
// Every amount is checked against sums the test computes itself from the sale as sold.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { returnEntries } from '../../../src/main/services/returns'
import { ShiftService, zPeriod } from '../../../src/main/services/shift'
import type { ReturnableSaleView, ReturnQuoteView, ReturnView, SaleView } from '../../../src/shared/api/views'
import { saleReceiptCode } from '../../../src/shared/sale/receipt-code'
import type { Result } from '../../../src/shared/result'
import { decodedText, decodeEscPos } from '../../fixtures/escpos-decoder'
import { testTill, type TestTill } from '../../fixtures/till'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const COLA = '5901234123013' // 0.99, sales tax 8.25 %
const OJ = '4006381333016' // 3.49, groceries 2.25 %
const WATER = '5012345000015' // 1.29, groceries

let till: TestTill
let shift: ShiftService

beforeEach(() => {
  till = testTill({ timeZone: 'UTC' })
  shift = new ShiftService({ db: till.app.db, clock: till.clock, store: till.app.store })
  shift.open({ totalMinor: 10_000 }, 'M1')
})
afterEach(async () => {
  await till.cleanup()
})

async function call<T>(name: string, input: unknown): Promise<Result<T>> {
  return (await till.app.registry.dispatch('cashier', name, input)) as Result<T>
}

async function value<T>(name: string, input: unknown): Promise<T> {
  const result = await call<T>(name, input)
  if (!result.ok) throw new Error(`${name} refused: ${result.error.message}`)
  return result.value
}

function cashSale(codes: readonly string[], receivedMinor?: number): SaleView {
  for (const code of codes) till.app.sales.scan(code, 'wedge')
  till.clock.advance(1000)
  till.app.sales.tenderCash(receivedMinor ?? till.app.sales.current()!.dueMinor)
  till.clock.advance(1000)
  return till.app.sales.complete()
}

/** The test's own figure: what the customer paid for each line (net − discount, + tax in an exclusive store). */
function lineGross(sale: SaleView, lineId: string): number {
  const line = sale.lines.find((l) => l.id === lineId)!
  return line.grossMinor
}

function count(sql: string, ...params: unknown[]): number {
  return (till.app.db.prepare(sql).get(...params) as { n: number }).n
}

describe('returns with cash refunds', () => {
  it('returns a whole sale found by its receipt code: a manager PIN, the refund sale, the drawer and the Z', async () => {
    const sale = cashSale([COLA, OJ, OJ], 2000)
    const code = saleReceiptCode(sale.id, sale.journalHash!)
    const found = await value<ReturnableSaleView>('return:find', { code })
    expect(found).toMatchObject({ saleId: sale.id, number: sale.number, totalMinor: sale.totalMinor, paidMinor: sale.totalMinor, refundableMinor: sale.totalMinor })
    expect(found.lines.map((l) => [l.name, l.soldQuantity, l.returnableQuantity])).toEqual(sale.lines.map((l) => [l.name, l.quantity, l.quantity]))

    // Without a PIN the call is refused at the door; with a wrong one nothing is written but the refusal.
    expect(await call('return:cash', { saleId: sale.id })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    const wrong = await call('return:cash', { saleId: sale.id, pin: '9999' })
    expect(wrong).toMatchObject({ ok: false, error: { code: 'forbidden', key: 'approval.wrong-pin' } })
    expect(count('SELECT COUNT(*) AS n FROM returns')).toBe(0)
    expect(count("SELECT COUNT(*) AS n FROM cash_movements WHERE kind = 'refund'")).toBe(0)

    const drawerBefore = shift.current()!.expectedCashMinor
    const ret = await value<ReturnView>('return:cash', { saleId: sale.id, pin: '1234' })
    expect(ret).toMatchObject({ number: 1, method: 'cash', status: 'completed', amountMinor: sale.totalMinor, originalSaleId: sale.id, approvedBy: 'M1' })
    const refund = till.app.sales.get(ret.refundSaleId!)
    expect(refund).toMatchObject({ status: 'completed', number: sale.number + 1 })
    expect(till.app.db.prepare('SELECT kind, total_minor FROM sales WHERE id = ?').get(refund.id)).toEqual({ kind: 'refund', total_minor: sale.totalMinor })
    expect(refund.lines.map((l) => [l.productId, l.quantity])).toEqual(sale.lines.map((l) => [l.productId, l.quantity]))
    // The drawer paid it out, through the one cash-movement path the X and Z read.
    expect(shift.current()!.expectedCashMinor).toBe(drawerBefore - sale.totalMinor)
    expect(till.app.db.prepare("SELECT amount_minor, approved_by, sale_id FROM cash_movements WHERE kind = 'refund'").all()).toEqual([{ amount_minor: sale.totalMinor, approved_by: 'M1', sale_id: refund.id }])

    // Nothing is left to return: a second return of anything is refused.
    const again = await call('return:cash', { saleId: sale.id, lines: [{ lineId: sale.lines[0]!.id, quantity: 1 }], pin: '1234' })
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict', key: 'return.too-many', detail: { left: 0 } } })
    expect(await call('return:quote', { saleId: sale.id })).toMatchObject({ ok: false, error: { key: 'return.nothing-chosen' } })
    // A refund sale is not a sale to return.
    expect(await call('return:find', { code: saleReceiptCode(refund.id, refund.journalHash!) })).toMatchObject({ ok: false, error: { key: 'return.sale-not-returnable' } })

    // The Z: the return counted, net = sales − returns, and the drawer balances with the count.
    const x = shift.xReport()
    expect(x).toMatchObject({ salesCount: 1, salesTotalMinor: sale.totalMinor, returnsCount: 1, returnsMinor: sale.totalMinor, netSalesMinor: 0 })
    expect(x.drawer).toMatchObject({ cashRefundsMinor: sale.totalMinor, cashRefundCount: 1, expectedMinor: 10_000 })
    const z = shift.close({ counted: { totalMinor: 10_000 } }, 'M1')
    expect(z.figures.drawer.differenceMinor).toBe(0)
    expect(z.figures.grandTotals.after).toEqual({ salesMinor: sale.totalMinor, returnsMinor: sale.totalMinor, netMinor: 0 })

    // The exports' ReturnEntry for the Z's period: the same return, taxes adding up to what went back.
    const period = zPeriod(till.app.db, 'T1', 1)!
    const entries = returnEntries(till.app.db, 'T1', period.openSeq, period.closeSeq)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ kind: 'return', number: 1, originalSaleId: sale.id, originalSaleNumber: sale.number, grossMinor: sale.totalMinor, tenders: [{ kind: 'cash', amountMinor: sale.totalMinor }] })
    expect(entries[0]!.taxes.reduce((sum, t) => sum + t.netMinor + t.taxMinor, 0)).toBe(sale.totalMinor)
    expect(entries[0]!.taxes.reduce((sum, t) => sum + t.taxMinor, 0)).toBe(sale.taxMinor)
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })

  it('returns per line and quantity, never more than was sold, and the parts add up to the sale to the cent', async () => {
    // 3 × OJ at 3.49 with a 10 % discount (manager), tax 2.25 % on each share: shares of 3 do not divide evenly.
    till.app.sales.scan(OJ, 'wedge', 3)
    const ojLine = till.app.sales.current()!.lines[0]!
    till.app.sales.discountLine(ojLine.id, 100_000, 'M1')
    const sale = cashSale([COLA], 5000)
    const oj = sale.lines.find((l) => l.id === ojLine.id)!
    const cola = sale.lines.find((l) => l.id !== ojLine.id)!

    // By number and date: the wrong day finds nothing (a mistyped number must not find someone else's sale).
    const today = new Date(till.clock.now()).toISOString().slice(0, 10)
    expect(await call('return:find', { number: sale.number, date: '2020-01-01' })).toMatchObject({ ok: false, error: { code: 'not-found', key: 'return.sale-not-found' } })
    expect(await value<ReturnableSaleView>('return:find', { number: sale.number, date: today })).toMatchObject({ saleId: sale.id })
    // Or by the 12 characters printed after "Journal"; a code whose hash is not the sale's finds nothing.
    expect(await value<ReturnableSaleView>('return:find', { code: sale.journalHash!.slice(0, 12).toUpperCase() })).toMatchObject({ saleId: sale.id })
    expect(await call('return:find', { code: `S:${sale.id}:000000000000` })).toMatchObject({ ok: false, error: { key: 'return.sale-not-found' } })

    const quote1 = await value<ReturnQuoteView>('return:quote', { saleId: sale.id, lines: [{ lineId: oj.id, quantity: 2 }] })
    const ojGross = lineGross(sale, oj.id)
    // The share of 2 of 3, by the rounding rule, of each of the line's amounts.
    const share = (x: number, n: number) => Math.round((x * n) / 3)
    const two = share(oj.amountMinor, 2) - share(oj.discountMinor, 2) + share(oj.taxMinor, 2)
    expect(quote1).toMatchObject({ amountMinor: two, completesSale: false })

    const r1 = await value<ReturnView>('return:cash', { saleId: sale.id, lines: [{ lineId: oj.id, quantity: 2 }], pin: '1234' })
    expect(r1.amountMinor).toBe(two)
    // Two more OJ: only one is left.
    const tooMany = await call('return:cash', { saleId: sale.id, lines: [{ lineId: oj.id, quantity: 2 }], pin: '1234' })
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'conflict', key: 'return.too-many', detail: { quantity: 2, left: 1, sold: 3 } } })
    expect(count('SELECT COUNT(*) AS n FROM returns')).toBe(1)

    const found = await value<ReturnableSaleView>('return:find', { code: saleReceiptCode(sale.id, sale.journalHash!) })
    expect(found.lines.map((l) => [l.lineId, l.returnedQuantity, l.returnableQuantity])).toEqual([
      [oj.id, 2, 1],
      [cola.id, 0, 1]
    ])
    expect(found.refundableMinor).toBe(sale.totalMinor - two)

    // The rest, whole: the last OJ and the cola. Everything returned gives back exactly what was paid.
    const r2 = await value<ReturnView>('return:cash', { saleId: sale.id, pin: '1234' })
    expect(r2.amountMinor).toBe(ojGross - two + lineGross(sale, cola.id))
    expect(r1.amountMinor + r2.amountMinor).toBe(sale.totalMinor)
    expect(r2.lines.map((l) => [l.lineId, l.quantity])).toEqual([
      [oj.id, 1],
      [cola.id, 1]
    ])
    expect(shift.xReport()).toMatchObject({ returnsCount: 2, returnsMinor: sale.totalMinor, netSalesMinor: 0, drawer: { expectedMinor: 10_000 } })
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })

  it('refuses a cash refund the drawer cannot pay, rolling the whole return back; a smaller one it can pay goes', async () => {
    const sale = cashSale([OJ, OJ, WATER])
    shift.cashMove('out', 10_000 + sale.totalMinor - 200, 'Safe drop', 'M1') // 2.00 left in the drawer
    const refused = await call('return:cash', { saleId: sale.id, pin: '1234' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', detail: { expectedMinor: 200 } } })
    // The whole return rolled back with the movement: no return, no refund sale, the lines still returnable.
    expect(count('SELECT COUNT(*) AS n FROM returns')).toBe(0)
    expect(count("SELECT COUNT(*) AS n FROM sales WHERE kind = 'refund'")).toBe(0)
    expect(count('SELECT COUNT(*) AS n FROM return_counters')).toBe(0)
    const water = sale.lines.find((l) => l.quantity === 1 && l.name.length > 0 && l.unitPriceMinor === 129)!
    const small = await value<ReturnView>('return:cash', { saleId: sale.id, lines: [{ lineId: water.id, quantity: 1 }], pin: '1234' })
    expect(small).toMatchObject({ number: 1, amountMinor: water.grossMinor })
  })

  it('refuses a cash refund outside an open day', async () => {
    const sale = cashSale([COLA])
    shift.close({ counted: { totalMinor: shift.xReport().drawer.expectedMinor } }, 'M1')
    expect(await call('return:cash', { saleId: sale.id, pin: '1234' })).toMatchObject({ ok: false, error: { code: 'conflict', detail: { reason: 'no-open-session' } } })
    expect(count('SELECT COUNT(*) AS n FROM returns')).toBe(0)
  })

  it('prints a return receipt marked as such, and sale receipts carry the QR a return scans', async () => {
    const sale = cashSale([COLA, WATER], 1000)
    const ret = await value<ReturnView>('return:cash', { saleId: sale.id, lines: [{ lineId: sale.lines[1]!.id, quantity: 1 }], pin: '1234' })
    // Both jobs go out to the virtual printer's byte file, in order: the sale's receipt, then the return's.
    await till.app.receipts.kick()
    await till.app.receipts.kick()
    const decoded = decodeEscPos(readFileSync(join(till.dataDir, 'printer', 'receipt.escpos')))
    const text = decodedText(decoded)
    expect(decoded.qrCodes.map((q) => q.payload)).toContain(saleReceiptCode(sale.id, sale.journalHash!))
    const returnAt = text.indexOf('RETURN')
    expect(text.indexOf(`Sale #${sale.number}`)).toBeGreaterThanOrEqual(0)
    expect(returnAt).toBeGreaterThan(text.indexOf(`Sale #${sale.number}`))
    const texts = [text.slice(returnAt)]
    const returnIndex = 0
    expect(texts[returnIndex]).toContain(`Return 1 of sale #${sale.number}`)
    expect(texts[returnIndex]).toMatch(new RegExp(`REFUNDED USD +${(ret.amountMinor / 100).toFixed(2)}`))
    expect(texts[returnIndex]).toMatch(/Cash refunded +1\.32/)
  })
})
