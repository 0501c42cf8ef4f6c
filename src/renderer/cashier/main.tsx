// Cashier window: keyboard-first. Wedge scans work anywhere in the window; manual entry in the Barcode box.
import { render } from 'preact'
import { effect } from '@preact/signals'
import { startPage, store } from '../common/page'
import { notify } from '../common/ui'
import { configureKeyboard, installKeyboard, keyboardReady } from './keyboard'
import { Cashier } from './panels'
import { health, lineChanged, loadAll, payment, printer, saleChanged } from './state'
import { wordError } from '../common/page'
import { loadSession, session, signIn } from '../common/session'
import { catalogMoved, loadProductIndex } from './product-index'

// Before anything is awaited, so no key of a scan made during start-up is lost.
installKeyboard()

async function main(): Promise<void> {
  const page = await startPage('cashier')
  page.api.on('sale:changed', saleChanged)
  page.api.on('sale:line-changed', lineChanged)
  page.api.on('scan:rejected', (r) => notify('alert', r.error ? wordError(r.error) : r.message))
  page.api.on('payment:changed', (value) => (payment.value = value))
  page.api.on('printer:changed', (state) => (printer.value = state))
  page.api.on('chain:health-changed', (value) => (health.value = value))
  page.api.on('staff:changed', (value) => (session.value = value))
  page.api.on('catalog:changed', (changed) => void catalogMoved(changed.version))
  // A currency or tax-rate change, or events missed while the link was down: the index checks its version.
  page.api.on('store:changed', () => void catalogMoved(null))
  page.onReconnect(() => {
    void loadAll().then(loadSession)
    void catalogMoved(null)
  })
  effect(() => {
    if (store.value) configureKeyboard(store.value.wedge)
  })
  await loadAll()
  await loadSession()
  render(<Cashier />, document.getElementById('app')!)
  document.body.dataset.ready = 'true'
  // A real shop's till starts locked: the sign-in is the first thing it asks. Signed in, the keyboard starts in the
  // Barcode box (it started on the page, where a code typed by hand went nowhere).
  if (!session.value) void signIn()
  else document.getElementById('barcode')?.focus()
  await keyboardReady()
  // After ready-to-scan, never before it: until the index is in, scans take the normal way (the till's answer).
  await loadProductIndex()
}

void main()
