// Trust figures for `npm run bench` (issue [E]):
// - full verification of a journal of 1,000,000 entries (hash chain + every sale replayed against the tables;
//   goal >= 1,000,000 entries/s), beside the floor of merely reading those rows;
// - the start-up check on the same ledger from the last signed head, a day of sales after it (goal <= 100 ms), and
//   again with a 100,000-product catalog (whose digest the after-start worker computes, not the start-up check);
// - the manager PIN check (scrypt): slow for an attacker, yet under 300 ms at the counter.
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createApp } from '../src/main/app'
import type { Db } from '../src/main/ledger/db'
import { chainScanKit } from '../src/main/ledger/chain-scan'
import { appendJournal, GENESIS_HASH, hashEntry, verifyJournal, verifyJournalParallel } from '../src/main/ledger/journal'
import { journalState, stateDigest } from '../src/main/ledger/money-state'
import { RECORD_MISMATCH_SQL, recordSaleRows, SaleReplay } from '../src/main/ledger/replay'
import { canonicalJson } from '../src/shared/canonical-json'
import { storeIdOf } from '../src/main/services/day-close'
import { StaffService } from '../src/main/services/approvals'
import { IntegrityService } from '../src/main/services/integrity'
import { ManualClock } from '../src/shared/clock'

const RESOURCES = resolve(__dirname, '..', 'resources')
const CODES = ['5901234123013', '6901234567014', '3761234500021', '5012345000015']

export interface TrustBench {
  readonly entries: number
  readonly sales: number
  readonly seedSeconds: number
  readonly readFloorMs: number
  /** The same entries read as chain-scan.ts reads them (hash inputs built by SQLite, 4,096 a row), nothing done. */
  readonly chunkReadFloorMs: number
  /** The hash chain alone (no sale replayed), row by row as before chain-scan.ts, and in chunks: same run, same ledger. */
  readonly chainRowByRowMs: number
  readonly chainChunkedMs: number
  /** CPU time of the process (every thread) during the full verifies: wall time on a shared machine is mostly waiting. */
  readonly fullVerifyCpuMs: number
  readonly parallelVerifyCpuMs: number
  readonly fullVerifyMs: number
  /** Completed sales whose 'sale.completed' entry carries the record of its rows (every one: the ledger is built by this code). */
  readonly recordedSales: number
  /** The full verify as it was before the record, in the same run: the chain, then every sale replayed from its entries. */
  readonly replayVerifyMs: number
  readonly replayVerifyCpuMs: number
  readonly entriesPerSecond: number
  readonly parallelVerifyMs: number
  readonly parallelEntriesPerSecond: number
  readonly workers: number
  readonly startupEntries: number
  readonly startupMs: number
  /** With a catalog of `bigCatalogProducts` products (and a barcode each): the start-up check, and the catalog's digest it no longer computes. */
  readonly bigCatalogProducts: number
  readonly startupBigCatalogMs: number
  readonly catalogDigestMs: number
  /** Tagged lookup (1, 10 managers; a wrong PIN with 10) and every row hashed (1, 10). */
  readonly pinMs: { readonly one: number; readonly ten: number; readonly tenWrong: number; readonly untaggedOne: number; readonly untaggedTen: number }
  readonly pinGuessesPerCoreSecond: number
  /**
   * CPU time (this thread) of the parts of the one-thread verify, each alone in the same run: the chunks read
   * (SQLite builds every hash input), those inputs hashed (split and sha256, nothing else), the whole chain pass,
   * and the records compared with the tables (RECORD_MISMATCH_SQL over the whole journal). What is left of the
   * one-thread verify's CPU is the sale entries' bookkeeping (SaleCheck) and the orphan check.
   */
  readonly partsCpuMs: { readonly chunkRead: number; readonly chunkReadAndHash: number; readonly chain: number; readonly recordCompare: number }
}

/** Writes `n` completed cash sales (1-3 lines) and their journal entries after sale number `done`. */
function seedSales(db: Db, clock: ManualClock, done: number, n: number): void {
  const product = db.prepare("SELECT p.id, p.name, p.price_minor, p.tax_rate_id, t.rate_ppm FROM products p JOIN tax_rates t ON t.id = p.tax_rate_id WHERE p.pricing = 'unit' ORDER BY p.id LIMIT 3").all() as { id: string; name: string; price_minor: number; tax_rate_id: string; rate_ppm: number }[]
  const insertSale = db.prepare("INSERT INTO sales (id, till_id, number, kind, status, currency, tax_mode, tax_rounding, cashier, opened_at) VALUES (?, 'T1', ?, 'sale', 'open', 'USD', 'exclusive', 'per-line', 'Cashier', ?)")
  const insertLine = db.prepare('INSERT INTO sale_lines (id, sale_id, position, product_id, name, barcode, quantity, weight_g, unit_price_minor, amount_minor, tax_rate_id, tax_rate_ppm, tax_minor) VALUES (?, ?, ?, ?, ?, NULL, 1, NULL, ?, ?, ?, ?, ?)')
  const insertTender = db.prepare("INSERT INTO tenders (id, sale_id, kind, amount_minor, received_minor, change_minor, details, created_at) VALUES (?, ?, 'cash', ?, ?, ?, NULL, ?)")
  const complete = db.prepare("UPDATE sales SET status = 'completed', closed_at = ?, subtotal_minor = ?, tax_minor = ?, total_minor = ?, journal_hash = ? WHERE id = ?")
  const counter = db.prepare("UPDATE till_counters SET last_sale_number = ? WHERE till_id = 'T1'")
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const number = done + i
      const id = `T1-${String(number).padStart(6, '0')}`
      const at = clock.now()
      clock.advance(1000)
      const j = (kind: string, payload: Record<string, unknown>) => appendJournal(db, { at, tillId: 'T1', kind, saleId: id, payload: payload as never })
      insertSale.run(id, number, at)
      j('sale.opened', { number, currency: 'USD', taxMode: 'exclusive', taxRounding: 'per-line', cashier: 'Cashier' })
      let subtotal = 0
      let tax = 0
      for (let l = 1; l <= 1 + (number % 3); l++) {
        const p = product[(number + l) % product.length]!
        const lineTax = Math.round((p.price_minor * p.rate_ppm) / 1_000_000)
        insertLine.run(`${id}/L${l}`, id, l, p.id, p.name, p.price_minor, p.price_minor, p.tax_rate_id, p.rate_ppm, lineTax)
        j('sale.line-added', { lineId: `${id}/L${l}`, position: l, productId: p.id, barcode: null, quantity: 1, weightGrams: null, unitPriceMinor: p.price_minor, amountMinor: p.price_minor, taxRatePpm: p.rate_ppm, taxMinor: lineTax, source: 'wedge' })
        subtotal += p.price_minor
        tax += lineTax
      }
      const total = subtotal + tax
      insertTender.run(`${id}/T1`, id, total, total + 100, 100, at)
      j('sale.tender-added', { tenderId: `${id}/T1`, kind: 'cash', amountMinor: total, receivedMinor: total + 100, changeMinor: 100 })
      // The record of the sale's final rows, built by the till's own code (ledger/replay.ts, as SaleService.complete
      // calls it): the full verify compares the tables with it instead of replaying these entries.
      const completion = { number, subtotalMinor: subtotal, taxMinor: tax, totalMinor: total, paidMinor: total, changeMinor: 100, lines: [] }
      const rowsRecord = recordSaleRows(db, id, completion, canonicalJson(completion))
      if (rowsRecord === null) throw new Error(`bench sale ${id}: its rows do not agree with its entries`)
      const entry = j('sale.completed', { ...completion, rowsRecord })
      complete.run(at, subtotal, tax, total, entry.hash, id)
      j('print.queued', { jobId: number * 2, kind: 'receipt', printer: 'receipt', copy: false })
      j('print.queued', { jobId: number * 2 + 1, kind: 'drawer', printer: 'receipt', copy: false, reason: 'cash sale' })
    }
    counter.run(done + n)
  })()
}

/** The chain pass as journal.ts had it before chain-scan.ts: one row at a time, each body built in JavaScript. */
function chainRowByRow(db: Db): number {
  let prevHash = GENESIS_HASH
  let expected = 1
  for (const [seq, at, tillId, kind, saleId, payload, rowPrevHash, rowHash] of db.prepare('SELECT seq, at, till_id, kind, sale_id, payload, prev_hash, hash FROM journal ORDER BY seq').raw().iterate() as IterableIterator<[number, number, string, string, string | null, string, string, string]>) {
    if (seq !== expected || rowPrevHash !== prevHash) throw new Error(`row-by-row chain: entry ${seq}`)
    const hash = hashEntry(prevHash, `{"at":${at},"kind":${JSON.stringify(kind)},"payload":${payload},"saleId":${saleId === null ? 'null' : JSON.stringify(saleId)},"seq":${seq},"tillId":${JSON.stringify(tillId)}}`)
    if (hash !== rowHash) throw new Error(`row-by-row chain: entry ${seq} altered`)
    prevHash = hash
    expected++
  }
  return expected - 1
}

const cpuMs = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export interface SeededTrustLedger {
  readonly app: ReturnType<typeof createApp>
  readonly clock: ManualClock
  readonly entries: number
  readonly sales: number
  /** The seq of the last signed head (the start-up check verifies after it). */
  readonly signed: number
  readonly seedSeconds: number
}

/**
 * A ledger of about `target` entries in `dir`, the last Z's head signed with the key in `keyDir`, and a day of
 * `daySales` sales after it (what the next start verifies).
 */
export function seedTrustLedger(dir: string, keyDir: string, target: number, daySales: number): SeededTrustLedger {
  const clock = new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0))
  const app = createApp({ dataDir: dir, keyDir, clock, resourcesDir: RESOURCES, timeZone: 'UTC' })
  // Seeding: a few real sales through the sale service, then the same shapes written directly (rows and their
  // journal entries, as SaleService writes them), many per transaction and without fsync: the service's own
  // speed is bench/ledger.ts's subject, and a million entries through it would take minutes here.
  app.db.pragma('synchronous = OFF')
  const count = () => (app.db.prepare('SELECT max(seq) AS n FROM journal').get() as { n: number } | undefined)?.n ?? 0
  const seedStart = performance.now()
  for (let i = 0; i < 3; i++) {
    app.sales.scan(CODES[i]!, 'wedge')
    app.sales.tenderCash(app.sales.current()!.dueMinor + 100)
    app.sales.complete()
  }
  let sales = 3
  const sell = (n: number) => {
    seedSales(app.db, clock, sales, n)
    sales += n
  }
  while (count() < target - daySales * 8) sell(5000)
  // The last Z signs its head; a day of sales follows it (what the next start verifies).
  app.integrity.sign('z bench')
  const signed = count()
  sell(daySales)
  const seedSeconds = (performance.now() - seedStart) / 1000
  app.db.pragma('synchronous = FULL')
  app.db.pragma('wal_checkpoint(TRUNCATE)')
  return { app, clock, entries: count(), sales, signed, seedSeconds }
}

export async function benchTrust(options: { entries?: number; daySales?: number } = {}): Promise<TrustBench> {
  const target = options.entries ?? 1_000_000
  const daySales = options.daySales ?? 1_000
  const dir = mkdtempSync(join(tmpdir(), 'stabletill-bench-trust-'))
  const keyDir = mkdtempSync(join(tmpdir(), 'stabletill-bench-keys-'))
  try {
    const { app, clock, entries, sales, signed, seedSeconds } = seedTrustLedger(dir, keyDir, target, daySales)

    // Floor: reading every journal row and doing nothing with it.
    let t = performance.now()
    let n = 0
    for (const _row of app.db.prepare('SELECT seq, at, till_id, kind, sale_id, payload, prev_hash, hash FROM journal ORDER BY seq').raw().iterate()) n++
    const readFloorMs = performance.now() - t
    if (n !== entries) throw new Error('read floor: wrong row count')
    const kit = chainScanKit((text) => hashEntry(text, ''))
    const chunk = app.db.prepare(kit.CHUNK_SQL).raw()
    let partCpu = cpuMs()
    t = performance.now()
    let chunked = 0
    for (let first = 1; first <= entries; first += kit.CHUNK) chunked += (chunk.get(first, first + kit.CHUNK - 1) as [number])[0]
    const chunkReadFloorMs = performance.now() - t
    const chunkReadCpuMs = cpuMs() - partCpu
    if (chunked !== entries) throw new Error('chunked read floor: wrong row count')
    // The same chunks, each entry's hash input hashed and checked against its stored hash: the floor of the chain.
    partCpu = cpuMs()
    let hashed = 0
    for (let first = 1; first <= entries; first += kit.CHUNK) {
      for (const piece of (chunk.get(first, first + kit.CHUNK - 1) as [number, number, string])[2].split('\n')) {
        if (!piece.startsWith(hashEntry(piece.slice(64), ''))) throw new Error('hash floor: an entry does not hash')
        hashed++
      }
    }
    const chunkReadAndHashCpuMs = cpuMs() - partCpu
    if (hashed !== entries) throw new Error('hash floor: wrong entry count')

    t = performance.now()
    if (chainRowByRow(app.db) !== entries) throw new Error('row-by-row chain: wrong count')
    const chainRowByRowMs = performance.now() - t
    partCpu = cpuMs()
    t = performance.now()
    const scan = kit.scanChain(app.db, { first: 1, last: entries, readUpTo: entries, startPrev: GENESIS_HASH, onSale: () => null })
    const chainChunkedMs = performance.now() - t
    const chainCpuMs = cpuMs() - partCpu
    if (scan.bad) throw new Error(`chunked chain: ${scan.bad.reason}`)
    partCpu = cpuMs()
    if (app.db.prepare(RECORD_MISMATCH_SQL).raw().all(1, entries).length !== 0) throw new Error('a record differs from its rows')
    const recordCompareCpuMs = cpuMs() - partCpu

    const recordedSales = app.db.prepare("SELECT count(*) FROM journal WHERE kind = 'sale.completed' AND payload ->> '$.rowsRecord' IS NOT NULL").pluck().get() as number
    // Before the record: the chain, every sale entry parsed and replayed, every sale row read and compared (SaleReplay
    // is unchanged; this is what verifyJournal did).
    let cpu = cpuMs()
    t = performance.now()
    const replay = new SaleReplay()
    const replayScan = kit.scanChain(app.db, { first: 1, last: entries, readUpTo: entries, startPrev: GENESIS_HASH, onSale: (seq, kind, saleId, payload) => (replay.apply(seq, kind, saleId, payload), null) })
    if (replayScan.bad || replay.compare(app.db, true) !== null) throw new Error('bench ledger does not verify by the replay')
    const replayVerifyMs = performance.now() - t
    const replayVerifyCpuMs = cpuMs() - cpu

    cpu = cpuMs()
    t = performance.now()
    const full = verifyJournal(app.db)
    const fullVerifyMs = performance.now() - t
    const fullVerifyCpuMs = cpuMs() - cpu
    if (!full.ok) throw new Error(`bench ledger does not verify: ${full.reason}`)

    // The start-up check as the till runs it: anchors -> checkpoint, journal after it, schema, settings, catalog.
    const startupRuns: number[] = []
    let startupEntries = 0
    for (let i = 0; i < 5; i++) {
      t = performance.now()
      const check = new IntegrityService({ db: app.db, clock, events: app.events, ledgerFile: join(dir, 'stabletill.sqlite'), dataDir: dir, keyDir, storeId: () => storeIdOf(app.db), tillId: () => 'T1' })
      startupRuns.push(performance.now() - t)
      const view = check.current()
      if (!view.ok) throw new Error(`start-up check failed: ${view.firstBad?.reason}`)
      startupEntries = view.entries - view.fromSeq
    }
    if (startupEntries !== entries - signed) throw new Error('start-up check did not start at the signed head')

    // PIN: one approval (the right PIN of the last manager added) with 1 and with 10 managers, through the till's
    // own StaffService (lookup tags keyed with the till key, services/approvals.ts) and through one without the
    // tag key (every row hashed: what a ledger restored without its key folder does, and what the till did before).
    const untagged = new StaffService(app.db, clock, () => 'T1')
    const pinRuns = (staff: StaffService, managers: number) => {
      // Staff are never deleted (a trigger): the earlier ones are disabled, which takes them out of the lookup.
      app.db.exec('UPDATE staff SET disabled = 1')
      app.db.transaction(() => app.approvals.createInitial(Array.from({ length: managers }, (_, i) => ({ name: `Manager ${i + 1}`, role: 'manager' as const, pin: i === managers - 1 ? '1234' : `${5000 + i}` })), false))()
      const runs: number[] = []
      for (let i = 0; i < 7; i++) {
        const s = performance.now()
        staff.approve('1234', 'drawer.no-sale', null)
        runs.push(performance.now() - s)
      }
      return median(runs)
    }
    // (After the start-up runs: this await lets the after-start page check sign a checkpoint at the head.)
    // The same verdict on every core: the chain in ranges on worker threads, the sales replayed here meanwhile.
    cpu = cpuMs()
    t = performance.now()
    const parallel = await verifyJournalParallel(app.db, join(dir, 'stabletill.sqlite'))
    const parallelVerifyMs = performance.now() - t
    const parallelVerifyCpuMs = cpuMs() - cpu
    // The till may have journaled a few entries since (its receipts printing): the same verdict, up to its own head.
    const headHash = parallel.ok ? (app.db.prepare('SELECT hash FROM journal WHERE seq = ?').get(parallel.entries) as { hash: string } | undefined)?.hash : null
    if (!parallel.ok || parallel.entries < full.entries || parallel.lastHash !== headHash) throw new Error(`parallel verify disagrees with verifyJournal: ${JSON.stringify(parallel)} ${JSON.stringify(full)}`)

    // The start-up check with a big catalog: 100,000 products and a barcode each, journaled as the catalog service
    // would (journalState). Before, the start-up check also computed the catalog's digest; now the worker does.
    const bigCatalogProducts = 100_000
    const taxRate = (app.db.prepare('SELECT id FROM tax_rates ORDER BY id LIMIT 1').get() as { id: string }).id
    const addProduct = app.db.prepare("INSERT INTO products (id, name, pricing, price_minor, tax_rate_id, plu, active) VALUES (?, ?, 'unit', ?, ?, NULL, 1)")
    const addBarcode = app.db.prepare('INSERT INTO barcodes (code, product_id, pack_qty) VALUES (?, ?, 1)')
    app.db.transaction(() => {
      for (let i = 1; i <= bigCatalogProducts; i++) {
        const id = `BENCH-${String(i).padStart(6, '0')}`
        addProduct.run(id, `Bench product ${i}`, 100 + (i % 900), taxRate)
        addBarcode.run(`29${String(i).padStart(11, '0')}`, id)
      }
      journalState(app.db, 'catalog', { at: clock.now(), tillId: 'T1', reason: 'bench catalog' })
    })()
    const bigRuns: number[] = []
    const digestRuns: number[] = []
    for (let i = 0; i < 5; i++) {
      t = performance.now()
      const check = new IntegrityService({ db: app.db, clock, events: app.events, ledgerFile: join(dir, 'stabletill.sqlite'), dataDir: dir, keyDir, storeId: () => storeIdOf(app.db), tillId: () => 'T1' })
      bigRuns.push(performance.now() - t)
      if (!check.current().ok) throw new Error(`start-up check failed with the big catalog: ${check.current().firstBad?.reason}`)
      t = performance.now()
      stateDigest(app.db, 'catalog')
      digestRuns.push(performance.now() - t)
    }

    const pinOne = pinRuns(app.approvals, 1)
    const pinTen = pinRuns(app.approvals, 10)
    // A wrong PIN with 10 managers: one dummy scrypt (three tries, under the lockout's five).
    const missRuns: number[] = []
    for (let i = 0; i < 3; i++) {
      const s = performance.now()
      try {
        app.approvals.approve('0000', 'drawer.no-sale', null)
      } catch {
        // a wrong PIN is refused: that is what is timed
      }
      missRuns.push(performance.now() - s)
    }
    app.approvals.approve('1234', 'drawer.no-sale', null)
    const untaggedOne = pinRuns(untagged, 1)
    const untaggedTen = pinRuns(untagged, 10)
    await app.close()
    return {
      entries,
      sales,
      seedSeconds,
      readFloorMs,
      chunkReadFloorMs,
      chainRowByRowMs,
      chainChunkedMs,
      fullVerifyCpuMs,
      parallelVerifyCpuMs,
      fullVerifyMs,
      recordedSales,
      replayVerifyMs,
      replayVerifyCpuMs,
      entriesPerSecond: entries / (fullVerifyMs / 1000),
      parallelVerifyMs,
      parallelEntriesPerSecond: entries / (parallelVerifyMs / 1000),
      workers: availableParallelism(),
      startupEntries,
      startupMs: median(startupRuns),
      bigCatalogProducts,
      startupBigCatalogMs: median(bigRuns),
      catalogDigestMs: median(digestRuns),
      pinMs: { one: pinOne, ten: pinTen, tenWrong: median(missRuns), untaggedOne, untaggedTen },
      pinGuessesPerCoreSecond: 1000 / untaggedOne,
      partsCpuMs: { chunkRead: chunkReadCpuMs, chunkReadAndHash: chunkReadAndHashCpuMs, chain: chainCpuMs, recordCompare: recordCompareCpuMs }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
    rmSync(keyDir, { recursive: true, force: true })
  }
}
