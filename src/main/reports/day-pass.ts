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
import { computeZTotals, type DayEntry, type DaySettlement, type ZTotals } from './settlement'

/**
 * Text appended in order, encoded to UTF-8 as it comes into 1 MB buffers: in memory while the shared budget lasts,
 * then in a temporary file. Buffers live outside the JS heap, so a spool of any size adds nothing for the garbage
 * collector to trace (a list of strings did: the collector was most of the pass's time).
 */
export class Spool {
  private buffer: Buffer = Buffer.allocUnsafe(SPOOL_BUFFER_BYTES)
  private used = 0
  /** Full buffers kept in memory, in order, before anything in the file. */
  private readonly held: Buffer[] = []
  private fd: number | null = null
  private file: string | null = null
  private fileBytes = 0

  constructor(private readonly set: SpoolSet) {}

  append(text: string): void {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit: if it might not fit, start a new buffer first.
    if (this.used + text.length * 3 > this.buffer.length) {
      this.flush()
      if (text.length * 3 > this.buffer.length) this.buffer = Buffer.allocUnsafe(text.length * 3)
    }
    this.used += this.buffer.write(text, this.used, 'utf8')
  }

  private flush(): void {
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
/** Bytes kept in memory across all spools of a pass before they spill to disk (a 10,000-sale day's five: ~17 MB). */
export const SPOOL_MEMORY_BUDGET = 32 * 1024 * 1024

export class SpoolSet {
  private dir: string | null = null
  private files = 0
  private used = 0
  private readonly spools: Spool[] = []

  constructor(private readonly budgetBytes: number = SPOOL_MEMORY_BUDGET) {}

  spool(): Spool {
    const s = new Spool(this)
    this.spools.push(s)
    return s
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

  /** Every temporary file removed (also after a failed pass). */
  close(): void {
    for (const s of this.spools) s.discard()
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true })
    this.dir = null
  }
}

/** One export's part in the pass: it renders each entry into its spools, then lays out its file from the totals. */
export interface DayWriter {
  entry(entry: DayEntry, movements: readonly Movement[]): void
  /** The file in order: text and spools. Called once, after the last entry, with the day's Z. */
  pieces(totals: ZTotals): readonly (string | Spool)[]
}

export interface DayTarget {
  readonly writer: (spools: SpoolSet) => DayWriter
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
 * Every target's file from ONE walk over `day.entries`; returns the day's Z (folded in the same walk unless
 * `totals` is given). Each Writable is written in turn and not ended (the caller ends or finishes it).
 */
export async function writeDayPass(day: DaySettlement, targets: readonly DayTarget[], options: DayPassOptions = {}): Promise<ZTotals> {
  const spools = new SpoolSet(options.spoolBudgetBytes)
  try {
    const writers = targets.map((t) => t.writer(spools))
    const onProgress = options.onProgress
    let seen = 0
    const visit = (entry: DayEntry): void => {
      const moved = entryMovements(day, entry)
      for (const w of writers) w.entry(entry, moved)
      if (onProgress && ++seen % PROGRESS_EVERY_ENTRIES === 0) onProgress(seen)
    }
    let totals: ZTotals
    if (options.totals) {
      totals = options.totals
      for (const entry of day.entries) visit(entry)
    } else {
      // The Z folds the same walk: each entry reaches the writers as computeZTotals reads it.
      const tapped: Iterable<DayEntry> = {
        *[Symbol.iterator]() {
          for (const entry of day.entries) {
            visit(entry)
            yield entry
          }
        }
      }
      totals = computeZTotals({ ...day, entries: tapped })
    }
    for (let i = 0; i < targets.length; i++) {
      const out = targets[i]!.out
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
    return totals
  } finally {
    spools.close()
  }
}
