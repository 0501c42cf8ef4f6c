// Closing a big day: the Z fold and every export of a generated day of 10,000 and of 1,000,000 sales, streamed
// (entries from a generator, as a ledger cursor would give them; output to a sink that counts bytes), beside the
// floor: one plain loop over the same entries. Peak RSS and heap are sampled as the output is written, so a
// renderer that kept the day in memory would show it. Wall time is what a manager waits; CPU time is reported
// beside it because this machine's two cores are shared and wall time swings with the neighbours' load.
import { Writable } from 'node:stream'
import { performance } from 'node:perf_hooks'
import { EXPORT_FORMATS, writeExport, type ExportFormat } from '../src/main/reports'
import { computeZTotals, type ZTotals } from '../src/main/reports/settlement'
import { syntheticDay } from '../test/main/reports/fixtures'

export interface ReportsBenchRow {
  readonly step: 'floor' | 'z' | ExportFormat | 'total'
  readonly wallMs: number
  readonly cpuMs: number
  readonly bytes: number
}

export interface ReportsBenchResult {
  readonly sales: number
  readonly entries: number
  readonly rows: readonly ReportsBenchRow[]
  readonly peakRssMb: number
  readonly peakHeapMb: number
  readonly baselineRssMb: number
}

const cpuMs = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

class CountingSink extends Writable {
  bytes = 0
  constructor(private readonly sample: () => void) {
    super()
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytes += chunk.length
    this.sample()
    callback()
  }
}

export async function benchReports(sales: number): Promise<ReportsBenchResult> {
  global.gc?.()
  const baselineRss = process.memoryUsage.rss()
  let peakRss = baselineRss
  let peakHeap = process.memoryUsage().heapUsed
  const sample = (): void => {
    const rss = process.memoryUsage.rss()
    if (rss > peakRss) peakRss = rss
    const heap = process.memoryUsage().heapUsed
    if (heap > peakHeap) peakHeap = heap
  }
  const day = syntheticDay(sales)
  const rows: ReportsBenchRow[] = []
  const timed = async (step: ReportsBenchRow['step'], run: () => Promise<number> | number): Promise<void> => {
    const wall = performance.now()
    const cpu = cpuMs()
    const bytes = await run()
    sample()
    rows.push({ step, wallMs: performance.now() - wall, cpuMs: cpuMs() - cpu, bytes })
  }

  let entries = 0
  await timed('floor', () => {
    // The floor: touch every entry once, as the cheapest possible report would.
    let count = 0
    for (const entry of day.entries) if (entry.kind !== 'no-sale') count++
    entries = count
    return 0
  })
  let totals: ZTotals | null = null
  await timed('z', () => {
    totals = computeZTotals(day)
    return 0
  })
  for (const format of EXPORT_FORMATS) {
    await timed(format, async () => {
      const sink = new CountingSink(sample)
      await writeExport(day, format, sink, { totals: totals! })
      return sink.bytes
    })
  }
  const work = rows.filter((r) => r.step !== 'floor')
  rows.push({ step: 'total', wallMs: work.reduce((s, r) => s + r.wallMs, 0), cpuMs: work.reduce((s, r) => s + r.cpuMs, 0), bytes: work.reduce((s, r) => s + r.bytes, 0) })
  return { sales, entries, rows, peakRssMb: peakRss / 1e6, peakHeapMb: peakHeap / 1e6, baselineRssMb: baselineRss / 1e6 }
}
