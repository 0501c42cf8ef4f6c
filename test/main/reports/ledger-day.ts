// A day seeded through the whole till (sale service, payment service on anvil, shift service) and closed with a Z:
// cash sales, a discounted sale, a void, a USDC and a USDT sale on a real EVM node, a cash out, a no-sale and a short
// count. Everything goes through the api (registry.dispatch) with the demo manager PIN, as a manager would do it.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Contract } from 'ethers'
import type { ZReportView } from '../../../src/shared/api/views'
import { parsePaymentUri } from '../../../src/shared/payment/eip681'
import type { TokenInfo } from '../../../src/shared/payment/tokens'
import { MERCHANT, startTestChain, type TestChain } from '../../fixtures/anvil'
import { testTill, type TestTill } from '../../fixtures/till'

export const COLA = '5901234123013' // 0.99, sales tax 8.25 %
export const CHEDDAR = '8712345678050' // 4.79, groceries 2.25 %
export const OJ = '4006381333016' // 3.49, groceries
export const PIN = '1234'

export interface LedgerDay {
  readonly chain: TestChain
  readonly till: TestTill
  readonly usdc: Contract
  readonly usdt: Contract
  /** The Z the shift service recorded. */
  readonly z: ZReportView
  /** The two stablecoin sales' tx hashes. */
  readonly txHashes: readonly string[]
  stop(): Promise<void>
}

type Ok<T> = { ok: true; value: T }

async function call<T>(till: TestTill, window: 'cashier' | 'backoffice', name: string, input: unknown): Promise<T> {
  const r = await till.app.registry.dispatch(window, name, input)
  if (!r.ok) throw new Error(`${name} refused: ${JSON.stringify(r.error)}`)
  return (r as Ok<T>).value
}

/** The till key is written where the Z close signs (day-close.ts): a temp folder, never the tester's home. */
export function useTempKeyDir(): string {
  process.env.STABLETILL_KEY_DIR ??= mkdtempSync(join(tmpdir(), 'stabletill-keys-'))
  return process.env.STABLETILL_KEY_DIR
}

export async function startLedgerDayTill(): Promise<{ chain: TestChain; till: TestTill; usdc: Contract; usdt: Contract }> {
  useTempKeyDir()
  const chain = await startTestChain()
  const usdc = await chain.deploy('TestUSDC6')
  const usdt = await chain.deploy('TetherStyle')
  await chain.fund(usdc, 1_000_000n * 1_000_000n)
  await chain.fund(usdt, 1_000_000n * 1_000_000n)
  const token = async (c: Contract, symbol: 'USDC' | 'USDT'): Promise<TokenInfo> => ({ chainId: 31337, symbol, onChainSymbols: [symbol], address: await c.getAddress(), decimals: 6, bridged: false, source: 'test' })
  const till = testTill({
    timeZone: 'UTC',
    payments: {
      localTokens: [await token(usdc, 'USDC'), await token(usdt, 'USDT')],
      startWatcher: false,
      watcher: { startBacklog: 0 },
      settings: { receive: { kind: 'address', address: MERCHANT, exclusive: true }, chains: [{ chainId: 31337, rpcUrls: [chain.rpcUrl], tokens: ['USDC', 'USDT'], confirmations: { kind: 'blocks', count: 2 } }] }
    }
  })
  const latest = await chain.provider.getBlock('latest')
  till.clock.set(latest!.timestamp * 1000)
  await till.app.payments!.pollOnce()
  return { chain, till, usdc, usdt }
}

/** Sells one stablecoin sale of `codes` in `symbol`, paid exactly by the customer, confirmed and completed. */
export async function stablecoinSale(t: { chain: TestChain; till: TestTill }, token: Contract, symbol: 'USDC' | 'USDT', codes: readonly string[]): Promise<string> {
  for (const code of codes) t.till.app.sales.scan(code, 'wedge')
  const payment = await call<{ id: string; uri: string }>(t.till, 'cashier', 'payment:request', { chainId: 31337, token: symbol })
  const uri = parsePaymentUri(payment.uri)
  const hash = await t.chain.pay(token, uri.to, uri.amount)
  await t.chain.mine(2)
  t.till.clock.advance(5000)
  await t.till.app.payments!.pollOnce()
  t.till.clock.advance(1000)
  t.till.app.sales.complete()
  return hash
}

export function cashSale(till: TestTill, codes: readonly string[], extraMinor = 0): void {
  for (const code of codes) till.app.sales.scan(code, 'wedge')
  till.clock.advance(1000)
  till.app.sales.tenderCash(till.app.sales.current()!.dueMinor + extraMinor)
  till.clock.advance(1000)
  till.app.sales.complete()
}

/** Seeds and closes one day; the caller stops it. */
export async function seedLedgerDay(): Promise<LedgerDay> {
  const { chain, till, usdc, usdt } = await startLedgerDayTill()
  await call(till, 'backoffice', 'shift:open', { floatMinor: 10_000, pin: PIN })
  till.clock.advance(60_000)
  cashSale(till, [COLA, CHEDDAR], 1_000) // change given
  // A discounted sale: 10 % off the orange juice, approved by the manager.
  const sale = till.app.sales.scan(OJ, 'wedge')
  await call(till, 'cashier', 'sale:discount-line', { lineId: sale.lines[0]!.id, percent: '10', pin: PIN })
  till.app.sales.scan(COLA, 'wedge')
  till.clock.advance(1000)
  till.app.sales.tenderCash(till.app.sales.current()!.dueMinor)
  till.app.sales.complete()
  // A void.
  till.app.sales.scan(CHEDDAR, 'wedge')
  till.app.sales.scan(CHEDDAR, 'wedge')
  await call(till, 'cashier', 'sale:void', { pin: PIN, reason: 'customer left' })
  const txHashes = [await stablecoinSale({ chain, till }, usdc, 'USDC', [CHEDDAR, COLA]), await stablecoinSale({ chain, till }, usdt, 'USDT', [OJ, OJ])]
  cashSale(till, [COLA, COLA, COLA])
  await call(till, 'backoffice', 'shift:cash-move', { direction: 'out', amountMinor: 500, reason: 'Bank deposit', pin: PIN })
  await call(till, 'backoffice', 'drawer:no-sale', { pin: PIN })
  till.clock.advance(3_600_000)
  const x = await call<{ drawer: { expectedMinor: number } }>(till, 'backoffice', 'shift:x-report', {})
  const z = await call<ZReportView>(till, 'backoffice', 'shift:close', { countedMinor: x.drawer.expectedMinor - 7, differenceReason: 'coins short', pin: PIN })
  return {
    chain,
    till,
    usdc,
    usdt,
    z,
    txHashes,
    async stop() {
      await till.cleanup()
      await chain.stop()
    }
  }
}
