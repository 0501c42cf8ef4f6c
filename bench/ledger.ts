// Ledger figures for `npm run bench` (issue [A]):
// - sales committed per second, one synchronous=FULL transaction per sale, beside fdatasync calls per second on
//   the same disk in the same run: the ratio says how close a sale is to the floor one durable write sets;
// - time to verify a journal of 100,000 sales.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createApp } from '../src/main/app'
import { verifyJournal } from '../src/main/ledger/journal'
import { ManualClock } from '../src/shared/clock'

const RESOURCES = resolve(__dirname, '..', 'resources')
const CODES = ['5901234123013', '6901234567014', '3761234500021']

function fdatasyncPerSecond(dir: string, seconds: number): number {
  const fd = openSync(join(dir, 'fsync-probe.bin'), 'w')
  const block = Buffer.alloc(4096, 7)
  let calls = 0
  const end = performance.now() + seconds * 1000
  while (performance.now() < end) {
    writeSync(fd, block, 0, block.length, (calls % 16) * 4096)
    fdatasyncSync(fd)
    calls++
  }
  closeSync(fd)
  return calls / seconds
}

export interface LedgerBench {
  readonly salesPerSecond: number
  readonly fdatasyncPerSecond: number
  readonly ratio: number
  readonly journalEntriesPerSale: number
  readonly verifySales: number
  readonly verifyEntries: number
  readonly verifyMs: number
}

export async function benchLedger(options: { seconds?: number; verifySales?: number } = {}): Promise<LedgerBench> {
  const seconds = options.seconds ?? 3
  const verifySales = options.verifySales ?? 100_000
  const dir = mkdtempSync(join(tmpdir(), 'stabletill-bench-'))
  try {
    const fsyncRate = fdatasyncPerSecond(dir, seconds)

    const app = createApp({ dataDir: join(dir, 'commit'), clock: new ManualClock(), resourcesDir: RESOURCES })
    const sale = () => {
      // The whole sale (three scans, cash, completion) in one durable transaction.
      app.db.transaction(() => {
        for (const code of CODES) app.sales.scan(code, 'wedge')
        app.sales.tenderCash(1000)
        app.sales.complete()
      })()
    }
    for (let i = 0; i < 20; i++) sale() // warm up statements and the WAL
    let sales = 0
    const end = performance.now() + seconds * 1000
    const start = performance.now()
    while (performance.now() < end) {
      sale()
      sales++
    }
    const salesPerSecond = sales / ((performance.now() - start) / 1000)
    const entries = (app.db.prepare('SELECT count(*) AS n FROM journal').get() as { n: number }).n
    const completed = (app.db.prepare("SELECT count(*) AS n FROM sales WHERE status = 'completed'").get() as { n: number }).n
    await app.close()

    // A journal of `verifySales` sales, written fast (durability is not what is measured here).
    const big = createApp({ dataDir: join(dir, 'verify'), clock: new ManualClock(), resourcesDir: RESOURCES })
    big.db.pragma('synchronous = OFF')
    const batch = big.db.transaction((n: number) => {
      for (let i = 0; i < n; i++) {
        for (const code of CODES) big.sales.scan(code, 'wedge')
        big.sales.tenderCash(1000)
        big.sales.complete()
      }
    })
    for (let done = 0; done < verifySales; done += 1000) batch(Math.min(1000, verifySales - done))
    const t0 = performance.now()
    const result = verifyJournal(big.db)
    const verifyMs = performance.now() - t0
    if (!result.ok) throw new Error(`verify failed: ${result.reason}`)
    await big.close()
    return {
      salesPerSecond,
      fdatasyncPerSecond: fsyncRate,
      ratio: salesPerSecond / fsyncRate,
      journalEntriesPerSale: (entries - 1) / completed,
      verifySales,
      verifyEntries: result.entries,
      verifyMs
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
