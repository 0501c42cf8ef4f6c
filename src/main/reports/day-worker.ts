// The export worker's thread (issue [D] point 3: a 1,000,000-sale day must not block the till's event loop). The
// one-pass walk (day-pass.ts) is synchronous by design (nothing awaits while the ledger's cursor is open), so on the
// till's own thread it would hold the event loop for as long as the day takes to write. Here it runs on a worker
// thread with its own read-only connection (WAL lets it read while the till writes). parallel.ts starts one per
// core and gives each a RANGE of the day's journal: the day is read once in all, not once per worker (the read
// is half the work).
//
// Two steps, because a file's head depends on the whole day (a statement's closing balance, the journals'
// declarations) while its body is every range's text in order:
//   1. walk: this worker's range through the writers of every format asked for, every spool into its own file (no memory budget: flat
//      memory for a day of any size), the Z folded; posts the fold and the spools' files by name.
//   2. lay-out: given every worker's fold (merged in range order into the day's Z) and every range's spool files,
//      writes the files of the formats it was given: the head from the Z, then each body's parts in range order.
// It posts how far it got while walking, and hands the day's Z back when its files are flushed. A worker alone (a
// day too small to split, walked off the till's thread all the same) skips both steps: it runs the one pass into
// the files.
//
// Not imported by the till: started by file name (out/main/day-worker.js in the build, this file through tsx from
// the sources), so everything it needs is imported here.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { exportWriter, writeDayExports, type ExportFormat } from './index'
import { layOutFiles, PartsSet, PROGRESS_EVERY_ENTRIES, SpoolSet, walkDay } from './day-pass'
import { daySettlementFromLedger } from './from-ledger'
import { finish } from './output'
import type { DayWorkerData, DayWorkerLayOut, DayWorkerMessage } from './parallel'
import { finishZTotals, mergeZFolds, newZFold, type DaySettlement, type ZTotals } from './settlement'
import { writeZPdf } from './z-pdf'

const post = (message: DayWorkerMessage): void => parentPort!.postMessage(message)

function nextLayOut(): Promise<DayWorkerLayOut> {
  return new Promise((resolve) => parentPort!.once('message', (message: DayWorkerLayOut) => resolve(message)))
}

/** The Z as PDF when this worker was given it (parallel.ts DayWorkerPdf), flushed and closed. */
async function writePdf(job: DayWorkerData, day: DaySettlement, totals: ZTotals): Promise<void> {
  if (!job.pdf) return
  const out = createWriteStream(job.pdf.file)
  try {
    await writeZPdf(day, totals, out, { kind: 'Z', locale: job.pdf.locale })
    await finish(out)
  } finally {
    if (!out.closed) out.destroy()
  }
}

async function run(job: DayWorkerData): Promise<void> {
  const db = new Database(job.file, { readonly: true, fileMustExist: true })
  const outs: Partial<Record<ExportFormat, WriteStream>> = {}
  try {
    if (job.range.of === 1) {
      // One worker walks the whole day: the one pass itself (writeDayExports, spools in memory up to their budget),
      // straight into the files. Handing spool files over and copying them into place is only worth it when the
      // ranges are walked on several cores.
      const day = daySettlementFromLedger(db, job.tillId, job.zNumber, { timeZone: job.timeZone })
      for (const format of job.formats) outs[format] = createWriteStream(job.outFiles![format]!)
      const totals = await writeDayExports(day, outs, { ...job.options, onProgress: (entries) => post({ type: 'progress', entries }) })
      for (const format of job.formats) await finish(outs[format]!)
      await writePdf(job, day, totals)
      post({ type: 'done', totals })
      return
    }
    const day = daySettlementFromLedger(db, job.tillId, job.zNumber, { timeZone: job.timeZone, range: job.range })
    // Step 1: this range through every writer, each spool to a file in this worker's folder.
    mkdirSync(job.spoolDir, { recursive: true })
    const spools = new SpoolSet(0, job.spoolDir)
    const writers = job.formats.map((format) => exportWriter(day, format, job.options)(spools))
    const fold = newZFold(day.cardFeePpm)
    // Each of n workers reports every 1/n of the interval, so the day as a whole moves about as often as in one walk.
    const walked = walkDay(day, writers, fold, (entries) => post({ type: 'progress', entries }), Math.ceil(PROGRESS_EVERY_ENTRIES / job.range.of))
    post({ type: 'progress', entries: walked })
    post({ type: 'walked', fold, spoolFiles: spools.handOver() })
    // Step 2: the day's Z from every range's fold, in range order; this worker's formats laid out from every range.
    const layOut = await nextLayOut()
    const whole = layOut.folds.reduce((into, later) => mergeZFolds(into, later), newZFold(day.cardFeePpm))
    const totals = finishZTotals(day, whole)
    const parts = new PartsSet(layOut.parts)
    const formats = layOut.formats
    for (const format of formats) outs[format] = createWriteStream(layOut.outFiles[format]!)
    await layOutFiles(
      formats.map((format) => exportWriter(day, format, job.options)(parts)),
      formats.map((format) => outs[format]!),
      totals
    )
    for (const format of formats) await finish(outs[format]!)
    await writePdf(job, day, totals)
    post({ type: 'done', totals })
  } finally {
    for (const out of Object.values(outs)) if (!out.closed) out.destroy()
    db.close()
  }
}

run(workerData as DayWorkerData).then(
  // The parent's port would keep this thread alive waiting for a message that never comes.
  () => parentPort!.close(),
  (e: unknown) => {
    // The error event carries it to parallel.ts; exiting non-zero is the backstop.
    setImmediate(() => {
      throw e
    })
  }
)
