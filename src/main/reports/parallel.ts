// The day's exports off the till's thread and on both cores (issue [D] points 2 and 3). The five formats are split
// into groups, each written by a worker thread (day-worker.ts) that walks the day once over its own read-only
// connection and writes its own files. Each group's files are byte for byte those of writeDayExports (the same
// writers, the same walk; the golden test runs both). Splitting by format, not by entries, keeps every file one
// writer's output in order; the price is that each worker reads the day from SQLite itself (a third of its time).
// The till's thread only waits: it serves the cashier meanwhile, and can cancel (the workers are terminated and the
// caller removes the partial files).
//
// The Z: the first group folds it in its walk; each other group folds its own in the same walk (the journals'
// declarations need it), so nothing waits for a pass of its own.
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { ExportFormat, ExportOptions } from './index'
import type { ZTotals } from './settlement'

export interface DayWorkerData {
  /** The ledger file (opened read-only by the worker). */
  readonly file: string
  readonly tillId: string
  readonly zNumber: number
  readonly timeZone?: string
  readonly formats: readonly ExportFormat[]
  readonly outFiles: Partial<Record<ExportFormat, string>>
  readonly options: Pick<ExportOptions, 'bom' | 'declarations' | 'spoolBudgetBytes'>
}

export type DayWorkerMessage = { readonly type: 'progress'; readonly entries: number } | { readonly type: 'done'; readonly totals: ZTotals }

/**
 * Formats per worker. Two workers: the three statements of money movements (CSV, OFX, camt.053) and the two journals,
 * which cost about the same (bench/day.ts); one: all five.
 */
export function formatGroups(formats: readonly ExportFormat[], workers: number): ExportFormat[][] {
  if (workers <= 1 || formats.length <= 1) return [[...formats]]
  const statements = formats.filter((f) => f === 'csv' || f === 'ofx' || f === 'camt053')
  const journals = formats.filter((f) => f === 'hledger' || f === 'beancount')
  return [statements, journals].filter((g) => g.length > 0)
}

/** The worker's file: day-worker.js beside the build's entries, or the TypeScript source (tests, tsx, the bench). */
function workerFile(): { file: string; typescript: boolean } {
  for (const file of [join(__dirname, 'day-worker.js'), join(__dirname, '..', 'day-worker.js')]) if (existsSync(file)) return { file, typescript: false }
  return { file: join(__dirname, 'day-worker.ts'), typescript: true }
}

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
  readonly options?: Pick<ExportOptions, 'bom' | 'declarations' | 'spoolBudgetBytes'>
  /** Worker threads (default: 2, or 1 on a one-core machine). */
  readonly workers?: number
  /** Entries written so far by the slowest worker, as they come (every few thousand). */
  readonly onProgress?: (entries: number) => void
  /** Aborting terminates the workers; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal
  /** The worker's JavaScript file when it is not beside this module (bench/day.ts bundles one, as the build does). */
  readonly workerFile?: string
}

/** Every format given a file, written on worker threads; resolves with the day's Z once every file is flushed. */
export async function writeDayExportFilesInWorkers(request: DayExportFilesRequest): Promise<ZTotals> {
  request.signal?.throwIfAborted()
  const formats = (['csv', 'ofx', 'camt053', 'hledger', 'beancount'] as const).filter((f) => request.outFiles[f] !== undefined)
  const groups = formatGroups(formats, request.workers ?? Math.min(2, availableParallelism()))
  const { file, typescript } = request.workerFile ? { file: request.workerFile, typescript: false } : workerFile()
  const bootstrap = { file, tsx: typescript ? require.resolve('tsx/cjs/api') : null }
  const progress = groups.map(() => 0)
  let reported = 0
  const workers: Worker[] = []
  const stopAll = (): void => {
    for (const w of workers) void w.terminate()
  }
  const onAbort = (): void => stopAll()
  request.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const results = await Promise.all(
      groups.map(
        (group, index) =>
          new Promise<ZTotals>((resolve, reject) => {
            const data: DayWorkerData & { bootstrap: typeof bootstrap } = {
              file: request.file,
              tillId: request.tillId,
              zNumber: request.zNumber,
              timeZone: request.timeZone,
              formats: group,
              outFiles: Object.fromEntries(group.map((f) => [f, request.outFiles[f]!])),
              options: request.options ?? {},
              bootstrap
            }
            const worker = new Worker(BOOTSTRAP, { eval: true, workerData: data })
            workers.push(worker)
            let totals: ZTotals | null = null
            worker.on('message', (message: DayWorkerMessage) => {
              if (message.type === 'done') totals = message.totals
              else {
                // The slowest worker's count, once it moved: the day is as far as its least-done file.
                progress[index] = message.entries
                const slowest = Math.min(...progress)
                if (slowest > reported) request.onProgress?.((reported = slowest))
              }
            })
            worker.once('error', (e) => {
              stopAll()
              reject(e)
            })
            worker.once('exit', (code) => {
              if (totals) resolve(totals)
              else if (request.signal?.aborted) reject(request.signal.reason)
              else reject(new Error(`the export worker for ${group.join(', ')} stopped (exit ${code})`))
            })
          })
      )
    )
    return results[0]!
  } finally {
    request.signal?.removeEventListener('abort', onAbort)
  }
}
