// Catalog CSV bench (issue [S] point 3): 100,000 products with 1 % bad rows, on a real ledger file.
//   parse      RFC 4180 records only (parseCsv): the floor for reading the file
//   check      parse + every row checked (price, tax, SKU/PLU/barcode duplicates and owners): the preview
//   import     check + upsert of the good rows and their barcodes (FTS5 name index kept by triggers) + journal, one
//              synchronous transaction
//   re-import  the same file again: idempotent by SKU, nothing written but the import's journal entry
//   floor      a bare INSERT of the same rows into a plain STRICT table in one transaction, no index, no checks
import { gtinCheckDigit } from '../src/shared/barcode'
import { systemClock } from '../src/shared/clock'
import { checkCatalogCsv, importCatalogCsv, parseCsv } from '../src/main/services/catalog-csv'
import { tempLedger } from '../test/fixtures/ledger'

export interface BenchCatalogResult {
  readonly products: number
  readonly badRows: number
  readonly megabytes: number
  readonly rows: readonly { readonly step: string; readonly ms: number }[]
}

function catalogCsv(products: number): { csv: string; bad: number } {
  const lines = ['sku,name,name_zh,price,tax_rate,sold_by,plu,barcodes']
  let bad = 0
  for (let i = 0; i < products; i++) {
    if (i % 100 === 99) {
      bad++
      lines.push(`SKU${i},Product ${i},,1.999,std,unit,,`)
      continue
    }
    const code = `${500000000000 + i}`
    lines.push(`SKU${i},"Product ${i}, assorted",商品${i},${(i % 5000) + 1}.${String(i % 100).padStart(2, '0')},${i % 2 ? 'std' : 'food'},unit,${900000 + i},${code}${gtinCheckDigit(code)}`)
  }
  return { csv: lines.join('\n'), bad }
}

function time(fn: () => void): number {
  const start = performance.now()
  fn()
  return performance.now() - start
}

export async function benchCatalog(products = 100_000): Promise<BenchCatalogResult> {
  const { csv, bad } = catalogCsv(products)
  const ledger = tempLedger()
  const db = ledger.db
  db.prepare("INSERT INTO tax_rates (id, name, rate_ppm) VALUES ('std', 'Standard', 82500), ('food', 'Food', 22500)").run()
  const ctx = { db, clock: systemClock, tillId: 'T1', currency: 'USD', staffId: 'M1' }
  const rows: { step: string; ms: number }[] = []
  let records = 0
  rows.push({ step: 'parse', ms: time(() => { for (const _ of parseCsv(csv)) records++ }) })
  let badFound = 0
  rows.push({ step: 'check', ms: time(() => { badFound = checkCatalogCsv(db, csv, 'USD').badRows.length }) })
  if (badFound !== bad || records !== products + 1) throw new Error(`bench catalog: found ${badFound} bad rows of ${bad}, ${records} records`)
  rows.push({ step: 'import', ms: time(() => importCatalogCsv(ctx, csv, true)) })
  rows.push({ step: 're-import', ms: time(() => importCatalogCsv(ctx, csv, true)) })
  db.exec('CREATE TABLE floor (id TEXT PRIMARY KEY, name TEXT, name_zh TEXT, price_minor INTEGER, tax TEXT, plu TEXT, code TEXT) STRICT')
  const insert = db.prepare('INSERT INTO floor VALUES (?, ?, ?, ?, ?, ?, ?)')
  rows.push({
    step: 'floor',
    ms: time(() => db.transaction(() => { for (let i = 0; i < products; i++) insert.run(`SKU${i}`, `Product ${i}`, `商品${i}`, i, 'std', `${900000 + i}`, `${500000000000 + i}`) })())
  })
  ledger.cleanup()
  return { products, badRows: bad, megabytes: Buffer.byteLength(csv) / 1e6, rows }
}
