// The running totals of a cash session (migration 0015) against the reference: random days sold through the real
// services on a real ledger file (both tax modes and both roundings, three rates, line discounts, voided lines,
// voided sales, cash returns, cash and two tokens on two chains, split tenders, no-sales, cash in and out), with the
// X read from the totals compared figure for figure to the X computed from the journal at many points of the day,
// and the Z at the close. Then: an upgrade in the middle of a day backfills the open day, and a running total
// edited in the file is caught, naming the session, on this thread and on the worker.
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkSessionTotals, checkSessionTotalsOffThread, describeTotalsCheck } from '../../../src/main/services/session-totals'
import { closeFigures, computeFigures, computeFiguresFromLedger, ShiftService, type SessionRow } from '../../../src/main/services/shift'
import type { StablecoinTenderDetails, ZFigures } from '../../../src/shared/api/views'
import { TillError } from '../../../src/shared/result'
import { latestSchemaVersion } from '../../../src/main/ledger/db'
import { testTill, type TestTill } from '../../fixtures/till'
import { useTempKeyDir } from '../reports/ledger-day'

useTempKeyDir()

let till: TestTill
let shift: ShiftService
beforeEach(() => {
  till = testTill()
  shift = new ShiftService({ db: till.app.db, clock: till.clock, store: till.app.store })
})
afterEach(async () => {
  await till.cleanup()
})

/** mulberry32: a small seeded generator, so a failing day can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Three rates: std 8.25 % (P005 cola, P022 chocolate), food 2.25 % (P001, P003), zero (P042 newspaper); W001 by weight.
const UNIT_PRODUCTS = ['P001', 'P003', 'P005', 'P022', 'P042'] as const
const TOKENS = [
  { tokenSymbol: 'USDC', chainId: 8453, chainName: 'Base' },
  { tokenSymbol: 'USDC', chainId: 42161, chainName: 'Arbitrum One' },
  { tokenSymbol: 'USDT', chainId: 8453, chainName: 'Base' },
  { tokenSymbol: 'USDT', chainId: 42161, chainName: 'Arbitrum One' }
] as const

function openSession(): SessionRow {
  return till.app.db.prepare("SELECT * FROM cash_sessions WHERE till_id = 'T1' AND status = 'open'").get() as SessionRow
}

function head(): { seq: number; hash: string } {
  return till.app.db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string }
}

/** The X from the running totals and from the journal, at the same head and moment. */
function bothX(): { totals: ZFigures; ledger: ZFigures } {
  const session = openSession()
  const end = { ...head(), at: till.clock.now() }
  return { totals: computeFigures(till.app.db, session, end), ledger: computeFiguresFromLedger(till.app.db, session, end) }
}

interface DayStats {
  checks: number
  completed: string[]
}

/** One random day of `steps` operations through the services, comparing the X's two ways every few steps. */
function randomDay(next: () => number, steps: number): DayStats {
  const { sales, receipts, returns, store } = till.app
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!
  const stats: DayStats = { checks: 0, completed: [] }
  let payments = 0
  const fillSale = () => {
    const lines = 1 + Math.floor(next() * 4)
    for (let i = 0; i < lines; i++) {
      if (next() < 0.15) sales.addProduct('W001', 1, 150 + Math.floor(next() * 900))
      else sales.addProduct(pick(UNIT_PRODUCTS), 1 + Math.floor(next() * 3))
    }
    let view = sales.current()!
    if (next() < 0.3) view = sales.discountLine(pick(view.lines).id, pick([50_000, 100_000, 333_333]), 'M1')
    if (next() < 0.2 && view.lines.length > 1) view = sales.voidLine(pick(view.lines).id)
    return view
  }
  const stablecoin = (saleId: string, amountMinor: number) => {
    payments++
    const token = pick(TOKENS)
    const details: StablecoinTenderDetails = { paymentId: `PR-${till.clock.now()}-${payments}`, ...token, tokenAmount: (amountMinor / 100).toFixed(6), rate: '1', rateSource: 'peg', txHash: null, explorerTxUrl: null, unverified: false, exception: null }
    sales.tenderStablecoin(saleId, amountMinor, details)
  }
  for (let step = 0; step < steps; step++) {
    till.clock.advance(1000 + Math.floor(next() * 60_000))
    const r = next()
    if (r < 0.45) {
      const view = fillSale()
      const how = next()
      if (how < 0.5) sales.tenderCash(view.dueMinor + (next() < 0.5 ? 0 : Math.floor(next() * 2000)))
      else if (how < 0.8) stablecoin(view.id, view.dueMinor)
      else {
        const part = Math.max(1, Math.floor(view.dueMinor / 2))
        stablecoin(view.id, part)
        sales.tenderCash(view.dueMinor - part + Math.floor(next() * 500))
      }
      stats.completed.push(sales.complete().id)
    } else if (r < 0.53) {
      const view = fillSale()
      if (next() < 0.5) sales.tenderCash(Math.max(1, Math.floor(view.dueMinor / 3)), true)
      sales.voidSale('M1', 'Customer left')
    } else if (r < 0.58) {
      receipts.noSale('M1')
    } else if (r < 0.65) {
      shift.cashMove('in', 100 + Math.floor(next() * 5000), 'Change from the bank', 'M1')
    } else if (r < 0.7) {
      const expected = shift.current()!.expectedCashMinor
      if (expected > 1) shift.cashMove('out', 1 + Math.floor(next() * Math.min(expected, 3000)), 'Bank deposit', 'M1')
    } else if (r < 0.8 && stats.completed.length > 0) {
      const saleId = pick(stats.completed)
      const sale = sales.get(saleId)
      const line = pick(sale.lines.filter((l) => !l.voided))
      try {
        returns.cash(next() < 0.4 ? { saleId } : { saleId, lines: [{ lineId: line.id, quantity: 1 }] }, 'M1')
      } catch (e) {
        // Nothing left to return, more cash than the drawer holds, a stablecoin sale: refused, which is fine here.
        if (!(e instanceof TillError)) throw e
      }
    } else if (r < 0.88) {
      const s = store.settings()
      store.save({ ...s, taxMode: next() < 0.5 ? 'inclusive' : 'exclusive', taxRounding: next() < 0.5 ? 'per-line' : 'per-rate-total' })
    } else {
      const { totals, ledger } = bothX()
      expect(totals).toEqual(ledger)
      stats.checks++
    }
  }
  return stats
}

describe('running totals of a cash session', () => {
  it('give exactly the X and the Z the journal gives, at every X of random days in both tax modes', () => {
    const next = random(20261201)
    let tokensSeen = 0
    let returnsSeen = 0
    for (let day = 1; day <= 3; day++) {
      shift.open({ totalMinor: 10_000 }, 'M1')
      const stats = randomDay(next, 140)
      expect(stats.checks).toBeGreaterThan(5)
      // The Z: the reference X just before it, at the head the Z is closed at, with the same count.
      const { totals, ledger } = bothX()
      expect(totals).toEqual(ledger)
      const z = shift.close({ counted: { totalMinor: ledger.drawer.expectedMinor + 7 }, differenceReason: 'A coin found' }, 'M1')
      expect(z.figures).toEqual(closeFigures(ledger, { zNumber: day, closedBy: 'M1', countedMinor: ledger.drawer.expectedMinor + 7, countedDenominations: null, differenceReason: 'A coin found' }))
      expect(checkSessionTotals(till.app.db, z.sessionId)).toMatchObject({ ok: true, differences: [] })
      // Not a day of zeros: every kind of figure was exercised.
      expect(z.figures.salesCount).toBeGreaterThan(30)
      expect(z.figures.voids.count).toBeGreaterThan(0)
      expect(z.figures.noSaleCount).toBeGreaterThan(0)
      expect(z.figures.taxes.length).toBe(3)
      expect(z.figures.discountsMinor).toBeGreaterThan(0)
      tokensSeen = Math.max(tokensSeen, z.figures.tenders.stablecoin.tokens.length)
      returnsSeen += z.figures.returnsCount
    }
    expect(tokensSeen).toBe(4)
    expect(returnsSeen).toBeGreaterThan(0)
  })

  it('an X and a Z of a day read a few rows: no figure depends on the period once the totals are kept', () => {
    shift.open({ totalMinor: 5000 }, 'M1')
    randomDay(random(7), 40)
    const { totals } = bothX()
    // The totals cannot answer for an earlier head: only the reference can.
    const session = openSession()
    expect(() => computeFigures(till.app.db, session, { seq: head().seq - 1, hash: 'x', at: till.clock.now() })).toThrow(/journal head/)
    expect(shift.xReport()).toEqual({ ...totals, periodEndMs: till.clock.now() })
  })

  it('an upgrade in the middle of a day backfills the open day from the journal (0015)', () => {
    shift.open({ totalMinor: 5000 }, 'M1')
    randomDay(random(99), 60)
    const before = bothX().ledger
    const file = till.app.db.name
    void till.app.close()
    // The ledger as 0014 left it: no totals tables (nor 0016's and 0017's indexes).
    const raw = new Database(file)
    raw.exec('DROP TABLE session_totals; DROP TABLE session_tax_totals; DROP TABLE session_token_totals; DROP INDEX payment_requests_pending; DROP INDEX tenders_stablecoin; DROP INDEX payment_requests_hold; DROP INDEX payment_requests_live; DROP INDEX payment_requests_settled; DROP INDEX payment_requests_xpub; DROP INDEX chain_logs_unattributed; PRAGMA user_version = 14')
    raw.close()
    till.reopen()
    shift = new ShiftService({ db: till.app.db, clock: till.clock, store: till.app.store })
    expect(till.app.db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion())
    const { totals, ledger } = bothX()
    expect(ledger).toEqual(before)
    expect(totals).toEqual(ledger)
    // And the day goes on counting on top of the backfill.
    randomDay(random(100), 30)
    const after = bothX()
    expect(after.totals).toEqual(after.ledger)
  })

  it('a running total edited in the file is caught, naming the session, on this thread and on a worker', async () => {
    shift.open({ totalMinor: 5000 }, 'M1')
    randomDay(random(5), 50)
    const sessionId = openSession().id
    expect(checkSessionTotals(till.app.db, sessionId)).toMatchObject({ ok: true })
    expect((await checkSessionTotalsOffThread(till.app.db.name, sessionId)).ok).toBe(true)

    // Someone with the file adds a dollar to the day's sales and moves a cent of tax between rates.
    const raw = new Database(till.app.db.name)
    raw.prepare('UPDATE session_totals SET sales_minor = sales_minor + 100 WHERE session_id = ?').run(sessionId)
    raw.prepare("UPDATE session_tax_totals SET sales_tax_minor = sales_tax_minor + 1 WHERE session_id = ? AND tax_rate_id = 'std'").run(sessionId)
    raw.close()

    const here = checkSessionTotals(till.app.db, sessionId)
    expect(here.ok).toBe(false)
    expect(here.differences.map((d) => d.figure)).toEqual(['sales.total', 'taxes'])
    const message = describeTotalsCheck(here)
    expect(message).toContain(`cash session ${sessionId}`)
    expect(message).toMatch(/sales\.total is \d+ in the running totals but \d+ from the journal/)
    const there = await checkSessionTotalsOffThread(till.app.db.name, sessionId)
    // The same differences (the head may have moved on: the print queue journals its jobs in the background).
    expect(there).toMatchObject({ ok: false, sessionId, differences: here.differences })
    // The X shows what the totals say (that is what the check is for); the reference does not move.
    const { totals, ledger } = bothX()
    expect(totals.salesTotalMinor - ledger.salesTotalMinor).toBe(100)
  })
})
