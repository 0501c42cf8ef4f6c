// The whole stablecoin checkout as a customer and a cashier see it: the QR on the customer display is read from a
// screenshot, parsed as EIP-681 and paid from a test wallet the way a wallet app would; the cashier sees Paid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Contract, JsonRpcProvider, Network, Wallet } from 'ethers'
import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import type { Page } from 'playwright-core'
import { startDemoChain, type DemoChain } from '../../src/main/chain/demo'
import { systemClock } from '../../src/shared/clock'
import { parsePaymentUri } from '../../src/shared/payment/eip681'
import { DEMO_CHAIN_ID } from '../../src/shared/payment/tokens'
import demoUsdc from '../../resources/contracts/DemoUSDC.json'
import { decodeEscPos } from '../fixtures/escpos-decoder'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { typeAt } from '../fixtures/keyboard'
import { unnamedControls } from '../fixtures/a11y'

const COLA = '5901234123013'
const CHEDDAR = '8712345678050'

let chain: DemoChain
let rig: BrowserRig
let cashier: Page
let display: Page
let provider: JsonRpcProvider

async function ready(url: string): Promise<Page> {
  const page = await rig.context.newPage()
  await page.goto(url)
  await page.locator('body[data-ready="true"]').waitFor()
  return page
}

describe('stablecoin checkout in Chromium against anvil', () => {
  beforeAll(async () => {
    chain = await startDemoChain()
    rig = await startBrowserRig({
      clock: systemClock,
      payments: {
        demoUsdcAddress: chain.usdcAddress,
        settings: { chains: [{ chainId: DEMO_CHAIN_ID, rpcUrls: [chain.rpcUrl], tokens: ['USDC'] }], receive: { kind: 'address', address: chain.merchantAddress }, pollIntervalMs: 200 }
      },
      simulatePayment: (request) => chain.simulateCustomerPayment(request)
    })
    const network = Network.from(DEMO_CHAIN_ID)
    provider = new JsonRpcProvider(chain.rpcUrl, network, { staticNetwork: network, cacheTimeout: -1 })
    cashier = await ready(rig.harness.urls.cashier)
    display = await ready(rig.harness.urls.display)
  })
  afterAll(async () => {
    provider?.destroy()
    await rig?.close()
    await chain?.stop()
  })

  it('the display QR decodes to an EIP-681 request that a wallet pays, and the cashier sees Paid', async () => {
    for (const code of [COLA, CHEDDAR]) await typeAt(cashier, `${code}\n`, 5)
    await expect.poll(() => cashier.getByRole('grid', { name: 'Cart' }).locator('tbody tr').count()).toBe(2)
    const sale = rig.app.sales.current()!
    await cashier.getByRole('button', { name: 'Pay with stablecoin' }).click()
    await expect.poll(() => cashier.getByRole('status', { name: 'Payment status' }).textContent()).toMatch(/^New — waiting for \d+\.\d{6} USDC on /)

    const qr = display.getByRole('img', { name: 'Payment QR code' })
    await qr.waitFor()
    await expect.poll(() => display.getByRole('status', { name: 'Network' }).textContent()).toBe('Demo chain (local)')
    expect(await unnamedControls(cashier)).toEqual([])
    expect(await unnamedControls(display)).toEqual([])
    const shot = join(SCREENSHOT_DIR, 'customer-display-qr.png')
    await display.screenshot({ path: shot })

    // Read the QR from the screenshot of the whole display, as a phone camera would see it.
    const png = PNG.sync.read(await display.screenshot())
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height)
    expect(decoded, 'QR readable from the display screenshot').not.toBeNull()
    // A second, independent reader (zbar) agrees.
    const zbar = execFileSync('zbarimg', ['--quiet', '--raw', shot], { encoding: 'utf8' }).trim()
    expect(zbar).toBe(decoded!.data)

    const request = parsePaymentUri(decoded!.data)
    expect(request.chainId).toBe(DEMO_CHAIN_ID)
    expect(request.to.toLowerCase()).toBe(chain.merchantAddress.toLowerCase())
    const amountText = await display.getByRole('status', { name: 'Amount due' }).textContent()
    expect(amountText).toBe(`${(request.amount / 1_000_000n).toString()}.${(request.amount % 1_000_000n).toString().padStart(6, '0')} USDC`)
    // The request asks for the sale's total in USDC plus a sub-cent tag, never more than a cent above the price.
    const priceUnits = BigInt(sale.totalMinor) * 10_000n
    expect(request.amount >= priceUnits && request.amount < priceUnits + 10_000n).toBe(true)

    // A wallet app: a fresh key, gas and demo USDC, then ERC-20 transfer(to, uint256) on the requested token.
    const wallet = Wallet.createRandom().connect(provider)
    await provider.send('anvil_setBalance', [wallet.address, '0xDE0B6B3A7640000'])
    const deployer = new Wallet('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80', provider)
    await (await (new Contract(chain.usdcAddress, demoUsdc.abi, deployer).getFunction('mint')(wallet.address, 1_000_000_000n) as Promise<{ wait(): Promise<unknown> }>)).wait()
    const token = new Contract(request.tokenAddress, demoUsdc.abi, wallet)
    await (await (token.getFunction('transfer')(request.to, request.amount) as Promise<{ wait(): Promise<unknown> }>)).wait()

    await expect.poll(() => cashier.getByRole('status', { name: 'Payment status' }).textContent(), { timeout: 10_000 }).toMatch(/^(Seen|Paid)/)
    await provider.send('evm_mine', [])
    await provider.send('evm_mine', [])
    await expect.poll(() => cashier.getByRole('status', { name: 'Payment status' }).textContent(), { timeout: 10_000 }).toMatch(/^Paid/)
    await expect.poll(() => display.getByRole('status', { name: 'Payment status' }).textContent()).toBe('Paid')
    await expect.poll(() => rig.app.sales.current()?.dueMinor).toBe(0)
    await cashier.screenshot({ path: join(SCREENSHOT_DIR, 'cashier-paid.png') })

    await cashier.getByRole('button', { name: 'Complete sale' }).click()
    await expect.poll(() => rig.app.sales.get(sale.id).status).toBe('completed')
    const done = rig.app.sales.get(sale.id)
    expect(done.tenders).toHaveLength(1)
    expect(done.tenders[0]!.stablecoin).toMatchObject({ tokenSymbol: 'USDC', chainId: DEMO_CHAIN_ID, rate: '1', unverified: false })
    expect(done.tenders[0]!.stablecoin!.txHash).toMatch(/^0x[0-9a-f]{64}$/)

    // The receipt printed on the demo's virtual printer carries the stablecoin details and a QR to the transaction.
    await expect.poll(() => rig.app.receipts.queue.pending().length).toBe(0)
    const preview = rig.app.receipts.preview()!
    writeFileSync(join(SCREENSHOT_DIR, 'receipt-stablecoin.svg'), preview.svg)
    const bytes = (await import('node:fs')).readFileSync(join(rig.dataDir, 'printer', 'receipt.escpos'))
    const receipt = decodeEscPos(bytes)
    const text = receipt.lines.join('\n')
    expect(text).toContain('USDC')
    expect(text).toContain('Demo chain (local)')
    expect(receipt.qrCodes.some((q) => q.payload?.includes(done.tenders[0]!.stablecoin!.txHash!) ?? false)).toBe(true)
  })

  it('the demo "Simulate customer payment" control pays the exact request', async () => {
    await typeAt(cashier, `${COLA}\n`, 5)
    await expect.poll(() => rig.app.sales.current()?.lines.length).toBe(1)
    await cashier.getByRole('button', { name: 'Pay with stablecoin' }).click()
    await cashier.getByRole('button', { name: 'Simulate customer payment' }).click()
    await expect.poll(() => cashier.getByRole('status', { name: 'Payment status' }).textContent(), { timeout: 10_000 }).toMatch(/^(Seen|Paid)/)
    await provider.send('evm_mine', [])
    await provider.send('evm_mine', [])
    await expect.poll(() => cashier.getByRole('status', { name: 'Payment status' }).textContent(), { timeout: 10_000 }).toMatch(/^Paid/)
  })
})
