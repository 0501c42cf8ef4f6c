// Returns (back office): the day's returns from 'return:list', one row each (number, original sale, method, amount,
// status), kept current by the 'return:changed' event, so a stablecoin refund goes from "Awaiting transfer" to
// "Completed" on screen the moment the till sees the shop's wallet pay it. One awaiting its transfer can be cancelled
// with a manager's PIN (the customer will be refunded some other way; its lines become returnable again).
import { signal } from '@preact/signals'
import type { ReturnView } from '../../shared/api/views'
import { intlLocale } from '../../shared/i18n'
import { api, money, store, t } from '../common/page'
import { askManagerPin } from '../common/ui'
import { shift } from './dayclose'
import { OutcomeBox, Section, Table, useOutcome } from './sections'

/** The till's recent returns, newest first (the day's are picked out when shown). */
export const returnsList = signal<readonly ReturnView[]>([])

/** A day picked by the manager ("YYYY-MM-DD", the till's local day), or null for the open day's returns. */
export const returnsDay = signal<string | null>(null)

/** The local day "YYYY-MM-DD" as [start, next day's start) in ms: the span 'return:list' is asked for. */
export function daySpan(day: string): { from: number; to: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return null
  const start = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  if (Number.isNaN(start.getTime())) return null
  const next = new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1)
  return { from: start.getTime(), to: next.getTime() }
}

export async function loadReturns(): Promise<void> {
  const span = returnsDay.value ? daySpan(returnsDay.value) : null
  const r = await api().call['return:list']({ limit: 500, ...(span ?? {}) })
  if (r.ok) returnsList.value = r.value
}

/** A return as it changed: replaces its row in place (keyed by id), or comes first when it is new. */
export function returnChanged(view: ReturnView): void {
  const list = returnsList.value
  returnsList.value = list.some((r) => r.id === view.id) ? list.map((r) => (r.id === view.id ? view : r)) : [view, ...list]
}

function localDate(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`
}

/**
 * The day's returns: those made since the open day began (or today, when no day is open), and any still awaiting
 * its transfer whatever day it was asked for, since it still needs the manager.
 */
export function daysReturns(list: readonly ReturnView[], dayOpenedAt: number | null, now = Date.now()): readonly ReturnView[] {
  return list.filter((r) => r.status === 'awaiting-transfer' || (dayOpenedAt !== null ? r.createdAt >= dayOpenedAt : localDate(r.createdAt) === localDate(now)))
}

const STATUS_KEY = { 'awaiting-transfer': 'bo.returns.status.awaiting', completed: 'bo.returns.status.completed', cancelled: 'bo.returns.status.cancelled' } as const

function methodText(r: ReturnView): string {
  if (r.method === 'cash' || !r.stablecoin) return t('bo.returns.method.cash')
  return t('bo.returns.method.coin', { amount: `${r.stablecoin.tokenAmount} ${r.stablecoin.tokenSymbol}`, chain: r.stablecoin.chainName })
}

export function ReturnsSection() {
  const [outcome, say, run] = useOutcome()
  const locale = intlLocale(store.value!.locale)
  const fmt = new Intl.DateTimeFormat(locale, { timeStyle: 'short' })
  const day = returnsDay.value
  // A picked day shows that day's returns as asked for; otherwise the open day's, and any still awaiting a transfer.
  const span = day ? daySpan(day) : null
  const rows = span ? returnsList.value.filter((r) => r.createdAt >= span.from && r.createdAt < span.to) : daysReturns(returnsList.value, shift.value?.openedAt ?? null)
  const dateFmt = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' })
  async function cancel(r: ReturnView): Promise<void> {
    const pin = await askManagerPin(t('bo.returns.cancel.approve', { number: r.number }), money(r.amountMinor, r.currency))
    if (pin === null) return
    const view = await run(api().call['return:cancel']({ returnId: r.id, pin }))
    if (view) {
      returnChanged(view)
      say('notice', () => t('bo.returns.cancelled', { number: view.number }))
    }
  }
  return (
    <Section id="returns" label={t('bo.nav.returns')}>
      <h2>{t('bo.nav.returns')}</h2>
      <div class="linebar">
        <label for="bo-returns-day">{t('bo.returns.day')}</label>
        <input
          id="bo-returns-day"
          type="date"
          value={day ?? ''}
          onChange={(e) => {
            const value = (e.currentTarget as HTMLInputElement).value
            returnsDay.value = value && daySpan(value) ? value : null
            void loadReturns()
          }}
        />
        {day ? (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              returnsDay.value = null
              void loadReturns()
            }}
          >
            {t('bo.returns.day.today')}
          </button>
        ) : null}
      </div>
      <OutcomeBox outcome={outcome} />
      {rows.length === 0 ? (
        <p class="empty">{day ? t('bo.returns.empty.day', { day }) : t('bo.returns.empty')}</p>
      ) : (
        <Table
          label={t('bo.nav.returns')}
          head={[[t('bo.returns.col.number'), 'num'], [t('bo.returns.col.sale'), 'num'], t('bo.returns.col.method'), [t('bo.returns.col.amount'), 'num'], t('col.status'), t('bo.returns.col.at'), t('bo.returns.col.action')]}
        >
          {rows.map((r) => (
            <tr key={r.id}>
              <th scope="row" class="num">
                {String(r.number)}
              </th>
              <td class="num">{String(r.originalSaleNumber)}</td>
              <td>{methodText(r)}</td>
              <td class="num">{money(r.amountMinor, r.currency)}</td>
              <td class={`return-${r.status}`}>{t(STATUS_KEY[r.status])}</td>
              <td>{(day ? dateFmt : fmt).format(r.completedAt ?? r.createdAt)}</td>
              <td>
                {r.status === 'awaiting-transfer' ? (
                  <button type="button" class="secondary" aria-label={t('bo.returns.cancel.named', { number: r.number })} onClick={() => void cancel(r)}>
                    {t('bo.returns.cancel')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  )
}
