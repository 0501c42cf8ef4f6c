// What the counter knows about each chain it watches: can a payment be checked right now?
// Computed in main (src/main/chain/watcher.ts, from the RPC pool's scores and the heads it saw) and pushed to every
// window as 'chain:health-changed'; the cashier's Network health and Payment status, the display's "checking the
// network" and the back office's chain list all read this one shape.

/**
 * up: an endpoint answers and the head moves as the chain should.
 * lagging: an endpoint answers, but the best head is older than the chain's lag threshold, or the endpoint in use is
 *   behind a head another endpoint reported: payments may be seen late, never lost.
 * down: no endpoint answered within the chain's down threshold: nothing can confirm or deny a payment.
 * unknown: no poll has finished yet since start.
 */
export type ChainHealthStatus = 'up' | 'lagging' | 'down' | 'unknown'

export interface EndpointHealthView {
  /** Scheme, host and port only: paths and query strings often carry API keys. */
  readonly label: string
  readonly transport: 'http' | 'ws'
  /** Smoothed latency of successful calls, ms; null before the first answer. */
  readonly latencyMs: number | null
  /** Recent failure share 0..1 (transport failures, timeouts and JSON-RPC error answers alike). */
  readonly failureRate: number
  /** Highest head this endpoint reported, or null. */
  readonly head: number | null
  readonly inUse: boolean
  /** Skipped until this time (epoch ms) after failures, or null. */
  readonly backoffUntil: number | null
  readonly lastError: string | null
}

export interface ChainHealthView {
  readonly chainId: number
  readonly chainName: string
  readonly status: ChainHealthStatus
  /** Highest head seen on any endpoint (heads only move forward across failover). */
  readonly head: number | null
  /** The head block's own timestamp (ms), to show its age. */
  readonly headBlockTime: number | null
  /** When the till last had a good answer from any endpoint (ms, till clock). */
  readonly lastSuccessAt: number | null
  /** Since when the chain has been in this (bad) status (ms), or null when up. */
  readonly since: number | null
  /** Label of the endpoint in use, or null. */
  readonly endpoint: string | null
  readonly lastError: string | null
  readonly endpoints: readonly EndpointHealthView[]
}

/** An endpoint URL without path, query or credentials (they often carry API keys). */
export function endpointLabel(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}`
  } catch {
    return 'invalid URL'
  }
}
