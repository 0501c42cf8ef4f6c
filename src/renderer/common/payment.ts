// One wording of a payment's state and of the network's health, for the cashier, the display and the back office
// (UI-CONTRACT: New / Seen / Paid / Partially paid / Overpaid / Expired / Paid late / Reversed, with details).
// Statuses and exceptions this page does not know yet (the contract grows) are shown as given, never dropped.
import { formatUnits } from '../../shared/money'
import type { ChainHealthView } from '../../shared/payment/health'
import type { PaymentView } from '../../shared/payment/view'
import type { MessageKey } from '../../shared/i18n'
import { ALL_MESSAGE_KEYS } from '../../shared/i18n'
import { store, t } from './page'

function known(key: string): key is MessageKey {
  return (ALL_MESSAGE_KEYS as readonly string[]).includes(key)
}

/** Payment exceptions and statuses are open-ended strings on the wire (a newer main may send new ones). */
export function statusWord(value: string): string {
  const key = `status.${value}`
  return known(key) ? t(key) : value
}

/** A payment removed by a reorg after it was Paid (the lead adds it to the state machine as status or exception). */
export function isReversed(p: Pick<PaymentView, 'status' | 'exception'>): boolean {
  return (p.status as string) === 'Reversed' || (p.exception as string | null) === 'Reversed'
}

export function paymentHeadline(p: PaymentView): string {
  if (isReversed(p)) return statusWord('Reversed')
  if (p.exception) return statusWord(p.exception)
  return statusWord(p.status)
}

export function tokenAmount(p: Pick<PaymentView, 'token'>, units: string): string {
  return formatUnits(BigInt(units), p.token.decimals)
}

export function paymentDetails(p: PaymentView): string {
  if (isReversed(p)) return t('status.reversed')
  const parts: string[] = []
  const due = tokenAmount(p, p.amountDue)
  if (p.amountPaid === '0') parts.push(t('status.waiting', { amount: due, token: p.token.symbol, chain: p.chainName }))
  else parts.push(t('status.received', { paid: tokenAmount(p, p.amountPaid), due, token: p.token.symbol }))
  if (p.status === 'Seen') parts.push(t('status.confirmations', { count: p.confirmations, required: p.confirmationsRequired }))
  if (p.exception === 'PaidPartial' && p.amountRemaining !== '0') parts.push(t('status.topup', { amount: tokenAmount(p, p.amountRemaining), token: p.token.symbol }))
  if (p.exception === 'PaidOver' && p.refundDue) parts.push(t('status.refundDue', { amount: tokenAmount(p, p.refundDue), token: p.token.symbol }))
  if (p.releasedUnverified) parts.push(t('status.unverified'))
  return parts.join(' · ')
}

/** hh:mm in the UI locale. */
export function clockTime(ms: number): string {
  return new Intl.DateTimeFormat(store.value?.locale === 'zh-CN' ? 'zh-CN' : 'en-GB', { hour: '2-digit', minute: '2-digit' }).format(ms)
}

/** "12 s", "4 min": the age of the last block. */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  return s < 120 ? t('age.seconds', { n: s }) : t('age.minutes', { n: Math.round(s / 60) })
}

/** "Base: up, last block 3 s ago" / "Base: down since 12:03". */
export function healthLine(h: ChainHealthView, now: number): string {
  const status = known(`health.${h.status}`) ? t(`health.${h.status}` as MessageKey) : h.status
  if (h.status === 'down' || h.status === 'lagging') {
    return h.since !== null ? t('health.since', { chain: h.chainName, status, time: clockTime(h.since) }) : `${h.chainName}: ${status}`
  }
  if (h.headBlockTime !== null) return t('health.block', { chain: h.chainName, status, age: age(now - h.headBlockTime) })
  return `${h.chainName}: ${status}`
}

/** When the request's chain cannot be checked now: what the cashier is told, else null. */
export function cannotCheck(health: readonly ChainHealthView[], chainId: number): string | null {
  const h = health.find((c) => c.chainId === chainId)
  if (!h || h.status !== 'down') return null
  return t('health.cannotCheck', { chain: h.chainName, time: h.since !== null ? clockTime(h.since) : '—' })
}

export function chainUp(health: readonly ChainHealthView[], chainId: number): boolean {
  const h = health.find((c) => c.chainId === chainId)
  // No health yet (no watcher, or the first poll has not finished) is not a reason to alarm the customer.
  return !h || h.status === 'up' || h.status === 'unknown'
}
