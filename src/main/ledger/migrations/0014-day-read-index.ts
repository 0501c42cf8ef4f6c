import type { Migration } from '../db'

// The day's read (reports/from-ledger.ts SALES_SQL, issue [D]: a 1,000,000-sale day's Z and exports): each completed
// sale's lines are summed per tax rate from the lines not voided. Through the (sale_id, position) index SQLite
// fetched every line's whole table row (name, barcode, product) for five numbers; this index holds them, so a
// sale's lines are one index range and no table row. Measured on a 1,000,000-sale day (3 lines each): the lines
// subquery from about 4.9 s to 3.1 s of CPU (bench/day.ts). It costs one more index entry per line sold.
export const m0014DayReadIndex: Migration = {
  version: 14,
  name: '0014-day-read-index',
  up(db) {
    db.exec('CREATE INDEX sale_lines_day_read ON sale_lines(sale_id, voided, tax_rate_ppm, tax_rate_id, amount_minor, discount_minor, tax_minor)')
  }
}
