// The catalog as CSV through the api, on a real ledger: a preview that lists every bad row before anything is saved,
// an import idempotent by SKU, prices parsed exactly, price and tax changes journaled (and the journal verifies).
import { afterEach, describe, expect, it } from 'vitest'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { checkState } from '../../../src/main/ledger/money-state'
import { parseCsv } from '../../../src/main/services/catalog-csv'
import { gtinCheckDigit } from '../../../src/shared/barcode'
import { testTill, type TestTill } from '../../fixtures/till'

let till: TestTill | null = null
afterEach(async () => {
  await till?.cleanup()
  till = null
})

const bo = (name: string, input: unknown = {}) => till!.app.registry.dispatch('backoffice', name, input)
const gtin13 = (first12: number) => `${first12}${gtinCheckDigit(String(first12))}`
const count = (sql: string) => (till!.app.db.prepare(sql).get() as { n: number }).n

const FILE = [
  'sku,name,name_zh,price,tax_rate,sold_by,plu,barcodes',
  'TEA-1,"Green tea, 20 bags",绿茶,3.10,food,unit,,4006381333931',
  'TEA-2,Black tea,红茶,"2,05",food,unit,,4006381333948*6 TEA2-BOX',
  'APL,Apples,苹果,4.99,food,weight,4131,',
  'BAD-1,Too precise,,1.999,food,unit,,',
  'BAD-2,Unknown tax,,1.00,luxury,unit,,',
  'TEA-1,Duplicate,,1.00,food,unit,,',
  'bad sku!,Name,,1.00,food,unit,,',
  'BAD-3,Taken barcode,,1.00,food,unit,,5901234123013',
  'BAD-4,,,1.00,food,unit,,',
  'BAD-5,Short row,1.00',
  'BAD-6,Bad check digit,,1.00,food,unit,,4006381333932'
].join('\n')

describe('catalog CSV', () => {
  it('the preview lists every bad row with its reason and saves nothing; the import is refused until they are dealt with', async () => {
    till = testTill()
    const before = count('SELECT count(*) AS n FROM products')
    const preview = await bo('catalog:import-preview', { csv: FILE })
    expect(preview).toMatchObject({ ok: true, value: { rows: 11, valid: 3, newProducts: 3, changedProducts: 0 } })
    const badRows = (preview as { value: { badRows: { line: number; sku: string; reason: string; values: Record<string, unknown> }[] } }).value.badRows
    expect(badRows.map((b) => [b.line, b.reason])).toEqual([
      [5, 'catalog.bad-price'],
      [6, 'catalog.bad-tax'],
      [7, 'catalog.duplicate-sku'],
      [8, 'catalog.bad-sku'],
      [9, 'catalog.barcode-taken'],
      [10, 'catalog.no-name'],
      [11, 'catalog.row-columns'],
      [12, 'catalog.bad-barcode']
    ])
    expect(badRows[0]!.values).toMatchObject({ price: '1.999', currency: 'USD', example: '1.99' })
    expect(badRows[2]!.values).toMatchObject({ other: 2 })
    expect(badRows[4]!.values).toMatchObject({ code: '5901234123013' })
    expect(count('SELECT count(*) AS n FROM products')).toBe(before)

    expect(await bo('catalog:import', { csv: FILE, pin: '1234' })).toMatchObject({ ok: false, error: { key: 'catalog.has-bad-rows', detail: { count: 8 } } })
    expect(count('SELECT count(*) AS n FROM products')).toBe(before)
    const done = await bo('catalog:import', { csv: FILE, pin: '1234', skipBadRows: true })
    expect(done).toMatchObject({ ok: true, value: { imported: 3, newProducts: 3 } })
    expect(await bo('catalog:product', { productId: 'TEA-2' })).toMatchObject({
      ok: true,
      value: { name: 'Black tea', nameZh: '红茶', priceMinor: 205, taxRateId: 'food', barcodes: [{ code: '4006381333948', packQty: 6 }, { code: 'TEA2-BOX', packQty: 1 }] }
    })
    expect(await bo('catalog:product', { productId: 'TEA-1' })).toMatchObject({ ok: true, value: { name: 'Green tea, 20 bags', priceMinor: 310 } })
    expect(await bo('catalog:product', { productId: 'APL' })).toMatchObject({ ok: true, value: { pricing: 'weight', plu: '4131', priceMinor: 499 } })
    // The multipack barcode sells six at the till.
    expect(till.app.sales.scan('4006381333948', 'wedge')).toMatchObject({ lines: [{ quantity: 6, unitPriceMinor: 205 }] })
  })

  it('is idempotent by SKU; a price change by import or by edit is journaled and the journal verifies; export imports back unchanged', async () => {
    till = testTill()
    const good = FILE.split('\n').slice(0, 4).join('\n')
    await bo('catalog:import', { csv: good, pin: '1234' })
    const entries = count('SELECT count(*) AS n FROM journal')
    expect(await bo('catalog:import', { csv: good, pin: '1234' })).toMatchObject({ ok: true, value: { newProducts: 0, changedProducts: 0, unchangedProducts: 3 } })
    expect(count("SELECT count(*) AS n FROM journal WHERE kind = 'catalog.price-changed'")).toBe(0)
    expect(count('SELECT count(*) AS n FROM journal')).toBe(entries + 3) // the approval, the import's own entry and the catalog's digest

    const repriced = good.replace('3.10,food', '3.25,std')
    expect(await bo('catalog:import', { csv: repriced, pin: '1234' })).toMatchObject({ ok: true, value: { changedProducts: 1 } })
    expect(await bo('catalog:update-product', { pin: '1111', productId: 'TEA-2', price: '2.10' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await bo('catalog:update-product', { pin: '1234', productId: 'TEA-2', price: '2.1O' })).toMatchObject({ ok: false, error: { key: 'catalog.bad-price' } })
    expect(await bo('catalog:update-product', { pin: '1234', productId: 'TEA-2', price: '2.10', name: 'Black tea (loose)' })).toMatchObject({ ok: true, value: { priceMinor: 210, name: 'Black tea (loose)' } })
    const changes = (till.app.db.prepare("SELECT payload FROM journal WHERE kind = 'catalog.price-changed' ORDER BY seq").all() as { payload: string }[]).map((r) => JSON.parse(r.payload) as unknown)
    expect(changes).toEqual([
      { productId: 'TEA-1', fromPriceMinor: 310, toPriceMinor: 325, fromTaxRateId: 'food', toTaxRateId: 'std', currency: 'USD', staffId: 'M1', via: 'import' },
      { productId: 'TEA-2', fromPriceMinor: 205, toPriceMinor: 210, fromTaxRateId: 'food', toTaxRateId: 'food', currency: 'USD', staffId: 'M1', via: 'edit' }
    ])
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
    const exported = (await bo('catalog:export')) as { ok: true; value: { csv: string; products: number } }
    expect(exported.value.products).toBe(count('SELECT count(*) AS n FROM products WHERE active = 1'))
    expect(exported.value.csv).toContain('TEA-1,"Green tea, 20 bags",绿茶,3.25,std,unit,,4006381333931')
    expect(await bo('catalog:import-preview', { csv: exported.value.csv })).toMatchObject({ ok: true, value: { badRows: [], newProducts: 0, changedProducts: 0 } })
  })

  it('imports 100,000 products in one go and reports exactly the bad rows', async () => {
    till = testTill()
    const lines = ['sku,name,price,tax_rate,plu,barcodes']
    const expectedBad: number[] = []
    for (let i = 0; i < 100_000; i++) {
      const line = i + 2
      if (i % 997 === 0) {
        expectedBad.push(line)
        lines.push(`SKU${i},Product ${i},12.345,std,,`)
      } else {
        lines.push(`SKU${i},Product ${i},${(i % 5000) + 1}.${String(i % 100).padStart(2, '0')},${i % 2 ? 'std' : 'food'},${900000 + i},${gtin13(500000000000 + i)}`)
      }
    }
    const csv = lines.join('\n')
    const preview = (await bo('catalog:import-preview', { csv })) as { ok: true; value: { rows: number; badRows: { line: number; reason: string }[] } }
    expect(preview.value.rows).toBe(100_000)
    expect(preview.value.badRows.map((b) => b.line)).toEqual(expectedBad)
    expect(new Set(preview.value.badRows.map((b) => b.reason))).toEqual(new Set(['catalog.bad-price']))
    const result = await bo('catalog:import', { csv, pin: '1234', skipBadRows: true })
    expect(result).toMatchObject({ ok: true, value: { imported: 100_000 - expectedBad.length } })
    expect(count("SELECT count(*) AS n FROM products WHERE id LIKE 'SKU%'")).toBe(100_000 - expectedBad.length)
    expect(till.app.sales.scan(gtin13(500000000001), 'wedge')).toMatchObject({ lines: [{ unitPriceMinor: 201 }] })
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  }, 120_000)

  it('an edit and an import each journal the catalog as they leave it, so the next start finds nothing changed behind the journal', async () => {
    till = testTill()
    expect(checkState(till.app.db)).toBeNull()
    expect(await bo('catalog:update-product', { pin: '1234', productId: 'P005', price: '1.29', barcodes: [{ code: '5901234123013', packQty: 1 }] })).toMatchObject({ ok: true })
    // Before: "the catalog (prices, tax rates, barcodes) was changed after entry 8 recorded it, without a journal entry".
    expect(checkState(till.app.db)).toBeNull()
    expect(await bo('catalog:import', { csv: FILE, pin: '1234', skipBadRows: true })).toMatchObject({ ok: true, value: { imported: 3 } })
    expect(checkState(till.app.db)).toBeNull()
    // An edit behind the journal's back is still named.
    till.app.db.prepare("UPDATE products SET price_minor = 1 WHERE id = 'P005'").run()
    expect(checkState(till.app.db)?.reason).toMatch(/catalog .* was changed after entry \d+ recorded it, without a journal entry/)
  })

  it('reads RFC 4180 quoting: commas, doubled quotes and line breaks inside fields, CRLF and a BOM', () => {
    const records = [...parseCsv('\uFEFFa,b\r\n"x, y","say ""hi""\nthere"\r\n\r\nlast,\n')]
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"\nthere'] },
      { line: 5, fields: ['last', ''] }
    ])
  })
})
