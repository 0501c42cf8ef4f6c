// Back office: the last receipt as the printer rendered it, the print queue, the cash drawer (no sale), HID scanner
// selection, journal verification and the day's sales. Each section re-renders on its own, so a printer event or
// the sales poll never disturbs the control a manager is using in another section.
import type { PrinterState, PrintJobView, SaleSummary, ScannerDeviceView, ScannerStatusView } from '../../shared/api/views'
import { intlLocale } from '../../shared/i18n'
import { formatMoney } from '../../shared/money'
import type { Result } from '../../shared/result'
import { askManagerPin } from '../cashier/approval'
import { h } from '../common/dom'
import { startPage, type Page } from '../common/page'

/** A section's last outcome. Our own sentences are kept as thunks so they follow a language switch. */
type Message = { kind: 'alert' | 'notice'; text: () => string } | null
type Section = 'preview' | 'printer' | 'drawer' | 'scanners' | 'journal' | 'sales' | 'store' | 'rate'

let page: Page
let printer: PrinterState | null = null
let preview: { jobId: number; svg: string } | null = null
let sales: readonly SaleSummary[] = []
let scanners: readonly ScannerDeviceView[] = []
/** Unsaved checkbox choices by deviceKey; null while the table shows what is saved. */
let scannerDraft: Map<string, boolean> | null = null
const scannerStatus = new Map<string, ScannerStatusView>()
const messages: Record<Section, Message> = { preview: null, printer: null, drawer: null, scanners: null, journal: null, sales: null, store: null, rate: null }
/** What the manager is typing in the settings forms, kept across re-renders; null fields show the saved value. */
const storeDraft: { storeName: string | null; currency: string | null; inclusive: boolean | null } = { storeName: null, currency: null, inclusive: null }
const rateDraft = { token: 'USDC' as 'USDC' | 'USDT', fiatPerToken: '' }

const app = document.getElementById('app')!
// One <img> for the page's life: re-rendering the section moves it, and its src changes only with the receipt.
const previewImg = h('img', { class: 'bo-receipt-img', decoding: 'async' })
const sections = new Map<Section, HTMLElement>()
// Sections are rebuilt, and a live region created together with its text is not reliably read out; this one lives
// as long as the page and repeats each outcome for screen readers (visually hidden, no role of its own).
const announcer = h('div', { class: 'bo-sr', 'aria-live': 'polite' })

function say(section: Section, kind: 'alert' | 'notice', text: string | (() => string)): void {
  messages[section] = { kind, text: typeof text === 'string' ? () => text : text }
  renderSection(section)
  announcer.textContent = messages[section]!.text()
}

function messageBox(section: Section): HTMLElement | null {
  const message = messages[section]
  return message ? h('div', { class: message.kind, role: message.kind === 'alert' ? 'alert' : 'status' }, message.text()) : null
}

/** Unwraps a call's result; a refusal becomes that section's alert. */
async function run<T>(section: Section, call: Promise<Result<T>>): Promise<T | null> {
  const r = await call
  if (!r.ok) {
    say(section, 'alert', r.error.message)
    return null
  }
  return r.value
}

// ---- loading ----

let previewRequest = 0
async function loadPreview(): Promise<void> {
  // Printer events come in bursts; only the answer to the newest request is shown.
  const request = ++previewRequest
  const r = await page.api.call['printer:preview']({})
  if (request !== previewRequest || !r.ok) return
  if (r.value?.jobId === preview?.jobId && r.value?.svg === preview?.svg) return
  preview = r.value
  previewImg.src = preview ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(preview.svg)}` : ''
  renderSection('preview')
}

function setPrinter(state: PrinterState): void {
  if (JSON.stringify(state) === JSON.stringify(printer)) return
  printer = state
  renderSection('printer')
  renderSection('preview') // the reprint button needs the newest receipt job's sale
}

async function loadPrinter(): Promise<void> {
  const r = await page.api.call['printer:state']({})
  if (r.ok) setPrinter(r.value)
}

async function loadSales(): Promise<void> {
  const r = await page.api.call['sales:list']({ limit: 50 })
  if (!r.ok || JSON.stringify(r.value) === JSON.stringify(sales)) return
  sales = r.value
  renderSection('sales')
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

async function loadScanners(): Promise<void> {
  const r = await page.api.call['scanners:list']({})
  if (!r.ok) return say('scanners', 'alert', r.error.message)
  scanners = oneRowPerDevice(r.value)
  renderSection('scanners')
}

// ---- actions ----

function jobOfPreview(): PrintJobView | null {
  const jobs = printer?.jobs ?? []
  return jobs.find((j) => j.id === preview?.jobId) ?? jobs.find((j) => (j.kind === 'receipt' || j.kind === 'reprint') && j.saleId !== null) ?? null
}

async function reprintLast(): Promise<void> {
  const saleId = jobOfPreview()?.saleId
  if (!saleId) return say('preview', 'alert', () => page.t('bo.reprint.none'))
  const job = await run('preview', page.api.call['printer:reprint']({ saleId }))
  if (!job) return
  say('preview', 'notice', () => page.t('bo.reprint.queued', { id: job.id, sale: saleId }))
  await Promise.all([loadPrinter(), loadPreview()])
}

async function retry(jobId: number): Promise<void> {
  const job = await run('printer', page.api.call['printer:retry']({ jobId }))
  if (!job) return
  say('printer', 'notice', () => page.t('bo.retry.done', { id: job.id }))
  await loadPrinter()
}

async function noSale(): Promise<void> {
  const pin = await askManagerPin(page, page.t('drawer.nosale'))
  // The dialog was cancelled: leave the button focused for the next try.
  if (pin === null) return document.getElementById('bo-no-sale')?.focus()
  const job = await run('drawer', page.api.call['drawer:no-sale']({ pin }))
  if (job) say('drawer', 'notice', () => page.t('bo.drawer.opened', { id: job.id }))
  document.getElementById('bo-no-sale')?.focus()
}

async function verify(): Promise<void> {
  const r = await run('journal', page.api.call['ledger:verify']({}))
  if (!r) return
  if (r.ok) say('journal', 'notice', () => page.t('backoffice.verify.ok', { entries: r.entries, hash: r.lastHash.slice(0, 16) }))
  else say('journal', 'alert', () => page.t('backoffice.verify.bad', { seq: r.firstBadSeq, reason: r.reason }))
}

function scannerChecked(device: ScannerDeviceView): boolean {
  return scannerDraft?.get(device.deviceKey) ?? device.selected
}

async function saveScanners(): Promise<void> {
  const selections = scanners
    .filter(scannerChecked)
    .map((d) => ({ vendorId: d.vendorId, productId: d.productId, ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}), mode: 'auto' as const }))
  const saved = await run('scanners', page.api.call['scanners:select']({ selections }))
  if (!saved) return
  scanners = oneRowPerDevice(saved)
  scannerDraft = null
  say('scanners', 'notice', () => page.t('bo.scanners.saved', { count: selections.length }))
}

async function switchLanguage(): Promise<void> {
  const info = await run('sales', page.api.call['settings:set-locale']({ locale: page.store.locale === 'en' ? 'zh-CN' : 'en' }))
  if (info) setStore(info)
}

function setStore(info: Page['store']): void {
  const focusId = document.activeElement?.id
  page.store = info
  document.documentElement.lang = info.locale
  renderAll()
  if (focusId) document.getElementById(focusId)?.focus()
}

// ---- rendering ----

function table(label: string, head: readonly (string | [string, string])[], rows: readonly HTMLElement[]): HTMLElement {
  return h(
    'div',
    { class: 'bo-tablewrap' },
    h(
      'table',
      { 'aria-label': label },
      h('thead', {}, h('tr', {}, ...head.map((c) => (typeof c === 'string' ? h('th', { scope: 'col' }, c) : h('th', { scope: 'col', class: c[1] }, c[0]))))),
      h('tbody', {}, ...rows)
    )
  )
}

function previewSection(): (Node | null)[] {
  const t = page.t
  const job = jobOfPreview()
  previewImg.alt = t('backoffice.preview')
  return [
    h('h2', { id: 'bo-preview-heading' }, t('bo.preview.heading')),
    preview
      ? h('p', { class: 'bo-muted' }, t('bo.preview.caption', { id: preview.jobId, sale: job?.saleId ?? '—' }), job?.copy ? ` · ${t('bo.preview.copy')}` : '')
      : h('p', { class: 'empty' }, t('bo.preview.none')),
    preview ? h('div', { class: 'bo-paper' }, previewImg) : null,
    h('button', { type: 'button', id: 'bo-reprint', disabled: !job?.saleId, onclick: () => void reprintLast() }, t('backoffice.reprint')),
    messageBox('preview')
  ]
}

function printerSection(): (Node | null)[] {
  const t = page.t
  const state = printer
  const jobs = state?.jobs ?? []
  const rows = jobs.map((j) =>
    h(
      'tr',
      { class: j.status === 'failed' ? 'bo-failed' : null },
      h('td', { class: 'num' }, String(j.id)),
      h('td', { class: 'bo-nowrap' }, j.saleId ?? '—'),
      h('td', { class: 'bo-nowrap' }, t(`bo.kind.${j.kind}`), j.copy && j.kind !== 'reprint' ? ` (${t('bo.preview.copy')})` : ''),
      h('td', {}, t(`bo.job.${j.status}`)),
      h('td', { class: 'num' }, String(j.attempts)),
      h('td', { class: 'bo-error' }, j.lastError ?? ''),
      h(
        'td',
        {},
        j.status === 'failed' || j.status === 'queued'
          ? h('button', { type: 'button', id: `bo-retry-${j.id}`, class: 'secondary', 'aria-label': t('bo.retry.label', { id: j.id }), onclick: () => void retry(j.id) }, t('bo.retry'))
          : null
      )
    )
  )
  return [
    h('h2', {}, t('backoffice.printer')),
    h(
      'dl',
      { class: 'bo-facts' },
      h('dt', {}, t('bo.printer.name')),
      h('dd', {}, state?.printer ?? '—'),
      h('dt', {}, t('bo.printer.pending')),
      h('dd', {}, String(state?.pending ?? 0))
    ),
    state?.lastError ? h('div', { class: 'alert', role: 'alert' }, t('bo.printer.lastError', { message: state.lastError })) : null,
    messageBox('printer'),
    rows.length === 0
      ? h('p', { class: 'empty' }, t('bo.jobs.empty'))
      : table(
          t('bo.jobs'),
          [[t('bo.col.job'), 'num'], t('bo.col.sale'), t('bo.col.kind'), t('col.status'), [t('bo.col.attempts'), 'num'], t('bo.col.error'), t('bo.col.action')],
          rows
        )
  ]
}

function drawerSection(): (Node | null)[] {
  const t = page.t
  return [
    h('h2', {}, t('bo.drawer')),
    h('p', { class: 'bo-muted' }, t('bo.drawer.hint')),
    h('div', { class: 'linebar' }, h('button', { type: 'button', id: 'bo-no-sale', class: 'secondary', onclick: () => void noSale() }, t('drawer.nosale'))),
    messageBox('drawer')
  ]
}

async function saveStore(): Promise<void> {
  const pin = await askManagerPin(page, page.t('bo.store.save'))
  if (pin === null) return
  const info = await run(
    'store',
    page.api.call['settings:update-store']({
      pin,
      storeName: (storeDraft.storeName ?? page.store.storeName).trim(),
      currency: (storeDraft.currency ?? page.store.currency).trim().toUpperCase(),
      taxMode: (storeDraft.inclusive ?? page.store.taxMode === 'inclusive') ? 'inclusive' : 'exclusive'
    })
  )
  if (info) {
    storeDraft.storeName = storeDraft.currency = storeDraft.inclusive = null
    messages.store = { kind: 'notice', text: () => page.t('bo.store.saved') }
    setStore(info)
    document.getElementById('bo-store-save')?.focus()
  }
}

function storeSection(): (Node | null)[] {
  const t = page.t
  return [
    h('h2', {}, t('bo.store')),
    h(
      'form',
      {
        class: 'bo-form',
        onsubmit: (e: Event) => {
          e.preventDefault()
          void saveStore()
        }
      },
      h('label', { for: 'bo-store-name' }, t('bo.store.name')),
      h('input', { id: 'bo-store-name', value: storeDraft.storeName ?? page.store.storeName, maxlength: 80, oninput: (e: Event) => (storeDraft.storeName = (e.target as HTMLInputElement).value) }),
      h('label', { for: 'bo-currency' }, t('bo.store.currency')),
      h('input', { id: 'bo-currency', value: storeDraft.currency ?? page.store.currency, maxlength: 3, autocomplete: 'off', oninput: (e: Event) => (storeDraft.currency = (e.target as HTMLInputElement).value) }),
      h(
        'label',
        { class: 'bo-check' },
        h('input', {
          type: 'checkbox',
          id: 'bo-inclusive',
          checked: storeDraft.inclusive ?? page.store.taxMode === 'inclusive',
          onchange: (e: Event) => (storeDraft.inclusive = (e.target as HTMLInputElement).checked)
        }),
        ` ${t('bo.store.inclusive')}`
      ),
      h('div', { class: 'linebar' }, h('button', { type: 'submit', id: 'bo-store-save' }, t('bo.store.save')))
    ),
    messageBox('store')
  ]
}

async function saveRate(): Promise<void> {
  const pin = await askManagerPin(page, page.t('bo.rate.save'))
  if (pin === null) return
  const quote = await run('rate', page.api.call['rates:set-manual']({ pin, currency: page.store.currency, token: rateDraft.token, fiatPerToken: rateDraft.fiatPerToken.trim() }))
  if (quote) {
    const text = page.t('bo.rate.saved', { token: rateDraft.token, rate: quote.fiatPerToken, currency: page.store.currency })
    say('rate', 'notice', () => text)
  }
}

function rateSection(): (Node | null)[] {
  const t = page.t
  return [
    h('h2', {}, t('bo.rate')),
    h('p', { class: 'bo-muted' }, t('bo.rate.hint', { currency: page.store.currency })),
    h(
      'form',
      {
        class: 'bo-form',
        onsubmit: (e: Event) => {
          e.preventDefault()
          void saveRate()
        }
      },
      h('label', { for: 'bo-rate-token' }, t('bo.rate.token')),
      h(
        'select',
        { id: 'bo-rate-token', onchange: (e: Event) => (rateDraft.token = (e.target as HTMLSelectElement).value as 'USDC' | 'USDT') },
        h('option', { value: 'USDC', selected: rateDraft.token === 'USDC' }, 'USDC'),
        h('option', { value: 'USDT', selected: rateDraft.token === 'USDT' }, 'USDT')
      ),
      h('label', { for: 'bo-rate' }, t('bo.rate.value', { currency: page.store.currency })),
      h('input', { id: 'bo-rate', inputmode: 'decimal', autocomplete: 'off', value: rateDraft.fiatPerToken, oninput: (e: Event) => (rateDraft.fiatPerToken = (e.target as HTMLInputElement).value) }),
      h('div', { class: 'linebar' }, h('button', { type: 'submit', id: 'bo-rate-save' }, t('bo.rate.save')))
    ),
    messageBox('rate')
  ]
}

function deviceName(device: ScannerDeviceView): string {
  return device.product ?? page.t('bo.scanner.unnamed', { id: usbId(device) })
}

function usbId(device: ScannerDeviceView): string {
  const hex = (n: number) => n.toString(16).padStart(4, '0')
  return `${hex(device.vendorId)}:${hex(device.productId)}`
}

function scannersSection(): (Node | null)[] {
  const t = page.t
  const rows = scanners.map((d, index) => {
    const id = `bo-scanner-${index}`
    const checkbox = h('input', {
      type: 'checkbox',
      id,
      checked: scannerChecked(d),
      'aria-label': t('bo.scanner.use', { product: deviceName(d) }),
      onchange: (e: Event) => {
        scannerDraft ??= new Map()
        scannerDraft.set(d.deviceKey, (e.target as HTMLInputElement).checked)
      }
    })
    return h(
      'tr',
      {},
      h('td', {}, deviceName(d)),
      h('td', {}, d.manufacturer ?? '—'),
      h('td', { class: 'bo-mono' }, usbId(d)),
      h('td', {}, t(d.suggestedMode === 'hid-pos' ? 'bo.mode.hidpos' : d.suggestedMode === 'keyboard' ? 'bo.mode.keyboard' : 'bo.mode.none')),
      h('td', {}, d.connected ? t('bo.yes') : t('bo.no')),
      h('td', {}, h('label', { class: 'bo-check', for: id }, checkbox, h('span', { 'aria-hidden': 'true' }, t('bo.col.use'))))
    )
  })
  const nameOf = (deviceKey: string): string => {
    const device = scanners.find((d) => d.deviceKey === deviceKey)
    return device ? deviceName(device) : deviceKey
  }
  const errors = [...scannerStatus.values()].filter((s) => s.error)
  return [
    h('h2', {}, t('bo.scanners')),
    scanners.length === 0
      ? h('p', { class: 'empty' }, t('bo.scanners.empty'))
      : table(t('bo.scanners'), [t('bo.col.product'), t('bo.col.manufacturer'), t('bo.col.usbId'), t('bo.col.mode'), t('bo.col.connected'), t('bo.col.use')], rows),
    scanners.length === 0 ? null : h('div', { class: 'linebar' }, h('button', { type: 'button', id: 'bo-scanners-save', onclick: () => void saveScanners() }, t('bo.scanners.save'))),
    errors.length > 0 ? h('div', { class: 'alert', role: 'alert' }, ...errors.map((s) => h('div', {}, t('bo.scanner.error', { device: nameOf(s.deviceKey), error: s.error ?? '' })))) : null,
    messageBox('scanners')
  ]
}

function journalSection(): (Node | null)[] {
  const t = page.t
  return [
    h('h2', {}, t('bo.journal')),
    h('div', { class: 'linebar' }, h('button', { type: 'button', id: 'bo-verify', onclick: () => void verify() }, t('backoffice.verify'))),
    messageBox('journal')
  ]
}

function salesSection(): (Node | null)[] {
  const t = page.t
  const fmt = new Intl.DateTimeFormat(intlLocale(page.store.locale), { dateStyle: 'short', timeStyle: 'medium' })
  const rows = sales.map((s) =>
    h(
      'tr',
      {},
      h('td', { class: 'num' }, String(s.number)),
      h('td', {}, t(`bo.sale.${s.status}`)),
      h('td', { class: 'num' }, s.totalMinor === null ? '' : formatMoney(s.totalMinor, s.currency, intlLocale(page.store.locale))),
      h('td', {}, s.closedAt ? fmt.format(s.closedAt) : '')
    )
  )
  return [
    h('h2', {}, t('backoffice.sales')),
    messageBox('sales'),
    rows.length === 0 ? h('p', { class: 'empty' }, t('bo.sales.empty')) : table(t('backoffice.sales'), [[t('col.number'), 'num'], t('col.status'), [t('sale.total'), 'num'], t('col.closed')], rows)
  ]
}

const renderers: Record<Section, () => (Node | null)[]> = {
  preview: previewSection,
  printer: printerSection,
  drawer: drawerSection,
  scanners: scannersSection,
  journal: journalSection,
  sales: salesSection,
  store: storeSection,
  rate: rateSection
}

const labels: Record<Section, () => string> = {
  preview: () => page.t('bo.preview.heading'),
  printer: () => page.t('backoffice.printer'),
  drawer: () => page.t('bo.drawer'),
  scanners: () => page.t('bo.scanners'),
  journal: () => page.t('bo.journal'),
  sales: () => page.t('backoffice.sales'),
  store: () => page.t('bo.store'),
  rate: () => page.t('bo.rate')
}

function renderSection(section: Section): void {
  const el = sections.get(section)
  if (!el) return
  // Controls carry stable ids, so focus survives the section being rebuilt under the manager's hands.
  const focusId = el.contains(document.activeElement) ? document.activeElement?.id : undefined
  el.setAttribute('aria-label', labels[section]())
  el.replaceChildren(...renderers[section]().filter((n): n is Node => n !== null))
  if (focusId) document.getElementById(focusId)?.focus()
}

function renderAll(): void {
  const t = page.t
  document.title = `Stabletill — ${t('backoffice.title')}`
  sections.clear()
  const section = (name: Section, extra = ''): HTMLElement => {
    const el = h('section', { class: `panel bo-${name} ${extra}`.trim() })
    sections.set(name, el)
    return el
  }
  app.replaceChildren(
    h(
      'header',
      { class: 'bar bo-header' },
      h('h1', {}, `${page.store.storeName} · ${t('backoffice.title')}`),
      h('button', { type: 'button', id: 'bo-language', class: 'secondary', 'aria-label': t('language'), onclick: () => void switchLanguage() }, t('language.switch'))
    ),
    h(
      'main',
      { class: 'bo bo-layout' },
      h('div', { class: 'bo-col bo-side' }, section('preview')),
      h('div', { class: 'bo-col' }, section('printer'), section('drawer'), section('scanners'), section('journal'), section('sales'), section('store'), section('rate'))
    ),
    announcer
  )
  for (const name of sections.keys()) renderSection(name)
}

async function main(): Promise<void> {
  page = await startPage('backoffice')
  renderAll()
  page.api.on('store:changed', (info) => setStore(info))
  page.api.on('printer:changed', (state) => {
    setPrinter(state)
    void loadPreview()
  })
  page.api.on('scanner:status', (status) => {
    scannerStatus.set(status.deviceKey, status)
    void loadScanners()
  })
  await Promise.all([loadPrinter(), loadPreview(), loadSales(), loadScanners()])
  // Events keep the printer current; the poll catches sales from the counter and anything missed on a reconnect.
  setInterval(() => void Promise.all([loadSales(), loadPrinter()]), 5000)
  document.body.dataset.ready = 'true'
}

void main()
