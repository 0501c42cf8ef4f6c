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
})
