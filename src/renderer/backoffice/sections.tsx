// Back office sections, one component each. State is signals; forms keep their drafts in their own component state
// (no hand-kept drafts across re-renders), and a section re-renders only when what it reads changes.
import { signal } from '@preact/signals'
import { useRef, useState } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import type { HeadOfficeStatusView, PrinterState, PrintJobView, SaleSummary, ScannerDeviceView, ScannerStatusView, UnattributedTransfer } from '../../shared/api/views'
import { intlLocale } from '../../shared/i18n'
import { formatMoney, formatUnits } from '../../shared/money'
import type { ChainHealthView } from '../../shared/payment/health'
import type { PaymentView } from '../../shared/payment/view'
import { WedgeDetector } from '../../shared/wedge'
import type { Result } from '../../shared/result'
import { api, store, t, wordError } from '../common/page'
import { healthLine } from '../common/payment'
import { askManagerPin, promptValue } from '../common/ui'

export const printer = signal<PrinterState | null>(null)
export const preview = signal<{ jobId: number; svg: string } | null>(null)
export const sales = signal<readonly SaleSummary[]>([])
export const scanners = signal<readonly ScannerDeviceView[]>([])
export const scannerStatus = signal<ReadonlyMap<string, ScannerStatusView>>(new Map())
export const health = signal<readonly ChainHealthView[]>([])
export const unattributed = signal<readonly UnattributedTransfer[]>([])
export const reversals = signal<readonly PaymentView[]>([])
/** The full Verify under way ('ledger:verify-progress'), null when none runs. */
export const verifyProgress = signal<{ checked: number; total: number } | null>(null)
/** Shipping to head office; null: this till has no head office. */
export const headOffice = signal<HeadOfficeStatusView | null>(null)

/** The till key's public half (undefined: not asked yet; null: the till keeps no key). */
export const tillKey = signal<string | null | undefined>(undefined)

export async function loadHeadOffice(): Promise<void> {
  const r = await api().call['headoffice:status']({})
  if (r.ok) headOffice.value = r.value
  if (tillKey.value === undefined) {
    const key = await api().call['headoffice:till-key']({})
    if (key.ok) tillKey.value = key.value.publicKey
  }
}

/** The key to register this till at head office, in a read-only field with Copy beside it. */
function TillKey({ publicKey }: { publicKey: string }) {
  const [said, setSaid] = useState<'copied' | 'failed' | null>(null)
  const field = useRef<HTMLInputElement>(null)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(publicKey)
      setSaid('copied')
    } catch {
      field.current?.select()
      setSaid('failed')
    }
  }
  return (
    <div>
      <p class="bo-muted">{t('bo.ho.key')}</p>
      <p>
        <input ref={field} class="bo-key" readOnly aria-label={t('bo.ho.keyField')} value={publicKey} onFocus={(e) => e.currentTarget.select()} />{' '}
        <button type="button" onClick={() => void copy()}>
          {t('bo.ho.copy')}
        </button>
      </p>
      {said ? <p role="status">{t(said === 'copied' ? 'bo.ho.copied' : 'bo.ho.copyFailed')}</p> : null}
    </div>
  )
}

const HEAD_OFFICE_ERRORS: Record<string, string> = {
  unreachable: 'bo.ho.error.unreachable',
  timeout: 'bo.ho.error.timeout',
  fork: 'bo.ho.error.fork',
  'hash-mismatch': 'bo.ho.error.hashMismatch'
}

/** Head office's line in the Journal section: how far the journal has gone out, and why not further. */
function HeadOfficeStatus({ status }: { status: HeadOfficeStatusView }) {
  const fmt = new Intl.DateTimeFormat(intlLocale(store.value!.locale), { dateStyle: 'short', timeStyle: 'medium' })
  const error = status.lastError
  return (
    <div role="status" aria-label={t('bo.ho')} class={error && status.behind > 0 ? 'bo-warn' : undefined}>
      <p>
        {status.ackedSeq === null
          ? t('bo.ho.never', { url: status.url })
          : status.behind === 0
            ? t('bo.ho.upToDate', { url: status.url, seq: status.ackedSeq })
            : t('bo.ho.behind', { url: status.url, seq: status.ackedSeq, behind: status.behind })}
      </p>
      {status.lastSuccessAt !== null ? <p class="bo-muted">{t('bo.ho.lastReached', { at: fmt.format(status.lastSuccessAt) })}</p> : null}
      {error ? (
        <p class="bo-muted">
          {t('bo.ho.lastError', { at: fmt.format(error.at), reason: HEAD_OFFICE_ERRORS[error.code] ? t(HEAD_OFFICE_ERRORS[error.code] as 'bo.ho.error.unreachable') : error.code })}
          {status.nextAttemptAt !== null ? ` ${t('bo.ho.retry', { at: fmt.format(status.nextAttemptAt) })}` : ''}
        </p>
      ) : null}
    </div>
  )
}

export type Outcome = { kind: 'alert' | 'notice'; text: () => string } | null

/** A section's last outcome, shown inside the section (role alert or status) and worded in the UI language. */
export function useOutcome(): [Outcome, (kind: 'alert' | 'notice', text: string | (() => string)) => void, <T>(call: Promise<Result<T>>) => Promise<T | null>] {
  const [outcome, setOutcome] = useState<Outcome>(null)
  const say = (kind: 'alert' | 'notice', text: string | (() => string)) => setOutcome({ kind, text: typeof text === 'string' ? () => text : text })
  const run = async <T,>(call: Promise<Result<T>>): Promise<T | null> => {
    const r = await call
    if (!r.ok) {
      const error = r.error
      setOutcome({ kind: 'alert', text: () => wordError(error) })
      return null
    }
    return r.value
  }
  return [outcome, say, run]
}

export function OutcomeBox({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null
  return (
    <div class={outcome.kind} role={outcome.kind === 'alert' ? 'alert' : 'status'}>
      {outcome.text()}
    </div>
  )
}

export function Section({ id, label, children, class: extra }: { id: string; label: string; children: ComponentChildren; class?: string }) {
  return (
    <section id={id} class={`panel ${extra ?? ''}`.trim()} aria-label={label}>
      {children}
    </section>
  )
}

export function Table({ label, head, children }: { label: string; head: readonly (string | [string, string])[]; children: ComponentChildren }) {
  return (
    <div class="bo-tablewrap">
      <table aria-label={label}>
        <thead>
          <tr>
            {head.map((c) =>
              typeof c === 'string' ? (
                <th scope="col" key={c}>
                  {c}
                </th>
              ) : (
                <th scope="col" class={c[1]} key={c[0]}>
                  {c[0]}
                </th>
              )
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}

export function Placeholder({ id, label, coming }: { id: string; label: string; coming: string }) {
  return (
    <Section id={id} label={label}>
      <h2>{label}</h2>
      <p class="bo-muted">{coming}</p>
    </Section>
  )
}

// ---- loading ----

let previewRequest = 0
export async function loadPreview(): Promise<void> {
  // Printer events come in bursts; only the answer to the newest request is shown.
  const request = ++previewRequest
  const r = await api().call['printer:preview']({})
  if (request !== previewRequest || !r.ok) return
  if (r.value?.jobId === preview.value?.jobId && r.value?.svg === preview.value?.svg) return
  preview.value = r.value
}

export async function loadPrinter(): Promise<void> {
  const r = await api().call['printer:state']({})
  if (r.ok) printer.value = r.value
}

export async function loadSales(): Promise<void> {
  const r = await api().call['sales:list']({ limit: 50 })
  if (r.ok) sales.value = r.value
}

/** node-hid lists a device once per interface; the table shows one row per physical device. */
function oneRowPerDevice(devices: readonly ScannerDeviceView[]): ScannerDeviceView[] {
  const byKey = new Map<string, ScannerDeviceView>()
  for (const device of devices) {
    const seen = byKey.get(device.deviceKey)
    if (!seen) byKey.set(device.deviceKey, device)
    else
      byKey.set(device.deviceKey, {
        ...seen,
        product: seen.product ?? device.product,
        manufacturer: seen.manufacturer ?? device.manufacturer,
        suggestedMode: seen.suggestedMode === 'hid-pos' || device.suggestedMode === null ? seen.suggestedMode : device.suggestedMode,
        selected: seen.selected || device.selected,
        connected: seen.connected || device.connected
      })
  }
  return [...byKey.values()]
}

export async function loadScanners(): Promise<void> {
  const r = await api().call['scanners:list']({})
  if (r.ok) scanners.value = oneRowPerDevice(r.value)
}

export async function loadPayments(): Promise<void> {
  const [chains, transfers, reversed] = await Promise.all([api().call['chain:health']({}), api().call['payment:unattributed']({}), api().call['payment:reversals']({})])
  if (chains.ok) health.value = chains.value
  if (transfers.ok) unattributed.value = transfers.value
  if (reversed.ok) reversals.value = reversed.value
}

// ---- sections ----

function jobOfPreview(): PrintJobView | null {
  const jobs = printer.value?.jobs ?? []
  return jobs.find((j) => j.id === preview.value?.jobId) ?? jobs.find((j) => (j.kind === 'receipt' || j.kind === 'reprint') && j.saleId !== null) ?? null
}

export function ReceiptPreview() {
  const [outcome, say, run] = useOutcome()
  const shown = preview.value
  const job = jobOfPreview()
  async function reprint(): Promise<void> {
    const saleId = jobOfPreview()?.saleId
    if (!saleId) return say('alert', () => t('bo.reprint.none'))
    const queued = await run(api().call['printer:reprint']({ saleId }))
    if (!queued) return
    say('notice', () => t('bo.reprint.queued', { id: queued.id, sale: saleId }))
    await Promise.all([loadPrinter(), loadPreview()])
  }
  return (
    <Section id="receipt" label={t('bo.preview.heading')} class="bo-preview">
      <h2>{t('bo.preview.heading')}</h2>
      {shown ? (
        <p class="bo-muted">
          {t('bo.preview.caption', { id: shown.jobId, sale: job?.saleId ?? '—' })}
          {job?.copy ? ` · ${t('bo.preview.copy')}` : ''}
        </p>
      ) : (
        <p class="empty">{t('bo.preview.none')}</p>
      )}
      {shown ? (
        <div class="bo-paper">
          <img class="bo-receipt-img" decoding="async" alt={t('backoffice.preview')} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(shown.svg)}`} />
        </div>
      ) : null}
      <button type="button" id="bo-reprint" disabled={!job?.saleId} onClick={() => void reprint()}>
        {t('backoffice.reprint')}
      </button>
      <OutcomeBox outcome={outcome} />
    </Section>
  )
}

export function PrinterSection() {
  const [outcome, say, run] = useOutcome()
  const state = printer.value
  const jobs = state?.jobs ?? []
  async function retry(jobId: number): Promise<void> {
    const job = await run(api().call['printer:retry']({ jobId }))
    if (!job) return
    say('notice', () => t('bo.retry.done', { id: job.id }))
    await loadPrinter()
  }
  return (
    <Section id="devices" label={t('backoffice.printer')}>
      <h2>{t('backoffice.printer')}</h2>
      <dl class="bo-facts">
        <dt>{t('bo.printer.name')}</dt>
        <dd>{state?.printer ?? '—'}</dd>
        <dt>{t('bo.printer.pending')}</dt>
        <dd>{String(state?.pending ?? 0)}</dd>
      </dl>
      {state?.lastError && state.pending > 0 ? (
        <div class="alert" role="alert">
          {t('bo.printer.lastError', { message: state.lastError })}
        </div>
      ) : null}
      <h3>{t('bo.jobs')}</h3>
      {jobs.length === 0 ? (
        <p class="empty">{t('bo.jobs.empty')}</p>
      ) : (
        <Table label={t('bo.jobs')} head={[[t('bo.col.job'), 'num'], t('bo.col.sale'), t('bo.col.kind'), t('col.status'), [t('bo.col.attempts'), 'num'], t('bo.col.error'), t('bo.col.action')]}>
          {jobs.map((j) => (
            <tr key={j.id} class={j.status === 'failed' ? 'bo-failed' : undefined}>
              <td class="num">{String(j.id)}</td>
              <td class="bo-nowrap">{j.saleId ?? '—'}</td>
              <td class="bo-nowrap">
                {t(`bo.kind.${j.kind}`)}
                {j.copy && j.kind !== 'reprint' ? ` (${t('bo.preview.copy')})` : ''}
              </td>
              <td>{t(`bo.job.${j.status}`)}</td>
              <td class="num">{String(j.attempts)}</td>
              <td class="bo-error">{j.lastError ?? ''}</td>
              <td>
                {j.status !== 'printed' && j.status !== 'sending' ? (
                  <button type="button" class="secondary" aria-label={t('bo.retry.label', { id: j.id })} onClick={() => void retry(j.id)}>
                    {t('bo.retry')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <OutcomeBox outcome={outcome} />
    </Section>
  )
}

export function DrawerSection() {
  const [outcome, say, run] = useOutcome()
  const button = useRef<HTMLButtonElement>(null)
  async function noSale(): Promise<void> {
    const pin = await askManagerPin(t('drawer.nosale'))
    if (pin !== null) {
      const job = await run(api().call['drawer:no-sale']({ pin }))
      if (job) say('notice', () => t('bo.drawer.opened', { id: job.id }))
    }
    button.current?.focus()
  }
  return (
    <Section id="drawer" label={t('bo.drawer')}>
      <h2>{t('bo.drawer')}</h2>
      <p class="bo-muted">{t('bo.drawer.hint')}</p>
      <div class="linebar">
        <button type="button" id="bo-no-sale" ref={button} class="secondary" onClick={() => void noSale()}>
          {t('drawer.nosale')}
        </button>
      </div>
      <OutcomeBox outcome={outcome} />
    </Section>
  )
}

function usbId(device: ScannerDeviceView): string {
  const hex = (n: number) => n.toString(16).padStart(4, '0')
  return `${hex(device.vendorId)}:${hex(device.productId)}`
}

function deviceName(device: ScannerDeviceView): string {
  return device.product ?? t('bo.scanner.unnamed', { id: usbId(device) })
}

export function ScannersSection() {
  const [outcome, say, run] = useOutcome()
  // Unsaved checkbox choices by deviceKey, in this component's own state.
  const [draft, setDraft] = useState<ReadonlyMap<string, boolean>>(new Map())
  const devices = scanners.value
  const checked = (d: ScannerDeviceView) => draft.get(d.deviceKey) ?? d.selected
  async function save(): Promise<void> {
    const selections = devices.filter(checked).map((d) => ({ vendorId: d.vendorId, productId: d.productId, ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}), mode: 'auto' as const }))
    const saved = await run(api().call['scanners:select']({ selections }))
    if (!saved) return
    scanners.value = oneRowPerDevice(saved)
    setDraft(new Map())
    say('notice', () => t('bo.scanners.saved', { count: selections.length }))
  }
  const errors = [...scannerStatus.value.values()].filter((s) => s.error)
  const nameOf = (deviceKey: string) => {
    const device = devices.find((d) => d.deviceKey === deviceKey)
    return device ? deviceName(device) : deviceKey
  }
  return (
    <Section id="scanners" label={t('bo.scanners')}>
      <h2>{t('bo.scanners')}</h2>
      {devices.length === 0 ? (
        <p class="empty">{t('bo.scanners.empty')}</p>
      ) : (
        <Table label={t('bo.scanners')} head={[t('bo.col.product'), t('bo.col.manufacturer'), t('bo.col.usbId'), t('bo.col.mode'), t('bo.col.connected'), t('bo.col.use')]}>
          {devices.map((d, index) => (
            <tr key={d.deviceKey}>
              <td>{deviceName(d)}</td>
              <td>{d.manufacturer ?? '—'}</td>
              <td class="bo-mono">{usbId(d)}</td>
              <td>{t(d.suggestedMode === 'hid-pos' ? 'bo.mode.hidpos' : d.suggestedMode === 'keyboard' ? 'bo.mode.keyboard' : 'bo.mode.none')}</td>
              <td>{d.connected ? t('bo.yes') : t('bo.no')}</td>
              <td>
                <label class="bo-check" for={`bo-scanner-${index}`}>
                  <input
                    type="checkbox"
                    id={`bo-scanner-${index}`}
                    checked={checked(d)}
                    aria-label={t('bo.scanner.use', { product: deviceName(d) })}
                    onChange={(e) => setDraft(new Map(draft).set(d.deviceKey, (e.target as HTMLInputElement).checked))}
                  />
                  <span aria-hidden="true">{t('bo.col.use')}</span>
                </label>
              </td>
            </tr>
          ))}
        </Table>
      )}
      {devices.length === 0 ? null : (
        <div class="linebar">
          <button type="button" id="bo-scanners-save" onClick={() => void save()}>
            {t('bo.scanners.save')}
          </button>
        </div>
      )}
      {errors.length > 0 ? (
        <div class="alert" role="alert">
          {errors.map((s) => (
            <div key={s.deviceKey}>{t('bo.scanner.error', { device: nameOf(s.deviceKey), error: s.error ?? '' })}</div>
          ))}
        </div>
      ) : null}
      <OutcomeBox outcome={outcome} />
    </Section>
  )
}

/**
 * A field to scan into that shows the key timing it measured (as onScan.js's test page does): each gap between
 * key events by their own timeStamp, the longest, and whether the till's wedge settings would count it as a scan.
 */
export function ScannerTest() {
  const [result, setResult] = useState<{ code: string; gaps: number[]; scan: boolean } | null>(null)
  const keys = useRef<{ key: string; at: number }[]>([])
  const wedge = store.value!.wedge
  return (
    <Section id="scanner-test" label={t('bo.scantest')}>
      <h2>{t('bo.scantest')}</h2>
      <p class="bo-muted">{t('bo.scantest.hint', { gap: wedge.maxGapMs, length: wedge.minLength })}</p>
      <label for="bo-scantest">{t('bo.scantest.field')}</label>
      <input
        id="bo-scantest"
        autoComplete="off"
        onKeyDown={(e) => {
          if (e.key !== 'Enter') {
            if (e.key.length === 1) keys.current.push({ key: e.key, at: e.timeStamp })
            return
          }
          e.preventDefault()
          const typed = keys.current
          keys.current = []
          const detector = new WedgeDetector(wedge)
          for (const k of typed) detector.feed(k.key, k.at)
          const last = typed.at(-1)
          const scan = detector.feed('Enter', e.timeStamp).kind === 'scan'
          const gaps = typed.slice(1).map((k, i) => Math.round((k.at - typed[i]!.at) * 10) / 10)
          if (last) gaps.push(Math.round((e.timeStamp - last.at) * 10) / 10)
          setResult({ code: typed.map((k) => k.key).join(''), gaps, scan })
          ;(e.target as HTMLInputElement).value = ''
        }}
      />
      {result ? (
        <div role="status" aria-label={t('bo.scantest.result')} class={result.scan ? 'notice' : 'alert'}>
          {t(result.scan ? 'bo.scantest.scan' : 'bo.scantest.typed', {
            code: result.code,
            count: result.code.length,
            max: result.gaps.length ? Math.max(...result.gaps) : 0,
            median: result.gaps.length ? [...result.gaps].sort((a, b) => a - b)[Math.floor(result.gaps.length / 2)]! : 0
          })}
          <div class="bo-mono bo-gaps">{result.gaps.map((g) => `${g}`).join(' · ')} ms</div>
        </div>
      ) : null}
    </Section>
  )
}

export function JournalSection() {
  const [outcome, say, run] = useOutcome()
  const progress = verifyProgress.value
  async function verify(): Promise<void> {
    verifyProgress.value = { checked: 0, total: 0 }
    const r = await run(api().call['ledger:verify']({})).finally(() => (verifyProgress.value = null))
    if (!r) return
    if (r.ok) say('notice', () => t('backoffice.verify.ok', { entries: r.entries, hash: r.lastHash.slice(0, 16) }))
    else say('alert', () => t('backoffice.verify.bad', { seq: r.firstBadSeq, reason: r.reason }))
  }
  return (
    <Section id="journal" label={t('bo.journal')}>
      <h2>{t('bo.journal')}</h2>
      <div class="linebar">
        <button type="button" id="bo-verify" disabled={progress !== null} onClick={() => void verify()}>
          {t('backoffice.verify')}
        </button>
      </div>
      {progress ? (
        <p>
          <progress aria-label={t('bo.verify.progress')} max={progress.total || 1} value={progress.checked} />{' '}
          {progress.total ? t('bo.verify.progressText', { checked: progress.checked, total: progress.total, percent: Math.floor((100 * progress.checked) / progress.total) }) : t('bo.verify.starting')}
        </p>
      ) : null}
      <OutcomeBox outcome={outcome} />
      <h3>{t('bo.ho')}</h3>
      {headOffice.value ? <HeadOfficeStatus status={headOffice.value} /> : <p class="bo-muted">{t('bo.ho.off')}</p>}
      {tillKey.value ? <TillKey publicKey={tillKey.value} /> : tillKey.value === null ? <p class="bo-muted">{t('bo.ho.noKey')}</p> : null}
    </Section>
  )
}

export function SalesSection() {
  const locale = intlLocale(store.value!.locale)
  const fmt = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' })
  const rows = sales.value
  return (
    <Section id="sales" label={t('backoffice.sales')}>
      <h2>{t('backoffice.sales')}</h2>
      {rows.length === 0 ? (
        <p class="empty">{t('bo.sales.empty')}</p>
      ) : (
        <Table label={t('backoffice.sales')} head={[[t('col.number'), 'num'], t('col.status'), [t('sale.total'), 'num'], t('col.closed')]}>
          {rows.map((s) => (
            <tr key={s.id}>
              <td class="num">{String(s.number)}</td>
              {/* A refund is listed as one, its total as money going back: it read as a completed sale of that amount. */}
              <td>{s.kind === 'refund' ? t('bo.sale.refund') : t(`bo.sale.${s.status}`)}</td>
              <td class="num">{s.totalMinor === null ? '' : formatMoney(s.kind === 'refund' ? -s.totalMinor : s.totalMinor, s.currency, locale)}</td>
              <td>{s.closedAt ? fmt.format(s.closedAt) : ''}</td>
            </tr>
          ))}
        </Table>
      )}
    </Section>
  )
}

export function PaymentsSection() {
  const chains = health.value
  const transfers = unattributed.value
  const now = Date.now()
  const [outcome, say, run] = useOutcome()
  return (
    <Section id="payments" label={t('bo.nav.payments')}>
      <h2>{t('bo.nav.payments')}</h2>
      <OutcomeBox outcome={outcome} />
      <h3>{t('health.title')}</h3>
      {chains.length === 0 ? (
        <p class="empty">{t('bo.chains.none')}</p>
      ) : (
        <ul class="bo-chains" role="list" aria-label={t('health.title')}>
          {chains.map((c) => (
            <li key={c.chainId} class={`health-${c.status}`}>
              {healthLine(c, now)}
              {c.endpoint ? <span class="bo-muted"> · {c.endpoint}</span> : null}
              {c.lastError ? <span class="bo-error"> · {c.lastError}</span> : null}
            </li>
          ))}
        </ul>
      )}
      <h3>{t('bo.reversals')}</h3>
      {reversals.value.length === 0 ? (
        <p class="empty">{t('bo.reversals.none')}</p>
      ) : (
        <Table label={t('bo.reversals')} head={[t('bo.col.sale'), t('bo.col.chain'), [t('bo.col.amount'), 'num'], t('bo.col.when'), t('bo.col.what')]}>
          {reversals.value.map((p) => (
            <tr key={p.id}>
              <td class="bo-mono">{p.saleId}</td>
              <td>{p.chainName}</td>
              <td class="num">{`${formatUnits(BigInt(p.amountDue), p.token.decimals)} ${p.token.symbol}`}</td>
              <td>{p.reversal ? new Date(p.reversal.at).toLocaleString(intlLocale(store.value!.locale)) : ''}</td>
              <td>
                <button
                  type="button"
                  class="secondary"
                  aria-label={`${t('bo.reversals.resolve')} ${p.saleId}`}
                  onClick={async () => {
                    const note = await promptValue(t('bo.reversals.resolve'), t('bo.reversals.note'), t('bo.reversals.resolve'), 'text')
                    if (note === null || note.trim() === '') return
                    const pin = await askManagerPin(t('bo.reversals.resolve'), p.saleId)
                    if (pin === null) return
                    const done = await run(api().call['payment:resolve-reversal']({ paymentId: p.id, note: note.trim(), pin }))
                    if (done) {
                      say('notice', () => t('bo.reversals.done', { sale: p.saleId }))
                      await loadPayments()
                    }
                  }}
                >
                  {t('bo.reversals.resolve')}
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
      <h3>{t('bo.unattributed')}</h3>
      {transfers.length === 0 ? (
        <p class="empty">{t('bo.unattributed.none')}</p>
      ) : (
        <Table label={t('bo.unattributed')} head={[t('bo.col.chain'), t('bo.col.tx'), t('bo.col.to'), [t('bo.col.value'), 'num'], [t('bo.col.block'), 'num'], t('bo.col.what')]}>
          {transfers.map((x) => (
            <TransferRow key={`${x.chainId}/${x.txHash}/${x.logIndex}`} transfer={x} run={run} say={say} />
          ))}
        </Table>
      )}
    </Section>
  )
}

/**
 * One unattributed transfer and a manager's decision about it: assign it to one of this till's requests on the same
 * chain, token and address (the payment service lists them), or mark it other income, a refund owed, or not ours.
 * Every decision takes a manager PIN and is journaled by the till.
 */
function TransferRow({ transfer: x, run, say }: { transfer: UnattributedTransfer; run: <T>(call: Promise<Result<T>>) => Promise<T | null>; say: (kind: 'alert' | 'notice', text: string | (() => string)) => void }) {
  const [requests, setRequests] = useState<readonly PaymentView[] | null>(null)
  const [choice, setChoice] = useState('')
  const [note, setNote] = useState('')
  const short = `${x.txHash.slice(0, 10)}…`
  const decimals = x.tokenDecimals ?? 6
  async function loadRequests(): Promise<void> {
    if (requests !== null) return
    const found = await run(api().call['payment:assignable']({ chainId: x.chainId, txHash: x.txHash, logIndex: x.logIndex }))
    setRequests(found ?? [])
  }
  async function resolve(): Promise<void> {
    if (choice === '') return say('alert', () => t('bo.resolve.pick'))
    const [action, paymentId] = choice.startsWith('assigned:') ? ['assigned', choice.slice('assigned:'.length)] : [choice, undefined]
    const pin = await askManagerPin(t('bo.resolve.button'), short)
    if (pin === null) return
    const done = await run(
      api().call['payment:resolve-transfer']({
        chainId: x.chainId, txHash: x.txHash, logIndex: x.logIndex, action: action as 'assigned' | 'other-income' | 'refund-owed' | 'not-ours', paymentId, note: note.trim(), pin
      })
    )
    if (done) {
      say('notice', () => t('bo.resolve.done', { tx: short }))
      await loadPayments()
    }
  }
  return (
    <tr>
      <td>{x.chainName}</td>
      <td class="bo-mono">{short}</td>
      <td class="bo-mono">{`…${x.to.slice(-6)}`}</td>
      <td class="num">{`${formatUnits(BigInt(x.value), decimals)} ${x.tokenSymbol ?? ''}`.trim()}</td>
      <td class="num">{String(x.blockNumber)}</td>
      <td class="bo-resolve">
        <select aria-label={`${t('bo.resolve.choose')} ${short}`} value={choice} onFocus={() => void loadRequests()} onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}>
          <option value="">{t('bo.resolve.choose')}</option>
          {(requests ?? []).map((p) => (
            <option key={p.id} value={`assigned:${p.id}`}>
              {t('bo.resolve.assign', { request: `${p.saleId} · ${formatUnits(BigInt(p.amountDue), p.token.decimals)} ${p.token.symbol} · ${p.status}` })}
            </option>
          ))}
          <option value="other-income">{t('bo.resolve.other-income')}</option>
          <option value="refund-owed">{t('bo.resolve.refund-owed')}</option>
          <option value="not-ours">{t('bo.resolve.not-ours')}</option>
        </select>
        <input type="text" aria-label={`${t('bo.resolve.note')} ${short}`} maxLength={200} value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        <button type="button" aria-label={`${t('bo.resolve.button')} ${short}`} onClick={() => void resolve()}>
          {t('bo.resolve.button')}
        </button>
      </td>
    </tr>
  )
}

export function StoreSection() {
  const [outcome, say, run] = useOutcome()
  const info = store.value!
  // The form's drafts live in the DOM inputs themselves (uncontrolled, keyed on the saved values): a store event
  // never overwrites what the manager is typing.
  const form = useRef<HTMLFormElement>(null)
  async function save(): Promise<void> {
    const el = form.current!
    const data = new FormData(el)
    const slowGapText = String(data.get('slowGap') ?? '').trim()
    const slowGap = /^\d{1,4}$/.test(slowGapText) ? Number(slowGapText) : null
    if (slowGapText !== '' && (slowGap === null || slowGap > 1000)) return say('alert', () => t('bo.store.slowGap.bad'))
    const pin = await askManagerPin(t('bo.store.save'))
    if (pin === null) return
    const saved = await run(
      api().call['settings:update-store']({
        pin,
        storeName: String(data.get('storeName') ?? '').trim(),
        currency: String(data.get('currency') ?? '').trim().toUpperCase(),
        taxMode: data.get('inclusive') ? 'inclusive' : 'exclusive',
        taxRounding: data.get('taxRounding') === 'per-line' ? 'per-line' : 'per-rate-total',
        ...(slowGap !== null ? { wedgeSlowGapMs: slowGap } : {})
      })
    )
    if (saved) {
      store.value = saved
      say('notice', () => t('bo.store.saved'))
    }
  }
  return (
    <Section id="settings" label={t('bo.store')}>
      <h2>{t('bo.store')}</h2>
      <form
        ref={form}
        class="bo-form"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        <label for="bo-store-name">{t('bo.store.name')}</label>
        <input id="bo-store-name" name="storeName" defaultValue={info.storeName} maxLength={80} />
        <label for="bo-currency">{t('bo.store.currency')}</label>
        <input id="bo-currency" name="currency" defaultValue={info.currency} maxLength={3} autoComplete="off" />
        <label class="bo-check">
          <input type="checkbox" id="bo-inclusive" name="inclusive" defaultChecked={info.taxMode === 'inclusive'} /> {t('bo.store.inclusive')}
        </label>
        <label for="bo-rounding">{t('bo.store.rounding')}</label>
        <select id="bo-rounding" name="taxRounding" defaultValue={info.taxRounding}>
          <option value="per-rate-total">{t('bo.store.rounding.total')}</option>
          <option value="per-line">{t('bo.store.rounding.line')}</option>
        </select>
        <label for="bo-slow-gap">{t('bo.store.slowGap')}</label>
        <input id="bo-slow-gap" name="slowGap" inputMode="numeric" defaultValue={String(info.wedge.slowGapMs)} maxLength={4} autoComplete="off" />
        <div class="linebar">
          <button type="submit" id="bo-store-save">
            {t('bo.store.save')}
          </button>
        </div>
      </form>
      <OutcomeBox outcome={outcome} />
    </Section>
  )
}

export function RateSection() {
  const [outcome, say, run] = useOutcome()
  const currency = store.value!.currency
  const form = useRef<HTMLFormElement>(null)
  async function save(): Promise<void> {
    const data = new FormData(form.current!)
    const token = data.get('token') === 'USDT' ? 'USDT' : 'USDC'
    const pin = await askManagerPin(t('bo.rate.save'))
    if (pin === null) return
    const quote = await run(api().call['rates:set-manual']({ pin, currency, token, fiatPerToken: String(data.get('rate') ?? '').trim() }))
    if (quote) say('notice', () => t('bo.rate.saved', { token, rate: quote.fiatPerToken, currency }))
  }
  return (
    <Section id="rate" label={t('bo.rate')}>
      <h2>{t('bo.rate')}</h2>
      <p class="bo-muted">{t('bo.rate.hint', { currency })}</p>
      <form
        ref={form}
        class="bo-form"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        <label for="bo-rate-token">{t('bo.rate.token')}</label>
        <select id="bo-rate-token" name="token">
          <option value="USDC">USDC</option>
          <option value="USDT">USDT</option>
        </select>
        <label for="bo-rate">{t('bo.rate.value', { currency })}</label>
        <input id="bo-rate" name="rate" inputMode="decimal" autoComplete="off" />
        <div class="linebar">
          <button type="submit" id="bo-rate-save">
            {t('bo.rate.save')}
          </button>
        </div>
      </form>
      <OutcomeBox outcome={outcome} />
    </Section>
  )
}
