// The set-up's calls on a till that runs (the set-up itself is over: setup-host.ts answers them before), and the
// back office's forms for every set-up step (issue [S] point 4): each change with a PIN, checked by the very rules
// the set-up used (setup.ts), journaled, and applied at once where the till can (printer, receipt text, tax
// rounding, tax rates on new sales) or answered with restartNeeded where it cannot (the customer display's screen).
import type { StoreDetailsView } from '../../shared/api/views'
import type { Clock } from '../../shared/clock'
import { parseMinor } from '../../shared/money'
import { refuse } from '../../shared/result'
import type { EventBus } from '../events'
import { prepareCached, type Db } from '../ledger/db'
import { appendJournal } from '../ledger/journal'
import { journalState } from '../ledger/money-state'
import { readSetting, writeSetting } from '../ledger/settings'
import type { StaffService } from './approvals'
import type { HandlerPart } from './handler-part'
import { readLimits, saveLimits, type Limits } from './limits'
import type { ReceiptService } from './receipts'
import { cardFeeSettingSchema, checkCardFee, checkOneStep, checkPrinter, checkTaxRates, DEFAULT_CARD_FEE_PPM, testPrint } from './setup'
import type { StoreService } from './store'

export interface SetupHandlerDeps {
  readonly db: Db
  readonly clock: Clock
  readonly events: EventBus
  readonly store: StoreService
  readonly receipts: ReceiptService
  readonly staff: StaffService
  readonly dataDir: string
}

type SetupCalls = 'setup:status' | 'setup:check' | 'setup:demo' | 'setup:finish' | 'printer:test' | 'settings:store-details' | 'settings:devices' | 'settings:tax-rates' | 'settings:card-fee' | 'settings:limits'

/** The store's settings as the back office forms show them. */
export function storeDetails(db: Db, store: StoreService, receipts: Pick<ReceiptService, 'settings'>): StoreDetailsView {
  const s = store.settings()
  const printer = receipts.settings()
  const t = printer.transport
  const rates = prepareCached(db, 'SELECT t.id, t.name, t.rate_ppm AS ratePpm, (SELECT count(*) FROM products p WHERE p.tax_rate_id = t.id AND p.active = 1) AS products FROM tax_rates t ORDER BY t.rowid').all() as {
    id: string
    name: string
    ratePpm: number
    products: number
  }[]
  return {
    addressLines: s.addressLines,
    taxId: s.taxId,
    tillName: s.tillName,
    headerLines: s.receipt.headerLines,
    footerLines: s.receipt.footerLines,
    customerDisplay: s.customerDisplay,
    taxRates: rates,
    cardFeePpm: readSetting(db, 'card-fee', cardFeeSettingSchema)?.ppm ?? DEFAULT_CARD_FEE_PPM,
    limits: readLimits(db),
    printer: {
      profile: printer.profile.profile,
      transport: t.kind,
      host: t.kind === 'tcp' ? t.host : '',
      port: t.kind === 'tcp' ? String(t.port) : '9100',
      path: t.kind === 'device-file' ? t.path : '',
      drawerOnCash: printer.drawerOnCash
    }
  }
}

export function setupHandlers({ db, clock, events, store, receipts, staff, dataDir }: SetupHandlerDeps): HandlerPart<SetupCalls> {
  const details = () => storeDetails(db, store, receipts)
  return {
    'setup:status': () => ({ pending: false, demoAvailable: false }),
    // The set-up's checks stay callable: the back office forms check a step the same way before asking for a PIN.
    'setup:check': (input) => {
      const { store: _checked, ...view } = checkOneStep(input)
      return view
    },
    'setup:demo': () => {
      throw refuse('conflict', 'setup.done')
    },
    'setup:finish': () => {
      throw refuse('conflict', 'setup.done')
    },
    'printer:test': ({ printer }) => testPrint(checkPrinter(printer), { storeName: store.settings().storeName, dataDir, now: clock.now() }),
    'settings:store-details': () => details(),
    'settings:devices': ({ pin, printer, customerDisplay }) => {
      const manager = staff.approve(pin, 'settings.devices', null)
      const checked = checkPrinter(printer)
      const before = store.settings()
      db.transaction(() => {
        // The receipt service drops its open link on save: the next job goes out on the new printer.
        receipts.save(checked)
        if (customerDisplay !== before.customerDisplay) store.save({ ...before, customerDisplay })
        appendJournal(db, { at: clock.now(), tillId: before.tillId, kind: 'settings.devices-changed', payload: { managerId: manager.id, transport: checked.transport.kind, profile: checked.profile.profile, drawerOnCash: checked.drawerOnCash, customerDisplay } })
      })()
      // The display window is placed when the till starts (Electron); everything else applies to the next job.
      return { details: details(), restartNeeded: customerDisplay !== before.customerDisplay }
    },
    'settings:tax-rates': ({ pin, rates }) => {
      const manager = staff.approve(pin, 'settings.store', null)
      const checked = checkTaxRates(rates)
      const tillId = store.settings().tillId
      db.transaction(() => {
        const existing = prepareCached(db, 'SELECT t.id, t.name, (SELECT count(*) FROM products p WHERE p.tax_rate_id = t.id) AS products FROM tax_rates t').all() as { id: string; name: string; products: number }[]
        for (const old of existing) {
          if (checked.some((r) => r.id === old.id)) continue
          // A product's rate is a foreign key: a rate still on products is not removed (its prices would lose their tax).
          if (old.products > 0) throw refuse('conflict', 'setup.tax-rate-in-use', { name: old.name, products: old.products })
          prepareCached(db, 'DELETE FROM tax_rates WHERE id = ?').run(old.id)
        }
        const upsert = prepareCached(db, 'INSERT INTO tax_rates (id, name, rate_ppm) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, rate_ppm = excluded.rate_ppm')
        for (const r of checked) upsert.run(r.id, r.name, r.ratePpm)
        appendJournal(db, { at: clock.now(), tillId, kind: 'catalog.tax-rates-changed', payload: { managerId: manager.id, rates: checked.map((r) => `${r.id}:${r.ratePpm}`) } })
        journalState(db, 'catalog', { at: clock.now(), tillId, reason: 'tax rates changed' })
      })()
      // A sale prices its lines when they are added: the new rates apply to the next line scanned.
      return { details: details(), restartNeeded: false }
    },
    'settings:card-fee': ({ pin, percent }) => {
      const manager = staff.approve(pin, 'settings.store', null)
      const ppm = checkCardFee(percent)
      const tillId = store.settings().tillId
      db.transaction(() => {
        writeSetting(db, 'card-fee', cardFeeSettingSchema, { ppm }, clock.now())
        appendJournal(db, { at: clock.now(), tillId, kind: 'settings.card-fee-changed', payload: { managerId: manager.id, ppm } })
      })()
      events.emit('store:changed', store.info())
      return { details: details(), restartNeeded: false }
    },
    'settings:limits': ({ pin, maxCashReceived, maxQuantity, maxLineAmount }) => {
      const manager = staff.approve(pin, 'settings.store', null)
      const limits = checkLimits({ maxCashReceived, maxQuantity, maxLineAmount }, store.settings().currency)
      const tillId = store.settings().tillId
      db.transaction(() => {
        saveLimits(db, limits, clock.now())
        appendJournal(db, { at: clock.now(), tillId, kind: 'settings.limits-changed', payload: { managerId: manager.id, ...limits } })
      })()
      // The cashier's index carries the line limits: 'store:changed' makes it fetch them again.
      events.emit('store:changed', store.info())
      return { details: details(), restartNeeded: false }
    }
  }
}

/**
 * The limits as a manager typed them, in minor units of the store currency. Each must be a plain positive amount
 * (or a whole number of units up to the api's 9,999 per entry); a slip gets its own message naming the field.
 */
export function checkLimits(typed: { readonly maxCashReceived: string; readonly maxQuantity: string; readonly maxLineAmount: string }, currency: string): Limits {
  const amount = (field: 'maxCashReceived' | 'maxLineAmount'): number => {
    const minor = parseMinor(typed[field], currency)
    if (minor === null || minor <= 0) throw refuse('invalid-input', field === 'maxCashReceived' ? 'settings.limit-cash' : 'settings.limit-line', { value: typed[field].slice(0, 24) })
    return minor
  }
  const units = /^\d{1,4}$/.test(typed.maxQuantity) ? Number.parseInt(typed.maxQuantity, 10) : 0
  if (units < 1 || units > 9999) throw refuse('invalid-input', 'settings.limit-quantity', { value: typed.maxQuantity.slice(0, 8) })
  return { maxCashReceivedMinor: amount('maxCashReceived'), maxQuantity: units, maxLineAmountMinor: amount('maxLineAmount') }
}
