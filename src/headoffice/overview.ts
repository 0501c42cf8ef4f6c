// What the owner sees at head office: per store and till, the day's sales count and net, the tender mix, when the
// till last reached head office, how many entries it still has to ship, and the alerts. Read only, from the
// projections (ingest.ts) and the tills' rows. Money as integer minor units of the store's currency.
import { stringify } from 'csv-stringify/sync'
import type { Pool } from 'pg'
import { formatMinorPlain } from '../shared/money'
import { guardCell } from '../main/reports/csv'

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
  /** The Z closings whose business day (the day they were opened) is `day`, by till and Z number. */
  readonly closings: readonly ZClosingView[]
}

export interface ZClosingView {
  readonly storeId: string
  readonly tillId: string
  readonly ledgerTillId: string
  readonly tillName: string
  readonly currency: string
  readonly zNumber: number
  /** The business day (YYYY-MM-DD, the store's zone). */
  readonly day: string
  readonly closedAt: number
  readonly salesCount: number
  readonly netSalesMinor: number
  readonly taxMinor: number
  readonly expectedCashMinor: number
  readonly countedCashMinor: number
  readonly differenceMinor: number
  readonly differenceReason: string | null
  /** The perpetual grand total after this Z (never reset). */
  readonly grandNetMinor: number
  readonly headSeq: number
  /** The till signed the head this Z recorded (its key's signature is kept in signed_heads), and whether it verified. */
  readonly signed: { readonly verified: boolean } | null
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
  /** When the owner marked it dealt with, and the note they left; null: still open. */
  readonly acknowledged: { readonly at: number; readonly note: string } | null
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
            (SELECT COUNT(*) FROM alerts a WHERE a.till_id = t.id AND a.acknowledged_at IS NULL) AS open_alerts,
            h.seq AS signed_seq, h.reason AS signed_reason, h.verified AS signed_verified
       FROM stores s JOIN tills t ON t.store_id = s.id
       LEFT JOIN LATERAL (SELECT seq, reason, verified FROM signed_heads sh WHERE sh.till_id = t.id ORDER BY seq DESC LIMIT 1) h ON true
       LEFT JOIN till_day d ON d.till_id = t.id AND d.day = (to_timestamp($1 / 1000.0) AT TIME ZONE s.time_zone)::date
      ORDER BY s.id, t.id`,
    [at]
  )).rows
  const stores = new Map<string, { head: Omit<StoreOverview, 'tills' | 'salesCount' | 'netMinor' | 'tenders' | 'closings'>; tills: TillOverview[] }>()
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
  const alerts = await alertsWhere(pool, '', [])
  const closingsByStore = new Map<string, ZClosingView[]>()
  for (const z of await closingsOn(pool, { at })) closingsByStore.set(z.storeId, [...(closingsByStore.get(z.storeId) ?? []), z])
  return {
    at,
    stores: [...stores.values()].map(({ head, tills }) => ({
      ...head,
      salesCount: tills.reduce((n, t) => n + t.salesCount, 0),
      netMinor: tills.reduce((n, t) => n + t.netMinor, 0),
      tenders: { cashMinor: tills.reduce((n, t) => n + t.tenders.cashMinor, 0), stablecoinMinor: tills.reduce((n, t) => n + t.tenders.stablecoinMinor, 0) },
      tills,
      closings: closingsByStore.get(head.storeId) ?? []
    })),
    alerts
  }
}

/**
 * Z closings by business day: the day holding `at` in each store's zone, or the days `from`..`to` (YYYY-MM-DD,
 * inclusive, the same for every store). Ordered by store, day, till and Z number.
 */
export async function closingsOn(pool: Pool, range: { readonly at: number } | { readonly from: string; readonly to: string }): Promise<ZClosingView[]> {
  const where = 'at' in range ? 'z.day = (to_timestamp($1 / 1000.0) AT TIME ZONE s.time_zone)::date' : 'z.day BETWEEN $1::date AND $2::date'
  const params = 'at' in range ? [range.at] : [range.from, range.to]
  const rows = (await pool.query<Record<string, string | number | boolean | null>>(
    `SELECT s.id AS store_id, s.currency, t.id AS till_id, t.ledger_till_id, t.name AS till_name, z.z_number, to_char(z.day, 'YYYY-MM-DD') AS day, z.closed_at,
            z.sales_count, z.net_sales_minor, z.tax_minor, z.expected_cash_minor, z.counted_cash_minor, z.difference_minor, z.difference_reason,
            z.grand_net_minor, z.head_seq,
            (SELECT bool_or(h.verified) FROM signed_heads h WHERE h.till_id = z.till_id AND h.seq = z.seq) AS signed_verified,
            EXISTS (SELECT 1 FROM signed_heads h WHERE h.till_id = z.till_id AND h.seq = z.seq) AS signed
       FROM z_closings z JOIN tills t ON t.id = z.till_id JOIN stores s ON s.id = t.store_id
      WHERE ${where}
      ORDER BY s.id, z.day, t.id, z.z_number`,
    params
  )).rows
  return rows.map((r) => ({
    storeId: String(r.store_id),
    tillId: String(r.till_id),
    ledgerTillId: String(r.ledger_till_id),
    tillName: String(r.till_name),
    currency: String(r.currency),
    zNumber: int(r.z_number),
    day: String(r.day),
    closedAt: int(r.closed_at),
    salesCount: int(r.sales_count),
    netSalesMinor: int(r.net_sales_minor),
    taxMinor: int(r.tax_minor),
    expectedCashMinor: int(r.expected_cash_minor),
    countedCashMinor: int(r.counted_cash_minor),
    differenceMinor: int(r.difference_minor),
    differenceReason: r.difference_reason == null ? null : String(r.difference_reason),
    grandNetMinor: int(r.grand_net_minor),
    headSeq: int(r.head_seq),
    signed: r.signed === true ? { verified: r.signed_verified === true } : null
  }))
}

export type AcknowledgeOutcome = { readonly ok: true; readonly alert: AlertView } | { readonly ok: false; readonly reason: 'not-found' | 'already-acknowledged' | 'note-required' }

/** The owner marks an alert dealt with, saying how (the note is required: an alert is never silenced without a word). */
export async function acknowledgeAlert(pool: Pool, id: number, note: string): Promise<AcknowledgeOutcome> {
  const text = note.trim()
  if (text === '') return { ok: false, reason: 'note-required' }
  const done = await pool.query<{ id: string }>('UPDATE alerts SET acknowledged_at = now(), acknowledged_note = $2 WHERE id = $1 AND acknowledged_at IS NULL RETURNING id', [id, text.slice(0, 1000)])
  if (done.rowCount === 0) {
    const exists = await pool.query('SELECT 1 FROM alerts WHERE id = $1', [id])
    return { ok: false, reason: exists.rowCount === 0 ? 'not-found' : 'already-acknowledged' }
  }
  const [alert] = await alertsWhere(pool, 'WHERE id = $1', [id])
  return alert ? { ok: true, alert } : { ok: false, reason: 'not-found' }
}

/** Alerts, open ones first, newest first (at most 100). */
async function alertsWhere(pool: Pool, where: string, params: readonly unknown[]): Promise<AlertView[]> {
  return (await pool.query<Record<string, string | number | null>>(
    `SELECT id, till_id, kind, seq, detail, (extract(epoch FROM first_at) * 1000)::bigint AS first_ms,
            (extract(epoch FROM last_at) * 1000)::bigint AS last_ms, times,
            (extract(epoch FROM acknowledged_at) * 1000)::bigint AS ack_ms, acknowledged_note
       FROM alerts ${where} ORDER BY (acknowledged_at IS NULL) DESC, last_at DESC, id DESC LIMIT 100`,
    [...params]
  )).rows.map(
    (r): AlertView => ({
      id: int(r.id),
      tillId: String(r.till_id),
      kind: String(r.kind),
      seq: r.seq == null ? null : int(r.seq),
      detail: String(r.detail),
      firstAt: int(r.first_ms),
      lastAt: int(r.last_ms),
      times: int(r.times),
      acknowledged: r.ack_ms == null ? null : { at: int(r.ack_ms), note: String(r.acknowledged_note ?? '') }
    })
  )
}

/**
 * The closings as CSV (RFC 4180, csv-stringify) for a spreadsheet: amounts as decimal text in the store's currency
 * (exact, from minor units), free text guarded against formulas as the till's own CSV export does (reports/csv.ts).
 */
export function closingsCsv(closings: readonly ZClosingView[]): string {
  const money = (minor: number, z: ZClosingView) => formatMinorPlain(minor, z.currency)
  return stringify(
    closings.map((z) => [
      guardCell(z.storeId),
      guardCell(z.tillId),
      z.currency,
      z.zNumber,
      z.day,
      new Date(z.closedAt).toISOString(),
      z.salesCount,
      money(z.netSalesMinor, z),
      money(z.taxMinor, z),
      money(z.expectedCashMinor, z),
      money(z.countedCashMinor, z),
      money(z.differenceMinor, z),
      guardCell(z.differenceReason ?? ''),
      money(z.grandNetMinor, z),
      z.headSeq,
      z.signed ? (z.signed.verified ? 'verified' : 'unverified') : 'none'
    ]),
    { header: true, columns: ['store', 'till', 'currency', 'z', 'business_date', 'closed_at', 'sales', 'net_sales', 'tax', 'expected_cash', 'counted_cash', 'difference', 'difference_reason', 'grand_total', 'journal_head', 'signed'], record_delimiter: '\r\n' }
  )
}

export interface StoreDayView {
  readonly storeId: string
  readonly storeName: string
  readonly currency: string
  /** The store's local calendar day (YYYY-MM-DD). */
  readonly day: string
  readonly tills: number
  readonly salesCount: number
  readonly salesMinor: number
  readonly returnsCount: number
  readonly returnsMinor: number
  readonly netMinor: number
  readonly voidsCount: number
  /** Net per tender (sales minus refunds paid back by that method). */
  readonly cashMinor: number
  readonly stablecoinMinor: number
}

/**
 * Across stores: each store's days from `from` to `to` (YYYY-MM-DD, inclusive), summed over its tills from the
 * same projection as the overview (a sale on the day of its completion, in the store's zone). Days without a sale
 * are left out. Ordered by store, then day.
 */
export async function storeDays(pool: Pool, from: string, to: string): Promise<StoreDayView[]> {
  const rows = (await pool.query<Record<string, string | number | null>>(
    `SELECT s.id AS store_id, s.name AS store_name, s.currency, to_char(d.day, 'YYYY-MM-DD') AS day, COUNT(DISTINCT d.till_id) AS tills,
            SUM(d.sales_count) AS sales_count, SUM(d.sales_minor) AS sales_minor, SUM(d.returns_count) AS returns_count,
            SUM(d.returns_minor) AS returns_minor, SUM(d.voids_count) AS voids_count,
            SUM(d.cash_sales_minor - d.cash_refunds_minor) AS cash_minor, SUM(d.stablecoin_sales_minor - d.stablecoin_refunds_minor) AS coin_minor
       FROM till_day d JOIN tills t ON t.id = d.till_id JOIN stores s ON s.id = t.store_id
      WHERE d.day BETWEEN $1::date AND $2::date
      GROUP BY s.id, s.name, s.currency, d.day
      ORDER BY s.id, d.day`,
    [from, to]
  )).rows
  return rows.map((r) => {
    const salesMinor = int(r.sales_minor)
    const returnsMinor = int(r.returns_minor)
    return {
      storeId: String(r.store_id),
      storeName: String(r.store_name),
      currency: String(r.currency),
      day: String(r.day),
      tills: int(r.tills),
      salesCount: int(r.sales_count),
      salesMinor,
      returnsCount: int(r.returns_count),
      returnsMinor,
      netMinor: salesMinor - returnsMinor,
      voidsCount: int(r.voids_count),
      cashMinor: int(r.cash_minor),
      stablecoinMinor: int(r.coin_minor)
    }
  })
}

/** The same as CSV (one row per store and day), amounts exact in each store's currency. */
export function storeDaysCsv(days: readonly StoreDayView[]): string {
  return stringify(
    days.map((d) => [
      guardCell(d.storeId),
      guardCell(d.storeName),
      d.currency,
      d.day,
      d.tills,
      d.salesCount,
      formatMinorPlain(d.salesMinor, d.currency),
      d.returnsCount,
      formatMinorPlain(d.returnsMinor, d.currency),
      formatMinorPlain(d.netMinor, d.currency),
      d.voidsCount,
      formatMinorPlain(d.cashMinor, d.currency),
      formatMinorPlain(d.stablecoinMinor, d.currency)
    ]),
    { header: true, columns: ['store', 'store_name', 'currency', 'day', 'tills', 'sales', 'sales_amount', 'returns', 'returns_amount', 'net', 'voids', 'cash_net', 'stablecoin_net'], record_delimiter: '\r\n' }
  )
}
