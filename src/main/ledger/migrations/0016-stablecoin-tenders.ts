import type { Migration } from '../db'

// The stablecoin tenders alone, by sale (services/reconcile.ts, issue [D]: reconciling a day with the chain). To find
// the period's stablecoin tenders, SQLite either scanned every tender the till ever took (290 ms for a 10,000-sale
// day after 990,000 earlier sales) or, driven from the period's sales, looked each sale's tenders up (1.1 s for a
// 1,000,000-sale day). A partial index holds only the stablecoin ones: the scan reads those, a few percent of the
// tenders in most shops, and their sales by key. It costs one index entry per stablecoin tender.
export const m0016StablecoinTenders: Migration = {
  version: 16,
  name: '0016-stablecoin-tenders',
  up(db) {
    db.exec("CREATE INDEX tenders_stablecoin ON tenders(sale_id) WHERE kind = 'stablecoin'")
  }
}
