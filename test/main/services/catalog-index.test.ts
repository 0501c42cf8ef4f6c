// The cashier's local product index ('catalog:index') on a real ledger through the api: every product sold by the
// unit exactly once across its keyset pages with its codes, weighed and inactive products left out (the till
// answers those scans itself), the version moving with an edit and 'catalog:changed' telling the cashier, and the
// back office unable to ask for it.
import { afterEach, describe, expect, it } from 'vitest'
import type { CatalogChanged, CatalogIndexPage } from '../../../src/shared/api/views'
import { saveLimits } from '../../../src/main/services/limits'
import { testTill, type TestTill } from '../../fixtures/till'

let till: TestTill | null = null
afterEach(async () => {
  await till?.cleanup()
  till = null
})

async function wholeIndex(limit: number): Promise<{ pages: CatalogIndexPage[]; codes: Map<string, { id: string; name: string; priceMinor: number; packQty: number }> }> {
  const pages: CatalogIndexPage[] = []
  let afterId: string | null = null
  do {
    const r = await till!.app.registry.dispatch('cashier', 'catalog:index', { afterId, limit })
    if (!r.ok) throw new Error(r.error.message)
    const page = r.value as CatalogIndexPage
    pages.push(page)
    afterId = page.next
  } while (afterId !== null)
  const codes = new Map<string, { id: string; name: string; priceMinor: number; packQty: number }>()
  for (const page of pages) {
    page.codes.forEach((code, j) => {
      const i = page.codeProduct[j]!
      codes.set(code, { id: page.ids[i]!, name: page.names[i]!, priceMinor: page.pricesMinor[i]!, packQty: page.packQty[j]! })
    })
  }
  return { pages, codes }
}

describe('catalog:index', () => {
  it('pages cover every active product sold by the unit once, with its codes; weighed and inactive ones are left out', async () => {
    till = testTill()
    const db = till.app.db
    db.prepare("UPDATE products SET active = 0 WHERE id = 'P018'").run()
    const { pages, codes } = await wholeIndex(7)
    const ids = pages.flatMap((p) => p.ids)
    const expected = (db.prepare("SELECT id FROM products WHERE active = 1 AND pricing = 'unit' ORDER BY id").all() as { id: string }[]).map((r) => r.id)
    expect(ids).toEqual(expected)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).not.toContain('P018')
    expect(ids.some((id) => id.startsWith('W'))).toBe(false)
    expect(new Set(pages.map((p) => p.version)).size).toBe(1)
    // What a scan of the cola would add, as the till's own catalog says.
    expect(codes.get('5901234123013')).toEqual({ id: 'P005', name: 'Cola 330 ml can', priceMinor: 99, packQty: 1 })
    const barcodes = db.prepare("SELECT count(*) AS n FROM barcodes b JOIN products p ON p.id = b.product_id WHERE p.active = 1 AND p.pricing = 'unit'").get() as { n: number }
    expect(codes.size).toBe(barcodes.n)
  })

  it('an edit moves the version and tells the cashier; the index then has the new price', async () => {
    till = testTill()
    const before = (await wholeIndex(10_000)).pages[0]!.version
    const told: CatalogChanged[] = []
    till.app.events.subscribe((event, payload) => {
      if (event === 'catalog:changed') told.push(payload as CatalogChanged)
    })
    const edited = await till.app.registry.dispatch('backoffice', 'catalog:update-product', { pin: '1234', productId: 'P005', price: '1.09' })
    expect(edited.ok).toBe(true)
    const after = await wholeIndex(10_000)
    expect(after.pages[0]!.version).toBeGreaterThan(before)
    expect(told).toEqual([{ version: after.pages[0]!.version }])
    expect(after.codes.get('5901234123013')?.priceMinor).toBe(109)
  })

  it('every page carries the store\'s limits for one line, as the till checks them on a scan', async () => {
    till = testTill()
    const { pages } = await wholeIndex(10)
    expect(pages.length).toBeGreaterThan(1)
    for (const page of pages) expect(page.limits).toEqual({ maxQuantity: 999, maxLineAmountMinor: 1_000_000 })
    saveLimits(till.app.db, { maxQuantity: 24, maxLineAmountMinor: 5_000 }, Date.now())
    const after = await wholeIndex(10_000)
    expect(after.pages[0]!.limits).toEqual({ maxQuantity: 24, maxLineAmountMinor: 5_000 })
    // A scan the till would refuse with those limits.
    const cola = await till.app.registry.dispatch('cashier', 'sale:scan', { code: '5901234123013', source: 'manual', quantity: 25 })
    expect(cola.ok).toBe(false)
  })

  it('is the cashier window\'s only: the back office and the display are refused', async () => {
    till = testTill()
    for (const window of ['backoffice', 'display'] as const) {
      const r = await till.app.registry.dispatch(window, 'catalog:index', {})
      expect(r.ok).toBe(false)
    }
  })
})
