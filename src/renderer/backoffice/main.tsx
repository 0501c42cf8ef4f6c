// Back office: navigation (Today, Sales, Payments, Day close, Exports, Catalog, Staff, Settings, Devices) over
// sections on one page. Sections without content yet say what they are coming with, never show made-up data.
import { render } from 'preact'
import { useEffect } from 'preact/hooks'
import { startPage, store, t, unwrap } from '../common/page'
import { Dialogs, LinkBanner } from '../common/ui'
import type { MessageKey } from '../../shared/i18n'
import {
  DrawerSection, health, JournalSection, loadPayments, loadPreview, loadPrinter, loadSales, loadScanners, PaymentsSection, Placeholder, PrinterSection,
  printer, RateSection, ReceiptPreview, SalesSection, ScannersSection, scannerStatus, ScannerTest, StoreSection
} from './sections'
import { api } from '../common/page'
import { IntegritySection, loadIntegrity, watchIntegrity } from './integrity'

const NAV: readonly { id: string; label: MessageKey }[] = [
  { id: 'today', label: 'bo.nav.today' },
  { id: 'sales', label: 'bo.nav.sales' },
  { id: 'payments', label: 'bo.nav.payments' },
  { id: 'day-close', label: 'bo.nav.dayclose' },
  { id: 'exports', label: 'bo.nav.exports' },
  { id: 'catalog', label: 'bo.nav.catalog' },
  { id: 'staff', label: 'bo.nav.staff' },
  { id: 'settings', label: 'bo.nav.settings' },
  { id: 'devices', label: 'bo.nav.devices' }
]

async function switchLanguage(): Promise<void> {
  const info = await unwrap(api().call['settings:set-locale']({ locale: store.value?.locale === 'en' ? 'zh-CN' : 'en' }), () => undefined)
  if (info) store.value = info
}

function BackOffice() {
  useEffect(() => {
    document.title = `Stabletill — ${t('backoffice.title')}`
  })
  return (
    <>
      <header class="bar bo-header">
        <h1>{`${store.value!.storeName} · ${t('backoffice.title')}`}</h1>
        <button type="button" id="bo-language" class="secondary" aria-label={t('language')} onClick={() => void switchLanguage()}>
          {t('language.switch')}
        </button>
      </header>
      <LinkBanner />
      <nav class="bo-nav" aria-label={t('backoffice.title')}>
        {NAV.map((item) => (
          <a key={item.id} href={`#${item.id}`}>
            {t(item.label)}
          </a>
        ))}
      </nav>
      <main class="bo bo-layout">
        <div class="bo-col bo-side">
          <ReceiptPreview />
        </div>
        <div class="bo-col">
          <SalesSection />
          <JournalSection />
          <PaymentsSection />
          <Placeholder id="day-close" label={t('bo.nav.dayclose')} coming={t('bo.coming.dayclose')} />
          <Placeholder id="exports" label={t('bo.nav.exports')} coming={t('bo.coming.exports')} />
          <Placeholder id="catalog" label={t('bo.nav.catalog')} coming={t('bo.coming.catalog')} />
          <Placeholder id="staff" label={t('bo.nav.staff')} coming={t('bo.coming.staff')} />
          <StoreSection />
          <IntegritySection />
          <RateSection />
          <PrinterSection />
          <DrawerSection />
          <ScannersSection />
          <ScannerTest />
        </div>
      </main>
      <Dialogs />
    </>
  )
}

async function main(): Promise<void> {
  const page = await startPage('backoffice')
  page.api.on('printer:changed', (state) => {
    printer.value = state
    void loadPreview()
  })
  page.api.on('scanner:status', (status) => {
    scannerStatus.value = new Map(scannerStatus.value).set(status.deviceKey, status)
    void loadScanners()
  })
  page.api.on('chain:health-changed', (value) => (health.value = value))
  watchIntegrity((listener) => page.api.on('ledger:integrity-changed', listener))
  const loadAll = () => Promise.all([loadPrinter(), loadPreview(), loadSales(), loadScanners(), loadPayments(), loadIntegrity()])
  page.onReconnect(() => void loadAll())
  await loadAll()
  render(<BackOffice />, document.getElementById('app')!)
  // Events keep the printer current; the poll catches sales from the counter and anything missed.
  setInterval(() => void Promise.all([loadSales(), loadPrinter(), loadPayments()]), 5000)
  document.body.dataset.ready = 'true'
}

void main()
