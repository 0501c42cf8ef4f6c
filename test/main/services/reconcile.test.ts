// Reconciliation of a day's stablecoin takings with a real chain (anvil) and a real ledger: the test plants an
// unexpected transfer, a missing payment (reversed by a reorg after the sale was completed) and an amount mismatch
// (a ledger credit edited after the fact), and reconciliation must name each one; clean payments are matched.
import { afterEach, describe, expect, it } from 'vitest'
import { Wallet, type Contract } from 'ethers'
import { isAnvilAvailable } from '../../../src/main/chain/anvil'
import { reconcile } from '../../../src/main/services/reconcile'
import { ANVIL_KEYS, startTestChain, type TestChain } from '../../fixtures/anvil'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013' // 0.99 + 8.25 % tax = 1.07

let chain: TestChain
let till: TestTill
let token: Contract

afterEach(async () => {
  await till?.cleanup()
  await chain?.stop()
})

async function setup(): Promise<void> {
  chain = await startTestChain()
  token = await chain.deploy('TestUSDC6')
  await chain.fund(token, 1_000_000n * 10n ** 6n)
  const latest = await chain.provider.getBlock('latest')
  const merchant = new Wallet(ANVIL_KEYS.other).address
  till = testTill({
    payments: {
      localTokens: [{ chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: await token.getAddress(), decimals: 6, bridged: false, source: 'test' }],
      startWatcher: false,
      watcher: { startBacklog: 0 },
      settings: { receive: { kind: 'address', address: merchant, exclusive: false }, chains: [{ chainId: 31337, rpcUrls: [chain.rpcUrl], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 2 } }] }
    }
  })
  till.clock.set(latest!.timestamp * 1000)
  await till.app.payments!.pollOnce()
}

async function sellForStablecoin(): Promise<{ paymentId: string; amountDue: bigint; to: string; saleId: string }> {
  till.app.sales.scan(COLA, 'wedge')
  const payment = await till.app.checkout.request(31337, 'USDC')
  return { paymentId: payment.id, amountDue: BigInt(payment.amountDue), to: payment.receiveAddress, saleId: payment.saleId }
}

async function settle(paymentId: string): Promise<void> {
  await chain.mine(2)
  await till.app.payments!.pollOnce()
  expect(till.app.payments!.get(paymentId).status).toBe('Paid')
  till.app.sales.complete()
}

describe.skipIf(!isAnvilAvailable())('reconciliation with the chain', () => {
  it('matches clean payments and names the unexpected, the missing and the mismatched', async () => {
    await setup()
    const dayStart = till.clock.now()
    const payments = till.app.payments!

    // 1. A clean sale.
    const clean = await sellForStablecoin()
    await chain.pay(token, clean.to, clean.amountDue)
    await settle(clean.paymentId)

    // 2. A sale whose payment a reorg takes away after the sale was completed; the till is not watching then.
    const lost = await sellForStablecoin()
    const customer = new Wallet(ANVIL_KEYS.customer, chain.provider)
    const populated = await customer.populateTransaction(await token.getFunction('transfer').populateTransaction(lost.to, lost.amountDue))
    await chain.rpc('eth_sendRawTransaction', [await customer.signTransaction(populated)])
    await settle(lost.paymentId)
    await chain.rpc('anvil_reorg', [3, []])

    // 3. A sale whose credit the ledger records with another value than the chain (an edit, or a bug).
    const edited = await sellForStablecoin()
    await chain.pay(token, edited.to, edited.amountDue)
    await settle(edited.paymentId)
    till.app.db.prepare('UPDATE chain_logs SET value = ? WHERE payment_id = ?').run((edited.amountDue - 1_000_000n).toString(), edited.paymentId)

    // 4. Money nobody asked for: a round 5.00 to the shop's address.
    const strayTx = await chain.pay(token, clean.to, 5_000_000n)
    await chain.mine(2)

    const progress: number[] = []
    const report = await reconcile({
      db: till.app.db,
      chains: payments.reconcileChains(),
      fromMs: dayStart,
      toMs: till.clock.now() + 60_000,
      onProgress: (p) => progress.push(p.doneBlocks)
    })
    expect(report.unreachable).toEqual([])
    expect(report.clean).toBe(false)
    const [c] = report.chains
    expect(c!.matched.map((m) => m.paymentId)).toEqual([clean.paymentId])
    expect(c!.matched[0]).toMatchObject({ value: clean.amountDue.toString(), tokenSymbol: 'USDC' })
    expect(c!.matched[0]!.confirmations).toBeGreaterThanOrEqual(2)
    expect(c!.missing.map((m) => m.paymentId)).toEqual([lost.paymentId])
    expect(c!.mismatched).toEqual([expect.objectContaining({ paymentId: edited.paymentId, value: edited.amountDue.toString(), ledgerValue: (edited.amountDue - 1_000_000n).toString() })])
    expect(c!.unexpected).toEqual([expect.objectContaining({ txHash: strayTx, value: '5000000', paymentId: null })])
    expect(c!.totals).toEqual([{ tokenSymbol: 'USDC', ledger: (clean.amountDue + edited.amountDue - 1_000_000n).toString(), chain: (clean.amountDue + edited.amountDue).toString(), unexpected: '5000000' }])
    expect(progress.length).toBeGreaterThan(0)
  })

  it('a period with only good payments is clean; a cancelled reconciliation says so; a dead chain is reported, not hidden', async () => {
    await setup()
    const dayStart = till.clock.now()
    const sale = await sellForStablecoin()
    await chain.pay(token, sale.to, sale.amountDue)
    await settle(sale.paymentId)
    const chains = till.app.payments!.reconcileChains()
    const report = await reconcile({ db: till.app.db, chains, fromMs: dayStart, toMs: till.clock.now() + 60_000 })
    expect(report.clean).toBe(true)
    expect(report.chains[0]!.matched).toHaveLength(1)

    const abort = new AbortController()
    abort.abort()
    await expect(reconcile({ db: till.app.db, chains, fromMs: dayStart, toMs: till.clock.now(), signal: abort.signal })).rejects.toThrow(/cancelled/)

    chain.proxy.cut()
    const offline = await reconcile({ db: till.app.db, chains, fromMs: dayStart, toMs: till.clock.now() })
    expect(offline).toMatchObject({ clean: false, chains: [], unreachable: [{ chainId: 31337 }] })
  })

  it('a sale still open whose paid transfer a reorg took away is missing; the sales of an earlier day are not read', async () => {
    await setup()
    // Yesterday's paid and completed sale: outside the period, so neither matched nor missing.
    const yesterday = await sellForStablecoin()
    await chain.pay(token, yesterday.to, yesterday.amountDue)
    await settle(yesterday.paymentId)
    // The next day, past the request's hold: the till's clock and the chain's alike.
    await chain.rpc('evm_increaseTime', [3 * 3600])
    await chain.mine(1)
    till.clock.set((await chain.provider.getBlock('latest'))!.timestamp * 1000)
    const dayStart = till.clock.now()

    // Paid, and its tender taken, but the sale not completed yet when a reorg takes the transfer away; the
    // watcher sees the reorg and drops the credit, so only the tender remembers the payment.
    const open = await sellForStablecoin()
    await chain.pay(token, open.to, open.amountDue)
    await chain.mine(2)
    await till.app.payments!.pollOnce()
    expect(till.app.payments!.get(open.paymentId).status).toBe('Paid')
    expect(till.app.db.prepare("SELECT status, closed_at FROM sales WHERE id = ?").get(open.saleId)).toEqual({ status: 'open', closed_at: null })
    await chain.rpc('anvil_reorg', [3, []])
    await chain.mine(3)
    await till.app.payments!.pollOnce()
    expect(till.app.db.prepare('SELECT count(*) AS n FROM chain_logs WHERE payment_id = ?').get(open.paymentId)).toEqual({ n: 0 })

    const report = await reconcile({ db: till.app.db, chains: till.app.payments!.reconcileChains(), fromMs: dayStart, toMs: till.clock.now() + 60_000 })
    const [c] = report.chains
    expect(report.clean).toBe(false)
    expect(c!.missing.map((m) => [m.paymentId, m.saleId])).toEqual([[open.paymentId, open.saleId]])
    expect(c!.matched).toEqual([])

    // The same sale completed (the customer paid the reversed part in cash), in a day of many cash sales: the tenders
    // are then found the other way, through the stablecoin tenders' own index (reconcile.ts periodStablecoinTenders),
    // with the same verdict.
    till.app.sales.tenderCash(200)
    till.app.sales.complete()
    for (let i = 0; i < 45; i++) {
      till.app.sales.scan(COLA, 'wedge')
      till.app.sales.tenderCash(500)
      till.app.sales.complete()
    }
    const again = await reconcile({ db: till.app.db, chains: till.app.payments!.reconcileChains(), fromMs: dayStart, toMs: till.clock.now() + 60_000 })
    expect(again.chains[0]!.missing.map((m) => [m.paymentId, m.saleId])).toEqual([[open.paymentId, open.saleId]])
    expect(again.chains[0]!.matched).toEqual([])

    // A ledger from before migrations 0016 and 0017, read as the command line reads it (read-only, not migrated): same verdict.
    till.app.db.exec('DROP INDEX tenders_stablecoin; DROP INDEX payment_requests_hold; DROP INDEX payment_requests_live; DROP INDEX payment_requests_settled; DROP INDEX payment_requests_xpub; DROP INDEX chain_logs_unattributed')
    const older = await reconcile({ db: till.app.db, chains: till.app.payments!.reconcileChains(), fromMs: dayStart, toMs: till.clock.now() + 60_000 })
    expect(older.chains[0]!.missing.map((m) => [m.paymentId, m.saleId])).toEqual([[open.paymentId, open.saleId]])
  })
})
