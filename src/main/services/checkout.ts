// Stablecoin checkout: ties a payment request to the open sale. The request asks for what is due; when the watcher
// settles it (Paid, PaidOver, or Marked by a manager) or a manager releases the goods unverified, the payment becomes
// a tender on the sale. While a request is open the sale's lines are locked, so the amount asked stays the amount due.
import type { PaymentOptions, StablecoinTenderDetails } from '../../shared/api/views'
import { formatUnits, tokenUnitsToFiatMinor } from '../../shared/money'
import { chainName } from '../../shared/payment/tokens'
import type { PaymentView } from '../../shared/payment/view'
import { refuse } from '../../shared/result'
import { TokenMismatchError } from '../chain/registry'
import type { EventBus } from '../events'
import type { PaymentService } from './payments'
import type { SaleService } from './sale'
import type { StoreService } from './store'

export interface CheckoutDeps {
  readonly payments: PaymentService | null
  readonly sales: SaleService
  readonly store: StoreService
  readonly events: EventBus
  /** Demo store only: pays a request from the simulated customer's wallet. */
  readonly simulate?: (request: { readonly uri: string }) => Promise<string>
  readonly log?: (message: string, error: unknown) => void
}

const isLive = (p: PaymentView) => p.status !== 'Invalid' || p.exception !== null

const mismatchMessage = (detail: string): string =>
  `the token contract does not match its pinned details (${detail}); stablecoin payments are refused until the store's settings are fixed.`

export class StablecoinCheckout {
  /** Set when a pinned token's decimals() or symbol() on chain disagree with the registry: payments refuse loudly. */
  private tokenProblem: string | null = null
  private tokensVerified = false
  private verifying: Promise<void> | null = null

  constructor(private readonly deps: CheckoutDeps) {
    // Verdicts of earlier runs: a mismatch stays refused across restarts, a verified token is not asked again.
    const stored = deps.payments?.storedTokenProblem() ?? null
    if (stored) this.tokenProblem = stored
    this.tokensVerified = deps.payments?.tokensVerified() ?? false
    deps.sales.addEditGuard((saleId) => (this.openRequest(saleId) ? 'A stablecoin request is open for this sale: cancel it before changing the sale.' : null))
    deps.payments?.onChange(({ payment }) => this.onPaymentChange(payment))
    deps.sales.onCompleted((sale) => {
      // A sale finished another way (cash) leaves no request waiting for money.
      for (const p of this.deps.payments?.forSale(sale.id) ?? []) {
        // A request released unverified is still owed on chain: the watcher must keep looking for it.
        // A reversed one is not cancelled behind the manager's back: it stays open for the chain and the back office.
        if ((p.status === 'New' || p.status === 'Expired') && p.exception === null && p.amountPaid === '0' && p.releasedUnverified === null) this.deps.payments?.cancel(p.id)
      }
    })
  }

  /**
   * Checks each enabled token's decimals() and symbol() against the pinned registry once a chain answers. A mismatch
   * (a wrong address, a look-alike) turns stablecoin payments off with the reason; an unreachable chain is not a
   * mismatch (offline-first): the check is tried again before the next request.
   */
  async verifyTokens(): Promise<void> {
    if (!this.deps.payments || this.tokensVerified) return
    if (this.verifying) return this.verifying
    this.verifying = (async () => {
      try {
        await this.deps.payments!.verifyTokens()
        this.tokensVerified = true
      } catch (e) {
        if (e instanceof TokenMismatchError) {
          this.tokenProblem = e.message
          ;(this.deps.log ?? console.error)('token check failed', e)
        }
      } finally {
        this.verifying = null
      }
    })()
    return this.verifying
  }

  options(): PaymentOptions {
    if (this.tokenProblem) return { enabled: false, reason: mismatchMessage(this.tokenProblem), choices: [], canSimulate: false }
    const payments = this.deps.payments
    const enabled = payments?.settings.chains.filter((c) => c.enabled) ?? []
    if (!payments || enabled.length === 0) {
      return { enabled: false, reason: 'No blockchain is set up for stablecoin payments on this till.', choices: [], canSimulate: false }
    }
    return {
      enabled: true,
      reason: null,
      choices: enabled.map((c) => ({ chainId: c.chainId, chainName: chainName(c.chainId), tokens: c.tokens })),
      canSimulate: this.deps.simulate !== undefined
    }
  }

  private requirePayments(): PaymentService {
    if (!this.deps.payments) throw refuse('unavailable', 'payment.off')
    return this.deps.payments
  }

  /** The newest request of the open sale that still matters (not a cancelled, empty one). */
  current(): PaymentView | null {
    const sale = this.deps.sales.current()
    if (!sale || !this.deps.payments) return null
    const list = this.deps.payments.forSale(sale.id).filter(isLive)
    return list.sort((a, b) => b.createdAt - a.createdAt)[0] ?? null
  }

  private openRequest(saleId: string): PaymentView | null {
    return this.deps.payments?.forSale(saleId).find((p) => (p.status === 'New' || p.status === 'Seen') && p.releasedUnverified === null) ?? null
  }

  /**
   * Creates the request for what is due, or returns the one already open for this sale (asking again must never
   * change the QR under the customer's phone). A different token or chain while one is open is refused: cancel first.
   * Never waits on the chain: the token pins are verified in the background (and remembered), a mismatch found
   * earlier is refused at once.
   */
  async request(chainId: number, token: 'USDC' | 'USDT'): Promise<PaymentView> {
    const payments = this.requirePayments()
    void this.verifyTokens()
    if (this.tokenProblem) throw refuse('unavailable', 'payment.token-mismatch', { detail: this.tokenProblem })
    const sale = this.deps.sales.current()
    if (!sale || !sale.lines.some((l) => !l.voided)) throw refuse('no-open-sale', 'payment.nothing-to-pay')
    if (sale.dueMinor === 0) throw refuse('conflict', 'payment.nothing-due')
    const open = this.openRequest(sale.id)
    if (open) {
      if (open.chainId === chainId && open.token.symbol === token) return open
      throw refuse('conflict', 'payment.other-request-open', { token: open.token.symbol, chain: open.chainName, wanted: token, wantedChain: chainName(chainId) })
    }
    const view = await payments.createRequest({ saleId: sale.id, amountMinor: sale.dueMinor, currency: sale.currency, token, chainId })
    this.deps.events.emit('payment:changed', view)
    return view
  }

  cancel(paymentId: string): PaymentView {
    const view = this.requirePayments().cancel(paymentId)
    this.deps.events.emit('payment:changed', null)
    return view
  }

  accept(paymentId: string, managerId: string): PaymentView {
    return this.requirePayments().markAccepted(paymentId, managerId)
  }

  releaseUnverified(paymentId: string, managerId: string): PaymentView {
    const view = this.requirePayments().releaseUnverified(paymentId, managerId)
    this.onPaymentChange(view)
    return view
  }

  recordOverpayment(paymentId: string): PaymentView {
    return this.requirePayments().recordOverpaymentForRefund(paymentId)
  }

  async simulate(paymentId: string): Promise<{ txHash: string }> {
    if (!this.deps.simulate) throw refuse('forbidden', 'payment.simulate-demo-only')
    const payment = this.requirePayments().get(paymentId)
    const txHash = await this.deps.simulate({ uri: payment.topUpUri ?? payment.uri })
    void this.deps.payments?.pollOnce(payment.chainId).catch(() => undefined)
    return { txHash }
  }

  private onPaymentChange(payment: PaymentView): void {
    const sale = this.deps.sales.current()
    if (sale && sale.id === payment.saleId) this.deps.events.emit('payment:changed', payment)
    if (payment.exception === 'Reversed') {
      // The chain took the money back: on the open sale its tender is withdrawn and the amount is due again (the
      // cashier and the display say Reversed); the request is kept, not cancelled, for the chain and the manager.
      try {
        this.deps.sales.withdrawReversedTender(payment.saleId, payment.id)
      } catch (e) {
        ;(this.deps.log ?? console.error)(`could not withdraw the tender of reversed payment ${payment.id}`, e)
      }
      return
    }
    const settled = payment.status === 'Paid' || payment.releasedUnverified !== null
    if (!settled) return
    try {
      const view = this.deps.sales.get(payment.saleId)
      if (view.status !== 'open' || view.tenders.some((t) => !t.returned && t.stablecoin?.paymentId === payment.id)) return
      const paid = BigInt(payment.amountPaid)
      const partial = payment.exception === 'Marked' && BigInt(payment.amountRemaining) > 0n
      // Paid in full (or released): the request's fiat amount. A partial payment a manager accepted: what it was
      // worth at the request's rate, and the rest stays due (cash, or a new request).
      const amountMinor = partial
        ? Math.min(payment.fiat.amountMinor, tokenUnitsToFiatMinor(paid, payment.fiat.currency, payment.token.decimals, { fiatPerToken: payment.fiat.rate }))
        : payment.fiat.amountMinor
      const details: StablecoinTenderDetails = {
        paymentId: payment.id,
        tokenSymbol: payment.token.symbol,
        tokenAmount: formatUnits(payment.releasedUnverified && paid === 0n ? BigInt(payment.amountDue) : paid, payment.token.decimals),
        chainId: payment.chainId,
        chainName: payment.chainName,
        rate: payment.fiat.rate,
        rateSource: payment.fiat.rateSource,
        txHash: payment.txHashes[0] ?? null,
        explorerTxUrl: payment.explorerUrls[0] ?? null,
        unverified: payment.status !== 'Paid',
        exception: payment.exception
      }
      if (amountMinor > 0) this.deps.sales.tenderStablecoin(payment.saleId, amountMinor, details)
    } catch (e) {
      ;(this.deps.log ?? console.error)(`could not record payment ${payment.id} as a tender`, e)
    }
  }
}
