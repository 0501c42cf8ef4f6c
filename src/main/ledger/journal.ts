// Append-only, hash-chained journal. Every change to a sale (and every other money-relevant event: payments,
// drawer openings, approvals, prints) is one entry; entry n's hash is sha256(hash(n-1) + canonicalJson(entry n)).
// The genesis entry chains from GENESIS_HASH. `verifyJournal` recomputes the chain and names the first bad entry.
import { createHash } from 'node:crypto'
import { canonicalJson, type JsonValue } from '../../shared/canonical-json'
import type { Statement } from 'better-sqlite3'
import type { Db } from './db'

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

interface JournalRow {
  seq: number
  at: number
  till_id: string
  kind: string
  sale_id: string | null
  payload: string
  prev_hash: string
  hash: string
}

/** The exact bytes that are hashed after the previous hash: the entry without its own hashes. */
function entryBody(seq: number, input: JournalInput, payloadJson: string): string {
  // payloadJson is already canonical; splice it in so the row's stored text is hashed as stored.
  return `{"at":${input.at},"kind":${JSON.stringify(input.kind)},"payload":${payloadJson},"saleId":${
    input.saleId == null ? 'null' : JSON.stringify(input.saleId)
  },"seq":${seq},"tillId":${JSON.stringify(input.tillId)}}`
}

export function hashEntry(prevHash: string, body: string): string {
  return createHash('sha256').update(prevHash).update(body).digest('hex')
}

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
 * Recomputes the chain. Detects an edited field in any entry, a deleted or inserted entry (sequence gap or broken prev
 * link), and a completed sale whose stored totals no longer match the totals its journal recorded.
 * With `from`, only the entries after that checkpoint are recomputed (the start-up check): the checkpoint's own entry
 * must still carry the checkpoint's hash, so a rewrite below it is caught too, as long as the checkpoint itself came
 * from outside the file (the signed anchor, ledger/anchor.ts). Without `from`, the whole chain and every completed
 * sale are checked.
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
  const completedTotals = new Map<string, { seq: number; total: number; hash: string }>()
  const rows = db.prepare('SELECT seq, at, till_id, kind, sale_id, payload, prev_hash, hash FROM journal WHERE seq >= ? ORDER BY seq').iterate(expectedSeq)
  for (const raw of rows) {
    const row = raw as JournalRow
    if (row.seq !== expectedSeq) {
      return { ok: false, entries, firstBadSeq: expectedSeq, reason: `entry ${expectedSeq} is missing (found ${row.seq} next)` }
    }
    if (row.prev_hash !== prevHash) {
      return { ok: false, entries, firstBadSeq: row.seq, reason: `entry ${row.seq} does not link to entry ${row.seq - 1}` }
    }
    const body = entryBody(row.seq, { at: row.at, tillId: row.till_id, kind: row.kind, saleId: row.sale_id, payload: {} }, row.payload)
    const hash = hashEntry(prevHash, body)
    if (hash !== row.hash) {
      return { ok: false, entries, firstBadSeq: row.seq, reason: `entry ${row.seq} (${row.kind}) was altered after it was written` }
    }
    if (row.kind === 'sale.completed' && row.sale_id) {
      const payload = JSON.parse(row.payload) as { totalMinor?: unknown }
      // An integer written by canonicalJson; anything else cannot match a stored total and is reported below.
      const total = Number.isSafeInteger(payload.totalMinor) ? (payload.totalMinor as number) : Number.NaN
      completedTotals.set(row.sale_id, { seq: row.seq, total, hash: row.hash })
    }
    prevHash = hash
    expectedSeq++
    entries++
  }
  // Cross-check the sales table against what the journal recorded at completion (all of them, or those completed
  // after the checkpoint).
  const sales = from && from.seq > 0
    ? db.prepare("SELECT id, total_minor FROM sales WHERE status = 'completed' AND id IN (SELECT sale_id FROM journal WHERE seq > ? AND kind = 'sale.completed')").iterate(from.seq)
    : db.prepare("SELECT id, total_minor FROM sales WHERE status = 'completed'").iterate()
  for (const raw of sales) {
    const sale = raw as { id: string; total_minor: number }
    const recorded = completedTotals.get(sale.id)
    if (!recorded) return { ok: false, entries, firstBadSeq: expectedSeq, reason: `sale ${sale.id} is completed but the journal never recorded it` }
    if (recorded.total !== sale.total_minor) {
      return { ok: false, entries, firstBadSeq: recorded.seq, reason: `sale ${sale.id}: stored total ${sale.total_minor} differs from the journal's ${recorded.total}` }
    }
  }
  return { ok: true, entries, lastHash: prevHash }
}
