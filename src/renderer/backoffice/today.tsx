// Today at a glance (issue [D] point 6): the open day's sales count, net revenue, tender mix and sales by hour (uPlot
// charts, each a named image with the same figures as a table beside it, for screen readers and for print), and what
// needs a manager: stablecoin payments still waiting for the chain, reversed payments, open exceptions.
import { signal } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { TodayPaymentView, TodayView } from '../../shared/api/views'
import { intlLocale } from '../../shared/i18n'
import { currencyExponent, formatUnits } from '../../shared/money'
import { api, money, store, t } from '../common/page'
import { Section, Table } from './sections'

export const today = signal<TodayView | null>(null)

let todayRequest = 0
export async function loadToday(): Promise<void> {
  const request = ++todayRequest
  const r = await api().call['day:today']({})
  if (request === todayRequest && r.ok) today.value = r.value
}

interface Series {
  readonly labels: readonly string[]
  /** Minor units per bar. */
  readonly values: readonly number[]
}

/**
 * A bar chart drawn by uPlot on a canvas. The canvas is an image named by `label` (role img); the numbers are in the
 * table that follows it. Bars are drawn from major units as floats: drawing only, never money arithmetic.
 */
function BarChart({ id, label, series, currency }: { id: string; label: string; series: Series; currency: string }) {
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<uPlot | null>(null)
  const scale = 10 ** currencyExponent(currency)
  const key = JSON.stringify(series)
  useEffect(() => {
    const el = box.current
    if (!el) return
    chart.current?.destroy()
    const xs = series.labels.map((_, i) => i)
    const ys = series.values.map((v) => v / scale)
    const width = Math.max(280, Math.min(640, el.clientWidth || 560))
    chart.current = new uPlot(
      {
        width,
        height: 220,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: [-0.6, Math.max(0, xs.length - 1) + 0.6] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [
          { values: (_u, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? (series.labels[tick] ?? '') : '')), splits: () => xs, gap: 4, size: 40 },
          { values: (_u, ticks) => ticks.map((tick) => money(Math.round(tick * scale), currency)), size: 90 }
        ],
        series: [{}, { label, stroke: '#0b5fff', fill: 'rgba(11,95,255,.55)', width: 1, paths: uPlot.paths.bars!({ size: [0.7, 48] }), points: { show: false } }]
      },
      [xs, ys],
      el
    )
    return () => {
      chart.current?.destroy()
      chart.current = null
    }
    // Rebuilt only when its figures change (key), not on every render of the section.
  }, [key, currency, store.value?.locale])
  return <div id={id} class="bo-chart" role="img" aria-label={label} ref={box} />
}

function tenderLabel(key: string, label: string): string {
  return key === 'cash' ? t('today.cash') : label
}

function PaymentsTable({ label, rows, when }: { label: string; rows: readonly TodayPaymentView[]; when: string }) {
  const fmt = new Intl.DateTimeFormat(intlLocale(store.value!.locale), { dateStyle: 'short', timeStyle: 'short' })
  return (
    <Table label={label} head={[[t('col.number'), 'num'], t('bo.col.chain'), [t('today.col.seen'), 'num'], [t('today.col.amount'), 'num'], t('col.status'), when]}>
      {rows.map((p) => (
        <tr key={p.paymentId}>
          <td class="num">{p.saleNumber === null ? '—' : String(p.saleNumber)}</td>
          <td>{`${p.tokenSymbol} · ${p.chainName}`}</td>
          <td class="num">{`${formatUnits(BigInt(p.receivedUnits), p.tokenDecimals)} / ${formatUnits(BigInt(p.amountDueUnits), p.tokenDecimals)}`}</td>
          <td class="num">{money(p.amountMinor)}</td>
          <td>{p.exception ? `${p.status} · ${p.exception}` : p.status}</td>
          <td class="bo-nowrap">{fmt.format(p.at)}</td>
        </tr>
      ))}
    </Table>
  )
}

export function TodaySection() {
  const view = today.value
  const locale = intlLocale(store.value!.locale)
  const fmt = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })
  if (!view) return null
  const currency = view.currency
  const tenders: Series = { labels: view.tenders.map((x) => tenderLabel(x.key, x.label)), values: view.tenders.map((x) => x.amountMinor) }
  // Hours with sales, and the hours between them: a chart of 24 mostly empty bars says less than the day's span.
  const used = view.byHour.filter((h) => h.count > 0).map((h) => h.hour)
  const first = used.length ? Math.min(...used) : 9
  const last = used.length ? Math.max(...used) : 17
  const hours = view.byHour.filter((h) => h.hour >= first && h.hour <= last)
  const byHour: Series = { labels: hours.map((h) => `${String(h.hour).padStart(2, '0')}:00`), values: hours.map((h) => h.amountMinor) }
  const period =
    view.period === 'open'
      ? t('today.period.open', { from: fmt.format(view.fromMs ?? 0) })
      : view.period === 'closed'
        ? t('today.period.closed', { z: view.zNumber ?? 0, from: fmt.format(view.fromMs ?? 0), to: fmt.format(view.toMs ?? 0) })
        : t('today.period.none')
  return (
    <Section id="today" label={t('today.heading')} class="bo-today">
      <h2>{t('today.heading')}</h2>
      <p class="bo-muted">{period}</p>
      <div class="bo-kpis">
        <div class="bo-kpi" role="group" aria-label={t('today.salesCount')}>
          <span class="bo-kpi-label">{t('today.salesCount')}</span>
          <span class="bo-kpi-value">{String(view.salesCount)}</span>
        </div>
        <div class="bo-kpi" role="group" aria-label={t('today.net')}>
          <span class="bo-kpi-label">{t('today.net')}</span>
          <span class="bo-kpi-value">{money(view.netSalesMinor, currency)}</span>
        </div>
        <div class="bo-kpi" role="group" aria-label={t('today.pendingCount')}>
          <span class="bo-kpi-label">{t('today.pendingCount')}</span>
          <span class="bo-kpi-value">{String(view.pending.length)}</span>
        </div>
      </div>
      <div class="bo-charts">
        <figure class="bo-figure">
          <figcaption>{t('today.tenderMix')}</figcaption>
          {tenders.values.some((v) => v !== 0) ? <BarChart id="chart-tenders" label={t('today.tenderMix.chart')} series={tenders} currency={currency} /> : <p class="empty">{t('today.noSales')}</p>}
          <Table label={t('today.tenderMix')} head={[t('today.col.tender'), [t('today.col.count'), 'num'], [t('today.col.amount'), 'num']]}>
            {view.tenders.map((x) => (
              <tr key={x.key}>
                <td>{tenderLabel(x.key, x.label)}</td>
                <td class="num">{String(x.count)}</td>
                <td class="num">{money(x.amountMinor, currency)}</td>
              </tr>
            ))}
          </Table>
        </figure>
        <figure class="bo-figure">
          <figcaption>{t('today.byHour')}</figcaption>
          {used.length ? <BarChart id="chart-hours" label={t('today.byHour.chart')} series={byHour} currency={currency} /> : <p class="empty">{t('today.noSales')}</p>}
          <Table label={t('today.byHour.table')} head={[t('today.col.hour'), [t('today.col.count'), 'num'], [t('today.col.amount'), 'num']]}>
            {hours
              .filter((h) => h.count > 0)
              .map((h) => (
                <tr key={h.hour}>
                  <td>{`${String(h.hour).padStart(2, '0')}:00–${String(h.hour).padStart(2, '0')}:59`}</td>
                  <td class="num">{String(h.count)}</td>
                  <td class="num">{money(h.amountMinor, currency)}</td>
                </tr>
              ))}
          </Table>
        </figure>
      </div>
      <h3>{t('today.pending')}</h3>
      {view.pending.length === 0 ? <p class="empty">{t('today.pending.none')}</p> : <PaymentsTable label={t('today.pending')} rows={view.pending} when={t('today.col.asked')} />}
      <h3>{t('today.reversed')}</h3>
      {view.reversed.length === 0 ? <p class="empty">{t('today.reversed.none')}</p> : <PaymentsTable label={t('today.reversed')} rows={view.reversed} when={t('today.col.reversedAt')} />}
      <h3>{t('today.exceptions')}</h3>
      {view.exceptions.length === 0 ? (
        <p class="empty">{t('today.exceptions.none')}</p>
      ) : (
        <ul class="bo-exceptions" aria-label={t('today.exceptions')}>
          {view.exceptions.map((x) => (
            <li key={x.kind}>{t(`today.exception.${x.kind}`, { count: x.count, amount: x.amountMinor === null ? '' : money(x.amountMinor, currency) })}</li>
          ))}
        </ul>
      )}
    </Section>
  )
}
