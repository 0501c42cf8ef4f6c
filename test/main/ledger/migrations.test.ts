import { afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { latestSchemaVersion, migrate, openLedger, SchemaTooNewError, type Migration } from '../../../src/main/ledger/db'
import { migrations } from '../../../src/main/ledger/migrations'
import { tempLedger, type TempLedger } from '../../fixtures/ledger'

let ledger: TempLedger | null = null
afterEach(() => ledger?.cleanup())

describe('migrations', () => {
  it('bring a new file to the latest version with WAL and synchronous=FULL', () => {
    ledger = tempLedger()
    expect(ledger.db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion())
    expect(ledger.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(ledger.db.pragma('synchronous', { simple: true })).toBe(2) // FULL
  })

  it('every migration applies on top of the previous ones (one at a time)', () => {
    for (let n = 1; n <= migrations.length; n++) {
      const db = new Database(':memory:')
      expect(migrate(db, migrations.slice(0, n))).toEqual({ from: 0, to: n })
      expect(migrate(db, migrations.slice(0, n))).toEqual({ from: n, to: n }) // idempotent
      if (n < migrations.length) expect(migrate(db, migrations)).toEqual({ from: n, to: migrations.length })
      db.close()
    }
  })

  it('0001 makes STRICT tables that refuse a float for money', () => {
    ledger = tempLedger()
    expect(() =>
      ledger!.db.prepare("INSERT INTO tax_rates (id, name, rate_ppm) VALUES ('x', 'x', 12.5)").run()
    ).toThrow(/cannot store REAL value in INTEGER column/)
  })

  it('refuses a database written by a newer version, with a clear message, and leaves it untouched', () => {
    ledger = tempLedger()
    const file = ledger.file
    ledger.db.pragma(`user_version = ${latestSchemaVersion() + 1}`)
    ledger.db.close()
    expect(() => openLedger(file)).toThrow(SchemaTooNewError)
    expect(() => openLedger(file)).toThrow(/newer Stabletill \(schema version \d+; this version knows up to \d+\)/)
    const raw = new Database(file)
    expect(raw.pragma('user_version', { simple: true })).toBe(latestSchemaVersion() + 1)
    raw.close()
  })

  it('a failing migration rolls back every step of the run', () => {
    const db = new Database(':memory:')
    const broken: Migration = { version: migrations.length + 1, name: 'broken', up: (d) => d.exec('CREATE TABLE x (a INTEGER) STRICT; INSERT INTO nope VALUES (1);') }
    expect(() => migrate(db, [...migrations, broken])).toThrow(/no such table: nope/)
    expect(db.pragma('user_version', { simple: true })).toBe(0)
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sales'").get()).toEqual({ n: 0 })
    db.close()
  })
})

describe('0011-staff', () => {
  it('turns the managers setting into staff rows with role manager, keeping their PIN hashes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stabletill-m9-'))
    const file = join(dir, 'ledger.sqlite')
    const raw = new Database(file)
    migrate(raw, migrations.slice(0, 10))
    raw.prepare("INSERT INTO settings (key, value) VALUES ('managers', ?)").run(JSON.stringify([{ id: 'M1', name: 'Manager', salt: 'a'.repeat(32), pinHash: 'b'.repeat(64) }]))
    migrate(raw, migrations)
    expect(raw.prepare('SELECT id, name, role, salt, pin_hash, disabled FROM staff').all()).toEqual([{ id: 'M1', name: 'Manager', role: 'manager', salt: 'a'.repeat(32), pin_hash: 'b'.repeat(64), disabled: 0 }])
    expect(raw.prepare("SELECT 1 FROM settings WHERE key = 'managers'").get()).toBeUndefined()
    expect(() => raw.prepare("DELETE FROM staff WHERE id = 'M1'").run()).toThrow(/never deleted/)
    raw.close()
    rmSync(dir, { recursive: true, force: true })
  })
})
