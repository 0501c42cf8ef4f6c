// Today at a glance (issue [D] point 6): the open day's figures for the back office's first screen. The counts and
// amounts come from the X (ShiftService.xReport, the one function the Z also uses), so Today never disagrees with
// the report the manager prints; only the split by hour is read here, from the same completed sales.
import type { TodayPaymentView, TodayView, ZFigures } from '../../shared/api/views'
import { chainName } from '../../shared/payment/tokens'
import { prepareCached, type Db } from '../ledger/db'
import type { ShiftService } from './shift'

export interface TodayDeps {
  readonly db: Db
  readonly shift: ShiftService
  readonly store: { settings(): { readonly tillId: string; readonly currency: string } }
  /** Reversed payments not yet dealt with (PaymentService.openReversals); null on a cash-only till. */
  readonly reversals: (() => readonly { readonly id: string }[]) | null
  /** Transfers to the store that no sale claims (PaymentService.unattributedTransfers). */
  readonly unattributed: (() => readonly unknown[]) | null
  /** IANA zone for the hours (default: the machine's). */
  readonly timeZone?: string
}

/** Local hour (0..23) of an instant, cached per quarter hour: zone offsets are whole quarter hours, and a day of
 *  10,000 sales would otherwise build 10,000 date strings. */
function hourOf(timeZone: string | undefined): (ms: number) => number {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', hourCycle: 'h23' })
  const cache = new Map<number, number>()
  return (ms) => {
    const quarter = Math.floor(ms / 900_000)
    let hour = cache.get(quarter)
    if (hour === undefined) {
      hour = Number(format.format(new Date(quarter * 900_000))) % 24
      cache.set(quarter, hour)
    }
    return hour
  }
}

function tenderMix(z: ZFigures): TodayView['tenders'] {
  return [
    { key: 'cash', label: 'cash', amountMinor: z.tenders.cash.amountMinor, count: z.tenders.cash.count },
    ...z.tenders.stablecoin.tokens.map((t) => ({ key: t.key, label: `${t.tokenSymbol} · ${t.chainName}`, amountMinor: t.amountMinor, count: t.paymentCount }))
  ]
}

interface RequestRow {
  id: string
  sale_id: string
  sale_number: number | null
  token_symbol: string
  token_decimals: number
  chain_id: number
  amount_due: string
  amount_minor: number
  status: string
  exception: string | null
  at: number
  seen: string | null
}

function paymentOf(row: RequestRow): TodayPaymentView {
  // Base units are summed as bigint: a sum of token amounts in a float would drift.
  const received = (row.seen ?? '').split(',').filter(Boolean).reduce((sum, v) => sum + BigInt(v), 0n)
  return {
    paymentId: row.id,
    saleId: row.sale_id,
    saleNumber: row.sale_number,
    tokenSymbol: row.token_symbol,
    tokenDecimals: row.token_decimals,
    chainId: row.chain_id,
    chainName: chainName(row.chain_id),
    receivedUnits: received.toString(),
    amountDueUnits: row.amount_due,
    amountMinor: row.amount_minor,
    status: row.status,
    exception: row.exception,
    at: row.at
  }
}

const REQUEST_COLUMNS = `r.id, r.sale_id, s.number AS sale_number, r.token_symbol, r.token_decimals, r.chain_id, r.amount_due, r.amount_minor,
  r.status, r.exception, (SELECT group_concat(l.value, ',') FROM chain_logs l WHERE l.payment_id = r.id) AS seen`

export function computeToday(deps: TodayDeps): TodayView {
  const { tillId, currency } = deps.store.settings()
  const open = deps.shift.current()
  const last = open ? null : deps.shift.zReports(1)[0]
  const figures: ZFigures | null = open ? deps.shift.xReport() : last ? deps.shift.zReport(last.zNumber).figures : null
  const db = deps.db
  const byHour = Array.from({ length: 24 }, (_, hour) => ({ hour, count: 0, amountMinor: 0 }))
  if (figures) {
    const hour = hourOf(deps.timeZone)
    const rows = prepareCached(
      db,
      "SELECT closed_at, total_minor FROM sales WHERE till_id = ? AND kind = 'sale' AND status = 'completed' AND closed_at >= ? AND closed_at <= ?"
    ).iterate(tillId, figures.periodStartMs, figures.periodEndMs) as IterableIterator<{ closed_at: number; total_minor: number }>
    for (const row of rows) {
      const bucket = byHour[hour(row.closed_at)]!
      bucket.count++
      bucket.amountMinor += row.total_minor
    }
  }
  // Waiting for the chain now, whatever day they were asked on: that is what a manager must watch (and the Z carries).
  const pending = (
    prepareCached(
      db,
      `SELECT ${REQUEST_COLUMNS}, r.created_at AS at FROM payment_requests r LEFT JOIN sales s ON s.id = r.sale_id
        WHERE r.till_id = ? AND r.status IN ('New', 'Seen') AND r.cancelled_at IS NULL AND EXISTS (SELECT 1 FROM chain_logs l WHERE l.payment_id = r.id)
        ORDER BY r.created_at, r.id`
    ).all(tillId) as RequestRow[]
  ).map(paymentOf)
  const reversedIds = new Set((deps.reversals?.() ?? []).map((p) => p.id))
  const reversed = (
    prepareCached(
      db,
      `SELECT ${REQUEST_COLUMNS}, r.reversed_at AS at FROM payment_requests r LEFT JOIN sales s ON s.id = r.sale_id
        WHERE r.till_id = ? AND r.reversed_at IS NOT NULL AND r.reversal_resolved_at IS NULL ORDER BY r.reversed_at, r.id`
    ).all(tillId) as RequestRow[]
  )
    .filter((r) => reversedIds.has(r.id))
    .map(paymentOf)
  const unattributed = deps.unattributed?.().length ?? 0
  const failedPrints = (prepareCached(db, "SELECT count(*) AS n FROM print_jobs WHERE status = 'failed'").get() as { n: number }).n
  const difference = !open && figures ? figures.drawer.differenceMinor : null
  const exceptions: TodayView['exceptions'] = [
    ...(unattributed > 0 ? [{ kind: 'unattributed' as const, count: unattributed, amountMinor: null }] : []),
    ...(reversed.length > 0 ? [{ kind: 'reversal' as const, count: reversed.length, amountMinor: reversed.reduce((sum, p) => sum + p.amountMinor, 0) }] : []),
    ...(failedPrints > 0 ? [{ kind: 'print-failed' as const, count: failedPrints, amountMinor: null }] : []),
    ...(difference ? [{ kind: 'cash-difference' as const, count: 1, amountMinor: difference }] : [])
  ]
  return {
    currency: figures?.currency ?? currency,
    period: open ? 'open' : figures ? 'closed' : 'none',
    zNumber: figures?.zNumber ?? null,
    fromMs: figures?.periodStartMs ?? null,
    toMs: figures?.periodEndMs ?? null,
    salesCount: figures?.salesCount ?? 0,
    netSalesMinor: figures?.netSalesMinor ?? 0,
    returnsMinor: figures?.returnsMinor ?? 0,
    tenders: figures ? tenderMix(figures) : [],
    byHour,
    pending,
    reversed,
    exceptions
  }
}
