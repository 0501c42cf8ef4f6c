// Back office: Settings, payments part (issue [S] points 1 and 4). The form starts from what the ledger holds. The
// receive address is checked by its checksum as it is typed in; the chains are the set-up's rows (one per chain,
// its tokens, its RPC URLs each tested live with its verdict beside it, its depth: ../setup/chains.tsx); saving
// refuses an untested or failing URL, tests every URL again in the till and needs the owner's PIN.
import { signal } from '@preact/signals'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { ComponentChildren, Ref } from 'preact'
import type { StoreDetailsView } from '../../shared/api/views'
import { ppmToPercent, type SetupFinish } from '../../shared/setup'
import { DisplayField, PrinterFields, printerOutcome } from '../setup/wizard'
import { defaultConfirmations, type ConfirmationPolicy, type PaymentSettings } from '../../shared/payment/settings'
import { ChainsEditor, rowsFromSettings, urlProblem, type ChainRow } from '../setup/chains'
import { api, say as sayMessage, store, t } from '../common/page'
import { formatMinorPlain } from '../../shared/money'
import { askManagerPin } from '../common/ui'
import { OutcomeBox, Panel, useOutcome } from './staff'

const savedPayments = signal<PaymentSettings | null | undefined>(undefined)
const paymentRows = signal<ChainRow[]>([])

/** `rows`: start the form again from what is saved (on opening it; after a save the rows with their verdicts stay). */
async function loadPayments(rows: boolean): Promise<void> {
  const r = await api().call['settings:payments-current']({})
  if (!r.ok) return
  savedPayments.value = r.value
  if (rows) paymentRows.value = rowsFromSettings(r.value)
}

/** A settings form: Enter or its Save button saves; `actions` (a test print, another row) sit before Save. */
function SettingsForm({ formRef, onSave, saveLabel, actions, children }: { formRef?: Ref<HTMLFormElement>; onSave: () => Promise<void>; saveLabel: string; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <form
      ref={formRef}
      class="bo-form"
      onSubmit={(e) => {
        e.preventDefault()
        void onSave()
      }}
    >
      {children}
      <div class="linebar">
        {actions}
        <button type="submit">{saveLabel}</button>
      </div>
    </form>
  )
}

/** A typed depth as the policy to save; null when it is not a whole number of blocks from 1 to 10000. */
function typedDepth(typed: string, before: ConfirmationPolicy | undefined): ConfirmationPolicy | undefined | null {
  const text = typed.trim()
  // Empty keeps a `finalized` policy the form cannot type, else means the documented default.
  if (text === '') return before?.kind === 'finalized' ? before : undefined
  const count = /^\d{1,5}$/.test(text) ? Number(text) : 0
  return count >= 1 && count <= 10_000 ? { kind: 'blocks', count } : null
}

export function PaymentSettingsSection() {
  const [outcome, sayOutcome, run] = useOutcome()
  /** The outcome shown is an RPC URL refusal: it goes away by itself once every URL has passed. */
  const [urlAlert, setUrlAlert] = useState(false)
  const say = (kind: 'alert' | 'notice', text: string | (() => string)) => {
    setUrlAlert(false)
    sayOutcome(kind, text)
  }
  const form = useRef<HTMLFormElement>(null)
  const saved = savedPayments.value
  const [receiveKind, setReceiveKind] = useState<'address' | 'xpub' | null>(null)
  const [rateKind, setRateKind] = useState<'peg' | 'manual' | 'http' | null>(null)
  useEffect(() => {
    if (savedPayments.value === undefined) void loadPayments(true)
  }, [])
  const kind = receiveKind ?? saved?.receive.kind ?? 'address'
  const rate = rateKind ?? saved?.rate.kind ?? 'peg'
  const savedHttp = saved?.rate.kind === 'http' ? saved.rate : null

  const field = (name: string) => String(new FormData(form.current!).get(name) ?? '').trim()

  async function checkAddress(): Promise<void> {
    const address = field('address')
    if (!address) return
    const checked = await run(api().call['settings:check-receive'](kind === 'xpub' ? { xpub: address } : { address }))
    if (checked) say('notice', () => (kind === 'xpub' ? t('setup.pay.firstAddress', { address: checked.address }) : t('bo.pay.addressOk', { address: checked.address })))
  }

  async function save(): Promise<void> {
    // An untested or failing URL is not saved; the alert names it (the till tests every URL again before saving).
    const problem = urlProblem(paymentRows.value)
    if (problem) {
      say('alert', () => urlProblem(paymentRows.value) ?? problem)
      setUrlAlert(true)
      return
    }
    const chains = []
    for (const row of paymentRows.value) {
      const before = saved?.chains.find((c) => c.chainId === row.chainId)
      const confirmations = typedDepth(row.confirmations, before?.confirmations)
      if (confirmations === null) {
        const policy = defaultConfirmations(row.chainId)
        say('alert', () => sayMessage('setup.confirmations', { typed: row.confirmations.trim().slice(0, 6), count: policy.kind === 'blocks' ? policy.count : 'finalized' }))
        return
      }
      // What the form does not show (bridged tokens, the finality threshold) is kept as saved.
      chains.push({ ...before, chainId: row.chainId, rpcUrls: row.urls.map((u) => u.url.trim()), tokens: [...row.tokens], confirmations })
    }
    const pin = await askManagerPin(t('bo.pay.save'))
    if (pin === null) return
    const address = field('address')
    const receive = kind === 'xpub' ? { kind: 'xpub', xpub: address } : { ...(saved?.receive.kind === 'address' ? saved.receive : {}), kind: 'address', address }
    const settings = {
      // The till number, expiry and release limits are the set-up's: kept as saved.
      ...saved,
      receive,
      chains,
      // The same three policies as the set-up; the till checks the whole object (src/shared/payment/settings.ts).
      rate: rate === 'http' ? { kind: 'http', url: field('rateUrl'), jsonPath: field('ratePath'), maxAgeSec: Number(field('rateAge') || '300') } : { kind: rate }
    }
    const done = await run(api().call['settings:payments']({ pin, settings }))
    if (done) {
      await loadPayments(false)
      say('notice', () => t('bo.pay.saved'))
    }
  }

  return (
    <Panel id="settings-payments" label={t('bo.pay')}>
      {saved === undefined ? null : (
        <SettingsForm formRef={form} onSave={save} saveLabel={t('bo.pay.save')}>
          {saved === null ? <p class="bo-muted">{t('pay.current.none')}</p> : null}
          <label for="bo-pay-receive-kind">{t('setup.pay.receiveKind')}</label>
          <select id="bo-pay-receive-kind" value={kind} onChange={(e) => setReceiveKind((e.target as HTMLSelectElement).value === 'xpub' ? 'xpub' : 'address')}>
            <option value="address">{t('setup.pay.kind.address')}</option>
            <option value="xpub">{t('setup.pay.kind.xpub')}</option>
          </select>
          <label for="bo-pay-address">{kind === 'xpub' ? t('setup.pay.xpub') : t('bo.pay.address')}</label>
          <input
            id="bo-pay-address"
            key={kind}
            name="address"
            autoComplete="off"
            spellcheck={false}
            defaultValue={saved?.receive.kind === kind ? (saved.receive.kind === 'address' ? saved.receive.address : saved.receive.xpub) : ''}
            onBlur={() => void checkAddress()}
          />
          <ChainsEditor rows={paymentRows} prefix="bo-pay" />
          <label for="bo-pay-rate-kind">{t('setup.pay.rate')}</label>
          <select id="bo-pay-rate-kind" value={rate} onChange={(e) => setRateKind((e.target as HTMLSelectElement).value as 'peg' | 'manual' | 'http')}>
            <option value="peg">{t('setup.pay.rate.peg')}</option>
            <option value="manual">{t('setup.pay.rate.manual')}</option>
            <option value="http">{t('setup.pay.rate.http')}</option>
          </select>
          {rate === 'http' ? (
            <>
              <label for="bo-pay-rate-url">{t('setup.pay.rateUrl')}</label>
              <input id="bo-pay-rate-url" name="rateUrl" inputMode="url" autoComplete="off" spellcheck={false} defaultValue={savedHttp?.url ?? ''} />
              <label for="bo-pay-rate-path">{t('setup.pay.ratePath')}</label>
              <input id="bo-pay-rate-path" name="ratePath" autoComplete="off" spellcheck={false} defaultValue={savedHttp?.jsonPath ?? ''} />
              <label for="bo-pay-rate-age">{t('setup.pay.rateAge')}</label>
              <input id="bo-pay-rate-age" name="rateAge" inputMode="numeric" autoComplete="off" defaultValue={String(savedHttp?.maxAgeSec ?? 300)} />
            </>
          ) : null}
        </SettingsForm>
      )}
      <OutcomeBox outcome={urlAlert && urlProblem(paymentRows.value) === null ? null : outcome} />
    </Panel>
  )
}

// ----- The store's remaining settings (issue [S] point 4): each set-up step again, changed with a PIN -----

const details = signal<StoreDetailsView | null>(null)

export async function loadStoreDetails(): Promise<void> {
  const r = await api().call['settings:store-details']({})
  if (r.ok) details.value = r.value
}

function useDetails(): StoreDetailsView | null {
  useEffect(() => {
    if (!details.value) void loadStoreDetails()
  }, [])
  return details.value
}

const lines = (text: string, max: number) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, max)

/** Address, tax id, till name and the receipt's header and footer: the next receipt prints them. */
export function StoreDetailsSection() {
  const [outcome, say, run] = useOutcome()
  const current = useDetails()
  const form = useRef<HTMLFormElement>(null)
  async function save(): Promise<void> {
    const data = new FormData(form.current!)
    const text = (name: string) => String(data.get(name) ?? '')
    const pin = await askManagerPin(t('bo.details.save'))
    if (pin === null) return
    const saved = await run(
      api().call['settings:update-store']({
        pin,
        addressLines: lines(text('address'), 4),
        taxId: text('taxId').trim(),
        tillName: text('tillName').trim(),
        headerLines: lines(text('header'), 6),
        footerLines: lines(text('footer'), 6)
      })
    )
    if (saved) {
      await loadStoreDetails()
      say('notice', () => t('bo.details.saved'))
    }
  }
  return (
    <Panel id="settings-details" label={t('bo.details')}>
      {current ? (
        <SettingsForm formRef={form} onSave={save} saveLabel={t('bo.details.save')}>
          <label for="bo-address">{t('setup.store.address1')}</label>
          <textarea id="bo-address" name="address" rows={2} defaultValue={current.addressLines.join('\n')} />
          <label for="bo-tax-id">{t('setup.store.taxId')}</label>
          <input id="bo-tax-id" name="taxId" maxLength={40} autoComplete="off" defaultValue={current.taxId} />
          <label for="bo-till-name">{t('setup.store.tillName')}</label>
          <input id="bo-till-name" name="tillName" maxLength={40} autoComplete="off" defaultValue={current.tillName} />
          <label for="bo-header">{t('setup.store.header')}</label>
          <textarea id="bo-header" name="header" rows={3} defaultValue={current.headerLines.join('\n')} />
          <label for="bo-footer">{t('setup.store.footer')}</label>
          <textarea id="bo-footer" name="footer" rows={2} defaultValue={current.footerLines.join('\n')} />
        </SettingsForm>
      ) : null}
      <OutcomeBox outcome={outcome} />
    </Panel>
  )
}

/** The store's tax rates; new sale lines use them at once. A rate still on products is not removed. */
export function TaxRatesSection() {
  const [outcome, say, run] = useOutcome()
  const current = useDetails()
  const [rows, setRows] = useState<{ name: string; percent: string }[] | null>(null)
  const shown = rows ?? current?.taxRates.map((r) => ({ name: r.name, percent: ppmToPercent(r.ratePpm) })) ?? []
  const edit = (i: number, patch: Partial<{ name: string; percent: string }>) => setRows(shown.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  async function save(): Promise<void> {
    const pin = await askManagerPin(t('bo.taxRates.save'))
    if (pin === null) return
    const saved = await run(api().call['settings:tax-rates']({ pin, rates: shown }))
    if (saved) {
      details.value = saved.details
      setRows(null)
      say('notice', () => t('bo.taxRates.saved'))
    }
  }
  return (
    <Panel id="settings-tax" label={t('bo.taxRates')}>
      {current ? <p class="bo-muted">{t('bo.taxRates.current', { rates: current.taxRates.map((r) => `${r.id} ${ppmToPercent(r.ratePpm)} % (${r.products})`).join(', ') })}</p> : null}
      <SettingsForm
        onSave={save}
        saveLabel={t('bo.taxRates.save')}
        actions={
          <button type="button" class="secondary" disabled={shown.length >= 8} onClick={() => setRows([...shown, { name: '', percent: '' }])}>
            {t('setup.store.addRate')}
          </button>
        }
      >
        {shown.map((r, i) => (
          <div class="linebar" key={i}>
            <input id={`bo-rate-name-${i}`} aria-label={t('setup.store.rateName', { n: i + 1 })} value={r.name} maxLength={40} autoComplete="off" onInput={(e) => edit(i, { name: (e.target as HTMLInputElement).value })} />
            <input id={`bo-rate-value-${i}`} aria-label={t('setup.store.ratePercent', { n: i + 1 })} value={r.percent} inputMode="decimal" maxLength={12} autoComplete="off" onInput={(e) => edit(i, { percent: (e.target as HTMLInputElement).value })} />
            <button type="button" class="secondary" aria-label={t('setup.store.removeRate', { n: i + 1 })} onClick={() => setRows(shown.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
        ))}
      </SettingsForm>
      <OutcomeBox outcome={outcome} />
    </Panel>
  )
}

/** The card fee the Z report compares stablecoin takings with. */
export function CardFeeSection() {
  const [outcome, say, run] = useOutcome()
  const current = useDetails()
  const input = useRef<HTMLInputElement>(null)
  async function save(): Promise<void> {
    const percent = input.current?.value.trim() ?? ''
    const pin = await askManagerPin(t('bo.cardFee.save'))
    if (pin === null) return
    const saved = await run(api().call['settings:card-fee']({ pin, percent }))
    if (saved) {
      details.value = saved.details
      say('notice', () => t('bo.cardFee.saved', { percent: ppmToPercent(saved.details.cardFeePpm) }))
    }
  }
  return (
    <Panel id="settings-card-fee" label={t('bo.cardFee')}>
      {current ? (
        <SettingsForm onSave={save} saveLabel={t('bo.cardFee.save')}>
          <label for="bo-card-fee">{t('setup.pay.cardFee')}</label>
          <input id="bo-card-fee" ref={input} inputMode="decimal" maxLength={12} autoComplete="off" defaultValue={ppmToPercent(current.cardFeePpm)} aria-describedby="bo-card-fee-hint" />
          <p id="bo-card-fee-hint" class="bo-muted">
            {t('setup.pay.cardFeeHint')}
          </p>
        </SettingsForm>
      ) : null}
      <OutcomeBox outcome={outcome} />
    </Panel>
  )
}

/**
 * The store's limits for one sale ([E] point 5): a slip of the hand (cash received of 2^53 - 1, 10,000 units) is
 * refused at the counter. A jeweller or a wholesaler raises them here; the cashier's index takes the line limits
 * at once.
 */
export function LimitsSection() {
  const [outcome, say, run] = useOutcome()
  const current = useDetails()
  const cash = useRef<HTMLInputElement>(null)
  const units = useRef<HTMLInputElement>(null)
  const line = useRef<HTMLInputElement>(null)
  const currency = store.value?.currency ?? 'USD'
  async function save(): Promise<void> {
    const typed = { maxCashReceived: cash.current?.value.trim() ?? '', maxQuantity: units.current?.value.trim() ?? '', maxLineAmount: line.current?.value.trim() ?? '' }
    const pin = await askManagerPin(t('bo.limits.save'))
    if (pin === null) return
    const saved = await run(api().call['settings:limits']({ pin, ...typed }))
    if (saved) {
      details.value = saved.details
      const l = saved.details.limits
      say('notice', () => t('bo.limits.saved', { cash: formatMinorPlain(l.maxCashReceivedMinor, currency), units: l.maxQuantity, line: formatMinorPlain(l.maxLineAmountMinor, currency) }))
    }
  }
  return (
    <Panel id="settings-limits" label={t('bo.limits')}>
      {current ? (
        <SettingsForm onSave={save} saveLabel={t('bo.limits.save')}>
          <p class="bo-muted">{t('bo.limits.hint')}</p>
          <label for="bo-limit-cash">{t('bo.limits.cash', { currency })}</label>
          <input id="bo-limit-cash" ref={cash} inputMode="decimal" maxLength={24} autoComplete="off" defaultValue={formatMinorPlain(current.limits.maxCashReceivedMinor, currency)} />
          <label for="bo-limit-units">{t('bo.limits.units')}</label>
          <input id="bo-limit-units" ref={units} inputMode="numeric" maxLength={8} autoComplete="off" defaultValue={String(current.limits.maxQuantity)} />
          <label for="bo-limit-line">{t('bo.limits.line', { currency })}</label>
          <input id="bo-limit-line" ref={line} inputMode="decimal" maxLength={24} autoComplete="off" defaultValue={formatMinorPlain(current.limits.maxLineAmountMinor, currency)} />
        </SettingsForm>
      ) : null}
      <OutcomeBox outcome={outcome} />
    </Panel>
  )
}

/** Printer (profile, link, drawer) and the customer display: a test print before saving; the next job uses it. */
export function DevicesSettingsSection() {
  const [outcome, say, run] = useOutcome()
  const current = useDetails()
  const [printer, setPrinter] = useState<SetupFinish['devices']['printer'] | null>(null)
  const [display, setDisplay] = useState<SetupFinish['devices']['customerDisplay'] | null>(null)
  if (!current) return null
  const shownPrinter = printer ?? current.printer
  const shownDisplay = display ?? current.customerDisplay
  async function testPrint(): Promise<void> {
    const tested = await run(api().call['printer:test']({ printer: shownPrinter }))
    if (tested) say(tested.problem ? 'alert' : 'notice', () => printerOutcome(tested))
  }
  async function save(): Promise<void> {
    const pin = await askManagerPin(t('bo.devices.save'))
    if (pin === null) return
    const saved = await run(api().call['settings:devices']({ pin, printer: shownPrinter, customerDisplay: shownDisplay }))
    if (saved) {
      details.value = saved.details
      setPrinter(null)
      setDisplay(null)
      say('notice', () => (saved.restartNeeded ? t('bo.devices.restart') : t('bo.devices.saved')))
    }
  }
  return (
    <Panel id="settings-devices" label={t('bo.devices')}>
      <SettingsForm
        onSave={save}
        saveLabel={t('bo.devices.save')}
        actions={
          <button type="button" class="secondary" onClick={() => void testPrint()}>
            {t('setup.dev.testPrint')}
          </button>
        }
      >
        <PrinterFields prefix="bo-printer" value={shownPrinter} onChange={setPrinter} />
        <DisplayField id="bo-display" value={shownDisplay} onChange={setDisplay} />
      </SettingsForm>
      <OutcomeBox outcome={outcome} />
    </Panel>
  )
}
