// Issue [F] point 4 through the whole till: a payment that showed Paid and is then removed by a reorg. On an open
// sale the stablecoin tender is withdrawn, the due comes back, the request stays (Reversed) and can still settle the
// sale if the chain carries the money again; on a completed sale the reversal is journaled and listed for the
// manager until dealt with. Real anvil, real SQLite file; the watcher is driven by pollOnce.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Wallet, type Contract } from 'ethers'
import type { TokenInfo } from '../../../src/shared/payment/tokens'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { ANVIL_KEYS, MERCHANT, startTestChain, type TestChain } from '../../fixtures/anvil'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013' // 0.99 + 8.25 % tax = 1.07

let chain: TestChain
let till: TestTill
let token: Contract

beforeEach(async () => {
  chain = await startTestChain()
  token = await chain.deploy('TestUSDC6')
  await chain.fund(token, 1_000_000n * 1_000_000n)
  const local: TokenInfo = { chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: await token.getAddress(), decimals: 6, bridged: false, source: 'test' }
  till = testTill({
    payments: {
      localTokens: [local],
      startWatcher: false,
      watcher: { startBacklog: 0 },
      settings: { receive: { kind: 'address', address: MERCHANT }, chains: [{ chainId: 31337, rpcUrls: [chain.rpcUrl], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 2 } }] }
    }
  })
  const latest = await chain.provider.getBlock('latest')
  till.clock.set(latest!.timestamp * 1000)
  await till.app.payments!.pollOnce()
})

afterEach(async () => {
  await till.cleanup()
  await chain.stop()
})

/** Pays the open sale's request with a transaction signed here, so the very same one can be mined again later. */
async function payAndSettle(): Promise<{ paymentId: string; raw: string }> {
  const request = await till.app.checkout.request(31337, 'USDC')
  const customer = new Wallet(ANVIL_KEYS.customer, chain.provider)
  const populated = await customer.populateTransaction(await token.getFunction('transfer').populateTransaction(MERCHANT, BigInt(request.amountDue)))
  const raw = await customer.signTransaction(populated)
  await chain.rpc('eth_sendRawTransaction', [raw])
  await chain.mine(2)
  await till.app.payments!.pollOnce()
  expect(till.app.payments!.get(request.id).status).toBe('Paid')
  return { paymentId: request.id, raw }
}

function journalKinds(): string[] {
  return (till.app.db.prepare('SELECT kind FROM journal ORDER BY seq').all() as { kind: string }[]).map((r) => r.kind)
}

describe('a payment reversed after Paid', () => {
  it('on an open sale: the tender is withdrawn, the amount is due again, and the chain can still settle it', async () => {
    const sale = till.app.sales.scan(COLA, 'wedge')
    const events: { status: string; exception: string | null }[] = []
    till.app.events.subscribe((event, payload) => {
      if (event !== 'payment:changed' || !payload) return
      const p = payload as { status: string; exception: string | null }
      events.push({ status: p.status, exception: p.exception })
    })
    const { paymentId, raw } = await payAndSettle()
    expect(till.app.sales.current()).toMatchObject({ dueMinor: 0, paidMinor: sale.totalMinor })

    await chain.rpc('anvil_reorg', [3, []])
    await till.app.payments!.pollOnce()
    const open = till.app.sales.current()!
    expect(open).toMatchObject({ status: 'open', dueMinor: sale.totalMinor, paidMinor: 0 })
    expect(open.tenders).toEqual([expect.objectContaining({ kind: 'stablecoin', returned: true })])
    // The cashier's and the display's payment is the reversed request, never a quiet "New", and it is not cancelled.
    expect(till.app.checkout.current()).toMatchObject({ id: paymentId, status: 'New', exception: 'Reversed' })
    expect(events.at(-1)).toEqual({ status: 'New', exception: 'Reversed' })
    expect(() => till.app.sales.complete()).toThrow()
    expect(journalKinds()).toEqual(expect.arrayContaining(['payment.reversed', 'sale.tender-reversed']))
    // Asking again shows the same request (same QR), and the same transaction mined again settles the sale.
    expect((await till.app.checkout.request(31337, 'USDC')).id).toBe(paymentId)
    await chain.rpc('eth_sendRawTransaction', [raw])
    await chain.mine(2)
    await till.app.payments!.pollOnce()
    expect(till.app.payments!.get(paymentId)).toMatchObject({ status: 'Paid', exception: null })
    expect(till.app.sales.current()).toMatchObject({ dueMinor: 0 })
    const done = till.app.sales.complete()
    expect(done.tenders.filter((t) => !t.returned)).toHaveLength(1)
    expect(journalKinds()).toContain('payment.reinstated')
    expect(verifyJournal(till.app.db).ok).toBe(true)
  })

  it('on a completed sale: flagged Reversed, journaled, listed in the back office until a manager deals with it', async () => {
    till.app.sales.scan(COLA, 'wedge')
    const { paymentId } = await payAndSettle()
    const done = till.app.sales.complete()
    expect(done.status).toBe('completed')

    await chain.rpc('anvil_reorg', [3, []])
    await till.app.payments!.pollOnce()
    expect(till.app.payments!.get(paymentId)).toMatchObject({ exception: 'Reversed', reversal: { resolvedBy: null } })
    const reversed = till.app.db.prepare("SELECT payload FROM journal WHERE kind = 'payment.reversed'").get() as { payload: string }
    expect(JSON.parse(reversed.payload)).toMatchObject({ paymentId, saleStatus: 'completed' })

    const listed = await till.app.registry.dispatch('backoffice', 'payment:reversals', {})
    expect(listed).toMatchObject({ ok: true, value: [{ id: paymentId, saleId: done.id }] })
    // Completing another sale must not cancel the reversed request behind the manager's back.
    till.app.sales.scan(COLA, 'wedge')
    till.app.sales.tenderCash(200)
    till.app.sales.complete()
    expect(till.app.payments!.get(paymentId).exception).toBe('Reversed')

    expect(await till.app.registry.dispatch('backoffice', 'payment:resolve-reversal', { paymentId, note: 'customer paid again in cash', pin: '0000' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await till.app.registry.dispatch('backoffice', 'payment:resolve-reversal', { paymentId, note: 'customer paid again in cash', pin: '1234' })).toMatchObject({
      ok: true,
      value: { reversal: { note: 'customer paid again in cash' } }
    })
    expect(await till.app.registry.dispatch('backoffice', 'payment:reversals', {})).toMatchObject({ ok: true, value: [] })
    expect(verifyJournal(till.app.db).ok).toBe(true)
  })
})
