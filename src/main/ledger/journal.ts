// Append-only, hash-chained journal. Every change to a sale (and every other money-relevant event: payments,
// drawer openings, approvals, prints) is one entry; entry n's hash is sha256(hash(n-1) + canonicalJson(entry n)).
// The genesis entry chains from GENESIS_HASH. `verifyJournal` recomputes the chain and names the first bad entry.
import * as crypto from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { canonicalJson, type JsonValue } from '../../shared/canonical-json'
import type { Statement } from 'better-sqlite3'
import type { Db } from './db'
import { SaleReplay } from './replay'

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
  const replay = new SaleReplay()
  // Raw rows (arrays) and the body built inline: object rows and a helper call per entry cost a third of the time.
  const rows = db.prepare('SELECT seq, at, till_id, kind, sale_id, payload, prev_hash, hash FROM journal WHERE seq >= ? ORDER BY seq').raw().iterate(expectedSeq) as IterableIterator<
    [number, number, string, string, string | null, string, string, string]
  >
  for (const [seq, at, tillId, kind, saleId, payload, rowPrevHash, rowHash] of rows) {
    if (seq !== expectedSeq) {
      return { ok: false, entries, firstBadSeq: expectedSeq, reason: `entry ${expectedSeq} is missing (found ${seq} next)` }
    }
    if (rowPrevHash !== prevHash) {
      return { ok: false, entries, firstBadSeq: seq, reason: `entry ${seq} does not link to entry ${seq - 1}` }
    }
    const body = `{"at":${at},"kind":${JSON.stringify(kind)},"payload":${payload},"saleId":${saleId === null ? 'null' : JSON.stringify(saleId)},"seq":${seq},"tillId":${JSON.stringify(tillId)}}`
    const hash = hashEntry(prevHash, body)
    if (hash !== rowHash) {
      return { ok: false, entries, firstBadSeq: seq, reason: `entry ${seq} (${kind}) was altered after it was written` }
    }
    if (saleId !== null && kind.startsWith('sale.')) {
      try {
        replay.apply(seq, kind, saleId, payload)
      } catch {
        return { ok: false, entries, firstBadSeq: seq, reason: `entry ${seq} (${kind}) cannot be read` }
      }
    }
    prevHash = hash
    expectedSeq++
    entries++
  }
  const mismatch = replay.compare(db, !(from && from.seq > 0))
  if (mismatch) return { ok: false, entries, firstBadSeq: mismatch.seq > 0 ? mismatch.seq : expectedSeq, reason: mismatch.reason }
  return { ok: true, entries, lastHash: prevHash }
}

// The hash chain of one range of entries, on a worker thread with its own read-only connection: plain JavaScript (a
// worker cannot load TypeScript), better-sqlite3 resolved by the main thread. The entry body is built exactly as in
// entryBody/verifyJournal above (journal.test.ts and verify-parallel.test.ts hold the two to the same verdicts).
// Each entry's hash depends only on its stored prev_hash and its own fields, so ranges verify independently; the
// links between ranges (a range's first prev_hash against the previous range's last hash) are checked by the caller.
const CHAIN_WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const crypto = require('node:crypto')
const hash = crypto.hash ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex')
const { first, last } = workerData
let db
let out = { first, last, firstPrev: null, lastHash: null, bad: null }
try {
  db = new (require(workerData.driver))(workerData.file, { readonly: true, fileMustExist: true })
  let expectedSeq = first
  let prevHash = null
  const rows = db.prepare('SELECT seq, at, till_id, kind, sale_id, payload, prev_hash, hash FROM journal WHERE seq BETWEEN ? AND ? ORDER BY seq').raw().iterate(first, last)
  for (const [seq, at, tillId, kind, saleId, payload, rowPrevHash, rowHash] of rows) {
    if (seq !== expectedSeq) { out.bad = { seq: expectedSeq, reason: 'entry ' + expectedSeq + ' is missing (found ' + seq + ' next)' }; break }
    if (prevHash === null) out.firstPrev = rowPrevHash
    else if (rowPrevHash !== prevHash) { out.bad = { seq, reason: 'entry ' + seq + ' does not link to entry ' + (seq - 1) }; break }
    const body = \`{"at":\${at},"kind":\${JSON.stringify(kind)},"payload":\${payload},"saleId":\${saleId === null ? 'null' : JSON.stringify(saleId)},"seq":\${seq},"tillId":\${JSON.stringify(tillId)}}\`
    const h = hash(rowPrevHash + body)
    if (h !== rowHash) { out.bad = { seq, reason: 'entry ' + seq + ' (' + kind + ') was altered after it was written' }; break }
    prevHash = h
    expectedSeq++
  }
  if (!out.bad && expectedSeq <= last) out.bad = { seq: expectedSeq, reason: 'entry ' + expectedSeq + ' is missing' }
  out.lastHash = prevHash
} catch (e) {
  out.bad = { seq: first, reason: 'entries ' + first + '-' + last + ' cannot be read: ' + String(e && e.message || e) }
} finally {
  if (db) db.close()
}
parentPort.postMessage(out)`

interface ChainRange {
  readonly first: number
  readonly last: number
  readonly firstPrev: string | null
  readonly lastHash: string | null
  readonly bad: { readonly seq: number; readonly reason: string } | null
}

function chainRange(file: string, first: number, last: number): Promise<ChainRange> {
  return new Promise((resolvePromise) => {
    const worker = new Worker(CHAIN_WORKER, { eval: true, workerData: { file, first, last, driver: require.resolve('better-sqlite3') } })
    const failed = (reason: string) => resolvePromise({ first, last, firstPrev: null, lastHash: null, bad: { seq: first, reason } })
    worker.once('message', (m: ChainRange) => resolvePromise(m))
    worker.once('error', (e) => failed(`entries ${first}-${last} could not be checked: ${e.message}`))
    worker.once('exit', (code) => (code === 0 ? undefined : failed(`entries ${first}-${last} could not be checked (worker exit ${code})`)))
  })
}

/**
 * verifyJournal's verdicts (the same checks, first bad entry and reasons) on several cores: the hash chain is split
 * into `workers` ranges checked on worker threads (each with its own read-only connection to `file`), while this
 * thread replays the sale entries against the tables (ledger/replay.ts). For the full verification of a long
 * ledger (`stabletill verify`, the back office); the start-up check, a few thousand entries, stays synchronous.
 * `db` is a connection to the same file (read-only is enough).
 */
export async function verifyJournalParallel(db: Db, file: string, options: { readonly from?: JournalCheckpoint; readonly workers?: number; readonly minEntriesPerWorker?: number } = {}): Promise<VerifyResult> {
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
  const head = (db.prepare('SELECT max(seq) AS seq FROM journal').get() as { seq: number | null }).seq ?? 0
  const total = head - firstSeq + 1
  if (total <= 0) return verifyJournal(db, from)
  // A worker costs a few milliseconds to start: short journals get fewer of them.
  const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), Math.ceil(total / (options.minEntriesPerWorker ?? 1000))))
  const size = Math.ceil(total / count)
  const ranges = Array.from({ length: count }, (_, i) => chainRange(file, firstSeq + i * size, Math.min(head, firstSeq + (i + 1) * size - 1)))

  // Meanwhile, on this thread: the sale entries replayed in order (only the sale.* rows reach JavaScript).
  const replay = new SaleReplay()
  let unreadable: { seq: number; reason: string } | null = null
  const sales = db.prepare("SELECT seq, kind, sale_id, payload FROM journal WHERE seq >= ? AND sale_id IS NOT NULL AND kind LIKE 'sale.%' ORDER BY seq").raw().iterate(firstSeq) as IterableIterator<[number, string, string, string]>
  for (const [seq, kind, saleId, payload] of sales) {
    try {
      replay.apply(seq, kind, saleId, payload)
    } catch {
      unreadable = { seq, reason: `entry ${seq} (${kind}) cannot be read` }
      break
    }
  }
  const mismatch = unreadable ? null : replay.compare(db, !(from && from.seq > 0))

  const done = await Promise.all(ranges)
  let prevHash = startHash
  for (const range of done) {
    if (range.bad) return { ok: false, entries: range.bad.seq - 1, firstBadSeq: range.bad.seq, reason: range.bad.reason }
    if (range.firstPrev !== prevHash) return { ok: false, entries: range.first - 1, firstBadSeq: range.first, reason: `entry ${range.first} does not link to entry ${range.first - 1}` }
    prevHash = range.lastHash!
  }
  if (unreadable) return { ok: false, entries: unreadable.seq - 1, firstBadSeq: unreadable.seq, reason: unreadable.reason }
  if (mismatch) return { ok: false, entries: head, firstBadSeq: mismatch.seq > 0 ? mismatch.seq : head + 1, reason: mismatch.reason }
  return { ok: true, entries: head, lastHash: prevHash }
}
