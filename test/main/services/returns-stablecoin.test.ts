// Stablecoin refunds (issue [D] point 2) on a real EVM node (anvil on a random port): the till holds no key, so the
// refund is an EIP-681 request the manager's own wallet pays from the shop's address; the refund completes only
// when the chain shows that transfer (to the customer, for exactly the amount, confirmed). Transfers that are not
// it (another sender, another amount, not yet confirmed) leave it waiting.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { getAddress, NonceManager, Wallet, type Contract } from 'ethers'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { returnEntries } from '../../../src/main/services/returns'
import { ShiftService, zPeriod } from '../../../src/main/services/shift'
import type { ReturnView, SaleView } from '../../../src/shared/api/views'
import { parsePaymentUri } from '../../../src/shared/payment/eip681'
import type { TokenInfo } from '../../../src/shared/payment/tokens'
import type { Result } from '../../../src/shared/result'
import { MERCHANT, startTestChain, type TestChain } from '../../fixtures/anvil'
import { testTill, type TestTill } from '../../fixtures/till'

const CHEDDAR = '8712345678050' // 4.79 + 2.25 % = 4.90
const COLA = '5901234123013' // 0.99 + 8.25 % = 1.07
/** Anvil's well-known dev key #2 (public in Foundry's docs): the manager's own wallet, holding the shop's address. */
const MANAGER_WALLET_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'

let chain: TestChain
let till: TestTill
let token: Contract
let shift: ShiftService
let customerAddress: string
let managerWallet: NonceManager

async function call<T>(name: string, input: unknown): Promise<Result<T>> {
  return (await till.app.registry.dispatch('cashier', name, input)) as Result<T>
}

async function value<T>(name: string, input: unknown): Promise<T> {
  const result = await call<T>(name, input)
  if (!result.ok) throw new Error(`${name} refused: ${result.error.message}`)
  return result.value
}

/** A sale paid in USDC by the test's customer wallet, confirmed by the watcher, completed. */
async function stablecoinSale(codes: readonly string[]): Promise<{ sale: SaleView; paidUnits: bigint }> {
  for (const code of codes) till.app.sales.scan(code, 'wedge')
  const { value: payment } = (await call('payment:request', { chainId: 31337, token: 'USDC' })) as { ok: true; value: { uri: string } }
  const uri = parsePaymentUri(payment.uri)
  await chain.pay(token, uri.to, uri.amount)
  await chain.mine(2)
  await till.app.payments!.pollOnce()
  return { sale: till.app.sales.complete(), paidUnits: uri.amount }
}

beforeEach(async () => {
  chain = await startTestChain()
  token = await chain.deploy('TestUSDC6')
  await chain.fund(token, 1_000n * 1_000_000n)
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
  await till.app.payments!.pollOnce()
  shift = new ShiftService({ db: till.app.db, clock: till.clock, store: till.app.store })
  shift.open({ totalMinor: 5_000 }, 'M1')
  customerAddress = await chain.customer.getAddress()
  managerWallet = new NonceManager(new Wallet(MANAGER_WALLET_KEY, chain.provider))
  expect(await managerWallet.getAddress()).toBe(getAddress(MERCHANT))
})

afterEach(async () => {
  await till.cleanup()
  await chain.stop()
})

describe('stablecoin refunds', () => {
  it('refunds the original token amount to the address from the customer wallet QR; confirmed only by the right transfer', async () => {
    const { sale, paidUnits } = await stablecoinSale([CHEDDAR, COLA])
    // The customer's wallet shows its receive QR as EIP-681; a mistyped checksum is refused before any PIN.
    const letter = customerAddress.slice(2).search(/[a-fA-F]/) + 2
    const flipped = customerAddress[letter]!
    const badChecksum = customerAddress.slice(0, letter) + (flipped === flipped.toLowerCase() ? flipped.toUpperCase() : flipped.toLowerCase()) + customerAddress.slice(letter + 1)
    expect(await call('return:stablecoin', { saleId: sale.id, customerAddress: badChecksum, basis: 'token', pin: '1234' })).toMatchObject({ ok: false, error: { key: 'return.bad-checksum' } })
    expect(await call('return:stablecoin', { saleId: sale.id, customerAddress: `ethereum:${customerAddress}@8453`, basis: 'token', pin: '1234' })).toMatchObject({ ok: false, error: { key: 'return.wrong-chain' } })
    expect(till.app.db.prepare("SELECT COUNT(*) AS n FROM journal WHERE kind LIKE 'approval.%'").get()).toEqual({ n: 0 })

    const ret = await value<ReturnView>('return:stablecoin', { saleId: sale.id, customerAddress: `ethereum:${customerAddress.toLowerCase()}@31337`, basis: 'token', pin: '1234' })
    expect(ret).toMatchObject({ status: 'awaiting-transfer', method: 'stablecoin', amountMinor: sale.totalMinor, refundSaleId: null })
    expect(ret.stablecoin).toMatchObject({ basis: 'token', toAddress: customerAddress, fromAddress: getAddress(MERCHANT), amountUnits: paidUnits.toString(), rateSource: 'original', confirmationsRequired: 2 })
    const request = parsePaymentUri(ret.stablecoin!.uri)
    expect(request).toEqual({ tokenAddress: await token.getAddress(), chainId: 31337, to: customerAddress, amount: paidUnits })
    // While it waits, its lines are held: no second return can take them.
    expect(await call('return:cash', { saleId: sale.id, pin: '1234' })).toMatchObject({ ok: false, error: { key: 'return.nothing-chosen' } })

    // The shop's wallet holds more than this sale's takings (earlier days').
    await ((await token.getFunction('mint')(MERCHANT, 100n * 1_000_000n)) as { wait(): Promise<unknown> }).wait()
    // Not it: the right amount from someone else (the customer paying themselves), and the shop sending one unit short.
    await chain.pay(token, customerAddress, paidUnits, chain.customer)
    await chain.pay(token, customerAddress, paidUnits - 1n, managerWallet)
    await chain.mine(3)
    expect(await till.app.returns.pollOnce()).toEqual([])
    expect(till.app.returns.get(ret.id).status).toBe('awaiting-transfer')

    // The manager's wallet pays the request; one confirmation is not enough (the policy says 2).
    const before = (await token.getFunction('balanceOf')(customerAddress)) as bigint
    const txHash = await chain.pay(token, request.to, request.amount, managerWallet)
    expect(await till.app.returns.pollOnce()).toEqual([])
    await chain.mine(1)
    const done = await value<ReturnView[]>('return:check', {})
    expect(done).toHaveLength(1)
    expect(done[0]).toMatchObject({ id: ret.id, status: 'completed', stablecoin: { txHash } })
    expect(((await token.getFunction('balanceOf')(customerAddress)) as bigint) - before).toBe(paidUnits)

    const refund = till.app.sales.get(done[0]!.refundSaleId!)
    expect(refund.tenders).toMatchObject([{ kind: 'stablecoin', amountMinor: sale.totalMinor, stablecoin: { txHash, tokenSymbol: 'USDC', paymentId: ret.id } }])
    // Polling again changes nothing: the transfer settled that return once.
    expect(await till.app.returns.pollOnce()).toEqual([])

    // The Z counts the return; the drawer is untouched by a stablecoin refund.
    const x = shift.xReport()
    expect(x).toMatchObject({ returnsCount: 1, returnsMinor: sale.totalMinor, netSalesMinor: 0, drawer: { cashRefundsMinor: 0, expectedMinor: 5_000 } })
    const z = shift.close({ counted: { totalMinor: 5_000 } }, 'M1')
    const period = zPeriod(till.app.db, 'T1', z.zNumber)!
    expect(returnEntries(till.app.db, 'T1', period.openSeq, period.closeSeq)).toMatchObject([
      { kind: 'return', grossMinor: sale.totalMinor, tenders: [{ kind: 'stablecoin', basis: 'token', tokenUnits: paidUnits.toString(), txHash, chainId: 31337, amountMinor: sale.totalMinor }] }
    ])
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })

  it("refunds one line at today's rate (fiat basis) to a plain typed address; a cancelled refund frees its lines", async () => {
    const { sale } = await stablecoinSale([CHEDDAR, COLA])
    const cola = sale.lines.find((l) => l.unitPriceMinor === 99)!
    const first = await value<ReturnView>('return:stablecoin', { saleId: sale.id, lines: [{ lineId: cola.id, quantity: 1 }], customerAddress: customerAddress.toLowerCase(), basis: 'fiat', pin: '1234' })
    // The demo store is in USD on the peg: 1.07 USD = 1.070000 USDC.
    expect(first.stablecoin).toMatchObject({ basis: 'fiat', rate: '1', rateSource: 'peg', amountUnits: String(cola.grossMinor * 10_000), tokenAmount: '1.070000' })
    expect(await call('return:cancel', { returnId: first.id, pin: '0000' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await value<ReturnView>('return:cancel', { returnId: first.id, pin: '1234' })).toMatchObject({ status: 'cancelled' })
    expect(await call('return:cancel', { returnId: first.id, pin: '1234' })).toMatchObject({ ok: false, error: { key: 'return.not-awaiting' } })

    const second = await value<ReturnView>('return:stablecoin', { saleId: sale.id, lines: [{ lineId: cola.id, quantity: 1 }], customerAddress, basis: 'fiat', pin: '1234' })
    expect(second.number).toBe(2)
    const request = parsePaymentUri(second.stablecoin!.uri)
    const txHash = await chain.pay(token, request.to, request.amount, managerWallet)
    await chain.mine(1)
    expect(await till.app.returns.pollOnce()).toMatchObject([{ id: second.id, status: 'completed', amountMinor: cola.grossMinor, stablecoin: { txHash } }])
    expect(shift.xReport()).toMatchObject({ returnsCount: 1, returnsMinor: cola.grossMinor })
  })
})
