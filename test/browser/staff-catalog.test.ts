// Staff and the catalog in Chromium through the harness: the cashier locks the till and signs in again by PIN, the
// owner adds a cashier in the back office, a manager changes their PIN, and a CSV import shows its bad rows before
// anything is saved. Screenshots in en and zh-CN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { DEMO_OWNER_PIN } from '../../src/main/app'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { unnamedControls } from '../fixtures/a11y'

let rig: BrowserRig
let cashier: Page
let bo: Page

async function approve(page: Page, pin: string, newPin?: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Manager approval' })
  if (newPin !== undefined) await dialog.getByRole('textbox', { name: 'New PIN' }).fill(newPin)
  await dialog.getByLabel('Manager PIN').fill(pin)
  await dialog.getByRole('button', { name: 'Approve' }).click()
}

describe('staff and catalog in Chromium', () => {
  beforeAll(async () => {
    rig = await startBrowserRig()
    cashier = await rig.context.newPage()
    await cashier.goto(rig.harness.urls.cashier)
    await cashier.locator('body[data-ready="true"]').waitFor()
    cashier.setDefaultTimeout(8000)
    bo = await rig.context.newPage()
    await bo.goto(rig.harness.urls.backoffice)
    await bo.locator('body[data-ready="true"]').waitFor()
  })
  afterAll(async () => {
    await rig?.close()
  })

  it('Lock locks the till; Sign in with a PIN opens it in that person\'s name', async () => {
    await expect.poll(() => cashier.getByRole('status', { name: 'Sign in' }).textContent()).toBe('Cashier 1 (cashier)')
    await cashier.getByRole('button', { name: 'Lock' }).click()
    await expect.poll(() => cashier.getByRole('textbox', { name: 'Barcode' }).count()).toBe(0)
    await cashier.getByRole('region', { name: 'Sign in' }).getByRole('button', { name: 'Sign in' }).click()
    const dialog = cashier.getByRole('dialog', { name: 'Sign in' })
    await dialog.getByRole('textbox', { name: 'PIN' }).fill('0000')
    await dialog.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => cashier.getByRole('alert').last().textContent()).toMatch(/Wrong manager PIN|not approved/)
    await dialog.getByRole('textbox', { name: 'PIN' }).fill('1234')
    await dialog.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => cashier.getByRole('status', { name: 'Sign in' }).textContent()).toBe('Manager (manager)')
    await cashier.getByRole('textbox', { name: 'Barcode' }).fill('5901234123013')
    await cashier.getByRole('textbox', { name: 'Barcode' }).press('Enter')
    await expect.poll(() => cashier.getByRole('grid', { name: 'Cart' }).textContent()).toContain('Cola')
    expect(rig.app.db.prepare("SELECT cashier, staff_id FROM sales WHERE status = 'open'").get()).toEqual({ cashier: 'Manager', staff_id: 'M1' })
    await cashier.screenshot({ path: join(SCREENSHOT_DIR, 'cashier-signed-in.png') })
  })

  it('the owner adds a cashier in Staff; a manager changes their own PIN', async () => {
    await bo.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'Staff' }).click()
    const staff = bo.getByRole('region', { name: 'Staff' })
    await staff.getByRole('textbox', { name: 'Name' }).fill('Chen Wei')
    await staff.getByLabel('New PIN').first().fill('4711')
    await staff.getByRole('button', { name: 'Add staff' }).click()
    await approve(bo, '1234')
    await expect.poll(() => staff.getByRole('alert').textContent()).toMatch(/Manager may not do that/)
    await staff.getByRole('button', { name: 'Add staff' }).click()
    await approve(bo, DEMO_OWNER_PIN)
    await expect.poll(() => staff.getByRole('table', { name: 'Staff list' }).textContent()).toContain('Chen Wei')
    await staff.getByLabel('Current PIN').fill('1234')
    await staff.locator('#bo-own-new').fill('1357')
    await staff.getByRole('button', { name: 'Change my PIN' }).click()
    await expect.poll(() => staff.getByRole('alert').textContent()).toMatch(/manager PIN is 6 to 8 digits/)
    await staff.locator('#bo-own-new').fill('135790')
    await staff.getByRole('button', { name: 'Change my PIN' }).click()
    await expect.poll(() => staff.getByRole('status').last().textContent()).toMatch(/Your PIN is changed/)
    expect(await unnamedControls(bo)).toEqual([])
    await staff.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-staff-en.png') })
  })

  it('a CSV preview lists every bad row before anything is saved; the good rows import with a PIN', async () => {
    const file = join(rig.dataDir, 'catalog.csv')
    writeFileSync(file, ['sku,name,price,tax_rate', 'NEW-1,Oat milk,2.49,food', 'NEW-2,Rye bread,2.999,food', 'NEW-3,Candles,1.00,luxury'].join('\n'))
    await bo.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'Catalog' }).click()
    const catalog = bo.getByRole('region', { name: 'Catalog' })
    await catalog.getByLabel('Catalog CSV file').setInputFiles(file)
    await catalog.getByRole('button', { name: 'Preview import' }).click()
    const bad = catalog.getByRole('table', { name: 'Rows that are not right' })
    await expect.poll(() => bad.getByRole('row').count()).toBe(3)
    expect(await bad.textContent()).toContain('Price "2.999" is not an amount in USD (such as 1.99).')
    expect(await bad.textContent()).toContain('Tax rate "luxury" is not one of the store\'s rates')
    expect(rig.app.db.prepare("SELECT count(*) AS n FROM products WHERE id LIKE 'NEW-%'").get()).toEqual({ n: 0 })
    await catalog.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-catalog-preview-en.png') })
    await catalog.getByRole('button', { name: 'Import the good rows only' }).click()
    await approve(bo, '135790')
    await expect.poll(() => catalog.getByRole('status').first().textContent()).toMatch(/1 products imported/)
    await catalog.getByRole('textbox', { name: 'Find a product' }).fill('NEW-1')
    await catalog.getByRole('textbox', { name: 'Find a product' }).press('Enter')
    await catalog.getByRole('textbox', { name: 'Price' }).fill('2.59')
    await catalog.getByRole('button', { name: 'Save product' }).click()
    await approve(bo, '135790')
    await expect.poll(() => catalog.getByRole('status').last().textContent()).toMatch(/Oat milk saved/)
    const entry = rig.app.db.prepare("SELECT payload FROM journal WHERE kind = 'catalog.price-changed'").get() as { payload: string }
    expect(JSON.parse(entry.payload)).toMatchObject({ productId: 'NEW-1', fromPriceMinor: 249, toPriceMinor: 259, staffId: 'M1' })
  })

  it('in Chinese', async () => {
    await bo.getByRole('button', { name: 'Language' }).click()
    await expect.poll(() => bo.getByRole('navigation').first().textContent()).toContain('员工')
    // Whole page: the sticky navigation would cover part of a section's own screenshot.
    await bo.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-staff-catalog-zh-CN.png'), fullPage: true })
    await bo.getByRole('button', { name: '语言' }).click()
    await expect.poll(() => bo.getByRole('navigation').first().textContent()).toContain('Staff')
  })
})
