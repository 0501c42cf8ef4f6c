import type { Migration } from '../db'

// Issue [D] point 2, returns and refunds:
// - returns: one row per return of (part of) a completed sale, numbered gap-free per till in its own series (the
//   exports' ReturnEntry.number). A cash refund completes at once; a stablecoin refund waits for the manager's own
//   wallet to send it ('awaiting-transfer') until the chain shows the transfer from the shop's address to the
//   customer's ('completed'), or a manager cancels it ('cancelled'). A completed return points at its refund sale:
//   a sale of kind 'refund' (0001) whose total is the positive amount given back, which the Z counts as returns.
//   The outgoing transfer (chain, tx hash, log index) may settle one return only (the unique index).
// - return_lines: what each return takes back, per original line and quantity. Lines of returns that are awaiting
//   or completed count against what may still be returned, so two returns can never take back more than was sold.
// - sales_one_open_per_till (0004) becomes one open sale per till AND kind: a refund sale is opened and completed
//   inside the one transaction that confirms its refund, which must not collide with the cashier's open sale. The
//   open-sale lookup (till_id = ? AND status = 'open') still reads the partial index by its leading column.
export const m0010Returns: Migration = {
  version: 10,
  name: '0010-returns',
  up(db) {
    db.exec(`
      CREATE TABLE return_counters (
        till_id            TEXT PRIMARY KEY,
        last_return_number INTEGER NOT NULL CHECK (last_return_number >= 0)
      ) STRICT;

      CREATE TABLE returns (
        id               TEXT PRIMARY KEY,
        till_id          TEXT NOT NULL,
        number           INTEGER NOT NULL CHECK (number >= 1),
        original_sale_id TEXT NOT NULL REFERENCES sales(id),
        refund_sale_id   TEXT UNIQUE REFERENCES sales(id),
        method           TEXT NOT NULL CHECK (method IN ('cash', 'stablecoin')),
        status           TEXT NOT NULL CHECK (status IN ('awaiting-transfer', 'completed', 'cancelled')),
        amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
        currency         TEXT NOT NULL CHECK (length(currency) = 3),
        approved_by      TEXT NOT NULL,
        created_at       INTEGER NOT NULL,
        completed_at     INTEGER,
        cancelled_at     INTEGER,
        cancelled_by     TEXT,
        chain_id         INTEGER CHECK (chain_id IS NULL OR chain_id > 0),
        token_symbol     TEXT,
        token_address    TEXT CHECK (token_address IS NULL OR length(token_address) = 42),
        token_decimals   INTEGER CHECK (token_decimals IS NULL OR token_decimals BETWEEN 0 AND 36),
        from_address     TEXT CHECK (from_address IS NULL OR length(from_address) = 42),
        to_address       TEXT CHECK (to_address IS NULL OR length(to_address) = 42),
        amount_units     TEXT CHECK (amount_units IS NULL OR (amount_units GLOB '[1-9]*' AND amount_units NOT GLOB '*[^0-9]*')),
        basis            TEXT CHECK (basis IS NULL OR basis IN ('token', 'fiat')),
        rate             TEXT,
        rate_source      TEXT,
        from_block       INTEGER CHECK (from_block IS NULL OR from_block >= 0),
        tx_hash          TEXT,
        log_index        INTEGER,
        block_number     INTEGER,
        UNIQUE (till_id, number),
        CHECK (method = 'cash' OR (chain_id IS NOT NULL AND token_address IS NOT NULL AND to_address IS NOT NULL AND from_address IS NOT NULL AND amount_units IS NOT NULL AND basis IS NOT NULL AND rate IS NOT NULL AND from_block IS NOT NULL)),
        CHECK ((status = 'completed') = (refund_sale_id IS NOT NULL AND completed_at IS NOT NULL)),
        CHECK (status <> 'completed' OR method = 'cash' OR tx_hash IS NOT NULL)
      ) STRICT;
      CREATE INDEX returns_original ON returns(original_sale_id);
      CREATE INDEX returns_awaiting ON returns(status) WHERE status = 'awaiting-transfer';
      CREATE UNIQUE INDEX returns_one_transfer ON returns(chain_id, tx_hash, log_index) WHERE tx_hash IS NOT NULL;

      CREATE TABLE return_lines (
        return_id        TEXT NOT NULL REFERENCES returns(id),
        original_line_id TEXT NOT NULL REFERENCES sale_lines(id),
        quantity         INTEGER NOT NULL CHECK (quantity >= 1),
        PRIMARY KEY (return_id, original_line_id)
      ) STRICT;
      CREATE INDEX return_lines_line ON return_lines(original_line_id);

      CREATE TRIGGER returns_never_deleted BEFORE DELETE ON returns
        BEGIN SELECT RAISE(ABORT, 'returns are never deleted'); END;
      CREATE TRIGGER returns_final BEFORE UPDATE ON returns WHEN OLD.status <> 'awaiting-transfer'
        BEGIN SELECT RAISE(ABORT, 'a completed or cancelled return is final'); END;
      CREATE TRIGGER return_lines_frozen BEFORE UPDATE ON return_lines
        BEGIN SELECT RAISE(ABORT, 'return lines are never edited'); END;
      CREATE TRIGGER return_lines_never_deleted BEFORE DELETE ON return_lines
        BEGIN SELECT RAISE(ABORT, 'return lines are never deleted'); END;

      DROP INDEX sales_one_open_per_till;
      CREATE UNIQUE INDEX sales_one_open_per_till ON sales(till_id, kind) WHERE status = 'open';
    `)
  }
}
