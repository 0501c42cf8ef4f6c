// After a Z commits: the journal head is signed with the till key, the Z PDF and every export land in the
// accountant's folder, and an online backup is taken. A failing step never undoes the Z: it is listed and journaled.
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadOrCreateTillKey, verifyAnchors } from '../../../src/main/ledger/anchor'
import { verifyJournal } from '../../../src/main/ledger/journal'
import Database from 'better-sqlite3'
import { afterZClose, storeIdOf } from '../../../src/main/services/day-close'
import { ShiftService } from '../../../src/main/services/shift'
import type { ZReportView } from '../../../src/shared/api/views'
import { run } from '../reports/tools'
import { cashSale, PIN, seedLedgerDay, COLA, type LedgerDay } from '../reports/ledger-day'

let day: LedgerDay
beforeAll(async () => {
  day = await seedLedgerDay()
}, 60_000)
afterAll(async () => {
  await day?.stop()
})

describe('after the Z', () => {
  it('signs the journal head with the till key, verifiable from outside the ledger', () => {
    const a = day.z.artifacts!
    expect(a.failures).toEqual([])
    expect(a.anchor).not.toBeNull()
    const db = day.till.app.db
    const keyDir = process.env.STABLETILL_KEY_DIR!
    const storeId = storeIdOf(db)
    const check = verifyAnchors(db, { dataDir: day.till.dataDir, keyDir, key: loadOrCreateTillKey(keyDir, storeId), storeId })
    expect(check).toMatchObject({ ok: true, anchors: 1 })
    // The signed head is the Z's own entry: the closed day is covered.
    const zEntry = db.prepare("SELECT seq FROM journal WHERE kind = 'shift.z-closed'").get() as { seq: number }
    expect(a.anchor!.seq).toBe(zEntry.seq)
  })

  it('puts the Z PDF and one export per format in the accountant folder, and takes a checked backup', () => {
    const a = day.z.artifacts!
    expect(a.folder).toBe(join(day.till.dataDir, 'closings', `Z${day.z.zNumber}`))
    expect(readdirSync(a.folder!).sort()).toEqual(a.files.map((f) => f.slice(a.folder!.length + 1)).sort())
    expect(a.files.map((f) => f.split('.').slice(1).join('.')).sort()).toEqual(['beancount', 'camt053.xml', 'csv', 'journal', 'ofx', 'pdf'])
    const pdf = a.files.find((f) => f.endsWith('.pdf'))!
    const text = run('pdftotext', [pdf, '-']).stdout
    expect(text).toMatch(/Z report/i)
    expect(text).toContain(day.till.app.store.settings().storeName)
    expect(a.backupFile).not.toBeNull()
    expect(existsSync(a.backupFile!)).toBe(true)
    expect(a.printed).toBe(true) // queued on the till's receipt printer (the fixture's virtual one)
  })

  it('a failing step (the backup folder cannot be made) is journaled and shown, and the Z stands', async () => {
    const till = day.till
    await till.app.registry.dispatch('backoffice', 'shift:open', { floatMinor: 1_000, pin: PIN })
    cashSale(till, [COLA])
    // A file where the backups folder should be: the backup cannot be written.
    const backups = join(till.dataDir, 'backups')
    const blocked = join(till.dataDir, 'backups-moved')
    renameSync(backups, blocked)
    writeFileSync(backups, 'not a folder')
    const x = (await till.app.registry.dispatch('backoffice', 'shift:x-report', {})) as { ok: true; value: { drawer: { expectedMinor: number } } }
    const r = (await till.app.registry.dispatch('backoffice', 'shift:close', { countedMinor: x.value.drawer.expectedMinor, pin: PIN })) as { ok: true; value: ZReportView }
    expect(r.ok).toBe(true)
    expect(r.value.zNumber).toBe(day.z.zNumber + 1)
    expect(r.value.artifacts!.failures).toEqual([{ step: 'backup', reason: expect.any(String) }])
    expect(r.value.artifacts!.files).toHaveLength(6)
    const failed = till.app.db.prepare("SELECT payload FROM journal WHERE kind = 'shift.z-artifacts-failed'").all() as { payload: string }[]
    expect(failed).toHaveLength(1)
    expect(JSON.parse(failed[0]!.payload)).toMatchObject({ zNumber: r.value.zNumber, failures: [{ step: 'backup' }] })
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
    const closed = till.app.db.prepare("SELECT status FROM cash_sessions WHERE z_number = ?").get(r.value.zNumber) as { status: string }
    expect(closed.status).toBe('closed')
    // The backups folder back where it was, for the next test's close.
    rmSync(backups)
    renameSync(blocked, backups)
  })

  it("checks the closed day's running totals against the journal: one edited behind the till's back is journaled, naming the session", async () => {
    const till = day.till
    await till.app.registry.dispatch('backoffice', 'shift:open', { floatMinor: 1_000, pin: PIN })
    cashSale(till, [COLA])
    const shift = new ShiftService({ db: till.app.db, clock: till.clock, store: till.app.store })
    const z = shift.close({ counted: { totalMinor: shift.xReport().drawer.expectedMinor } }, 'M1')
    // Between the Z's commit and its artifacts, someone with the file moves a cent of the day's tax.
    const raw = new Database(till.app.db.name)
    const trigger = (raw.prepare("SELECT sql FROM sqlite_master WHERE name = 'session_tax_totals_final'").get() as { sql: string }).sql
    raw.exec('DROP TRIGGER session_tax_totals_final')
    raw.prepare('UPDATE session_tax_totals SET sales_tax_minor = sales_tax_minor + 1 WHERE session_id = ?').run(z.sessionId)
    raw.exec(trigger)
    raw.close()
    const artifacts = await afterZClose({ db: till.app.db, clock: till.clock, store: till.app.store }, z.zNumber)
    const reason = `The running totals of cash session ${z.sessionId} disagree with its journal (up to entry ${z.figures.journal.headSeq}): taxes is`
    expect(artifacts.failures).toEqual([{ step: 'totals', reason: expect.stringContaining(reason) }])
    const failed = till.app.db.prepare("SELECT payload FROM journal WHERE kind = 'shift.z-artifacts-failed' ORDER BY seq DESC LIMIT 1").get() as { payload: string }
    expect(JSON.parse(failed.payload)).toMatchObject({ zNumber: z.zNumber, failures: [{ step: 'totals', reason: expect.stringContaining(reason) }] })
  })
  it('tells the back office how far the closed day\'s files are: from 0 to every entry of the day, for that Z', async () => {
    const till = day.till
    await till.app.registry.dispatch('backoffice', 'shift:open', { floatMinor: 1_000, pin: PIN })
    cashSale(till, [COLA])
    cashSale(till, [COLA, COLA])
    const seen: { zNumber: number; entries: number; expectedEntries: number; step?: string }[] = []
    const stop = till.app.events.subscribe((event, payload) => {
      if (event === 'shift:close-progress') seen.push(payload as (typeof seen)[number])
    })
    try {
      const x = (await till.app.registry.dispatch('backoffice', 'shift:x-report', {})) as { ok: true; value: { drawer: { expectedMinor: number } } }
      const r = (await till.app.registry.dispatch('backoffice', 'shift:close', { countedMinor: x.value.drawer.expectedMinor, pin: PIN })) as { ok: true; value: ZReportView }
      expect(r.ok).toBe(true)
      const f = r.value.figures
      expect(seen.length).toBeGreaterThanOrEqual(2)
      expect(seen.every((p) => p.zNumber === r.value.zNumber && p.expectedEntries === seen[0]!.expectedEntries)).toBe(true)
      expect(seen[0]!.entries).toBe(0)
      expect(seen.at(-1)!).toEqual({ zNumber: r.value.zNumber, entries: seen[0]!.expectedEntries, expectedEntries: seen[0]!.expectedEntries })
      // Then the backup, once the files are done: the step the close waits on last, said before it begins.
      const backup = seen.findIndex((p) => p.step === 'backup')
      expect(backup).toBeGreaterThan(0)
      expect(seen.slice(0, backup).at(-1)!.entries).toBe(seen[0]!.expectedEntries)
      expect(seen.slice(backup + 1).every((p) => p.step === undefined)).toBe(true)
      // The day's entries the exports walk: its sales, returns, voids, no-sales and cash moves; never going back.
      expect(seen[0]!.expectedEntries).toBe(f.salesCount + f.returnsCount + f.voids.count + f.noSaleCount + f.movements.length)
      expect(f.salesCount).toBe(2)
      expect(seen.map((p) => p.entries)).toEqual([...seen.map((p) => p.entries)].sort((a, b) => a - b))
    } finally {
      stop()
    }
  })
})
