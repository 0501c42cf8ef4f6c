// The till without its windows: ledger, services, api registry and events. Both hosts build on this: Electron's
// main process (src/main/index.ts) and the browser harness (src/main/harness). It never imports 'electron'.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../shared/clock'
import { systemClock } from '../shared/clock'
import { paymentSettingsSchema, type PaymentSettingsInput } from '../shared/payment/settings'
import type { TokenInfo } from '../shared/payment/tokens'
import { isKnownCurrency, parseDecimalUnits } from '../shared/money'
import { TillError } from '../shared/result'
import { createRegistry, type Handlers, type Registry } from './api/registry'
import type { RateProvider } from './chain/rates'
import type { ScannerManager } from './devices/scanner/scanner-manager'
import { EventBus } from './events'
import { openLedger, type Db } from './ledger/db'
import { appendJournal, verifyJournal } from './ledger/journal'
import { claimDataFolder } from './ledger/lock'
import { readSetting } from './ledger/settings'
import { ApprovalService, makeManager } from './services/approvals'
import { CatalogService, catalogFileSchema } from './services/catalog'
import { StablecoinCheckout } from './services/checkout'
import { PaymentService } from './services/payments'
import { ReceiptService } from './services/receipts'
import { SaleService } from './services/sale'
import { ScannerSettingsService } from './services/scanners'
import { shiftHandlers } from './services/shift-handlers'
import { dayHandlers } from './services/day-handlers'
import { defaultStoreSettings, StoreService, type StoreSettings } from './services/store'

export interface PaymentsOptions {
  readonly settings: PaymentSettingsInput
  /** The demo chain's USDC, deployed at runtime. */
  readonly demoUsdcAddress?: string
  /** Runtime-deployed tokens on the local chain (tests). */
  readonly localTokens?: readonly TokenInfo[]
  readonly rateProvider?: RateProvider
  readonly watcher?: { readonly maxRange?: number; readonly rescanDepth?: number; readonly startBacklog?: number; readonly idleMaxIntervalMs?: number }
  /** Start the watcher loop (default true); tests may drive it with pollOnce instead. */
  readonly startWatcher?: boolean
}

export interface AppOptions {
  /** Folder for the ledger file and device output. Created if missing. */
  readonly dataDir: string
  readonly clock?: Clock
  /** Folder holding demo-catalog.json and other bundled resources. */
  readonly resourcesDir?: string
  /** Settings for a brand-new store (first start); the demo store otherwise. */
  readonly initialSettings?: Partial<StoreSettings>
  /** The manager PIN created with a new store (demo: 1234). */
  readonly initialManagerPin?: string
  /** Stablecoin payments; omitted: the till sells for cash only and says so. */
  readonly payments?: PaymentsOptions
  /** Demo store only: pays a request from the simulated customer's wallet. */
  readonly simulatePayment?: (request: { readonly uri: string }) => Promise<string>
  /** HID scanners (node-hid); their scans go through the same path as wedge and manual entry. */
  readonly scanners?: ScannerManager
  /** IANA time zone printed on receipts (default: the machine's). */
  readonly timeZone?: string
}

export interface App {
  readonly db: Db
  readonly dataDir: string
  readonly clock: Clock
  readonly events: EventBus
  readonly registry: Registry
  readonly store: StoreService
  readonly catalog: CatalogService
  readonly sales: SaleService
  readonly approvals: ApprovalService
  readonly receipts: ReceiptService
  readonly payments: PaymentService | null
  readonly checkout: StablecoinCheckout
  close(): Promise<void>
}

export const LEDGER_FILE = 'stabletill.sqlite'
export const DEMO_MANAGER_PIN = '1234'

export function defaultResourcesDir(): string {
  // Source checkout and built app both keep resources/ at the repository (or app) root.
  return join(__dirname, '..', '..', 'resources')
}

/** The store's stablecoin settings saved in the ledger (key 'payments'), validated; null when none are saved. */
function storedPaymentOptions(db: Db): PaymentsOptions | null {
  const settings = readSetting(db, 'payments', paymentSettingsSchema)
  return settings ? { settings } : null
}

export function createApp(options: AppOptions): App {
  mkdirSync(options.dataDir, { recursive: true })
  const clock = options.clock ?? systemClock
  // One till process per data folder, and a lost ledger is refused rather than replaced (ledger/lock.ts).
  const folder = claimDataFolder(options.dataDir, LEDGER_FILE)
  const db = folder.open(() => openLedger(join(options.dataDir, LEDGER_FILE)))
  const events = new EventBus()
  const store = new StoreService(db)
  const catalog = new CatalogService(db)
  const approvals = new ApprovalService(db, clock, () => store.settings().tillId)
  if (!store.isInitialized()) {
    const settings: StoreSettings = { ...defaultStoreSettings, ...options.initialSettings }
    const resources = options.resourcesDir ?? defaultResourcesDir()
    const demoCatalog = catalogFileSchema.parse(JSON.parse(readFileSync(join(resources, 'demo-catalog.json'), 'utf8')))
    const manager = makeManager('M1', 'Manager', options.initialManagerPin ?? DEMO_MANAGER_PIN)
    db.transaction(() => {
      store.save(settings)
      approvals.saveManagers([manager])
      const counts = catalog.importCatalog(demoCatalog)
      appendJournal(db, { at: clock.now(), tillId: settings.tillId, kind: 'store.created', payload: { storeName: settings.storeName, currency: settings.currency, products: counts.products, barcodes: counts.barcodes } })
    }).immediate()
  }
  const sales = new SaleService({ db, clock, store, catalog, events })
  const receipts = new ReceiptService({ db, clock, store, events, dataDir: options.dataDir, timeZone: options.timeZone })
  sales.onCompleted((sale) => receipts.afterSale(sale))

  // Stablecoin settings come from the host (the demo chain's runtime address) or from the store's ledger.
  const paymentOptions = options.payments ?? storedPaymentOptions(db)
  const payments = paymentOptions
    ? new PaymentService({
        db,
        clock,
        tillId: store.settings().tillId,
        settings: paymentOptions.settings,
        demoUsdcAddress: paymentOptions.demoUsdcAddress,
        localTokens: paymentOptions.localTokens,
        rateProvider: paymentOptions.rateProvider,
        watcher: paymentOptions.watcher
      })
    : null
  payments?.onHealth((health) => events.emit('chain:health-changed', health))
  const checkout = new StablecoinCheckout({ payments, sales, store, events, simulate: options.simulatePayment })
  if (payments && paymentOptions?.startWatcher !== false) {
    payments.start()
    void checkout.verifyTokens()
  }

  const scanners = new ScannerSettingsService(db, events, options.scanners ?? null)
  // A scanner in keyboard mode read through hidraw is still a keyboard to the OS, which also types the code into the
  // focused window, where the wedge detector sees it a moment after the HID reports arrived. That echo (the same
  // code by wedge within this window after a HID keyboard scan) is the same physical scan and is dropped, once.
  const WEDGE_ECHO_MS = 1500
  let lastHidKeyboardScan: { code: string; at: number } | null = null
  const isWedgeEcho = (code: string): boolean => {
    const echo = lastHidKeyboardScan !== null && lastHidKeyboardScan.code === code && clock.now() - lastHidKeyboardScan.at <= WEDGE_ECHO_MS
    if (echo) lastHidKeyboardScan = null
    return echo
  }

  const unsubscribeScanners = options.scanners?.on('scan', (scan) => {
    if (scan.source === 'hid-keyboard') lastHidKeyboardScan = { code: scan.code.trim(), at: clock.now() }
    try {
      sales.scan(scan.code, 'hid')
    } catch (e) {
      const message = e instanceof TillError ? e.message : 'The scan could not be added.'
      events.emit('scan:rejected', { code: scan.code.slice(0, 100), message })
    }
  })

  const requirePayments = (): PaymentService => {
    if (!payments) throw new TillError('unavailable', 'No blockchain is set up for stablecoin payments on this till.')
    return payments
  }
  const handlers: Handlers = {
    'store:info': () => store.info(),
    'sale:current': () => sales.current(),
    'sale:scan': ({ code, source }) => {
      if (source === 'wedge' && isWedgeEcho(code.trim())) {
        const open = sales.current()
        if (open) return open
      }
      return sales.scan(code, source)
    },
    'sale:set-quantity': ({ lineId, quantity }) => sales.setQuantity(lineId, quantity),
    'sale:void-line': ({ lineId }) => sales.voidLine(lineId),
    'sale:discount-line': ({ lineId, percent, pin }) => {
      // percent with 4 decimals is exactly parts per million (1 % = 10,000 ppm).
      const ppm = parseDecimalUnits(percent, 4)
      if (ppm === null || ppm > 1_000_000n) throw new TillError('invalid-input', `${percent} % is not a discount: give 0 to 100.`)
      return sales.discountLine(lineId, Number(ppm), approvals.approve(pin, 'sale.discount', lineId).id)
    },
    'sale:tender-cash': ({ receivedMinor }) => sales.tenderCash(receivedMinor),
    'sale:complete': () => sales.complete(),
    'sale:void': ({ pin, reason }) => {
      const open = sales.current()
      if (!open) throw new TillError('no-open-sale', 'There is no open sale to void.')
      return sales.voidSale(approvals.approve(pin, 'sale.void', open.id).id, reason)
    },
    'sale:get': ({ saleId }) => sales.get(saleId),
    'sales:list': ({ limit }) => sales.list(limit),
    'ledger:verify': () => verifyJournal(db),
    'settings:set-locale': ({ locale }) => {
      const info = db.transaction(() => {
        const saved = store.save({ ...store.settings(), locale })
        appendJournal(db, { at: clock.now(), tillId: saved.tillId, kind: 'settings.locale-changed', payload: { locale } })
        return store.info()
      }).immediate()
      events.emit('store:changed', info)
      return info
    },
    'payment:options': () => checkout.options(),
    'payment:request': ({ chainId, token }) => checkout.request(chainId, token),
    'payment:current': () => checkout.current(),
    'payment:cancel': ({ paymentId }) => checkout.cancel(paymentId),
    'payment:accept': ({ paymentId, pin }) => checkout.accept(paymentId, approvals.approve(pin, 'payment.accept', paymentId).id),
    'payment:release-unverified': ({ paymentId, pin }) => checkout.releaseUnverified(paymentId, approvals.approve(pin, 'payment.release-unverified', paymentId).id),
    'payment:record-overpayment': ({ paymentId }) => checkout.recordOverpayment(paymentId),
    'payment:simulate': ({ paymentId }) => checkout.simulate(paymentId),
    'drawer:no-sale': ({ pin }) => receipts.noSale(approvals.approve(pin, 'drawer.no-sale', null).id),
    'printer:state': () => receipts.state(),
    'printer:retry': ({ jobId }) => receipts.retry(jobId),
    'printer:reprint': ({ saleId }) => receipts.reprint(saleId),
    'printer:preview': ({ jobId }) => receipts.preview(jobId),
    'scanners:list': () => scanners.list(),
    'scanners:select': ({ selections }) => scanners.select(selections),
    'settings:update-store': ({ pin, ...changes }) => {
      const manager = approvals.approve(pin, 'settings.store', null)
      if (sales.current()) throw new TillError('conflict', 'Finish or void the open sale before changing the store settings.')
      if (changes.currency && !isKnownCurrency(changes.currency)) throw new TillError('invalid-input', `${changes.currency} is not an ISO 4217 currency this till knows.`)
      const info = db.transaction(() => {
        const current = store.settings()
        const saved = store.save({
          ...current,
          ...(changes.storeName !== undefined ? { storeName: changes.storeName } : {}),
          ...(changes.currency !== undefined ? { currency: changes.currency } : {}),
          ...(changes.taxMode !== undefined ? { taxMode: changes.taxMode } : {}),
          receipt: { headerLines: changes.headerLines ?? current.receipt.headerLines, footerLines: changes.footerLines ?? current.receipt.footerLines }
        })
        appendJournal(db, { at: clock.now(), tillId: saved.tillId, kind: 'settings.store-changed', payload: { managerId: manager.id, ...changes } })
        return store.info()
      }).immediate()
      events.emit('store:changed', info)
      return info
    },
    'rates:set-manual': ({ pin, currency, token, fiatPerToken }) => {
      if (!payments) throw new TillError('unavailable', 'No blockchain is set up for stablecoin payments on this till.')
      const manager = approvals.approve(pin, 'rate.manual', `${token}/${currency}`)
      return payments.manualRates.set(currency, token, fiatPerToken, manager.id)
    },
    'payment:unattributed': () => payments?.unattributedTransfers() ?? [],
    'chain:health': () => payments?.health() ?? [],
    'payment:resolve-transfer': ({ pin, ...input }) => {
      const payments = requirePayments()
      const manager = approvals.approve(pin, 'payment.resolve-transfer', `${input.txHash}#${input.logIndex}`)
      return payments.resolveTransfer(input, manager.id)
    },
    'payment:assignable': ({ chainId, txHash, logIndex }) => requirePayments().assignableRequests(chainId, txHash, logIndex),
    'payment:reversals': () => payments?.openReversals() ?? [],
    'payment:resolve-reversal': ({ paymentId, note, pin }) => requirePayments().resolveReversal(paymentId, note, approvals.approve(pin, 'payment.resolve-reversal', paymentId).id),
    ...shiftHandlers({ db, clock, store, events, approve: (pin, action, subject) => approvals.approve(pin, action, subject) }),
    ...dayHandlers({ db, clock, store, events, payments, dataDir: options.dataDir, timeZone: options.timeZone })
  }
  const registry = createRegistry(handlers)
  // Jobs left queued by the last run (printer was off, till was closed) go out now.
  void receipts.kick()

  return {
    db,
    dataDir: options.dataDir,
    clock,
    events,
    registry,
    store,
    catalog,
    sales,
    approvals,
    receipts,
    payments,
    checkout,
    async close() {
      unsubscribeScanners?.()
      await payments?.stop()
      await receipts.close()
      db.close()
      folder.release()
    }
  }
}
