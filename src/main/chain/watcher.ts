// The payment watcher: our own eth_getLogs loop with a cursor saved in SQLite, block hashes and parent links.
//
// Why not provider.on('Transfer') / eth_newFilter: filters live in the node's memory and die silently when the node
// restarts, load-balances or forgets them, and no common node (geth, anvil, hardhat, ganache, hosted RPCs) reliably
// sends `removed: true` logs on a reorg. So the watcher owns its position. THE CURSOR (chain_cursor.block_number and
// block_hash) MEANS: every block up to it had its logs read completely, on the chain whose block there has that hash.
// It only moves over blocks whose reading is proven complete; an answer that cannot prove it leaves the cursor where
// it is and the block is read again (rescans are harmless: logs are keyed by chainId, txHash, logIndex).
//
//   1. HEAD. eth_getBlockByNumber('latest') (or the header a newHeads subscription pushed). Heads only move forward:
//      chain_cursor.head is the highest head seen on any endpoint, across failover, and confirmations count from it.
//      A node whose head is below it is LAGGING: nothing is asked of it above its own head, and a lower head is
//      never taken for a reorg. Only a changed hash at a height the node has is a reorg; then the head claim of the
//      old chain is void and head restarts from the node's.
//   2. REORG CHECK at the cursor, at a height the node has: the node's hash at the cursor (or the head's parentHash,
//      no extra call) must be the saved one; a node below the cursor is checked at its own head against the stored
//      checkpoint there. On a mismatch, walk back the stored checkpoints to the newest the chain still agrees with
//      (the common ancestor), delete every log and checkpoint above it and rescan. Deleting is safe because logs are
//      facts re-derived from the chain; payment state is recomputed from whatever logs survive (shared/payment).
//   3. DEEP BLOCKS (more than recheckDepth() below the best head: older than any confirmation depth an open request
//      needs) are read with ranged eth_getLogs, the chunk-end header read first (a reorg in between then shows up at
//      the next check). A provider's range refusal shrinks the range by half (multiplicative decrease); each success
//      grows it back by a quarter of the last known limit (additive increase), and after 16 successes at the limit
//      the limit itself is probed higher, so one "limit exceeded" never pins the range to 1 block.
//   4. THE UNCONFIRMED WINDOW (the newest recheckDepth() blocks) is read one block at a time BY BLOCK HASH (EIP-234
//      `{ blockHash }` filter). A range answer from a node behind the head it reported silently omits the newest
//      blocks (a load balancer pairs one node's eth_blockNumber with another's eth_getLogs); a blockHash query
//      either answers for exactly that block or fails with "unknown block" (EIP-234: an unknown hash is an error,
//      never an empty list). Each header must link to the cursor by parentHash, so the window is one chain: the
//      logs of a block are fixed by its hash (the receipts root is in the header), so a block read once by hash on a
//      linked chain needs no re-reading until a hash changes, which the parent link and the check in 2 catch. This is
//      the "re-read the window until it reaches the depth" of the issue, done with one getLogs per block instead of
//      one per block per poll.
//   5. Logs are filtered to ERC-20 Transfer(address,address,uint256) (EIP-20) from the pinned token contracts to the
//      watched recipients (topic2); zero-value transfers (a known spoofing trick: transferFrom(victim, shop, 0) needs
//      no allowance) and look-alike contracts are ignored.
//
// THE LOOP. With nothing to watch it polls only the head, backing off to idleMaxIntervalMs. While a request is open:
//   - ws:// or wss:// endpoints push new heads (eth_subscribe "newHeads"); each pushed head is read at once (one
//     eth_getLogs by hash: the header came with the push), and a full poll every intervalMs is the safety net (a
//     dropped subscription, a reorg at the same height). The subscription reconnects by itself (rpc.ts).
//   - over HTTP the cheap eth_blockNumber is polled every headPollMs (default 250 ms); blocks and logs are read only
//     when it moves, when the last poll left the cursor below the head (retried every intervalMs), or every
//     5 x intervalMs as the safety net.
// An RPC outage of any length just makes polls fail; the next successful poll catches up from the saved cursor, also
// after a restart (a new watcher on the same ledger starts from it).
import { getAddress, zeroPadValue } from 'ethers'
import { systemClock, type Clock } from '../../shared/clock'
import { TillError } from '../../shared/result'
import { prepareCached, type Db } from '../ledger/db'
import type { ChainHealthStatus, ChainHealthView } from '../../shared/payment/health'
import { healthStatus, healthThresholds, healthView, expectedBlockTimeMs, type HealthInputs, type HealthThresholds } from './health'
import { RpcAnswerError, type PushedHead, type RpcPool } from './rpc'

/** keccak256("Transfer(address,address,uint256)"), ERC-20 / EIP-20. */
export const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

export interface ChainCursor {
  readonly chainId: number
  readonly blockNumber: number
  readonly blockHash: string
  readonly head: number
  readonly finalized: number | null
  readonly updatedAt: number
}

export interface PollResult {
  readonly head: number
  readonly cursor: number
  readonly newLogs: number
  /** The cursor height a reorg rolled back from, or null. */
  readonly reorgedFrom: number | null
  readonly rolledBackTo: number | null
  readonly idle: boolean
}

export interface WatcherOptions {
  readonly db: Db
  readonly chainId: number
  readonly pool: RpcPool
  /** The pinned token contracts to accept Transfer logs from (registry addresses, checksummed). */
  readonly tokenAddresses: () => readonly string[]
  /** Recipients to watch (receive addresses of requests still in their hold window). */
  readonly watchedAddresses: () => readonly string[]
  /** Fetch the `finalized` block tag each poll (chains whose policy is { kind: 'finalized' }). */
  readonly trackFinalized?: boolean
  readonly clock?: Clock
  /** While watching: the longest time between full polls, and the retry delay of an incomplete one; default 1000 ms. */
  readonly intervalMs?: number
  /** While watching over HTTP: how often eth_blockNumber is asked; default 250 ms. */
  readonly headPollMs?: number
  /** Longest idle poll interval (nothing watched); default 30 s. */
  readonly idleMaxIntervalMs?: number
  /** Largest eth_getLogs range; default 2000 blocks (many hosted RPCs cap at 2k-10k). */
  readonly maxRange?: number
  /**
   * Depth of the unconfirmed window read by block hash: the deepest confirmation depth any open request needs
   * (blocks; for a `finalized` policy, the chain's usual head-to-finalized distance); default 64.
   */
  readonly recheckDepth?: () => number
  /** How far back to rescan when no stored checkpoint matches after a reorg; default 256 blocks. */
  readonly rescanDepth?: number
  /** First start: how many blocks below the head the cursor begins; default 16. */
  readonly startBacklog?: number
  /** The chain's block time for the health thresholds (src/main/chain/health.ts); default from the chain table. */
  readonly blockTimeMs?: number | null
  readonly onPolled?: (result: PollResult) => void
  readonly onError?: (error: unknown) => void
}

interface BlockHeader {
  readonly number: number
  readonly hash: string
  readonly parentHash: string
  readonly timestampMs: number
}

interface RawBlock {
  number: string
  hash: string
  parentHash: string
  timestamp: string
}

interface RawLog {
  address: string
  topics: string[]
  data: string
  blockNumber: string
  blockHash: string
  blockTimestamp?: string
  transactionHash: string
  logIndex: string
}

interface LogRow {
  readonly log: RawLog
  readonly value: bigint
  readonly toAddress: string
  readonly fromAddress: string
  readonly blockNumber: number
}

function hexToNumber(hex: string): number {
  const n = Number.parseInt(hex, 16)
  if (!Number.isSafeInteger(n)) throw new Error(`bad quantity ${hex}`)
  return n
}

const toHex = (n: number): string => `0x${n.toString(16)}`

export function readCursor(db: Db, chainId: number): ChainCursor | null {
  // Compiled once per connection: the payment service reads the cursor for every live request it refreshes.
  const row = prepareCached(db, 'SELECT chain_id, block_number, block_hash, head, finalized, updated_at FROM chain_cursor WHERE chain_id = ?')
    .get(chainId) as { chain_id: number; block_number: number; block_hash: string; head: number; finalized: number | null; updated_at: number } | undefined
  if (!row) return null
  return { chainId: row.chain_id, blockNumber: row.block_number, blockHash: row.block_hash, head: row.head, finalized: row.finalized, updatedAt: row.updated_at }
}

/** Head probe around the moment a block is due (see nextProbeDelay). */
const PROBE_FAST_MS = 40
const PROBE_LEAD_MS = 80
/** Successes at the known range limit before the limit itself is probed higher. */
const PROBE_AFTER_SUCCESSES = 16
/** At most this many reorg rollbacks in one poll (a chain flapping faster than that is retried next poll). */
const MAX_ROLLBACKS_PER_POLL = 3

export class ChainWatcher {
  private readonly db: Db
  private readonly pool: RpcPool
  private readonly clock: Clock
  private readonly intervalMs: number
  private readonly headPollMs: number
  private readonly idleMaxIntervalMs: number
  private readonly maxRange: number
  private readonly rescanDepth: number
  private readonly startBacklog: number
  private readonly thresholds: HealthThresholds
  private currentChunk: number
  /** The largest range believed to be accepted (maxRange until a refusal says less). */
  private rangeLimit: number
  private successesAtLimit = 0
  private inFlight: Promise<PollResult> | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private running = false
  private idleDelayMs: number
  private consecutiveErrors = 0
  private firstErrorAt: number | null = null
  private lastFullPollAt = 0
  /** The head the loop last acted on (eth_blockNumber or a pushed head). */
  private lastHeadSeen = -1
  /** Local time (performance.now) a head move was noticed by the head probe, and the block rhythm learnt from it. */
  private headMovedAt: number | null = null
  private rhythm: { intervalMs: number; deviationMs: number; samples: number } | null = null
  private pushed: (PushedHead & { readonly receivedAt: number }) | null = null
  private pushing = false
  /** Highest head header seen (number and its block time), across endpoints; reset only by a proven reorg. */
  private best: { number: number; timestampMs: number } | null = null
  private shownStatus: ChainHealthStatus = 'unknown'
  private shownSince: number | null = null
  /** Last error of the loop, for the UI ("chain unreachable since ..."). */
  lastError: string | null = null
  lastSuccessAt: number | null = null

  constructor(private readonly options: WatcherOptions) {
    this.db = options.db
    this.pool = options.pool
    this.clock = options.clock ?? systemClock
    this.intervalMs = options.intervalMs ?? 1000
    this.headPollMs = options.headPollMs ?? 250
    this.idleMaxIntervalMs = options.idleMaxIntervalMs ?? 30_000
    this.maxRange = options.maxRange ?? 2000
    this.rescanDepth = options.rescanDepth ?? 256
    this.startBacklog = options.startBacklog ?? 16
    this.currentChunk = this.maxRange
    this.rangeLimit = this.maxRange
    this.idleDelayMs = this.intervalMs
    const blockTime = options.blockTimeMs === undefined ? expectedBlockTimeMs(options.chainId) : options.blockTimeMs
    this.thresholds = healthThresholds(options.chainId, this.intervalMs, blockTime)
    const saved = this.cursor()
    if (saved) this.best = { number: saved.head, timestampMs: 0 }
  }

  get chainId(): number {
    return this.options.chainId
  }

  /** The eth_getLogs range currently used (shrinks on refusals, grows back after successes). */
  get chunkSize(): number {
    return this.currentChunk
  }

  get rpcCalls(): number {
    return this.pool.calls
  }

  cursor(): ChainCursor | null {
    return readCursor(this.db, this.options.chainId)
  }

  private recheckDepth(): number {
    const depth = this.options.recheckDepth?.() ?? 64
    return Math.max(1, Math.floor(depth))
  }

  /** What the counter shows for this chain (src/shared/payment/health.ts; thresholds in ./health.ts). */
  health(): ChainHealthView {
    const now = this.clock.now()
    const endpoints = this.pool.health()
    const inputs: HealthInputs = {
      chainId: this.options.chainId,
      now,
      thresholds: this.thresholds,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
      consecutivePollErrors: this.consecutiveErrors,
      allEndpointsFailing: endpoints.every((e) => e.consecutiveFailures > 0),
      bestHead: this.best?.number ?? null,
      bestHeadTime: this.best && this.best.timestampMs > 0 ? this.best.timestampMs : null,
      endpoints,
      inUseUrl: this.pool.inUse(),
      lagToleranceBlocks: this.pool.lagToleranceBlocks
    }
    const status = healthStatus(inputs)
    if (status !== this.shownStatus) {
      this.shownStatus = status
      // An outage began at its first failed poll, not when someone looked.
      this.shownSince = status === 'down' ? (this.firstErrorAt ?? now) : now
    }
    return healthView(inputs, status, this.shownSince)
  }

  /** One poll. Concurrent callers share the loop: a call made during a poll waits for it, then runs its own. */
  pollOnce(): Promise<PollResult> {
    const previous = this.inFlight ?? Promise.resolve(null)
    const next = previous.catch(() => null).then(() => this.pollAndRecord())
    this.inFlight = next
    void next.finally(() => {
      if (this.inFlight === next) this.inFlight = null
    }).catch(() => undefined)
    return next
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.pushing = this.pool.subscribeHeads((head) => this.onPushedHead(head))
    this.schedule(0)
  }

  stop(): Promise<void> {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    return (this.inFlight ?? Promise.resolve()).then(
      () => undefined,
      () => undefined
    )
  }

  /** Something new to watch (a request was created): poll now and drop the idle backoff. */
  wake(): void {
    this.idleDelayMs = this.intervalMs
    this.lastFullPollAt = 0
    if (this.running && this.timer) {
      clearTimeout(this.timer)
      this.schedule(0)
    }
  }

  private watching(): boolean {
    return this.options.tokenAddresses().length > 0 && this.options.watchedAddresses().length > 0
  }

  private onPushedHead(head: PushedHead): void {
    if (!this.running) return
    if (this.pushed === null || head.number >= this.pushed.number) this.pushed = { ...head, receivedAt: this.clock.now() }
    if (!this.watching() || head.number <= this.lastHeadSeen) return
    this.learnRhythm(head.number)
    this.lastHeadSeen = head.number
    // Read it now (the in-flight poll, if any, is followed by this one).
    void this.pollOnce().catch(() => undefined)
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null
      void this.tick()
    }, delayMs)
  }

  private async tick(): Promise<void> {
    if (!this.running) return
    const tickStarted = Date.now()
    let failed = false
    let delay: number
    if (!this.watching()) {
      failed = !(await this.pollOnce().then(() => true, () => false))
      // Idle: back off gently (x1.5) up to the idle maximum.
      delay = this.idleDelayMs
      this.idleDelayMs = Math.min(this.idleMaxIntervalMs, Math.round(this.idleDelayMs * 1.5))
    } else {
      this.idleDelayMs = this.intervalMs
      const now = this.clock.now()
      const pushLive = this.pushing && this.pool.pushing()
      const cursor = this.cursor()
      const incomplete = cursor !== null && this.best !== null && cursor.blockNumber < this.best.number
      const safetyDue = now - this.lastFullPollAt >= (pushLive ? this.intervalMs : 5 * this.intervalMs)
      let due = safetyDue || cursor === null || (incomplete && now - this.lastFullPollAt >= this.intervalMs)
      if (!due && !pushLive) {
        try {
          const { result, url } = await this.pool.sendFrom<string>('eth_blockNumber', [])
          const head = hexToNumber(result)
          this.pool.noteHead(url, head)
          if (head > this.lastHeadSeen) {
            this.learnRhythm(head)
            this.lastHeadSeen = head
            due = true
          }
        } catch (e) {
          // A failed head probe is a failed poll for health: nothing was checked.
          this.recordFailure(e)
          failed = true
        }
      }
      if (due && !failed) failed = !(await this.pollOnce().then(() => true, () => false))
      // Fixed rate: the time this tick took counts toward the next one (a head is noticed within headPollMs).
      delay = pushLive ? Math.max(0, this.intervalMs - (Date.now() - tickStarted)) : this.nextProbeDelay(tickStarted)
    }
    // Failing: retry with a capped backoff, so a recovery is noticed within seconds without hammering a dead node.
    if (failed) delay = Math.min(5000, Math.max(this.headPollMs, this.intervalMs) * 2 ** Math.min(this.consecutiveErrors - 1, 3))
    if (this.running) this.schedule(delay)
  }

  /** One more observed head move: refine the chain's block interval (only single-block steps are samples). */
  private learnRhythm(head: number): void {
    const now = performance.now()
    if (this.headMovedAt !== null && head === this.lastHeadSeen + 1) {
      const sample = now - this.headMovedAt
      const r = this.rhythm
      if (sample > 0 && sample < 60_000) {
        this.rhythm =
          r === null
            ? { intervalMs: sample, deviationMs: sample / 2, samples: 1 }
            : { intervalMs: r.intervalMs * 0.8 + sample * 0.2, deviationMs: r.deviationMs * 0.8 + Math.abs(sample - r.intervalMs) * 0.2, samples: r.samples + 1 }
      }
    } else if (head !== this.lastHeadSeen + 1) {
      this.rhythm = null // skipped blocks (an outage, a late start): the rhythm has to be learnt again
    }
    this.headMovedAt = now
  }

  /**
   * When the next eth_blockNumber goes out. A chain that keeps a steady block time (OP-stack and Arbitrum
   * sequencers, Ethereum's 12 s slots, anvil --block-time) is probed every PROBE_FAST_MS just around the moment the
   * next block is due and not at all in between; that notices a block within ~PROBE_FAST_MS for about the calls of
   * the plain headPollMs rhythm. A chain without a steady rhythm (deviation above 10 %) gets the plain rhythm.
   */
  private nextProbeDelay(tickStarted: number): number {
    const plain = Math.max(0, this.headPollMs - (Date.now() - tickStarted))
    const r = this.rhythm
    if (r === null || this.headMovedAt === null || r.samples < 4 || r.deviationMs > r.intervalMs * 0.1) return plain
    const untilDue = this.headMovedAt + r.intervalMs - PROBE_LEAD_MS - performance.now()
    if (untilDue > PROBE_FAST_MS) return Math.min(untilDue, 4 * this.headPollMs)
    // Due (or a little late): probe fast for a while, then fall back to the plain rhythm if no block came.
    return untilDue > -(PROBE_LEAD_MS + 2 * this.headPollMs) ? PROBE_FAST_MS : plain
  }

  private recordFailure(e: unknown): void {
    this.consecutiveErrors++
    if (this.consecutiveErrors === 1) this.firstErrorAt = this.clock.now()
    this.lastError = e instanceof Error ? e.message : String(e)
    this.pool.notePoll(false)
    this.options.onError?.(e)
  }

  private async pollAndRecord(): Promise<PollResult> {
    try {
      const result = await this.poll()
      this.consecutiveErrors = 0
      this.firstErrorAt = null
      this.lastError = null
      this.lastSuccessAt = this.clock.now()
      this.pool.notePoll(true)
      this.options.onPolled?.(result)
      return result
    } catch (e) {
      this.recordFailure(e)
      throw e
    }
  }

  private async block(tag: number | 'latest' | 'finalized'): Promise<BlockHeader | null> {
    let raw: RawBlock | null
    try {
      const answer = await this.pool.sendFrom<RawBlock | null>('eth_getBlockByNumber', [typeof tag === 'number' ? toHex(tag) : tag, false])
      raw = answer.result
      if (raw && tag === 'latest') this.pool.noteHead(answer.url, hexToNumber(raw.number))
    } catch (e) {
      // A node without the `finalized` tag answers with an error: no finalized block known. A block past the
      // node's head is null or "unknown block": the node does not have it (lagging), which is not an error.
      if (e instanceof RpcAnswerError && (tag === 'finalized' || e.kind === 'unknown-block')) return null
      throw e
    }
    if (!raw) return null
    return { number: hexToNumber(raw.number), hash: raw.hash, parentHash: raw.parentHash, timestampMs: hexToNumber(raw.timestamp) * 1000 }
  }

  private storedHash(blockNumber: number): string | null {
    const row = this.db.prepare('SELECT block_hash FROM chain_blocks WHERE chain_id = ? AND block_number = ?').get(this.options.chainId, blockNumber) as
      | { block_hash: string }
      | undefined
    return row?.block_hash ?? null
  }

  private saveCursor(header: BlockHeader, head: number, finalized: number | null): void {
    this.db
      .prepare(
        `INSERT INTO chain_cursor (chain_id, block_number, block_hash, head, finalized, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(chain_id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash,
           head = excluded.head, finalized = excluded.finalized, updated_at = excluded.updated_at`
      )
      .run(this.options.chainId, header.number, header.hash, head, finalized, this.clock.now())
    this.db
      .prepare('INSERT OR REPLACE INTO chain_blocks (chain_id, block_number, block_hash) VALUES (?, ?, ?)')
      .run(this.options.chainId, header.number, header.hash)
  }

  /** Raises the best head (never lowers it: a lower head is a lagging node). */
  private noteBest(header: BlockHeader): number {
    if (this.best === null || header.number > this.best.number || (header.number === this.best.number && this.best.timestampMs === 0)) {
      this.best = { number: header.number, timestampMs: header.timestampMs }
    }
    return this.best.number
  }

  /** The newest head header: a fresh pushed one (no call) or eth_getBlockByNumber('latest'). */
  private async latest(cursor: ChainCursor | null): Promise<BlockHeader | null> {
    const p = this.pushed
    // Only a fresh push stands in for 'latest' (an old one would hide newer blocks until the next push).
    if (p && cursor && p.number > cursor.blockNumber && p.parentHash !== '' && this.clock.now() - p.receivedAt <= this.intervalMs) {
      this.pushed = null
      return { number: p.number, hash: p.hash, parentHash: p.parentHash, timestampMs: p.timestampMs }
    }
    return this.block('latest')
  }

  private async poll(): Promise<PollResult> {
    const chainId = this.options.chainId
    this.lastFullPollAt = this.clock.now()
    let cursor = this.cursor()
    const latest = await this.latest(cursor)
    if (!latest) throw new TillError('unavailable', `chain ${chainId}: the node returned no latest block`)
    if (latest.number > this.lastHeadSeen) {
      this.learnRhythm(latest.number)
      this.lastHeadSeen = latest.number
    }
    const storedFinalized = cursor?.finalized ?? null
    const fetchedFinalized = this.options.trackFinalized ? ((await this.block('finalized'))?.number ?? null) : null
    // Finality only moves forward too (a lagging node's `finalized` is older, not undone).
    const finalized = fetchedFinalized === null ? storedFinalized : Math.max(fetchedFinalized, storedFinalized ?? 0)
    let head = this.noteBest(latest)

    if (!cursor) {
      const startNumber = Math.max(0, latest.number - this.startBacklog)
      const start = startNumber === latest.number ? latest : await this.block(startNumber)
      if (!start) throw new TillError('unavailable', `chain ${chainId}: block ${startNumber} not returned`)
      this.db.transaction(() => this.saveCursor(start, head, finalized))()
      cursor = this.cursor()!
    }

    const tokens = this.options.tokenAddresses()
    const watched = this.options.watchedAddresses()
    const idle = tokens.length === 0 || watched.length === 0

    if (idle) {
      // Nothing to watch: no reorg check and no eth_getLogs (nothing stored can still matter: every request whose
      // address was watched is past its hold window); move the cursor up to the head so a new request starts there.
      const at = latest.number > cursor.blockNumber ? latest : null
      this.db.transaction(() => {
        if (at) this.saveCursor(at, head, finalized)
        else this.db.prepare('UPDATE chain_cursor SET head = ?, finalized = ?, updated_at = ? WHERE chain_id = ?').run(head, finalized, this.clock.now(), chainId)
      })()
      return { head, cursor: this.cursor()!.blockNumber, newLogs: 0, reorgedFrom: null, rolledBackTo: null, idle: true }
    }

    const filter = {
      address: [...tokens],
      topics: [TRANSFER_TOPIC, null, [...new Set(watched.map((a) => a.toLowerCase()))].map((a) => zeroPadValue(a, 32))]
    }
    const watchedSet = new Set(watched.map((a) => a.toLowerCase()))
    const tokenSet = new Set(tokens.map((a) => a.toLowerCase()))
    let reorgedFrom: number | null = null
    let rolledBackTo: number | null = null
    let newLogs = 0

    const rollBack = async (from: ChainCursor): Promise<ChainCursor> => {
      reorgedFrom ??= from.blockNumber
      const ancestor = await this.findCommonAncestor(from.blockNumber, latest.number)
      rolledBackTo = ancestor.number
      // A proven reorg: the old chain's height claim goes with it; heads restart from the node's.
      this.best = { number: latest.number, timestampMs: latest.timestampMs }
      this.pool.resetHeads(latest.number)
      head = latest.number
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM chain_logs WHERE chain_id = ? AND block_number > ?').run(chainId, ancestor.number)
        this.db.prepare('DELETE FROM chain_blocks WHERE chain_id = ? AND block_number > ?').run(chainId, ancestor.number)
        this.saveCursor(ancestor, head, finalized)
      })()
      return this.cursor()!
    }

    // 2. Reorg check at a height the node has.
    const verdict = await this.checkCursor(cursor, latest)
    if (verdict === 'reorg') cursor = await rollBack(cursor)

    let rollbacks = verdict === 'reorg' ? 1 : 0
    let from = cursor.blockNumber + 1
    let cursorHash = cursor.blockHash
    const windowStart = head - this.recheckDepth() + 1
    // Never ask about blocks above the answering node's own head (a lagging node's answer there means nothing).
    const top = Math.min(latest.number, head)

    // 3. Deep blocks by range.
    while (verdict !== 'behind' && from <= Math.min(top, windowStart - 1)) {
      const to = Math.min(top, windowStart - 1, from + this.currentChunk - 1)
      const end = to === latest.number ? latest : await this.block(to)
      if (!end) break
      let logs: RawLog[]
      try {
        logs = await this.pool.send<RawLog[]>('eth_getLogs', [{ fromBlock: toHex(from), toBlock: toHex(to), ...filter }])
      } catch (e) {
        if (e instanceof RpcAnswerError && e.kind === 'range' && to > from) {
          this.shrinkRange(to - from + 1, e.message)
          continue
        }
        throw e
      }
      // The end block's logs must belong to the header we read first; if not, a reorg is under way: retry next poll.
      if (logs.some((l) => hexToNumber(l.blockNumber) === to && l.blockHash !== end.hash)) break
      const rows = this.acceptable(logs, tokenSet, watchedSet)
      const timestamps = new Map<string, number>([[end.hash, end.timestampMs]])
      for (const row of rows) {
        if (row.log.blockTimestamp) timestamps.set(row.log.blockHash, hexToNumber(row.log.blockTimestamp) * 1000)
        if (timestamps.has(row.log.blockHash)) continue
        const header = await this.block(row.blockNumber)
        if (!header || header.hash !== row.log.blockHash) throw new TillError('unavailable', `chain ${chainId}: block ${row.blockNumber} changed while scanning`)
        timestamps.set(header.hash, header.timestampMs)
      }
      newLogs += this.store(rows, timestamps, end, head, finalized)
      this.growRange(to - from + 1)
      from = to + 1
      cursorHash = end.hash
    }

    // 4. The unconfirmed window, block by block, by hash, each linked to the one below.
    while (verdict !== 'behind' && from <= top && from >= windowStart) {
      const header = from === latest.number ? latest : await this.block(from)
      if (!header) break // the node does not have it yet (lagging): read it on a later poll
      if (header.parentHash !== cursorHash) {
        // The chain under the cursor changed between the check and now.
        if (rollbacks >= MAX_ROLLBACKS_PER_POLL) break
        rollbacks++
        const rolled = await rollBack(this.cursor()!)
        from = rolled.blockNumber + 1
        cursorHash = rolled.blockHash
        continue
      }
      let logs: RawLog[]
      try {
        logs = await this.pool.send<RawLog[]>('eth_getLogs', [{ blockHash: header.hash, ...filter }])
      } catch (e) {
        // EIP-234: the node answering does not have this block. Not "no payment here": stop, read it again later.
        if (e instanceof RpcAnswerError && e.kind === 'unknown-block') break
        throw e
      }
      if (logs.some((l) => l.blockHash !== header.hash)) break
      const rows = this.acceptable(logs, tokenSet, watchedSet)
      newLogs += this.store(rows, new Map([[header.hash, header.timestampMs]]), header, head, finalized)
      from = header.number + 1
      cursorHash = header.hash
    }

    // Head and finalized move even when the cursor could not (confirmations are counted against them).
    this.db.prepare('UPDATE chain_cursor SET head = ?, finalized = ?, updated_at = ? WHERE chain_id = ?').run(head, finalized, this.clock.now(), chainId)
    return { head, cursor: this.cursor()!.blockNumber, newLogs, reorgedFrom, rolledBackTo, idle: false }
  }

  /**
   * Is the saved cursor still on the chain the node follows? 'behind': the node's head is below the cursor and
   * agrees with (or cannot speak about) what we stored; nothing to read from it.
   */
  private async checkCursor(cursor: ChainCursor, latest: BlockHeader): Promise<'ok' | 'reorg' | 'behind'> {
    if (latest.number === cursor.blockNumber) return latest.hash === cursor.blockHash ? 'ok' : 'reorg'
    if (latest.number === cursor.blockNumber + 1) return latest.parentHash === cursor.blockHash ? 'ok' : 'reorg'
    if (latest.number > cursor.blockNumber) {
      const there = await this.block(cursor.blockNumber)
      if (!there) return 'behind' // an inconsistent or load-balanced node: no verdict, retry next poll
      return there.hash === cursor.blockHash ? 'ok' : 'reorg'
    }
    // The node is below our cursor: lagging, unless the block it does have at its head differs from ours.
    const stored = this.storedHash(latest.number)
    return stored !== null && stored !== latest.hash ? 'reorg' : 'behind'
  }

  /** ERC-20 Transfers from a pinned contract to a watched address with a non-zero value (defence in depth). */
  private acceptable(logs: readonly RawLog[], tokenSet: ReadonlySet<string>, watchedSet: ReadonlySet<string>): LogRow[] {
    const rows: LogRow[] = []
    for (const log of logs) {
      if (!tokenSet.has(log.address.toLowerCase())) continue
      // ERC-721 Transfer has 4 topics and no data: skip it.
      if (log.topics.length !== 3 || log.topics[0] !== TRANSFER_TOPIC || log.data.length !== 66) continue
      const toAddress = getAddress(`0x${log.topics[2]!.slice(26)}`)
      if (!watchedSet.has(toAddress.toLowerCase())) continue
      const value = BigInt(log.data)
      if (value === 0n) continue
      rows.push({ log, value, toAddress, fromAddress: getAddress(`0x${log.topics[1]!.slice(26)}`), blockNumber: hexToNumber(log.blockNumber) })
    }
    return rows
  }

  /** Saves the logs of a fully read span and moves the cursor to its end, in one transaction. */
  private store(rows: readonly LogRow[], timestamps: ReadonlyMap<string, number>, end: BlockHeader, head: number, finalized: number | null): number {
    const chainId = this.options.chainId
    const seenAt = this.clock.now()
    let inserted = 0
    this.db.transaction(() => {
      const insert = this.db.prepare(
        `INSERT OR IGNORE INTO chain_logs (chain_id, tx_hash, log_index, block_number, block_hash, block_time, token_address,
           from_address, to_address, value, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      const checkpoint = this.db.prepare('INSERT OR REPLACE INTO chain_blocks (chain_id, block_number, block_hash) VALUES (?, ?, ?)')
      for (const row of rows) {
        inserted += insert.run(
          chainId,
          row.log.transactionHash,
          hexToNumber(row.log.logIndex),
          row.blockNumber,
          row.log.blockHash,
          timestamps.get(row.log.blockHash) ?? end.timestampMs,
          getAddress(row.log.address),
          row.fromAddress,
          row.toAddress,
          row.value.toString(),
          seenAt
        ).changes
        checkpoint.run(chainId, row.blockNumber, row.log.blockHash)
      }
      this.saveCursor(end, head, finalized)
      // Keep the newest checkpoints only: enough to find an ancestor for any reorg we can survive.
      this.db
        .prepare(
          `DELETE FROM chain_blocks WHERE chain_id = ? AND block_number < (
             SELECT MIN(block_number) FROM (SELECT block_number FROM chain_blocks WHERE chain_id = ? ORDER BY block_number DESC LIMIT 512))`
        )
        .run(chainId, chainId)
    })()
    return inserted
  }

  /**
   * Multiplicative decrease: half the refused range, and the refused size minus one is the new limit. When the
   * refusal states a block limit ("max 10 blocks", "up to a 2000 block range") that limit is used as is; a number in
   * a result-count refusal ("more than 10000 results") says nothing about blocks and is not used.
   */
  private shrinkRange(refused: number, message: string): void {
    const stated = /result|logs/i.test(message)
      ? []
      : [...message.replace(/(\d),(?=\d{3}\b)/g, '$1').matchAll(/\d+/g)].map((m) => Number(m[0])).filter((n) => Number.isSafeInteger(n) && n >= 1 && n < refused)
    if (stated.length > 0) {
      this.rangeLimit = Math.max(...stated)
      this.currentChunk = this.rangeLimit
    } else {
      this.rangeLimit = Math.max(1, Math.min(this.rangeLimit, refused - 1))
      this.currentChunk = Math.max(1, Math.floor(Math.min(this.currentChunk, refused) / 2))
    }
    this.successesAtLimit = 0
  }

  /** Additive increase back to the limit; after enough successes there, probe a larger limit (the cap may be gone). */
  private growRange(used: number): void {
    if (used < this.currentChunk) return // a short tail chunk says nothing about the limit
    if (this.currentChunk < this.rangeLimit) {
      this.currentChunk = Math.min(this.rangeLimit, this.currentChunk + Math.max(1, Math.ceil(this.rangeLimit / 4)))
      return
    }
    if (this.rangeLimit < this.maxRange && ++this.successesAtLimit >= PROBE_AFTER_SUCCESSES) {
      this.rangeLimit = Math.min(this.maxRange, this.rangeLimit * 2)
      this.successesAtLimit = 0
    }
  }

  /** Walks back the stored checkpoints below `fromNumber` to the newest one the chain still agrees with. */
  private async findCommonAncestor(fromNumber: number, headNumber: number): Promise<BlockHeader> {
    const checkpoints = this.db
      .prepare('SELECT block_number, block_hash FROM chain_blocks WHERE chain_id = ? AND block_number < ? ORDER BY block_number DESC LIMIT 512')
      .all(this.options.chainId, fromNumber) as { block_number: number; block_hash: string }[]
    for (const checkpoint of checkpoints) {
      if (checkpoint.block_number > headNumber) continue
      const header = await this.block(checkpoint.block_number)
      if (header && header.hash === checkpoint.block_hash) return header
    }
    // No checkpoint survives: rescan a fixed depth below where we were (logs above it are deleted and re-read).
    const fallback = Math.max(0, Math.min(fromNumber, headNumber) - this.rescanDepth)
    const header = await this.block(fallback)
    if (!header) throw new TillError('unavailable', `chain ${this.options.chainId}: block ${fallback} not returned during reorg recovery`)
    return header
  }
}
