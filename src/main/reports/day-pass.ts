// One pass over a closed day for every export at once (issue [D], bench/day.ts).
//
// The exports used to walk the day ten times (the Z, the CSV, the journals once each; the OFX and the camt.053
// once per statement account), and for a day of 1,000,000 sales each walk re-ran the ledger's SELECT. Here the
// day's entries are walked ONCE: each entry is folded into the Z (computeZTotals, when the caller has no totals)
// and its money movements are derived once (movements.ts) and handed to every writer, which renders its text for
// the entry and appends it to a spool. What depends on the whole day (a statement's closing balance, the journals'
// account declarations, the drawer's over/short) is only known at the end, so each file is laid out afterwards as
// pieces: text computed from the totals, and the spooled bodies in the order the format wants them (the cash
// statement before each token's).
//
// The walk is synchronous: nothing awaits while the ledger's cursor is open, so the connection is never left busy
// while a slow disk drains (another statement on it would throw). Spools keep text in memory up to a budget shared
// by all of them (a 10,000-sale day's five files, ~17 MB, never touch the disk) and past it append to a temporary
// file each, so a day of any size passes in flat memory. The files are then streamed to their Writables with
// backpressure ('drain') and the temporary files removed.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { entryMovements, type Movement } from './movements'
import { finishZTotals, foldZEntry, newZFold, type DayEntry, type DaySettlement, type ZFold, type ZTotals } from './settlement'

/**
 * Text appended in order, encoded to UTF-8 as it comes into 1 MB buffers: in memory while the shared budget lasts,
 * then in a temporary file. Buffers live outside the JS heap, so a spool of any size adds nothing for the garbage
 * collector to trace (a list of strings did: the collector was most of the pass's time).
 */
export class Spool implements SpoolLike {
  private buffer: Buffer = Buffer.allocUnsafe(SPOOL_BUFFER_BYTES)
  private used = 0
  /** Appended text not yet encoded into `buffer`. */
  private pending = ''
  /** Full buffers kept in memory, in order, before anything in the file. */
  private readonly held: Buffer[] = []
  private fd: number | null = null
  private file: string | null = null
  private fileBytes = 0

  constructor(
    private readonly set: SpoolSet,
    readonly name: string
  ) {}

  append(text: string): void {
    // Text is gathered as a string and encoded some 16 K characters at a time: a Buffer.write per append (a few
    // hundred thousand of them for a 10,000-sale day, most a line or less) cost more than the encoding itself
    // (about a sixth of the one pass, profiled).
    this.pending += text
    if (this.pending.length >= PENDING_CHARS) this.encodePending()
  }

  /**
   * The buffer, with at least `max` bytes free from `at`: a writer puts a record's bytes there itself (bytes.ts) and
   * moves `at` past them. Text appended before is encoded first, so the order holds.
   */
  room(max: number): Buffer {
    this.encodePending()
    if (this.used + max > this.buffer.length) {
      this.flush()
      if (max > this.buffer.length) this.buffer = Buffer.allocUnsafe(max)
    }
    return this.buffer
  }

  /** Where the next byte goes in the buffer room() returned. */
  get at(): number {
    return this.used
  }

  set at(pos: number) {
    this.used = pos
  }

  private encodePending(): void {
    const text = this.pending
    if (text.length === 0) return
    this.pending = ''
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit: if it might not fit, start a new buffer first.
    if (this.used + text.length * 3 > this.buffer.length) {
      this.flush()
      if (text.length * 3 > this.buffer.length) this.buffer = Buffer.allocUnsafe(text.length * 3)
    }
    this.used += this.buffer.write(text, this.used, 'utf8')
  }

  private flush(): void {
    this.encodePending()
    if (this.used === 0) return
    const full = this.buffer.subarray(0, this.used)
    // Once a spool has spilled, the rest goes after it in the file, so the order holds.
    if (this.fd === null && this.set.reserve(full.length)) {
      this.held.push(full)
      this.buffer = Buffer.allocUnsafe(SPOOL_BUFFER_BYTES)
    } else {
      if (this.fd === null) {
        this.file = this.set.tempFile()
        this.fd = openSync(this.file, 'w+')
      }
      let written = 0
      while (written < full.length) written += writeSync(this.fd, full, written, full.length - written)
      this.fileBytes += full.length
    }
    this.used = 0
  }

  /** Streams everything appended to `out`, in order; the temporary file is closed and removed. */
  async drainTo(out: Writable): Promise<void> {
    this.flush()
    for (const chunk of this.held) await write(out, chunk)
    this.held.length = 0
    if (this.fd === null) return
    const fd = this.fd
    try {
      let position = 0
      while (position < this.fileBytes) {
        // A fresh buffer per write: the Writable may keep it queued after write() returns.
        const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, this.fileBytes - position))
        const read = readSync(fd, chunk, 0, chunk.length, position)
        if (read <= 0) throw new Error(`export spool ${this.file} ended at ${position} of ${this.fileBytes} bytes`)
        position += read
        await write(out, read === chunk.length ? chunk : chunk.subarray(0, read))
      }
    } finally {
      this.discard()
    }
  }

  /**
   * Everything appended, written to this spool's file (a spool of a set without a memory budget holds nothing in
   * memory) and the file closed but kept: its name, for another thread to lay out (parallel.ts). Null when empty.
   */
  handOver(): string | null {
    this.flush()
    if (this.held.length > 0) throw new Error(`spool ${this.name} holds text in memory: hand over spools of a set with no memory budget`)
    const file = this.file
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
    this.file = null
    return file
  }

  discard(): void {
    if (this.fd !== null) closeSync(this.fd)
    if (this.file !== null) rmSync(this.file, { force: true })
    this.fd = null
    this.file = null
  }
}

/** Bytes gathered per spool before they are kept or written: one syscall per ~1 MB, not one per line. */
const SPOOL_BUFFER_BYTES = 1 << 20
const READ_CHUNK_BYTES = 1 << 20
/** Characters gathered before they are encoded (well under a buffer: 3 bytes a character at most). */
const PENDING_CHARS = 16 * 1024
/** Bytes kept in memory across all spools of a pass before they spill to disk (a 10,000-sale day's five: ~17 MB). */
export const SPOOL_MEMORY_BUDGET = 32 * 1024 * 1024

/** Text a writer appends in order and the file lays out later: a Spool, or parts written elsewhere (PartsSet). */
export interface SpoolLike {
  append(text: string): void
  /** Room for a record's bytes (Spool.room); a spool of laid-out parts refuses, as it does append. */
  room(max: number): Buffer
  at: number
  drainTo(out: Writable): Promise<void>
}

/**
 * Where a writer's spools come from. Names are the writer's own ("csv", "ofx:USDC:8453"): the same name in the
 * walks of two ranges of a day is the same part of the file (parallel.ts lays them out one after the other).
 */
export interface SpoolSource {
  /** The spool of this name (made on first use). */
  spool(name: string): SpoolLike
  /** The spool of this name if anything made it (a statement account no movement reached has none). */
  find(name: string): SpoolLike | null
}

export class SpoolSet implements SpoolSource {
  private dir: string | null
  private files = 0
  private used = 0
  private readonly spools = new Map<string, Spool>()

  /** `dir`: a folder of the caller's to keep the spools' files in (left in place by close); a temporary one otherwise. */
  constructor(
    private readonly budgetBytes: number = SPOOL_MEMORY_BUDGET,
    private readonly ownDir: string | null = null
  ) {
    this.dir = ownDir
  }

  spool(name: string): Spool {
    let s = this.spools.get(name)
    if (!s) this.spools.set(name, (s = new Spool(this, name)))
    return s
  }

  find(name: string): Spool | null {
    return this.spools.get(name) ?? null
  }

  /** Every spool's file by name (Spool.handOver), for the thread that lays the files out. */
  handOver(): Record<string, string> {
    const files: Record<string, string> = {}
    for (const [name, s] of this.spools) {
      const file = s.handOver()
      if (file !== null) files[name] = file
    }
    return files
  }

  reserve(bytes: number): boolean {
    if (this.used + bytes > this.budgetBytes) return false
    this.used += bytes
    return true
  }

  tempFile(): string {
    this.dir ??= mkdtempSync(join(tmpdir(), 'stabletill-export-'))
    return join(this.dir, `spool-${++this.files}`)
  }

  /** Every temporary file removed (also after a failed pass); a caller's folder is the caller's to remove. */
  close(): void {
    for (const s of this.spools.values()) s.discard()
    if (this.dir !== null && this.ownDir === null) rmSync(this.dir, { recursive: true, force: true })
    this.dir = null
  }
}

/**
 * The spools of a day walked in ranges (parallel.ts): each name's parts, one file per range that had any, laid out
 * in range order, which is the day's order. Only for laying out: nothing is appended.
 */
export class PartsSet implements SpoolSource {
  constructor(private readonly parts: Readonly<Record<string, readonly string[]>>) {}

  spool(name: string): SpoolLike {
    return this.find(name) ?? { append: refuseAppend, room: refuseAppend, at: 0, drainTo: async () => {} }
  }

  find(name: string): SpoolLike | null {
    const files = this.parts[name]
    if (!files || files.length === 0) return null
    return {
      append: refuseAppend,
      room: refuseAppend,
      at: 0,
      async drainTo(out: Writable): Promise<void> {
        for (const file of files) await copyFileTo(file, out)
      }
    }
  }
}

function refuseAppend(): never {
  throw new Error('the parts of a walked day are laid out, not appended to')
}

/** Streams a file to `out` in 1 MB chunks with backpressure. */
async function copyFileTo(file: string, out: Writable): Promise<void> {
  const fd = openSync(file, 'r')
  try {
    for (;;) {
      // A fresh buffer per write: the Writable may keep it queued after write() returns.
      const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES)
      const read = readSync(fd, chunk, 0, chunk.length, null)
      if (read <= 0) return
      await write(out, read === chunk.length ? chunk : chunk.subarray(0, read))
    }
  } finally {
    closeSync(fd)
  }
}

/** One export's part in the pass: it renders each entry into its spools, then lays out its file from the totals. */
export interface DayWriter {
  entry(entry: DayEntry, movements: readonly Movement[]): void
  /** The file in order: text and spools. Called once, after the last entry, with the day's Z. */
  pieces(totals: ZTotals): readonly (string | SpoolLike)[]
}

export interface DayTarget {
  readonly writer: (spools: SpoolSource) => DayWriter
  readonly out: Writable
}

const BATCH_CHARS = 64 * 1024

/** How often the walk reports how far it got: a 1,000,000-sale day says so 100 times, a 10,000-sale day once. */
export const PROGRESS_EVERY_ENTRIES = 10_000

export interface DayPassOptions {
  /** The day's Z when the caller has it; folded in the same walk otherwise. */
  readonly totals?: ZTotals
  readonly spoolBudgetBytes?: number
  /**
   * Entries walked so far, every PROGRESS_EVERY_ENTRIES. The walk is synchronous: on the till's own thread nobody
   * would see it; the export worker (day-worker.ts) posts it to the thread that waits.
   */
  readonly onProgress?: (entries: number) => void
}

async function write(out: Writable, chunk: string | Buffer): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain')
}

/**
 * Walks `day.entries` once: each entry's movements go to every writer (into its spools) and, unless `fold` is null,
 * the entry is folded into the Z. Synchronous: nothing awaits while the ledger's cursor is open.
 */
export function walkDay(day: DaySettlement, writers: readonly DayWriter[], fold: ZFold | null, onProgress?: (entries: number) => void, progressEvery = PROGRESS_EVERY_ENTRIES): number {
  let seen = 0
  for (const entry of day.entries) {
    const moved = entryMovements(day, entry)
    for (const w of writers) w.entry(entry, moved)
    if (fold) foldZEntry(fold, entry)
    if (++seen % progressEvery === 0) onProgress?.(seen)
  }
  return seen
}

/** Each writer's file to its Writable in turn, laid out from the day's Z: text and spools. */
export async function layOutFiles(writers: readonly DayWriter[], outs: readonly Writable[], totals: ZTotals): Promise<void> {
  for (let i = 0; i < writers.length; i++) {
    const out = outs[i]!
    let batch = ''
    for (const piece of writers[i]!.pieces(totals)) {
      if (typeof piece === 'string') {
        batch += piece
        if (batch.length < BATCH_CHARS) continue
        await write(out, batch)
      } else {
        if (batch.length > 0) await write(out, batch)
        await piece.drainTo(out)
      }
      batch = ''
    }
    if (batch.length > 0) await write(out, batch)
  }
}

/**
 * writeDayPass over a day read in consecutive parts (from-ledger.ts `range`: each part its own statement, run to its
 * end), turning the event loop between parts: on the till's own thread the walk then holds the loop for one part at
 * a time instead of the whole day (a 10,000-sale day's pass held it 0.6-0.7 s). The writers and the Z fold see the
 * same entries in the same order as in one walk, so the files are the same bytes. `parts` is called once and read
 * lazily: each part is read only when its turn comes. The Z is always folded here.
 */
export async function writeDayPassInParts(day: DaySettlement, parts: () => Iterable<DaySettlement>, targets: readonly DayTarget[], options: Omit<DayPassOptions, 'totals'> = {}): Promise<ZTotals> {
  const spools = new SpoolSet(options.spoolBudgetBytes)
  try {
    const writers = targets.map((t) => t.writer(spools))
    const fold = newZFold(day.cardFeePpm)
    let seen = 0
    for (const part of parts()) {
      seen += walkDay(part, writers, fold)
      options.onProgress?.(seen)
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    const totals = finishZTotals(day, fold)
    await layOutFiles(writers, targets.map((t) => t.out), totals)
    return totals
  } finally {
    spools.close()
  }
}

/**
 * Every target's file from ONE walk over `day.entries`; returns the day's Z (folded in the same walk unless
 * `totals` is given). Each Writable is written in turn and not ended (the caller ends or finishes it).
 */
export async function writeDayPass(day: DaySettlement, targets: readonly DayTarget[], options: DayPassOptions = {}): Promise<ZTotals> {
  const spools = new SpoolSet(options.spoolBudgetBytes)
  try {
    const writers = targets.map((t) => t.writer(spools))
    const fold = options.totals ? null : newZFold(day.cardFeePpm)
    walkDay(day, writers, fold, options.onProgress)
    const totals = options.totals ?? finishZTotals(day, fold!)
    await layOutFiles(writers, targets.map((t) => t.out), totals)
    return totals
  } finally {
    spools.close()
  }
}
