// Ingest: one batch of a till's journal entries, checked and stored in one PostgreSQL transaction.
//
// Checks, in order, with the till's row locked (FOR UPDATE) so two deliveries of the same till queue up:
//  - entries already stored (seq <= head) must carry the stored hash: the same → nothing to do (a re-sent batch is
//    idempotent and answers the acked seq); another → a FORK, refused and kept as an alert;
//  - the first new entry must be head + 1 (else 'gap': the till resends from the acked seq), each links to the one
//    before (prev_hash), names this till, and its hash recomputes from its fields and the exact payload text
//    (journal.ts: hash = sha256(prevHash + canonical body)); an edited entry is refused and alerted.
// Nothing of a refused batch is stored (the transaction rolls back); its alert is written after, on its own.
// Answers the highest contiguous seq stored: head office only ever stores a gap-free prefix of each till's chain.
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto'
import type { Pool, PoolClient } from 'pg'
import { canonicalJson } from '../shared/canonical-json'
import type { IngestRefusalCode, IngestRequest, IngestResponse, ShippedEntry, ShippedSignedHead } from '../shared/headoffice'

export const GENESIS_HASH = '0'.repeat(64)

/** The bytes the till hashed after the previous hash: built exactly as ledger/journal.ts entryBody. */
export function entryBody(e: Pick<ShippedEntry, 'seq' | 'at' | 'tillId' | 'kind' | 'saleId' | 'payload'>): string {
  return `{"at":${e.at},"kind":${JSON.stringify(e.kind)},"payload":${e.payload},"saleId":${e.saleId === null ? 'null' : JSON.stringify(e.saleId)},"seq":${e.seq},"tillId":${JSON.stringify(e.tillId)}}`
}

export function entryHash(prevHash: string, e: Pick<ShippedEntry, 'seq' | 'at' | 'tillId' | 'kind' | 'saleId' | 'payload'>): string {
  return createHash('sha256').update(prevHash).update(entryBody(e)).digest('hex')
}

export interface TillAuth {
  readonly id: string
  readonly storeId: string
  readonly ledgerTillId: string
}

interface Refusal {
  readonly code: IngestRefusalCode
  readonly seq: number | null
  readonly message: string
  /** Kept as an alert (a fork or a tampered entry); a plain gap is not. */
  readonly alert?: { readonly storedHash: string | null; readonly offeredHash: string }
}

export interface IngestOutcome {
  readonly status: number
  readonly body: IngestResponse
}

/** Stores one batch for `till`. Never throws for a bad batch (a refusal is an answer); throws on a database fault. */
export async function ingestBatch(pool: Pool, till: TillAuth, request: IngestRequest): Promise<IngestOutcome> {
  const client = await pool.connect()
  let refusal: Refusal | null
  let acked: { seq: number; hash: string | null }
  let stored = 0
  let headsKept = 0
  try {
    await client.query('BEGIN')
    try {
      const head = (await client.query<{ head_seq: string; head_hash: string | null; time_zone: string; public_key: string | null }>(
        'SELECT t.head_seq, t.head_hash, t.public_key, s.time_zone FROM tills t JOIN stores s ON s.id = t.store_id WHERE t.id = $1 FOR UPDATE OF t',
        [till.id]
      )).rows[0]
      if (!head) throw new Error(`till ${till.id} vanished`)
      acked = { seq: Number(head.head_seq), hash: head.head_hash }
      const checked = await check(client, till, acked, request.entries)
      refusal = checked.refusal
      if (!refusal && checked.fresh.length > 0) {
        await store(client, till.id, checked.fresh, head.time_zone)
        const last = checked.fresh[checked.fresh.length - 1]!
        stored = checked.fresh.length
        acked = { seq: last.seq, hash: last.hash }
      }
      if (!refusal && request.signedHeads.length > 0) headsKept = await keepSignedHeads(client, till, head.public_key, acked.seq, request.signedHeads)
      if (refusal) {
        await client.query('ROLLBACK')
      } else {
        await client.query(
          `UPDATE tills SET head_seq = $2, head_hash = $3, reported_head = $4, last_seen_at = now(),
                  last_entry_at = COALESCE($5, last_entry_at) WHERE id = $1`,
          [till.id, acked.seq, acked.hash, request.tillHead, stored > 0 ? request.entries[request.entries.length - 1]!.at : null]
        )
        await client.query('COMMIT')
      }
    } catch (e) {
      await client.query('ROLLBACK')
      throw e
    }
    if (refusal) {
      // Outside the rolled-back batch: the alert and the contact are kept whatever the batch held.
      await client.query('UPDATE tills SET last_seen_at = now(), reported_head = $2 WHERE id = $1', [till.id, request.tillHead])
      if (refusal.alert) {
        await client.query(
          `INSERT INTO alerts (till_id, kind, seq, stored_hash, offered_hash, detail) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (till_id, kind, seq, offered_hash) DO UPDATE SET last_at = now(), times = alerts.times + 1`,
          [till.id, refusal.code, refusal.seq, refusal.alert.storedHash, refusal.alert.offeredHash, refusal.message]
        )
        console.error(`head office: ${refusal.code} from till ${till.id} at entry ${refusal.seq ?? '-'}: ${refusal.message}`)
      }
    }
  } finally {
    client.release()
  }
  if (refusal) {
    const status = refusal.code === 'gap' || refusal.code === 'fork' ? 409 : 422
    return { status, body: { ok: false, ackedSeq: acked.seq, ackedHash: acked.hash, error: { code: refusal.code, seq: refusal.seq, message: refusal.message } } }
  }
  return { status: 200, body: { ok: true, ackedSeq: acked.seq, ackedHash: acked.hash, stored, signedHeads: headsKept } }
}

/** The bytes a till signs for a head (ledger/anchor.ts signedBody). */
export const signedHeadBody = (h: Omit<ShippedSignedHead, 'signature'>): Buffer =>
  Buffer.from(canonicalJson({ at: h.at, hash: h.hash, reason: h.reason, seq: h.seq, storeId: h.storeId, tillId: h.tillId }))

/**
 * Keeps the till's signed heads up to `ackedSeq` (in the batch's transaction). Each must name this till and carry
 * the hash head office stores at its seq; with the till's public key registered, its signature must verify. A head
 * that fails is an alert (the entries it covers were already checked link by link, so they stay).
 */
async function keepSignedHeads(client: PoolClient, till: TillAuth, publicKeyDer: string | null, ackedSeq: number, heads: readonly ShippedSignedHead[]): Promise<number> {
  // A key registered before keys were checked (server.ts readTillPublicKey) may not read: the heads are then kept
  // unverified and each is an alert, instead of the whole batch failing on every try.
  let key: KeyObject | null = null
  let keyUnreadable = false
  try {
    key = publicKeyDer ? createPublicKey({ key: Buffer.from(publicKeyDer, 'base64'), format: 'der', type: 'spki' }) : null
  } catch {
    keyUnreadable = true
  }
  const within = heads.filter((h) => h.seq <= ackedSeq)
  if (within.length === 0) return 0
  const storedHash = new Map((await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM journal WHERE till_id = $1 AND seq = ANY($2::bigint[])', [till.id, within.map((h) => h.seq)])).rows.map((r) => [Number(r.seq), r.hash]))
  let kept = 0
  for (const h of within) {
    const { signature, ...body } = h
    let problem: { kind: string; detail: string } | null = null
    if (h.tillId !== till.ledgerTillId) problem = { kind: 'signed-head-wrong-till', detail: `the signed head of entry ${h.seq} names till ${h.tillId}` }
    else if (storedHash.get(h.seq) !== h.hash) problem = { kind: 'signed-head-mismatch', detail: `the till signed entry ${h.seq} with a hash head office's journal does not hold: the till's journal was rewritten` }
    else if (keyUnreadable) problem = { kind: 'unreadable-key', detail: `the signed head of entry ${h.seq} cannot be checked: the till's registered key does not read (register it again: set-key)` }
    else if (key && !verify(null, signedHeadBody(body), key, Buffer.from(signature, 'base64'))) problem = { kind: 'bad-signature', detail: `the signed head of entry ${h.seq} does not verify with the till's registered key` }
    if (problem) {
      await client.query(
        `INSERT INTO alerts (till_id, kind, seq, stored_hash, offered_hash, detail) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (till_id, kind, seq, offered_hash) DO UPDATE SET last_at = now(), times = alerts.times + 1`,
        [till.id, problem.kind, h.seq, storedHash.get(h.seq) ?? null, signature, problem.detail]
      )
      console.error(`head office: ${problem.kind} from till ${till.id}: ${problem.detail}`)
      continue
    }
    const done = await client.query('INSERT INTO signed_heads (till_id, seq, hash, reason, at, signature, verified) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING', [till.id, h.seq, h.hash, h.reason, h.at, signature, key !== null])
    kept += done.rowCount ?? 0
  }
  return kept
}

async function check(client: PoolClient, till: TillAuth, head: { seq: number; hash: string | null }, entries: readonly ShippedEntry[]): Promise<{ refusal: Refusal | null; fresh: ShippedEntry[] }> {
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.seq !== entries[i - 1]!.seq + 1) return { refusal: { code: 'not-consecutive', seq: entries[i]!.seq, message: `entry ${entries[i]!.seq} does not follow entry ${entries[i - 1]!.seq} in the batch` }, fresh: [] }
  }
  const known = entries.filter((e) => e.seq <= head.seq)
  if (known.length > 0) {
    const rows = (await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM journal WHERE till_id = $1 AND seq = ANY($2::bigint[])', [till.id, known.map((e) => e.seq)])).rows
    const storedHash = new Map(rows.map((r) => [Number(r.seq), r.hash]))
    for (const e of known) {
      const stored = storedHash.get(e.seq) ?? null
      if (stored !== e.hash) {
        return {
          refusal: {
            code: 'fork',
            seq: e.seq,
            message: `entry ${e.seq} differs from the one head office already holds (stored ${stored?.slice(0, 12) ?? 'none'}, offered ${e.hash.slice(0, 12)}): the till's journal forked or was rewritten`,
            alert: { storedHash: stored, offeredHash: e.hash }
          },
          fresh: []
        }
      }
    }
  }
  const fresh = entries.filter((e) => e.seq > head.seq)
  if (fresh.length === 0) return { refusal: null, fresh }
  if (fresh[0]!.seq !== head.seq + 1) return { refusal: { code: 'gap', seq: fresh[0]!.seq, message: `head office holds up to entry ${head.seq}; send from entry ${head.seq + 1}` }, fresh: [] }
  let prev = head.hash ?? GENESIS_HASH
  for (const e of fresh) {
    if (e.tillId !== till.ledgerTillId) return { refusal: { code: 'wrong-till', seq: e.seq, message: `entry ${e.seq} names till ${e.tillId}, this token is till ${till.ledgerTillId}'s`, alert: { storedHash: null, offeredHash: e.hash } }, fresh: [] }
    if (e.prevHash !== prev) return { refusal: { code: 'broken-link', seq: e.seq, message: `entry ${e.seq} does not link to entry ${e.seq - 1}`, alert: { storedHash: prev, offeredHash: e.hash } }, fresh: [] }
    if (!isJson(e.payload) || entryHash(prev, e) !== e.hash) {
      return { refusal: { code: 'hash-mismatch', seq: e.seq, message: `entry ${e.seq} (${e.kind}) does not hash to its recorded hash: it was altered after it was written`, alert: { storedHash: null, offeredHash: e.hash } }, fresh: [] }
    }
    prev = e.hash
  }
  return { refusal: null, fresh }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** The Z closings among freshly stored entries (a 'shift.z-closed' payload carries the Z's figures). */
const Z_CLOSINGS_SQL = `
  INSERT INTO z_closings (till_id, z_number, seq, closed_at, period_start, day, sales_count, net_sales_minor, tax_minor, expected_cash_minor, counted_cash_minor, difference_minor, difference_reason, grand_net_minor, head_seq, head_hash)
  SELECT j.till_id, (j.payload->>'zNumber')::integer, j.seq, j.at, (j.payload->'figures'->>'periodStartMs')::bigint,
         (to_timestamp((j.payload->'figures'->>'periodStartMs')::bigint / 1000.0) AT TIME ZONE $3)::date,
         (j.payload->'figures'->>'salesCount')::integer, (j.payload->'figures'->>'netSalesMinor')::bigint, (j.payload->'figures'->>'taxMinor')::bigint,
         (j.payload->'figures'->'drawer'->>'expectedMinor')::bigint, COALESCE((j.payload->'figures'->'drawer'->>'countedMinor')::bigint, 0),
         COALESCE((j.payload->'figures'->'drawer'->>'differenceMinor')::bigint, 0), j.payload->'figures'->'drawer'->>'differenceReason',
         (j.payload->'figures'->'grandTotals'->'after'->>'netMinor')::bigint,
         (j.payload->'figures'->'journal'->>'headSeq')::bigint, j.payload->'figures'->'journal'->>'headHash'
    FROM journal j WHERE j.till_id = $1 AND j.seq >= $2 AND j.kind = 'shift.z-closed'
  ON CONFLICT DO NOTHING`

/** Inserts the entries (one statement) and updates the projections from them, in the caller's transaction. */
async function store(client: PoolClient, tillId: string, entries: readonly ShippedEntry[], timeZone: string): Promise<void> {
  const fromSeq = entries[0]!.seq
  await client.query(
    `INSERT INTO journal (till_id, seq, at, kind, sale_id, payload, payload_text, prev_hash, hash)
     SELECT $1, e.seq, e.at, e.kind, e.sale_id, e.payload::jsonb, e.payload, e.prev_hash, e.hash
       FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS e(seq, at, kind, sale_id, payload, prev_hash, hash)`,
    [tillId, entries.map((e) => e.seq), entries.map((e) => e.at), entries.map((e) => e.kind), entries.map((e) => e.saleId), entries.map((e) => e.payload), entries.map((e) => e.prevHash), entries.map((e) => e.hash)]
  )
  await project(client, tillId, fromSeq, timeZone, entries.some((e) => e.kind === 'shift.z-closed'))
}

/**
 * Rebuilds every projection from the stored journal (after a fix to how a figure is derived, or to check them): in
 * one transaction, with every till locked so no batch lands halfway. The journal itself is never touched.
 */
export async function rebuildProjections(pool: Pool): Promise<{ tills: number; entries: number }> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    try {
      const tills = (await client.query<{ id: string; time_zone: string }>('SELECT t.id, s.time_zone FROM tills t JOIN stores s ON s.id = t.store_id ORDER BY t.id FOR UPDATE OF t')).rows
      await client.query('DELETE FROM till_day; DELETE FROM sale_tenders; DELETE FROM z_closings')
      for (const t of tills) await project(client, t.id, 1, t.time_zone, true)
      const { n } = (await client.query<{ n: string }>('SELECT count(*) AS n FROM journal')).rows[0]!
      await client.query('COMMIT')
      return { tills: tills.length, entries: Number(n) }
    } catch (e) {
      await client.query('ROLLBACK')
      throw e
    }
  } finally {
    client.release()
  }
}

/** The projections of a till's entries from `fromSeq` on, in the caller's transaction. */
async function project(client: PoolClient, tillId: string, fromSeq: number, timeZone: string, hasZ: boolean): Promise<void> {
  // Tenders as the till recorded them (sale.ts: amountMinor is what the tender paid of the sale, change excluded).
  await client.query(
    `INSERT INTO sale_tenders (till_id, tender_id, sale_id, kind, amount_minor)
     SELECT till_id, payload->>'tenderId', sale_id, payload->>'kind', (payload->>'amountMinor')::bigint
       FROM journal WHERE till_id = $1 AND seq >= $2 AND kind = 'sale.tender-added'
     ON CONFLICT DO NOTHING`,
    [tillId, fromSeq]
  )
  // A cash tender handed back, or a stablecoin one reversed on chain, before the sale completed stops counting
  // (sale.ts returnTender, withdrawReversedTender), as on the till's X and Z.
  await client.query(
    `DELETE FROM sale_tenders st USING journal j
      WHERE j.till_id = $1 AND j.seq >= $2 AND j.kind IN ('sale.tender-returned', 'sale.tender-reversed')
        AND st.till_id = j.till_id AND st.tender_id = j.payload->>'tenderId'`,
    [tillId, fromSeq]
  )
  // The day's figures as the till's X/Z counts them (services/shift.ts): a sale counts when its 'sale.completed'
  // entry is written; its tenders are all the tenders of the completed sale; a refund sale ('kind': 'refund') is
  // a return of its total, paid back by its method. Days are the store's local calendar days.
  await client.query(
    `WITH done AS (
       SELECT j.sale_id, (to_timestamp(j.at / 1000.0) AT TIME ZONE $3)::date AS day, j.kind AS entry,
              COALESCE(j.payload->>'kind', 'sale') AS sale_kind, COALESCE((j.payload->>'totalMinor')::bigint, 0) AS total,
              j.payload->>'method' AS method
         FROM journal j WHERE j.till_id = $1 AND j.seq >= $2 AND j.kind IN ('sale.completed', 'sale.voided')
     ), tendered AS (
       SELECT d.sale_id,
              SUM(t.amount_minor) FILTER (WHERE t.kind = 'cash') AS cash,
              SUM(t.amount_minor) FILTER (WHERE t.kind = 'stablecoin') AS coin
         FROM done d JOIN sale_tenders t ON t.till_id = $1 AND t.sale_id = d.sale_id
        WHERE d.entry = 'sale.completed' AND d.sale_kind = 'sale' GROUP BY d.sale_id
     )
     INSERT INTO till_day AS td (till_id, day, sales_count, sales_minor, returns_count, returns_minor, cash_sales_minor, stablecoin_sales_minor, cash_refunds_minor, stablecoin_refunds_minor, voids_count)
     SELECT $1, d.day,
            COUNT(*) FILTER (WHERE d.entry = 'sale.completed' AND d.sale_kind = 'sale'),
            COALESCE(SUM(d.total) FILTER (WHERE d.entry = 'sale.completed' AND d.sale_kind = 'sale'), 0),
            COUNT(*) FILTER (WHERE d.entry = 'sale.completed' AND d.sale_kind = 'refund'),
            COALESCE(SUM(d.total) FILTER (WHERE d.entry = 'sale.completed' AND d.sale_kind = 'refund'), 0),
            COALESCE(SUM(t.cash), 0), COALESCE(SUM(t.coin), 0),
            COALESCE(SUM(d.total) FILTER (WHERE d.entry = 'sale.completed' AND d.sale_kind = 'refund' AND d.method = 'cash'), 0),
            COALESCE(SUM(d.total) FILTER (WHERE d.entry = 'sale.completed' AND d.sale_kind = 'refund' AND d.method = 'stablecoin'), 0),
            COUNT(*) FILTER (WHERE d.entry = 'sale.voided')
       FROM done d LEFT JOIN tendered t ON t.sale_id = d.sale_id
      GROUP BY d.day
     ON CONFLICT (till_id, day) DO UPDATE SET
       sales_count = td.sales_count + EXCLUDED.sales_count, sales_minor = td.sales_minor + EXCLUDED.sales_minor,
       returns_count = td.returns_count + EXCLUDED.returns_count, returns_minor = td.returns_minor + EXCLUDED.returns_minor,
       cash_sales_minor = td.cash_sales_minor + EXCLUDED.cash_sales_minor, stablecoin_sales_minor = td.stablecoin_sales_minor + EXCLUDED.stablecoin_sales_minor,
       cash_refunds_minor = td.cash_refunds_minor + EXCLUDED.cash_refunds_minor, stablecoin_refunds_minor = td.stablecoin_refunds_minor + EXCLUDED.stablecoin_refunds_minor,
       voids_count = td.voids_count + EXCLUDED.voids_count`,
    [tillId, fromSeq, timeZone]
  )
  // A Z's business day is the day its period opened (as the till's `stabletill --date` reads it).
  if (hasZ) await client.query(Z_CLOSINGS_SQL, [tillId, fromSeq, timeZone])
}
