// The manager's side of issue [F] in Chromium against anvil: a transfer no rule could attribute (a customer typed a
// round amount on a shared address) is assigned to its sale from the back office with a PIN; a payment reversed by a
// reorg after its sale was completed is listed and resolved with a note. Both decisions are journaled by the till.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { startDemoChain, type DemoChain } from '../../src/main/chain/demo'
import { systemClock } from '../../src/shared/clock'
import { buildPaymentUri } from '../../src/shared/payment/eip681'
import { DEMO_CHAIN_ID } from '../../src/shared/payment/tokens'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { unnamedControls } from '../fixtures/a11y'

const COLA = '5901234123013' // 1.07 with tax

let chain: DemoChain
let rig: BrowserRig
let backoffice: Page

async function approve(page: Page, pin: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Manager approval' })
  await dialog.waitFor()
  await dialog.getByRole('textbox', { name: 'Manager PIN' }).fill(pin)
  await dialog.getByRole('button', { name: 'Approve' }).click()
  await dialog.waitFor({ state: 'detached' })
}

function journalKinds(): string[] {
  return (rig.app.db.prepare('SELECT kind FROM journal ORDER BY seq').all() as { kind: string }[]).map((r) => r.kind)
}

describe('payments in the back office, in Chromium against anvil', () => {
  beforeAll(async () => {
    chain = await startDemoChain({ blockTimeSec: 1 })
    rig = await startBrowserRig({
      clock: systemClock,
      payments: {
        demoUsdcAddress: chain.usdcAddress,
        // A shared address (not exclusive): a round amount cannot be guessed and is left to the manager.
        settings: { chains: [{ chainId: DEMO_CHAIN_ID, rpcUrls: [chain.rpcUrl], tokens: ['USDC'] }], receive: { kind: 'address', address: chain.merchantAddress }, pollIntervalMs: 200 }
      },
      simulatePayment: (request) => chain.simulateCustomerPayment(request)
    })
    backoffice = await rig.context.newPage()
    await backoffice.goto(rig.harness.urls.backoffice)
    await backoffice.locator('body[data-ready="true"]').waitFor()
  })
  afterAll(async () => {
    await rig?.close()
    await chain?.stop()
  })

  it('assigns an unattributed round-amount transfer to its sale with a PIN; the sale is then paid', async () => {
    rig.app.sales.scan(COLA, 'wedge')
    const request = await rig.app.checkout.request(DEMO_CHAIN_ID, 'USDC')
    // The customer typed 1.07 by hand: no tag, on an address other tills may share.
    await chain.simulateCustomerPayment({ uri: buildPaymentUri({ tokenAddress: chain.usdcAddress, chainId: DEMO_CHAIN_ID, to: chain.merchantAddress, amount: 1_070_000n }) })
    await expect.poll(() => rig.app.payments!.unattributedTransfers().length, { timeout: 15_000 }).toBe(1)
    expect(rig.app.payments!.get(request.id).amountPaid).toBe('0')

    const table = backoffice.getByRole('region', { name: 'Payments' }).getByRole('table', { name: 'Unattributed transfers' })
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 10_000 }).toBe(1)
    const choice = table.getByRole('combobox', { name: /^What to do with this transfer/ })
    await choice.focus()
    await expect.poll(() => choice.locator('option').count()).toBe(5) // the request, 3 marks, the prompt
    const option = await choice.locator('option', { hasText: rig.app.sales.current()!.id }).getAttribute('value')
    await choice.selectOption(option!)
    await table.getByRole('textbox', { name: /^Note for this transfer/ }).fill('customer showed the wallet')
    await table.getByRole('button', { name: /^Resolve transfer/ }).click()
    await approve(backoffice, '1234')
    await expect.poll(() => backoffice.getByRole('status').filter({ hasText: /Transfer 0x[0-9a-f]{8}… resolved/ }).count()).toBe(1)
    await expect.poll(() => table.count()).toBe(0)
    await expect.poll(() => rig.app.payments!.get(request.id).amountPaid, { timeout: 10_000 }).toBe('1070000')
    expect(journalKinds()).toContain('payment.transfer-resolved')
    expect(await unnamedControls(backoffice)).toEqual([])
  })

  it('lists a payment reversed after its sale was completed, and records how it was dealt with', async () => {
    await expect.poll(() => rig.app.payments!.get(rig.app.checkout.current()!.id).status, { timeout: 15_000 }).toBe('Paid')
    const paymentId = rig.app.checkout.current()!.id
    const sale = rig.app.sales.complete()
    // A fork without the payment's block, from just below it (blocks keep coming every second, so measure the depth).
    const rpc = async <T,>(method: string, params: unknown[]): Promise<T> =>
      ((await (await fetch(chain.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })).json()) as { result: T }).result
    const receipt = await rpc<{ blockNumber: string }>('eth_getTransactionReceipt', [rig.app.payments!.get(paymentId).txHashes[0]])
    const head = Number.parseInt(await rpc<string>('eth_blockNumber', []), 16)
    await rpc('anvil_reorg', [head - Number.parseInt(receipt.blockNumber, 16) + 2, []])
    await expect.poll(() => rig.app.payments!.get(paymentId).exception, { timeout: 15_000 }).toBe('Reversed')

    const table = backoffice.getByRole('region', { name: 'Payments' }).getByRole('table', { name: 'Reversed payments' })
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 10_000 }).toBe(1)
    await backoffice.locator('#payments').screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-payments.png') })
    await table.getByRole('button', { name: `Resolve reversal ${sale.id}` }).click()
    const prompt = backoffice.getByRole('dialog', { name: 'Resolve reversal' })
    await prompt.getByRole('textbox').fill('customer paid again in cash')
    await prompt.getByRole('button', { name: 'Resolve reversal' }).click()
    await approve(backoffice, '1234')
    await expect.poll(() => table.count(), { timeout: 10_000 }).toBe(0)
    expect(rig.app.payments!.get(paymentId).reversal).toMatchObject({ note: 'customer paid again in cash' })
    expect(journalKinds()).toEqual(expect.arrayContaining(['payment.reversed', 'payment.reversal-resolved']))
  })
})
