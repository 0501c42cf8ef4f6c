// The cashier's local product index: code -> what a plain scan sells, loaded from 'catalog:index' a page at a time
// after the page is ready to scan (it never delays that), and again whenever the catalog's version moves
// ('catalog:changed', 'store:changed', a reconnect, or a till answer that disagrees with it).
import { parseBarcode } from '../../shared/barcode'
import type { CatalogIndexLimits } from '../../shared/api/views'
import { api } from '../common/page'

export interface IndexedCode {
  readonly productId: string
  readonly name: string
  readonly nameZh: string | null
  readonly unitPriceMinor: number
  readonly packQty: number
  /** The code as the till stores it on the line. */
  readonly barcode: string
}

interface Entry {
  readonly product: number
  readonly packQty: number
}

interface Loaded {
  readonly version: number
  readonly ids: string[]
  readonly names: string[]
  readonly namesZh: (string | null)[]
  readonly pricesMinor: number[]
  readonly byCode: Map<string, Entry>
  /** PLU -> product (counted products only: loose produce by weight is not in the index). */
  readonly byPlu: Map<string, number>
}

/**
 * 2,000 products a page (about 130 KB of JSON): a page holds the till's event loop while it is read and
 * serialised, and a scan made meanwhile waits for it. At 10,000 a page took 90-150 ms (median, a loaded two-core
 * machine), at 2,000 16-19 ms with the same total; the page asks for the next one only after the last is in, so
 * scans interleave between pages.
 */
const PAGE = 2_000
let loaded: Loaded | null = null
let loading: Promise<void> | null = null
let again = false
/** The till's bounds for one line as the index last heard them (every page carries them); null before any page. */
let limits: CatalogIndexLimits | null = null

/** What the till allows on one line, for a scan to be drawn ahead only when the till will take it. */
export function lineLimits(): CatalogIndexLimits | null {
  return limits
}

/** For the bench and the tests: the version and products indexed, and the last load's time (body data attributes). */
function announce(version: number, products: number, ms: number): void {
  document.body.dataset.catalogVersion = String(version)
  document.body.dataset.catalogIndex = String(products)
  document.body.dataset.catalogIndexMs = String(Math.round(ms))
}

async function loadOnce(): Promise<Loaded | null> {
  const started = performance.now()
  const ids: string[] = []
  const names: string[] = []
  const namesZh: (string | null)[] = []
  const pricesMinor: number[] = []
  const byCode = new Map<string, Entry>()
  const byPlu = new Map<string, number>()
  let version: number | null = null
  let afterId: string | null = null
  do {
    const r = await api().call['catalog:index']({ afterId, limit: PAGE })
    if (!r.ok) return null
    const page = r.value
    // A change between two pages: this load mixes two catalogs, so it is thrown away and started again.
    if (version !== null && page.version !== version) return loadOnce()
    version = page.version
    limits = page.limits
    const base = ids.length
    for (let i = 0; i < page.ids.length; i++) {
      ids.push(page.ids[i]!)
      names.push(page.names[i]!)
      namesZh.push(page.namesZh[i] ?? null)
      pricesMinor.push(page.pricesMinor[i]!)
      const plu = page.plus[i]
      if (plu) byPlu.set(plu, base + i)
    }
    for (let j = 0; j < page.codes.length; j++) byCode.set(page.codes[j]!, { product: base + page.codeProduct[j]!, packQty: page.packQty[j]! })
    afterId = page.next
  } while (afterId !== null)
  announce(version ?? 0, ids.length, performance.now() - started)
  return { version: version ?? 0, ids, names, namesZh, pricesMinor, byCode, byPlu }
}

/** (Re)loads the index; a call while a load runs asks for one more load after it (the catalog moved meanwhile). */
export function loadProductIndex(): Promise<void> {
  if (loading) {
    again = true
    return loading
  }
  loading = (async () => {
    try {
      do {
        again = false
        const next = await loadOnce()
        // A failed load (the link dropped) keeps the index held: the till still checks every scan.
        if (next) loaded = next
      } while (again)
    } finally {
      loading = null
    }
  })()
  return loading
}

/**
 * The catalog may have moved (version null: a store change, a reconnect, an answer that disagreed): reload unless
 * the index already is the till's version, asked with a one-product page rather than the whole catalog.
 */
export async function catalogMoved(version: number | null): Promise<void> {
  let current = version
  if (current === null && loaded) {
    const r = await api().call['catalog:index']({ afterId: null, limit: 1 })
    if (!r.ok) return
    current = r.value.version
    // A store change may be a change of the limits, which do not move the catalog's version.
    limits = r.value.limits
  }
  if (current !== null && loaded?.version === current) return
  await loadProductIndex()
}

/**
 * What the index says this code sells, when it is a plain code the till would read the same way: a GTIN (as the
 * till parses it) or an internal code, of a product sold by the unit. Null for anything else (unknown codes,
 * variable-measure and GS1 labels, weighed products, no index yet): those go to the till the normal way.
 */
export function lookUpCode(code: string): IndexedCode | null {
  if (!loaded) return null
  const parsed = parseBarcode(code)
  if (!parsed.ok) return null
  const key = parsed.kind === 'gtin' ? parsed.gtin : parsed.kind === 'other' ? parsed.raw : null
  if (key === null) return null
  // Only the exact code: the till's GTIN-14 with a leading 0 also tries the 13 digits, which is left to the till.
  const entry = loaded.byCode.get(key)
  if (!entry) return null
  return { productId: loaded.ids[entry.product]!, name: loaded.names[entry.product]!, nameZh: loaded.namesZh[entry.product] ?? null, unitPriceMinor: loaded.pricesMinor[entry.product]!, packQty: entry.packQty, barcode: key }
}

/** The counted product with this PLU, as the index has it (its line's code is the PLU); null when not indexed. */
export function lookUpPlu(plu: string): IndexedCode | null {
  const product = loaded?.byPlu.get(plu)
  if (product === undefined || !loaded) return null
  return { productId: loaded.ids[product]!, name: loaded.names[product]!, nameZh: loaded.namesZh[product] ?? null, unitPriceMinor: loaded.pricesMinor[product]!, packQty: 1, barcode: plu }
}
