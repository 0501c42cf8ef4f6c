// The reports of a closed day, by export format: what the CLI (`stabletill export --format …`) and the back office
// call. Each writer streams to a Writable it does not end; a file name is derived from the day so a re-export
// overwrites the same file instead of adding one.
import type { Writable } from 'node:stream'
import { writeCamt053 } from './camt053'
import { writeCsv } from './csv'
import { writeBeancount, writeLedgerJournal } from './journal'
import { writeOfx } from './ofx'
import { computeZTotals, type DaySettlement, type ZTotals } from './settlement'

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
}

/** "till-1_2026-01-15_Z7.camt053.xml": one name per day, till and format. */
export function exportFileName(day: DaySettlement, format: ExportFormat): string {
  return `${day.store.tillId}_${day.businessDate}_Z${day.zNumber}.${format === 'camt053' ? 'camt053.' : ''}${EXTENSIONS[format]}`
}

export async function writeExport(day: DaySettlement, format: ExportFormat, out: Writable, options: ExportOptions = {}): Promise<void> {
  const totals = options.totals ?? computeZTotals(day)
  switch (format) {
    case 'csv':
      return writeCsv(day, out, { totals, bom: options.bom ?? false })
    case 'ofx':
      return writeOfx(day, out, { totals })
    case 'camt053':
      return writeCamt053(day, out, { totals })
    case 'hledger':
      return writeLedgerJournal(day, out, { totals, declarations: options.declarations ?? true })
    case 'beancount':
      return writeBeancount(day, out, { totals, declarations: options.declarations ?? true })
  }
}

export { computeZTotals } from './settlement'
export type { DaySettlement, DayEntry, ZTotals } from './settlement'
// z-pdf.ts (pdfkit, fonts) and z-document.ts are imported where they are used: an export needs neither.
