// The till without its windows: ledger, services, api registry and events. Both hosts build on this: Electron's
// main process (src/main/index.ts) and the browser harness (src/main/harness). It never imports 'electron'.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../shared/clock'
import { systemClock } from '../shared/clock'
import { paymentSettingsSchema, type PaymentSettingsInput } from '../shared/payment/settings'
import type { TokenInfo } from '../shared/payment/tokens'
import { apiErrorOf, TillError } from '../shared/result'
import { createRegistry, type Handlers, type Registry } from './api/registry'
import type { RateProvider } from './chain/rates'
import type { ScannerManager } from './devices/scanner/scanner-manager'
import { EventBus } from './events'
import { pinTagSource } from './ledger/anchor'
import { openLedger, type Db } from './ledger/db'
import { appendJournal } from './ledger/journal'
import { claimDataFolder } from './ledger/lock'
import { journalState } from './ledger/money-state'
import { readSetting } from './ledger/settings'
import { approvedAtomically, unitOfWork } from './ledger/unit-of-work'
import { StaffService } from './services/approvals'
import { catalogHandlers } from './services/catalog-handlers'
import { settingsHandlers } from './services/settings-handlers'
import { guardHandlers, staffHandlers } from './services/staff-handlers'
import { integrityHandlers } from './services/integrity-handlers'
import { IntegrityService } from './services/integrity'
import { CatalogService, catalogFileSchema } from './services/catalog'
import { StablecoinCheckout } from './services/checkout'
import { PaymentService } from './services/payments'
import { ReceiptService } from './services/receipts'
import { SaleService } from './services/sale'
import { ScannerSettingsService } from './services/scanners'
import { shiftHandlers } from './services/shift-handlers'
import { storeIdOf, tillKeyDir } from './services/day-close'
import { dayHandlers } from './services/day-handlers'
import { refundChainsOf, refundRatesOf, ReturnsService } from './services/returns'
import { returnHandlers } from './services/returns-handlers'
import { returnReceiptData } from './devices/printer/receipt'
import { openSessionId, ShiftService } from './services/shift'
import { todayHandlers } from './services/today-handlers'
import { defaultStoreSettings, StoreService, type StoreSettings } from './services/store'
import { deviceHandlers } from './services/device-handlers'
import { saleHandlers } from './services/sale-handlers'
import { storeHandlers } from './services/store-handlers'
import { setupHandlers } from './services/setup-handlers'
import { WedgeEcho } from './services/wedge-echo'
import { JournalShipper, type HeadOfficeSetting } from './services/shipper'

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
  /**
   * The till key's folder, OUTSIDE the data folder (ledger/anchor.ts): each Z signs the journal head with it and
   * the start-up check verifies from the last signed head. Omitted: nothing is signed, every start verifies it all.
   */
  readonly keyDir?: string
  /** Head office to ship the journal to (services/shipper.ts); absent: the till ships nothing. */
  readonly headOffice?: HeadOfficeSetting
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
  /** Staff, sign-in and approvals (the name kept for the callers that approve). */
  readonly approvals: StaffService
  readonly staff: StaffService
  readonly receipts: ReceiptService
  readonly payments: PaymentService | null
  readonly checkout: StablecoinCheckout
  readonly returns: ReturnsService
  /** The start-up integrity check and its follow-ups ([E] point 4). */
  readonly integrity: IntegrityService
  /** Ships the journal to head office (null: no head office set); its status() is what the back office shows. */
  readonly shipper: JournalShipper | null
  close(): Promise<void>
}

export const LEDGER_FILE = 'stabletill.sqlite'
export const DEMO_MANAGER_PIN = '1234'
/** The demo store's cashier, signed in when the demo starts (so `npm start` sells at once). */
export const DEMO_CASHIER_PIN = '2580'
/** The demo store's owner, who manages its staff. */
export const DEMO_OWNER_PIN = '246810'

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
  // PIN lookup tags keyed with the till key, outside the ledger ([E]: one scrypt per PIN, not one per person).
  const approvals = new StaffService(db, clock, () => store.settings().tillId, pinTagSource(options.keyDir ?? tillKeyDir(), () => storeIdOf(db)))
  if (!store.isInitialized()) {
    const settings: StoreSettings = { ...defaultStoreSettings, ...options.initialSettings }
    const resources = options.resourcesDir ?? defaultResourcesDir()
    const demoCatalog = catalogFileSchema.parse(JSON.parse(readFileSync(join(resources, 'demo-catalog.json'), 'utf8')))
    db.transaction(() => {
      store.save(settings)
      // The demo's published PINs (manager 1234) predate the 6-digit rule for managers: not checked.
      approvals.createInitial(
        [{ name: 'Manager', role: 'manager', pin: options.initialManagerPin ?? DEMO_MANAGER_PIN }, ...(settings.demo ? [{ name: settings.cashier, role: 'cashier' as const, pin: DEMO_CASHIER_PIN }, { name: 'Owner', role: 'owner' as const, pin: DEMO_OWNER_PIN }] : [])],
        false
      )
      const counts = catalog.importCatalog(demoCatalog)
      journalState(db, 'catalog', { at: clock.now(), tillId: settings.tillId, reason: 'store created: catalog imported' })
      appendJournal(db, { at: clock.now(), tillId: settings.tillId, kind: 'store.created', payload: { storeName: settings.storeName, currency: settings.currency, products: counts.products, barcodes: counts.barcodes } })
    }).immediate()
  }
  // ----- [E] point 4: the start-up integrity check, before the first sale (quick_check follows on a worker) -----
  // One key folder and one store id for the signer (each Z, day-close.ts) and the checker here.
  const keyDir = options.keyDir ?? tillKeyDir()
  const integrity = new IntegrityService({
    db,
    clock,
    events,
    ledgerFile: join(options.dataDir, LEDGER_FILE),
    dataDir: options.dataDir,
    keyDir,
    storeId: () => storeIdOf(db),
    tillId: () => store.settings().tillId,
    openSessionId: () => openSessionId(db, store.settings().tillId)
  })
  if (!integrity.current().ok) console.error(`ledger integrity check failed at start: ${integrity.current().firstBad?.reason ?? ''}`)
  void integrity.afterStart()
  if (store.settings().demo) {
    // The demo store sells at once: its cashier is signed in at start (a demo ledger made before staff had no
    // cashier, so it gets one). A real shop's till starts locked until someone signs in with their PIN.
    const people = approvals.list()
    const missing = [
      ...(people.some((p) => p.role === 'owner') ? [] : [{ name: 'Owner', role: 'owner' as const, pin: DEMO_OWNER_PIN }]),
      ...(people.some((p) => p.role === 'cashier' && !p.disabled) ? [] : [{ name: store.settings().cashier, role: 'cashier' as const, pin: DEMO_CASHIER_PIN }])
    ]
    if (missing.length > 0) db.transaction(() => approvals.createInitial(missing, false)).immediate()
    const cashier = approvals.list().find((p) => p.role === 'cashier' && !p.disabled)
    if (cashier) approvals.signInWithoutPin(cashier.id)
  }
  approvals.onSessionChanged((session) => events.emit('staff:changed', session))
  const sales = new SaleService({ db, clock, store, catalog, events, staff: () => approvals.current() })
  const receipts = new ReceiptService({ db, clock, store, events, dataDir: options.dataDir, timeZone: options.timeZone })
  sales.onCompleting((sale) => receipts.queueForSale(sale))
  sales.onCompleted(() => receipts.afterSale())

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

  // Returns and refunds: cash at once, stablecoin once the chain shows the manager's wallet paid the customer.
  const refundRates = payments ? refundRatesOf(payments, clock, paymentOptions?.rateProvider) : null
  const returns = new ReturnsService({
    db,
    clock,
    store,
    events,
    timeZone: options.timeZone,
    chains: () => (payments ? refundChainsOf(payments) : []),
    quote: refundRates ? (currency, token) => refundRates.quote(currency, token) : undefined,
    saleView: (saleId) => sales.get(saleId),
    afterRefund: (refundSale, ret) => {
      const printer = receipts.settings()
      db.transaction(() => {
        receipts.queue.enqueueReceipt(returnReceiptData(receipts.receiptData(refundSale, false), refundSale, ret), printer.name)
        if (printer.drawerOnCash && ret.method === 'cash') receipts.queue.enqueueDrawerKick(printer.name, 'cash refund', refundSale.id)
      })()
      void receipts.kick()
    }
  })
  if (payments && paymentOptions?.startWatcher !== false) returns.start(payments.settings.pollIntervalMs)

  const scanners = new ScannerSettingsService(db, events, options.scanners ?? null)
  const echo = new WedgeEcho(clock)
  const unsubscribeScanners = options.scanners?.on('scan', (scan) => {
    if (scan.source === 'hid-keyboard') echo.hidKeyboardScan(scan.code)
    try {
      approvals.requireSession('sale.sell')
      // The window learns of the line from 'sale:line-changed'; nobody reads a whole view here, so none is built.
      sales.scanLine(scan.code, 'hid')
    } catch (e) {
      const message = e instanceof TillError ? e.message : 'The scan could not be added.'
      events.emit('scan:rejected', { code: scan.code.slice(0, 100), message, ...(e instanceof TillError ? { error: apiErrorOf(e) } : {}) })
    }
  })

  // Each domain's handlers live beside its service; this root only combines them. The stablecoin calls stay here
  // until the payment service's own handler module exists.
  const requirePayments = (): PaymentService => {
    if (!payments) throw new TillError('unavailable', 'No blockchain is set up for stablecoin payments on this till.')
    return payments
  }
  // One cash-session service for the shift calls and the screens that read its figures (Today, the Z on screen).
  // Closing is refused while a failed integrity check is not acknowledged.
  const shift = new ShiftService({ db, clock, store: { settings: () => store.settings() }, closeGuard: integrity.closeDayGuard })
  // Built before the handlers (its status is a call), started once the till is up.
  const shipper = options.headOffice ? new JournalShipper({ db, dataDir: options.dataDir, clock, ...options.headOffice }) : null
  const handlers: Handlers = guardHandlers({
    ...storeHandlers({ db, clock, events, store, catalog, sales, approvals }),
    ...saleHandlers({ sales, catalog, approvals, echo }),
    ...deviceHandlers({ receipts, scanners, approvals }),
    'payment:options': () => checkout.options(),
    'payment:request': ({ chainId, token }) => checkout.request(chainId, token),
    'payment:current': () => checkout.current(),
    'payment:cancel': ({ paymentId }) => checkout.cancel(paymentId),
    'payment:accept': ({ paymentId, pin }) => checkout.accept(paymentId, approvals.approve(pin, 'payment.accept', paymentId).id),
    'payment:release-unverified': ({ paymentId, pin }) => checkout.releaseUnverified(paymentId, approvals.approve(pin, 'payment.release-unverified', paymentId).id),
    'payment:record-overpayment': ({ paymentId }) => checkout.recordOverpayment(paymentId),
    'payment:simulate': ({ paymentId }) => checkout.simulate(paymentId),
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
    ...shiftHandlers({ db, clock, store, events, shift, approve: (pin, action, subject) => approvals.approve(pin, action, subject), afterClose: { keyDir, dataDir: options.dataDir, timeZone: options.timeZone, printer: receipts.zPrinter() } }),
    ...dayHandlers({ db, clock, store, events, payments, dataDir: options.dataDir, timeZone: options.timeZone }),
    ...returnHandlers({ returns, approve: (pin, action, subject) => approvals.approve(pin, action, subject), atomically: (fn) => approvedAtomically(db, fn) }),
    ...staffHandlers({ staff: approvals, events }),
    ...catalogHandlers({ db, clock, store, staff: approvals, events }),
    ...settingsHandlers({ db, clock, tillId: () => store.settings().tillId, staff: approvals, localTokens: paymentOptions?.localTokens }),
    ...integrityHandlers({ integrity, approve: (pin, action, subject) => approvals.approve(pin, action, subject) }),
    ...todayHandlers({ db, shift, store, timeZone: options.timeZone, reversals: payments ? () => payments.openReversals() : null, unattributed: payments ? () => payments.unattributedTransfers() : null }),
    ...setupHandlers({ db, clock, events, store, receipts, staff: approvals, dataDir: options.dataDir }),
    'headoffice:status': () => shipper?.status() ?? null,
    'headoffice:till-key': () => ({ publicKey: integrity.publicKey() })
  }, approvals)
  // A call with a manager's PIN runs its synchronous part in one transaction with its approval ([E] point 5,
  // api/registry.ts); what an async handler does after its first await (a Z's files) follows the commit.
  const registry = createRegistry(handlers, console.error, { unitOfWork: (fn) => unitOfWork(db, fn) })
  // Jobs left queued by the last run (printer was off, till was closed) go out now.
  void receipts.kick()
  // Head office reads the journal, never writes it: started last, stopped first.
  shipper?.start()

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
    staff: approvals,
    receipts,
    payments,
    checkout,
    returns,
    integrity,
    shipper,
    async close() {
      await shipper?.stop()
      unsubscribeScanners?.()
      await returns.stop()
      await payments?.stop()
      await receipts.close()
      // The page check reads the file on its own connection: let it finish before the ledger closes.
      await integrity.afterStart()
      db.close()
      folder.release()
    }
  }
}
