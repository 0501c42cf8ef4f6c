// What the cashier draws ahead of the till (issue [R]): only a scan the till will take as drawn. A scan that would
// take a line past the store's limits (sale.ts checkLineLimits) or grow a discounted line is left to the till, so
// no row is drawn and then taken back; the merge rule is sale.ts addItem's.
import { describe, expect, it } from 'vitest'
import type { LineView } from '../../../src/shared/api/views'
import { canShowAtOnce, withPending, type PendingScan } from '../../../src/renderer/cashier/pending-scan'

const limits = { maxQuantity: 999, maxLineAmountMinor: 1_000_000 }

function scanOf(token: number, quantity = 1, productId = 'P005', unitPriceMinor = 99): PendingScan {
  return { token, productId, name: productId, nameZh: null, barcode: `code-${productId}`, unitPriceMinor, quantity }
}

function lineOf(position: number, quantity: number, productId = 'P005', discountPpm = 0): LineView {
  const amountMinor = 99 * quantity
  return {
    id: `L${position}`, position, productId, name: productId, nameZh: null, barcode: `code-${productId}`, quantity, weightGrams: null,
    unitPriceMinor: 99, amountMinor, discountMinor: 0, discountPpm, taxRateId: 'std', taxRatePpm: 0, taxMinor: 0, grossMinor: amountMinor, voided: false
  }
}

describe('canShowAtOnce', () => {
  it('draws a new line and a merge within the limits', () => {
    expect(canShowAtOnce([], [], scanOf(1), limits)).toBe(true)
    expect(canShowAtOnce([lineOf(1, 998)], [], scanOf(1), limits)).toBe(true)
  })

  it('leaves to the till a merge or a new line past the quantity limit, counting the scans still pending', () => {
    expect(canShowAtOnce([lineOf(1, 999)], [], scanOf(1), limits)).toBe(false)
    expect(canShowAtOnce([], [], scanOf(1, 1000), limits)).toBe(false)
    // 997 confirmed + 1 pending + this one = 999: drawn; one more is not.
    expect(canShowAtOnce([lineOf(1, 997)], [scanOf(1)], scanOf(2), limits)).toBe(true)
    expect(canShowAtOnce([lineOf(1, 997)], [scanOf(1), scanOf(2)], scanOf(3), limits)).toBe(false)
    // Another product after it opens a new line: the old line's quantity does not count.
    expect(canShowAtOnce([lineOf(1, 999)], [], scanOf(1, 1, 'P006'), limits)).toBe(true)
  })

  it('leaves to the till a line whose amount passes the limit, and a merge onto a discounted line', () => {
    expect(canShowAtOnce([], [], scanOf(1, 2, 'P900', 600_000), limits)).toBe(false)
    expect(canShowAtOnce([], [], scanOf(1, 1, 'P900', 600_000), limits)).toBe(true)
    expect(canShowAtOnce([lineOf(1, 2, 'P005', 100_000)], [], scanOf(1), limits)).toBe(false)
  })

  it('draws nothing before the till\'s limits are known', () => {
    expect(canShowAtOnce([], [], scanOf(1), null)).toBe(false)
  })
})

describe('withPending', () => {
  it('keeps the confirmed lines as they are and applies the pending scans in order', () => {
    const lines = [lineOf(1, 1, 'P006'), lineOf(2, 2)]
    const rows = withPending(lines, [scanOf(1), scanOf(2, 1, 'P007')])
    expect(rows.map((r) => [r.line.position, r.line.productId, r.line.quantity, r.pending])).toEqual([[1, 'P006', 1, false], [2, 'P005', 3, true], [3, 'P007', 1, true]])
    expect(rows[0]!.line).toBe(lines[0])
  })
})
