// Stablecoin payment settings (one object per store; the till's own number partitions the request tags).
// Parsed with zod at every boundary; the defaults below are the documented ones.
import { z } from 'zod'
import { DEMO_CHAIN_ID } from './tokens'

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an 0x-prefixed 20-byte address')

export const confirmationPolicySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('blocks'), count: z.number().int().min(1).max(10_000) }),
  // The node's `finalized` block tag (post-Merge Ethereum, OP-stack and Arbitrum L1-finality): slow but final.
  z.object({ kind: z.literal('finalized') })
])
export type ConfirmationPolicy = z.infer<typeof confirmationPolicySchema>

/**
 * Default confirmations per chain, and why. A till wants the customer gone in seconds, a store wants no money that
 * can vanish; each number is the smallest we can defend for that chain.
 */
export const DEFAULT_CONFIRMATIONS: Readonly<Record<number, ConfirmationPolicy>> = {
  // Ethereum: ~12 s slots; reorgs deeper than 1-2 blocks have not happened since the Merge, 12 blocks (~2.4 min) is
  // the customary exchange figure. `finalized` (~13 min, two epochs) is available for stores that want certainty.
  1: { kind: 'blocks', count: 12 },
  // OP Mainnet / Base: a single sequencer orders blocks (2 s); an unsafe-head reorg needs a sequencer fault.
  10: { kind: 'blocks', count: 5 },
  8453: { kind: 'blocks', count: 5 },
  // Arbitrum One: 0.25 s blocks from one sequencer; 20 blocks is ~5 s.
  42161: { kind: 'blocks', count: 20 },
  // Polygon PoS: 2 s blocks with a history of deep reorgs (a 157-block reorg in Feb 2023); milestones made this much
  // rarer, but 64 blocks (~2 min) keeps a margin until the store opts into `finalized`.
  137: { kind: 'blocks', count: 64 },
  // BNB Smart Chain: 3 s blocks (faster since 2025) with fast finality after ~2 blocks; 15 is the older exchange norm.
  56: { kind: 'blocks', count: 15 },
  // Avalanche C-Chain: Snowman consensus finalises a block once accepted; 1 block.
  43114: { kind: 'blocks', count: 1 },
  11155111: { kind: 'blocks', count: 3 },
  84532: { kind: 'blocks', count: 3 },
  // The local demo chain (anvil) never reorgs by itself.
  [DEMO_CHAIN_ID]: { kind: 'blocks', count: 2 }
}

export function defaultConfirmations(chainId: number): ConfirmationPolicy {
  return DEFAULT_CONFIRMATIONS[chainId] ?? { kind: 'blocks', count: 12 }
}

export const chainSettingsSchema = z.object({
  chainId: z.number().int().positive(),
  enabled: z.boolean().default(true),
  /** Several RPC endpoints; the watcher fails over between them and backs off the failing ones. */
  rpcUrls: z.array(z.url()).min(1),
  tokens: z.array(z.enum(['USDC', 'USDT'])).min(1).default(['USDC']),
  /** Accept a bridged look-alike (USDC.e, USDbC) when the issuer's own token is absent. Off by default. */
  allowBridged: z.boolean().default(false),
  confirmations: confirmationPolicySchema.optional(),
  /**
   * Store policy: a request above this amount (store currency, minor units) is Paid only once its transfer is at or
   * below the chain's `finalized` block, whatever `confirmations` says. Null: never. A reorg can undo a few blocks;
   * it cannot undo a finalized one, so a large sale waits for certainty and a coffee does not.
   */
  finalizedAboveMinor: z.number().int().min(0).nullable().default(null)
})
export type ChainSettings = z.infer<typeof chainSettingsSchema>

export const receiveSchema = z.discriminatedUnion('kind', [
  // One shop address for every request (optionally one per chain); requests are told apart by the sub-cent tag.
  // `exclusive`: the store says this till is the ONLY one receiving on these addresses. Only then may a transfer that
  // carries no tag be credited by its price, or to the only open request (rules c and d in services/payments.ts):
  // with two tills on one address such a transfer could be the other till's. Per-till addresses (each till its own
  // `address`) or an xpub (one branch per till) are the recommended multi-till set-ups.
  z.object({ kind: z.literal('address'), address, perChain: z.record(z.string().regex(/^\d+$/), address).default({}), exclusive: z.boolean().default(false) }),
  // A watch-only extended public key (BIP-32 xpub): one derived address per request. No private key, ever.
  z.object({ kind: z.literal('xpub'), xpub: z.string().regex(/^[xt]pub[1-9A-HJ-NP-Za-km-z]{100,112}$/, 'a BIP-32 xpub/tpub') })
])
export type ReceiveSettings = z.infer<typeof receiveSchema>

export const ratePolicySchema = z.discriminatedUnion('kind', [
  // 1 USD stablecoin = 1 USD; only valid in a USD store.
  z.object({ kind: z.literal('peg') }),
  // A manager types the rate; every change is journaled.
  z.object({ kind: z.literal('manual') }),
  // A JSON endpoint; `jsonPath` is dotted ("rates.EUR"); the value is fiat per one token. Past `maxAgeSec` without a
  // fresh answer the till refuses to quote and asks for a manual rate.
  z.object({ kind: z.literal('http'), url: z.url(), jsonPath: z.string().min(1), maxAgeSec: z.number().int().min(10).max(86_400).default(300) })
])
export type RatePolicy = z.infer<typeof ratePolicySchema>

export const paymentSettingsSchema = z.object({
  /** This till's number in the store (1..maxTills): it owns its own slice of the tag space. */
  tillNumber: z.number().int().min(1).default(1),
  maxTills: z.number().int().min(1).max(64).default(8),
  chains: z.array(chainSettingsSchema).default([]),
  receive: receiveSchema,
  requestExpiryMinutes: z.number().int().min(1).max(24 * 60).default(15),
  /**
   * How long after expiry a request keeps its tag (so a late payment is still attributed to it, never to a newer
   * request with the same price). Also how long its address stays watched.
   */
  lateWindowMinutes: z.number().int().min(0).max(7 * 24 * 60).default(120),
  rate: ratePolicySchema.default({ kind: 'peg' }),
  /** Goods released without on-chain proof while no RPC answers: how many may be outstanding, and up to what amount. */
  unverifiedRelease: z
    .object({ maxOutstanding: z.number().int().min(0).default(3), maxAmountMinor: z.number().int().min(0).default(5000) })
    .default({ maxOutstanding: 3, maxAmountMinor: 5000 }),
  /**
   * Watcher poll interval while a request is open (idle polls back off up to 15x this). 1 s: Base and OP make a
   * block every 2 s, so a payment is Seen within about a block; measured on a 1 s-block anvil (npm run bench),
   * 1 s gave Seen at a median 794 ms for ~238 calls/min while watching (10 idle); 2 s gave 1,780 ms for ~125.
   */
  pollIntervalMs: z.number().int().min(100).max(60_000).default(1000)
}).refine((s) => s.tillNumber <= s.maxTills, { message: 'tillNumber must be at most maxTills', path: ['tillNumber'] })
export type PaymentSettings = z.infer<typeof paymentSettingsSchema>
export type PaymentSettingsInput = z.input<typeof paymentSettingsSchema>
