// Closing a day from the LEDGER (`npm run bench day`, issue [D]): the Z (the shift service's close), then the Z report
// and all five exports read back from the ledger in ONE pass (writeDayExports: the Z folded in the same walk), and
// the reconciliation against a local anvil chain, beside the floor: one plain SELECT over the same day's sales.
// bench/reports.ts times the renderers on generated entries; this one adds the ledger cursor and the chain.
//
// Three cases, because "1,000,000 sales" can be read two ways: a day of 10,000 sales in a fresh ledger; a day of
// 1,000,000 sales (the goal's row: the day itself is big); and a day of 10,000 sales in a ledger that already holds
// 990,000 sales of earlier days (a big ledger, a normal day: the period is found by its journal range, so the earlier
// days should cost nothing).
//
// Rows are written with SQL in the shapes the services write (as bench/shift.ts does: a sale, 3 lines, a tender and
// six journal entries per sale; stablecoin tenders with their payment request and the chain log the watcher would
// have stored), because the services sell ~360 sales/s here. The stablecoin payments are real transfers on anvil
// (1,000 per day, whatever the day's size: a million transfers would take anvil hours), so the reconciliation
// reads real blocks and matches every credit. Journal hashes are stand-ins: bench/ledger.ts times verification.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Writable } from 'node:stream'
import { performance } from 'node:perf_hooks'
import { buildSync } from 'esbuild'
import { Interface, JsonRpcProvider, Network } from 'ethers'
import demoUsdcArtifact from '../resources/contracts/DemoUSDC.json'
import { createApp } from '../src/main/app'
import { spawnAnvil } from '../src/main/chain/anvil'
import { RpcPool } from '../src/main/chain/rpc'
import type { Db } from '../src/main/ledger/db'
import { EXPORT_FORMATS, writeDayExports, type ExportFormat } from '../src/main/reports'
import { daySettlementFromLedger } from '../src/main/reports/from-ledger'
import { writeDayExportFilesInWorkers } from '../src/main/reports/parallel'
import { reportSections } from '../src/main/reports/z-report'
import { EXPORT_WORKER_MIN_ENTRIES, expectedDayEntries, writeClosingFilesOffThread } from '../src/main/services/day-close'
import { reconcile } from '../src/main/services/reconcile'
import { countCompletedSale } from '../src/main/services/session-totals'
import { checkSessionTotalsOffThread } from '../src/main/services/session-totals'
import { computeFiguresFromLedger, ShiftService, type SessionRow } from '../src/main/services/shift'
import { ManualClock } from '../src/shared/clock'
import { formatUnits } from '../src/shared/money'

const RESOURCES = resolve(__dirname, '..', 'resources')
const MERCHANT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
/** Anvil's account #1 (unlocked in anvil: eth_sendTransaction needs no key here). */
const CUSTOMER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
/** Anvil's account #0 (unlocked): deploys and mints the demo token. */
const DEPLOYER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266'
const PAYMENTS_PER_DAY = 1_000

/**
 * The export worker as the build ships it (electron.config.ts bundles src/main/reports/day-worker.ts to
 * out/main/day-worker.js): one JavaScript file, better-sqlite3 and pdfkit (which reads its font metrics from files
 * beside it) left to node_modules, as the build leaves every dependency. From the sources a worker would
 * register tsx and compile the reports again on every start (about a second a worker), which the till never does.
 */
export function bundleDayWorker(): string {
  const outfile = resolve(__dirname, '..', 'node_modules', '.cache', 'stabletill-bench', 'day-worker.js')
  buildSync({ entryPoints: [resolve(__dirname, '..', 'src', 'main', 'reports', 'day-worker.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['better-sqlite3', 'pdfkit'], outfile, logLevel: 'warning' })
  return outfile
}

export interface DayBenchRow {
  readonly step: string
  readonly wallMs: number
  /** This process's CPU, every thread (the export workers' included). */
  readonly cpuMs: number
  readonly bytes: number
  /** The longest the till's event loop went without turning during the step (a 10 ms timer's worst lateness). */
  readonly maxLoopStallMs: number
  /** Peak RSS during the step (sampled; the workers' memory is this process's). */
  readonly peakRssMb: number
}

export interface DayBenchResult {
  readonly sales: number
  readonly historySales: number
  readonly stablecoinPayments: number
  readonly seedSeconds: number
  readonly rows: readonly DayBenchRow[]
  /**
   * The Z + its report + reconciliation + every export (what a manager waits for after the close), the exports as the close
   * writes them: on this thread below EXPORT_WORKER_MIN_ENTRIES, on the export workers above.
   */
  readonly totalMs: number
  /**
   * What the manager waits for as the close runs it: the Z, then the close's files (the Z's PDF too, which totalMs
   * leaves out) on the export worker(s) and the reconciliation at the same time.
   */
  readonly closePathMs: number
  readonly floorMs: number
  readonly baselineRssMb: number
  readonly peakRssMb: number
  readonly peakHeapMb: number
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

interface Transfer {
  readonly txHash: string
  readonly logIndex: number
  readonly blockNumber: number
  readonly blockHash: string
  readonly blockTimeMs: number
  readonly value: bigint
}

/** `count` real USDC transfers from the customer to the merchant on anvil, each a distinct (tagged) amount. */
async function payOnChain(provider: JsonRpcProvider, token: string, count: number): Promise<Transfer[]> {
  const erc20 = new Interface(demoUsdcArtifact.abi)
  const hashes: string[] = []
  for (let i = 0; i < count; i++) {
    hashes.push(await provider.send('eth_sendTransaction', [{ from: CUSTOMER, to: token, data: erc20.encodeFunctionData('transfer', [MERCHANT, 3_210_000n + BigInt(i + 1)]) }]))
  }
  const transfers: Transfer[] = []
  const blockTimes = new Map<string, number>()
  for (const [i, hash] of hashes.entries()) {
    const receipt = (await provider.send('eth_getTransactionReceipt', [hash])) as { blockNumber: string; blockHash: string; logs: { logIndex: string }[] }
    let time = blockTimes.get(receipt.blockHash)
    if (time === undefined) {
      const block = (await provider.send('eth_getBlockByHash', [receipt.blockHash, false])) as { timestamp: string }
      time = Number.parseInt(block.timestamp, 16) * 1000
      blockTimes.set(receipt.blockHash, time)
    }
    transfers.push({ txHash: hash, logIndex: Number.parseInt(receipt.logs[0]!.logIndex, 16), blockNumber: Number.parseInt(receipt.blockNumber, 16), blockHash: receipt.blockHash, blockTimeMs: time, value: 3_210_000n + BigInt(i + 1) })
  }
  return transfers
}

/**
 * Writes `count` completed sales of a day after the journal head, numbered from `firstNumber`; sale k·step of the
 * day is paid by transfer k, the rest in cash (all cash when `transfers` is empty).
 */
export function seedDay(db: Db, clock: ManualClock, count: number, token: string, transfers: readonly Transfer[], firstNumber = 1): void {
  const insertSale = db.prepare("INSERT INTO sales (id, till_id, number, kind, status, currency, tax_mode, cashier, opened_at) VALUES (?, 'T1', ?, 'sale', 'open', 'USD', 'exclusive', 'Cashier 1', ?)")
  const insertLine = db.prepare(
    "INSERT INTO sale_lines (id, sale_id, position, product_id, name, barcode, quantity, unit_price_minor, amount_minor, tax_rate_id, tax_rate_ppm, tax_minor) VALUES (?, ?, ?, 'P005', 'Cola 330 ml can', '5901234123013', 1, 99, 99, 'std', 82500, 8)"
  )
  const insertTender = db.prepare('INSERT INTO tenders (id, sale_id, kind, amount_minor, received_minor, change_minor, details, created_at) VALUES (?, ?, ?, 321, ?, ?, ?, ?)')
  const insertRequest = db.prepare(
    `INSERT INTO payment_requests (id, sale_id, till_id, chain_id, token_symbol, token_address, token_decimals, receive_address, scheme, tag_index, amount_due, amount_minimum,
       amount_minor, currency, rate, rate_source, rate_at, confirmation_kind, confirmations_required, created_at, expires_at, hold_until, status, updated_at, settled_at)
     VALUES (?, ?, 'T1', 31337, 'USDC', ?, 6, ?, 'tag', ?, ?, ?, 321, 'USD', '1', 'peg', ?, 'blocks', 1, ?, ?, ?, 'Paid', ?, ?)`
  )
  const insertLog = db.prepare(
    `INSERT INTO chain_logs (chain_id, tx_hash, log_index, block_number, block_hash, block_time, token_address, from_address, to_address, value, seen_at, payment_id, attributed, rule)
     VALUES (31337, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'tag')`
  )
  const complete = db.prepare("UPDATE sales SET status = 'completed', closed_at = ?, subtotal_minor = 297, tax_minor = 24, total_minor = 321, journal_hash = ? WHERE id = ?")
  const head = db.prepare('SELECT seq FROM journal ORDER BY seq DESC LIMIT 1').pluck()
  const insertEntry = db.prepare("INSERT INTO journal (seq, at, till_id, kind, sale_id, payload, prev_hash, hash) VALUES (?, ?, 'T1', ?, ?, '{}', ?, ?)")
  const step = transfers.length === 0 ? count + 1 : Math.max(1, Math.floor(count / transfers.length))
  const batch = db.transaction((from: number, to: number) => {
    let seq = head.get() as number
    const entry = (kind: string, saleId: string) => {
      seq++
      const hash = `${seq.toString(16).padStart(64, '0')}`
      insertEntry.run(seq, clock.now(), kind, saleId, hash, hash)
      return hash
    }
    for (let n = from; n < to; n++) {
      const number = firstNumber - 1 + n
      const id = `T1-${String(number).padStart(7, '0')}`
      const at = clock.now()
      insertSale.run(id, number, at)
      entry('sale.opened', id)
      for (let p = 1; p <= 3; p++) {
        insertLine.run(`${id}/L${p}`, id, p)
        entry('sale.line-added', id)
      }
      const k = (n - 1) % step === 0 ? (n - 1) / step : -1
      const transfer = k >= 0 && k < transfers.length ? transfers[k]! : null
      if (transfer) {
        const paymentId = `PR-${firstNumber}-${k + 1}`
        insertRequest.run(paymentId, id, token, MERCHANT, (k % 9999) + 1, transfer.value.toString(), transfer.value.toString(), at, at, at + 900_000, at + 8_100_000, at, at)
        insertLog.run(transfer.txHash, transfer.logIndex, transfer.blockNumber, transfer.blockHash, transfer.blockTimeMs, token, CUSTOMER, MERCHANT, transfer.value.toString(), at, paymentId)
        const details = { paymentId, tokenSymbol: 'USDC', tokenAmount: formatUnits(transfer.value, 6), chainId: 31337, chainName: 'Demo chain (local)', rate: '1', rateSource: 'peg', txHash: transfer.txHash, explorerTxUrl: null, unverified: false, exception: null }
        insertTender.run(`${id}/T1`, id, 'stablecoin', 321, null, JSON.stringify(details), at)
      } else insertTender.run(`${id}/T1`, id, 'cash', 500, 179, null, at)
      entry('sale.tender-added', id)
      // 80 ms a sale in the big day: a million sales still fit in about one day's period.
      clock.advance(count > 100_000 ? 80 : 1000)
      complete.run(clock.now(), entry('sale.completed', id), id)
      // As the sale service does in the same transaction: the open day's running totals (migration 0015).
      countCompletedSale(db, 'T1', id)
    }
  })
  for (let done = 0; done < count; done += 10_000) batch(1 + done, 1 + Math.min(count, done + 10_000))
}

export interface DayBenchOptions {
  /** Sales of earlier (closed) days in the ledger before the measured day. */
  readonly historySales?: number
}

export async function benchDay(sales: number, options: DayBenchOptions = {}): Promise<DayBenchResult> {
  const historySales = options.historySales ?? 0
  const dir = mkdtempSync(join(tmpdir(), 'stabletill-bench-day-'))
  const anvil = await spawnAnvil()
  const network = Network.from(31337)
  const provider = new JsonRpcProvider(anvil.rpcUrl, network, { staticNetwork: network, cacheTimeout: -1 })
  const pool = new RpcPool(31337, [anvil.rpcUrl], { timeoutMs: 30_000 })
  try {
    // The demo token, deployed by anvil's account #0 (unlocked), minted to the customer.
    const erc20 = new Interface(demoUsdcArtifact.abi)
    const deployTx = await provider.send('eth_sendTransaction', [{ from: DEPLOYER, data: demoUsdcArtifact.bytecode }])
    const token = ((await provider.send('eth_getTransactionReceipt', [deployTx])) as { contractAddress: string }).contractAddress
    await provider.send('eth_sendTransaction', [{ from: DEPLOYER, to: token, data: erc20.encodeFunctionData('mint', [CUSTOMER, 10n ** 15n]) }])

    const t0 = performance.now()
    const latest = (await provider.send('eth_getBlockByNumber', ['latest', false])) as { timestamp: string }
    const clock = new ManualClock(Number.parseInt(latest.timestamp, 16) * 1000 - 1000)
    const app = createApp({ dataDir: dir, clock, resourcesDir: RESOURCES, timeZone: 'UTC' })
    app.db.pragma('synchronous = OFF') // seeding speed only; everything timed below reads
    const shift = new ShiftService({ db: app.db, clock, store: app.store })
    if (historySales > 0) {
      // Earlier days: one closed Z of cash sales before the measured day (the clock set back so the chain's blocks,
      // mined now, still fall inside the measured day's period).
      clock.set(clock.now() - historySales * 80 - 60_000)
      shift.open({ totalMinor: 20_000 }, 'M1')
      seedDay(app.db, clock, historySales, token, [])
      shift.close({ counted: { totalMinor: shift.xReport().drawer.expectedMinor } }, 'M1')
      clock.set(Number.parseInt(latest.timestamp, 16) * 1000 - 1000)
    }
    shift.open({ totalMinor: 20_000 }, 'M1')
    const dayStart = clock.now()
    const transfers = await payOnChain(provider, token, Math.min(PAYMENTS_PER_DAY, sales))
    seedDay(app.db, clock, sales, token, transfers, historySales + 1)
    const seedSeconds = (performance.now() - t0) / 1000
    app.db.pragma('synchronous = FULL')
    // The seed was written with synchronous = OFF: its pages are still dirty in the page cache. A till's sales were
    // each committed with FULL, so on a real day they are on disk before the close; here the close's commit would
    // pay for flushing the whole seed (about 115 ms of its 132 at 10,000 sales, none of it the close's). So the seed
    // is checkpointed into the ledger and synced first, and the close's own commit is what the close row times.
    app.db.pragma('wal_checkpoint(TRUNCATE)')

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
    const rows: DayBenchRow[] = []
    const timed = async (step: string, run: () => Promise<number> | number): Promise<void> => {
      // A 10 ms timer's lateness says how long the event loop was held: the till's thread answers nothing meanwhile.
      let stall = 0
      let last = performance.now()
      let stepPeak = process.memoryUsage.rss()
      const ticker = setInterval(() => {
        const now = performance.now()
        stall = Math.max(stall, now - last - 10)
        last = now
        stepPeak = Math.max(stepPeak, process.memoryUsage.rss())
        sample()
      }, 10)
      const wall = performance.now()
      const cpu = cpuMs()
      const bytes = await run()
      const wallMs = performance.now() - wall
      const cpuUsed = cpuMs() - cpu
      clearInterval(ticker)
      stall = Math.max(stall, performance.now() - last - 10)
      sample()
      stepPeak = Math.max(stepPeak, process.memoryUsage.rss())
      rows.push({ step, wallMs, cpuMs: cpuUsed, bytes, maxLoopStallMs: Math.max(0, stall), peakRssMb: stepPeak / 1e6 })
    }

    await timed('floor', () => {
      let total = 0
      for (const row of app.db.prepare('SELECT total_minor FROM sales WHERE closed_at >= ?').pluck().iterate(dayStart)) total += row as number
      if (total !== sales * 321) throw new Error(`the floor read ${total}`)
      return 0
    })
    // Before 0015 the X and the Z each joined the day's journal range to its sales, lines and tenders: that
    // reference, timed once here, is what the close cost twice (the X for the expected cash, then the Z).
    const session = app.db.prepare("SELECT * FROM cash_sessions WHERE till_id = 'T1' AND status = 'open'").get() as SessionRow
    let reference: ReturnType<typeof computeFiguresFromLedger> | null = null
    await timed('X from the journal (the reference; the close ran it twice before 0015)', () => {
      const head = app.db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string }
      reference = computeFiguresFromLedger(app.db, session, { ...head, at: clock.now() })
      return 0
    })
    let zNumber = 0
    await timed('close (Z)', () => {
      const x = shift.xReport()
      if (JSON.stringify({ ...x, periodEndMs: 0 }) !== JSON.stringify({ ...reference!, periodEndMs: 0 })) throw new Error('the X from the running totals is not the X from the journal')
      zNumber = shift.close({ counted: { totalMinor: x.drawer.expectedMinor } }, 'M1').zNumber
      return 0
    })
    await timed('Z checked against the journal (worker, read-only)', async () => {
      const check = await checkSessionTotalsOffThread(app.db.name, session.id)
      if (!check.ok) throw new Error(`the Z's running totals disagree with the journal: ${JSON.stringify(check.differences)}`)
      return 0
    })
    const day = daySettlementFromLedger(app.db, 'T1', zNumber, { timeZone: 'UTC' })
    const workerFile = bundleDayWorker()
    // The close's files as afterZClose writes them (writeClosingFilesOffThread): the Z's PDF and the five exports,
    // on one export worker below EXPORT_WORKER_MIN_ENTRIES and on two above, this thread only waiting.
    const closingFiles = async (): Promise<number> => {
      const folder = mkdtempSync(join(tmpdir(), 'stabletill-bench-day-closing-'))
      try {
        const { files, totals } = await writeClosingFilesOffThread(app.db, day, join(folder, `Z${zNumber}`), { workerFile })
        if (totals.salesCount !== sales) throw new Error(`the Z report counted ${totals.salesCount} sales`)
        return files.reduce((sum, file) => sum + statSync(file).size, 0)
      } finally {
        rmSync(folder, { recursive: true, force: true })
      }
    }
    const onePass = async (): Promise<number> => {
      const sinks = Object.fromEntries(EXPORT_FORMATS.map((format) => [format, new CountingSink(sample)])) as Record<ExportFormat, CountingSink>
      const totals = await writeDayExports(day, sinks)
      if (totals.salesCount !== sales) throw new Error(`the Z report counted ${totals.salesCount} sales`)
      reportSections(day, totals, 'Z', 'en')
      return Object.values(sinks).reduce((sum, sink) => sum + sink.bytes, 0)
    }
    const inWorkers = async (): Promise<number> => {
      const filesDir = mkdtempSync(join(tmpdir(), 'stabletill-bench-day-files-'))
      try {
        const outFiles = Object.fromEntries(EXPORT_FORMATS.map((format) => [format, join(filesDir, format)])) as Record<ExportFormat, string>
        const totals = await writeDayExportFilesInWorkers({ file: app.db.name, tillId: 'T1', zNumber, timeZone: 'UTC', outFiles, workerFile })
        if (totals.salesCount !== sales) throw new Error(`the Z report counted ${totals.salesCount} sales`)
        reportSections(day, totals, 'Z', 'en')
        return EXPORT_FORMATS.reduce((sum, format) => sum + statSync(outFiles[format]).size, 0)
      } finally {
        rmSync(filesDir, { recursive: true, force: true })
      }
    }
    const reconcileDay = async (): Promise<number> => {
      const r = await reconcile({ db: app.db, chains: [{ chainId: 31337, pool, tokens: [{ chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: token, decimals: 6, bridged: false, source: 'bench' }] }], fromMs: day.periodStartMs, toMs: day.periodEndMs })
      const matched = r.chains[0]?.matched.length ?? 0
      if (!r.clean || matched !== transfers.length) throw new Error(`reconciliation: ${matched} matched of ${transfers.length}, clean ${r.clean}`)
      return 0
    }
    const onePassStep = 'Z report + 5 exports (one pass)'
    // What the manager waits for after the Z, first and cold (as after a real close: the workers and the chain
    // client start from nothing): the close's files and the reconciliation at once, the files on the export
    // worker(s) while this thread serves the chain's answers.
    const closePathStep = "the close's files (Z PDF + 5 exports, as the close writes them) + reconcile, at once"
    await timed(closePathStep, async () => (await Promise.all([closingFiles(), reconcileDay()]))[0])
    await timed("the close's files (Z PDF + 5 exports, as the close writes them)", closingFiles)
    // Each of the workers reads its range of the day and lays out some of the files (reports/parallel.ts).
    const workersStep = `Z report + 5 exports (${Math.min(2, availableParallelism())} workers, to files)`
    await timed(onePassStep, onePass)
    await timed(workersStep, inWorkers)
    await timed('reconcile', reconcileDay)
    const workersAbove = expectedDayEntries(app.db, 'T1', zNumber) >= EXPORT_WORKER_MIN_ENTRIES
    // What the manager waits for when the close's files and the back office's Reconcile run at once: the chain's
    // answers arrive while the files are written (on this thread for a small day, on the workers for a big one).
    await timed(`Z report + 5 exports (${workersAbove ? 'workers' : 'one pass'}) + reconcile, at once`, async () => (await Promise.all([workersAbove ? inWorkers() : onePass(), reconcileDay()]))[0])
    const floorMs = rows[0]!.wallMs
    const exportsStep = workersAbove ? workersStep : onePassStep
    // What a manager waits for after pressing Close: the Z itself, its report and exports, and the reconciliation.
    // (The check against the journal runs beside them on a worker and holds nothing up: its own row.)
    const totalMs = rows.filter((r) => r.step === 'close (Z)' || r.step === 'reconcile' || r.step === exportsStep).reduce((s, r) => s + r.wallMs, 0)
    // The same, as the close runs it: the Z, then its files (now with the PDF) and the reconciliation at once.
    const closePathMs = rows.filter((r) => r.step === 'close (Z)' || r.step === closePathStep).reduce((s, r) => s + r.wallMs, 0)
    await app.close()
    return { sales, historySales, stablecoinPayments: transfers.length, seedSeconds, rows, totalMs, closePathMs, floorMs, baselineRssMb: baselineRss / 1e6, peakRssMb: peakRss / 1e6, peakHeapMb: peakHeap / 1e6 }
  } finally {
    pool.destroy()
    provider.destroy()
    await anvil.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
