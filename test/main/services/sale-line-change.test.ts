// 'sale:line-changed': each change to one line goes out as that line and the totals. A window that applies the
// changes in order holds exactly the sale the till holds; one that missed a change is told to fetch it whole.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SaleLineChange, SaleView } from '../../../src/shared/api/views'
import { applyLineChange, olderThan } from '../../../src/renderer/common/sale-delta'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013' // 0.99, std 8.25 %
const WATER = '5012345000015' // 1.29, groceries 2.25 %

let till: TestTill
let changes: SaleLineChange[]
let wholeEvents: number
beforeEach(() => {
  till = testTill()
  changes = []
  wholeEvents = 0
  till.app.events.subscribe((event, payload) => {
    if (event === 'sale:line-changed') changes.push(payload as SaleLineChange)
    if (event === 'sale:changed') wholeEvents++
  })
})
afterEach(async () => {
  await till.cleanup()
})

/** What the page holds after the changes, as JSON crossed the socket (no shared objects with the till's). */
function follow(held: SaleView | null, change: SaleLineChange): SaleView {
  const outcome = applyLineChange(held, JSON.parse(JSON.stringify(change)) as SaleLineChange)
  if (outcome.kind !== 'applied') throw new Error(`expected the change to apply, got ${outcome.kind}`)
  return outcome.view
}

describe('line changes', () => {
  it('applied in order, they rebuild the whole sale after every kind of line change, and no whole sale is sent', () => {
    const sales = till.app.sales
    let held: SaleView | null = null
    const step = (act: () => unknown) => {
      const before = changes.length
      act()
      expect(changes.length).toBe(before + 1)
      held = follow(held, changes.at(-1)!)
      expect(held).toEqual(JSON.parse(JSON.stringify(sales.current())))
    }
    step(() => sales.scanLine(COLA, 'wedge'))
    step(() => sales.scanLine(WATER, 'wedge'))
    step(() => sales.scanLine(WATER, 'wedge', 3)) // onto the last line: quantity 4
    step(() => sales.scanLine(COLA, 'manual'))
    const [cola, water] = sales.current()!.lines
    step(() => sales.changeQuantityLine(cola!.id, 2))
    step(() => sales.setQuantity(water!.id, 6))
    step(() => sales.discountLine(cola!.id, 100_000, 'M1'))
    step(() => sales.voidLine(water!.id))
    expect(held!.lines.map((l) => [l.quantity, l.voided])).toEqual([[3, false], [6, true], [1, false]])
    expect(held!.totalMinor).toBe(sales.current()!.totalMinor)
    // Line changes never send the whole sale.
    expect(wholeEvents).toBe(0)
  })

  it('the scan answer and its event are the same change: the second is stale and changes nothing', () => {
    const answer = till.app.sales.scanLine(COLA, 'wedge')
    const held = follow(null, changes.at(-1)!)
    expect(applyLineChange(held, answer)).toEqual({ kind: 'stale' })
    // A whole view older than the one held (an answer overtaken by a later change) is recognised as such.
    const older = till.app.sales.current()!
    till.app.sales.scanLine(WATER, 'wedge')
    const newer = follow(held, changes.at(-1)!)
    expect(olderThan(older, newer)).toBe(true)
    expect(olderThan(till.app.sales.current()!, newer)).toBe(false)
  })

  it('a missed change is a gap, never applied onto the wrong lines; a new sale starts from nothing', () => {
    const sales = till.app.sales
    sales.scanLine(COLA, 'wedge')
    const held = follow(null, changes.at(-1)!)
    sales.scanLine(WATER, 'wedge') // missed by this window
    sales.scanLine(COLA, 'wedge')
    expect(applyLineChange(held, changes.at(-1)!)).toEqual({ kind: 'gap' })
    // Without any sale held, only a change that opened its sale applies.
    expect(applyLineChange(null, changes.at(-1)!)).toEqual({ kind: 'gap' })
    sales.voidSale('M1', 'test')
    sales.scanLine(WATER, 'wedge')
    const opened = changes.at(-1)!
    expect(opened.fromVersion).toBe(0)
    // A window still showing the old sale (it missed the void) moves to the new one.
    const next = follow(held, opened)
    expect(next).toEqual(JSON.parse(JSON.stringify(sales.current())))
    expect(next.number).toBe(held.number + 1)
  })
})
