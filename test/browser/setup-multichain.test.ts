// The first-run set-up with stablecoins on TWO chains, in Chromium (issue [S] point 1): two real anvils started by
// the test are Base and Arbitrum One as the pinned registry knows them (test/fixtures/registry-chain.ts: their chain
// ids, the registry's token contracts at the pinned addresses), so the till runs on the registry alone, with no
// runtime tokens. Base gets two RPC URLs of which one is dead: its verdict is shown beside it and the step refuses
// it until it is removed; on Arbitrum USDC is unticked and USDT ticked, and two URLs are reordered. After Finish the
// ledger holds exactly what was typed, the cashier offers exactly the chain/token pairs enabled, and a wallet pays a
// sale on the second chain. Then the back office changes a URL and adds a third chain, with the owner's PIN,
// journaled. A cashier and a display page opened during the set-up switch to the store by themselves (point 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { createApp, type App } from '../../src/main/app'
import { startHarness, type Harness } from '../../src/main/harness/server'
import { claimDataFolder, type DataFolderClaim } from '../../src/main/ledger/lock'
import { needsSetup, startSetupHost, type TillHost } from '../../src/main/services/setup-host'
import { systemClock } from '../../src/shared/clock'
import { parsePaymentUri } from '../../src/shared/payment/eip681'
import { paymentSettingsSchema } from '../../src/shared/payment/settings'
import { findToken } from '../../src/shared/payment/tokens'
import { CHROMIUM, RENDERER_DIR, ROOT, SCREENSHOT_DIR } from '../fixtures/browser'
import { unnamedControls } from '../fixtures/a11y'
import { MERCHANT } from '../fixtures/anvil'
import { startRegistryChain, type RegistryChain } from '../fixtures/registry-chain'
import { typeAt } from '../fixtures/keyboard'
import { alertText, savedPaymentsIn } from '../fixtures/setup-ui'

const OWNER_PIN = '864200'
const MANAGER_PIN = '135790'
const CASHIER_PIN = '4711'
const DEAD_URL = 'http://127.0.0.1:1'

let base: RegistryChain
let arbitrum: RegistryChain
let optimism: RegistryChain
let dataDir: string
let folder: DataFolderClaim
let host: TillHost
let harness: Harness
let browser: Browser
let context: BrowserContext
let office: Page
let cashier: Page
let display: Page

const savedPayments = (): unknown => savedPaymentsIn(dataDir)

/** A section as a person scrolls through it: a page screenshot clipped to it (an element shot has the sticky bar over it). */
async function sectionShot(section: Locator, name: string): Promise<void> {
  await office.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0))
  const box = await section.boundingBox()
  if (!box) throw new Error('section not shown')
  await office.screenshot({ path: join(SCREENSHOT_DIR, name), fullPage: true, clip: box })
}

const activeLabel = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('aria-label') ?? null)

describe('set-up on two chains, in Chromium', () => {
  beforeAll(async () => {
    ;[base, arbitrum, optimism] = await Promise.all([startRegistryChain(8453, ['USDC']), startRegistryChain(42161, ['USDC', 'USDT']), startRegistryChain(10, ['USDC'])])
    dataDir = mkdtempSync(join(tmpdir(), 'stabletill-multichain-'))
    folder = claimDataFolder(dataDir)
    host = startSetupHost({
      dataDir,
      clock: systemClock,
      demoAvailable: false,
      // The till on the ledger the set-up wrote: the registry's own tokens, no runtime ones.
      start: async (): Promise<App> => {
        const settings = paymentSettingsSchema.parse(savedPayments())
        return createApp({ dataDir, clock: systemClock, resourcesDir: join(ROOT, 'resources'), payments: { settings: { ...settings, pollIntervalMs: 200 } } })
      }
    })
    harness = await startHarness({ app: host, rendererDir: RENDERER_DIR })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--lang=en-US'] })
    context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-US' })
    office = await context.newPage()
    office.setDefaultTimeout(10_000)
    await office.goto(harness.urls.backoffice)
    await office.locator('body[data-ready="true"]').waitFor()
  }, 90_000)
  afterAll(async () => {
    await browser?.close()
    await harness?.close()
    await host?.close()
    folder?.release()
    await Promise.all([base?.stop(), arbitrum?.stop(), optimism?.stop()])
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('a cashier and a display page opened during the set-up say it is in progress', async () => {
    cashier = await context.newPage()
    cashier.setDefaultTimeout(10_000)
    await cashier.goto(harness.urls.cashier)
    const pending = 'This till is not set up yet: finish the set-up in the back office first. This page opens the store by itself once the set-up is finished.'
    await cashier.getByRole('status').filter({ hasText: pending }).waitFor()
    // Nothing of the till is shown that would refuse every key.
    expect(await cashier.getByRole('textbox', { name: 'Barcode' }).count()).toBe(0)
    await cashier.screenshot({ path: join(SCREENSHOT_DIR, 'setup-pending-cashier-en.png') })
    display = await context.newPage()
    display.setDefaultTimeout(10_000)
    await display.goto(harness.urls.display)
    await display.getByRole('status').filter({ hasText: pending }).waitFor()
  })

  it('store step', async () => {
    await office.bringToFront()
    await office.getByRole('button', { name: 'Set up my shop' }).click()
    const form = office.getByRole('form', { name: 'Store' })
    await form.getByRole('textbox', { name: 'Store name' }).fill('Harbour Deli')
    await form.getByRole('textbox', { name: 'Currency (ISO 4217)' }).fill('usd')
    await form.getByRole('textbox', { name: 'Tax rate 1 (%)' }).fill('0')
    await office.getByRole('button', { name: 'Next' }).click()
    await office.getByRole('form', { name: 'Payments' }).waitFor()
  })

  it('payments: two chains, a dead URL shown and refused until removed, a token unticked, URLs reordered', async () => {
    const form = office.getByRole('form', { name: 'Payments' })
    await form.getByRole('textbox', { name: 'Receive address' }).fill(MERCHANT)
    // Base is the first row; its URL 1 is the live node, URL 2 a dead one.
    await form.getByRole('textbox', { name: 'RPC URL 1 for Base' }).fill(base.rpcUrl)
    await form.getByRole('button', { name: 'Add an RPC URL for Base' }).click()
    // Keyboard-first: the new URL has the focus.
    expect(await activeLabel(office)).toBe('RPC URL 2 for Base')
    await office.keyboard.type(DEAD_URL)
    await form.getByRole('button', { name: 'Test connection of RPC URL 1 for Base' }).click()
    // Enter in a URL tests that URL.
    await form.getByRole('textbox', { name: 'RPC URL 2 for Base' }).press('Enter')
    const baseUsdc = findToken(8453, 'USDC')!.address
    await expect.poll(() => form.getByRole('status', { name: 'Test of RPC URL 1 for Base' }).textContent()).toMatch(new RegExp(`^Passed: chain id 8453 matches; block \\d+ is \\d+ s old; tokens verified: USDC ${baseUsdc}\\.$`))
    await expect.poll(() => form.getByRole('status', { name: 'Test of RPC URL 2 for Base' }).textContent()).toMatch(/^Failed: http:\/\/127\.0\.0\.1:1 did not answer/)
    await office.getByRole('button', { name: 'Next' }).click()
    await expect.poll(() => alertText(office)).toBe('RPC URL 2 for Base failed its test: fix it or remove it before saving.')
    await form.getByRole('textbox', { name: 'Confirmations for Base (blocks)' }).fill('3')

    // A second chain, from the registry; a chain already listed is not offered again.
    const toAdd = form.getByRole('combobox', { name: 'Chain to add' })
    expect(await toAdd.locator('option').allTextContents()).not.toContain('Base (8453)')
    await toAdd.selectOption('42161')
    await form.getByRole('button', { name: 'Add chain' }).click()
    expect(await activeLabel(office)).toBe('RPC URL 1 for Arbitrum One')
    await office.keyboard.type(arbitrum.rpcUrl)
    await form.getByRole('button', { name: 'Add an RPC URL for Arbitrum One' }).click()
    await office.keyboard.type(arbitrum.directUrl)
    expect(await form.getByRole('checkbox', { name: 'USDC on Arbitrum One' }).isChecked()).toBe(true)
    await form.getByRole('checkbox', { name: 'USDC on Arbitrum One' }).uncheck()
    // No token: nothing to verify the node against, said by name.
    await form.getByRole('button', { name: 'Test connection of RPC URL 1 for Arbitrum One' }).click()
    await expect.poll(() => form.getByRole('status', { name: 'Test of RPC URL 1 for Arbitrum One' }).textContent()).toBe('Failed: Tick at least one token to take on Arbitrum One.')
    await form.getByRole('checkbox', { name: 'USDT on Arbitrum One' }).check()
    // The primary first: the direct node moves up.
    await form.getByRole('button', { name: 'Move RPC URL 2 for Arbitrum One up' }).click()
    expect(await form.getByRole('textbox', { name: 'RPC URL 1 for Arbitrum One' }).inputValue()).toBe(arbitrum.directUrl)
    expect(await form.textContent()).toContain('Empty: the default for Arbitrum One, 20 blocks. Why: 0.25 s blocks from one sequencer')
    await office.getByRole('button', { name: 'Remove RPC URL 2 for Base' }).click()
    await office.getByRole('button', { name: 'Next' }).click()
    await expect.poll(() => alertText(office)).toBe('RPC URL 1 for Arbitrum One has not been tested: press Test connection beside it.')
    await form.getByRole('button', { name: 'Test every RPC URL' }).click()
    const arbUsdt = findToken(42161, 'USDT')!.address
    await expect.poll(() => form.getByRole('status', { name: 'Test of RPC URL 1 for Arbitrum One' }).textContent()).toMatch(/^Passed: chain id 42161 matches/)
    await expect.poll(() => form.getByRole('status', { name: 'Test of RPC URL 2 for Arbitrum One' }).textContent()).toMatch(new RegExp(`^Passed: chain id 42161 matches; .* tokens verified: USDT ${arbUsdt}\\.$`))
    // The refusal goes once every URL has passed.
    await expect.poll(() => office.getByRole('alert').count()).toBe(0)
    expect(await unnamedControls(office)).toEqual([])
    await office.screenshot({ path: join(SCREENSHOT_DIR, 'setup-2-payments-multichain-en.png'), fullPage: true })
    await office.getByRole('button', { name: 'Language' }).click()
    await office.getByRole('form', { name: '支付' }).waitFor()
    await expect.poll(() => office.getByRole('form', { name: '支付' }).textContent()).toContain('Arbitrum One（链 ID 42161）')
    await office.screenshot({ path: join(SCREENSHOT_DIR, 'setup-2-payments-multichain-zh-CN.png'), fullPage: true })
    await office.getByRole('button', { name: '语言' }).click()
    await office.getByRole('button', { name: 'Next' }).click()
    await office.getByRole('form', { name: 'Devices' }).waitFor()
  })

  it('devices and staff', async () => {
    const devices = office.getByRole('form', { name: 'Devices' })
    await devices.getByRole('combobox', { name: 'Connection' }).selectOption('virtual')
    await office.getByRole('button', { name: 'Next' }).click()
    const staff = office.getByRole('form', { name: 'Staff' })
    await staff.getByRole('textbox', { name: 'Name of person 1' }).fill('Olivia Owner')
    await staff.getByLabel('PIN of person 1').fill(OWNER_PIN)
    await staff.getByRole('textbox', { name: 'Name of person 2' }).fill('Max Manager')
    await staff.getByLabel('PIN of person 2').fill(MANAGER_PIN)
    await staff.getByRole('textbox', { name: 'Name of person 3' }).fill('Chen Wei')
    await staff.getByLabel('PIN of person 3').fill(CASHIER_PIN)
    await office.getByRole('button', { name: 'Next' }).click()
    await office.getByRole('form', { name: 'Finish' }).waitFor()
  })

  it('Finish: the ledger holds exactly the chains, URLs, tokens and depths typed; the open pages switch by themselves', async () => {
    // Fresh heads: the till tests every URL again and refuses a head older than two minutes.
    await Promise.all([base.mine(1), arbitrum.mine(1)])
    await office.getByRole('button', { name: 'Finish set-up' }).click()
    await host.started
    await office.getByRole('navigation', { name: 'Back office' }).waitFor({ timeout: 15_000 })
    expect(needsSetup(dataDir)).toBe(false)
    const saved = paymentSettingsSchema.parse(savedPayments())
    expect(saved.receive).toMatchObject({ kind: 'address', address: MERCHANT })
    expect(saved.chains.map((c) => ({ chainId: c.chainId, rpcUrls: c.rpcUrls, tokens: c.tokens, confirmations: c.confirmations ?? null }))).toEqual([
      { chainId: 8453, rpcUrls: [base.rpcUrl], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 3 } },
      { chainId: 42161, rpcUrls: [arbitrum.directUrl, arbitrum.rpcUrl], tokens: ['USDT'], confirmations: null }
    ])
    const app = host.app()!
    const created = app.db.prepare("SELECT payload FROM journal WHERE kind = 'settings.payments-changed'").get() as { payload: string }
    expect(JSON.parse(created.payload)).toMatchObject({ chains: ['8453:USDC:1', '42161:USDT:2'] })

    // Point 3: no reload by the test. The cashier page now asks who signs in; the display shows the store.
    await cashier.getByRole('dialog', { name: 'Sign in' }).waitFor({ timeout: 15_000 })
    await cashier.locator('body[data-ready="true"]').waitFor()
    expect(await cashier.locator('body').textContent()).not.toContain('not set up yet')
    await expect.poll(() => display.locator('body').textContent(), { timeout: 15_000 }).toContain('Harbour Deli')
  })

  it('the cashier offers exactly the enabled chain/token pairs, and a wallet pays on the second chain', async () => {
    const app = host.app()!
    expect((await host.registry.dispatch('backoffice', 'catalog:import', { csv: 'sku,name,price,tax_rate,barcodes\nBRD-1,Sourdough,4.20,standard,5901234123457\n', skipBadRows: false, pin: MANAGER_PIN })).ok).toBe(true)
    expect((await host.registry.dispatch('backoffice', 'shift:open', { floatMinor: 10_000, pin: MANAGER_PIN })).ok).toBe(true)

    const signIn = cashier.getByRole('dialog', { name: 'Sign in' })
    await signIn.getByRole('textbox', { name: 'PIN' }).fill(CASHIER_PIN)
    await signIn.getByRole('button', { name: 'Sign in' }).click()
    await signIn.waitFor({ state: 'detached' })
    await typeAt(cashier, '5901234123457\n', 5)
    await expect.poll(() => cashier.getByRole('status', { name: 'Sale total' }).textContent()).toBe('$4.20')
    await cashier.getByRole('button', { name: 'Pay with stablecoin' }).click()
    const choices = cashier.getByRole('group', { name: 'Choose token and network' })
    await choices.waitFor()
    expect(await choices.getByRole('button').allTextContents()).toEqual(['USDC on Base', 'USDT on Arbitrum One'])
    await choices.getByRole('button', { name: 'USDT on Arbitrum One' }).click()

    const qr = display.getByRole('img', { name: 'Payment QR code' })
    await qr.waitFor()
    expect(await display.getByRole('status', { name: 'Network' }).textContent()).toContain('Arbitrum One')
    const png = PNG.sync.read(await display.screenshot())
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)
    expect(decoded, 'QR readable from the display').not.toBeNull()
    const request = parsePaymentUri(decoded!.data)
    expect(request).toMatchObject({ chainId: 42161, to: MERCHANT })
    expect(request.tokenAddress.toLowerCase()).toBe(findToken(42161, 'USDT')!.address.toLowerCase())
    await arbitrum.fund('USDT', 10_000_000n)
    await arbitrum.pay(request.tokenAddress, request.to, request.amount)
    // Arbitrum's documented depth: 20 blocks.
    await arbitrum.mine(20)
    await expect.poll(() => cashier.getByRole('status', { name: 'Payment status' }).textContent(), { timeout: 20_000 }).toMatch(/^Paid/)
    await cashier.getByRole('button', { name: 'Complete sale' }).click()
    await expect.poll(() => app.sales.current()).toBeNull()
    const paid = app.db.prepare("SELECT chain_id AS chainId, token_symbol AS symbol FROM payment_requests ORDER BY rowid DESC LIMIT 1").get() as { chainId: number; symbol: string }
    expect(paid).toEqual({ chainId: 42161, symbol: 'USDT' })
  })

  it('back office: the saved chains shown, a URL changed and a chain added, with the owner\'s PIN, journaled', async () => {
    const app = host.app()!
    await office.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'Settings' }).click()
    const section = office.getByRole('region', { name: 'Payment settings' })
    await expect.poll(() => section.getByRole('textbox', { name: 'RPC URL 1 for Base' }).inputValue()).toBe(base.rpcUrl)
    expect(await section.getByRole('textbox', { name: 'Receive address' }).inputValue()).toBe(MERCHANT)
    expect(await section.getByRole('checkbox', { name: 'USDC on Arbitrum One' }).isChecked()).toBe(false)
    await section.getByRole('textbox', { name: 'RPC URL 1 for Base' }).fill(base.directUrl)
    await section.getByRole('combobox', { name: 'Chain to add' }).selectOption('10')
    await section.getByRole('button', { name: 'Add chain' }).click()
    await office.keyboard.type(optimism.rpcUrl)
    await section.getByRole('button', { name: 'Save payment settings' }).click()
    await expect.poll(() => section.getByRole('alert').textContent()).toBe('RPC URL 1 for Base has not been tested: press Test connection beside it.')
    await Promise.all([base.mine(1), arbitrum.mine(1), optimism.mine(1)])
    await section.getByRole('button', { name: 'Test every RPC URL' }).click()
    await expect.poll(() => section.getByRole('status', { name: 'Test of RPC URL 1 for OP Mainnet' }).textContent()).toMatch(/^Passed: chain id 10 matches/)
    for (const name of ['Test of RPC URL 1 for Base', 'Test of RPC URL 1 for Arbitrum One', 'Test of RPC URL 2 for Arbitrum One']) {
      await expect.poll(() => section.getByRole('status', { name }).textContent()).toMatch(/^Passed/)
    }
    expect(await unnamedControls(office)).toEqual([])
    await sectionShot(section, 'backoffice-settings-payments-multichain-en.png')
    await section.getByRole('button', { name: 'Save payment settings' }).click()
    const dialog = office.getByRole('dialog', { name: 'Manager approval' })
    await dialog.getByLabel('Manager PIN').fill(OWNER_PIN)
    await dialog.getByRole('button', { name: 'Approve' }).click()
    await section.getByRole('status').filter({ hasText: 'Saved and journaled. The till uses them from its next start.' }).waitFor({ timeout: 15_000 })
    // The verdicts stay beside the URLs they tested; the refusal shown before is gone.
    expect(await section.getByRole('status', { name: 'Test of RPC URL 1 for OP Mainnet' }).textContent()).toMatch(/^Passed/)
    expect(await section.getByRole('alert').count()).toBe(0)
    const saved = paymentSettingsSchema.parse(savedPayments())
    expect(saved.chains.map((c) => [c.chainId, c.rpcUrls, c.tokens])).toEqual([
      [8453, [base.directUrl], ['USDC']],
      [42161, [arbitrum.directUrl, arbitrum.rpcUrl], ['USDT']],
      [10, [optimism.rpcUrl], ['USDC']]
    ])
    // What the form does not show is kept: Base's depth of 3 blocks.
    expect(saved.chains[0]?.confirmations).toEqual({ kind: 'blocks', count: 3 })
    const entries = (app.db.prepare("SELECT payload FROM journal WHERE kind = 'settings.payments-changed' ORDER BY seq").all() as { payload: string }[]).map((r) => JSON.parse(r.payload) as { staffId: string; chains: string[] })
    expect(entries.at(-1)).toMatchObject({ staffId: 'O1', chains: ['8453:USDC:1', '42161:USDT:2', '10:USDC:1'] })
    expect(app.integrity.current().ok).toBe(true)
    await office.getByRole('button', { name: 'Language' }).click()
    const zh = office.getByRole('region', { name: '支付设置' })
    await expect.poll(() => zh.textContent()).toContain('OP Mainnet（链 ID 10）')
    await sectionShot(zh, 'backoffice-settings-payments-multichain-zh-CN.png')
    await office.getByRole('button', { name: '语言' }).click()
  })
})
