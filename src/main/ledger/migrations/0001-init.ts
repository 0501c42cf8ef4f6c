import type { Migration } from '../db'

// Catalog, sales, tenders and the hash-chained journal.
// Money columns are INTEGER minor units of the store currency; rates are parts per million (8.25 % = 82500).
// Sales are never deleted; once a sale leaves 'open' its row, lines and tenders are frozen by triggers,
// so corrections after that are new sales (refunds) and new journal entries, never edits.
export const m0001Init: Migration = {
  version: 1,
  name: '0001-init',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE tax_rates (
        id       TEXT PRIMARY KEY,
        name     TEXT NOT NULL,
        rate_ppm INTEGER NOT NULL CHECK (rate_ppm BETWEEN 0 AND 1000000)
      ) STRICT;

      CREATE TABLE products (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL CHECK (length(name) > 0),
        name_zh     TEXT,
        pricing     TEXT NOT NULL CHECK (pricing IN ('unit', 'weight')),
        price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
        tax_rate_id TEXT NOT NULL REFERENCES tax_rates(id),
        plu         TEXT UNIQUE,
        active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
      ) STRICT;

      CREATE TABLE barcodes (
        code       TEXT PRIMARY KEY,
        product_id TEXT NOT NULL REFERENCES products(id),
        pack_qty   INTEGER NOT NULL DEFAULT 1 CHECK (pack_qty >= 1)
      ) STRICT;
      CREATE INDEX barcodes_product ON barcodes(product_id);

      CREATE TABLE till_counters (
        till_id          TEXT PRIMARY KEY,
        last_sale_number INTEGER NOT NULL CHECK (last_sale_number >= 0)
      ) STRICT;

      CREATE TABLE sales (
        id             TEXT PRIMARY KEY,
        till_id        TEXT NOT NULL,
        number         INTEGER NOT NULL CHECK (number >= 1),
        kind           TEXT NOT NULL DEFAULT 'sale' CHECK (kind IN ('sale', 'refund')),
        status         TEXT NOT NULL CHECK (status IN ('open', 'completed', 'voided')),
        currency       TEXT NOT NULL CHECK (length(currency) = 3),
        tax_mode       TEXT NOT NULL CHECK (tax_mode IN ('inclusive', 'exclusive')),
        cashier        TEXT NOT NULL,
        opened_at      INTEGER NOT NULL,
        closed_at      INTEGER,
        subtotal_minor INTEGER,
        tax_minor      INTEGER,
        total_minor    INTEGER,
        journal_hash   TEXT,
        UNIQUE (till_id, number)
      ) STRICT;
      CREATE INDEX sales_status ON sales(status);
      CREATE INDEX sales_closed_at ON sales(closed_at);

      CREATE TABLE sale_lines (
        id               TEXT PRIMARY KEY,
        sale_id          TEXT NOT NULL REFERENCES sales(id),
        position         INTEGER NOT NULL CHECK (position >= 1),
        product_id       TEXT NOT NULL REFERENCES products(id),
        name             TEXT NOT NULL,
        barcode          TEXT,
        quantity         INTEGER NOT NULL CHECK (quantity >= 1),
        weight_g         INTEGER CHECK (weight_g IS NULL OR weight_g > 0),
        unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
        amount_minor     INTEGER NOT NULL,
        discount_minor   INTEGER NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
        tax_rate_id      TEXT NOT NULL,
        tax_rate_ppm     INTEGER NOT NULL,
        tax_minor        INTEGER NOT NULL,
        voided           INTEGER NOT NULL DEFAULT 0 CHECK (voided IN (0, 1)),
        UNIQUE (sale_id, position)
      ) STRICT;

      CREATE TABLE tenders (
        id             TEXT PRIMARY KEY,
        sale_id        TEXT NOT NULL REFERENCES sales(id),
        kind           TEXT NOT NULL CHECK (kind IN ('cash', 'stablecoin')),
        amount_minor   INTEGER NOT NULL,
        received_minor INTEGER,
        change_minor   INTEGER CHECK (change_minor IS NULL OR change_minor >= 0),
        details        TEXT,
        created_at     INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX tenders_sale ON tenders(sale_id);

      CREATE TABLE journal (
        seq       INTEGER PRIMARY KEY,
        at        INTEGER NOT NULL,
        till_id   TEXT NOT NULL,
        kind      TEXT NOT NULL,
        sale_id   TEXT,
        payload   TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL UNIQUE
      ) STRICT;
      CREATE INDEX journal_sale ON journal(sale_id);

      CREATE TRIGGER journal_append_only_update BEFORE UPDATE ON journal
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
      CREATE TRIGGER journal_append_only_delete BEFORE DELETE ON journal
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
      CREATE TRIGGER sales_never_deleted BEFORE DELETE ON sales
        BEGIN SELECT RAISE(ABORT, 'sales are never deleted'); END;
      CREATE TRIGGER sale_lines_never_deleted BEFORE DELETE ON sale_lines
        BEGIN SELECT RAISE(ABORT, 'sale lines are never deleted'); END;
      CREATE TRIGGER tenders_never_deleted BEFORE DELETE ON tenders
        BEGIN SELECT RAISE(ABORT, 'tenders are never deleted'); END;
      CREATE TRIGGER sales_frozen_when_closed BEFORE UPDATE ON sales WHEN OLD.status <> 'open'
        BEGIN SELECT RAISE(ABORT, 'a closed sale is frozen'); END;
      CREATE TRIGGER sale_lines_frozen_when_closed BEFORE UPDATE ON sale_lines
        WHEN (SELECT status FROM sales WHERE id = OLD.sale_id) <> 'open'
        BEGIN SELECT RAISE(ABORT, 'the lines of a closed sale are frozen'); END;
      CREATE TRIGGER sale_lines_added_only_to_open_sales BEFORE INSERT ON sale_lines
        WHEN (SELECT status FROM sales WHERE id = NEW.sale_id) <> 'open'
        BEGIN SELECT RAISE(ABORT, 'lines can only be added to an open sale'); END;
      CREATE TRIGGER tenders_frozen BEFORE UPDATE ON tenders
        BEGIN SELECT RAISE(ABORT, 'tenders are never edited'); END;
    `)
  }
}
