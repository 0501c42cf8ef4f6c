// The first-run set-up (issue [S] point 1), a mode of the back office window: a new till's back office opens here
// until the owner chose "Try the demo store" or pressed "Finish set-up". A mode and not a window of its own because
// the set-up is the owner's work in the owner's window: it needs no new window role, token, preload or page for
// the Electron sender checks, and the same window then shows the back office where every step is revisited.
//
// Keyboard-first: each step is one form (Enter anywhere is "Next"), the first field takes the focus, every control
// has a label, and a refused step says which rule in a role=alert box in the UI language. Values live in signals,
// so going back to a step shows what was typed.
import { signal } from '@preact/signals'
import type { ComponentChildren } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import type { PrinterTestView } from '../../shared/api/views'
import type { MessageKey } from '../../shared/i18n'
import { CHAINS, chainName } from '../../shared/payment/tokens'
import type { Result } from '../../shared/result'
import { SETUP_STEPS, type SetupFinish, type SetupPaymentsStep, type SetupStep } from '../../shared/setup'
import { api, store, t, wordError } from '../common/page'
import { chainRow, ChainsEditor, setupChains, urlProblem, type ChainRow } from './chains'
import './setup.css'

type Step = 'welcome' | SetupStep | 'finish'
type Outcome = { readonly kind: 'alert' | 'notice'; readonly text: () => string } | null

export const step = signal<Step>('welcome')
const reached = signal<number>(0)
const outcome = signal<Outcome>(null)
const busy = signal(false)

const storeStep = signal<SetupFinish['store']>({
  storeName: '',
  addressLines: ['', ''],
  taxId: '',
  currency: 'USD',
  taxRates: [{ name: 'Standard', percent: '' }],
  taxMode: 'exclusive',
  taxRounding: 'per-rate-total',
  headerLines: [],
  footerLines: ['Thank you!'],
  tillId: 'T1',
  tillName: '',
  locale: 'en'
})
const paymentsStep = signal<SetupPaymentsStep>({
  enabled: true,
  receiveKind: 'address',
  receive: '',
  tillNumber: 1,
  // Sent from chainRows (each URL's verdict lives there, not on the wire).
  chains: [],
  rate: { kind: 'peg' },
  cardFeePercent: '2.9'
})
const devicesStep = signal<SetupFinish['devices']>({
  printer: { profile: 'epson-tm-80', transport: 'tcp', host: '', port: '9100', path: '', drawerOnCash: true },
  customerDisplay: 'second-screen'
})
const staffStep = signal<SetupFinish['staff']>({
  people: [
    { name: '', role: 'owner', pin: '' },
    { name: '', role: 'manager', pin: '' },
    { name: '', role: 'cashier', pin: '' }
  ]
})
const receiveChecked = signal<string | null>(null)
/** The payments step's chains: Base to start with (one row, one empty URL); the owner adds and removes chains. */
const chainRows = signal<ChainRow[]>([chainRow(CHAINS.find((c) => c.name === 'Base')?.chainId ?? CHAINS[0]!.chainId)])
const paymentsPayload = (): SetupPaymentsStep => ({ ...paymentsStep.value, chains: setupChains(chainRows.value) })
const printTested = signal<PrinterTestView | null>(null)

/** The outcome shown is an RPC URL refusal: it goes away by itself once every URL has passed. */
const urlAlert = signal(false)
const say = (kind: 'alert' | 'notice', text: () => string) => {
  urlAlert.value = false
  outcome.value = { kind, text }
}

async function run<T>(call: Promise<Result<T>>): Promise<T | null> {
  busy.value = true
  try {
    const r = await call
    if (!r.ok) {
      const error = r.error
      say('alert', () => wordError(error))
      return null
    }
    return r.value
  } finally {
    busy.value = false
  }
}

function go(next: Step): void {
  outcome.value = null
  step.value = next
  const index = ['welcome', ...SETUP_STEPS, 'finish'].indexOf(next)
  if (index > reached.value) reached.value = index
}

const NEXT: Record<SetupStep, Step> = { store: 'payments', payments: 'devices', devices: 'staff', staff: 'finish' }

async function check(current: SetupStep): Promise<void> {
  // An untested or failing RPC URL is not taken: the step says which one (the till tests them all again at Finish).
  const problem = current === 'payments' && paymentsStep.value.enabled ? urlProblem(chainRows.value) : null
  if (problem) {
    say('alert', () => urlProblem(chainRows.value) ?? problem)
    urlAlert.value = true
    return
  }
  const call = api().call['setup:check'](
    current === 'store'
      ? { store: { ...storeStep.value, locale: store.value?.locale ?? 'en' } }
      : current === 'payments'
        ? { payments: paymentsPayload(), currency: storeStep.value.currency.trim().toUpperCase() }
        : current === 'devices'
          ? { devices: devicesStep.value }
          : { staff: staffStep.value }
  )
  const checked = await run(call)
  if (checked) go(NEXT[current])
}

async function switchLanguage(): Promise<void> {
  const r = await api().call['settings:set-locale']({ locale: store.value?.locale === 'en' ? 'zh-CN' : 'en' })
  if (r.ok) store.value = r.value
}

function Field({ id, label, value, onInput, hint, inputMode, maxLength }: { id: string; label: string; value: string; onInput: (value: string) => void; hint?: string; inputMode?: 'numeric' | 'decimal' | 'text' | 'url'; maxLength?: number }) {
  return (
    <>
      <label for={id}>{label}</label>
      <input id={id} value={value} autoComplete="off" spellcheck={false} aria-describedby={hint ? `${id}-hint` : undefined} inputMode={inputMode} maxLength={maxLength} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />
      {hint ? (
        <p id={`${id}-hint`} class="bo-muted">
          {hint}
        </p>
      ) : null}
    </>
  )
}

function StepForm({ id, title, intro, children, onNext, next = t('setup.next') }: { id: Step; title: string; intro: string; children: ComponentChildren; onNext: () => void; next?: string }) {
  const form = useRef<HTMLFormElement>(null)
  useEffect(() => {
    // Keyboard-first: the step's first field has the focus when the step opens.
    form.current?.querySelector<HTMLElement>('input, select, textarea')?.focus()
  }, [id])
  return (
    <form
      ref={form}
      class="bo-form setup-form"
      aria-labelledby={`setup-${id}-title`}
      onSubmit={(e) => {
        e.preventDefault()
        if (!busy.value) onNext()
      }}
    >
      <h2 id={`setup-${id}-title`}>{title}</h2>
      <p class="bo-muted">{intro}</p>
      {children}
      <OutcomeLine />
      <div class="linebar setup-actions">
        {id !== 'store' ? (
          <button type="button" class="secondary" onClick={() => go(previous(id))}>
            {t('setup.back')}
          </button>
        ) : null}
        <button type="submit" disabled={busy.value}>
          {next}
        </button>
      </div>
    </form>
  )
}

function previous(current: Step): Step {
  const order: Step[] = ['welcome', ...SETUP_STEPS, 'finish']
  return order[Math.max(1, order.indexOf(current) - 1)]!
}

function OutcomeLine() {
  const o = outcome.value
  if (!o || (urlAlert.value && urlProblem(chainRows.value) === null)) return null
  return (
    <div class={o.kind} role={o.kind === 'alert' ? 'alert' : 'status'}>
      {o.text()}
    </div>
  )
}

function StoreStep() {
  const s = storeStep.value
  const set = (patch: Partial<typeof s>) => (storeStep.value = { ...s, ...patch })
  const lines = (text: string) => text.split('\n').slice(0, 6)
  return (
    <StepForm id="store" title={t('setup.store')} intro={t('setup.store.intro')} onNext={() => void check('store')}>
      <Field id="setup-store-name" label={t('setup.store.name')} value={s.storeName} maxLength={80} onInput={(v) => set({ storeName: v })} />
      <Field id="setup-address-1" label={t('setup.store.address1')} value={s.addressLines[0] ?? ''} maxLength={64} onInput={(v) => set({ addressLines: [v, s.addressLines[1] ?? ''] })} />
      <Field id="setup-address-2" label={t('setup.store.address2')} value={s.addressLines[1] ?? ''} maxLength={64} onInput={(v) => set({ addressLines: [s.addressLines[0] ?? '', v] })} />
      <Field id="setup-tax-id" label={t('setup.store.taxId')} value={s.taxId} maxLength={40} onInput={(v) => set({ taxId: v })} />
      <Field id="setup-currency" label={t('setup.store.currency')} value={s.currency} maxLength={3} hint={t('setup.store.currency.hint')} onInput={(v) => set({ currency: v.toUpperCase() })} />
      <fieldset class="setup-rows">
        <legend>{t('setup.store.taxRates')}</legend>
        {s.taxRates.map((rate, i) => (
          <div class="setup-row" key={i}>
            <label for={`setup-rate-name-${i}`}>{t('setup.store.rateName', { n: i + 1 })}</label>
            <input id={`setup-rate-name-${i}`} value={rate.name} maxLength={40} autoComplete="off" onInput={(e) => set({ taxRates: s.taxRates.map((r, j) => (j === i ? { ...r, name: (e.target as HTMLInputElement).value } : r)) })} />
            <label for={`setup-rate-value-${i}`}>{t('setup.store.ratePercent', { n: i + 1 })}</label>
            <input id={`setup-rate-value-${i}`} value={rate.percent} inputMode="decimal" maxLength={12} autoComplete="off" onInput={(e) => set({ taxRates: s.taxRates.map((r, j) => (j === i ? { ...r, percent: (e.target as HTMLInputElement).value } : r)) })} />
            {s.taxRates.length > 1 ? (
              <button type="button" class="secondary" aria-label={t('setup.store.removeRate', { n: i + 1 })} onClick={() => set({ taxRates: s.taxRates.filter((_, j) => j !== i) })}>
                ×
              </button>
            ) : null}
          </div>
        ))}
        {s.taxRates.length < 8 ? (
          <button type="button" class="secondary" onClick={() => set({ taxRates: [...s.taxRates, { name: '', percent: '' }] })}>
            {t('setup.store.addRate')}
          </button>
        ) : null}
      </fieldset>
      <label class="bo-check">
        <input type="checkbox" id="setup-inclusive" checked={s.taxMode === 'inclusive'} onChange={(e) => set({ taxMode: (e.target as HTMLInputElement).checked ? 'inclusive' : 'exclusive' })} /> {t('bo.store.inclusive')}
      </label>
      <label for="setup-rounding">{t('bo.store.rounding')}</label>
      <select id="setup-rounding" value={s.taxRounding} onChange={(e) => set({ taxRounding: (e.target as HTMLSelectElement).value === 'per-line' ? 'per-line' : 'per-rate-total' })}>
        <option value="per-rate-total">{t('bo.store.rounding.total')}</option>
        <option value="per-line">{t('bo.store.rounding.line')}</option>
      </select>
      <label for="setup-header">{t('setup.store.header')}</label>
      <textarea id="setup-header" rows={3} value={s.headerLines.join('\n')} onInput={(e) => set({ headerLines: lines((e.target as HTMLTextAreaElement).value) })} />
      <label for="setup-footer">{t('setup.store.footer')}</label>
      <textarea id="setup-footer" rows={2} value={s.footerLines.join('\n')} onInput={(e) => set({ footerLines: lines((e.target as HTMLTextAreaElement).value) })} />
      <Field id="setup-till-id" label={t('setup.store.tillId')} value={s.tillId} maxLength={12} onInput={(v) => set({ tillId: v.toUpperCase() })} />
      <Field id="setup-till-name" label={t('setup.store.tillName')} value={s.tillName} maxLength={40} onInput={(v) => set({ tillName: v })} />
    </StepForm>
  )
}

async function checkReceive(): Promise<void> {
  const p = paymentsStep.value
  receiveChecked.value = null
  if (!p.receive.trim()) return
  const checked = await run(api().call['settings:check-receive'](p.receiveKind === 'xpub' ? { xpub: p.receive, tillNumber: p.tillNumber } : { address: p.receive }))
  if (checked) {
    receiveChecked.value = checked.address
    say('notice', () => (p.receiveKind === 'xpub' ? t('setup.pay.firstAddress', { address: checked.address }) : t('bo.pay.addressOk', { address: checked.address })))
  }
}

function PaymentsStep() {
  const p = paymentsStep.value
  const set = (patch: Partial<SetupPaymentsStep>) => (paymentsStep.value = { ...p, ...patch })
  const rate = p.rate
  return (
    <StepForm id="payments" title={t('setup.payments')} intro={t('setup.payments.intro')} onNext={() => void check('payments')}>
      <label class="bo-check">
        <input type="checkbox" id="setup-pay-enabled" checked={p.enabled} onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked })} /> {t('setup.pay.enabled')}
      </label>
      {p.enabled ? (
        <>
          <label for="setup-receive-kind">{t('setup.pay.receiveKind')}</label>
          <select id="setup-receive-kind" value={p.receiveKind} onChange={(e) => set({ receiveKind: (e.target as HTMLSelectElement).value === 'xpub' ? 'xpub' : 'address', receive: '' })}>
            <option value="address">{t('setup.pay.kind.address')}</option>
            <option value="xpub">{t('setup.pay.kind.xpub')}</option>
          </select>
          <label for="setup-receive">{p.receiveKind === 'xpub' ? t('setup.pay.xpub') : t('bo.pay.address')}</label>
          <input id="setup-receive" value={p.receive} autoComplete="off" spellcheck={false} aria-describedby="setup-receive-hint" onInput={(e) => set({ receive: (e.target as HTMLInputElement).value })} onBlur={() => void checkReceive()} />
          <p id="setup-receive-hint" class="bo-muted">
            {receiveChecked.value ? t('setup.pay.compare', { address: receiveChecked.value }) : t('setup.pay.receiveHint')}
          </p>
          {p.receiveKind === 'xpub' ? (
            <Field id="setup-till-number" label={t('setup.pay.tillNumber')} value={String(p.tillNumber)} inputMode="numeric" maxLength={2} onInput={(v) => set({ tillNumber: /^\d{1,2}$/.test(v) && Number(v) >= 1 ? Number(v) : 1 })} />
          ) : null}
          {/* Never disabled while another check runs: a person tabbing on from the address would lose keys. */}
          <ChainsEditor rows={chainRows} prefix="setup" />
          <label for="setup-rate-kind">{t('setup.pay.rate')}</label>
          <select
            id="setup-rate-kind"
            value={rate.kind}
            onChange={(e) => {
              const kind = (e.target as HTMLSelectElement).value
              set({ rate: kind === 'http' ? { kind: 'http', url: '', jsonPath: '', maxAgeSec: '300' } : kind === 'manual' ? { kind: 'manual' } : { kind: 'peg' } })
            }}
          >
            <option value="peg">{t('setup.pay.rate.peg')}</option>
            <option value="manual">{t('setup.pay.rate.manual')}</option>
            <option value="http">{t('setup.pay.rate.http')}</option>
          </select>
          {rate.kind === 'http' ? (
            <>
              <Field id="setup-rate-url" label={t('setup.pay.rateUrl')} value={rate.url} inputMode="url" onInput={(v) => set({ rate: { ...rate, url: v } })} />
              <Field id="setup-rate-path" label={t('setup.pay.ratePath')} value={rate.jsonPath} onInput={(v) => set({ rate: { ...rate, jsonPath: v } })} />
              <Field id="setup-rate-age" label={t('setup.pay.rateAge')} value={rate.maxAgeSec} inputMode="numeric" maxLength={6} onInput={(v) => set({ rate: { ...rate, maxAgeSec: v } })} />
            </>
          ) : null}
        </>
      ) : null}
      <Field id="setup-card-fee" label={t('setup.pay.cardFee')} value={p.cardFeePercent} inputMode="decimal" maxLength={12} hint={t('setup.pay.cardFeeHint')} onInput={(v) => set({ cardFeePercent: v })} />
    </StepForm>
  )
}

async function testPrinter(): Promise<void> {
  printTested.value = null
  const tested = await run(api().call['printer:test']({ printer: devicesStep.value.printer }))
  if (tested) {
    printTested.value = tested
    say(tested.problem ? 'alert' : 'notice', () => printerOutcome(tested))
  }
}

export function printerOutcome(tested: PrinterTestView): string {
  const s = tested.status
  const status = s
    ? [s.online ? t('setup.dev.online') : t('setup.dev.offline'), s.paperOut ? t('setup.dev.paperOut') : s.paperNearEnd ? t('setup.dev.paperLow') : t('setup.dev.paperOk'), s.coverOpen ? t('setup.dev.coverOpen') : null, s.drawerOpen ? t('setup.dev.drawerOpen') : t('setup.dev.drawerClosed')]
        .filter((x) => x !== null)
        .join(', ')
    : t('setup.dev.noStatus')
  return t('setup.dev.printed', { printer: tested.printer, bytes: tested.bytes, status })
}

export function PrinterFields({ value, onChange, prefix }: { value: SetupFinish['devices']['printer']; onChange: (next: SetupFinish['devices']['printer']) => void; prefix: string }) {
  const set = (patch: Partial<typeof value>) => onChange({ ...value, ...patch })
  return (
    <>
      <label for={`${prefix}-profile`}>{t('setup.dev.profile')}</label>
      <select id={`${prefix}-profile`} value={value.profile} onChange={(e) => set({ profile: (e.target as HTMLSelectElement).value as typeof value.profile })}>
        <option value="epson-tm-80">Epson TM-T20 / TM-T88 (80 mm)</option>
        <option value="star-escpos-80">Star (ESC/POS mode, 80 mm)</option>
        <option value="generic-58">{t('setup.dev.generic58')}</option>
      </select>
      <label for={`${prefix}-transport`}>{t('setup.dev.transport')}</label>
      <select id={`${prefix}-transport`} value={value.transport} onChange={(e) => set({ transport: (e.target as HTMLSelectElement).value as typeof value.transport })}>
        <option value="tcp">{t('setup.dev.tcp')}</option>
        <option value="usb">USB</option>
        <option value="device-file">{t('setup.dev.file')}</option>
        <option value="virtual">{t('setup.dev.virtual')}</option>
      </select>
      {value.transport === 'tcp' ? (
        <>
          <Field id={`${prefix}-host`} label={t('setup.dev.host')} value={value.host} maxLength={253} onInput={(v) => set({ host: v })} />
          <Field id={`${prefix}-port`} label={t('setup.dev.port')} value={value.port} inputMode="numeric" maxLength={5} onInput={(v) => set({ port: v })} />
        </>
      ) : null}
      {value.transport === 'device-file' ? <Field id={`${prefix}-path`} label={t('setup.dev.path')} value={value.path} maxLength={200} onInput={(v) => set({ path: v })} /> : null}
      <label class="bo-check">
        <input type="checkbox" id={`${prefix}-drawer`} checked={value.drawerOnCash} onChange={(e) => set({ drawerOnCash: (e.target as HTMLInputElement).checked })} /> {t('setup.dev.drawer')}
      </label>
    </>
  )
}

export function DisplayField({ value, onChange, id }: { value: SetupFinish['devices']['customerDisplay']; onChange: (next: SetupFinish['devices']['customerDisplay']) => void; id: string }) {
  return (
    <>
      <label for={id}>{t('setup.dev.display')}</label>
      <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value as typeof value)}>
        <option value="second-screen">{t('setup.dev.display.second')}</option>
        <option value="same-screen">{t('setup.dev.display.same')}</option>
        <option value="none">{t('setup.dev.display.none')}</option>
      </select>
    </>
  )
}

function DevicesStep() {
  const d = devicesStep.value
  return (
    <StepForm id="devices" title={t('setup.devices')} intro={t('setup.devices.intro')} onNext={() => void check('devices')}>
      <PrinterFields prefix="setup-printer" value={d.printer} onChange={(printer) => {
        printTested.value = null
        devicesStep.value = { ...d, printer }
      }} />
      <div class="linebar">
        <button type="button" class="secondary" disabled={busy.value} onClick={() => void testPrinter()}>
          {t('setup.dev.testPrint')}
        </button>
      </div>
      <DisplayField id="setup-display" value={d.customerDisplay} onChange={(customerDisplay) => (devicesStep.value = { ...d, customerDisplay })} />
    </StepForm>
  )
}

function StaffStep() {
  const people = staffStep.value.people
  const set = (next: typeof people) => (staffStep.value = { people: next })
  const roleName = (role: string) => t(`role.${role}` as MessageKey)
  return (
    <StepForm id="staff" title={t('setup.staff')} intro={t('setup.staff.intro')} onNext={() => void check('staff')}>
      {people.map((p, i) => (
        <fieldset class="setup-rows" key={i}>
          <legend>{t('setup.staff.person', { n: i + 1 })}</legend>
          <div class="setup-row">
            <label for={`setup-person-name-${i}`}>{t('setup.staff.name', { n: i + 1 })}</label>
            <input id={`setup-person-name-${i}`} value={p.name} maxLength={40} autoComplete="off" onInput={(e) => set(people.map((x, j) => (j === i ? { ...x, name: (e.target as HTMLInputElement).value } : x)))} />
            <label for={`setup-person-role-${i}`}>{t('setup.staff.role', { n: i + 1 })}</label>
            <select id={`setup-person-role-${i}`} value={p.role} onChange={(e) => set(people.map((x, j) => (j === i ? { ...x, role: (e.target as HTMLSelectElement).value as typeof p.role } : x)))}>
              {(['owner', 'manager', 'cashier'] as const).map((r) => (
                <option key={r} value={r}>
                  {roleName(r)}
                </option>
              ))}
            </select>
            <label for={`setup-person-pin-${i}`}>{t('setup.staff.pin', { n: i + 1 })}</label>
            <input id={`setup-person-pin-${i}`} type="password" inputMode="numeric" autoComplete="new-password" maxLength={8} value={p.pin} onInput={(e) => set(people.map((x, j) => (j === i ? { ...x, pin: (e.target as HTMLInputElement).value } : x)))} />
            {people.length > 1 ? (
              <button type="button" class="secondary" aria-label={t('setup.staff.remove', { n: i + 1 })} onClick={() => set(people.filter((_, j) => j !== i))}>
                ×
              </button>
            ) : null}
          </div>
        </fieldset>
      ))}
      <p class="bo-muted">{t('setup.staff.pinRule')}</p>
      {people.length < 40 ? (
        <button type="button" class="secondary" onClick={() => set([...people, { name: '', role: 'cashier', pin: '' }])}>
          {t('setup.staff.add')}
        </button>
      ) : null}
    </StepForm>
  )
}

async function finish(): Promise<void> {
  say('notice', () => t('setup.finishing'))
  const done = await run(api().call['setup:finish']({ store: { ...storeStep.value, locale: store.value?.locale ?? 'en' }, payments: paymentsPayload(), devices: devicesStep.value, staff: staffStep.value }))
  if (done) {
    say('notice', () => t('setup.finished', { store: done.storeName }))
    // The back office of the new store replaces the set-up in this window.
    setTimeout(() => location.reload(), 600)
  }
}

function FinishStep() {
  const s = storeStep.value
  const p = paymentsStep.value
  const d = devicesStep.value
  const people = staffStep.value.people.filter((x) => x.name.trim())
  return (
    <StepForm id="finish" title={t('setup.finish')} intro={t('setup.finish.intro')} onNext={() => void finish()} next={t('setup.finishButton')}>
      <dl class="bo-facts" aria-label={t('setup.summary')}>
        <dt>{t('setup.store')}</dt>
        <dd>{`${s.storeName} · ${s.currency} · ${s.tillId}${s.tillName ? ` ${s.tillName}` : ''}`}</dd>
        <dt>{t('setup.store.taxRates')}</dt>
        <dd>{s.taxRates.map((r) => `${r.name} ${r.percent} %`).join(', ')}</dd>
        <dt>{t('setup.payments')}</dt>
        <dd>{p.enabled ? `${receiveChecked.value ?? p.receive} · ${chainRows.value.map((c) => `${chainName(c.chainId)} ${c.tokens.join('+')} (${c.urls.map((u) => u.url.trim()).join(', ')})`).join(' · ')}` : t('setup.pay.cashOnly')}</dd>
        <dt>{t('setup.devices')}</dt>
        <dd>{d.printer.transport === 'tcp' ? `${d.printer.profile} · tcp ${d.printer.host}:${d.printer.port}` : `${d.printer.profile} · ${d.printer.transport}`}</dd>
        <dt>{t('setup.staff')}</dt>
        <dd>{people.map((x) => `${x.name} (${t(`role.${x.role}` as MessageKey)})`).join(', ')}</dd>
      </dl>
    </StepForm>
  )
}

async function tryDemo(): Promise<void> {
  const done = await run(api().call['setup:demo']({}))
  if (done) location.reload()
}

function Welcome({ demoAvailable }: { demoAvailable: boolean }) {
  const first = useRef<HTMLButtonElement>(null)
  useEffect(() => first.current?.focus(), [])
  return (
    <section class="panel setup-welcome" aria-labelledby="setup-welcome-title">
      <h2 id="setup-welcome-title">{t('setup.welcome')}</h2>
      <p>{t('setup.welcome.intro')}</p>
      <div class="linebar">
        <button type="button" ref={first} onClick={() => go('store')}>
          {t('setup.start')}
        </button>
        {demoAvailable ? (
          <button type="button" class="secondary" disabled={busy.value} onClick={() => void tryDemo()}>
            {t('setup.demo')}
          </button>
        ) : null}
      </div>
      <OutcomeLine />
    </section>
  )
}

const TITLES: Record<Exclude<Step, 'welcome'>, MessageKey> = { store: 'setup.store', payments: 'setup.payments', devices: 'setup.devices', staff: 'setup.staff', finish: 'setup.finish' }

function Steps() {
  const order = [...SETUP_STEPS, 'finish'] as const
  return (
    <nav aria-label={t('setup.steps')} class="setup-steps">
      <ol>
        {order.map((s, i) => (
          <li key={s}>
            <button type="button" class="secondary" aria-current={step.value === s ? 'step' : undefined} disabled={i + 1 > reached.value} onClick={() => go(s)}>
              {`${i + 1}. ${t(TITLES[s])}`}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  )
}

export function SetupPage({ demoAvailable }: { demoAvailable: boolean }) {
  useEffect(() => {
    document.title = `Stabletill — ${t('setup.title')}`
  })
  const current = step.value
  return (
    <>
      <header class="bar bo-header">
        <h1>{`Stabletill · ${t('setup.title')}`}</h1>
        <button type="button" id="setup-language" class="secondary" aria-label={t('language')} onClick={() => void switchLanguage()}>
          {t('language.switch')}
        </button>
      </header>
      <main class="bo setup">
        {current === 'welcome' ? <Welcome demoAvailable={demoAvailable} /> : <Steps />}
        {current === 'store' ? <StoreStep /> : null}
        {current === 'payments' ? <PaymentsStep /> : null}
        {current === 'devices' ? <DevicesStep /> : null}
        {current === 'staff' ? <StaffStep /> : null}
        {current === 'finish' ? <FinishStep /> : null}
      </main>
    </>
  )
}
