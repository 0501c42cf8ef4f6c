// Ships the till's journal to head office (src/headoffice), entry by entry in order, while the till sells offline.
//
// The ledger stays the truth: the shipper only READS the journal (one short synchronous query per batch between the
// till's transactions; it never writes the ledger and never holds a transaction across a network wait), so selling
// never waits for head office. What head office acknowledged (the highest contiguous seq it holds, and its hash) is
// kept beside the ledger in `headoffice-shipping.json`, only as a cache: head office's answer to every request is
// the authority, so a lost or stale file costs one re-sent batch, which head office answers idempotently.
// When head office is down or slow the shipper retries with exponential backoff (with jitter, capped); a refusal
// that a resend cannot cure (a fork, an edited entry) is kept as lastError and retried at the longest delay, so the
// back office shows it until someone acts, and head office shows its alert.
import type { HeadOfficeStatusView } from '../../shared/api/views'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import type { Clock } from '../../shared/clock'
import { systemClock } from '../../shared/clock'
import { ingestResponseSchema, MAX_BATCH_ENTRIES, shippedSignedHeadSchema, type IngestResponse, type ShippedEntry, type ShippedSignedHead } from '../../shared/headoffice'
import { ANCHORS_FILE } from '../ledger/anchor'
import { prepareCached, type Db } from '../ledger/db'

export const SHIPPING_FILE = 'headoffice-shipping.json'

export interface HeadOfficeSetting {
  /** Head office's base URL, e.g. https://ho.example.com (the shipper posts to <url>/v1/journal). */
  readonly url: string
  /** This till's bearer token, issued by head office (`addTill`). */
  readonly token: string
}

export interface ShipperOptions extends HeadOfficeSetting {
  readonly db: Db
  readonly dataDir: string
  readonly clock?: Clock
  /** Entries per batch (default 500) and a soft cap on a batch's bytes (default 512 KiB; one entry always goes). */
  readonly batchEntries?: number
  readonly batchBytes?: number
  /** How often a caught-up shipper looks for new entries (default 2 s). */
  readonly idleMs?: number
  /** Backoff after a failure: first delay, doubling to at most maxDelayMs (defaults 1 s and 5 min). */
  readonly minDelayMs?: number
  readonly maxDelayMs?: number
  /** A caught-up till still tells head office it is there this often (default 60 s). */
  readonly heartbeatMs?: number
  /** One request's time limit (default 15 s). */
  readonly timeoutMs?: number
  /** The HTTP client (default: the global fetch). */
  readonly fetch?: typeof fetch
}

/** What the back office can show about shipping: the api's view of it, one definition (shared/api/views.ts). */
export type ShipperStatus = HeadOfficeStatusView
export type ShipperState = HeadOfficeStatusView['state']

const cacheSchema = z.object({ url: z.string(), ackedSeq: z.number().int().nonnegative(), ackedHash: z.string().nullable(), signedHeadsSent: z.number().int().nonnegative().default(0) })

class ShipError extends Error {
  constructor(readonly code: string, message: string) {
    super(message)
  }
}

export class JournalShipper {
  private readonly clock: Clock
  private readonly endpoint: string
  private acked: { seq: number; hash: string | null } | null = null
  private state: ShipperState = 'idle'
  private lastError: ShipperStatus['lastError'] = null
  private lastSuccessAt: number | null = null
  private failures = 0
  /** Lines of anchors.jsonl (the signed heads, append-only) head office has taken. */
  private signedHeadsSent = 0
  private lastContactAt: number | null = null
  private nextAttemptAt: number | null = null
  private timer: NodeJS.Timeout | null = null
  private running: Promise<ShipperStatus> | null = null
  private stopped = false
  /** Aborts the request in flight when the till closes (a hung head office must not hold up closing). */
  private readonly closing = new AbortController()

  constructor(private readonly options: ShipperOptions) {
    this.clock = options.clock ?? systemClock
    this.endpoint = `${options.url.replace(/\/+$/, '')}/v1/journal`
    this.acked = this.readCache()
  }

  /** Starts the background loop (first attempt at once). */
  start(): void {
    if (this.closing.signal.aborted) return
    this.stopped = false
    this.schedule(0)
  }

  /** Stops for good: the request in flight is abandoned (head office's answer to it would be idempotent anyway). */
  async stop(): Promise<void> {
    this.stopped = true
    this.closing.abort()
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.running?.catch(() => undefined)
    this.state = 'stopped'
  }

  status(): ShipperStatus {
    const headSeq = this.headSeq()
    return {
      url: this.options.url,
      state: this.state,
      ackedSeq: this.acked?.seq ?? null,
      headSeq,
      behind: headSeq - (this.acked?.seq ?? 0),
      lastError: this.lastError,
      lastSuccessAt: this.lastSuccessAt,
      consecutiveFailures: this.failures,
      nextAttemptAt: this.nextAttemptAt
    }
  }

  /**
   * Ships until head office holds the whole journal, or a request fails. Never throws: the outcome is in the
   * status. Concurrent calls share one run.
   */
  syncNow(): Promise<ShipperStatus> {
    if (this.closing.signal.aborted) return Promise.resolve(this.status())
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = null
      })
    }
    return this.running
  }

  private async run(): Promise<ShipperStatus> {
    this.state = 'sending'
    try {
      // Not reached yet since start: a heartbeat asks where head office stands before anything is sent twice.
      if (this.acked === null) await this.post([])
      for (;;) {
        const batch = this.nextBatch()
        if (batch.length === 0) break
        await this.post(batch)
      }
      // Heads signed after their entries shipped (a Z signs once its entry is written) go with a heartbeat.
      if (this.pendingSignedHeads(this.acked?.seq ?? 0).length > 0) await this.post([])
      // Caught up and quiet: a heartbeat now and then keeps head office's "last seen" true of a till that sells nothing.
      if (this.lastContactAt === null || this.clock.now() - this.lastContactAt >= (this.options.heartbeatMs ?? 60_000)) await this.post([])
      this.failures = 0
      this.lastError = null
      this.lastSuccessAt = this.clock.now()
      this.state = 'idle'
    } catch (e) {
      this.failures++
      this.lastError = e instanceof ShipError ? { code: e.code, message: e.message, at: this.clock.now() } : { code: 'unreachable', message: e instanceof Error ? e.message : String(e), at: this.clock.now() }
      this.state = 'backing-off'
    }
    return this.status()
  }

  private headSeq(): number {
    return (prepareCached(this.options.db, 'SELECT COALESCE(max(seq), 0) AS seq FROM journal').get() as { seq: number }).seq
  }

  /** The entries after the acknowledged one, as stored (payload text untouched), within the batch limits. */
  private nextBatch(): ShippedEntry[] {
    const from = this.acked?.seq ?? 0
    const limit = Math.min(this.options.batchEntries ?? 500, MAX_BATCH_ENTRIES)
    const rows = prepareCached(this.options.db, 'SELECT seq, at, till_id, kind, sale_id, payload, prev_hash, hash FROM journal WHERE seq > ? ORDER BY seq LIMIT ?').raw().all(from, limit) as [number, number, string, string, string | null, string, string, string][]
    const maxBytes = this.options.batchBytes ?? 512 * 1024
    const batch: ShippedEntry[] = []
    let bytes = 0
    for (const [seq, at, tillId, kind, saleId, payload, prevHash, hash] of rows) {
      bytes += payload.length + 300
      if (batch.length > 0 && bytes > maxBytes) break
      batch.push({ seq, at, tillId, kind, saleId, payload, prevHash, hash })
    }
    return batch
  }

  private async post(entries: readonly ShippedEntry[]): Promise<void> {
    const doFetch = this.options.fetch ?? fetch
    const signedHeads = this.pendingSignedHeads(entries.at(-1)?.seq ?? this.acked?.seq ?? 0)
    let response: Response
    try {
      response = await doFetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.token}` },
        body: JSON.stringify({ tillHead: this.headSeq(), entries, signedHeads: signedHeads.map((h) => h.head).filter((h) => h !== null) }),
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs ?? 15_000), this.closing.signal])
      })
    } catch (e) {
      const cause = e instanceof Error && 'cause' in e && e.cause instanceof Error ? `: ${e.cause.message}` : ''
      if (e instanceof Error && e.name === 'TimeoutError') throw new ShipError('timeout', `head office did not answer in time`)
      throw new ShipError('unreachable', `head office cannot be reached (${e instanceof Error ? e.message : String(e)}${cause})`)
    }
    let body: IngestResponse
    try {
      body = ingestResponseSchema.parse(await response.json())
    } catch {
      throw new ShipError('bad-answer', `head office answered HTTP ${response.status} without a readable result`)
    }
    this.lastContactAt = this.clock.now()
    if (body.ok) {
      this.signedHeadsSent += signedHeads.length
      this.acknowledge(body.ackedSeq, body.ackedHash)
      return
    }
    if (body.error.code === 'gap' && body.ackedSeq !== null) {
      // Head office holds less than we thought (a new head office, or a restored one): resend from its seq.
      this.acknowledge(body.ackedSeq, body.ackedHash)
      return
    }
    throw new ShipError(body.error.code, body.error.message)
  }

  /**
   * The signed heads not yet sent, in file order, up to the first one past `throughSeq` (head office checks a head
   * against the entry it holds at its seq). A damaged line travels as null: counted as sent, the till's own
   * start-up check reports it.
   */
  private pendingSignedHeads(throughSeq: number): { head: ShippedSignedHead | null }[] {
    let text: string
    try {
      text = readFileSync(join(this.options.dataDir, ANCHORS_FILE), 'utf8')
    } catch {
      return []
    }
    const lines = text.split('\n').filter((l) => l.trim() !== '').slice(this.signedHeadsSent)
    const pending: { head: ShippedSignedHead | null }[] = []
    for (const line of lines.slice(0, 100)) {
      let head: ShippedSignedHead | null
      try {
        head = shippedSignedHeadSchema.parse(JSON.parse(line))
      } catch {
        head = null
      }
      if (head && head.seq > throughSeq) break
      pending.push({ head })
    }
    return pending
  }

  private acknowledge(seq: number, hash: string | null): void {
    // Head office's chain must be ours: the entry it acknowledges must carry the same hash in this ledger.
    if (seq > 0) {
      const mine = prepareCached(this.options.db, 'SELECT hash FROM journal WHERE seq = ?').get(seq) as { hash: string } | undefined
      if (!mine || mine.hash !== hash) throw new ShipError('fork', `head office holds entry ${seq} with another hash than this till's journal: the ledgers have forked`)
    }
    this.acked = { seq, hash }
    this.writeCache()
  }

  private schedule(ms: number): void {
    if (this.stopped) return
    if (this.timer) clearTimeout(this.timer)
    this.nextAttemptAt = this.clock.now() + ms
    this.timer = setTimeout(() => {
      this.timer = null
      void this.syncNow().then((status) => {
        if (status.lastError) this.schedule(this.backoffMs())
        else this.schedule(this.options.idleMs ?? 2000)
      })
    }, ms)
    // Shipping never keeps the process alive on its own.
    this.timer.unref()
  }

  private backoffMs(): number {
    const min = this.options.minDelayMs ?? 1000
    const max = this.options.maxDelayMs ?? 300_000
    // A refusal that resending cannot cure waits the longest; network faults double from the first delay.
    const incurable = this.lastError !== null && ['fork', 'hash-mismatch', 'broken-link', 'wrong-till', 'unauthorized', 'not-consecutive', 'invalid'].includes(this.lastError.code)
    const base = incurable ? max : Math.min(max, min * 2 ** Math.min(30, this.failures - 1))
    // Jitter (up to a fifth) so tills that lost head office together do not come back in step.
    return Math.round(base * (0.8 + Math.random() * 0.2))
  }

  private readCache(): { seq: number; hash: string | null } | null {
    try {
      const cached = cacheSchema.parse(JSON.parse(readFileSync(join(this.options.dataDir, SHIPPING_FILE), 'utf8')))
      if (cached.url !== this.options.url) return null
      // A cache ahead of this ledger (the ledger was restored from a backup) is ignored: head office will say.
      const mine = cached.ackedSeq === 0 ? null : (prepareCached(this.options.db, 'SELECT hash FROM journal WHERE seq = ?').get(cached.ackedSeq) as { hash: string } | undefined)
      if (cached.ackedSeq > 0 && mine?.hash !== cached.ackedHash) return null
      this.signedHeadsSent = cached.signedHeadsSent
      return { seq: cached.ackedSeq, hash: cached.ackedHash }
    } catch {
      return null
    }
  }

  private writeCache(): void {
    if (!this.acked) return
    const file = join(this.options.dataDir, SHIPPING_FILE)
    writeFileSync(`${file}.tmp`, JSON.stringify({ url: this.options.url, ackedSeq: this.acked.seq, ackedHash: this.acked.hash, signedHeadsSent: this.signedHeadsSent }))
    renameSync(`${file}.tmp`, file)
  }
}

/**
 * The head-office setting from the environment, for the hosts (index.ts, the harness): STABLETILL_HEAD_OFFICE_URL
 * (http or https) and STABLETILL_HEAD_OFFICE_TOKEN; null (shipping off) unless both are set and the URL is usable.
 */
export function headOfficeFromEnv(env: NodeJS.ProcessEnv = process.env): HeadOfficeSetting | null {
  const url = env.STABLETILL_HEAD_OFFICE_URL?.trim()
  const token = env.STABLETILL_HEAD_OFFICE_TOKEN?.trim()
  if (!url || !token) return null
  try {
    const parsed = new URL(url)
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(parsed.protocol)
  } catch {
    console.error(`STABLETILL_HEAD_OFFICE_URL is not an http(s) URL: the journal is not shipped`)
    return null
  }
  return { url, token }
}
