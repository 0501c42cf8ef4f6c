// What the journal says the sales tables hold ([E] point 4). The hash chain proves the journal was not edited; this
// proves the TABLES were not edited behind it: the journal's sale.* entries are replayed into the rows they must
// have produced (status, number, lines, tenders, totals) and compared with the sales tables. A difference names the
// journal entry the table no longer agrees with. (Settings and the catalog: ledger/money-state.ts.)
//
// Journal kinds this reads:
//  - sale.opened, sale.line-added, sale.line-quantity-changed, sale.line-discounted, sale.line-voided,
//    sale.tender-added, sale.tender-returned, sale.refund-owed, sale.voided, sale.completed (SaleService).
//    A refund sale (returns) is replayed from its sale.completed entry, which records its lines and tender.
//    A sale touched by any other sale.* kind (added later) is not replayed line by line, only its status and
//    totals are checked: add its kind to `SaleReplay.apply` to have it replayed.
//
// Everything the replay does lives inside `saleReplayKit`, which refers to nothing outside itself: the full verify's
// worker threads (journal.ts, verifyJournalParallel) run its source text, so the main thread's check and the
// workers' checks are one piece of code and cannot drift apart.
import type { Db } from './db'

export interface Mismatch {
  readonly seq: number
  readonly reason: string
}

export interface ExpectedLine {
  position: number
  productId: string
  quantity: number
  unitPriceMinor: number
  amountMinor: number
  discountMinor: number
  taxMinor: number
  voided: boolean
  seq: number
}

export interface ExpectedTender {
  kind: string
  amountMinor: number
  receivedMinor: number | null
  returned: boolean
  seq: number
}

export interface ExpectedSale {
  number: number
  status: 'open' | 'completed' | 'voided'
  totals: { subtotalMinor: number; taxMinor: number; totalMinor: number } | null
  lines: Map<string, ExpectedLine>
  tenders: Map<string, ExpectedTender>
  /** A sale.* kind this replay does not know touched the sale: only status and totals are compared. */
  partial: boolean
  /** The last entry that changed the sale: what a difference is reported against. */
  lastSeq: number
  /** The entry that (last) opened it. */
  openedSeq: number
}

/** The part of a better-sqlite3 connection the comparison uses (the workers pass their own read-only one). */
export type ReplayDb = Pick<Db, 'prepare'>

/**
 * The replay, self-contained (no reference to anything outside this function, not even a helper or an import), so
 * that its source text runs unchanged in the verify workers. Keep it so: a worker would fail on the first outside name.
 */
export function saleReplayKit() {
  const int = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN)

  function groupBy(rows: unknown[][]): Map<string, unknown[][]> {
    const map = new Map<string, unknown[][]>()
    for (const r of rows) {
      const key = r[0] as string
      const list = map.get(key)
      if (list) list.push(r)
      else map.set(key, [r])
    }
    return map
  }

  interface Tables {
    readonly rowsById: Map<string, unknown[]>
    readonly linesBySale: Map<string, unknown[][]>
    readonly tendersBySale: Map<string, unknown[][]>
  }

  /**
   * The sales tables' rows: the whole tables (`ids` null, a full check), or only the rows of the sales named, found
   * through the sale_id indexes in one query each (not three queries per sale: the start-up check's cost).
   */
  function readTables(db: ReplayDb, ids: readonly string[] | null): Tables {
    const only = ids ? ' WHERE sale_id IN (SELECT value FROM json_each(?))' : ''
    const params = ids ? [JSON.stringify(ids)] : []
    const linesBySale = groupBy(db.prepare(`SELECT sale_id, id, position, product_id, quantity, unit_price_minor, amount_minor, discount_minor, tax_minor, voided FROM sale_lines${only}`).raw().all(...params) as unknown[][])
    const tendersBySale = groupBy(db.prepare(`SELECT t.sale_id, t.id, t.kind, t.amount_minor, t.received_minor, r.tender_id IS NOT NULL FROM tenders t LEFT JOIN tender_returns r ON r.tender_id = t.id${only.replace('sale_id', 't.sale_id')}`).raw().all(...params) as unknown[][])
    // Keyed by id, each row kept whole (its id first): a copy of every row without it was 146,000 arrays to collect.
    const rowsById = new Map<string, unknown[]>()
    for (const r of db.prepare(`SELECT id, number, status, subtotal_minor, tax_minor, total_minor FROM sales${only.replace('sale_id', 'id')}`).raw().all(...params) as unknown[][]) rowsById.set(r[0] as string, r)
    return { rowsById, linesBySale, tendersBySale }
  }

  /** The first difference between one replayed sale and its stored rows, checked in a fixed order. */
  function compareSale(saleId: string, want: ExpectedSale, tables: Tables): Mismatch | null {
    const row = tables.rowsById.get(saleId)
    if (!row) return { seq: want.lastSeq, reason: `sale ${saleId}, recorded in the journal, is missing from the sales table` }
    const [, number, status, subtotal, tax, total] = row as [string, number, string, number | null, number | null, number | null]
    if (number !== want.number) return { seq: want.lastSeq, reason: `sale ${saleId}: stored number ${number} differs from the journal's ${want.number}` }
    if (status !== want.status) return { seq: want.lastSeq, reason: `sale ${saleId}: stored status ${status} differs from the journal's ${want.status}` }
    if (want.totals) {
      if (total !== want.totals.totalMinor) return { seq: want.lastSeq, reason: `sale ${saleId}: stored total ${total} differs from the journal's ${want.totals.totalMinor}` }
      if (subtotal !== want.totals.subtotalMinor || tax !== want.totals.taxMinor) {
        return { seq: want.lastSeq, reason: `sale ${saleId}: stored subtotal/tax ${subtotal}/${tax} differ from the journal's ${want.totals.subtotalMinor}/${want.totals.taxMinor}` }
      }
    }
    if (want.partial) return null
    const lines = tables.linesBySale.get(saleId) ?? []
    if (lines.length !== want.lines.size) return { seq: want.lastSeq, reason: `sale ${saleId}: ${lines.length} lines stored, the journal recorded ${want.lines.size}` }
    for (const l of lines) {
      const [, id, position, productId, quantity, unitPrice, amount, discount, lineTax, voided] = l as [string, string, number, string, number, number, number, number, number, number]
      const w = want.lines.get(id)
      if (!w) return { seq: want.lastSeq, reason: `sale ${saleId}: line ${id} was never recorded in the journal` }
      if (w.position !== position || w.productId !== productId || w.quantity !== quantity || w.unitPriceMinor !== unitPrice || w.amountMinor !== amount || w.discountMinor !== discount || w.taxMinor !== lineTax || w.voided !== (voided === 1)) {
        return { seq: w.seq, reason: `sale ${saleId}: line ${id} differs from what entry ${w.seq} recorded` }
      }
    }
    const tenders = tables.tendersBySale.get(saleId) ?? []
    if (tenders.length !== want.tenders.size) return { seq: want.lastSeq, reason: `sale ${saleId}: ${tenders.length} tenders stored, the journal recorded ${want.tenders.size}` }
    for (const t of tenders) {
      const [, id, kind, amount, received, returned] = t as [string, string, string, number, number | null, number]
      const w = want.tenders.get(id)
      if (!w) return { seq: want.lastSeq, reason: `sale ${saleId}: tender ${id} was never recorded in the journal` }
      if (w.kind !== kind || w.amountMinor !== amount || w.receivedMinor !== received || w.returned !== (returned === 1)) {
        return { seq: w.seq, reason: `sale ${saleId}: tender ${id} differs from what entry ${w.seq} recorded` }
      }
    }
    return null
  }

  /** Replays sale.* entries (after `fromSeq`) into the rows they produced. */
  class SaleReplay {
    readonly sales: Map<string, ExpectedSale>
    /** Sales touched after the checkpoint but opened before it (their earlier entries were not replayed). */
    readonly unknown: Set<string>

    constructor() {
      this.sales = new Map()
      this.unknown = new Set()
    }

    apply(seq: number, kind: string, saleId: string, payloadJson: string): void {
      if (kind === 'sale.opened') {
        const p = JSON.parse(payloadJson) as { number?: unknown }
        // Opened again (only a forged journal does it): the new state replaces the old, in the old one's place (a Map
        // keeps a key's first position), so the first difference is still looked for in the order of first openings.
        this.sales.set(saleId, { number: int(p.number), status: 'open', totals: null, lines: new Map(), tenders: new Map(), partial: false, lastSeq: seq, openedSeq: this.sales.get(saleId)?.openedSeq ?? seq })
        return
      }
      const sale = this.sales.get(saleId)
      if (!sale) {
        this.unknown.add(saleId)
        return
      }
      sale.lastSeq = seq
      const p = JSON.parse(payloadJson) as Record<string, unknown>
      switch (kind) {
        case 'sale.line-added':
          sale.lines.set(String(p.lineId), {
            position: int(p.position),
            productId: String(p.productId),
            quantity: int(p.quantity),
            unitPriceMinor: int(p.unitPriceMinor),
            amountMinor: int(p.amountMinor),
            discountMinor: 0,
            taxMinor: int(p.taxMinor),
            voided: false,
            seq
          })
          return
        case 'sale.line-quantity-changed': {
          const line = sale.lines.get(String(p.lineId))
          if (!line) return this.markPartial(sale)
          Object.assign(line, { quantity: int(p.to), amountMinor: int(p.amountMinor), discountMinor: int(p.discountMinor), taxMinor: int(p.taxMinor), seq })
          return
        }
        case 'sale.line-discounted': {
          const line = sale.lines.get(String(p.lineId))
          if (!line) return this.markPartial(sale)
          Object.assign(line, { discountMinor: int(p.discountMinor), taxMinor: int(p.taxMinor), seq })
          return
        }
        case 'sale.line-voided': {
          const line = sale.lines.get(String(p.lineId))
          if (!line) return this.markPartial(sale)
          Object.assign(line, { voided: true, seq })
          return
        }
        case 'sale.tender-added':
          sale.tenders.set(String(p.tenderId), { kind: String(p.kind), amountMinor: int(p.amountMinor), receivedMinor: p.receivedMinor === undefined || p.receivedMinor === null ? null : int(p.receivedMinor), returned: false, seq })
          return
        case 'sale.tender-returned':
        case 'sale.refund-owed': {
          const tender = sale.tenders.get(String(p.tenderId))
          if (!tender) return this.markPartial(sale)
          Object.assign(tender, { returned: true, seq })
          return
        }
        case 'sale.voided':
          sale.status = 'voided'
          return
        case 'sale.completed':
          sale.status = 'completed'
          sale.totals = { subtotalMinor: int(p.subtotalMinor), taxMinor: int(p.taxMinor), totalMinor: int(p.totalMinor) }
          if (p.kind === 'refund') this.applyRefund(sale, seq, saleId, p)
          // 'per-rate-total' sales: the lines' shares of each rate's rounded tax, set at completion (sale.ts).
          if (Array.isArray(p.taxShares)) {
            for (const share of p.taxShares as { lineId?: unknown; taxMinor?: unknown }[]) {
              const line = sale.lines.get(String(share.lineId))
              if (!line) return this.markPartial(sale)
              Object.assign(line, { taxMinor: int(share.taxMinor), seq })
            }
          }
          return
        default:
          // A kind added by another part of the till (returns): known to exist, not replayed here.
          return this.markPartial(sale)
      }
    }

    /**
     * A refund sale (services/returns.ts) is written whole in one transaction: its lines (`<id>/L<n>`, in order) and
     * its one tender (`<id>/T1`, cash or stablecoin, received = amount) are recorded in its sale.completed entry.
     * An entry from before unitPriceMinor was recorded is checked by status and totals only.
     */
    private applyRefund(sale: ExpectedSale, seq: number, saleId: string, p: Record<string, unknown>): void {
      const lines = Array.isArray(p.lines) ? (p.lines as Record<string, unknown>[]) : null
      if (!lines || lines.some((l) => typeof l.unitPriceMinor !== 'number')) return this.markPartial(sale)
      lines.forEach((l, i) => {
        sale.lines.set(`${saleId}/L${i + 1}`, {
          position: i + 1,
          productId: String(l.productId),
          quantity: int(l.quantity),
          unitPriceMinor: int(l.unitPriceMinor),
          amountMinor: int(l.amountMinor),
          discountMinor: int(l.discountMinor),
          taxMinor: int(l.taxMinor),
          voided: false,
          seq
        })
      })
      sale.tenders.set(`${saleId}/T1`, { kind: String(p.method), amountMinor: int(p.totalMinor), receivedMinor: int(p.totalMinor), returned: false, seq })
    }

    private markPartial(sale: ExpectedSale): void {
      sale.partial = true
    }

    /**
     * Compares the replayed sales with the tables, the first difference in the order the sales were opened. `full`:
     * every sale row must have been opened in the journal, and every line and tender must be one the journal recorded.
     */
    compare(db: ReplayDb, full: boolean): Mismatch | null {
      const tables = readTables(db, full ? null : [...this.sales.keys()])
      for (const [saleId, want] of this.sales) {
        const mismatch = compareSale(saleId, want, tables)
        if (mismatch) return mismatch
      }
      if (full) {
        for (const id of tables.rowsById.keys()) {
          if (!this.sales.has(id) && !this.unknown.has(id)) return { seq: 0, reason: `sale ${id} is in the sales table but the journal never opened it` }
        }
      }
      return null
    }

    /**
     * A verify worker's share: its sales compared with their rows only, and of the differences the one whose sale was
     * opened first (`firstOpened` overrides a sale's own opening entry when an earlier range opened it before), so
     * that the caller can pick the same first difference `compare` would have named for the whole journal.
     */
    compareOwn(db: ReplayDb, firstOpened: ReadonlyMap<string, number>): { readonly mismatch: Mismatch; readonly openedSeq: number } | null {
      if (this.sales.size === 0) return null
      const tables = readTables(db, [...this.sales.keys()])
      let first: { mismatch: Mismatch; openedSeq: number } | null = null
      for (const [saleId, want] of this.sales) {
        const openedSeq = firstOpened.get(saleId) ?? want.openedSeq
        if (first && openedSeq > first.openedSeq) continue
        const mismatch = compareSale(saleId, want, tables)
        if (mismatch && (!first || openedSeq < first.openedSeq)) first = { mismatch, openedSeq }
      }
      return first
    }
  }

  return { SaleReplay }
}

export const SaleReplay = saleReplayKit().SaleReplay
export type SaleReplay = InstanceType<typeof SaleReplay>
