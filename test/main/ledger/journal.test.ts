import { afterEach, describe, expect, it } from 'vitest'
import { appendJournal, GENESIS_HASH, hashEntry, verifyJournal } from '../../../src/main/ledger/journal'
import { tempLedger, type TempLedger } from '../../fixtures/ledger'

let ledger: TempLedger
afterEach(() => ledger.cleanup())

function fill(n: number) {
  ledger = tempLedger()
  const db = ledger.db
  db.transaction(() => {
    for (let i = 1; i <= n; i++) appendJournal(db, { at: 1_700_000_000_000 + i, tillId: 'T1', kind: 'test.entry', saleId: `S${i}`, payload: { i, amountMinor: i * 100 } })
  })()
  return db
}

/** What an attacker with the file can do: drop the append-only triggers and edit. */
function tamper(sql: string) {
  const db = ledger.db
  db.exec('DROP TRIGGER journal_append_only_update; DROP TRIGGER journal_append_only_delete;')
  db.exec(sql)
}

describe('journal', () => {
  it('chains each entry to the previous one from the genesis hash', () => {
    const db = fill(3)
    const rows = db.prepare('SELECT seq, prev_hash, hash FROM journal ORDER BY seq').all() as { seq: number; prev_hash: string; hash: string }[]
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH)
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash)
    expect(rows[2]!.prev_hash).toBe(rows[1]!.hash)
    expect(hashEntry(GENESIS_HASH, '{}')).toMatch(/^[0-9a-f]{64}$/)
    expect(verifyJournal(db)).toEqual({ ok: true, entries: 3, lastHash: rows[2]!.hash })
  })

  it('the journal refuses updates and deletes', () => {
    const db = fill(2)
    expect(() => db.prepare("UPDATE journal SET payload = '{}' WHERE seq = 1").run()).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM journal WHERE seq = 2').run()).toThrow(/append-only/)
  })

  it('names the first entry whose payload was edited', () => {
    fill(10)
    tamper(`UPDATE journal SET payload = '{"amountMinor":1,"i":4}' WHERE seq = 4`)
    expect(verifyJournal(ledger.db)).toMatchObject({ ok: false, firstBadSeq: 4, reason: expect.stringMatching(/entry 4 .* altered/) })
  })

  it('detects an edited timestamp, a deleted entry and a re-hashed entry', () => {
    fill(6)
    tamper('UPDATE journal SET at = at + 1 WHERE seq = 2')
    expect(verifyJournal(ledger.db)).toMatchObject({ ok: false, firstBadSeq: 2 })
    ledger.cleanup()

    fill(6)
    tamper('DELETE FROM journal WHERE seq = 3')
    expect(verifyJournal(ledger.db)).toMatchObject({ ok: false, firstBadSeq: 3, reason: expect.stringMatching(/missing/) })
    ledger.cleanup()

    // Recomputing the edited entry's own hash does not help: the next entry no longer links to it.
    fill(6)
    const row = ledger.db.prepare('SELECT * FROM journal WHERE seq = 5').get() as { prev_hash: string; at: number; payload: string }
    const body = `{"at":${row.at},"kind":"test.entry","payload":{"amountMinor":1,"i":5},"saleId":"S5","seq":5,"tillId":"T1"}`
    tamper(`UPDATE journal SET payload = '{"amountMinor":1,"i":5}', hash = '${hashEntry(row.prev_hash, body)}' WHERE seq = 5`)
    expect(verifyJournal(ledger.db)).toMatchObject({ ok: false, firstBadSeq: 6, reason: expect.stringMatching(/does not link/) })
  })
})
