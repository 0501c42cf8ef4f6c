// The embedded defaults behind `npm start`: a local anvil chain with a demo USDC and a funded simulated customer,
// watched by the demo store. Shared by the Electron host and the browser harness.
import { DEMO_CHAIN_ID } from '../shared/payment/tokens'
import type { AppOptions } from './app'
import { isAnvilAvailable, startDemoChain, type DemoChain } from './chain/demo'

export interface DemoStack {
  readonly chain: DemoChain | null
  /** Why there is no chain, for the start banner. */
  readonly note: string | null
  readonly appOptions: Pick<AppOptions, 'payments' | 'simulatePayment'>
  stop(): Promise<void>
}

export async function startDemoStack(dataDir: string, options: { blockTimeSec?: number } = {}): Promise<DemoStack> {
  if (!isAnvilAvailable()) {
    return { chain: null, note: 'anvil is not installed (optional dependency @foundry-rs/anvil-linux-amd64): stablecoin payments are off.', appOptions: {}, stop: async () => {} }
  }
  const chain = await startDemoChain({ dataDir, blockTimeSec: options.blockTimeSec })
  return {
    chain,
    note: null,
    appOptions: {
      payments: {
        demoUsdcAddress: chain.usdcAddress,
        settings: {
          chains: [{ chainId: DEMO_CHAIN_ID, rpcUrls: [chain.rpcUrl], tokens: ['USDC'] }],
          receive: { kind: 'address', address: chain.merchantAddress, exclusive: true }, // the demo till is alone on its address
          pollIntervalMs: 500
        }
      },
      simulatePayment: (request) => chain.simulateCustomerPayment(request)
    },
    stop: () => chain.stop()
  }
}
