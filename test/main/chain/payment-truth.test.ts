// Issue [F], points 1 and 4, on a real anvil with real SQLite ledgers: which request a transfer credits when several
// tills share one address (the attribution table in src/main/services/payments.ts), a manager dealing with what no
// rule could attribute, reversal after Paid, and the store's "finalized above an amount" policy.
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Wallet, type Contract } from 'ethers'
import { ManualClock } from '../../../src/shared/clock'
import type { TokenInfo } from '../../../src/shared/payment/tokens'
import { PaymentService } from '../../../src/main/services/payments'
import { isAnvilAvailable } from '../../../src/main/chain/anvil'
import { tempLedger, type TempLedger } from '../../fixtures/ledger'
import { ANVIL_KEYS, MERCHANT, startTestChain, type TestChain } from '../../fixtures/anvil'

const CONFIRMATIONS = 3

interface Till {
  readonly ledger: TempLedger
  readonly service: PaymentService
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function chainWithToken(extraArgs: readonly string[] = []): Promise<{ chain: TestChain; token: Contract; local: TokenInfo; clock: ManualClock }> {
  const chain = await startTestChain({ extraArgs })
  cleanups.push(() => chain.stop())
  const token = await chain.deploy('TestUSDC6')
  await chain.fund(token, 1_000_000n * 10n ** 6n)
  const latest = await chain.provider.getBlock('latest')
  const clock = new ManualClock(latest!.timestamp * 1000)
  const local: TokenInfo = { chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: await token.getAddress(), decimals: 6, bridged: false, source: 'test' }
  return { chain, token, local, clock }
}

async function till(
  chain: TestChain,
  local: TokenInfo,
  clock: ManualClock,
  tillNumber: number,
  options: { exclusive?: boolean; finalizedAboveMinor?: number | null } = {}
): Promise<Till> {
  const ledger = tempLedger()
  let n = 0
  const service = new PaymentService({
    db: ledger.db,
    tillId: `till-${tillNumber}`,
    clock,
    newId: () => `t${tillNumber}-pay-${++n}`,
    localTokens: [local],
    settings: {
      tillNumber,
      maxTills: 8,
      receive: { kind: 'address', address: MERCHANT, exclusive: options.exclusive ?? false },
      chains: [
        { chainId: 31337, rpcUrls: [chain.rpcUrl], tokens: ['USDC'], confirmations: { kind: 'blocks', count: CONFIRMATIONS }, finalizedAboveMinor: options.finalizedAboveMinor ?? null }
      ]
    },
    rpcTimeoutMs: 2000,
    watcher: { startBacklog: 0 }
  })
  cleanups.push(async () => {
    await service.stop()
    ledger.cleanup()
  })
  await service.pollOnce()
  return { ledger, service }
}

function journal(t: Till, kind: string): Record<string, unknown>[] {
  return (t.ledger.db.prepare('SELECT payload FROM journal WHERE kind = ? ORDER BY seq').all(kind) as { payload: string }[]).map((r) => JSON.parse(r.payload) as Record<string, unknown>)
}

async function pollAll(...tills: Till[]): Promise<void> {
  for (const t of tills) await t.service.pollOnce()
}

describe.skipIf(!isAnvilAvailable())('two tills on one shared address', () => {
  it('paying till 2 for the same price credits exactly till 2; till 1 leaves it as the other till’s', async () => {
    const { chain, token, local, clock } = await chainWithToken()
    const one = await till(chain, local, clock, 1)
    const two = await till(chain, local, clock, 2)
    const a = await one.service.createRequest({ saleId: 'sale-1a', amountMinor: 1234, currency: 'USD', token: 'USDC', chainId: 31337 })
    const b = await two.service.createRequest({ saleId: 'sale-2a', amountMinor: 1234, currency: 'USD', token: 'USDC', chainId: 31337 })
    // The tag ranges keep the two amounts apart without any coordination between the tills.
    expect(a.amountDue).not.toBe(b.amountDue)
    await chain.pay(token, MERCHANT, BigInt(b.amountDue))
    await chain.mine(CONFIRMATIONS)
    await pollAll(one, two)
    expect(two.service.get(b.id)).toMatchObject({ status: 'Paid', amountPaid: b.amountDue })
    expect(one.service.get(a.id)).toMatchObject({ status: 'New', amountPaid: '0' })
    // Till 1 knows whose it was: not listed for its manager as unattributed, journaled as the other till's.
    expect(one.service.unattributedTransfers()).toEqual([])
    expect(journal(one, 'payment.transfer-other-till')).toHaveLength(1)
    expect(journal(one, 'payment.transfer-credited')).toHaveLength(0)
  })

  it('a different amount carrying till 2’s tag (a partial payment) never settles till 1', async () => {
    const { chain, token, local, clock } = await chainWithToken()
    const one = await till(chain, local, clock, 1)
    const two = await till(chain, local, clock, 2)
    const a = await one.service.createRequest({ saleId: 'sale-1a', amountMinor: 500, currency: 'USD', token: 'USDC', chainId: 31337 })
    const b = await two.service.createRequest({ saleId: 'sale-2a', amountMinor: 900, currency: 'USD', token: 'USDC', chainId: 31337 })
    // Till 2's customer pays 6.00 plus till 2's tag: more than till 1's 5.00 (the old fallback called that PaidOver).
    const tag = BigInt(b.amountDue) % 10_000n
    await chain.pay(token, MERCHANT, 6_000_000n + tag)
    await chain.mine(CONFIRMATIONS)
    await pollAll(one, two)
    expect(one.service.get(a.id)).toMatchObject({ status: 'New', exception: null, amountPaid: '0' })
    expect(two.service.get(b.id)).toMatchObject({ status: 'New', exception: 'PaidPartial', amountPaid: (6_000_000n + tag).toString() })
  })

  it('a round amount with no tag is attributed by neither till; a manager assigns it, journaled, and the sale is paid', async () => {
    const { chain, token, local, clock } = await chainWithToken()
    const one = await till(chain, local, clock, 1)
    const two = await till(chain, local, clock, 2)
    const a = await one.service.createRequest({ saleId: 'sale-1a', amountMinor: 300, currency: 'USD', token: 'USDC', chainId: 31337 })
    await two.service.createRequest({ saleId: 'sale-2a', amountMinor: 300, currency: 'USD', token: 'USDC', chainId: 31337 })
    const txHash = await chain.pay(token, MERCHANT, 3_000_000n) // the customer typed 3.00: whose sale was it?
    await chain.mine(CONFIRMATIONS)
    await pollAll(one, two)
    expect(one.service.get(a.id)).toMatchObject({ status: 'New', amountPaid: '0' })
    const [transfer] = one.service.unattributedTransfers()
    expect(transfer).toMatchObject({ txHash, value: '3000000', rule: 'unattributed', tokenSymbol: 'USDC', resolution: null })
    expect(two.service.unattributedTransfers()).toHaveLength(1)

    expect(one.service.assignableRequests(31337, txHash, transfer!.logIndex).map((p) => p.id)).toEqual([a.id])
    const resolved = one.service.resolveTransfer({ chainId: 31337, txHash, logIndex: transfer!.logIndex, action: 'assigned', paymentId: a.id, note: 'customer showed the wallet' }, 'manager-ann')
    expect(resolved).toMatchObject({ resolution: 'assigned', rule: 'manual', resolvedBy: 'manager-ann' })
    expect(one.service.get(a.id)).toMatchObject({ status: 'Paid', amountPaid: '3000000' })
    expect(one.service.unattributedTransfers()).toEqual([])
    expect(journal(one, 'payment.transfer-resolved')).toEqual([expect.objectContaining({ action: 'assigned', paymentId: a.id, approvedBy: 'manager-ann' })])
    expect(() => one.service.resolveTransfer({ chainId: 31337, txHash, logIndex: transfer!.logIndex, action: 'not-ours', note: '' }, 'manager-ann')).toThrow(/already/)

    // Till 2's manager marks the same transfer as not theirs: it leaves that till's list.
    two.service.resolveTransfer({ chainId: 31337, txHash, logIndex: transfer!.logIndex, action: 'not-ours', note: 'till 1 took it' }, 'manager-bo')
    expect(two.service.unattributedTransfers()).toEqual([])
  })

  it('with the store saying this till is alone on the address, a round amount credits its only open request', async () => {
    const { chain, token, local, clock } = await chainWithToken()
    const one = await till(chain, local, clock, 1, { exclusive: true })
    const a = await one.service.createRequest({ saleId: 'sale-1a', amountMinor: 300, currency: 'USD', token: 'USDC', chainId: 31337 })
    await chain.pay(token, MERCHANT, 3_000_000n)
    await chain.mine(CONFIRMATIONS)
    await one.service.pollOnce()
    expect(one.service.get(a.id)).toMatchObject({ status: 'Paid', amountPaid: '3000000' })
    expect(journal(one, 'payment.transfer-credited')).toEqual([expect.objectContaining({ rule: 'price' })])
  })
})

describe.skipIf(!isAnvilAvailable())('reversal after Paid', () => {
  async function paidThenReorged(): Promise<{ t: Till; id: string; raw: string; txHash: string; chain: TestChain }> {
    const { chain, token, local, clock } = await chainWithToken()
    const t = await till(chain, local, clock, 1)
    const req = await t.service.createRequest({ saleId: 'sale-1', amountMinor: 777, currency: 'USD', token: 'USDC', chainId: 31337 })
    const customer = new Wallet(ANVIL_KEYS.customer, chain.provider)
    const populated = await customer.populateTransaction(await token.getFunction('transfer').populateTransaction(MERCHANT, BigInt(req.amountDue)))
    const raw = await customer.signTransaction(populated)
    const txHash = await chain.rpc<string>('eth_sendRawTransaction', [raw])
    await chain.mine(CONFIRMATIONS)
    await t.service.pollOnce()
    expect(t.service.get(req.id)).toMatchObject({ status: 'Paid' })
    expect(t.service.get(req.id).settledAt).not.toBeNull()
    // A deeper fork than the confirmation depth drops the payment.
    await chain.rpc('anvil_reorg', [CONFIRMATIONS + 1, []])
    await t.service.pollOnce()
    return { t, id: req.id, raw, txHash, chain }
  }

  it('is Reversed, never a plain New; journaled, listed for the manager, and Paid again when the chain carries it', async () => {
    const { t, id, raw, txHash, chain } = await paidThenReorged()
    const view = t.service.get(id)
    expect(view).toMatchObject({ status: 'New', exception: 'Reversed', amountPaid: '0' })
    expect(view.reversal).toMatchObject({ resolvedBy: null })
    expect(journal(t, 'payment.reversed')).toEqual([expect.objectContaining({ paymentId: id, amountPaid: '0' })])
    expect(t.service.openReversals().map((p) => p.id)).toEqual([id])

    expect(await chain.rpc<string>('eth_sendRawTransaction', [raw])).toBe(txHash)
    await chain.mine(CONFIRMATIONS)
    await t.service.pollOnce()
    expect(t.service.get(id)).toMatchObject({ status: 'Paid', exception: null, reversal: { resolvedBy: 'chain' } })
    expect(journal(t, 'payment.reinstated')).toHaveLength(1)
    expect(t.service.openReversals()).toEqual([])
  })

  it('stays listed until a manager records how it was dealt with', async () => {
    const { t, id } = await paidThenReorged()
    expect(() => t.service.resolveReversal('nope', 'x', 'manager-ann')).toThrow()
    const resolved = t.service.resolveReversal(id, 'customer paid again in cash', 'manager-ann')
    expect(resolved).toMatchObject({ exception: 'Reversed', reversal: { resolvedBy: 'manager-ann', note: 'customer paid again in cash' } })
    expect(t.service.openReversals()).toEqual([])
    expect(journal(t, 'payment.reversal-resolved')).toEqual([expect.objectContaining({ paymentId: id, approvedBy: 'manager-ann' })])
  })
})

describe.skipIf(!isAnvilAvailable())('store policy: large sales wait for finality', () => {
  it('above the amount a request is Paid only at the finalized block; below it at the usual depth', async () => {
    // anvil's `finalized` is two epochs below the head: with 2-slot epochs, 4 blocks.
    const { chain, token, local, clock } = await chainWithToken(['--slots-in-an-epoch', '2'])
    const t = await till(chain, local, clock, 1, { finalizedAboveMinor: 10_000 })
    const small = await t.service.createRequest({ saleId: 'sale-small', amountMinor: 999, currency: 'USD', token: 'USDC', chainId: 31337 })
    const large = await t.service.createRequest({ saleId: 'sale-large', amountMinor: 25_000, currency: 'USD', token: 'USDC', chainId: 31337 })
    expect(small.confirmationKind).toBe('blocks')
    expect(large.confirmationKind).toBe('finalized')
    await chain.pay(token, MERCHANT, BigInt(small.amountDue))
    await chain.pay(token, MERCHANT, BigInt(large.amountDue))
    await chain.mine(CONFIRMATIONS)
    await t.service.pollOnce()
    expect(t.service.get(small.id).status).toBe('Paid')
    expect(t.service.get(large.id).status).toBe('Seen')
    await chain.mine(6)
    await t.service.pollOnce()
    expect(t.service.get(large.id).status).toBe('Paid')
  })
})

describe.skipIf(!isAnvilAvailable())('one failing chain', () => {
  it('never hides or slows another: a payment on the live chain is Paid while the other chain is down, and health says which', async () => {
    const { chain, token, local } = await chainWithToken()
    // Base behind an endpoint that accepts connections and never answers (the worst kind of dead).
    const held = new Set<Socket>()
    const hung = createServer((socket) => {
      held.add(socket)
      socket.on('close', () => held.delete(socket))
    })
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve))
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of held) socket.destroy()
          hung.close(() => resolve())
        })
    )
    const hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/`
    const ledger = tempLedger()
    // Real time here: each chain runs its own watcher loop, as at the counter.
    const service = new PaymentService({
      db: ledger.db,
      tillId: 'till-1',
      localTokens: [local],
      settings: {
        tillNumber: 1,
        receive: { kind: 'address', address: MERCHANT },
        pollIntervalMs: 200,
        chains: [
          { chainId: 8453, rpcUrls: [hungUrl], tokens: ['USDC'] },
          { chainId: 31337, rpcUrls: [chain.rpcUrl], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 1 } }
        ]
      },
      watcher: { startBacklog: 0 }
    })
    cleanups.push(async () => {
      await service.stop()
      ledger.cleanup()
    })
    service.start()
    const req = await service.createRequest({ saleId: 'sale-1', amountMinor: 250, currency: 'USD', token: 'USDC', chainId: 31337 })
    const started = Date.now()
    await chain.pay(token, MERCHANT, BigInt(req.amountDue))
    await chain.mine(1)
    await expect.poll(() => service.get(req.id).status, { timeout: 5_000, interval: 50 }).toBe('Paid')
    // Seen within a few polls of the live chain, not after the dead chain's deadlines and backoff.
    expect(Date.now() - started).toBeLessThan(5_000)
    await expect.poll(() => service.health().map((h) => [h.chainId, h.status]), { timeout: 20_000, interval: 200 }).toEqual([
      [8453, 'down'],
      [31337, 'up']
    ])
  }, 40_000)
})
