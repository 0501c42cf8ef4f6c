import type { Migration } from '../db'

// The stablecoin requests still alive, found by index instead of a scan of every request the till ever made. The
// payment service refreshes the live requests every second and after every poll of each chain (in an IMMEDIATE
// transaction on the till's thread), and reads the watched addresses and the re-check depth on every poll: each was
// a scan of payment_requests. With 200,000 requests behind it (a stablecoin shop's year or two) the refresh's
// statement alone took 80-180 ms, and each of the reconciliation's two period queries 150-290 ms (bench/history.ts,
// `npm run bench -- history`; now 1-4 ms each). Alive means:
// held (hold_until in the future: an index on hold_until, a range), or waiting on someone (New or Seen, released
// unverified and not paid, reversed and not yet resolved: a partial index holding only those, a handful), or
// settled lately (after a reorg: an index on settled_at, a range). Each costs one index entry per request. And the
// count that numbers the next xpub address (a scan too: 75 ms at 200,000 requests) reads a partial index of those.
// The same for the chain's logs not yet given to a request, read on every poll while a request is open: a scan of
// every log of the chain (78 ms at 200,000 logs).
export const m0017LivePaymentRequests: Migration = {
  version: 17,
  name: '0017-live-payment-requests',
  up(db) {
    db.exec(`
      CREATE INDEX payment_requests_hold ON payment_requests(hold_until);
      CREATE INDEX payment_requests_live ON payment_requests(chain_id)
        WHERE status IN ('New', 'Seen') OR (released_at IS NOT NULL AND status <> 'Paid') OR (reversed_at IS NOT NULL AND reversal_resolved_at IS NULL);
      CREATE INDEX payment_requests_settled ON payment_requests(settled_at) WHERE settled_at IS NOT NULL;
      CREATE INDEX payment_requests_xpub ON payment_requests(scheme) WHERE scheme = 'xpub';
      CREATE INDEX chain_logs_unattributed ON chain_logs(chain_id, block_number, log_index) WHERE attributed = 0;
    `)
  }
}
