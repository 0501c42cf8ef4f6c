// Demo mode: a private local chain so a store can try stablecoin checkout with no money and no internet.
// anvil (random 127.0.0.1 port, chain id 31337) + a demo USDC (6 decimals, precompiled: resources/contracts/DemoUSDC.json
// from scripts/compile-contracts.mjs) + a funded simulated customer. The merchant's receive address is watch-only:
// the till never holds its key (it is anvil account #2's address only because that is convenient and well known).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Contract, ContractFactory, getAddress, JsonRpcProvider, Network, NonceManager, Wallet } from 'ethers'
import demoUsdcArtifact from '../../../resources/contracts/DemoUSDC.json'
import { parsePaymentUri } from '../../shared/payment/eip681'
import { DEMO_CHAIN_ID } from '../../shared/payment/tokens'
import { isAnvilAvailable, spawnAnvil } from './anvil'

export { isAnvilAvailable }

// Anvil's public, well-known development keys (printed by anvil itself; in Foundry's docs). DEMO ONLY:
// #0 deploys and mints the worthless demo token; #1 is THE SIMULATED CUSTOMER'S key, used by
// simulateCustomerPayment to play the customer's wallet. Neither is ever the till's key: the till has none.
const DEMO_DEPLOYER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const DEMO_CUSTOMER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
/** Watch-only receive address of the demo shop (anvil account #2's address). */
export const DEMO_MERCHANT_ADDRESS = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
/** Demo USDC given to the simulated customer at first start: 1,000,000.000000. */
const DEMO_CUSTOMER_FUNDS = 1_000_000n * 1_000_000n

export interface DemoChain {
  readonly rpcUrl: string
  readonly chainId: number
  readonly usdcAddress: string
  readonly merchantAddress: string
  readonly customerAddress: string
  /** Pays a request exactly as asked, from the simulated customer's wallet; resolves with the tx hash when mined. */
  simulateCustomerPayment(request: { readonly uri: string }): Promise<string>
  stop(): Promise<void>
}

export interface DemoChainOptions {
  /** Keeps the chain between runs (anvil --state <dataDir>/demo-chain.json). Omitted: a fresh chain each start. */
  readonly dataDir?: string
  /** Interval mining; omitted = a block per transaction (instant demo). */
  readonly blockTimeSec?: number
}

export async function startDemoChain(options: DemoChainOptions = {}): Promise<DemoChain> {
  let stateFile: string | undefined
  let infoFile: string | undefined
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true })
    stateFile = join(options.dataDir, 'demo-chain.json')
    infoFile = join(options.dataDir, 'demo-chain-info.json')
  }
  const anvil = await spawnAnvil({ blockTimeSec: options.blockTimeSec, stateFile })
  const network = Network.from(DEMO_CHAIN_ID)
  const provider = new JsonRpcProvider(anvil.rpcUrl, network, { staticNetwork: network, cacheTimeout: -1, pollingInterval: 100 })
  try {
    const deployer = new NonceManager(new Wallet(DEMO_DEPLOYER_KEY, provider))
    const customer = new NonceManager(new Wallet(DEMO_CUSTOMER_KEY, provider))
    const customerAddress = await customer.getAddress()

    let usdcAddress: string | null = null
    if (infoFile && existsSync(infoFile)) {
      const saved = JSON.parse(readFileSync(infoFile, 'utf8')) as { usdcAddress?: string }
      if (saved.usdcAddress && (await provider.getCode(saved.usdcAddress)) !== '0x') usdcAddress = getAddress(saved.usdcAddress)
    }
    if (!usdcAddress) {
      const factory = new ContractFactory(demoUsdcArtifact.abi, demoUsdcArtifact.bytecode, deployer)
      const deployed = await factory.deploy()
      await deployed.waitForDeployment()
      usdcAddress = getAddress(await deployed.getAddress())
      const mint = (await (deployed as unknown as Contract).getFunction('mint')(customerAddress, DEMO_CUSTOMER_FUNDS)) as { wait(): Promise<unknown> }
      await mint.wait()
      if (infoFile) writeFileSync(infoFile, JSON.stringify({ usdcAddress }))
    }
    const usdc = new Contract(usdcAddress, demoUsdcArtifact.abi, customer)
    const tokenAddress = usdcAddress

    return {
      rpcUrl: anvil.rpcUrl,
      chainId: DEMO_CHAIN_ID,
      usdcAddress,
      merchantAddress: DEMO_MERCHANT_ADDRESS,
      customerAddress,
      async simulateCustomerPayment(request) {
        const parsed = parsePaymentUri(request.uri)
        if (parsed.chainId !== DEMO_CHAIN_ID || getAddress(parsed.tokenAddress) !== tokenAddress) {
          throw new Error('simulateCustomerPayment only pays demo-chain requests in the demo token')
        }
        const tx = (await usdc.getFunction('transfer')(parsed.to, parsed.amount)) as { hash: string; wait(): Promise<unknown> }
        await tx.wait()
        return tx.hash
      },
      async stop() {
        provider.destroy()
        await anvil.stop()
      }
    }
  } catch (e) {
    provider.destroy()
    await anvil.stop()
    throw e
  }
}

/** Standalone form of DemoChain.simulateCustomerPayment. Demo mode only. */
export function simulateCustomerPayment(chain: DemoChain, request: { readonly uri: string }): Promise<string> {
  return chain.simulateCustomerPayment(request)
}
