// The Z (and X) report as labelled rows, built once from ZTotals and laid out by the paper (z-document.ts) and the
// PDF (z-pdf.ts) alike, so the two can never show different figures or a figure in a different place.
import { formatMinorPlain, formatUnits } from '../../shared/money'
import { formatRatePercent } from '../devices/printer/receipt'
import { REPORT_LABELS, type ReportLocale } from './labels'
import type { DaySettlement, ZTotals } from './settlement'

export type ReportKind = 'Z' | 'X'

/** Everything of a day but its entries: what a report prints beside the totals. */
export type DayHeader = Omit<DaySettlement, 'entries'>

export interface ReportRow {
  readonly label: string
  /** Right-aligned figure; empty for a note. */
  readonly value: string
  readonly indent?: boolean
  /** A total line: emphasised. */
  readonly strong?: boolean
}

export interface ReportSection {
  /** Null for the heading block. */
  readonly title: string | null
  readonly rows: readonly ReportRow[]
}

export interface ReportHeading {
  readonly title: string
  readonly subtitle: string | null
  readonly storeName: string
  readonly storeLines: readonly string[]
}

/** "2026-01-15 18:00" in the store's zone. */
export function localDateTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms))
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`
}

export function reportHeading(day: DayHeader, kind: ReportKind, locale: ReportLocale): ReportHeading {
  const t = REPORT_LABELS[locale]
  return {
    title: kind === 'Z' ? t.zReport : t.xReport,
    subtitle: kind === 'X' ? t.xNotAClosing : null,
    storeName: day.store.name,
    storeLines: [...day.store.addressLines, ...(day.store.taxId ? [`${t.taxId}: ${day.store.taxId}`] : [])]
  }
}

export function reportSections(day: DayHeader, z: ZTotals, kind: ReportKind, locale: ReportLocale): ReportSection[] {
  const t = REPORT_LABELS[locale]
  const money = (minor: number): string => formatMinorPlain(minor, z.currency)
  const neg = (minor: number): string => money(-minor)
  const zone = day.store.timeZone
  const sections: ReportSection[] = []
  sections.push({
    title: null,
    rows: [
      { label: `${t.till} ${day.store.tillNumber} (${day.store.tillId})`, value: `${t.zNumber} #${z.zNumber}` },
      { label: t.businessDate, value: z.businessDate },
      { label: t.from, value: localDateTime(z.periodStartMs, zone) },
      { label: t.to, value: localDateTime(z.periodEndMs, zone) }
    ]
  })
  sections.push({
    title: `${t.sales} (${z.currency})`,
    rows: [
      { label: t.salesCount, value: String(z.salesCount) },
      { label: t.grossSales, value: money(z.grossSalesMinor) },
      { label: t.discounts, value: neg(z.discountsMinor) },
      { label: `${t.returns} (${z.returnsCount})`, value: neg(z.returnsMinor) },
      { label: t.netSales, value: money(z.netSalesMinor), strong: true }
    ]
  })
  sections.push({
    title: t.taxes,
    rows: [
      ...z.taxes.flatMap((x): ReportRow[] => [
        { label: `${x.name} ${formatRatePercent(x.ratePpm)}% ${t.taxOn} ${money(x.taxableMinor)}`, value: money(x.taxMinor) },
        // A rate with returns shows both sides of its net, so the figures the tax return needs can be checked by hand.
        ...(x.returnsNetMinor !== 0 || x.returnsTaxMinor !== 0
          ? [
              { label: `${t.sales} ${money(x.salesNetMinor)}`, value: money(x.salesTaxMinor), indent: true },
              { label: `${t.returns} ${neg(x.returnsNetMinor)}`, value: neg(x.returnsTaxMinor), indent: true }
            ]
          : [])
      ]),
      { label: t.taxable, value: money(z.taxableMinor) },
      { label: t.taxTotal, value: money(z.taxMinor), strong: true }
    ]
  })
  const tenderRows: ReportRow[] = [
    { label: t.cash, value: money(z.tenders.cash.netMinor) },
    { label: `${t.received} ${money(z.tenders.cash.receivedMinor)}, ${t.refunded} ${money(z.tenders.cash.refundedMinor)}`, value: '', indent: true }
  ]
  for (const token of z.tenders.tokens) {
    tenderRows.push({ label: `${token.tokenSymbol} ${t.on} ${token.chainName}`, value: money(token.netMinor) })
    tenderRows.push({ label: `${t.received} ${formatUnits(BigInt(token.receivedUnits), token.tokenDecimals)} ${token.tokenSymbol} (${token.paymentCount}) = ${money(token.receivedMinor)}`, value: '', indent: true })
    if (token.refundCount > 0) {
      tenderRows.push({ label: `${t.refunded} ${formatUnits(BigInt(token.refundedUnits), token.tokenDecimals)} ${token.tokenSymbol} (${token.refundCount}) = ${money(token.refundedMinor)}`, value: '', indent: true })
    }
    tenderRows.push({ label: `${t.rate}: ${token.rates.join(', ')}`, value: '', indent: true })
  }
  tenderRows.push({ label: t.takings, value: money(z.takingsMinor), strong: true })
  tenderRows.push({ label: `${t.overpaid} (${z.overpayments.count})`, value: money(z.overpayments.amountMinor) })
  tenderRows.push({ label: `${t.underpaid} (${z.underpayments.count})`, value: neg(z.underpayments.amountMinor) })
  tenderRows.push({ label: `${t.late} (${z.latePayments.count})`, value: money(z.latePayments.amountMinor) })
  sections.push({ title: t.tenders, rows: tenderRows })
  const d = z.drawer
  const drawerRows: ReportRow[] = [
    { label: t.float, value: money(d.floatMinor) },
    { label: t.cashSales, value: money(d.cashSalesMinor) },
    { label: t.cashRefunds, value: neg(d.cashRefundsMinor) },
    { label: `${t.cashIn} (${d.cashInCount})`, value: money(d.cashInMinor) },
    { label: `${t.cashOut} (${d.cashOutCount})`, value: neg(d.cashOutMinor) },
    { label: t.expected, value: money(d.expectedMinor), strong: true }
  ]
  // An X report is a snapshot of an open drawer: nobody has counted it.
  if (kind === 'Z') {
    drawerRows.push({ label: t.counted, value: money(d.countedMinor) })
    drawerRows.push({ label: t.difference, value: money(d.differenceMinor), strong: true })
    if (d.differenceReason) drawerRows.push({ label: `${t.reason}: ${d.differenceReason}`, value: '', indent: true })
  }
  sections.push({ title: t.drawer, rows: drawerRows })
  sections.push({
    title: null,
    rows: [
      { label: `${t.voids} (${z.voids.count})`, value: money(z.voids.valueMinor) },
      { label: t.noSale, value: String(z.noSaleCount) },
      { label: `${t.pending} (${z.pending.count})`, value: money(z.pending.amountMinor) },
      ...z.pending.payments.map((p) => ({
        label: `${t.sale} ${p.saleNumber}: ${formatUnits(BigInt(p.tokenUnits), p.tokenDecimals)} ${p.tokenSymbol} ${t.on} ${p.chainName} (${p.state})`,
        value: '',
        indent: true
      }))
    ]
  })
  const f = z.fees
  const known = f.stablecoinPaymentCount - f.networkFeesUnknownCount
  sections.push({
    title: t.fees,
    rows: [
      { label: `${t.networkFees} (${known}/${f.stablecoinPaymentCount}${f.networkFeesUnknownCount > 0 ? `, ${f.networkFeesUnknownCount} ${t.feesUnknown}` : ''})`, value: money(f.networkFeesMinor) },
      { label: `${t.cardEquivalent} ${formatRatePercent(f.cardFeePpm)}% ${t.feeOn} ${money(f.stablecoinTakingsMinor)}`, value: money(f.cardEquivalentMinor) },
      { label: t.saved, value: money(f.cardEquivalentMinor - f.networkFeesMinor), strong: true }
    ]
  })
  sections.push({
    title: t.grandTotals,
    rows: [
      { label: t.grandSales, value: money(z.grandTotals.after.salesMinor) },
      { label: t.grandReturns, value: money(z.grandTotals.after.returnsMinor) },
      { label: `${t.journal} #${z.journal.headSeq}`, value: z.journal.headHash.slice(0, 12) }
    ]
  })
  return sections
}
