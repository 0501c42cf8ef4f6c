// The Z (and X) report for the receipt printer: a ReceiptLine document, printed through the same path as a sale's
// receipt (encodeReceipt for the ESC/POS bytes, receiptPreviewSvg for the screen). Rows come from z-report.ts,
// shared with the PDF.
import { escapeText } from '../devices/printer/receipt'
import type { PrinterProfile } from '../devices/printer/profiles'
import type { ReportLocale } from './labels'
import type { ZTotals } from './settlement'
import { reportHeading, reportSections, type DayHeader, type ReportKind } from './z-report'

export interface ZDocumentOptions {
  readonly kind: ReportKind
  readonly locale: ReportLocale
}

/** The ReceiptLine markup of a Z or X report. Pure: same day, totals and profile, same document. */
export function zReportDocument(day: DayHeader, totals: ZTotals, profile: PrinterProfile, options: ZDocumentOptions): string {
  const heading = reportHeading(day, options.kind, options.locale)
  // Room for "2026-01-15 18:00" (the period rows) and "-1234567.89"; narrower on 58 mm paper.
  const amountWidth = profile.cpl >= 42 ? 16 : 12
  const AMOUNTS = `{width:*,${amountWidth}}`
  const FULL = '{width:*}'
  const out: string[] = []
  let widths = ''
  // `{width:…}` applies to the lines after it; single-column lines need `{width:*}` (see receipt.ts).
  const setWidths = (w: string): void => {
    if (w !== widths) out.push(w)
    widths = w
  }
  const centred = (markup: string): void => {
    setWidths(FULL)
    out.push(markup)
  }
  const rule = (): void => {
    setWidths(FULL)
    out.push('-')
  }
  // Inverted and double size: a Z is told apart from a receipt at a glance.
  centred(`^^^\`${escapeText(` ${heading.title} `)}\``)
  if (heading.subtitle) centred(`"${escapeText(heading.subtitle)}"`)
  centred(`"${escapeText(heading.storeName)}"`)
  for (const line of heading.storeLines) centred(escapeText(line))
  for (const section of reportSections(day, totals, options.kind, options.locale)) {
    rule()
    if (section.title) {
      setWidths(FULL)
      out.push(`|"${escapeText(section.title)}" |`)
    }
    for (const row of section.rows) {
      const label = `${row.indent ? '~~' : ''}${escapeText(row.label)}`
      if (row.value === '') {
        setWidths(FULL)
        out.push(`|${label} |`)
      } else {
        setWidths(AMOUNTS)
        out.push(row.strong ? `|"${label}" | "${escapeText(row.value)}"|` : `|${label} | ${escapeText(row.value)}|`)
      }
    }
  }
  rule()
  return out.join('\n') + '\n'
}
