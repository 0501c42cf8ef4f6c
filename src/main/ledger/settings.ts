// Settings documents in the ledger's `settings` table: one JSON value per key, parsed with the caller's zod schema
// on every read and every write, so a hand-edited or older value is refused with a clear error, never half-used.
import type { z } from 'zod'
import { prepareCached, type Db } from './db'

export type SettingKey = 'store' | 'managers' | 'printer' | 'scanners' | 'payments' | 'token-checks'

export function readSetting<S extends z.ZodType>(db: Db, key: SettingKey, schema: S): z.output<S> | null {
  const row = prepareCached(db, 'SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined
  return row ? schema.parse(JSON.parse(row.value)) : null
}

/** Validates and saves; call inside the caller's transaction when it goes with other changes. */
export function writeSetting<S extends z.ZodType>(db: Db, key: SettingKey, schema: S, value: z.input<S>): z.output<S> {
  const parsed = schema.parse(value)
  prepareCached(db, 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(parsed))
  return parsed
}
