// The back office's navigation and its newer sections: Payments (chain health, unattributed transfers), Day close
// before any day, the placeholders that say what they are coming with, the scanner test field that shows measured key timing, and the
// slow-gap setting that reaches the cashier's wedge detector.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { typeAt } from '../fixtures/keyboard'
import { unnamedControls } from '../fixtures/a11y'

let rig: BrowserRig
let page: Page

describe('back office sections in Chromium', () => {
  beforeAll(async () => {
    rig = await startBrowserRig()
    page = await rig.context.newPage()
    await page.goto(rig.harness.urls.backoffice)
    await page.locator('body[data-ready="true"]').waitFor()
  })
  afterAll(async () => {
    await rig?.close()
  })

  it('navigation names every section, and none shows made-up figures before any day', async () => {
    const nav = page.getByRole('navigation', { name: 'Back office' })
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Today', 'Sales', 'Payments', 'Day close', 'Exports', 'Catalog', 'Staff', 'Settings', 'Devices', 'Returns'])
    await nav.getByRole('link', { name: 'Day close' }).click()
    const dayClose = page.getByRole('region', { name: 'Day close' })
    // The demo store opens its day with its first sale; before that there is nothing to show but the opening.
    expect(await dayClose.getByRole('status', { name: 'Day state' }).textContent()).toMatch(/The day is closed/)
    expect(await dayClose.getByRole('table').count()).toBe(0) // no made-up figures
    expect(await page.getByRole('region', { name: 'Catalog' }).textContent()).toMatch(/Columns: sku, name/) // the CSV import's own help
    const payments = page.getByRole('region', { name: 'Payments' })
    expect(await payments.textContent()).toContain('No blockchain is set up for stablecoin payments on this till.')
    expect(await payments.textContent()).toContain('No transfer is waiting to be matched.')
    expect(await page.getByRole('region', { name: 'Returns' }).textContent()).toContain('No returns today.')
    expect(await unnamedControls(page)).toEqual([])
  })

  it('Payments lists each chain\'s health as the watcher reports it', async () => {
    rig.app.events.emit('chain:health-changed', [
      { chainId: 8453, chainName: 'Base', status: 'down', head: 100, headBlockTime: Date.now() - 60_000, lastSuccessAt: Date.now() - 60_000, since: new Date(2026, 10, 24, 12, 3).getTime(), endpoint: 'https://mainnet.base.org', lastError: 'timeout', endpoints: [] }
    ])
    const list = page.getByRole('region', { name: 'Payments' }).getByRole('list', { name: 'Network health' })
    await expect.poll(() => list.textContent()).toMatch(/Base: down since 12:03/)
  })

  it('the scanner test field shows the key timing it measured and whether it would count as a scan', async () => {
    await page.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'Devices' }).click()
    const field = page.getByRole('textbox', { name: 'Scan here to test' })
    await field.focus()
    await typeAt(page, '5901234123013\n', 5)
    const result = page.getByRole('status', { name: 'Scanner test result' })
    await expect.poll(() => result.textContent()).toMatch(/^Counts as a scan: 5901234123013 \(13 keys, longest gap 5(\.\d)? ms, median 5(\.\d)? ms\)/)
    await field.focus()
    await typeAt(page, '590123\n', 70)
    await expect.poll(() => result.textContent()).toMatch(/^Would be typing, not a scan: 590123 \(6 keys, longest gap (69\.\d|70(\.\d)?) ms/)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-scanner-test.png'), fullPage: true })
  })

  it('the slow-gap setting is saved with a PIN and reaches the cashier: one 80 ms gap in a scan is tolerated', async () => {
    const store = page.getByRole('region', { name: 'Store settings' })
    await store.getByLabel('Scanner: one slow key gap allowed (ms)').fill('0')
    await store.getByRole('button', { name: 'Save store settings' }).click()
    const dialog = page.getByRole('dialog', { name: 'Manager approval' })
    await dialog.getByLabel('Manager PIN').fill('1234')
    await dialog.getByRole('button', { name: 'Approve' }).click()
    await expect.poll(() => rig.app.store.info().wedge.slowGapMs).toBe(0)

    const cashier = await rig.context.newPage()
    await cashier.goto(rig.harness.urls.cashier)
    await cashier.locator('body[data-ready="true"]').waitFor()
    // 5901234 fast, an 80 ms pause, then 123013: with no allowance the pause splits it and only the tail is read.
    const cdpScan = async () => {
      const cdp = await cashier.context().newCDPSession(cashier)
      let at = Date.now() / 1000
      for (const [i, ch] of [...'5901234123013\n'].entries()) {
        const enter = ch === '\n'
        const key = { key: enter ? 'Enter' : ch, code: enter ? 'Enter' : `Digit${ch}`, text: enter ? '\r' : ch, windowsVirtualKeyCode: enter ? 13 : ch.charCodeAt(0) }
        await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...key, timestamp: at })
        await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: key.key, code: key.code, windowsVirtualKeyCode: key.windowsVirtualKeyCode, timestamp: at + 0.001 })
        at += (i === 6 ? 80 : 5) / 1000
      }
      await cdp.detach()
    }
    await cdpScan()
    await expect.poll(() => cashier.getByRole('alert').textContent()).toMatch(/123013/)
    expect(rig.app.sales.current()).toBeNull()

    await store.getByLabel('Scanner: one slow key gap allowed (ms)').fill('100')
    await store.getByRole('button', { name: 'Save store settings' }).click()
    await dialog.getByLabel('Manager PIN').fill('1234')
    await dialog.getByRole('button', { name: 'Approve' }).click()
    await expect.poll(() => rig.app.store.info().wedge.slowGapMs).toBe(100)
    await cdpScan()
    await expect.poll(() => rig.app.sales.current()?.lines.map((l) => l.barcode)).toEqual(['5901234123013'])
    await expect.poll(() => cashier.getByRole('status', { name: 'Scan feedback' }).textContent()).toBe('Scan received')
    await cashier.close()
  })
})
