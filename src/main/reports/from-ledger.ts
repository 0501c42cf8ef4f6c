// The closed day (and the open one, for an X) read from the ledger as a DaySettlement (issue [D] points 4 and 5):
// the bridge between the till's tables and the reports (z-report.ts, z-pdf.ts, the exports in index.ts).
//
// The period is the Z's own: the journal entries after its 'shift.opened' entry and before its 'shift.z-closed'
// entry (zPeriod in shift.ts), so the entries are exactly what the Z counted, by the same rule, and in journal
// order (chronological even when the clock was set back). The header comes from the Z itself (zSettlementHeader).
//
// Entries are re-iterable and streamed: each pass runs ONE statement through better-sqlite3's synchronous
// stmt.iterate() (a sale's taxes and tenders come along as JSON arrays from correlated subqueries, in C), so a day
// of 1,000,000 sales is reported in flat memory (bench/day.ts measures it).
//
// Mapping decisions (for the lead; each is a comment where it is made too):
// - A sale's discount is Σ line discount_minor, as the shift Z counts it (before tax in a tax-exclusive store).
// - A stablecoin tender's fiat amount is the tender's amount_minor (what it settled of the sale: the Z's figure);
//   its token amount is the exact amount the details recorded, its log index and block from chain_logs.
// - The network fee is null: the customer's wallet pays it, and the till does not read receipts (unknown, counted
//   as such on the Z).
// - The card fee rate: settings key 'card-fee' ({ ppm }) when present, else 2.9 % (29,000 ppm, no fixed part).
// - Returns: sales of kind 'refund' go through `returnEntryFromLedger`, the hook the returns service fills in.
import type Database from 'better-sqlite3'
import { z } from 'zod'
import { parseDecimalUnits } from '../../shared/money'
import { paymentSettingsSchema } from '../../shared/payment/settings'
import { chainName } from '../../shared/payment/tokens'
import { TillError } from '../../shared/result'
import type { ZReportView } from '../../shared/api/views'
import type { Clock } from '../../shared/clock'
import { prepareCached, type Db } from '../ledger/db'
import { readSetting } from '../ledger/settings'
import { storeSettingsSchema } from '../services/store'
import { returnEntryOf } from '../services/returns'
import { ShiftService, zPeriod, zSettlementHeader } from '../services/shift'
import type { CashMovementEntry, DayEntry, DaySettlement, PendingPayment, ReturnEntry, SaleEntry, StablecoinTender, StoreInfo, TaxLine, Tender } from './settlement'

/** A card acquirer's typical blended rate (2.9 % + 0): the thesis figure's baseline when the store set none. */
export const DEFAULT_CARD_FEE_PPM = 29_000
export const CARD_FEE_SETTING_KEY = 'card-fee'
const cardFeeSchema = z.object({ ppm: z.number().int().min(0).max(1_000_000) })

export interface FromLedgerOptions {
  /** IANA zone the business date is counted in; the machine's when omitted (the store has no such setting yet). */
  readonly timeZone?: string
  /**
   * Only part `index` of `of` of the day's entries, split by journal seq into ranges of about as many entries each
   * (the export workers each walk one, reports/parallel.ts). The header (and so the Z's float and count) is the
   * whole day's.
   */
  readonly range?: { readonly index: number; readonly of: number }
}

/** Exclusive seq bounds of range `index` of `of` within the exclusive bounds (after, before): consecutive, covering. */
export function seqRange(afterSeq: number, beforeSeq: number, index: number, of: number): { afterSeq: number; beforeSeq: number } {
  // Seqs after..before, exclusive: the span is split at cut points; range i holds seqs in (cut(i), cut(i + 1)].
  const span = beforeSeq - afterSeq - 1
  const cut = (i: number): number => afterSeq + Math.floor((span * i) / of)
  return { afterSeq: cut(index), beforeSeq: index === of - 1 ? beforeSeq : cut(index + 1) + 1 }
}

/** The machine's zone: what receipts print when the host gives none (app.ts AppOptions.timeZone). */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone
}

/** YYYY-MM-DD of an instant in a zone. A day's business date is the date it was opened on. */
export function businessDateOf(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms))
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

/** The store's card fee setting in parts per million (default 2.9 %). */
export function cardFeePpm(db: Db): number {
  const row = prepareCached(db, 'SELECT value FROM settings WHERE key = ?').get(CARD_FEE_SETTING_KEY) as { value: string } | undefined
  return row ? cardFeeSchema.parse(JSON.parse(row.value)).ppm : DEFAULT_CARD_FEE_PPM
}

function storeInfo(db: Db, tillId: string, timeZone: string): StoreInfo {
  const store = readSetting(db, 'store', storeSettingsSchema)
  if (!store) throw new TillError('conflict', 'The store is not set up yet: there is no day to report.')
  // The till's number in the store lives in the payment settings (its tag range); a cash-only till is till 1.
  let tillNumber = 1
  try {
    tillNumber = readSetting(db, 'payments', paymentSettingsSchema)?.tillNumber ?? 1
  } catch {
    // Unreadable payment settings do not stop a Z from printing: the number is only a label on it.
  }
  return {
    name: store.storeName,
    // The receipt's header lines are the store's address as printed for customers.
    addressLines: store.receipt.headerLines,
    taxId: null,
    currency: store.currency,
    timeZone,
    tillId,
    tillNumber
  }
}

function pendingOf(payments: ReturnType<typeof zSettlementHeader>['pendingCarriedOver']): PendingPayment[] {
  return payments.map((p) => ({
    saleId: p.saleId,
    saleNumber: p.saleNumber,
    tokenSymbol: p.tokenSymbol,
    tokenDecimals: p.tokenDecimals,
    chainId: p.chainId,
    chainName: p.chainName,
    // Money seen but not yet Paid is shown as seen; goods released unverified with nothing seen as what was asked.
    tokenUnits: p.tokenUnits === '0' ? p.amountDueUnits : p.tokenUnits,
    amountMinor: p.amountMinor,
    requestedAt: p.requestedAt,
    state: p.exception ? `${p.state} (${p.exception})` : p.state
  }))
}

/** The closed day of Z `zNumber` on `tillId`. Throws TillError 'not-found' when there is no such Z. */
export function daySettlementFromLedger(db: Db, tillId: string, zNumber: number, options: FromLedgerOptions = {}): DaySettlement {
  const period = zPeriod(db, tillId, zNumber)
  if (!period) throw new TillError('not-found', `There is no Z number ${zNumber} on till ${tillId}.`)
  const row = prepareCached(db, "SELECT z_number, id, closed_at, z_hash, figures FROM cash_sessions WHERE id = ?").get(period.sessionId) as { z_number: number; id: string; closed_at: number; z_hash: string; figures: string }
  const z: ZReportView = { zNumber: row.z_number, sessionId: row.id, closedAt: row.closed_at, hash: row.z_hash, figures: JSON.parse(row.figures) as ZReportView['figures'] }
  const header = zSettlementHeader(z)
  const timeZone = options.timeZone ?? machineTimeZone()
  return {
    ...header,
    store: storeInfo(db, tillId, timeZone),
    businessDate: businessDateOf(period.openedAt, timeZone),
    cardFeePpm: cardFeePpm(db),
    pendingCarriedOver: pendingOf(header.pendingCarriedOver),
    entries: ledgerEntries(db, { tillId, sessionId: period.sessionId, ...(options.range ? seqRange(period.openSeq, period.closeSeq, options.range.index, options.range.of) : { afterSeq: period.openSeq, beforeSeq: period.closeSeq }) })
  }
}

/**
 * The open day as a DaySettlement, for an X: its period runs to the journal head now, the count is the expected
 * cash (nothing was counted: the difference shows 0), and the Z number is the one the next close will take.
 */
export function openDaySettlement(db: Db, store: { settings(): { readonly tillId: string; readonly currency: string } }, clock: Clock, options: FromLedgerOptions = {}): DaySettlement {
  const shift = new ShiftService({ db, clock, store })
  const x = shift.xReport()
  const tillId = store.settings().tillId
  const session = prepareCached(db, 'SELECT open_seq FROM cash_sessions WHERE id = ?').get(x.sessionId) as { open_seq: number }
  const next = prepareCached(db, 'SELECT last_z_number FROM z_counters WHERE till_id = ?').get(tillId) as { last_z_number: number } | undefined
  const timeZone = options.timeZone ?? machineTimeZone()
  return {
    store: storeInfo(db, tillId, timeZone),
    businessDate: businessDateOf(x.periodStartMs, timeZone),
    zNumber: (next?.last_z_number ?? 0) + 1,
    periodStartMs: x.periodStartMs,
    periodEndMs: x.periodEndMs,
    journal: x.journal,
    cash: { floatMinor: x.drawer.floatMinor, countedMinor: x.drawer.expectedMinor, differenceReason: null },
    cardFeePpm: cardFeePpm(db),
    grandTotalsBefore: { salesMinor: x.grandTotals.before.salesMinor, returnsMinor: x.grandTotals.before.returnsMinor },
    pendingCarriedOver: pendingOf(x.pending.payments),
    entries: ledgerEntries(db, { tillId, sessionId: x.sessionId, afterSeq: session.open_seq, beforeSeq: x.journal.headSeq + 1 })
  }
}

interface PeriodBounds {
  readonly tillId: string
  readonly sessionId: string
  /** Exclusive bounds on journal seq. */
  readonly afterSeq: number
  readonly beforeSeq: number
}

/**
 * A row of the period's read, as better-sqlite3's raw() array (no object built per row: a 1,000,000-sale day reads a
 * million of them). Indexes are the columns of SALES_SQL and OTHERS_SQL, which share the first nine.
 */
type EntryRow = [
  seq: number,
  entry: 'sale.completed' | 'sale.voided' | 'drawer.no-sale' | 'shift.cash-moved',
  id: string | null,
  number: number | null,
  saleKind: 'sale' | 'refund' | null,
  closedAt: number | null,
  cashier: string | null,
  totalMinor: number | null,
  taxMode: 'inclusive' | 'exclusive' | null,
  /** Sales: lines not voided, ppm US taxRateId US amount US discount US tax, separated by RS. Others: a void's value. */
  linesOrVoidValue: string | number | null,
  /**
   * Sales: tenders separated by RS, a cash tender as its amount (digits), a stablecoin one as a JSON TenderTuple (JSON
   * text never holds a raw RS: JSON.stringify escapes control characters, so the split is safe). Others: a no-sale's
   * journal entry as JSON [at, payload].
   */
  tendersOrJournal: string | null
]
const SEQ = 0
const ENTRY = 1
const ID = 2
const NUMBER = 3
const SALE_KIND = 4
const CLOSED_AT = 5
const CASHIER = 6
const TOTAL = 7
const TAX_MODE = 8
const LINES = 9
const TENDERS = 10

// The period's entries in journal order, from two statements merged by seq in JS. Completed sales (nearly every
// entry) come from the covering journal_kind_seq index with kind fixed, so SQLite walks them in seq order and needs
// no sort; with the four kinds in one IN list it sorted the whole day (its lines and tenders text included) in a
// temporary B-tree first. The other kinds (voids, no-sales, cash movements: a handful a day) come sorted from the
// second. A sale's lines (not voided) and tenders come along in one column each, built in C by correlated
// subqueries over covering indexes (migration 0014): lines as unit-separated text (the per-rate sums are taken in
// JS), tenders as RS-separated text: a cash tender its bare amount (nearly every tender: no JSON per sale), a
// stablecoin one a JSON tuple carrying its request's decimals and expiry and its chain log. Tenders keep the order
// they had (created_at, id). A line's text is one concat_ws, not four || (each a new string value in SQLite): about
// a third of the lines' subquery at 1,000,000 sales; the same text, as every column of a line is NOT NULL (0001).
const US = String.fromCharCode(31)
const RS = String.fromCharCode(30)
export const SALES_SQL = `
  SELECT p.seq, p.kind, s.id, s.number, s.kind, s.closed_at, s.cashier, s.total_minor, s.tax_mode,
    (SELECT group_concat(concat_ws(char(31), l.tax_rate_ppm, l.tax_rate_id, l.amount_minor, l.discount_minor, l.tax_minor), char(30))
       FROM sale_lines l WHERE l.sale_id = s.id AND l.voided = 0),
    (SELECT group_concat(CASE WHEN t.kind = 'cash' THEN t.amount_minor ELSE json_array('stablecoin', t.amount_minor, t.details,
          (SELECT json_array(r.token_decimals, r.expires_at, g.log_index, g.block_number, g.block_time, g.tx_hash)
             FROM payment_requests r LEFT JOIN chain_logs g ON g.rowid = (
               SELECT c.rowid FROM chain_logs c WHERE c.payment_id = r.id
                ORDER BY (c.tx_hash = json_extract(t.details, '$.txHash')) DESC, c.block_number, c.log_index LIMIT 1)
            WHERE r.id = json_extract(t.details, '$.paymentId'))) END, char(30))
       FROM tenders t WHERE t.sale_id = s.id AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id) ORDER BY t.created_at, t.id)
  FROM journal p LEFT JOIN sales s ON s.id = p.sale_id
  WHERE p.kind = 'sale.completed' AND p.seq > ? AND p.seq < ? AND p.till_id = ?
  ORDER BY p.seq`
export const OTHERS_SQL = `
  SELECT p.seq, p.kind, s.id, s.number, s.kind, s.closed_at, s.cashier, s.total_minor, s.tax_mode,
    CASE WHEN p.kind = 'sale.voided' THEN (
      SELECT COALESCE(SUM(l.amount_minor - l.discount_minor + CASE WHEN s.tax_mode = 'exclusive' THEN l.tax_minor ELSE 0 END), 0)
        FROM sale_lines l WHERE l.sale_id = s.id AND l.voided = 0
    ) END,
    CASE WHEN p.kind = 'drawer.no-sale' THEN json_array(p.at, p.payload) END
  FROM journal p LEFT JOIN sales s ON s.id = p.sale_id
  WHERE p.kind IN ('sale.voided', 'drawer.no-sale', 'shift.cash-moved') AND p.seq > ? AND p.seq < ? AND p.till_id = ?
  ORDER BY p.seq`

/** A raw() statement of its own (prepareCached's statements are shared, and raw() is a mode of the statement). */
const rawStatements = new WeakMap<Db, Map<string, Database.Statement>>()
function prepareRaw(db: Db, sql: string): Database.Statement {
  let cache = rawStatements.get(db)
  if (!cache) rawStatements.set(db, (cache = new Map()))
  let statement = cache.get(sql)
  if (!statement) cache.set(sql, (statement = db.prepare(sql).raw(true)))
  return statement
}

type TenderTuple =
  | [kind: 'cash', amountMinor: number]
  | [kind: 'stablecoin', amountMinor: number, details: string | null, request: [decimals: number, expiresAt: number, logIndex: number | null, blockNumber: number | null, blockTimeMs: number | null, logTx: string | null] | null]

interface StablecoinDetails {
  readonly tokenSymbol: string
  readonly tokenAmount: string
  readonly chainId: number
  readonly chainName?: string
  readonly rate: string
  readonly rateSource: string
  readonly txHash: string | null
  readonly exception: string | null
}

function stablecoinTender(saleId: string, t: Extract<TenderTuple, [kind: 'stablecoin', ...unknown[]]>): StablecoinTender {
  const details = JSON.parse(t[2] ?? 'null') as StablecoinDetails | null
  if (!details) throw new Error(`sale ${saleId}: a stablecoin tender without its details`)
  const [decimalsOfRequest, expiresAt, logIndex, blockNumber, blockTimeMs, logTx] = t[3] ?? [null, null, null, null, null, null]
  // The request holds the decimals; a tender without one (never written by this till) is read as 6-decimal.
  const decimals = decimalsOfRequest ?? 6
  const units = parseDecimalUnits(details.tokenAmount, decimals)
  if (units === null) throw new Error(`sale ${saleId}: token amount ${details.tokenAmount} is not a ${decimals}-decimal amount`)
  return {
    kind: 'stablecoin',
    tokenSymbol: details.tokenSymbol,
    tokenDecimals: decimals,
    chainId: details.chainId,
    chainName: details.chainName ?? chainName(details.chainId),
    tokenUnits: units.toString(),
    amountMinor: t[1],
    rate: details.rate,
    rateSource: details.rateSource,
    // Released unverified and never seen: no transfer to name yet (the reconciliation lists it as missing).
    txHash: details.txHash ?? logTx ?? '',
    logIndex: logIndex ?? 0,
    blockNumber: blockNumber ?? 0,
    networkFeeMinor: null,
    // Paid after the request expired: still flagged PaidLate, or accepted by a manager (then Marked) with its
    // transfer's block after the expiry.
    late: details.exception === 'PaidLate' || (blockTimeMs !== null && expiresAt !== null && blockTimeMs > expiresAt)
  }
}

/** Tax rate names by id: a handful per store, read once per pass. */
function taxNames(db: Db): Map<string, string> {
  return new Map((prepareCached(db, 'SELECT id, name FROM tax_rates').all() as { id: string; name: string }[]).map((r) => [r.id, r.name]))
}

/**
 * What a sale's lines and tenders decode to, remembered per distinct text for one pass: a day repeats the same
 * baskets (the same products at the same prices and rates) and the same cash amounts over and over, so most sales
 * decode by one Map lookup instead of splitting and parsing their text again (most of the read's JS time at
 * 1,000,000 sales). The decoded values are frozen data shared by the entries that have them (nothing mutates an
 * entry's taxes or tenders). Bounded: past DECODE_CACHE_MAX distinct texts the cache starts over (flat memory).
 */
interface DecodeCache {
  readonly names: ReadonlyMap<string, string>
  readonly exclusiveLines: Map<string, DecodedLines>
  readonly inclusiveLines: Map<string, DecodedLines>
  readonly cashTenders: Map<string, readonly Tender[]>
}
interface DecodedLines {
  readonly taxes: readonly TaxLine[]
  readonly discountMinor: number
}
const DECODE_CACHE_MAX = 4096
const NO_LINES: DecodedLines = { taxes: [], discountMinor: 0 }

function decodeCache(names: ReadonlyMap<string, string>): DecodeCache {
  return { names, exclusiveLines: new Map(), inclusiveLines: new Map(), cashTenders: new Map() }
}

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= DECODE_CACHE_MAX) cache.clear()
  cache.set(key, value)
  return value
}

function decodeLines(lines: string, inclusive: boolean, names: ReadonlyMap<string, string>): DecodedLines {
  // Per rate (and rate id), in rate order: net of tax in both tax modes, after line discounts (money.ts's rule was
  // applied per line when the sale was made; these are sums of stored integers).
  // A sale has a rate or two: a short list searched in place beats a Map keyed by a string built per line.
  const byRate: { rateId: string; name: string; ratePpm: number; netMinor: number; taxMinor: number }[] = []
  let discount = 0
  for (const line of lines.split(RS)) {
    const [ppmText, rateId, amountText, discountText, taxText] = line.split(US) as [string, string, string, string, string]
    const ppm = Number(ppmText)
    const amount = Number(amountText)
    const lineDiscount = Number(discountText)
    const tax = Number(taxText)
    let acc = byRate.find((r) => r.ratePpm === ppm && r.rateId === rateId)
    if (!acc) byRate.push((acc = { rateId, name: names.get(rateId) ?? rateId, ratePpm: ppm, netMinor: 0, taxMinor: 0 }))
    acc.netMinor += inclusive ? amount - lineDiscount - tax : amount - lineDiscount
    acc.taxMinor += tax
    discount += lineDiscount
  }
  const taxes: TaxLine[] = byRate.map((r) => ({ name: r.name, ratePpm: r.ratePpm, netMinor: r.netMinor, taxMinor: r.taxMinor })).sort((a, b) => a.ratePpm - b.ratePpm || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return { taxes, discountMinor: discount }
}

function saleEntry(row: EntryRow, cache: DecodeCache): SaleEntry {
  const inclusive = row[TAX_MODE] === 'inclusive'
  const lines = row[LINES] as string | null
  let decoded = NO_LINES
  if (lines) {
    const byText = inclusive ? cache.inclusiveLines : cache.exclusiveLines
    decoded = byText.get(lines) ?? remember(byText, lines, decodeLines(lines, inclusive, cache.names))
  }
  const taxes = decoded.taxes
  const discount = decoded.discountMinor
  let tenders: readonly Tender[] = []
  const tenderText = row[TENDERS]
  if (tenderText) {
    // Cash only (no JSON tuple in the text): the same few amounts all day.
    const cashOnly = tenderText.indexOf('[') < 0
    const known = cashOnly ? cache.cashTenders.get(tenderText) : undefined
    if (known) tenders = known
    else {
      const list: Tender[] = []
      for (const text of tenderText.split(RS)) {
        if (text.charCodeAt(0) === 91 /* [ */) list.push(stablecoinTender(row[ID]!, JSON.parse(text) as Extract<TenderTuple, [kind: 'stablecoin', ...unknown[]]>))
        else list.push({ kind: 'cash', amountMinor: Number(text) })
      }
      tenders = cashOnly ? remember(cache.cashTenders, tenderText, list) : list
    }
  }
  return {
    kind: 'sale',
    id: row[ID]!,
    number: row[NUMBER]!,
    at: row[CLOSED_AT] ?? 0,
    cashier: row[CASHIER] ?? '',
    taxes,
    grossMinor: row[TOTAL] ?? 0,
    // As the shift Z counts it: Σ line discounts (before tax in a tax-exclusive store).
    discountMinor: discount,
    tenders
  }
}

/**
 * THE HOOK for returns (issue [D] point 2): a completed sale of kind 'refund' as a ReturnEntry, mapped by the returns
 * service (original sale, lines returned per rate, refund tender), the same lines the Z nets its tax with.
 */
export function returnEntryFromLedger(db: Db, row: { readonly id: string; readonly number: number }): ReturnEntry {
  return returnEntryOf(db, row.id)
}

/**
 * Days up to this many entries are kept in memory after their first complete pass (a few MB), so a caller that
 * folds the Z and then writes an export (day-handlers.ts, the CLI) reads the ledger once; bigger days stream every
 * pass (flat memory, bench/day.ts). The one-pass export (writeDayExports) needs no second pass at all.
 * Safe because a period's rows never change: its journal range is fixed and completed sales are frozen (triggers).
 */
export const MEMO_MAX_ENTRIES = 25_000

/** The period's entries, re-iterable: each [Symbol.iterator]() runs the statement again (or replays a small day). */
export function ledgerEntries(db: Db, bounds: PeriodBounds): Iterable<DayEntry> {
  let memo: readonly DayEntry[] | null = null
  return {
    *[Symbol.iterator](): Iterator<DayEntry> {
      if (memo) {
        yield* memo
        return
      }
      let buffer: DayEntry[] | null = []
      for (const entry of readEntries(db, bounds)) {
        if (buffer) {
          if (buffer.length < MEMO_MAX_ENTRIES) buffer.push(entry)
          else buffer = null
        }
        yield entry
      }
      // Only a pass that ran to the end is kept (a consumer may stop early).
      if (buffer) memo = buffer
    }
  }
}

function* readEntries(db: Db, bounds: PeriodBounds): Generator<DayEntry> {
  // Cash movements are few (a handful a day): read once per pass and looked up by their journal seq.
  const movements = new Map<number, CashMovementRow>()
  for (const m of prepareCached(db, 'SELECT id, number, kind, amount_minor, reason, approved_by, at, journal_seq FROM cash_movements WHERE session_id = ?').all(bounds.sessionId) as (CashMovementRow & { journal_seq: number })[]) {
    movements.set(m.journal_seq, m)
  }
  const cache = decodeCache(taxNames(db))
  const others = (prepareRaw(db, OTHERS_SQL).iterate(bounds.afterSeq, bounds.beforeSeq, bounds.tillId) as IterableIterator<EntryRow>)[Symbol.iterator]()
  let other = others.next()
  try {
    for (const row of prepareRaw(db, SALES_SQL).iterate(bounds.afterSeq, bounds.beforeSeq, bounds.tillId) as IterableIterator<EntryRow>) {
      while (!other.done && other.value[SEQ] < row[SEQ]) {
        const entry = otherEntry(other.value, movements)
        if (entry) yield entry
        other = others.next()
      }
      if (row[SALE_KIND] === 'refund') yield returnEntryFromLedger(db, { id: row[ID]!, number: row[NUMBER]! })
      else yield saleEntry(row, cache)
    }
    while (!other.done) {
      const entry = otherEntry(other.value, movements)
      if (entry) yield entry
      other = others.next()
    }
  } finally {
    // A consumer that stops early leaves the second statement open: close it, or the connection stays busy.
    others.return?.()
  }
}

type CashMovementRow = { id: string; number: number; kind: string; amount_minor: number; reason: string; approved_by: string | null; at: number }

function otherEntry(row: EntryRow, movements: ReadonlyMap<number, CashMovementRow>): DayEntry | null {
  switch (row[ENTRY]) {
    case 'sale.voided':
      return { kind: 'void', id: row[ID]!, at: row[CLOSED_AT] ?? 0, cashier: row[CASHIER] ?? '', valueMinor: (row[LINES] as number | null) ?? 0 }
    case 'drawer.no-sale': {
      const [at, payload] = JSON.parse(row[TENDERS] ?? '[0, "{}"]') as [number, string]
      return { kind: 'no-sale', id: `N${row[SEQ]}`, at, cashier: (JSON.parse(payload) as { managerId?: string }).managerId ?? '' }
    }
    case 'shift.cash-moved': {
      const m = movements.get(row[SEQ])
      // Cash refunds are part of their return (the returns hook), not a movement of their own.
      if (!m || (m.kind !== 'cash-in' && m.kind !== 'cash-out')) return null
      const entry: CashMovementEntry = { kind: m.kind, id: m.id, number: m.number, at: m.at, cashier: m.approved_by ?? '', amountMinor: m.amount_minor, reason: m.reason }
      return entry
    }
    default:
      return null
  }
}

/** The closed Zs of a till whose business date (the day they were opened, in `timeZone`) is `date`. */
export function zNumbersOnDate(db: Db, tillId: string, date: string, timeZone: string): number[] {
  const rows = prepareCached(db, "SELECT z_number, opened_at FROM cash_sessions WHERE till_id = ? AND status = 'closed' ORDER BY z_number").all(tillId) as { z_number: number; opened_at: number }[]
  return rows.filter((r) => businessDateOf(r.opened_at, timeZone) === date).map((r) => r.z_number)
}
