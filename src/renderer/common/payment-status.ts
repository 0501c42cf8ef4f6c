// One wording of a payment's state for the cashier and the customer display (UI-CONTRACT: New / Seen / Paid /
// Partially paid / Overpaid / Expired / Paid late, with details).
import { formatUnits } from '../../shared/money'
import type { PaymentView } from '../../shared/payment/view'
import type { Page } from './page'

export function paymentHeadline(page: Page, p: PaymentView): string {
  if (p.exception) return page.t(`status.${p.exception}`)
  return page.t(`status.${p.status}`)
}

export function tokenAmount(p: PaymentView, units: string): string {
  return formatUnits(BigInt(units), p.token.decimals)
}

export function paymentDetails(page: Page, p: PaymentView): string {
  const parts: string[] = []
  const due = tokenAmount(p, p.amountDue)
  if (p.amountPaid === '0') parts.push(page.t('status.waiting', { amount: due, token: p.token.symbol, chain: p.chainName }))
  else parts.push(page.t('status.received', { paid: tokenAmount(p, p.amountPaid), due, token: p.token.symbol }))
  if (p.status === 'Seen') parts.push(page.t('status.confirmations', { count: p.confirmations, required: p.confirmationsRequired }))
  if (p.exception === 'PaidPartial' && p.amountRemaining !== '0') parts.push(page.t('status.topup', { amount: tokenAmount(p, p.amountRemaining), token: p.token.symbol }))
  if (p.releasedUnverified) parts.push(page.t('status.unverified'))
  return parts.join(' · ')
}
