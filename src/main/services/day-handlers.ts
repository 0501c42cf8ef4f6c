// The closed day's api calls (issue [D] points 4 and 5), beside their services: the Z on screen, an export of a
// closed day into the accountant's folder, and the chain reconciliation of a Z's period (or any period), which
// reports progress through 'reconcile:progress' and stops on 'reconcile:cancel'. A partial handler map the
// composition root spreads into its own, like shiftHandlers.
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { DayReportView, ReconciliationView } from '../../shared/api/views'
import type { Clock } from '../../shared/clock'
import { TillError } from '../../shared/result'
import type { Handlers } from '../api/registry'
import type { EventBus } from '../events'
import type { Db } from '../ledger/db'
import { exportFileName, writeExport } from '../reports'
import { daySettlementFromLedger } from '../reports/from-ledger'
import { finish } from '../reports/output'
import { computeZTotals, type DaySettlement, type ZTotals } from '../reports/settlement'
import { reportHeading, reportSections } from '../reports/z-report'
import type { ReportLocale } from '../reports/labels'
import { closingFolder, dataDirOf } from './day-close'
import { reconcile, type ReconcileChain } from './reconcile'
import { zPeriod } from './shift'

export type DayCallName = 'day:z-report' | 'day:export' | 'reconcile:run' | 'reconcile:cancel'

export interface DayHandlerDeps {
  readonly db: Db
  readonly clock: Clock
  readonly store: { settings(): { readonly tillId: string } }
  readonly events: EventBus
  /** The payment service (its reconcileChains()); null on a cash-only till. */
  readonly payments: { reconcileChains(): readonly ReconcileChain[] } | null
  /** Default: the ledger's folder. */
  readonly dataDir?: string
  /** Default: the machine's zone. */
  readonly timeZone?: string
}

/** The Z as the screen shows it: the rows of the paper and the PDF, and the headline figures. */
export function dayReportView(day: DaySettlement, totals: ZTotals, kind: 'Z' | 'X', locale: ReportLocale): DayReportView {
  return {
    kind,
    zNumber: day.zNumber,
    businessDate: day.businessDate,
    currency: day.store.currency,
    heading: reportHeading(day, kind, locale),
    sections: reportSections(day, totals, kind, locale),
    totals: {
      salesCount: totals.salesCount,
      netSalesMinor: totals.netSalesMinor,
      taxMinor: totals.taxMinor,
      takingsMinor: totals.takingsMinor,
      cashNetMinor: totals.tenders.cash.netMinor,
      tokens: totals.tenders.tokens.map((t) => ({ key: t.key, tokenSymbol: t.tokenSymbol, chainName: t.chainName, receivedUnits: t.receivedUnits, tokenDecimals: t.tokenDecimals, netMinor: t.netMinor })),
      expectedCashMinor: totals.drawer.expectedMinor,
      countedCashMinor: totals.drawer.countedMinor,
      differenceMinor: totals.drawer.differenceMinor,
      networkFeesMinor: totals.fees.networkFeesMinor,
      cardEquivalentMinor: totals.fees.cardEquivalentMinor
    }
  }
}

export function dayHandlers(deps: DayHandlerDeps): Pick<Handlers, DayCallName> {
  const tillId = () => deps.store.settings().tillId
  const dataDir = deps.dataDir ?? dataDirOf(deps.db)
  const runs = new Map<string, AbortController>()
  let anonymousRuns = 0
  const day = (zNumber: number) => daySettlementFromLedger(deps.db, tillId(), zNumber, { timeZone: deps.timeZone })
  return {
    'day:z-report': ({ zNumber, locale }) => {
      const d = day(zNumber)
      return dayReportView(d, computeZTotals(d), 'Z', locale)
    },
    'day:export': async ({ zNumber, format, bom }) => {
      const d = day(zNumber)
      const folder = closingFolder(dataDir, zNumber)
      mkdirSync(folder, { recursive: true })
      // The same name as the closing's own file: a re-export replaces it (byte-identical for the same options).
      const file = join(folder, exportFileName(d, format))
      const temp = `${file}.${process.pid}.partial`
      const out = createWriteStream(temp)
      try {
        await writeExport(d, format, out, { bom })
        await finish(out)
        renameSync(temp, file)
      } catch (e) {
        out.destroy()
        rmSync(temp, { force: true })
        throw e
      }
      return { file, bytes: statSync(file).size }
    },
    'reconcile:run': async ({ zNumber, fromMs, toMs, runId }) => {
      if (!deps.payments) throw new TillError('unavailable', 'No blockchain is set up for stablecoin payments on this till: there is nothing to reconcile.')
      let period: { fromMs: number; toMs: number }
      if (zNumber !== undefined) {
        const z = zPeriod(deps.db, tillId(), zNumber)
        if (!z) throw new TillError('not-found', `There is no Z number ${zNumber} on this till.`)
        period = { fromMs: z.openedAt, toMs: z.closedAt }
      } else {
        period = { fromMs: fromMs!, toMs: toMs! }
      }
      const id = runId ?? `run-${++anonymousRuns}`
      if (runs.has(id)) throw new TillError('conflict', `Reconciliation ${id} is already running.`)
      const controller = new AbortController()
      runs.set(id, controller)
      try {
        const result = await reconcile({
          db: deps.db,
          chains: deps.payments.reconcileChains(),
          ...period,
          signal: controller.signal,
          onProgress: (p) => deps.events.emit('reconcile:progress', { runId: id, ...p })
        })
        return result satisfies ReconciliationView
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
