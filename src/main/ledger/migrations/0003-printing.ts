import type { Migration } from '../db'

// The durable print queue. A receipt is saved here (in the same transaction as its 'print.queued' journal entry)
// before a byte goes to the printer, so a dead printer or a crash never loses it. A job that reached 'printed' is
// frozen and never re-sent: a reprint is a new job ('reprint', copy = 1) that prints a COPY banner, and at most one
// original receipt job exists per sale (partial unique index).
export const m0003Printing: Migration = {
  version: 3,
  name: '0003-printing',
  up(db) {
    db.exec(`
      CREATE TABLE print_jobs (
        id              INTEGER PRIMARY KEY,
        sale_id         TEXT,
        kind            TEXT NOT NULL CHECK (kind IN ('receipt', 'reprint', 'drawer', 'report')),
        -- The ReceiptLine document as built at enqueue time; NULL only for a drawer kick.
        document        TEXT CHECK ((kind = 'drawer') = (document IS NULL)),
        -- The ReceiptData (JSON) a receipt or reprint was built from, so a reprint or a COPY resend can rebuild it.
        data            TEXT CHECK (data IS NULL OR json_valid(data)),
        profile         TEXT NOT NULL,
        printer         TEXT NOT NULL CHECK (length(printer) > 0),
        status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'printed', 'failed')),
        copy            INTEGER NOT NULL DEFAULT 0 CHECK (copy IN (0, 1)),
        reprint_of      INTEGER REFERENCES print_jobs(id),
        reason          TEXT,
        attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error      TEXT,
        -- 1 when an attempt failed or was cut off after bytes may have reached the printer: the next send of a
        -- receipt is rebuilt with the COPY banner, so a possibly-printed original is never printed twice as original.
        outcome_unknown INTEGER NOT NULL DEFAULT 0 CHECK (outcome_unknown IN (0, 1)),
        created_at      INTEGER NOT NULL,
        last_attempt_at INTEGER,
        printed_at      INTEGER,
        CHECK ((status = 'printed') = (printed_at IS NOT NULL)),
        CHECK (kind <> 'reprint' OR (copy = 1 AND sale_id IS NOT NULL)),
        CHECK (kind NOT IN ('receipt', 'reprint') OR data IS NOT NULL)
      ) STRICT;
      CREATE INDEX print_jobs_status ON print_jobs(status, id);
      CREATE INDEX print_jobs_sale ON print_jobs(sale_id);
      CREATE UNIQUE INDEX print_jobs_one_original ON print_jobs(sale_id) WHERE kind = 'receipt';

      CREATE TRIGGER print_jobs_printed_frozen BEFORE UPDATE ON print_jobs WHEN OLD.status = 'printed'
        BEGIN SELECT RAISE(ABORT, 'a printed job is never changed or re-sent'); END;
      CREATE TRIGGER print_jobs_never_deleted BEFORE DELETE ON print_jobs
        BEGIN SELECT RAISE(ABORT, 'print jobs are never deleted'); END;
    `)
  }
}
