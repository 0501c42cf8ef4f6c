// Payment housekeeping on a till with a long stablecoin history (migration 0017): the payment service refreshes the
// live requests every second and after every poll (in an IMMEDIATE transaction on the till's thread), and reads the
// watched addresses and the re-check depth on every poll; the reconciliation reads the period's requests and credits.
// Each was a scan of every request the till ever made. Seeds `past` settled requests spread over 400 days (each with
// its credited chain log) plus a few live ones, and times each call as the till makes it now, and beside it the
// statement the call ran before 0017 (timed alone, with 0017's indexes dropped), in the same run on the same file.
// The floor: one request read by its key.
import { PaymentService } from '../src/main/services/payments'
import { periodCredits, periodWatchedAddresses } from '../src/main/services/reconcile'
import { ManualClock } from '../src/shared/clock'
import { tempLedger } from '../test/fixtures/ledger'

const DAY = 86_400_000
const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const SHOP = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

export interface HistoryBenchRow {
  readonly step: string
  /** Median ms per call now, and of the statement it ran before 0017 (alone, without 0017's indexes). */
  readonly nowMs: number
  readonly beforeMs: number
  readonly rows: number
}

export interface HistoryBenchResult {
  readonly past: number
  readonly live: number
  readonly floorMs: number
  readonly rows: readonly HistoryBenchRow[]
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

export async function benchHistory(options: { readonly past?: number } = {}): Promise<HistoryBenchResult> {
  const past = options.past ?? 200_000
  const ledger = tempLedger()
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12))
  const now = clock.now()
  try {
    const db = ledger.db
    const insertRequests = (from: number, count: number, at: (i: string) => string, status: string, extra: string): void => {
      db.exec(`WITH RECURSIVE k(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM k WHERE i < ${from + count - 1})
        INSERT INTO payment_requests (id, sale_id, till_id, chain_id, token_symbol, token_address, token_decimals, receive_address, scheme, tag_index,
          amount_due, amount_minimum, amount_minor, currency, rate, rate_source, rate_at, confirmation_kind, confirmations_required,
          created_at, expires_at, hold_until, status, exception, updated_at, settled_at, released_at, reversed_at)
        SELECT 'P' || i, 'S' || i, 'T1', 31337, 'USDC', '${TOKEN}', 6, '${SHOP}', 'tag', 1 + i % 999,
          '1000001', '1000000', 100, 'USD', '1', 'peg', ${at('i')}, 'blocks', 3,
          ${at('i')}, ${at('i')} + 900000, ${at('i')} + ${DAY}, '${status}', NULL, ${at('i')}, ${extra} FROM k`)
      db.exec(`WITH RECURSIVE k(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM k WHERE i < ${from + count - 1})
        INSERT INTO chain_logs (chain_id, tx_hash, log_index, block_number, block_hash, block_time, token_address, from_address, to_address, value, seen_at, payment_id, attributed)
        SELECT 31337, printf('0x%064x', i), 0, i, printf('0x%064x', i), ${at('i')}, '${TOKEN}', '${SHOP}', '${SHOP}', '1000001', ${at('i')}, 'P' || i, 1 FROM k`)
    }
    // The history: settled, every hold long over, one request every ~2.9 minutes for 400 days.
    const spacing = Math.floor((400 * DAY) / past)
    insertRequests(1, past, (i) => `${now - 401 * DAY} + ${i} * ${spacing}`, 'Paid', `${now - 401 * DAY} + i * ${spacing} + 60000, NULL, NULL`)
    // Today's: 40 paid and still held, 3 waiting for their transfer, 2 released unverified, 1 reversed (settled then
    // taken back by a reorg) and not yet dealt with: what a refresh must find.
    insertRequests(past + 1, 40, (i) => `${now - 3 * 3_600_000} + (${i} - ${past}) * 60000`, 'Paid', `${now - 3_600_000}, NULL, NULL`)
    insertRequests(past + 41, 3, () => `${now - 60_000}`, 'New', 'NULL, NULL, NULL')
    insertRequests(past + 44, 2, () => `${now - 20 * DAY}`, 'New', `NULL, ${now - 20 * DAY + 5000}, NULL`)
    insertRequests(past + 46, 1, () => `${now - 30 * DAY}`, 'Paid', `${now - 30 * DAY + 60000}, NULL, ${now - 2 * DAY}`)
    const live = 46

    const service = new PaymentService({
      db,
      tillId: 'T1',
      clock,
      demoUsdcAddress: TOKEN,
      settings: { receive: { kind: 'address', address: SHOP }, chains: [{ chainId: 31337, rpcUrls: ['http://127.0.0.1:9'], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 3 } }] }
    })
    const dayStart = now - 12 * 3_600_000
    // Each call as the till makes it now, beside the statement it ran before 0017 (a scan, timed alone on the same
    // file with 0017's indexes dropped: the old refresh also built a view of every live request on top of it).
    const W = `status IN ('New', 'Seen') OR (released_at IS NOT NULL AND status <> 'Paid') OR (reversed_at IS NOT NULL AND reversal_resolved_at IS NULL)`
    const oldRefresh = `SELECT * FROM payment_requests WHERE (hold_until > ? OR ${W} OR settled_at > ?) AND (? IS NULL OR chain_id = ?)`
    const calls: { readonly step: string; readonly run: () => number; readonly before: () => number }[] = [
      { step: 'refresh of the live requests (every second, and after every poll)', run: () => (service.refresh(31337), 0), before: () => db.prepare(oldRefresh).all(now, Number.MAX_SAFE_INTEGER, 31337, 31337).length },
      { step: 'the same after a reorg (a week of settled payments looked at again)', run: () => (service.refresh(31337, { afterReorg: true }), 0), before: () => db.prepare(oldRefresh).all(now, now - 7 * DAY, 31337, 31337).length },
      { step: 'watched addresses (every poll)', run: () => service['watchedAddresses'](31337).length, before: () => db.prepare(`SELECT DISTINCT receive_address FROM payment_requests WHERE chain_id = ? AND (hold_until > ? OR ${W})`).all(31337, now).length },
      { step: 're-check depth (every poll)', run: () => service['recheckDepth'](31337), before: () => db.prepare("SELECT MAX(CASE WHEN confirmation_kind = 'blocks' THEN confirmations_required ELSE 0 END) AS blocks FROM payment_requests WHERE chain_id = ? AND (hold_until > ? OR status IN ('New', 'Seen'))").pluck().get(31337, now) as number },
      { step: "reconciliation: the period's watched addresses", run: () => periodWatchedAddresses(db, 31337, dayStart, now).length, before: () => db.prepare('SELECT DISTINCT receive_address FROM payment_requests WHERE chain_id = ? AND created_at < ? AND hold_until >= ?').all(31337, now, dayStart).length },
      { step: 'logs not yet given to a request (every poll while one is open)', run: () => (service['attribute'](31337), 0), before: () => db.prepare('SELECT * FROM chain_logs WHERE chain_id = ? AND attributed = 0 ORDER BY block_number, log_index').all(31337).length },
      {
        step: "reconciliation: the period's credits",
        run: () => periodCredits(db, 31337, dayStart, now).length,
        before: () => db.prepare('SELECT l.tx_hash FROM chain_logs l LEFT JOIN payment_requests r ON r.id = l.payment_id WHERE l.chain_id = ? AND l.payment_id IS NOT NULL AND r.created_at < ? AND r.hold_until >= ?').all(31337, now, dayStart).length
      }
    ]
    const timeEach = (repeat: number, pick: (c: (typeof calls)[number]) => () => number): { ms: number; rows: number }[] =>
      calls.map((c) => {
        const run = pick(c)
        const times: number[] = []
        let rows = 0
        for (let k = 0; k < repeat; k++) {
          const t0 = performance.now()
          rows = run()
          times.push(performance.now() - t0)
        }
        return { ms: median(times), rows }
      })
    const floorStatement = db.prepare('SELECT * FROM payment_requests WHERE id = ?')
    const floorTimes: number[] = []
    for (let k = 0; k < 200; k++) {
      const t0 = performance.now()
      floorStatement.get(`P${1 + ((k * 7919) % past)}`)
      floorTimes.push(performance.now() - t0)
    }
    const withIndexes = timeEach(21, (c) => c.run)
    db.exec('DROP INDEX payment_requests_hold; DROP INDEX payment_requests_live; DROP INDEX payment_requests_settled; DROP INDEX payment_requests_xpub; DROP INDEX chain_logs_unattributed')
    const before = timeEach(7, (c) => c.before)
    const rows = calls.map((c, i) => ({ step: c.step, nowMs: withIndexes[i]!.ms, beforeMs: before[i]!.ms, rows: withIndexes[i]!.rows }))
    await service.stop()
    return { past, live, floorMs: median(floorTimes), rows }
  } finally {
    ledger.cleanup()
  }
}
