// Back office: navigation (Today, Sales, Payments, Day close, Exports, Catalog, Staff, Settings, Devices) over
// sections on one page. Sections without content yet say what they are coming with, never show made-up data.
import { render } from 'preact'
import { useEffect } from 'preact/hooks'
import { startPage, store, t, unwrap } from '../common/page'
import { Dialogs, LinkBanner } from '../common/ui'
import type { MessageKey } from '../../shared/i18n'
import {
  DrawerSection, health, JournalSection, loadPayments, loadPreview, loadPrinter, loadSales, loadScanners, PaymentsSection, PrinterSection,
  printer, RateSection, ReceiptPreview, SalesSection, ScannersSection, scannerStatus, ScannerTest, StoreSection, verifyProgress, loadHeadOffice
} from './sections'
import { api } from '../common/page'
import { CatalogSection } from './catalog'
import { CardFeeSection, DevicesSettingsSection, LimitsSection, PaymentSettingsSection, StoreDetailsSection, TaxRatesSection } from './settings'
import { loadStaff, StaffSection } from './staff'
import { loadSession, session, SessionBar } from '../common/session'
import { closeProgressed, DayCloseSection, loadShift, loadZList, shift } from './dayclose'
import { ExportsSection } from './exports'
import { progress, ReconciliationSection } from './reconciliation'
import { loadToday, TodaySection } from './today'
import { IntegritySection, loadIntegrity, watchIntegrity } from './integrity'
import { loadReturns, returnChanged, ReturnsSection } from './returns'
import { SetupPage } from '../setup/wizard'

const NAV: readonly { id: string; label: MessageKey }[] = [
  { id: 'today', label: 'bo.nav.today' },
  { id: 'sales', label: 'bo.nav.sales' },
  { id: 'payments', label: 'bo.nav.payments' },
  { id: 'day-close', label: 'bo.nav.dayclose' },
  { id: 'exports', label: 'bo.nav.exports' },
  { id: 'catalog', label: 'bo.nav.catalog' },
  { id: 'staff', label: 'bo.nav.staff' },
  { id: 'settings', label: 'bo.nav.settings' },
  { id: 'devices', label: 'bo.nav.devices' },
  { id: 'returns', label: 'bo.nav.returns' }
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
        <SessionBar />
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
          <TodaySection />
          <SalesSection />
          <JournalSection />
          <PaymentsSection />
          <DayCloseSection />
          <ReconciliationSection />
          <ExportsSection />
          <CatalogSection />
          <StaffSection />
          <StoreSection />
          <StoreDetailsSection />
          <TaxRatesSection />
          <IntegritySection />
          <RateSection />
          <PaymentSettingsSection />
          <CardFeeSection />
          <LimitsSection />
          <DevicesSettingsSection />
          <PrinterSection />
          <DrawerSection />
          <ScannersSection />
          <ScannerTest />
          <ReturnsSection />
        </div>
      </main>
      <Dialogs />
    </>
  )
}

async function main(): Promise<void> {
  const page = await startPage('backoffice')
  // A new till's back office is its set-up until the store exists (src/renderer/setup/wizard.tsx says why).
  const setup = await page.api.call['setup:status']({})
  if (setup.ok && setup.value.pending) {
    render(<SetupPage demoAvailable={setup.value.demoAvailable} />, document.getElementById('app')!)
    document.body.dataset.ready = 'true'
    return
  }
  page.api.on('printer:changed', (state) => {
    printer.value = state
    void loadPreview()
  })
  page.api.on('scanner:status', (status) => {
    scannerStatus.value = new Map(scannerStatus.value).set(status.deviceKey, status)
    void loadScanners()
  })
  page.api.on('chain:health-changed', (value) => (health.value = value))
  page.api.on('staff:changed', (value) => (session.value = value))
  page.api.on('shift:changed', (value) => {
    shift.value = value
    void Promise.all([loadToday(), loadZList()])
  })
  page.api.on('reconcile:progress', (value) => (progress.value = value))
  page.api.on('return:changed', (value) => returnChanged(value))
  page.api.on('ledger:verify-progress', (value) => (verifyProgress.value = value))
  page.api.on('shift:close-progress', (value) => closeProgressed(value))
  const loadAll = () => Promise.all([loadPrinter(), loadPreview(), loadSales(), loadScanners(), loadPayments(), loadStaff(), loadSession(), loadToday(), loadShift(), loadZList(), loadIntegrity(), loadReturns(), loadHeadOffice()])
  watchIntegrity((listener) => page.api.on('ledger:integrity-changed', listener))
  page.onReconnect(() => void loadAll())
  await loadAll()
  render(<BackOffice />, document.getElementById('app')!)
  // Events keep the printer current; the poll catches sales from the counter and anything missed.
  setInterval(() => void Promise.all([loadSales(), loadPrinter(), loadPayments(), loadToday(), loadHeadOffice()]), 5000)
  document.body.dataset.ready = 'true'
}

void main()
