// Payment detection against a real EVM node (anvil on a random port, started per test) and a real SQLite ledger.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Wallet, type Contract } from 'ethers'
import { ManualClock } from '../../../src/shared/clock'
import { parsePaymentUri } from '../../../src/shared/payment/eip681'
import type { TokenInfo } from '../../../src/shared/payment/tokens'
import { PaymentService, type PaymentChange } from '../../../src/main/services/payments'
import { isAnvilAvailable } from '../../../src/main/chain/anvil'
import { tempLedger, type TempLedger } from '../../fixtures/ledger'
import { ANVIL_KEYS, MERCHANT, startTestChain, type TestChain } from '../../fixtures/anvil'

const CONFIRMATIONS = 3

interface Setup {
  chain: TestChain
  ledger: TempLedger
  token: Contract
  service: PaymentService
  clock: ManualClock
  changes: PaymentChange[]
}

let current: Setup | null = null

async function setup(options: { contract?: string; symbol?: 'USDC' | 'USDT'; decimals?: number; maxRange?: number; exclusive?: boolean } = {}): Promise<Setup> {
  const chain = await startTestChain()
  const ledger = tempLedger()
  const token = await chain.deploy(options.contract ?? 'TestUSDC6')
  const symbol = options.symbol ?? 'USDC'
  const decimals = options.decimals ?? 6
  await chain.fund(token, 1_000_000n * 10n ** BigInt(decimals))
  const latest = await chain.provider.getBlock('latest')
  const clock = new ManualClock(latest!.timestamp * 1000)
  const local: TokenInfo = { chainId: 31337, symbol, onChainSymbols: [symbol], address: await token.getAddress(), decimals, bridged: false, source: 'test' }
  let n = 0
  const service = new PaymentService({
    db: ledger.db,
    tillId: 'till-1',
    clock,
    newId: () => `pay-${++n}`,
    localTokens: [local],
    settings: {
      tillNumber: 1,
      // One till alone on its address (the store says so), unless a test says otherwise.
      receive: { kind: 'address', address: MERCHANT, exclusive: options.exclusive ?? true },
      chains: [{ chainId: 31337, rpcUrls: [chain.rpcUrl], tokens: [symbol], confirmations: { kind: 'blocks', count: CONFIRMATIONS } }]
    },
    rpcTimeoutMs: 2000,
    watcher: { maxRange: options.maxRange ?? 2000, startBacklog: 0 }
  })
  const changes: PaymentChange[] = []
  service.onChange((c) => changes.push(c))
  await service.pollOnce() // sets the cursor at the head, like a till that was running before the sale
  current = { chain, ledger, token, service, clock, changes }
  return current
}

afterEach(async () => {
  if (!current) return
  await current.service.stop()
  await current.chain.stop()
  current.ledger.cleanup()
  current = null
})

function journalKinds(ledger: TempLedger, kind: string): { payload: string }[] {
  return ledger.db.prepare('SELECT payload FROM journal WHERE kind = ? ORDER BY seq').all(kind) as { payload: string }[]
}

describe.skipIf(!isAnvilAvailable())('payment watcher on anvil', () => {
  let s: Setup
  beforeEach(async () => {
    s = await setup()
  })

  it('an exact payment is Seen on its first block, then Paid at the confirmation threshold', async () => {
    const req = await s.service.createRequest({ saleId: 'sale-1', amountMinor: 1234, currency: 'USD', token: 'USDC', chainId: 31337 })
    expect(req.status).toBe('New')
    expect(req.amountDue).toBe('12340001') // 12.34 USDC + tag 0.000001 (till 1, slot 1)
    const wallet = parsePaymentUri(req.uri) // the customer's wallet reads the QR
    expect(wallet.to).toBe(MERCHANT)
    const tx = await s.chain.pay(s.token, wallet.to, wallet.amount)
    await s.service.pollOnce()
    let view = s.service.get(req.id)
    expect(view.status).toBe('Seen')
    expect(view.confirmations).toBe(1)
    expect(view.txHashes).toEqual([tx])
    await s.chain.mine(1)
    await s.service.pollOnce()
    expect(s.service.get(req.id).status).toBe('Seen')
    await s.chain.mine(1)
    await s.service.pollOnce()
    view = s.service.get(req.id)
    expect(view).toMatchObject({ status: 'Paid', exception: null, amountPaid: '12340001', confirmations: 3, confirmationsRequired: 3 })
    const transitions = journalKinds(s.ledger, 'payment.state-changed').map((r) => JSON.parse(r.payload) as { from: string; to: string })
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['New->Seen', 'Seen->Paid'])
    expect(s.changes.filter((c) => c.stateChanged).map((c) => c.payment.status)).toEqual(['New', 'Seen', 'Paid'])
    expect(view.fiat).toMatchObject({ amountMinor: 1234, currency: 'USD', rate: '1', rateSource: 'peg' })
  })

  it('windows are told each confirmation up to the depth needed, then nothing more while the paid request is held', async () => {
    const req = await s.service.createRequest({ saleId: 'sale-1', amountMinor: 500, currency: 'USD', token: 'USDC', chainId: 31337 })
    await s.chain.pay(s.token, MERCHANT, BigInt(req.amountDue))
    for (let block = 0; block < 8; block++) {
      await s.service.pollOnce()
      s.service.refresh() // the once-a-second refresh, between blocks
      await s.chain.mine(1)
    }
    await s.service.pollOnce()
    // Still held (its late window runs for hours), so every poll and every refresh looked at it again.
    expect(s.service.get(req.id)).toMatchObject({ status: 'Paid', confirmations: 9 })
    const told = s.changes.filter((c) => c.payment.id === req.id).map((c) => `${c.payment.status} ${c.payment.confirmations}`)
    expect(told).toEqual(['New 0', 'Seen 1', 'Seen 2', 'Paid 3'])
  })

  it('an underpayment is PaidPartial; the tagged top-up completes it even with another request open', async () => {
    const a = await s.service.createRequest({ saleId: 'sale-a', amountMinor: 1234, currency: 'USD', token: 'USDC', chainId: 31337 })
    await s.chain.pay(s.token, MERCHANT, 10_000_000n) // the customer only had 10 USDC
    await s.chain.mine(CONFIRMATIONS)
    await s.service.pollOnce()
    let view = s.service.get(a.id)
    expect(view).toMatchObject({ status: 'New', exception: 'PaidPartial', amountPaid: '10000000', amountRemaining: '2340000' })
    // Another customer starts a payment for the same price on the same address.
    const b = await s.service.createRequest({ saleId: 'sale-b', amountMinor: 1234, currency: 'USD', token: 'USDC', chainId: 31337 })
    expect(b.amountDue).toBe('12340002')
    const topUp = parsePaymentUri(view.topUpUri!)
    expect(topUp.amount).toBe(2_340_001n) // carries A's tag
    await s.chain.pay(s.token, MERCHANT, topUp.amount)
    await s.chain.mine(CONFIRMATIONS)
    await s.service.pollOnce()
    view = s.service.get(a.id)
    expect(view).toMatchObject({ status: 'Paid', exception: null, amountPaid: '12340001' })
    expect(s.service.get(b.id)).toMatchObject({ status: 'New', amountPaid: '0' })
  })

  it('an overpayment is PaidOver and can be recorded for refund', async () => {
    const req = await s.service.createRequest({ saleId: 'sale-1', amountMinor: 500, currency: 'USD', token: 'USDC', chainId: 31337 })
    await s.chain.pay(s.token, MERCHANT, BigInt(req.amountDue) + 5_000_000n)
    await s.service.pollOnce()
    expect(s.service.get(req.id)).toMatchObject({ status: 'Seen', exception: 'PaidOver' })
    expect(() => s.service.recordOverpaymentForRefund(req.id)).toThrow(/not a confirmed overpayment/)
    await s.chain.mine(CONFIRMATIONS)
    await s.service.pollOnce()
    expect(s.service.get(req.id)).toMatchObject({ status: 'Paid', exception: 'PaidOver' })
    expect(s.service.recordOverpaymentForRefund(req.id).refundDue).toBe('5000000')
    expect(journalKinds(s.ledger, 'payment.overpayment-recorded')).toHaveLength(1)
  })

  it('a payment after expiry is PaidLate until a manager accepts it (Marked)', async () => {
    const req = await s.service.createRequest({ saleId: 'sale-1', amountMinor: 800, currency: 'USD', token: 'USDC', chainId: 31337 })
    s.clock.advance(16 * 60_000)
    await s.chain.rpc('evm_increaseTime', [16 * 60])
    s.service.refresh()
    expect(s.service.get(req.id).status).toBe('Expired')
    await s.chain.pay(s.token, MERCHANT, BigInt(req.amountDue))
    await s.service.pollOnce()
    expect(s.service.get(req.id)).toMatchObject({ status: 'Expired', exception: 'PaidLate' })
    expect(() => s.service.markAccepted(req.id, 'manager-ann')).toThrow(/Only a confirmed partial or late payment/)
    await s.chain.mine(CONFIRMATIONS)
    await s.service.pollOnce()
    const view = s.service.markAccepted(req.id, 'manager-ann')
    expect(view).toMatchObject({ status: 'Paid', exception: 'Marked', markedBy: 'manager-ann' })
    const marked = journalKinds(s.ledger, 'payment.marked')
    expect(JSON.parse(marked[0]!.payload)).toMatchObject({ approvedBy: 'manager-ann', exception: 'PaidLate' })
  })

  it('two open requests for the same fiat amount are each matched to the right sale', async () => {
    const a = await s.service.createRequest({ saleId: 'sale-a', amountMinor: 500, currency: 'USD', token: 'USDC', chainId: 31337 })
    const b = await s.service.createRequest({ saleId: 'sale-b', amountMinor: 500, currency: 'USD', token: 'USDC', chainId: 31337 })
    expect(a.amountDue).not.toBe(b.amountDue)
    await s.chain.pay(s.token, MERCHANT, parsePaymentUri(b.uri).amount)
    await s.service.pollOnce()
    expect(s.service.get(b.id).status).toBe('Seen')
    expect(s.service.get(a.id).status).toBe('New')
    await s.chain.pay(s.token, MERCHANT, parsePaymentUri(a.uri).amount)
    await s.chain.mine(CONFIRMATIONS)
    await s.service.pollOnce()
    expect(s.service.forSale('sale-a')[0]).toMatchObject({ status: 'Paid', amountPaid: a.amountDue })
    expect(s.service.forSale('sale-b')[0]).toMatchObject({ status: 'Paid', amountPaid: b.amountDue })
  })

  it('a same-symbol token from another contract is ignored', async () => {
    const req = await s.service.createRequest({ saleId: 'sale-1', amountMinor: 500, currency: 'USD', token: 'USDC', chainId: 31337 })
    const fake = await s.chain.deploy('LookAlikeUSDC')
    expect(await fake.getFunction('symbol')()).toBe('USDC')
    await s.chain.fund(fake, 100_000_000n)
    await s.chain.pay(fake, MERCHANT, BigInt(req.amountDue))
    await s.chain.mine(CONFIRMATIONS)
    await s.service.pollOnce()
    expect(s.service.get(req.id)).toMatchObject({ status: 'New', amountPaid: '0' })
    expect((s.ledger.db.prepare('SELECT COUNT(*) AS n FROM chain_logs').get() as { n: number }).n).toBe(0)
  })

  it('a zero-value transferFrom of the real token is ignored', async () => {
    const req = await s.service.createRequest({ saleId: 'sale-1', amountMinor: 500, currency: 'USD', token: 'USDC', chainId: 31337 })
    // A stranger "moves" 0 tokens from the customer to the shop: no allowance needed, a Transfer event is emitted.
    const stranger = new Wallet(ANVIL_KEYS.other, s.chain.provider)
    const customer = await s.chain.customer.getAddress()
    const tx = (await (s.token.connect(stranger) as Contract).getFunction('transferFrom')(customer, MERCHANT, 0n)) as { wait(): Promise<{ logs: unknown[] }> }
    const receipt = await tx.wait()
    expect(receipt.logs.length).toBe(1)
    await s.chain.mine(CONFIRMATIONS)
    await s.service.pollOnce()
    expect(s.service.get(req.id)).toMatchObject({ status: 'New', amountPaid: '0' })
    expect((s.ledger.db.prepare('SELECT COUNT(*) AS n FROM chain_logs').get() as { n: number }).n).toBe(0)
  })

  it('a payment removed by a reorg goes back to New and comes back when re-included', async () => {
    const req = await s.service.createRequest({ saleId: 'sale-1', amountMinor: 777, currency: 'USD', token: 'USDC', chainId: 31337 })
    // Sign the customer's transfer ourselves so the very same transaction can be broadcast again after the reorg.
    const customer = new Wallet(ANVIL_KEYS.customer, s.chain.provider)
    const populated = await customer.populateTransaction(await s.token.getFunction('transfer').populateTransaction(MERCHANT, BigInt(req.amountDue)))
    const raw = await customer.signTransaction(populated)
    const txHash = await s.chain.rpc<string>('eth_sendRawTransaction', [raw])
    await s.chain.mine(1)
    await s.service.pollOnce()
    expect(s.service.get(req.id)).toMatchObject({ status: 'Seen', txHashes: [txHash] })
    // Replace the last 2 blocks (the payment's and the one on top) with empty ones: a fork without the payment.
    await s.chain.rpc('anvil_reorg', [2, []])
    const receipt = await s.chain.provider.getTransactionReceipt(txHash)
    expect(receipt).toBeNull()
    await s.service.pollOnce()
    expect(s.service.get(req.id)).toMatchObject({ status: 'New', amountPaid: '0', txHashes: [] })
    const back = journalKinds(s.ledger, 'payment.state-changed').map((r) => JSON.parse(r.payload) as { from: string; to: string })
    expect(back.at(-1)).toMatchObject({ from: 'Seen', to: 'New' })
    // The same signed transaction is mined again on the new fork.
    expect(await s.chain.rpc<string>('eth_sendRawTransaction', [raw])).toBe(txHash)
    await s.chain.mine(CONFIRMATIONS)
    await s.service.pollOnce()
    expect(s.service.get(req.id)).toMatchObject({ status: 'Paid', txHashes: [txHash] })
  })

  it('the RPC cut while the customer pays and restored many blocks later: the payment is found', async () => {
    const req = await s.service.createRequest({ saleId: 'sale-1', amountMinor: 1999, currency: 'USD', token: 'USDC', chainId: 31337 })
    s.chain.proxy.cut()
    await s.chain.pay(s.token, MERCHANT, BigInt(req.amountDue)) // straight to anvil: the customer's wallet has its own node
    await s.chain.mine(300)
    await expect(s.service.pollOnce()).rejects.toThrow(/no RPC endpoint/)
    expect(s.service.rpcPool(31337).allDown()).toBe(true)
    // While nothing answers, a manager may let the goods go, within the store's limits.
    expect(s.service.releaseUnverified(req.id, 'manager-ann').releasedUnverified?.by).toBe('manager-ann')
    s.clock.advance(60_000)
    s.chain.proxy.restore()
    await s.service.pollOnce()
    expect(s.service.get(req.id)).toMatchObject({ status: 'Paid', amountPaid: req.amountDue })
    expect(s.service.get(req.id).confirmations).toBeGreaterThanOrEqual(300)
  })

  it('a provider refusing large ranges makes the chunk shrink, and nothing is missed', async () => {
    const req = await s.service.createRequest({ saleId: 'sale-1', amountMinor: 250, currency: 'USD', token: 'USDC', chainId: 31337 })
    s.chain.proxy.refuseRangesOver(10)
    await s.chain.mine(40)
    await s.chain.pay(s.token, MERCHANT, BigInt(req.amountDue))
    await s.chain.mine(40)
    await s.service.pollOnce()
    expect(s.service.watcher(31337).chunkSize).toBeLessThanOrEqual(10)
    expect(s.chain.proxy.getLogsRanges.some((r) => r > 10)).toBe(true)
    expect(s.service.get(req.id)).toMatchObject({ status: 'Paid', amountPaid: req.amountDue })
  })
})

describe.skipIf(!isAnvilAvailable())('other token shapes on anvil', () => {
  it('an 18-decimal token (BNB Smart Chain style) is requested and credited exactly', async () => {
    const s = await setup({ contract: 'TestUSDC18', decimals: 18 })
    const req = await s.service.createRequest({ saleId: 'sale-1', amountMinor: 1234, currency: 'USD', token: 'USDC', chainId: 31337 })
    expect(req.amountDue).toBe('12340001000000000000') // 12.34 + tag 0.000001, in 18-decimal base units
    await s.chain.pay(s.token, MERCHANT, BigInt(req.amountDue))
    await s.chain.mine(CONFIRMATIONS)
    await s.service.pollOnce()
    expect(s.service.get(req.id)).toMatchObject({ status: 'Paid', amountPaid: req.amountDue })
  })

  it('a USDT-style token whose transfer() returns nothing is credited', async () => {
    const s = await setup({ contract: 'TetherStyle', symbol: 'USDT' })
    const req = await s.service.createRequest({ saleId: 'sale-1', amountMinor: 4200, currency: 'USD', token: 'USDT', chainId: 31337 })
    await s.chain.pay(s.token, MERCHANT, BigInt(req.amountDue))
    await s.chain.mine(CONFIRMATIONS)
    await s.service.pollOnce()
    expect(s.service.get(req.id)).toMatchObject({ status: 'Paid', token: { symbol: 'USDT' }, amountPaid: '42000001' })
  })
})
