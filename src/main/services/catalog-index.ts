// The cashier's local product index ('catalog:index', issue [R]): a page at a time, read-only. The cashier draws a
// scanned row from it in the Enter's own task, before the till has answered; the till's answer stays the truth.
import type { CatalogIndexPage } from '../../shared/api/views'
import { prepareCached, type Db } from '../ledger/db'
import { readLimits } from './limits'

/**
 * Journal kinds that record a catalog change: an import, a price or other product edit, and the digest entry that
 * follows every change of the catalog's tables (ledger/money-state.ts STATE_DOMAINS.catalog, tax rates included).
 */
const CATALOG_KINDS = ['catalog.imported', 'catalog.price-changed', 'catalog.product-changed', 'state.catalog'] as const

/** The newest catalog entry's seq: moves with every journaled catalog change (index journal_kind_seq, no scan). */
export function catalogVersion(db: Db): number {
  let version = 0
  // One MAX per kind: each is a single seek at the end of that kind's run in the (kind, seq) index.
  for (const kind of CATALOG_KINDS) {
    const row = prepareCached(db, 'SELECT max(seq) AS seq FROM journal WHERE kind = ?').get(kind) as { seq: number | null }
    if (row.seq !== null && row.seq > version) version = row.seq
  }
  return version
}

interface IndexRow {
  id: string
  name: string
  name_zh: string | null
  price_minor: number
  plu: string | null
  code: string | null
  pack_qty: number | null
}

/**
 * Up to `limit` active unit-priced products after `afterId` (by id, the primary key), with their barcodes. One
 * statement, so a page is one consistent read; the version comes with it so the page can tell when pages of one
 * load straddle a change.
 */
export function catalogIndexPage(db: Db, afterId: string | null, limit: number): CatalogIndexPage {
  const rows = prepareCached(
    db,
    `SELECT p.id, p.name, p.name_zh, p.price_minor, p.plu, b.code, b.pack_qty
       FROM (SELECT id, name, name_zh, price_minor, plu FROM products
              WHERE active = 1 AND pricing = 'unit' AND id > ? ORDER BY id LIMIT ?) p
       LEFT JOIN barcodes b ON b.product_id = p.id
      ORDER BY p.id`
  ).all(afterId ?? '', limit) as IndexRow[]
  const ids: string[] = []
  const names: string[] = []
  const namesZh: (string | null)[] = []
  const pricesMinor: number[] = []
  const plus: (string | null)[] = []
  const codes: string[] = []
  const codeProduct: number[] = []
  const packQty: number[] = []
  for (const row of rows) {
    if (ids.at(-1) !== row.id) {
      ids.push(row.id)
      names.push(row.name)
      namesZh.push(row.name_zh)
      pricesMinor.push(row.price_minor)
      plus.push(row.plu)
    }
    if (row.code !== null) {
      codes.push(row.code)
      codeProduct.push(ids.length - 1)
      packQty.push(row.pack_qty ?? 1)
    }
  }
  const { maxQuantity, maxLineAmountMinor } = readLimits(db)
  return { version: catalogVersion(db), ids, names, namesZh, pricesMinor, plus, codes, codeProduct, packQty, next: ids.length === limit ? ids.at(-1)! : null, limits: { maxQuantity, maxLineAmountMinor } }
}
