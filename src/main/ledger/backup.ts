// Online backups of the ledger ([E] point 7) with SQLite's backup API (better-sqlite3's db.backup): a consistent
// copy of the whole database, WAL included, taken page by page while the till keeps selling (the backup restarts
// its pass if a write lands mid-copy, so the copy is one committed state, never a torn one). A plain file copy
// of a WAL database can miss the last commits or mix two states.
//
// The copy is written to a temporary name, then checked (quick_check, the journal's hash chain and every sale's
// total against it), flushed to disk and only then renamed into place: a backup file that exists is complete.
//
// The checks read the whole copy, so they run on worker threads, each with its own read-only connection to the copy:
// quick_check on one, the journal's full verify on the others (verifyJournalParallel), at the same time. On the
// till's thread they held its event loop for the whole check after every Z: about 10 s of quick_check and a minute of
// verify for a ledger of 1,000,000 sales (2.9 GB), during which no window of the till was answered.
import Database from 'better-sqlite3'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Db } from './db'
import { verifyJournalParallel } from './journal'

// SQLite's page check of one file on its own read-only connection. Plain JavaScript (a worker cannot load
// TypeScript), better-sqlite3 resolved by the main thread so it loads in the built app and under the tests alike.
const QUICK_CHECK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
let db
try {
  db = new (require(workerData.driver))(workerData.file, { readonly: true, fileMustExist: true })
  const messages = db.pragma('quick_check(20)').map((r) => r.quick_check)
  parentPort.postMessage({ ok: messages.length === 1 && messages[0] === 'ok', messages })
} catch (e) {
  parentPort.postMessage({ ok: false, messages: [String(e && e.message || e)] })
} finally {
  if (db) db.close()
}`

/** quick_check of `file` on a worker thread: 'ok', or the first problems SQLite reports (or why it could not run). */
export function quickCheckOffThread(file: string): Promise<{ readonly ok: boolean; readonly messages: readonly string[] }> {
  return new Promise((resolve) => {
    let answer: { ok: boolean; messages: string[] } | null = null
    const worker = new Worker(QUICK_CHECK_WORKER, { eval: true, workerData: { file, driver: require.resolve('better-sqlite3') } })
    worker.on('message', (m: { ok: boolean; messages: string[] }) => (answer = m))
    worker.once('error', (e) => (answer ??= { ok: false, messages: [e.message] }))
    // Answered once the worker has exited, its connection closed: the copy is renamed or removed right after.
    worker.once('exit', (code) => resolve(answer ?? { ok: false, messages: [`the page check stopped (worker exit ${code})`] }))
  })
}

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

export interface BackupOptions {
  /** Worker threads for the copy's journal verify (default: one per core). */
  readonly verifyWorkers?: number
}

/** Copies the open ledger to `outFile` (never overwriting one), checks the copy, and returns what it holds. */
export async function backupLedger(db: Db, outFile: string, options: BackupOptions = {}): Promise<BackupResult> {
  mkdirSync(dirname(outFile), { recursive: true })
  if (existsSync(outFile)) throw new BackupFailedError(`${outFile} already exists; a backup never overwrites another.`)
  const temp = `${outFile}.${process.pid}.partial`
  try {
    await db.backup(temp)
    // The copy carries the ledger's WAL mode in its header; in rollback mode it is one self-contained file (no -wal
    // or -shm beside it). openLedger puts a restored copy back into WAL.
    const writable = new Database(temp)
    try {
      writable.pragma('journal_mode = DELETE')
    } finally {
      writable.close()
    }
    const copy = new Database(temp, { readonly: true, fileMustExist: true }) as Db
    let result: Omit<BackupResult, 'file' | 'bytes'>
    try {
      // Both checks run to their end, and the page check's verdict comes first: a damaged page can also make the
      // journal's read throw, and whichever finished first used to decide the message (a loaded machine's race).
      const [pages, verified] = await Promise.allSettled([quickCheckOffThread(temp), verifyJournalParallel(copy, temp, { workers: options.verifyWorkers })])
      if (pages.status === 'rejected') throw pages.reason
      if (!pages.value.ok) throw new BackupFailedError(`The backup copy failed SQLite's quick_check: ${pages.value.messages.join('; ')}`)
      if (verified.status === 'rejected') throw verified.reason
      const journal = verified.value
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
export function backupToFolder(db: Db, folder: string, at: number = Date.now(), options: BackupOptions = {}): Promise<BackupResult> {
  return backupLedger(db, join(folder, backupFileName(at)), options)
}
