import type { Migration } from '../db'

// Issue [F], reversal after Paid on an open sale: the stablecoin tender of a payment the chain took back (a reorg)
// is withdrawn, so the due comes back. Tenders are never edited, so the withdrawal is a tender_returns row like a cash
// hand-back, with its own `how`: 'reversed-on-chain' (recorded by the till, manager_id 'chain'). SQLite cannot alter
// a CHECK: the table is rebuilt with its triggers (nothing references it).
export const m0009ReversedTenders: Migration = {
  version: 9,
  name: '0009-reversed-tenders',
  up(db) {
    db.exec(`
      CREATE TABLE tender_returns_new (
        tender_id   TEXT PRIMARY KEY REFERENCES tenders(id),
        returned_at INTEGER NOT NULL,
        manager_id  TEXT NOT NULL,
        how         TEXT NOT NULL CHECK (how IN ('cash-handed-back', 'refund-owed', 'reversed-on-chain'))
      ) STRICT;
      INSERT INTO tender_returns_new (tender_id, returned_at, manager_id, how) SELECT tender_id, returned_at, manager_id, how FROM tender_returns;
      DROP TABLE tender_returns;
      ALTER TABLE tender_returns_new RENAME TO tender_returns;
      CREATE TRIGGER tender_returns_frozen BEFORE UPDATE ON tender_returns
        BEGIN SELECT RAISE(ABORT, 'a tender return is never edited'); END;
      CREATE TRIGGER tender_returns_never_deleted BEFORE DELETE ON tender_returns
        BEGIN SELECT RAISE(ABORT, 'a tender return is never deleted'); END;
    `)
  }
}
