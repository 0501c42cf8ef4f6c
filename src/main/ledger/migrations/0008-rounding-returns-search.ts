import type { Migration } from '../db'

// Three things issue [R] needs from the ledger:
// - sales.tax_rounding: the rule a sale's tax was computed under (money.ts). Sales stored before this migration
//   were all rounded per line, so they keep 'per-line'; new sales take the store's setting when they open.
// - tender_returns: a tender taken back before completion (cash handed back, manager-approved) or, on a voided
//   sale, recorded as going back (a stablecoin refund owed). Tenders are never edited (0001's trigger), so the
//   return is a row of its own, append-only like the tender; a returned tender no longer counts as paid.
// - product_search: an FTS5 trigram index over product names, so the cashier's name look-up answers from an index
//   over 100,000 products instead of scanning them (LIKE '%tea%' cannot use a b-tree). Kept in step by triggers.
export const m0008RoundingReturnsSearch: Migration = {
  version: 8,
  name: '0008-rounding-returns-search',
  up(db) {
    db.exec(`
      ALTER TABLE sales ADD COLUMN tax_rounding TEXT NOT NULL DEFAULT 'per-line' CHECK (tax_rounding IN ('per-line', 'per-rate-total'));
      CREATE TABLE tender_returns (
        tender_id   TEXT PRIMARY KEY REFERENCES tenders(id),
        returned_at INTEGER NOT NULL,
        manager_id  TEXT NOT NULL,
        how         TEXT NOT NULL CHECK (how IN ('cash-handed-back', 'refund-owed'))
      ) STRICT;
      CREATE TRIGGER tender_returns_frozen BEFORE UPDATE ON tender_returns
        BEGIN SELECT RAISE(ABORT, 'a tender return is never edited'); END;
      CREATE TRIGGER tender_returns_never_deleted BEFORE DELETE ON tender_returns
        BEGIN SELECT RAISE(ABORT, 'a tender return is never deleted'); END;
      CREATE VIRTUAL TABLE product_search USING fts5(name, name_zh, content='products', content_rowid='rowid', tokenize='trigram');
      INSERT INTO product_search(rowid, name, name_zh) SELECT rowid, name, coalesce(name_zh, '') FROM products;
      CREATE TRIGGER products_search_ai AFTER INSERT ON products BEGIN
        INSERT INTO product_search(rowid, name, name_zh) VALUES (new.rowid, new.name, coalesce(new.name_zh, ''));
      END;
      CREATE TRIGGER products_search_ad AFTER DELETE ON products BEGIN
        INSERT INTO product_search(product_search, rowid, name, name_zh) VALUES ('delete', old.rowid, old.name, coalesce(old.name_zh, ''));
      END;
      CREATE TRIGGER products_search_au AFTER UPDATE OF name, name_zh ON products BEGIN
        INSERT INTO product_search(product_search, rowid, name, name_zh) VALUES ('delete', old.rowid, old.name, coalesce(old.name_zh, ''));
        INSERT INTO product_search(rowid, name, name_zh) VALUES (new.rowid, new.name, coalesce(new.name_zh, ''));
      END;
    `)
  }
}
