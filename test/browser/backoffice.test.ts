import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { FakeHidBackend } from '../../src/main/devices/scanner/fake-hid-backend'
import { ScannerManager } from '../../src/main/devices/scanner/scanner-manager'
import { defaultPrinterSettings } from '../../src/main/services/receipts'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { unnamedControls } from '../fixtures/a11y'
import { closedPort } from '../fixtures/tcp-printer'

const COLA = '5901234123013'

let rig: BrowserRig
let backoffice: Page
let saleId: string

/**
 * The text of the receipt preview <img>: its data: URL decoded, then each SVG <text> line joined (receiptline puts
 * every character in its own <tspan>, with &#xa0; for spaces).
 */
async function previewText(page: Page): Promise<string> {
  const src = (await page.getByRole('img', { name: 'Receipt preview' }).getAttribute('src')) ?? ''
  const prefix = 'data:image/svg+xml;charset=utf-8,'
  if (!src.startsWith(prefix)) return ''
  const svg = decodeURIComponent(src.slice(prefix.length))
  expect(svg).toMatch(/^<svg[\s>]/)
  return [...svg.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)]
    .map((m) =>
      m[1]!
        .replace(/<[^>]+>/g, '')
        .replace(/&#xa0;/gi, ' ')
        .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&')
    )
    .join('\n')
}


function noSaleCount(): number {
  return (rig.app.db.prepare("SELECT count(*) AS n FROM journal WHERE kind = 'drawer.no-sale'").get() as { n: number }).n
}

function drawerJobs() {
  return rig.app.receipts.queue.list().filter((j) => j.kind === 'drawer' && j.saleId === null)
}

async function approveWith(pin: string): Promise<void> {
  await backoffice.getByRole('button', { name: 'No sale (open drawer)' }).click()
  const dialog = backoffice.getByRole('dialog', { name: 'Manager approval' })
  await dialog.waitFor()
  await dialog.getByRole('textbox', { name: 'Manager PIN' }).fill(pin)
  await dialog.getByRole('button', { name: 'Approve' }).click()
  await dialog.waitFor({ state: 'detached' })
}

describe('back office in Chromium', () => {
  beforeAll(async () => {
    rig = await startBrowserRig()
    rig.app.sales.scan(COLA, 'wedge')
    rig.app.sales.tenderCash(500)
    saleId = rig.app.sales.complete().id
    await vi.waitFor(() => expect(rig.app.receipts.queue.pending()).toHaveLength(0))
    backoffice = await rig.context.newPage()
    await backoffice.goto(rig.harness.urls.backoffice)
    await backoffice.locator('body[data-ready="true"]').waitFor()
  })
  afterAll(async () => {
    await rig?.close()
  })

  it('shows the newest receipt as the printer rendered it', async () => {
    const preview = backoffice.getByRole('img', { name: 'Receipt preview' })
    await preview.waitFor({ state: 'visible' })
    expect(await preview.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBeGreaterThan(0)
    const text = await previewText(backoffice)
    expect(text).toContain('Stabletill Demo Store')
    expect(text).toContain('1.07')
    expect(text).not.toContain('COPY')
    await expect.poll(() => backoffice.getByRole('table', { name: 'Print jobs' }).getByRole('row').count()).toBe(3) // header + receipt + drawer
    await expect.poll(() => backoffice.getByRole('table', { name: 'Sales' }).getByRole('row').count()).toBe(2)
    await backoffice.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice.png'), fullPage: true })
    expect(await unnamedControls(backoffice)).toEqual([])
  })

  it('reprints the last receipt as a COPY and previews the copy', async () => {
    await backoffice.getByRole('button', { name: 'Reprint last receipt' }).click()
    await expect.poll(() => rig.app.receipts.queue.list().filter((j) => j.copy).length).toBe(1)
    const copy = rig.app.receipts.queue.list().find((j) => j.copy)!
    expect(copy).toMatchObject({ kind: 'reprint', saleId })
    await expect.poll(() => previewText(backoffice)).toContain('COPY')
    expect(await previewText(backoffice)).toContain('1.07')
    await expect.poll(() => backoffice.getByRole('status').filter({ hasText: 'marked COPY' }).count()).toBe(1)
  })

  it('No sale with a wrong PIN is refused and opens nothing', async () => {
    await approveWith('9999')
    const drawer = backoffice.getByRole('region', { name: 'Cash drawer' })
    await expect.poll(() => drawer.getByRole('alert').textContent()).toMatch(/Wrong manager PIN/)
    expect(drawerJobs()).toHaveLength(0)
    expect(noSaleCount()).toBe(0)
  })

  it('No sale with the manager PIN queues a drawer kick and is journaled', async () => {
    await approveWith('1234')
    const drawer = backoffice.getByRole('region', { name: 'Cash drawer' })
    await expect.poll(() => drawer.getByRole('status').textContent()).toMatch(/No sale approved/)
    expect(await drawer.getByRole('alert').count()).toBe(0)
    expect(drawerJobs()).toHaveLength(1)
    expect(noSaleCount()).toBe(1)
  })

  it('verifies the journal', async () => {
    await backoffice.getByRole('button', { name: 'Verify journal' }).click()
    await expect.poll(() => backoffice.getByRole('status').filter({ hasText: 'Journal intact' }).count()).toBe(1)
  })

  it('says plainly when there are no HID scanners', async () => {
    const scanners = backoffice.getByRole('region', { name: 'HID scanners' })
    expect(await scanners.getByRole('paragraph').filter({ hasText: 'No HID scanners found. Keyboard-wedge scanners work without setup.' }).isVisible()).toBe(true)
    expect(await scanners.getByRole('table').count()).toBe(0)
  })

  it('switches to Simplified Chinese and back', async () => {
    await backoffice.getByRole('button', { name: 'Language' }).click()
    await expect.poll(() => backoffice.getByRole('img', { name: '小票预览' }).count()).toBe(1)
    await backoffice.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-zh.png'), fullPage: true })
    await backoffice.getByRole('button', { name: '语言' }).click()
    await expect.poll(() => backoffice.getByRole('button', { name: 'Reprint last receipt' }).count()).toBe(1)
  })

  it('a printer that is off shows its error as an alert, and Retry prints the waiting job once it is back', async () => {
    rig.app.receipts.save({ ...defaultPrinterSettings, transport: { kind: 'tcp', host: '127.0.0.1', port: await closedPort() } })
    await backoffice.getByRole('button', { name: 'Reprint last receipt' }).click()
    const printer = backoffice.getByRole('region', { name: 'Receipt printer' })
    await expect.poll(() => printer.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/Last error: .*(refused|unreachable|connect)/i)
    const waiting = rig.app.receipts.queue.pending()
    expect(waiting).toHaveLength(1)
    const retry = printer.getByRole('button', { name: `Retry job ${waiting[0]!.id}` })
    expect(await retry.isVisible()).toBe(true)
    await backoffice.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-printer-error.png'), fullPage: true })

    rig.app.receipts.save(defaultPrinterSettings)
    await retry.click()
    await expect.poll(() => rig.app.receipts.queue.pending().length).toBe(0)
    await expect.poll(() => printer.getByRole('alert').count()).toBe(0)
    expect(await printer.getByRole('button', { name: /^Retry job/ }).count()).toBe(0)
  })
  it('store settings change with a manager PIN; the currency stays while the catalog holds prices', async () => {
    const store = backoffice.getByRole('region', { name: 'Store settings' })
    const approve = async () => {
      const dialog = backoffice.getByRole('dialog', { name: 'Manager approval' })
      await dialog.getByLabel('Manager PIN').fill('1234')
      await dialog.getByRole('button', { name: 'Approve' }).click()
      await dialog.waitFor({ state: 'detached' })
    }
    // Catalog prices are minor units of the store currency: relabelling them would make every price wrong.
    await store.getByLabel('Currency (ISO 4217)').fill('JPY')
    await store.getByRole('button', { name: 'Save store settings' }).click()
    await approve()
    await expect.poll(() => store.getByRole('alert').textContent()).toMatch(/The currency stays USD: the catalog holds \d+ prices in USD.*Import a catalog priced in JPY first/)
    expect(rig.app.store.info().currency).toBe('USD')

    await store.getByLabel('Store name').fill('Kiosk am Markt')
    await store.getByLabel('Currency (ISO 4217)').fill('USD')
    await store.getByLabel('Prices include tax').check()
    await store.getByRole('button', { name: 'Save store settings' }).click()
    await approve()
    await expect.poll(() => rig.app.store.info()).toMatchObject({ storeName: 'Kiosk am Markt', currency: 'USD', taxMode: 'inclusive' })
    await expect.poll(() => backoffice.getByRole('heading', { level: 1 }).textContent()).toContain('Kiosk am Markt')
    await expect.poll(() => backoffice.getByRole('table', { name: 'Sales' }).textContent()).toContain('$1.07')

    const rate = backoffice.getByRole('region', { name: 'Exchange rate' })
    await rate.getByLabel('Rate (USD per token)').fill('0.998')
    await rate.getByRole('button', { name: 'Save rate' }).click()
    await backoffice.getByRole('dialog', { name: 'Manager approval' }).getByLabel('Manager PIN').fill('1234')
    await backoffice.keyboard.press('Enter')
    await expect.poll(() => rate.getByRole('alert').textContent()).toMatch(/No blockchain is set up/)
    await backoffice.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-settings.png'), fullPage: true })
  })
})

describe('back office with a HID scanner plugged in', () => {
  const SCANNER = { vendorId: 0x0c2e, productId: 0x0b81, path: '/dev/hidraw3', product: 'Xenon 1950g', manufacturer: 'Honeywell', usagePage: 0x8c, usage: 0x02 }
  let scannerRig: BrowserRig
  let manager: ScannerManager
  let page: Page

  beforeAll(async () => {
    // The fake node-hid backend is the narrowest seam for a scanner that cannot exist here (STYLE.md §11).
    manager = new ScannerManager({ backend: new FakeHidBackend([SCANNER]), pollIntervalMs: 60_000 })
    scannerRig = await startBrowserRig({ scanners: manager })
    manager.start()
    page = await scannerRig.context.newPage()
    await page.goto(scannerRig.harness.urls.backoffice)
    await page.locator('body[data-ready="true"]').waitFor()
  })
  afterAll(async () => {
    manager?.stop()
    await scannerRig?.close()
  })

  it('lists the scanner, saves the selection and shows it connected', async () => {
    const table = page.getByRole('table', { name: 'HID scanners' })
    await expect.poll(() => table.getByRole('row').count()).toBe(2)
    const row = table.getByRole('row').nth(1)
    for (const text of ['Xenon 1950g', 'Honeywell', '0c2e:0b81', 'HID POS']) expect(await row.textContent()).toContain(text)
    const use = page.getByRole('checkbox', { name: 'Use Xenon 1950g' })
    expect(await use.isChecked()).toBe(false)
    await use.press('Space') // keyboard only: focus and Space, as a manager without a mouse would
    await page.getByRole('button', { name: 'Save scanner selection' }).click()
    await expect.poll(() => page.getByRole('region', { name: 'HID scanners' }).getByRole('status').textContent()).toMatch(/1 in use/)
    expect(await use.isChecked()).toBe(true)
    await expect.poll(() => row.getByRole('cell').nth(4).textContent()).toBe('Yes')
    expect(scannerRig.app.db.prepare("SELECT value FROM settings WHERE key = 'scanners'").get()).toEqual({ value: expect.stringContaining('"vendorId":3118') })
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-scanners.png'), fullPage: true })
  })
})
