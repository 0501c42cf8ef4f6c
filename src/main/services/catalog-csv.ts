// The catalog as a CSV file (issue [S] point 3): import with a preview of every bad row, export, and editing one
// product; every price and tax change journaled, like a sale.
//
// Columns (the header names them, in any order; UTF-8, comma-separated, RFC 4180 quoting):
//   sku       required. The product's id: 1-40 of A-Z a-z 0-9 . _ -. Importing the same SKU again updates it, so
//             importing a file twice changes nothing the second time.
//   name      required. The name in English (the till's default language).
//   name_zh   optional. The name in Simplified Chinese.
//   price     required. Decimal text in the store currency ("1.99", "1,99", "120" for JPY), per kilogram when
//             sold_by is weight. Parsed exactly into minor units; more decimals than the currency has is refused.
//   tax_rate  required. The id of one of the store's tax rates.
//   sold_by   optional. unit (default) or weight.
//   plu       optional. 4-6 digits, the item reference in scale labels and the cashier's look-up.
//   barcodes  optional. Codes separated by spaces or semicolons; code*6 is a pack of 6. When the column is present
//             the product's barcodes become exactly these.
import { createHash } from 'node:crypto'
import { isValidGtin } from '../../shared/barcode'
import type { CatalogBadRow, CatalogImportPreview, CatalogImportResult, CatalogProductView } from '../../shared/api/views'
import type { Clock } from '../../shared/clock'
import { currencyExponent, formatMinorPlain, parseMinor } from '../../shared/money'
import { refuse } from '../../shared/result'
import type { MessageId } from '../../shared/messages'
import { prepareCached, type Db } from '../ledger/db'
import { appendJournal } from '../ledger/journal'
import { journalState } from '../ledger/money-state'

export const CSV_COLUMNS = ['sku', 'name', 'name_zh', 'price', 'tax_rate', 'sold_by', 'plu', 'barcodes'] as const
const REQUIRED = ['sku', 'name', 'price', 'tax_rate'] as const

/**
 * RFC 4180 fields: quoted fields may hold commas, doubled quotes and line breaks. Yields each record with the line
 * it starts on. A BOM at the start is skipped (spreadsheets write one).
 */
export function* parseCsv(text: string): Generator<{ line: number; fields: string[] }> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let line = 1
  const n = text.length
  while (i < n) {
    const start = line
    const fields: string[] = []
    for (;;) {
      let field = ''
      if (text[i] === '"') {
        i++
        for (;;) {
          const q = text.indexOf('"', i)
          if (q < 0) {
            field += text.slice(i)
            i = n
            break
          }
          const chunk = text.slice(i, q)
          for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++
          field += chunk
          if (text[q + 1] === '"') {
            field += '"'
            i = q + 2
          } else {
            i = q + 1
            break
          }
        }
        // Anything between the closing quote and the separator is kept, as most readers do.
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++]
      } else {
        let j = i
        while (j < n) {
          const c = text.charCodeAt(j)
          if (c === 44 || c === 10 || c === 13) break
          j++
        }
        field = text.slice(i, j)
        i = j
      }
      fields.push(field)
      if (i < n && text[i] === ',') {
        i++
        continue
      }
      break
    }
    if (text[i] === '\r') i++
    if (text[i] === '\n') i++
    line++
    // A blank line (a lone empty field) is no record.
    if (!(fields.length === 1 && fields[0] === '')) yield { line: start, fields }
  }
}

export interface CatalogRow {
  readonly sku: string
  readonly name: string
  readonly nameZh: string | null
  readonly priceMinor: number
  readonly taxRateId: string
  readonly pricing: 'unit' | 'weight'
  readonly plu: string | null
  /** null: the file has no barcodes column, so the product's barcodes stay as they are. */
  readonly barcodes: readonly { readonly code: string; readonly packQty: number }[] | null
}

interface ExistingProduct {
  id: string
  name: string
  name_zh: string | null
  pricing: 'unit' | 'weight'
  price_minor: number
  tax_rate_id: string
  plu: string | null
  active: 0 | 1
}

const SKU = /^[A-Za-z0-9._-]{1,40}$/
const CODE = /^\d{8,14}$|^[A-Za-z0-9-]{1,40}$/

/** A code the till can scan: a GTIN length of digits must carry its right check digit, or no scan would ever match. */
export function isScannableCode(code: string): boolean {
  if (!CODE.test(code)) return false
  return !/^(\d{8}|\d{12,14})$/.test(code) || isValidGtin(code)
}

function bad(line: number, sku: string, reason: MessageId, values: Record<string, string | number> = {}): CatalogBadRow {
  return { line, sku, reason, values }
}

export interface ParsedCatalog {
  readonly rows: CatalogRow[]
  readonly badRows: CatalogBadRow[]
  readonly total: number
}

/** Reads and checks every row against the file itself and the ledger (tax rates, PLUs and barcodes of others). */
export function checkCatalogCsv(db: Db, text: string, currency: string): ParsedCatalog {
  const records = parseCsv(text)
  const first = records.next()
  if (first.done) throw refuse('invalid-input', 'catalog.bad-header', { columns: REQUIRED.join(', '), missing: REQUIRED[0] })
  const header = first.value.fields.map((h) => h.trim().toLowerCase())
  for (const column of REQUIRED) {
    if (!header.includes(column)) throw refuse('invalid-input', 'catalog.bad-header', { columns: REQUIRED.join(', '), missing: column })
  }
  const at = (name: (typeof CSV_COLUMNS)[number]) => header.indexOf(name)
  const col = { sku: at('sku'), name: at('name'), nameZh: at('name_zh'), price: at('price'), tax: at('tax_rate'), soldBy: at('sold_by'), plu: at('plu'), barcodes: at('barcodes') }
  const rates = (db.prepare('SELECT id FROM tax_rates ORDER BY id').all() as { id: string }[]).map((r) => r.id)
  const rateSet = new Set(rates)
  const example = formatMinorPlain(199 * 10 ** Math.max(0, currencyExponent(currency) - 2), currency)
  // Who owns each PLU and barcode now; a row may take one over only from itself.
  const pluOwner = new Map((db.prepare('SELECT plu, id FROM products WHERE plu IS NOT NULL').all() as { plu: string; id: string }[]).map((r) => [r.plu, r.id]))
  const codeOwner = new Map((db.prepare('SELECT code, product_id FROM barcodes').all() as { code: string; product_id: string }[]).map((r) => [r.code, r.product_id]))
  const skuLine = new Map<string, number>()
  const pluLine = new Map<string, number>()
  const codeLine = new Map<string, number>()
  const rows: CatalogRow[] = []
  const badRows: CatalogBadRow[] = []
  let total = 0
  for (const { line, fields } of records) {
    total++
    const get = (index: number) => (index >= 0 ? (fields[index] ?? '').trim() : '')
    const sku = get(col.sku)
    if (fields.length !== header.length) {
      badRows.push(bad(line, sku, 'catalog.row-columns', { found: fields.length, expected: header.length }))
      continue
    }
    if (!SKU.test(sku)) {
      badRows.push(bad(line, sku, 'catalog.bad-sku', { sku }))
      continue
    }
    const seen = skuLine.get(sku)
    if (seen !== undefined) {
      badRows.push(bad(line, sku, 'catalog.duplicate-sku', { sku, other: seen }))
      continue
    }
    skuLine.set(sku, line)
    const name = get(col.name)
    if (!name || name.length > 120) {
      badRows.push(bad(line, sku, 'catalog.no-name'))
      continue
    }
    const priceText = get(col.price)
    const priceMinor = parseMinor(priceText, currency)
    if (priceMinor === null) {
      badRows.push(bad(line, sku, 'catalog.bad-price', { price: priceText, currency, example }))
      continue
    }
    const tax = get(col.tax)
    if (!rateSet.has(tax)) {
      badRows.push(bad(line, sku, 'catalog.bad-tax', { tax, rates: rates.join(', ') }))
      continue
    }
    const soldBy = get(col.soldBy).toLowerCase() || 'unit'
    if (soldBy !== 'unit' && soldBy !== 'weight') {
      badRows.push(bad(line, sku, 'catalog.bad-pricing', { pricing: soldBy }))
      continue
    }
    const plu = get(col.plu) || null
    if (plu !== null) {
      if (!/^\d{4,6}$/.test(plu)) {
        badRows.push(bad(line, sku, 'catalog.bad-plu', { plu }))
        continue
      }
      const other = pluLine.get(plu)
      if (other !== undefined) {
        badRows.push(bad(line, sku, 'catalog.duplicate-plu', { plu, other }))
        continue
      }
      const owner = pluOwner.get(plu)
      if (owner !== undefined && owner !== sku) {
        badRows.push(bad(line, sku, 'catalog.plu-taken', { plu, owner }))
        continue
      }
    }
    let barcodes: { code: string; packQty: number }[] | null = null
    let barcodeProblem: CatalogBadRow | null = null
    if (col.barcodes >= 0) {
      barcodes = []
      for (const item of get(col.barcodes).split(/[\s;]+/)) {
        if (!item) continue
        const m = /^([^*]+)(?:\*(\d{1,4}))?$/.exec(item)
        const code = m?.[1] ?? item
        const packQty = m?.[2] ? Number(m[2]) : 1
        if (!m || !isScannableCode(code) || packQty < 1) {
          barcodeProblem = bad(line, sku, 'catalog.bad-barcode', { code: item })
          break
        }
        const other = codeLine.get(code)
        if (other !== undefined) {
          barcodeProblem = bad(line, sku, 'catalog.duplicate-barcode', { code, other })
          break
        }
        const owner = codeOwner.get(code)
        if (owner !== undefined && owner !== sku) {
          barcodeProblem = bad(line, sku, 'catalog.barcode-taken', { code, owner })
          break
        }
        barcodes.push({ code, packQty })
      }
    }
    if (barcodeProblem) {
      badRows.push(barcodeProblem)
      continue
    }
    if (plu !== null) pluLine.set(plu, line)
    for (const b of barcodes ?? []) codeLine.set(b.code, line)
    const nameZh = get(col.nameZh) || null
    rows.push({ sku, name, nameZh, priceMinor, taxRateId: tax, pricing: soldBy, plu, barcodes })
  }
  return { rows, badRows, total }
}

interface Existing {
  readonly products: Map<string, ExistingProduct>
  /** Each product's barcodes as one sorted key ("code*qty code*qty"), to tell an unchanged row from a changed one. */
  readonly codes: Map<string, string>
}

function codesKey(codes: readonly { readonly code: string; readonly packQty: number }[]): string {
  return codes.map((b) => `${b.code}*${b.packQty}`).sort().join(' ')
}

function existingProducts(db: Db): Existing {
  const rows = db.prepare('SELECT id, name, name_zh, pricing, price_minor, tax_rate_id, plu, active FROM products').all() as ExistingProduct[]
  const lists = new Map<string, { code: string; packQty: number }[]>()
  for (const b of db.prepare('SELECT code, product_id, pack_qty FROM barcodes').iterate() as Iterable<{ code: string; product_id: string; pack_qty: number }>) {
    const list = lists.get(b.product_id) ?? []
    list.push({ code: b.code, packQty: b.pack_qty })
    lists.set(b.product_id, list)
  }
  return { products: new Map(rows.map((r) => [r.id, r])), codes: new Map([...lists].map(([id, list]) => [id, codesKey(list)])) }
}

/** Whether importing `row` would change nothing (barcodes included, when the file has the column). */
function unchanged(row: CatalogRow, existing: Existing): boolean {
  const p = existing.products.get(row.sku)
  if (!p || !sameProduct(row, p)) return false
  return row.barcodes === null || codesKey(row.barcodes) === (existing.codes.get(row.sku) ?? '')
}

function sameProduct(row: CatalogRow, p: ExistingProduct): boolean {
  return p.name === row.name && p.name_zh === row.nameZh && p.pricing === row.pricing && p.price_minor === row.priceMinor && p.tax_rate_id === row.taxRateId && p.plu === row.plu && p.active === 1
}

export function previewCatalogCsv(db: Db, text: string, currency: string): CatalogImportPreview & { parsed: ParsedCatalog; existing: Existing } {
  const parsed = checkCatalogCsv(db, text, currency)
  const existing = existingProducts(db)
  let fresh = 0
  let changed = 0
  let same = 0
  for (const row of parsed.rows) {
    if (!existing.products.has(row.sku)) fresh++
    else if (unchanged(row, existing)) same++
    else changed++
  }
  return { rows: parsed.total, valid: parsed.rows.length, newProducts: fresh, changedProducts: changed, unchangedProducts: same, badRows: parsed.badRows, parsed, existing }
}

export interface CatalogWriteContext {
  readonly db: Db
  readonly clock: Clock
  readonly tillId: string
  readonly currency: string
  readonly staffId: string
}

/**
 * Imports the file's good rows in one transaction. Refused while any row is bad unless `skipBadRows` (the preview
 * showed them). Each existing product whose price or tax rate changes gets its own 'catalog.price-changed' entry;
 * one 'catalog.imported' entry carries the counts and a SHA-256 of every imported row's SKU, price and tax rate, so
 * the journal pins the prices the new products started with too.
 */
export function importCatalogCsv(ctx: CatalogWriteContext, text: string, skipBadRows: boolean): CatalogImportResult {
  const preview = previewCatalogCsv(ctx.db, text, ctx.currency)
  const { parsed, existing, ...summary } = preview
  if (parsed.badRows.length > 0 && !skipBadRows) throw refuse('invalid-input', 'catalog.has-bad-rows', { count: parsed.badRows.length })
  const { db } = ctx
  const upsert = prepareCached(
    db,
    `INSERT INTO products (id, name, name_zh, pricing, price_minor, tax_rate_id, plu, active) VALUES (?, ?, ?, ?, ?, ?, ?, 1)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_zh = excluded.name_zh, pricing = excluded.pricing,
       price_minor = excluded.price_minor, tax_rate_id = excluded.tax_rate_id, plu = excluded.plu, active = 1`
  )
  const clearPlu = prepareCached(db, 'UPDATE products SET plu = NULL WHERE id = ?')
  const dropCodes = prepareCached(db, 'DELETE FROM barcodes WHERE product_id = ?')
  const putCode = prepareCached(db, 'INSERT INTO barcodes (code, product_id, pack_qty) VALUES (?, ?, ?) ON CONFLICT(code) DO UPDATE SET product_id = excluded.product_id, pack_qty = excluded.pack_qty')
  const digest = createHash('sha256')
  let imported = 0
  const journalSeq = db.transaction(() => {
    const now = ctx.clock.now()
    // A PLU moving between two products of the file would hit the unique index mid-way: clear the moving ones first.
    for (const row of parsed.rows) {
      const p = existing.products.get(row.sku)
      if (p && p.plu !== null && p.plu !== row.plu) clearPlu.run(row.sku)
    }
    for (const row of parsed.rows) {
      const p = existing.products.get(row.sku)
      digest.update(`${row.sku}\t${row.priceMinor}\t${row.taxRateId}\n`)
      if (unchanged(row, existing)) continue
      upsert.run(row.sku, row.name, row.nameZh, row.pricing, row.priceMinor, row.taxRateId, row.plu)
      if (row.barcodes !== null) {
        dropCodes.run(row.sku)
        for (const b of row.barcodes) putCode.run(b.code, row.sku, b.packQty)
      }
      if (p && (p.price_minor !== row.priceMinor || p.tax_rate_id !== row.taxRateId)) {
        appendJournal(db, { at: now, tillId: ctx.tillId, kind: 'catalog.price-changed', payload: { productId: row.sku, fromPriceMinor: p.price_minor, toPriceMinor: row.priceMinor, fromTaxRateId: p.tax_rate_id, toTaxRateId: row.taxRateId, currency: ctx.currency, staffId: ctx.staffId, via: 'import' } })
      }
      imported++
    }
    const entry = appendJournal(db, {
      at: now,
      tillId: ctx.tillId,
      kind: 'catalog.imported',
      payload: { rows: summary.rows, newProducts: summary.newProducts, changedProducts: summary.changedProducts, badRows: parsed.badRows.length, rowsSha256: digest.digest('hex'), currency: ctx.currency, staffId: ctx.staffId }
    })
    // As for an edit (updateProduct): the catalog's digest after the import, or the next start reports it as edited.
    journalState(db, 'catalog', { at: now, tillId: ctx.tillId, reason: 'catalog import' })
    return entry.seq
  }).immediate()
  return { ...summary, imported, journalSeq }
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value
}

/** The whole catalog in the import's own columns, so an export imported again changes nothing. */
export function exportCatalogCsv(db: Db, currency: string): { csv: string; products: number } {
  const products = db.prepare('SELECT id, name, name_zh, pricing, price_minor, tax_rate_id, plu FROM products WHERE active = 1 ORDER BY id').all() as ExistingProduct[]
  const codes = new Map<string, string[]>()
  for (const b of db.prepare('SELECT code, product_id, pack_qty FROM barcodes ORDER BY product_id, code').iterate() as Iterable<{ code: string; product_id: string; pack_qty: number }>) {
    const list = codes.get(b.product_id) ?? []
    list.push(b.pack_qty === 1 ? b.code : `${b.code}*${b.pack_qty}`)
    codes.set(b.product_id, list)
  }
  const lines = [CSV_COLUMNS.join(',')]
  for (const p of products) {
    lines.push([p.id, p.name, p.name_zh ?? '', formatMinorPlain(p.price_minor, currency), p.tax_rate_id, p.pricing, p.plu ?? '', (codes.get(p.id) ?? []).join(' ')].map(csvField).join(','))
  }
  return { csv: `${lines.join('\n')}\n`, products: products.length }
}

export function productView(db: Db, productId: string): CatalogProductView {
  const p = prepareCached(db, 'SELECT id, name, name_zh, pricing, price_minor, tax_rate_id, plu, active FROM products WHERE id = ?').get(productId) as ExistingProduct | undefined
  if (!p) throw refuse('not-found', 'catalog.product-unknown', { productId })
  const barcodes = prepareCached(db, 'SELECT code, pack_qty FROM barcodes WHERE product_id = ? ORDER BY code').all(productId) as { code: string; pack_qty: number }[]
  return { id: p.id, name: p.name, nameZh: p.name_zh, pricing: p.pricing, priceMinor: p.price_minor, taxRateId: p.tax_rate_id, plu: p.plu, active: p.active === 1, barcodes: barcodes.map((b) => ({ code: b.code, packQty: b.pack_qty })) }
}

export interface ProductChanges {
  readonly name?: string
  readonly nameZh?: string | null
  readonly price?: string
  readonly taxRateId?: string
  readonly pricing?: 'unit' | 'weight'
  readonly plu?: string | null
  readonly barcodes?: readonly { readonly code: string; readonly packQty: number }[]
  readonly active?: boolean
}

/** Edits one product in one transaction; a price or tax change is a 'catalog.price-changed' journal entry. */
export function updateProduct(ctx: CatalogWriteContext, productId: string, changes: ProductChanges): CatalogProductView {
  const { db } = ctx
  const before = productView(db, productId)
  let priceMinor = before.priceMinor
  if (changes.price !== undefined) {
    const parsed = parseMinor(changes.price, ctx.currency)
    if (parsed === null) throw refuse('invalid-input', 'catalog.bad-price', { price: changes.price, currency: ctx.currency, example: formatMinorPlain(199 * 10 ** Math.max(0, currencyExponent(ctx.currency) - 2), ctx.currency) })
    priceMinor = parsed
  }
  const taxRateId = changes.taxRateId ?? before.taxRateId
  if (changes.taxRateId !== undefined) {
    const rates = (db.prepare('SELECT id FROM tax_rates ORDER BY id').all() as { id: string }[]).map((r) => r.id)
    if (!rates.includes(taxRateId)) throw refuse('invalid-input', 'catalog.bad-tax', { tax: taxRateId, rates: rates.join(', ') })
  }
  const plu = changes.plu !== undefined ? changes.plu : before.plu
  if (plu !== null && plu !== before.plu) {
    const owner = prepareCached(db, 'SELECT id FROM products WHERE plu = ? AND id <> ?').get(plu, productId) as { id: string } | undefined
    if (owner) throw refuse('conflict', 'catalog.plu-taken', { plu, owner: owner.id })
  }
  for (const b of changes.barcodes ?? []) {
    if (!isScannableCode(b.code)) throw refuse('invalid-input', 'catalog.bad-barcode', { code: b.code })
    const owner = prepareCached(db, 'SELECT product_id FROM barcodes WHERE code = ? AND product_id <> ?').get(b.code, productId) as { product_id: string } | undefined
    if (owner) throw refuse('conflict', 'catalog.barcode-taken', { code: b.code, owner: owner.product_id })
  }
  db.transaction(() => {
    const now = ctx.clock.now()
    prepareCached(db, 'UPDATE products SET name = ?, name_zh = ?, pricing = ?, price_minor = ?, tax_rate_id = ?, plu = ?, active = ? WHERE id = ?').run(
      changes.name ?? before.name,
      changes.nameZh !== undefined ? changes.nameZh || null : before.nameZh,
      changes.pricing ?? before.pricing,
      priceMinor,
      taxRateId,
      plu,
      (changes.active ?? before.active) ? 1 : 0,
      productId
    )
    if (changes.barcodes) {
      prepareCached(db, 'DELETE FROM barcodes WHERE product_id = ?').run(productId)
      for (const b of changes.barcodes) prepareCached(db, 'INSERT INTO barcodes (code, product_id, pack_qty) VALUES (?, ?, ?)').run(b.code, productId, b.packQty)
    }
    if (priceMinor !== before.priceMinor || taxRateId !== before.taxRateId) {
      appendJournal(db, { at: now, tillId: ctx.tillId, kind: 'catalog.price-changed', payload: { productId, fromPriceMinor: before.priceMinor, toPriceMinor: priceMinor, fromTaxRateId: before.taxRateId, toTaxRateId: taxRateId, currency: ctx.currency, staffId: ctx.staffId, via: 'edit' } })
    }
    const other = { name: changes.name, nameZh: changes.nameZh, pricing: changes.pricing, plu: changes.plu, active: changes.active, barcodes: changes.barcodes?.map((b) => `${b.code}*${b.packQty}`) }
    if (Object.values(other).some((v) => v !== undefined)) {
      appendJournal(db, { at: now, tillId: ctx.tillId, kind: 'catalog.product-changed', payload: { productId, staffId: ctx.staffId, ...other } })
    }
    // The digest of the catalog as the edit left it (ledger/money-state.ts): without it the next start found the
    // catalog "changed after entry N recorded it, without a journal entry" and the day could not close.
    journalState(db, 'catalog', { at: now, tillId: ctx.tillId, reason: `product ${productId} edited` })
  }).immediate()
  return productView(db, productId)
}
