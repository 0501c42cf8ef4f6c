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
import type { Statement } from 'better-sqlite3'
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
  function readTables(db: ReplayDb, ids: readonly string[] | null, prepare: (db: ReplayDb, sql: string) => Statement<unknown[], unknown> = (d, sql) => d.prepare(sql)): Tables {
    const only = ids ? ' WHERE sale_id IN (SELECT value FROM json_each(?))' : ''
    const params = ids ? [JSON.stringify(ids)] : []
    const linesBySale = groupBy(prepare(db, `SELECT sale_id, id, position, product_id, quantity, unit_price_minor, amount_minor, discount_minor, tax_minor, voided FROM sale_lines${only}`).raw().all(...params) as unknown[][])
    const tendersBySale = groupBy(prepare(db, `SELECT t.sale_id, t.id, t.kind, t.amount_minor, t.received_minor, r.tender_id IS NOT NULL FROM tenders t LEFT JOIN tender_returns r ON r.tender_id = t.id${only.replace('sale_id', 't.sale_id')}`).raw().all(...params) as unknown[][])
    // Keyed by id, each row kept whole (its id first): a copy of every row without it was 146,000 arrays to collect.
    const rowsById = new Map<string, unknown[]>()
    for (const r of prepare(db, `SELECT id, number, status, subtotal_minor, tax_minor, total_minor FROM sales${only.replace('sale_id', 'id')}`).raw().all(...params) as unknown[][]) rowsById.set(r[0] as string, r)
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

  // ----- The completion's record (issue [E]: full verify at >= 1,000,000 entries/s) -----
  //
  // A sale completed by SaleService.complete carries, in its 'sale.completed' entry, `rowsRecord`: the text of its
  // rows as they stood once complete, built by SQLite from the tables with RECORD_TEXT below, and only after the
  // sale's own journal entries, replayed as the full verify replays them, were found to agree with those rows. Its
  // rows never change after completion (the frozen-when-closed triggers; a tender is returned only while a sale is
  // open), so for such a sale "the tables equal the replay of its entries" is "the tables equal its record", and
  // the full verify compares the tables with the records in ONE query per range inside SQLite (RECORD_MISMATCH_SQL)
  // instead of parsing every entry and reading every row into JavaScript.
  //
  // The record only ever says "this sale is intact": a sale whose record differs from its rows (or is missing, or
  // has a sale.* entry after it) is replayed from its entries exactly as before, and the replay's verdict is the
  // verdict, the first bad entry named with the same reason. (A record that differs where the replay agrees is a
  // forger's: the journal rewritten and re-hashed, which the signed anchor catches, as before.)
  //
  // The text is injective: every value is an SQL literal (quote(): integers as digits, text in single quotes with
  // quotes doubled, NULL), fields joined by ',', lines (by id) by ';', the header, lines and tenders by '|'. It holds
  // exactly the fields compareSale checks, so equal texts mean rows compareSale cannot tell apart.
  const RECORD_TEXT = (s: string): string =>
    `quote(${s}.number) || ',' || quote(${s}.status) || ',' || quote(${s}.subtotal_minor) || ',' || quote(${s}.tax_minor) || ',' || quote(${s}.total_minor)` +
    ` || '|' || coalesce((SELECT group_concat(quote(l.id) || ',' || quote(l.position) || ',' || quote(l.product_id) || ',' || quote(l.quantity) || ',' || quote(l.unit_price_minor) || ',' || quote(l.amount_minor) || ',' || quote(l.discount_minor) || ',' || quote(l.tax_minor) || ',' || quote(l.voided), ';' ORDER BY l.id) FROM sale_lines l WHERE l.sale_id = ${s}.id), '')` +
    ` || '|' || coalesce((SELECT group_concat(quote(t.id) || ',' || quote(t.kind) || ',' || quote(t.amount_minor) || ',' || quote(t.received_minor) || ',' || EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id), ';' ORDER BY t.id) FROM tenders t WHERE t.sale_id = ${s}.id), '')`
  const RECORD_KEY = '"rowsRecord":'
  /** The record of a sale about to complete (or be voided): its header as that entry leaves it, its lines and tenders as stored. */
  const RECORD_NEW_SQL = `WITH s(id, number, status, subtotal_minor, tax_minor, total_minor) AS (VALUES (?, CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS INTEGER), CAST(? AS INTEGER))) SELECT ${RECORD_TEXT('s')} FROM s`
  // Every completed (or voided) entry of the range that carries a record differing from its sale's rows (a sale row
  // gone makes the text NULL: differs too). journal_kind_seq walks only the range's completions and voids; instr()
  // skips old entries without building their text (a key that merely looks like one goes to the replay, which decides).
  const RECORD_MISMATCH_SQL = `SELECT j.seq, j.sale_id FROM journal j LEFT JOIN sales s ON s.id = j.sale_id WHERE j.kind IN ('sale.completed', 'sale.voided') AND j.seq BETWEEN ? AND ? AND instr(j.payload, '${RECORD_KEY}') > 0 AND (j.payload ->> '$.rowsRecord') IS NOT (${RECORD_TEXT('s')})`
  const SALE_ENTRIES_SQL = "SELECT seq, kind, payload FROM journal WHERE sale_id = ? AND seq BETWEEN ? AND ? AND kind LIKE 'sale.%' ORDER BY seq"

  /**
   * The record for a sale about to complete, or null when its rows do not agree with its own journal entries (an
   * edit behind the journal while it was open): then no record is written, and the full verify replays the sale
   * and names the edit as it always did. `completionJson` is the canonical payload of the 'sale.completed' entry
   * about to be journaled (without the record), `header` what the completion writes in the sales row.
   * With `ending` 'sale.voided', the same for a sale about to be voided: `completionJson` is the void's payload and
   * `header` the row's number and totals as they stand (a void changes only the status).
   */
  // Prepared once per connection: recordSaleRows runs in every completion's transaction.
  const prepared = new WeakMap<ReplayDb, Map<string, Statement<unknown[], unknown>>>()
  function prepareOnce(db: ReplayDb, sql: string): Statement<unknown[], unknown> {
    let byText = prepared.get(db)
    if (!byText) prepared.set(db, (byText = new Map()))
    let statement = byText.get(sql)
    if (!statement) byText.set(sql, (statement = db.prepare(sql)))
    return statement
  }

  function recordSaleRows(
    db: ReplayDb,
    saleId: string,
    header: { readonly number: number; readonly subtotalMinor: number | null; readonly taxMinor: number | null; readonly totalMinor: number | null },
    completionJson: string,
    ending: 'sale.completed' | 'sale.voided' = 'sale.completed'
  ): string | null {
    const replay = new SaleReplay()
    for (const [seq, kind, payload] of prepareOnce(db, SALE_ENTRIES_SQL).raw().iterate(saleId, 0, Number.MAX_SAFE_INTEGER) as IterableIterator<[number, string, string]>) replay.apply(seq, kind, saleId, payload)
    replay.apply(Number.MAX_SAFE_INTEGER, ending, saleId, completionJson)
    const want = replay.sales.get(saleId)
    if (!want) return null
    const status = ending === 'sale.voided' ? 'voided' : 'completed'
    const tables = readTables(db, [saleId], prepareOnce)
    tables.rowsById.set(saleId, [saleId, header.number, status, header.subtotalMinor, header.taxMinor, header.totalMinor])
    if (compareSale(saleId, want, tables) !== null) return null
    return prepareOnce(db, RECORD_NEW_SQL).pluck().get(saleId, header.number, status, header.subtotalMinor, header.taxMinor, header.totalMinor) as string
  }

  /**
   * The sale check of a verify over the entries `lo`..`hi`: sale.* entries go in in journal order (`apply`), and
   * `compare` gives the first difference in the order the sales were opened, as SaleReplay.compare does. A sale
   * opened in the range waits as its entries' text until it completes: with a record it is done (compared by
   * RECORD_MISMATCH_SQL), otherwise (voided, completed by older code or by returns, still open at the end) its
   * entries are replayed as before. A sale.* entry after a record brings the sale back to the replay from its
   * entries in the range, re-read (the same snapshot the chain was checked in).
   */
  class SaleCheck {
    readonly replay: SaleReplay
    /** Each sale opened in the range: the seq of its first opening, in that order. */
    readonly opened: Map<string, number>
    /** Entries [seq, kind, payload] of sales opened and not yet finished. */
    private readonly waiting: Map<string, [number, string, string][]>
    /** The seq of the completion whose record stands for the sale. */
    readonly recorded: Map<string, number>
    /** The first entry that could not be parsed when its sale was replayed. */
    unreadable: Mismatch | null

    constructor(private readonly db: ReplayDb, private readonly lo: number, private readonly hi: number) {
      this.replay = new SaleReplay()
      this.opened = new Map()
      this.waiting = new Map()
      this.recorded = new Map()
      this.unreadable = null
    }

    has(saleId: string): boolean {
      return this.opened.has(saleId)
    }

    apply(seq: number, kind: string, saleId: string, payload: string): void {
      const waiting = this.waiting.get(saleId)
      if (kind === 'sale.opened') {
        if (!this.opened.has(saleId)) {
          this.opened.set(saleId, seq)
          this.waiting.set(saleId, [[seq, kind, payload]])
          return
        }
        // Opened again (only a forged journal does it): the replay's rules, on the replay.
        this.toReplay(saleId, seq)
      } else if (waiting) {
        if ((kind === 'sale.completed' || kind === 'sale.voided') && payload.includes(RECORD_KEY)) {
          this.waiting.delete(saleId)
          this.recorded.set(saleId, seq)
          return
        }
        waiting.push([seq, kind, payload])
        // Finished without a record: replayed now, so no entry's text waits longer than its sale.
        if (kind === 'sale.completed' || kind === 'sale.voided') this.toReplay(saleId, seq)
        return
      } else if (this.recorded.has(saleId)) this.toReplay(saleId, seq)
      this.replayOne(seq, kind, saleId, payload)
    }

    private replayOne(seq: number, kind: string, saleId: string, payload: string): void {
      if (this.unreadable !== null && this.unreadable.seq < seq) return
      try {
        this.replay.apply(seq, kind, saleId, payload)
      } catch {
        this.unreadable = { seq, reason: `entry ${seq} (${kind}) cannot be read` }
      }
    }

    /** The sale's entries so far into the replay: those waiting, or a recorded sale's, re-read up to `beforeSeq`. */
    private toReplay(saleId: string, beforeSeq: number): void {
      const waiting = this.waiting.get(saleId)
      if (waiting) {
        this.waiting.delete(saleId)
        for (const [seq, kind, payload] of waiting) this.replayOne(seq, kind, saleId, payload)
      }
      if (this.recorded.delete(saleId)) {
        const upTo = Math.min(beforeSeq - 1, this.hi)
        for (const [seq, kind, payload] of this.db.prepare(SALE_ENTRIES_SQL).raw().iterate(saleId, this.lo, upTo) as IterableIterator<[number, string, string]>) this.replayOne(seq, kind, saleId, payload)
      }
    }

    /** Sales that a later range opened again (verifyJournalParallel): theirs is the state that counts. */
    drop(saleId: string): void {
      this.waiting.delete(saleId)
      this.recorded.delete(saleId)
      this.replay.sales.delete(saleId)
    }

    /** Every sale still waiting (open at the range's end) into the replay. */
    finish(): void {
      for (const saleId of [...this.waiting.keys()]) this.toReplay(saleId, Number.MAX_SAFE_INTEGER)
    }

    /**
     * The first difference (by `firstOpened`, else the sale's own opening) between the range's sales and the
     * tables: the records checked in SQLite, the sales whose record differs replayed, with the replayed ones.
     */
    compareOwn(firstOpened: ReadonlyMap<string, number>): { readonly mismatch: Mismatch; readonly openedSeq: number } | null {
      this.finish()
      const differ: string[] = []
      if (this.recorded.size > 0) {
        for (const [seq, saleId] of this.db.prepare(RECORD_MISMATCH_SQL).raw().iterate(this.lo, this.hi) as IterableIterator<[number, string]>) {
          if (this.recorded.get(saleId) === seq) differ.push(saleId)
        }
      }
      // Replayed from their entries: the replay decides, and names the difference as it always did.
      for (const saleId of differ) this.toReplay(saleId, this.hi + 1)
      if (this.replay.sales.size === 0) return null
      const tables = readTables(this.db, [...this.replay.sales.keys()])
      let first: { mismatch: Mismatch; openedSeq: number } | null = null
      for (const [saleId, want] of this.replay.sales) {
        const openedSeq = firstOpened.get(saleId) ?? want.openedSeq
        if (first && openedSeq >= first.openedSeq) continue
        const mismatch = compareSale(saleId, want, tables)
        if (mismatch) first = { mismatch, openedSeq }
      }
      return first
    }

    /**
     * With no difference found, a sale row the journal never opened (a full check): the rows are counted first,
     * every opened sale having been found; only when the count is off are they walked to name it, in the table's
     * own order. `journaled`: every sale the journal opened or touched.
     */
    orphan(journaled: readonly string[], openedCount: number): string | null {
      const extra = journaled.slice(openedCount)
      const rows = this.db.prepare('SELECT count(*) FROM sales').pluck().get() as number
      const present = extra.length === 0 ? 0 : (this.db.prepare('SELECT count(*) FROM sales WHERE id IN (SELECT value FROM json_each(?))').pluck().get(JSON.stringify(extra)) as number)
      if (rows === openedCount + present) return null
      const known = new Set(journaled)
      for (const id of this.db.prepare('SELECT id FROM sales NOT INDEXED').pluck().iterate() as IterableIterator<string>) if (!known.has(id)) return id
      return null
    }
  }

  return { SaleReplay, SaleCheck, recordSaleRows, RECORD_MISMATCH_SQL }
}

const kit = saleReplayKit()
export const SaleReplay = kit.SaleReplay
export type SaleReplay = InstanceType<typeof SaleReplay>
export const SaleCheck = kit.SaleCheck
export type SaleCheck = InstanceType<typeof SaleCheck>
export const recordSaleRows = kit.recordSaleRows
/** The full verify's one query per range comparing the tables with the records (bench/trust.ts times it alone). */
export const RECORD_MISMATCH_SQL = kit.RECORD_MISMATCH_SQL
