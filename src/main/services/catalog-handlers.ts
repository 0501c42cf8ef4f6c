// The back office's catalog calls: import a CSV with a preview, look at and edit one product, export.
import type { Clock } from '../../shared/clock'
import type { Db } from '../ledger/db'
import type { StaffService } from './approvals'
import { exportCatalogCsv, importCatalogCsv, previewCatalogCsv, productView, updateProduct } from './catalog-csv'
import type { HandlerPart } from './handler-part'
import type { StoreService } from './store'
import type { EventBus } from '../events'
import { catalogIndexPage, catalogVersion } from './catalog-index'

export interface CatalogHandlerDeps {
  readonly db: Db
  readonly clock: Clock
  readonly store: StoreService
  readonly staff: StaffService
  /** For 'catalog:changed' after an import or an edit (the cashier's local index follows it); optional so older wiring still builds. */
  readonly events?: EventBus
}

type CatalogCalls = 'catalog:import-preview' | 'catalog:import' | 'catalog:product' | 'catalog:update-product' | 'catalog:export' | 'catalog:index'

export function catalogHandlers({ db, clock, store, staff, events }: CatalogHandlerDeps): HandlerPart<CatalogCalls> {
  /** After the change's transaction committed: the cashier reloads its index when the version moved. */
  const changed = <T>(value: T): T => {
    events?.emit('catalog:changed', { version: catalogVersion(db) })
    return value
  }
  const context = (staffId: string) => ({ db, clock, tillId: store.settings().tillId, currency: store.settings().currency, staffId })
  return {
    'catalog:import-preview': ({ csv }) => {
      // The preview saves nothing, so it asks for no PIN; the parsed rows stay here.
      const { parsed: _parsed, existing: _existing, ...preview } = previewCatalogCsv(db, csv, store.settings().currency)
      return preview
    },
    'catalog:import': ({ csv, skipBadRows, pin }) => changed(importCatalogCsv(context(staff.approve(pin, 'catalog.import', null).id), csv, skipBadRows)),
    'catalog:product': ({ productId }) => productView(db, productId),
    'catalog:update-product': ({ pin, productId, ...changes }) => {
      productView(db, productId)
      return changed(updateProduct(context(staff.approve(pin, 'catalog.edit', productId).id), productId, changes))
    },
    'catalog:export': () => exportCatalogCsv(db, store.settings().currency),
    'catalog:index': ({ afterId, limit }) => catalogIndexPage(db, afterId, limit)
  }
}
