import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { typeAt } from '../fixtures/keyboard'
import { unnamedControls } from '../fixtures/a11y'

// Real EAN-13 codes from the demo catalog (resources/demo-catalog.json).
const COLA = '5901234123013'
const GREEN_TEA = '6901234567014'
const CROISSANT = '3761234500021'

let rig: BrowserRig
let cashier: Page

async function openCashier(): Promise<Page> {
  const page = await rig.context.newPage()
  await page.goto(rig.harness.urls.cashier)
  await page.locator('body[data-ready="true"]').waitFor()
  return page
}

function cartRows(page: Page) {
  return page.getByRole('grid', { name: 'Cart' }).locator('tbody tr')
}

describe('cashier window in Chromium', () => {
  beforeAll(async () => {
    rig = await startBrowserRig()
    cashier = await openCashier()
  })
  afterAll(async () => {
    await rig?.close()
  })

  it('a wedge burst of three barcodes at 5 ms/key adds three lines, without focusing the Barcode box', async () => {
    await cashier.locator('body').click({ position: { x: 5, y: 780 } })
    for (const code of [COLA, GREEN_TEA, CROISSANT]) await typeAt(cashier, `${code}\n`, 5)
    await expect.poll(() => cartRows(cashier).count()).toBe(3)
    await expect.poll(() => cashier.getByRole('status', { name: 'Sale total' }).textContent()).toContain('$')
    expect(await cashier.getByRole('textbox', { name: 'Barcode' }).inputValue()).toBe('')
  })

  it('the same characters typed at 120 ms/key do not trigger a scan', async () => {
    const before = await cartRows(cashier).count()
    await cashier.locator('body').click({ position: { x: 5, y: 780 } })
    await typeAt(cashier, `${COLA}\n`, 120)
    await cashier.waitForTimeout(300)
    expect(await cartRows(cashier).count()).toBe(before)
  })

  it('an unknown barcode typed by hand gets a clear alert and changes nothing', async () => {
    const before = await cartRows(cashier).count()
    const box = cashier.getByRole('textbox', { name: 'Barcode' })
    await box.fill('4006381333932')
    await box.press('Enter')
    await expect.poll(() => cashier.getByRole('alert').textContent()).toMatch(/check digit/i)
    await box.fill('4006381333931')
    await box.press('Enter')
    await expect.poll(() => cashier.getByRole('alert').textContent()).toMatch(/Unknown barcode 4006381333931/)
    expect(await cartRows(cashier).count()).toBe(before)
  })

  it('the customer display mirrors the cart and total', async () => {
    const display = await rig.context.newPage()
    await display.goto(rig.harness.urls.display)
    await display.locator('body[data-ready="true"]').waitFor()
    const total = await cashier.getByRole('status', { name: 'Sale total' }).textContent()
    await expect.poll(() => display.getByRole('status', { name: 'Sale total' }).textContent()).toBe(total)
    await expect.poll(() => display.getByRole('listitem').count()).toBe(3)
    await cashier.screenshot({ path: join(SCREENSHOT_DIR, 'cashier.png') })
    await display.screenshot({ path: join(SCREENSHOT_DIR, 'customer-display.png') })
    // Every control on both windows has an accessible name.
    expect(await unnamedControls(cashier)).toEqual([])
    expect(await unnamedControls(display)).toEqual([])
    // A change at the counter reaches the display without a reload.
    await cashier.getByRole('button', { name: 'Void line' }).click()
    await expect.poll(() => display.getByRole('listitem').count()).toBe(2)
    await display.close()
  })

  it('a cash sale completes with change due and is found in the ledger', async () => {
    const sale = rig.app.sales.current()!
    expect(sale.lines.filter((l) => !l.voided)).toHaveLength(2)
    await cashier.getByRole('button', { name: 'Pay cash' }).click()
    const cash = cashier.getByRole('textbox', { name: 'Cash received' })
    await expect.poll(() => cash.evaluate((el: { matches(selector: string): boolean }) => el.matches(':focus'))).toBe(true)
    await cash.fill('20')
    await cash.press('Enter')
    await expect.poll(() => cashier.getByRole('status').filter({ hasText: 'completed' }).textContent()).toMatch(/Sale 1 completed\. Change due: \$/)
    const stored = rig.app.sales.get(sale.id)
    expect(stored.status).toBe('completed')
    expect(stored.paidMinor).toBe(stored.totalMinor)
    expect(stored.changeMinor).toBe(2000 - stored.totalMinor)
    expect(await cartRows(cashier).count()).toBe(0)
    const row = rig.app.db.prepare('SELECT status, total_minor, journal_hash FROM sales WHERE id = ?').get(sale.id) as { status: string; total_minor: number; journal_hash: string }
    expect(row).toMatchObject({ status: 'completed', total_minor: stored.totalMinor })
    expect(row.journal_hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('switches to Simplified Chinese and back', async () => {
    await cashier.getByRole('button', { name: 'Language' }).click()
    await expect.poll(() => cashier.getByRole('button', { name: '现金支付' }).count()).toBe(1)
    await cashier.screenshot({ path: join(SCREENSHOT_DIR, 'cashier-zh.png') })
    await cashier.getByRole('button', { name: '语言' }).click()
    await expect.poll(() => cashier.getByRole('button', { name: 'Pay cash' }).count()).toBe(1)
  })

  it('voiding the whole sale takes a manager PIN in the Manager approval dialog', async () => {
    await typeAt(cashier, `${COLA}\n`, 5)
    await expect.poll(() => cartRows(cashier).count()).toBe(1)
    const number = rig.app.sales.current()!.number
    await cashier.getByRole('button', { name: 'Void sale' }).click()
    const dialog = cashier.getByRole('dialog', { name: 'Manager approval' })
    await dialog.getByLabel('Manager PIN').fill('0000')
    await dialog.getByRole('button', { name: 'Approve' }).click()
    await expect.poll(() => cashier.getByRole('alert').textContent()).toMatch(/Wrong manager PIN/)
    expect(await cartRows(cashier).count()).toBe(1)
    await cashier.getByRole('button', { name: 'Void sale' }).click()
    await cashier.getByRole('dialog', { name: 'Manager approval' }).getByLabel('Manager PIN').fill('1234')
    await cashier.keyboard.press('Enter')
    await expect.poll(() => cartRows(cashier).count()).toBe(0)
    await expect.poll(() => cashier.getByRole('status').filter({ hasText: 'voided' }).textContent()).toBe(`Sale ${number} voided.`)
    expect(rig.app.sales.list(1)[0]).toMatchObject({ number, status: 'voided' })
  })

  it('a line discount goes through the Manager approval dialog and shows on the line and the total', async () => {
    await typeAt(cashier, `${CROISSANT}\n`, 5) // 1.89 + 2.25 % tax
    await expect.poll(() => cartRows(cashier).count()).toBe(1)
    await cashier.getByRole('button', { name: 'Discount line' }).click()
    const dialog = cashier.getByRole('dialog', { name: 'Manager approval' })
    await dialog.getByLabel('Discount %').fill('50')
    await dialog.getByLabel('Manager PIN').fill('1234')
    await dialog.getByRole('button', { name: 'Approve' }).click()
    // 50 % of 1.89 = 0.945 -> 0.95 off; 0.94 left, tax 2.25 % = 0.02115 -> 0.02; total 0.96
    await expect.poll(() => cartRows(cashier).first().textContent()).toContain('(−50%)')
    await expect.poll(() => cashier.getByRole('status', { name: 'Sale total' }).textContent()).toBe('$0.96')
    expect(rig.app.sales.current()!.lines[0]).toMatchObject({ discountMinor: 95, discountPpm: 500_000 })
  })
})
