// Customer display: a read-only mirror of the open sale, large enough to read from 1.5 m. During a stablecoin
// payment it shows the EIP-681 QR code (with its white quiet zone), the token amount, the network, the end of the
// receiving address and a countdown to expiry.
import QRCode from 'qrcode'
import type { SaleView } from '../../shared/api/views'
import type { PaymentView } from '../../shared/payment/view'
import { h } from '../common/dom'
import { startPage, type Page } from '../common/page'
import { paymentHeadline, tokenAmount } from '../common/payment-status'

let page: Page
let sale: SaleView | null = null
let payment: PaymentView | null = null
let qr: { uri: string; dataUrl: string } | null = null
let thanks = false
const app = document.getElementById('app')!

async function qrFor(uri: string): Promise<string> {
  if (qr?.uri === uri) return qr.dataUrl
  // 4-module quiet zone (ISO/IEC 18004 §6.3.8), medium error correction, drawn large for phones at arm's length.
  const dataUrl = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 4, width: 360, color: { dark: '#000000', light: '#ffffff' } })
  qr = { uri, dataUrl }
  return dataUrl
}

function countdown(expiresAt: number): string {
  const left = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000))
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`
}

function paymentSection(): HTMLElement | null {
  const p = payment
  if (!p || !qr) return null
  const t = page.t
  const waiting = p.status === 'New' || p.status === 'Seen' || p.exception === 'PaidPartial'
  const uri = p.exception === 'PaidPartial' && p.topUpUri ? p.topUpUri : p.uri
  const amount = p.exception === 'PaidPartial' ? p.amountRemaining : p.amountDue
  return h(
    'section',
    { class: 'pay', 'aria-label': t('pay.stablecoin') },
    waiting && qr.uri === uri ? h('div', { class: 'qr' }, h('img', { src: qr.dataUrl, alt: t('qr.alt'), width: 360, height: 360 })) : null,
    waiting ? h('div', { class: 'label' }, t('display.scan')) : null,
    h('div', { class: 'token-amount', role: 'status', 'aria-label': t('display.amountDue') }, `${tokenAmount(p, amount)} ${p.token.symbol}`),
    h('div', { class: 'label', role: 'status', 'aria-label': t('display.network') }, p.chainName),
    h('div', { class: 'label' }, t('display.address', { tail: p.receiveAddress.slice(-6) })),
    h('div', { class: 'label', role: 'status', 'aria-label': t('payment.status') }, paymentHeadline(page, p)),
    waiting ? h('div', { class: 'label', id: 'countdown' }, Date.now() > p.expiresAt ? t('display.expired') : t('display.expires', { time: countdown(p.expiresAt) })) : null
  )
}

function render(): void {
  const t = page.t
  document.title = `Stabletill — ${t('display.title')}`
  const lines = (sale?.lines ?? []).filter((l) => !l.voided).slice(-8)
  app.replaceChildren(
    h(
      'main',
      { class: 'display-wrap' },
      h(
        'section',
        { 'aria-label': t('cart') },
        h('h1', {}, page.store.storeName),
        h(
          'div',
          { class: 'lines', role: 'list', 'aria-label': t('cart') },
          ...lines.map((l) =>
            h('div', { role: 'listitem' }, h('span', {}, `${l.quantity > 1 ? `${l.quantity} × ` : ''}${page.store.locale === 'zh-CN' && l.nameZh ? l.nameZh : l.name}`), h('span', {}, page.money(l.amountMinor - l.discountMinor)))
          )
        ),
        h('div', { class: 'label' }, sale ? t('display.amountDue') : thanks ? t('display.thanks') : t('display.welcome')),
        h('div', { class: 'big', role: 'status', 'aria-label': t('sale.total') }, page.money(sale?.totalMinor ?? 0)),
        sale && sale.paidMinor > 0 ? h('div', { class: 'label' }, `${t('sale.due')}: ${page.money(sale.dueMinor)}`) : null
      ),
      paymentSection()
    )
  )
}

async function setPayment(value: PaymentView | null): Promise<void> {
  payment = value && value.status !== 'Invalid' ? value : null
  if (payment) await qrFor(payment.exception === 'PaidPartial' && payment.topUpUri ? payment.topUpUri : payment.uri)
  render()
}

async function main(): Promise<void> {
  page = await startPage('display')
  const [current, currentPayment] = await Promise.all([page.api.call['sale:current']({}), page.api.call['payment:current']({})])
  sale = current.ok ? current.value : null
  page.api.on('sale:changed', (value) => {
    thanks = value === null && sale !== null
    sale = value
    if (!value) payment = null
    render()
  })
  page.api.on('payment:changed', (value) => void setPayment(value))
  page.api.on('store:changed', (info) => {
    page.store = info
    render()
  })
  await setPayment(currentPayment.ok ? currentPayment.value : null)
  setInterval(() => {
    const el = document.getElementById('countdown')
    if (el && payment) el.textContent = Date.now() > payment.expiresAt ? page.t('display.expired') : page.t('display.expires', { time: countdown(payment.expiresAt) })
  }, 1000)
  document.body.dataset.ready = 'true'
}

void main()
