// The ledger's integrity at start, and what follows from it ([E] point 4).
//
// At every start, before the first sale: the signed anchors (ledger/anchor.ts) give the last checkpoint the till
// itself signed; the journal is verified from there (with its sales replayed against the tables), the schema is
// fingerprinted, and settings and staff are compared with their journaled digests. The catalog's digest grows with
// the shop (100,000 products: bench/trust.ts) and SQLite's quick_check reads the whole file, so both run after start
// on a worker thread, off the counter's path; closing the day waits for the catalog's verdict (computed on the spot
// if the worker has not given it yet). A failed check is kept for the
// manager ('ledger:integrity', event 'ledger:integrity-changed') with its first bad entry, and closing the day is
// refused (closeDayGuard) until a manager acknowledges these very problems, which is journaled.
import { Worker } from 'node:worker_threads'
import type { IntegrityView, VerifyProgressView } from '../../shared/api/views'
import type { Clock } from '../../shared/clock'
import { refuse } from '../../shared/result'
import type { EventBus } from '../events'
import { loadOrCreateTillKey, signHead, verifyAnchors, type TillKey } from '../ledger/anchor'
import { prepareCached, type Db } from '../ledger/db'
import { startupCheck } from '../ledger/integrity'
import { appendJournal, verifyJournalParallel, type VerifyResult } from '../ledger/journal'
import { checkDomainDigest, checkState, STATE_DOMAINS, stateDigest, type StateDomain } from '../ledger/money-state'
import { checkSessionTotals, checkSessionTotalsOffThread, describeTotalsCheck, type TotalsCheck } from './session-totals'

type Problem = IntegrityView['problems'][number]

export interface IntegrityDeps {
  readonly db: Db
  readonly clock: Clock
  readonly events: EventBus
  readonly ledgerFile: string
  readonly dataDir: string
  /** The till key's folder, outside the data folder; without it no head is signed and every start checks it all. */
  readonly keyDir?: string
  readonly storeId: () => string
  readonly tillId: () => string
  /** The till's open cash session, if any: its running totals are checked against the journal after start. */
  readonly openSessionId?: () => string | null
}

/** After this many entries past the last signed head, a passed start-up check signs a checkpoint (a faster next start). */
const CHECKPOINT_EVERY = 10_000

/** Checked after start by the worker (the catalog); the other domains are small and checked at start. */
const DEFERRED_DOMAIN: StateDomain = 'catalog'
const AT_START_DOMAINS = (Object.keys(STATE_DOMAINS) as StateDomain[]).filter((d) => d !== DEFERRED_DOMAIN)

// After start, on its own read-only connection in a worker: first the catalog's digest (stateDigest's very steps,
// on the queries passed in, in one read transaction with the head it saw, so a price changed meanwhile is judged
// against the journal as of that head), then quick_check. Plain JavaScript (a worker cannot load TypeScript), with
// better-sqlite3 resolved by the main thread so it loads in the built app and under the tests alike.
const AFTER_START_WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const { createHash } = require('node:crypto')
let db
try {
  const Database = require(workerData.driver)
  db = new Database(workerData.file, { readonly: true, fileMustExist: true })
  try {
    db.exec('BEGIN')
    const head = db.prepare('SELECT max(seq) FROM journal').pluck().get() ?? 0
    const hash = createHash('sha256')
    for (const sql of workerData.catalogQueries) {
      hash.update(sql)
      for (const row of db.prepare(sql).raw().iterate()) hash.update(JSON.stringify(row))
    }
    db.exec('COMMIT')
    parentPort.postMessage({ type: 'catalog', digest: hash.digest('hex'), head })
  } catch (e) {
    parentPort.postMessage({ type: 'catalog', digest: null, head: null, error: String(e && e.message || e) })
  }
  const messages = db.pragma('quick_check(20)').map((r) => r.quick_check)
  parentPort.postMessage({ type: 'pages', ok: messages.length === 1 && messages[0] === 'ok', messages })
} catch (e) {
  parentPort.postMessage({ type: 'pages', ok: false, messages: [String(e && e.message || e)] })
} finally {
  if (db) db.close()
}`

export class IntegrityService {
  private view: IntegrityView
  private key: TillKey | null = null
  private pagesRun: Promise<void> | null = null
  /** The catalog's digest has been compared (by the worker, or on the spot when the day closes first). */
  private catalogChecked = false
  private totalsChecked = false
  private fullRun: Promise<VerifyResult> | null = null

  constructor(private readonly deps: IntegrityDeps) {
    this.view = this.check()
  }

  /** The till key's public half (base64 SPKI), what head office checks the signed heads with; null: no key folder. */
  publicKey(): string | null {
    return this.tillKey()?.publicKeyDer ?? null
  }

  private tillKey(): TillKey | null {
    if (!this.deps.keyDir) return null
    this.key ??= loadOrCreateTillKey(this.deps.keyDir, this.deps.storeId())
    return this.key
  }

  /** The start-up check (synchronous: it runs before the till takes its first sale). */
  private check(): IntegrityView {
    const started = performance.now()
    const { db } = this.deps
    const problems: Problem[] = []
    const key = this.tillKey()
    let checkpoint: { seq: number; hash: string } | null = null
    let anchors = 0
    if (key && this.deps.keyDir) {
      const anchorCheck = verifyAnchors(db, { dataDir: this.deps.dataDir, keyDir: this.deps.keyDir, key, storeId: this.deps.storeId() })
      anchors = anchorCheck.anchors
      if (anchorCheck.ok) checkpoint = anchorCheck.checkpoint
      else problems.push({ check: 'anchor', seq: anchorCheck.firstBadSeq, reason: anchorCheck.reason })
    }
    // A broken anchor says the chain below it cannot be trusted: verify it all.
    const result = startupCheck(db, checkpoint)
    if (!result.schema.ok) for (const p of result.schema.problems) problems.push({ check: 'schema', seq: null, reason: p })
    if (!result.journal.ok) problems.push({ check: 'journal', seq: result.journal.firstBadSeq, reason: result.journal.reason })
    const state = checkState(db, { domains: AT_START_DOMAINS })
    if (state) problems.push({ check: 'state', seq: state.seq > 0 ? state.seq : null, reason: state.reason })
    // The first bad entry: the lowest journal seq any check named, else the first problem found.
    const withSeq = problems.filter((p) => p.seq !== null).sort((a, b) => a.seq! - b.seq!)
    const first = withSeq[0] ?? problems[0] ?? null
    const view: IntegrityView = {
      ok: problems.length === 0,
      checkedAt: this.deps.clock.now(),
      ms: performance.now() - started,
      entries: result.journal.entries,
      fromSeq: checkpoint?.seq ?? 0,
      anchors,
      problems,
      firstBad: first ? { seq: first.seq, reason: first.reason } : null,
      pages: 'pending',
      acknowledged: null
    }
    return { ...view, acknowledged: this.acknowledgement(view) }
  }

  /** The manager's journaled acknowledgement of exactly these problems, if any. */
  private acknowledgement(view: IntegrityView): IntegrityView['acknowledged'] {
    if (view.problems.length === 0) return null
    const fingerprint = problemsFingerprint(view.problems)
    const row = prepareCached(this.deps.db, "SELECT at, payload FROM journal WHERE kind = 'ledger.integrity-acknowledged' ORDER BY seq DESC LIMIT 1").get() as { at: number; payload: string } | undefined
    if (!row) return null
    const payload = JSON.parse(row.payload) as { problems?: string; managerId?: string }
    return payload.problems === fingerprint ? { by: payload.managerId ?? '?', at: row.at } : null
  }

  current(): IntegrityView {
    return this.view
  }

  /**
   * After start, off the counter's path: SQLite's page check on a worker, then (all passed, a key at hand and the
   * journal well past the last signed head) a checkpoint signed for the next start. Resolves when done.
   */
  afterStart(): Promise<void> {
    this.pagesRun ??= this.runPageCheck()
      .then(() => this.checkOpenTotals())
      .then(() => this.maybeCheckpoint())
    return this.pagesRun
  }

  private async runPageCheck(): Promise<void> {
    let outcome: { ok: boolean; messages: string[] }
    try {
      outcome = await new Promise((resolve, reject) => {
        let pages: { ok: boolean; messages: string[] } | null = null
        const worker = new Worker(AFTER_START_WORKER, { eval: true, workerData: { file: this.deps.ledgerFile, driver: require.resolve('better-sqlite3'), catalogQueries: STATE_DOMAINS[DEFERRED_DOMAIN] } })
        worker.on('message', (m: { type: string; digest?: string | null; head?: number | null; ok?: boolean; messages?: string[] }) => {
          if (m.type === 'catalog') {
            if (typeof m.digest === 'string' && typeof m.head === 'number') this.settleCatalog(() => checkDomainDigest(this.deps.db, DEFERRED_DOMAIN, m.digest!, m.head!))
            else this.checkCatalogNow()
          } else pages = { ok: m.ok === true, messages: m.messages ?? [] }
        })
        worker.once('error', reject)
        // Answered once the worker has exited, its connection closed (a ledger closed meanwhile must be the last
        // connection, or its WAL stays unmerged beside the file).
        worker.once('exit', (code) => (pages ? resolve(pages) : reject(new Error(`quick_check worker exited with ${code}`))))
      })
    } catch (e) {
      outcome = { ok: false, messages: [e instanceof Error ? e.message : String(e)] }
    }
    if (!this.deps.db.open) return
    // A worker that never gave the catalog's digest: it is computed here, so the verdict is always in.
    this.checkCatalogNow()
    const problems = outcome.ok ? this.view.problems : [...this.view.problems, ...outcome.messages.slice(0, 5).map((m): Problem => ({ check: 'pages', seq: null, reason: `SQLite quick_check: ${m}` }))]
    this.rebuild(problems, outcome.ok ? 'ok' : 'damaged')
    this.emit()
  }

  /**
   * The open day's running totals (what its X and Z will print) recomputed from the journal on a worker, so a total
   * edited in the file while the till was shut is named before the day closes on it. A small ledger in memory (a
   * test) is checked on this thread.
   */
  private async checkOpenTotals(): Promise<void> {
    if (this.totalsChecked || !this.deps.db.open) return
    const sessionId = this.deps.openSessionId?.() ?? null
    if (sessionId === null) {
      this.totalsChecked = true
      return
    }
    let check: TotalsCheck | Error
    try {
      check = this.deps.db.memory ? checkSessionTotals(this.deps.db, sessionId) : await checkSessionTotalsOffThread(this.deps.ledgerFile, sessionId)
    } catch (e) {
      check = e instanceof Error ? e : new Error(String(e))
    }
    this.settleTotals(sessionId, check)
  }

  /** The open day's totals checked on this thread (the day closes before the worker answered). */
  private checkTotalsNow(): void {
    if (this.totalsChecked || !this.deps.db.open) return
    const sessionId = this.deps.openSessionId?.() ?? null
    if (sessionId === null) return
    let check: TotalsCheck | Error
    try {
      check = checkSessionTotals(this.deps.db, sessionId)
    } catch (e) {
      check = e instanceof Error ? e : new Error(String(e))
    }
    this.settleTotals(sessionId, check)
  }

  private settleTotals(sessionId: string, check: TotalsCheck | Error): void {
    if (this.totalsChecked || !this.deps.db.open) return
    this.totalsChecked = true
    if (!(check instanceof Error) && check.ok) return
    const reason = check instanceof Error ? `the running totals of cash session ${sessionId} could not be checked: ${check.message}` : describeTotalsCheck(check)
    this.rebuild([...this.view.problems, { check: 'totals', seq: null, reason }], this.view.pages)
    this.emit()
  }

  /** The catalog compared on this thread (the day closes before the worker answered, or the worker failed). */
  private checkCatalogNow(): void {
    this.settleCatalog(() => checkDomainDigest(this.deps.db, DEFERRED_DOMAIN, stateDigest(this.deps.db, DEFERRED_DOMAIN), Number.MAX_SAFE_INTEGER))
  }

  private settleCatalog(compare: () => { seq: number; reason: string } | null): void {
    // A ledger closed before the worker answered (a test's quick stop): nothing is left to judge.
    if (this.catalogChecked || !this.deps.db.open) return
    this.catalogChecked = true
    let mismatch: { seq: number; reason: string } | null
    try {
      mismatch = compare()
    } catch (e) {
      mismatch = { seq: 0, reason: `the ${DEFERRED_DOMAIN} could not be checked: ${e instanceof Error ? e.message : String(e)}` }
    }
    if (!mismatch) return
    this.rebuild([...this.view.problems, { check: 'state', seq: mismatch.seq > 0 ? mismatch.seq : null, reason: mismatch.reason }], this.view.pages)
    this.emit()
  }

  /** The view with these problems: ok, the first bad entry (the lowest seq named, else the first problem), acknowledged. */
  private rebuild(problems: readonly Problem[], pages: IntegrityView['pages']): void {
    const withSeq = problems.filter((p) => p.seq !== null).sort((a, b) => a.seq! - b.seq!)
    const first = withSeq[0] ?? problems[0] ?? null
    const next: IntegrityView = { ...this.view, ok: problems.length === 0, problems, pages, firstBad: first ? { seq: first.seq, reason: first.reason } : null }
    this.view = { ...next, acknowledged: this.acknowledgement(next) }
  }

  /**
   * The full verification on demand (the back office's Verify): every entry, on every core, as of one moment while
   * the till goes on selling (ledger/journal.ts verifyJournalParallel). Progress goes out as 'ledger:verify-progress'.
   * A second call while one runs gets the same run.
   */
  verifyFull(): Promise<VerifyResult> {
    if (this.fullRun) return this.fullRun
    let lastShown = -1
    const run = verifyJournalParallel(this.deps.db, this.deps.ledgerFile, {
      onProgress: ({ checked, total }) => {
        // At most a hundred events a run: the page shows a percentage.
        const percent = Math.floor((checked * 100) / Math.max(1, total))
        if (percent === lastShown) return
        lastShown = percent
        this.emitProgress({ checked, total })
      }
    })
    this.fullRun = run.finally(() => {
      this.fullRun = null
    })
    return this.fullRun
  }

  private emitProgress(progress: VerifyProgressView): void {
    try {
      this.deps.events.emit('ledger:verify-progress', progress)
    } catch {
      // no window listening
    }
  }

  private maybeCheckpoint(): void {
    if (!this.view.ok || !this.deps.keyDir || !this.deps.db.open) return
    const key = this.tillKey()
    if (!key) return
    try {
      const head = prepareCached(this.deps.db, 'SELECT max(seq) AS seq FROM journal').get() as { seq: number | null }
      if ((head.seq ?? 0) - this.view.fromSeq < CHECKPOINT_EVERY) return
      this.sign('checkpoint')
    } catch (e) {
      console.error('signing a checkpoint failed (the next start checks from the last one):', e)
    }
  }

  /** Signs the journal's head (each Z closing: `z <number>`), so the next start verifies from it. */
  sign(reason: string): void {
    const key = this.tillKey()
    if (!key || !this.deps.keyDir) return
    signHead(this.deps.db, { dataDir: this.deps.dataDir, keyDir: this.deps.keyDir, key, storeId: this.deps.storeId(), tillId: this.deps.tillId(), reason, at: this.deps.clock.now() })
  }

  /** A manager has reviewed the problems (the caller checked the PIN): journaled; the day may close again. */
  acknowledge(managerId: string): IntegrityView {
    if (this.view.problems.length === 0) throw refuse('conflict', 'integrity.nothing-to-acknowledge')
    const at = this.deps.clock.now()
    this.deps.db.transaction(() => {
      appendJournal(this.deps.db, { at, tillId: this.deps.tillId(), kind: 'ledger.integrity-acknowledged', saleId: null, payload: { managerId, problems: problemsFingerprint(this.view.problems), firstBad: this.view.firstBad?.reason ?? null, firstBadSeq: this.view.firstBad?.seq ?? null } })
    }).immediate()
    this.view = { ...this.view, acknowledged: { by: managerId, at } }
    this.emit()
    return this.view
  }

  /**
   * The guard for closing the day (ShiftService's closeGuard): refuses while the start-up check failed and no
   * manager acknowledged it. Throws a TillError (the refusal crosses as a Result).
   */
  closeDayGuard = (): void => {
    // The catalog's and the open day's totals' verdicts must be in before the day closes: the worker's, or computed now.
    this.checkCatalogNow()
    this.checkTotalsNow()
    const view = this.view
    if (view.ok || view.acknowledged) return
    throw refuse('conflict', 'integrity.close-refused', { seq: view.firstBad?.seq ?? '-', reason: (view.firstBad?.reason ?? '').slice(0, 200) })
  }

  private emit(): void {
    try {
      this.deps.events.emit('ledger:integrity-changed', this.view)
    } catch {
      // no window listening
    }
  }
}

function problemsFingerprint(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.check}:${p.seq ?? ''}:${p.reason}`).join('\n')
}
