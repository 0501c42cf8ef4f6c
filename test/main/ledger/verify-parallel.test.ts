// The full verification on several cores (verifyJournalParallel) gives verifyJournal's verdicts: the same first bad
// entry for an edit, a deletion or a re-hash anywhere, including at the seams between the workers' ranges, and the
// same sale found differing from its journal entries.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { LEDGER_FILE } from '../../../src/main/app'
import { appendJournal, hashEntry, verifyJournal, verifyJournalParallel } from '../../../src/main/ledger/journal'
import { tempLedger, type TempLedger } from '../../fixtures/ledger'
import { testTill, type TestTill } from '../../fixtures/till'

let ledger: TempLedger | null = null
let till: TestTill | null = null
afterEach(async () => {
  ledger?.cleanup()
  ledger = null
  await till?.cleanup()
  till = null
})

/** 30 entries: three workers get 1-10, 11-20, 21-30. */
function fill() {
  ledger = tempLedger()
  const db = ledger.db
  db.transaction(() => {
    for (let i = 1; i <= 30; i++) appendJournal(db, { at: 1_700_000_000_000 + i, tillId: 'T1', kind: 'test.entry', saleId: `S${i}`, payload: { i, amountMinor: i * 100 } })
  })()
  return db
}

function tamper(sql: string) {
  ledger!.db.exec('DROP TRIGGER journal_append_only_update; DROP TRIGGER journal_append_only_delete;')
  ledger!.db.exec(sql)
}

const both = async () => {
  const parallel = await verifyJournalParallel(ledger!.db, ledger!.file, { workers: 3, minEntriesPerWorker: 1 })
  return { parallel, sync: verifyJournal(ledger!.db) }
}

describe('verifyJournalParallel', () => {
  it('passes an intact journal with its head hash', async () => {
    fill()
    const { parallel, sync } = await both()
    expect(parallel).toEqual(sync)
    expect(parallel).toMatchObject({ ok: true, entries: 30 })
  })

  it.each([
    ['an edited payload inside a range', `UPDATE journal SET payload = '{"amountMinor":1,"i":5}' WHERE seq = 5`, 5, /altered/],
    ['an edited timestamp on the last entry of a range', 'UPDATE journal SET at = at + 1 WHERE seq = 10', 10, /altered/],
    ['an edited timestamp on the first entry of a range', 'UPDATE journal SET at = at + 1 WHERE seq = 11', 11, /altered/],
    ['an entry deleted at a range start', 'DELETE FROM journal WHERE seq = 21', 21, /missing/],
    ['an entry deleted at a range end', 'DELETE FROM journal WHERE seq = 20', 20, /missing/],
    ["a range's first prev_hash edited", `UPDATE journal SET prev_hash = '${'1'.repeat(64)}' WHERE seq = 11`, 11, /./]
  ])('%s: the same first bad entry as the single-threaded check', async (_name, sql, seq, reason) => {
    fill()
    tamper(sql)
    const { parallel, sync } = await both()
    expect(sync).toMatchObject({ ok: false, firstBadSeq: seq })
    expect(parallel).toMatchObject({ ok: false, firstBadSeq: seq, reason: expect.stringMatching(reason) })
  })

  it('an entry re-hashed at the end of a range is caught at the seam, where the next range no longer links', async () => {
    fill()
    const row = ledger!.db.prepare('SELECT * FROM journal WHERE seq = 10').get() as { prev_hash: string; at: number }
    const body = `{"at":${row.at},"kind":"test.entry","payload":{"amountMinor":1,"i":10},"saleId":"S10","seq":10,"tillId":"T1"}`
    tamper(`UPDATE journal SET payload = '{"amountMinor":1,"i":10}', hash = '${hashEntry(row.prev_hash, body)}' WHERE seq = 10`)
    const { parallel, sync } = await both()
    expect(sync).toMatchObject({ ok: false, firstBadSeq: 11, reason: expect.stringMatching(/does not link/) })
    expect(parallel).toMatchObject({ ok: false, firstBadSeq: 11, reason: expect.stringMatching(/does not link/) })
  })

  it("a sale's line edited behind the journal is named as the single-threaded check names it", async () => {
    till = testTill()
    for (let i = 0; i < 3; i++) {
      till.app.sales.scan('5901234123013', 'wedge')
      till.app.sales.tenderCash(1000)
      till.app.sales.complete()
    }
    const dataDir = till.dataDir
    await till.app.close()
    const db = new Database(join(dataDir, LEDGER_FILE))
    db.exec('DROP TRIGGER IF EXISTS sale_lines_closed_update')
    const triggers = db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'sale_lines'").all() as { name: string }[]
    for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`)
    db.prepare("UPDATE sale_lines SET quantity = 5 WHERE id = (SELECT min(id) FROM sale_lines)").run()
    const sync = verifyJournal(db)
    const parallel = await verifyJournalParallel(db, join(dataDir, LEDGER_FILE), { workers: 2, minEntriesPerWorker: 1 })
    db.close()
    expect(sync).toMatchObject({ ok: false, reason: expect.stringMatching(/line .* differs/) })
    expect(parallel).toEqual(sync)
    till.app = { close: async () => undefined } as never
    rmSync(dataDir, { recursive: true, force: true })
  })
  describe('the sales replayed and compared on the workers', () => {
    /** A till's ledger of `count` sales, shut, with its sales-table triggers dropped so a test can edit behind it. */
    async function soldLedger(count: number): Promise<{ db: Database.Database; file: string }> {
      till = testTill()
      for (let i = 0; i < count; i++) {
        till.app.sales.scan('5901234123013', 'wedge')
        if (i % 2 === 1) till.app.sales.scan('6901234567014', 'wedge')
        till.app.sales.tenderCash(2000)
        till.app.sales.complete()
      }
      const dataDir = till.dataDir
      await till.app.close()
      till.app = { close: async () => undefined } as never
      const file = join(dataDir, LEDGER_FILE)
      const db = new Database(file)
      for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('sales', 'sale_lines', 'tenders')").all() as { name: string }[]) db.exec(`DROP TRIGGER ${t.name}`)
      opened.push(db)
      return { db, file }
    }
    const opened: Database.Database[] = []
    afterEach(() => {
      for (const db of opened.splice(0)) db.close()
    })

    /** The seq ranges `workers` workers get (as verifyJournalParallel splits them) and the sales whose entries cross a seam. */
    function straddlers(db: Database.Database, workers: number): string[] {
      const head = (db.prepare('SELECT max(seq) AS n FROM journal').get() as { n: number }).n
      const size = Math.ceil(head / workers)
      const spans = db.prepare("SELECT sale_id, min(seq) AS lo, max(seq) AS hi FROM journal WHERE kind LIKE 'sale.%' AND sale_id IS NOT NULL GROUP BY sale_id").all() as { sale_id: string; lo: number; hi: number }[]
      return spans.filter((s) => Math.floor((s.lo - 1) / size) !== Math.floor((s.hi - 1) / size)).map((s) => s.sale_id)
    }

    it('an intact ledger whose sales cross the seams between workers passes, as the single-threaded check passes it', async () => {
      const { db, file } = await soldLedger(6)
      let crossing = 0
      for (const workers of [2, 3, 5, 8]) {
        crossing += straddlers(db, workers).length
        const parallel = await verifyJournalParallel(db, file, { workers, minEntriesPerWorker: 1 })
        expect(parallel).toEqual(verifyJournal(db))
        expect(parallel.ok).toBe(true)
      }
      expect(crossing).toBeGreaterThan(0)
    })

    it("a tender of a sale that crosses a seam, edited behind the journal, is named by its entry in the next worker's range", async () => {
      const { db, file } = await soldLedger(6)
      const [saleId] = straddlers(db, 3)
      db.prepare('UPDATE tenders SET received_minor = received_minor + 500 WHERE sale_id = ?').run(saleId)
      const sync = verifyJournal(db)
      expect(sync).toMatchObject({ ok: false, reason: expect.stringMatching(new RegExp(`sale ${saleId}: tender .* differs`)) })
      expect(await verifyJournalParallel(db, file, { workers: 3, minEntriesPerWorker: 1 })).toEqual(sync)
    })

    it('two sales edited in different ranges: the one opened first is named, as the single-threaded check names it', async () => {
      const { db, file } = await soldLedger(6)
      const ids = (db.prepare('SELECT id FROM sales ORDER BY number').all() as { id: string }[]).map((r) => r.id)
      db.prepare("UPDATE sales SET status = 'voided' WHERE id = ?").run(ids[ids.length - 1])
      db.prepare('UPDATE sale_lines SET quantity = 7 WHERE sale_id = ?').run(ids[1])
      const sync = verifyJournal(db)
      expect(sync).toMatchObject({ ok: false, reason: expect.stringContaining(`sale ${ids[1]}:`) })
      expect(await verifyJournalParallel(db, file, { workers: 3, minEntriesPerWorker: 1 })).toEqual(sync)
    })

    it('a sale row the journal never opened is named after every journaled sale is found intact', async () => {
      const { db, file } = await soldLedger(4)
      db.exec("INSERT INTO sales (id, till_id, number, kind, status, currency, tax_mode, cashier, opened_at) VALUES ('T1-FORGED', 'T1', 999, 'sale', 'open', 'USD', 'exclusive', 'Cashier', 0)")
      const sync = verifyJournal(db)
      expect(sync).toMatchObject({ ok: false, reason: expect.stringMatching(/T1-FORGED is in the sales table but the journal never opened it/) })
      expect(await verifyJournalParallel(db, file, { workers: 3, minEntriesPerWorker: 1 })).toEqual(sync)
    })

    it('a sale row deleted behind the journal is named by the sale it was', async () => {
      const { db, file } = await soldLedger(4)
      const id = (db.prepare('SELECT id FROM sales ORDER BY number LIMIT 1 OFFSET 2').get() as { id: string }).id
      db.prepare('DELETE FROM tenders WHERE sale_id = ?').run(id)
      db.prepare('DELETE FROM sale_lines WHERE sale_id = ?').run(id)
      db.prepare('DELETE FROM sales WHERE id = ?').run(id)
      const sync = verifyJournal(db)
      expect(sync).toMatchObject({ ok: false, reason: `sale ${id}, recorded in the journal, is missing from the sales table` })
      expect(await verifyJournalParallel(db, file, { workers: 2, minEntriesPerWorker: 1 })).toEqual(sync)
    })

    it('verifies a running till as of one moment while sales go on being written (the back office)', async () => {
      till = testTill()
      const sell = () => {
        till!.app.sales.scan('5901234123013', 'wedge')
        till!.app.sales.tenderCash(2000)
        till!.app.sales.complete()
      }
      for (let i = 0; i < 30; i++) sell()
      const file = join(till.dataDir, LEDGER_FILE)
      let settled = false
      const running = verifyJournalParallel(till.app.db, file, { workers: 2, minEntriesPerWorker: 1 }).finally(() => (settled = true))
      let soldMeanwhile = 0
      while (!settled) {
        sell()
        soldMeanwhile++
        await new Promise((r) => setImmediate(r))
      }
      const result = await running
      expect(soldMeanwhile).toBeGreaterThan(0)
      expect(result).toMatchObject({ ok: true })
      expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
    })

    it("the back office's Verify is this verify, with its progress sent to the page, and names an edit as the single-threaded check does", async () => {
      till = testTill()
      for (let i = 0; i < 5; i++) {
        till.app.sales.scan('5901234123013', 'wedge')
        till.app.sales.tenderCash(2000)
        till.app.sales.complete()
      }
      const progress: unknown[] = []
      till.app.events.subscribe((event, payload) => {
        if (event === 'ledger:verify-progress') progress.push(payload)
      })
      // The till goes on writing meanwhile (the receipts it prints are journaled): the verify is of the moment it began.
      const before = verifyJournal(till.app.db)
      const intact = await till.app.registry.dispatch('backoffice', 'ledger:verify', {})
      expect(intact).toMatchObject({ ok: true, value: { ok: true } })
      expect((intact as { value: { entries: number } }).value.entries).toBeGreaterThanOrEqual(before.entries)
      expect((intact as { value: { entries: number } }).value.entries).toBeLessThanOrEqual(verifyJournal(till.app.db).entries)
      expect(progress.length).toBeGreaterThan(0)
      expect(progress[progress.length - 1]).toMatchObject({ checked: (intact as { value: { entries: number } }).value.entries })
      till.app.db.exec('DROP TRIGGER IF EXISTS tenders_frozen')
      till.app.db.prepare("UPDATE tenders SET received_minor = 99999 WHERE sale_id = (SELECT id FROM sales WHERE number = 3)").run()
      const edited = await till.app.registry.dispatch('backoffice', 'ledger:verify', {})
      const sync = verifyJournal(till.app.db) as { firstBadSeq: number; reason: string }
      expect(sync.reason).toMatch(/tender .* differs/)
      expect(edited).toMatchObject({ ok: true, value: { ok: false, firstBadSeq: sync.firstBadSeq, reason: sync.reason } })
    })

    it('tells its progress as the workers hash, up to every entry', async () => {
      const { db, file } = await soldLedger(3)
      const seen: { checked: number; total: number }[] = []
      const result = await verifyJournalParallel(db, file, { workers: 2, minEntriesPerWorker: 1, onProgress: (p) => seen.push(p) })
      expect(result.ok).toBe(true)
      expect(seen.length).toBeGreaterThan(0)
      expect(seen.every((p, i) => i === 0 || p.checked > seen[i - 1]!.checked)).toBe(true)
      expect(seen[seen.length - 1]).toEqual({ checked: result.entries, total: result.entries })
    })
  })
})
