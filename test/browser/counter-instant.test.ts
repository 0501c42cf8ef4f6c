// The row drawn on the Enter itself (issue [R]): in Chromium through the harness, a plain scan the cashier's local
// product index knows is in the Cart before the till has answered, marked pending, and becomes the till's line in
// the same <tr>; a refusal takes it back. The till's answers are held by a route on the page's own WebSocket
// (Playwright's routeWebSocket between the page and the harness): the till has done the scan, the page has not
// heard, exactly the moment a person would see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ElementHandle, Page } from 'playwright-core'
import { startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { typeAt } from '../fixtures/keyboard'

const COLA = '5901234123013'
const GREEN_TEA = '6901234567014'
const CROISSANT = '3761234500021'

let rig: BrowserRig
let cashier: Page
/** While set, every frame from the till to the page waits here, in order. */
let holding = false
let held: (() => void)[] = []
/** Closes the page's current link to the till (both sides), as a dropped socket would. */
let dropLink: () => Promise<void> = async () => undefined

function hold(): void {
  holding = true
}

function release(): void {
  holding = false
  const frames = held
  held = []
  for (const send of frames) send()
}

const cart = (page: Page) => page.getByRole('grid', { name: 'Cart' })
const rows = (page: Page) => cart(page).locator('tbody tr')
const cells = (page: Page, row: number) => rows(page).nth(row).locator('td').allTextContents()
const total = (page: Page) => page.getByRole('status', { name: 'Sale total' })

function clearSale(): void {
  if (rig.app.sales.current()) rig.app.sales.voidSale('M1', 'test reset')
}

/** Waits until the till has the sale's `count`th line (the scan arrived and committed, its answer held). */
async function tillHasLines(count: number): Promise<void> {
  await expect.poll(() => rig.app.sales.current()?.lines.length ?? 0).toBe(count)
}

describe('a scan drawn before the till answers', () => {
  beforeAll(async () => {
    rig = await startBrowserRig()
    cashier = await rig.context.newPage()
    await cashier.routeWebSocket(/\/api\?/, (page) => {
      const till = page.connectToServer()
      dropLink = async () => {
        held = []
        await page.close({ code: 4000, reason: 'test: link dropped' })
        await till.close()
      }
      page.onMessage((message) => till.send(message))
      till.onMessage((message) => {
        if (holding) held.push(() => page.send(message))
        else page.send(message)
      })
    })
    await cashier.goto(rig.harness.urls.cashier)
    await cashier.locator('body[data-ready="true"]').waitFor()
    // The index loads after ready-to-scan: the demo store's 45 products sold by the unit (its 6 weighed ones are not in it).
    await cashier.locator('body[data-catalog-index="45"]').waitFor()
  })
  afterAll(async () => {
    release()
    await rig?.close()
  })

  it('shows the row, marked pending, while the answer is held; the answer turns the same <tr> into its line', async () => {
    clearSale()
    hold()
    await typeAt(cashier, `${COLA}\n`, 5)
    await tillHasLines(1)
    // The till has the line; the page has not heard a word from it, and already shows the row.
    await expect.poll(() => rows(cashier).count()).toBe(1)
    const row = (await rows(cashier).first().elementHandle()) as ElementHandle
    expect(await row.getAttribute('aria-busy')).toBe('true')
    expect(await cells(cashier, 0)).toEqual(['Cola 330 ml can', '1', '$0.99', '$0.99'])
    // Totals and pay keys wait for the till: nothing is due that the till has not said.
    expect(await total(cashier).textContent()).toBe('$0.00')
    expect(await cashier.getByRole('button', { name: 'Pay cash' }).isDisabled()).toBe(true)
    expect(held.length).toBeGreaterThan(0)
    release()
    await expect.poll(() => row.getAttribute('aria-busy')).toBe(null)
    // The same element, now the till's line (its id), selected as a scanned line is.
    expect(await row.evaluate((tr) => tr.isConnected)).toBe(true)
    expect(await row.getAttribute('data-line-id')).toBe(rig.app.sales.current()!.lines[0]!.id)
    expect(await row.getAttribute('aria-selected')).toBe('true')
    expect(await total(cashier).textContent()).toBe(`$${(rig.app.sales.current()!.totalMinor / 100).toFixed(2)}`)
    expect(await cashier.getByRole('button', { name: 'Pay cash' }).isEnabled()).toBe(true)
  })

  it('a repeat scan grows the last line at once (the till merges it), and the till confirms the quantity', async () => {
    clearSale()
    await typeAt(cashier, `${GREEN_TEA}\n`, 5)
    await expect.poll(() => rows(cashier).first().getAttribute('aria-busy')).toBe(null)
    const row = (await rows(cashier).first().elementHandle()) as ElementHandle
    hold()
    await typeAt(cashier, `${GREEN_TEA}\n`, 5)
    await expect.poll(() => rig.app.sales.current()!.lines[0]!.quantity).toBe(2)
    await expect.poll(() => cells(cashier, 0)).toEqual(['Green tea 500 ml', '2', '$1.89', '$3.78'])
    expect(await rows(cashier).count()).toBe(1)
    expect(await row.getAttribute('aria-busy')).toBe('true')
    release()
    await expect.poll(() => row.getAttribute('aria-busy')).toBe(null)
    expect(await row.evaluate((tr) => tr.isConnected)).toBe(true)
    expect(await cells(cashier, 0)).toEqual(['Green tea 500 ml', '2', '$1.89', '$3.78'])
    expect(rig.app.sales.current()!.lines).toHaveLength(1)
  })

  it('a scan the till refuses (the product gone since the index loaded) is taken back, with the till message', async () => {
    clearSale()
    await typeAt(cashier, `${GREEN_TEA}\n`, 5)
    await expect.poll(() => rows(cashier).first().getAttribute('aria-busy')).toBe(null)
    // Gone from the catalog without the page being told (the index still has it).
    rig.app.db.prepare("UPDATE products SET active = 0 WHERE id = 'P018'").run()
    try {
      hold()
      await typeAt(cashier, `${CROISSANT}\n`, 5)
      await expect.poll(() => rows(cashier).count()).toBe(2)
      expect(await rows(cashier).nth(1).getAttribute('aria-busy')).toBe('true')
      release()
      await expect(cashier.getByRole('alert').filter({ hasText: CROISSANT }).first().waitFor()).resolves.toBeUndefined()
      // Exactly what the till has: one line of green tea, and the total it says.
      await expect.poll(() => rows(cashier).count()).toBe(1)
      const till = rig.app.sales.current()!
      expect(till.lines.map((l) => [l.name, l.quantity])).toEqual([['Green tea 500 ml', 1]])
      expect(await cells(cashier, 0)).toEqual(['Green tea 500 ml', '1', '$1.89', '$1.89'])
      expect(await rows(cashier).first().getAttribute('aria-busy')).toBe(null)
      expect(await total(cashier).textContent()).toBe(`$${(till.totalMinor / 100).toFixed(2)}`)
      // The refusal made the page load its index again: the next scan of that code is not drawn ahead of the till.
      await expect.poll(() => cashier.locator('body').getAttribute('data-catalog-index')).toBe('44')
      hold()
      await typeAt(cashier, `${CROISSANT}\n`, 5)
      await expect.poll(() => held.length).toBeGreaterThan(0)
      expect(await rows(cashier).count()).toBe(1)
      release()
    } finally {
      release()
      rig.app.db.prepare("UPDATE products SET active = 1 WHERE id = 'P018'").run()
    }
  })

  it('a scan over the till\'s quantity limit is not drawn ahead: the row never shows a quantity the till refuses', async () => {
    clearSale()
    await typeAt(cashier, `${COLA}\n`, 5)
    await expect.poll(() => rows(cashier).first().getAttribute('aria-busy')).toBe(null)
    // 999 is the till's limit for a line (services/limits.ts), carried in the index: 1 + 999 would pass it.
    await cashier.locator('#quantity').fill('999')
    hold()
    await typeAt(cashier, `${COLA}\n`, 5)
    await expect.poll(() => held.length).toBeGreaterThan(0)
    // The till has refused it; the page has not heard, and shows the line as it was, not 1000 to take back.
    expect(await cells(cashier, 0)).toEqual(['Cola 330 ml can', '1', '$0.99', '$0.99'])
    expect(await rows(cashier).first().getAttribute('aria-busy')).toBe(null)
    release()
    await cashier.getByRole('alert').filter({ hasText: '999' }).first().waitFor()
    expect(await cells(cashier, 0)).toEqual(['Cola 330 ml can', '1', '$0.99', '$0.99'])
    expect(rig.app.sales.current()!.lines.map((l) => l.quantity)).toEqual([1])
    // Within the limit (1 + 998 = 999) the merge is drawn at once again.
    await cashier.locator('#quantity').fill('998')
    hold()
    await typeAt(cashier, `${COLA}\n`, 5)
    await expect.poll(() => cells(cashier, 0)).toEqual(['Cola 330 ml can', '999', '$0.99', '$989.01'])
    expect(await rows(cashier).first().getAttribute('aria-busy')).toBe('true')
    release()
    await expect.poll(() => rows(cashier).first().getAttribute('aria-busy')).toBe(null)
    expect(rig.app.sales.current()!.lines.map((l) => l.quantity)).toEqual([999])
  })

  it('an edit in the back office reaches the index (catalog:changed): the pending row shows the new price', async () => {
    clearSale()
    const before = await cashier.locator('body').getAttribute('data-catalog-version')
    const edited = await rig.app.registry.dispatch('backoffice', 'catalog:update-product', { pin: '1234', productId: 'P005', price: '1.09' })
    expect(edited.ok).toBe(true)
    try {
      await expect.poll(() => cashier.locator('body').getAttribute('data-catalog-version')).not.toBe(before)
      hold()
      await typeAt(cashier, `${COLA}\n`, 5)
      await expect.poll(() => rows(cashier).count()).toBe(1)
      expect(await rows(cashier).first().getAttribute('aria-busy')).toBe('true')
      expect(await cells(cashier, 0)).toEqual(['Cola 330 ml can', '1', '$1.09', '$1.09'])
      release()
      await expect.poll(() => rows(cashier).first().getAttribute('aria-busy')).toBe(null)
      expect(rig.app.sales.current()!.lines[0]!.unitPriceMinor).toBe(109)
    } finally {
      release()
      clearSale()
      await rig.app.registry.dispatch('backoffice', 'catalog:update-product', { pin: '1234', productId: 'P005', price: '0.99' })
    }
  })

  it('a product picked by name, or a counted product\'s PLU keyed in, is drawn at once like a scan', async () => {
    clearSale()
    const box = cashier.getByRole('textbox', { name: 'Barcode' })
    await box.fill('')
    await box.pressSequentially('crois', { delay: 40 })
    const hit = cashier.getByRole('group', { name: 'Look-up results' }).getByRole('button', { name: /Croissant/ })
    await hit.waitFor()
    hold()
    await hit.click()
    await tillHasLines(1)
    // The till has the line, the page has not heard: the row is there, pending, the look-up closed with it.
    await expect.poll(() => rows(cashier).count()).toBe(1)
    expect(await rows(cashier).first().getAttribute('aria-busy')).toBe('true')
    expect(await cells(cashier, 0)).toEqual(['Croissant', '1', '$1.89', '$1.89'])
    expect(await cashier.getByRole('group', { name: 'Look-up results' }).count()).toBe(0)
    release()
    await expect.poll(() => rows(cashier).first().getAttribute('aria-selected')).toBe('true')
    expect(await rows(cashier).first().getAttribute('data-line-id')).toBe(rig.app.sales.current()!.lines[0]!.id)
    // A PLU on a counted product (given one here, and the index told through a back-office edit).
    rig.app.db.prepare("UPDATE products SET plu = '54321' WHERE id = 'P005'").run()
    const before = await cashier.locator('body').getAttribute('data-catalog-version')
    expect((await rig.app.registry.dispatch('backoffice', 'catalog:update-product', { pin: '1234', productId: 'P005', price: '1.09' })).ok).toBe(true)
    try {
      await expect.poll(() => cashier.locator('body').getAttribute('data-catalog-version')).not.toBe(before)
      await box.fill('2*54321')
      hold()
      await box.press('Enter')
      await tillHasLines(2)
      await expect.poll(() => rows(cashier).count()).toBe(2)
      expect(await rows(cashier).nth(1).getAttribute('aria-busy')).toBe('true')
      expect(await cells(cashier, 1)).toEqual(['Cola 330 ml can', '2', '$1.09', '$2.18'])
      release()
      await expect.poll(() => rows(cashier).nth(1).getAttribute('aria-busy')).toBe(null)
      expect(rig.app.sales.current()!.lines.map((l) => [l.name, l.quantity, l.barcode])).toEqual([['Croissant', 1, 'P018'], ['Cola 330 ml can', 2, '54321']])
    } finally {
      release()
      rig.app.db.prepare("UPDATE products SET plu = NULL WHERE id = 'P005'").run()
      clearSale()
      await rig.app.registry.dispatch('backoffice', 'catalog:update-product', { pin: '1234', productId: 'P005', price: '0.99' })
    }
  })

  it('shows the name in the UI language from the index (zh-CN) while pending', async () => {
    clearSale()
    expect((await rig.app.registry.dispatch('cashier', 'settings:set-locale', { locale: 'zh-CN' })).ok).toBe(true)
    try {
      // The table keeps its role; its name is worded in zh-CN now, so it is found by its class.
      const zhRows = cashier.locator('table.cart tbody tr')
      await cashier.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' })
      hold()
      await typeAt(cashier, `${COLA}\n`, 5)
      await expect.poll(() => zhRows.count()).toBe(1)
      expect(await zhRows.first().getAttribute('aria-busy')).toBe('true')
      expect((await zhRows.first().locator('td').allTextContents())[0]).toBe('可乐 330毫升')
      release()
      await expect.poll(() => zhRows.first().getAttribute('aria-busy')).toBe(null)
      expect((await zhRows.first().locator('td').allTextContents())[0]).toBe('可乐 330毫升')
    } finally {
      release()
      await rig.app.registry.dispatch('cashier', 'settings:set-locale', { locale: 'en' })
      await cashier.locator('html[lang="en"]').waitFor({ state: 'attached' })
    }
  })

  it('a link dropped with a scan pending: the pending row goes, and after the reconnect the Cart is the sale the till has', async () => {
    clearSale()
    await typeAt(cashier, `${GREEN_TEA}\n`, 5)
    await expect.poll(() => rows(cashier).first().getAttribute('aria-busy')).toBe(null)
    hold()
    await typeAt(cashier, `${COLA}\n`, 5)
    await tillHasLines(2)
    await expect.poll(() => rows(cashier).count()).toBe(2)
    expect(await rows(cashier).nth(1).getAttribute('aria-busy')).toBe('true')
    // The till committed the scan; its answer is lost with the link.
    await dropLink()
    holding = false
    await cashier.getByRole('alert').filter({ hasText: 'not answering' }).first().waitFor()
    // Back on the link, the page fetched the whole sale: the till accepted the cola, so the row is there, confirmed.
    await expect.poll(() => cashier.locator('tbody tr[aria-busy]').count(), { timeout: 15_000 }).toBe(0)
    await expect.poll(() => rows(cashier).count(), { timeout: 15_000 }).toBe(2)
    expect(await cells(cashier, 1)).toEqual(['Cola 330 ml can', '1', '$0.99', '$0.99'])
    expect(await total(cashier).textContent()).toBe(`$${(rig.app.sales.current()!.totalMinor / 100).toFixed(2)}`)
  })

  it('draws nothing ahead of the till it cannot be sure of: a weighed label, an unknown code, a sale locked by a tender', async () => {
    clearSale()
    // The page has seen the void before the till's frames are held.
    await expect.poll(() => rows(cashier).count()).toBe(0)
    /** Holds the till's frames over one scan; the rows the page shows meanwhile, then the frames go. */
    const rowsWhileHeld = async (code: string, lines: number): Promise<number> => {
      hold()
      await typeAt(cashier, `${code}\n`, 5)
      await expect.poll(() => held.length).toBeGreaterThan(0)
      await tillHasLines(lines)
      const count = await rows(cashier).count()
      release()
      return count
    }
    // Loose apples, 755 g on a scale label (prefix 28): the weight is the label's, the row comes with the answer.
    expect(await rowsWhileHeld('2804011007557', 1)).toBe(0)
    await expect.poll(() => rows(cashier).count()).toBe(1)
    // A valid EAN-13 the catalog does not have.
    expect(await rowsWhileHeld('4006381333993', 1)).toBe(1)
    await cashier.getByRole('alert').filter({ hasText: '4006381333993' }).first().waitFor()
    // Part paid in cash: the lines are locked, the till will refuse the scan, so the page does not draw it.
    expect((await rig.app.registry.dispatch('cashier', 'sale:tender-cash', { receivedMinor: 50, confirmPartial: true })).ok).toBe(true)
    // The page has the tender (the lines are locked as far as it knows) before the till's frames are held again.
    await cashier.getByRole('list', { name: 'Tenders' }).waitFor()
    expect(await rowsWhileHeld(COLA, 1)).toBe(1)
    await expect.poll(() => cashier.getByRole('alert').count()).toBeGreaterThan(0)
    expect(await rows(cashier).count()).toBe(1)
    expect(await cashier.locator('tbody tr[aria-busy]').count()).toBe(0)
    // Voided with a manager's PIN, the cash handed back (as a manager would end it), so the next test starts clean.
    expect((await rig.app.registry.dispatch('cashier', 'sale:void', { pin: '1234' })).ok).toBe(true)
  })
})
