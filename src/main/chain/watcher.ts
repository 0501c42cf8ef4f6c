// The payment watcher: our own eth_getLogs loop with a cursor saved in SQLite and block-hash checks.
//
// Why not provider.on('Transfer') / eth_newFilter: filters live in the node's memory and die silently when the node
// restarts, load-balances or forgets them, and no common node (geth, anvil, hardhat, ganache, hosted RPCs) reliably
// sends `removed: true` logs on a reorg. So the watcher owns its position:
//
//   1. head = eth_getBlockByNumber('latest') (and 'finalized' when a chain's policy uses it).
//   2. Reorg check: the block at the saved cursor height must still have the saved hash. If not (or the chain got
//      shorter), walk back the stored checkpoints (chunk ends and blocks that held logs) until one still matches:
//      that is the common ancestor. Delete every log and checkpoint above it, move the cursor there, and rescan.
//      Deleting is safe because logs are facts re-derived from the chain; payment state is recomputed from whatever
//      logs survive (src/shared/payment/state.ts).
//   3. Scan cursor+1..head with eth_getLogs for ERC-20 Transfer(address,address,uint256) logs (EIP-20), only from
//      the pinned token contracts and only with topic2 (the recipient) in the watched set. Ranges are chunked; when a
//      provider refuses a range ("block range too large", "more than 10000 results", ...) the chunk halves and the
//      same range is retried; after a run of successes it grows back.
//   4. The chunk-end header is read BEFORE its logs: if a reorg lands in between, the stored hash is the old one and
//      the next poll's check rolls back and rescans, so stale logs never sit under a matching checkpoint.
//   5. Logs are keyed by (chainId, txHash, logIndex): a rescan re-inserts nothing. Zero-value transfers (a known
//      spoofing trick: transferFrom(victim, shop, 0) needs no allowance) and logs from other contracts are ignored.
//
// An RPC outage of any length just makes polls fail; the next successful poll catches up from the cursor.
import { getAddress, zeroPadValue } from 'ethers'
import { systemClock, type Clock } from '../../shared/clock'
import { TillError } from '../../shared/result'
import type { Db } from '../ledger/db'
import { chainName } from '../../shared/payment/tokens'
import { endpointLabel, type ChainHealthView } from '../../shared/payment/health'
import { RpcAnswerError, type RpcPool } from './rpc'

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
  /** Poll interval while watching; default 2000 ms. */
  readonly intervalMs?: number
  /** Longest idle poll interval (nothing watched); default 30 s. */
  readonly idleMaxIntervalMs?: number
  /** Largest eth_getLogs range; default 2000 blocks (many hosted RPCs cap at 2k-10k). */
  readonly maxRange?: number
  /** How far back to rescan when no stored checkpoint matches after a reorg; default 256 blocks. */
  readonly rescanDepth?: number
  /** First start: how many blocks below the head the cursor begins; default 16. */
  readonly startBacklog?: number
  readonly onPolled?: (result: PollResult) => void
  readonly onError?: (error: unknown) => void
}

interface BlockHeader {
  readonly number: number
  readonly hash: string
  readonly timestampMs: number
}

interface RawBlock {
  number: string
  hash: string
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

// How hosted RPCs word "ask for less" (Alchemy, Infura, QuickNode, public nodes, geth's own 10000-result cap).
const RANGE_REFUSAL =
  /block range|range (is )?too (large|big|wide)|too many (blocks|results|logs)|more than \d+ (results|logs|blocks)|query returned more than|exceeds? (the )?(max|limit|range)|limit exceeded|response size|log response size/i

function hexToNumber(hex: string): number {
  const n = Number.parseInt(hex, 16)
  if (!Number.isSafeInteger(n)) throw new Error(`bad quantity ${hex}`)
  return n
}

const toHex = (n: number): string => `0x${n.toString(16)}`

export function readCursor(db: Db, chainId: number): ChainCursor | null {
  const row = db
    .prepare('SELECT chain_id, block_number, block_hash, head, finalized, updated_at FROM chain_cursor WHERE chain_id = ?')
    .get(chainId) as { chain_id: number; block_number: number; block_hash: string; head: number; finalized: number | null; updated_at: number } | undefined
  if (!row) return null
  return { chainId: row.chain_id, blockNumber: row.block_number, blockHash: row.block_hash, head: row.head, finalized: row.finalized, updatedAt: row.updated_at }
}

export class ChainWatcher {
  private readonly db: Db
  private readonly pool: RpcPool
  private readonly clock: Clock
  private readonly intervalMs: number
  private readonly idleMaxIntervalMs: number
  private readonly maxRange: number
  private readonly rescanDepth: number
  private readonly startBacklog: number
  private currentChunk: number
  /** Half the smallest refused range: growth after a refusal never goes past it again (the provider's cap). */
  private rangeCeiling: number
  private successesSinceShrink = 0
  private inFlight: Promise<PollResult> | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private running = false
  private nextDelayMs: number
  private consecutiveErrors = 0
  /** Last error of the loop, for the UI ("chain unreachable since ..."). */
  lastError: string | null = null
  lastSuccessAt: number | null = null

  constructor(private readonly options: WatcherOptions) {
    this.db = options.db
    this.pool = options.pool
    this.clock = options.clock ?? systemClock
    this.intervalMs = options.intervalMs ?? 2000
    this.idleMaxIntervalMs = options.idleMaxIntervalMs ?? 30_000
    this.maxRange = options.maxRange ?? 2000
    this.rescanDepth = options.rescanDepth ?? 256
    this.startBacklog = options.startBacklog ?? 16
    this.currentChunk = this.maxRange
    this.rangeCeiling = this.maxRange
    this.nextDelayMs = this.intervalMs
  }

  get chainId(): number {
    return this.options.chainId
  }

  /** The eth_getLogs range currently used (shrinks on refusals). */
  get chunkSize(): number {
    return this.currentChunk
  }

  get rpcCalls(): number {
    return this.pool.calls
  }

  cursor(): ChainCursor | null {
    return readCursor(this.db, this.options.chainId)
  }

  /** What the counter shows for this chain (src/shared/payment/health.ts). */
  health(): ChainHealthView {
    const now = this.clock.now()
    const cursor = this.cursor()
    const downAfterMs = Math.max(10_000, this.intervalMs * 5)
    const status = this.lastSuccessAt === null ? (this.lastError ? 'down' : 'unknown') : this.lastError && now - this.lastSuccessAt > downAfterMs ? 'down' : 'up'
    const endpoints = this.pool.health()
    const inUse = endpoints.find((e) => e.retryAt <= now) ?? null
    return {
      chainId: this.options.chainId,
      chainName: chainName(this.options.chainId),
      status,
      head: cursor?.head ?? null,
      headBlockTime: null,
      lastSuccessAt: this.lastSuccessAt,
      since: status === 'up' ? null : this.lastSuccessAt,
      endpoint: inUse ? endpointLabel(inUse.url) : null,
      lastError: this.lastError,
      endpoints: endpoints.map((e) => ({
        label: endpointLabel(e.url),
        transport: e.url.startsWith('ws') ? 'ws' : 'http',
        latencyMs: null,
        failureRate: e.consecutiveFailures > 0 ? 1 : 0,
        head: null,
        inUse: e === inUse,
        backoffUntil: e.retryAt > now ? e.retryAt : null,
        lastError: e.lastError
      }))
    }
  }

  /** One poll. Concurrent callers share the loop: a call made during a poll waits for it, then runs its own. */
  pollOnce(): Promise<PollResult> {
    const previous = this.inFlight ?? Promise.resolve(null)
    const next = previous.catch(() => null).then(() => this.poll())
    this.inFlight = next
    void next.finally(() => {
      if (this.inFlight === next) this.inFlight = null
    }).catch(() => undefined)
    return next
  }

  start(): void {
    if (this.running) return
    this.running = true
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

  /** Something new to watch (a request was created): poll soon and drop the idle backoff. */
  wake(): void {
    this.nextDelayMs = this.intervalMs
    if (this.running && this.timer) {
      clearTimeout(this.timer)
      this.schedule(0)
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null
      void this.tick()
    }, delayMs)
  }

  private async tick(): Promise<void> {
    if (!this.running) return
    try {
      const result = await this.pollOnce()
      this.consecutiveErrors = 0
      // Idle: back off gently (x1.5) up to the idle maximum; watching: the configured interval.
      this.nextDelayMs = result.idle ? Math.min(this.idleMaxIntervalMs, Math.max(this.intervalMs, Math.round(this.nextDelayMs * 1.5))) : this.intervalMs
    } catch (e) {
      this.consecutiveErrors++
      this.lastError = e instanceof Error ? e.message : String(e)
      this.options.onError?.(e)
      this.nextDelayMs = Math.min(30_000, this.intervalMs * 2 ** Math.min(this.consecutiveErrors, 4))
    }
    if (this.running) this.schedule(this.nextDelayMs)
  }

  private async block(tag: number | 'latest' | 'finalized'): Promise<BlockHeader | null> {
    let raw: RawBlock | null
    try {
      raw = await this.pool.send<RawBlock | null>('eth_getBlockByNumber', [typeof tag === 'number' ? toHex(tag) : tag, false])
    } catch (e) {
      // A node without the `finalized` tag (or past the head) answers with an error: treat as "no such block".
      if (e instanceof RpcAnswerError) return null
      throw e
    }
    if (!raw) return null
    return { number: hexToNumber(raw.number), hash: raw.hash, timestampMs: hexToNumber(raw.timestamp) * 1000 }
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

  private async poll(): Promise<PollResult> {
    const chainId = this.options.chainId
    const latest = await this.block('latest')
    if (!latest) throw new TillError('unavailable', `chain ${chainId}: the node returned no latest block`)
    const finalized = this.options.trackFinalized ? ((await this.block('finalized'))?.number ?? null) : null
    let cursor = this.cursor()

    if (!cursor) {
      const startNumber = Math.max(0, latest.number - this.startBacklog)
      const start = startNumber === latest.number ? latest : await this.block(startNumber)
      if (!start) throw new TillError('unavailable', `chain ${chainId}: block ${startNumber} not returned`)
      this.db.transaction(() => this.saveCursor(start, latest.number, finalized))()
      cursor = this.cursor()!
    }

    const tokens = this.options.tokenAddresses()
    const watched = this.options.watchedAddresses()
    const idle = tokens.length === 0 || watched.length === 0

    if (idle) {
      // Nothing to watch: no reorg check and no eth_getLogs (nothing stored can still matter: every request whose
      // address was watched is past its hold window); keep the cursor at the head so a new request starts here.
      this.db.transaction(() => this.saveCursor(latest, latest.number, finalized))()
      this.lastSuccessAt = this.clock.now()
      this.lastError = null
      const result: PollResult = { head: latest.number, cursor: latest.number, newLogs: 0, reorgedFrom: null, rolledBackTo: null, idle: true }
      this.options.onPolled?.(result)
      return result
    }

    // Reorg check at the cursor.
    let reorgedFrom: number | null = null
    let rolledBackTo: number | null = null
    const cursorStillThere =
      latest.number === cursor.blockNumber ? latest : latest.number > cursor.blockNumber ? await this.block(cursor.blockNumber) : null
    if (!cursorStillThere || cursorStillThere.hash !== cursor.blockHash) {
      reorgedFrom = cursor.blockNumber
      const ancestor = await this.findCommonAncestor(cursor.blockNumber, latest.number)
      rolledBackTo = ancestor.number
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM chain_logs WHERE chain_id = ? AND block_number > ?').run(chainId, ancestor.number)
        this.db.prepare('DELETE FROM chain_blocks WHERE chain_id = ? AND block_number > ?').run(chainId, ancestor.number)
        this.saveCursor(ancestor, latest.number, finalized)
      })()
      cursor = this.cursor()!
    }

    let newLogs = 0
    let from = cursor.blockNumber + 1
    const watchedSet = new Set(watched.map((a) => a.toLowerCase()))
    const tokenSet = new Set(tokens.map((a) => a.toLowerCase()))
    const recipientTopics = [...watchedSet].map((a) => zeroPadValue(a, 32))
    while (from <= latest.number) {
      const to = Math.min(latest.number, from + this.currentChunk - 1)
      const end = to === latest.number ? latest : await this.block(to)
      if (!end) break
      let logs: RawLog[]
      try {
        logs = await this.pool.send<RawLog[]>('eth_getLogs', [
          { fromBlock: toHex(from), toBlock: toHex(to), address: [...tokens], topics: [TRANSFER_TOPIC, null, recipientTopics] }
        ])
      } catch (e) {
        if (e instanceof RpcAnswerError && RANGE_REFUSAL.test(e.message) && this.currentChunk > 1) {
          const refused = to - from + 1
          this.currentChunk = Math.max(1, Math.floor(Math.min(this.currentChunk, refused) / 2))
          this.rangeCeiling = Math.min(this.rangeCeiling, this.currentChunk)
          this.successesSinceShrink = 0
          continue
        }
        throw e
      }
      // The end block's logs must belong to the header we read first; if not, a reorg is under way: retry next poll.
      if (logs.some((l) => hexToNumber(l.blockNumber) === to && l.blockHash !== end.hash)) break
      const timestamps = new Map<string, number>([[end.hash, end.timestampMs]])
      const rows: { log: RawLog; value: bigint; toAddress: string; fromAddress: string; blockNumber: number }[] = []
      for (const log of logs) {
        // Defence in depth: the node filtered already, but a log only counts if it is exactly an ERC-20 Transfer from a
        // pinned contract to a watched address (ERC-721 Transfer has 4 topics and no data; skip it).
        if (!tokenSet.has(log.address.toLowerCase())) continue
        if (log.topics.length !== 3 || log.topics[0] !== TRANSFER_TOPIC || log.data.length !== 66) continue
        const toAddress = getAddress(`0x${log.topics[2]!.slice(26)}`)
        if (!watchedSet.has(toAddress.toLowerCase())) continue
        const value = BigInt(log.data)
        if (value === 0n) continue
        if (log.blockTimestamp) timestamps.set(log.blockHash, hexToNumber(log.blockTimestamp) * 1000)
        rows.push({ log, value, toAddress, fromAddress: getAddress(`0x${log.topics[1]!.slice(26)}`), blockNumber: hexToNumber(log.blockNumber) })
      }
      for (const row of rows) {
        if (timestamps.has(row.log.blockHash)) continue
        const header = await this.block(row.blockNumber)
        if (!header || header.hash !== row.log.blockHash) throw new TillError('unavailable', `chain ${chainId}: block ${row.blockNumber} changed while scanning`)
        timestamps.set(header.hash, header.timestampMs)
      }
      const seenAt = this.clock.now()
      this.db.transaction(() => {
        const insert = this.db.prepare(
          `INSERT OR IGNORE INTO chain_logs (chain_id, tx_hash, log_index, block_number, block_hash, block_time, token_address,
             from_address, to_address, value, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        const checkpoint = this.db.prepare('INSERT OR REPLACE INTO chain_blocks (chain_id, block_number, block_hash) VALUES (?, ?, ?)')
        for (const row of rows) {
          const changes = insert.run(
            chainId,
            row.log.transactionHash,
            hexToNumber(row.log.logIndex),
            row.blockNumber,
            row.log.blockHash,
            timestamps.get(row.log.blockHash)!,
            getAddress(row.log.address),
            row.fromAddress,
            row.toAddress,
            row.value.toString(),
            seenAt
          ).changes
          newLogs += changes
          checkpoint.run(chainId, row.blockNumber, row.log.blockHash)
        }
        this.saveCursor(end, latest.number, finalized)
        // Keep the newest checkpoints only: enough to find an ancestor for any reorg we can survive.
        this.db
          .prepare(
            `DELETE FROM chain_blocks WHERE chain_id = ? AND block_number < (
               SELECT MIN(block_number) FROM (SELECT block_number FROM chain_blocks WHERE chain_id = ? ORDER BY block_number DESC LIMIT 512))`
          )
          .run(chainId, chainId)
      })()
      this.successesSinceShrink++
      if (this.currentChunk < this.rangeCeiling && this.successesSinceShrink >= 8) {
        this.currentChunk = Math.min(this.rangeCeiling, this.currentChunk * 2)
        this.successesSinceShrink = 0
      }
      from = to + 1
    }

    // Head and finalized move even when the cursor could not (confirmations are counted against them).
    this.db.prepare('UPDATE chain_cursor SET head = ?, finalized = ?, updated_at = ? WHERE chain_id = ?').run(latest.number, finalized, this.clock.now(), chainId)
    this.lastSuccessAt = this.clock.now()
    this.lastError = null
    const result: PollResult = { head: latest.number, cursor: this.cursor()!.blockNumber, newLogs, reorgedFrom, rolledBackTo, idle: false }
    this.options.onPolled?.(result)
    return result
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
