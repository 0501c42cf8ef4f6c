// The day's exports off the till's thread and on both cores (issue [D] points 2 and 3). Each worker thread
// (day-worker.ts) reads one RANGE of the day's journal over its own read-only connection and renders it through all
// five writers into spool files; once every range is walked, each worker lays out some of the formats' files from
// every range's parts in order, with the day's Z merged from the ranges' folds. So the day is read once in all
// (reading it is half the work: each worker used to read the whole day for its formats), both cores render, and
// each file is still one writer's output in the day's order: byte for byte that of writeDayExports (the golden
// test runs both). The till's thread only waits and passes messages: it serves the cashier meanwhile, and can
// cancel (the workers are terminated, the spool folder removed, and the caller removes the partial files).
import { existsSync, mkdtempSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { ExportFormat, ExportOptions } from './index'
import type { ReportLocale } from './labels'
import type { ZFold, ZTotals } from './settlement'

export interface DayWorkerData {
  /** The ledger file (opened read-only by the worker). */
  readonly file: string
  readonly tillId: string
  readonly zNumber: number
  readonly timeZone?: string
  /** The part of the day's journal this worker walks (from-ledger.ts seqRange). */
  readonly range: { readonly index: number; readonly of: number }
  /** The worker's own folder for its spool files (inside the pass's folder, which parallel.ts removes). */
  readonly spoolDir: string
  /** Every format asked for: each range is walked through all of their writers. */
  readonly formats: readonly ExportFormat[]
  readonly options: Pick<ExportOptions, 'bom' | 'declarations'>
  /** A worker alone (range 1 of 1): its files, written in one pass (no spool hand-over, no lay-out step). */
  readonly outFiles?: Partial<Record<ExportFormat, string>>
  /** The Z as PDF, written by this worker once it has the day's Z (the last worker: after its files). */
  readonly pdf?: DayWorkerPdf
}

/**
 * The Z's PDF (z-pdf.ts) off the till's thread: loading the CJK font collection and embedding its subset take most of
 * a second of CPU (1.4-2 s of the till's loop held at 10,000 sales, measured on a loaded machine), more than the
 * exports of a 10,000-sale day.
 */
export interface DayWorkerPdf {
  readonly file: string
  readonly locale: ReportLocale
}

/** From the parent once every range is walked: what to lay out, from what. */
export interface DayWorkerLayOut {
  readonly type: 'lay-out'
  /** Every range's fold, in range order. */
  readonly folds: readonly ZFold[]
  /** Every spool's files by name, in range order (ranges that had none left out). */
  readonly parts: Readonly<Record<string, readonly string[]>>
  readonly formats: readonly ExportFormat[]
  readonly outFiles: Partial<Record<ExportFormat, string>>
}

export type DayWorkerMessage =
  | { readonly type: 'progress'; readonly entries: number }
  | { readonly type: 'walked'; readonly fold: ZFold; readonly spoolFiles: Readonly<Record<string, string>> }
  | { readonly type: 'done'; readonly totals: ZTotals }

/**
 * Formats laid out per worker. Two workers: the three statements of money movements (CSV, OFX, camt.053) and the
 * two journals, about as many bytes each (bench/day.ts); one: all five.
 */
export function formatGroups(formats: readonly ExportFormat[], workers: number): ExportFormat[][] {
  if (workers <= 1 || formats.length <= 1) return [[...formats]]
  const statements = formats.filter((f) => f === 'csv' || f === 'ofx' || f === 'camt053')
  const journals = formats.filter((f) => f === 'hledger' || f === 'beancount')
  return [statements, journals].filter((g) => g.length > 0)
}

/** The worker's file as the build ships it (day-worker.js beside the build's entries), or null when running from the sources. */
export function builtDayWorkerFile(): string | null {
  for (const file of [join(__dirname, 'day-worker.js'), join(__dirname, '..', 'day-worker.js')]) if (existsSync(file)) return file
  return null
}

/** The worker's file: day-worker.js beside the build's entries, or the TypeScript source (tests, tsx, the bench). */
function workerFile(): { file: string; typescript: boolean } {
  const built = builtDayWorkerFile()
  return built ? { file: built, typescript: false } : { file: join(__dirname, 'day-worker.ts'), typescript: true }
}

/**
 * The export workers' young generation: a walk makes short-lived rows, entries and movements by the million, and
 * with V8's default (16 MB semi-spaces here) it scavenged often enough to cost about 4 s of CPU at 1,000,000
 * sales (37 and 32 s against 41 and 35 s for both workers, alternating runs, loaded machine), for 35 MB more peak
 * RSS. The verify workers do the same (ledger/journal.ts).
 */
const YOUNG_GENERATION_MB = 64

// A worker cannot load TypeScript by itself: from the sources, tsx's CommonJS hook is registered first.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads')
if (workerData.bootstrap.tsx) require(workerData.bootstrap.tsx).register()
require(workerData.bootstrap.file)
`

export interface DayExportFilesRequest {
  readonly file: string
  readonly tillId: string
  readonly zNumber: number
  readonly timeZone?: string
  /** Where each format goes (the caller renames them once all are complete). */
  readonly outFiles: Partial<Record<ExportFormat, string>>
  readonly options?: Pick<ExportOptions, 'bom' | 'declarations'>
  /** Worker threads (default: 2, or 1 on a one-core machine). */
  readonly workers?: number
  /** Entries walked so far by all the workers together, as they come (every few thousand). */
  readonly onProgress?: (entries: number) => void
  /** Aborting terminates the workers; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal
  /** The worker's JavaScript file when it is not beside this module (bench/day.ts bundles one, as the build does). */
  readonly workerFile?: string
  /** Also the Z as PDF, by the last worker once the day's Z is known. */
  readonly pdf?: DayWorkerPdf
}

/** Every format given a file, written on worker threads; resolves with the day's Z once every file is flushed. */
export async function writeDayExportFilesInWorkers(request: DayExportFilesRequest): Promise<ZTotals> {
  request.signal?.throwIfAborted()
  const formats = (['csv', 'ofx', 'camt053', 'hledger', 'beancount'] as const).filter((f) => request.outFiles[f] !== undefined)
  const count = Math.max(1, request.workers ?? Math.min(2, availableParallelism()))
  const groups = formatGroups(formats, count)
  const { file, typescript } = request.workerFile ? { file: request.workerFile, typescript: false } : workerFile()
  const bootstrap = { file, tsx: typescript ? require.resolve('tsx/cjs/api') : null }
  const spoolRoot = mkdtempSync(join(tmpdir(), 'stabletill-export-'))
  const progress = new Array<number>(count).fill(0)
  const workers: Worker[] = []
  const stopAll = (): void => {
    for (const w of workers) void w.terminate()
  }
  const onAbort = (): void => stopAll()
  request.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const walked: (Extract<DayWorkerMessage, { type: 'walked' }> | undefined)[] = new Array(count)
    let walkedCount = 0
    const layOut = (): void => {
      // Every range walked: each worker lays out its group of formats (a worker with no group just ends).
      const parts: Record<string, string[]> = {}
      for (const w of walked) for (const [name, part] of Object.entries(w!.spoolFiles)) (parts[name] ??= []).push(part)
      const folds = walked.map((w) => w!.fold)
      workers.forEach((worker, index) => {
        const group = groups[index] ?? []
        const message: DayWorkerLayOut = { type: 'lay-out', folds, parts, formats: group, outFiles: Object.fromEntries(group.map((f) => [f, request.outFiles[f]!])) }
        worker.postMessage(message)
      })
    }
    const results = await Promise.all(
      Array.from(
        { length: count },
        (_, index) =>
          new Promise<ZTotals>((resolve, reject) => {
            const data: DayWorkerData & { bootstrap: typeof bootstrap } = {
              file: request.file,
              tillId: request.tillId,
              zNumber: request.zNumber,
              timeZone: request.timeZone,
              range: { index, of: count },
              spoolDir: join(spoolRoot, `range-${index}`),
              formats,
              options: request.options ?? {},
              ...(count === 1 ? { outFiles: request.outFiles } : {}),
              ...(request.pdf && index === count - 1 ? { pdf: request.pdf } : {}),
              bootstrap
            }
            const worker = new Worker(BOOTSTRAP, {
              eval: true,
              workerData: data,
              // The built worker needs none of this process's options: started under tsx (the bench, the CLI from
              // the sources), a worker inheriting them registered tsx's hooks again, about 1.4 s of CPU per worker
              // (profiled), which the till's build never pays.
              ...(typescript ? {} : { execArgv: [] }),
              resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB }
            })
            workers.push(worker)
            let totals: ZTotals | null = null
            worker.on('message', (message: DayWorkerMessage) => {
              if (message.type === 'done') totals = message.totals
              else if (message.type === 'walked') {
                walked[index] = message
                if (++walkedCount === count) layOut()
              } else {
                progress[index] = message.entries
                request.onProgress?.(progress.reduce((sum, n) => sum + n, 0))
              }
            })
            worker.once('error', (e) => {
              stopAll()
              reject(e)
            })
            worker.once('exit', (code) => {
              if (totals) resolve(totals)
              else if (request.signal?.aborted) reject(request.signal.reason)
              else {
                stopAll()
                reject(new Error(`the export worker for range ${index + 1} of ${count} stopped (exit ${code})`))
              }
            })
          })
      )
    )
    return results[0]!
  } finally {
    request.signal?.removeEventListener('abort', onAbort)
    // Every worker gone before its spool files are removed (a terminated one may still be writing). Removed on
    // libuv's threads and not waited for: unlinking a 1,000,000-sale day's 1.6 GB of spools took 1.1 s, which held
    // the till's event loop (rmSync) and the manager's answer, for files nobody reads any more.
    await Promise.all(workers.map((w) => w.terminate()))
    rm(spoolRoot, { recursive: true, force: true }).catch(() => {})
  }
}
