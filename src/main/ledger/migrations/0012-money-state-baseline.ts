import type { Migration } from '../db'
import { appendJournal } from '../journal'
import { currentState } from '../money-state'

// [E] point 4: from now on every settings write and catalog change is journaled with the digest of what it left
// (ledger/money-state.ts). A ledger that already holds a store gets one 'ledger.baseline' entry with the digests
// of its settings and catalog as they are at the upgrade, so later edits are compared against a known start.
// A new ledger needs none: the store's creation journals its settings and catalog. (Migrations have no clock:
// the entry's time is the wall clock's.)
export const m0012MoneyStateBaseline: Migration = {
  version: 12,
  name: '0012-money-state-baseline',
  up(db) {
    const { n } = db.prepare('SELECT count(*) AS n FROM settings').get() as { n: number }
    if (n === 0) return
    const till = db.prepare("SELECT json_extract(value, '$.tillId') AS tillId FROM settings WHERE key = 'store'").get() as { tillId: unknown } | undefined
    const state = currentState(db)
    appendJournal(db, { at: Date.now(), tillId: typeof till?.tillId === 'string' ? till.tillId : 'unset', kind: 'ledger.baseline', saleId: null, payload: { settings: state.settings, domains: state.domains } })
  }
}
