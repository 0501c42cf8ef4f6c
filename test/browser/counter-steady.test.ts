// The counter holds still while it is scanned into: the "Scan received" flash never pushes the Cart down (it once
// took a row of its own and every scan moved the table by a line, and back 600 ms later), and a scan selects the
// new row on its first paint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { typeAt } from '../fixtures/keyboard'

const COLA = '5901234123013'
const GREEN_TEA = '6901234567014'

let rig: BrowserRig
let cashier: Page

describe('the counter holds still while scanned into', () => {
  beforeAll(async () => {
    rig = await startBrowserRig()
    cashier = await rig.context.newPage()
    await cashier.setViewportSize({ width: 1280, height: 800 })
    await cashier.goto(rig.harness.urls.cashier)
    await cashier.locator('body[data-ready="true"]').waitFor()
  })
  afterAll(async () => {
    await rig?.close()
  })

  it('the Cart and its first row stay put while "Scan received" shows, and the new row is the selected one', async () => {
    const cart = cashier.getByRole('grid', { name: 'Cart' })
    const flash = cashier.getByRole('status', { name: 'Scan feedback' })
    // Empty, the flash is hidden (display: none) and so not in the accessibility tree: seen by its element then.
    const flashBox = cashier.locator('.scan-flash')
    await cashier.getByRole('textbox', { name: 'Barcode' }).focus()
    await typeAt(cashier, `${COLA}\n`, 5)
    await expect.poll(() => cart.locator('tbody tr').count()).toBe(1)
    // Once the first flash is over, note where things are, then scan again and look while the flash shows.
    await expect.poll(() => flashBox.textContent(), { timeout: 5_000 }).toBe('')
    const before = { cart: (await cart.boundingBox())!.y, row: (await cart.locator('tbody tr').first().boundingBox())!.y }
    await typeAt(cashier, `${GREEN_TEA}\n`, 5)
    await expect.poll(() => flash.textContent()).toBe('Scan received')
    const during = { cart: (await cart.boundingBox())!.y, row: (await cart.locator('tbody tr').first().boundingBox())!.y }
    expect(during).toEqual(before)
    const rows = cart.locator('tbody tr')
    expect(await rows.count()).toBe(2)
    expect(await rows.nth(1).getAttribute('aria-selected')).toBe('true')
    expect(await rows.nth(0).getAttribute('aria-selected')).toBe('false')
  })
})
