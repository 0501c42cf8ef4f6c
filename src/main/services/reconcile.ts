// Reconciliation of a period's stablecoin takings with the chain (issue [D], point 3).
//
// The live watcher decides payments as blocks arrive; reconciliation checks its work afterwards, independently: it
// reads the period's blocks again from the chain (its own eth_getLogs over the whole block range, not the watcher's
// stored logs), for every address the till asked to be paid on, and compares what the chain shows with what the
// ledger says, transfer by transfer, keyed by (chain, tx hash, log index):
//
//   matched     a ledger credit whose transfer the chain shows with the same value, with its confirmations
//   missing     a ledger credit the chain does not show (e.g. reversed by a reorg while nobody was watching)
//   mismatched  a ledger credit whose transfer the chain shows with another value, token or recipient
//   unexpected  a transfer on chain the ledger does not credit to any sale (unattributed, or never seen at all)
//   pending     a ledger credit the chain shows but not yet at the request's confirmation depth
//
// The period's block range is found by binary search on block timestamps (about log2(head) header reads). Work is
// cancellable (AbortSignal) and reports progress, because a long period over a slow public RPC takes a while.
import { getAddress, zeroPadValue } from 'ethers'
import { TillError } from '../../shared/result'
import { chainName, type TokenInfo } from '../../shared/payment/tokens'
import type { Db } from '../ledger/db'
import { RpcAnswerError, type RpcPool } from '../chain/rpc'
import { TRANSFER_TOPIC } from '../chain/watcher'

export interface ReconcileChain {
  readonly chainId: number
  readonly pool: RpcPool
  readonly tokens: readonly TokenInfo[]
}

export interface ReconciledTransfer {
  readonly chainId: number
  readonly txHash: string
  readonly logIndex: number
  readonly blockNumber: number
  readonly tokenSymbol: string
  /** Base units, decimal string. */
  readonly value: string
  readonly to: string
  readonly from: string
  /** The ledger's side, when it has one. */
  readonly paymentId: string | null
  readonly saleId: string | null
  readonly ledgerValue: string | null
  readonly confirmations: number | null
  readonly confirmationsRequired: number | null
}

export interface ChainReconciliation {
  readonly chainId: number
  readonly chainName: string
  readonly fromBlock: number
  readonly toBlock: number
  readonly head: number
  readonly matched: readonly ReconciledTransfer[]
  readonly missing: readonly ReconciledTransfer[]
  readonly mismatched: readonly ReconciledTransfer[]
  readonly unexpected: readonly ReconciledTransfer[]
  readonly pending: readonly ReconciledTransfer[]
  /** Per token: what the ledger credited to sales and what the chain shows for those same transfers, base units. */
  readonly totals: readonly { readonly tokenSymbol: string; readonly ledger: string; readonly chain: string; readonly unexpected: string }[]
}

export interface Reconciliation {
  readonly fromMs: number
  readonly toMs: number
  readonly chains: readonly ChainReconciliation[]
  /** Chains that could not be read (no endpoint answered): reconciliation of those is incomplete, and says so. */
  readonly unreachable: readonly { readonly chainId: number; readonly chainName: string; readonly error: string }[]
  /** True when every list is empty but matched: the period's takings are on chain, to the base unit. */
  readonly clean: boolean
}

export interface ReconcileOptions {
  readonly db: Db
  readonly chains: readonly ReconcileChain[]
  readonly fromMs: number
  readonly toMs: number
  readonly signal?: AbortSignal
  readonly onProgress?: (progress: { readonly chainId: number; readonly doneBlocks: number; readonly totalBlocks: number }) => void
  /** eth_getLogs range per call; halves when a provider refuses (default 2000). */
  readonly maxRange?: number
}

interface RawBlock {
  number: string
  timestamp: string
}

interface RawLog {
  address: string
  topics: string[]
  data: string
  blockNumber: string
  transactionHash: string
  logIndex: string
}

export interface LedgerCredit {
  chain_id: number
  tx_hash: string
  log_index: number
  value: string
  token_address: string
  to_address: string
  payment_id: string | null
  sale_id: string | null
  confirmation_kind: 'blocks' | 'finalized' | null
  confirmations_required: number | null
}

const RANGE_REFUSAL = /block range|range (is )?too (large|big|wide)|too many|more than \d+|exceeds?|limit exceeded|response size/i
const hex = (n: number): string => `0x${n.toString(16)}`

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TillError('conflict', 'Reconciliation was cancelled.')
}

async function blockTimeMs(pool: RpcPool, n: number): Promise<number> {
  const block = await pool.send<RawBlock | null>('eth_getBlockByNumber', [hex(n), false])
  if (!block) throw new TillError('unavailable', `block ${n} not returned`)
  return Number.parseInt(block.timestamp, 16) * 1000
}

/** The first block whose timestamp is >= tMs (head + 1 when none is). Binary search: block times only increase. */
async function firstBlockAtOrAfter(pool: RpcPool, tMs: number, head: number): Promise<number> {
  let lo = 0
  let hi = head + 1
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    if ((await blockTimeMs(pool, mid)) >= tMs) hi = mid
    else lo = mid + 1
  }
  return lo
}

async function readLogs(chain: ReconcileChain, addresses: readonly string[], fromBlock: number, toBlock: number, options: ReconcileOptions): Promise<RawLog[]> {
  const logs: RawLog[] = []
  let range = options.maxRange ?? 2000
  let from = fromBlock
  const topics = [TRANSFER_TOPIC, null, addresses.map((a) => zeroPadValue(a, 32))]
  while (from <= toBlock) {
    checkAborted(options.signal)
    const to = Math.min(toBlock, from + range - 1)
    try {
      logs.push(...(await chain.pool.send<RawLog[]>('eth_getLogs', [{ fromBlock: hex(from), toBlock: hex(to), address: chain.tokens.map((t) => t.address), topics }])))
    } catch (e) {
      if (e instanceof RpcAnswerError && RANGE_REFUSAL.test(e.message) && range > 1) {
        range = Math.max(1, Math.floor(range / 2))
        continue
      }
      throw e
    }
    options.onProgress?.({ chainId: chain.chainId, doneBlocks: to - fromBlock + 1, totalBlocks: toBlock - fromBlock + 1 })
    from = to + 1
  }
  return logs
}

/** The addresses the till asked customers to pay on this chain during the period (and their tokens). */
export function periodWatchedAddresses(db: Db, chainId: number, fromMs: number, toMs: number): string[] {
  const rows = db
    // By hold_until (0017): the requests held into the period or after it, not every request of the chain (the unary
    // + keeps SQLite off the chain's index, which would read them all).
    .prepare('SELECT DISTINCT receive_address FROM payment_requests WHERE hold_until >= ? AND created_at < ? AND +chain_id = ?')
    .all(fromMs, toMs, chainId) as { receive_address: string }[]
  return rows.map((r) => getAddress(r.receive_address))
}

/** The ledger's credits (chain logs given to a request) for the requests of the period on this chain. */
export function periodCredits(db: Db, chainId: number, fromMs: number, toMs: number): LedgerCredit[] {
  return db
    .prepare(
      // Driven from the period's requests by hold_until (0017), each one's logs by payment_id, instead of from every
      // log of the chain: the same rows (a log whose request fails the period is left out either way), in the order
      // the scan of the chain's logs gave them before (as they were written). The + keeps each request's logs read
      // by payment_id, not by the chain's block index (every log of the chain, for each request).
      `SELECT l.chain_id, l.tx_hash, l.log_index, l.value, l.token_address, l.to_address, l.payment_id, r.sale_id,
              r.confirmation_kind, r.confirmations_required
         FROM payment_requests r CROSS JOIN chain_logs l ON l.payment_id = r.id
        WHERE r.hold_until >= ? AND r.created_at < ? AND +l.chain_id = ?
        ORDER BY l.rowid`
    )
    .all(fromMs, toMs, chainId) as LedgerCredit[]
}

export async function reconcile(options: ReconcileOptions): Promise<Reconciliation> {
  const chains: ChainReconciliation[] = []
  const unreachable: { chainId: number; chainName: string; error: string }[] = []
  for (const chain of options.chains) {
    checkAborted(options.signal)
    try {
      chains.push(await reconcileChain(chain, options))
    } catch (e) {
      if (e instanceof TillError && e.code === 'conflict') throw e
      unreachable.push({ chainId: chain.chainId, chainName: chainName(chain.chainId), error: e instanceof Error ? e.message.slice(0, 200) : String(e) })
    }
  }
  const clean = unreachable.length === 0 && chains.every((c) => c.missing.length + c.mismatched.length + c.unexpected.length + c.pending.length === 0)
  return { fromMs: options.fromMs, toMs: options.toMs, chains, unreachable, clean }
}

// The period's stablecoin tenders: those of the sales opened before its end and closed (or still open) after its
// start. Two ways to find them, each bounded by something else (measured, a 10,000-sale day after 990,000 earlier
// sales with 1 % paid in stablecoin, and a 1,000,000-sale day):
// - through the stablecoin tenders' own index (migration 0016), each one's sale by key: all the stablecoin tenders the
//   till ever took, about 10 µs each (106 ms for 10,900; 9.5 ms for the 1,000 of the big day);
// - through the period's sales (sales_closed_at), each one's stablecoin tender by key: about 0.5 µs a sale of the
//   period (9.3 ms for 10,000 sales; 481 ms for 1,000,000).
// Both index counts cost little (index entries only, the second stopped once it decides), so the cheaper way is taken. Before, SQLite scanned every tender
// of every kind (290 ms for the first ledger, growing with it).
function periodStablecoinTenders(db: Db, chainId: number, fromMs: number, toMs: number): { sale_id: string; payment_id: string; tx_hash: string | null }[] {
  const select = "SELECT t.sale_id, json_extract(t.details, '$.paymentId') AS payment_id, json_extract(t.details, '$.txHash') AS tx_hash"
  // A ledger opened read-only before it was migrated to 0016 (`stabletill reconcile` on an older till's copy) has no
  // such index: the period's sales, each one's tenders by the sale's index.
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'tenders_stablecoin'").get()) {
    return db
      .prepare(
        `${select} FROM sales s CROSS JOIN tenders t ON t.sale_id = s.id
          WHERE (s.closed_at >= @fromMs OR (s.closed_at IS NULL AND s.opened_at >= @fromMs)) AND s.opened_at < @toMs
            AND t.kind = 'stablecoin' AND json_extract(t.details, '$.chainId') = @chainId`
      )
      .all({ chainId, fromMs, toMs }) as { sale_id: string; payment_id: string; tx_hash: string | null }[]
  }
  const stablecoin = db.prepare("SELECT count(*) FROM tenders INDEXED BY tenders_stablecoin WHERE kind = 'stablecoin'").pluck().get() as number
  // Counted only as far as the choice needs: a 1,000,000-sale day's count alone took 220 ms.
  const periodSales = db.prepare('SELECT count(*) FROM (SELECT 1 FROM sales WHERE closed_at >= ? OR closed_at IS NULL LIMIT ?)').pluck().get(fromMs, stablecoin * 20 + 1) as number
  const sql =
    stablecoin * 20 <= periodSales
      ? `${select} FROM tenders t INDEXED BY tenders_stablecoin CROSS JOIN sales s ON s.id = t.sale_id
          WHERE t.kind = 'stablecoin' AND json_extract(t.details, '$.chainId') = @chainId AND s.opened_at < @toMs AND COALESCE(s.closed_at, s.opened_at) >= @fromMs`
      : `${select} FROM sales s CROSS JOIN tenders t INDEXED BY tenders_stablecoin ON t.sale_id = s.id
          WHERE (s.closed_at >= @fromMs OR (s.closed_at IS NULL AND s.opened_at >= @fromMs)) AND s.opened_at < @toMs
            AND t.kind = 'stablecoin' AND json_extract(t.details, '$.chainId') = @chainId`
  return db.prepare(sql).all({ chainId, fromMs, toMs }) as { sale_id: string; payment_id: string; tx_hash: string | null }[]
}

async function reconcileChain(chain: ReconcileChain, options: ReconcileOptions): Promise<ChainReconciliation> {
  const { db, fromMs, toMs } = options
  const head = Number.parseInt(await chain.pool.send<string>('eth_blockNumber', []), 16)
  const fromBlock = await firstBlockAtOrAfter(chain.pool, fromMs, head)
  // A payment near the period's end may be mined a little after it: read up to the head (its credit belongs to the
  // request made in the period, and the comparison is by transfer, not by block).
  const toBlock = head
  const addresses = periodWatchedAddresses(db, chain.chainId, fromMs, toMs)
  const onChain = addresses.length === 0 || fromBlock > toBlock ? [] : await readLogs(chain, addresses, fromBlock, toBlock, options)

  // The ledger's credits for requests of the period on this chain.
  const credits = periodCredits(db, chain.chainId, fromMs, toMs)
  // Tenders record the credit a sale was settled on; a request whose logs a reorg deleted keeps its tender (and its
  // journal), which is how a reversed payment shows up here as missing.
  const tendered = periodStablecoinTenders(db, chain.chainId, fromMs, toMs)

  const tokenOf = (address: string): TokenInfo | undefined => chain.tokens.find((t) => t.address.toLowerCase() === address.toLowerCase())
  const key = (txHash: string, logIndex: number): string => `${txHash.toLowerCase()}#${logIndex}`
  const chainLogs = new Map<string, RawLog>()
  for (const log of onChain) {
    if (log.topics.length !== 3 || log.topics[0] !== TRANSFER_TOPIC || !tokenOf(log.address)) continue
    if (BigInt(log.data) === 0n) continue
    chainLogs.set(key(log.transactionHash, Number.parseInt(log.logIndex, 16)), log)
  }

  const matched: ReconciledTransfer[] = []
  const missing: ReconciledTransfer[] = []
  const mismatched: ReconciledTransfer[] = []
  const pending: ReconciledTransfer[] = []
  const credited = new Set<string>()
  const sums = new Map<string, { ledger: bigint; chain: bigint; unexpected: bigint }>()
  const sum = (symbol: string) => {
    let s = sums.get(symbol)
    if (!s) sums.set(symbol, (s = { ledger: 0n, chain: 0n, unexpected: 0n }))
    return s
  }
  // A day's transfers go to a few addresses from a few more: each checksummed once (ethers' getAddress hashes the
  // address with keccak-256 in JavaScript every call, twice per transfer).
  const checksummed = new Map<string, string>()
  const addressOf = (topic: string): string => {
    let address = checksummed.get(topic)
    if (address === undefined) checksummed.set(topic, (address = getAddress(`0x${topic.slice(26)}`)))
    return address
  }
  const view = (log: RawLog | null, c: LedgerCredit | null): ReconciledTransfer => {
    const blockNumber = log ? Number.parseInt(log.blockNumber, 16) : 0
    return {
      chainId: chain.chainId,
      txHash: log?.transactionHash ?? c!.tx_hash,
      logIndex: log ? Number.parseInt(log.logIndex, 16) : c!.log_index,
      blockNumber,
      tokenSymbol: tokenOf(log?.address ?? c!.token_address)?.symbol ?? '?',
      value: log ? BigInt(log.data).toString() : c!.value,
      to: log ? addressOf(log.topics[2]!) : c!.to_address,
      from: log ? addressOf(log.topics[1]!) : '',
      paymentId: c?.payment_id ?? null,
      saleId: c?.sale_id ?? null,
      ledgerValue: c?.value ?? null,
      confirmations: log ? head - blockNumber + 1 : null,
      confirmationsRequired: c?.confirmation_kind === 'blocks' ? c.confirmations_required : null
    }
  }

  for (const c of credits) {
    const k = key(c.tx_hash, c.log_index)
    credited.add(k)
    const log = chainLogs.get(k) ?? null
    const entry = view(log, c)
    sum(entry.tokenSymbol).ledger += BigInt(c.value)
    if (!log) {
      missing.push(entry)
      continue
    }
    sum(entry.tokenSymbol).chain += BigInt(entry.value)
    const sameTransfer = BigInt(log.data) === BigInt(c.value) && log.address.toLowerCase() === c.token_address.toLowerCase() && entry.to.toLowerCase() === c.to_address.toLowerCase()
    if (!sameTransfer) mismatched.push(entry)
    else if (entry.confirmationsRequired !== null && (entry.confirmations ?? 0) < entry.confirmationsRequired) pending.push(entry)
    else matched.push(entry)
  }
  // A stablecoin tender whose payment has no surviving credit at all (a reorg deleted its logs) is missing too.
  const creditedPayments = new Set(credits.map((c) => c.payment_id))
  for (const t of tendered) {
    const hasCredit = creditedPayments.has(t.payment_id)
    if (hasCredit || !t.tx_hash) continue
    const k = [...chainLogs.keys()].find((x) => x.startsWith(`${t.tx_hash!.toLowerCase()}#`))
    if (k && !credited.has(k)) continue // on chain but not credited: it shows as unexpected below, with its sale
    missing.push({ chainId: chain.chainId, txHash: t.tx_hash, logIndex: -1, blockNumber: 0, tokenSymbol: '?', value: '0', to: '', from: '', paymentId: t.payment_id, saleId: t.sale_id, ledgerValue: null, confirmations: null, confirmationsRequired: null })
  }
  const unexpected: ReconciledTransfer[] = []
  for (const [k, log] of chainLogs) {
    if (credited.has(k)) continue
    const entry = view(log, null)
    unexpected.push(entry)
    sum(entry.tokenSymbol).unexpected += BigInt(entry.value)
  }
  const byBlock = (a: ReconciledTransfer, b: ReconciledTransfer) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex
  return {
    chainId: chain.chainId,
    chainName: chainName(chain.chainId),
    fromBlock,
    toBlock,
    head,
    matched: matched.sort(byBlock),
    missing: missing.sort(byBlock),
    mismatched: mismatched.sort(byBlock),
    unexpected: unexpected.sort(byBlock),
    pending: pending.sort(byBlock),
    totals: [...sums].map(([tokenSymbol, s]) => ({ tokenSymbol, ledger: s.ledger.toString(), chain: s.chain.toString(), unexpected: s.unexpected.toString() }))
  }
}
