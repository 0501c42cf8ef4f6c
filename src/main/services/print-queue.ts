// The durable print queue. Enqueueing is synchronous and only writes SQLite (the job and its 'print.queued'
// journal entry in one transaction), so completing a sale never waits on a printer. process() runs afterwards,
// sends jobs oldest first and records the outcome; it never throws.
//
// Guarantees:
//  - never lost: the job row exists before a byte is sent, and stays 'queued' until a send succeeds;
//  - never twice as an original: 'printed' is final (a trigger freezes the row); a reprint is a new job with the
//    COPY banner; a send that failed after bytes may have left (write error, crash while 'sending') is re-sent
//    rebuilt with COPY, because the original may already be in the customer's hand.
import { prepareCached, type Db } from '../ledger/db'
import { appendJournal } from '../ledger/journal'
import type { Clock } from '../../shared/clock'
import { TillError } from '../../shared/result'
import { drawerKick } from '../devices/printer/commands'
import type { PrinterProfile } from '../devices/printer/profiles'
import { encodeReceipt, receiptDocument, receiptPreviewSvg, type ReceiptData } from '../devices/printer/receipt'
import { assertPrinterReady, PrinterError, type PrinterTransport } from '../devices/printer/transports'

export type PrintJobKind = 'receipt' | 'reprint' | 'drawer' | 'report'
export type PrintJobStatus = 'queued' | 'sending' | 'printed' | 'failed'

export interface PrintJob {
  readonly id: number
  readonly saleId: string | null
  readonly kind: PrintJobKind
  readonly printer: string
  readonly profile: string
  readonly status: PrintJobStatus
  readonly copy: boolean
  readonly reprintOf: number | null
  readonly reason: string | null
  readonly attempts: number
  readonly lastError: string | null
  readonly outcomeUnknown: boolean
  readonly createdAt: number
  readonly lastAttemptAt: number | null
  readonly printedAt: number | null
}

export interface PrintQueueOptions {
  readonly db: Db
  readonly clock: Clock
  readonly tillId: string
  /** The transport for a configured printer name; may throw for an unknown printer. */
  readonly transportFor: (printer: string) => PrinterTransport
  readonly profileFor: (printer: string) => PrinterProfile
  /** Called after every change of a job (queued, sending, printed, failed attempt). Must not throw; errors are ignored. */
  readonly onChange?: (job: PrintJob) => void
}

interface JobRow {
  id: number
  sale_id: string | null
  kind: PrintJobKind
  document: string | null
  data: string | null
  profile: string
  printer: string
  status: PrintJobStatus
  copy: number
  reprint_of: number | null
  reason: string | null
  attempts: number
  last_error: string | null
  outcome_unknown: number
  created_at: number
  last_attempt_at: number | null
  printed_at: number | null
}

function toJob(row: JobRow): PrintJob {
  return {
    id: row.id,
    saleId: row.sale_id,
    kind: row.kind,
    printer: row.printer,
    profile: row.profile,
    status: row.status,
    copy: row.copy === 1,
    reprintOf: row.reprint_of,
    reason: row.reason,
    attempts: row.attempts,
    lastError: row.last_error,
    outcomeUnknown: row.outcome_unknown === 1,
    createdAt: row.created_at,
    lastAttemptAt: row.last_attempt_at,
    printedAt: row.printed_at
  }
}

const COLUMNS =
  'id, sale_id, kind, document, data, profile, printer, status, copy, reprint_of, reason, attempts, last_error, outcome_unknown, created_at, last_attempt_at, printed_at'

/** Where a send failed: before any byte left (safe to resend as is) or while writing (the printer may have it). */
type Phase = 'prepare' | 'status' | 'write'

export class PrintQueue {
  private readonly db: Db
  private readonly clock: Clock
  private readonly tillId: string
  private readonly transportFor: (printer: string) => PrinterTransport
  private readonly profileFor: (printer: string) => PrinterProfile
  private readonly onChange?: (job: PrintJob) => void
  private running: Promise<void> | null = null
  private again = false
  private stopped = false

  constructor(options: PrintQueueOptions) {
    this.db = options.db
    this.clock = options.clock
    this.tillId = options.tillId
    this.transportFor = options.transportFor
    this.profileFor = options.profileFor
    this.onChange = options.onChange
    this.recoverInterrupted()
  }

  /** A job left 'sending' by a crash may or may not have printed: queue it again, to be rebuilt as a COPY. */
  private recoverInterrupted(): void {
    prepareCached(this.db, 
        `UPDATE print_jobs SET status = 'queued', outcome_unknown = 1,
           last_error = 'Interrupted while sending (the till stopped); it will print again marked COPY.'
         WHERE status = 'sending'`
      )
      .run()
  }

  private row(id: number): JobRow {
    const row = prepareCached(this.db, `SELECT ${COLUMNS} FROM print_jobs WHERE id = ?`).get(id) as JobRow | undefined
    if (!row) throw new TillError('not-found', `Print job ${id} does not exist.`)
    return row
  }

  get(id: number): PrintJob {
    return toJob(this.row(id))
  }

  private notify(id: number): void {
    if (!this.onChange) return
    try {
      this.onChange(this.get(id))
    } catch {
      // A listener's failure must not disturb printing.
    }
  }

  private insert(job: {
    saleId: string | null
    kind: PrintJobKind
    document: string | null
    data: ReceiptData | null
    profile: string
    printer: string
    copy: boolean
    reprintOf: number | null
    reason: string | null
  }): number {
    const at = this.clock.now()
    const id = this.db.transaction(() => {
      const info = prepareCached(this.db, 
          `INSERT INTO print_jobs (sale_id, kind, document, data, profile, printer, copy, reprint_of, reason, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(
          job.saleId,
          job.kind,
          job.document,
          job.data === null ? null : JSON.stringify(job.data),
          job.profile,
          job.printer,
          job.copy ? 1 : 0,
          job.reprintOf,
          job.reason,
          at
        )
      const jobId = Number(info.lastInsertRowid)
      appendJournal(this.db, {
        at,
        tillId: this.tillId,
        kind: 'print.queued',
        saleId: job.saleId,
        payload: { jobId, kind: job.kind, printer: job.printer, copy: job.copy, reason: job.reason ?? undefined }
      })
      return jobId
    }).immediate()
    this.notify(id)
    return id
  }

  /**
   * Saves a receipt for printing (synchronous, no I/O but SQLite). `data.copy` makes it a reprint; a sale has at
   * most one original receipt job, a second original is refused (use reprint()).
   */
  enqueueReceipt(data: ReceiptData, printer: string): PrintJob {
    const profile = this.profileFor(printer)
    if (!data.copy) {
      const existing = prepareCached(this.db, "SELECT id FROM print_jobs WHERE sale_id = ? AND kind = 'receipt'").get(data.saleId) as
        | { id: number }
        | undefined
      if (existing) {
        throw new TillError('conflict', `Sale ${data.saleNumber} already has its receipt (job ${existing.id}); print a copy instead.`, {
          jobId: existing.id
        })
      }
    }
    const id = this.insert({
      saleId: data.saleId,
      kind: data.copy ? 'reprint' : 'receipt',
      document: receiptDocument(data, profile),
      data,
      profile: profile.id,
      printer,
      copy: data.copy,
      reprintOf: null,
      reason: null
    })
    return this.get(id)
  }

  /** A new job that prints the receipt of `jobId` again with the COPY banner, on `printer` (default: the same one). */
  reprint(jobId: number, printer?: string): PrintJob {
    const original = this.row(jobId)
    if (original.data === null) throw new TillError('invalid-input', `Print job ${jobId} is not a receipt.`)
    const data: ReceiptData = { ...(JSON.parse(original.data) as ReceiptData), copy: true }
    const target = printer ?? original.printer
    const profile = this.profileFor(target)
    const id = this.insert({
      saleId: original.sale_id,
      kind: 'reprint',
      document: receiptDocument(data, profile),
      data,
      profile: profile.id,
      printer: target,
      copy: true,
      reprintOf: jobId,
      reason: null
    })
    return this.get(id)
  }

  /** Queues a drawer kick (ESC p on the profile's first drawer pin). `reason`: 'sale', 'no-sale', 'float'… */
  enqueueDrawerKick(printer: string, reason: string, saleId: string | null = null): PrintJob {
    const profile = this.profileFor(printer)
    if (profile.drawers.length === 0) throw new TillError('invalid-input', `${profile.label} has no cash drawer port.`)
    const id = this.insert({ saleId, kind: 'drawer', document: null, data: null, profile: profile.id, printer, copy: false, reprintOf: null, reason })
    return this.get(id)
  }

  /**
   * Saves a report (a Z or an X, ReceiptLine markup already laid out for `printer`'s profile) for printing: a job of
   * kind 'report', journaled 'print.queued' like a receipt and sent, retried and kept in order by the same run.
   * Synchronous and SQLite only, so the close that asks for it never waits on the printer. `reason`: 'z 12'.
   * A report may print twice after an unknown outcome (it has no COPY banner to rebuild with): a second Z slip is
   * harmless, a missing one is not.
   */
  enqueueReport(document: string, printer: string, reason: string): PrintJob {
    const profile = this.profileFor(printer)
    if (document.trim().length === 0) throw new TillError('invalid-input', 'A report to print has no content.')
    const id = this.insert({ saleId: null, kind: 'report', document, data: null, profile: profile.id, printer, copy: false, reprintOf: null, reason })
    return this.get(id)
  }

  /** Puts a failed or queued job back in line (clears the error). A printed job is final: reprint it instead. */
  retry(jobId: number): PrintJob {
    const row = this.row(jobId)
    if (row.status === 'printed') {
      throw new TillError('conflict', `Print job ${jobId} already printed; a second print must be a copy (reprint).`)
    }
    prepareCached(this.db, "UPDATE print_jobs SET status = 'queued', last_error = NULL WHERE id = ?").run(jobId)
    this.notify(jobId)
    return this.get(jobId)
  }

  /** Newest first. */
  list(limit = 100): PrintJob[] {
    const rows = prepareCached(this.db, `SELECT ${COLUMNS} FROM print_jobs ORDER BY id DESC LIMIT ?`).all(limit) as JobRow[]
    return rows.map(toJob)
  }

  /** Jobs not yet printed and not given up on, oldest first. */
  pending(): PrintJob[] {
    const rows = prepareCached(this.db, `SELECT ${COLUMNS} FROM print_jobs WHERE status IN ('queued', 'sending') ORDER BY id`).all() as JobRow[]
    return rows.map(toJob)
  }

  /**
   * Sends the queued jobs, oldest first. After a printer fails, its later jobs wait for the next run (keeps order
   * per printer); other printers go on. Concurrent calls share one run (and one more run is made if a call came in
   * during it). Never throws.
   */
  process(): Promise<void> {
    if (this.stopped) return Promise.resolve()
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
          await this.runOnce()
        } while (this.again)
      } catch {
        // runOnce handles each job's errors; this only guards against a broken database handle.
      } finally {
        this.running = null
      }
    })()
    return this.running
  }

  /** Stops sending after the job in progress; queued jobs stay queued (they go out at the next start). */
  async stop(): Promise<void> {
    this.stopped = true
    await this.running
  }

  /** How many jobs wait, and the newest problem among them, without loading the queue. */
  pendingSummary(): { count: number; lastError: string | null } {
    const { n } = prepareCached(this.db, "SELECT count(*) AS n FROM print_jobs WHERE status IN ('queued', 'sending')").get() as { n: number }
    const err = prepareCached(this.db, "SELECT last_error FROM print_jobs WHERE status IN ('queued', 'sending') AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1").get() as { last_error: string } | undefined
    return { count: n, lastError: err?.last_error ?? null }
  }

  private async runOnce(): Promise<void> {
    const blocked = new Set<string>()
    const ids = (prepareCached(this.db, "SELECT id FROM print_jobs WHERE status = 'queued' ORDER BY id").all() as { id: number }[]).map((r) => r.id)
    for (const id of ids) {
      // Shutting down: finish the job on the wire, leave the rest queued for the next start.
      if (this.stopped) return
      const row = this.row(id)
      if (row.status !== 'queued' || blocked.has(row.printer)) continue
      const ok = await this.send(row)
      if (!ok) blocked.add(row.printer)
    }
  }

  /** The bytes for a job, rebuilt with COPY when an earlier attempt may have printed it. */
  private bytesFor(row: JobRow, profile: PrinterProfile): { bytes: Buffer; document: string | null } {
    if (row.kind === 'drawer') {
      const pulse = profile.drawers[0]
      if (!pulse) throw new PrinterError('unsupported', `${profile.label} has no cash drawer port.`)
      return { bytes: drawerKick(pulse), document: null }
    }
    let document = row.document ?? ''
    if (row.outcome_unknown === 1 && row.copy === 0 && row.data !== null) {
      document = receiptDocument({ ...(JSON.parse(row.data) as ReceiptData), copy: true }, profile)
    }
    return { bytes: encodeReceipt(document, profile), document }
  }

  private async send(row: JobRow): Promise<boolean> {
    let phase: Phase = 'prepare'
    const at = this.clock.now()
    try {
      const profile = this.profileFor(row.printer)
      const transport = this.transportFor(row.printer)
      const { bytes, document } = this.bytesFor(row, profile)
      const rebuiltAsCopy = document !== null && document !== row.document
      prepareCached(this.db, 
          `UPDATE print_jobs SET status = 'sending', last_attempt_at = ?, document = ?, copy = ? WHERE id = ? AND status = 'queued'`
        )
        .run(at, row.kind === 'drawer' ? null : document, rebuiltAsCopy ? 1 : row.copy, row.id)
      this.notify(row.id)

      const twoWay = profile.twoWayStatus && transport.readStatus !== undefined
      if (twoWay) {
        phase = 'status'
        assertPrinterReady(await transport.readStatus!(), row.printer)
      }
      phase = 'write'
      await transport.write(bytes)
      // The status after the job: a paper-out now means the roll ran out during this receipt; say so.
      let afterNote: string | null = null
      if (twoWay) {
        try {
          const after = await transport.readStatus!()
          if (after.paperOut) afterNote = 'Printed, but the printer ran out of paper: check the receipt is complete.'
          else if (after.paperNearEnd) afterNote = 'Printed; paper is nearly out.'
        } catch (e) {
          afterNote = `Printed; the status check after it failed: ${(e as Error).message}`
        }
      }
      if (row.kind !== 'drawer' && row.document !== null) {
        try {
          transport.keepPreview?.(receiptPreviewSvg(document ?? row.document, profile))
        } catch {
          // The preview is a convenience.
        }
      }
      const printedAt = this.clock.now()
      this.db.transaction(() => {
        prepareCached(this.db, `UPDATE print_jobs SET status = 'printed', printed_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ?`)
          .run(printedAt, afterNote, row.id)
        appendJournal(this.db, {
          at: printedAt,
          tillId: this.tillId,
          kind: 'print.printed',
          saleId: row.sale_id,
          payload: { jobId: row.id, kind: row.kind, printer: row.printer, copy: rebuiltAsCopy || row.copy === 1, attempts: row.attempts + 1 }
        })
      }).immediate()
      this.notify(row.id)
      return true
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      // Bytes may have reached the printer only if the write phase got past connecting/opening the device.
      const bytesMayHaveLeft =
        phase === 'write' && !(e instanceof PrinterError && (e.reason === 'unreachable' || e.reason === 'unsupported'))
      // A document that cannot be encoded will never print: 'failed' (retry() after fixing the cause).
      const permanent = phase === 'prepare' && !(e instanceof PrinterError) && !(e instanceof TillError)
      prepareCached(this.db, 
          `UPDATE print_jobs SET status = ?, attempts = attempts + 1, last_error = ?, last_attempt_at = ?,
             outcome_unknown = CASE WHEN ? THEN 1 ELSE outcome_unknown END
           WHERE id = ?`
        )
        .run(permanent ? 'failed' : 'queued', message, at, bytesMayHaveLeft ? 1 : 0, row.id)
      this.notify(row.id)
      return false
    }
  }
}
