// The till's SQLite ledger: one file per till, the single source of truth (offline-first).
// WAL + synchronous=FULL: a committed sale survives power loss (WAL alone with NORMAL may lose the last commits).
import Database from 'better-sqlite3'
import { migrations } from './migrations'

export type Db = Database.Database

export interface Migration {
  /** 1, 2, 3 … in order; stored in PRAGMA user_version once applied. */
  readonly version: number
  readonly name: string
  /** Runs inside the migration transaction: synchronous, no await. */
  up(db: Db): void
}

export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly known: number
  ) {
    super(
      `This ledger was written by a newer Stabletill (schema version ${found}; this version knows up to ${known}). ` +
        'Refusing to open it so nothing is damaged: update Stabletill on this till.'
    )
    this.name = 'SchemaTooNewError'
  }
}

export function latestSchemaVersion(list: readonly Migration[] = migrations): number {
  return list.length === 0 ? 0 : list[list.length - 1]!.version
}

/** Applies the pending migrations in order, all in one transaction. Refuses a database from a newer version. */
export function migrate(db: Db, list: readonly Migration[] = migrations): { from: number; to: number } {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${m.name} has version ${m.version}, expected ${i + 1}`)
  })
  const from = db.pragma('user_version', { simple: true }) as number
  const known = latestSchemaVersion(list)
  if (from > known) throw new SchemaTooNewError(from, known)
  if (from === known) return { from, to: known }
  db.transaction(() => {
    for (const m of list) {
      if (m.version <= from) continue
      m.up(db)
      db.pragma(`user_version = ${m.version}`)
    }
  }).immediate()
  return { from, to: known }
}

export interface OpenOptions {
  readonly migrations?: readonly Migration[]
  readonly readonly?: boolean
}

export function openLedger(file: string, options: OpenOptions = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false })
  try {
    if (!options.readonly) {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = FULL')
    }
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    if (!options.readonly) migrate(db, options.migrations)
    else {
      const found = db.pragma('user_version', { simple: true }) as number
      const known = latestSchemaVersion(options.migrations)
      if (found > known) throw new SchemaTooNewError(found, known)
    }
    return db
  } catch (e) {
    db.close()
    throw e
  }
}

const statementCaches = new WeakMap<Db, Map<string, Database.Statement>>()

/**
 * Prepared statements, compiled once per connection and reused: better-sqlite3's prepare() compiles the SQL
 * on every call, which measured as most of a sale's CPU time before this cache.
 */
export function prepareCached(db: Db, sql: string): Database.Statement {
  let cache = statementCaches.get(db)
  if (!cache) {
    cache = new Map()
    statementCaches.set(db, cache)
  }
  let statement = cache.get(sql)
  if (!statement) {
    statement = db.prepare(sql)
    cache.set(sql, statement)
  }
  return statement
}
