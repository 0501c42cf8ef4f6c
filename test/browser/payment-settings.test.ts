// The owner's payment settings in Chromium, against a real anvil chain started by the test as "the shop's chain":
// the receive address checked as typed, the RPC URL typed in and tested live, saved with the owner's PIN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { DEMO_OWNER_PIN } from '../../src/main/app'
import { MERCHANT, startTestChain, type TestChain } from '../fixtures/anvil'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { unnamedControls } from '../fixtures/a11y'

let chain: TestChain
let rig: BrowserRig
let page: Page

describe('payment settings in Chromium', () => {
  beforeAll(async () => {
    chain = await startTestChain()
    const token = await chain.deploy('TestUSDC6')
    const local = { chainId: 31337, symbol: 'USDC' as const, onChainSymbols: ['USDC'], address: await token.getAddress(), decimals: 6, bridged: false, source: 'test' }
    rig = await startBrowserRig({ payments: { localTokens: [local], startWatcher: false, settings: { receive: { kind: 'address', address: MERCHANT }, chains: [] } } })
    const latest = await chain.provider.getBlock('latest')
    rig.clock.set(latest!.timestamp * 1000 + 2_000)
    page = await rig.context.newPage()
    page.setDefaultTimeout(10_000)
    await page.goto(rig.harness.urls.backoffice)
    await page.locator('body[data-ready="true"]').waitFor()
  })
  afterAll(async () => {
    await rig?.close()
    await chain?.stop()
  })

  it('checks the address, tests the RPC URL live, then saves with the owner\'s PIN', async () => {
    const section = page.getByRole('region', { name: 'Payment settings' })
    await section.getByRole('textbox', { name: 'Receive address' }).fill(MERCHANT.toLowerCase())
    await section.getByRole('textbox', { name: 'Receive address' }).press('Tab')
    await expect.poll(() => section.getByRole('alert').textContent()).toContain(`with its capitals (${MERCHANT})`)
    await section.getByRole('textbox', { name: 'Receive address' }).fill(MERCHANT)
    await section.getByRole('textbox', { name: 'Receive address' }).press('Tab')
    await section.getByRole('status').filter({ hasText: 'is well formed' }).waitFor()
    // Nothing is saved yet: the form starts with no chain; the shop's chain is added from the registry's list.
    await section.getByRole('combobox', { name: 'Chain to add' }).selectOption('31337')
    await section.getByRole('button', { name: 'Add chain' }).click()
    const url = section.getByRole('textbox', { name: 'RPC URL 1 for Demo chain (local)' })
    await url.fill('http://127.0.0.1:1')
    await section.getByRole('button', { name: 'Test connection of RPC URL 1 for Demo chain (local)' }).click()
    const verdict = section.getByRole('status', { name: 'Test of RPC URL 1 for Demo chain (local)' })
    await expect.poll(() => verdict.textContent()).toMatch(/^Failed: .*did not answer/)
    // A failing URL is not saved, and no PIN is asked for it.
    await section.getByRole('button', { name: 'Save payment settings' }).click()
    await expect.poll(() => section.getByRole('alert').textContent()).toBe('RPC URL 1 for Demo chain (local) failed its test: fix it or remove it before saving.')
    expect(await page.getByRole('dialog', { name: 'Manager approval' }).count()).toBe(0)
    await url.fill(chain.rpcUrl)
    await section.getByRole('button', { name: 'Test connection of RPC URL 1 for Demo chain (local)' }).click()
    await expect.poll(() => verdict.textContent()).toMatch(/^Passed: chain id 31337 matches; block \d+ is \d+ s old; tokens verified: USDC 0x/)
    expect(await unnamedControls(page)).toEqual([])
    await section.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-payment-settings-en.png') })
    await section.getByRole('button', { name: 'Save payment settings' }).click()
    const dialog = page.getByRole('dialog', { name: 'Manager approval' })
    await dialog.getByLabel('Manager PIN').fill(DEMO_OWNER_PIN)
    await dialog.getByRole('button', { name: 'Approve' }).click()
    await section.getByRole('status').filter({ hasText: 'Saved and journaled' }).waitFor()
    const entry = rig.app.db.prepare("SELECT payload FROM journal WHERE kind = 'settings.payments-changed'").get() as { payload: string }
    expect(JSON.parse(entry.payload)).toMatchObject({ staffId: 'O1', receive: MERCHANT, chains: ['31337:USDC:1'] })
    await page.getByRole('button', { name: 'Language' }).click()
    await expect.poll(() => page.getByRole('region', { name: '支付设置' }).count()).toBe(1)
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-settings-zh-CN.png'), fullPage: true })
    await page.getByRole('button', { name: '语言' }).click()
  })
})
