// Scans drawn before the till has answered (issue [R]: the row on the Enter itself). Pure: what a pending scan
// does to the cart the till last confirmed, by sale.ts addItem's own rule, and whether a line change from the
// till is that scan. Nothing here is ever taken as sold: the Cart shows it marked pending, and the totals, the pay
// keys and the customer display move only on the till's answer.
import type { CatalogIndexLimits, LineView, SaleLineChange, SaleView } from '../../shared/api/views'
import { multiplyMinor } from '../../shared/money'

/** One scan sent to the till whose answer is not in yet, with what the local index said it sells. */
export interface PendingScan {
  /** Which call this is (the answer drops its own). */
  readonly token: number
  readonly productId: string
  readonly name: string
  readonly nameZh: string | null
  /** The code as the till stores it on the line (a GTIN as parsed, an internal code as typed). */
  readonly barcode: string
  readonly unitPriceMinor: number
  /** Units this scan adds (pack quantity times any `3*` prefix). */
  readonly quantity: number
}

/** A Cart row: the till's line as it is, or as a pending scan will leave it (a new row, or the last grown). */
export interface CartRowView {
  readonly line: LineView
  readonly pending: boolean
}

/**
 * sale.ts addItem: a counted product scanned again right after itself adds to that last line (not voided, the
 * same product and code, not weighed); anything else opens a new line at the next position.
 */
function mergesInto(last: LineView | undefined, scan: PendingScan): boolean {
  return last !== undefined && !last.voided && last.productId === scan.productId && last.barcode === scan.barcode && last.weightGrams === null
}

/**
 * Whether the Cart can draw this scan before the till answers. A merge onto a discounted line is left to the till
 * (its discount is re-priced there: not a figure to guess), and so is a line the till's limits refuse (sale.ts
 * checkLineLimits: units on the line, its amount before discount), so that no row is drawn only to be taken back.
 * Without limits (none heard yet) nothing is drawn.
 */
export function canShowAtOnce(lines: readonly LineView[], pending: readonly PendingScan[], scan: PendingScan, limits: CatalogIndexLimits | null): boolean {
  if (!limits) return false
  const last = lastRow(lines, pending)
  const merges = mergesInto(last, scan)
  if (merges && last!.discountPpm !== 0) return false
  const quantity = merges ? last!.quantity + scan.quantity : scan.quantity
  return quantity <= limits.maxQuantity && multiplyMinor(scan.unitPriceMinor, quantity) <= limits.maxLineAmountMinor
}

/** The Cart's last row as the pending scans will leave it (only the last row decides a merge): O(pending), not O(lines). */
function lastRow(lines: readonly LineView[], pending: readonly PendingScan[]): LineView | undefined {
  if (pending.length === 0) return lines.at(-1)
  return withPending(lines.length > 0 ? [lines.at(-1)!] : [], pending).at(-1)?.line
}

/**
 * The Cart's rows: every line the till confirmed (the same objects, so unchanged rows skip their render), then
 * each pending scan applied in the order it was sent. A pending scan that would grow a discounted line is not
 * drawn (see canShowAtOnce).
 */
export function withPending(lines: readonly LineView[], pending: readonly PendingScan[]): CartRowView[] {
  const rows: CartRowView[] = lines.map((line) => ({ line, pending: false }))
  for (const scan of pending) {
    const last = rows.at(-1)?.line
    if (mergesInto(last, scan)) {
      if (last!.discountPpm !== 0) continue
      const quantity = last!.quantity + scan.quantity
      const amountMinor = multiplyMinor(last!.unitPriceMinor, quantity)
      rows[rows.length - 1] = { line: { ...last!, quantity, amountMinor, grossMinor: amountMinor }, pending: true }
      continue
    }
    const amountMinor = multiplyMinor(scan.unitPriceMinor, scan.quantity)
    rows.push({
      pending: true,
      line: {
        id: `pending-${scan.token}`,
        position: rows.length + 1,
        productId: scan.productId,
        name: scan.name,
        nameZh: scan.nameZh,
        barcode: scan.barcode,
        quantity: scan.quantity,
        weightGrams: null,
        unitPriceMinor: scan.unitPriceMinor,
        amountMinor,
        discountMinor: 0,
        discountPpm: 0,
        taxRateId: '',
        taxRatePpm: 0,
        taxMinor: 0,
        grossMinor: amountMinor,
        voided: false
      }
    })
  }
  return rows
}

/**
 * Whether a line change from the till is what this pending scan does to `before` (the view the change builds on):
 * the same line, product and quantity. A change that is not (a HID scan, the other window) leaves the scan pending.
 */
export function isThisScan(before: SaleView | null, change: SaleLineChange, scan: PendingScan): boolean {
  const lines = before && before.id === change.sale.id ? before.lines : []
  const last = lines.at(-1)
  const { line } = change
  if (line.productId !== scan.productId || line.barcode !== scan.barcode || line.voided) return false
  if (mergesInto(last, scan)) return line.id === last!.id && line.quantity === last!.quantity + scan.quantity
  return line.position === lines.length + 1 && line.quantity === scan.quantity
}
