// One till process per data folder ([E] point 2). Two processes on one ledger mixed their lines into one sale,
// printed originals twice and could create the store twice; so the folder is claimed before the ledger opens.
//
// The lock is SQLite's own: an EXCLUSIVE transaction held open on a small file beside the ledger
// (stabletill.lock). SQLite takes it with the OS's advisory file lock (fcntl on POSIX, LockFileEx on Windows), which
// the OS drops the moment the holding process ends, however it ends (SIGKILL, power cut): there is no stale lock
// to detect and no pid to trust, so pid reuse cannot keep a folder locked. A pid file beside it
// (stabletill.lock.json) only names the holder in the message the second process shows.
//
// Within one process the claim is counted, not exclusive: a process runs one till by design, and the test
// fixtures and the hosts claim a folder early (before the demo chain) and again in createApp.
//
// A missing or empty ledger in a folder that has held one is an error, not a new store: the first open leaves a
// marker (store-id) beside the ledger, and a folder with the marker and no ledger bytes is refused untouched.
import Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

export const LOCK_FILE = 'stabletill.lock'
export const LOCK_HOLDER_FILE = 'stabletill.lock.json'
export const STORE_MARKER_FILE = 'store-id'
/** The ledger's file name (app.ts LEDGER_FILE; repeated here so this module needs nothing from app.ts). */
export const DEFAULT_LEDGER_FILE = 'stabletill.sqlite'

export class DataFolderInUseError extends Error {
  readonly code = 'data-folder-in-use'
  constructor(
    readonly dataDir: string,
    readonly holderPid: number | null
  ) {
    super(`This data folder is already open in another Stabletill (pid ${holderPid ?? 'unknown'}): ${dataDir}. Close that till first; two tills on one ledger would mix their sales.`)
    this.name = 'DataFolderInUseError'
  }
}

export class LedgerMissingError extends Error {
  readonly code = 'ledger-missing'
  constructor(
    readonly ledgerFile: string,
    readonly state: 'missing' | 'empty',
    readonly storeId: string | null
  ) {
    super(
      `The ledger ${ledgerFile} is ${state === 'missing' ? 'missing' : 'empty (0 bytes)'}, but this folder has held a store` +
        `${storeId ? ` (store id ${storeId})` : ''}. Stabletill will not start a new store over it, so sale numbering and the journal cannot restart ` +
        'silently. Restore the ledger from a backup into this folder; to start a new store on purpose, use a new data folder.'
    )
    this.name = 'LedgerMissingError'
  }
}

export interface DataFolderClaim {
  readonly dataDir: string
  /**
   * Runs the ledger's open under this claim: on success the folder is marked as holding a store; on failure the
   * claim is released, so a refused ledger (newer schema, damaged file) leaves no lock behind.
   */
  open<T>(openLedger: () => T): T
  /** Gives the claim back; the lock is dropped when the process's last claim on the folder is released. */
  release(): void
}

const markerSchema = z.object({ storeId: z.string().min(1).max(100), createdAt: z.string() }).loose()
const holderSchema = z.object({ pid: z.number().int().positive() }).loose()

interface Held {
  readonly lock: Database.Database
  count: number
}
const held = new Map<string, Held>()

function readMarker(dataDir: string): { storeId: string | null } | null {
  const file = join(dataDir, STORE_MARKER_FILE)
  if (!existsSync(file)) return null
  try {
    const parsed = markerSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    return { storeId: parsed.success ? parsed.data.storeId : null }
  } catch {
    // Unreadable or not JSON: the marker is still there, and it still means a store was here.
    return { storeId: null }
  }
}

function writeMarker(dataDir: string, ledgerFile: string): void {
  const size = statSync(join(dataDir, ledgerFile), { throwIfNoEntry: false })?.size ?? 0
  if (size === 0 || existsSync(join(dataDir, STORE_MARKER_FILE))) return
  writeFileSync(join(dataDir, STORE_MARKER_FILE), `${JSON.stringify({ storeId: randomUUID(), createdAt: new Date().toISOString(), ledger: ledgerFile })}\n`, { flag: 'wx' })
}

function holderPid(dataDir: string): number | null {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(readFileSync(join(dataDir, LOCK_HOLDER_FILE), 'utf8')))
    return parsed.success ? parsed.data.pid : null
  } catch {
    return null
  }
}

/** Takes the OS lock, or throws DataFolderInUseError naming the holder. */
function lockFolder(dataDir: string): Database.Database {
  // timeout 0: a held lock is an answer, not something to wait for.
  const lock = new Database(join(dataDir, LOCK_FILE), { timeout: 0 })
  try {
    // No journal file for a database that is never written; EXCLUSIVE mode keeps the lock until the connection ends.
    lock.pragma('journal_mode = OFF')
    lock.pragma('locking_mode = EXCLUSIVE')
    lock.exec('BEGIN EXCLUSIVE')
  } catch (e) {
    lock.close()
    if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new DataFolderInUseError(dataDir, holderPid(dataDir))
    throw e
  }
  writeFileSync(join(dataDir, LOCK_HOLDER_FILE), `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`)
  return lock
}

/**
 * Claims a data folder for this process before its ledger is opened: one till process per folder, and a missing
 * or empty ledger where a store was is refused. Throws DataFolderInUseError or LedgerMissingError.
 */
export function claimDataFolder(dataDir: string, ledgerFile: string = DEFAULT_LEDGER_FILE): DataFolderClaim {
  mkdirSync(dataDir, { recursive: true })
  const key = realpathSync(dataDir)
  let entry = held.get(key)
  if (entry) entry.count++
  else {
    entry = { lock: lockFolder(dataDir), count: 1 }
    held.set(key, entry)
  }
  let released = false
  const claim: DataFolderClaim = {
    dataDir,
    open(openLedger) {
      try {
        const opened = openLedger()
        writeMarker(dataDir, ledgerFile)
        return opened
      } catch (e) {
        claim.release()
        throw e
      }
    },
    release() {
      if (released) return
      released = true
      const current = held.get(key)
      if (!current || --current.count > 0) return
      held.delete(key)
      rmSync(join(dataDir, LOCK_HOLDER_FILE), { force: true })
      current.lock.close()
    }
  }
  // Checked under the lock, so no other till can be creating the ledger meanwhile.
  const marker = readMarker(dataDir)
  if (marker) {
    const size = statSync(join(dataDir, ledgerFile), { throwIfNoEntry: false })?.size
    if (size === undefined || size === 0) {
      claim.release()
      throw new LedgerMissingError(join(dataDir, ledgerFile), size === undefined ? 'missing' : 'empty', marker.storeId)
    }
  } else {
    // A ledger from before markers existed: mark it now, so it is protected from this start on.
    writeMarker(dataDir, ledgerFile)
  }
  return claim
}
