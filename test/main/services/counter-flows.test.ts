// The sale service's answers to issue [R]'s dead ends and lost keys, on a real ledger file: quantity deltas, the
// confirmed part payment, a cash tender handed back, voids that record the money going back, and the look-up.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { computeFiguresFromLedger, ShiftService } from '../../../src/main/services/shift'
import { gtinCheckDigit } from '../../../src/shared/barcode'
import { TillError } from '../../../src/shared/result'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013' // 0.99
const SIXPACK = '5012345000107' // six sparkling waters

let till: TestTill
beforeEach(() => {
  till = testTill()
})
afterEach(async () => {
  await till.cleanup()
})

function refusal(fn: () => unknown): TillError {
  try {
    fn()
  } catch (e) {
    if (e instanceof TillError) return e
    throw e
  }
  throw new Error('expected a refusal')
}

const journal = (kind: string) => (till.app.db.prepare('SELECT payload FROM journal WHERE kind = ? ORDER BY seq').all(kind) as { payload: string }[]).map((r) => JSON.parse(r.payload) as Record<string, unknown>)

describe('counter flows', () => {
  it('quantity deltas add up whatever view they were sent from, and never take a line below 1', () => {
    const sales = till.app.sales
    const line = sales.scan(COLA, 'wedge').lines[0]!
    for (let i = 0; i < 30; i++) sales.changeQuantity(line.id, 1)
    expect(sales.changeQuantity(line.id, -5).lines[0]).toMatchObject({ quantity: 26, amountMinor: 26 * 99 })
    expect(refusal(() => sales.changeQuantity(line.id, -26))).toMatchObject({ code: 'invalid-input', key: 'sale.quantity-range', detail: { quantity: 0 } })
    expect(journal('sale.line-quantity-changed').at(-1)).toMatchObject({ from: 31, to: 26, how: 'delta' })
  })

  it('a quantity on the scan multiplies the pack; weighed and priced labels refuse one', () => {
    const sale = till.app.sales.scan(SIXPACK, 'manual', 2)
    expect(sale.lines[0]).toMatchObject({ quantity: 12 })
    const bananaLabel = '250401100755' // scale label: prefix 25, PLU 04011, 755 g
    expect(refusal(() => till.app.sales.scan(bananaLabel + gtinCheckDigit(bananaLabel), 'manual', 2))).toMatchObject({ key: 'sale.weighed-quantity' })
  })

  it('cash below the due is refused until confirmed as a part payment, and a cash tender can be handed back', () => {
    const sales = till.app.sales
    sales.scan(COLA, 'wedge')
    const due = sales.current()!.dueMinor
    expect(refusal(() => sales.tenderCash(50))).toMatchObject({ code: 'approval-required', key: 'sale.cash-below-due', detail: { receivedMinor: 50, dueMinor: due, currency: 'USD' } })
    expect(sales.current()!.tenders).toHaveLength(0)
    const part = sales.tenderCash(50, true)
    expect(part).toMatchObject({ paidMinor: 50, dueMinor: due - 50 })
    expect(refusal(() => sales.scan(COLA, 'wedge'))).toMatchObject({ key: 'sale.lines-locked' })
    const back = sales.returnTender(part.tenders[0]!.id, 'M1')
    expect(back).toMatchObject({ paidMinor: 0, dueMinor: due, tenders: [{ returned: true }] })
    expect(sales.scan(COLA, 'wedge').lines[0]!.quantity).toBe(2) // the lines can change again
    expect(refusal(() => sales.returnTender(part.tenders[0]!.id, 'M1'))).toMatchObject({ key: 'sale.tender-gone' })
    expect(journal('sale.tender-returned')).toEqual([{ tenderId: part.tenders[0]!.id, kind: 'cash', amountMinor: 50, handedBackMinor: 50, managerId: 'M1' }])
    // The returned tender no longer counts: completing needs the whole amount again.
    const shift = new ShiftService({ db: till.app.db, clock: till.app.clock, store: { settings: () => till.app.store.settings() } })
    const before = shift.xReport()
    sales.tenderCash(500)
    expect(sales.complete()).toMatchObject({ status: 'completed', paidMinor: 214, changeMinor: 286 }) // 1.98 + 0.16 tax
    // Nor does it in the drawer: the 0.50 went back to the customer, so the X expects only the 2.14 kept.
    const after = shift.xReport()
    expect(after.drawer.cashReceivedMinor - before.drawer.cashReceivedMinor).toBe(500)
    expect(after.drawer.expectedMinor - before.drawer.expectedMinor).toBe(214)
    expect(after.tenders.cash.amountMinor - before.tenders.cash.amountMinor).toBe(214)
    expect(after.tenders.cash.count - before.tenders.cash.count).toBe(1)
    // The running totals agree with the journal's own reckoning (the reference the Z is checked against).
    const session = till.app.db.prepare("SELECT * FROM cash_sessions WHERE status = 'open'").get() as Parameters<typeof computeFiguresFromLedger>[1]
    const head = till.app.db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string }
    const reference = computeFiguresFromLedger(till.app.db, session, { seq: head.seq, hash: head.hash, at: till.app.clock.now() })
    expect(reference.drawer).toEqual(after.drawer)
    expect(reference.tenders).toEqual(after.tenders)
    expect(() => till.app.db.prepare('DELETE FROM tender_returns').run()).toThrow(/never deleted/)
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })

  it('voiding a sale with money taken records cash handed back and a stablecoin refund owed', () => {
    const sales = till.app.sales
    const sale = sales.scan(COLA, 'wedge')
    sales.scan(COLA, 'wedge')
    sales.tenderCash(100, true)
    sales.tenderStablecoin(sale.id, 50, { paymentId: 'P9', tokenSymbol: 'USDC', tokenAmount: '0.500000', chainId: 31337, chainName: 'Demo chain (local)', rate: '1', rateSource: 'peg', txHash: null, explorerTxUrl: null, unverified: false, exception: null })
    const voided = sales.voidSale('M1', 'customer changed their mind')
    expect(voided).toMatchObject({ status: 'voided', paidMinor: 0 })
    expect(journal('sale.refund-owed')).toEqual([expect.objectContaining({ kind: 'stablecoin', amountMinor: 50, paymentId: 'P9', tokenAmount: '0.500000', managerId: 'M1' })])
    expect(journal('sale.voided').at(-1)).toMatchObject({ cashBackMinor: 100, refundOwedMinor: 50 })
  })

  it('the look-up finds PLUs by prefix and names anywhere in them, from indexes', () => {
    const catalog = till.app.catalog
    expect(catalog.search('0401', 5).map((h) => h.name)).toEqual(['Bananas'])
    expect(catalog.search('tea', 8).map((h) => h.name)).toEqual(expect.arrayContaining(['Green tea 500 ml', 'Oolong tea leaves 100 g']))
    expect(catalog.search('Cr', 5).map((h) => h.name)).toContain('Croissant')
    expect(catalog.search('"%_', 5)).toEqual([])
    const plan = till.app.db.prepare("EXPLAIN QUERY PLAN SELECT rowid FROM product_search WHERE product_search MATCH '\"tea\"'").all() as { detail: string }[]
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/VIRTUAL TABLE INDEX/)
    expect(till.app.sales.addProduct(catalog.search('0401', 1)[0]!.id, 1, 755).lines[0]).toMatchObject({ name: 'Bananas', weightGrams: 755, amountMinor: 173 })
    expect(refusal(() => till.app.sales.addProduct(catalog.search('0401', 1)[0]!.id, 1))).toMatchObject({ key: 'sale.weight-needed' })
  })
})
