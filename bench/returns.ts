// Returns for `npm run bench returns` (issue [D] point 2): finding a sale to return (by the receipt's QR, by the 12
// characters after "Journal", by number and date), quoting a return, and a cash refund (one synchronous=FULL
// transaction: the return, the refund sale, the drawer's movement, the journal), on ledgers of 10,000 and 1,000,000
// sales, beside the floor: one plain SELECT of a sale and its lines by primary key.
//
// Rows are written with SQL in the shapes the sale service writes (as bench/shift.ts does: the service would take
// most of an hour for a million). Journal hashes are sha256 of the seq, so hash prefixes are spread as real ones are;
// nothing here verifies the chain.
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createApp } from '../src/main/app'
import type { Db } from '../src/main/ledger/db'
import { ShiftService } from '../src/main/services/shift'
import { ManualClock } from '../src/shared/clock'
import { saleReceiptCode } from '../src/shared/sale/receipt-code'

const RESOURCES = resolve(__dirname, '..', 'resources')

export interface ReturnsBench {
  readonly sales: number
  readonly seedSeconds: number
  readonly rows: readonly { readonly step: string; readonly medianMs: number }[]
}

function seed(db: Db, clock: ManualClock, count: number): void {
  const insertSale = db.prepare("INSERT INTO sales (id, till_id, number, kind, status, currency, tax_mode, cashier, opened_at) VALUES (?, 'T1', ?, 'sale', 'open', 'USD', 'exclusive', 'Cashier 1', ?)")
  const insertLine = db.prepare(
    "INSERT INTO sale_lines (id, sale_id, position, product_id, name, barcode, quantity, unit_price_minor, amount_minor, tax_rate_id, tax_rate_ppm, tax_minor) VALUES (?, ?, ?, 'P005', 'Cola 330 ml can', '5901234123013', 2, 99, 198, 'std', 82500, 16)"
  )
  const insertTender = db.prepare("INSERT INTO tenders (id, sale_id, kind, amount_minor, received_minor, change_minor, details, created_at) VALUES (?, ?, 'cash', 642, 1000, 358, NULL, ?)")
  const complete = db.prepare("UPDATE sales SET status = 'completed', closed_at = ?, subtotal_minor = 594, tax_minor = 48, total_minor = 642, journal_hash = ? WHERE id = ?")
  const head = db.prepare('SELECT seq FROM journal ORDER BY seq DESC LIMIT 1').pluck()
  const insertEntry = db.prepare("INSERT INTO journal (seq, at, till_id, kind, sale_id, payload, prev_hash, hash) VALUES (?, ?, 'T1', ?, ?, '{}', ?, ?)")
  const counter = db.prepare("INSERT INTO till_counters (till_id, last_sale_number) VALUES ('T1', ?) ON CONFLICT(till_id) DO UPDATE SET last_sale_number = excluded.last_sale_number")
  const batch = db.transaction((from: number, to: number) => {
    let seq = head.get() as number
    const entry = (kind: string, saleId: string) => {
      seq++
      const hash = createHash('sha256').update(String(seq)).digest('hex')
      insertEntry.run(seq, clock.now(), kind, saleId, hash, hash)
      return hash
    }
    for (let n = from; n < to; n++) {
      const id = `T1-${String(n).padStart(7, '0')}`
      insertSale.run(id, n, clock.now())
      entry('sale.opened', id)
      for (let p = 1; p <= 3; p++) {
        insertLine.run(`${id}/L${p}`, id, p)
        entry('sale.line-added', id)
      }
      insertTender.run(`${id}/T1`, id, clock.now())
      entry('sale.tender-added', id)
      clock.advance(1000)
      complete.run(clock.now(), entry('sale.completed', id), id)
    }
    counter.run(to - 1)
  })
  for (let done = 0; done < count; done += 10_000) batch(1 + done, 1 + Math.min(count, done + 10_000))
}

export async function benchReturns(sales: number): Promise<ReturnsBench> {
  const dir = mkdtempSync(join(tmpdir(), 'stabletill-bench-returns-'))
  try {
    const clock = new ManualClock(Date.UTC(2026, 0, 1))
    const app = createApp({ dataDir: dir, clock, resourcesDir: RESOURCES, timeZone: 'UTC' })
    const shift = new ShiftService({ db: app.db, clock, store: app.store })
    shift.open({ totalMinor: 1_000_000 }, 'M1')
    app.db.pragma('synchronous = OFF') // seeding speed only
    const t0 = performance.now()
    seed(app.db, clock, sales)
    const seedSeconds = (performance.now() - t0) / 1000
    app.db.pragma('synchronous = FULL')

    // Sales spread over the ledger, so no measurement reads pages another just cached.
    const pick = (i: number) => {
      const number = 1 + Math.floor(((i + 0.5) * sales) / 12)
      const row = app.db.prepare("SELECT id, journal_hash, closed_at FROM sales WHERE till_id = 'T1' AND number = ?").get(number) as { id: string; journal_hash: string; closed_at: number }
      return { number, ...row }
    }
    const time = (fn: () => unknown) => {
      const start = performance.now()
      fn()
      return performance.now() - start
    }
    const median = (fn: (i: number) => unknown) => {
      const runs = [0, 1, 2, 3, 4].map((i) => time(() => fn(i))).sort((a, b) => a - b)
      return runs[2]!
    }
    const floor = app.db.prepare('SELECT s.*, (SELECT COUNT(*) FROM sale_lines l WHERE l.sale_id = s.id) AS n FROM sales s WHERE s.id = ?')
    const rows = [
      { step: 'floor (1 sale + lines by key)', medianMs: median((i) => floor.get(pick(i).id)) },
      { step: 'find by receipt QR', medianMs: median((i) => app.returns.find({ code: saleReceiptCode(pick(i).id, pick(i).journal_hash) })) },
      { step: 'find by "Journal" 12 chars', medianMs: median((i) => app.returns.find({ code: pick(i).journal_hash.slice(0, 12) })) },
      { step: 'find by number and date', medianMs: median((i) => app.returns.find({ number: pick(i).number, date: new Date(pick(i).closed_at).toISOString().slice(0, 10) })) },
      { step: 'quote 1 of a line', medianMs: median((i) => app.returns.quote({ saleId: pick(i).id, lines: [{ lineId: `${pick(i).id}/L1`, quantity: 1 }] })) },
      { step: 'cash refund (FULL sync)', medianMs: median((i) => app.returns.cash({ saleId: pick(i + 5).id, lines: [{ lineId: `${pick(i + 5).id}/L2`, quantity: 1 }] }, 'M1')) }
    ]
    await app.close()
    return { sales, seedSeconds, rows }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
