// Customer display: a read-only mirror of the open sale, large enough to read from 1.5 m, and during a stablecoin
// payment the EIP-681 QR code (with its white quiet zone), the token amount, the network, the end of the receiving
// address and a countdown. Outcomes are whole-screen states a customer cannot misread: Paid (green, with change for
// cash), Partially paid (its own QR for the rest), Overpaid (what staff will refund), Expired, Reversed, and
// "Checking the network…" while the request's chain cannot be checked. Fits 800x480 up to 1920x1080.
import { render } from 'preact'
import { computed, signal } from '@preact/signals'
import { useEffect, useState } from 'preact/hooks'
import QRCode from 'qrcode'
import type { SaleView } from '../../shared/api/views'
import { formatUnits } from '../../shared/money'
import { parsePaymentUri } from '../../shared/payment/eip681'
import type { ChainHealthView } from '../../shared/payment/health'
import type { PaymentView } from '../../shared/payment/view'
import { money, startPage, store, t } from '../common/page'
import { chainUp, isReversed, paymentHeadline, tokenAmount } from '../common/payment'
import { LinkBanner } from '../common/ui'
import { applyLineChange } from '../common/sale-delta'

const sale = signal<SaleView | null>(null)
/** The last sale the customer saw fully paid, kept on screen after it completes (its change due for cash). */
const paidSale = signal<SaleView | null>(null)
const payment = signal<PaymentView | null>(null)
const health = signal<readonly ChainHealthView[]>([])
const qr = signal<{ uri: string; dataUrl: string } | null>(null)

/** What the QR must encode now: the top-up request after an underpayment, else the request. */
const activeUri = computed(() => {
  const p = payment.value
  if (!p) return null
  return p.exception === 'PaidPartial' && p.topUpUri ? p.topUpUri : p.uri
})

async function drawQr(uri: string): Promise<void> {
  if (qr.value?.uri === uri) return
  // 4-module quiet zone (ISO/IEC 18004 §6.3.8), medium error correction, drawn large for phones at arm's length.
  const dataUrl = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 4, width: 480, color: { dark: '#000000', light: '#ffffff' } })
  if (activeUri.value === uri) qr.value = { uri, dataUrl }
}

/** The amount a request URI itself asks for, so the figure shown is exactly the one the QR encodes. */
function encodedAmount(p: PaymentView, uri: string): string {
  try {
    return formatUnits(parsePaymentUri(uri).amount, p.token.decimals)
  } catch {
    return tokenAmount(p, p.exception === 'PaidPartial' ? p.amountRemaining : p.amountDue)
  }
}

function countdown(expiresAt: number, now: number): string {
  const left = Math.max(0, Math.floor((expiresAt - now) / 1000))
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`
}

function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(timer)
  }, [ms])
  return now
}

function Lines() {
  const lines = (sale.value?.lines ?? []).filter((l) => !l.voided).slice(-8)
  const zh = store.value?.locale === 'zh-CN'
  return (
    <div class="lines" role="list" aria-label={t('cart')}>
      {lines.map((l) => (
        <div role="listitem" key={l.id}>
          <span>{`${l.quantity > 1 ? `${l.quantity} × ` : ''}${zh && l.nameZh ? l.nameZh : l.name}`}</span>
          <span>{money(l.amountMinor - l.discountMinor)}</span>
        </div>
      ))}
    </div>
  )
}

type Outcome = { kind: 'paid' | 'over' | 'expired' | 'reversed' | 'info'; title: string; lines: string[] }

function outcome(p: PaymentView | null, s: SaleView | null, done: SaleView | null): Outcome | null {
  if (p) {
    const symbol = p.token.symbol
    if (isReversed(p)) return { kind: 'reversed', title: t('display.reversed'), lines: [t('display.reversedHint')] }
    if (p.exception === 'PaidOver') {
      const over = p.refundDue ?? (BigInt(p.amountPaid) - BigInt(p.amountDue) > 0n ? (BigInt(p.amountPaid) - BigInt(p.amountDue)).toString() : '0')
      return { kind: 'over', title: t('display.overpaid'), lines: [t('display.overpaidRefund', { amount: tokenAmount(p, over), token: symbol })] }
    }
    if (p.status === 'Paid') return { kind: 'paid', title: t('display.paid'), lines: [t('display.paidToken', { amount: tokenAmount(p, p.amountPaid), token: symbol })] }
    if (p.status === 'Expired') return { kind: 'expired', title: t('display.expiredTitle'), lines: [t('display.expiredHint')] }
    // Still payable (the QR stays up; "Checking the network…" shows beside it when the chain cannot be checked).
    if (p.status === 'New' || p.status === 'Seen' || p.exception === 'PaidPartial') return null
    // A state this page does not know yet (the contract grows): shown as given, plainly, never dropped.
    return { kind: 'info', title: paymentHeadline(p), lines: [] }
  }
  const paid = s && s.dueMinor === 0 && s.paidMinor > 0 ? s : done
  if (paid) {
    // Cash: the change is what the customer waits for, so it is the biggest line; then what they handed over.
    const lines =
      paid.changeMinor > 0
        ? [t('display.change', { amount: money(paid.changeMinor, paid.currency) }), t('display.received', { amount: money(paid.paidMinor + paid.changeMinor, paid.currency) })]
        : [t('display.thanks')]
    return { kind: 'paid', title: t('display.paid'), lines }
  }
  return null
}

function PaymentRequest({ p }: { p: PaymentView }) {
  const now = useNow(1000)
  const uri = activeUri.value ?? p.uri
  const code = qr.value
  const partial = p.exception === 'PaidPartial'
  const checking = !chainUp(health.value, p.chainId)
  return (
    <section class={`pay${partial || checking ? ' with-banner' : ''}`} aria-label={t('pay.stablecoin')}>
      {checking ? <div class="checking-banner">{t('display.checking')}</div> : null}
      {partial ? <div class="partial-banner">{t('display.partial', { paid: tokenAmount(p, p.amountPaid), token: p.token.symbol })}</div> : null}
      {code && code.uri === uri ? (
        <div class="qr">
          <img src={code.dataUrl} alt={t('qr.alt')} width={480} height={480} />
        </div>
      ) : null}
      <div class="label">{partial ? t('display.scanRest') : t('display.scan')}</div>
      <div class="token-amount" role="status" aria-label={t('display.amountDue')}>
        {`${encodedAmount(p, uri)} ${p.token.symbol}`}
      </div>
      <div class="label" role="status" aria-label={t('display.network')}>
        {p.chainName}
      </div>
      <div class="label small">{t('display.address', { tail: p.receiveAddress.slice(-6) })}</div>
      <div class="label small" role="status" aria-label={t('payment.status')}>
        {paymentHeadline(p)}
      </div>
      <div class="label small">{now > p.expiresAt ? t('display.expired') : t('display.expires', { time: countdown(p.expiresAt, now) })}</div>
    </section>
  )
}

function Outcome({ o, p }: { o: Outcome; p: PaymentView | null }) {
  return (
    <main class={`outcome outcome-${o.kind}`}>
      <div class="outcome-title" role="status" aria-label={t('payment.status')}>
        {p ? paymentHeadline(p) : o.title}
      </div>
      {p && o.title !== paymentHeadline(p) ? <div class="outcome-sub">{o.title}</div> : null}
      {o.lines.map((line) => (
        <div class="outcome-line" key={line}>
          {line}
        </div>
      ))}
      <div class="outcome-total">
        {`${t('sale.total')}: `}
        <span role="status" aria-label={t('sale.total')}>
          {money(sale.value?.totalMinor ?? paidSale.value?.totalMinor ?? 0)}
        </span>
      </div>
    </main>
  )
}

function Display() {
  useEffect(() => {
    document.title = `Stabletill — ${t('display.title')}`
  })
  const s = sale.value
  const p = payment.value
  const o = outcome(p, s, paidSale.value)
  const waiting = p !== null && (p.status === 'New' || p.status === 'Seen' || p.exception === 'PaidPartial')
  return (
    <>
      <LinkBanner />
      {o ? (
        <Outcome o={o} p={p} />
      ) : (
        <main class={`display-wrap${waiting ? ' paying' : ''}`}>
          <section aria-label={t('cart')} class="cart-side">
            <h1>{store.value!.storeName}</h1>
            <Lines />
            {/* Once part is paid (cash, or a first transfer) the big figure is the sale's total, not what is due: what
                is still due is the line below, or the token amount beside the top-up QR. */}
            <div class="label cart-total-label">{s ? (s.paidMinor > 0 || p?.exception === 'PaidPartial' ? t('sale.total') : t('display.amountDue')) : t('display.welcome')}</div>
            <div class="big" role="status" aria-label={t('sale.total')}>
              {money(s?.totalMinor ?? 0)}
            </div>
            {s && s.paidMinor > 0 ? <div class="label">{`${t('sale.due')}: ${money(s.dueMinor)}`}</div> : null}
          </section>
          {waiting && p ? <PaymentRequest p={p} /> : null}
        </main>
      )}
    </>
  )
}

function setPayment(value: PaymentView | null): void {
  payment.value = value && value.status !== 'Invalid' ? value : null
  const uri = activeUri.value
  if (uri) void drawQr(uri)
}

let paidTimer: ReturnType<typeof setTimeout> | undefined
/** How long the Paid screen of a completed sale stays up before the display welcomes the next customer. */
const PAID_SCREEN_MS = 20_000

function setSale(value: SaleView | null): void {
  const before = sale.value
  if (value === null && before && before.dueMinor === 0 && before.paidMinor > 0) {
    paidSale.value = before
    clearTimeout(paidTimer)
    paidTimer = setTimeout(() => (paidSale.value = null), PAID_SCREEN_MS)
  }
  if (value !== null) paidSale.value = null
  if (value === null) payment.value = null
  sale.value = value
}

async function main(): Promise<void> {
  const page = await startPage('display')
  const load = async () => {
    const [current, currentPayment, chains] = await Promise.all([page.api.call['sale:current']({}), page.api.call['payment:current']({}), page.api.call['chain:health']({})])
    sale.value = current.ok ? current.value : null
    if (chains.ok) health.value = chains.value
    setPayment(currentPayment.ok ? currentPayment.value : null)
  }
  page.api.on('sale:changed', setSale)
  page.api.on('sale:line-changed', (change) => {
    // The same change the cashier applies; a missed one (a version gap) fetches the whole sale.
    const outcome = applyLineChange(sale.peek(), change)
    if (outcome.kind === 'applied') setSale(outcome.view)
    else if (outcome.kind === 'gap') void page.api.call['sale:current']({}).then((r) => r.ok && setSale(r.value))
  })
  page.api.on('payment:changed', setPayment)
  page.api.on('chain:health-changed', (value) => (health.value = value))
  page.onReconnect(() => void load())
  await load()
  const uri = activeUri.value
  if (uri) await drawQr(uri)
  render(<Display />, document.getElementById('app')!)
  document.body.dataset.ready = 'true'
}

void main()
