import type { Migration } from '../db'

// Issue [D] point 1, the cash session (the "day" of a till, from its opening float to its Z):
// - cash_sessions: at most one open per till (partial unique index). A closed session is final (a Z is never
//   reopened or edited: triggers), and keeps the figures its Z journaled, so a reprint shows what was closed.
//   The period is bounded by journal seqs (open_seq, close_seq), not by clock times: two events in the same
//   millisecond, or a clock set back, still fall on the right side of a Z.
// - grand_sales_minor / grand_returns_minor: the perpetual grand totals after this Z (never reset): the next Z
//   starts from the last closed one's.
// - z_counters: the gap-free Z number per till, moved in the closing transaction (like till_counters for sales).
// - cash_movements: every cash flow in or out of the drawer that is not a sale's tender: cash in, cash out, and the
//   cash refunds the refund service will write (kind 'refund'), so the drawer figure counts them with no change
//   here. Amounts are positive; the kind says the direction. Never edited, never deleted.
export const m0007CashSessions: Migration = {
  version: 7,
  name: '0007-cash-sessions',
  up(db) {
    db.exec(`
      CREATE TABLE cash_sessions (
        id                     TEXT PRIMARY KEY,
        till_id                TEXT NOT NULL,
        status                 TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        currency               TEXT NOT NULL CHECK (length(currency) = 3),
        opened_at              INTEGER NOT NULL,
        opened_by              TEXT NOT NULL,
        open_seq               INTEGER NOT NULL CHECK (open_seq >= 1),
        float_minor            INTEGER NOT NULL CHECK (float_minor >= 0),
        float_denominations    TEXT,
        closed_at              INTEGER,
        closed_by              TEXT,
        close_seq              INTEGER,
        z_number               INTEGER CHECK (z_number IS NULL OR z_number >= 1),
        counted_minor          INTEGER CHECK (counted_minor IS NULL OR counted_minor >= 0),
        counted_denominations  TEXT,
        expected_minor         INTEGER,
        difference_minor       INTEGER,
        difference_reason      TEXT,
        grand_sales_minor      INTEGER,
        grand_returns_minor    INTEGER,
        z_hash                 TEXT,
        figures                TEXT,
        CHECK ((status = 'open') = (closed_at IS NULL)),
        CHECK (status = 'open' OR (z_number IS NOT NULL AND counted_minor IS NOT NULL AND close_seq IS NOT NULL AND z_hash IS NOT NULL AND figures IS NOT NULL AND grand_sales_minor IS NOT NULL AND grand_returns_minor IS NOT NULL)),
        CHECK (difference_minor IS NULL OR difference_minor = 0 OR length(difference_reason) > 0),
        UNIQUE (till_id, z_number)
      ) STRICT;
      CREATE UNIQUE INDEX cash_sessions_one_open ON cash_sessions(till_id) WHERE status = 'open';

      CREATE TABLE z_counters (
        till_id       TEXT PRIMARY KEY,
        last_z_number INTEGER NOT NULL CHECK (last_z_number >= 0)
      ) STRICT;

      CREATE TABLE cash_movements (
        id           TEXT PRIMARY KEY,
        session_id   TEXT NOT NULL REFERENCES cash_sessions(id),
        till_id      TEXT NOT NULL,
        number       INTEGER NOT NULL CHECK (number >= 1),
        kind         TEXT NOT NULL CHECK (kind IN ('cash-in', 'cash-out', 'refund')),
        amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
        reason       TEXT NOT NULL CHECK (length(reason) > 0),
        approved_by  TEXT,
        sale_id      TEXT,
        at           INTEGER NOT NULL,
        journal_seq  INTEGER NOT NULL,
        UNIQUE (session_id, number)
      ) STRICT;
      CREATE INDEX cash_movements_session ON cash_movements(session_id);

      -- The X/Z period is a journal seq range; the figures read only its sale completions, voids and no-sales.
      -- Covering, so the range is read from the index (a sale writes ~6 entries, and their payloads, to skip).
      CREATE INDEX journal_kind_seq ON journal(kind, seq, till_id, sale_id);

      CREATE TRIGGER cash_sessions_never_deleted BEFORE DELETE ON cash_sessions
        BEGIN SELECT RAISE(ABORT, 'cash sessions are never deleted'); END;
      CREATE TRIGGER cash_sessions_final_when_closed BEFORE UPDATE ON cash_sessions WHEN OLD.status = 'closed'
        BEGIN SELECT RAISE(ABORT, 'a closed day (its Z) is final'); END;
      CREATE TRIGGER cash_movements_never_edited BEFORE UPDATE ON cash_movements
        BEGIN SELECT RAISE(ABORT, 'cash movements are never edited'); END;
      CREATE TRIGGER cash_movements_never_deleted BEFORE DELETE ON cash_movements
        BEGIN SELECT RAISE(ABORT, 'cash movements are never deleted'); END;
      CREATE TRIGGER cash_movements_only_in_open_sessions BEFORE INSERT ON cash_movements
        WHEN (SELECT status FROM cash_sessions WHERE id = NEW.session_id) IS NOT 'open'
        BEGIN SELECT RAISE(ABORT, 'cash moves only in an open day'); END;
    `)
  }
}
