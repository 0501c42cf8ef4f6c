// The chain is read in chunks whose hash inputs SQLite builds (ledger/chain-scan.ts). These hold the chunked pass to
// the row-by-row pass it replaced, written out here as the definition: the same verdict, first bad entry and reason
// for odd strings, for edits made to fool the chunk's text (a stored newline, a hash one character short beside a
// prev_hash one long), and at the seams between chunks; and the same sale entries handed to the replay.
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { chainScanKit } from '../../../src/main/ledger/chain-scan'
import type { Db } from '../../../src/main/ledger/db'
import { appendJournal, GENESIS_HASH, hashEntry, verifyJournal, verifyJournalParallel, type JournalInput } from '../../../src/main/ledger/journal'
import { tempLedger, type TempLedger } from '../../fixtures/ledger'

let ledger: TempLedger | null = null
afterEach(() => {
  ledger?.cleanup()
  ledger = null
})

const sha256 = (text: string) => hashEntry(text, '')
const { scanChain } = chainScanKit(sha256)

/** The row-by-row pass as journal.ts had it before the chunks: the definition of the verdicts. */
function definition(db: Db): { bad: { seq: number; reason: string } | null; sales: unknown[][] } {
  const sales: unknown[][] = []
  let prevHash = GENESIS_HASH
  let expected = 1
  for (const [seq, at, tillId, kind, saleId, payload, rowPrevHash, rowHash] of db.prepare('SELECT seq, at, till_id, kind, sale_id, payload, prev_hash, hash FROM journal ORDER BY seq').raw().iterate() as IterableIterator<[number, number, string, string, string | null, string, string, string]>) {
    if (seq !== expected) return { bad: { seq: expected, reason: `entry ${expected} is missing (found ${seq} next)` }, sales }
    if (rowPrevHash !== prevHash) return { bad: { seq, reason: `entry ${seq} does not link to entry ${seq - 1}` }, sales }
    const body = `{"at":${at},"kind":${JSON.stringify(kind)},"payload":${payload},"saleId":${saleId === null ? 'null' : JSON.stringify(saleId)},"seq":${seq},"tillId":${JSON.stringify(tillId)}}`
    const hash = hashEntry(prevHash, body)
    if (hash !== rowHash) return { bad: { seq, reason: `entry ${seq} (${kind}) was altered after it was written` }, sales }
    if (saleId !== null && kind.startsWith('sale.')) sales.push([seq, kind, saleId, payload])
    prevHash = hash
    expected++
  }
  return { bad: null, sales }
}

function chunked(db: Db) {
  const sales: unknown[][] = []
  const head = (db.prepare('SELECT max(seq) FROM journal').pluck().get() as number | null) ?? 0
  const scan = scanChain(db, { first: 1, last: head, readUpTo: Number.MAX_SAFE_INTEGER, startPrev: GENESIS_HASH, onSale: (...entry) => (sales.push(entry), null) })
  return { bad: scan.bad, sales }
}

function fill(entries: readonly JournalInput[]): Db {
  ledger = tempLedger()
  const db = ledger.db
  db.transaction(() => {
    for (const e of entries) appendJournal(db, e)
  })()
  return db
}

const plain = (n: number): JournalInput[] =>
  Array.from({ length: n }, (_, k) => ({ at: 1_700_000_000_000 + k, tillId: 'T1', kind: k % 3 === 0 ? 'sale.line-added' : 'print.queued', saleId: k % 5 === 0 ? null : `S${k >> 2}`, payload: { k, amountMinor: k * 10 } }))

function tamper(db: Db, sql: string, ...params: unknown[]) {
  db.exec('DROP TRIGGER IF EXISTS journal_append_only_update; DROP TRIGGER IF EXISTS journal_append_only_delete;')
  db.prepare(sql).run(...params)
}

async function verdicts(db: Db) {
  const sync = verifyJournal(db)
  const parallel = await verifyJournalParallel(db, ledger!.file, { workers: 2, minEntriesPerWorker: 1 })
  return { sync, parallel }
}

describe('the chain read in chunks', () => {
  it("quotes a string in SQL (json_quote) exactly as the entry's body does (JSON.stringify), for every character", () => {
    const db = new Database(':memory:')
    const quote = db.prepare('SELECT json_quote(?)').pluck()
    const differ: number[] = []
    for (let c = 1; c < 0x10000; c++) {
      if (c >= 0xd800 && c < 0xe000) continue
      const text = `a${String.fromCharCode(c)}b`
      if (quote.get(text) !== JSON.stringify(text)) differ.push(c)
    }
    expect(quote.get('a\u{1f600}b')).toBe(JSON.stringify('a\u{1f600}b'))
    expect(quote.get(null)).toBe('null')
    db.close()
    expect(differ).toEqual([])
  })

  it('passes entries whose kind, sale id and till id hold quotes, backslashes, newlines and other scripts, handing the replay the same entries', async () => {
    const odd = ['say "hi"', 'back\\slash', 'line\nbreak', 'tab\there', '收银台', 'emoji \u{1f600}', '\u2028', ',"seq":1,"tillId":"x"']
    const entries = odd.flatMap((s, k): JournalInput[] => [
      { at: 1_700_000_000_000 + k, tillId: s, kind: `sale.${s}`, saleId: s, payload: { note: s, k } },
      { at: 1_700_000_000_000 + k, tillId: 'T1', kind: 'sale.line-added', saleId: `S${k}`, payload: { text: `,"saleId":"${s}","seq":9` } }
    ])
    const db = fill([...plain(10), ...entries, ...plain(10)])
    const want = definition(db)
    expect(want.bad).toBeNull()
    expect(chunked(db)).toEqual(want)
    const { sync, parallel } = await verdicts(db)
    expect(sync).toMatchObject({ ok: true, entries: 36 })
    expect(parallel).toEqual(sync)
  })

  it('a payload edited to hold a newline and a forged next entry is named as altered, as the row-by-row pass names it', async () => {
    const db = fill(plain(40))
    // The forgery: entry 20's payload ends early and a made-up entry 21 follows in the same text, each "hash"
    // recomputed over what the chunk's text would show.
    const row = db.prepare('SELECT at, prev_hash, hash FROM journal WHERE seq = 20').get() as { at: number; prev_hash: string; hash: string }
    const cutBody = `{"at":${row.at},"kind":"print.queued","payload":{"k":19},"saleId":"S4","seq":20,"tillId":"T1"}`
    const cutHash = hashEntry(row.prev_hash, cutBody)
    const fakeBody = `{"at":${row.at},"kind":"print.queued","payload":{},"saleId":"S4","seq":21,"tillId":"T1"}`
    const fakeHash = hashEntry(cutHash, fakeBody)
    tamper(db, 'UPDATE journal SET payload = ?, hash = ? WHERE seq = 20', `{"k":19},"saleId":"S4","seq":20,"tillId":"T1"}\n${fakeHash}${cutHash}${fakeBody.slice(0, -1)}`, cutHash)
    const want = definition(db)
    expect(want.bad).toEqual({ seq: 20, reason: 'entry 20 (print.queued) was altered after it was written' })
    expect(chunked(db)).toEqual(want)
    const { sync, parallel } = await verdicts(db)
    expect(sync).toMatchObject({ ok: false, firstBadSeq: 20, reason: want.bad!.reason })
    expect(parallel).toMatchObject({ ok: false, firstBadSeq: 20, reason: want.bad!.reason })
  })

  it("a hash one character short beside a prev_hash one character long (the same text side by side) is named as not linking", async () => {
    const db = fill(plain(12))
    const row = db.prepare('SELECT prev_hash, hash FROM journal WHERE seq = 7').get() as { prev_hash: string; hash: string }
    tamper(db, 'UPDATE journal SET hash = ?, prev_hash = ? WHERE seq = 7', row.hash.slice(0, 63), row.hash.slice(63) + row.prev_hash)
    tamper(db, 'UPDATE journal SET prev_hash = ? WHERE seq = 8', row.hash.slice(0, 63))
    const want = definition(db)
    expect(want.bad).toEqual({ seq: 7, reason: 'entry 7 does not link to entry 6' })
    expect(chunked(db)).toEqual(want)
    const { sync, parallel } = await verdicts(db)
    expect(sync).toMatchObject({ ok: false, firstBadSeq: 7, reason: want.bad!.reason })
    expect(parallel).toMatchObject({ ok: false, firstBadSeq: 7, reason: want.bad!.reason })
  })

  it('two entries whose seqs were exchanged, each re-hashed over its new seq, are named as the row-by-row pass names them (the chunk finds a piece\'s entry by its place, not its text)', async () => {
    const db = fill(plain(30))
    // Entries 11 and 12 trade places: each row takes the other's seq and is re-hashed over its new body, linked as
    // the chain would be (11 to 10, 12 to the new 11); entry 13 still links to the old 12.
    const rows = db.prepare('SELECT seq, at, till_id, kind, sale_id, payload FROM journal WHERE seq IN (11, 12) ORDER BY seq').all() as { seq: number; at: number; till_id: string; kind: string; sale_id: string | null; payload: string }[]
    const prev10 = (db.prepare('SELECT hash FROM journal WHERE seq = 10').pluck().get() as string)
    const body = (r: (typeof rows)[number], seq: number) => `{"at":${r.at},"kind":${JSON.stringify(r.kind)},"payload":${r.payload},"saleId":${r.sale_id === null ? 'null' : JSON.stringify(r.sale_id)},"seq":${seq},"tillId":${JSON.stringify(r.till_id)}}`
    const new11 = hashEntry(prev10, body(rows[1]!, 11))
    const new12 = hashEntry(new11, body(rows[0]!, 12))
    tamper(db, 'UPDATE journal SET seq = -1 WHERE seq = 11')
    tamper(db, 'UPDATE journal SET seq = 11, prev_hash = ?, hash = ? WHERE seq = 12', prev10, new11)
    tamper(db, 'UPDATE journal SET seq = 12, prev_hash = ?, hash = ? WHERE seq = -1', new11, new12)
    const want = definition(db)
    expect(want.bad).toEqual({ seq: 13, reason: 'entry 13 does not link to entry 12' })
    expect(chunked(db)).toEqual(want)
    const { sync, parallel } = await verdicts(db)
    expect(sync).toMatchObject({ ok: false, firstBadSeq: 13, reason: want.bad!.reason })
    expect(parallel).toMatchObject({ ok: false, firstBadSeq: 13, reason: want.bad!.reason })
  })

  it('at the seams between chunks (4,096 entries each): a deleted entry, an edited one and the entry after a chunk, as the row-by-row pass names them', async () => {
    const db = fill(plain(8200))
    const intact = definition(db)
    expect(chunked(db)).toEqual(intact)
    expect(verifyJournal(db)).toMatchObject({ ok: true, entries: 8200 })

    tamper(db, 'DELETE FROM journal WHERE seq = 4096')
    let want = definition(db)
    expect(want.bad).toEqual({ seq: 4096, reason: 'entry 4096 is missing (found 4097 next)' })
    expect(chunked(db)).toEqual(want)
    expect(verifyJournal(db)).toMatchObject({ ok: false, firstBadSeq: 4096, reason: want.bad!.reason })
    ledger!.cleanup()

    const db2 = fill(plain(8200))
    tamper(db2, 'UPDATE journal SET at = at + 1 WHERE seq = 4097')
    want = definition(db2)
    expect(want.bad).toEqual({ seq: 4097, reason: 'entry 4097 (print.queued) was altered after it was written' })
    expect(chunked(db2)).toEqual(want)
    const { sync, parallel } = await verdicts(db2)
    expect(sync).toMatchObject({ ok: false, firstBadSeq: 4097, reason: want.bad!.reason })
    expect(parallel).toMatchObject({ ok: false, firstBadSeq: 4097, reason: want.bad!.reason })
  })
})
