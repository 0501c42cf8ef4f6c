// The cash session (issue [D] point 1) on a real ledger file with the demo catalog: open, sell, move cash, X, Z.
// Every figure is checked against sums the test computes itself from the sales, tenders and cash_movements tables.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { assertCanSell, assertSessionOpen, ensureDemoSession, recordCashMovement, ShiftService, zPeriod, zSettlementHeader } from '../../../src/main/services/shift'
import { totalOfCounts } from '../../../src/shared/cash/denominations'
import type { ShiftView, ZReportView } from '../../../src/shared/api/views'
import { TillError, type Result } from '../../../src/shared/result'
import { testTill, type TestTill } from '../../fixtures/till'
import { useTempKeyDir } from '../reports/ledger-day'

// A Z close signs with the till key (day-close.ts): in a temp folder, never the tester's home.
useTempKeyDir()

const COLA = '5901234123013' // 0.99, sales tax 8.25 %
const WATER = '5012345000015' // 1.29, groceries 2.25 %
const WATER_SIXPACK = '5012345000107'
const OJ = '4006381333016' // 3.49, groceries

let till: TestTill
let shift: ShiftService
beforeEach(() => {
  till = testTill()
  shift = new ShiftService({ db: till.app.db, clock: till.clock, store: till.app.store })
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

function journalCount(): number {
  return (till.app.db.prepare('SELECT COUNT(*) AS n FROM journal').get() as { n: number }).n
}

/** Sells the codes for cash, handing over `receivedMinor` (or the exact amount), and returns the completed sale. */
function cashSale(codes: readonly string[], receivedMinor?: number) {
  for (const code of codes) till.app.sales.scan(code, 'wedge')
  const due = till.app.sales.current()!.dueMinor
  till.clock.advance(1000)
  till.app.sales.tenderCash(receivedMinor ?? due)
  till.clock.advance(1000)
  return till.app.sales.complete()
}

/** The test's own sums over what the ledger holds for a set of sales: nothing shared with the service. */
function independentSums(saleIds: readonly string[]) {
  const db = till.app.db
  const marks = saleIds.map(() => '?').join(',')
  const sales = db.prepare(`SELECT COUNT(*) AS n, SUM(total_minor) AS total, SUM(tax_minor) AS tax FROM sales WHERE id IN (${marks}) AND status = 'completed'`).get(...saleIds) as { n: number; total: number; tax: number }
  const cash = db.prepare(`SELECT COUNT(*) AS n, SUM(amount_minor) AS applied, SUM(received_minor) AS received, SUM(change_minor) AS change FROM tenders WHERE kind = 'cash' AND sale_id IN (${marks})`).get(...saleIds) as {
    n: number
    applied: number
    received: number
    change: number
  }
  return { sales, cash }
}

const FLOAT_COUNT = [
  { valueMinor: 10000, count: 1 },
  { valueMinor: 2000, count: 2 },
  { valueMinor: 500, count: 2 },
  { valueMinor: 100, count: 5 },
  { valueMinor: 25, count: 8 },
  { valueMinor: 10, count: 10 },
  { valueMinor: 5, count: 4 },
  { valueMinor: 1, count: 10 },
  { valueMinor: 50, count: 0 }
]
// 100 + 2×20 + 2×5 + 5×1 + 8×0.25 + 10×0.10 + 4×0.05 + 10×0.01 = 158.30
const FLOAT_MINOR = 15830

describe('cash session on a real ledger file', () => {
  it('opens with a float by denominations, sells, moves cash, and closes a Z short by 0.35 with a reason', () => {
    const opened = shift.open({ denominations: FLOAT_COUNT }, 'M1')
    expect(opened.floatMinor).toBe(FLOAT_MINOR)
    expect(opened.floatDenominations).toEqual(FLOAT_COUNT.filter((c) => c.count > 0).sort((a, b) => a.valueMinor - b.valueMinor))
    expect(opened.expectedCashMinor).toBe(FLOAT_MINOR)
    expect(opened.denominations).toContain(10000)

    const sales = [
      cashSale([COLA, WATER], 2000), // change given
      cashSale([WATER_SIXPACK, OJ]), // exact
      cashSale([COLA, COLA, OJ], 5000)
    ]
    // A sale paid in two cash tenders: the first leaves something due, the second gives change.
    till.app.sales.scan(OJ, 'wedge')
    till.app.sales.scan(WATER, 'wedge')
    till.app.sales.tenderCash(100, true) // the cashier confirms the part payment
    till.app.sales.tenderCash(1000)
    sales.push(till.app.sales.complete())
    expect(sales[0]!.changeMinor).toBeGreaterThan(0)

    shift.cashMove('in', 5000, 'Change top-up from the safe', 'M1')
    const afterOut = shift.cashMove('out', 1250, 'Petty cash: milk for the staff room', 'M1')
    expect(afterOut.movements.map((m) => [m.number, m.kind, m.amountMinor, m.approvedBy])).toEqual([
      [1, 'cash-in', 5000, 'M1'],
      [2, 'cash-out', 1250, 'M1']
    ])

    // X twice: identical and read only (nothing written, nothing journaled).
    const entriesBefore = journalCount()
    const x1 = shift.xReport()
    const x2 = shift.xReport()
    expect(x2).toEqual(x1)
    expect(journalCount()).toBe(entriesBefore)
    expect(x1.report).toBe('X')
    expect(x1.zNumber).toBeNull()
    expect(x1.drawer.countedMinor).toBeNull()

    const sums = independentSums(sales.map((s) => s.id))
    const expectedDrawer = FLOAT_MINOR + (sums.cash.received - sums.cash.change) + 5000 - 1250
    expect(x1.salesCount).toBe(4)
    expect(x1.salesTotalMinor).toBe(sums.sales.total)
    expect(x1.taxMinor).toBe(sums.sales.tax)
    expect(x1.tenders.cash).toEqual({ count: sums.cash.n, salesCount: 4, amountMinor: sums.cash.applied })
    expect(x1.drawer).toMatchObject({ floatMinor: FLOAT_MINOR, cashReceivedMinor: sums.cash.received, changeGivenMinor: sums.cash.change, cashInMinor: 5000, cashOutMinor: 1250, expectedMinor: expectedDrawer })
    expect(shift.current()!.expectedCashMinor).toBe(expectedDrawer)

    // Z: counted 0.35 short, by denominations (the drawer expected minus 35 cents, counted as notes and coins).
    const counted = expectedDrawer - 35
    const noReason = refused(() => shift.close({ counted: { totalMinor: counted } }, 'M1'))
    expect(noReason.code).toBe('invalid-input')
    expect(noReason.message).toMatch(/0\.35 USD short/)
    expect(noReason.detail).toMatchObject({ differenceMinor: -35 })
    expect(shift.current()).not.toBeNull() // the refusal changed nothing

    const countedNotes = [
      { valueMinor: 1, count: counted % 100 },
      { valueMinor: 100, count: Math.floor(counted / 100) }
    ]
    expect(totalOfCounts('USD', countedNotes)).toMatchObject({ ok: true, totalMinor: counted })
    till.clock.advance(60_000)
    const z = shift.close({ counted: { denominations: countedNotes }, differenceReason: 'Change miscounted on a busy hour' }, 'M1')
    expect(z.zNumber).toBe(1)
    expect(z.figures).toMatchObject({ report: 'Z', zNumber: 1, closedBy: 'M1', salesCount: 4, salesTotalMinor: sums.sales.total, netSalesMinor: sums.sales.total, returnsMinor: 0 })
    expect(z.figures.drawer).toMatchObject({ expectedMinor: expectedDrawer, countedMinor: counted, differenceMinor: -35, differenceReason: 'Change miscounted on a busy hour' })
    expect(z.figures.grandTotals.before).toEqual({ salesMinor: 0, returnsMinor: 0, netMinor: 0 })
    expect(z.figures.grandTotals.after.netMinor).toBe(sums.sales.total)
    // The Z's figures are the X's figures plus the count (one function computes both).
    expect({ ...z.figures.drawer, countedMinor: null, countedDenominations: null, differenceMinor: null, differenceReason: null }).toEqual(x1.drawer)

    // The journal entry: its hash is the Z's, it chains right after the head the Z recorded, and it carries the figures.
    const entry = till.app.db.prepare("SELECT seq, prev_hash, hash, payload FROM journal WHERE kind = 'shift.z-closed'").get() as { seq: number; prev_hash: string; hash: string; payload: string }
    expect(entry.hash).toBe(z.hash)
    expect(entry.seq).toBe(z.figures.journal.headSeq + 1)
    expect(entry.prev_hash).toBe(z.figures.journal.headHash)
    expect(JSON.parse(entry.payload)).toMatchObject({ zNumber: 1, figures: { drawer: { differenceMinor: -35 }, grandTotals: { after: { netMinor: sums.sales.total } } } })

    expect(shift.current()).toBeNull()
    expect(shift.zReport(1)).toEqual(z)
    expect(zSettlementHeader(z)).toMatchObject({ zNumber: 1, cash: { floatMinor: FLOAT_MINOR, countedMinor: counted, differenceReason: 'Change miscounted on a busy hour' }, grandTotalsBefore: { salesMinor: 0, returnsMinor: 0 } })
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })

  it("a second day's Z has number 2 and its grand total is day 1 + day 2 net sales; the first Z is final", () => {
    shift.open({ totalMinor: 10000 }, 'M1')
    const day1 = [cashSale([COLA]), cashSale([OJ, WATER], 1000)]
    const z1 = shift.close({ counted: { totalMinor: shift.xReport().drawer.expectedMinor } }, 'M1')
    expect(z1.figures.drawer.differenceMinor).toBe(0)

    till.clock.advance(86_400_000)
    shift.open({ totalMinor: 10000 }, 'M1')
    const day2 = [cashSale([WATER_SIXPACK]), cashSale([COLA, COLA])]
    const xDay2 = shift.xReport()
    expect(xDay2.salesCount).toBe(2) // day 1's sales are not in day 2's period
    const z2 = shift.close({ counted: { totalMinor: xDay2.drawer.expectedMinor } }, 'M1')

    const net1 = independentSums(day1.map((s) => s.id)).sales.total
    const net2 = independentSums(day2.map((s) => s.id)).sales.total
    expect(z1.figures.netSalesMinor).toBe(net1)
    expect(z2.zNumber).toBe(2)
    expect(z2.figures.netSalesMinor).toBe(net2)
    expect(z2.figures.grandTotals.before.netMinor).toBe(net1)
    expect(z2.figures.grandTotals.after.netMinor).toBe(net1 + net2)
    // The exports find the same sales through the Z's journal range.
    const period2 = zPeriod(till.app.db, 'T1', 2)!
    expect(period2.closeSeq).toBe(z2.figures.journal.headSeq + 1)
    const inPeriod = till.app.db
      .prepare("SELECT sale_id FROM journal WHERE kind = 'sale.completed' AND seq > ? AND seq < ? AND till_id = 'T1' ORDER BY seq")
      .pluck()
      .all(period2.openSeq, period2.closeSeq)
    expect(inPeriod).toEqual(day2.map((s) => s.id))
    expect(zPeriod(till.app.db, 'T1', 3)).toBeNull()
    expect(shift.zReports(10).map((z) => [z.zNumber, z.netSalesMinor, z.grandTotalMinor])).toEqual([
      [2, net2, net1 + net2],
      [1, net1, net1]
    ])
    // A Z is final: the ledger itself refuses an edit.
    expect(() => till.app.db.prepare("UPDATE cash_sessions SET counted_minor = 0 WHERE z_number = 1").run()).toThrow(/a closed day \(its Z\) is final/)
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })

  it('a clock set back cannot move a sale across a Z: the period is the journal between opening and closing', () => {
    shift.open({ totalMinor: 0 }, 'M1')
    cashSale([COLA])
    const z1 = shift.close({ counted: { totalMinor: shift.xReport().drawer.expectedMinor } }, 'M1')
    till.clock.advance(-3_600_000) // the till's clock is corrected an hour back overnight
    shift.open({ totalMinor: 0 }, 'M1')
    const day2 = cashSale([OJ])
    const x = shift.xReport()
    expect(x.salesCount).toBe(1)
    expect(x.salesTotalMinor).toBe(day2.totalMinor)
    expect(x.periodStartMs).toBeLessThan(z1.closedAt)
    expect(shift.zReport(1)).toEqual(z1)
  })

  it('counts voids and no-sale openings, and tax per rate as the lines hold it', () => {
    shift.open({ totalMinor: 1000 }, 'M1')
    const sold = cashSale([COLA, WATER, OJ, COLA])
    till.app.sales.scan(OJ, 'wedge')
    const voided = till.app.sales.scan(WATER, 'wedge')
    till.app.sales.voidSale('M1', 'Customer left')
    till.app.receipts.noSale('M1')
    const x = shift.xReport()
    expect(x.voids).toEqual({ count: 1, valueMinor: voided.totalMinor })
    expect(x.noSaleCount).toBe(1)
    const perRate = till.app.db
      .prepare('SELECT tax_rate_id, SUM(amount_minor - discount_minor) AS taxable, SUM(tax_minor) AS tax FROM sale_lines WHERE sale_id = ? AND voided = 0 GROUP BY tax_rate_id ORDER BY tax_rate_id')
      .all(sold.id) as { tax_rate_id: string; taxable: number; tax: number }[]
    expect([...x.taxes].sort((a, b) => (a.taxRateId < b.taxRateId ? -1 : 1)).map((t) => ({ tax_rate_id: t.taxRateId, taxable: t.taxableMinor, tax: t.taxMinor }))).toEqual(perRate)
    expect(x.taxMinor).toBe(sold.taxMinor)
    expect(x.salesCount).toBe(1) // the voided sale is not a sale
  })

  it('refuses to close while a sale is open, and closes once it is completed', () => {
    shift.open({ totalMinor: 5000 }, 'M1')
    const open = till.app.sales.scan(COLA, 'wedge')
    const e = refused(() => shift.close({ counted: { totalMinor: 5000 } }, 'M1'))
    expect(e.code).toBe('conflict')
    expect(e.message).toBe(`Sale ${open.number} is still open: complete or void it before closing the day.`)
    expect(refused(() => shift.checkClose({ counted: { totalMinor: 5000 } })).message).toBe(e.message)
    till.app.sales.tenderCash(open.totalMinor)
    till.app.sales.complete()
    expect(shift.close({ counted: { totalMinor: 5000 + open.totalMinor } }, 'M1').zNumber).toBe(1)
  })

  it('refuses cash out beyond the drawer, a second opening, and anything but an opening outside a day', () => {
    expect(refused(() => shift.xReport()).message).toMatch(/not open/)
    expect(refused(() => shift.cashMove('in', 100, 'x', 'M1')).message).toMatch(/Open the day/)
    shift.open({ totalMinor: 2000 }, 'M1')
    expect(refused(() => shift.open({ totalMinor: 2000 }, 'M1')).message).toMatch(/already open/)
    const tooMuch = refused(() => shift.cashMove('out', 2001, 'Bank deposit', 'M1'))
    expect(tooMuch.code).toBe('conflict')
    expect(tooMuch.detail).toMatchObject({ expectedMinor: 2000 })
    expect(refused(() => shift.cashMove('in', 100, '   ', 'M1')).message).toMatch(/Say why/)
    expect(shift.cashMove('out', 2000, 'Bank deposit', 'M1').expectedCashMinor).toBe(0)
  })

  it('refuses a float by denominations the currency does not have, or counted in a total-only currency', () => {
    expect(refused(() => shift.open({ denominations: [{ valueMinor: 300, count: 1 }] }, 'M1')).message).toMatch(/no note or coin worth 300/)
    expect(refused(() => shift.open({ denominations: [{ valueMinor: 100, count: 1 }, { valueMinor: 100, count: 2 }] }, 'M1')).message).toMatch(/given twice/)
    expect(totalOfCounts('CHF', [{ valueMinor: 100, count: 1 }])).toMatchObject({ ok: false })
    expect(totalOfCounts('JPY', [{ valueMinor: 10000, count: 3 }, { valueMinor: 500, count: 1 }])).toEqual({ ok: true, totalMinor: 30500, counts: [{ valueMinor: 500, count: 1 }, { valueMinor: 10000, count: 3 }] })
    expect(shift.current()).toBeNull()
  })

  it('selling outside an open day can be refused; the demo store opens its day by itself', () => {
    const db = till.app.db
    expect(() => assertSessionOpen(db, 'T1')).toThrow(/Open the day before selling/)
    expect(ensureDemoSession({ db, clock: till.clock, tillId: 'T1', currency: 'USD', demo: false })).toBeNull()
    expect(shift.current()).toBeNull()
    const id = ensureDemoSession({ db, clock: till.clock, tillId: 'T1', currency: 'USD', demo: true })
    expect(id).toBe('T1-D000001')
    expect(ensureDemoSession({ db, clock: till.clock, tillId: 'T1', currency: 'USD', demo: true })).toBe(id) // idempotent
    expect(() => assertSessionOpen(db, 'T1')).not.toThrow()
    expect(shift.current()).toMatchObject({ openedBy: 'demo', floatMinor: 20000 })
    shift.close({ counted: { totalMinor: 20000 } }, 'M1')
    expect(() => assertSessionOpen(db, 'T1')).toThrow(TillError)

    // What the sale service calls when a sale starts, inside its own transaction.
    const realStore = { settings: () => ({ ...till.app.store.settings(), demo: false }) }
    const startSale = (store: typeof realStore) => db.transaction(() => assertCanSell({ db, clock: till.clock, store }))()
    expect(refused(() => startSale(realStore)).message).toMatch(/^Open the day before selling/)
    expect(shift.current()).toBeNull()
    expect(startSale(till.app.store)).toBe('T1-D000002') // the demo store (the fixture's) reopens its day at the next sale
    expect(startSale(till.app.store)).toBeNull()
    expect(startSale(realStore)).toBeNull()
  })

  it('a cash refund written through the refund hook leaves the drawer in the same figure', () => {
    shift.open({ totalMinor: 5000 }, 'M1')
    const sale = cashSale([OJ])
    const movement = db().transaction(() =>
      recordCashMovement(db(), { tillId: 'T1', kind: 'refund', amountMinor: sale.totalMinor, reason: 'Return of sale 1', approvedBy: 'M1', saleId: sale.id, at: till.clock.now() })
    )()
    expect(movement).toMatchObject({ kind: 'refund', number: 1, saleId: sale.id })
    const x = shift.xReport()
    expect(x.drawer).toMatchObject({ cashSalesMinor: sale.totalMinor, cashRefundsMinor: sale.totalMinor, cashRefundCount: 1, expectedMinor: 5000 })
  })

  it('lists unconfirmed stablecoin payments in the Z as carried over, and books stablecoin tenders per token', () => {
    shift.open({ totalMinor: 0 }, 'M1')
    // A sale whose goods a manager released before the chain confirmed (the tender is the watcher's to write; here
    // the stored facts are written as the payment service writes them).
    till.app.sales.scan(OJ, 'wedge')
    const open = till.app.sales.current()!
    till.app.sales.tenderStablecoin(open.id, open.totalMinor, {
      paymentId: 'PR-1', tokenSymbol: 'USDC', tokenAmount: '3.570000', chainId: 8453, chainName: 'Base', rate: '1', rateSource: 'peg', txHash: null, explorerTxUrl: null, unverified: true, exception: null
    })
    const sold = till.app.sales.complete()
    const now = till.clock.now()
    const request = (id: string, saleId: string, status: string, releasedAt: number | null) =>
      db().prepare(
        `INSERT INTO payment_requests (id, sale_id, till_id, chain_id, token_symbol, token_address, token_decimals, receive_address, scheme, tag_index,
           amount_due, amount_minimum, amount_minor, currency, rate, rate_source, rate_at, confirmation_kind, confirmations_required, created_at, expires_at, hold_until,
           status, updated_at, released_by, released_at)
         VALUES (?, ?, 'T1', 8453, 'USDC', ?, 6, ?, 'tag', 1, '3570000', '3570000', ?, 'USD', '1', 'peg', ?, 'blocks', 3, ?, ?, ?, ?, ?, ?, ?)`
      ).run(id, saleId, '0x' + '1'.repeat(40), '0x' + '2'.repeat(40), sold.totalMinor, now, now, now + 900_000, now + 1_800_000, status, now, releasedAt ? 'M1' : null, releasedAt)
    request('PR-1', sold.id, 'New', now)
    request('PR-2', sold.id, 'Paid', null) // settled: not carried over
    request('PR-3', sold.id, 'Seen', null)
    db().prepare(
      `INSERT INTO chain_logs (chain_id, tx_hash, log_index, block_number, block_hash, block_time, token_address, from_address, to_address, value, seen_at, payment_id, attributed)
       VALUES (8453, ?, 0, 100, ?, ?, ?, ?, ?, '1500000', ?, 'PR-3', 1)`
    ).run('0x' + 'a'.repeat(64), '0x' + 'b'.repeat(64), now, '0x' + '1'.repeat(40), '0x' + '3'.repeat(40), '0x' + '2'.repeat(40), now)

    const z = shift.close({ counted: { totalMinor: 0 } }, 'M1')
    expect(z.figures.pending.payments.map((p) => [p.paymentId, p.state, p.releasedUnverified, p.tokenUnits])).toEqual([
      ['PR-1', 'New', true, '0'],
      ['PR-3', 'Seen', false, '1500000']
    ])
    expect(z.figures.pending).toMatchObject({ count: 2, amountMinor: 2 * sold.totalMinor })
    expect(z.figures.tenders.stablecoin).toMatchObject({ count: 1, amountMinor: sold.totalMinor, tokens: [{ key: 'USDC:8453', chainName: 'Base', paymentCount: 1, amountMinor: sold.totalMinor }] })
    expect(z.figures.drawer.expectedMinor).toBe(0) // stablecoin takings never enter the drawer
  })
})

function db() {
  return till.app.db
}

describe('migration 0007-cash-sessions', () => {
  it('keeps one open day per till, refuses a closed day without its Z, and cash moves only in an open day', () => {
    const raw = db()
    const insert = raw.prepare("INSERT INTO cash_sessions (id, till_id, status, currency, opened_at, opened_by, open_seq, float_minor) VALUES (?, ?, 'open', 'USD', 1, 'M1', 1, 0)")
    insert.run('S1', 'T9')
    expect(() => insert.run('S2', 'T9')).toThrow(/UNIQUE constraint failed/)
    insert.run('S3', 'T8') // another till may be open at the same time
    expect(() => raw.prepare("UPDATE cash_sessions SET status = 'closed', closed_at = 2 WHERE id = 'S1'").run()).toThrow(/CHECK constraint failed/)
    expect(() => raw.prepare("INSERT INTO cash_sessions (id, till_id, status, currency, opened_at, opened_by, open_seq, float_minor) VALUES ('S4', 'T7', 'open', 'USD', 1, 'M1', 1, 1.5)").run()).toThrow(
      /cannot store REAL value in INTEGER column/
    )
    expect(() =>
      raw.prepare("INSERT INTO cash_movements (id, session_id, till_id, number, kind, amount_minor, reason, at, journal_seq) VALUES ('X', 'S1', 'T9', 1, 'cash-out', 0, 'r', 1, 1)").run()
    ).toThrow(/CHECK constraint failed/)
    expect(() => raw.prepare("DELETE FROM cash_sessions WHERE id = 'S1'").run()).toThrow(/never deleted/)
  })
})

describe('shift api calls through the registry (sender role, zod, manager PIN, Results)', () => {
  const PIN = '1234'
  const call = <T>(window: 'cashier' | 'backoffice' | 'display', name: string, payload: unknown) => till.app.registry.dispatch(window, name, payload) as Promise<Result<T>>
  const approvals = () => till.app.db.prepare("SELECT kind, payload FROM journal WHERE kind LIKE 'approval.%' ORDER BY seq").all() as { kind: string; payload: string }[]

  it('opens, moves cash from the cashier with a manager PIN, shows an X and closes a Z, with events to the windows', async () => {
    const pushed: (ShiftView | null)[] = []
    till.app.events.subscribe((event, payload) => {
      if (event === 'shift:changed') pushed.push(payload as ShiftView | null)
    })
    expect(await call('cashier', 'shift:open', { floatMinor: 10000, pin: PIN })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await call('backoffice', 'shift:open', { floatMinor: 10000, denominations: [{ valueMinor: 100, count: 1 }], pin: PIN })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringMatching(/one of the two/) }
    })
    expect(await call('backoffice', 'shift:open', { floatMinor: 10.5, pin: PIN })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect(await call('backoffice', 'shift:open', { floatMinor: 10000, pin: '9999' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/Wrong manager PIN/) } })
    expect(await call('cashier', 'shift:current', {})).toEqual({ ok: true, value: null })

    const opened = await call<ShiftView>('backoffice', 'shift:open', { denominations: [{ valueMinor: 2000, count: 5 }], pin: PIN })
    expect(opened).toMatchObject({ ok: true, value: { floatMinor: 10000, openedBy: 'M1' } })
    expect(pushed.at(-1)).toMatchObject({ floatMinor: 10000 })

    const sale = cashSale([COLA, OJ], 1000)
    expect(await call('display', 'shift:x-report', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await call('cashier', 'shift:cash-move', { direction: 'out', amountMinor: 500, reason: '', pin: PIN })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    const moved = await call<ShiftView>('cashier', 'shift:cash-move', { direction: 'out', amountMinor: 500, reason: 'Window cleaner', pin: PIN })
    expect(moved).toMatchObject({ ok: true, value: { expectedCashMinor: 10000 + sale.totalMinor - 500 } })
    expect(pushed.at(-1)).toMatchObject({ expectedCashMinor: 10000 + sale.totalMinor - 500 })

    const x = await call('cashier', 'shift:x-report', {})
    expect(x).toMatchObject({ ok: true, value: { report: 'X', salesCount: 1, drawer: { expectedMinor: 10000 + sale.totalMinor - 500 } } })

    // A refusal that does not depend on the PIN comes before it: no approval is journaled for a close that cannot happen.
    const grantsBefore = approvals().length
    expect(await call('backoffice', 'shift:close', { countedMinor: 1, pin: PIN })).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', detail: { reason: 'difference-reason-required', differenceMinor: 1 - (10000 + sale.totalMinor - 500) } }
    })
    expect(approvals().length).toBe(grantsBefore)

    const closed = await call<ZReportView>('backoffice', 'shift:close', { countedMinor: 10000 + sale.totalMinor - 500, pin: PIN })
    expect(closed).toMatchObject({ ok: true, value: { zNumber: 1, figures: { report: 'Z', drawer: { differenceMinor: 0, differenceReason: null } } } })
    expect(pushed.at(-1)).toBeNull()
    expect(approvals().map((a) => [a.kind, (JSON.parse(a.payload) as { action: string }).action])).toEqual([
      ['approval.refused', 'shift.open'],
      ['approval.granted', 'shift.open'],
      ['approval.granted', 'shift.cash-move'],
      ['approval.granted', 'shift.close']
    ])

    expect(await call('backoffice', 'shift:z-reports', {})).toMatchObject({ ok: true, value: [{ zNumber: 1, netSalesMinor: sale.totalMinor }] })
    // The close also reports what followed it (day-close.ts); the Z itself reads back the same.
    const { artifacts, ...z } = (closed as { ok: true; value: ZReportView }).value
    expect(artifacts).toMatchObject({ zNumber: 1, failures: [] })
    expect(await call('backoffice', 'shift:z-report', { zNumber: 1 })).toEqual({ ok: true, value: z })
    expect(await call('backoffice', 'shift:z-report', { zNumber: 2 })).toMatchObject({ ok: false, error: { code: 'not-found' } })
    expect(await call('cashier', 'shift:x-report', {})).toMatchObject({ ok: false, error: { code: 'conflict' } })
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })
})
