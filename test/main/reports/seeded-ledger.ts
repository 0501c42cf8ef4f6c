// A closed day written straight into the ledger's tables with SQL, in the shapes the services write (as bench/day.ts
// does), on a hand-driven clock: no chain, no random ids, so the same seed gives the same rows and the same export
// bytes on every run. The golden test pins those bytes; the till-driven day (ledger-day.ts) is real but its block
// times and tx hashes move with anvil's clock, so it cannot be pinned.
//
// The day: `sales` completed sales of 3 lines at two tax rates, one line in seven discounted, every 25th sale paid in
// USDC (one of them late), one voided sale, one no-sale, a cash out and a drawer 7 short.
import { appendJournal } from '../../../src/main/ledger/journal'
import { countCompletedSale, countNoSale, countVoidedSale } from '../../../src/main/services/session-totals'
import { ShiftService } from '../../../src/main/services/shift'
import type { ZReportView } from '../../../src/shared/api/views'
import { testTill, type TestTill } from '../../fixtures/till'

const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const MERCHANT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const CUSTOMER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

export interface SeededDay {
  readonly till: TestTill
  readonly z: ZReportView
}

export function seedLedgerDayBySql(sales: number): SeededDay {
  const till = testTill({ timeZone: 'UTC' })
  const { db } = till.app
  const clock = till.clock
  const shift = new ShiftService({ db, clock, store: till.app.store })
  shift.open({ totalMinor: 20_000 }, 'M1')
  const insertSale = db.prepare("INSERT INTO sales (id, till_id, number, kind, status, currency, tax_mode, cashier, opened_at) VALUES (?, 'T1', ?, 'sale', 'open', 'USD', 'exclusive', 'Cashier 1', ?)")
  const insertLine = db.prepare(
    `INSERT INTO sale_lines (id, sale_id, position, product_id, name, barcode, quantity, unit_price_minor, amount_minor, discount_minor, tax_rate_id, tax_rate_ppm, tax_minor)
     VALUES (?, ?, ?, 'P005', 'Cola 330 ml can', '5901234123013', 1, ?, ?, ?, ?, ?, ?)`
  )
  const insertTender = db.prepare('INSERT INTO tenders (id, sale_id, kind, amount_minor, received_minor, change_minor, details, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const insertRequest = db.prepare(
    `INSERT INTO payment_requests (id, sale_id, till_id, chain_id, token_symbol, token_address, token_decimals, receive_address, scheme, tag_index, amount_due, amount_minimum,
       amount_minor, currency, rate, rate_source, rate_at, confirmation_kind, confirmations_required, created_at, expires_at, hold_until, status, updated_at, settled_at)
     VALUES (?, ?, 'T1', 31337, 'USDC', ?, 6, ?, 'tag', ?, ?, ?, ?, 'USD', '1', 'peg', ?, 'blocks', 1, ?, ?, ?, 'Paid', ?, ?)`
  )
  const insertLog = db.prepare(
    `INSERT INTO chain_logs (chain_id, tx_hash, log_index, block_number, block_hash, block_time, token_address, from_address, to_address, value, seen_at, payment_id, attributed, rule)
     VALUES (31337, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'tag')`
  )
  const complete = db.prepare("UPDATE sales SET status = ?, closed_at = ?, subtotal_minor = ?, tax_minor = ?, total_minor = ? WHERE id = ?")
  const entry = (kind: string, saleId: string | null, payload: Record<string, string> = {}) => appendJournal(db, { at: clock.now(), tillId: 'T1', kind, saleId, payload })
  db.transaction(() => {
    for (let n = 1; n <= sales; n++) {
      const id = `T1-${String(n).padStart(7, '0')}`
      insertSale.run(id, n, clock.now())
      entry('sale.opened', id)
      let subtotal = 0
      let tax = 0
      for (let p = 1; p <= 3; p++) {
        // Line 3 is groceries (2.25 %), the others sales tax (8.25 %); one line in seven is 10 % off.
        const [rateId, ppm] = p === 3 ? ['food', 22_500] : ['std', 82_500]
        const amount = 99 + 100 * p
        const discount = (n + p) % 7 === 0 ? Math.round(amount / 10) : 0
        const lineTax = Math.round(((amount - discount) * ppm) / 1_000_000)
        insertLine.run(`${id}/L${p}`, id, p, amount, amount, discount, rateId, ppm, lineTax)
        entry('sale.line-added', id)
        subtotal += amount - discount
        tax += lineTax
      }
      const total = subtotal + tax
      const at = clock.now()
      if (n % 25 === 0) {
        const k = n / 25
        const paymentId = `PR-${k}`
        const units = BigInt(total) * 10_000n + BigInt(k)
        const txHash = `0x${k.toString(16).padStart(64, 'a')}`
        // Sale 50's transfer lands after its request expired: late.
        const blockTime = n === 50 ? at + 2_000_000 : at + 3_000
        insertRequest.run(paymentId, id, TOKEN, MERCHANT, k, units.toString(), units.toString(), total, at, at, at + 900_000, at + 8_100_000, at, at)
        insertLog.run(txHash, 100 + k, `0x${'b'.repeat(63)}${k % 10}`, blockTime, TOKEN, CUSTOMER, MERCHANT, units.toString(), at, paymentId)
        const tokenAmount = `${units / 1_000_000n}.${(units % 1_000_000n).toString().padStart(6, '0')}`
        const details = { paymentId, tokenSymbol: 'USDC', tokenAmount, chainId: 31337, chainName: 'Demo chain (local)', rate: '1', rateSource: 'peg', txHash, explorerTxUrl: null, unverified: false, exception: null }
        insertTender.run(`${id}/T1`, id, 'stablecoin', total, null, null, JSON.stringify(details), at)
      } else {
        const received = Math.ceil(total / 500) * 500
        insertTender.run(`${id}/T1`, id, 'cash', total, received, received - total, null, at)
      }
      entry('sale.tender-added', id)
      clock.advance(1000)
      complete.run('completed', clock.now(), subtotal, tax, total, id)
      entry('sale.completed', id)
      // As the services do beside each entry: the open day's running totals (migration 0015), which the Z reads.
      countCompletedSale(db, 'T1', id)
      if (n === Math.floor(sales / 2)) {
        // A sale voided with its lines on, and a drawer opened with no sale.
        const voidId = 'T1-void-1'
        insertSale.run(voidId, sales + 1, clock.now())
        entry('sale.opened', voidId)
        insertLine.run(`${voidId}/L1`, voidId, 1, 479, 479, 0, 'food', 22_500, 11)
        entry('sale.line-added', voidId)
        complete.run('voided', clock.now(), 479, 11, 490, voidId)
        entry('sale.voided', voidId, { reason: 'customer left' })
        countVoidedSale(db, 'T1', voidId)
        entry('drawer.no-sale', null, { managerId: 'M1' })
        countNoSale(db, 'T1')
      }
    }
  })()
  shift.cashMove('out', 500, 'Bank deposit', 'M1')
  clock.advance(3_600_000)
  const x = shift.xReport()
  const z = shift.close({ counted: { totalMinor: x.drawer.expectedMinor - 7 }, differenceReason: 'coins short' }, 'M1')
  return { till, z }
}
