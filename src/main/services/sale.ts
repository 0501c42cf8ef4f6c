// Building and completing a sale. Each public method is one synchronous db.transaction (STYLE.md §6) that
// changes the sale's rows and appends the journal entries that record the change, then emits 'sale:changed' (the
// whole sale) or, when one line changed, 'sale:line-changed' (that line and the totals: SaleLineChange).
import type { LineView, SaleHead, SaleLineChange, SaleView, SaleSummary, StablecoinTenderDetails, TenderView } from '../../shared/api/views'
import { parseBarcode } from '../../shared/barcode'
import type { Clock } from '../../shared/clock'
import { discountMinor, lineTax, multiplyMinor, weighedAmountMinor, type TaxRounding } from '../../shared/money'
import { refuse } from '../../shared/result'
import { canComplete } from '../../shared/sale/guards'
import { computeSaleTotals, shareRateTax, type SaleTotals } from '../../shared/sale/totals'
import type { EventBus } from '../events'
import { prepareCached, type Db } from '../ledger/db'
import { appendJournal } from '../ledger/journal'
import { recordSaleRows } from '../ledger/replay'
import { canonicalJson } from '../../shared/canonical-json'
import type { CatalogService, ScannedItem } from './catalog'
import { readLimits } from './limits'
import { assertCanSell, ShiftService } from './shift'
import { countCompletedSale, countVoidedSale } from './session-totals'
import type { StoreService } from './store'

interface SaleRow {
  id: string
  till_id: string
  number: number
  status: 'open' | 'completed' | 'voided'
  currency: string
  tax_mode: 'inclusive' | 'exclusive'
  tax_rounding: TaxRounding
  cashier: string
  opened_at: number
  closed_at: number | null
  journal_hash: string | null
  kind: 'sale' | 'refund'
  subtotal_minor: number | null
  tax_minor: number | null
  total_minor: number | null
}

interface LineRow {
  id: string
  position: number
  product_id: string
  name: string
  name_zh: string | null
  barcode: string | null
  quantity: number
  weight_g: number | null
  unit_price_minor: number
  amount_minor: number
  discount_minor: number
  discount_ppm: number
  tax_rate_id: string
  tax_name: string
  tax_rate_ppm: number
  tax_minor: number
  voided: number
}

interface TenderRow {
  id: string
  kind: 'cash' | 'stablecoin'
  amount_minor: number
  received_minor: number | null
  change_minor: number | null
  details: string | null
  created_at: number
  returned_at: number | null
}

/** A line's discount and tax: the discount by THE rounding rule, then tax on what remains (money.ts). */
function priceLine(amountMinor: number, discountPpm: number, taxRatePpm: number, mode: 'inclusive' | 'exclusive'): { discount: number; tax: number } {
  const discount = discountMinor(amountMinor, discountPpm)
  return { discount, tax: lineTax(amountMinor - discount, taxRatePpm, mode).taxMinor }
}

export interface SaleServiceDeps {
  readonly db: Db
  readonly clock: Clock
  readonly store: StoreService
  readonly catalog: CatalogService
  readonly events: EventBus
  /** Who is signed in: the sale is rung up in their name (the store's cashier name when nobody is). */
  readonly staff?: () => { readonly id: string; readonly name: string } | null
}

/** Hook for what follows a completed sale (sending the receipt): runs after the commit and never blocks or fails it. */
export type AfterComplete = (sale: SaleView) => void

/**
 * Hook that writes what must exist with a completed sale (its receipt and drawer jobs) in the SAME transaction that
 * completes it ([E] point 3): a kill between two transactions lost about 1 % of receipts. Synchronous, SQLite only,
 * no I/O; the bytes are rendered and sent after the commit. A hook that throws is rolled back on its own (savepoint)
 * and logged: a broken printer setting must not refuse a paid sale.
 */
export type OnCompleting = (sale: SaleView) => void

export class SaleService {
  private readonly afterComplete: AfterComplete[] = []
  private readonly completing: OnCompleting[] = []
  private readonly editGuards: ((saleId: string) => string | null)[] = []
  /** Set when opening a sale opened the demo store's day; changed() emits 'shift:changed' once after the commit. */
  private demoDayOpened = false
  constructor(private readonly deps: SaleServiceDeps) {}

  /** Another service may lock a sale's lines (e.g. while a payment request for its amount is open). */
  addEditGuard(guard: (saleId: string) => string | null): void {
    this.editGuards.push(guard)
  }

  private checkEditable(saleId: string): void {
    if (this.hasTenders(saleId)) throw refuse('conflict', 'sale.lines-locked')
    this.checkGuards(saleId)
  }

  private checkGuards(saleId: string): void {
    for (const guard of this.editGuards) {
      const refusal = guard(saleId)
      // The guard's owner (the stablecoin checkout) words its own refusal; it crosses as given.
      if (refusal) throw refuse('conflict', 'sale.locked', { reason: refusal })
    }
  }

  onCompleted(hook: AfterComplete): void {
    this.afterComplete.push(hook)
  }

  /** Registers a hook run inside complete()'s transaction (see OnCompleting). */
  onCompleting(hook: OnCompleting): void {
    this.completing.push(hook)
  }

  private get db(): Db {
    return this.deps.db
  }

  private q(sql: string) {
    return prepareCached(this.deps.db, sql)
  }

  private tillId(): string {
    return this.deps.store.settings().tillId
  }

  /** The till's open sale, if any (a till has at most one). */
  current(): SaleView | null {
    const row = this.q("SELECT id FROM sales WHERE till_id = ? AND status = 'open'").get(this.tillId()) as { id: string } | undefined
    return row ? this.get(row.id) : null
  }

  get(saleId: string): SaleView {
    const sale = this.q('SELECT * FROM sales WHERE id = ?').get(saleId) as SaleRow | undefined
    if (!sale) throw refuse('not-found', 'sale.not-found', { saleId })
    const lines = this.q(
        `SELECT l.*, p.name_zh, t.name AS tax_name FROM sale_lines l
         JOIN products p ON p.id = l.product_id LEFT JOIN tax_rates t ON t.id = l.tax_rate_id
         WHERE l.sale_id = ? ORDER BY l.position`
      )
      .all(saleId) as LineRow[]
    const tenders = this.q('SELECT t.*, r.returned_at FROM tenders t LEFT JOIN tender_returns r ON r.tender_id = t.id WHERE t.sale_id = ? ORDER BY t.created_at, t.id').all(saleId) as TenderRow[]
    // A refund sale's lines carry their returned SHARES of the original's tax (services/returns.ts), never recomputed:
    // its view reads them as stored, so the refund receipt says exactly what went back.
    const totals = sale.kind === 'refund' && sale.total_minor !== null ? storedTotals(sale, lines) : computeSaleTotals(
      lines.map((l) => ({ amountMinor: l.amount_minor - l.discount_minor, taxRateId: l.tax_rate_id, taxRateName: l.tax_name ?? l.tax_rate_id, taxRatePpm: l.tax_rate_ppm, voided: l.voided === 1 })),
      sale.tax_mode,
      sale.tax_rounding
    )
    // A tender handed back before completion no longer counts: the customer has that money again.
    const live = tenders.filter((t) => t.returned_at === null)
    const paid = live.reduce((sum, t) => sum + t.amount_minor, 0)
    const change = live.reduce((sum, t) => sum + (t.change_minor ?? 0), 0)
    const lineViews: LineView[] = lines.map((l) => toLineView(l, sale.tax_mode))
    const tenderViews: TenderView[] = tenders.map((t) => ({
      id: t.id,
      kind: t.kind,
      amountMinor: t.amount_minor,
      receivedMinor: t.received_minor,
      changeMinor: t.change_minor,
      createdAt: t.created_at,
      returned: t.returned_at !== null,
      stablecoin: t.kind === 'stablecoin' && t.details ? (JSON.parse(t.details) as StablecoinTenderDetails) : null
    }))
    return { ...toHead(sale, totals, paid, change, this.versionOf(sale.id)), lines: lineViews, tenders: tenderViews }
  }

  /** The sale's version (SaleView.version): its newest journal entry's seq, by the journal_sale index. */
  private versionOf(saleId: string): number {
    return (this.q('SELECT max(seq) AS v FROM journal WHERE sale_id = ?').get(saleId) as { v: number | null }).v ?? 0
  }

  /**
   * One line's change as the windows need it, read inside the transaction that made it so the answer can leave
   * as soon as the commit returns. The totals come from the lines' amounts alone (four columns, no product join)
   * and the paid amount from one sum: at 200 lines this is a fraction of building the whole view.
   */
  private lineChange(saleId: string, lineId: string, fromVersion: number): SaleLineChange {
    const sale = this.q('SELECT * FROM sales WHERE id = ?').get(saleId) as SaleRow
    const line = this.q(
      `SELECT l.*, p.name_zh, t.name AS tax_name FROM sale_lines l
       JOIN products p ON p.id = l.product_id LEFT JOIN tax_rates t ON t.id = l.tax_rate_id WHERE l.id = ?`
    ).get(lineId) as LineRow
    const amounts = this.q(
      `SELECT l.amount_minor - l.discount_minor AS kept, l.tax_rate_id, l.tax_rate_ppm, l.voided, t.name AS tax_name
       FROM sale_lines l LEFT JOIN tax_rates t ON t.id = l.tax_rate_id WHERE l.sale_id = ? ORDER BY l.position`
    ).all(saleId) as { kept: number; tax_rate_id: string; tax_rate_ppm: number; voided: number; tax_name: string | null }[]
    const totals = computeSaleTotals(
      amounts.map((l) => ({ amountMinor: l.kept, taxRateId: l.tax_rate_id, taxRateName: l.tax_name ?? l.tax_rate_id, taxRatePpm: l.tax_rate_ppm, voided: l.voided === 1 })),
      sale.tax_mode,
      sale.tax_rounding
    )
    const money = this.q(
      `SELECT coalesce(sum(t.amount_minor), 0) AS paid, coalesce(sum(t.change_minor), 0) AS change FROM tenders t
       WHERE t.sale_id = ? AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id)`
    ).get(saleId) as { paid: number; change: number }
    return {
      sale: toHead(sale, totals, money.paid, money.change, this.versionOf(saleId)),
      fromVersion,
      line: toLineView(line, sale.tax_mode),
      lineCount: amounts.length
    }
  }

  /**
   * A unit of work that changes one line: `work` runs in the transaction and names the sale, the line and the
   * sale's version before it (0 when it opened the sale); the change is read in the same transaction, and after
   * the commit it goes out as 'sale:line-changed' with nothing else awaited.
   */
  private lineUnit(work: () => { saleId: string; lineId: string; fromVersion: number }): SaleLineChange {
    const change = this.db.transaction(() => {
      const { saleId, lineId, fromVersion } = work()
      return this.lineChange(saleId, lineId, fromVersion)
    }).immediate()
    this.deps.events.emit('sale:line-changed', change)
    this.announceDemoDay()
    return change
  }

  list(limit: number): SaleSummary[] {
    const rows = this.q('SELECT id, number, status, total_minor, currency, closed_at, kind FROM sales WHERE till_id = ? ORDER BY number DESC LIMIT ?').all(this.tillId(), limit) as {
      id: string
      number: number
      status: SaleSummary['status']
      total_minor: number | null
      currency: string
      closed_at: number | null
      kind: 'sale' | 'refund'
    }[]
    return rows.map((r) => ({ id: r.id, number: r.number, status: r.status, totalMinor: r.total_minor, currency: r.currency, closedAt: r.closed_at, kind: r.kind }))
  }

  /** Parses, looks up and adds a scanned or typed code. Bad or unknown codes are refused and change nothing. */
  scan(code: string, source: 'wedge' | 'manual' | 'hid', quantity?: number): SaleView {
    return this.get(this.scanLine(code, source, quantity).sale.id)
  }

  /** The same, answered with the changed line and the totals only (the cashier's scan: SaleLineChange). */
  scanLine(code: string, source: 'wedge' | 'manual' | 'hid', quantity?: number): SaleLineChange {
    const parsed = parseBarcode(code)
    if (!parsed.ok) throw refuse('bad-barcode', parsed.reason === 'empty' ? 'barcode.empty' : `barcode.${parsed.reason}`, { code: code.slice(0, 100) })
    const item = this.withQuantity(this.deps.catalog.resolve(parsed), quantity)
    return this.lineUnit(() => {
      const { sale, fromVersion } = this.openSaleForWrite()
      return { saleId: sale.id, lineId: this.addItem(sale, item, source), fromVersion }
    })
  }

  /**
   * A product picked by PLU or name look-up (no barcode label): loose produce at the counter. A product sold by
   * weight needs the weight read from the scale (grams); a counted one takes `quantity`.
   */
  addProduct(productId: string, quantity: number, weightGrams?: number): SaleView {
    const product = this.deps.catalog.productById(productId)
    if (!product) throw refuse('not-found', 'catalog.product-unknown', { productId })
    if (product.pricing === 'weight' && weightGrams === undefined) throw refuse('invalid-input', 'sale.weight-needed', { name: product.name })
    if (product.pricing === 'unit' && weightGrams !== undefined) throw refuse('invalid-input', 'barcode.weight-on-unit', { code: product.plu ?? product.id, name: product.name })
    const item: ScannedItem =
      product.pricing === 'weight'
        ? { product, barcode: product.plu ?? product.id, quantity: 1, weightGrams: weightGrams ?? null, embeddedPriceMinor: null }
        : { product, barcode: product.plu ?? product.id, quantity, weightGrams: null, embeddedPriceMinor: null }
    const change = this.lineUnit(() => {
      const { sale, fromVersion } = this.openSaleForWrite()
      return { saleId: sale.id, lineId: this.addItem(sale, item, 'lookup'), fromVersion }
    })
    return this.get(change.sale.id)
  }

  /** `3*` or the Quantity box: so many of a counted item (times its pack size); weighed or priced labels are one. */
  private withQuantity(item: ScannedItem, quantity: number | undefined): ScannedItem {
    if (quantity === undefined || quantity === 1) return item
    if (item.weightGrams !== null || item.embeddedPriceMinor !== null) throw refuse('conflict', 'sale.weighed-quantity', { name: item.product.name })
    const total = item.quantity * quantity
    if (total > 9999) throw refuse('invalid-input', 'sale.quantity-range', { name: item.product.name, quantity: total })
    return { ...item, quantity: total }
  }

  /**
   * Changes a line's quantity by `delta` units. Deltas commute, so presses sent from a view that is behind (the
   * answer to the last press still on its way) all count; an absolute quantity from a stale view would lose them.
   */
  changeQuantity(lineId: string, delta: number): SaleView {
    return this.get(this.changeQuantityLine(lineId, delta).sale.id)
  }

  /** The same, answered with the changed line and the totals only (SaleLineChange). */
  changeQuantityLine(lineId: string, delta: number): SaleLineChange {
    return this.lineUnit(() => {
      const { sale, line, fromVersion } = this.editableLine(lineId)
      if (line.voided) throw refuse('conflict', 'sale.line-void', { position: line.position, name: line.name })
      if (line.weight_g !== null) throw refuse('conflict', 'sale.weighed-quantity', { name: line.name })
      const quantity = line.quantity + delta
      // Taking a line to 0 is a void, which the cashier confirms as such: never a side effect of a minus press.
      if (quantity < 1 || quantity > 9999) throw refuse('invalid-input', 'sale.quantity-range', { name: line.name, quantity })
      this.writeQuantity(sale, line, quantity, 'delta')
      return { saleId: sale.id, lineId, fromVersion }
    })
  }

  /** The store's plausible bounds for one line ([E] point 5, services/limits.ts). */
  private checkLineLimits(name: string, quantity: number, amountMinor: number, currency: string): void {
    const limits = readLimits(this.db)
    if (quantity > limits.maxQuantity) throw refuse('invalid-input', 'limits.quantity', { quantity, max: limits.maxQuantity })
    if (amountMinor > limits.maxLineAmountMinor) throw refuse('invalid-input', 'limits.price', { name, amountMinor, maxMinor: limits.maxLineAmountMinor, currency })
  }

  private writeQuantity(sale: SaleRow, line: LineRow, quantity: number, how: string): void {
    const amount = multiplyMinor(line.unit_price_minor, quantity)
    this.checkLineLimits(line.name, quantity, amount, sale.currency)
    const { discount, tax } = priceLine(amount, line.discount_ppm, line.tax_rate_ppm, sale.tax_mode)
    this.q('UPDATE sale_lines SET quantity = ?, amount_minor = ?, discount_minor = ?, tax_minor = ? WHERE id = ?').run(quantity, amount, discount, tax, line.id)
    this.journal('sale.line-quantity-changed', sale.id, { lineId: line.id, from: line.quantity, to: quantity, amountMinor: amount, discountMinor: discount, taxMinor: tax, how })
  }

  setQuantity(lineId: string, quantity: number): SaleView {
    const change = this.lineUnit(() => {
      const { sale, line, fromVersion } = this.editableLine(lineId)
      if (line.weight_g !== null) throw refuse('conflict', 'sale.weighed-quantity', { name: line.name })
      if (line.quantity !== quantity) this.writeQuantity(sale, line, quantity, 'set')
      return { saleId: sale.id, lineId, fromVersion }
    })
    return this.get(change.sale.id)
  }

  /** A percentage off one line (parts per million; the caller has the manager's approval). 0 removes it. */
  discountLine(lineId: string, discountPpm: number, managerId: string): SaleView {
    const change = this.lineUnit(() => {
      const { sale, line, fromVersion } = this.editableLine(lineId)
      if (line.voided) throw refuse('conflict', 'sale.line-void', { position: line.position, name: line.name })
      const { discount, tax } = priceLine(line.amount_minor, discountPpm, line.tax_rate_ppm, sale.tax_mode)
      this.q('UPDATE sale_lines SET discount_ppm = ?, discount_minor = ?, tax_minor = ? WHERE id = ?').run(discountPpm, discount, tax, lineId)
      this.journal('sale.line-discounted', sale.id, { lineId, discountPpm, discountMinor: discount, taxMinor: tax, managerId })
      return { saleId: sale.id, lineId, fromVersion }
    })
    return this.get(change.sale.id)
  }

  voidLine(lineId: string): SaleView {
    const change = this.lineUnit(() => {
      const { sale, line, fromVersion } = this.editableLine(lineId)
      if (line.voided) throw refuse('conflict', 'sale.line-already-void', { position: line.position, name: line.name })
      this.q('UPDATE sale_lines SET voided = 1 WHERE id = ?').run(lineId)
      this.journal('sale.line-voided', sale.id, { lineId, position: line.position, amountMinor: line.amount_minor })
      return { saleId: sale.id, lineId, fromVersion }
    })
    return this.get(change.sale.id)
  }

  /**
   * Records cash handed over. Cash beyond the amount due becomes change. Less than due is a part payment only when
   * the cashier confirmed it as one (`confirmPartial`): a short amount typed by mistake must not lock the lines.
   */
  tenderCash(receivedMinor: number, confirmPartial = false): SaleView {
    const saleId = this.db.transaction(() => {
      const sale = this.requireOpenSale()
      const view = this.get(sale.id)
      if (!view.lines.some((l) => !l.voided)) throw refuse('conflict', 'sale.no-items')
      if (view.dueMinor === 0) throw refuse('conflict', 'sale.nothing-due')
      if (receivedMinor <= 0) throw refuse('invalid-input', 'sale.cash-needed')
      const { maxCashReceivedMinor } = readLimits(this.db)
      if (receivedMinor > maxCashReceivedMinor) throw refuse('invalid-input', 'limits.cash-received', { receivedMinor, maxMinor: maxCashReceivedMinor, currency: view.currency })
      if (receivedMinor < view.dueMinor && !confirmPartial) throw refuse('approval-required', 'sale.cash-below-due', { receivedMinor, dueMinor: view.dueMinor, currency: view.currency })
      const applied = Math.min(receivedMinor, view.dueMinor)
      const change = receivedMinor - applied
      const tenderId = `${sale.id}/T${view.tenders.length + 1}`
      this.q('INSERT INTO tenders (id, sale_id, kind, amount_minor, received_minor, change_minor, details, created_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)')
        .run(tenderId, sale.id, 'cash', applied, receivedMinor, change, this.deps.clock.now())
      this.journal('sale.tender-added', sale.id, { tenderId, kind: 'cash', amountMinor: applied, receivedMinor, changeMinor: change })
      return sale.id
    }).immediate()
    return this.changed(saleId)
  }

  /**
   * Records a settled (or manager-accepted) stablecoin payment as a tender worth `amountMinor` of store currency.
   * Idempotent per payment: the watcher may report the same settlement again after a restart.
   */
  tenderStablecoin(saleId: string, amountMinor: number, details: StablecoinTenderDetails): SaleView {
    this.db.transaction(() => {
      const sale = this.requireOpenSale(saleId)
      const view = this.get(sale.id)
      // A tender withdrawn after a reversal does not count: a payment the chain carries again is tendered again.
      if (view.tenders.some((t) => !t.returned && t.stablecoin?.paymentId === details.paymentId)) return
      if (view.dueMinor === 0) throw refuse('conflict', 'sale.nothing-due')
      const tenderId = `${sale.id}/T${view.tenders.length + 1}`
      const applied = Math.min(amountMinor, view.dueMinor)
      this.q('INSERT INTO tenders (id, sale_id, kind, amount_minor, received_minor, change_minor, details, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)').run(
        tenderId,
        sale.id,
        'stablecoin',
        applied,
        amountMinor,
        JSON.stringify(details),
        this.deps.clock.now()
      )
      this.journal('sale.tender-added', sale.id, { tenderId, kind: 'stablecoin', amountMinor: applied, receivedMinor: amountMinor, ...details })
    }).immediate()
    return this.changed(saleId)
  }

  /**
   * Withdraws the stablecoin tender of a payment the chain took back (issue [F]: a reorg after Paid) from the open
   * sale: it stops counting, the due comes back, and once no tender is left the lines can change again. Recorded by
   * the till itself ('chain'), journaled 'sale.tender-reversed'. Returns null when the sale is not open or has no
   * live tender for that payment (a completed sale's reversal is flagged by the payment service instead).
   */
  withdrawReversedTender(saleId: string, paymentId: string): SaleView | null {
    const withdrawn = this.db.transaction(() => {
      const sale = this.q('SELECT id, status FROM sales WHERE id = ?').get(saleId) as { id: string; status: string } | undefined
      if (!sale || sale.status !== 'open') return false
      const tender = (this.q("SELECT t.*, r.returned_at FROM tenders t LEFT JOIN tender_returns r ON r.tender_id = t.id WHERE t.sale_id = ? AND t.kind = 'stablecoin'").all(saleId) as TenderRow[])
        .find((t) => t.returned_at === null && t.details !== null && (JSON.parse(t.details) as { paymentId?: string }).paymentId === paymentId)
      if (!tender) return false
      this.q("INSERT INTO tender_returns (tender_id, returned_at, manager_id, how) VALUES (?, ?, 'chain', 'reversed-on-chain')").run(tender.id, this.deps.clock.now())
      this.journal('sale.tender-reversed', saleId, { tenderId: tender.id, paymentId, amountMinor: tender.amount_minor })
      return true
    }).immediate()
    return withdrawn ? this.changed(saleId) : null
  }

  /**
   * Takes a cash tender back before the sale completes (manager-approved by the caller): the cash goes back to the
   * customer, the tender stops counting, and once no tender is left the lines can change again. Journaled.
   * A stablecoin tender is money on chain: it is refunded by the refund flow, not handed back here.
   */
  returnTender(tenderId: string, managerId: string): SaleView {
    const saleId = this.db.transaction(() => {
      const sale = this.requireOpenSale()
      const tender = this.q('SELECT t.*, r.returned_at FROM tenders t LEFT JOIN tender_returns r ON r.tender_id = t.id WHERE t.id = ? AND t.sale_id = ?').get(tenderId, sale.id) as TenderRow | undefined
      if (!tender || tender.returned_at !== null) throw refuse('not-found', 'sale.tender-gone')
      if (tender.kind !== 'cash') throw refuse('conflict', 'sale.tender-not-cash')
      this.q("INSERT INTO tender_returns (tender_id, returned_at, manager_id, how) VALUES (?, ?, ?, 'cash-handed-back')").run(tenderId, this.deps.clock.now(), managerId)
      this.journal('sale.tender-returned', sale.id, { tenderId, kind: 'cash', amountMinor: tender.amount_minor, handedBackMinor: tender.amount_minor, managerId })
      return sale.id
    }).immediate()
    return this.changed(saleId)
  }

  /**
   * Abandons the open sale (manager-approved by the caller). It keeps its number, so numbering stays gap-free, and
   * is frozen as 'voided'. Money already taken is recorded as going back, so no sale is a dead end: cash tenders
   * are handed back (journaled, the drawer balances), and a stablecoin tender becomes a refund the customer is owed
   * (journaled as 'sale.refund-owed' for the refund flow to pay out).
   */
  voidSale(managerId: string, reason: string): SaleView {
    const saleId = this.db.transaction(() => {
      const sale = this.requireOpenSale()
      this.checkGuards(sale.id)
      const now = this.deps.clock.now()
      const live = this.q('SELECT t.*, NULL AS returned_at FROM tenders t WHERE t.sale_id = ? AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id) ORDER BY t.created_at, t.id').all(sale.id) as TenderRow[]
      let cashBackMinor = 0
      let refundOwedMinor = 0
      for (const tender of live) {
        this.q('INSERT INTO tender_returns (tender_id, returned_at, manager_id, how) VALUES (?, ?, ?, ?)').run(tender.id, now, managerId, tender.kind === 'cash' ? 'cash-handed-back' : 'refund-owed')
        if (tender.kind === 'cash') {
          cashBackMinor += tender.amount_minor
          this.journal('sale.tender-returned', sale.id, { tenderId: tender.id, kind: 'cash', amountMinor: tender.amount_minor, handedBackMinor: tender.amount_minor, managerId })
        } else {
          refundOwedMinor += tender.amount_minor
          const details = tender.details ? (JSON.parse(tender.details) as StablecoinTenderDetails) : null
          this.journal('sale.refund-owed', sale.id, { tenderId: tender.id, kind: 'stablecoin', amountMinor: tender.amount_minor, paymentId: details?.paymentId ?? null, tokenAmount: details?.tokenAmount ?? null, tokenSymbol: details?.tokenSymbol ?? null, managerId })
        }
      }
      const closedAt = now
      const voided = { number: sale.number, managerId, reason, cashBackMinor, refundOwedMinor }
      // The record of the voided sale's rows, as a completion carries one (ledger/replay.ts recordSaleRows): the full
      // verify compares them in SQLite instead of replaying the sale. A void changes only the status.
      const header = this.q('SELECT number, subtotal_minor, tax_minor, total_minor FROM sales WHERE id = ?').get(sale.id) as { number: number; subtotal_minor: number | null; tax_minor: number | null; total_minor: number | null }
      const rowsRecord = recordSaleRows(this.db, sale.id, { number: header.number, subtotalMinor: header.subtotal_minor, taxMinor: header.tax_minor, totalMinor: header.total_minor }, canonicalJson(voided), 'sale.voided')
      const entry = this.journal('sale.voided', sale.id, rowsRecord === null ? voided : { ...voided, rowsRecord })
      this.q("UPDATE sales SET status = 'voided', closed_at = ?, journal_hash = ? WHERE id = ?").run(closedAt, entry.hash, sale.id)
      // The day's running totals move with the entry that records the void (the Z reads them, not the journal).
      countVoidedSale(this.db, this.tillId(), sale.id)
      return sale.id
    }).immediate()
    this.deps.events.emit('sale:changed', null)
    return this.get(saleId)
  }

  complete(): SaleView {
    const saleId = this.db.transaction(() => {
      const sale = this.requireOpenSale()
      const view = this.get(sale.id)
      if (!canComplete(view)) {
        if (!view.lines.some((l) => !l.voided)) throw refuse('conflict', 'sale.nothing-to-complete')
        throw refuse('not-paid', 'sale.not-paid', { dueMinor: view.dueMinor, currency: view.currency })
      }
      const closedAt = this.deps.clock.now()
      // 'per-rate-total': the lines take their shares of each rate's rounded tax, so they add up to the sale.
      const taxShares = view.taxRounding === 'per-rate-total'
        ? shareRateTax(view.lines.map((l) => ({ id: l.id, taxRateId: l.taxRateId, amountMinor: l.amountMinor - l.discountMinor, taxMinor: l.taxMinor, voided: l.voided })), { subtotalMinor: view.subtotalMinor, taxMinor: view.taxMinor, totalMinor: view.totalMinor, taxes: view.taxes })
        : []
      for (const share of taxShares) this.q('UPDATE sale_lines SET tax_minor = ? WHERE id = ?').run(share.taxMinor, share.lineId)
      const shared = taxShares.length > 0 ? this.get(sale.id) : view
      const completion = {
        number: view.number,
        subtotalMinor: view.subtotalMinor,
        taxMinor: view.taxMinor,
        totalMinor: view.totalMinor,
        paidMinor: view.paidMinor,
        changeMinor: view.changeMinor,
        lines: shared.lines.filter((l) => !l.voided).map((l) => ({ productId: l.productId, quantity: l.quantity, weightGrams: l.weightGrams, amountMinor: l.amountMinor, discountMinor: l.discountMinor, taxMinor: l.taxMinor })),
        ...(taxShares.length > 0 ? { taxShares } : {})
      }
      // The text of the sale's final rows (ledger/replay.ts recordSaleRows), once its own entries are found to agree
      // with them: the full verify compares the tables with it in SQLite instead of replaying every entry. Rows
      // that disagree get no record, and the verify replays the sale and names the edit as before.
      const rowsRecord = recordSaleRows(this.db, sale.id, view, canonicalJson(completion))
      const entry = this.journal('sale.completed', sale.id, rowsRecord === null ? completion : { ...completion, rowsRecord })
      this.q("UPDATE sales SET status = 'completed', closed_at = ?, subtotal_minor = ?, tax_minor = ?, total_minor = ?, journal_hash = ? WHERE id = ?")
        .run(closedAt, view.subtotalMinor, view.taxMinor, view.totalMinor, entry.hash, sale.id)
      // The day's running totals move with the 'sale.completed' entry, its lines and tenders now final.
      countCompletedSale(this.db, this.tillId(), sale.id)
      if (this.completing.length > 0) {
        const completed = this.get(sale.id)
        for (const hook of this.completing) {
          try {
            // A nested transaction is a savepoint: a failing hook undoes only its own writes.
            this.db.transaction(() => hook(completed))()
          } catch (e) {
            console.error('completing hook failed (the sale is saved without it):', e)
          }
        }
      }
      return sale.id
    }).immediate()
    const done = this.get(saleId)
    this.deps.events.emit('sale:changed', null)
    for (const hook of this.afterComplete) {
      try {
        hook(done)
      } catch (e) {
        console.error('after-complete hook failed (the sale is saved):', e)
      }
    }
    return done
  }

  // ----- internals (all called inside a transaction) -----

  private changed(saleId: string): SaleView {
    const view = this.get(saleId)
    this.deps.events.emit('sale:changed', view.status === 'open' ? view : null)
    this.announceDemoDay()
    return view
  }

  private announceDemoDay(): void {
    if (this.demoDayOpened) {
      // The demo store opened its own day with this sale (assertCanSell): the back office's Day close shows it.
      this.demoDayOpened = false
      this.deps.events.emit('shift:changed', new ShiftService({ db: this.db, clock: this.deps.clock, store: this.deps.store }).current())
    }
  }

  private journal(kind: string, saleId: string, payload: Record<string, unknown>) {
    return appendJournal(this.db, { at: this.deps.clock.now(), tillId: this.tillId(), kind, saleId, payload: payload as never })
  }

  private requireOpenSale(saleId?: string): SaleRow {
    const row = (
      saleId
        ? this.q('SELECT * FROM sales WHERE id = ?').get(saleId)
        : this.q("SELECT * FROM sales WHERE till_id = ? AND status = 'open'").get(this.tillId())
    ) as SaleRow | undefined
    if (!row) throw refuse('no-open-sale', 'sale.none-open')
    if (row.status !== 'open') throw refuse('sale-not-open', 'sale.not-open', { number: row.number, status: row.status })
    return row
  }

  /** The open sale, opened now if there is none; `fromVersion` is its version before this unit (0 when opened now). */
  private openSaleForWrite(): { sale: SaleRow; fromVersion: number } {
    const existing = this.q("SELECT * FROM sales WHERE till_id = ? AND status = 'open'").get(this.tillId()) as SaleRow | undefined
    if (existing) {
      this.checkEditable(existing.id)
      return { sale: existing, fromVersion: this.versionOf(existing.id) }
    }
    // Selling happens inside an open day (issue [D]): a real store refuses here, before the sale gets a number;
    // the demo store opens its own day (a savepoint of this transaction), announced after the commit (changed()).
    // A rolled-back transaction leaves the flag set with no day opened: the event then only repeats the truth.
    if (assertCanSell({ db: this.db, clock: this.deps.clock, store: this.deps.store }) !== null) this.demoDayOpened = true
    const settings = this.deps.store.settings()
    // Gap-free numbering per till: the counter moves in the same transaction that creates the sale.
    this.q('INSERT INTO till_counters (till_id, last_sale_number) VALUES (?, 0) ON CONFLICT(till_id) DO NOTHING').run(settings.tillId)
    this.q('UPDATE till_counters SET last_sale_number = last_sale_number + 1 WHERE till_id = ?').run(settings.tillId)
    const { last_sale_number: number } = this.q('SELECT last_sale_number FROM till_counters WHERE till_id = ?').get(settings.tillId) as { last_sale_number: number }
    const id = `${settings.tillId}-${String(number).padStart(6, '0')}`
    const now = this.deps.clock.now()
    const staff = this.deps.staff?.() ?? null
    const cashier = staff?.name ?? settings.cashier
    this.q("INSERT INTO sales (id, till_id, number, kind, status, currency, tax_mode, tax_rounding, cashier, staff_id, opened_at) VALUES (?, ?, ?, 'sale', 'open', ?, ?, ?, ?, ?, ?)")
      .run(id, settings.tillId, number, settings.currency, settings.taxMode, settings.taxRounding, cashier, staff?.id ?? null, now)
    this.journal('sale.opened', id, { number, currency: settings.currency, taxMode: settings.taxMode, taxRounding: settings.taxRounding, cashier, staffId: staff?.id ?? null })
    return { sale: this.q('SELECT * FROM sales WHERE id = ?').get(id) as SaleRow, fromVersion: 0 }
  }

  private hasTenders(saleId: string): boolean {
    return this.q('SELECT 1 FROM tenders t WHERE t.sale_id = ? AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id) LIMIT 1').get(saleId) !== undefined
  }

  private editableLine(lineId: string): { sale: SaleRow; line: LineRow; fromVersion: number } {
    const line = this.q('SELECT * FROM sale_lines WHERE id = ?').get(lineId) as LineRow | undefined
    if (!line) throw refuse('not-found', 'sale.line-gone')
    const saleId = (this.q('SELECT sale_id FROM sale_lines WHERE id = ?').get(lineId) as { sale_id: string }).sale_id
    const sale = this.requireOpenSale(saleId)
    this.checkEditable(sale.id)
    return { sale, line, fromVersion: this.versionOf(sale.id) }
  }

  /** Adds the item to the sale (or to its last line); returns the line it went on. */
  private addItem(sale: SaleRow, item: ScannedItem, source: string): string {
    const { product } = item
    // A repeat scan of the same counted product adds to its last line, as shoppers expect (Odoo, Square).
    if (item.weightGrams === null && item.embeddedPriceMinor === null) {
      const last = this.q('SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY position DESC LIMIT 1')
        .get(sale.id) as LineRow | undefined
      if (last && !last.voided && last.product_id === product.id && last.barcode === item.barcode && last.weight_g === null) {
        const quantity = last.quantity + item.quantity
        const amount = multiplyMinor(last.unit_price_minor, quantity)
        this.checkLineLimits(last.name, quantity, amount, sale.currency)
        const { discount, tax } = priceLine(amount, last.discount_ppm, last.tax_rate_ppm, sale.tax_mode)
        this.q('UPDATE sale_lines SET quantity = ?, amount_minor = ?, discount_minor = ?, tax_minor = ? WHERE id = ?').run(quantity, amount, discount, tax, last.id)
        this.journal('sale.line-quantity-changed', sale.id, { lineId: last.id, from: last.quantity, to: quantity, amountMinor: amount, discountMinor: discount, taxMinor: tax, source })
        return last.id
      }
    }
    const { n } = this.q('SELECT COUNT(*) AS n FROM sale_lines WHERE sale_id = ?').get(sale.id) as { n: number }
    const position = n + 1
    const lineId = `${sale.id}/L${position}`
    const unitPrice = item.embeddedPriceMinor ?? product.priceMinor
    const amount =
      item.embeddedPriceMinor !== null
        ? item.embeddedPriceMinor
        : item.weightGrams !== null
          ? weighedAmountMinor(product.priceMinor, item.weightGrams)
          : multiplyMinor(product.priceMinor, item.quantity)
    this.checkLineLimits(product.name, item.quantity, amount, sale.currency)
    const tax = lineTax(amount, product.taxRatePpm, sale.tax_mode).taxMinor
    this.q(
        `INSERT INTO sale_lines (id, sale_id, position, product_id, name, barcode, quantity, weight_g, unit_price_minor, amount_minor, tax_rate_id, tax_rate_ppm, tax_minor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(lineId, sale.id, position, product.id, product.name, item.barcode, item.quantity, item.weightGrams, unitPrice, amount, product.taxRateId, product.taxRatePpm, tax)
    this.journal('sale.line-added', sale.id, {
      lineId,
      position,
      productId: product.id,
      barcode: item.barcode,
      quantity: item.quantity,
      weightGrams: item.weightGrams,
      unitPriceMinor: unitPrice,
      amountMinor: amount,
      taxRatePpm: product.taxRatePpm,
      taxMinor: tax,
      source
    })
    return lineId
  }
}

function toLineView(l: LineRow, taxMode: 'inclusive' | 'exclusive'): LineView {
  return {
    id: l.id,
    position: l.position,
    productId: l.product_id,
    name: l.name,
    nameZh: l.name_zh,
    barcode: l.barcode,
    quantity: l.quantity,
    weightGrams: l.weight_g,
    unitPriceMinor: l.unit_price_minor,
    amountMinor: l.amount_minor,
    discountMinor: l.discount_minor,
    discountPpm: l.discount_ppm,
    taxRateId: l.tax_rate_id,
    taxRatePpm: l.tax_rate_ppm,
    taxMinor: l.tax_minor,
    grossMinor: l.amount_minor - l.discount_minor + (taxMode === 'exclusive' ? l.tax_minor : 0),
    voided: l.voided === 1
  }
}

function toHead(sale: SaleRow, totals: SaleTotals, paidMinor: number, changeMinor: number, version: number): SaleHead {
  return {
    id: sale.id,
    number: sale.number,
    tillId: sale.till_id,
    status: sale.status,
    currency: sale.currency,
    taxMode: sale.tax_mode,
    taxRounding: sale.tax_rounding,
    cashier: sale.cashier,
    openedAt: sale.opened_at,
    closedAt: sale.closed_at,
    taxes: totals.taxes,
    subtotalMinor: totals.subtotalMinor,
    taxMinor: totals.taxMinor,
    totalMinor: totals.totalMinor,
    paidMinor,
    dueMinor: Math.max(0, totals.totalMinor - paidMinor),
    changeMinor,
    journalHash: sale.journal_hash,
    version
  }
}

/** A sale's totals as stored, with its taxes per rate summed from the lines' stored tax (a refund sale). */
function storedTotals(sale: SaleRow, lines: readonly LineRow[]): SaleTotals {
  const byRate = new Map<string, { taxRateId: string; name: string; ratePpm: number; taxableMinor: number; taxMinor: number }>()
  for (const l of lines) {
    if (l.voided === 1) continue
    const entry = byRate.get(l.tax_rate_id) ?? { taxRateId: l.tax_rate_id, name: l.tax_name ?? l.tax_rate_id, ratePpm: l.tax_rate_ppm, taxableMinor: 0, taxMinor: 0 }
    const kept = l.amount_minor - l.discount_minor
    entry.taxableMinor += sale.tax_mode === 'inclusive' ? kept - l.tax_minor : kept
    entry.taxMinor += l.tax_minor
    byRate.set(l.tax_rate_id, entry)
  }
  return { subtotalMinor: sale.subtotal_minor ?? 0, taxMinor: sale.tax_minor ?? 0, totalMinor: sale.total_minor ?? 0, taxes: [...byRate.values()] }
}
