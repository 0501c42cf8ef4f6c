// Tamper evidence at start ([E] point 4): a till is closed, its ledger is edited with a SQLite tool the way someone
// with the file could (guards dropped, rows changed, guards put back), and the till is started again. Each edit
// must be caught by the start-up check with the first bad journal entry named, and the day must not close until a
// manager has acknowledged it.
import { copyFileSync, mkdtempSync, openSync, closeSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, LEDGER_FILE, type App } from '../../../src/main/app'
import type { Db } from '../../../src/main/ledger/db'
import { GENESIS_HASH, hashEntry } from '../../../src/main/ledger/journal'
import { ManualClock } from '../../../src/shared/clock'

const COLA = '5901234123013'
const WATER = '5012345000015'
const dirs: string[] = []
let app: App | null = null

afterEach(async () => {
  await app?.close()
  app = null
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function folders() {
  const dataDir = mkdtempSync(join(tmpdir(), 'stabletill-tamper-'))
  const keyDir = mkdtempSync(join(tmpdir(), 'stabletill-keys-'))
  dirs.push(dataDir, keyDir)
  return { dataDir, keyDir }
}

const clock = new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0))
const start = (f: { dataDir: string; keyDir: string }) => (app = createApp({ ...f, clock, resourcesDir: resolve(__dirname, '..', '..', '..', 'resources'), timeZone: 'UTC' }))

function sell(a: App, count: number) {
  for (let i = 0; i < count; i++) {
    a.sales.scan(COLA, 'wedge')
    a.sales.scan(WATER, 'wedge')
    a.sales.tenderCash(1000)
    a.sales.complete()
  }
}

/** A till that sold three sales, then was shut; returns its folders. */
async function shopWithSales() {
  const f = folders()
  const a = start(f)
  expect(a.integrity.current()).toMatchObject({ ok: true, problems: [] })
  sell(a, 3)
  await a.close()
  app = null
  return f
}

/** What someone with the file does: drop the guards that stand in the way, edit, put them back as they were. */
function behindTheTill(dataDir: string, triggers: readonly string[], edit: (db: Db) => void): void {
  const db = new Database(join(dataDir, LEDGER_FILE))
  try {
    const saved = triggers.map((name) => (db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(name) as { sql: string }).sql)
    for (const name of triggers) db.exec(`DROP TRIGGER ${name}`)
    edit(db)
    for (const sql of saved) db.exec(sql)
  } finally {
    db.close()
  }
}

const seqOf = (dataDir: string, sql: string, ...params: unknown[]): number => {
  const db = new Database(join(dataDir, LEDGER_FILE), { readonly: true })
  try {
    return (db.prepare(sql).get(...params) as { seq: number }).seq
  } finally {
    db.close()
  }
}

/**
 * `afterStart`: a check the worker makes after start (the catalog's digest). Closing the day at once is refused all
 * the same (the guard computes the verdict on the spot when the worker has not given it yet).
 */
async function expectCaught(f: { dataDir: string; keyDir: string }, seq: number | null, reason: RegExp, afterStart = false) {
  const a = start(f)
  if (afterStart) {
    const atOnce = await a.registry.dispatch('backoffice', 'shift:close', { countedMinor: 0, pin: '1234' })
    expect(atOnce).toMatchObject({ ok: false, error: { code: 'conflict', key: 'integrity.close-refused' } })
    await a.integrity.afterStart()
  }
  const view = a.integrity.current()
  expect(view.ok).toBe(false)
  expect(view.firstBad).toMatchObject({ seq, reason: expect.stringMatching(reason) })
  // The manager sees it over the api, and the day does not close until it is acknowledged.
  const shown = await a.registry.dispatch('backoffice', 'ledger:integrity', {})
  expect(shown).toMatchObject({ ok: true, value: { ok: false, firstBad: { seq } } })
  const refused = await a.registry.dispatch('backoffice', 'shift:close', { countedMinor: 0, pin: '1234' })
  expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', key: 'integrity.close-refused' } })
  return a
}

describe('tamper evidence at start', () => {
  it('a fresh till and a till restarted without edits pass, and the day closes', async () => {
    const f = await shopWithSales()
    const a = start(f)
    expect(a.integrity.current()).toMatchObject({ ok: true, problems: [], firstBad: null })
    await a.integrity.afterStart()
    expect(a.integrity.current().pages).toBe('ok')
    // Closing is not refused for integrity (the count itself may still ask for a reason).
    const closed = await a.registry.dispatch('backoffice', 'shift:close', { countedMinor: 0, pin: '1234' })
    expect(closed.ok ? 'closed' : closed.error.key).not.toBe('integrity.close-refused')
  })

  it("a completed sale's status edited (totals unchanged) names the sale's completion entry", async () => {
    const f = await shopWithSales()
    behindTheTill(f.dataDir, ['sales_frozen_when_closed'], (db) => db.prepare("UPDATE sales SET status = 'voided' WHERE number = 2").run())
    await expectCaught(f, seqOf(f.dataDir, "SELECT max(seq) AS seq FROM journal WHERE kind = 'sale.completed' AND sale_id = 'T1-000002'"), /T1-000002: stored status voided differs/)
  })

  it("a line's quantity edited with its amount and the totals unchanged names the line's entry", async () => {
    const f = await shopWithSales()
    behindTheTill(f.dataDir, ['sale_lines_frozen_when_closed'], (db) => db.prepare("UPDATE sale_lines SET quantity = 2 WHERE id = 'T1-000001/L1'").run())
    await expectCaught(f, seqOf(f.dataDir, "SELECT seq FROM journal WHERE kind = 'sale.line-added' AND sale_id = 'T1-000001' ORDER BY seq LIMIT 1"), /line T1-000001\/L1 differs/)
  })

  it("a tender's cash received edited (the amount applied unchanged) names the tender's entry", async () => {
    const f = await shopWithSales()
    behindTheTill(f.dataDir, ['tenders_frozen'], (db) => db.prepare("UPDATE tenders SET received_minor = 5000 WHERE sale_id = 'T1-000003'").run())
    await expectCaught(f, seqOf(f.dataDir, "SELECT seq FROM journal WHERE kind = 'sale.tender-added' AND sale_id = 'T1-000003'"), /tender T1-000003\/T1 differs/)
  })

  it('a catalog price edited names the catalog entry it contradicts', async () => {
    const f = await shopWithSales()
    behindTheTill(f.dataDir, [], (db) => db.prepare("UPDATE products SET price_minor = price_minor - 1 WHERE id = 'P001'").run())
    await expectCaught(f, seqOf(f.dataDir, "SELECT max(seq) AS seq FROM journal WHERE kind = 'state.catalog'"), /catalog .*changed after entry/, true)
  })

  it("a catalog price edited is found by the after-start worker on its own, not on the counter's path", async () => {
    const f = await shopWithSales()
    behindTheTill(f.dataDir, [], (db) => db.prepare("UPDATE products SET price_minor = price_minor + 7 WHERE id = 'P001'").run())
    const a = start(f)
    // At start only the small checks ran: the catalog's digest is the worker's.
    expect(a.integrity.current()).toMatchObject({ ok: true, pages: 'pending' })
    const seen: string[] = []
    a.events.subscribe((event) => seen.push(event))
    await a.integrity.afterStart()
    // The page is told (the back office's integrity panel listens for it).
    expect(seen).toContain('ledger:integrity-changed')
    expect(a.integrity.current()).toMatchObject({ ok: false, pages: 'ok', firstBad: { seq: seqOf(f.dataDir, "SELECT max(seq) AS seq FROM journal WHERE kind = 'state.catalog'"), reason: expect.stringMatching(/catalog .*changed after entry/) } })
  })

  it('a tax rate edited names the catalog entry it contradicts', async () => {
    const f = await shopWithSales()
    behindTheTill(f.dataDir, [], (db) => db.prepare("UPDATE tax_rates SET rate_ppm = 0 WHERE id = 'std'").run())
    await expectCaught(f, seqOf(f.dataDir, "SELECT max(seq) AS seq FROM journal WHERE kind = 'state.catalog'"), /catalog/, true)
  })

  it("a manager's PIN hash replaced names the staff table's last recorded entry", async () => {
    const f = await shopWithSales()
    behindTheTill(f.dataDir, [], (db) => db.prepare("UPDATE staff SET pin_hash = ? WHERE id = 'M1'").run('00'.repeat(32)))
    await expectCaught(f, seqOf(f.dataDir, "SELECT max(seq) AS seq FROM journal WHERE kind = 'state.staff'"), /the staff \(people, roles, PIN hashes\) was changed/)
  })

  it("the device settings edited (the receipt printer's address) are caught", async () => {
    const f = folders()
    const a = start(f)
    a.receipts.save({ name: 'receipt', profile: { profile: 'epson-tm-80' }, transport: { kind: 'tcp', host: '192.168.1.50', port: 9100 }, drawerOnCash: true })
    await a.close()
    app = null
    behindTheTill(f.dataDir, [], (db) => db.prepare("UPDATE settings SET value = json_set(value, '$.transport.host', '10.6.6.6') WHERE key = 'printer'").run())
    await expectCaught(f, seqOf(f.dataDir, "SELECT max(seq) AS seq FROM journal WHERE kind = 'setting.changed' AND json_extract(payload, '$.key') = 'printer'"), /setting printer was changed/)
  })

  it('a dropped trigger is named', async () => {
    const f = await shopWithSales()
    const db = new Database(join(f.dataDir, LEDGER_FILE))
    db.exec('DROP TRIGGER sales_frozen_when_closed')
    db.close()
    const a = await expectCaught(f, null, /trigger sales_frozen_when_closed is missing/)
    expect(a.integrity.current().problems).toContainEqual({ check: 'schema', seq: null, reason: 'trigger sales_frozen_when_closed is missing' })
  })

  it('a damaged page is reported by the page check after start', async () => {
    const f = folders()
    const a = start(f)
    sell(a, 150)
    a.db.pragma('wal_checkpoint(TRUNCATE)')
    await a.close()
    app = null
    const file = join(f.dataDir, LEDGER_FILE)
    const size = statSync(file).size
    // A page of the sale lines' index area, well past the schema page, so the file still opens.
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(size / 4096 - 2) * 4096)
    closeSync(fd)
    let b: App
    try {
      b = start(f)
    } catch (e) {
      // Damage SQLite meets while opening is refused outright: also a start that does not go unnoticed.
      expect(String(e)).toMatch(/malformed|corrupt|not a database/i)
      return
    }
    await b.integrity.afterStart()
    expect(b.integrity.current()).toMatchObject({ ok: false, pages: 'damaged' })
  })

  it('a tail rolled back (an older copy of the ledger put back) is caught by the signed head', async () => {
    const f = folders()
    const a = start(f)
    sell(a, 2)
    await a.close()
    app = null
    const older = join(f.dataDir, 'older.sqlite')
    // The copy must hold everything the till wrote: a quick_check worker still reading at close (a loaded machine)
    // can leave the last commits in the WAL, and a copy of the main file alone would be an even older ledger.
    const settle = new Database(join(f.dataDir, LEDGER_FILE))
    settle.pragma('wal_checkpoint(TRUNCATE)')
    settle.close()
    copyFileSync(join(f.dataDir, LEDGER_FILE), older)
    const b = start(f)
    sell(b, 2)
    // Its receipts' 'print.printed' entries first: the signed head is then past every entry the older copy holds
    // (their timing otherwise decides whether the older copy reaches the signed seq).
    await b.receipts.kick()
    b.integrity.sign('checkpoint')
    const signedSeq = (b.db.prepare('SELECT max(seq) AS seq FROM journal').get() as { seq: number }).seq
    await b.close()
    app = null
    copyFileSync(older, join(f.dataDir, LEDGER_FILE))
    rmSync(join(f.dataDir, `${LEDGER_FILE}-wal`), { force: true })
    rmSync(join(f.dataDir, `${LEDGER_FILE}-shm`), { force: true })
    await expectCaught(f, signedSeq, /is gone: the journal was cut back/)
  })

  it('a chain re-hashed after an edit passes the chain but not the signed anchor', async () => {
    const f = folders()
    const a = start(f)
    sell(a, 3)
    a.integrity.sign('checkpoint')
    const signedSeq = (a.db.prepare('SELECT max(seq) AS seq FROM journal').get() as { seq: number }).seq
    sell(a, 1)
    await a.close()
    app = null
    behindTheTill(f.dataDir, ['journal_append_only_update', 'tenders_frozen'], (db) => {
      // The journal and the table edited alike, every hash recomputed: self-consistent, only the anchor knows.
      const row = db.prepare("SELECT seq, payload, sale_id FROM journal WHERE kind = 'sale.tender-added' ORDER BY seq LIMIT 1").get() as { seq: number; payload: string; sale_id: string }
      db.prepare('UPDATE journal SET payload = ? WHERE seq = ?').run(row.payload.replace('"receivedMinor":1000', '"receivedMinor":9000'), row.seq)
      db.prepare('UPDATE tenders SET received_minor = 9000 WHERE sale_id = ?').run(row.sale_id)
      // The open day's running totals too, or the after-start totals check would name them.
      db.prepare("UPDATE session_totals SET cash_received_minor = cash_received_minor + 8000 WHERE session_id = (SELECT id FROM cash_sessions WHERE status = 'open')").run()
      let prev = GENESIS_HASH
      for (const r of db.prepare('SELECT seq, at, till_id, kind, sale_id, payload FROM journal ORDER BY seq').all() as { seq: number; at: number; till_id: string; kind: string; sale_id: string | null; payload: string }[]) {
        const hash = hashEntry(prev, `{"at":${r.at},"kind":${JSON.stringify(r.kind)},"payload":${r.payload},"saleId":${r.sale_id == null ? 'null' : JSON.stringify(r.sale_id)},"seq":${r.seq},"tillId":${JSON.stringify(r.till_id)}}`)
        db.prepare('UPDATE journal SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, r.seq)
        prev = hash
      }
    })
    const b = await expectCaught(f, signedSeq, /no longer has its signed hash/)
    expect(b.integrity.current().problems.map((p) => `${p.check}: ${p.reason}`)).toEqual([expect.stringMatching(/^anchor/)])
  })

  it('a manager acknowledges the problem (PIN, journaled) and the day closes; a wrong PIN changes nothing', async () => {
    const f = await shopWithSales()
    behindTheTill(f.dataDir, [], (db) => db.prepare("UPDATE products SET price_minor = 1 WHERE id = 'P001'").run())
    const a = await expectCaught(f, seqOf(f.dataDir, "SELECT max(seq) AS seq FROM journal WHERE kind = 'state.catalog'"), /catalog/, true)
    expect(await a.registry.dispatch('backoffice', 'ledger:acknowledge-integrity', { pin: '9999' })).toMatchObject({ ok: false, error: { key: 'approval.wrong-pin' } })
    expect(a.integrity.current().acknowledged).toBeNull()
    const acknowledged = await a.registry.dispatch('backoffice', 'ledger:acknowledge-integrity', { pin: '1234' })
    expect(acknowledged).toMatchObject({ ok: true, value: { ok: false, acknowledged: { by: 'M1' } } })
    const closed = await a.registry.dispatch('backoffice', 'shift:close', { countedMinor: 0, pin: '1234' })
    expect(closed.ok ? 'closed' : closed.error.key).not.toBe('integrity.close-refused')
  })
})
