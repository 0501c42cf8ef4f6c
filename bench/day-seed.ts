// A big day seeded ONCE into a folder and reused (issue [D] profiling): `npx tsx bench/day-seed.ts <folder> [sales]`
// writes the ledger (bench/day.ts seedDay, the stablecoin tenders given stand-in transfers: the exports never ask
// the chain) and closes its Z; `npx tsx bench/day-seed.ts <folder> --run [workers]` then times the day's exports on
// the export workers against it, as often as wanted. Seeding a 1,000,000-sale day takes minutes; a run, seconds.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { tmpdir } from 'node:os'
import Database from 'better-sqlite3'
import { createApp } from '../src/main/app'
import { EXPORT_FORMATS, exportWriter, type ExportFormat } from '../src/main/reports'
import { SpoolSet, walkDay } from '../src/main/reports/day-pass'
import { daySettlementFromLedger, SALES_SQL, seqRange } from '../src/main/reports/from-ledger'
import { entryMovements } from '../src/main/reports/movements'
import { foldZEntry, newZFold } from '../src/main/reports/settlement'
import { zPeriod } from '../src/main/services/shift'
import { writeDayExportFilesInWorkers } from '../src/main/reports/parallel'
import { ShiftService } from '../src/main/services/shift'
import { ManualClock } from '../src/shared/clock'
import { bundleDayWorker, seedDay } from './day'

const RESOURCES = resolve(__dirname, '..', 'resources')
const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3'

interface Seeded {
  readonly db: string
  readonly zNumber: number
  readonly sales: number
}

function seed(folder: string, sales: number): void {
  rmSync(folder, { recursive: true, force: true })
  mkdirSync(folder, { recursive: true })
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 6))
  const app = createApp({ dataDir: join(folder, 'data'), clock, resourcesDir: RESOURCES, timeZone: 'UTC' })
  app.db.pragma('synchronous = OFF')
  const shift = new ShiftService({ db: app.db, clock, store: app.store })
  shift.open({ totalMinor: 20_000 }, 'M1')
  const transfers = Array.from({ length: Math.min(1000, sales) }, (_, k) => ({
    txHash: `0x${(k + 1).toString(16).padStart(64, '0')}`,
    logIndex: 0,
    blockNumber: 100 + k,
    blockHash: `0x${(k + 1).toString(16).padStart(63, '0')}f`,
    blockTimeMs: clock.now() + k * 1000,
    value: 3_210_000n + BigInt(k + 1)
  }))
  const t0 = performance.now()
  seedDay(app.db, clock, sales, TOKEN, transfers)
  const zNumber = shift.close({ counted: { totalMinor: shift.xReport().drawer.expectedMinor } }, 'M1').zNumber
  app.db.pragma('wal_checkpoint(TRUNCATE)')
  const file = app.db.name
  void app.close()
  const seeded: Seeded = { db: file, zNumber, sales }
  writeFileSync(join(folder, 'seeded.json'), JSON.stringify(seeded))
  console.log(`seeded ${sales} sales in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${file}, Z ${zNumber}`)
}

async function run(folder: string, workers: number): Promise<void> {
  const seeded = JSON.parse(readFileSync(join(folder, 'seeded.json'), 'utf8')) as Seeded
  const workerFile = bundleDayWorker()
  const out = join(folder, 'out')
  mkdirSync(out, { recursive: true })
  const outFiles = Object.fromEntries(EXPORT_FORMATS.map((f) => [f, join(out, f)])) as Record<ExportFormat, string>
  let peakRss = process.memoryUsage.rss()
  const ticker = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const totals = await writeDayExportFilesInWorkers({ file: seeded.db, tillId: 'T1', zNumber: seeded.zNumber, timeZone: 'UTC', outFiles, workerFile, workers })
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  clearInterval(ticker)
  if (totals.salesCount !== seeded.sales) throw new Error(`counted ${totals.salesCount}`)
  const bytes = EXPORT_FORMATS.reduce((s, f) => s + statSync(outFiles[f]).size, 0)
  console.log(`${workers} worker(s): wall ${wall.toFixed(0)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB, peak RSS ${(peakRss / 1e6).toFixed(0)} MB`)
}

/**
 * CPU of one worker's range (range 1 of 2, as parallel.ts splits the day) on this thread, step by step, each step
 * run alone so the differences attribute the time: the SQL read, DayEntry objects, entryMovements, the Z fold and
 * each writer into spools (encoding included).
 */
function parts(folder: string, of: number, only?: string): void {
  const seeded = JSON.parse(readFileSync(join(folder, 'seeded.json'), 'utf8')) as Seeded
  const db = new Database(seeded.db, { readonly: true, fileMustExist: true })
  const day = daySettlementFromLedger(db, 'T1', seeded.zNumber, { timeZone: 'UTC', range: { index: 0, of } })
  const period = zPeriod(db, 'T1', seeded.zNumber)!
  const bounds = seqRange(period.openSeq, period.closeSeq, 0, of)
  const rows: [string, number][] = []
  const step = (name: string, run: () => void): void => {
    if (only !== undefined && !only.split(',').some((o) => name.endsWith(o))) return
    global.gc?.()
    const c0 = process.cpuUsage()
    run()
    const c = process.cpuUsage(c0)
    rows.push([name, (c.user + c.system) / 1000])
  }
  step('SQL: sales statement, raw rows', () => {
    let n = 0
    for (const _ of db.prepare(SALES_SQL).raw(true).iterate(bounds.afterSeq, bounds.beforeSeq, 'T1')) n++
    if (n === 0) throw new Error('no sales in the range')
  })
  step('SQL + DayEntry objects', () => {
    let n = 0
    for (const _ of day.entries) n++
    if (n === 0) throw new Error('no entries in the range')
  })
  step('+ entryMovements', () => {
    for (const e of day.entries) entryMovements(day, e)
  })
  step('+ Z fold', () => {
    const fold = newZFold(day.cardFeePpm)
    for (const e of day.entries) {
      entryMovements(day, e)
      foldZEntry(fold, e)
    }
  })
  const spoolDir = mkdtempSync(join(tmpdir(), 'stabletill-parts-'))
  try {
    for (const format of [...EXPORT_FORMATS, 'all'] as const) {
      step(`+ Z fold + ${format}`, () => {
        const spools = new SpoolSet(0, join(spoolDir, format))
        mkdirSync(join(spoolDir, format), { recursive: true })
        const writers = (format === 'all' ? EXPORT_FORMATS : [format]).map((f) => exportWriter(day, f, {})(spools))
        walkDay(day, writers, newZFold(day.cardFeePpm))
        spools.handOver()
      })
    }
  } finally {
    rmSync(spoolDir, { recursive: true, force: true })
  }
  db.close()
  const base = rows.find((r) => r[0] === '+ Z fold')?.[1] ?? 0
  for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(0)} | ${name.startsWith('+ Z fold +') ? (ms - base).toFixed(0) : ''} |`)
}

const [folder, second, third, fourth] = process.argv.slice(2)
if (!folder) throw new Error('usage: tsx bench/day-seed.ts <folder> [sales | --run [workers]]')
if (second === '--parts') parts(folder, Number(third ?? 2), fourth)
else if (second === '--run') {
  if (!existsSync(join(folder, 'seeded.json'))) throw new Error(`${folder} is not seeded`)
  void run(folder, Number(third ?? 2))
} else seed(folder, Number(second ?? 1_000_000))
