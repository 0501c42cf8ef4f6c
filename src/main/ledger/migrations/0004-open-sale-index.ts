import type { Migration } from '../db'

// At most one open sale per till, enforced by the schema, and found through a partial index: without it the
// lookup of the open sale walked every sale of the till (measured: quadratic time when filling 100,000 sales).
export const m0004OpenSaleIndex: Migration = {
  version: 4,
  name: '0004-open-sale-index',
  up(db) {
    db.exec(`CREATE UNIQUE INDEX sales_one_open_per_till ON sales(till_id) WHERE status = 'open';`)
  }
}
