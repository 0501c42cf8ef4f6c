// Tamper evidence beyond the self-contained hash chain: the schema fingerprint, SQLite's quick_check, the start-up
// check from the last signed checkpoint, and signed heads kept outside the ledger that catch a forger who rewrites
// the file and recomputes every hash, or cuts its tail back.
import { mkdtempSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LEDGER_FILE } from '../../../src/main/app'
import { loadOrCreateTillKey, signHead, verifyAnchors } from '../../../src/main/ledger/anchor'
import { checkSchema, quickCheck, startupCheck } from '../../../src/main/ledger/integrity'
import { GENESIS_HASH, hashEntry, verifyJournal } from '../../../src/main/ledger/journal'
import type { Db } from '../../../src/main/ledger/db'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013'

let till: TestTill | null = null
let keyDir = ''
afterEach(async () => {
  await till?.cleanup()
  till = null
  if (keyDir) rmSync(keyDir, { recursive: true, force: true })
})

function sellCash(t: TestTill, count: number): void {
  for (let i = 0; i < count; i++) {
    t.app.sales.scan(COLA, 'wedge')
    t.app.sales.tenderCash(500)
    t.app.sales.complete()
  }
}

/** What a forger with the file does: drop the guards, rewrite, recompute every hash, put the guards back. */
function forge(db: Db, edit: (db: Db) => void): void {
  const triggers = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'journal'").all() as { sql: string }[]
  db.exec("DROP TRIGGER journal_append_only_update; DROP TRIGGER journal_append_only_delete;")
  edit(db)
  let prev = GENESIS_HASH
  for (const row of db.prepare('SELECT seq, at, till_id, kind, sale_id, payload FROM journal ORDER BY seq').all() as { seq: number; at: number; till_id: string; kind: string; sale_id: string | null; payload: string }[]) {
    const body = `{"at":${row.at},"kind":${JSON.stringify(row.kind)},"payload":${row.payload},"saleId":${row.sale_id == null ? 'null' : JSON.stringify(row.sale_id)},"seq":${row.seq},"tillId":${JSON.stringify(row.till_id)}}`
    const hash = hashEntry(prev, body)
    db.prepare('UPDATE journal SET prev_hash = ?, hash = ? WHERE seq = ?').run(prev, hash, row.seq)
    prev = hash
  }
  for (const t of triggers) db.exec(t.sql)
}

function setup(): { t: TestTill; key: ReturnType<typeof loadOrCreateTillKey>; sign: () => void; check: () => ReturnType<typeof verifyAnchors> } {
  const t = testTill()
  till = t
  keyDir = mkdtempSync(join(tmpdir(), 'stabletill-keys-'))
  const key = loadOrCreateTillKey(keyDir, 'store-1')
  const common = { dataDir: t.dataDir, keyDir, key, storeId: 'store-1' }
  return {
    t,
    key,
    sign: () => void signHead(t.app.db, { ...common, tillId: 'T1', reason: 'z 1', at: t.clock.now() }),
    check: () => verifyAnchors(t.app.db, common)
  }
}

describe('schema fingerprint and quick_check', () => {
  it('a fresh ledger matches this version; a dropped trigger is named', () => {
    const { t } = setup()
    expect(checkSchema(t.app.db).ok).toBe(true)
    t.app.db.exec('DROP TRIGGER sales_never_deleted')
    expect(checkSchema(t.app.db)).toMatchObject({ ok: false, problems: ['trigger sales_never_deleted is missing'] })
  })

  it('a damaged page is reported by quick_check, not by a crash', async () => {
    const { t } = setup()
    sellCash(t, 200)
    t.app.db.pragma('wal_checkpoint(TRUNCATE)')
    await t.app.close()
    const file = join(t.dataDir, LEDGER_FILE)
    expect(quickCheck(file).ok).toBe(true)
    const size = statSync(file).size
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(size / 4096 / 2) * 4096)
    closeSync(fd)
    const damaged = quickCheck(file)
    expect(damaged.ok).toBe(false)
    expect(damaged.messages.join(' ')).not.toBe('ok')
    till = null // the app is closed; clean the folder only
    rmSync(t.dataDir, { recursive: true, force: true })
  })
})

describe('signed heads outside the ledger', () => {
  it('a forger who edits an old sale and recomputes every hash passes the plain chain check but not the signed head', () => {
    const { t, sign, check } = setup()
    sellCash(t, 5)
    sign()
    sellCash(t, 2)
    expect(check()).toMatchObject({ ok: true, anchors: 1 })
    forge(t.app.db, (db) => {
      // The journal and the table edited alike, so the replay of the journal agrees with the tables too.
      const row = db.prepare("SELECT seq, payload, sale_id FROM journal WHERE kind = 'sale.tender-added' ORDER BY seq LIMIT 1").get() as { seq: number; payload: string; sale_id: string }
      db.prepare('UPDATE journal SET payload = ? WHERE seq = ?').run(row.payload.replace('"receivedMinor":500', '"receivedMinor":5000'), row.seq)
      const frozen = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'tenders_frozen'").get() as { sql: string }).sql
      db.exec('DROP TRIGGER tenders_frozen')
      db.prepare('UPDATE tenders SET received_minor = 5000 WHERE sale_id = ?').run(row.sale_id)
      db.exec(frozen)
    })
    expect(verifyJournal(t.app.db).ok).toBe(true) // self-consistent again: this is why the anchor exists
    expect(checkSchema(t.app.db).ok).toBe(true)
    const caught = check()
    expect(caught).toMatchObject({ ok: false, reason: expect.stringMatching(/no longer has its signed hash/) })
  })

  it('a tail cut back below the signed head is caught, and so is a deleted anchors file', () => {
    const { t, sign, check } = setup()
    sellCash(t, 3)
    sign()
    const head = t.app.db.prepare('SELECT MAX(seq) AS n FROM journal').get() as { n: number }
    forge(t.app.db, (db) => db.prepare('DELETE FROM journal WHERE seq > ?').run(head.n - 4))
    expect(check()).toMatchObject({ ok: false, firstBadSeq: head.n, reason: expect.stringMatching(/cut back/) })
    unlinkSync(join(t.dataDir, 'anchors.jsonl'))
    expect(check()).toMatchObject({ ok: false, reason: expect.stringMatching(/kept with the till key is missing/) })
  })

  it('a signature made with another key does not verify; the key file is outside the data folder with mode 0600', () => {
    const { t, sign, key } = setup()
    sellCash(t, 1)
    sign()
    const keyFile = join(keyDir, 'store-1.ed25519.pem')
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(keyFile.startsWith(t.dataDir)).toBe(false)
    const otherDir = mkdtempSync(join(tmpdir(), 'stabletill-otherkey-'))
    try {
      const other = loadOrCreateTillKey(otherDir, 'store-1')
      expect(other.publicKeyDer).not.toBe(key.publicKeyDer)
      expect(verifyAnchors(t.app.db, { dataDir: t.dataDir, keyDir: otherDir, key: other, storeId: 'store-1' })).toMatchObject({ ok: false, reason: expect.stringMatching(/does not verify/) })
    } finally {
      rmSync(otherDir, { recursive: true, force: true })
    }
    expect(readFileSync(join(t.dataDir, 'anchors.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1)
  })

  it('the start-up check verifies from the signed checkpoint and catches an edit after it', () => {
    const { t, sign, check } = setup()
    sellCash(t, 4)
    sign()
    sellCash(t, 2)
    const anchor = check()
    expect(anchor.ok).toBe(true)
    const from = anchor.ok ? anchor.checkpoint : null
    const good = startupCheck(t.app.db, from)
    expect(good).toMatchObject({ ok: true, schema: { ok: true }, journal: { ok: true } })
    t.app.db.exec('DROP TRIGGER journal_append_only_update')
    const last = t.app.db.prepare('SELECT seq FROM journal ORDER BY seq DESC LIMIT 1').get() as { seq: number }
    t.app.db.prepare("UPDATE journal SET at = at + 1 WHERE seq = ?").run(last.seq)
    const bad = startupCheck(t.app.db, from)
    expect(bad.ok).toBe(false)
    expect(bad.schema).toMatchObject({ ok: false, problems: ['trigger journal_append_only_update is missing'] })
    expect(bad.journal).toMatchObject({ ok: false, firstBadSeq: last.seq })
  })
})
