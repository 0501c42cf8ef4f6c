// Several JSON-RPC endpoints per chain: deadlines, hedged requests, health scores, and newHeads subscriptions.
//
// WHY OUR OWN TRANSPORT: ethers' providers retry, cache and batch on their own schedule, so a node that accepts the
// connection and never answers held each call for the whole FetchRequest timeout (8 s) before the next endpoint was
// tried. Here every call is one JSON-RPC request (JSON-RPC 2.0 over HTTP POST, or over a WebSocket for ws:// and
// wss:// URLs) and the pool decides:
//
//   - ORDER: endpoints out of backoff first; among them, one whose highest reported head is behind the best head of
//     the pool by more than `lagToleranceBlocks` goes last (a lagging node is used only when nothing better answers);
//     then by score = smoothed latency x (1 + 4 x smoothed failure rate); ties keep the configured order.
//   - DEADLINE: each attempt has its own deadline (`timeoutMs`, default 2000 ms), then it counts as a failure.
//   - HEDGE: if the first endpoint has not answered after `hedgeMs` (default 400 ms) the same request goes to the next
//     endpoint too (and so on); the first usable answer wins. A loser keeps running to its own deadline so that its
//     outcome (answer, error or timeout) still scores it; nothing it says is used. Hedging reads is safe; the only
//     write the till makes (the demo wallet's eth_sendRawTransaction) is idempotent per signed transaction.
//   - A FAILURE (moves on to the next endpoint at once, counts against health): refused/reset sockets, deadline,
//     HTTP status other than 200, unparsable answers, and JSON-RPC error answers in general (a node that answers
//     "internal error" to everything is not a working node: before, such answers kept an endpoint "healthy" and
//     "release unverified" was refused as "reachable" while no poll succeeded).
//   - A VERDICT (returned to the caller as RpcAnswerError at once, neutral for health): answers that are about the
//     request, not the node: a range refusal ("block range too large", "more than 10000 results", ... the watcher
//     shrinks its range), an execution revert (EIP-1474 code 3 / "execution reverted": a contract read's real answer).
//   - UNKNOWN BLOCK (EIP-234: an eth_getLogs `blockHash` the node does not have, or "header not found"): the node is
//     behind or on another fork; the next endpoint is asked at once, and if none knows the block the caller gets an
//     RpcAnswerError of kind 'unknown-block'. Neutral for health: lag is reported from heads, not from this.
//   - BACKOFF: after consecutive failures an endpoint is skipped for backoffBase x 2^(n-1) (max backoffMax), except
//     that when every endpoint is in backoff the soonest one is still tried, so a recovery is noticed at once.
//
// `allDown()` is true while every endpoint's last attempt failed, or while the watcher reports that its last poll
// failed (pool.notePoll): the payment service allows "release unverified" only then.
//
// SUBSCRIPTIONS: for ws:// endpoints `subscribeHeads` sends eth_subscribe ["newHeads"] (the geth/EIP-758 pub-sub
// API; anvil serves it on the same port as HTTP) and re-subscribes after every reconnect; notifications are not
// counted as calls. HTTP endpoints cannot push: the watcher polls eth_blockNumber for them.
//
// `provider()` returns an ethers provider whose every request goes through `send` (deadline, hedge, failover), for
// ethers Contract reads such as the token verification in registry.ts.
import { JsonRpcApiProvider, Network, type JsonRpcError, type JsonRpcPayload, type JsonRpcResult } from 'ethers'
import WebSocket from 'ws'
import { TillError } from '../../shared/result'
import { systemClock, type Clock } from '../../shared/clock'

export interface RpcPoolOptions {
  readonly clock?: Clock
  /** Deadline of one attempt on one endpoint; default 2000 ms. */
  readonly timeoutMs?: number
  /** Delay before the same request is also sent to the next endpoint; default 400 ms. */
  readonly hedgeMs?: number
  readonly backoffBaseMs?: number
  readonly backoffMaxMs?: number
  /** An endpoint more than this many blocks below the pool's best head is lagging; default 2. */
  readonly lagToleranceBlocks?: number
}

export interface EndpointHealth {
  readonly url: string
  readonly transport: 'http' | 'ws'
  readonly consecutiveFailures: number
  /** Epoch ms before which the endpoint is skipped (0 = healthy). */
  readonly retryAt: number
  readonly lastError: string | null
  readonly calls: number
  /** Smoothed latency of answered calls (ms), null before the first. */
  readonly latencyMs: number | null
  /** Smoothed share of failed attempts, 0..1. */
  readonly failureRate: number
  /** Highest head this endpoint reported, or null. */
  readonly head: number | null
}

export type RpcAnswerKind = 'range' | 'revert' | 'unknown-block' | 'error'

/** The node answered with a JSON-RPC error (it is reachable). */
export class RpcAnswerError extends Error {
  constructor(
    message: string,
    readonly rpcCode: number | null,
    readonly kind: RpcAnswerKind = 'error',
    readonly data?: unknown
  ) {
    super(message)
    this.name = 'RpcAnswerError'
  }
}

/** A pushed newHeads header (the fields the watcher uses). */
export interface PushedHead {
  readonly number: number
  readonly hash: string
  readonly parentHash: string
  readonly timestampMs: number
  readonly url: string
}

// How hosted RPCs word "ask for less" (Alchemy, Infura, QuickNode, public nodes, geth's own 10000-result cap).
export const RANGE_REFUSAL =
  /block range|range (is )?too (large|big|wide)|too many (blocks|results|logs)|more than \d+ (results|logs|blocks)|query returned more than|exceeds? (the )?(max|limit|range)|limit exceeded|response size|log response size/i
const UNKNOWN_BLOCK = /unknown block|header not found|block not found|could not find block/i
const REVERT = /revert/i

export function classifyAnswer(code: number | null, message: string): RpcAnswerKind {
  if (RANGE_REFUSAL.test(message)) return 'range'
  if (UNKNOWN_BLOCK.test(message)) return 'unknown-block'
  if (code === 3 || REVERT.test(message)) return 'revert'
  return 'error'
}

/** What one attempt on one endpoint produced. */
type Outcome =
  | { readonly kind: 'ok'; readonly result: unknown }
  | { readonly kind: 'answer'; readonly error: RpcAnswerError }
  | { readonly kind: 'transport'; readonly message: string }

interface Transport {
  request(method: string, params: readonly unknown[], timeoutMs: number): Promise<Outcome>
  close(): void
}

function answerOutcome(error: { code?: unknown; message?: unknown; data?: unknown }): Outcome {
  const code = typeof error.code === 'number' ? error.code : null
  const message = typeof error.message === 'string' ? error.message : 'JSON-RPC error'
  return { kind: 'answer', error: new RpcAnswerError(message, code, classifyAnswer(code, message), error.data) }
}

class HttpTransport implements Transport {
  private nextId = 1
  private readonly controllers = new Set<AbortController>()
  constructor(private readonly url: string) {}

  async request(method: string, params: readonly unknown[], timeoutMs: number): Promise<Outcome> {
    const controller = new AbortController()
    this.controllers.add(controller)
    const timer = setTimeout(() => controller.abort(), timeoutMs)
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }),
        signal: controller.signal
      })
      const text = await response.text()
      type Body = { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } } | null
      let body: Body
      try {
        body = JSON.parse(text) as Body
      } catch {
        body = null
      }
      // Some providers send a JSON-RPC error with HTTP 4xx/5xx (429 rate limits): the body says more than the status.
      if (body && typeof body === 'object' && body.error) return answerOutcome(body.error)
      if (!response.ok) return { kind: 'transport', message: `HTTP ${response.status}` }
      if (!body || typeof body !== 'object' || !('result' in body)) return { kind: 'transport', message: 'not a JSON-RPC answer' }
      return { kind: 'ok', result: body.result }
    } catch (e) {
      if (controller.signal.aborted) return { kind: 'transport', message: `no answer within ${timeoutMs} ms` }
      const cause = (e as { cause?: { code?: string; message?: string } }).cause
      return { kind: 'transport', message: cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e)) }
    } finally {
      clearTimeout(timer)
      this.controllers.delete(controller)
    }
  }

  close(): void {
    for (const c of this.controllers) c.abort()
  }
}

interface Pending {
  readonly resolve: (o: Outcome) => void
  readonly timer: ReturnType<typeof setTimeout>
}

/** JSON-RPC over one WebSocket, reconnected on demand; newHeads re-subscribed after each reconnect. */
class WsTransport implements Transport {
  private socket: WebSocket | null = null
  private opening: Promise<WebSocket> | null = null
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private subscriptionId: string | null = null
  private headListener: ((head: PushedHead) => void) | null = null
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null
  private reconnectDelayMs = 250
  private closed = false
  /** True while a newHeads subscription is confirmed on an open socket. */
  subscribed = false

  constructor(
    private readonly url: string,
    private readonly onSubscriptionCall: () => void
  ) {}

  private open(): Promise<WebSocket> {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return Promise.resolve(this.socket)
    if (this.opening) return this.opening
    this.opening = new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(this.url)
      const fail = (e: unknown): void => {
        this.opening = null
        reject(e instanceof Error ? e : new Error(String(e)))
      }
      socket.once('error', fail)
      socket.once('open', () => {
        socket.off('error', fail)
        socket.on('error', () => undefined) // 'close' follows and does the cleanup
        this.socket = socket
        this.opening = null
        this.reconnectDelayMs = 250
        resolve(socket)
      })
      socket.on('message', (data: WebSocket.RawData) => this.onMessage(String(data as Buffer)))
      socket.on('close', () => this.onClose(socket))
    })
    return this.opening
  }

  private onMessage(text: string): void {
    let msg: { id?: number; result?: unknown; error?: { code?: unknown; message?: unknown }; method?: string; params?: { subscription?: string; result?: Record<string, string> } }
    try {
      msg = JSON.parse(text) as typeof msg
    } catch {
      return
    }
    if (msg.method === 'eth_subscription' && msg.params?.subscription === this.subscriptionId && msg.params.result) {
      const h = msg.params.result
      if (typeof h['number'] === 'string' && typeof h['hash'] === 'string') {
        this.headListener?.({
          number: Number.parseInt(h['number'], 16),
          hash: h['hash'],
          parentHash: h['parentHash'] ?? '',
          timestampMs: Number.parseInt(h['timestamp'] ?? '0x0', 16) * 1000,
          url: this.url
        })
      }
      return
    }
    if (typeof msg.id !== 'number') return
    const p = this.pending.get(msg.id)
    if (!p) return
    this.pending.delete(msg.id)
    clearTimeout(p.timer)
    p.resolve(msg.error ? answerOutcome(msg.error) : { kind: 'ok', result: msg.result })
  }

  private onClose(socket: WebSocket): void {
    if (this.socket === socket) this.socket = null
    this.subscribed = false
    this.subscriptionId = null
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer)
      p.resolve({ kind: 'transport', message: 'WebSocket closed' })
      this.pending.delete(id)
    }
    this.scheduleResubscribe()
  }

  private scheduleResubscribe(): void {
    if (this.closed || !this.headListener || this.reconnectTimer) return
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null
      void this.subscribe()
    }, this.reconnectDelayMs)
    this.reconnectDelayMs = Math.min(10_000, this.reconnectDelayMs * 2)
  }

  async request(method: string, params: readonly unknown[], timeoutMs: number): Promise<Outcome> {
    let socket: WebSocket
    try {
      socket = await this.open()
    } catch (e) {
      return { kind: 'transport', message: e instanceof Error ? e.message : String(e) }
    }
    const id = this.nextId++
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        resolve({ kind: 'transport', message: `no answer within ${timeoutMs} ms` })
      }, timeoutMs)
      this.pending.set(id, { resolve, timer })
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }), (e) => {
        if (!e) return
        clearTimeout(timer)
        this.pending.delete(id)
        resolve({ kind: 'transport', message: e.message })
      })
    })
  }

  watchHeads(listener: (head: PushedHead) => void): void {
    this.headListener = listener
    void this.subscribe()
  }

  private async subscribe(): Promise<void> {
    if (this.closed || !this.headListener || this.subscribed) return
    this.onSubscriptionCall()
    const outcome = await this.request('eth_subscribe', ['newHeads'], 5000)
    if (outcome.kind === 'ok' && typeof outcome.result === 'string') {
      this.subscriptionId = outcome.result
      this.subscribed = true
    } else {
      this.scheduleResubscribe()
    }
  }

  close(): void {
    this.closed = true
    this.headListener = null
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    this.socket?.close()
    this.socket = null
  }
}

interface Endpoint {
  readonly url: string
  readonly index: number
  readonly transport: Transport
  readonly kind: 'http' | 'ws'
  consecutiveFailures: number
  retryAt: number
  lastError: string | null
  calls: number
  latencyMs: number | null
  failureRate: number
  head: number | null
}

/** Smoothing of latency and failure rate: each new sample weighs 30 %. */
const EWMA = 0.3

export class RpcPool {
  private readonly endpoints: Endpoint[]
  private readonly clock: Clock
  private readonly timeoutMs: number
  private readonly hedgeMs: number
  private readonly backoffBaseMs: number
  private readonly backoffMaxMs: number
  readonly lagToleranceBlocks: number
  private lastPollFailed = false
  private ethersProvider: PoolProvider | null = null
  /** Total JSON-RPC requests sent, hedges and eth_subscribe included (the bench's calls per minute). */
  calls = 0

  constructor(
    readonly chainId: number,
    urls: readonly string[],
    options: RpcPoolOptions = {}
  ) {
    if (urls.length === 0) throw new TillError('invalid-input', `no RPC URL configured for chain ${chainId}`)
    this.clock = options.clock ?? systemClock
    this.timeoutMs = options.timeoutMs ?? 2000
    this.hedgeMs = options.hedgeMs ?? 400
    this.backoffBaseMs = options.backoffBaseMs ?? 1000
    this.backoffMaxMs = options.backoffMaxMs ?? 60_000
    this.lagToleranceBlocks = options.lagToleranceBlocks ?? 2
    this.endpoints = urls.map((url, index) => {
      const ws = /^wss?:/i.test(url)
      const transport = ws ? new WsTransport(url, () => this.calls++) : new HttpTransport(url)
      return { url, index, transport, kind: ws ? 'ws' : 'http', consecutiveFailures: 0, retryAt: 0, lastError: null, calls: 0, latencyMs: null, failureRate: 0, head: null }
    })
  }

  health(): readonly EndpointHealth[] {
    return this.endpoints.map(({ url, kind, consecutiveFailures, retryAt, lastError, calls, latencyMs, failureRate, head }) => ({
      url, transport: kind, consecutiveFailures, retryAt, lastError, calls, latencyMs, failureRate, head
    }))
  }

  /** Highest head any endpoint reported. */
  bestHead(): number | null {
    const heads = this.endpoints.map((e) => e.head).filter((h): h is number => h !== null)
    return heads.length === 0 ? null : Math.max(...heads)
  }

  /** The endpoint the next call goes to first. */
  inUse(): string {
    return this.ordered()[0]!.url
  }

  /** True when nothing can confirm or deny a payment right now (see the top of this file). */
  allDown(): boolean {
    return this.lastPollFailed || this.endpoints.every((e) => e.consecutiveFailures > 0)
  }

  /** The watcher's verdict on its last poll (a poll can fail while single calls still succeed). */
  notePoll(ok: boolean): void {
    this.lastPollFailed = !ok
  }

  /** A head an endpoint reported (eth_blockNumber, 'latest', newHeads). Per endpoint, heads only move forward. */
  noteHead(url: string, head: number): void {
    const e = this.endpoints.find((x) => x.url === url)
    if (e && (e.head === null || head > e.head)) e.head = head
  }

  /** After a proven reorg to a shorter chain, the heads reported for the old chain no longer hold. */
  resetHeads(head: number): void {
    for (const e of this.endpoints) if (e.head !== null && e.head > head) e.head = head
  }

  /** An ethers provider backed by this pool (deadline, hedge, failover) for Contract reads. */
  provider(): JsonRpcApiProvider {
    this.ethersProvider ??= new PoolProvider(this)
    return this.ethersProvider
  }

  /** Push each new head from every ws:// endpoint; returns false when no endpoint can push (HTTP only). */
  subscribeHeads(listener: (head: PushedHead) => void): boolean {
    let any = false
    for (const e of this.endpoints) {
      if (e.transport instanceof WsTransport) {
        any = true
        e.transport.watchHeads((head) => {
          this.noteHead(head.url, head.number)
          listener(head)
        })
      }
    }
    return any
  }

  /** True while at least one newHeads subscription is live. */
  pushing(): boolean {
    return this.endpoints.some((e) => e.transport instanceof WsTransport && e.transport.subscribed)
  }

  private lagging(e: Endpoint, best: number | null): boolean {
    return best !== null && e.head !== null && e.head < best - this.lagToleranceBlocks
  }

  private score(e: Endpoint): number {
    return (e.latencyMs ?? this.hedgeMs / 2) * (1 + 4 * e.failureRate)
  }

  /** Ready endpoints by (not lagging, score, configured order), then the ones in backoff by soonest retry. */
  private ordered(): Endpoint[] {
    const now = this.clock.now()
    const best = this.bestHead()
    const ready = this.endpoints
      .filter((e) => e.retryAt <= now)
      .sort((a, b) => Number(this.lagging(a, best)) - Number(this.lagging(b, best)) || this.score(a) - this.score(b) || a.index - b.index)
    const waiting = this.endpoints.filter((e) => e.retryAt > now).sort((a, b) => a.retryAt - b.retryAt)
    return [...ready, ...waiting]
  }

  private record(e: Endpoint, outcome: Outcome, elapsedMs: number): void {
    const failed = outcome.kind === 'transport' || (outcome.kind === 'answer' && outcome.error.kind === 'error')
    e.failureRate = e.failureRate * (1 - EWMA) + (failed ? EWMA : 0)
    if (outcome.kind !== 'transport') e.latencyMs = e.latencyMs === null ? elapsedMs : Math.round(e.latencyMs * (1 - EWMA) + elapsedMs * EWMA)
    else e.latencyMs = Math.max(e.latencyMs ?? 0, elapsedMs)
    if (failed) {
      e.consecutiveFailures++
      e.lastError = outcome.kind === 'transport' ? outcome.message.slice(0, 200) : outcome.error.message.slice(0, 200)
      const backoff = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(e.consecutiveFailures - 1, 16))
      e.retryAt = this.clock.now() + backoff
    } else {
      e.consecutiveFailures = 0
      e.retryAt = 0
      e.lastError = null
    }
  }

  /** One JSON-RPC call (see the top of this file). Throws RpcAnswerError or TillError('unavailable'). */
  async send<T>(method: string, params: readonly unknown[]): Promise<T> {
    return (await this.sendFrom<T>(method, params)).result
  }

  /** Like send, and says which endpoint answered (for per-endpoint heads). */
  sendFrom<T>(method: string, params: readonly unknown[]): Promise<{ result: T; url: string }> {
    const now = this.clock.now()
    const candidates = this.ordered()
    const ready = candidates.filter((e) => e.retryAt <= now)
    const queue = ready.length > 0 ? ready : candidates.slice(0, 1)
    return new Promise((resolve, reject) => {
      let next = 0
      let running = 0
      let settled = false
      let lastFailure = 'no endpoint tried'
      let unknownBlock: RpcAnswerError | null = null
      let hedgeTimer: ReturnType<typeof setTimeout> | null = null
      const finish = (): void => {
        if (hedgeTimer) clearTimeout(hedgeTimer)
        hedgeTimer = null
      }
      const exhausted = (): void => {
        if (settled || running > 0 || next < queue.length) return
        settled = true
        finish()
        if (unknownBlock) reject(unknownBlock)
        else reject(new TillError('unavailable', `no RPC endpoint for chain ${this.chainId} answered ${method}: ${lastFailure}`))
      }
      const launch = (): void => {
        if (settled || next >= queue.length) return
        const e = queue[next++]!
        running++
        this.calls++
        e.calls++
        const started = performance.now()
        if (hedgeTimer) clearTimeout(hedgeTimer)
        hedgeTimer = next < queue.length ? setTimeout(launch, this.hedgeMs) : null
        void e.transport.request(method, params, this.timeoutMs).then((outcome) => {
          running--
          this.record(e, outcome, Math.round(performance.now() - started))
          if (settled) return
          if (outcome.kind === 'ok') {
            settled = true
            finish()
            resolve({ result: outcome.result as T, url: e.url })
            return
          }
          if (outcome.kind === 'answer' && (outcome.error.kind === 'range' || outcome.error.kind === 'revert')) {
            settled = true
            finish()
            reject(outcome.error)
            return
          }
          if (outcome.kind === 'answer' && outcome.error.kind === 'unknown-block') unknownBlock = outcome.error
          else {
            lastFailure = outcome.kind === 'transport' ? outcome.message : outcome.error.message
            if (outcome.kind === 'answer' && !unknownBlock && next >= queue.length && running === 0) {
              // Every endpoint said no in JSON-RPC: pass the node's words on.
              settled = true
              finish()
              reject(outcome.error)
              return
            }
          }
          // A failure: do not wait for the hedge delay, ask the next endpoint now.
          launch()
          exhausted()
        })
      }
      launch()
    })
  }

  destroy(): void {
    for (const e of this.endpoints) e.transport.close()
    this.ethersProvider?.destroy()
  }
}

/** ethers' JSON-RPC provider with the pool as its transport (one request per call: no batches). */
class PoolProvider extends JsonRpcApiProvider {
  constructor(private readonly pool: RpcPool) {
    const network = Network.from(pool.chainId)
    super(network, { staticNetwork: network, batchMaxCount: 1, cacheTimeout: -1 })
  }

  async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<(JsonRpcResult | JsonRpcError)[]> {
    const list = Array.isArray(payload) ? payload : [payload]
    return Promise.all(
      list.map(async (p): Promise<JsonRpcResult | JsonRpcError> => {
        try {
          return { id: p.id, result: await this.pool.send<unknown>(p.method, p.params as unknown[]) }
        } catch (e) {
          if (e instanceof RpcAnswerError) return { id: p.id, error: { code: e.rpcCode ?? -32000, message: e.message, data: e.data } }
          throw e
        }
      })
    )
  }
}
