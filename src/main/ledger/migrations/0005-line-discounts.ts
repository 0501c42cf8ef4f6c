import type { Migration } from '../db'

// Line discounts approved by a manager, kept as the percentage given (parts per million) so a quantity change
// recomputes the discount by the same rule; discount_minor (from 0001) holds the rounded amount.
export const m0005LineDiscounts: Migration = {
  version: 5,
  name: '0005-line-discounts',
  up(db) {
    db.exec(`ALTER TABLE sale_lines ADD COLUMN discount_ppm INTEGER NOT NULL DEFAULT 0 CHECK (discount_ppm BETWEEN 0 AND 1000000);`)
  }
}
