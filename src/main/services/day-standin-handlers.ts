// STAND-IN for the day branch's day-handlers.ts (issue [D] points 3-5), so the back office's Day close, Exports and
// Reconciliation screens run on this branch before that one lands. Same call names and shapes as the contract; the
// lead drops this file (and its spread in app.ts) when merging `day`, whose handlers replace these one for one.
//   day:z-report   built here from the Z's stored figures (ZFigures) with the paper's labels; the day branch builds
//                  it from reportSections over the ledger's DaySettlement (which also has the fee comparison).
//   day:export     refused: the exports need the day branch's daySettlementFromLedger.
//   reconcile:*    the real reconciliation (services/reconcile.ts) with progress events and cancel.
import type { DayReportRowView, DayReportView, ZFigures, ZReportView } from '../../shared/api/views'
import { formatMinorPlain } from '../../shared/money'
import { refuse } from '../../shared/result'
import type { Handlers } from '../api/registry'
import type { EventBus } from '../events'
import type { Db } from '../ledger/db'
import { formatRatePercent } from '../devices/printer/receipt'
import { REPORT_LABELS, type ReportLocale } from '../reports/labels'
import { localDateTime } from '../reports/z-report'
import { reconcile, type ReconcileChain } from './reconcile'
import { zPeriod, type ShiftService } from './shift'

export type DayStandInCallName = 'day:z-report' | 'day:export' | 'reconcile:run' | 'reconcile:cancel'

export interface DayStandInDeps {
  readonly db: Db
  readonly shift: ShiftService
  readonly store: { settings(): { readonly tillId: string; readonly storeName: string } }
  readonly events: EventBus
  readonly payments: { reconcileChains(): readonly ReconcileChain[] } | null
  readonly timeZone?: string
}

/** The Z on screen from its stored figures, in the paper's order and words. */
export function dayReportFromFigures(z: ZReportView, storeName: string, locale: ReportLocale, timeZone: string): DayReportView {
  const t = REPORT_LABELS[locale]
  const f: ZFigures = z.figures
  const money = (minor: number | null): string => formatMinorPlain(minor ?? 0, f.currency)
  const neg = (minor: number): string => money(-minor)
  const row = (label: string, value: string, extra: Omit<DayReportRowView, 'label' | 'value'> = {}): DayReportRowView => ({ label, value, ...extra })
  const d = f.drawer
  const businessDate = localDateTime(f.periodStartMs, timeZone).slice(0, 10)
  return {
    kind: 'Z',
    zNumber: z.zNumber,
    businessDate,
    currency: f.currency,
    heading: { title: t.zReport, subtitle: null, storeName, storeLines: [] },
    sections: [
      {
        title: null,
        rows: [
          row(`${t.till} (${f.tillId})`, `${t.zNumber} #${z.zNumber}`),
          row(t.businessDate, businessDate),
          row(t.from, localDateTime(f.periodStartMs, timeZone)),
          row(t.to, localDateTime(f.periodEndMs, timeZone))
        ]
      },
      {
        title: `${t.sales} (${f.currency})`,
        rows: [
          row(t.salesCount, String(f.salesCount)),
          row(t.grossSales, money(f.salesTotalMinor + f.discountsMinor)),
          row(t.discounts, neg(f.discountsMinor)),
          row(`${t.returns} (${f.returnsCount})`, neg(f.returnsMinor)),
          row(t.netSales, money(f.netSalesMinor), { strong: true })
        ]
      },
      {
        title: t.taxes,
        rows: [
          ...f.taxes.map((x) => row(`${x.name} ${formatRatePercent(x.ratePpm)}% ${t.taxOn} ${money(x.taxableMinor)}`, money(x.taxMinor))),
          row(t.taxable, money(f.taxableMinor)),
          row(t.taxTotal, money(f.taxMinor), { strong: true })
        ]
      },
      {
        title: t.tenders,
        rows: [
          row(t.cash, money(f.tenders.cash.amountMinor)),
          ...f.tenders.stablecoin.tokens.map((token) => row(`${token.tokenSymbol} ${t.on} ${token.chainName} (${token.paymentCount})`, money(token.amountMinor))),
          row(t.takings, money(f.tenders.cash.amountMinor + f.tenders.stablecoin.amountMinor), { strong: true })
        ]
      },
      {
        title: t.drawer,
        rows: [
          row(t.float, money(d.floatMinor)),
          row(t.cashSales, money(d.cashSalesMinor)),
          row(t.cashRefunds, neg(d.cashRefundsMinor)),
          row(`${t.cashIn} (${d.cashInCount})`, money(d.cashInMinor)),
          row(`${t.cashOut} (${d.cashOutCount})`, neg(d.cashOutMinor)),
          row(t.expected, money(d.expectedMinor), { strong: true }),
          row(t.counted, money(d.countedMinor)),
          row(t.difference, money(d.differenceMinor), { strong: true }),
          ...(d.differenceReason ? [row(`${t.reason}: ${d.differenceReason}`, '', { indent: true })] : [])
        ]
      },
      {
        title: null,
        rows: [
          row(`${t.voids} (${f.voids.count})`, money(f.voids.valueMinor)),
          row(t.noSale, String(f.noSaleCount)),
          row(`${t.pending} (${f.pending.count})`, money(f.pending.amountMinor)),
          ...f.pending.payments.map((p) => row(`${t.sale} ${p.saleNumber}: ${p.tokenSymbol} ${t.on} ${p.chainName} (${p.state})`, money(p.amountMinor), { indent: true }))
        ]
      },
      {
        title: t.grandTotals,
        rows: [
          row(t.grandSales, money(f.grandTotals.after.salesMinor)),
          row(t.grandReturns, money(f.grandTotals.after.returnsMinor)),
          row(`${t.journal} #${f.journal.headSeq}`, f.journal.headHash.slice(0, 12))
        ]
      }
    ],
    totals: {
      salesCount: f.salesCount,
      netSalesMinor: f.netSalesMinor,
      taxMinor: f.taxMinor,
      takingsMinor: f.tenders.cash.amountMinor + f.tenders.stablecoin.amountMinor,
      cashNetMinor: f.tenders.cash.amountMinor,
      tokens: [],
      expectedCashMinor: d.expectedMinor,
      countedCashMinor: d.countedMinor ?? 0,
      differenceMinor: d.differenceMinor ?? 0,
      networkFeesMinor: 0,
      cardEquivalentMinor: 0
    }
  }
}

export function dayStandInHandlers(deps: DayStandInDeps): Pick<Handlers, DayStandInCallName> {
  const runs = new Map<string, AbortController>()
  let anonymousRuns = 0
  const timeZone = deps.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone
  return {
    'day:z-report': ({ zNumber, locale }) => dayReportFromFigures(deps.shift.zReport(zNumber), deps.store.settings().storeName, locale, timeZone),
    'day:export': () => {
      throw refuse('unavailable', 'day.export-unavailable')
    },
    'reconcile:run': async ({ zNumber, fromMs, toMs, runId }) => {
      if (!deps.payments) throw refuse('unavailable', 'day.no-chain')
      let period: { fromMs: number; toMs: number }
      if (zNumber !== undefined) {
        const z = zPeriod(deps.db, deps.store.settings().tillId, zNumber)
        if (!z) throw refuse('not-found', 'day.no-z', { zNumber })
        period = { fromMs: z.openedAt, toMs: z.closedAt }
      } else {
        period = { fromMs: fromMs!, toMs: toMs! }
      }
      const id = runId ?? `run-${++anonymousRuns}`
      if (runs.has(id)) throw refuse('conflict', 'day.reconcile-running', { runId: id })
      const controller = new AbortController()
      runs.set(id, controller)
      try {
        return await reconcile({
          db: deps.db,
          chains: deps.payments.reconcileChains(),
          ...period,
          signal: controller.signal,
          onProgress: (p) => deps.events.emit('reconcile:progress', { runId: id, ...p })
        })
      } finally {
        runs.delete(id)
      }
    },
    'reconcile:cancel': ({ runId }) => {
      const targets = runId !== undefined ? [runs.get(runId)].filter((c) => c !== undefined) : [...runs.values()]
      for (const controller of targets) controller.abort()
      return { cancelled: targets.length }
    }
  }
}
