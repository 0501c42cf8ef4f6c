// `npm run demo-day -- --data-dir DIR`: a realistic closed day in a fresh demo store, so a new user sees a Z report
// and its exports at once (issue [D] point 7). It runs the real till (createApp) against a local anvil chain from
// node_modules, with two demo tokens (demo USDC and a demo USDT), and sells yesterday's day through the api as a
// cashier and a manager would: cash sales with change, a discount, a void, USDC and USDT sales, a payment that came
// in after its request expired and was accepted by the manager, a cash out, a no-sale, and the close with a count a
// little short. The Z's files land in DIR/closings/Z1/ (day-close.ts). Returns arrive with the returns service.
//
// The chain's clock is started at the demo day's morning (anvil --timestamp) and each payment's block is stamped
// with the till's time, so the chain and the ledger agree on when things happened (the reconciliation reads the
// day's blocks by their timestamps). The chain state is kept in DIR/demo-chain.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Contract } from 'ethers'
import { ContractFactory, getAddress, JsonRpcProvider, Network, NonceManager, Wallet } from 'ethers'
import demoUsdcArtifact from '../../../resources/contracts/DemoUSDC.json'
import demoUsdtArtifact from '../../../resources/contracts/DemoUSDT.json'
import type { ZReportView } from '../../shared/api/views'
import { ManualClock } from '../../shared/clock'
import { parsePaymentUri } from '../../shared/payment/eip681'
import { DEMO_CHAIN_ID, type TokenInfo } from '../../shared/payment/tokens'
import { createApp, DEMO_MANAGER_PIN, LEDGER_FILE, type App } from '../app'
import { spawnAnvil } from '../chain/anvil'
import { DEMO_MERCHANT_ADDRESS } from '../chain/demo'
import { businessDateOf, machineTimeZone } from '../reports/from-ledger'

// Anvil's public development keys (Foundry docs), as in chain/demo.ts: #0 deploys the worthless demo tokens, #1 plays
// the customer's wallet. Never the till's: the till holds no key.
const DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const CUSTOMER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const FUNDS = 1_000_000n * 1_000_000n

// Demo catalog codes (resources/demo-catalog.json).
const COLA = '5901234123013'
const CROISSANT = '3761234500021'
const WATER = '5012345000015'
const WATER_SIXPACK = '5012345000107'
const OJ = '4006381333016'
const CHEDDAR = '8712345678050'
const STILL_WATER = '5012345000022'

const MINUTE = 60_000

export interface DemoDay {
  readonly businessDate: string
  readonly z: ZReportView
  readonly dataDir: string
}

type Ok<T> = { ok: true; value: T }

/** Yesterday at 08:30 on the machine's clock: the demo day's morning, in the past so every time is plausible. */
function demoMorning(now: number): number {
  const d = new Date(now)
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - 1, 8, 30, 0).getTime()
}

export async function seedDemoDay(options: { readonly dataDir: string; readonly log?: (line: string) => void; readonly now?: number }): Promise<DemoDay> {
  const log = options.log ?? (() => {})
  const dataDir = resolve(options.dataDir)
  if (existsSync(join(dataDir, LEDGER_FILE))) throw new Error(`${dataDir} already holds a till ledger: give a new folder for the demo day.`)
  mkdirSync(dataDir, { recursive: true })
  const clock = new ManualClock(demoMorning(options.now ?? Date.now()))
  const timeZone = machineTimeZone()
  const anvil = await spawnAnvil({ stateFile: join(dataDir, 'demo-chain.json'), extraArgs: ['--timestamp', String(Math.floor(clock.now() / 1000))] })
  const network = Network.from(DEMO_CHAIN_ID)
  const provider = new JsonRpcProvider(anvil.rpcUrl, network, { staticNetwork: network, cacheTimeout: -1, pollingInterval: 50 })
  let app: App | null = null
  try {
    const deployer = new NonceManager(new Wallet(DEPLOYER_KEY, provider))
    const customer = new NonceManager(new Wallet(CUSTOMER_KEY, provider))
    const deploy = async (artifact: { abi: unknown[]; bytecode: string }): Promise<Contract> => {
      const contract = await new ContractFactory(artifact.abi as never[], artifact.bytecode, deployer).deploy()
      await contract.waitForDeployment()
      const c = contract as unknown as Contract
      await ((await c.getFunction('mint')(await customer.getAddress(), FUNDS)) as { wait(): Promise<unknown> }).wait()
      return c
    }
    const usdc = await deploy(demoUsdcArtifact)
    const usdt = await deploy(demoUsdtArtifact)
    const usdcAddress = getAddress(await usdc.getAddress())
    const usdtAddress = getAddress(await usdt.getAddress())
    // Where `npm start -- --data-dir DIR` finds the demo USDC again (chain/demo.ts reads it with the chain state).
    writeFileSync(join(dataDir, 'demo-chain-info.json'), JSON.stringify({ usdcAddress, usdtAddress }))
    const token = (symbol: 'USDC' | 'USDT', address: string): TokenInfo => ({ chainId: DEMO_CHAIN_ID, symbol, onChainSymbols: [symbol], address, decimals: 6, bridged: false, source: 'demo day, deployed on the local chain' })

    app = createApp({
      dataDir,
      clock,
      timeZone,
      payments: {
        demoUsdcAddress: usdcAddress,
        localTokens: [token('USDC', usdcAddress), token('USDT', usdtAddress)],
        startWatcher: false,
        watcher: { startBacklog: 0 },
        settings: {
          chains: [{ chainId: DEMO_CHAIN_ID, rpcUrls: [anvil.rpcUrl], tokens: ['USDC', 'USDT'], confirmations: { kind: 'blocks', count: 1 } }],
          receive: { kind: 'address', address: DEMO_MERCHANT_ADDRESS, exclusive: true }
        }
      }
    })
    const till = app
    const call = async <T>(window: 'cashier' | 'backoffice', name: string, input: unknown): Promise<T> => {
      const r = await till.registry.dispatch(window, name, input)
      if (!r.ok) throw new Error(`${name} was refused: ${r.error.message}`)
      return (r as Ok<T>).value
    }
    /** Stamps the next block with the till's time, so the chain and the ledger tell the same day. */
    const stampNextBlock = async (): Promise<void> => {
      await provider.send('evm_setNextBlockTimestamp', [Math.floor(clock.now() / 1000)])
    }
    const scan = (codes: readonly string[]): void => {
      for (const code of codes) {
        till.sales.scan(code, 'wedge')
        clock.advance(4_000)
      }
    }
    const cashSale = (codes: readonly string[], roundUpToMinor = 0): void => {
      scan(codes)
      const due = till.sales.current()!.dueMinor
      // Customers hand over round notes: change is given back.
      till.sales.tenderCash(roundUpToMinor > 0 ? Math.ceil(due / roundUpToMinor) * roundUpToMinor : due)
      clock.advance(20_000)
      till.sales.complete()
    }
    const stablecoinSale = async (codes: readonly string[], symbol: 'USDC' | 'USDT', options: { late?: boolean } = {}): Promise<void> => {
      scan(codes)
      const payment = await call<{ id: string; uri: string }>('cashier', 'payment:request', { chainId: DEMO_CHAIN_ID, token: symbol })
      const uri = parsePaymentUri(payment.uri)
      // A late payment: the customer's wallet sends it after the request's 15 minutes ran out.
      clock.advance(options.late ? 17 * MINUTE : 40_000)
      await stampNextBlock()
      const tokenContract = (symbol === 'USDC' ? usdc : usdt).connect(customer) as Contract
      await ((await tokenContract.getFunction('transfer')(uri.to, uri.amount)) as { wait(): Promise<unknown> }).wait()
      clock.advance(5_000)
      await till.payments!.pollOnce()
      if (options.late) await call('cashier', 'payment:accept', { paymentId: payment.id, pin: DEMO_MANAGER_PIN })
      clock.advance(5_000)
      till.sales.complete()
    }

    log(`Demo chain on ${anvil.rpcUrl}: demo USDC ${usdcAddress}, demo USDT ${usdtAddress}`)
    await till.payments!.pollOnce()
    await call('backoffice', 'shift:open', { floatMinor: 15_000, pin: DEMO_MANAGER_PIN })
    clock.advance(30 * MINUTE) // 09:00, doors open
    cashSale([CROISSANT, CROISSANT, COLA], 500)
    clock.advance(12 * MINUTE)
    cashSale([WATER_SIXPACK], 1000)
    clock.advance(9 * MINUTE)
    await stablecoinSale([CHEDDAR, OJ, CROISSANT], 'USDC')
    clock.advance(25 * MINUTE)
    // A line discount a manager approved (10 % off a damaged pack).
    const discounted = till.sales.scan(OJ, 'wedge')
    await call('cashier', 'sale:discount-line', { lineId: discounted.lines[0]!.id, percent: '10', pin: DEMO_MANAGER_PIN })
    cashSale([STILL_WATER], 100)
    clock.advance(40 * MINUTE)
    // A customer changes their mind: the open sale is voided.
    scan([CHEDDAR, CHEDDAR, COLA])
    await call('cashier', 'sale:void', { pin: DEMO_MANAGER_PIN, reason: 'customer left without paying' })
    clock.advance(55 * MINUTE)
    await stablecoinSale([WATER, WATER, COLA, CROISSANT], 'USDT')
    clock.advance(35 * MINUTE)
    cashSale([COLA, COLA], 500)
    clock.advance(70 * MINUTE)
    await stablecoinSale([CHEDDAR, CHEDDAR], 'USDC', { late: true })
    clock.advance(30 * MINUTE)
    await call('backoffice', 'shift:cash-move', { direction: 'out', amountMinor: 5_000, reason: 'Bank deposit', pin: DEMO_MANAGER_PIN })
    clock.advance(20 * MINUTE)
    await stablecoinSale([OJ, OJ, OJ], 'USDT')
    clock.advance(45 * MINUTE)
    cashSale([CROISSANT, WATER], 200)
    clock.advance(10 * MINUTE)
    await call('backoffice', 'drawer:no-sale', { pin: DEMO_MANAGER_PIN })
    clock.advance(60 * MINUTE)
    cashSale([CHEDDAR, STILL_WATER, COLA], 1000)
    clock.advance(3 * 60 * MINUTE) // the evening close
    const x = await call<{ drawer: { expectedMinor: number } }>('backoffice', 'shift:x-report', {})
    const z = await call<ZReportView>('backoffice', 'shift:close', { countedMinor: x.drawer.expectedMinor - 20, differenceReason: 'a 20 cent coin short', pin: DEMO_MANAGER_PIN })
    return { businessDate: businessDateOf(z.figures.periodStartMs, timeZone), z, dataDir }
  } finally {
    await app?.close()
    provider.destroy()
    await anvil.stop()
  }
}

export async function runDemoDay(args: readonly string[], out: (line: string) => void): Promise<number> {
  let dataDir: string
  try {
    const { values } = parseArgs({ args: [...args], strict: true, options: { 'data-dir': { type: 'string' } } })
    if (!values['data-dir']) throw new Error('--data-dir DIR is required (a new folder for the demo store).')
    dataDir = values['data-dir']
  } catch (e) {
    out(e instanceof Error ? e.message : String(e))
    out('Usage: npm run demo-day -- --data-dir DIR')
    return 2
  }
  try {
    const day = await seedDemoDay({ dataDir, log: out })
    const failures = day.z.artifacts?.failures ?? []
    out(`Seeded a closed demo day: business date ${day.businessDate}, Z ${day.z.zNumber}, ${day.z.figures.salesCount} sales, in ${day.dataDir}`)
    out(`The Z and its exports: ${day.z.artifacts?.folder ?? '(not written)'}`)
    for (const f of failures) out(`  after the close, ${f.step} failed: ${f.reason}`)
    out(`Try: npm run stabletill -- z --data-dir ${day.dataDir} --date ${day.businessDate}`)
    out(`     npm run stabletill -- export --data-dir ${day.dataDir} --date ${day.businessDate} --format hledger --out /tmp`)
    // The demo chain stops with this command: the reconciliation needs it back, which the demo folder's till does.
    out(`To reconcile, start its till again (npm start -- --data-dir ${day.dataDir}; it prints "Demo chain: URL"), then:`)
    out(`     npm run stabletill -- reconcile --data-dir ${day.dataDir} --date ${day.businessDate} --rpc-url 31337=URL`)
    out(day.businessDate)
    return 0
  } catch (e) {
    out(`The demo day could not be seeded: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  }
}

// Run when executed as a script (tsx), not when imported by a test (as cli/verify.ts).
if (/(^|[\\/])demo-day\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  void runDemoDay(process.argv.slice(2), (line) => console.log(line)).then((code) => (process.exitCode = code))
}
