// The cash session of a till (issue [D] point 1): open the day with a float, cash in and out, X at any time, Z to
// close. Each change is one synchronous db.transaction (STYLE.md §6) that writes its rows and the journal entry
// recording it. The drawer comes from ONE function, `computeDrawer`, and every other X/Z figure from
// `computeFigures` (which calls it); the Z is the X computed in the closing transaction plus the count, so an X and
// the Z that follows it can never drift apart.
//
// The period of a session is bounded by journal seqs: it holds what the journal recorded after the 'shift.opened'
// entry and up to the report's head (a sale belongs to the Z whose period holds its 'sale.completed' entry). Clock
// ties and a clock set back cannot move a sale across a Z.
//
// X reports are read only: nothing is written or journaled (an X changes no state; printing one, when the printer
// service does it, journals the print job like any other).
import type { CashMovementKind, CashMovementView, DenominationCountView, DrawerFigures, GrandTotalsFigures, PendingPaymentFigures, ShiftView, TaxFigures, TokenTenderFigures, ZFigures, ZReportSummary, ZReportView } from '../../shared/api/views'
import { denominationsOf, totalOfCounts } from '../../shared/cash/denominations'
import type { JsonValue } from '../../shared/canonical-json'
import type { Clock } from '../../shared/clock'
import { currencyExponent, formatMinorPlain } from '../../shared/money'
import { chainName } from '../../shared/payment/tokens'
import { formatMessage } from '../../shared/messages'
import { refuse, TillError } from '../../shared/result'
import { prepareCached, type Db } from '../ledger/db'
import { appendJournal } from '../ledger/journal'
import { aggregatesFromLedger, aggregatesFromTotals, cashTotals, startSessionTotals, type PeriodAggregates, type TenderTotals } from './session-totals'

/** The approval actions this service asks for (the lead adds them to approvals.ts's ApprovalAction). */
export type ShiftApprovalAction = 'shift.open' | 'shift.cash-move' | 'shift.close'

/** A cash count: one total, or notes and coins by face value (then the total is computed exactly). */
export type CashCount = { readonly totalMinor: number; readonly denominations?: undefined } | { readonly totalMinor?: undefined; readonly denominations: readonly DenominationCountView[] }

/** A cash_sessions row as stored (migration 0007). */
export interface SessionRow {
  id: string
  till_id: string
  status: 'open' | 'closed'
  currency: string
  opened_at: number
  opened_by: string
  open_seq: number
  float_minor: number
  float_denominations: string | null
  closed_at: number | null
  closed_by: string | null
  close_seq: number | null
  z_number: number | null
  counted_minor: number | null
  difference_minor: number | null
  grand_sales_minor: number | null
  grand_returns_minor: number | null
  z_hash: string | null
  figures: string | null
}

interface MovementRow {
  id: string
  number: number
  kind: CashMovementKind
  amount_minor: number
  reason: string
  approved_by: string | null
  sale_id: string | null
  at: number
}

// `+number`: ordered by the (till_id, number) index, SQLite walked every sale the till ever made looking for an open
// one (none, at a close: about 0.3 s CPU at 1,000,000 sales); this way it reads the partial index of open sales
// (sales_one_open_per_till: at most a sale and a refund) and sorts those.
const OPEN_SALE_SQL = "SELECT number FROM sales WHERE till_id = ? AND status = 'open' ORDER BY +number LIMIT 1"
const OPEN_SESSION_SQL = "SELECT * FROM cash_sessions WHERE till_id = ? AND status = 'open'"

/** The till's open session row, if any. */
function openSessionRow(db: Db, tillId: string): SessionRow | undefined {
  return prepareCached(db, OPEN_SESSION_SQL).get(tillId) as SessionRow | undefined
}

/** The id of the till's open cash session, or null. For guards elsewhere (e.g. refuse a currency change mid-day). */
export function openSessionId(db: Db, tillId: string): string | null {
  return openSessionRow(db, tillId)?.id ?? null
}

/**
 * Refuses to sell outside an open day. The sale service calls it when a sale starts (inside its transaction: it
 * only reads).
 */
export function assertSessionOpen(db: Db, tillId: string): void {
  if (!openSessionRow(db, tillId)) throw refuse('conflict', 'shift.day-not-open')
}

function journalHead(db: Db): { seq: number; hash: string } {
  const row = prepareCached(db, 'SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined
  // A till always has 'store.created' first; an empty journal cannot hold a sale or a session.
  if (!row) throw new TillError('conflict', 'The journal is empty: set up the store first.')
  return row
}

function movementView(row: MovementRow): CashMovementView {
  return { id: row.id, number: row.number, kind: row.kind, amountMinor: row.amount_minor, reason: row.reason, approvedBy: row.approved_by, saleId: row.sale_id, at: row.at }
}

function movementsOf(db: Db, sessionId: string): CashMovementView[] {
  return (prepareCached(db, 'SELECT * FROM cash_movements WHERE session_id = ? ORDER BY number').all(sessionId) as MovementRow[]).map(movementView)
}

function lastGrandTotals(db: Db, tillId: string): GrandTotalsFigures {
  const row = prepareCached(db, "SELECT grand_sales_minor, grand_returns_minor FROM cash_sessions WHERE till_id = ? AND status = 'closed' ORDER BY z_number DESC LIMIT 1").get(tillId) as
    | { grand_sales_minor: number; grand_returns_minor: number }
    | undefined
  const sales = row?.grand_sales_minor ?? 0
  const returns = row?.grand_returns_minor ?? 0
  return { salesMinor: sales, returnsMinor: returns, netMinor: sales - returns }
}

/** Stablecoin requests of this till that are still unconfirmed: money seen but not Paid, or goods released unverified. */
function pendingPayments(db: Db, tillId: string): PendingPaymentFigures[] {
  const rows = prepareCached(
    db,
    `SELECT r.id, r.sale_id, s.number AS sale_number, r.token_symbol, r.token_decimals, r.chain_id, r.amount_due, r.amount_minor,
            r.created_at, r.status, r.exception, r.released_at,
            (SELECT group_concat(l.value, ',') FROM chain_logs l WHERE l.payment_id = r.id) AS seen
       FROM payment_requests r JOIN sales s ON s.id = r.sale_id
      WHERE r.till_id = ?
        AND r.status <> 'Paid'
        -- Implied by the next line; written out so the planner takes the partial index payment_requests_pending (0015).
        AND (r.status IN ('New', 'Seen') OR r.released_at IS NOT NULL)
        AND ((r.status IN ('New', 'Seen') AND EXISTS (SELECT 1 FROM chain_logs l WHERE l.payment_id = r.id)) OR r.released_at IS NOT NULL)
      ORDER BY r.created_at, r.id`
  ).all(tillId) as {
    id: string
    sale_id: string
    sale_number: number
    token_symbol: string
    token_decimals: number
    chain_id: number
    amount_due: string
    amount_minor: number
    created_at: number
    status: string
    exception: string | null
    released_at: number | null
    seen: string | null
  }[]
  return rows.map((r) => ({
    paymentId: r.id,
    saleId: r.sale_id,
    saleNumber: r.sale_number,
    tokenSymbol: r.token_symbol,
    tokenDecimals: r.token_decimals,
    chainId: r.chain_id,
    chainName: chainName(r.chain_id),
    // Token values are base-unit decimal strings that overflow SQL integers (18 decimals): summed as bigint here.
    tokenUnits: (r.seen ? r.seen.split(',').reduce((sum, v) => sum + BigInt(v), 0n) : 0n).toString(),
    amountDueUnits: r.amount_due,
    amountMinor: r.amount_minor,
    requestedAt: r.created_at,
    state: r.status,
    exception: r.exception,
    releasedUnverified: r.released_at !== null
  }))
}

export interface FiguresEnd {
  /** The journal seq the period ends at (inclusive): the head when the report is made. */
  readonly seq: number
  readonly hash: string
  readonly at: number
}

export interface FiguresClose {
  readonly zNumber: number
  readonly closedBy: string
  readonly countedMinor: number
  readonly countedDenominations: readonly DenominationCountView[] | null
  readonly differenceReason: string | null
}

/**
 * THE drawer, for the X, the Z, the cash-out check and the open day's view alike:
 *   expected = float + cash sales (cash handed over − change given back) − cash refunds + cash in − cash out.
 * Cash refunds come from cash_movements (kind 'refund'), which the refund service writes through recordCashMovement.
 * Reads only: the session's running cash totals (one row) and its cash movements (a few a day). `cash` may be
 * passed when the caller already read the period's tenders (the reference, computeFiguresFromLedger).
 */
export function computeDrawer(db: Db, session: SessionRow, cash: TenderTotals = cashTotals(db, session.id)): { drawer: DrawerFigures; movements: CashMovementView[] } {
  const movements = movementsOf(db, session.id)
  const sum = (kind: CashMovementKind) => movements.filter((m) => m.kind === kind).reduce((total, m) => total + m.amountMinor, 0)
  const count = (kind: CashMovementKind) => movements.filter((m) => m.kind === kind).length
  const cashSales = cash.received - cash.change
  return {
    movements,
    drawer: {
      floatMinor: session.float_minor,
      cashReceivedMinor: cash.received,
      changeGivenMinor: cash.change,
      cashSalesMinor: cashSales,
      cashRefundsMinor: sum('refund'),
      cashRefundCount: count('refund'),
      cashInMinor: sum('cash-in'),
      cashInCount: count('cash-in'),
      cashOutMinor: sum('cash-out'),
      cashOutCount: count('cash-out'),
      expectedMinor: session.float_minor + cashSales - sum('refund') + sum('cash-in') - sum('cash-out'),
      countedMinor: null,
      countedDenominations: null,
      differenceMinor: null,
      differenceReason: null
    }
  }
}

/**
 * THE figures of a session up to the journal head `end` (an X), from its running totals (migration 0015): a few
 * rows whatever the day's size, so the X and the Z of a 1,000,000-sale day take milliseconds. The totals are kept at
 * the head, so `end` must be the head (the totals of an earlier moment are not kept): refused otherwise. The Z is
 * these figures with the count added (closeFigures), computed in the closing transaction, so an X and the Z after
 * it agree on every figure.
 */
export function computeFigures(db: Db, session: SessionRow, end: FiguresEnd): ZFigures {
  const head = journalHead(db)
  if (end.seq !== head.seq) throw new Error(`the running totals are at the journal head (${head.seq}), not at entry ${end.seq}: use computeFiguresFromLedger`)
  return figuresOf(db, session, end, aggregatesFromTotals(db, session.id))
}

/**
 * The reference: the same figures from the ledger itself, joining the period's journal range (open_seq, end] to
 * its sales, lines and tenders, as the X did before the running totals (seconds at 1,000,000 sales). For any
 * `end`; the property test and the totals check (session-totals.ts) hold computeFigures to it.
 */
export function computeFiguresFromLedger(db: Db, session: SessionRow, end: FiguresEnd): ZFigures {
  return figuresOf(db, session, end, aggregatesFromLedger(db, session, end.seq))
}

function figuresOf(db: Db, session: SessionRow, end: FiguresEnd, agg: PeriodAggregates): ZFigures {
  const sales = agg.sales
  // Returns: completed sales of kind 'refund' whose total is the positive amount given back. Their cash leaves the
  // drawer through cash_movements (kind 'refund'), not through their tenders.
  const returns = agg.returns
  // Tax per rate is what is owed: the sales' minus the returns' (refund sales' lines are the returned shares, as
  // positive amounts), as the exports book it (reports/settlement.ts computeZTotals, journal.ts Liabilities:Tax).
  const taxes: TaxFigures[] = agg.taxes.map(([taxRateId, name, ratePpm, salesTaxable, salesTax, , returnsTaxable, returnsTax]) => ({
    taxRateId,
    name,
    ratePpm,
    taxableMinor: salesTaxable - returnsTaxable,
    taxMinor: salesTax - returnsTax,
    salesTaxableMinor: salesTaxable,
    salesTaxMinor: salesTax,
    returnsTaxableMinor: returnsTaxable,
    returnsTaxMinor: returnsTax
  }))
  const tokens: TokenTenderFigures[] = agg.tokens.map(([token, chain, n, amount]) => {
    const symbol = token ?? 'unknown'
    const chainId = chain ?? 0
    return { key: `${symbol}:${chainId}`, tokenSymbol: symbol, chainId, chainName: chainId > 0 ? chainName(chainId) : 'unknown', paymentCount: n, amountMinor: amount }
  })
  const { cash, stablecoin: coin } = agg
  const { drawer, movements } = computeDrawer(db, session, cash)
  const pending = pendingPayments(db, session.till_id)
  const before = lastGrandTotals(db, session.till_id)
  const afterSales = before.salesMinor + sales.total
  const afterReturns = before.returnsMinor + returns.total
  return {
    report: 'X',
    tillId: session.till_id,
    sessionId: session.id,
    currency: session.currency,
    zNumber: null,
    periodStartMs: session.opened_at,
    periodEndMs: end.at,
    openedBy: session.opened_by,
    closedBy: null,
    salesCount: sales.n,
    salesTotalMinor: sales.total,
    discountsMinor: agg.taxes.reduce((total, r) => total + r[5], 0),
    returnsCount: returns.n,
    returnsMinor: returns.total,
    netSalesMinor: sales.total - returns.total,
    taxes,
    taxableMinor: taxes.reduce((total, t) => total + t.taxableMinor, 0),
    taxMinor: taxes.reduce((total, t) => total + t.taxMinor, 0),
    tenders: {
      cash: { count: cash.n, salesCount: cash.sales, amountMinor: cash.amount },
      stablecoin: { count: coin.n, salesCount: coin.sales, amountMinor: coin.amount, tokens }
    },
    drawer,
    movements,
    voids: { count: agg.voids.n, valueMinor: agg.voids.value },
    noSaleCount: agg.noSales,
    pending: { count: pending.length, amountMinor: pending.reduce((total, p) => total + p.amountMinor, 0), payments: pending },
    grandTotals: { before, after: { salesMinor: afterSales, returnsMinor: afterReturns, netMinor: afterSales - afterReturns } },
    journal: { headSeq: end.seq, headHash: end.hash }
  }
}

/** The Z: an X's figures with the count, the difference and the Z number. Pure. */
export function closeFigures(x: ZFigures, close: FiguresClose): ZFigures {
  return {
    ...x,
    report: 'Z',
    zNumber: close.zNumber,
    closedBy: close.closedBy,
    drawer: {
      ...x.drawer,
      countedMinor: close.countedMinor,
      countedDenominations: close.countedDenominations,
      differenceMinor: close.countedMinor - x.drawer.expectedMinor,
      differenceReason: close.differenceReason
    }
  }
}

function resolveCount(currency: string, count: CashCount, what: string): { totalMinor: number; denominations: readonly DenominationCountView[] | null } {
  if (count.denominations === undefined) {
    if (!Number.isSafeInteger(count.totalMinor) || count.totalMinor < 0) throw new TillError('invalid-input', `The ${what} is a whole, non-negative amount.`)
    return { totalMinor: count.totalMinor, denominations: null }
  }
  const result = totalOfCounts(currency, count.denominations)
  if (!result.ok) throw new TillError('invalid-input', result.message)
  return { totalMinor: result.totalMinor, denominations: result.counts }
}

function sessionView(db: Db, row: SessionRow): ShiftView {
  const { drawer, movements } = computeDrawer(db, row)
  return {
    sessionId: row.id,
    tillId: row.till_id,
    currency: row.currency,
    openedAt: row.opened_at,
    openedBy: row.opened_by,
    floatMinor: row.float_minor,
    floatDenominations: row.float_denominations ? (JSON.parse(row.float_denominations) as DenominationCountView[]) : null,
    movements,
    expectedCashMinor: drawer.expectedMinor,
    denominations: denominationsOf(row.currency)?.map((d) => d.valueMinor) ?? null
  }
}

function zView(row: SessionRow): ZReportView {
  if (row.status !== 'closed' || row.z_number === null || row.closed_at === null || row.z_hash === null || row.figures === null) {
    throw new Error(`session ${row.id} is not closed`)
  }
  return { zNumber: row.z_number, sessionId: row.id, closedAt: row.closed_at, hash: row.z_hash, figures: JSON.parse(row.figures) as ZFigures }
}

/** A closed Z's period as journal seqs, for the exports: the same sales, by the same rule, as the Z counted. */
export interface ZPeriod {
  readonly sessionId: string
  readonly tillId: string
  readonly zNumber: number
  /** The 'shift.opened' entry: the period starts after it. */
  readonly openSeq: number
  /** The 'shift.z-closed' entry: the period ends before it (at the head the Z recorded). */
  readonly closeSeq: number
  readonly openedAt: number
  readonly closedAt: number
}

/**
 * Where a Z's day lies in the journal. Its sales are those whose 'sale.completed' entry has openSeq < seq < closeSeq
 * on the till (the journal_kind_seq index serves that range), which is exactly what the Z counted.
 */
export function zPeriod(db: Db, tillId: string, zNumber: number): ZPeriod | null {
  const row = prepareCached(db, "SELECT * FROM cash_sessions WHERE till_id = ? AND z_number = ? AND status = 'closed'").get(tillId, zNumber) as SessionRow | undefined
  if (!row || row.close_seq === null || row.closed_at === null) return null
  return { sessionId: row.id, tillId: row.till_id, zNumber, openSeq: row.open_seq, closeSeq: row.close_seq, openedAt: row.opened_at, closedAt: row.closed_at }
}

export interface OpenSessionInput {
  readonly tillId: string
  readonly currency: string
  readonly float: CashCount
  /** The approving manager's id ('demo' for the demo store's own opening). */
  readonly openedBy: string
  readonly at: number
}

/** Opens a session; call inside the caller's transaction. Refuses a second open session on the till. */
function insertSession(db: Db, input: OpenSessionInput): SessionRow {
  if (openSessionRow(db, input.tillId)) throw new TillError('conflict', 'The day is already open on this till.', { reason: 'session-open' })
  const float = resolveCount(input.currency, input.float, 'opening float')
  const { n } = prepareCached(db, 'SELECT COUNT(*) AS n FROM cash_sessions WHERE till_id = ?').get(input.tillId) as { n: number }
  const id = `${input.tillId}-D${String(n + 1).padStart(6, '0')}`
  const entry = appendJournal(db, {
    at: input.at,
    tillId: input.tillId,
    kind: 'shift.opened',
    payload: { sessionId: id, currency: input.currency, floatMinor: float.totalMinor, floatDenominations: float.denominations as JsonValue | null, managerId: input.openedBy }
  })
  prepareCached(
    db,
    "INSERT INTO cash_sessions (id, till_id, status, currency, opened_at, opened_by, open_seq, float_minor, float_denominations) VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?)"
  ).run(id, input.tillId, input.currency, input.at, input.openedBy, entry.seq, float.totalMinor, float.denominations ? JSON.stringify(float.denominations) : null)
  startSessionTotals(db, id)
  return openSessionRow(db, input.tillId)!
}

export interface CashMovementInput {
  readonly tillId: string
  readonly kind: CashMovementKind
  readonly amountMinor: number
  readonly reason: string
  readonly approvedBy: string | null
  readonly saleId?: string | null
  readonly at: number
}

/**
 * Records cash going into or out of the drawer and journals it ('shift.cash-moved'); call inside the caller's
 * transaction. Refuses outside an open day, and refuses taking out more than the drawer should hold.
 * The refund service calls this with kind 'refund' for a cash refund, in the transaction that completes the refund.
 */
export function recordCashMovement(db: Db, input: CashMovementInput): CashMovementView {
  const session = openSessionRow(db, input.tillId)
  if (!session) throw new TillError('conflict', 'Open the day before moving cash in or out of the drawer.', { reason: 'no-open-session' })
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) throw new TillError('invalid-input', 'The amount must be more than zero.')
  const reason = input.reason.trim()
  if (reason.length === 0) throw new TillError('invalid-input', 'Say why the cash goes in or out.')
  if (input.kind !== 'cash-in') {
    const drawer = computeDrawer(db, session).drawer
    if (input.amountMinor > drawer.expectedMinor) {
      throw refuse('conflict', 'shift.drawer-short', { expectedMinor: drawer.expectedMinor, amountMinor: input.amountMinor, currency: session.currency })
    }
  }
  const { n } = prepareCached(db, 'SELECT COUNT(*) AS n FROM cash_movements WHERE session_id = ?').get(session.id) as { n: number }
  const number = n + 1
  const id = `${session.id}/M${number}`
  const entry = appendJournal(db, {
    at: input.at,
    tillId: input.tillId,
    kind: 'shift.cash-moved',
    saleId: input.saleId ?? null,
    payload: { sessionId: session.id, movementId: id, number, movement: input.kind, amountMinor: input.amountMinor, reason, managerId: input.approvedBy }
  })
  prepareCached(db, 'INSERT INTO cash_movements (id, session_id, till_id, number, kind, amount_minor, reason, approved_by, sale_id, at, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    id,
    session.id,
    input.tillId,
    number,
    input.kind,
    input.amountMinor,
    reason,
    input.approvedBy,
    input.saleId ?? null,
    input.at,
    entry.seq
  )
  return movementView(prepareCached(db, 'SELECT * FROM cash_movements WHERE id = ?').get(id) as MovementRow)
}

/** The demo store's float when it opens its own day, in major units of its currency (200.00 USD). */
export const DEMO_FLOAT_MAJOR = 200n

export interface DemoSessionDeps {
  readonly db: Db
  readonly clock: Clock
  readonly tillId: string
  readonly currency: string
  /** Whether the store is the demo store (store settings' `demo`). A real store never opens its own day. */
  readonly demo: boolean
}

/**
 * The demo store opens its day by itself, so a first sale just works. Does nothing for a real store or when a
 * day is open. Returns the open session's id, or null when none was opened and none is open.
 */
export function ensureDemoSession(deps: DemoSessionDeps): string | null {
  if (!deps.demo) return openSessionId(deps.db, deps.tillId)
  return deps.db.transaction(() => {
    const open = openSessionRow(deps.db, deps.tillId)
    if (open) return open.id
    const floatMinor = Number(DEMO_FLOAT_MAJOR * 10n ** BigInt(currencyExponent(deps.currency)))
    return insertSession(deps.db, { tillId: deps.tillId, currency: deps.currency, float: { totalMinor: floatMinor }, openedBy: 'demo', at: deps.clock.now() }).id
  }).immediate()
}

export interface SaleStartDeps {
  readonly db: Db
  readonly clock: Clock
  readonly store: { settings(): { readonly tillId: string; readonly currency: string; readonly demo: boolean } }
}

/**
 * The one call the sale service makes when a sale starts (in its transaction; nested, the demo opening becomes a
 * savepoint of it): the demo store opens its day by itself, a real store refuses to sell outside an open day.
 * Returns the id of the session opened for the demo, or null when none was opened (so the caller may emit
 * 'shift:changed' after its commit).
 */
export function assertCanSell(deps: SaleStartDeps): string | null {
  const { tillId, currency, demo } = deps.store.settings()
  if (openSessionRow(deps.db, tillId)) return null
  if (!demo) assertSessionOpen(deps.db, tillId)
  return ensureDemoSession({ db: deps.db, clock: deps.clock, tillId, currency, demo })
}

export interface ShiftServiceDeps {
  readonly db: Db
  readonly clock: Clock
  /** The store's settings, read at each call (the till id and currency). */
  readonly store: { settings(): { readonly tillId: string; readonly currency: string } }
  /**
   * Refuses closing the day by throwing (a TillError), e.g. IntegrityService.closeDayGuard while the ledger failed
   * its start-up check ([E] point 4). Checked by checkClose and close.
   */
  readonly closeGuard?: () => void
}

export interface CloseInput {
  readonly counted: CashCount
  readonly differenceReason?: string | null
}

/**
 * The service behind the api. Each write has a `check…` twin that refuses on the same grounds without writing, so
 * the api can refuse before a manager's PIN is asked for and journaled (approvals journal every grant).
 */
export class ShiftService {
  constructor(private readonly deps: ShiftServiceDeps) {}

  private get db(): Db {
    return this.deps.db
  }

  private tillId(): string {
    return this.deps.store.settings().tillId
  }

  current(): ShiftView | null {
    const row = openSessionRow(this.db, this.tillId())
    return row ? sessionView(this.db, row) : null
  }

  checkOpen(float: CashCount): void {
    if (openSessionRow(this.db, this.tillId())) throw new TillError('conflict', 'The day is already open on this till.', { reason: 'session-open' })
    resolveCount(this.deps.store.settings().currency, float, 'opening float')
  }

  open(float: CashCount, managerId: string): ShiftView {
    const { tillId, currency } = this.deps.store.settings()
    return this.db.transaction(() => sessionView(this.db, insertSession(this.db, { tillId, currency, float, openedBy: managerId, at: this.deps.clock.now() }))).immediate()
  }

  checkCashMove(direction: 'in' | 'out', amountMinor: number): void {
    const session = this.requireOpen()
    if (direction === 'out') {
      const expected = computeDrawer(this.db, session).drawer.expectedMinor
      if (amountMinor > expected) {
        throw refuse('conflict', 'shift.drawer-short', { expectedMinor: expected, amountMinor, currency: session.currency })
      }
    }
  }

  cashMove(direction: 'in' | 'out', amountMinor: number, reason: string, managerId: string): ShiftView {
    const tillId = this.tillId()
    return this.db.transaction(() => {
      recordCashMovement(this.db, { tillId, kind: direction === 'in' ? 'cash-in' : 'cash-out', amountMinor, reason, approvedBy: managerId, at: this.deps.clock.now() })
      return sessionView(this.db, this.requireOpen())
    }).immediate()
  }

  /** The X report: the open day's figures now. Reads only; nothing is written or journaled. */
  xReport(): ZFigures {
    const session = this.requireOpen()
    const head = journalHead(this.db)
    return computeFigures(this.db, session, { seq: head.seq, hash: head.hash, at: this.deps.clock.now() })
  }

  /** Refuses a close that would be refused, without writing: no open day, an open sale, a difference with no reason. */
  checkClose(input: CloseInput): void {
    this.deps.closeGuard?.()
    const session = this.requireOpen()
    this.closeRefusal(session, input, computeDrawer(this.db, session).drawer.expectedMinor)
  }

  /**
   * The Z: counts, checks, numbers and journals the day in one transaction. Final: the session row freezes (a
   * trigger) and the 'shift.z-closed' entry carries the figures, the Z number, the grand totals and the journal
   * head it was closed at.
   */
  close(input: CloseInput, managerId: string): ZReportView {
    this.deps.closeGuard?.()
    const tillId = this.tillId()
    const zNumber = this.db.transaction(() => {
      const session = this.requireOpen()
      const at = this.deps.clock.now()
      const head = journalHead(this.db)
      const x = computeFigures(this.db, session, { seq: head.seq, hash: head.hash, at })
      const { counted, reason } = this.closeRefusal(session, input, x.drawer.expectedMinor)
      // Gap-free Z numbering per till: the counter moves in the transaction that writes the Z.
      prepareCached(this.db, 'INSERT INTO z_counters (till_id, last_z_number) VALUES (?, 0) ON CONFLICT(till_id) DO NOTHING').run(tillId)
      prepareCached(this.db, 'UPDATE z_counters SET last_z_number = last_z_number + 1 WHERE till_id = ?').run(tillId)
      const { last_z_number: z } = prepareCached(this.db, 'SELECT last_z_number FROM z_counters WHERE till_id = ?').get(tillId) as { last_z_number: number }
      const figures = closeFigures(x, { zNumber: z, closedBy: managerId, countedMinor: counted.totalMinor, countedDenominations: counted.denominations, differenceReason: reason })
      // ZFigures holds only strings, safe integers, booleans, null and arrays of them; canonicalJson refuses anything else.
      const entry = appendJournal(this.db, { at, tillId, kind: 'shift.z-closed', payload: { sessionId: session.id, zNumber: z, figures: figures as unknown as JsonValue } })
      prepareCached(
        this.db,
        `UPDATE cash_sessions SET status = 'closed', closed_at = ?, closed_by = ?, close_seq = ?, z_number = ?, counted_minor = ?, counted_denominations = ?,
                expected_minor = ?, difference_minor = ?, difference_reason = ?, grand_sales_minor = ?, grand_returns_minor = ?, z_hash = ?, figures = ?
          WHERE id = ?`
      ).run(
        at,
        managerId,
        entry.seq,
        z,
        counted.totalMinor,
        counted.denominations ? JSON.stringify(counted.denominations) : null,
        figures.drawer.expectedMinor,
        figures.drawer.differenceMinor,
        reason,
        figures.grandTotals.after.salesMinor,
        figures.grandTotals.after.returnsMinor,
        entry.hash,
        JSON.stringify(figures),
        session.id
      )
      return z
    }).immediate()
    return this.zReport(zNumber)
  }

  zReports(limit: number): ZReportSummary[] {
    const rows = prepareCached(this.db, "SELECT * FROM cash_sessions WHERE till_id = ? AND status = 'closed' ORDER BY z_number DESC LIMIT ?").all(this.tillId(), limit) as SessionRow[]
    return rows.map((row) => {
      const z = zView(row)
      return {
        zNumber: z.zNumber,
        sessionId: z.sessionId,
        currency: row.currency,
        openedAt: row.opened_at,
        closedAt: z.closedAt,
        netSalesMinor: z.figures.netSalesMinor,
        differenceMinor: row.difference_minor ?? 0,
        grandTotalMinor: z.figures.grandTotals.after.netMinor,
        hash: z.hash
      }
    })
  }

  zReport(zNumber: number): ZReportView {
    const row = prepareCached(this.db, "SELECT * FROM cash_sessions WHERE till_id = ? AND z_number = ? AND status = 'closed'").get(this.tillId(), zNumber) as SessionRow | undefined
    if (!row) throw new TillError('not-found', `There is no Z number ${zNumber} on this till.`)
    return zView(row)
  }

  // ----- internals -----

  private requireOpen(): SessionRow {
    const row = openSessionRow(this.db, this.tillId())
    if (!row) throw new TillError('conflict', 'The day is not open on this till: open it with the opening float first.', { reason: 'no-open-session' })
    return row
  }

  private closeRefusal(
    session: SessionRow,
    input: CloseInput,
    expected: number
  ): { counted: { totalMinor: number; denominations: readonly DenominationCountView[] | null }; reason: string | null } {
    const openSale = prepareCached(this.db, OPEN_SALE_SQL).get(session.till_id) as { number: number } | undefined
    if (openSale) {
      // Worded by the page in its language (messages.ts); `reason` stays in the detail for callers that branch on it.
      const values = { saleNumber: openSale.number }
      throw new TillError('conflict', formatMessage('en', 'shift.sale-open', values), { reason: 'sale-open', ...values }, 'shift.sale-open')
    }
    const counted = resolveCount(session.currency, input.counted, 'counted cash')
    const difference = counted.totalMinor - expected
    const reason = input.differenceReason?.trim() ? input.differenceReason.trim() : null
    if (difference !== 0 && reason === null) {
      const amount = `${formatMinorPlain(Math.abs(difference), session.currency)} ${session.currency}`
      throw new TillError('invalid-input', `The counted cash is ${amount} ${difference < 0 ? 'short' : 'over'} (expected ${formatMinorPlain(expected, session.currency)}): say why before closing the day.`, {
        reason: 'difference-reason-required',
        expectedMinor: expected,
        countedMinor: counted.totalMinor,
        differenceMinor: difference
      })
    }
    return { counted, reason: difference === 0 ? null : reason }
  }
}

/**
 * The part of the exports' DaySettlement header a Z supplies (src/main/reports/settlement.ts on the exports branch;
 * same field names, so the lead can spread it in): the Z number, the period, the journal head, the drawer's float
 * and count, the grand totals before the day and the payments carried over. The store, business date, card fee and
 * the day's entries come from elsewhere.
 */
export function zSettlementHeader(z: ZReportView): {
  readonly zNumber: number
  readonly periodStartMs: number
  readonly periodEndMs: number
  readonly journal: { readonly headSeq: number; readonly headHash: string }
  readonly cash: { readonly floatMinor: number; readonly countedMinor: number; readonly differenceReason: string | null }
  readonly grandTotalsBefore: { readonly salesMinor: number; readonly returnsMinor: number }
  readonly pendingCarriedOver: readonly PendingPaymentFigures[]
} {
  const f = z.figures
  return {
    zNumber: z.zNumber,
    periodStartMs: f.periodStartMs,
    periodEndMs: f.periodEndMs,
    journal: f.journal,
    // A Z always has a count (closeFigures); the fallback only satisfies the type.
    cash: { floatMinor: f.drawer.floatMinor, countedMinor: f.drawer.countedMinor ?? 0, differenceReason: f.drawer.differenceReason },
    grandTotalsBefore: { salesMinor: f.grandTotals.before.salesMinor, returnsMinor: f.grandTotals.before.returnsMinor },
    pendingCarriedOver: f.pending.payments
  }
}
