// Head office's PostgreSQL schema, as numbered migrations in code (the till's rule, STYLE.md §7: applied in order,
// each in one transaction, a shipped one never edited; a database from a newer version is refused).
//
// The journal rows are the tills' own entries, stored once per (till, seq): the payload as the exact text the till
// hashed (payload_text, what the hash is checked against) and as jsonb (what the projections and people query).
// The projections (till_day, sale_tenders, z_closings) are derived from the journal in the same transaction that stores it, so
// they can always be rebuilt from it.
import type { PoolClient } from 'pg'

export interface HeadOfficeMigration {
  readonly version: number
  readonly name: string
  readonly sql: string
}

export const headOfficeMigrations: readonly HeadOfficeMigration[] = [
  {
    version: 1,
    name: 'init',
    sql: `
      CREATE TABLE stores (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
        name text NOT NULL,
        currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        -- The store's days ("today's sales") are its local calendar days.
        time_zone text NOT NULL DEFAULT 'UTC'
      );
      CREATE TABLE tills (
        id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
        store_id text NOT NULL REFERENCES stores(id),
        -- The till id its own entries carry (store settings' tillId, e.g. 'T1'): an entry naming another is refused.
        ledger_till_id text NOT NULL,
        name text NOT NULL,
        -- Only the token's SHA-256 is kept: a copy of this database does not let anyone ship as the till.
        token_sha256 text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
        -- The till key's public half (base64 SPKI DER, ledger/anchor.ts), to check the heads it signs.
        public_key text,
        head_seq bigint NOT NULL DEFAULT 0 CHECK (head_seq >= 0),
        head_hash text,
        reported_head bigint NOT NULL DEFAULT 0,
        last_seen_at timestamptz,
        last_entry_at bigint,
        UNIQUE (store_id, ledger_till_id)
      );
      CREATE TABLE journal (
        till_id text NOT NULL REFERENCES tills(id),
        seq bigint NOT NULL CHECK (seq > 0),
        at bigint NOT NULL,
        kind text NOT NULL,
        sale_id text,
        payload jsonb NOT NULL,
        payload_text text NOT NULL,
        prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (till_id, seq)
      );
      -- Append-only, as on the till: a stored entry is never changed or removed.
      CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the head-office journal is append-only'; END $$;
      CREATE TRIGGER journal_no_update BEFORE UPDATE OR DELETE ON journal FOR EACH ROW EXECUTE FUNCTION journal_append_only();

      -- Refused batches that matter: a fork (same seq, another hash), an edited entry, a broken link. Kept, loud.
      CREATE TABLE alerts (
        id bigserial PRIMARY KEY,
        till_id text NOT NULL REFERENCES tills(id),
        kind text NOT NULL,
        seq bigint,
        stored_hash text,
        offered_hash text NOT NULL DEFAULT '',
        detail text NOT NULL,
        first_at timestamptz NOT NULL DEFAULT now(),
        last_at timestamptz NOT NULL DEFAULT now(),
        times integer NOT NULL DEFAULT 1,
        -- The same refusal re-sent by a retrying till is one alert, counted.
        UNIQUE (till_id, kind, seq, offered_hash)
      );

      -- Heads the till signed with its key (ledger/anchor.ts), each checked against the stored journal entry at its
      -- seq and, when the till's public key is registered, its signature (verified).
      CREATE TABLE signed_heads (
        till_id text NOT NULL REFERENCES tills(id),
        seq bigint NOT NULL,
        hash text NOT NULL,
        reason text NOT NULL,
        at bigint NOT NULL,
        signature text NOT NULL,
        verified boolean NOT NULL,
        PRIMARY KEY (till_id, seq, signature)
      );

      -- Projections for the overview.
      CREATE TABLE sale_tenders (
        till_id text NOT NULL REFERENCES tills(id),
        tender_id text NOT NULL,
        sale_id text NOT NULL,
        kind text NOT NULL,
        amount_minor bigint NOT NULL,
        PRIMARY KEY (till_id, tender_id)
      );
      CREATE INDEX sale_tenders_sale ON sale_tenders (till_id, sale_id);
      CREATE TABLE till_day (
        till_id text NOT NULL REFERENCES tills(id),
        day date NOT NULL,
        sales_count integer NOT NULL DEFAULT 0,
        sales_minor bigint NOT NULL DEFAULT 0,
        returns_count integer NOT NULL DEFAULT 0,
        returns_minor bigint NOT NULL DEFAULT 0,
        cash_sales_minor bigint NOT NULL DEFAULT 0,
        stablecoin_sales_minor bigint NOT NULL DEFAULT 0,
        cash_refunds_minor bigint NOT NULL DEFAULT 0,
        stablecoin_refunds_minor bigint NOT NULL DEFAULT 0,
        voids_count integer NOT NULL DEFAULT 0,
        PRIMARY KEY (till_id, day)
      );
    `
  },
  {
    version: 2,
    name: 'z closings and acknowledged alerts',
    sql: `
      -- Each till's Z closings as their 'shift.z-closed' entries carry them (services/shift.ts close: the figures
      -- are the Z itself), one row per (till, Z number): what the accountant at head office reads per store and day.
      CREATE TABLE z_closings (
        till_id text NOT NULL REFERENCES tills(id),
        z_number integer NOT NULL,
        seq bigint NOT NULL,
        closed_at bigint NOT NULL,
        period_start bigint NOT NULL,
        day date NOT NULL,
        sales_count integer NOT NULL,
        net_sales_minor bigint NOT NULL,
        tax_minor bigint NOT NULL,
        expected_cash_minor bigint NOT NULL,
        counted_cash_minor bigint NOT NULL,
        difference_minor bigint NOT NULL,
        difference_reason text,
        grand_net_minor bigint NOT NULL,
        head_seq bigint NOT NULL,
        head_hash text NOT NULL,
        PRIMARY KEY (till_id, z_number)
      );
      CREATE INDEX z_closings_day ON z_closings (day);
      -- The journal stored before this version holds Z entries too: the projection starts complete.
      INSERT INTO z_closings (till_id, z_number, seq, closed_at, period_start, day, sales_count, net_sales_minor, tax_minor, expected_cash_minor, counted_cash_minor, difference_minor, difference_reason, grand_net_minor, head_seq, head_hash)
      SELECT j.till_id, (j.payload->>'zNumber')::integer, j.seq, j.at, (j.payload->'figures'->>'periodStartMs')::bigint,
             (to_timestamp((j.payload->'figures'->>'periodStartMs')::bigint / 1000.0) AT TIME ZONE s.time_zone)::date,
             (j.payload->'figures'->>'salesCount')::integer, (j.payload->'figures'->>'netSalesMinor')::bigint, (j.payload->'figures'->>'taxMinor')::bigint,
             (j.payload->'figures'->'drawer'->>'expectedMinor')::bigint, COALESCE((j.payload->'figures'->'drawer'->>'countedMinor')::bigint, 0),
             COALESCE((j.payload->'figures'->'drawer'->>'differenceMinor')::bigint, 0), j.payload->'figures'->'drawer'->>'differenceReason',
             (j.payload->'figures'->'grandTotals'->'after'->>'netMinor')::bigint,
             (j.payload->'figures'->'journal'->>'headSeq')::bigint, j.payload->'figures'->'journal'->>'headHash'
        FROM journal j JOIN tills t ON t.id = j.till_id JOIN stores s ON s.id = t.store_id
       WHERE j.kind = 'shift.z-closed'
      ON CONFLICT DO NOTHING;

      -- An alert dealt with stays on record, with who said what about it; only open ones count on the overview.
      ALTER TABLE alerts ADD COLUMN acknowledged_at timestamptz, ADD COLUMN acknowledged_note text;
    `
  }
]

/** Brings the database to the newest schema; refuses one from a newer head office. */
export async function migrateHeadOffice(client: PoolClient): Promise<number> {
  await client.query('CREATE TABLE IF NOT EXISTS headoffice_schema (version integer NOT NULL)')
  // One head office at a time migrates: the advisory lock serialises two servers started together.
  await client.query('SELECT pg_advisory_lock(74021)')
  try {
    const row = (await client.query<{ version: number }>('SELECT max(version) AS version FROM headoffice_schema')).rows[0]
    const current = row?.version ?? 0
    const newest = headOfficeMigrations[headOfficeMigrations.length - 1]!.version
    if (current > newest) throw new Error(`the head-office database is at schema ${current}, newer than this server's ${newest}: run the newer server`)
    for (const migration of headOfficeMigrations) {
      if (migration.version <= current) continue
      await client.query('BEGIN')
      try {
        await client.query(migration.sql)
        await client.query('INSERT INTO headoffice_schema (version) VALUES ($1)', [migration.version])
        await client.query('COMMIT')
      } catch (e) {
        await client.query('ROLLBACK')
        throw e
      }
    }
    return newest
  } finally {
    await client.query('SELECT pg_advisory_unlock(74021)')
  }
}
