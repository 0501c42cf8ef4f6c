// Catalog: products, their barcodes (several per product, each with a pack quantity) and tax rates.
import { z } from 'zod'
import type { BarcodeParse } from '../../shared/barcode'
import type { ProductHit } from '../../shared/api/views'
import { refuse } from '../../shared/result'
import { prepareCached, type Db } from '../ledger/db'

export const catalogFileSchema = z.object({
  taxRates: z.array(z.object({ id: z.string().min(1), name: z.string().min(1), ratePpm: z.number().int().min(0).max(1_000_000) })).min(1),
  products: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().min(1),
      nameZh: z.string().optional(),
      pricing: z.enum(['unit', 'weight']),
      /** Unit price, or price per kilogram for pricing 'weight'; integer minor units. */
      priceMinor: z.number().int().min(0),
      taxRateId: z.string().min(1),
      /** Item reference carried in in-store variable-measure codes (prefixes 02, 20-29). */
      plu: z.string().regex(/^\d{4,6}$/).optional(),
      barcodes: z.array(z.object({ code: z.string().regex(/^\d{8,14}$|^[A-Za-z0-9-]{1,40}$/), packQty: z.number().int().min(1).default(1) })).default([])
    })
  )
})

export type CatalogFile = z.infer<typeof catalogFileSchema>

export interface Product {
  readonly id: string
  readonly name: string
  readonly nameZh: string | null
  readonly pricing: 'unit' | 'weight'
  readonly priceMinor: number
  readonly taxRateId: string
  readonly taxRateName: string
  readonly taxRatePpm: number
  readonly plu: string | null
}

/** What one scan puts on the sale. */
export interface ScannedItem {
  readonly product: Product
  readonly barcode: string
  /** Units to add (pack quantity for multipacks). */
  readonly quantity: number
  readonly weightGrams: number | null
  /** Set when the code itself carries the line's price (price-embedded codes). */
  readonly embeddedPriceMinor: number | null
}

interface ProductRow {
  id: string
  name: string
  name_zh: string | null
  pricing: 'unit' | 'weight'
  price_minor: number
  tax_rate_id: string
  tax_name: string
  rate_ppm: number
  plu: string | null
}

const PRODUCT_SELECT = `SELECT p.id, p.name, p.name_zh, p.pricing, p.price_minor, p.tax_rate_id, t.name AS tax_name, t.rate_ppm, p.plu
  FROM products p JOIN tax_rates t ON t.id = p.tax_rate_id`

function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    name: row.name,
    nameZh: row.name_zh,
    pricing: row.pricing,
    priceMinor: row.price_minor,
    taxRateId: row.tax_rate_id,
    taxRateName: row.tax_name,
    taxRatePpm: row.rate_ppm,
    plu: row.plu
  }
}

export class CatalogService {
  private readonly byBarcode
  private readonly byPlu
  constructor(private readonly db: Db) {
    this.byBarcode = db.prepare(`${PRODUCT_SELECT} JOIN barcodes b ON b.product_id = p.id WHERE b.code = ? AND p.active = 1`)
    this.byPlu = db.prepare(`${PRODUCT_SELECT} WHERE p.plu = ? AND p.active = 1`)
  }

  private q(sql: string) {
    return prepareCached(this.db, sql)
  }

  isEmpty(): boolean {
    return this.q('SELECT 1 FROM products LIMIT 1').get() === undefined
  }

  /** Loads a catalog file (demo store, or a store's import). Call inside a transaction. */
  importCatalog(file: CatalogFile): { products: number; barcodes: number } {
    const parsed = catalogFileSchema.parse(file)
    const insertRate = this.q('INSERT INTO tax_rates (id, name, rate_ppm) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, rate_ppm = excluded.rate_ppm')
    const insertProduct = this.q(
      `INSERT INTO products (id, name, name_zh, pricing, price_minor, tax_rate_id, plu) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, name_zh = excluded.name_zh, pricing = excluded.pricing,
         price_minor = excluded.price_minor, tax_rate_id = excluded.tax_rate_id, plu = excluded.plu`
    )
    const insertBarcode = this.q('INSERT INTO barcodes (code, product_id, pack_qty) VALUES (?, ?, ?) ON CONFLICT(code) DO UPDATE SET product_id = excluded.product_id, pack_qty = excluded.pack_qty')
    let barcodes = 0
    for (const r of parsed.taxRates) insertRate.run(r.id, r.name, r.ratePpm)
    for (const p of parsed.products) {
      insertProduct.run(p.id, p.name, p.nameZh ?? null, p.pricing, p.priceMinor, p.taxRateId, p.plu ?? null)
      for (const b of p.barcodes) {
        insertBarcode.run(b.code, p.id, b.packQty)
        barcodes++
      }
    }
    return { products: parsed.products.length, barcodes }
  }

  productById(id: string): Product | null {
    const row = this.q(`${PRODUCT_SELECT} WHERE p.id = ? AND p.active = 1`).get(id) as ProductRow | undefined
    return row ? toProduct(row) : null
  }

  /** How many active products carry a price (a currency change would relabel them all). */
  pricedProducts(): number {
    return (this.q('SELECT count(*) AS n FROM products WHERE active = 1 AND price_minor > 0').get() as { n: number }).n
  }

  /**
   * Type-ahead for the cashier: digits look up PLUs by prefix (b-tree range on the unique plu index), text looks up
   * names through the FTS5 trigram index (migration 0008), so 100,000 products answer in well under a frame. Two
   * letters are too short for trigrams: they match name prefixes only.
   */
  search(query: string, limit: number): ProductHit[] {
    const text = query.trim()
    let rows: ProductRow[]
    if (/^\d+$/.test(text)) {
      rows = this.q(`${PRODUCT_SELECT} WHERE p.plu >= ? AND p.plu < ? AND p.active = 1 ORDER BY p.plu LIMIT ?`).all(text, `${text}\u{10FFFF}`, limit) as ProductRow[]
    } else if ([...text].length >= 3) {
      // FTS5 query syntax: a phrase in double quotes (quotes inside doubled) matches the text anywhere in the name.
      const phrase = `"${text.replace(/"/g, '""')}"`
      rows = this.q(`${PRODUCT_SELECT} JOIN product_search s ON s.rowid = p.rowid WHERE product_search MATCH ? AND p.active = 1 ORDER BY s.rank LIMIT ?`).all(phrase, limit) as ProductRow[]
    } else {
      const like = `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      rows = this.q(`${PRODUCT_SELECT} WHERE (p.name LIKE ? ESCAPE '\\' OR p.name_zh LIKE ? ESCAPE '\\') AND p.active = 1 LIMIT ?`).all(like, like, limit) as ProductRow[]
    }
    return rows.map((r) => ({ id: r.id, name: r.name, nameZh: r.name_zh, plu: r.plu, pricing: r.pricing, priceMinor: r.price_minor }))
  }

  productByCode(code: string): (Product & { packQty: number }) | null {
    const row = this.byBarcode.get(code) as (ProductRow & { pack_qty?: number }) | undefined
    if (!row) return null
    const pack = this.q('SELECT pack_qty FROM barcodes WHERE code = ?').get(code) as { pack_qty: number }
    return { ...toProduct(row), packQty: pack.pack_qty }
  }

  /** Turns a parsed barcode into what it adds to the sale, or refuses with a cashier-readable message. */
  resolve(parsed: Extract<BarcodeParse, { ok: true }>): ScannedItem {
    const notFound = (code: string): never => {
      throw refuse('unknown-barcode', 'barcode.unknown', { code })
    }
    switch (parsed.kind) {
      case 'gtin':
      case 'other': {
        const key = parsed.kind === 'gtin' ? parsed.gtin : parsed.raw
        const found = this.productByCode(key) ?? (parsed.kind === 'gtin' && key.length === 14 && key.startsWith('0') ? this.productByCode(key.slice(1)) : null)
        if (!found) return notFound(parsed.raw)
        if (found.pricing === 'weight') {
          throw refuse('bad-barcode', 'barcode.sold-by-weight', { name: found.name })
        }
        return { product: found, barcode: key, quantity: found.packQty, weightGrams: null, embeddedPriceMinor: null }
      }
      case 'gs1': {
        if (!parsed.gtin) throw refuse('bad-barcode', 'barcode.no-gtin', { code: parsed.raw })
        const gtin13 = parsed.gtin.startsWith('0') ? parsed.gtin.slice(1) : parsed.gtin
        const found = this.productByCode(parsed.gtin) ?? this.productByCode(gtin13)
        if (!found) return notFound(parsed.gtin)
        if (found.pricing === 'weight') {
          if (!parsed.netWeightGrams) throw refuse('bad-barcode', 'barcode.no-weight', { name: found.name })
          return { product: found, barcode: parsed.gtin, quantity: 1, weightGrams: parsed.netWeightGrams, embeddedPriceMinor: null }
        }
        return { product: found, barcode: parsed.gtin, quantity: found.packQty, weightGrams: null, embeddedPriceMinor: null }
      }
      case 'variable': {
        const row = this.byPlu.get(parsed.itemRef) as ProductRow | undefined
        if (!row) return notFound(parsed.raw)
        const product = toProduct(row)
        if (parsed.value.kind === 'weight') {
          if (product.pricing !== 'weight') {
            throw refuse('bad-barcode', 'barcode.weight-on-unit', { code: parsed.raw, name: product.name })
          }
          if (parsed.value.grams <= 0) throw refuse('bad-barcode', 'barcode.zero-weight', { code: parsed.raw })
          return { product, barcode: parsed.raw, quantity: 1, weightGrams: parsed.value.grams, embeddedPriceMinor: null }
        }
        return { product, barcode: parsed.raw, quantity: 1, weightGrams: null, embeddedPriceMinor: parsed.value.minor }
      }
    }
  }
}
