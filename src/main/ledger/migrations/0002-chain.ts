import type { Migration } from '../db'

// Stablecoin payments: payment requests, the watcher's cursor and block-hash checkpoints, and the Transfer logs seen.
// Token amounts are TEXT decimal strings of base units (they exceed 2^63 for 18-decimal tokens); CHECKs keep them
// canonical (digits only, no leading zero). Logs are keyed by (chain_id, tx_hash, log_index) so a rescan after a
// reorg or an outage re-inserts nothing twice; a reorg deletes the logs above the common ancestor.
export const m0002Chain: Migration = {
  version: 2,
  name: '0002-chain',
  up(db) {
    db.exec(`
      CREATE TABLE payment_requests (
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
        exception              TEXT CHECK (exception IS NULL OR exception IN ('PaidPartial', 'PaidOver', 'PaidLate', 'Marked')),
        marked_by              TEXT,
        marked_at              INTEGER,
        cancelled_at           INTEGER,
        refund_due             TEXT CHECK (refund_due IS NULL OR refund_due NOT GLOB '*[^0-9]*'),
        released_by            TEXT,
        released_at            INTEGER,
        updated_at             INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX payment_requests_sale ON payment_requests(sale_id);
      CREATE INDEX payment_requests_watch ON payment_requests(chain_id, token_address, receive_address, hold_until);
      -- A tag identifies one request per (chain, token, address) while held; the service also checks hold_until.
      CREATE INDEX payment_requests_tag ON payment_requests(chain_id, token_address, receive_address, tag_index);

      CREATE TABLE chain_cursor (
        chain_id     INTEGER PRIMARY KEY,
        block_number INTEGER NOT NULL CHECK (block_number >= 0),
        block_hash   TEXT NOT NULL,
        head         INTEGER NOT NULL,
        finalized    INTEGER,
        updated_at   INTEGER NOT NULL
      ) STRICT;

      -- Hashes of scanned blocks (chunk ends and blocks with logs): where a reorg's common ancestor is looked for.
      CREATE TABLE chain_blocks (
        chain_id     INTEGER NOT NULL,
        block_number INTEGER NOT NULL,
        block_hash   TEXT NOT NULL,
        PRIMARY KEY (chain_id, block_number)
      ) STRICT;

      CREATE TABLE chain_logs (
        chain_id      INTEGER NOT NULL,
        tx_hash       TEXT NOT NULL,
        log_index     INTEGER NOT NULL CHECK (log_index >= 0),
        block_number  INTEGER NOT NULL,
        block_hash    TEXT NOT NULL,
        block_time    INTEGER NOT NULL,
        token_address TEXT NOT NULL,
        from_address  TEXT NOT NULL,
        to_address    TEXT NOT NULL,
        value         TEXT NOT NULL CHECK (value GLOB '[1-9]*' AND value NOT GLOB '*[^0-9]*'),
        seen_at       INTEGER NOT NULL,
        payment_id    TEXT REFERENCES payment_requests(id),
        attributed    INTEGER NOT NULL DEFAULT 0 CHECK (attributed IN (0, 1)),
        PRIMARY KEY (chain_id, tx_hash, log_index)
      ) STRICT;
      CREATE INDEX chain_logs_payment ON chain_logs(payment_id);
      CREATE INDEX chain_logs_block ON chain_logs(chain_id, block_number);

      CREATE TABLE rates_manual (
        currency     TEXT NOT NULL CHECK (length(currency) = 3),
        token_symbol TEXT NOT NULL,
        rate         TEXT NOT NULL,
        set_by       TEXT NOT NULL,
        set_at       INTEGER NOT NULL,
        PRIMARY KEY (currency, token_symbol)
      ) STRICT;
    `)
  }
}
