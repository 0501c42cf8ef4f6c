// Head-office figures for `npm run bench`: a real till's journal shipped to a real PostgreSQL head office.
// - shipping (HTTP + zod + hash chain checked + insert + projections, 500 entries a batch) against the floor of
//   inserting the same rows into a bare table with one statement per batch (same pool, no checks), same run;
// - the same batches re-sent (the idempotent path: compared, nothing stored);
// - the overview query.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createApp } from '../src/main/app'
import { addStore, addTill, startHeadOffice } from '../src/headoffice/server'
import { overview } from '../src/headoffice/overview'
import { JournalShipper } from '../src/main/services/shipper'
import type { ShippedEntry } from '../src/shared/headoffice'
import { ManualClock } from '../src/shared/clock'
import { startPostgres } from '../test/fixtures/postgres'

const CODES = ['5901234123013', '6901234567014', '3761234500021', '5012345000015']

export interface HeadOfficeBench {
  readonly sales: number
  readonly entries: number
  readonly floorMs: number
  readonly shipMs: number
  readonly resendMs: number
  readonly overviewMedianMs: number
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export async function benchHeadOffice(sales = 1000): Promise<HeadOfficeBench> {
  const pg = await startPostgres()
  const dataDir = mkdtempSync(join(tmpdir(), 'stabletill-bench-ho-'))
  const app = createApp({ dataDir, clock: new ManualClock(Date.UTC(2026, 10, 24, 9)), resourcesDir: resolve(__dirname, '..', 'resources'), timeZone: 'UTC' })
  const ho = await startHeadOffice({ connectionString: pg.connectionString, adminToken: 'bench-admin-token' })
  try {
    const { url } = await ho.listen(0)
    for (let i = 0; i < sales; i++) {
      app.sales.scan(CODES[i % CODES.length]!, 'wedge')
      app.sales.scan(CODES[(i + 1) % CODES.length]!, 'wedge')
      app.sales.tenderCash(5000)
      app.sales.complete()
    }
    // Receipts print (to the demo's file printer) and journal it after each sale: wait until the journal stops
    // moving, so the figures below are head office's and not the print queue's.
    const headNow = () => (app.db.prepare('SELECT max(seq) AS seq FROM journal').get() as { seq: number }).seq
    for (let last = -1; last !== headNow(); ) {
      last = headNow()
      await new Promise((r) => setTimeout(r, 1000))
    }
    const rows = app.db.prepare('SELECT seq, at, till_id AS tillId, kind, sale_id AS saleId, payload, prev_hash AS prevHash, hash FROM journal ORDER BY seq').all() as ShippedEntry[]
    const batches: ShippedEntry[][] = []
    for (let i = 0; i < rows.length; i += 500) batches.push(rows.slice(i, i + 500))

    await ho.pool.query('CREATE TABLE floor_journal (till_id text, seq bigint, at bigint, kind text, sale_id text, payload jsonb, payload_text text, prev_hash text, hash text, PRIMARY KEY (till_id, seq))')
    let t = performance.now()
    for (const b of batches) {
      await ho.pool.query(
        `INSERT INTO floor_journal SELECT 'T', e.seq, e.at, e.kind, e.sale_id, e.payload::jsonb, e.payload, e.prev_hash, e.hash
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS e(seq, at, kind, sale_id, payload, prev_hash, hash)`,
        [b.map((e) => e.seq), b.map((e) => e.at), b.map((e) => e.kind), b.map((e) => e.saleId), b.map((e) => e.payload), b.map((e) => e.prevHash), b.map((e) => e.hash)]
      )
    }
    const floorMs = performance.now() - t

    await addStore(ho.pool, { id: 'S1', name: 'Bench', currency: 'USD' })
    const token = await addTill(ho.pool, { id: 'S1-T1', storeId: 'S1', ledgerTillId: 'T1', name: 'Bench till' })
    const shipper = new JournalShipper({ db: app.db, dataDir, url, token, batchEntries: 500 })
    t = performance.now()
    const status = await shipper.syncNow()
    const shipMs = performance.now() - t
    if (status.lastError || status.ackedSeq !== rows.length) throw new Error(`shipping failed: ${JSON.stringify(status)}`)

    t = performance.now()
    for (const b of batches) {
      const res = await fetch(`${url}/v1/journal`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ tillHead: rows.length, entries: b }) })
      const body = (await res.json()) as { stored?: number }
      if (body.stored !== 0) throw new Error('a re-sent batch stored something')
    }
    const resendMs = performance.now() - t

    const times: number[] = []
    for (let i = 0; i < 20; i++) {
      const s = performance.now()
      await overview(ho.pool, Date.UTC(2026, 10, 24, 12))
      times.push(performance.now() - s)
    }
    return { sales, entries: rows.length, floorMs, shipMs, resendMs, overviewMedianMs: median(times) }
  } finally {
    await ho.close()
    await app.close()
    pg.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
