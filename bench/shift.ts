// Cash session figures for `npm run bench shift` (issue [D]): the X and the Z of a 10,000-sale day, on a ledger that
// holds only that day and on one that holds 1,000,000 sales before it, beside the floor: one plain SELECT reading
// the same day's sales rows. The Z is bounded by journal seqs, so the history before the day should not show.
//
// The rows are written with SQL in the shapes the sale service writes (a sale, its lines and tenders, and six journal
// entries per sale), because the service with its receipts sells ~360 sales/s here and a million would take most of
// an hour. Journal hashes are stand-ins: nothing here verifies the chain (bench/ledger.ts times verification).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createApp } from '../src/main/app'
import type { Db } from '../src/main/ledger/db'
import { countCompletedSale } from '../src/main/services/session-totals'
import { ShiftService } from '../src/main/services/shift'
import { ManualClock } from '../src/shared/clock'

const RESOURCES = resolve(__dirname, '..', 'resources')

export interface ShiftBench {
  readonly historySales: number
  readonly daySales: number
  readonly seedSeconds: number
  readonly floorMs: number
  readonly xMs: number
  readonly zMs: number
  readonly heapDeltaMb: number
  readonly maxRssMb: number
}

/** Writes `count` completed sales (3 lines; cash with change, or every fifth a stablecoin tender) after the journal head. */
function seedSales(db: Db, clock: ManualClock, count: number, firstNumber: number): void {
  const insertSale = db.prepare("INSERT INTO sales (id, till_id, number, kind, status, currency, tax_mode, cashier, opened_at) VALUES (?, 'T1', ?, 'sale', 'open', 'USD', 'exclusive', 'Cashier 1', ?)")
  const insertLine = db.prepare(
    "INSERT INTO sale_lines (id, sale_id, position, product_id, name, barcode, quantity, unit_price_minor, amount_minor, tax_rate_id, tax_rate_ppm, tax_minor) VALUES (?, ?, ?, 'P005', 'Cola 330 ml can', '5901234123013', 1, 99, 99, 'std', 82500, 8)"
  )
  const insertTender = db.prepare('INSERT INTO tenders (id, sale_id, kind, amount_minor, received_minor, change_minor, details, created_at) VALUES (?, ?, ?, 321, ?, ?, ?, ?)')
  const complete = db.prepare("UPDATE sales SET status = 'completed', closed_at = ?, subtotal_minor = 297, tax_minor = 24, total_minor = 321, journal_hash = ? WHERE id = ?")
  const head = db.prepare('SELECT seq FROM journal ORDER BY seq DESC LIMIT 1').pluck()
  const insertEntry = db.prepare("INSERT INTO journal (seq, at, till_id, kind, sale_id, payload, prev_hash, hash) VALUES (?, ?, 'T1', ?, ?, '{}', ?, ?)")
  const coin = JSON.stringify({ paymentId: 'PR', tokenSymbol: 'USDC', tokenAmount: '3.210000', chainId: 8453, chainName: 'Base', rate: '1', rateSource: 'peg', txHash: null, explorerTxUrl: null, unverified: false, exception: null })
  const batch = db.transaction((from: number, to: number) => {
    let seq = head.get() as number
    const entry = (kind: string, saleId: string) => {
      seq++
      const hash = `${seq.toString(16).padStart(64, '0')}`
      insertEntry.run(seq, clock.now(), kind, saleId, hash, hash)
      return hash
    }
    for (let n = from; n < to; n++) {
      const id = `T1-${String(n).padStart(7, '0')}`
      const at = clock.now()
      insertSale.run(id, n, at)
      entry('sale.opened', id)
      for (let p = 1; p <= 3; p++) {
        insertLine.run(`${id}/L${p}`, id, p)
        entry('sale.line-added', id)
      }
      if (n % 5 === 0) insertTender.run(`${id}/T1`, id, 'stablecoin', 321, null, coin, at)
      else insertTender.run(`${id}/T1`, id, 'cash', 500, 179, null, at)
      entry('sale.tender-added', id)
      clock.advance(1000)
      complete.run(clock.now(), entry('sale.completed', id), id)
      // As the sale service does in the same transaction: the open day's running totals (migration 0015).
      countCompletedSale(db, 'T1', id)
    }
  })
  for (let done = 0; done < count; done += 10_000) batch(firstNumber + done, firstNumber + Math.min(count, done + 10_000))
}

export async function benchShift(options: { historySales: number; daySales?: number }): Promise<ShiftBench> {
  const daySales = options.daySales ?? 10_000
  const dir = mkdtempSync(join(tmpdir(), 'stabletill-bench-shift-'))
  try {
    const clock = new ManualClock(Date.UTC(2026, 0, 1))
    const app = createApp({ dataDir: dir, clock, resourcesDir: RESOURCES })
    app.db.pragma('synchronous = OFF') // seeding speed only; the X and the Z below are the same code either way
    const t0 = performance.now()
    seedSales(app.db, clock, options.historySales, 1)
    const shift = new ShiftService({ db: app.db, clock, store: app.store })
    const dayStart = clock.now()
    shift.open({ totalMinor: 20_000 }, 'M1')
    seedSales(app.db, clock, daySales, options.historySales + 1)
    const seedSeconds = (performance.now() - t0) / 1000
    app.db.pragma('synchronous = FULL')

    const floor = () => {
      let total = 0
      // closed_at is the only index this can use (status would walk every completed sale of the ledger).
      for (const row of app.db.prepare('SELECT total_minor FROM sales WHERE closed_at >= ?').pluck().iterate(dayStart)) total += row as number
      return total
    }
    floor() // warm the page cache the same way for every measurement
    const time = (fn: () => unknown) => {
      const start = performance.now()
      fn()
      return performance.now() - start
    }
    const median = (fn: () => unknown) => {
      const runs = [time(fn), time(fn), time(fn), time(fn), time(fn)].sort((a, b) => a - b)
      return runs[2]!
    }
    const floorMs = median(floor)
    const heapBefore = process.memoryUsage().heapUsed
    const xMs = median(() => shift.xReport())
    const x = shift.xReport()
    if (x.salesCount !== daySales) throw new Error(`the X counted ${x.salesCount} sales, not ${daySales}`)
    const zMs = time(() => shift.close({ counted: { totalMinor: x.drawer.expectedMinor } }, 'M1'))
    const heapDeltaMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20
    await app.close()
    return { historySales: options.historySales, daySales, seedSeconds, floorMs, xMs, zMs, heapDeltaMb, maxRssMb: process.resourceUsage().maxRSS / 1024 }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
