// The export worker's thread (issue [D] point 3: a 1,000,000-sale day must not block the till's event loop). The
// one-pass walk (day-pass.ts) is synchronous by design (nothing awaits while the ledger's cursor is open), so on the
// till's own thread it would hold the event loop for as long as the day takes to write. Here it runs on a worker
// thread with its own read-only connection (WAL lets it read while the till writes), writes its formats' files
// itself, posts how far it got, and hands the day's Z back. parallel.ts starts it and splits the formats.
//
// Not imported by the till: started by file name (out/main/day-worker.js in the build, this file through tsx from
// the sources), so everything it needs is imported here.
import { createWriteStream, type WriteStream } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { writeDayExports, type ExportFormat } from './index'
import { daySettlementFromLedger } from './from-ledger'
import { finish } from './output'
import type { DayWorkerData, DayWorkerMessage } from './parallel'

async function run(job: DayWorkerData): Promise<void> {
  const db = new Database(job.file, { readonly: true, fileMustExist: true })
  const outs: Partial<Record<ExportFormat, WriteStream>> = {}
  try {
    const day = daySettlementFromLedger(db, job.tillId, job.zNumber, { timeZone: job.timeZone })
    for (const format of job.formats) outs[format] = createWriteStream(job.outFiles[format]!)
    const post = (message: DayWorkerMessage): void => parentPort!.postMessage(message)
    const totals = await writeDayExports(day, outs, { ...job.options, onProgress: (entries) => post({ type: 'progress', entries }) })
    for (const format of job.formats) await finish(outs[format]!)
    post({ type: 'done', totals })
  } finally {
    for (const out of Object.values(outs)) if (!out.closed) out.destroy()
    db.close()
  }
}

run(workerData as DayWorkerData).catch((e: unknown) => {
  // The error event carries it to parallel.ts; exiting non-zero is the backstop.
  setImmediate(() => {
    throw e
  })
})
