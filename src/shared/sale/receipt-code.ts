// The code a receipt carries so a return finds its sale by a scan (issue [D] point 2). Pure: main prints it, the
// cashier page and the returns service read it.
//
//   S:<sale id>:<first 12 hex of the completion entry's journal hash>
//
// The hash part makes a code typed or forged from a sale number alone useless: it must match the sale's own
// completion entry. Printed as a QR (a 2D imager reads it; a 1D Code 128 of ~30 characters is wider than 80 mm paper
// at a readable module size). The 12 hex characters alone are also printed ("Journal 9f86d081884c", on every
// receipt since the first), so a receipt without the QR is found by typing them.

const CODE = /^S:([A-Za-z0-9._-]{1,60}):([0-9a-f]{12})$/
const JOURNAL_PREFIX = /^[0-9a-f]{12}$/

export function saleReceiptCode(saleId: string, journalHash: string): string {
  return `S:${saleId}:${journalHash.slice(0, 12).toLowerCase()}`
}

export type ReceiptCodeQuery = { readonly kind: 'code'; readonly saleId: string; readonly hashPrefix: string } | { readonly kind: 'journal'; readonly hashPrefix: string }

/** Reads a scanned or typed receipt code: the QR's full form, or the 12 hex characters printed after "Journal". */
export function parseReceiptCode(text: string): ReceiptCodeQuery | null {
  const trimmed = text.trim()
  const full = CODE.exec(trimmed)
  if (full) return { kind: 'code', saleId: full[1]!, hashPrefix: full[2]! }
  const bare = trimmed.toLowerCase()
  if (JOURNAL_PREFIX.test(bare)) return { kind: 'journal', hashPrefix: bare }
  return null
}
