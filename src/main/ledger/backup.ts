// Online backups of the ledger ([E] point 7) with SQLite's backup API (better-sqlite3's db.backup): a consistent
// copy of the whole database, WAL included, taken page by page while the till keeps selling (the backup restarts
// its pass if a write lands mid-copy, so the copy is one committed state, never a torn one). A plain file copy
// of a WAL database can miss the last commits or mix two states.
//
// The copy is written to a temporary name, then checked (quick_check, the journal's hash chain and every sale's
// total against it), flushed to disk and only then renamed into place: a backup file that exists is complete.
import Database from 'better-sqlite3'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Db } from './db'
import { verifyJournal } from './journal'

export interface BackupResult {
  readonly file: string
  readonly bytes: number
  /** Journal entries in the copy, and its last hash: what a restore must show again. */
  readonly journalEntries: number
  readonly lastHash: string
  readonly sales: number
}

export class BackupFailedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackupFailedError'
  }
}

/** A backup file name for a folder of backups: sortable by time, one per second at most. */
export function backupFileName(at: number): string {
  return `stabletill-${new Date(at).toISOString().replace(/[:]/g, '-').replace(/\.\d{3}Z$/, 'Z')}.sqlite`
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Copies the open ledger to `outFile` (never overwriting one), checks the copy, and returns what it holds. */
export async function backupLedger(db: Db, outFile: string): Promise<BackupResult> {
  mkdirSync(dirname(outFile), { recursive: true })
  if (existsSync(outFile)) throw new BackupFailedError(`${outFile} already exists; a backup never overwrites another.`)
  const temp = `${outFile}.${process.pid}.partial`
  try {
    await db.backup(temp)
    const copy = new Database(temp)
    let result: Omit<BackupResult, 'file' | 'bytes'>
    try {
      // The copy carries the ledger's WAL mode in its header; in rollback mode it is one self-contained file (no
      // -wal or -shm beside it). openLedger puts a restored copy back into WAL.
      copy.pragma('journal_mode = DELETE')
      const check = copy.pragma('quick_check', { simple: true })
      if (check !== 'ok') throw new BackupFailedError(`The backup copy failed SQLite's quick_check: ${String(check)}`)
      const journal = verifyJournal(copy)
      if (!journal.ok) throw new BackupFailedError(`The backup copy's journal does not verify: ${journal.reason} (entry ${journal.firstBadSeq}). The ledger itself may be damaged: run npm run verify.`)
      const sales = (copy.prepare('SELECT count(*) AS n FROM sales').get() as { n: number }).n
      result = { journalEntries: journal.entries, lastHash: journal.lastHash, sales }
    } finally {
      copy.close()
    }
    fsyncPath(temp)
    renameSync(temp, outFile)
    // The rename itself is made durable by flushing the folder (POSIX; Windows has no directory handles to flush).
    if (process.platform !== 'win32') fsyncPath(dirname(outFile))
    return { file: outFile, bytes: statSync(outFile).size, ...result }
  } finally {
    rmSync(temp, { force: true })
  }
}

/** A backup into a configured folder, named by the time it was taken. */
export function backupToFolder(db: Db, folder: string, at: number = Date.now()): Promise<BackupResult> {
  return backupLedger(db, join(folder, backupFileName(at)))
}
