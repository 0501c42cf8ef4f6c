// Append-only, hash-chained journal. Every change to a sale (and every other money-relevant event: payments,
// drawer openings, approvals, prints) is one entry; entry n's hash is sha256(hash(n-1) + canonicalJson(entry n)).
// The genesis entry chains from GENESIS_HASH. `verifyJournal` recomputes the chain and names the first bad entry.
import * as crypto from 'node:crypto'
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
