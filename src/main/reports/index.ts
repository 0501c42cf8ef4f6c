// The reports of a closed day, by export format: what the CLI (`stabletill export --format …`) and the back office
// call, one format (writeExport) or several from one pass over the day (writeDayExports, day-pass.ts). Each writer
// streams to a Writable it does not end; a file name is derived from the day so a re-export
// overwrites the same file instead of adding one.
import type { Writable } from 'node:stream'
import { camtWriter } from './camt053'
import { csvWriter } from './csv'
import { writeDayPass, writeDayPassInParts, type DayWriter, type SpoolSource } from './day-pass'
import { beancountWriter, ledgerJournalWriter } from './journal'
import { ofxWriter } from './ofx'
import type { DaySettlement, ZTotals } from './settlement'

export const EXPORT_FORMATS = ['csv', 'ofx', 'camt053', 'hledger', 'beancount'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

const EXTENSIONS: Record<ExportFormat, string> = { csv: 'csv', ofx: 'ofx', camt053: 'xml', hledger: 'journal', beancount: 'beancount' }

export interface ExportOptions {
  /** The day's Z when the caller has it (saves a pass over the entries). */
  readonly totals?: ZTotals
  /** CSV only: start with a UTF-8 BOM. */
  readonly bom?: boolean
  /** Journals only: write account/commodity declarations (default true). */
  readonly declarations?: boolean
  /** How many bytes the pass keeps in memory before its spools go to temporary files (day-pass.ts; tests set 0). */
  readonly spoolBudgetBytes?: number
  /** Entries walked so far, every few thousand (day-pass.ts). */
  readonly onProgress?: (entries: number) => void
}

/** "till-1_2026-01-15_Z7.camt053.xml": one name per day, till and format. */
export function exportFileName(day: DaySettlement, format: ExportFormat): string {
  return `${day.store.tillId}_${day.businessDate}_Z${day.zNumber}.${format === 'camt053' ? 'camt053.' : ''}${EXTENSIONS[format]}`
}

/** A format's part in the one pass (day-pass.ts); export workers (day-worker.ts) make theirs with it too. */
export function exportWriter(day: DaySettlement, format: ExportFormat, options: Pick<ExportOptions, 'bom' | 'declarations'>): (spools: SpoolSource) => DayWriter {
  switch (format) {
    case 'csv':
      return csvWriter(day, { bom: options.bom ?? false })
    case 'ofx':
      return ofxWriter(day)
    case 'camt053':
      return camtWriter(day)
    case 'hledger':
      return ledgerJournalWriter(day, { declarations: options.declarations ?? true })
    case 'beancount':
      return beancountWriter(day, { declarations: options.declarations ?? true })
  }
}

export async function writeExport(day: DaySettlement, format: ExportFormat, out: Writable, options: ExportOptions = {}): Promise<void> {
  await writeDayPass(day, [{ writer: exportWriter(day, format, options), out }], { totals: options.totals, spoolBudgetBytes: options.spoolBudgetBytes })
}

/**
 * Several exports of a day (every format given a Writable) from ONE pass over its entries, folding the Z in the
 * same pass unless `options.totals` is given; returns the Z. Byte for byte what `writeExport` writes per format.
 * Each Writable is written in turn and left open: the caller ends it (output.ts `finish`).
 */
export async function writeDayExports(day: DaySettlement, outs: Partial<Record<ExportFormat, Writable>>, options: ExportOptions = {}): Promise<ZTotals> {
  const targets = EXPORT_FORMATS.filter((f) => outs[f] !== undefined).map((f) => ({ writer: exportWriter(day, f, options), out: outs[f]! }))
  return writeDayPass(day, targets, { totals: options.totals, spoolBudgetBytes: options.spoolBudgetBytes, onProgress: options.onProgress })
}

/**
 * writeDayExports over the day read in parts (day-pass.ts writeDayPassInParts), the event loop turning between
 * them; always folds the Z. The same bytes as writeDayExports.
 */
export async function writeDayExportsInParts(day: DaySettlement, parts: () => Iterable<DaySettlement>, outs: Partial<Record<ExportFormat, Writable>>, options: Omit<ExportOptions, 'totals'> = {}): Promise<ZTotals> {
  const targets = EXPORT_FORMATS.filter((f) => outs[f] !== undefined).map((f) => ({ writer: exportWriter(day, f, options), out: outs[f]! }))
  return writeDayPassInParts(day, parts, targets, { spoolBudgetBytes: options.spoolBudgetBytes, onProgress: options.onProgress })
}

export { computeZTotals } from './settlement'
export type { DaySettlement, DayEntry, ZTotals } from './settlement'
// z-pdf.ts (pdfkit, fonts) and z-document.ts are imported where they are used: an export needs neither.
