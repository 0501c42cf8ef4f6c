// The back office's Returns section in Chromium against anvil (the demo chain): the day's returns with their original
// sale, method, amount and status; a stablecoin refund followed live from "Awaiting transfer" to "Completed" when the
// shop's wallet pays it on chain (the page only listens to 'return:changed'); Cancel with a manager's PIN for one
// still awaiting its transfer, by keyboard. Accessible names throughout, the same in Simplified Chinese. Screenshots.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Contract, JsonRpcProvider, Network, NonceManager, Wallet } from 'ethers'
import type { Locator, Page } from 'playwright-core'
import { startDemoChain, type DemoChain } from '../../src/main/chain/demo'
import { systemClock } from '../../src/shared/clock'
import type { ReturnView, SaleView } from '../../src/shared/api/views'
import { buildPaymentUri, parsePaymentUri } from '../../src/shared/payment/eip681'
import { DEMO_CHAIN_ID } from '../../src/shared/payment/tokens'
import type { Result } from '../../src/shared/result'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { unnamedControls } from '../fixtures/a11y'

const COLA = '5901234123013' // 0.99 + 8.25 %
const OJ = '4006381333016' // 3.49 + 2.25 %
const CHEDDAR = '8712345678050' // 4.79 + 2.25 %
/** anvil's account #2, the demo merchant's address: the manager's own wallet in this test (the till has no key). */
const MANAGER_WALLET_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'
const ERC20 = ['function transfer(address to, uint256 amount) returns (bool)']

let chain: DemoChain
let rig: BrowserRig
let office: Page
let provider: JsonRpcProvider

async function value<T>(name: string, input: unknown): Promise<T> {
  const r = (await rig.app.registry.dispatch('cashier', name, input)) as Result<T>
  if (!r.ok) throw new Error(`${name} refused: ${r.error.message}`)
  return r.value
}

function cashSale(code: string): SaleView {
  rig.app.sales.scan(code, 'manual')
  rig.app.sales.tenderCash(rig.app.sales.current()!.dueMinor)
  return rig.app.sales.complete()
}

/** The row of return `number` in the Returns table, found by its row header. */
function returnRow(table: Locator, number: number): Locator {
  return table.getByRole('row').filter({ has: office.getByRole('rowheader', { name: String(number), exact: true }) })
}

interface Rect {
  readonly left: number
  readonly top: number
  readonly width: number
  readonly height: number
}

/** The Returns region cut from a full-page shot (an element shot scrolls, and the sticky navigation lands on it). */
async function shot(file: string, name = 'Returns'): Promise<void> {
  const box = await office.getByRole('region', { name }).evaluate((el) => {
    ;(globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0)
    const r = (el as unknown as { getBoundingClientRect(): Rect }).getBoundingClientRect()
    return { x: r.left, y: r.top, width: r.width, height: r.height }
  })
  await office.screenshot({ path: join(SCREENSHOT_DIR, file), fullPage: true, clip: box })
}

const dollars = (minor: number): string => `$${(minor / 100).toFixed(2)}`

describe('the back office Returns list, in Chromium against anvil', () => {
  beforeAll(async () => {
    chain = await startDemoChain()
    rig = await startBrowserRig({
      clock: systemClock,
      payments: {
        demoUsdcAddress: chain.usdcAddress,
        settings: {
          chains: [{ chainId: DEMO_CHAIN_ID, rpcUrls: [chain.rpcUrl], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 1 } }],
          receive: { kind: 'address', address: chain.merchantAddress },
          pollIntervalMs: 200
        }
      },
      simulatePayment: (request) => chain.simulateCustomerPayment(request)
    })
    const network = Network.from(DEMO_CHAIN_ID)
    provider = new JsonRpcProvider(chain.rpcUrl, network, { staticNetwork: network, cacheTimeout: -1 })
    office = await rig.context.newPage()
    await office.goto(rig.harness.urls.backoffice)
    await office.locator('body[data-ready="true"]').waitFor()
  }, 60_000)
  afterAll(async () => {
    provider?.destroy()
    await rig?.close()
    await chain?.stop()
  })

  it('lists the day\'s returns and follows a stablecoin refund live until the chain shows it paid', async () => {
    const colaSale = cashSale(COLA)
    const ojSale = cashSale(OJ)
    const cash = await value<ReturnView>('return:cash', { saleId: colaSale.id, pin: '1234' })
    const coin = await value<ReturnView>('return:stablecoin', { saleId: ojSale.id, customerAddress: chain.customerAddress, basis: 'fiat', chainId: DEMO_CHAIN_ID, token: 'USDC', pin: '1234' })
    expect(coin.status).toBe('awaiting-transfer')

    await office.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'Returns' }).click()
    const section = office.getByRole('region', { name: 'Returns' })
    const table = section.getByRole('table', { name: 'Returns' })
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2)
    expect((await table.getByRole('columnheader').allTextContents()).map((c) => c.trim())).toEqual(['Return', 'Original sale', 'Method', 'Amount', 'Status', 'Time', 'Action'])
    const cells = async (number: number) => (await returnRow(table, number).getByRole('cell').allTextContents()).map((c) => c.trim())
    expect((await cells(cash.number)).slice(0, 4)).toEqual([String(colaSale.number), 'Cash', dollars(cash.amountMinor), 'Completed'])
    expect((await cells(coin.number)).slice(0, 4)).toEqual([String(ojSale.number), `${coin.stablecoin!.tokenAmount} USDC on ${coin.stablecoin!.chainName}`, dollars(ojSale.totalMinor), 'Awaiting transfer'])
    expect(await returnRow(table, cash.number).getByRole('button').count()).toBe(0) // a completed refund cannot be cancelled
    await shot('backoffice-returns-awaiting.png')

    // The shop's wallet first receives some USDC (a customer's payment), then pays the refund request as shown.
    const request = parsePaymentUri(coin.stablecoin!.uri)
    await chain.simulateCustomerPayment({ uri: buildPaymentUri({ tokenAddress: chain.usdcAddress, chainId: DEMO_CHAIN_ID, to: chain.merchantAddress, amount: request.amount }) })
    const wallet = new NonceManager(new Wallet(MANAGER_WALLET_KEY, provider))
    expect(await wallet.getAddress()).toBe(coin.stablecoin!.fromAddress)
    const tx = (await new Contract(chain.usdcAddress, ERC20, wallet).getFunction('transfer')(request.to, request.amount)) as { wait(): Promise<unknown> }
    await tx.wait()
    await provider.send('evm_mine', [])
    // Nothing reloads the list here: the row changes because the till pushed 'return:changed'.
    await expect.poll(async () => (await cells(coin.number))[3], { timeout: 15_000 }).toBe('Completed')
    expect(rig.app.returns.get(coin.id).status).toBe('completed')
    expect(await unnamedControls(office)).toEqual([])
  })

  it('cancels a stablecoin refund awaiting its transfer with a manager\'s PIN, by keyboard', async () => {
    const sale = cashSale(CHEDDAR)
    const coin = await value<ReturnView>('return:stablecoin', { saleId: sale.id, customerAddress: chain.customerAddress, basis: 'fiat', chainId: DEMO_CHAIN_ID, token: 'USDC', pin: '1234' })
    const section = office.getByRole('region', { name: 'Returns' })
    const table = section.getByRole('table', { name: 'Returns' })
    const cancel = table.getByRole('button', { name: `Cancel return ${coin.number}` })
    await cancel.waitFor()
    await cancel.focus()
    await office.keyboard.press('Enter')
    const dialog = office.getByRole('dialog', { name: 'Manager approval' })
    await dialog.getByLabel('Manager PIN').fill('0000')
    await office.keyboard.press('Enter')
    await expect.poll(() => section.getByRole('alert').textContent()).toMatch(/Wrong manager PIN/)
    expect(rig.app.returns.get(coin.id).status).toBe('awaiting-transfer')
    await cancel.focus()
    await office.keyboard.press('Enter')
    await dialog.getByLabel('Manager PIN').fill('1234')
    await office.keyboard.press('Enter')
    await expect.poll(() => section.getByRole('status').textContent()).toBe(`Return ${coin.number} cancelled: its lines can be returned again.`)
    const row = table.getByRole('row').filter({ has: office.getByRole('rowheader', { name: String(coin.number), exact: true }) })
    await expect.poll(async () => (await row.getByRole('cell').allTextContents())[3]?.trim()).toBe('Cancelled')
    expect(await row.getByRole('button').count()).toBe(0)
    expect(rig.app.returns.get(coin.id).status).toBe('cancelled')
    await shot('backoffice-returns.png')
  })

  it('a day picked shows that day\'s returns, and Back to today returns to the open day', async () => {
    const section = office.getByRole('region', { name: 'Returns' })
    const table = section.getByRole('table', { name: 'Returns' })
    const ymd = (d: Date): string => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
    const now = new Date()
    const yesterday = ymd(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1))
    const picker = section.getByLabel('Returns on')
    await picker.fill(yesterday)
    await expect.poll(() => section.locator('p.empty').textContent()).toBe(`No returns on ${yesterday}.`)
    expect(await table.count()).toBe(0)
    // Today's date: every return asked for today, whatever its status, as the till's own table holds them.
    await picker.fill(ymd(now))
    const todays = (rig.app.db.prepare('SELECT count(*) AS n FROM returns WHERE created_at >= ?').get(new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime()) as { n: number }).n
    expect(todays).toBe(3)
    await expect.poll(() => table.locator('tbody tr').count()).toBe(todays)
    await section.getByRole('button', { name: 'Back to today' }).click()
    expect(await picker.inputValue()).toBe('')
    await expect.poll(() => table.locator('tbody tr').count()).toBe(todays)
    expect(await unnamedControls(office)).toEqual([])
  })

  it('reads the same in Simplified Chinese', async () => {
    await office.locator('#bo-language').click()
    const section = office.getByRole('region', { name: '退货' })
    await section.getByRole('table', { name: '退货' }).waitFor()
    expect(await section.textContent()).toMatch(/已完成[\s\S]*已取消|已取消[\s\S]*已完成/)
    expect(await unnamedControls(office)).toEqual([])
    await shot('backoffice-returns-zh.png', '退货')
    await office.locator('#bo-language').click()
    await office.getByRole('region', { name: 'Returns' }).waitFor()
  })
})
