// Stablecoin payment requests: create, watch, attribute, settle.
//
// TELLING REQUESTS APART (two schemes, chosen per store in settings.receive):
//
// 1. Shared receive address + sub-cent tag (default, `receive.kind = 'address'`).
//    Every request on (chain, token, address) asks for   floor(price to 0.01 token) + tag,   where the tag is
//    tagIndex x 0.000001 token with 1 <= tagIndex <= 9999, i.e. always below one cent (src/shared/payment/tags.ts).
//    - Tag indices are partitioned by till number (till t owns slotsPerTill = floor(9999 / maxTills) indices), so two
//      tills with separate ledgers never hand out the same tag, with no coordination between them.
//    - A till gives a tag only to one request at a time per (chain, token, address): a tag stays held from creation
//      until `lateWindowMinutes` after expiry (so a late payment still finds its request, never a newer one).
//    - Because prices are whole cents and tags are sub-cent, amountDue is unique among held requests, AND the sub-cent
//      remainder of any transfer names the request by itself. Two open requests for the same fiat amount therefore
//      get different amounts (12.340001 and 12.340002) and each transfer matches its own sale.
//    - The customer never pays more than price + tag (< 0.01 token); the tag is not owed: a transfer that covers the
//      price without the tag (someone typed 12.34) counts as paid in full (amountMinimum = price).
//
// 2. Watch-only per-request address from an xpub (`receive.kind = 'xpub'`).
//    Each request gets its own address HDNodeWallet.fromExtendedKey(xpub).deriveChild(tillNumber).deriveChild(n)
//    (BIP-32 non-hardened public derivation; the till never has a private key). The address alone identifies the
//    sale, so partial payments, top-ups and overpayments of any amount attribute correctly; no tag is added.
//
// ATTRIBUTION: which request an incoming Transfer credits (each transfer credits at most one request, once).
// A transfer credits a request only when that is unambiguous for the WHOLE STORE, not just this till: several tills
// (separate ledgers, no coordination) may watch one shared address, and each of them sees every transfer to it.
//
//   | # | incoming transfer (to a watched address)                                | credits                          | rule         |
//   |---|-------------------------------------------------------------------------|----------------------------------|--------------|
//   | x | to a per-request address derived from this till's xpub branch           | that request (any amount)        | xpub         |
//   | a | value == amountDue of a request of this till still holding its tag      | that request                     | exact        |
//   | b | sub-cent remainder is a tag of THIS till's range held by a request      | that request (partial, top-up)   | tag          |
//   | o | sub-cent remainder is a tag of ANOTHER till's range                     | nothing: it is the other till's  | other-till   |
//   | c | no tag; value == price of exactly one open request; address exclusive  | that request                     | price        |
//   | d | no tag; exactly one open request on the address; address exclusive     | that request                     | only-open    |
//   | u | anything else: a round amount on a shared address, a tag of ours no     | nothing: UNATTRIBUTED, listed    | unattributed |
//   |   | held request carries, a transfer after the hold window                  | for a manager to assign or mark  |              |
//   | m | a manager assigns an unattributed transfer to a request (PIN)          | that request                     | manual       |
//
// "exclusive" is the store's setting `receive.exclusive`: this till is the only one receiving on its addresses. Rules
// c and d are price-only shortcuts and are never used without it. The recommended multi-till set-up is one address per
// till (each till its own `receive.address`) or one xpub with a branch per till (tillNumber/n). A shared address works,
// told apart by the per-till tag ranges, but a customer who drops the tag leaves the transfer to the manager. LIMITS,
// honestly: a round-amount underpayment on a shared address is never guessed; a transfer after the hold window is
// never attributed automatically. A manager's decision on an unattributed transfer (assign to a request, other
// income, refund owed, not ours) is journaled ('payment.transfer-resolved') and kept on the log row.
//
// REVERSAL: a request that was Paid and loses its confirmed money to a reorg gets the exception Reversed (state.ts).
// On an open sale its tender is withdrawn and the due comes back (checkout.ts); on a completed sale the reversal is
// journaled ('payment.reversed'), listed for the manager until resolved ('payment.reversal-resolved'), and kept for
// the day's reconciliation. If the chain carries the money again, the request is Paid again ('payment.reinstated').
//
// STATE: every change of a request's state is recomputed from stored facts by nextPaymentState (shared/payment),
// saved, journaled as 'payment.state-changed' {from, to} in the same transaction, and only then emitted.
import { randomUUID } from 'node:crypto'
import { getAddress, HDNodeWallet } from 'ethers'
import { z } from 'zod'
import { refuse, TillError } from '../../shared/result'
import { systemClock, type Clock } from '../../shared/clock'
import { fiatMinorToTokenUnits, isKnownCurrency } from '../../shared/money'
import { buildPaymentUri } from '../../shared/payment/eip681'
import {
  canCancel,
  canMarkPaid,
  canRecordOverpayment,
  canReleaseUnverified,
  nextPaymentState,
  overpaidAmount,
  remainingAmount,
  sumCredits,
  type CreditFact,
  type PaymentException,
  type PaymentFacts,
  type PaymentState,
  type PaymentStatus
} from '../../shared/payment/state'
import { defaultConfirmations, paymentSettingsSchema, type ConfirmationPolicy, type PaymentSettings, type PaymentSettingsInput } from '../../shared/payment/settings'
import { floorToGrain, grainUnits, slotsPerTill, tagIndexFor, tagIndexOf, tagValue, tillOfTag, topUpWithTag } from '../../shared/payment/tags'
import { chainName, DEMO_CHAIN_ID, explorerTxUrl, findToken, type TokenInfo, type TokenSymbol } from '../../shared/payment/tokens'
import type { TransferResolution, UnattributedTransfer } from '../../shared/api/views'
import type { ChainHealthView } from '../../shared/payment/health'
import type { PaymentView } from '../../shared/payment/view'
import { appendJournal } from '../ledger/journal'
import { prepareCached, type Db } from '../ledger/db'
import type { Statement } from 'better-sqlite3'
import { RpcPool } from '../chain/rpc'
import { ChainWatcher, readCursor, type PollResult } from '../chain/watcher'
import { HttpJsonRateProvider, ManualRateProvider, PegRateProvider, type RateProvider } from '../chain/rates'
import { TokenMismatchError, verifyTokenOnChain } from '../chain/registry'
import { readSetting, writeSetting } from '../ledger/settings'

/** Remembered token verifications, keyed "chainId:address" (the pinned details they were checked against). */
const tokenChecksSchema = z.record(
  z.string(),
  z.object({ ok: z.boolean(), reason: z.string().nullable(), symbol: z.string(), decimals: z.number().int(), at: z.number().int() })
)
type TokenCheck = z.infer<typeof tokenChecksSchema>[string]

export type { PaymentView }

export interface PaymentChange {
  readonly payment: PaymentView
  /** Null for a newly created request. */
  readonly previous: PaymentState | null
  readonly stateChanged: boolean
}

export type PaymentListener = (change: PaymentChange) => void

/** The rule that credited (or refused) a transfer: the table at the top of this file. */
export type AttributionRule = 'xpub' | 'exact' | 'tag' | 'other-till' | 'price' | 'only-open' | 'unattributed' | 'manual'

export const createRequestSchema = z.object({
  saleId: z.string().min(1),
  amountMinor: z.number().int().positive(),
  currency: z.string().refine(isKnownCurrency, 'unknown currency'),
  token: z.enum(['USDC', 'USDT']),
  chainId: z.number().int().positive()
})
export type CreateRequestInput = z.infer<typeof createRequestSchema>

export interface PaymentServiceOptions {
  readonly db: Db
  readonly tillId: string
  readonly settings: PaymentSettingsInput
  readonly clock?: Clock
  readonly newId?: () => string
  /** The demo chain's token address (deployed at runtime). */
  readonly demoUsdcAddress?: string
  /**
   * Tokens deployed at runtime on the local chain (31337) only: the tests' 18-decimal and USDT-style tokens. Refused
   * for any other chain, whose tokens come from the pinned registry alone.
   */
  readonly localTokens?: readonly TokenInfo[]
  /** Overrides the rate provider the settings imply (tests). */
  readonly rateProvider?: RateProvider
  readonly watcher?: { readonly maxRange?: number; readonly rescanDepth?: number; readonly startBacklog?: number; readonly idleMaxIntervalMs?: number }
  readonly rpcTimeoutMs?: number
}

interface RequestRow {
  id: string
  sale_id: string
  till_id: string
  chain_id: number
  token_symbol: TokenSymbol
  token_address: string
  token_decimals: number
  receive_address: string
  scheme: 'tag' | 'xpub'
  tag_index: number | null
  derivation_path: string | null
  amount_due: string
  amount_minimum: string
  amount_minor: number
  currency: string
  rate: string
  rate_source: 'peg' | 'manual' | 'http'
  rate_at: number
  confirmation_kind: 'blocks' | 'finalized'
  confirmations_required: number
  created_at: number
  expires_at: number
  hold_until: number
  status: PaymentStatus
  exception: PaymentException | null
  marked_by: string | null
  marked_at: number | null
  cancelled_at: number | null
  refund_due: string | null
  released_by: string | null
  released_at: number | null
  updated_at: number
  settled_at: number | null
  reversed_at: number | null
  reversal_resolved_by: string | null
  reversal_resolved_at: number | null
  reversal_note: string | null
}

interface LogRow {
  chain_id: number
  tx_hash: string
  log_index: number
  block_number: number
  block_time: number
  token_address: string
  from_address: string
  to_address: string
  value: string
  seen_at: number
  payment_id: string | null
  rule: AttributionRule | null
  resolution: TransferResolution | null
  resolved_by: string | null
  note: string | null
}

interface ChainRuntime {
  readonly chainId: number
  readonly pool: RpcPool
  readonly watcher: ChainWatcher
  readonly tokens: readonly TokenInfo[]
}

// The live requests (migration 0017): each part of "alive" through its own index, so a refresh, every second and
// after every poll, reads the few live requests and not every request the till ever made. WAITING is the partial
// index payment_requests_live's predicate, written the same so that SQLite takes that index for it. A unary + on
// chain_id keeps SQLite from reading the whole chain's requests through an index that starts with chain_id instead.
const WAITING = `(status IN ('New', 'Seen') OR (released_at IS NOT NULL AND status <> 'Paid') OR (reversed_at IS NOT NULL AND reversal_resolved_at IS NULL))`
/** Held (hold_until after ?), waiting on someone, or settled after ? (a reorg's look back); on chain ? or every chain (null, twice). */
const LIVE_REQUESTS_SQL = `SELECT * FROM payment_requests
   WHERE rowid IN (SELECT rowid FROM payment_requests WHERE hold_until > ?
                   UNION ALL SELECT rowid FROM payment_requests WHERE ${WAITING}
                   UNION ALL SELECT rowid FROM payment_requests WHERE settled_at > ?)
     AND (? IS NULL OR chain_id = ?)
   ORDER BY rowid`

/**
 * What a payment's listeners are told again only when it moves (PaymentService.emit). Confirmations count as
 * progress up to the depth the request needs ("2 of 5"); past it a new block changes nothing anyone acts on, and a
 * held request would otherwise be built and sent to every window on every block until its hold ends.
 */
function snapshotOf(p: { readonly status: string; readonly exception: string | null; readonly amountPaid: string; readonly confirmations: number; readonly confirmationKind: string; readonly confirmationsRequired: number; readonly refundDue: string | null; readonly markedBy: string | null; readonly releasedAt: number | null }): string {
  const confirmations = p.confirmationKind === 'blocks' ? Math.min(p.confirmations, p.confirmationsRequired) : p.confirmations
  return `${p.status}|${p.exception}|${p.amountPaid}|${confirmations}|${p.refundDue}|${p.markedBy}|${p.releasedAt ?? ''}`
}

function lowestConfirmations(credits: readonly CreditFact[]): number {
  return credits.length === 0 ? 0 : Math.min(...credits.map((c) => c.confirmations))
}

export class PaymentService {
  readonly settings: PaymentSettings
  readonly manualRates: ManualRateProvider
  private readonly db: Db
  private readonly tillId: string
  private readonly clock: Clock
  private readonly newId: () => string
  private readonly rates: RateProvider
  private readonly chains = new Map<number, ChainRuntime>()
  private readonly listeners = new Set<PaymentListener>()
  /** Last emitted snapshot per request, so confirmations progress is emitted once per change. */
  private readonly emitted = new Map<string, string>()
  private refreshTimer: ReturnType<typeof setInterval> | null = null
  private readonly healthListeners = new Set<(health: readonly ChainHealthView[]) => void>()
  private lastHealth = ''

  constructor(private readonly options: PaymentServiceOptions) {
    this.settings = paymentSettingsSchema.parse(options.settings)
    this.db = options.db
    this.tillId = options.tillId
    this.clock = options.clock ?? systemClock
    this.newId = options.newId ?? randomUUID
    this.manualRates = new ManualRateProvider(this.db, this.tillId, this.clock)
    const policy = this.settings.rate
    this.rates =
      options.rateProvider ??
      (policy.kind === 'peg' ? new PegRateProvider(this.clock) : policy.kind === 'manual' ? this.manualRates : new HttpJsonRateProvider(policy, this.clock))
    for (const chain of this.settings.chains) {
      if (!chain.enabled) continue
      const local = (options.localTokens ?? []).filter((t) => t.chainId === chain.chainId)
      if (local.length > 0 && chain.chainId !== DEMO_CHAIN_ID) throw new TillError('invalid-input', 'runtime tokens are only allowed on the local demo chain')
      const tokens = chain.tokens
        .map((symbol) => local.find((t) => t.symbol === symbol) ?? findToken(chain.chainId, symbol, { allowBridged: chain.allowBridged, demoUsdcAddress: options.demoUsdcAddress }))
        .filter((t): t is TokenInfo => t !== undefined)
      const policyFor = chain.confirmations ?? defaultConfirmations(chain.chainId)
      const pool = new RpcPool(chain.chainId, chain.rpcUrls, { clock: this.clock, timeoutMs: options.rpcTimeoutMs })
      const watcher = new ChainWatcher({
        db: this.db,
        chainId: chain.chainId,
        pool,
        clock: this.clock,
        intervalMs: this.settings.pollIntervalMs,
        trackFinalized: policyFor.kind === 'finalized' || chain.finalizedAboveMinor !== null,
        tokenAddresses: () => tokens.map((t) => t.address),
        watchedAddresses: () => this.watchedAddresses(chain.chainId),
        recheckDepth: () => this.recheckDepth(chain.chainId),
        onPolled: (result) => this.afterPoll(chain.chainId, result),
        onError: () => this.emitHealth(),
        ...options.watcher
      })
      this.chains.set(chain.chainId, { chainId: chain.chainId, pool, watcher, tokens })
    }
  }

  // ---- lifecycle

  /** Starts every chain's watcher loop and a 1 s clock tick (expiry needs no block to happen). */
  start(): void {
    for (const c of this.chains.values()) c.watcher.start()
    if (!this.refreshTimer) this.refreshTimer = setInterval(() => this.refresh(), 1000)
  }

  async stop(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer)
    this.refreshTimer = null
    await Promise.all([...this.chains.values()].map((c) => c.watcher.stop()))
    for (const c of this.chains.values()) c.pool.destroy()
  }

  /** One poll of one chain's watcher (or all), then attribution and state refresh. For tests and the bench. */
  async pollOnce(chainId?: number): Promise<PollResult[]> {
    const targets = chainId === undefined ? [...this.chains.values()] : [this.runtime(chainId)]
    const results: PollResult[] = []
    for (const c of targets) results.push(await c.watcher.pollOnce())
    this.refresh()
    return results
  }

  /** Each enabled chain's pool and tokens, for reconciliation (services/reconcile.ts), which reads the chain itself. */
  reconcileChains(): { chainId: number; pool: RpcPool; tokens: readonly TokenInfo[] }[] {
    return [...this.chains.values()].map((c) => ({ chainId: c.chainId, pool: c.pool, tokens: c.tokens }))
  }

  watcher(chainId: number): ChainWatcher {
    return this.runtime(chainId).watcher
  }

  rpcPool(chainId: number): RpcPool {
    return this.runtime(chainId).pool
  }

  /**
   * Asks every enabled token contract not yet checked for decimals() and symbol(), chains in parallel (one slow chain
   * never holds another), and remembers each verdict in the ledger (key 'token-checks'), so a restart neither waits
   * for the chain again nor forgets a mismatch. Throws TokenMismatchError on a mismatch; an unreachable chain throws
   * its RPC error and is simply checked again next time.
   */
  async verifyTokens(): Promise<void> {
    const results = await Promise.allSettled(
      [...this.chains.values()].map(async (c) => {
        for (const token of c.tokens) {
          if (this.tokenCheck(token)?.ok) continue
          try {
            await verifyTokenOnChain(c.pool.provider(), token)
            this.saveTokenCheck(token, { ok: true, reason: null })
          } catch (e) {
            if (e instanceof TokenMismatchError) this.saveTokenCheck(token, { ok: false, reason: e.message })
            throw e
          }
        }
      })
    )
    const mismatch = results.find((r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason instanceof TokenMismatchError)
    const failure = mismatch ?? results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failure) throw failure.reason
  }

  /** A remembered verdict of a mismatch for any enabled token (payments stay off until the settings are fixed). */
  storedTokenProblem(): string | null {
    for (const c of this.chains.values()) for (const token of c.tokens) {
      const check = this.tokenCheck(token)
      if (check && !check.ok) return check.reason ?? `${token.symbol} on ${chainName(c.chainId)} does not match its pinned details`
    }
    return null
  }

  /** True when every enabled token has been verified on chain (now or in an earlier run). */
  tokensVerified(): boolean {
    return [...this.chains.values()].every((c) => c.tokens.every((t) => this.tokenCheck(t)?.ok === true))
  }

  private tokenCheck(token: TokenInfo): TokenCheck | null {
    return readSetting(this.db, 'token-checks', tokenChecksSchema)?.[`${token.chainId}:${token.address.toLowerCase()}`] ?? null
  }

  private saveTokenCheck(token: TokenInfo, check: { ok: boolean; reason: string | null }): void {
    this.db.transaction(() => {
      const all = readSetting(this.db, 'token-checks', tokenChecksSchema) ?? {}
      writeSetting(this.db, 'token-checks', tokenChecksSchema, { ...all, [`${token.chainId}:${token.address.toLowerCase()}`]: { ...check, symbol: token.symbol, decimals: token.decimals, at: this.clock.now() } })
    }).immediate()
  }

  /** Each enabled chain's health, in settings order. */
  health(): ChainHealthView[] {
    return [...this.chains.values()].map((c) => c.watcher.health())
  }

  /** Called after every poll or failed poll with the health of every chain, when any chain's health changed. */
  onHealth(listener: (health: readonly ChainHealthView[]) => void): () => void {
    this.healthListeners.add(listener)
    return () => this.healthListeners.delete(listener)
  }

  private emitHealth(): void {
    const health = this.health()
    const snapshot = JSON.stringify(health.map((h) => [h.chainId, h.status, h.head, h.endpoint, h.since]))
    if (snapshot === this.lastHealth) return
    this.lastHealth = snapshot
    for (const listener of this.healthListeners) {
      try {
        listener(health)
      } catch {
        // A closed window must not stop the watcher.
      }
    }
  }

  onChange(listener: PaymentListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  // ---- requests

  async createRequest(input: CreateRequestInput): Promise<PaymentView> {
    const parsed = createRequestSchema.safeParse(input)
    if (!parsed.success) throw new TillError('invalid-input', parsed.error.issues.map((i) => i.message).join('; '))
    const { saleId, amountMinor, currency, token: symbol, chainId } = parsed.data
    const runtime = this.chains.get(chainId)
    if (!runtime) throw refuse('invalid-input', 'payment.chain-off', { chain: chainName(chainId) })
    const token = runtime.tokens.find((t) => t.symbol === symbol)
    if (!token) throw refuse('invalid-input', 'payment.token-off', { token: symbol, chain: chainName(chainId) })
    const quote = await this.rates.quote(currency, symbol)
    const price = fiatMinorToTokenUnits(amountMinor, currency, token.decimals, { fiatPerToken: quote.fiatPerToken })
    const chainSettings = this.settings.chains.find((c) => c.chainId === chainId)!
    // Store policy: above finalizedAboveMinor a sale is Paid only at the chain's `finalized` block.
    const large = chainSettings.finalizedAboveMinor !== null && amountMinor > chainSettings.finalizedAboveMinor
    const policy: ConfirmationPolicy = large ? { kind: 'finalized' } : (chainSettings.confirmations ?? defaultConfirmations(chainId))
    const now = this.clock.now()
    const expiresAt = now + this.settings.requestExpiryMinutes * 60_000
    const holdUntil = expiresAt + this.settings.lateWindowMinutes * 60_000
    const id = this.newId()
    const receive = this.settings.receive

    const view = this.db.transaction(() => {
      let receiveAddress: string
      let tagIndex: number | null = null
      let derivationPath: string | null = null
      let amountDue: bigint
      let amountMinimum: bigint
      if (receive.kind === 'address') {
        receiveAddress = getAddress(receive.perChain[String(chainId)] ?? receive.address)
        amountMinimum = floorToGrain(price, token.decimals)
        if (amountMinimum <= 0n) throw refuse('invalid-input', 'payment.amount-too-small')
        tagIndex = this.allocateTag(chainId, token.address, receiveAddress, now)
        amountDue = amountMinimum + tagValue(tagIndex, token.decimals)
      } else {
        const next = (this.q("SELECT COUNT(*) AS n FROM payment_requests WHERE scheme = 'xpub'").get() as { n: number }).n
        const node = HDNodeWallet.fromExtendedKey(receive.xpub)
        // Public (non-hardened) derivation only: a neutered xpub cannot derive hardened children nor sign.
        receiveAddress = getAddress(node.deriveChild(this.settings.tillNumber).deriveChild(next).address)
        derivationPath = `${this.settings.tillNumber}/${next}`
        if (price <= 0n) throw refuse('invalid-input', 'payment.amount-too-small')
        amountDue = price
        amountMinimum = price
      }
      this
        .q(
          `INSERT INTO payment_requests (id, sale_id, till_id, chain_id, token_symbol, token_address, token_decimals, receive_address,
             scheme, tag_index, derivation_path, amount_due, amount_minimum, amount_minor, currency, rate, rate_source, rate_at,
             confirmation_kind, confirmations_required, created_at, expires_at, hold_until, status, exception, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'New', NULL, ?)`
        )
        .run(
          id, saleId, this.tillId, chainId, symbol, token.address, token.decimals, receiveAddress,
          receive.kind === 'address' ? 'tag' : 'xpub', tagIndex, derivationPath, amountDue.toString(), amountMinimum.toString(),
          amountMinor, currency, quote.fiatPerToken, quote.source, quote.at,
          policy.kind, policy.kind === 'blocks' ? policy.count : 1, now, expiresAt, holdUntil, now
        )
      appendJournal(this.db, {
        at: now,
        tillId: this.tillId,
        kind: 'payment.requested',
        saleId,
        payload: {
          paymentId: id, chainId, token: symbol, tokenAddress: token.address, receiveAddress, amountDue: amountDue.toString(),
          amountMinor, currency, rate: quote.fiatPerToken, rateSource: quote.source, rateAt: quote.at, tagIndex, derivationPath, expiresAt
        }
      })
      return this.view(id)
    }).immediate()
    runtime.watcher.wake()
    this.emit({ payment: view, previous: null, stateChanged: true })
    return view
  }

  get(id: string): PaymentView {
    return this.view(id)
  }

  forSale(saleId: string): PaymentView[] {
    const ids = this.q('SELECT id FROM payment_requests WHERE sale_id = ? ORDER BY created_at, id').all(saleId) as { id: string }[]
    return ids.map((r) => this.view(r.id))
  }

  /** A manager accepts a partial or late payment as it stands (-> Paid / Marked). */
  markAccepted(id: string, approvedBy: string): PaymentView {
    if (!approvedBy) throw refuse('approval-required', 'payment.approval-needed')
    return this.mutate(id, (row, guard) => {
      if (!canMarkPaid(guard)) {
        throw refuse('conflict', 'payment.cannot-accept', { state: `${guard.state.status}${guard.state.exception ? `/${guard.state.exception}` : ''}` })
      }
      const now = this.clock.now()
      this.q('UPDATE payment_requests SET marked_by = ?, marked_at = ? WHERE id = ?').run(approvedBy, now, id)
      appendJournal(this.db, {
        at: now, tillId: this.tillId, kind: 'payment.marked', saleId: row.sale_id,
        payload: { paymentId: id, approvedBy, amountPaid: sumCredits(guard.facts.credits).toString(), amountDue: row.amount_due, exception: guard.state.exception }
      })
    })
  }

  /** Records that the customer is owed the overpaid part back (refund handled by the refund service). */
  recordOverpaymentForRefund(id: string): PaymentView {
    return this.mutate(id, (row, guard) => {
      if (!canRecordOverpayment(guard)) throw refuse('conflict', 'payment.not-overpaid')
      if (row.refund_due !== null) throw refuse('conflict', 'payment.overpayment-recorded')
      const amount = overpaidAmount(guard.facts)
      this.q('UPDATE payment_requests SET refund_due = ? WHERE id = ?').run(amount.toString(), id)
      appendJournal(this.db, {
        at: this.clock.now(), tillId: this.tillId, kind: 'payment.overpayment-recorded', saleId: row.sale_id,
        payload: { paymentId: id, refundDue: amount.toString(), token: row.token_symbol, chainId: row.chain_id }
      })
    })
  }

  cancel(id: string): PaymentView {
    return this.mutate(id, (row, guard) => {
      if (!canCancel(guard)) throw refuse('conflict', 'payment.cannot-cancel')
      const now = this.clock.now()
      // The tag stays held until hold_until: a payment that still arrives is attributed here and flagged, not lost.
      this.q('UPDATE payment_requests SET cancelled_at = ? WHERE id = ?').run(now, id)
      appendJournal(this.db, { at: now, tillId: this.tillId, kind: 'payment.cancelled', saleId: row.sale_id, payload: { paymentId: id } })
    })
  }

  /**
   * Lets the goods go without on-chain proof, only while no RPC endpoint of the chain answers, within the store's
   * limits (outstanding count and amount). The watcher keeps watching: the request turns Paid when the money shows
   * up, or stays flagged (releasedUnverified with Expired) for the manager.
   */
  releaseUnverified(id: string, approvedBy: string): PaymentView {
    if (!approvedBy) throw refuse('approval-required', 'payment.approval-needed')
    return this.mutate(id, (row, guard) => {
      if (!canReleaseUnverified(guard)) throw refuse('conflict', 'payment.nothing-to-release', { state: guard.state.status })
      if (row.released_at !== null) throw refuse('conflict', 'payment.already-released')
      if (!this.runtime(row.chain_id).pool.allDown()) {
        throw refuse('conflict', 'payment.chain-reachable', { chain: chainName(row.chain_id) })
      }
      const limits = this.settings.unverifiedRelease
      if (row.amount_minor > limits.maxAmountMinor) throw refuse('forbidden', 'payment.release-over-limit', { limitMinor: limits.maxAmountMinor, currency: row.currency })
      const outstanding = (this
        .q("SELECT COUNT(*) AS n FROM payment_requests WHERE released_at IS NOT NULL AND status <> 'Paid'")
        .get() as { n: number }).n
      if (outstanding >= limits.maxOutstanding) throw refuse('forbidden', 'payment.release-too-many', { outstanding, limit: limits.maxOutstanding })
      const now = this.clock.now()
      this.q('UPDATE payment_requests SET released_by = ?, released_at = ? WHERE id = ?').run(approvedBy, now, id)
      appendJournal(this.db, {
        at: now, tillId: this.tillId, kind: 'payment.released-unverified', saleId: row.sale_id,
        payload: { paymentId: id, approvedBy, amountMinor: row.amount_minor, amountDue: row.amount_due }
      })
    })
  }

  /**
   * Transfers to watched addresses that no request could claim and no manager has dealt with yet (rule u of the
   * table). Transfers carrying another till's tag (rule o) are that till's business and are not listed here.
   */
  unattributedTransfers(): UnattributedTransfer[] {
    const rows = this
      .q(
        `SELECT * FROM chain_logs WHERE attributed = 1 AND payment_id IS NULL AND resolution IS NULL AND (rule IS NULL OR rule <> 'other-till')
           ORDER BY block_number, log_index`
      )
      .all() as LogRow[]
    return rows.map((r) => this.transferView(r))
  }

  private transferView(r: LogRow): UnattributedTransfer {
    const token = this.chains.get(r.chain_id)?.tokens.find((t) => t.address.toLowerCase() === r.token_address.toLowerCase())
    return {
      chainId: r.chain_id, chainName: chainName(r.chain_id), txHash: r.tx_hash, logIndex: r.log_index, to: r.to_address, from: r.from_address,
      value: r.value, tokenSymbol: token?.symbol ?? null, tokenDecimals: token?.decimals ?? null, blockNumber: r.block_number, blockTime: r.block_time,
      seenAt: r.seen_at, rule: r.rule, resolution: r.resolution, resolvedBy: r.resolved_by, note: r.note
    }
  }

  /**
   * A manager deals with an unattributed transfer: assigns it to a request of this till (rule m: the request's state is
   * recomputed with it, so a sale waiting for it is paid), or marks it other income, a refund owed to the sender, or
   * not ours (e.g. the owner moving funds). Journaled with the approver, in one transaction.
   */
  resolveTransfer(input: { readonly chainId: number; readonly txHash: string; readonly logIndex: number; readonly action: TransferResolution; readonly paymentId?: string; readonly note: string }, approvedBy: string): UnattributedTransfer {
    if (!approvedBy) throw refuse('approval-required', 'payment.approval-needed')
    const now = this.clock.now()
    let assigned: string | null = null
    this.db.transaction(() => {
      const log = this.q('SELECT * FROM chain_logs WHERE chain_id = ? AND tx_hash = ? AND log_index = ?').get(input.chainId, input.txHash, input.logIndex) as LogRow | undefined
      if (!log) throw refuse('not-found', 'payment.transfer-not-found', { tx: `${input.txHash}#${input.logIndex}`, chain: chainName(input.chainId) })
      if (log.payment_id !== null || log.resolution !== null) throw refuse('conflict', 'payment.transfer-dealt-with')
      if (input.action === 'assigned') {
        if (!input.paymentId) throw refuse('invalid-input', 'payment.transfer-choose-request')
        const request = this.row(input.paymentId)
        if (request.chain_id !== log.chain_id || request.token_address.toLowerCase() !== log.token_address.toLowerCase() || request.receive_address.toLowerCase() !== log.to_address.toLowerCase()) {
          throw refuse('conflict', 'payment.transfer-other-request')
        }
        assigned = request.id
      }
      this
        .q("UPDATE chain_logs SET payment_id = ?, rule = CASE WHEN ? IS NULL THEN rule ELSE 'manual' END, resolution = ?, resolved_by = ?, resolved_at = ?, note = ? WHERE chain_id = ? AND tx_hash = ? AND log_index = ?")
        .run(assigned, assigned, input.action, approvedBy, now, input.note, input.chainId, input.txHash, input.logIndex)
      appendJournal(this.db, {
        at: now, tillId: this.tillId, kind: 'payment.transfer-resolved', saleId: assigned ? this.row(assigned).sale_id : null,
        payload: { chainId: input.chainId, txHash: input.txHash, logIndex: input.logIndex, value: log.value, action: input.action, paymentId: assigned, approvedBy, note: input.note }
      })
    }).immediate()
    if (assigned) this.refresh(input.chainId)
    const row = this.q('SELECT * FROM chain_logs WHERE chain_id = ? AND tx_hash = ? AND log_index = ?').get(input.chainId, input.txHash, input.logIndex) as LogRow
    return this.transferView(row)
  }

  /** Requests a manager may assign a transfer to: this till's requests on the same chain, token and address, newest first. */
  assignableRequests(chainId: number, txHash: string, logIndex: number): PaymentView[] {
    const log = this.q('SELECT * FROM chain_logs WHERE chain_id = ? AND tx_hash = ? AND log_index = ?').get(chainId, txHash, logIndex) as LogRow | undefined
    if (!log) throw refuse('not-found', 'payment.transfer-not-found', { tx: `${txHash}#${logIndex}`, chain: chainName(chainId) })
    const ids = this
      .q('SELECT id FROM payment_requests WHERE chain_id = ? AND token_address = ? AND receive_address = ? AND created_at <= ? ORDER BY created_at DESC LIMIT 50')
      .all(chainId, log.token_address, log.to_address, Math.max(log.seen_at, log.block_time)) as { id: string }[]
    return ids.map((r) => this.view(r.id))
  }

  /** Payments reversed after they were Paid that nobody has dealt with yet (the back office lists them). */
  openReversals(): PaymentView[] {
    const ids = this
      .q('SELECT id FROM payment_requests WHERE reversed_at IS NOT NULL AND reversal_resolved_at IS NULL ORDER BY reversed_at')
      .all() as { id: string }[]
    return ids.map((r) => this.view(r.id))
  }

  /**
   * A manager records how a reversed payment was dealt with (the customer paid again another way, the loss written
   * off, ...). The payment stays Reversed in its facts; the note and approver are journaled and kept for the day.
   */
  resolveReversal(id: string, note: string, approvedBy: string): PaymentView {
    if (!approvedBy) throw refuse('approval-required', 'payment.approval-needed')
    return this.mutate(id, (row, guard) => {
      if (row.reversed_at === null || row.reversal_resolved_at !== null) throw refuse('conflict', 'payment.no-open-reversal')
      if (guard.state.status === 'Paid') throw refuse('conflict', 'payment.paid-again')
      const now = this.clock.now()
      this.q('UPDATE payment_requests SET reversal_resolved_by = ?, reversal_resolved_at = ?, reversal_note = ? WHERE id = ?').run(approvedBy, now, note, id)
      appendJournal(this.db, { at: now, tillId: this.tillId, kind: 'payment.reversal-resolved', saleId: row.sale_id, payload: { paymentId: id, approvedBy, note } })
    })
  }


  /** Recomputes the state of every live request from stored facts and the clock; saves, journals, then emits. */
  refresh(chainId?: number, options: { readonly afterReorg?: boolean } = {}): void {
    const now = this.clock.now()
    const changes: PaymentChange[] = []
    const updates: string[] = []
    // After a reorg, payments settled in the last week are checked too (their hold window may be over): a completed
    // sale whose money vanished must be flagged, not missed because nobody was watching it any more.
    const settledSince = options.afterReorg ? now - 7 * 24 * 3_600_000 : Number.MAX_SAFE_INTEGER
    this.db.transaction(() => {
      const rows = this.q(LIVE_REQUESTS_SQL).all(now, settledSince, chainId ?? null, chainId ?? null) as RequestRow[]
      for (const row of rows) {
        const { state, facts } = this.evaluate(row, now)
        if (state.status === row.status && state.exception === row.exception) {
          // Only a payment whose progress moved since it was last told is built and sent again (emit would drop the
          // rest): building a view cost most of a refresh, and after a reorg a week of settled payments is refreshed.
          if (this.emitted.get(row.id) !== snapshotOf({ status: row.status, exception: row.exception, amountPaid: sumCredits(facts.credits).toString(), confirmations: lowestConfirmations(facts.credits), confirmationKind: row.confirmation_kind, confirmationsRequired: row.confirmations_required, refundDue: row.refund_due, markedBy: row.marked_by, releasedAt: row.released_by !== null ? row.released_at : null })) updates.push(row.id)
          continue
        }
        this.saveState(row, state, now)
        changes.push({ payment: this.view(row.id), previous: { status: row.status, exception: row.exception }, stateChanged: true })
      }
    }).immediate()
    for (const change of changes) this.emit(change)
    // Confirmation progress without a state change (the UI shows "2 of 5").
    for (const id of updates) this.emit({ payment: this.view(id), previous: null, stateChanged: false })
  }

  // ---- internals

  /** A statement compiled once per connection: a refresh runs several per live request every second. */
  private q(sql: string): Statement {
    return prepareCached(this.db, sql)
  }

  private runtime(chainId: number): ChainRuntime {
    const r = this.chains.get(chainId)
    if (!r) throw refuse('not-found', 'payment.chain-off', { chain: chainName(chainId) })
    return r
  }

  private watchedAddresses(chainId: number): string[] {
    const now = this.clock.now()
    const rows = this
      .q(
        `SELECT DISTINCT receive_address FROM payment_requests
           WHERE rowid IN (SELECT rowid FROM payment_requests WHERE hold_until > ? UNION ALL SELECT rowid FROM payment_requests WHERE ${WAITING}) AND +chain_id = ?`
      )
      .all(now, chainId) as { receive_address: string }[]
    return rows.map((r) => r.receive_address)
  }

  /**
   * How many of the newest blocks the watcher reads by block hash until they are deep enough (watcher.ts, point 4):
   * the deepest confirmation count any live request on the chain needs; for a `finalized` request, the distance from
   * the head to the finalized block last seen (64 until one is seen), capped so a stalled finality cannot grow it
   * without bound.
   */
  private recheckDepth(chainId: number): number {
    const now = this.clock.now()
    const row = this
      .q(
        `SELECT MAX(CASE WHEN confirmation_kind = 'blocks' THEN confirmations_required ELSE 0 END) AS blocks,
                MAX(confirmation_kind = 'finalized') AS finalized
           FROM payment_requests
          WHERE rowid IN (SELECT rowid FROM payment_requests WHERE hold_until > ? UNION ALL SELECT rowid FROM payment_requests WHERE ${WAITING} AND status IN ('New', 'Seen'))
            AND +chain_id = ?`
      )
      .get(now, chainId) as { blocks: number | null; finalized: number | null }
    let depth = row.blocks ?? 1
    if (row.finalized) {
      const cursor = readCursor(this.db, chainId)
      const distance = cursor?.finalized !== null && cursor?.finalized !== undefined ? cursor.head - cursor.finalized + 1 : 64
      depth = Math.max(depth, distance)
    }
    return Math.min(Math.max(depth, 1), 2048)
  }

  /** First free tag index of this till's slice on (chain, token, address). Runs inside the create transaction. */
  private allocateTag(chainId: number, tokenAddress: string, receiveAddress: string, now: number): number {
    const held = new Set(
      (this
        .q('SELECT tag_index FROM payment_requests WHERE chain_id = ? AND token_address = ? AND receive_address = ? AND hold_until > ? AND tag_index IS NOT NULL')
        .all(chainId, tokenAddress, receiveAddress, now) as { tag_index: number }[]).map((r) => r.tag_index)
    )
    const per = slotsPerTill(this.settings.maxTills)
    for (let slot = 1; slot <= per; slot++) {
      const index = tagIndexFor(this.settings.tillNumber, slot, this.settings.maxTills)
      if (!held.has(index)) return index
    }
    throw refuse('unavailable', 'payment.tags-exhausted', { count: per })
  }

  private afterPoll(chainId: number, result: PollResult): void {
    if (!result.idle) this.attribute(chainId)
    this.refresh(chainId, { afterReorg: result.rolledBackTo !== null })
    this.emitHealth()
  }

  /** Gives each new Transfer log to at most one request (rules a-e at the top of this file). */
  private attribute(chainId: number): void {
    const now = this.clock.now()
    this.db.transaction(() => {
      const logs = this
        .q('SELECT * FROM chain_logs WHERE chain_id = ? AND attributed = 0 ORDER BY block_number, log_index')
        .all(chainId) as LogRow[]
      for (const log of logs) {
        const candidates = this
          .q('SELECT * FROM payment_requests WHERE chain_id = ? AND token_address = ? AND receive_address = ? AND hold_until > ? ORDER BY created_at')
          .all(chainId, log.token_address, log.to_address, now) as RequestRow[]
        const { request: match, rule } = this.match(log, candidates, now)
        this
          .q('UPDATE chain_logs SET attributed = 1, payment_id = ?, rule = ? WHERE chain_id = ? AND tx_hash = ? AND log_index = ?')
          .run(match?.id ?? null, rule, chainId, log.tx_hash, log.log_index)
        appendJournal(this.db, {
          at: now, tillId: this.tillId,
          kind: match ? 'payment.transfer-credited' : rule === 'other-till' ? 'payment.transfer-other-till' : 'payment.transfer-unattributed',
          saleId: match?.sale_id ?? null,
          payload: { paymentId: match?.id ?? null, rule, chainId, txHash: log.tx_hash, logIndex: log.log_index, blockNumber: log.block_number, to: log.to_address, value: log.value }
        })
      }
    }).immediate()
  }

  /** The attribution table at the top of this file, in its order. */
  private match(log: LogRow, candidates: readonly RequestRow[], now: number): { request: RequestRow | null; rule: AttributionRule } {
    const xpub = candidates.filter((c) => c.scheme === 'xpub')
    // Each derived address belongs to one request (the path is tillNumber/n, n counting up): the address says it all.
    if (xpub.length > 0) return { request: xpub[xpub.length - 1]!, rule: 'xpub' }
    const value = BigInt(log.value)
    const decimals = candidates[0]?.token_decimals ?? this.tokenDecimals(log.chain_id, log.token_address)
    const tag = decimals === null ? null : tagIndexOf(value, decimals)
    if (tag !== null) {
      // A tag of another till's slice is that till's request, whatever the amount: never ours (rule o).
      if (tillOfTag(tag, this.settings.maxTills) !== this.settings.tillNumber) return { request: null, rule: 'other-till' }
      const tagged = candidates.filter((c) => c.tag_index === tag)
      const exact = tagged.filter((c) => BigInt(c.amount_due) === value)
      if (exact.length === 1) return { request: exact[0]!, rule: 'exact' }
      if (tagged.length === 1) return { request: tagged[0]!, rule: 'tag' }
      return { request: null, rule: 'unattributed' }
    }
    // No tag: a round amount. Only a till that is alone on the address may guess from the price (rules c and d).
    if (this.settings.receive.kind === 'address' && this.settings.receive.exclusive) {
      const open = candidates.filter((c) => {
        const { state } = this.evaluate(c, now)
        return state.status === 'New' || state.status === 'Seen'
      })
      const priceOnly = open.filter((c) => BigInt(c.amount_minimum) === value)
      if (priceOnly.length === 1) return { request: priceOnly[0]!, rule: 'price' }
      if (open.length === 1) return { request: open[0]!, rule: 'only-open' }
    }
    return { request: null, rule: 'unattributed' }
  }

  private tokenDecimals(chainId: number, tokenAddress: string): number | null {
    const token = this.chains.get(chainId)?.tokens.find((t) => t.address.toLowerCase() === tokenAddress.toLowerCase())
    return token?.decimals ?? null
  }

  private credits(row: RequestRow, _now: number): CreditFact[] {
    const logs = this
      .q('SELECT * FROM chain_logs WHERE payment_id = ? ORDER BY block_number, log_index')
      .all(row.id) as LogRow[]
    const cursor = readCursor(this.db, row.chain_id)
    const head = cursor?.head ?? 0
    return logs.map((log) => {
      const confirmations = head >= log.block_number ? head - log.block_number + 1 : 0
      const confirmed =
        row.confirmation_kind === 'finalized'
          ? cursor?.finalized !== null && cursor?.finalized !== undefined && log.block_number <= cursor.finalized
          : confirmations >= row.confirmations_required
      return { value: BigInt(log.value), confirmations, confirmed, blockTimeMs: log.block_time, seenAtMs: log.seen_at }
    })
  }

  private facts(row: RequestRow, now: number): PaymentFacts {
    return {
      amountDue: BigInt(row.amount_due),
      amountMinimum: BigInt(row.amount_minimum),
      overpaidAbove: row.scheme === 'tag' ? BigInt(row.amount_minimum) + grainUnits(row.token_decimals) - 1n : BigInt(row.amount_due),
      expiresAtMs: row.expires_at,
      credits: this.credits(row, now),
      markedAtMs: row.marked_at,
      cancelledAtMs: row.cancelled_at,
      settledAtMs: row.settled_at
    }
  }

  private evaluate(row: RequestRow, now: number): { facts: PaymentFacts; state: PaymentState } {
    const facts = this.facts(row, now)
    return { facts, state: nextPaymentState(facts, now) }
  }

  private row(id: string): RequestRow {
    const row = this.q('SELECT * FROM payment_requests WHERE id = ?').get(id) as RequestRow | undefined
    if (!row) throw refuse('not-found', 'payment.not-found', { id })
    return row
  }

  /** A manager action: check, change, recompute the state, journal, all in one transaction; then emit. */
  private mutate(id: string, change: (row: RequestRow, guard: { state: PaymentState; facts: PaymentFacts }) => void): PaymentView {
    const now = this.clock.now()
    let previous: PaymentState | null = null
    this.db.transaction(() => {
      const row = this.row(id)
      const { facts, state } = this.evaluate(row, now)
      previous = { status: row.status, exception: row.exception }
      change(row, { facts, state })
      const after = this.row(id)
      const next = this.evaluate(after, now).state
      if (next.status !== after.status || next.exception !== after.exception) this.saveState(after, next, now)
    }).immediate()
    const view = this.view(id)
    const prev = previous as PaymentState | null
    this.emit({ payment: view, previous: prev, stateChanged: prev !== null && (prev.status !== view.status || prev.exception !== view.exception) })
    return view
  }

  /**
   * Saves a recomputed state and journals it, inside the caller's transaction. Reaching Paid the first time sets
   * settled_at; dropping below Paid after that is a reversal (journaled, kept until a manager resolves it or the chain
   * carries the money again, which reinstates the payment by itself).
   */
  private saveState(row: RequestRow, state: PaymentState, now: number): void {
    const amountPaid = sumCredits(this.credits(row, now)).toString()
    this
      .q('UPDATE payment_requests SET status = ?, exception = ?, updated_at = ?, settled_at = COALESCE(settled_at, ?) WHERE id = ?')
      .run(state.status, state.exception, now, state.status === 'Paid' ? now : null, row.id)
    appendJournal(this.db, {
      at: now, tillId: this.tillId, kind: 'payment.state-changed', saleId: row.sale_id,
      payload: { paymentId: row.id, from: row.status, fromException: row.exception, to: state.status, toException: state.exception, amountPaid }
    })
    if (state.exception === 'Reversed' && row.exception !== 'Reversed') {
      this
        .q('UPDATE payment_requests SET reversed_at = ?, reversal_resolved_by = NULL, reversal_resolved_at = NULL, reversal_note = NULL WHERE id = ?')
        .run(now, row.id)
      const sale = this.q('SELECT status FROM sales WHERE id = ?').get(row.sale_id) as { status: string } | undefined
      appendJournal(this.db, {
        at: now, tillId: this.tillId, kind: 'payment.reversed', saleId: row.sale_id,
        payload: { paymentId: row.id, saleStatus: sale?.status ?? null, amountDue: row.amount_due, amountPaid, amountMinor: row.amount_minor, currency: row.currency }
      })
    } else if (row.exception === 'Reversed' && state.status === 'Paid') {
      this.q("UPDATE payment_requests SET reversal_resolved_by = 'chain', reversal_resolved_at = ? WHERE id = ?").run(now, row.id)
      appendJournal(this.db, { at: now, tillId: this.tillId, kind: 'payment.reinstated', saleId: row.sale_id, payload: { paymentId: row.id, amountPaid } })
    }
  }

  private view(id: string): PaymentView {
    const row = this.row(id)
    const facts = this.facts(row, this.clock.now())
    const credits = facts.credits
    const remaining = remainingAmount(facts)
    const topUp =
      remaining > 0n && credits.length > 0 && (row.status === 'New' || row.status === 'Seen')
        ? row.tag_index !== null
          ? topUpWithTag(remaining, row.tag_index, row.token_decimals)
          : remaining
        : null
    const txs = this.q('SELECT DISTINCT tx_hash FROM chain_logs WHERE payment_id = ? ORDER BY block_number, log_index').all(id) as { tx_hash: string }[]
    const txHashes = txs.map((t) => t.tx_hash)
    return {
      id: row.id,
      saleId: row.sale_id,
      chainId: row.chain_id,
      chainName: chainName(row.chain_id),
      token: { symbol: row.token_symbol, address: row.token_address, decimals: row.token_decimals },
      receiveAddress: row.receive_address,
      scheme: row.scheme,
      amountDue: row.amount_due,
      amountMinimum: row.amount_minimum,
      amountPaid: sumCredits(credits).toString(),
      amountRemaining: remaining.toString(),
      status: row.status,
      exception: row.exception,
      uri: buildPaymentUri({ tokenAddress: row.token_address, chainId: row.chain_id, to: row.receive_address, amount: BigInt(row.amount_due) }),
      topUpUri: topUp === null ? null : buildPaymentUri({ tokenAddress: row.token_address, chainId: row.chain_id, to: row.receive_address, amount: topUp }),
      topUpAmount: topUp === null ? null : topUp.toString(),
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      confirmations: lowestConfirmations(credits),
      confirmationsRequired: row.confirmations_required,
      confirmationKind: row.confirmation_kind,
      txHashes,
      explorerUrls: txHashes.map((h) => explorerTxUrl(row.chain_id, h)).filter((u): u is string => u !== null),
      fiat: { amountMinor: row.amount_minor, currency: row.currency, rate: row.rate, rateSource: row.rate_source, rateAt: row.rate_at },
      refundDue: row.refund_due,
      markedBy: row.marked_by,
      releasedUnverified: row.released_by !== null && row.released_at !== null ? { by: row.released_by, at: row.released_at } : null,
      settledAt: row.settled_at,
      reversal: row.reversed_at === null ? null : { at: row.reversed_at, resolvedBy: row.reversal_resolved_by, resolvedAt: row.reversal_resolved_at, note: row.reversal_note }
    }
  }

  private emit(change: PaymentChange): void {
    const p = change.payment
    const snapshot = snapshotOf({ status: p.status, exception: p.exception, amountPaid: p.amountPaid, confirmations: p.confirmations, confirmationKind: p.confirmationKind, confirmationsRequired: p.confirmationsRequired, refundDue: p.refundDue, markedBy: p.markedBy, releasedAt: p.releasedUnverified?.at ?? null })
    if (!change.stateChanged && this.emitted.get(p.id) === snapshot) return
    this.emitted.set(p.id, snapshot)
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch {
        // A listener's failure (a closed window) must not stop the others or the watcher.
      }
    }
  }
}
