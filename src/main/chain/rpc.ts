// Several JSON-RPC endpoints per chain, with health and failover.
//
// Each endpoint is an ethers v6 JsonRpcProvider with `staticNetwork` (no eth_chainId detection retries hammering a
// dead node), `cacheTimeout: -1` (ethers otherwise answers repeated calls from a 250 ms cache, hiding new blocks and
// reorgs) and `batchMaxCount: 1` (one HTTP request per call, so calls are counted honestly and one slow call cannot
// hold a batch). A transport failure (refused, reset, timeout, HTTP 5xx) marks the endpoint down with exponential
// backoff and the call moves to the next endpoint; a JSON-RPC error answer (the node is up but says no, e.g. "block
// range too large") is passed back to the caller as RpcAnswerError and does not count against the endpoint.
import { FetchRequest, JsonRpcProvider, Network } from 'ethers'
import { TillError } from '../../shared/result'
import { systemClock, type Clock } from '../../shared/clock'

export interface RpcPoolOptions {
  readonly clock?: Clock
  /** Per-request timeout. */
  readonly timeoutMs?: number
  readonly backoffBaseMs?: number
  readonly backoffMaxMs?: number
}

export interface EndpointHealth {
  readonly url: string
  readonly consecutiveFailures: number
  /** Epoch ms before which the endpoint is skipped (0 = healthy). */
  readonly retryAt: number
  readonly lastError: string | null
  readonly calls: number
}

/** The node answered with a JSON-RPC error (it is reachable). */
export class RpcAnswerError extends Error {
  constructor(
    message: string,
    readonly rpcCode: number | null
  ) {
    super(message)
    this.name = 'RpcAnswerError'
  }
}

interface Endpoint {
  readonly url: string
  readonly provider: JsonRpcProvider
  consecutiveFailures: number
  retryAt: number
  lastError: string | null
  calls: number
}

function answerOf(e: unknown): { code: number | null; message: string } | null {
  const inner = (e as { error?: { code?: unknown; message?: unknown } } | null)?.error
  if (inner && typeof inner.message === 'string') return { code: typeof inner.code === 'number' ? inner.code : null, message: inner.message }
  return null
}

export class RpcPool {
  private readonly endpoints: Endpoint[]
  private readonly clock: Clock
  private readonly backoffBaseMs: number
  private readonly backoffMaxMs: number
  /** Total JSON-RPC calls attempted (for the bench: calls per minute idle vs watching). */
  calls = 0

  constructor(
    readonly chainId: number,
    urls: readonly string[],
    options: RpcPoolOptions = {}
  ) {
    if (urls.length === 0) throw new TillError('invalid-input', `no RPC URL configured for chain ${chainId}`)
    this.clock = options.clock ?? systemClock
    this.backoffBaseMs = options.backoffBaseMs ?? 1000
    this.backoffMaxMs = options.backoffMaxMs ?? 60_000
    const network = Network.from(chainId)
    this.endpoints = urls.map((url) => {
      const request = new FetchRequest(url)
      request.timeout = options.timeoutMs ?? 8000
      const provider = new JsonRpcProvider(request, network, { staticNetwork: network, cacheTimeout: -1, batchMaxCount: 1 })
      return { url, provider, consecutiveFailures: 0, retryAt: 0, lastError: null, calls: 0 }
    })
  }

  health(): readonly EndpointHealth[] {
    return this.endpoints.map(({ url, consecutiveFailures, retryAt, lastError, calls }) => ({ url, consecutiveFailures, retryAt, lastError, calls }))
  }

  /** True when every endpoint failed its last call: nothing can confirm or deny a payment right now. */
  allDown(): boolean {
    return this.endpoints.every((e) => e.consecutiveFailures > 0)
  }

  /** The healthiest endpoint's provider, for ethers Contract calls (token verification, the demo wallet). */
  provider(): JsonRpcProvider {
    return this.ordered()[0]!.provider
  }

  /** Healthy endpoints first (in configured order), then the ones in backoff by soonest retry. */
  private ordered(): Endpoint[] {
    const now = this.clock.now()
    const ready = this.endpoints.filter((e) => e.retryAt <= now)
    const waiting = this.endpoints.filter((e) => e.retryAt > now).sort((a, b) => a.retryAt - b.retryAt)
    return [...ready, ...waiting]
  }

  /**
   * One JSON-RPC call with failover. Endpoints in backoff are tried only when no healthy one is left (so an outage
   * of every endpoint is noticed as soon as any comes back). Throws RpcAnswerError for a node's refusal and
   * TillError('unavailable') when no endpoint answered.
   */
  async send<T>(method: string, params: readonly unknown[]): Promise<T> {
    const now = this.clock.now()
    const candidates = this.ordered()
    const ready = candidates.filter((e) => e.retryAt <= now)
    const tryList = ready.length > 0 ? ready : candidates.slice(0, 1)
    let lastError = 'no endpoint tried'
    for (const endpoint of tryList) {
      this.calls++
      endpoint.calls++
      try {
        const result = (await endpoint.provider.send(method, params as unknown[])) as T
        endpoint.consecutiveFailures = 0
        endpoint.retryAt = 0
        endpoint.lastError = null
        return result
      } catch (e) {
        const answer = answerOf(e)
        if (answer) {
          endpoint.consecutiveFailures = 0
          endpoint.retryAt = 0
          throw new RpcAnswerError(answer.message, answer.code)
        }
        lastError = e instanceof Error ? e.message.slice(0, 200) : String(e)
        endpoint.consecutiveFailures++
        endpoint.lastError = lastError
        const backoff = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(endpoint.consecutiveFailures - 1, 16))
        endpoint.retryAt = this.clock.now() + backoff
      }
    }
    throw new TillError('unavailable', `no RPC endpoint for chain ${this.chainId} answered: ${lastError}`)
  }

  destroy(): void {
    for (const e of this.endpoints) e.provider.destroy()
  }
}
