// Start-up integrity checks of the ledger file (issue [E], point 4): is this file still what the till wrote?
//
// - Schema fingerprint: every table, index and trigger (the triggers are what forbid deleting a sale or editing a
//   closed one) compared with the schema the migrations of THIS version build. A dropped or altered trigger is named.
// - Journal: verified from the last signed checkpoint (ledger/anchor.ts) to the head, so the start-up check stays
//   fast on a ledger of any age; a full verification runs on demand (`verify`, the back office).
// - SQLite's own PRAGMA quick_check for damaged pages. It reads the whole file, so it runs off the counter's path:
//   `quickCheck` opens its own read-only connection and is meant for a worker or a moment after start.
import { createHash } from 'node:crypto'
import Database from 'better-sqlite3'
import { latestSchemaVersion, migrate, type Db } from './db'
import { verifyJournal, type JournalCheckpoint, type VerifyResult } from './journal'

interface SchemaObject {
  readonly type: string
  readonly name: string
  readonly sql: string
}

function schemaObjects(db: Db): SchemaObject[] {
  return (db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND sql IS NOT NULL ORDER BY type, name")
    .all() as SchemaObject[]).map((o) => ({ type: o.type, name: o.name, sql: o.sql.replace(/\s+/g, ' ').trim() }))
}

function fingerprintOf(objects: readonly SchemaObject[]): string {
  const hash = createHash('sha256')
  for (const o of objects) hash.update(`${o.type}\u0000${o.name}\u0000${o.sql}\u0000`)
  return hash.digest('hex')
}

let expected: { fingerprint: string; objects: SchemaObject[] } | null = null

/** The schema this version's migrations build, from an empty in-memory database (computed once per process). */
export function expectedSchema(): { fingerprint: string; objects: readonly SchemaObject[] } {
  if (!expected) {
    const memory = new Database(':memory:')
    try {
      migrate(memory)
      const objects = schemaObjects(memory)
      expected = { fingerprint: fingerprintOf(objects), objects }
    } finally {
      memory.close()
    }
  }
  return expected
}

export type SchemaCheck = { readonly ok: true; readonly fingerprint: string } | { readonly ok: false; readonly fingerprint: string; readonly problems: readonly string[] }

/**
 * The fingerprint of the schema this version's migrations build, fixed when the version is made, so the start-up
 * check need not run every migration on an empty database first (about 50-100 ms, most of the start-up check).
 * test/main/ledger/schema-fingerprint.test.ts fails with the value to put here when a migration is added. A stale value
 * costs only time: a file that does not match it is compared with the schema built from the migrations, as before.
 */
export const BUILT_SCHEMA = { version: 17, fingerprint: '8e44b76852de6014258e0606582f4651466bc99ac46f5ea9a16dc8c338e454b7' } as const

export function checkSchema(db: Db): SchemaCheck {
  const objects = schemaObjects(db)
  const fingerprint = fingerprintOf(objects)
  if (fingerprint === BUILT_SCHEMA.fingerprint && BUILT_SCHEMA.version === latestSchemaVersion()) return { ok: true, fingerprint }
  const want = expectedSchema()
  if (fingerprint === want.fingerprint) return { ok: true, fingerprint }
  const have = new Map(objects.map((o) => [`${o.type} ${o.name}`, o.sql]))
  const wanted = new Map(want.objects.map((o) => [`${o.type} ${o.name}`, o.sql]))
  const problems: string[] = []
  for (const [key, sql] of wanted) {
    if (!have.has(key)) problems.push(`${key} is missing`)
    else if (have.get(key) !== sql) problems.push(`${key} was changed`)
  }
  for (const key of have.keys()) if (!wanted.has(key)) problems.push(`${key} was added`)
  return { ok: false, fingerprint, problems }
}

/** SQLite's page-level check on its own read-only connection ('ok' or the first problems it reports). */
export function quickCheck(file: string): { readonly ok: boolean; readonly messages: readonly string[] } {
  let db: Db | null = null
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    const rows = db.pragma('quick_check(20)') as { quick_check: string }[]
    const messages = rows.map((r) => r.quick_check)
    return { ok: messages.length === 1 && messages[0] === 'ok', messages }
  } catch (e) {
    // A page so damaged that SQLite refuses to read it (SQLITE_CORRUPT / SQLITE_NOTADB) is a failed check, not a crash.
    return { ok: false, messages: [e instanceof Error ? e.message : String(e)] }
  } finally {
    db?.close()
  }
}

export interface StartupCheck {
  readonly ok: boolean
  readonly schema: SchemaCheck
  readonly journal: VerifyResult
  /** Where the journal check started (the last signed checkpoint), or null for a full check. */
  readonly from: JournalCheckpoint | null
  readonly ms: number
}

/** The check at every start: schema fingerprint and the journal from the last trusted checkpoint. */
export function startupCheck(db: Db, from: JournalCheckpoint | null): StartupCheck {
  const started = performance.now()
  const schema = checkSchema(db)
  const journal = verifyJournal(db, from ?? undefined)
  return { ok: schema.ok && journal.ok, schema, journal, from, ms: performance.now() - started }
}
