// The completion's record of a sale's final rows (ledger/replay.ts, recordSaleRows and SaleCheck): the full verify
// compares the tables with each completed sale's record in SQLite instead of replaying its entries. It must be a
// fast path only: every edit is caught with the verdict (first bad entry, reason) the replay of the sale's entries
// gives, on one thread and on the workers alike.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { LEDGER_FILE } from '../../../src/main/app'
import { appendJournal, GENESIS_HASH, hashEntry, verifyJournal, verifyJournalParallel } from '../../../src/main/ledger/journal'
import { SaleCheck, SaleReplay } from '../../../src/main/ledger/replay'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013'
const WATER = '6901234567014'
let till: TestTill | null = null
const opened: Database.Database[] = []
afterEach(async () => {
  for (const db of opened.splice(0)) db.close()
  await till?.cleanup()
  till = null
})

/** A till's ledger of `count` completed sales (every other one with two lines), shut, with the sales tables' guards dropped. */
async function soldLedger(count: number, beforeClose?: (t: TestTill) => void | Promise<void>): Promise<{ db: Database.Database; file: string }> {
  till = testTill()
  for (let i = 0; i < count; i++) {
    till.app.sales.scan(COLA, 'wedge')
    if (i % 2 === 1) till.app.sales.scan(WATER, 'wedge')
    till.app.sales.tenderCash(2000)
    till.app.sales.complete()
  }
  await beforeClose?.(till)
  const file = join(till.dataDir, LEDGER_FILE)
  await till.app.close()
  const db = new Database(file)
  for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('sales', 'sale_lines', 'tenders', 'tender_returns')").all() as { name: string }[]) db.exec(`DROP TRIGGER ${t.name}`)
  opened.push(db)
  return { db, file }
}

/** The verdict of the replay alone, every sale's entries replayed and compared as the verify did before the record. */
function replayVerdict(db: Database.Database) {
  const replay = new SaleReplay()
  for (const [seq, kind, saleId, payload] of db.prepare("SELECT seq, kind, sale_id, payload FROM journal WHERE kind LIKE 'sale.%' AND sale_id IS NOT NULL ORDER BY seq").raw().all() as [number, string, string, string][]) replay.apply(seq, kind, saleId, payload)
  return replay.compare(db, true)
}

/** verifyJournal and verifyJournalParallel (2 and 3 workers) agree, and name the replay's first difference. */
async function expectReplayVerdict(db: Database.Database, file: string, reason: RegExp) {
  const want = replayVerdict(db)
  expect(want).toMatchObject({ reason: expect.stringMatching(reason) })
  const sync = verifyJournal(db)
  expect(sync).toMatchObject({ ok: false, firstBadSeq: want!.seq, reason: want!.reason })
  for (const workers of [2, 3]) expect(await verifyJournalParallel(db, file, { workers, minEntriesPerWorker: 1 })).toEqual(sync)
}

const saleIds = (db: Database.Database) => (db.prepare('SELECT id FROM sales ORDER BY number').all() as { id: string }[]).map((r) => r.id)

describe("a completed sale's record of its rows", () => {
  it('is journaled with every completed sale, and the verify takes those sales from it without replaying their entries', async () => {
    const { db, file } = await soldLedger(4)
    const records = db.prepare("SELECT sale_id, payload ->> '$.rowsRecord' AS record FROM journal WHERE kind = 'sale.completed' ORDER BY seq").all() as { sale_id: string; record: string | null }[]
    expect(records).toHaveLength(4)
    for (const r of records) expect(r.record).toMatch(/^\d+,'completed',\d+,\d+,\d+\|'[^']+',1,/)
    const head = db.prepare('SELECT max(seq) FROM journal').pluck().get() as number
    const check = new SaleCheck(db, 1, head)
    for (const [seq, kind, saleId, payload] of db.prepare("SELECT seq, kind, sale_id, payload FROM journal WHERE kind LIKE 'sale.%' ORDER BY seq").raw().all() as [number, string, string, string][]) check.apply(seq, kind, saleId, payload)
    expect(check.compareOwn(new Map())).toBeNull()
    expect(check.recorded.size).toBe(4)
    expect(check.replay.sales.size).toBe(0)
    expect(verifyJournal(db)).toMatchObject({ ok: true, entries: head })
    expect(await verifyJournalParallel(db, file, { workers: 3, minEntriesPerWorker: 1 })).toEqual(verifyJournal(db))
  })

  it("a line's quantity edited (amount and totals unchanged) is named by the line's entry, as the replay names it", async () => {
    const { db, file } = await soldLedger(5)
    db.prepare('UPDATE sale_lines SET quantity = 3 WHERE sale_id = ? AND position = 2').run(saleIds(db)[3])
    await expectReplayVerdict(db, file, /line .* differs from what entry \d+ recorded/)
  })

  it("a tender's cash received edited is named by the tender's entry, as the replay names it", async () => {
    const { db, file } = await soldLedger(5)
    db.prepare('UPDATE tenders SET received_minor = received_minor + 500 WHERE sale_id = ?').run(saleIds(db)[2])
    await expectReplayVerdict(db, file, /tender .* differs from what entry \d+ recorded/)
  })

  it("a tender marked returned behind the journal, a line added and a sale's status edited are each named as the replay names them", async () => {
    for (const edit of [
      (db: Database.Database, id: string) => db.prepare("INSERT INTO tender_returns (tender_id, returned_at, manager_id, how) SELECT id, 0, 'x', 'cash-handed-back' FROM tenders WHERE sale_id = ?").run(id),
      (db: Database.Database, id: string) => db.prepare("INSERT INTO sale_lines (id, sale_id, position, product_id, name, barcode, quantity, weight_g, unit_price_minor, amount_minor, tax_rate_id, tax_rate_ppm, tax_minor) SELECT id || 'x', sale_id, 9, product_id, name, barcode, quantity, weight_g, unit_price_minor, amount_minor, tax_rate_id, tax_rate_ppm, tax_minor FROM sale_lines WHERE sale_id = ? AND position = 1").run(id),
      (db: Database.Database, id: string) => db.prepare("UPDATE sales SET status = 'voided' WHERE id = ?").run(id)
    ]) {
      const { db, file } = await soldLedger(3)
      edit(db, saleIds(db)[1]!)
      await expectReplayVerdict(db, file, /tender .* differs|3 lines stored|stored status voided differs/)
      db.close()
      opened.splice(0)
      await till!.cleanup()
      till = null
    }
  })

  it('two sales edited: the one opened first is named, on one thread and on the workers', async () => {
    const { db, file } = await soldLedger(6)
    const ids = saleIds(db)
    db.prepare('UPDATE sale_lines SET unit_price_minor = unit_price_minor + 1 WHERE sale_id = ?').run(ids[4])
    db.prepare('UPDATE sales SET total_minor = total_minor + 1 WHERE id = ?').run(ids[1])
    await expectReplayVerdict(db, file, new RegExp(`sale ${ids[1]}: stored total`))
  })

  it('the record itself edited in the journal is named as an altered entry by the chain', async () => {
    const { db, file } = await soldLedger(3)
    db.exec('DROP TRIGGER journal_append_only_update')
    const row = db.prepare("SELECT seq, payload FROM journal WHERE kind = 'sale.completed' ORDER BY seq LIMIT 1 OFFSET 1").get() as { seq: number; payload: string }
    db.prepare('UPDATE journal SET payload = ? WHERE seq = ?').run(row.payload.replace(",'completed',", ",'voided',"), row.seq)
    const sync = verifyJournal(db)
    expect(sync).toMatchObject({ ok: false, firstBadSeq: row.seq, reason: expect.stringMatching(/altered/) })
    expect(await verifyJournalParallel(db, file, { workers: 2, minEntriesPerWorker: 1 })).toEqual(sync)
  })

  it('a record re-hashed with the table edited alike is still held to the replay of the sale (the anchor is what catches a re-hash)', async () => {
    const { db, file } = await soldLedger(3)
    db.exec('DROP TRIGGER journal_append_only_update')
    const id = saleIds(db)[1]!
    // The line and its record edited alike, every hash recomputed: the record agrees, the line's entry does not.
    db.prepare('UPDATE sale_lines SET quantity = 4 WHERE sale_id = ? AND position = 1').run(id)
    const row = db.prepare("SELECT seq, payload FROM journal WHERE kind = 'sale.completed' AND sale_id = ?").get(id) as { seq: number; payload: string }
    const record = JSON.parse(row.payload).rowsRecord as string
    const edited = record.replace(/^(\d+,'completed',\d+,\d+,\d+\|'[^']+',1,'[^']+',)1,/, '$14,')
    expect(edited).not.toBe(record)
    db.prepare('UPDATE journal SET payload = ? WHERE seq = ?').run(row.payload.replace(JSON.stringify(record), JSON.stringify(edited)), row.seq)
    let prev = GENESIS_HASH
    for (const r of db.prepare('SELECT seq, at, till_id, kind, sale_id, payload FROM journal ORDER BY seq').all() as { seq: number; at: number; till_id: string; kind: string; sale_id: string | null; payload: string }[]) {
      const hash = hashEntry(prev, `{"at":${r.at},"kind":${JSON.stringify(r.kind)},"payload":${r.payload},"saleId":${r.sale_id == null ? 'null' : JSON.stringify(r.sale_id)},"seq":${r.seq},"tillId":${JSON.stringify(r.till_id)}}`)
      db.prepare('UPDATE journal SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq)
      prev = hash
    }
    expect(db.prepare("SELECT payload ->> '$.rowsRecord' FROM journal WHERE seq = ?").pluck().get(row.seq)).toBe(edited)
    // The record matches the tables, so the fast path passes the sale: the re-hash goes to the signed anchor.
    expect(verifyJournal(db)).toMatchObject({ ok: true })
    expect(await verifyJournalParallel(db, file, { workers: 2, minEntriesPerWorker: 1 })).toEqual(verifyJournal(db))
  })

  it('a line edited while its sale was open gets no record, and the verify replays the sale and names the line', async () => {
    till = testTill()
    till.app.sales.scan(COLA, 'wedge')
    till.app.sales.scan(WATER, 'wedge')
    const open = till.app.sales.current()!
    // Someone with the file edits the open sale's line behind the till; the till then completes the sale.
    till.app.db.prepare('UPDATE sale_lines SET product_id = (SELECT product_id FROM sale_lines WHERE sale_id = ? AND position = 1) WHERE sale_id = ? AND position = 2').run(open.id, open.id)
    till.app.sales.tenderCash(5000)
    till.app.sales.complete()
    const file = join(till.dataDir, LEDGER_FILE)
    await till.app.close()
    till.app = { close: async () => undefined } as never
    const db = new Database(file)
    opened.push(db)
    expect(db.prepare("SELECT payload ->> '$.rowsRecord' FROM journal WHERE kind = 'sale.completed'").pluck().get()).toBeNull()
    await expectReplayVerdict(db, file, /line .* differs from what entry \d+ recorded/)
  })

  it("a sale.* entry after a sale's record sends the sale back to the replay, whose verdict stands", async () => {
    const { db, file } = await soldLedger(4, (t) => {
      // A later entry about a completed sale (none does today: a forged or future one), with no row to back it.
      const id = (t.app.db.prepare('SELECT id FROM sales ORDER BY number LIMIT 1 OFFSET 1').get() as { id: string }).id
      const tenderId = (t.app.db.prepare('SELECT id FROM tenders WHERE sale_id = ?').get(id) as { id: string }).id
      t.app.db.transaction(() => appendJournal(t.app.db, { at: t.clock.now(), tillId: 'T1', kind: 'sale.refund-owed', saleId: id, payload: { tenderId, kind: 'cash', amountMinor: 1 } }))()
    })
    await expectReplayVerdict(db, file, /tender .* differs/)
    // Backed by its row, the same ledger passes, as the replay passes it.
    const id = saleIds(db)[1]!
    db.prepare("INSERT INTO tender_returns (tender_id, returned_at, manager_id, how) SELECT id, 0, 'x', 'cash-handed-back' FROM tenders WHERE sale_id = ?").run(id)
    expect(replayVerdict(db)).toBeNull()
    expect(verifyJournal(db)).toMatchObject({ ok: true })
    expect(await verifyJournalParallel(db, file, { workers: 3, minEntriesPerWorker: 1 })).toEqual(verifyJournal(db))
  })

  it('a sale completed before the record existed (no record in its entry) is replayed as before', async () => {
    const { db, file } = await soldLedger(2, (t) => {
      // The entries an older till wrote: the same sale, its completion without a record.
      const db = t.app.db
      t.app.sales.scan(COLA, 'wedge')
      const sale = t.app.sales.current()!
      db.transaction(() => {
        db.prepare('INSERT INTO tenders (id, sale_id, kind, amount_minor, received_minor, change_minor, details, created_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)').run(`${sale.id}/T`, sale.id, 'cash', sale.totalMinor, sale.totalMinor, 0, t.clock.now())
        appendJournal(db, { at: t.clock.now(), tillId: 'T1', kind: 'sale.tender-added', saleId: sale.id, payload: { tenderId: `${sale.id}/T`, kind: 'cash', amountMinor: sale.totalMinor, receivedMinor: sale.totalMinor, changeMinor: 0 } })
        const entry = appendJournal(db, { at: t.clock.now(), tillId: 'T1', kind: 'sale.completed', saleId: sale.id, payload: { number: sale.number, subtotalMinor: sale.subtotalMinor, taxMinor: sale.taxMinor, totalMinor: sale.totalMinor, paidMinor: sale.totalMinor, changeMinor: 0, lines: [] } })
        db.prepare("UPDATE sales SET status = 'completed', closed_at = ?, subtotal_minor = ?, tax_minor = ?, total_minor = ?, journal_hash = ? WHERE id = ?").run(t.clock.now(), sale.subtotalMinor, sale.taxMinor, sale.totalMinor, entry.hash, sale.id)
      })()
    })
    expect(db.prepare("SELECT count(*) FROM journal WHERE kind = 'sale.completed' AND payload ->> '$.rowsRecord' IS NULL").pluck().get()).toBe(1)
    expect(verifyJournal(db)).toMatchObject({ ok: true })
    const old = saleIds(db)[2]!
    db.prepare('UPDATE sale_lines SET quantity = 2 WHERE sale_id = ?').run(old)
    await expectReplayVerdict(db, file, new RegExp(`sale ${old}: line .* differs`))
  })
})

/** A till's ledger with a refund sale (a whole cash sale returned) and a voided sale whose cash was handed back. */
async function refundAndVoidLedger(): Promise<{ db: Database.Database; file: string; refundId: string; voidedId: string }> {
  let voidedId = ''
  const ledger = await soldLedger(3, async (t) => {
    t.app.sales.scan(COLA, 'wedge')
    t.app.sales.scan(WATER, 'wedge')
    t.app.sales.tenderCash(2000)
    const sold = t.app.sales.complete()
    const refund = (await t.app.registry.dispatch('cashier', 'return:cash', { saleId: sold.id, pin: '1234' })) as { ok: boolean }
    expect(refund).toMatchObject({ ok: true })
    t.app.sales.scan(WATER, 'wedge')
    t.app.sales.scan(COLA, 'wedge')
    t.app.sales.tenderCash(100, true)
    voidedId = t.app.sales.voidSale('M1', 'customer left').id
  })
  const refundId = (ledger.db.prepare("SELECT id FROM sales WHERE kind = 'refund'").pluck().get() as string | undefined) ?? ''
  return { ...ledger, refundId, voidedId }
}

describe("a refund sale's and a voided sale's record of their rows", () => {
  it('is journaled with the refund completion and with the void, and the verify takes both sales from it', async () => {
    const { db, file, refundId, voidedId } = await refundAndVoidLedger()
    expect(refundId).not.toBe('')
    const recordOf = (saleId: string, kind: string) => db.prepare("SELECT payload ->> '$.rowsRecord' FROM journal WHERE sale_id = ? AND kind = ?").pluck().get(saleId, kind) as string | null
    expect(recordOf(refundId, 'sale.completed')).toMatch(/^\d+,'completed',\d+,\d+,\d+\|'[^']+\/L1',1,/)
    expect(recordOf(voidedId, 'sale.voided')).toMatch(/^\d+,'voided',[^|]*\|'[^']+\/L1',1,.*\|'[^']+\/T1','cash',100,100,1$/)
    const head = db.prepare('SELECT max(seq) FROM journal').pluck().get() as number
    const check = new SaleCheck(db, 1, head)
    for (const [seq, kind, saleId, payload] of db.prepare("SELECT seq, kind, sale_id, payload FROM journal WHERE kind LIKE 'sale.%' ORDER BY seq").raw().all() as [number, string, string, string][]) check.apply(seq, kind, saleId, payload)
    expect(check.compareOwn(new Map())).toBeNull()
    expect([...check.recorded.keys()]).toEqual(expect.arrayContaining([refundId, voidedId]))
    expect(check.replay.sales.size).toBe(0)
    expect(replayVerdict(db)).toBeNull()
    expect(verifyJournal(db)).toMatchObject({ ok: true, entries: head })
    for (const workers of [2, 3]) expect(await verifyJournalParallel(db, file, { workers, minEntriesPerWorker: 1 })).toEqual(verifyJournal(db))
  })

  it("a refund sale's line quantity edited is named by its completion, as the replay names it", async () => {
    const { db, file, refundId } = await refundAndVoidLedger()
    db.prepare('UPDATE sale_lines SET quantity = 5 WHERE sale_id = ? AND position = 1').run(refundId)
    await expectReplayVerdict(db, file, /line .*\/L1 differs from what entry \d+ recorded/)
  })

  it("a refund sale's tender amount edited is named as the replay names it", async () => {
    const { db, file, refundId } = await refundAndVoidLedger()
    db.prepare('UPDATE tenders SET amount_minor = amount_minor + 1 WHERE sale_id = ?').run(refundId)
    await expectReplayVerdict(db, file, /tender .* differs from what entry \d+ recorded/)
  })

  it("a voided sale's line edited, its handed-back cash unmarked, and its status edited are each named as the replay names them", async () => {
    const edits: ((db: Database.Database, voidedId: string) => void)[] = [
      (db, id) => db.prepare('UPDATE sale_lines SET unit_price_minor = unit_price_minor + 1 WHERE sale_id = ? AND position = 2').run(id),
      (db, id) => db.prepare('DELETE FROM tender_returns WHERE tender_id IN (SELECT id FROM tenders WHERE sale_id = ?)').run(id),
      (db, id) => db.prepare("UPDATE sales SET status = 'completed' WHERE id = ?").run(id)
    ]
    const reasons = [/line .*\/L2 differs from what entry \d+ recorded/, /tender .*\/T1 differs from what entry \d+ recorded/, /stored status completed differs from the journal's voided/]
    for (const [i, edit] of edits.entries()) {
      const { db, file, voidedId } = await refundAndVoidLedger()
      edit(db, voidedId)
      await expectReplayVerdict(db, file, reasons[i]!)
      db.close()
      opened.splice(opened.indexOf(db), 1)
      await till?.cleanup()
      till = null
    }
  })

  it("a voided sale's totals edited behind the journal: its record differs, and the replay, which never held a void's totals, decides as before (intact)", async () => {
    const { db, file, voidedId } = await refundAndVoidLedger()
    db.prepare('UPDATE sales SET total_minor = 1 WHERE id = ?').run(voidedId)
    expect(replayVerdict(db)).toBeNull()
    const sync = verifyJournal(db)
    expect(sync).toMatchObject({ ok: true })
    for (const workers of [2, 3]) expect(await verifyJournalParallel(db, file, { workers, minEntriesPerWorker: 1 })).toEqual(sync)
  })
})
