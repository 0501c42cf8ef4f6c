// Back office: Settings, payments part (issue [S] points 1 and 4). The receive address is checked by its checksum
// as it is typed in; each chain's RPC URL has a "Test connection" that asks the node live (chain id, recent head,
// pinned token) and shows what it answered; saving tests every URL again and needs the owner's PIN.
import { signal } from '@preact/signals'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { RpcTestView, StoreDetailsView } from '../../shared/api/views'
import { ppmToPercent, type SetupFinish } from '../../shared/setup'
import { DisplayField, PrinterFields, printerOutcome } from '../setup/wizard'
import { CHAINS } from '../../shared/payment/tokens'
import { defaultConfirmations } from '../../shared/payment/settings'
import { api, t } from '../common/page'
import { askManagerPin } from '../common/ui'
import { OutcomeBox, Panel, useOutcome } from './staff'

export function PaymentSettingsSection() {
  const [outcome, say, run] = useOutcome()
  const form = useRef<HTMLFormElement>(null)
  const [tested, setTested] = useState<RpcTestView | null>(null)
  const [chainId, setChainId] = useState<number>(CHAINS[0]?.chainId ?? 8453)
  const [receiveKind, setReceiveKind] = useState<'address' | 'xpub'>('address')
  const [rateKind, setRateKind] = useState<'peg' | 'manual' | 'http'>('peg')

  const field = (name: string) => String(new FormData(form.current!).get(name) ?? '').trim()

  async function checkAddress(): Promise<void> {
    const address = field('address')
    if (!address) return
    const checked = await run(api().call['settings:check-receive'](receiveKind === 'xpub' ? { xpub: address } : { address }))
    if (checked) say('notice', () => (receiveKind === 'xpub' ? t('setup.pay.firstAddress', { address: checked.address }) : t('bo.pay.addressOk', { address: checked.address })))
  }

  async function testConnection(): Promise<void> {
    setTested(null)
    const result = await run(api().call['settings:test-rpc']({ chainId, url: field('rpcUrl'), tokens: ['USDC'] }))
    if (result) {
      setTested(result)
      say('notice', () => t('bo.pay.tested', { head: result.head, seconds: result.headAgeSeconds, tokens: result.tokens.map((x) => `${x.symbol} ${x.address}`).join(', ') }))
    }
  }

  async function save(): Promise<void> {
    const pin = await askManagerPin(t('bo.pay.save'))
    if (pin === null) return
    const confirmations = Number(field('confirmations'))
    const settings = {
      receive: receiveKind === 'xpub' ? { kind: 'xpub', xpub: field('address') } : { kind: 'address', address: field('address') },
      chains: [{ chainId, rpcUrls: [field('rpcUrl')], tokens: ['USDC'], ...(Number.isInteger(confirmations) && confirmations > 0 ? { confirmations: { kind: 'blocks', count: confirmations } } : {}) }],
      // The same three policies as the set-up; the till checks the whole object (src/shared/payment/settings.ts).
      rate: rateKind === 'http' ? { kind: 'http', url: field('rateUrl'), jsonPath: field('ratePath'), maxAgeSec: Number(field('rateAge') || '300') } : { kind: rateKind }
    }
    const saved = await run(api().call['settings:payments']({ pin, settings }))
    if (saved) say('notice', () => t('bo.pay.saved'))
  }

  const policy = defaultConfirmations(chainId)
  return (
    <Panel id="settings-payments" label={t('bo.pay')}>
      <form
        ref={form}
        class="bo-form"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        <label for="bo-pay-receive-kind">{t('setup.pay.receiveKind')}</label>
        <select id="bo-pay-receive-kind" value={receiveKind} onChange={(e) => setReceiveKind((e.target as HTMLSelectElement).value === 'xpub' ? 'xpub' : 'address')}>
          <option value="address">{t('setup.pay.kind.address')}</option>
          <option value="xpub">{t('setup.pay.kind.xpub')}</option>
        </select>
        <label for="bo-pay-address">{receiveKind === 'xpub' ? t('setup.pay.xpub') : t('bo.pay.address')}</label>
        <input id="bo-pay-address" name="address" autoComplete="off" spellcheck={false} onBlur={() => void checkAddress()} />
        <label for="bo-pay-chain">{t('bo.pay.chain')}</label>
        <select id="bo-pay-chain" name="chain" value={String(chainId)} onChange={(e) => setChainId(Number((e.target as HTMLSelectElement).value))}>
          {CHAINS.map((c) => (
            <option key={c.chainId} value={String(c.chainId)}>{`${c.name} (${c.chainId})`}</option>
          ))}
        </select>
        <label for="bo-pay-rpc">{t('bo.pay.rpc')}</label>
        <input id="bo-pay-rpc" name="rpcUrl" autoComplete="off" spellcheck={false} onInput={() => setTested(null)} />
        <div class="linebar">
          <button type="button" class="secondary" onClick={() => void testConnection()}>{t('bo.pay.test')}</button>
        </div>
        <label for="bo-pay-confirmations">{t('bo.pay.confirmations')}</label>
        <input id="bo-pay-confirmations" name="confirmations" inputMode="numeric" autoComplete="off" placeholder={policy.kind === 'blocks' ? String(policy.count) : 'finalized'} />
        <p class="bo-muted">{t('bo.pay.confirmationsDefault', { count: policy.kind === 'blocks' ? policy.count : 'finalized' })}</p>
        <label for="bo-pay-rate-kind">{t('setup.pay.rate')}</label>
        <select id="bo-pay-rate-kind" value={rateKind} onChange={(e) => setRateKind((e.target as HTMLSelectElement).value as 'peg' | 'manual' | 'http')}>
          <option value="peg">{t('setup.pay.rate.peg')}</option>
          <option value="manual">{t('setup.pay.rate.manual')}</option>
          <option value="http">{t('setup.pay.rate.http')}</option>
        </select>
        {rateKind === 'http' ? (
          <>
            <label for="bo-pay-rate-url">{t('setup.pay.rateUrl')}</label>
            <input id="bo-pay-rate-url" name="rateUrl" inputMode="url" autoComplete="off" spellcheck={false} />
            <label for="bo-pay-rate-path">{t('setup.pay.ratePath')}</label>
            <input id="bo-pay-rate-path" name="ratePath" autoComplete="off" spellcheck={false} />
            <label for="bo-pay-rate-age">{t('setup.pay.rateAge')}</label>
            <input id="bo-pay-rate-age" name="rateAge" inputMode="numeric" autoComplete="off" defaultValue="300" />
          </>
        ) : null}
        <div class="linebar">
          {/* Saving is offered once the URL passed its test; the till tests it again before it saves. */}
          <button type="submit" disabled={!tested}>{t('bo.pay.save')}</button>
        </div>
      </form>
      <OutcomeBox outcome={outcome} />
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
        <form
          ref={form}
          class="bo-form"
          onSubmit={(e) => {
            e.preventDefault()
            void save()
          }}
        >
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
          <div class="linebar">
            <button type="submit">{t('bo.details.save')}</button>
          </div>
        </form>
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
      <form
        class="bo-form"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
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
        <div class="linebar">
          <button type="button" class="secondary" disabled={shown.length >= 8} onClick={() => setRows([...shown, { name: '', percent: '' }])}>
            {t('setup.store.addRate')}
          </button>
          <button type="submit">{t('bo.taxRates.save')}</button>
        </div>
      </form>
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
        <form
          class="bo-form"
          onSubmit={(e) => {
            e.preventDefault()
            void save()
          }}
        >
          <label for="bo-card-fee">{t('setup.pay.cardFee')}</label>
          <input id="bo-card-fee" ref={input} inputMode="decimal" maxLength={12} autoComplete="off" defaultValue={ppmToPercent(current.cardFeePpm)} aria-describedby="bo-card-fee-hint" />
          <p id="bo-card-fee-hint" class="bo-muted">
            {t('setup.pay.cardFeeHint')}
          </p>
          <div class="linebar">
            <button type="submit">{t('bo.cardFee.save')}</button>
          </div>
        </form>
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
      <form
        class="bo-form"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        <PrinterFields prefix="bo-printer" value={shownPrinter} onChange={setPrinter} />
        <DisplayField id="bo-display" value={shownDisplay} onChange={setDisplay} />
        <div class="linebar">
          <button type="button" class="secondary" onClick={() => void testPrint()}>
            {t('setup.dev.testPrint')}
          </button>
          <button type="submit">{t('bo.devices.save')}</button>
        </div>
      </form>
      <OutcomeBox outcome={outcome} />
    </Panel>
  )
}
