// What the owner sees at head office: per store and till, the day's sales count and net, the tender mix, when the
// till last reached head office, how many entries it still has to ship, and the alerts. Read only, from the
// projections (ingest.ts) and the tills' rows. Money as integer minor units of the store's currency.
import type { Pool } from 'pg'

export interface TillOverview {
  readonly tillId: string
  readonly ledgerTillId: string
  readonly name: string
  readonly salesCount: number
  readonly salesMinor: number
  readonly returnsCount: number
  readonly returnsMinor: number
  readonly netMinor: number
  readonly voidsCount: number
  /** Net per tender: what the sales took minus what refunds paid back by that method. */
  readonly tenders: { readonly cashMinor: number; readonly stablecoinMinor: number }
  /** The highest contiguous entry head office holds, and what the till last said its head was. */
  readonly ackedSeq: number
  readonly reportedHead: number
  readonly entriesBehind: number
  /** When the till last reached head office (ms since the epoch), null: never. */
  readonly lastSeenAt: number | null
  /** The till's clock on the newest entry shipped. */
  readonly lastEntryAt: number | null
  readonly openAlerts: number
  /** The newest head the till signed with its key that head office holds (a Z or a checkpoint), null: none yet. */
  readonly signedHead: { readonly seq: number; readonly reason: string; readonly verified: boolean } | null
}

export interface StoreOverview {
  readonly storeId: string
  readonly name: string
  readonly currency: string
  readonly timeZone: string
  /** The store's local calendar day shown (YYYY-MM-DD). */
  readonly day: string
  readonly salesCount: number
  readonly netMinor: number
  readonly tenders: { readonly cashMinor: number; readonly stablecoinMinor: number }
  readonly tills: readonly TillOverview[]
}

export interface AlertView {
  readonly id: number
  readonly tillId: string
  readonly kind: string
  readonly seq: number | null
  readonly detail: string
  readonly firstAt: number
  readonly lastAt: number
  readonly times: number
}

export interface Overview {
  readonly at: number
  readonly stores: readonly StoreOverview[]
  readonly alerts: readonly AlertView[]
}

const int = (v: string | number | boolean | null | undefined): number => (v == null ? 0 : Number(v))

/** The overview for the day holding `at` in each store's time zone (default: now). */
export async function overview(pool: Pool, at: number = Date.now()): Promise<Overview> {
  const rows = (await pool.query<Record<string, string | number | boolean | null>>(
    `SELECT s.id AS store_id, s.name AS store_name, s.currency, s.time_zone,
            to_char((to_timestamp($1 / 1000.0) AT TIME ZONE s.time_zone)::date, 'YYYY-MM-DD') AS day,
            t.id AS till_id, t.ledger_till_id, t.name AS till_name, t.head_seq, t.reported_head,
            (extract(epoch FROM t.last_seen_at) * 1000)::bigint AS last_seen_ms, t.last_entry_at,
            d.sales_count, d.sales_minor, d.returns_count, d.returns_minor, d.voids_count,
            d.cash_sales_minor, d.stablecoin_sales_minor, d.cash_refunds_minor, d.stablecoin_refunds_minor,
            (SELECT COUNT(*) FROM alerts a WHERE a.till_id = t.id) AS open_alerts,
            h.seq AS signed_seq, h.reason AS signed_reason, h.verified AS signed_verified
       FROM stores s JOIN tills t ON t.store_id = s.id
       LEFT JOIN LATERAL (SELECT seq, reason, verified FROM signed_heads sh WHERE sh.till_id = t.id ORDER BY seq DESC LIMIT 1) h ON true
       LEFT JOIN till_day d ON d.till_id = t.id AND d.day = (to_timestamp($1 / 1000.0) AT TIME ZONE s.time_zone)::date
      ORDER BY s.id, t.id`,
    [at]
  )).rows
  const stores = new Map<string, { head: Omit<StoreOverview, 'tills' | 'salesCount' | 'netMinor' | 'tenders'>; tills: TillOverview[] }>()
  for (const r of rows) {
    const storeId = String(r.store_id)
    let entry = stores.get(storeId)
    if (!entry) {
      entry = { head: { storeId, name: String(r.store_name), currency: String(r.currency), timeZone: String(r.time_zone), day: String(r.day) }, tills: [] }
      stores.set(storeId, entry)
    }
    const salesMinor = int(r.sales_minor)
    const returnsMinor = int(r.returns_minor)
    const ackedSeq = int(r.head_seq)
    const reportedHead = int(r.reported_head)
    entry.tills.push({
      tillId: String(r.till_id),
      ledgerTillId: String(r.ledger_till_id),
      name: String(r.till_name),
      salesCount: int(r.sales_count),
      salesMinor,
      returnsCount: int(r.returns_count),
      returnsMinor,
      netMinor: salesMinor - returnsMinor,
      voidsCount: int(r.voids_count),
      tenders: { cashMinor: int(r.cash_sales_minor) - int(r.cash_refunds_minor), stablecoinMinor: int(r.stablecoin_sales_minor) - int(r.stablecoin_refunds_minor) },
      ackedSeq,
      reportedHead,
      entriesBehind: Math.max(0, reportedHead - ackedSeq),
      lastSeenAt: r.last_seen_ms == null ? null : int(r.last_seen_ms),
      lastEntryAt: r.last_entry_at == null ? null : int(r.last_entry_at),
      openAlerts: int(r.open_alerts),
      signedHead: r.signed_seq == null ? null : { seq: int(r.signed_seq), reason: String(r.signed_reason), verified: r.signed_verified === true }
    })
  }
  const alerts = (await pool.query<Record<string, string | number | null>>(
    `SELECT id, till_id, kind, seq, detail, (extract(epoch FROM first_at) * 1000)::bigint AS first_ms,
            (extract(epoch FROM last_at) * 1000)::bigint AS last_ms, times
       FROM alerts ORDER BY last_at DESC, id DESC LIMIT 100`
  )).rows.map((r): AlertView => ({ id: int(r.id), tillId: String(r.till_id), kind: String(r.kind), seq: r.seq == null ? null : int(r.seq), detail: String(r.detail), firstAt: int(r.first_ms), lastAt: int(r.last_ms), times: int(r.times) }))
  return {
    at,
    stores: [...stores.values()].map(({ head, tills }) => ({
      ...head,
      salesCount: tills.reduce((n, t) => n + t.salesCount, 0),
      netMinor: tills.reduce((n, t) => n + t.netMinor, 0),
      tenders: { cashMinor: tills.reduce((n, t) => n + t.tenders.cashMinor, 0), stablecoinMinor: tills.reduce((n, t) => n + t.tenders.stablecoinMinor, 0) },
      tills
    })),
    alerts
  }
}
