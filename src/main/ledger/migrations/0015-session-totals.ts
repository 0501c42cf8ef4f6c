import type { Migration } from '../db'

// Running totals per cash session (issue [D]: the Z of a 1,000,000-sale day in milliseconds). The X and the Z read
// these rows instead of joining the day's journal range to its sales, lines and tenders (about 9.6 s at 1,000,000
// sales, and twice per close: the X for the expected cash, then the Z). They are kept by the services in the very
// transaction that journals what they count (services/session-totals.ts), as a till's accumulators are, so they
// hold exactly what that join would give at the same journal head; `stabletill verify` and the close's check
// compare the two.
//
// What they hold is what shift.ts computeFiguresFromLedger aggregates: completed sales and refunds (count, total),
// per tax rate the sales' and returns' taxable and tax and the discounts, stablecoin tenders per token and chain,
// cash and stablecoin tenders of sales (count, distinct sales, amount, received, change), voids (count, value)
// and no-sales. Rows of a closed session are final (triggers), as its Z is. And an index for the payments an X
// carries over, the one other read of an X that grew with the ledger.
//
// An open session of an existing ledger is backfilled with the very SQL the X used until now, so an upgrade in
// the middle of a day still counts the sales made before it.
export const m0015SessionTotals: Migration = {
  version: 15,
  name: '0015-session-totals',
  up(db) {
    db.exec(`
      CREATE TABLE session_totals (
        session_id          TEXT PRIMARY KEY REFERENCES cash_sessions(id),
        sales_count         INTEGER NOT NULL DEFAULT 0 CHECK (sales_count >= 0),
        sales_minor         INTEGER NOT NULL DEFAULT 0,
        returns_count       INTEGER NOT NULL DEFAULT 0 CHECK (returns_count >= 0),
        returns_minor       INTEGER NOT NULL DEFAULT 0,
        voids_count         INTEGER NOT NULL DEFAULT 0 CHECK (voids_count >= 0),
        voids_minor         INTEGER NOT NULL DEFAULT 0,
        no_sales_count      INTEGER NOT NULL DEFAULT 0 CHECK (no_sales_count >= 0),
        cash_count          INTEGER NOT NULL DEFAULT 0 CHECK (cash_count >= 0),
        cash_sales          INTEGER NOT NULL DEFAULT 0 CHECK (cash_sales >= 0),
        cash_amount_minor   INTEGER NOT NULL DEFAULT 0,
        cash_received_minor INTEGER NOT NULL DEFAULT 0,
        cash_change_minor   INTEGER NOT NULL DEFAULT 0,
        coin_count          INTEGER NOT NULL DEFAULT 0 CHECK (coin_count >= 0),
        coin_sales          INTEGER NOT NULL DEFAULT 0 CHECK (coin_sales >= 0),
        coin_amount_minor   INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      CREATE TABLE session_tax_totals (
        session_id            TEXT NOT NULL REFERENCES cash_sessions(id),
        tax_rate_id           TEXT NOT NULL,
        tax_rate_ppm          INTEGER NOT NULL,
        sales_taxable_minor   INTEGER NOT NULL DEFAULT 0,
        sales_tax_minor       INTEGER NOT NULL DEFAULT 0,
        discount_minor        INTEGER NOT NULL DEFAULT 0,
        returns_taxable_minor INTEGER NOT NULL DEFAULT 0,
        returns_tax_minor     INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (session_id, tax_rate_id, tax_rate_ppm)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE session_token_totals (
        session_id   TEXT NOT NULL REFERENCES cash_sessions(id),
        token_symbol TEXT NOT NULL,
        chain_id     INTEGER NOT NULL,
        count        INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
        amount_minor INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (session_id, token_symbol, chain_id)
      ) STRICT, WITHOUT ROWID;

      -- The X's and the Z's payments carried over (shift.ts pendingPayments): money seen but not Paid, or goods
      -- released unverified. Without it every X read every payment request the till ever made; with it, only those
      -- still unconfirmed (a request that settles or expires leaves the index).
      CREATE INDEX payment_requests_pending ON payment_requests(till_id, created_at, id)
        WHERE status <> 'Paid' AND (status IN ('New', 'Seen') OR released_at IS NOT NULL);

      CREATE TRIGGER session_totals_final BEFORE UPDATE ON session_totals
        WHEN (SELECT status FROM cash_sessions WHERE id = OLD.session_id) = 'closed'
        BEGIN SELECT RAISE(ABORT, 'the totals of a closed day are final'); END;
      CREATE TRIGGER session_totals_only_open BEFORE INSERT ON session_totals
        WHEN (SELECT status FROM cash_sessions WHERE id = NEW.session_id) IS NOT 'open'
        BEGIN SELECT RAISE(ABORT, 'totals are kept only for an open day'); END;
      CREATE TRIGGER session_totals_never_deleted BEFORE DELETE ON session_totals
        BEGIN SELECT RAISE(ABORT, 'session totals are never deleted'); END;
      CREATE TRIGGER session_tax_totals_final BEFORE UPDATE ON session_tax_totals
        WHEN (SELECT status FROM cash_sessions WHERE id = OLD.session_id) = 'closed'
        BEGIN SELECT RAISE(ABORT, 'the totals of a closed day are final'); END;
      CREATE TRIGGER session_tax_totals_only_open BEFORE INSERT ON session_tax_totals
        WHEN (SELECT status FROM cash_sessions WHERE id = NEW.session_id) IS NOT 'open'
        BEGIN SELECT RAISE(ABORT, 'totals are kept only for an open day'); END;
      CREATE TRIGGER session_tax_totals_never_deleted BEFORE DELETE ON session_tax_totals
        BEGIN SELECT RAISE(ABORT, 'session totals are never deleted'); END;
      CREATE TRIGGER session_token_totals_final BEFORE UPDATE ON session_token_totals
        WHEN (SELECT status FROM cash_sessions WHERE id = OLD.session_id) = 'closed'
        BEGIN SELECT RAISE(ABORT, 'the totals of a closed day are final'); END;
      CREATE TRIGGER session_token_totals_only_open BEFORE INSERT ON session_token_totals
        WHEN (SELECT status FROM cash_sessions WHERE id = NEW.session_id) IS NOT 'open'
        BEGIN SELECT RAISE(ABORT, 'totals are kept only for an open day'); END;
      CREATE TRIGGER session_token_totals_never_deleted BEFORE DELETE ON session_token_totals
        BEGIN SELECT RAISE(ABORT, 'session totals are never deleted'); END;
    `)

    // The backfill: the X's SQL as of 0014 (shift.ts computeFigures and tenderTotals), over each open session's
    // journal range from its opening to the head. Written out here, not imported: a shipped migration never changes.
    const open = db.prepare("SELECT id, till_id, open_seq FROM cash_sessions WHERE status = 'open'").all() as { id: string; till_id: string; open_seq: number }[]
    const period = `WITH period AS MATERIALIZED (
        SELECT j.kind AS entry, j.sale_id AS id FROM journal j
         WHERE j.seq > :openSeq AND j.till_id = :tillId AND j.kind IN ('sale.completed', 'sale.voided', 'drawer.no-sale')
      ), done AS MATERIALIZED (
        SELECT s.id, s.kind, s.total_minor, s.tax_mode FROM period p JOIN sales s ON s.id = p.id WHERE p.entry = 'sale.completed'
      )`
    const totals = db.prepare(`${period}
      INSERT INTO session_totals (session_id, sales_count, sales_minor, returns_count, returns_minor, voids_count, voids_minor, no_sales_count,
                                  cash_count, cash_sales, cash_amount_minor, cash_received_minor, cash_change_minor, coin_count, coin_sales, coin_amount_minor)
      SELECT :sessionId,
        (SELECT COUNT(*) FROM done WHERE kind = 'sale'), (SELECT COALESCE(SUM(total_minor), 0) FROM done WHERE kind = 'sale'),
        (SELECT COUNT(*) FROM done WHERE kind = 'refund'), (SELECT COALESCE(SUM(total_minor), 0) FROM done WHERE kind = 'refund'),
        (SELECT COUNT(*) FROM period WHERE entry = 'sale.voided'),
        (SELECT COALESCE(SUM(l.amount_minor - l.discount_minor + CASE WHEN s.tax_mode = 'exclusive' THEN l.tax_minor ELSE 0 END), 0)
           FROM period p JOIN sales s ON s.id = p.id JOIN sale_lines l ON l.sale_id = s.id WHERE p.entry = 'sale.voided' AND l.voided = 0),
        (SELECT COUNT(*) FROM period WHERE entry = 'drawer.no-sale'),
        c.n, c.sales, c.amount, c.received, c.change, k.n, k.sales, k.amount
      FROM (SELECT COUNT(*) AS n, COUNT(DISTINCT t.sale_id) AS sales, COALESCE(SUM(t.amount_minor), 0) AS amount,
                   COALESCE(SUM(COALESCE(t.received_minor, t.amount_minor)), 0) AS received, COALESCE(SUM(COALESCE(t.change_minor, 0)), 0) AS change
              FROM done d JOIN tenders t ON t.sale_id = d.id WHERE d.kind = 'sale' AND t.kind = 'cash' AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id)) c,
           (SELECT COUNT(*) AS n, COUNT(DISTINCT t.sale_id) AS sales, COALESCE(SUM(t.amount_minor), 0) AS amount
              FROM done d JOIN tenders t ON t.sale_id = d.id WHERE d.kind = 'sale' AND t.kind = 'stablecoin' AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id)) k`)
    const taxes = db.prepare(`${period}
      INSERT INTO session_tax_totals (session_id, tax_rate_id, tax_rate_ppm, sales_taxable_minor, sales_tax_minor, discount_minor, returns_taxable_minor, returns_tax_minor)
      SELECT :sessionId, tax_rate_id, tax_rate_ppm,
             SUM(CASE WHEN kind = 'sale' THEN taxable ELSE 0 END), SUM(CASE WHEN kind = 'sale' THEN tax ELSE 0 END), SUM(CASE WHEN kind = 'sale' THEN discount ELSE 0 END),
             SUM(CASE WHEN kind = 'refund' THEN taxable ELSE 0 END), SUM(CASE WHEN kind = 'refund' THEN tax ELSE 0 END)
        FROM (SELECT d.kind, l.tax_rate_id, l.tax_rate_ppm, l.tax_minor AS tax, l.discount_minor AS discount,
                     CASE WHEN d.tax_mode = 'inclusive' THEN l.amount_minor - l.discount_minor - l.tax_minor ELSE l.amount_minor - l.discount_minor END AS taxable
                FROM done d JOIN sale_lines l ON l.sale_id = d.id WHERE l.voided = 0)
       GROUP BY tax_rate_id, tax_rate_ppm`)
    const tokens = db.prepare(`${period}
      INSERT INTO session_token_totals (session_id, token_symbol, chain_id, count, amount_minor)
      SELECT :sessionId, token, chain_id, COUNT(*), SUM(amount_minor)
        FROM (SELECT COALESCE(json_extract(t.details, '$.tokenSymbol'), 'unknown') AS token, COALESCE(json_extract(t.details, '$.chainId'), 0) AS chain_id, t.amount_minor
                FROM done d JOIN tenders t ON t.sale_id = d.id WHERE d.kind = 'sale' AND t.kind = 'stablecoin' AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id))
       GROUP BY token, chain_id`)
    for (const session of open) {
      const params = { sessionId: session.id, tillId: session.till_id, openSeq: session.open_seq }
      totals.run(params)
      taxes.run(params)
      tokens.run(params)
    }
  }
}
