// Settings documents in the ledger's `settings` table: one JSON value per key, parsed with the caller's zod schema
// on every read and every write, so a hand-edited or older value is refused with a clear error, never half-used.
// Every write is journaled ('setting.changed' with the digest of the stored text, [E] point 4): settings decide
// money (tax mode, the managers' PIN hashes, where the drawer opens), so an edit behind the till's back is caught
// at the next start (ledger/money-state.ts).
import type { z } from 'zod'
import { prepareCached, type Db } from './db'
import { appendJournal } from './journal'
import { settingDigest } from './money-state'

export type SettingKey = 'store' | 'managers' | 'printer' | 'scanners' | 'payments' | 'token-checks' | 'limits' | 'card-fee'

export function readSetting<S extends z.ZodType>(db: Db, key: SettingKey, schema: S): z.output<S> | null {
  const row = prepareCached(db, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined
  return row ? schema.parse(JSON.parse(row.value)) : null
}

/** The till id the journal entries of a settings change carry (the store's, once it exists). */
function tillIdFor(db: Db, key: SettingKey, parsed: unknown): string {
  if (key === 'store' && parsed !== null && typeof parsed === 'object' && typeof (parsed as { tillId?: unknown }).tillId === 'string') return (parsed as { tillId: string }).tillId
  const row = prepareCached(db, "SELECT json_extract(value, '$.tillId') AS tillId FROM settings WHERE key = 'store'").get() as { tillId: unknown } | undefined
  return typeof row?.tillId === 'string' ? row.tillId : 'unset'
}

/**
 * Validates, saves and journals the change, in one transaction (a savepoint inside the caller's, when it goes with
 * other changes). `at`: the caller's clock; settings services without one use the wall clock.
 */
export function writeSetting<S extends z.ZodType>(db: Db, key: SettingKey, schema: S, value: z.input<S>, at: number = Date.now()): z.output<S> {
  const parsed = schema.parse(value)
  const stored = JSON.stringify(parsed)
  db.transaction(() => {
    prepareCached(db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, stored)
    appendJournal(db, { at, tillId: tillIdFor(db, key, parsed), kind: 'setting.changed', saleId: null, payload: { key, digest: settingDigest(stored) } })
  })()
  return parsed
}
