import type { Migration } from '../db'

// Issue [F], payment truth:
// - payment_requests.exception may be 'Reversed' (a payment that was Paid and lost its transfers to a reorg). SQLite
//   cannot alter a CHECK, so the table is rebuilt (sqlite.org/lang_altertable.html "other kinds of table schema
//   changes"); chain_logs references it by name, and the deferred foreign-key check runs at commit, when the new
//   table carries the old name again.
// - settled_at: when the request first reached Paid (a later drop below Paid is a reversal, never a plain "New").
// - reversed_at / reversal_*: the reversal and how a manager dealt with it (kept for the day's reconciliation).
// - chain_logs.rule: which attribution rule credited (or refused) the transfer (the table in services/payments.ts);
//   resolution/resolved_by/resolved_at/note: a manager's decision on an unattributed transfer.
export const m0006PaymentTruth: Migration = {
  version: 6,
  name: '0006-payment-truth',
  up(db) {
    db.pragma('defer_foreign_keys = ON')
    db.exec(`
      CREATE TABLE payment_requests_new (
        id                     TEXT PRIMARY KEY,
        sale_id                TEXT NOT NULL,
        till_id                TEXT NOT NULL,
        chain_id               INTEGER NOT NULL CHECK (chain_id > 0),
        token_symbol           TEXT NOT NULL CHECK (token_symbol IN ('USDC', 'USDT')),
        token_address          TEXT NOT NULL CHECK (length(token_address) = 42),
        token_decimals         INTEGER NOT NULL CHECK (token_decimals BETWEEN 0 AND 36),
        receive_address        TEXT NOT NULL CHECK (length(receive_address) = 42),
        scheme                 TEXT NOT NULL CHECK (scheme IN ('tag', 'xpub')),
        tag_index              INTEGER CHECK (tag_index IS NULL OR tag_index BETWEEN 1 AND 9999),
        derivation_path        TEXT,
        amount_due             TEXT NOT NULL CHECK (amount_due GLOB '[1-9]*' AND amount_due NOT GLOB '*[^0-9]*'),
        amount_minimum         TEXT NOT NULL CHECK (amount_minimum GLOB '[1-9]*' AND amount_minimum NOT GLOB '*[^0-9]*'),
        amount_minor           INTEGER NOT NULL CHECK (amount_minor > 0),
        currency               TEXT NOT NULL CHECK (length(currency) = 3),
        rate                   TEXT NOT NULL,
        rate_source            TEXT NOT NULL CHECK (rate_source IN ('peg', 'manual', 'http')),
        rate_at                INTEGER NOT NULL,
        confirmation_kind      TEXT NOT NULL CHECK (confirmation_kind IN ('blocks', 'finalized')),
        confirmations_required INTEGER NOT NULL CHECK (confirmations_required >= 1),
        created_at             INTEGER NOT NULL,
        expires_at             INTEGER NOT NULL CHECK (expires_at > created_at),
        hold_until             INTEGER NOT NULL CHECK (hold_until >= expires_at),
        status                 TEXT NOT NULL CHECK (status IN ('New', 'Seen', 'Paid', 'Expired', 'Invalid')),
        exception              TEXT CHECK (exception IS NULL OR exception IN ('PaidPartial', 'PaidOver', 'PaidLate', 'Marked', 'Reversed')),
        marked_by              TEXT,
        marked_at              INTEGER,
        cancelled_at           INTEGER,
        refund_due             TEXT CHECK (refund_due IS NULL OR refund_due NOT GLOB '*[^0-9]*'),
        released_by            TEXT,
        released_at            INTEGER,
        updated_at             INTEGER NOT NULL,
        settled_at             INTEGER,
        reversed_at            INTEGER,
        reversal_resolved_by   TEXT,
        reversal_resolved_at   INTEGER,
        reversal_note          TEXT
      ) STRICT;
      INSERT INTO payment_requests_new (id, sale_id, till_id, chain_id, token_symbol, token_address, token_decimals, receive_address,
          scheme, tag_index, derivation_path, amount_due, amount_minimum, amount_minor, currency, rate, rate_source, rate_at,
          confirmation_kind, confirmations_required, created_at, expires_at, hold_until, status, exception, marked_by, marked_at,
          cancelled_at, refund_due, released_by, released_at, updated_at, settled_at)
        SELECT id, sale_id, till_id, chain_id, token_symbol, token_address, token_decimals, receive_address,
          scheme, tag_index, derivation_path, amount_due, amount_minimum, amount_minor, currency, rate, rate_source, rate_at,
          confirmation_kind, confirmations_required, created_at, expires_at, hold_until, status, exception, marked_by, marked_at,
          cancelled_at, refund_due, released_by, released_at, updated_at, CASE WHEN status = 'Paid' THEN updated_at END
        FROM payment_requests;
      DROP TABLE payment_requests;
      ALTER TABLE payment_requests_new RENAME TO payment_requests;
      CREATE INDEX payment_requests_sale ON payment_requests(sale_id);
      CREATE INDEX payment_requests_watch ON payment_requests(chain_id, token_address, receive_address, hold_until);
      CREATE INDEX payment_requests_tag ON payment_requests(chain_id, token_address, receive_address, tag_index);
      CREATE INDEX payment_requests_reversed ON payment_requests(reversed_at) WHERE reversed_at IS NOT NULL;

      ALTER TABLE chain_logs ADD COLUMN rule TEXT;
      ALTER TABLE chain_logs ADD COLUMN resolution TEXT CHECK (resolution IS NULL OR resolution IN ('assigned', 'other-income', 'refund-owed', 'not-ours'));
      ALTER TABLE chain_logs ADD COLUMN resolved_by TEXT;
      ALTER TABLE chain_logs ADD COLUMN resolved_at INTEGER;
      ALTER TABLE chain_logs ADD COLUMN note TEXT;
    `)
  }
}
