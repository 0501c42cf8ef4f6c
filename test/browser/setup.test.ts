// The first-run set-up in Chromium on a fresh data folder (issue [S] "What it must show"): a real anvil started by
// the test is "the shop's chain" (its URL typed into the form and tested live), a TCP printer test server takes the
// test print, staff are created; then a manager opens the day, a cashier signs in and sells, and a wallet pays the
// QR read off the customer display to the shop's own address. Screenshots of each step in en and zh-CN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { HDNodeWallet, type Contract } from 'ethers'
import { createApp, type App } from '../../src/main/app'
import { startHarness, type Harness } from '../../src/main/harness/server'
import { claimDataFolder, type DataFolderClaim } from '../../src/main/ledger/lock'
import { firstXpubAddress } from '../../src/main/services/payment-settings'
import { needsSetup, startSetupHost, type TillHost } from '../../src/main/services/setup-host'
import { systemClock } from '../../src/shared/clock'
import { parsePaymentUri } from '../../src/shared/payment/eip681'
import { paymentSettingsSchema } from '../../src/shared/payment/settings'
import type { TokenInfo } from '../../src/shared/payment/tokens'
import { CHROMIUM, RENDERER_DIR, ROOT, SCREENSHOT_DIR } from '../fixtures/browser'
import { unnamedControls } from '../fixtures/a11y'
import { MERCHANT, startTestChain, type TestChain } from '../fixtures/anvil'
import { startTcpPrinter, type TcpPrinterServer } from '../fixtures/tcp-printer'
import { typeAt } from '../fixtures/keyboard'
import { alertText, savedPaymentsIn } from '../fixtures/setup-ui'

const OWNER_PIN = '864200'
const MANAGER_PIN = '135790'
const CASHIER_PIN = '4711'

let chain: TestChain
let token: Contract
let local: TokenInfo
let printer: TcpPrinterServer
let dataDir: string
let folder: DataFolderClaim
let host: TillHost
let harness: Harness
let browser: Browser
let context: BrowserContext
let office: Page

const savedPayments = (): unknown => savedPaymentsIn(dataDir)

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, name), fullPage: true })
}

async function next(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Next' }).click()
}

describe('first-run set-up of a real shop, in Chromium', () => {
  beforeAll(async () => {
    chain = await startTestChain()
    token = await chain.deploy('TestUSDC6')
    local = { chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: await token.getAddress(), decimals: 6, bridged: false, source: 'test' }
    printer = await startTcpPrinter()
    dataDir = mkdtempSync(join(tmpdir(), 'stabletill-setup-'))
    folder = claimDataFolder(dataDir)
    expect(needsSetup(dataDir)).toBe(true)
    host = startSetupHost({
      dataDir,
      clock: systemClock,
      localTokens: [local],
      demoAvailable: true,
      // The till the set-up hands over to, built on the ledger the set-up wrote. The test token stands in for the
      // pinned registry's USDC on the local chain; the settings are the ledger's own.
      start: async (kind): Promise<App> => {
        if (kind !== 'store') throw new Error('this test does not start the demo')
        const settings = paymentSettingsSchema.parse(savedPayments())
        return createApp({ dataDir, clock: systemClock, resourcesDir: join(ROOT, 'resources'), payments: { settings: { ...settings, pollIntervalMs: 200 }, localTokens: [local] } })
      }
    })
    harness = await startHarness({ app: host, rendererDir: RENDERER_DIR })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--lang=en-US'] })
    context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-US' })
    office = await context.newPage()
    office.setDefaultTimeout(10_000)
    await office.goto(harness.urls.backoffice)
    await office.locator('body[data-ready="true"]').waitFor()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await harness?.close()
    await host?.close()
    folder?.release()
    await printer?.close()
    await chain?.stop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('a new till asks: try the demo store, or set up my shop; nothing else answers yet', async () => {
    await office.getByRole('button', { name: 'Try the demo store' }).waitFor()
    expect(await unnamedControls(office)).toEqual([])
    await shot(office, 'setup-0-welcome-en.png')
    await office.getByRole('button', { name: 'Language' }).click()
    await office.getByRole('button', { name: '试用演示门店' }).waitFor()
    await shot(office, 'setup-0-welcome-zh-CN.png')
    await office.getByRole('button', { name: '语言' }).click()
    await office.getByRole('button', { name: 'Set up my shop' }).waitFor()
    const refused = await host.registry.dispatch('cashier', 'sale:current', {})
    expect(refused).toMatchObject({ ok: false, error: { key: 'setup.pending' } })
    await office.getByRole('button', { name: 'Set up my shop' }).click()
  })

  it('store: each rule refused with its own message, then saved in the form', async () => {
    const form = office.getByRole('form', { name: 'Store' })
    await form.waitFor()
    // Keyboard-first: the first field has the focus, and Enter is Next.
    expect(await office.evaluate(() => (globalThis as unknown as { document: { activeElement: { id?: string } | null } }).document.activeElement?.id)).toBe('setup-store-name')
    await office.keyboard.press('Enter')
    await expect.poll(() => alertText(office)).toBe('Give the store a name (as the receipt prints it).')
    await form.getByRole('textbox', { name: 'Store name' }).fill('Corner Grocer')
    await form.getByRole('textbox', { name: 'Address line 1' }).fill('12 High Street')
    await form.getByRole('textbox', { name: 'Address line 2' }).fill('Springfield')
    await form.getByRole('textbox', { name: 'Tax ID' }).fill('US-99-1234567')
    await form.getByRole('textbox', { name: 'Currency (ISO 4217)' }).fill('usx')
    await next(office)
    await expect.poll(() => alertText(office)).toBe('USX is not an ISO 4217 currency this till knows.')
    await form.getByRole('textbox', { name: 'Currency (ISO 4217)' }).fill('usd')
    await form.getByRole('textbox', { name: 'Tax rate 1 (%)' }).fill('8,,5')
    await next(office)
    await expect.poll(() => alertText(office)).toMatch(/^Tax rate Standard: "8,,5" is not a percentage/)
    await form.getByRole('textbox', { name: 'Tax rate 1 (%)' }).fill('8.875')
    await form.getByRole('button', { name: 'Add a tax rate' }).click()
    await form.getByRole('textbox', { name: 'Tax rate 2 name' }).fill('Food')
    await form.getByRole('textbox', { name: 'Tax rate 2 (%)' }).fill('0')
    await form.getByRole('textbox', { name: 'Receipt header (one line per line)' }).fill('12 High Street\nSpringfield')
    await form.getByRole('textbox', { name: 'Till number' }).fill('t-2')
    await form.getByRole('textbox', { name: 'Till name' }).fill('Front counter')
    expect(await unnamedControls(office)).toEqual([])
    await shot(office, 'setup-1-store-en.png')
    await next(office)
  })

  it('payments: the address by its checksum, the shop\'s chain tested live, the documented defaults', async () => {
    const form = office.getByRole('form', { name: 'Payments' })
    await form.waitFor()
    const address = form.getByRole('textbox', { name: 'Receive address' })
    await address.fill(MERCHANT.toLowerCase())
    await address.press('Tab')
    await expect.poll(() => alertText(office)).toContain(`with its capitals (${MERCHANT})`)
    await address.fill(MERCHANT)
    await address.press('Tab')
    await form.getByRole('status').filter({ hasText: 'is well formed' }).waitFor()
    // The shop's chain is the local one: Base, the first row, goes; the chain is added from the registry's list.
    await form.getByRole('button', { name: 'Remove chain Base' }).click()
    await form.getByRole('combobox', { name: 'Chain to add' }).selectOption('31337')
    await form.getByRole('button', { name: 'Add chain' }).click()
    const url = form.getByRole('textbox', { name: 'RPC URL 1 for Demo chain (local)' })
    await url.fill('http://127.0.0.1:1')
    await form.getByRole('button', { name: 'Test connection of RPC URL 1 for Demo chain (local)' }).click()
    const verdict = form.getByRole('status', { name: 'Test of RPC URL 1 for Demo chain (local)' })
    await expect.poll(() => verdict.textContent()).toMatch(/^Failed: .*did not answer/)
    await url.fill(chain.rpcUrl)
    await form.getByRole('button', { name: 'Test connection of RPC URL 1 for Demo chain (local)' }).click()
    await expect.poll(() => verdict.textContent()).toMatch(/^Passed: chain id 31337 matches; block \d+ is \d+ s old; tokens verified: USDC 0x/)
    expect(await form.textContent()).toContain('the default for Demo chain (local), 2 blocks')
    await form.getByRole('textbox', { name: 'Confirmations for Demo chain (local) (blocks)' }).fill('0')
    await next(office)
    await expect.poll(() => alertText(office)).toMatch(/^"0" is not a number of confirmations/)
    await form.getByRole('textbox', { name: 'Confirmations for Demo chain (local) (blocks)' }).fill('')
    await form.getByRole('textbox', { name: 'Card fee (%)' }).fill('2.5')
    expect(await unnamedControls(office)).toEqual([])
    await shot(office, 'setup-2-payments-en.png')
    await next(office)
  })

  it('devices: the test print reaches the TCP printer and its status is read back', async () => {
    const form = office.getByRole('form', { name: 'Devices' })
    await form.waitFor()
    await form.getByRole('textbox', { name: 'Printer host or IP address' }).fill('http://printer')
    await next(office)
    await expect.poll(() => alertText(office)).toMatch(/^"http:\/\/printer" is not a printer address/)
    await form.getByRole('textbox', { name: 'Printer host or IP address' }).fill('127.0.0.1')
    await form.getByRole('textbox', { name: 'Printer port' }).fill(String(printer.port))
    await form.getByRole('button', { name: 'Test print' }).click()
    await expect.poll(() => form.getByRole('status').textContent()).toMatch(new RegExp(`^Test page sent to tcp 127\\.0\\.0\\.1:${printer.port} \\(\\d+ bytes\\)\\. Printer status: online, paper OK, drawer closed\\.$`))
    expect(printer.printed().toString('latin1')).toContain('Stabletill test print')
    expect(printer.printed().toString('latin1')).toContain('Corner Grocer')
    expect(await unnamedControls(office)).toEqual([])
    await shot(office, 'setup-3-devices-en.png')
    await next(office)
  })

  it('staff: an owner is required, a manager\'s PIN has 6 digits, each PIN is one person\'s', async () => {
    const form = office.getByRole('form', { name: 'Staff' })
    await form.waitFor()
    await form.getByRole('combobox', { name: 'Role of person 1' }).selectOption('cashier')
    await form.getByRole('textbox', { name: 'Name of person 1' }).fill('Olivia Owner')
    await form.getByLabel('PIN of person 1').fill(OWNER_PIN)
    await next(office)
    await expect.poll(() => alertText(office)).toMatch(/^Name the owner/)
    await form.getByRole('combobox', { name: 'Role of person 1' }).selectOption('owner')
    await form.getByRole('textbox', { name: 'Name of person 2' }).fill('Max Manager')
    await form.getByLabel('PIN of person 2').fill('1234')
    await form.getByRole('textbox', { name: 'Name of person 3' }).fill('Chen Wei')
    await form.getByLabel('PIN of person 3').fill(CASHIER_PIN)
    await next(office)
    await expect.poll(() => alertText(office)).toBe('A manager PIN is 6 to 8 digits.')
    await form.getByLabel('PIN of person 2').fill(OWNER_PIN)
    await next(office)
    await expect.poll(() => alertText(office)).toMatch(/^That PIN is someone else's/)
    await form.getByLabel('PIN of person 2').fill(MANAGER_PIN)
    expect(await unnamedControls(office)).toEqual([])
    await shot(office, 'setup-4-staff-en.png')
    await next(office)
    await office.getByRole('form', { name: 'Finish' }).waitFor()
    await shot(office, 'setup-5-finish-en.png')
  })

  it('every step is revisitable, and reads in Chinese', async () => {
    await office.getByRole('button', { name: 'Language' }).click()
    const steps = office.getByRole('navigation', { name: '设置步骤' })
    await steps.waitFor()
    const names = ['门店', '支付', '设备', '员工', '完成']
    for (const [i, name] of names.entries()) {
      await steps.getByRole('button', { name: `${i + 1}. ${name}` }).click()
      await office.getByRole('form', { name }).waitFor()
      await shot(office, `setup-${i + 1}-${['store', 'payments', 'devices', 'staff', 'finish'][i]}-zh-CN.png`)
    }
    // What was typed is still there.
    await steps.getByRole('button', { name: '1. 门店' }).click()
    expect(await office.getByRole('textbox', { name: '门店名称' }).inputValue()).toBe('Corner Grocer')
    await office.getByRole('button', { name: '语言' }).click()
    await office.getByRole('navigation', { name: 'Set-up steps' }).getByRole('button', { name: '5. Finish' }).click()
  })

  it('Finish set-up tests the chain again, writes the store in one go and opens its back office', async () => {
    await office.getByRole('button', { name: 'Finish set-up' }).click()
    await host.started
    await office.getByRole('navigation', { name: 'Back office' }).waitFor({ timeout: 15_000 })
    await office.locator('body[data-ready="true"]').waitFor()
    const app = host.app()!
    expect(app.store.settings()).toMatchObject({ storeName: 'Corner Grocer', currency: 'USD', tillId: 'T-2', tillName: 'Front counter', demo: false, addressLines: ['12 High Street', 'Springfield'], taxId: 'US-99-1234567' })
    expect(app.staff.list().map((p) => [p.name, p.role])).toEqual([
      ['Olivia Owner', 'owner'],
      ['Max Manager', 'manager'],
      ['Chen Wei', 'cashier']
    ])
    expect(app.db.prepare('SELECT id, name, rate_ppm FROM tax_rates ORDER BY id').all()).toEqual([
      { id: 'food', name: 'Food', rate_ppm: 0 },
      { id: 'standard', name: 'Standard', rate_ppm: 88_750 }
    ])
    expect(app.payments?.settings.receive).toMatchObject({ kind: 'address', address: MERCHANT })
    expect(app.receipts.settings().transport).toEqual({ kind: 'tcp', host: '127.0.0.1', port: printer.port })
    const created = app.db.prepare("SELECT payload FROM journal WHERE kind = 'store.created'").get() as { payload: string }
    expect(JSON.parse(created.payload)).toMatchObject({ storeName: 'Corner Grocer', setUpBy: 'O1', stablecoins: [31337], printer: 'tcp' })
    // The whole journal verifies, and a real shop starts locked: nobody is signed in.
    expect(app.integrity.current().ok).toBe(true)
    expect(app.staff.current()).toBeNull()
    expect(needsSetup(dataDir)).toBe(false)
  })

  it('a manager opens the day; the cashier signs in, sells, and a wallet pays the QR to the shop\'s own address', async () => {
    const app = host.app()!
    // The shop's first product (the catalog's own import, tested in staff-catalog.test.ts), with the manager's PIN.
    const imported = await host.registry.dispatch('backoffice', 'catalog:import', { csv: 'sku,name,price,tax_rate,barcodes\nAPL-1,Apple juice,3.49,standard,5901234123457\n', skipBadRows: false, pin: MANAGER_PIN })
    expect(imported.ok).toBe(true)

    await office.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'Day close' }).click()
    const dayClose = office.getByRole('region', { name: 'Day close' })
    await dayClose.getByRole('textbox', { name: 'Opening float' }).fill('100')
    await dayClose.getByRole('button', { name: 'Open day' }).click()
    const approval = office.getByRole('dialog', { name: 'Manager approval' })
    await approval.getByLabel('Manager PIN').fill(MANAGER_PIN)
    await approval.getByRole('button', { name: 'Approve' }).click()
    await expect.poll(() => dayClose.getByRole('status', { name: 'Day state' }).textContent()).toMatch(/The day is open/)

    const cashier = await context.newPage()
    cashier.setDefaultTimeout(10_000)
    await cashier.goto(harness.urls.cashier)
    await cashier.locator('body[data-ready="true"]').waitFor()
    // A real shop's till starts locked, asking for a PIN.
    const signIn = cashier.getByRole('dialog', { name: 'Sign in' })
    await signIn.waitFor()
    await signIn.getByRole('textbox', { name: 'PIN' }).fill(CASHIER_PIN)
    await signIn.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => cashier.getByRole('status', { name: 'Sign in' }).textContent()).toBe('Chen Wei (cashier)')
    await typeAt(cashier, '5901234123457\n', 5)
    await expect.poll(() => app.sales.current()?.lines.length).toBe(1)
    // 3.49 plus 8.875 % tax (exclusive) = 3.80.
    await expect.poll(() => cashier.getByRole('status', { name: 'Sale total' }).textContent()).toBe('$3.80')

    const display = await context.newPage()
    await display.goto(harness.urls.display)
    await display.locator('body[data-ready="true"]').waitFor()
    await cashier.getByRole('button', { name: 'Pay with stablecoin' }).click()
    const qr = display.getByRole('img', { name: 'Payment QR code' })
    await qr.waitFor()
    const png = PNG.sync.read(await display.screenshot())
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)
    expect(decoded, 'QR readable from the display').not.toBeNull()
    const request = parsePaymentUri(decoded!.data)
    // The shop's own address, typed in the set-up; the token the set-up's test verified.
    expect(request.to).toBe(MERCHANT)
    expect(request.tokenAddress.toLowerCase()).toBe(local.address.toLowerCase())
    await chain.fund(token, 10_000_000n)
    await chain.pay(token, request.to, request.amount)
    await chain.mine(2)
    await expect.poll(() => cashier.getByRole('status', { name: 'Payment status' }).textContent(), { timeout: 15_000 }).toMatch(/^Paid/)
    await cashier.getByRole('button', { name: 'Complete sale' }).click()
    await expect.poll(() => app.sales.current()).toBeNull()
    const sale = app.db.prepare("SELECT cashier, staff_id, total_minor FROM sales WHERE status = 'completed'").get()
    expect(sale).toEqual({ cashier: 'Chen Wei', staff_id: 'C1', total_minor: 380 })
    await cashier.screenshot({ path: join(SCREENSHOT_DIR, 'setup-first-sale-cashier.png') })
  })

  const approve = async (pin: string) => {
    const dialog = office.getByRole('dialog', { name: 'Manager approval' })
    await dialog.getByLabel('Manager PIN').fill(pin)
    await dialog.getByRole('button', { name: 'Approve' }).click()
    await dialog.waitFor({ state: 'detached' })
  }
  const receipt = () => office.getByRole('region', { name: 'Address and receipt' })
  const tax = () => office.getByRole('region', { name: 'Tax rates' })
  const fee = () => office.getByRole('region', { name: 'Card fee' })
  const limits = () => office.getByRole('region', { name: 'Limits for one sale' })
  const devices = () => office.getByRole('region', { name: 'Printer and displays' })

  it('back office: the receipt text, saved with a PIN, is the store\'s at once (receipts read it per print)', async () => {
    const app = host.app()!
    await office.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'Settings' }).click()
    // Receipt text: the next receipt prints it.
    await receipt().getByRole('textbox', { name: 'Receipt footer (one line per line)' }).fill('See you soon\nOpen 8-20')
    await receipt().getByRole('button', { name: 'Save address and receipt' }).click()
    await approve(MANAGER_PIN)
    await expect.poll(() => receipt().getByRole('status').textContent()).toBe('Saved and journaled: the next receipt prints it.')
    expect(app.store.settings().receipt.footerLines).toEqual(['See you soon', 'Open 8-20'])
  })

  it('back office: tax rates checked by the set-up\'s rule; a rate on products is not removed', async () => {
    const app = host.app()!

    // Tax rates: a bad one refused by the set-up's own rule; a rate on products is not removed.
    await tax().getByRole('textbox', { name: 'Tax rate 2 (%)' }).fill('101')
    await tax().getByRole('button', { name: 'Save tax rates' }).click()
    await approve(MANAGER_PIN)
    await expect.poll(() => tax().getByRole('alert').textContent()).toMatch(/^Tax rate Food: "101" is not a percentage/)
    await tax().getByRole('textbox', { name: 'Tax rate 2 (%)' }).fill('5')
    await tax().getByRole('button', { name: 'Save tax rates' }).click()
    await approve(MANAGER_PIN)
    await expect.poll(() => tax().getByRole('status').textContent()).toBe('Saved and journaled: new sale lines use these rates.')
    expect(app.db.prepare("SELECT rate_ppm FROM tax_rates WHERE id = 'food'").get()).toEqual({ rate_ppm: 50_000 })
    await tax().getByRole('button', { name: 'Remove tax rate 1' }).click()
    await tax().getByRole('button', { name: 'Save tax rates' }).click()
    await approve(MANAGER_PIN)
    await expect.poll(() => tax().getByRole('alert').textContent()).toBe('Tax rate Standard is on 1 products: move them to another rate before removing it.')
  })

  it('back office: the card fee, and the devices with a test print; a cashier\'s PIN is refused', async () => {
    const app = host.app()!

    // Card fee: what the next Z compares with.
    expect(await fee().getByRole('textbox', { name: 'Card fee (%)' }).inputValue()).toBe('2.5')
    await fee().getByRole('textbox', { name: 'Card fee (%)' }).fill('3.1')
    await fee().getByRole('button', { name: 'Save card fee' }).click()
    await approve(MANAGER_PIN)
    await expect.poll(() => fee().getByRole('status').textContent()).toBe('Saved and journaled: the next Z compares with a card fee of 3.1 %.')

    // Limits for one sale: a slip is named, a good change is saved and the counter uses it.
    const line = limits().getByRole('textbox', { name: 'Most for one line before discount (USD)' })
    expect(await line.inputValue()).toBe('10000.00')
    await line.fill('25,000')
    await limits().getByRole('button', { name: 'Save limits' }).click()
    await approve(MANAGER_PIN)
    await expect.poll(() => limits().getByRole('alert').textContent()).toBe('"25,000" is not a limit for one line\'s amount: a positive amount in the store currency, for example 10000.00.')
    await line.fill('25000')
    await limits().getByRole('button', { name: 'Save limits' }).click()
    await approve(MANAGER_PIN)
    await expect.poll(() => limits().getByRole('status').textContent()).toBe('Saved and journaled: cash received up to 50000.00, up to 999 units and 25000.00 on one line.')
    expect(await app.registry.dispatch('backoffice', 'settings:store-details', {})).toMatchObject({ ok: true, value: { limits: { maxLineAmountMinor: 2_500_000 } } })

    // Devices: a test print from the form, then saved; a cashier's PIN is refused.
    const before = printer.printed().length
    await devices().getByRole('button', { name: 'Test print' }).click()
    await expect.poll(() => devices().getByRole('status').textContent()).toMatch(/^Test page sent to tcp 127\.0\.0\.1:/)
    expect(printer.printed().length).toBeGreaterThan(before)
    await devices().getByRole('combobox', { name: 'Customer display' }).selectOption('same-screen')
    await devices().getByRole('button', { name: 'Save devices' }).click()
    await approve(CASHIER_PIN)
    await expect.poll(() => devices().getByRole('alert').textContent()).toMatch(/may not do that/)
    await devices().getByRole('button', { name: 'Save devices' }).click()
    await approve(MANAGER_PIN)
    await expect.poll(() => devices().getByRole('status').textContent()).toBe('Saved and journaled. The customer display moves at the next start of the till.')
    expect(app.store.settings().customerDisplay).toBe('same-screen')
  })

  it('back office: payment settings take an xpub and show its first address, and offer the three rate policies', async () => {
    const section = office.getByRole('region', { name: 'Payment settings' })
    await section.getByRole('combobox', { name: 'Receive on' }).selectOption('xpub')
    const xpub = HDNodeWallet.fromPhrase('test test test test test test test test test test test junk').neuter().extendedKey
    await section.getByRole('textbox', { name: 'Extended public key (xpub)' }).fill(xpub)
    await section.getByRole('textbox', { name: 'Extended public key (xpub)' }).press('Tab')
    await section.getByRole('status').filter({ hasText: `The first address of this key is ${firstXpubAddress(xpub, 1)}: compare it with your wallet.` }).waitFor()
    await section.getByRole('combobox', { name: 'Exchange rate' }).selectOption('http')
    await section.getByRole('textbox', { name: 'Maximum age (seconds)' }).waitFor()
    expect(await unnamedControls(office)).toEqual([])
    await section.screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-settings-payments-xpub-en.png') })
    await section.getByRole('combobox', { name: 'Exchange rate' }).selectOption('peg')
  })

  it('back office settings: every change journaled; screenshots in en and zh-CN', async () => {
    const app = host.app()!

    const kinds = (app.db.prepare("SELECT kind FROM journal WHERE kind IN ('settings.store-changed', 'catalog.tax-rates-changed', 'settings.card-fee-changed', 'settings.devices-changed') ORDER BY seq").all() as { kind: string }[]).map((r) => r.kind)
    expect(kinds).toEqual(['settings.store-changed', 'catalog.tax-rates-changed', 'settings.card-fee-changed', 'settings.devices-changed'])
    expect(await unnamedControls(office)).toEqual([])
    for (const [region, file] of [
      [receipt(), 'address'],
      [tax(), 'tax-rates'],
      [fee(), 'card-fee'],
      [limits(), 'limits'],
      [devices(), 'devices']
    ] as const) {
      await region.screenshot({ path: join(SCREENSHOT_DIR, `backoffice-settings-${file}-en.png`) })
    }
    await office.getByRole('button', { name: 'Language' }).click()
    await office.getByRole('region', { name: '打印机与显示屏' }).waitFor()
    for (const [name, file] of [
      ['地址与小票', 'address'],
      ['税率', 'tax-rates'],
      ['刷卡手续费', 'card-fee'],
      ['单笔交易上限', 'limits'],
      ['打印机与显示屏', 'devices']
    ] as const) {
      await office.getByRole('region', { name, exact: true }).screenshot({ path: join(SCREENSHOT_DIR, `backoffice-settings-${file}-zh-CN.png`) })
    }
    await office.getByRole('button', { name: '语言' }).click()
    // Ten element screenshots: a few seconds each on a loaded machine.
  }, 90_000)
})
