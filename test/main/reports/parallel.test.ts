// The day's exports on worker threads (reports/parallel.ts, day-worker.ts; issue [D] point 3): each worker walks a
// range of the day and lays out some of the files from every range's parts, and the files are the same bytes as the
// one-pass export on the till's thread; the Z (merged from the ranges' folds) handed back, progress while the day is
// walked, the till's thread free meanwhile, and a cancel that leaves no file behind. The workers run from the
// TypeScript sources here (tsx).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXPORT_FORMATS, writeDayExports, type ExportFormat } from '../../../src/main/reports'
import { daySettlementFromLedger, seqRange } from '../../../src/main/reports/from-ledger'
import { StringSink } from '../../../src/main/reports/output'
import { formatGroups, writeDayExportFilesInWorkers } from '../../../src/main/reports/parallel'
import { computeZTotals } from '../../../src/main/reports/settlement'
import { EXPORT_WORKER_MIN_ENTRIES, expectedDayEntries, writeClosingFiles, writeClosingFilesOffThread } from '../../../src/main/services/day-close'
import { ShiftService } from '../../../src/main/services/shift'
import type { ZReportView } from '../../../src/shared/api/views'
import { bundleDayWorker, seedDay } from '../../../bench/day'
import { testTill, type TestTill } from '../../fixtures/till'
import { seedLedgerDayBySql } from './seeded-ledger'
import { tempDir } from './tools'

// Over 10,000 entries: each of two workers reports progress at least once before it finishes its range.
const SALES = 12_000

let seeded: { till: TestTill; z: ZReportView }
beforeAll(() => {
  // The bench's day (bench/day.ts seedDay): sales of 3 lines, every 600th paid in USDC with its request and chain log.
  const till = testTill({ timeZone: 'UTC' })
  const shift = new ShiftService({ db: till.app.db, clock: till.clock, store: till.app.store })
  shift.open({ totalMinor: 20_000 }, 'M1')
  const transfers = Array.from({ length: 20 }, (_, i) => ({
    txHash: `0x${(i + 1).toString(16).padStart(64, '0')}`,
    logIndex: 0,
    blockNumber: 100 + i,
    blockHash: `0x${(i + 1).toString(16).padStart(64, '0')}`,
    blockTimeMs: till.clock.now() + i * 600_000,
    value: 3_210_000n + BigInt(i + 1)
  }))
  seedDay(till.app.db, till.clock, SALES, '0x5FbDB2315678afecb367f032d93F642f64180aa3', transfers)
  const z = shift.close({ counted: { totalMinor: shift.xReport().drawer.expectedMinor } }, 'M1')
  seeded = { till, z: shift.zReport(z.zNumber) }
}, 120_000)
afterAll(async () => {
  await seeded?.till.cleanup()
})

async function onThisThread(): Promise<Record<ExportFormat, Buffer>> {
  const day = daySettlementFromLedger(seeded.till.app.db, 'T1', seeded.z.zNumber, { timeZone: 'UTC' })
  const sinks = Object.fromEntries(EXPORT_FORMATS.map((f) => [f, new StringSink()])) as Record<ExportFormat, StringSink>
  await writeDayExports(day, sinks)
  return Object.fromEntries(EXPORT_FORMATS.map((f) => [f, sinks[f].bytes()])) as Record<ExportFormat, Buffer>
}

describe('the exports of a closed day on worker threads', () => {
  it('splits the day into consecutive ranges of its journal that cover it, and the formats in two groups for two workers, one for one', () => {
    for (const [after, before, of] of [[10, 21, 2], [10, 21, 3], [0, 2, 2], [5, 1_000_006, 2]] as const) {
      const ranges = Array.from({ length: of }, (_, i) => seqRange(after, before, i, of))
      expect(ranges[0]!.afterSeq).toBe(after)
      expect(ranges.at(-1)!.beforeSeq).toBe(before)
      // Range i+1 starts after the last seq of range i: each seq in exactly one range.
      for (let i = 1; i < of; i++) expect(ranges[i]!.afterSeq).toBe(ranges[i - 1]!.beforeSeq - 1)
    }
    expect(seqRange(10, 21, 0, 2)).toEqual({ afterSeq: 10, beforeSeq: 16 })

    expect(formatGroups(EXPORT_FORMATS, 2)).toEqual([['csv', 'ofx', 'camt053'], ['hledger', 'beancount']])
    expect(formatGroups(EXPORT_FORMATS, 1)).toEqual([[...EXPORT_FORMATS]])
    expect(formatGroups(['hledger'], 2)).toEqual([['hledger']])
  })

  /**
   * The day's five files written by `workers` export workers into a temp folder, this thread's timer and the progress
   * events recorded: set before the work starts, since on the till's thread the synchronous walk would report its
   * first 10,000 entries before any timer could fire.
   */
  async function inWorkers(workers: number, check: (r: { totals: Awaited<ReturnType<typeof writeDayExportFilesInWorkers>>; events: string[]; dir: string }) => Promise<void>): Promise<void> {
    const tmp = tempDir()
    try {
      const outFiles = Object.fromEntries(EXPORT_FORMATS.map((f) => [f, join(tmp.dir, f)])) as Record<ExportFormat, string>
      const events: string[] = []
      setTimeout(() => events.push('timer'), 0)
      const totals = await writeDayExportFilesInWorkers({ file: seeded.till.app.db.name, tillId: 'T1', zNumber: seeded.z.zNumber, timeZone: 'UTC', outFiles, workers, onProgress: (entries) => events.push(`progress ${entries}`) })
      expect(events[0]).toBe('timer')
      const day = daySettlementFromLedger(seeded.till.app.db, 'T1', seeded.z.zNumber, { timeZone: 'UTC' })
      expect(totals).toEqual(computeZTotals(day))
      const expected = await onThisThread()
      for (const format of EXPORT_FORMATS) expect(readFileSync(outFiles[format]).equals(expected[format]), format).toBe(true)
      await check({ totals, events, dir: tmp.dir })
    } finally {
      tmp.remove()
    }
  }

  it('one worker alone (a small day off the till\'s thread) runs the one pass into the files: the same bytes and Z, this thread turning meanwhile', async () => {
    await inWorkers(1, async ({ events, dir }) => {
      expect(events).toContain('progress 10000')
      // Nothing but the five files: no spool folder handed over and left behind.
      expect(readdirSync(dir).sort()).toEqual([...EXPORT_FORMATS].sort())
    })
  }, 120_000)

  it('writes every file byte for byte as the one pass on this thread does, and hands back the Z, while this thread keeps turning', async () => {
    await inWorkers(2, async ({ totals, events }) => {
      // The day's entries walked by both workers together: rising, and every entry counted once at the end.
      const reported = events.filter((e) => e.startsWith('progress ')).map((e) => Number(e.slice('progress '.length)))
      expect(reported.length).toBeGreaterThanOrEqual(3)
      expect(reported).toEqual([...reported].sort((a, b) => a - b))
      expect(reported.at(-1)).toBe(SALES)
      expect(totals.salesCount).toBe(SALES)
    })
  }, 120_000)

  it('the closing folder of a big day: the PDF and the five exports, the same bytes as on this thread; cancelled, no file is left', async () => {
    const { db } = seeded.till.app
    expect(expectedDayEntries(db, 'T1', seeded.z.zNumber)).toBeGreaterThanOrEqual(SALES)
    const day = daySettlementFromLedger(db, 'T1', seeded.z.zNumber, { timeZone: 'UTC' })
    const tmp = tempDir()
    try {
      const folder = join(tmp.dir, 'Z1')
      const progress: { entries: number; expectedEntries: number }[] = []
      const { files, totals } = await writeClosingFilesOffThread(db, day, folder, { workerMinEntries: 1, onProgress: (p) => progress.push(p) })
      expect(totals).toEqual(computeZTotals(day))
      expect(files.map((f) => f.split('.').slice(1).join('.')).sort()).toEqual(['beancount', 'camt053.xml', 'csv', 'journal', 'ofx', 'pdf'])
      expect(progress[0]).toEqual({ entries: 5_000, expectedEntries: expectedDayEntries(db, 'T1', seeded.z.zNumber) })
      expect(progress.at(-1)!.entries).toBe(progress.at(-1)!.expectedEntries)
      const expected = await onThisThread()
      const byFormat: Record<ExportFormat, string> = { csv: '.csv', ofx: '.ofx', camt053: '.camt053.xml', hledger: '.journal', beancount: '.beancount' }
      for (const format of EXPORT_FORMATS) expect(readFileSync(files.find((f) => f.endsWith(byFormat[format]))!).equals(expected[format]), format).toBe(true)

      // Cancelled as soon as it reports: the promise rejects and neither a final nor a partial file remains.
      const cancelled = join(tmp.dir, 'Z1-cancelled')
      const abort = new AbortController()
      const run = writeClosingFilesOffThread(db, day, cancelled, { workerMinEntries: 1, signal: abort.signal, onProgress: () => abort.abort(new Error('cancelled by the manager')) })
      await expect(run).rejects.toThrow('cancelled by the manager')
      expect(existsSync(cancelled) ? readdirSync(cancelled) : []).toEqual([])
    } finally {
      tmp.remove()
    }
  }, 120_000)

  it.each(['en', 'zh-CN'] as const)('the closing folder of a small day (%s): the exports read in parts with this thread turning between them, the PDF after them (en, Helvetica) or on a worker meanwhile (zh-CN, the build\'s file), the same bytes as in one pass', async (locale) => {
    const { db } = seeded.till.app
    expect(expectedDayEntries(db, 'T1', seeded.z.zNumber)).toBeLessThan(EXPORT_WORKER_MIN_ENTRIES)
    const day = daySettlementFromLedger(db, 'T1', seeded.z.zNumber, { timeZone: 'UTC' })
    const tmp = tempDir()
    try {
      // The worker bundled as the build ships it (electron.config.ts: out/main/day-worker.js).
      const workerFile = bundleDayWorker()
      // The longest this thread went without turning (a 5 ms timer's worst lateness) while the files were written.
      const longestHold = async <T>(work: () => Promise<T>): Promise<{ result: T; holdMs: number }> => {
        let hold = 0
        let last = performance.now()
        const ticker = setInterval(() => {
          hold = Math.max(hold, performance.now() - last)
          last = performance.now()
        }, 5)
        try {
          const result = await work()
          return { result, holdMs: Math.max(hold, performance.now() - last) }
        } finally {
          clearInterval(ticker)
        }
      }
      const offThread = await longestHold(() => writeClosingFilesOffThread(db, day, join(tmp.dir, 'Z1'), { workerFile, locale }))
      const { files, totals } = offThread.result
      expect(totals).toEqual(computeZTotals(day))
      const here = await longestHold(() => writeClosingFiles(day, join(tmp.dir, 'Z1-here'), { totals, locale }))
      const onThread = here.result
      // The one pass of 12,000 sales and the PDF hold the loop for their whole walk and layout; a part of 1,000 sales does not.
      expect(offThread.holdMs).toBeLessThan(here.holdMs / 2)
      expect(files.map((f) => f.split('/').at(-1))).toEqual(onThread.map((f) => f.split('/').at(-1)))
      // The PDF as well (the worker folded its own Z): pdfkit's bytes depend only on the day and its Z.
      for (const [i, file] of files.entries()) expect(readFileSync(file).equals(readFileSync(onThread[i]!)), file).toBe(true)
    } finally {
      tmp.remove()
    }
  }, 120_000)

  it('a small day\'s closing files cancelled between two parts: the promise rejects and no file is left, final or partial', async () => {
    const { db } = seeded.till.app
    const day = daySettlementFromLedger(db, 'T1', seeded.z.zNumber, { timeZone: 'UTC' })
    const tmp = tempDir()
    try {
      const folder = join(tmp.dir, 'Z1')
      const abort = new AbortController()
      const reported: number[] = []
      const run = writeClosingFilesOffThread(db, day, folder, {
        signal: abort.signal,
        onProgress: (p) => {
          reported.push(p.entries)
          if (p.entries >= 1_000) abort.abort(new Error('cancelled by the manager'))
        }
      })
      await expect(run).rejects.toThrow('cancelled by the manager')
      // Parts of about 250 entries: it stopped after the part that reached 1,000, well before the day's end.
      expect(reported.length).toBeGreaterThanOrEqual(4)
      expect(reported.at(-1)!).toBeLessThan(1_300)
      expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([])
    } finally {
      tmp.remove()
    }
  }, 120_000)

  it('a day with every kind of entry (a void, a no-sale, a late payment, a cash out, a short count) split in three ranges: the same bytes and Z', async () => {
    // Three ranges of 400 sales: the void, the no-sale and the cash out each fall in one range, and the Z merges
    // what each range saw.
    const golden = seedLedgerDayBySql(400)
    const tmp = tempDir()
    try {
      const { db } = golden.till.app
      const day = daySettlementFromLedger(db, 'T1', golden.z.zNumber, { timeZone: 'UTC' })
      const sinks = Object.fromEntries(EXPORT_FORMATS.map((f) => [f, new StringSink()])) as Record<ExportFormat, StringSink>
      const onePass = await writeDayExports(day, sinks)
      const outFiles = Object.fromEntries(EXPORT_FORMATS.map((f) => [f, join(tmp.dir, f)])) as Record<ExportFormat, string>
      const totals = await writeDayExportFilesInWorkers({ file: db.name, tillId: 'T1', zNumber: golden.z.zNumber, timeZone: 'UTC', outFiles, workers: 3 })
      expect(totals).toEqual(onePass)
      expect(totals).toMatchObject({ salesCount: 400, voids: { count: 1 }, noSaleCount: 1, latePayments: { count: 1 }, drawer: { cashOutCount: 1, differenceMinor: -7 } })
      for (const format of EXPORT_FORMATS) expect(readFileSync(outFiles[format]).equals(sinks[format].bytes()), format).toBe(true)
    } finally {
      tmp.remove()
      await golden.till.cleanup()
    }
  }, 120_000)
})
