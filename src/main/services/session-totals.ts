// The running totals of a cash session (migration 0015, issue [D]): what the X and the Z aggregate, kept as a
// till keeps its accumulators, in the same transaction that journals what they count. A sale belongs to the Z whose
// period holds its 'sale.completed' entry, so the totals counted are those of the session open when that entry is
// written; an entry written with no day open belongs to no Z, and counts nowhere (as the journal range says).
//
// Two sources give the same PeriodAggregates: the totals (a few rows: what the X and the Z read) and the ledger
// (the join of the period's journal range to its sales, lines and tenders, which the X ran until 0015: kept as the
// reference). checkSessionTotals compares them at one journal head, on this thread or, for a big day, on a worker
// with its own read-only connection, so the till's thread is never held by the day's size.
import { Worker } from 'node:worker_threads'
import { prepareCached, type Db } from '../ledger/db'

export interface KindTotals {
  readonly n: number
  readonly total: number
}

export interface TenderTotals {
  readonly n: number
  /** Distinct sales paid (at least partly) with this kind of tender. */
  readonly sales: number
  readonly amount: number
  readonly received: number
  readonly change: number
}

export type TaxAggregate = readonly [taxRateId: string, name: string, ratePpm: number, salesTaxable: number, salesTax: number, discount: number, returnsTaxable: number, returnsTax: number]
export type TokenAggregate = readonly [token: string | null, chainId: number | null, n: number, amount: number]

/** Everything the X and the Z sum over a period (shift.ts builds ZFigures from it). Plain data: compared as JSON. */
export interface PeriodAggregates {
  readonly sales: KindTotals
  readonly returns: KindTotals
  /** Ordered by rate, then id (as the Z lists them). */
  readonly taxes: readonly TaxAggregate[]
  /** Ordered by token, then chain. */
  readonly tokens: readonly TokenAggregate[]
  readonly voids: { readonly n: number; readonly value: number }
  readonly noSales: number
  readonly cash: TenderTotals
  readonly stablecoin: TenderTotals
}

const NO_TENDERS: TenderTotals = { n: 0, sales: 0, amount: 0, received: 0, change: 0 }

// ----- kept in the services' transactions -----

const OPEN_SESSION_ID_SQL = "SELECT id FROM cash_sessions WHERE till_id = ? AND status = 'open'"

function openSessionOf(db: Db, tillId: string): string | undefined {
  return (prepareCached(db, OPEN_SESSION_ID_SQL).get(tillId) as { id: string } | undefined)?.id
}

/** The session's zero totals; shift.ts calls it in the transaction that opens the session. */
export function startSessionTotals(db: Db, sessionId: string): void {
  prepareCached(db, 'INSERT INTO session_totals (session_id) VALUES (?)').run(sessionId)
}

function bump(db: Db, sql: string, ...params: unknown[]): void {
  // The row is written when the session opens (or by 0015 for a day open at the upgrade): its absence is a bug,
  // and a sale that cannot be counted must not commit uncounted.
  if (prepareCached(db, sql).run(...params).changes !== 1) throw new Error(`session totals: no row for session ${String(params[params.length - 1])}`)
}

/**
 * Counts a completed sale (kind 'sale' or 'refund') in the till's open session. Call in the transaction that
 * journals its 'sale.completed' entry, once its lines and tenders are final. The same expressions as the ledger's
 * (aggregatesFromLedger), one sale at a time.
 */
export function countCompletedSale(db: Db, tillId: string, saleId: string): void {
  const sessionId = openSessionOf(db, tillId)
  if (sessionId === undefined) return
  const sale = prepareCached(db, 'SELECT kind, total_minor, tax_mode FROM sales WHERE id = ?').get(saleId) as { kind: 'sale' | 'refund'; total_minor: number | null; tax_mode: 'inclusive' | 'exclusive' }
  const isSale = sale.kind === 'sale'
  // Per rate, as the Z groups them; a rate appears once any line not voided carries it (even at zero).
  const rates = new Map<string, { id: string; ppm: number; taxable: number; tax: number; discount: number }>()
  const lines = prepareCached(db, 'SELECT tax_rate_id, tax_rate_ppm, amount_minor, discount_minor, tax_minor FROM sale_lines WHERE sale_id = ? AND voided = 0').all(saleId) as {
    tax_rate_id: string
    tax_rate_ppm: number
    amount_minor: number
    discount_minor: number
    tax_minor: number
  }[]
  for (const l of lines) {
    const key = `${l.tax_rate_id}\u0000${l.tax_rate_ppm}`
    const rate = rates.get(key) ?? { id: l.tax_rate_id, ppm: l.tax_rate_ppm, taxable: 0, tax: 0, discount: 0 }
    rate.taxable += sale.tax_mode === 'inclusive' ? l.amount_minor - l.discount_minor - l.tax_minor : l.amount_minor - l.discount_minor
    rate.tax += l.tax_minor
    rate.discount += l.discount_minor
    rates.set(key, rate)
  }
  for (const r of rates.values()) {
    prepareCached(
      db,
      `INSERT INTO session_tax_totals (session_id, tax_rate_id, tax_rate_ppm, sales_taxable_minor, sales_tax_minor, discount_minor, returns_taxable_minor, returns_tax_minor)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_id, tax_rate_id, tax_rate_ppm) DO UPDATE SET
         sales_taxable_minor = sales_taxable_minor + excluded.sales_taxable_minor, sales_tax_minor = sales_tax_minor + excluded.sales_tax_minor,
         discount_minor = discount_minor + excluded.discount_minor,
         returns_taxable_minor = returns_taxable_minor + excluded.returns_taxable_minor, returns_tax_minor = returns_tax_minor + excluded.returns_tax_minor`
    ).run(sessionId, r.id, r.ppm, isSale ? r.taxable : 0, isSale ? r.tax : 0, isSale ? r.discount : 0, isSale ? 0 : r.taxable, isSale ? 0 : r.tax)
  }
  const total = sale.total_minor ?? 0
  if (!isSale) {
    // A refund's tenders are what went back: its cash leaves through cash_movements (kind 'refund'), so the Z
    // counts only sales' tenders.
    bump(db, 'UPDATE session_totals SET returns_count = returns_count + 1, returns_minor = returns_minor + ? WHERE session_id = ?', total, sessionId)
    return
  }
  const cash = { n: 0, amount: 0, received: 0, change: 0 }
  const coin = { n: 0, amount: 0 }
  const tenders = prepareCached(db, "SELECT kind, amount_minor, received_minor, change_minor, json_extract(details, '$.tokenSymbol') AS token, json_extract(details, '$.chainId') AS chain_id FROM tenders t WHERE t.sale_id = ? AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id)").all(saleId) as {
    kind: 'cash' | 'stablecoin'
    amount_minor: number
    received_minor: number | null
    change_minor: number | null
    token: string | null
    chain_id: number | null
  }[]
  for (const t of tenders) {
    if (t.kind === 'cash') {
      cash.n++
      cash.amount += t.amount_minor
      cash.received += t.received_minor ?? t.amount_minor
      cash.change += t.change_minor ?? 0
    } else {
      coin.n++
      coin.amount += t.amount_minor
      prepareCached(
        db,
        `INSERT INTO session_token_totals (session_id, token_symbol, chain_id, count, amount_minor) VALUES (?, ?, ?, 1, ?)
         ON CONFLICT (session_id, token_symbol, chain_id) DO UPDATE SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor`
      ).run(sessionId, t.token ?? 'unknown', t.chain_id ?? 0, t.amount_minor)
    }
  }
  bump(
    db,
    `UPDATE session_totals SET sales_count = sales_count + 1, sales_minor = sales_minor + ?,
            cash_count = cash_count + ?, cash_sales = cash_sales + ?, cash_amount_minor = cash_amount_minor + ?, cash_received_minor = cash_received_minor + ?, cash_change_minor = cash_change_minor + ?,
            coin_count = coin_count + ?, coin_sales = coin_sales + ?, coin_amount_minor = coin_amount_minor + ?
      WHERE session_id = ?`,
    total,
    cash.n,
    cash.n > 0 ? 1 : 0,
    cash.amount,
    cash.received,
    cash.change,
    coin.n,
    coin.n > 0 ? 1 : 0,
    coin.amount,
    sessionId
  )
}

/** Counts a voided sale (its lines not voided, at their gross) in the open session; call beside its 'sale.voided' entry. */
export function countVoidedSale(db: Db, tillId: string, saleId: string): void {
  const sessionId = openSessionOf(db, tillId)
  if (sessionId === undefined) return
  const { value } = prepareCached(
    db,
    `SELECT COALESCE(SUM(l.amount_minor - l.discount_minor + CASE WHEN s.tax_mode = 'exclusive' THEN l.tax_minor ELSE 0 END), 0) AS value
       FROM sales s JOIN sale_lines l ON l.sale_id = s.id WHERE s.id = ? AND l.voided = 0`
  ).get(saleId) as { value: number }
  bump(db, 'UPDATE session_totals SET voids_count = voids_count + 1, voids_minor = voids_minor + ? WHERE session_id = ?', value, sessionId)
}

/** Counts a "no sale" drawer opening in the open session; call beside its 'drawer.no-sale' entry. */
export function countNoSale(db: Db, tillId: string): void {
  const sessionId = openSessionOf(db, tillId)
  if (sessionId === undefined) return
  bump(db, 'UPDATE session_totals SET no_sales_count = no_sales_count + 1 WHERE session_id = ?', sessionId)
}

// ----- read: the totals -----

/** The statements that read a session's totals (bound to the session id), in the order aggregatesOfTotalsRows takes them. */
export const TOTALS_SQL = [
  'SELECT * FROM session_totals WHERE session_id = ?',
  `SELECT x.tax_rate_id, COALESCE(t.name, x.tax_rate_id) AS name, x.tax_rate_ppm, x.sales_taxable_minor, x.sales_tax_minor, x.discount_minor, x.returns_taxable_minor, x.returns_tax_minor
     FROM session_tax_totals x LEFT JOIN tax_rates t ON t.id = x.tax_rate_id WHERE x.session_id = ? ORDER BY x.tax_rate_ppm, x.tax_rate_id`,
  'SELECT token_symbol, chain_id, count, amount_minor FROM session_token_totals WHERE session_id = ? ORDER BY token_symbol, chain_id'
] as const

interface TotalsRow {
  sales_count: number
  sales_minor: number
  returns_count: number
  returns_minor: number
  voids_count: number
  voids_minor: number
  no_sales_count: number
  cash_count: number
  cash_sales: number
  cash_amount_minor: number
  cash_received_minor: number
  cash_change_minor: number
  coin_count: number
  coin_sales: number
  coin_amount_minor: number
}

function aggregatesOfTotalsRows(sessionId: string, rows: readonly unknown[][]): PeriodAggregates {
  const t = rows[0]![0] as TotalsRow | undefined
  if (!t) throw new Error(`session ${sessionId} has no running totals`)
  return {
    sales: { n: t.sales_count, total: t.sales_minor },
    returns: { n: t.returns_count, total: t.returns_minor },
    taxes: (rows[1] as Record<string, number | string>[]).map((r) => Object.values(r) as unknown as TaxAggregate),
    tokens: (rows[2] as Record<string, number | string>[]).map((r) => Object.values(r) as unknown as TokenAggregate),
    voids: { n: t.voids_count, value: t.voids_minor },
    noSales: t.no_sales_count,
    cash: { n: t.cash_count, sales: t.cash_sales, amount: t.cash_amount_minor, received: t.cash_received_minor, change: t.cash_change_minor },
    // The ledger's SQL sums no received or change for stablecoin tenders the Z shows; the drawer reads only cash's.
    stablecoin: { n: t.coin_count, sales: t.coin_sales, amount: t.coin_amount_minor, received: t.coin_amount_minor, change: 0 }
  }
}

/** The session's running totals: three reads of a few rows, whatever the day's size. */
export function aggregatesFromTotals(db: Db, sessionId: string): PeriodAggregates {
  return aggregatesOfTotalsRows(sessionId, TOTALS_SQL.map((sql) => prepareCached(db, sql).all(sessionId)))
}

/** Just the cash tenders' totals (the drawer's part), one row. */
export function cashTotals(db: Db, sessionId: string): TenderTotals {
  const row = prepareCached(db, 'SELECT cash_count AS n, cash_sales AS sales, cash_amount_minor AS amount, cash_received_minor AS received, cash_change_minor AS change FROM session_totals WHERE session_id = ?').get(sessionId) as
    | TenderTotals
    | undefined
  if (!row) throw new Error(`session ${sessionId} has no running totals`)
  return row
}

// ----- read: the ledger (the reference) -----

/**
 * The reference: the period's journal range (open_seq, end] on the till joined to its sales, lines and tenders,
 * as the X computed it until 0015. One statement, one walk over the range: the period's entries and completed sales
 * are materialized once and every aggregate reads them (one journal scan per aggregate cost ~3x). Bound as
 * (openSeq, endSeq, tillId).
 */
export const LEDGER_SQL = `WITH period AS MATERIALIZED (
       SELECT j.kind AS entry, j.sale_id AS id FROM journal j
        WHERE j.seq > ? AND j.seq <= ? AND j.till_id = ? AND j.kind IN ('sale.completed', 'sale.voided', 'drawer.no-sale')
     ), done AS MATERIALIZED (
       SELECT s.id, s.kind, s.total_minor, s.tax_mode FROM period p JOIN sales s ON s.id = p.id WHERE p.entry = 'sale.completed'
     )
     SELECT
       (SELECT json_group_array(json_array(kind, n, total)) FROM (SELECT kind, COUNT(*) AS n, COALESCE(SUM(total_minor), 0) AS total FROM done GROUP BY kind)) AS by_kind,
       (SELECT json_group_array(json_array(tax_rate_id, name, tax_rate_ppm, sales_taxable, sales_tax, discount, returns_taxable, returns_tax)) FROM (
          SELECT tax_rate_id, name, tax_rate_ppm,
                 SUM(CASE WHEN kind = 'sale' THEN taxable ELSE 0 END) AS sales_taxable, SUM(CASE WHEN kind = 'sale' THEN tax ELSE 0 END) AS sales_tax,
                 SUM(CASE WHEN kind = 'sale' THEN discount ELSE 0 END) AS discount,
                 SUM(CASE WHEN kind = 'refund' THEN taxable ELSE 0 END) AS returns_taxable, SUM(CASE WHEN kind = 'refund' THEN tax ELSE 0 END) AS returns_tax
            FROM (SELECT d.kind, l.tax_rate_id, COALESCE(t.name, l.tax_rate_id) AS name, l.tax_rate_ppm, l.tax_minor AS tax, l.discount_minor AS discount,
                         CASE WHEN d.tax_mode = 'inclusive' THEN l.amount_minor - l.discount_minor - l.tax_minor ELSE l.amount_minor - l.discount_minor END AS taxable
                    FROM done d JOIN sale_lines l ON l.sale_id = d.id LEFT JOIN tax_rates t ON t.id = l.tax_rate_id
                   WHERE l.voided = 0)
           GROUP BY tax_rate_id, tax_rate_ppm ORDER BY tax_rate_ppm, tax_rate_id)) AS taxes,
       (SELECT json_group_array(json_array(token, chain_id, n, amount)) FROM (
          SELECT json_extract(t.details, '$.tokenSymbol') AS token, json_extract(t.details, '$.chainId') AS chain_id, COUNT(*) AS n, SUM(t.amount_minor) AS amount
            FROM done d JOIN tenders t ON t.sale_id = d.id
           WHERE d.kind = 'sale' AND t.kind = 'stablecoin' AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id) GROUP BY token, chain_id ORDER BY token, chain_id)) AS tokens,
       (SELECT json_group_array(json_array(kind, n, sales, amount, received, change)) FROM (
          SELECT t.kind, COUNT(*) AS n, COUNT(DISTINCT t.sale_id) AS sales, SUM(t.amount_minor) AS amount,
                 SUM(COALESCE(t.received_minor, t.amount_minor)) AS received, SUM(COALESCE(t.change_minor, 0)) AS change
            FROM done d JOIN tenders t ON t.sale_id = d.id WHERE d.kind = 'sale' AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id) GROUP BY t.kind)) AS tenders,
       (SELECT COUNT(*) FROM period WHERE entry = 'sale.voided') AS voids,
       (SELECT COALESCE(SUM(l.amount_minor - l.discount_minor + CASE WHEN s.tax_mode = 'exclusive' THEN l.tax_minor ELSE 0 END), 0)
          FROM period p JOIN sales s ON s.id = p.id JOIN sale_lines l ON l.sale_id = s.id WHERE p.entry = 'sale.voided' AND l.voided = 0) AS void_value,
       (SELECT COUNT(*) FROM period WHERE entry = 'drawer.no-sale') AS no_sales`

interface LedgerRow {
  by_kind: string
  taxes: string
  tokens: string
  tenders: string
  voids: number
  void_value: number
  no_sales: number
}

function aggregatesOfLedgerRow(row: LedgerRow): PeriodAggregates {
  const byKind = JSON.parse(row.by_kind) as [kind: 'sale' | 'refund', n: number, total: number][]
  const kind = (k: 'sale' | 'refund'): KindTotals => {
    const found = byKind.find((r) => r[0] === k)
    return { n: found?.[1] ?? 0, total: found?.[2] ?? 0 }
  }
  const tenders = JSON.parse(row.tenders) as [kind: 'cash' | 'stablecoin', n: number, sales: number, amount: number, received: number, change: number][]
  const tender = (k: 'cash' | 'stablecoin'): TenderTotals => {
    const found = tenders.find((r) => r[0] === k)
    return found ? { n: found[1], sales: found[2], amount: found[3], received: found[4], change: found[5] } : NO_TENDERS
  }
  // A stablecoin tender has no separate received or change: what the totals keep is its amount (see above).
  const coin = tender('stablecoin')
  return {
    sales: kind('sale'),
    returns: kind('refund'),
    taxes: JSON.parse(row.taxes) as TaxAggregate[],
    // A tender whose details lack the token or chain is booked as 'unknown' on chain 0, as the totals key it.
    tokens: (JSON.parse(row.tokens) as TokenAggregate[]).map(([token, chain, n, amount]) => [token ?? 'unknown', chain ?? 0, n, amount] as const),
    voids: { n: row.voids, value: row.void_value },
    noSales: row.no_sales,
    cash: tender('cash'),
    stablecoin: { ...coin, received: coin.amount, change: 0 }
  }
}

/** The reference aggregates of a session's period up to journal seq `endSeq`, from the journal and the sales tables. */
export function aggregatesFromLedger(db: Db, session: { readonly open_seq: number; readonly till_id: string }, endSeq: number): PeriodAggregates {
  return aggregatesOfLedgerRow(prepareCached(db, LEDGER_SQL).get(session.open_seq, endSeq, session.till_id) as LedgerRow)
}

// ----- the check -----

export interface TotalsDifference {
  /** Which figure, e.g. 'sales.total', 'taxes', 'cash.received'. */
  readonly figure: string
  readonly totals: string
  readonly ledger: string
}

export interface TotalsCheck {
  readonly sessionId: string
  /** The journal head both were read at (for a closed session: the head its Z recorded). */
  readonly headSeq: number
  readonly ok: boolean
  readonly differences: readonly TotalsDifference[]
}

/** The figures on which two aggregates differ (empty when they are the same). */
export function compareAggregates(totals: PeriodAggregates, ledger: PeriodAggregates): TotalsDifference[] {
  const out: TotalsDifference[] = []
  const flat = (a: PeriodAggregates): [string, unknown][] => [
    ['sales.count', a.sales.n],
    ['sales.total', a.sales.total],
    ['returns.count', a.returns.n],
    ['returns.total', a.returns.total],
    ['taxes', a.taxes],
    ['tokens', a.tokens],
    ['voids.count', a.voids.n],
    ['voids.value', a.voids.value],
    ['noSales', a.noSales],
    ...(Object.keys(NO_TENDERS) as (keyof TenderTotals)[]).flatMap((k): [string, unknown][] => [
      [`cash.${k}`, a.cash[k]],
      [`stablecoin.${k}`, a.stablecoin[k]]
    ])
  ]
  const theirs = new Map(flat(ledger))
  for (const [figure, value] of flat(totals)) {
    const mine = JSON.stringify(value)
    const other = JSON.stringify(theirs.get(figure))
    if (mine !== other) out.push({ figure, totals: mine, ledger: other })
  }
  return out
}

/** One sentence for a person (the CLI, a log): which session, at which head, and the first figures that differ. */
export function describeTotalsCheck(check: TotalsCheck): string {
  if (check.ok) return `The running totals of cash session ${check.sessionId} match its journal (up to entry ${check.headSeq}).`
  const shown = check.differences.slice(0, 3).map((d) => `${d.figure} is ${d.totals} in the running totals but ${d.ledger} from the journal`)
  const more = check.differences.length > 3 ? ` (and ${check.differences.length - 3} more)` : ''
  return `The running totals of cash session ${check.sessionId} disagree with its journal (up to entry ${check.headSeq}): ${shown.join('; ')}${more}.`
}

interface SessionEnds {
  id: string
  till_id: string
  open_seq: number
  status: 'open' | 'closed'
  figures: string | null
}

const SESSION_SQL = 'SELECT id, till_id, open_seq, status, figures FROM cash_sessions WHERE id = ?'
const HEAD_SQL = 'SELECT COALESCE(max(seq), 0) FROM journal'

function endOf(session: SessionEnds, head: number): number {
  // A closed session's totals stopped at the head its Z recorded (the Z's own entry follows it).
  if (session.status === 'closed' && session.figures) return (JSON.parse(session.figures) as { journal: { headSeq: number } }).journal.headSeq
  return head
}

/**
 * Compares a session's running totals with the ledger's reference in ONE read transaction (the same journal head
 * for both), on this thread: for a small day, or a test. A big day's: checkSessionTotalsOffThread.
 */
export function checkSessionTotals(db: Db, sessionId: string): TotalsCheck {
  return db.transaction(() => {
    const session = prepareCached(db, SESSION_SQL).get(sessionId) as SessionEnds | undefined
    if (!session) throw new Error(`there is no cash session ${sessionId}`)
    const headSeq = endOf(session, prepareCached(db, HEAD_SQL).pluck().get() as number)
    const differences = compareAggregates(aggregatesFromTotals(db, sessionId), aggregatesFromLedger(db, session, headSeq))
    return { sessionId, headSeq, ok: differences.length === 0, differences }
  }).deferred()
}

// The worker: its own read-only connection, one read transaction (a WAL snapshot: the till keeps selling
// meanwhile), the session's head, then the reference and the totals at that head. It only runs SQL and posts the
// rows; the main thread builds and compares the aggregates (a few rows). Plain JavaScript: a worker cannot load
// TypeScript, and better-sqlite3 is resolved by the main thread so it loads in the built app and under tests alike.
const CHECK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
let db
try {
  const Database = require(workerData.driver)
  db = new Database(workerData.file, { readonly: true, fileMustExist: true })
  db.exec('BEGIN')
  const head = db.prepare(workerData.headSql).pluck().get()
  const ids = workerData.sessionIds ?? db.prepare(workerData.allSql).pluck().all()
  const sessions = ids.map((id) => {
    const session = db.prepare(workerData.sessionSql).get(id)
    if (!session) throw new Error('there is no cash session ' + id)
    const headSeq = session.status === 'closed' && session.figures ? JSON.parse(session.figures).journal.headSeq : head
    const ledger = db.prepare(workerData.ledgerSql).get(session.open_seq, headSeq, session.till_id)
    const totals = workerData.totalsSql.map((sql) => db.prepare(sql).all(id))
    return { sessionId: id, headSeq, ledger, totals }
  })
  db.exec('COMMIT')
  parentPort.postMessage({ ok: true, sessions })
} catch (e) {
  parentPort.postMessage({ ok: false, error: String((e && e.message) || e) })
} finally {
  if (db) db.close()
}`

// Sessions with running totals (those opened since 0015, or open at the upgrade), oldest first.
const ALL_SQL = 'SELECT c.id FROM cash_sessions c WHERE EXISTS (SELECT 1 FROM session_totals t WHERE t.session_id = c.id) ORDER BY c.opened_at, c.id'

interface WorkerSession {
  sessionId: string
  headSeq: number
  ledger: LedgerRow
  totals: unknown[][]
}

function runCheckWorker(file: string, sessionIds: readonly string[] | null): Promise<TotalsCheck[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CHECK_WORKER, {
      eval: true,
      workerData: { file, sessionIds, driver: require.resolve('better-sqlite3'), allSql: ALL_SQL, sessionSql: SESSION_SQL, headSql: HEAD_SQL, ledgerSql: LEDGER_SQL, totalsSql: TOTALS_SQL }
    })
    // The answer is given once the worker has exited, its read-only connection closed: a ledger closed while that
    // connection is still open is not the last to close, so its WAL would stay beside the file unmerged.
    let answer: { ok: true; sessions: WorkerSession[] } | { ok: false; error: string } | null = null
    let failed: Error | null = null
    worker.once('message', (m: { ok: true; sessions: WorkerSession[] } | { ok: false; error: string }) => {
      answer = m
    })
    worker.once('error', (e) => {
      failed = e
    })
    worker.once('exit', (code) => {
      const m = answer as { ok: true; sessions: WorkerSession[] } | { ok: false; error: string } | null
      if (failed) return reject(failed)
      if (!m) return reject(new Error(`the totals check's worker stopped (exit code ${code})`))
      if (!m.ok) return reject(new Error(m.error))
      try {
        resolve(
          m.sessions.map((s) => {
            const differences = compareAggregates(aggregatesOfTotalsRows(s.sessionId, s.totals), aggregatesOfLedgerRow(s.ledger))
            return { sessionId: s.sessionId, headSeq: s.headSeq, ok: differences.length === 0, differences }
          })
        )
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)))
      }
    })
  })
}

/**
 * checkSessionTotals on a worker thread with its own read-only connection to `file` (the ledger file): the
 * reference's walk over a 1,000,000-sale day takes seconds, none of them on the till's thread. For the day's close
 * (the session just closed: its totals and its Z are final) and the start-up check (the open session).
 */
export async function checkSessionTotalsOffThread(file: string, sessionId: string): Promise<TotalsCheck> {
  return (await runCheckWorker(file, [sessionId]))[0]!
}

/** Every session with running totals, in one read transaction on a worker (`stabletill verify`). */
export function checkAllSessionTotalsOffThread(file: string): Promise<TotalsCheck[]> {
  return runCheckWorker(file, null)
}
