// Append-only, hash-chained journal. Every change to a sale (and every other money-relevant event: payments,
// drawer openings, approvals, prints) is one entry; entry n's hash is sha256(hash(n-1) + canonicalJson(entry n)).
// The genesis entry chains from GENESIS_HASH. `verifyJournal` recomputes the chain and names the first bad entry.
import * as crypto from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { canonicalJson, type JsonValue } from '../../shared/canonical-json'
import type { Statement } from 'better-sqlite3'
import type { Db } from './db'
import { chainScanKit } from './chain-scan'
import { SaleCheck, saleReplayKit, type Mismatch } from './replay'

export const GENESIS_HASH = '0'.repeat(64)

export interface JournalInput {
  readonly at: number
  readonly tillId: string
  /** Dotted event name, e.g. 'sale.opened', 'sale.line-added', 'payment.state-changed'. */
  readonly kind: string
  readonly saleId?: string | null
  readonly payload: { readonly [k: string]: JsonValue | undefined }
}

export interface JournalEntry extends JournalInput {
  readonly seq: number
  readonly prevHash: string
  readonly hash: string
}

/** The exact bytes that are hashed after the previous hash: the entry without its own hashes. */
function entryBody(seq: number, input: JournalInput, payloadJson: string): string {
  // payloadJson is already canonical; splice it in so the row's stored text is hashed as stored.
  return `{"at":${input.at},"kind":${JSON.stringify(input.kind)},"payload":${payloadJson},"saleId":${
    input.saleId == null ? 'null' : JSON.stringify(input.saleId)
  },"seq":${seq},"tillId":${JSON.stringify(input.tillId)}}`
}

// crypto.hash (Node 20.12+) hashes in one call without a Hash object: about twice as fast per entry, which is most
// of a full verification's time (bench/trust.ts).
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash
export const hashEntry: (prevHash: string, body: string) => string = oneShot
  ? (prevHash, body) => oneShot('sha256', prevHash + body, 'hex')
  : (prevHash, body) => crypto.createHash('sha256').update(prevHash).update(body).digest('hex')
const { scanChain } = chainScanKit((text) => hashEntry(text, ''))

const statements = new WeakMap<Db, { last: Statement<[], unknown>; insert: Statement<unknown[], unknown> }>()
function stmts(db: Db) {
  let s = statements.get(db)
  if (!s) {
    s = {
      last: db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare(
        'INSERT INTO journal (seq, at, till_id, kind, sale_id, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
      )
    }
    statements.set(db, s)
  }
  return s
}

/** Appends one entry. Call it inside the caller's db.transaction so the entry and the change it records commit together. */
export function appendJournal(db: Db, input: JournalInput): JournalEntry {
  const s = stmts(db)
  const last = s.last.get() as { seq: number; hash: string } | undefined
  const seq = (last?.seq ?? 0) + 1
  const prevHash = last?.hash ?? GENESIS_HASH
  const payloadJson = canonicalJson(input.payload)
  const hash = hashEntry(prevHash, entryBody(seq, input, payloadJson))
  s.insert.run(seq, input.at, input.tillId, input.kind, input.saleId ?? null, payloadJson, prevHash, hash)
  return { ...input, seq, prevHash, hash }
}

export type VerifyResult =
  | { readonly ok: true; readonly entries: number; readonly lastHash: string }
  | {
      readonly ok: false
      readonly entries: number
      readonly firstBadSeq: number
      readonly reason: string
    }

/** A point of the chain already verified (or signed): verification may start after it. */
export interface JournalCheckpoint {
  readonly seq: number
  readonly hash: string
}

/**
 * Recomputes the chain and replays its sale entries against the tables. Detects an edited field in any entry, a
 * deleted or inserted entry (sequence gap or broken prev link), and a sale whose stored rows (status, number,
 * lines, tenders, totals) no longer match what its journal entries recorded (ledger/replay.ts).
 * With `from`, only the entries after that checkpoint are recomputed (the start-up check): the checkpoint's own entry
 * must still carry the checkpoint's hash, so a rewrite below it is caught too, as long as the checkpoint itself came
 * from outside the file (the signed anchor, ledger/anchor.ts); the sales opened after it are replayed. Without
 * `from`, the whole chain and every sale are checked, and a sale the journal never opened is reported.
 */
export function verifyJournal(db: Db, from?: JournalCheckpoint): VerifyResult {
  let prevHash = GENESIS_HASH
  let expectedSeq = 1
  let entries = 0
  if (from && from.seq > 0) {
    const at = db.prepare('SELECT hash FROM journal WHERE seq = ?').get(from.seq) as { hash: string } | undefined
    if (!at) return { ok: false, entries: 0, firstBadSeq: from.seq, reason: `entry ${from.seq}, verified before, is gone: the journal was cut back` }
    if (at.hash !== from.hash) return { ok: false, entries: 0, firstBadSeq: from.seq, reason: `entry ${from.seq} no longer has the hash verified before: the journal was rewritten` }
    prevHash = from.hash
    expectedSeq = from.seq + 1
    entries = from.seq
  }
  const head = (db.prepare('SELECT max(seq) FROM journal').pluck().get() as number | null) ?? 0
  const check = new SaleCheck(db, expectedSeq, head)
  const scan = scanChain(db, {
    first: expectedSeq,
    last: head,
    readUpTo: Number.MAX_SAFE_INTEGER,
    startPrev: prevHash,
    onSale: (seq, kind, saleId, payload) => {
      check.apply(seq, kind, saleId, payload)
      return null
    }
  })
  // An entry that cannot be parsed is named where it stands, before a later break of the chain.
  check.finish()
  const unreadable = (): VerifyResult | null => (check.unreadable ? { ok: false, entries: check.unreadable.seq - 1, firstBadSeq: check.unreadable.seq, reason: check.unreadable.reason } : null)
  if (scan.bad && !(check.unreadable && check.unreadable.seq < scan.bad.seq)) return { ok: false, entries: scan.bad.seq - 1, firstBadSeq: scan.bad.seq, reason: scan.bad.reason }
  if (check.unreadable) return unreadable()!
  prevHash = scan.lastHash ?? prevHash
  expectedSeq = Math.max(expectedSeq, head + 1)
  entries = Math.max(entries, head)
  const found = check.compareOwn(new Map())
  if (check.unreadable) return unreadable()!
  const full = !(from && from.seq > 0)
  let mismatch = found?.mismatch ?? null
  if (!mismatch && full) {
    const unknown = [...check.replay.unknown].filter((id) => !check.opened.has(id))
    const orphan = check.orphan([...check.opened.keys(), ...unknown], check.opened.size)
    if (orphan !== null) mismatch = { seq: 0, reason: `sale ${orphan} is in the sales table but the journal never opened it` }
  }
  if (mismatch) return { ok: false, entries, firstBadSeq: mismatch.seq > 0 ? mismatch.seq : expectedSeq, reason: mismatch.reason }
  return { ok: true, entries, lastHash: prevHash }
}

// The full verification's worker: one range of entries read ONCE on its own read-only connection, and everything
// done on that one pass:
//  0. a read transaction first, held to the end: the journal and the sales tables are read as of one moment, while
//     the till goes on writing (the back office's Verify). It reports that moment's head; the caller gives the range
//     only once every worker's snapshot has the same head (a write between two workers' starts: they start again).
//  1. the hash chain of the range. Each entry's hash depends only on its stored prev_hash and its own fields, so
//     ranges verify independently; the links between ranges are checked by the caller. The range is read in chunks
//     whose hash inputs SQLite builds (ledger/chain-scan.ts, the same code as verifyJournal's; chain-scan.test.ts,
//     journal.test.ts and verify-parallel.test.ts hold them to the same verdicts).
//  2. the replay (ledger/replay.ts, its very source text) of the sales OPENED in the range. An entry of a sale opened
//     in an earlier range (a sale that straddles a seam, a later refund-owed) is handed back ("carried") and the
//     caller gives it to the range that opened that sale before the worker compares.
//  3. on the caller's word, its sales compared with their rows in the sales tables; one worker also looks for a sale
//     row the journal never opened.
// Plain JavaScript (a worker cannot load TypeScript), better-sqlite3 resolved by the main thread. `__name` stands in
// for the helper that esbuild's keepNames (tsx, vitest) writes into compiled functions' source.
const VERIFY_WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const crypto = require('node:crypto')
var __name = (target) => target
const { SaleCheck } = (${saleReplayKit.toString()})()
const hash = crypto.hash ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex')
const { scanChain } = (${chainScanKit.toString()})(hash)
const { progressEvery } = workerData
let check = null
const carried = []
let db
const close = () => { if (db) { try { if (db.inTransaction) db.exec('COMMIT') } catch {} db.close(); db = null } }
try {
  db = new (require(workerData.driver))(workerData.file, { readonly: true, fileMustExist: true })
  db.exec('BEGIN')
  parentPort.postMessage({ type: 'snapshot', head: db.prepare('SELECT max(seq) FROM journal').pluck().get() ?? 0, error: null })
} catch (e) {
  close()
  parentPort.postMessage({ type: 'snapshot', head: null, error: String(e && e.message || e) })
}

function pass(first, last) {
  const out = { type: 'chain', first, last, firstPrev: null, lastHash: null, bad: null, unreadable: null, opened: [], openedSeqs: [], carried }
  try {
    check = new SaleCheck(db, first, last)
    let sinceProgress = 0
    const scan = scanChain(db, {
      first, last, readUpTo: last, startPrev: null,
      onSale: (seq, kind, saleId, payload) => {
        if (kind === 'sale.opened' || check.has(saleId)) check.apply(seq, kind, saleId, payload)
        else carried.push([seq, kind, saleId, payload])
        return null
      },
      onProgress: (rows) => {
        sinceProgress += rows
        if (sinceProgress >= progressEvery) { parentPort.postMessage({ type: 'progress', rows: sinceProgress }); sinceProgress = 0 }
      }
    })
    out.firstPrev = scan.firstPrev
    out.bad = scan.bad
    if (sinceProgress > 0) parentPort.postMessage({ type: 'progress', rows: sinceProgress })
    out.lastHash = scan.lastHash
    check.finish()
    out.unreadable = check.unreadable
    for (const [id, seq] of check.opened) { out.opened.push(id); out.openedSeqs.push(seq) }
  } catch (e) {
    out.bad = { seq: first, reason: 'entries ' + first + '-' + last + ' cannot be read: ' + String(e && e.message || e) }
  }
  return out
}

function compare({ apply, drop, firstOpened, journaled, journaledOpened }) {
  for (const [seq, kind, saleId, payload] of apply) check.apply(seq, kind, saleId, payload)
  for (const id of drop) check.drop(id)
  const found = check.unreadable === null ? check.compareOwn(new Map(firstOpened)) : null
  const orphan = journaled ? check.orphan(journaled, journaledOpened) : null
  return { type: 'compared', unreadable: check.unreadable, mismatch: found && found.mismatch, openedSeq: found && found.openedSeq, orphan, error: null }
}

parentPort.on('message', (m) => {
  if (m.type === 'range') {
    const out = pass(m.first, m.last)
    parentPort.postMessage(out)
    if (out.bad) close()
  } else if (m.type === 'compare') {
    let result
    try { result = compare(m) } catch (e) { result = { type: 'compared', unreadable: null, mismatch: null, openedSeq: null, orphan: null, error: String(e && e.message || e) } }
    close()
    parentPort.postMessage(result)
  }
  if (!db) parentPort.close()
})`

/** A worker's range after its pass: the chain's verdict, and its sales (ids in the order opened, and their entries). */
interface RangePass {
  readonly first: number
  readonly last: number
  readonly firstPrev: string | null
  readonly lastHash: string | null
  readonly bad: { readonly seq: number; readonly reason: string } | null
  readonly unreadable: { readonly seq: number; readonly reason: string } | null
  readonly opened: readonly string[]
  readonly openedSeqs: readonly number[]
  /** [seq, kind, saleId, payload] of sale.* entries whose sale this range did not open. */
  readonly carried: readonly (readonly [number, string, string, string])[]
}

interface RangeComparison {
  readonly unreadable: { readonly seq: number; readonly reason: string } | null
  readonly mismatch: Mismatch | null
  readonly openedSeq: number | null
  readonly orphan: string | null
  readonly error: string | null
}

interface CompareOrder {
  /** Entries of this range's sales found in later ranges, in journal order. */
  readonly apply: (readonly [number, string, string, string])[]
  /** Sales a later range opened again: theirs is the state that counts. */
  readonly drop: string[]
  /** Sales opened before this range opened them again: where they stand in the order of first differences. */
  readonly firstOpened: [string, number][]
  /**
   * Every sale the journal opened or touched (one worker only), those opened first: a sale row outside it is one the
   * journal never opened.
   */
  readonly journaled: string[] | null
  /** How many of `journaled` the journal opened (each found in the sales table when no difference is reported). */
  readonly journaledOpened: number
}

/** One verify worker, driven step by step: its snapshot's head, then its range's pass, then the comparison. */
class RangeWorker {
  private readonly worker: Worker
  private waiting: ((m: Record<string, unknown>) => void) | null = null
  private failure: string | null = null

  constructor(file: string, onRows: (rows: number) => void) {
    // A young generation of 192 MB (semi-spaces of 64 MB): a chunk's text and its pieces die young instead of being
    // promoted; 7-8 % less CPU for a 1,000,000-entry verify, measured with --max-semi-space-size=64 (bench/trust.ts).
    // The worker lives only as long as the verify.
    this.worker = new Worker(VERIFY_WORKER, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 192 }, workerData: { file, progressEvery: 16_384, driver: require.resolve('better-sqlite3') } })
    const failed = (reason: string) => {
      this.failure ??= reason
      this.settle({ type: 'failed' })
    }
    this.worker.on('message', (m: Record<string, unknown>) => {
      if (m.type === 'progress') onRows(m.rows as number)
      else this.settle(m)
    })
    this.worker.once('error', (e) => failed(`could not be checked: ${e.message}`))
    this.worker.once('exit', (code) => failed(`could not be checked (worker exit ${code})`))
  }

  private settle(m: Record<string, unknown>): void {
    const waiting = this.waiting
    this.waiting = null
    waiting?.(m)
  }

  private next(send?: object): Promise<Record<string, unknown>> {
    return new Promise((resolveNext) => {
      if (this.failure) return resolveNext({ type: 'failed' })
      this.waiting = resolveNext
      if (send) this.worker.postMessage(send)
    })
  }

  /** The head of the worker's snapshot, or its failure. */
  async snapshot(): Promise<{ head: number | null; error: string | null }> {
    const m = await this.next()
    return m.type === 'snapshot' ? { head: m.head as number | null, error: m.error as string | null } : { head: null, error: this.failure }
  }

  async pass(first: number, last: number): Promise<RangePass> {
    const m = await this.next({ type: 'range', first, last })
    if (m.type === 'chain') return m as unknown as RangePass
    const reason = `entries ${first}-${last} ${this.failure ?? 'could not be checked'}`
    return { first, last, firstPrev: null, lastHash: null, bad: { seq: first, reason }, unreadable: null, opened: [], openedSeqs: [], carried: [] }
  }

  async compare(order: CompareOrder): Promise<RangeComparison> {
    const m = await this.next({ type: 'compare', ...order })
    if (m.type === 'compared') return m as unknown as RangeComparison
    return { unreadable: null, mismatch: null, openedSeq: null, orphan: null, error: this.failure ?? 'the worker stopped' }
  }

  stop(): void {
    void this.worker.terminate()
  }
}

/** Workers that began their snapshots at the same head, or null when writes kept coming between their starts. */
async function workersAtOneHead(file: string, count: number, onRows: (rows: number) => void): Promise<{ workers: RangeWorker[]; head: number } | { error: string } | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const workers = Array.from({ length: count }, () => new RangeWorker(file, onRows))
    const snapshots = await Promise.all(workers.map((w) => w.snapshot()))
    const failed = snapshots.find((s) => s.error !== null || s.head === null)
    const heads = new Set(snapshots.map((s) => s.head))
    if (!failed && heads.size === 1) return { workers, head: snapshots[0]!.head! }
    for (const w of workers) w.stop()
    if (failed) return { error: failed.error ?? 'the journal could not be read' }
  }
  return null
}

export interface VerifyProgress {
  /** Entries whose hash has been recomputed so far. */
  readonly checked: number
  readonly total: number
}

/**
 * verifyJournal's verdicts (the same checks, first bad entry and reasons) on every core: the journal is split into
 * `workers` ranges, each read once on a worker thread with its own read-only connection to `file`, which checks
 * the range's hash chain and replays and compares the sales opened in it (see VERIFY_WORKER); this thread only
 * joins the ranges (the links at the seams, a sale's entries in a later range given to the range that opened it,
 * a sale row the journal never opened). For the full verification of a long ledger (`stabletill verify`, the back
 * office's Verify); the start-up check, a few thousand entries, stays synchronous. `db` is a connection to the same
 * file (read-only is enough). `onProgress` is told as the workers go (entries hashed of the total).
 */
export async function verifyJournalParallel(
  db: Db,
  file: string,
  options: { readonly from?: JournalCheckpoint; readonly workers?: number; readonly minEntriesPerWorker?: number; readonly onProgress?: (progress: VerifyProgress) => void } = {}
): Promise<VerifyResult> {
  const from = options.from
  let startHash = GENESIS_HASH
  let firstSeq = 1
  if (from && from.seq > 0) {
    const at = db.prepare('SELECT hash FROM journal WHERE seq = ?').get(from.seq) as { hash: string } | undefined
    if (!at) return { ok: false, entries: 0, firstBadSeq: from.seq, reason: `entry ${from.seq}, verified before, is gone: the journal was cut back` }
    if (at.hash !== from.hash) return { ok: false, entries: 0, firstBadSeq: from.seq, reason: `entry ${from.seq} no longer has the hash verified before: the journal was rewritten` }
    startHash = from.hash
    firstSeq = from.seq + 1
  }
  const full = !(from && from.seq > 0)
  const approxHead = (db.prepare('SELECT max(seq) AS seq FROM journal').get() as { seq: number | null }).seq ?? 0
  if (approxHead - firstSeq + 1 <= 0) return verifyJournal(db, from)
  // A worker costs a few milliseconds to start: short journals get fewer of them.
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), Math.ceil((approxHead - firstSeq + 1) / (options.minEntriesPerWorker ?? 1000))))
  let checked = 0
  let total = approxHead - firstSeq + 1
  const onRows = (rows: number) => {
    checked += rows
    options.onProgress?.({ checked, total })
  }
  const started = await workersAtOneHead(file, count, onRows)
  // Writes between every start: the single-threaded check, on one connection in one go, is consistent by itself.
  if (started === null) return verifyJournal(db, from)
  if ('error' in started) return { ok: false, entries: firstSeq - 1, firstBadSeq: firstSeq, reason: `entries ${firstSeq}-${approxHead} could not be checked: ${started.error}` }
  const { workers, head } = started
  try {
    total = head - firstSeq + 1
    const size = Math.ceil(total / count)
    const passes = await Promise.all(workers.map((w, i) => w.pass(firstSeq + i * size, Math.min(head, firstSeq + (i + 1) * size - 1))))
    let prevHash = startHash
    for (const range of passes) {
      // The link first, as the single-threaded check meets it: a range's first entry that neither links nor hashes
      // right is named for its link (its pass could only find the hash wrong).
      const unlinked = { ok: false, entries: range.first - 1, firstBadSeq: range.first, reason: `entry ${range.first} does not link to entry ${range.first - 1}` } as const
      if (range.firstPrev !== null && range.firstPrev !== prevHash) return unlinked
      if (range.bad) return { ok: false, entries: range.bad.seq - 1, firstBadSeq: range.bad.seq, reason: range.bad.reason }
      if (range.firstPrev !== prevHash) return unlinked
      prevHash = range.lastHash!
    }

    // Which range's replay each sale belongs to: the one that opened it (the last one, should a forged journal open
    // it twice), and an entry carried from range j goes to the last range before j that opened its sale (as the
    // single-threaded replay would apply it to the state it had then); no such range: a sale opened before the
    // checkpoint, which the single-threaded replay counts as unknown.
    const openedBy = new Map<string, number[]>()
    const firstOpenedSeq = new Map<string, number>()
    passes.forEach((range, i) => {
      range.opened.forEach((id, n) => {
        const list = openedBy.get(id)
        if (list) list.push(i)
        else {
          openedBy.set(id, [i])
          firstOpenedSeq.set(id, range.openedSeqs[n]!)
        }
      })
    })
    const orders: CompareOrder[] = passes.map(() => ({ apply: [], drop: [], firstOpened: [], journaled: null, journaledOpened: 0 }))
    const unknown = new Set<string>()
    passes.forEach((range, j) => {
      for (const entry of range.carried) {
        const owners = openedBy.get(entry[2])
        let owner = -1
        for (const k of owners ?? []) if (k < j) owner = k
        if (owner < 0) unknown.add(entry[2])
        else orders[owner]!.apply.push(entry)
      }
    })
    for (const [id, owners] of openedBy) {
      if (owners.length < 2) continue
      for (const k of owners.slice(0, -1)) orders[k]!.drop.push(id)
      orders[owners[owners.length - 1]!]!.firstOpened.push([id, firstOpenedSeq.get(id)!])
    }
    // The last range has the fewest carried entries to apply: it also looks for sale rows the journal never opened.
    if (full) orders[orders.length - 1] = { ...orders[orders.length - 1]!, journaled: [...openedBy.keys(), ...[...unknown].filter((id) => !openedBy.has(id))], journaledOpened: openedBy.size }
    const results = await Promise.all(workers.map((w, i) => w.compare(orders[i]!)))

    const failed = results.find((r) => r.error !== null)
    if (failed) return { ok: false, entries: head, firstBadSeq: firstSeq, reason: `the sales could not be compared with the journal: ${failed.error}` }
    const unreadable = results.map((r) => r.unreadable).filter((u) => u !== null).sort((a, b) => a.seq - b.seq)[0]
    if (unreadable) return { ok: false, entries: unreadable.seq - 1, firstBadSeq: unreadable.seq, reason: unreadable.reason }
    let mismatch: Mismatch | null = null
    let mismatchOpened = Number.POSITIVE_INFINITY
    for (const r of results) {
      if (r.mismatch && r.openedSeq !== null && r.openedSeq < mismatchOpened) {
        mismatch = r.mismatch
        mismatchOpened = r.openedSeq
      }
    }
    const orphan = results.find((r) => r.orphan !== null)?.orphan
    if (!mismatch && orphan) mismatch = { seq: 0, reason: `sale ${orphan} is in the sales table but the journal never opened it` }
    if (mismatch) return { ok: false, entries: head, firstBadSeq: mismatch.seq > 0 ? mismatch.seq : head + 1, reason: mismatch.reason }
    return { ok: true, entries: head, lastHash: prevHash }
  } finally {
    for (const w of workers) w.stop()
  }
}
