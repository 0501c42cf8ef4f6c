// The till without its windows: ledger, services, api registry and events. Both hosts build on this: Electron's
// main process (src/main/index.ts) and the browser harness (src/main/harness). It never imports 'electron'.
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../shared/clock'
import { systemClock } from '../shared/clock'
import { createRegistry, type Handlers, type Registry } from './api/registry'
import { EventBus } from './events'
import { openLedger, type Db } from './ledger/db'
import { appendJournal, verifyJournal } from './ledger/journal'
import { CatalogService, catalogFileSchema } from './services/catalog'
import { SaleService } from './services/sale'
import { defaultStoreSettings, StoreService, type StoreSettings } from './services/store'

export interface AppOptions {
  /** Folder for the ledger file and device output. Created if missing. */
  readonly dataDir: string
  readonly clock?: Clock
  /** Folder holding demo-catalog.json and other bundled resources. */
  readonly resourcesDir?: string
  /** Settings for a brand-new store (first start); the demo store otherwise. */
  readonly initialSettings?: Partial<StoreSettings>
}

export interface App {
  readonly db: Db
  readonly dataDir: string
  readonly events: EventBus
  readonly registry: Registry
  readonly store: StoreService
  readonly catalog: CatalogService
  readonly sales: SaleService
  close(): Promise<void>
}

export const LEDGER_FILE = 'stabletill.sqlite'

export function defaultResourcesDir(): string {
  // Source checkout and built app both keep resources/ at the repository (or app) root.
  return join(__dirname, '..', '..', 'resources')
}

export function createApp(options: AppOptions): App {
  mkdirSync(options.dataDir, { recursive: true })
  const clock = options.clock ?? systemClock
  const db = openLedger(join(options.dataDir, LEDGER_FILE))
  const events = new EventBus()
  const store = new StoreService(db)
  const catalog = new CatalogService(db)
  if (!store.isInitialized()) {
    const settings: StoreSettings = { ...defaultStoreSettings, ...options.initialSettings }
    const resources = options.resourcesDir ?? defaultResourcesDir()
    const demoCatalog = catalogFileSchema.parse(JSON.parse(readFileSync(join(resources, 'demo-catalog.json'), 'utf8')))
    db.transaction(() => {
      store.save(settings)
      const counts = catalog.importCatalog(demoCatalog)
      appendJournal(db, { at: clock.now(), tillId: settings.tillId, kind: 'store.created', payload: { storeName: settings.storeName, currency: settings.currency, products: counts.products, barcodes: counts.barcodes } })
    }).immediate()
  }
  const sales = new SaleService({ db, clock, store, catalog, events })

  const handlers: Handlers = {
    'store:info': () => store.info(),
    'sale:current': () => sales.current(),
    'sale:scan': ({ code, source }) => sales.scan(code, source),
    'sale:set-quantity': ({ lineId, quantity }) => sales.setQuantity(lineId, quantity),
    'sale:void-line': ({ lineId }) => sales.voidLine(lineId),
    'sale:tender-cash': ({ receivedMinor }) => sales.tenderCash(receivedMinor),
    'sale:complete': () => sales.complete(),
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
    }
  }
  const registry = createRegistry(handlers)

  return {
    db,
    dataDir: options.dataDir,
    events,
    registry,
    store,
    catalog,
    sales,
    async close() {
      db.close()
    }
  }
}
