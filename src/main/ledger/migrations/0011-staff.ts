import type { Migration } from '../db'

// Staff and roles (issue [S] point 2).
// - staff: one row per person, with the role that says what they may do (src/shared/permissions.ts), a scrypt hash
//   of their PIN with its own salt (as the managers setting kept it), and a disabled flag: people are disabled,
//   never deleted, because sales and journal entries name them.
// - pin_lockout: wrong PINs counted in the ledger, not in memory, so restarting the till does not reset them (a
//   4-digit PIN would otherwise fall to guessing in about a minute of restarts). One row per scope.
// - sales.staff_id: who rang the sale up (sales.cashier keeps the name as printed).
// The managers stored under settings 'managers' become staff rows with role 'manager'; the setting is dropped.
export const m0011Staff: Migration = {
  version: 11,
  name: '0011-staff',
  up(db) {
    db.exec(`
      CREATE TABLE staff (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
        role       TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'cashier')),
        salt       TEXT NOT NULL CHECK (length(salt) >= 16),
        pin_hash   TEXT NOT NULL CHECK (length(pin_hash) = 64),
        disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE TRIGGER staff_never_deleted BEFORE DELETE ON staff
        BEGIN SELECT RAISE(ABORT, 'staff are disabled, never deleted: sales and the journal name them'); END;
      CREATE TABLE pin_lockout (
        scope        TEXT PRIMARY KEY,
        failures     INTEGER NOT NULL CHECK (failures >= 0),
        lockouts     INTEGER NOT NULL CHECK (lockouts >= 0),
        locked_until INTEGER NOT NULL
      ) STRICT;
      ALTER TABLE sales ADD COLUMN staff_id TEXT;
      INSERT INTO staff (id, name, role, salt, pin_hash, disabled, created_at)
        SELECT json_extract(m.value, '$.id'), json_extract(m.value, '$.name'), 'manager', json_extract(m.value, '$.salt'), json_extract(m.value, '$.pinHash'), 0, 0
        FROM settings s, json_each(s.value) m WHERE s.key = 'managers';
      DELETE FROM settings WHERE key = 'managers';
    `)
  }
}
