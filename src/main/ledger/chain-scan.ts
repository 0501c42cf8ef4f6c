// The hash chain's pass over a range of journal entries, read in chunks of whole entries rather than row by row
// (issue [E]: full verify at >= 1,000,000 entries/s). better-sqlite3 costs about a microsecond per row handed to
// JavaScript however few its columns (bench/trust.ts: reading the seq column alone costs 70 % of reading all eight),
// and building each entry's body from eight column values was half of a verify's CPU. So SQLite builds each entry's
// hash input itself, `hash || prev_hash || body`, and hands over CHUNK of them as one string (group_concat): one row
// per CHUNK entries. The body is entryBody() (journal.ts) to the byte: integers print alike in SQLite and JavaScript,
// the payload is spliced in as stored, and json_quote() quotes a string exactly as JSON.stringify does (checked for
// every character in chain-scan.test.ts). The HASH DEFINITION is unchanged; only how the rows are read.
//
// The fast path only ever says "this chunk is intact": its checks are the row-by-row pass's checks (seq in order,
// each entry links to the one before, each hash recomputed), made on the chunk's text. Anything it cannot vouch for
// (a missing or extra row, a hash or link that is not 64 characters, a piece that does not split or check) hands
// the rest of the chunk to the row-by-row pass, the one journal.ts always had, which names the first bad entry with
// its reason exactly as before. The row-by-row pass is also the definition the fast path is held to in the tests.
//
// Self-contained (no reference to anything outside this function): the verify workers (journal.ts VERIFY_WORKER)
// run its source text, like saleReplayKit's, so that the main thread and the workers run one piece of code.
import type { ReplayDb } from './replay'

export interface ChainBad {
  readonly seq: number
  readonly reason: string
}

export interface ChainScan {
  /** The stored prev_hash of the range's first entry, when the scan started without one to check it against. */
  readonly firstPrev: string | null
  /** The hash of the last entry checked (or the one started from when the range was empty). */
  readonly lastHash: string | null
  readonly bad: ChainBad | null
}

/** A sale.* entry with a sale id, handed over in journal order once its hash checked; a reason stops the scan there. */
export type SaleEntryHandler = (seq: number, kind: string, saleId: string, payload: string) => string | null

export interface ChainScanRange {
  readonly first: number
  readonly last: number
  /**
   * How far the row-by-row pass may read past `last` to find the next entry after a gap ("entry 7 is missing (found
   * 9 next)"): the whole journal's check reads on, a worker only its own range.
   */
  readonly readUpTo: number
  /** The hash the first entry must link to, or null: take its stored prev_hash (a worker's range, linked by the caller). */
  readonly startPrev: string | null
  readonly onSale: SaleEntryHandler
  /** Entries checked since the last call. */
  readonly onProgress?: (entries: number) => void
}

export function chainScanKit(sha256Hex: (text: string) => string) {
  /** Entries per chunk: ~1.4 MB of text a chunk at the bench's ~350 characters an entry, and one row per 4,096. */
  const CHUNK = 4096
  const PIECE = `hash || prev_hash || '{"at":' || at || ',"kind":' || json_quote(kind) || ',"payload":' || payload || ',"saleId":' || json_quote(sale_id) || ',"seq":' || seq || ',"tillId":' || json_quote(till_id) || '}'`
  // The lengths: a 63-character hash beside a 65-character prev_hash concatenates like two good ones.
  const CHUNK_SQL = `SELECT count(*), min(length(hash) = 64 AND length(prev_hash) = 64), group_concat(${PIECE}, char(10)) FROM journal WHERE seq BETWEEN ? AND ?`
  const ROWS_SQL = 'SELECT seq, at, till_id, kind, sale_id, payload, prev_hash, hash FROM journal WHERE seq BETWEEN ? AND ? ORDER BY seq'

  /** A JSON string as json_quote wrote it, read back: most need no parsing. */
  const unquote = (quoted: string): string => (quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1))

  function scanChain(db: ReplayDb, range: ChainScanRange): ChainScan {
    const chunkStatement = db.prepare(CHUNK_SQL).raw()
    const rowsStatement = db.prepare(ROWS_SQL).raw()
    const { last, onSale, onProgress } = range
    let prevHash = range.startPrev
    let firstPrev: string | null = null
    let expected = range.first
    const stop = (seq: number, reason: string): ChainScan => ({ firstPrev, lastHash: prevHash, bad: { seq, reason } })

    while (expected <= last) {
      const chunkFirst = expected
      const end = Math.min(last, expected + CHUNK - 1)
      const [count, lengthsOk, text] = chunkStatement.get(expected, end) as [number, number | null, string | null]
      const pieces = count === end - expected + 1 && lengthsOk === 1 && text !== null ? text.split('\n') : null
      // Each piece: hash (64) | prev_hash (64) | body. JSON text holds no '\n': a stored one makes more pieces than
      // rows, and the chunk goes row by row before anything in it is taken as checked.
      if (pieces !== null && pieces.length === count) {
        for (const piece of pieces) {
          if (prevHash !== null && !piece.startsWith(prevHash, 64)) break
          if (prevHash === null) firstPrev = piece.slice(64, 128)
          // The piece's seq is not looked for: the chunk holds exactly the rows whose seq (the rowid) lies between
          // `expected` and `end` (count checked above), in rowid order, one piece each (no '\n' in any), so piece i
          // is entry expected + i, and its hash, recomputed over a body SQLite built from that row's own seq, checks it.
          const hash = sha256Hex(piece.slice(64))
          if (!piece.startsWith(hash)) break
          // {"at":<integer>,"kind":<quoted>,"payload":<as stored>,"saleId":<quoted or null>,"seq":<integer>,"tillId":<quoted>}
          const kindAt = piece.indexOf(',"kind":', 134) + 8
          if (piece.startsWith('"sale.', kindAt)) {
            // The real "seq" and "saleId" keys are the last ones: what follows each is quoted by json_quote.
            const seqMark = piece.lastIndexOf(',"seq":')
            const saleMark = piece.lastIndexOf(',"saleId":', seqMark)
            if (!piece.startsWith('null', saleMark + 10)) {
              const payloadMark = piece.indexOf(',"payload":', kindAt)
              const reason = onSale(expected, unquote(piece.slice(kindAt, payloadMark)), unquote(piece.slice(saleMark + 10, seqMark)), piece.slice(payloadMark + 11, saleMark))
              if (reason !== null) return stop(expected, reason)
            }
          }
          prevHash = hash
          expected++
        }
        if (expected > end) {
          onProgress?.(end - chunkFirst + 1)
          continue
        }
      }
      // Row by row from the first entry the fast path could not vouch for (the pass journal.ts always had).
      if (prevHash === null) firstPrev = null
      for (const row of rowsStatement.iterate(expected, range.readUpTo) as IterableIterator<[number, number, string, string, string | null, string, string, string]>) {
        const [seq, at, tillId, kind, saleId, payload, rowPrevHash, rowHash] = row
        if (seq !== expected) return stop(expected, `entry ${expected} is missing (found ${seq} next)`)
        if (prevHash === null) firstPrev = rowPrevHash
        else if (rowPrevHash !== prevHash) return stop(seq, `entry ${seq} does not link to entry ${seq - 1}`)
        const body = `{"at":${at},"kind":${JSON.stringify(kind)},"payload":${payload},"saleId":${saleId === null ? 'null' : JSON.stringify(saleId)},"seq":${seq},"tillId":${JSON.stringify(tillId)}}`
        const hash = sha256Hex(rowPrevHash + body)
        if (hash !== rowHash) return stop(seq, `entry ${seq} (${kind}) was altered after it was written`)
        if (saleId !== null && kind.startsWith('sale.')) {
          const reason = onSale(seq, kind, saleId, payload)
          if (reason !== null) return stop(seq, reason)
        }
        prevHash = hash
        expected++
        if (seq === end) break
      }
      if (expected <= end) return stop(expected, `entry ${expected} is missing`)
      onProgress?.(end - chunkFirst + 1)
    }
    return { firstPrev, lastHash: prevHash, bad: null }
  }

  return { scanChain, CHUNK, CHUNK_SQL }
}
