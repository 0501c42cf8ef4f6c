// Chain health from what the watcher and the RPC pool saw (the shape is src/shared/payment/health.ts).
//
// THRESHOLDS, per chain, from its block time (a chain is only "late" relative to how often it makes blocks):
//   down     the last poll failed AND (no poll succeeded for downAfterMs = max(10 s, 3 block times, 3 poll intervals)
//            OR every endpoint's last call failed on two polls in a row). One failed poll alone is a blip, not an
//            outage: the counter would flicker "cannot reach" on every dropped packet.
//   lagging  an endpoint answers, but the endpoint in use reports a head more than `lagToleranceBlocks` below the
//            best head any endpoint reported, OR the best head block is older than lagAfterMs = max(30 s, 10 block
//            times) by its own timestamp. Chains without a steady block time (the local dev chain mines a block per
//            transaction) skip the age rule.
//   unknown  nothing finished yet since start.
//   up       otherwise.
import { chainName } from '../../shared/payment/tokens'
import { endpointLabel, type ChainHealthStatus, type ChainHealthView } from '../../shared/payment/health'
import type { EndpointHealth } from './rpc'

/** Expected block time (ms) of the chains the till knows; null = no steady rhythm (automine dev chain). */
const BLOCK_TIME_MS: Readonly<Record<number, number | null>> = {
  1: 12_000,
  11155111: 12_000,
  10: 2000,
  8453: 2000,
  84532: 2000,
  137: 2000,
  42161: 250,
  56: 750,
  43114: 2000,
  31337: null
}

export function expectedBlockTimeMs(chainId: number): number | null {
  return chainId in BLOCK_TIME_MS ? BLOCK_TIME_MS[chainId]! : 12_000
}

export interface HealthThresholds {
  readonly downAfterMs: number
  /** Head age past which the chain is lagging; null = no age rule. */
  readonly lagAfterMs: number | null
}

export function healthThresholds(chainId: number, pollIntervalMs: number, blockTimeMs = expectedBlockTimeMs(chainId)): HealthThresholds {
  const block = blockTimeMs ?? 0
  return {
    downAfterMs: Math.max(10_000, 3 * block, 3 * pollIntervalMs),
    lagAfterMs: blockTimeMs === null ? null : Math.max(30_000, 10 * blockTimeMs)
  }
}

export interface HealthInputs {
  readonly chainId: number
  readonly now: number
  readonly thresholds: HealthThresholds
  readonly lastSuccessAt: number | null
  readonly lastError: string | null
  readonly consecutivePollErrors: number
  readonly allEndpointsFailing: boolean
  readonly bestHead: number | null
  readonly bestHeadTime: number | null
  readonly endpoints: readonly EndpointHealth[]
  readonly inUseUrl: string
  readonly lagToleranceBlocks: number
}

export function healthStatus(i: HealthInputs): ChainHealthStatus {
  if (i.lastSuccessAt === null) return i.lastError === null ? 'unknown' : 'down'
  if (i.consecutivePollErrors > 0 && (i.now - i.lastSuccessAt >= i.thresholds.downAfterMs || (i.allEndpointsFailing && i.consecutivePollErrors >= 2))) return 'down'
  const inUse = i.endpoints.find((e) => e.url === i.inUseUrl)
  if (i.bestHead !== null && inUse?.head != null && inUse.head < i.bestHead - i.lagToleranceBlocks) return 'lagging'
  if (i.thresholds.lagAfterMs !== null && i.bestHeadTime !== null && i.now - i.bestHeadTime > i.thresholds.lagAfterMs) return 'lagging'
  return 'up'
}

export function healthView(i: HealthInputs, status: ChainHealthStatus, since: number | null): ChainHealthView {
  return {
    chainId: i.chainId,
    chainName: chainName(i.chainId),
    status,
    head: i.bestHead,
    headBlockTime: i.bestHeadTime,
    lastSuccessAt: i.lastSuccessAt,
    since: status === 'up' ? null : since,
    endpoint: status === 'down' ? null : endpointLabel(i.inUseUrl),
    lastError: i.lastError,
    endpoints: i.endpoints.map((e) => ({
      label: endpointLabel(e.url),
      transport: e.transport,
      latencyMs: e.latencyMs,
      failureRate: Math.round(e.failureRate * 100) / 100,
      head: e.head,
      inUse: e.url === i.inUseUrl,
      backoffUntil: e.retryAt > i.now ? e.retryAt : null,
      lastError: e.lastError
    }))
  }
}
