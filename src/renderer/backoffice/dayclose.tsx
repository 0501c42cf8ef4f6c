// Day close (issue [D] points 1 and 4, the manager's screen): open the day with a float (a total or a count by
// denomination), cash in and out with a reason, the X report (read only), close with the counted cash (a total or by
// denomination) showing expected, counted and the difference with its reason, then the Z on screen (region
// "Z report", the same rows as the paper and the PDF), printable; and the past Zs.
import { signal } from '@preact/signals'
import { useRef, useState } from 'preact/hooks'
import type { CloseProgressView, DayReportView, ShiftView, ZArtifactsView, ZFigures, ZReportSummary } from '../../shared/api/views'
import { denominationsOf, totalOfCounts } from '../../shared/cash/denominations'
import { intlLocale } from '../../shared/i18n'
import { ppmToPercent } from '../../shared/setup'
import { formatMinorPlain, parseMinor } from '../../shared/money'
import { api, money, store, t, wordError } from '../common/page'
import { askManagerPin } from '../common/ui'
import { OutcomeBox, Section, Table, useOutcome } from './sections'
import { loadToday } from './today'

export const shift = signal<ShiftView | null>(null)
export const zList = signal<readonly ZReportSummary[]>([])
export const shownZ = signal<DayReportView | null>(null)
/** A committed Z's files being written ('shift:close-progress'); null once they are done (or none is under way). */
export const closeProgress = signal<CloseProgressView | null>(null)

/**
 * What followed the last Z closed from this page: where its files and backup are, or the steps that failed (the Z
 * stands either way; a failed step is journaled). Shown while the day stays closed.
 */
export const closedArtifacts = signal<ZArtifactsView | null>(null)

export function closeProgressed(progress: CloseProgressView): void {
  // Done when every entry is written: for a day without a sale too (0 of 0), whose progress would otherwise stay up.
  closeProgress.value = progress.step !== 'backup' && progress.entries >= progress.expectedEntries ? null : progress
}

export async function loadShift(): Promise<void> {
  const r = await api().call['shift:current']({})
  if (r.ok) shift.value = r.value
}

export async function loadZList(): Promise<void> {
  const r = await api().call['shift:z-reports']({ limit: 60 })
  if (r.ok) zList.value = r.value
}

async function showZ(zNumber: number): Promise<string | null> {
  const r = await api().call['day:z-report']({ zNumber, locale: store.value!.locale })
  if (!r.ok) return wordError(r.error)
  shownZ.value = r.value
  return null
}

function denominationName(valueMinor: number, currency: string): string {
  return formatMinorPlain(valueMinor, currency)
}

/**
 * A cash count: one total, or notes and coins by denomination (the currency's table; a currency without one is
 * counted by total only). Reports the total as typed so the form above can show expected vs counted as it changes.
 */
function CashCount({ id, label, currency, onTotal }: { id: string; label: string; currency: string; onTotal: (total: number | null, denominations: { valueMinor: number; count: number }[] | null) => void }) {
  const table = denominationsOf(currency)
  const [byDenomination, setByDenomination] = useState(false)
  const [counts, setCounts] = useState<ReadonlyMap<number, number>>(new Map())
  const report = (next: ReadonlyMap<number, number>) => {
    const list = [...next.entries()].map(([valueMinor, count]) => ({ valueMinor, count }))
    const total = totalOfCounts(currency, list)
    onTotal(total.ok ? total.totalMinor : null, list)
  }
  return (
    <div class="bo-count">
      {table ? (
        <label class="bo-check" for={`${id}-by-denomination`}>
          <input
            type="checkbox"
            id={`${id}-by-denomination`}
            checked={byDenomination}
            onChange={(e) => {
              const on = (e.target as HTMLInputElement).checked
              setByDenomination(on)
              if (on) report(counts)
              else onTotal(null, null)
            }}
          />
          {t('dayclose.byDenomination')}
        </label>
      ) : null}
      {byDenomination && table ? (
        <Table label={t('dayclose.denominations', { what: label })} head={[t('dayclose.col.denomination'), [t('dayclose.col.count'), 'num'], [t('today.col.amount'), 'num']]}>
          {[...table].reverse().map((d) => (
            <tr key={d.valueMinor}>
              <td>{`${denominationName(d.valueMinor, currency)} (${t(d.form === 'coin' ? 'dayclose.coin' : 'dayclose.note')})`}</td>
              <td class="num">
                <input
                  class="bo-count-input"
                  inputMode="numeric"
                  autoComplete="off"
                  aria-label={t('dayclose.countOf', { value: denominationName(d.valueMinor, currency), what: label })}
                  value={counts.get(d.valueMinor) ? String(counts.get(d.valueMinor)) : ''}
                  onInput={(e) => {
                    const text = (e.target as HTMLInputElement).value.trim()
                    const n = /^\d{1,6}$/.test(text) ? Number(text) : 0
                    const next = new Map(counts).set(d.valueMinor, n)
                    setCounts(next)
                    report(next)
                  }}
                />
              </td>
              <td class="num">{money(d.valueMinor * (counts.get(d.valueMinor) ?? 0), currency)}</td>
            </tr>
          ))}
        </Table>
      ) : (
        <>
          <label for={id}>{label}</label>
          <input
            id={id}
            name={id}
            inputMode="decimal"
            autoComplete="off"
            onInput={(e) => onTotal(parseMinor((e.target as HTMLInputElement).value, currency), null)}
          />
        </>
      )}
    </div>
  )
}

function OpenDay() {
  const [outcome, say, run] = useOutcome()
  const currency = store.value!.currency
  const count = useRef<{ total: number | null; denominations: { valueMinor: number; count: number }[] | null }>({ total: null, denominations: null })
  async function open(): Promise<void> {
    const { total, denominations } = count.current
    if (total === null) return say('alert', () => t('dayclose.float.bad'))
    const pin = await askManagerPin(t('dayclose.open'))
    if (pin === null) return
    const kept = denominations?.filter((d) => d.count > 0) ?? null
    // A count of nothing at all is a float of zero: sent as a total (the contract wants at least one denomination).
    const view = await run(api().call['shift:open'](kept && kept.length ? { denominations: kept, pin } : { floatMinor: total, pin }))
    if (view) {
      shift.value = view
      say('notice', () => t('dayclose.opened', { float: money(view.floatMinor, view.currency) }))
      void loadToday()
    }
  }
  return (
    <form
      class="bo-form"
      onSubmit={(e) => {
        e.preventDefault()
        void open()
      }}
    >
      <p class="bo-muted">{t('dayclose.closedHint')}</p>
      <CashCount id="bo-float" label={t('dayclose.float')} currency={currency} onTotal={(total, denominations) => (count.current = { total, denominations })} />
      <div class="linebar">
        <button type="submit" id="bo-open-day">
          {t('dayclose.open')}
        </button>
      </div>
      <OutcomeBox outcome={outcome} />
    </form>
  )
}

function CashMove({ view }: { view: ShiftView }) {
  const [outcome, say, run] = useOutcome()
  const form = useRef<HTMLFormElement>(null)
  async function move(): Promise<void> {
    const data = new FormData(form.current!)
    const direction = data.get('direction') === 'in' ? 'in' : 'out'
    const amountMinor = parseMinor(String(data.get('amount') ?? ''), view.currency)
    const reason = String(data.get('reason') ?? '').trim()
    if (amountMinor === null || amountMinor <= 0) return say('alert', () => t('dayclose.move.badAmount'))
    if (!reason) return say('alert', () => t('dayclose.move.noReason'))
    const pin = await askManagerPin(t(direction === 'in' ? 'dayclose.move.in' : 'dayclose.move.out'), money(amountMinor, view.currency))
    if (pin === null) return
    const next = await run(api().call['shift:cash-move']({ direction, amountMinor, reason, pin }))
    if (next) {
      shift.value = next
      form.current!.reset()
      say('notice', () => t(direction === 'in' ? 'dayclose.move.doneIn' : 'dayclose.move.doneOut', { amount: money(amountMinor, view.currency) }))
    }
  }
  return (
    <form
      ref={form}
      class="bo-form"
      aria-label={t('dayclose.move')}
      onSubmit={(e) => {
        e.preventDefault()
        void move()
      }}
    >
      <h3>{t('dayclose.move')}</h3>
      <label for="bo-move-direction">{t('dayclose.move.direction')}</label>
      <select id="bo-move-direction" name="direction">
        <option value="out">{t('dayclose.move.out')}</option>
        <option value="in">{t('dayclose.move.in')}</option>
      </select>
      <label for="bo-move-amount">{t('dayclose.move.amount')}</label>
      <input id="bo-move-amount" name="amount" inputMode="decimal" autoComplete="off" />
      <label for="bo-move-reason">{t('dayclose.move.reason')}</label>
      <input id="bo-move-reason" name="reason" maxLength={200} autoComplete="off" />
      <div class="linebar">
        <button type="submit" id="bo-move">
          {t('dayclose.move.record')}
        </button>
      </div>
      <OutcomeBox outcome={outcome} />
    </form>
  )
}

/** The X: the open day's figures, read only (nothing is counted or closed). */
function XReport({ x }: { x: ZFigures }) {
  const m = (minor: number) => money(minor, x.currency)
  const d = x.drawer
  const rows: [string, string][] = [
    [t('today.salesCount'), String(x.salesCount)],
    [t('dayclose.x.gross'), m(x.salesTotalMinor)],
    [t('dayclose.x.discounts'), m(-x.discountsMinor)],
    [t('dayclose.x.returns', { count: x.returnsCount }), m(-x.returnsMinor)],
    [t('today.net'), m(x.netSalesMinor)],
    [t('dayclose.x.tax'), m(x.taxMinor)],
    // Per rate, and for a rate with returns both sides of its net (sales, returns), as the Z prints them.
    ...x.taxes.flatMap((r): [string, string][] => [
      [t('dayclose.x.taxRate', { name: r.name, percent: ppmToPercent(r.ratePpm), taxable: m(r.taxableMinor) }), m(r.taxMinor)],
      ...(r.returnsTaxableMinor || r.returnsTaxMinor
        ? ([
            [t('dayclose.x.taxSales', { taxable: m(r.salesTaxableMinor ?? 0) }), m(r.salesTaxMinor ?? 0)],
            [t('dayclose.x.taxReturns', { taxable: m(-(r.returnsTaxableMinor ?? 0)) }), m(-(r.returnsTaxMinor ?? 0))]
          ] as [string, string][])
        : [])
    ]),
    [t('today.cash'), m(x.tenders.cash.amountMinor)],
    ...x.tenders.stablecoin.tokens.map((token): [string, string] => [`${token.tokenSymbol} · ${token.chainName} (${token.paymentCount})`, m(token.amountMinor)]),
    [t('dayclose.float'), m(d.floatMinor)],
    [t('dayclose.x.cashIn', { count: d.cashInCount }), m(d.cashInMinor)],
    [t('dayclose.x.cashOut', { count: d.cashOutCount }), m(-d.cashOutMinor)],
    [t('dayclose.expected'), m(d.expectedMinor)],
    [t('dayclose.x.voids', { count: x.voids.count }), m(x.voids.valueMinor)],
    [t('dayclose.x.noSale'), String(x.noSaleCount)],
    [t('dayclose.x.pending', { count: x.pending.count }), m(x.pending.amountMinor)]
  ]
  return (
    <section class="bo-report" aria-label={t('dayclose.x')}>
      <h3>{t('dayclose.x')}</h3>
      <p class="bo-muted">{t('dayclose.x.hint')}</p>
      <Table label={t('dayclose.x')} head={[t('dayclose.col.item'), [t('today.col.amount'), 'num']]}>
        {rows.map(([label, value], i) => (
          <tr key={i}>
            <td>{label}</td>
            <td class="num">{value}</td>
          </tr>
        ))}
      </Table>
    </section>
  )
}

function CloseDay({ view }: { view: ShiftView }) {
  const [outcome, say, run] = useOutcome()
  const [counted, setCounted] = useState<{ total: number | null; denominations: { valueMinor: number; count: number }[] | null }>({ total: null, denominations: null })
  const reason = useRef<HTMLInputElement>(null)
  const difference = counted.total === null ? null : counted.total - view.expectedCashMinor
  async function close(): Promise<void> {
    if (counted.total === null) return say('alert', () => t('dayclose.counted.bad'))
    const why = reason.current?.value.trim() ?? ''
    if (difference !== 0 && !why) {
      reason.current?.focus()
      return say('alert', () => t('dayclose.reason.needed'))
    }
    const pin = await askManagerPin(t('dayclose.close'), t('dayclose.close.detail', { counted: money(counted.total, view.currency), expected: money(view.expectedCashMinor, view.currency) }))
    if (pin === null) return
    const kept = counted.denominations?.filter((d) => d.count > 0) ?? null
    const z = await run(
      api().call['shift:close']({
        ...(kept && kept.length ? { denominations: kept } : { countedMinor: counted.total }),
        ...(why ? { differenceReason: why } : {}),
        pin
      })
    )
    if (!z) return
    // The close has answered, its files with it: no progress is left to show, whatever events were missed.
    closeProgress.value = null
    closedArtifacts.value = z.artifacts ?? null
    shift.value = null
    await Promise.all([loadZList(), loadToday()])
    const failed = await showZ(z.zNumber)
    if (failed) say('alert', failed)
    document.getElementById('z-report')?.focus()
  }
  return (
    <form
      class="bo-form"
      aria-label={t('dayclose.close')}
      onSubmit={(e) => {
        e.preventDefault()
        void close()
      }}
    >
      <h3>{t('dayclose.close')}</h3>
      <CashCount id="bo-counted" label={t('dayclose.counted')} currency={view.currency} onTotal={(total, denominations) => setCounted({ total, denominations })} />
      <dl class="bo-facts" aria-label={t('dayclose.compare')}>
        <dt>{t('dayclose.expected')}</dt>
        <dd>{money(view.expectedCashMinor, view.currency)}</dd>
        <dt>{t('dayclose.counted')}</dt>
        <dd>{counted.total === null ? '—' : money(counted.total, view.currency)}</dd>
        <dt>{t('dayclose.difference')}</dt>
        <dd>
          <span role="status" aria-label={t('dayclose.difference')} class={difference ? 'bo-diff-bad' : undefined}>
            {difference === null ? '—' : `${money(difference, view.currency)}${difference > 0 ? ` · ${t('dayclose.over')}` : difference < 0 ? ` · ${t('dayclose.short')}` : ''}`}
          </span>
        </dd>
      </dl>
      <label for="bo-difference-reason">{t('dayclose.reason')}</label>
      <input id="bo-difference-reason" ref={reason} maxLength={200} autoComplete="off" />
      <div class="linebar">
        <button type="submit" id="bo-close-day">
          {t('dayclose.close')}
        </button>
      </div>
      <OutcomeBox outcome={outcome} />
    </form>
  )
}

/**
 * A movement's reason as the page's language has it. A manager's own words are shown as typed; a cash refund's
 * reason is written by the till in English ("Return 1 of sale 1", services/returns.ts), so it is worded again.
 */
function movementReason(m: ShiftView['movements'][number]): string {
  const written = m.kind === 'refund' ? /^Return (\d+) of sale (\d+)$/.exec(m.reason) : null
  return written ? t('dayclose.refundReason', { number: written[1]!, sale: written[2]! }) : m.reason
}

function OpenDayPanel({ view }: { view: ShiftView }) {
  const [x, setX] = useState<ZFigures | null>(null)
  const [outcome, , run] = useOutcome()
  const fmt = new Intl.DateTimeFormat(intlLocale(store.value!.locale), { dateStyle: 'medium', timeStyle: 'short' })
  async function xReport(): Promise<void> {
    const figures = await run(api().call['shift:x-report']({}))
    if (figures) setX(figures)
  }
  return (
    <>
      <dl class="bo-facts">
        <dt>{t('dayclose.openedAt')}</dt>
        <dd>{`${fmt.format(view.openedAt)} · ${view.openedBy}`}</dd>
        <dt>{t('dayclose.float')}</dt>
        <dd>{money(view.floatMinor, view.currency)}</dd>
        <dt>{t('dayclose.expected')}</dt>
        <dd>{money(view.expectedCashMinor, view.currency)}</dd>
      </dl>
      {view.movements.length ? (
        <Table label={t('dayclose.movements')} head={[[t('col.number'), 'num'], t('dayclose.col.kind'), [t('today.col.amount'), 'num'], t('dayclose.move.reason')]}>
          {view.movements.map((m) => (
            <tr key={m.id}>
              <td class="num">{String(m.number)}</td>
              <td>{t(`dayclose.kind.${m.kind}`)}</td>
              <td class="num">{money(m.amountMinor, view.currency)}</td>
              <td>{movementReason(m)}</td>
            </tr>
          ))}
        </Table>
      ) : null}
      <div class="linebar">
        <button type="button" id="bo-x-report" class="secondary" onClick={() => void xReport()}>
          {t('dayclose.x')}
        </button>
      </div>
      <OutcomeBox outcome={outcome} />
      {x ? <XReport x={x} /> : null}
      <div class="bo-two">
        <CashMove view={view} />
        <CloseDay view={view} />
      </div>
    </>
  )
}

/** The Z on screen: every row of the paper report, a section per table. */
export function ZReport({ report }: { report: DayReportView }) {
  return (
    <section id="z-report" class="bo-report bo-z" aria-label={t('dayclose.z')} tabIndex={-1}>
      <h3>{`${report.heading.title} #${report.zNumber} · ${report.businessDate}`}</h3>
      <p>{report.heading.storeName}</p>
      {report.heading.storeLines.map((line) => (
        <p key={line} class="bo-muted">
          {line}
        </p>
      ))}
      {report.sections.map((section, index) => (
        <table key={index} class="bo-z-section" aria-label={section.title ?? t('dayclose.z.part', { n: index + 1 })}>
          {section.title ? <caption>{section.title}</caption> : null}
          <tbody>
            {section.rows.map((row, i) => (
              <tr key={i} class={`${row.strong ? 'bo-strong' : ''} ${row.indent ? 'bo-indent' : ''}`.trim() || undefined}>
                <th scope="row">{row.label}</th>
                <td class="num">{row.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      <div class="linebar bo-noprint">
        <button type="button" id="bo-z-print" class="secondary" onClick={() => window.print()}>
          {t('dayclose.z.print')}
        </button>
      </div>
      <p class="bo-muted bo-noprint">{t('dayclose.z.pdfHint')}</p>
    </section>
  )
}

/** After a close: the accountant's folder and the backup, or what did not get done and why. */
function ClosedArtifacts({ artifacts }: { artifacts: ZArtifactsView }) {
  if (artifacts.failures.length > 0) {
    return (
      <div class="alert" role="alert" aria-label={t('dayclose.after')}>
        {t('dayclose.after.failed', { z: artifacts.zNumber })}
        <ul>
          {artifacts.failures.map((f) => (
            <li key={f.step}>{`${t(`dayclose.step.${f.step}`)}: ${f.reason}`}</li>
          ))}
        </ul>
      </div>
    )
  }
  return (
    <p class="notice" role="status" aria-label={t('dayclose.after')}>
      {t('dayclose.after.done', { z: artifacts.zNumber, folder: artifacts.folder ?? '—', backup: artifacts.backupFile ?? '—' })}
    </p>
  )
}

/** The Z is closed; its PDF and exports are still being written (seconds on a big day). */
function CloseFilesProgress({ progress }: { progress: CloseProgressView }) {
  if (progress.step === 'backup') {
    return (
      <p role="status" aria-label={t('dayclose.files')}>
        <progress aria-label={t('dayclose.files')} /> {t('dayclose.backup.progress', { z: progress.zNumber })}
      </p>
    )
  }
  const percent = progress.expectedEntries > 0 ? Math.floor((100 * progress.entries) / progress.expectedEntries) : 0
  return (
    <p role="status" aria-label={t('dayclose.files')}>
      <progress aria-label={t('dayclose.files')} max={progress.expectedEntries || 1} value={progress.entries} /> {t('dayclose.files.progress', { z: progress.zNumber, percent })}
    </p>
  )
}

export function DayCloseSection() {
  const view = shift.value
  const z = shownZ.value
  const list = zList.value
  const [outcome, say] = useOutcome()
  const fmt = new Intl.DateTimeFormat(intlLocale(store.value!.locale), { dateStyle: 'short', timeStyle: 'short' })
  return (
    <Section id="day-close" label={t('bo.nav.dayclose')}>
      <h2>{t('bo.nav.dayclose')}</h2>
      <p class="bo-muted" role="status" aria-label={t('dayclose.state')}>
        {view ? t('dayclose.isOpen', { currency: view.currency }) : t('dayclose.isClosed')}
      </p>
      {closeProgress.value ? <CloseFilesProgress progress={closeProgress.value} /> : null}
      {!view && !closeProgress.value && closedArtifacts.value ? <ClosedArtifacts artifacts={closedArtifacts.value} /> : null}
      {view ? <OpenDayPanel view={view} /> : <OpenDay />}
      {z ? <ZReport report={z} /> : null}
      <h3>{t('dayclose.past')}</h3>
      {list.length === 0 ? (
        <p class="empty">{t('dayclose.past.none')}</p>
      ) : (
        <Table label={t('dayclose.past')} head={[['Z', 'num'], t('col.closed'), [t('today.net'), 'num'], [t('dayclose.difference'), 'num'], t('bo.col.action')]}>
          {list.map((s) => (
            <tr key={s.zNumber}>
              <td class="num">{String(s.zNumber)}</td>
              <td>{fmt.format(s.closedAt)}</td>
              <td class="num">{money(s.netSalesMinor, s.currency)}</td>
              <td class="num">{money(s.differenceMinor, s.currency)}</td>
              <td>
                <button
                  type="button"
                  class="secondary"
                  aria-label={t('dayclose.past.show', { z: s.zNumber })}
                  onClick={() =>
                    void showZ(s.zNumber).then((failed) => {
                      if (failed) say('alert', failed)
                      document.getElementById('z-report')?.focus()
                    })
                  }
                >
                  {t('dayclose.past.showShort')}
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
      <OutcomeBox outcome={outcome} />
    </Section>
  )
}
