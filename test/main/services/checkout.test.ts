// Stablecoin checkout through the whole till (sale service + payment service + receipts) on a real SQLite file
// and a real EVM node (anvil on a random port). The watcher is driven by pollOnce so each step is deterministic.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Contract } from 'ethers'
import { parsePaymentUri } from '../../../src/shared/payment/eip681'
import type { TokenInfo } from '../../../src/shared/payment/tokens'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { MERCHANT, startTestChain, type TestChain } from '../../fixtures/anvil'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013' // 0.99 + 8.25 % tax = 1.07
const CHEDDAR = '8712345678050' // 4.79 + 2.25 % = 4.90

let chain: TestChain
let till: TestTill
let token: Contract

async function dispatch(name: string, input: unknown) {
  return till.app.registry.dispatch('cashier', name, input)
}

async function poll() {
  await till.app.payments!.pollOnce()
}

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
      settings: { receive: { kind: 'address', address: MERCHANT, exclusive: true }, chains: [{ chainId: 31337, rpcUrls: [chain.rpcUrl], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 2 } }] }
    }
  })
  const latest = await chain.provider.getBlock('latest')
  till.clock.set(latest!.timestamp * 1000)
  await poll()
})

afterEach(async () => {
  await till.cleanup()
  await chain.stop()
})

describe('stablecoin checkout', () => {
  it('asks for what is due, locks the lines while the request is open, and settles into a tender', async () => {
    till.app.sales.scan(COLA, 'wedge')
    const sale = till.app.sales.scan(CHEDDAR, 'wedge')
    const requested = await dispatch('payment:request', { chainId: 31337, token: 'USDC' })
    expect(requested.ok).toBe(true)
    const payment = (requested as { ok: true; value: { id: string; uri: string; amountDue: string; fiat: { amountMinor: number } } }).value
    expect(payment.fiat.amountMinor).toBe(sale.totalMinor)
    const uri = parsePaymentUri(payment.uri)
    expect(uri.amount - BigInt(sale.totalMinor) * 10_000n).toBeGreaterThan(0n) // the sub-cent tag
    expect(uri.amount - BigInt(sale.totalMinor) * 10_000n).toBeLessThan(10_000n)

    // The amount asked must stay the amount due: no new items while the request is open.
    expect(await dispatch('sale:scan', { code: COLA, source: 'wedge' })).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/stablecoin request is open/) } })

    await chain.pay(token, uri.to, uri.amount)
    await poll()
    expect(till.app.payments!.get(payment.id).status).toBe('Seen')
    expect(till.app.sales.current()!.dueMinor).toBe(sale.totalMinor) // not yet: below the confirmation depth
    await chain.mine(1)
    await poll()
    expect(till.app.payments!.get(payment.id).status).toBe('Paid')
    const paid = till.app.sales.current()!
    expect(paid.dueMinor).toBe(0)
    expect(paid.tenders[0]!.stablecoin).toMatchObject({ paymentId: payment.id, tokenSymbol: 'USDC', tokenAmount: expect.stringMatching(/^\d+\.\d{6}$/), unverified: false })

    const done = await dispatch('sale:complete', {})
    expect(done).toMatchObject({ ok: true, value: { status: 'completed' } })
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
    const kinds = (till.app.db.prepare("SELECT kind FROM journal WHERE kind LIKE 'payment.%'").all() as { kind: string }[]).map((r) => r.kind)
    expect(kinds).toContain('payment.state-changed')
  })

  it('a partial payment accepted by a manager (PIN) becomes a partial tender; the rest is taken in cash', async () => {
    const sale = till.app.sales.scan(CHEDDAR, 'wedge') // 4.90
    const { value: payment } = (await dispatch('payment:request', { chainId: 31337, token: 'USDC' })) as { ok: true; value: { id: string; uri: string } }
    const uri = parsePaymentUri(payment.uri)
    await chain.pay(token, uri.to, 3_000_000n) // 3.00 of 4.90
    await chain.mine(2)
    await poll()
    expect(till.app.payments!.get(payment.id)).toMatchObject({ exception: 'PaidPartial' })

    expect(await dispatch('payment:accept', { paymentId: payment.id, pin: '0000' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: /Wrong manager PIN/ } })
    expect(await dispatch('payment:accept', { paymentId: payment.id, pin: '1234' })).toMatchObject({ ok: true, value: { status: 'Paid', exception: 'Marked' } })
    const partly = till.app.sales.current()!
    expect(partly.paidMinor).toBe(300)
    expect(partly.dueMinor).toBe(sale.totalMinor - 300)
    till.app.sales.tenderCash(500)
    const done = till.app.sales.complete()
    expect(done.tenders.map((t) => [t.kind, t.amountMinor])).toEqual([
      ['stablecoin', 300],
      ['cash', sale.totalMinor - 300]
    ])
    const approvals = till.app.db.prepare("SELECT kind FROM journal WHERE kind LIKE 'approval.%' ORDER BY seq").all()
    expect(approvals).toEqual([{ kind: 'approval.refused' }, { kind: 'approval.granted' }])
  })

  it('with every RPC down, a manager can release the goods unverified; the watcher confirms the payment later', async () => {
    till.app.sales.scan(COLA, 'wedge')
    const { value: payment } = (await dispatch('payment:request', { chainId: 31337, token: 'USDC' })) as { ok: true; value: { id: string; uri: string } }
    // Reachable chain: releasing unverified is refused (wait for the payment instead).
    expect(await dispatch('payment:release-unverified', { paymentId: payment.id, pin: '1234' })).toMatchObject({ ok: false, error: { code: 'conflict' } })

    chain.proxy.cut()
    const uri = parsePaymentUri(payment.uri)
    await chain.pay(token, uri.to, uri.amount)
    for (let i = 0; i < 4; i++) await poll().catch(() => undefined)
    expect(await dispatch('payment:release-unverified', { paymentId: payment.id, pin: '1234' })).toMatchObject({ ok: true })
    const released = till.app.sales.current()!
    expect(released.dueMinor).toBe(0)
    expect(released.tenders[0]!.stablecoin).toMatchObject({ unverified: true })
    const done = till.app.sales.complete()
    expect(done.status).toBe('completed')

    chain.proxy.restore()
    await chain.mine(3)
    for (let i = 0; i < 5 && till.app.payments!.get(payment.id).status !== 'Paid'; i++) await poll().catch(() => undefined)
    expect(till.app.payments!.get(payment.id)).toMatchObject({ status: 'Paid', releasedUnverified: { by: 'M1' } })
  })

  it('a sale paid in cash instead cancels its untouched stablecoin request', async () => {
    till.app.sales.scan(COLA, 'wedge')
    const { value: payment } = (await dispatch('payment:request', { chainId: 31337, token: 'USDC' })) as { ok: true; value: { id: string } }
    expect(await dispatch('payment:cancel', { paymentId: payment.id })).toMatchObject({ ok: true, value: { status: 'Invalid' } })
    till.app.sales.tenderCash(200)
    till.app.sales.complete()
    expect(till.app.payments!.get(payment.id).status).toBe('Invalid')
  })

  it('a token whose decimals() disagree with its pinned details turns stablecoin payments off, loudly', async () => {
    const wrong = await chain.deploy('TestUSDC18') // says 18 decimals on chain
    const other = testTill({
      payments: {
        localTokens: [{ chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: await wrong.getAddress(), decimals: 6, bridged: false, source: 'test: pinned as 6 decimals' }],
        startWatcher: false,
        settings: { receive: { kind: 'address', address: MERCHANT }, chains: [{ chainId: 31337, rpcUrls: [chain.rpcUrl], tokens: ['USDC'] }] }
      }
    })
    try {
      other.app.sales.scan(COLA, 'wedge')
      // The check runs in the background (a request never waits on the chain); once it has found the mismatch,
      // requests are refused, and the verdict is remembered in the ledger across a restart.
      await other.app.checkout.verifyTokens()
      const refused = await other.app.registry.dispatch('cashier', 'payment:request', { chainId: 31337, token: 'USDC' })
      expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/does not match its pinned details.*decimals/) } })
      expect(await other.app.registry.dispatch('cashier', 'payment:options', {})).toMatchObject({ ok: true, value: { enabled: false, reason: expect.stringMatching(/pinned details/) } })
      other.reopen()
      expect(await other.app.registry.dispatch('cashier', 'payment:options', {})).toMatchObject({ ok: true, value: { enabled: false, reason: expect.stringMatching(/decimals/) } })
    } finally {
      await other.cleanup()
    }
  })

  it("reads the store's stablecoin settings from its ledger when the host gives none", async () => {
    const dataDir = till.dataDir
    const settings = { receive: { kind: 'address', address: MERCHANT }, chains: [{ chainId: 8453, rpcUrls: ['http://127.0.0.1:9/'], tokens: ['USDC'] }] }
    till.app.db.prepare("INSERT INTO settings (key, value) VALUES ('payments', ?)").run(JSON.stringify(settings))
    await till.app.close()
    const { createApp } = await import('../../../src/main/app')
    const reopened = createApp({ dataDir, clock: till.clock })
    try {
      expect(await reopened.registry.dispatch('cashier', 'payment:options', {})).toMatchObject({
        ok: true,
        value: { enabled: true, choices: [{ chainId: 8453, chainName: 'Base', tokens: ['USDC'] }], canSimulate: false }
      })
    } finally {
      await reopened.close()
    }
    till.app = createApp({ dataDir, clock: till.clock })
  })
})
