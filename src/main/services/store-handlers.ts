// The store's calls: what the windows show of the store, the UI language and the store settings.
import { isKnownCurrency } from '../../shared/money'
import { refuse } from '../../shared/result'
import type { Clock } from '../../shared/clock'
import type { EventBus } from '../events'
import type { Db } from '../ledger/db'
import { appendJournal } from '../ledger/journal'
import type { ApprovalService } from './approvals'
import type { CatalogService } from './catalog'
import type { HandlerPart } from './handler-part'
import type { SaleService } from './sale'
import type { StoreService } from './store'

export interface StoreHandlerDeps {
  readonly db: Db
  readonly clock: Clock
  readonly events: EventBus
  readonly store: StoreService
  readonly catalog: CatalogService
  readonly sales: SaleService
  readonly approvals: ApprovalService
}

export function storeHandlers({ db, clock, events, store, catalog, sales, approvals }: StoreHandlerDeps): HandlerPart<'store:info' | 'settings:set-locale' | 'settings:update-store'> {
  return {
    'store:info': () => store.info(),
    'settings:set-locale': ({ locale }) => {
      const info = db.transaction(() => {
        const saved = store.save({ ...store.settings(), locale })
        appendJournal(db, { at: clock.now(), tillId: saved.tillId, kind: 'settings.locale-changed', payload: { locale } })
        return store.info()
      }).immediate()
      events.emit('store:changed', info)
      return info
    },
    'settings:update-store': ({ pin, ...changes }) => {
      const manager = approvals.approve(pin, 'settings.store', null)
      if (sales.current()) throw refuse('conflict', 'store.sale-open')
      const current = store.settings()
      if (changes.currency && !isKnownCurrency(changes.currency)) throw refuse('invalid-input', 'store.unknown-currency', { currency: changes.currency })
      // Catalog prices are integer minor units of the store currency with no currency of their own: switching USD
      // to JPY would read 1.99 as 199 yen. Refused while prices exist (issue [R] point 7); re-pricing is a catalog
      // import in the new currency, then the switch.
      if (changes.currency && changes.currency !== current.currency) {
        const products = catalog.pricedProducts()
        if (products > 0) throw refuse('conflict', 'store.currency-with-prices', { currency: current.currency, target: changes.currency, products })
      }
      const info = db.transaction(() => {
        const saved = store.save({
          ...current,
          ...(changes.storeName !== undefined ? { storeName: changes.storeName } : {}),
          ...(changes.currency !== undefined ? { currency: changes.currency } : {}),
          ...(changes.taxMode !== undefined ? { taxMode: changes.taxMode } : {}),
          ...(changes.taxRounding !== undefined ? { taxRounding: changes.taxRounding } : {}),
          ...(changes.wedgeSlowGapMs !== undefined ? { wedge: { ...current.wedge, slowGapMs: changes.wedgeSlowGapMs } } : {}),
          receipt: { headerLines: changes.headerLines ?? current.receipt.headerLines, footerLines: changes.footerLines ?? current.receipt.footerLines },
          ...(changes.addressLines !== undefined ? { addressLines: changes.addressLines } : {}),
          ...(changes.taxId !== undefined ? { taxId: changes.taxId } : {}),
          ...(changes.tillName !== undefined ? { tillName: changes.tillName } : {})
        })
        appendJournal(db, { at: clock.now(), tillId: saved.tillId, kind: 'settings.store-changed', payload: { managerId: manager.id, ...changes } })
        return store.info()
      }).immediate()
      events.emit('store:changed', info)
      return info
    }
  }
}
