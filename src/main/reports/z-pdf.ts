// The Z (and X) report as an A4 PDF (pdfkit), from the same rows as the paper (z-report.ts).
//
// Chinese needs a CJK font: Noto Sans CJK SC from the system (Debian fonts-noto-cjk), picked out of its TrueType
// collection by PostScript name. Without it the report falls back to English labels and says so on the page,
// rather than printing empty boxes. A report whose every character PDF's standard fonts can show (WinAnsi: an
// English Z of a store with a Latin name) is set in Helvetica instead: embedding and shaping the CJK font cost about
// a second of CPU per Z, for text Helvetica sets the same.
// The PDF's dates are the closing time, so the same day renders the same file.
import { existsSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { once } from 'node:events'
import PDFDocument from 'pdfkit'
import { REPORT_LABELS, type ReportLocale } from './labels'
import type { ZTotals } from './settlement'
import { reportHeading, reportSections, type DayHeader, type ReportKind } from './z-report'

export const NOTO_CJK_REGULAR = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'
export const NOTO_CJK_BOLD = '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc'

export interface ZPdfOptions {
  readonly kind: ReportKind
  readonly locale: ReportLocale
  /** Where the CJK collection is; a test points it at nothing to see the fallback. */
  readonly cjkFont?: { readonly regular: string; readonly bold: string }
}

const A4_MARGIN = 56 // 2 cm

// What Helvetica (WinAnsiEncoding) can show: printable ASCII, Latin-1, and the typographic marks WinAnsi adds.
const WIN_ANSI = /^[\x20-\x7e\xa0-\xff\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]*$/
const ROW = 15

/** Writes the report's PDF to `out` (not ended: the caller owns it) and resolves when it is all written. */
export async function writeZPdf(day: DayHeader, totals: ZTotals, out: Writable, options: ZPdfOptions): Promise<{ locale: ReportLocale; cjkFont: boolean }> {
  const fontFiles = options.cjkFont ?? { regular: NOTO_CJK_REGULAR, bold: NOTO_CJK_BOLD }
  const cjkAvailable = existsSync(fontFiles.regular)
  const locale: ReportLocale = cjkAvailable ? options.locale : 'en'
  const heading = reportHeading(day, options.kind, locale)
  const sections = reportSections(day, totals, options.kind, locale)
  const footer = (page: number, count: number): string => `${heading.title} · ${day.store.tillId} · ${totals.businessDate} · ${REPORT_LABELS[locale].page} ${page}/${count}`
  const texts = [heading.title, heading.subtitle ?? '', heading.storeName, ...heading.storeLines, footer(1, 1), ...sections.flatMap((x) => [x.title ?? '', ...x.rows.flatMap((r) => [r.label, r.value])])]
  const cjk = cjkAvailable && !texts.every((text) => WIN_ANSI.test(text))
  const closedAt = new Date(totals.periodEndMs)
  const doc = new PDFDocument({
    size: 'A4',
    margin: A4_MARGIN,
    bufferPages: true,
    info: { Title: `${heading.title} ${day.store.name} ${totals.businessDate}`, Author: 'Stabletill', Creator: 'Stabletill', Producer: 'Stabletill', CreationDate: closedAt, ModDate: closedAt }
  })
  const done = once(doc, 'end')
  doc.pipe(out, { end: false })
  let regular = 'Helvetica'
  let bold = 'Helvetica-Bold'
  if (cjk) {
    doc.registerFont('report', fontFiles.regular, 'NotoSansCJKsc-Regular')
    doc.registerFont('report-bold', existsSync(fontFiles.bold) ? fontFiles.bold : fontFiles.regular, existsSync(fontFiles.bold) ? 'NotoSansCJKsc-Bold' : 'NotoSansCJKsc-Regular')
    regular = 'report'
    bold = 'report-bold'
  }
  const left = A4_MARGIN
  const width = doc.page.width - 2 * A4_MARGIN
  const bottom = doc.page.height - A4_MARGIN - ROW
  const ensureRoom = (height: number): void => {
    if (doc.y + height > bottom) doc.addPage()
  }

  doc.font(bold).fontSize(20).text(heading.title, left, A4_MARGIN, { width, align: 'center' })
  if (heading.subtitle) doc.font(regular).fontSize(11).text(heading.subtitle, { width, align: 'center' })
  doc.moveDown(0.3).font(bold).fontSize(13).text(heading.storeName, { width, align: 'center' })
  doc.font(regular).fontSize(10)
  for (const line of heading.storeLines) doc.text(line, { width, align: 'center' })
  if (!cjkAvailable && options.locale !== 'en') doc.moveDown(0.3).fillColor('#a00').text(REPORT_LABELS.en.cjkFontMissing, { width, align: 'center' }).fillColor('black')
  doc.moveDown()

  for (const section of sections) {
    ensureRoom(ROW * 3)
    doc.moveTo(left, doc.y).lineTo(left + width, doc.y).lineWidth(0.5).strokeColor('#888').stroke()
    doc.moveDown(0.4)
    if (section.title) doc.font(bold).fontSize(12).text(section.title, left, doc.y, { width })
    for (const row of section.rows) {
      ensureRoom(ROW)
      const y = doc.y
      const indent = row.indent ? 16 : 0
      doc.font(row.strong ? bold : regular).fontSize(10)
      // Label and figure on one baseline: the figure right-aligned in the last quarter of the line.
      doc.text(row.label, left + indent, y, { width: width * 0.72 - indent, lineBreak: true })
      const after = doc.y
      if (row.value !== '') doc.text(row.value, left + width * 0.72, y, { width: width * 0.28, align: 'right' })
      doc.y = Math.max(after, doc.y)
      doc.x = left
    }
    doc.moveDown(0.6)
  }

  const pages = doc.bufferedPageRange()
  for (let i = 0; i < pages.count; i++) {
    doc.switchToPage(pages.start + i)
    // Writing below the bottom margin would start a new page: lift the margin for the footer line.
    doc.page.margins.bottom = 0
    doc.font(regular).fontSize(8).fillColor('#666')
      .text(footer(i + 1, pages.count), left, doc.page.height - A4_MARGIN / 2 - 8, { width, align: 'center', lineBreak: false })
      .fillColor('black')
  }
  doc.end()
  await done
  return { locale, cjkFont: cjk }
}
