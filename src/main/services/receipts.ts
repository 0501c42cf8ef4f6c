// After a sale: the receipt goes to the print queue (saved before it is sent) and, for cash, the drawer opens.
// Printing never blocks or fails a sale: the queue is processed after the commit and failures stay queued.
import { join } from 'node:path'
import { z } from 'zod'
import type { PrintJobView, PrinterState, SaleView } from '../../shared/api/views'
import type { Clock } from '../../shared/clock'
import { TillError } from '../../shared/result'
import { saleReceiptCode } from '../../shared/sale/receipt-code'
import { printerProfileSettingSchema, resolveProfile, type PrinterProfile } from '../devices/printer/profiles'
import { receiptPreviewSvg, type ReceiptData, type ReceiptTender } from '../devices/printer/receipt'
import { DeviceFileTransport, TcpTransport, UsbTransport, VirtualPrinterTransport, type PrinterTransport } from '../devices/printer/transports'
import type { EventBus } from '../events'
import { prepareCached, type Db } from '../ledger/db'
import { readSetting, writeSetting } from '../ledger/settings'
import { appendJournal } from '../ledger/journal'
import type { ZPrinterHook } from './day-close'
import { PrintQueue, type PrintJob } from './print-queue'
import { countNoSale } from './session-totals'
import type { StoreService } from './store'

export const printerSettingsSchema = z.object({
  name: z.string().regex(/^[\w.-]{1,32}$/),
  profile: printerProfileSettingSchema,
  transport: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('virtual') }),
    z.object({ kind: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(9100) }),
    z.object({ kind: z.literal('device-file'), path: z.string().min(1) }),
    z.object({ kind: z.literal('usb'), vendorId: z.number().int().optional(), productId: z.number().int().optional() })
  ]),
  /** Open the cash drawer on sales with a cash tender. */
  drawerOnCash: z.boolean().default(true)
})
export type PrinterSettings = z.infer<typeof printerSettingsSchema>

/** The demo store prints to a virtual printer: bytes to a file, preview in the back office. */
export const defaultPrinterSettings: PrinterSettings = {
  name: 'receipt',
  profile: { profile: 'epson-tm-80' },
  transport: { kind: 'virtual' },
  drawerOnCash: true
}

const KEY = 'printer' as const

export interface ReceiptServiceDeps {
  readonly db: Db
  readonly clock: Clock
  readonly store: StoreService
  readonly events: EventBus
  readonly dataDir: string
  readonly timeZone?: string
}

export class ReceiptService {
  readonly queue: PrintQueue
  private transport: PrinterTransport | null = null

  constructor(private readonly deps: ReceiptServiceDeps) {
    this.queue = new PrintQueue({
      db: deps.db,
      clock: deps.clock,
      tillId: deps.store.settings().tillId,
      transportFor: () => this.currentTransport(),
      profileFor: () => this.profile(),
      onChange: () => this.scheduleStateEvent()
    })
  }

  private stateEventScheduled = false

  /** One 'printer:changed' per turn of the event loop, however many jobs changed in it (a busy queue stays cheap). */
  private scheduleStateEvent(): void {
    if (this.stateEventScheduled) return
    this.stateEventScheduled = true
    setImmediate(() => {
      this.stateEventScheduled = false
      try {
        this.deps.events.emit('printer:changed', this.state())
      } catch {
        // the ledger was closed in the meantime: nobody to tell
      }
    })
  }

  settings(): PrinterSettings {
    return readSetting(this.deps.db, KEY, printerSettingsSchema) ?? defaultPrinterSettings
  }

  /** Saves printer settings (validated); the next job uses the new transport. */
  save(settings: PrinterSettings): void {
    writeSetting(this.deps.db, KEY, printerSettingsSchema, settings)
    void this.transport?.close()
    this.transport = null
  }

  /**
   * The printer's profile. A Simplified Chinese store prints in GB18030 wherever the printer has it, unless the
   * setting names an encoding (a Latin code page would print every Chinese character as '?').
   */
  profile(): PrinterProfile {
    const setting = this.settings().profile
    const profile = resolveProfile(setting)
    if (!setting.encoding && this.deps.store.settings().locale === 'zh-CN' && profile.encodings.includes('gb18030')) return { ...profile, encoding: 'gb18030' }
    return profile
  }

  private currentTransport(): PrinterTransport {
    if (this.transport) return this.transport
    const s = this.settings()
    switch (s.transport.kind) {
      case 'virtual':
        this.transport = new VirtualPrinterTransport({ folder: join(this.deps.dataDir, 'printer'), name: s.name })
        break
      case 'tcp':
        this.transport = new TcpTransport({ host: s.transport.host, port: s.transport.port, drawerOpenLevel: this.profile().drawerOpenLevel })
        break
      case 'device-file':
        this.transport = new DeviceFileTransport({ path: s.transport.path })
        break
      case 'usb':
        this.transport = new UsbTransport({ vendorId: s.transport.vendorId, productId: s.transport.productId })
        break
    }
    return this.transport
  }

  receiptData(sale: SaleView, copy: boolean): ReceiptData {
    const store = this.deps.store.settings()
    // A tender handed back before completion is not part of how the sale was paid.
    const tenders: ReceiptTender[] = sale.tenders.filter((t) => !t.returned).map((t) =>
      t.kind === 'stablecoin' && t.stablecoin
        ? {
            kind: 'stablecoin',
            amountMinor: t.amountMinor,
            tokenSymbol: t.stablecoin.tokenSymbol,
            tokenAmount: t.stablecoin.tokenAmount,
            chainName: t.stablecoin.chainName,
            rate: t.stablecoin.rate,
            rateSource: t.stablecoin.rateSource,
            txHash: t.stablecoin.txHash ?? 'unverified',
            // A chain with no explorer (the local demo chain): the QR carries the hash itself, to paste anywhere.
            explorerTxUrl: t.stablecoin.explorerTxUrl ?? t.stablecoin.txHash ?? ''
          }
        : { kind: 'cash', amountMinor: t.amountMinor, receivedMinor: t.receivedMinor ?? t.amountMinor, changeMinor: t.changeMinor ?? 0 }
    )
    return {
      store: { name: store.storeName, headerLines: store.receipt.headerLines, footerLines: store.receipt.footerLines, ...(store.taxId ? { taxId: store.taxId } : {}) },
      locale: store.locale,
      saleId: sale.id,
      saleNumber: sale.number,
      tillId: sale.tillId,
      cashier: sale.cashier,
      closedAt: sale.closedAt ?? this.deps.clock.now(),
      timeZone: this.deps.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      currency: sale.currency,
      lines: sale.lines
        .filter((l) => !l.voided)
        .map((l) => ({ name: store.locale === 'zh-CN' && l.nameZh ? l.nameZh : l.name, quantity: l.quantity, ...(l.weightGrams !== null ? { weightGrams: l.weightGrams } : {}), unitPriceMinor: l.unitPriceMinor, amountMinor: l.amountMinor, discountMinor: l.discountMinor })),
      taxes: sale.taxes.map((t) => ({ name: t.name, ratePpm: t.ratePpm, taxableMinor: t.taxableMinor, taxMinor: t.taxMinor })),
      subtotalMinor: sale.subtotalMinor,
      discountMinor: 0,
      taxMinor: sale.taxMinor,
      totalMinor: sale.totalMinor,
      taxMode: sale.taxMode,
      taxRounding: sale.taxRounding,
      tenders,
      journalHash: sale.journalHash ?? '',
      copy,
      // The QR a return scans to find this sale (issue [D] point 2).
      ...(sale.journalHash ? { receiptCode: saleReceiptCode(sale.id, sale.journalHash) } : {})
    }
  }

  /**
   * Queues the receipt (and the drawer for cash) of a sale being completed. Called INSIDE the transaction that
   * completes the sale (SaleService.onCompleting), so a completed sale never lacks its jobs whatever moment the till
   * dies at ([E] point 3). Only SQLite writes here; the ESC/POS bytes are encoded when the job is sent.
   */
  queueForSale(sale: SaleView): void {
    const printer = this.settings()
    this.queue.enqueueReceipt(this.receiptData(sale, false), printer.name)
    if (printer.drawerOnCash && sale.tenders.some((t) => t.kind === 'cash' && !t.returned)) this.queue.enqueueDrawerKick(printer.name, 'cash sale', sale.id)
  }

  /** Called once a sale has committed (its jobs were queued with it): send in the background. */
  afterSale(): void {
    void this.kick()
  }

  /** "No sale": open the drawer with a manager's approval (the caller checked the PIN). Journaled and counted. */
  noSale(managerId: string): PrintJobView {
    const printer = this.settings()
    const job = this.deps.db.transaction(() => {
      const tillId = this.deps.store.settings().tillId
      appendJournal(this.deps.db, { at: this.deps.clock.now(), tillId, kind: 'drawer.no-sale', saleId: null, payload: { managerId } })
      // The day's running totals count it with its entry (the Z reads them).
      countNoSale(this.deps.db, tillId)
      return this.queue.enqueueDrawerKick(printer.name, 'no sale')
    })()
    this.kick()
    return toView(job)
  }

  /**
   * The receipt printer as the Z's printer hook (day-close.ts ZPrinterHook): the report is laid out for this
   * printer's profile, queued as a 'report' job (journaled) and sent in the background, so the close never waits.
   */
  zPrinter(): ZPrinterHook {
    return {
      profile: () => this.profile(),
      enqueueReport: (document, reason) => {
        const job = this.queue.enqueueReport(document, this.settings().name, reason)
        void this.kick()
        return toView(job)
      }
    }
  }

  reprint(saleId: string): PrintJobView {
    const original = this.queue.list(1000).find((j) => j.saleId === saleId && j.kind === 'receipt')
    if (!original) throw new TillError('not-found', `No receipt was printed for sale ${saleId}.`)
    const job = this.queue.reprint(original.id)
    this.kick()
    return toView(job)
  }

  retry(jobId: number): PrintJobView {
    const job = this.queue.retry(jobId)
    this.kick()
    return toView(job)
  }

  /** The SVG preview of a receipt job (default: the newest receipt), rendered from the same document as the bytes. */
  preview(jobId?: number): { jobId: number; svg: string } | null {
    const row = (
      jobId === undefined
        ? prepareCached(this.deps.db, "SELECT id, document, profile FROM print_jobs WHERE kind IN ('receipt', 'reprint') AND document IS NOT NULL ORDER BY id DESC LIMIT 1").get()
        : prepareCached(this.deps.db, 'SELECT id, document, profile FROM print_jobs WHERE id = ? AND document IS NOT NULL').get(jobId)
    ) as { id: number; document: string } | undefined
    if (!row) return null
    return { jobId: row.id, svg: receiptPreviewSvg(row.document, this.profile()) }
  }

  state(): PrinterState {
    const pending = this.queue.pendingSummary()
    return { printer: this.settings().name, pending: pending.count, lastError: pending.lastError, jobs: this.queue.list(20).map(toView) }
  }

  /** Sends what is queued, in the background. Never throws (PrintQueue.process does not). */
  kick(): Promise<void> {
    return this.queue.process()
  }

  async close(): Promise<void> {
    await this.queue.stop()
    await this.transport?.close()
  }
}

function toView(job: PrintJob): PrintJobView {
  return { id: job.id, saleId: job.saleId, kind: job.kind, status: job.status, copy: job.copy, attempts: job.attempts, lastError: job.lastError, createdAt: job.createdAt, printedAt: job.printedAt }
}
