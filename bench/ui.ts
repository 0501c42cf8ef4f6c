// The counter's speed in Chromium, as ratios against floors measured in the same run (never in timed tests):
//  - Enter of a wedge scan -> the new cart row painted: from the Enter keydown reaching the page to the first
//    animation frame after the row is in the DOM (the frame that paints it), over 200 scans against a
//    100,000-product catalog; beside the same measure on an empty page that appends a row itself (the browser's
//    own floor) and that page's frame interval. Two marks per scan: "row shown" (the row first in the DOM: the
//    pending row the cashier draws from its local index in the Enter's own task) and "row confirmed" (the first
//    change after which no row is pending: the till's answer is in and its figures are in the row). A renderer
//    without pending rows gives the same time for both.
//  - The local product index: its size (JSON of every page) and the page's load time at 100,000 products.
//  - Cold start: a fresh data folder, `node out/main/harness.js` to its printed URLs, then the cashier page to
//    ready-to-scan (body[data-ready]); beside a bare `node -e 0` start.
// Assumes `npm run build` has run (out/renderer and out/main/harness.js) and Debian's Chromium.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createApp } from '../src/main/app'
import { startHarness } from '../src/main/harness/server'
import { gtinCheckDigit } from '../src/shared/barcode'

const ROOT = resolve(__dirname, '..')
const SCANS = 200
const PRODUCTS = 100_000
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

export interface UiBench {
  /** Row shown (the pending row from the local index; the till's line where none is drawn), Enter -> painted. */
  readonly basketShownMedianMs: number
  readonly basketShownP99Ms: number
  readonly saleShownMedianMs: number
  readonly saleShownP99Ms: number
  /** Scans drawn ahead of the till (a pending row seen before the till's line) of the 200 in each scenario. */
  readonly basketDrawnAhead: number
  readonly saleDrawnAhead: number
  /** The local product index: JSON bytes of all its pages, how many pages, and the page's load time (ms). */
  readonly indexBytes: number
  readonly indexPages: number
  readonly indexLoadMs: number
  readonly indexProducts: number
  /** The longest the till's loop is held by one index page (read + JSON), in-process. */
  readonly indexPageMaxMs: number
  /** Row confirmed (the till's figures in the row), Enter -> painted: the 200-line sale, then baskets of 20. */
  readonly scanMedianMs: number
  readonly scanP99Ms: number
  /** The same, as 10 sales of 20 scans. */
  readonly basketMedianMs: number
  readonly basketP99Ms: number
  /** The same baskets split: each basket's first scan (it opens the sale) and the other 19. */
  readonly basketOpeningMedianMs: number
  readonly basketOpeningMaxMs: number
  readonly basketLaterMedianMs: number
  readonly basketLaterP99Ms: number
  /** The till's own share: sale:scan dispatched in-process (zod, one synchronous=FULL transaction, the sale view). */
  readonly serverMedianMs: number
  readonly serverP99Ms: number
  readonly floorMedianMs: number
  readonly floorP99Ms: number
  /** Where each scenario's time went, phase by phase (see ScanPhases). */
  readonly basketPhases: PhaseFigures
  readonly salePhases: PhaseFigures
  /** Where each scenario's row shown went (see ShownFigures). */
  readonly basketShownPhases: ShownFigures
  readonly saleShownPhases: ShownFigures
  /** JSON of the whole sale view at 20 lines and at 200 (what each scan sent, twice, before 'sale:line-changed'). */
  readonly basketViewBytes: number
  readonly saleViewBytes: number
  /** JSON of the line change a scan sends instead (the event, and the same again as the cashier's answer). */
  readonly basketChangeBytes: number
  readonly saleChangeBytes: number
  readonly frameMedianMs: number
  readonly catalogProducts: number
  readonly coldHarnessMs: number
  readonly coldPageMs: number
  readonly coldTotalMs: number
  readonly bareNodeMs: number
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
}

function barcode(i: number): string {
  const body = `400${String(i).padStart(9, '0')}`
  return body + gtinCheckDigit(body)
}

// Runs in the page before its own scripts, so its keydown listener fires before the cashier's: the clock starts
// when Enter reaches the page. The first mutation of the cart's rows after it, then the next animation frame,
// stops it. On the way it notes where the time went (window.__bench.phases, one per scan): the page's own work
// up to the WebSocket send, the first frame back from the till (its MessageEvent's stamp, and when the page got
// round to it), the rows changed, the frame. Plain JS (no TypeScript): it is sent to the page as text.
const PAGE_PROBE = `
  window.__bench = { marks: [], shown: [], phases: [], enterAt: null, current: null }
  addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return
    window.__bench.enterAt = performance.now()
    if (window.__benchTrace) performance.mark('bench:enter')
    window.__bench.current = { enter: window.__bench.enterAt, sent: null, arrived: null, handled: null, shownAt: null, shownPainted: null, mutated: null }
  }, true)
  if (typeof WebSocket !== 'undefined') {
    const send = WebSocket.prototype.send
    WebSocket.prototype.send = function (data) {
      const c = window.__bench.current
      if (c && c.sent === null) c.sent = performance.now()
      return send.call(this, data)
    }
    const slot = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')
    Object.defineProperty(WebSocket.prototype, 'onmessage', {
      configurable: true,
      get() { return slot.get.call(this) },
      set(handler) {
        slot.set.call(this, handler && function (event) {
          const c = window.__bench.current
          const first = c && c.sent !== null && c.arrived === null
          if (first) { c.arrived = event.timeStamp; c.handled = performance.now() }
          return handler.call(this, event)
        })
      }
    })
  }
  window.__watch = (selector) => {
    const root = document.querySelector(selector)
    new MutationObserver(() => {
      const b = window.__bench
      if (b.enterAt === null) return
      const start = b.enterAt
      const c = b.current
      const now = performance.now()
      // Row shown: the first change of the rows after Enter (a pending row, or the till's line where none is drawn).
      if (c && c.shownAt === null) {
        c.shownAt = now
        if (window.__benchTrace) performance.mark('bench:shown')
        requestAnimationFrame(() => {
          c.shownPainted = performance.now()
          if (window.__benchTrace) performance.mark('bench:shown-painted')
          b.shown.push(c.shownPainted - start)
        })
      }
      // Row confirmed: the first change after which no row is pending (the till's figures are in it).
      if (root.querySelector('[aria-busy="true"]')) return
      b.enterAt = null
      b.current = null
      if (c) c.mutated = now
      if (window.__benchTrace) performance.mark('bench:confirmed')
      requestAnimationFrame(() => {
        const painted = performance.now()
        if (window.__benchTrace) performance.mark('bench:confirmed-painted')
        b.marks.push(painted - start)
        if (c) b.phases.push({ ...c, painted })
      })
    }).observe(root, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['aria-busy'] })
  }
`

/** One scan's time, split where it went (ms). */
export interface ScanPhases {
  /** Enter -> the call leaves on the WebSocket (wedge decoding, the page's handlers). */
  readonly pageOut: number
  /** Send -> the first frame back stamped by the browser (socket both ways, the till's dispatch, its event). */
  readonly link: number
  /** The till's own share of it: sale:scan dispatched in the harness's process. */
  readonly till: number
  /** Frame stamped -> the page's handler runs (the renderer's queue: a busy main thread shows here). */
  readonly queue: number
  /** Handler -> the cart's rows changed (JSON.parse, signals, Preact's render). */
  readonly render: number
  /** Rows changed -> the next animation frame (style, layout, the frame clock). */
  readonly frame: number
}

export interface PhaseFigures {
  readonly median: Record<keyof ScanPhases, number>
  readonly p99: Record<keyof ScanPhases, number>
}

type RawPhase = { enter: number; sent: number | null; arrived: number | null; handled: number | null; shownAt: number | null; shownPainted: number | null; mutated: number; painted: number }

/** Where a row shown's time went (ms): the page's own work, then the wait for the frame that paints it. */
export interface ShownFigures {
  /** Enter -> the row in the DOM (the wedge's decoding, the index look-up, the call's send, the render). */
  readonly renderMedian: number
  readonly renderP99: number
  /** Row in the DOM -> the next animation frame (a till answer handled meanwhile, style, layout, the frame clock). */
  readonly frameMedian: number
  readonly frameP99: number
  /** Scans whose first frame from the till came in before the row's frame (the answer could share that paint). */
  readonly answerBeforeFrame: number
  /** Scans painted once: the row shown and confirmed in the same frame. */
  readonly onePaint: number
  /** The slowest 1 % (the p99's scans), each as render + frame, and whether the till's answer came first. */
  readonly slowest: readonly string[]
}

function shownFigures(raw: readonly RawPhase[]): ShownFigures {
  const rows = raw.filter((r) => r.shownAt !== null && r.shownPainted !== null)
  const render = rows.map((r) => r.shownAt! - r.enter)
  const frame = rows.map((r) => r.shownPainted! - r.shownAt!)
  const slow = [...rows].sort((a, b) => b.shownPainted! - b.enter - (a.shownPainted! - a.enter)).slice(0, Math.max(1, Math.ceil(rows.length / 100)))
  return {
    renderMedian: quantile(render, 0.5),
    renderP99: quantile(render, 0.99),
    frameMedian: quantile(frame, 0.5),
    frameP99: quantile(frame, 0.99),
    answerBeforeFrame: rows.filter((r) => r.arrived !== null && r.arrived < r.shownPainted!).length,
    onePaint: rows.filter((r) => r.painted === r.shownPainted).length,
    slowest: slow.map((r) => `${(r.shownAt! - r.enter).toFixed(1)} + ${(r.shownPainted! - r.shownAt!).toFixed(1)}${r.arrived !== null && r.arrived < r.shownPainted! ? ' (answer first)' : ''}`)
  }
}

function toPhases(raw: readonly RawPhase[], till: readonly number[]): ScanPhases[] {
  return raw.map((r, i) => {
    const sent = r.sent ?? r.enter
    const arrived = r.arrived ?? sent
    const handled = r.handled ?? arrived
    return { pageOut: sent - r.enter, link: arrived - sent, till: till[i] ?? Number.NaN, queue: handled - arrived, render: r.mutated - handled, frame: r.painted - r.mutated }
  })
}

function phaseFigures(phases: readonly ScanPhases[]): PhaseFigures {
  const keys = ['pageOut', 'link', 'till', 'queue', 'render', 'frame'] as const
  const pick = (q: number) => Object.fromEntries(keys.map((k) => [k, quantile(phases.map((p) => p[k]), q)])) as Record<keyof ScanPhases, number>
  return { median: pick(0.5), p99: pick(0.99) }
}

async function wedge(page: Page, code: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page)
  let at = Date.now() / 1000
  for (const ch of `${code}\n`) {
    const enter = ch === '\n'
    const key = { key: enter ? 'Enter' : ch, code: enter ? 'Enter' : `Digit${ch}`, text: enter ? '\r' : ch, windowsVirtualKeyCode: enter ? 13 : ch.charCodeAt(0) }
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', ...key, timestamp: at })
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', key: key.key, code: key.code, windowsVirtualKeyCode: key.windowsVirtualKeyCode, timestamp: at + 0.001 })
    at += 0.005
  }
  await cdp.detach()
}

/** Row confirmed marks, once `count` are in (each scan is waited for until the till's figures are painted). */
async function marks(page: Page, count: number): Promise<number[]> {
  // A function, not a string: the cashier page's CSP forbids eval.
  await page.waitForFunction((n) => (globalThis as unknown as { __bench: { marks: number[] } }).__bench.marks.length >= n, count, { timeout: 10_000 })
  return (await page.evaluate('window.__bench.marks')) as number[]
}

/** Row shown marks (the frame after the row first entered the DOM), as many as there are. */
async function shownMarks(page: Page): Promise<number[]> {
  return (await page.evaluate('window.__bench.shown')) as number[]
}

let shownSamples = { basket: [] as number[], sale: [] as number[] }
let drawnAhead = { basket: 0, sale: 0 }
let indexFigures = { bytes: 0, pages: 0, pageMaxMs: Number.NaN, loadMs: Number.NaN, products: 0 }

/** Whether the scan's row was drawn before the till's answer: its row changed before the change that confirmed it. */
function aheadOf(raw: readonly RawPhase[]): number {
  return raw.filter((r) => r.shownAt !== null && r.shownAt < r.mutated).length
}

let serverSamples: number[] = []
let basketSamples: number[] = []
let basketPhases: ScanPhases[] = []
let salePhases: ScanPhases[] = []
let shownPhases: { basket: ShownFigures | null; sale: ShownFigures | null } = { basket: null, sale: null }
let viewBytes = { basket: 0, sale: 0 }
let changeBytes = { basket: 0, sale: 0 }

/** A till to bench: this checkout's by default, or another source tree's (a before/after in one run, same load). */
export interface TillSource {
  readonly createApp: typeof createApp
  readonly startHarness: typeof startHarness
}

/** The till of another checkout of this project (its src/), loaded beside this one's. */
export async function tillSourceAt(root: string): Promise<TillSource> {
  const app = (await import(join(resolve(root), 'src', 'main', 'app'))) as { createApp: typeof createApp }
  const server = (await import(join(resolve(root), 'src', 'main', 'harness', 'server'))) as { startHarness: typeof startHarness }
  return { createApp: app.createApp, startHarness: server.startHarness }
}

/** A till with the 100,000-product catalog, its harness, and one cashier page on a renderer build. */
interface Lane {
  readonly app: ReturnType<typeof createApp>
  readonly page: Page
  /** sale:scan as the harness dispatched it, in order. */
  readonly tillMs: number[]
  /** Scans made on this lane's page so far (its marks count). */
  scans: number
  /** JSON length of the newest 'sale:line-changed' (0 on a till that does not send them). */
  lastChangeBytes(): number
  close(): Promise<void>
}

async function openLane(browser: Browser, rendererDir: string, source: TillSource = { createApp, startHarness }): Promise<Lane> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stabletill-bench-ui-'))
  const app = source.createApp({ dataDir, resourcesDir: join(ROOT, 'resources') })
  let lastChange = 0
  app.events.subscribe((event, payload) => {
    if ((event as string) === 'sale:line-changed') lastChange = JSON.stringify({ event, payload }).length
  })
  const products = Array.from({ length: PRODUCTS }, (_, i) => ({
    id: `B${i}`,
    name: `Bench product ${i}`,
    pricing: 'unit' as const,
    priceMinor: 100 + (i % 900),
    taxRateId: 'std',
    barcodes: [{ code: barcode(i), packQty: 1 }]
  }))
  app.db.transaction(() => app.catalog.importCatalog({ taxRates: [{ id: 'std', name: 'Sales tax', ratePpm: 82_500 }], products })).immediate()
  const harness = await source.startHarness({ app, rendererDir })
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  await page.addInitScript(PAGE_PROBE)
  await page.goto(harness.urls.cashier)
  await page.locator('body[data-ready="true"]').waitFor()
  // The local product index loads after ready-to-scan; scans before it is in go the normal way, so the bench
  // waits for it (a renderer without one never sets the attribute: a few seconds, then on without it).
  const indexed = await page
    .locator('body[data-catalog-index]')
    .waitFor({ state: 'attached', timeout: 30_000 })
    .then(() => true)
    .catch(() => false)
  if (indexed && Number.isNaN(indexFigures.loadMs)) {
    indexFigures = {
      ...indexFigures,
      loadMs: Number(await page.locator('body').getAttribute('data-catalog-index-ms')),
      products: Number(await page.locator('body').getAttribute('data-catalog-index'))
    }
  }
  await page.evaluate(`window.__watch('[role="grid"] tbody')`)
  // The till's share of each scan, timed where the harness calls it (same process, same order as the scans).
  const tillMs: number[] = []
  const registry = app.registry as { dispatch: typeof app.registry.dispatch }
  const dispatch = registry.dispatch.bind(registry)
  registry.dispatch = async (window, name, payload) => {
    const started = performance.now()
    const result = await dispatch(window, name, payload)
    if (name === 'sale:scan') tillMs.push(performance.now() - started)
    return result
  }
  return {
    app,
    page,
    tillMs,
    scans: 0,
    lastChangeBytes: () => lastChange,
    async close() {
      registry.dispatch = dispatch
      await context.close()
      await harness.close()
      await app.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

/** `count` scans on the lane's page, each waited for until its row is painted; `basket` voids the sale after. */
async function scans(lane: Lane, count: number, codeOf: (i: number) => string, basket: boolean): Promise<void> {
  for (let i = 0; i < count; i++) {
    await wedge(lane.page, codeOf(lane.scans))
    await marks(lane.page, ++lane.scans)
  }
  if (basket) {
    lane.app.sales.voidSale('M1', 'bench basket done')
    await lane.page.locator('[role="grid"] tbody tr').first().waitFor({ state: 'detached' })
  }
}

// Spread over the catalog so look-ups do not all hit the same pages of the index.
const basketCode = (i: number) => barcode((i * 499) % PRODUCTS)
const saleCode = (i: number) => barcode((i * 499 + 7) % PRODUCTS)

async function scanToPaint(browser: Browser): Promise<{ samples: number[]; products: number }> {
  const lane = await openLane(browser, process.env['BENCH_RENDERER_DIR'] ?? join(ROOT, 'out', 'renderer'))
  try {
    const { app, page } = lane
    // BENCH_UI_TRACE=<file>: a Chromium trace of the scans (the probe's marks as user timing), for
    // bench/ui-trace.ts to say where each slow row's time went.
    const trace = process.env['BENCH_UI_TRACE']
    if (trace) {
      await page.evaluate('window.__benchTrace = true')
      await browser.startTracing(page, { path: trace, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'blink.user_timing', 'v8.execute', 'disabled-by-default-v8.gc', 'toplevel', 'benchmark'] })
    }
    // BENCH_UI_PROFILE=<file>: the page's CPU profile over the scans (a .cpuprofile, for DevTools), sampled every
    // 100 us; a renderer built unminified names its functions.
    const profile = process.env['BENCH_UI_PROFILE']
    const profiler = profile ? await page.context().newCDPSession(page) : null
    if (profiler) {
      await profiler.send('Profiler.enable')
      await profiler.send('Profiler.setSamplingInterval', { interval: 100 })
      await profiler.send('Profiler.start')
    }
    // First as baskets of 20 (a sale is voided after every 20th scan: the counter's usual case), then all 200 in
    // one sale (the worst case: every update carries and re-checks 200 lines).
    for (let b = 0; b < SCANS / 20; b++) {
      await scans(lane, 20, basketCode, b < SCANS / 20 - 1)
      if (b === SCANS / 20 - 1) {
        viewBytes = { ...viewBytes, basket: JSON.stringify(app.sales.current()).length }
        changeBytes = { ...changeBytes, basket: lane.lastChangeBytes() }
        await scans(lane, 0, basketCode, true)
      }
    }
    basketSamples = await marks(page, SCANS)
    shownSamples = { ...shownSamples, basket: (await shownMarks(page)).slice(0, SCANS) }
    await scans(lane, SCANS, saleCode, false)
    viewBytes = { ...viewBytes, sale: JSON.stringify(app.sales.current()).length }
    changeBytes = { ...changeBytes, sale: lane.lastChangeBytes() }
    const samples = (await marks(page, 2 * SCANS)).slice(SCANS)
    const raw = (await page.evaluate('window.__bench.phases')) as RawPhase[]
    // The last 'row shown' frame may still be on its way when the last confirmed one is in: both come from one wait.
    await page.waitForFunction((n) => (globalThis as unknown as { __bench: { shown: number[] } }).__bench.shown.length >= n, 2 * SCANS, { timeout: 10_000 })
    shownSamples = { ...shownSamples, sale: (await shownMarks(page)).slice(SCANS, 2 * SCANS) }
    if (trace) await browser.stopTracing()
    if (profiler && profile) writeFileSync(profile, JSON.stringify((await profiler.send('Profiler.stop')).profile))
    drawnAhead = { basket: aheadOf(raw.slice(0, SCANS)), sale: aheadOf(raw.slice(SCANS)) }
    shownPhases = { basket: shownFigures(raw.slice(0, SCANS)), sale: shownFigures(raw.slice(SCANS)) }
    basketPhases = toPhases(raw.slice(0, SCANS), lane.tillMs.slice(0, SCANS))
    salePhases = toPhases(raw.slice(SCANS), lane.tillMs.slice(SCANS))
    // The same 200 scans again on a new sale, dispatched in-process as the cashier sends them (the slim answer):
    // what the till spends, without page or socket.
    app.sales.voidSale('M1', 'bench')
    const server: number[] = []
    for (let i = 0; i < SCANS; i++) {
      const started = performance.now()
      const r = await app.registry.dispatch('cashier', 'sale:scan', { code: basketCode(i), source: 'wedge', reply: 'line' })
      server.push(performance.now() - started)
      if (!r.ok) throw new Error(r.error.message)
    }
    serverSamples = server
    // The index's size on the wire: every page as the harness would send it (its JSON), asked as the cashier does
    // (product-index.ts: 2,000 products a page).
    // Each page holds the till's event loop while it is read and serialised: the longest is what a scan made
    // during the load can wait.
    let afterId: string | null = null
    let bytes = 0
    let pages = 0
    let pageMaxMs = 0
    do {
      const started = performance.now()
      const r = await app.registry.dispatch('cashier', 'catalog:index', { afterId, limit: 2_000 })
      const text = JSON.stringify(r)
      pageMaxMs = Math.max(pageMaxMs, performance.now() - started)
      if (!r.ok) break
      bytes += text.length
      pages++
      afterId = (r.value as { next: string | null }).next
    } while (afterId !== null)
    indexFigures = { ...indexFigures, bytes, pages, pageMaxMs }
    return { samples, products: (app.db.prepare('SELECT count(*) AS n FROM products').get() as { n: number }).n }
  } finally {
    await lane.close()
  }
}

export interface RendererComparison {
  readonly name: string
  /** Row shown (the first change of the rows: a pending row where the renderer draws one), Enter -> painted. */
  readonly basketShownMedianMs: number
  readonly basketShownP99Ms: number
  readonly saleShownMedianMs: number
  readonly saleShownP99Ms: number
  readonly basketMedianMs: number
  readonly basketP99Ms: number
  readonly saleMedianMs: number
  readonly saleP99Ms: number
  readonly basketPhases: PhaseFigures
  readonly salePhases: PhaseFigures
}

/**
 * Before/after on a shared, busy machine: two renderer builds, each on its own till and page, scanned in turn
 * (20 scans on one, then 20 on the other, the order swapped every round), so both meet the same load. Set
 * BENCH_UI_COMPARE to another build's out/renderer (e.g. main's) to run it.
 */
export async function compareRenderers(dirs: readonly { name: string; dir: string; till?: TillSource }[]): Promise<RendererComparison[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'] })
  const lanes: Lane[] = []
  try {
    for (const { dir, till } of dirs) lanes.push(await openLane(browser, dir, till))
    const rounds = SCANS / 20
    const turn = (round: number) => (round % 2 === 0 ? lanes : [...lanes].reverse())
    for (let round = 0; round < rounds; round++) for (const lane of turn(round)) await scans(lane, 20, basketCode, true)
    for (let round = 0; round < rounds; round++) for (const lane of turn(round)) await scans(lane, 20, saleCode, false)
    const out: RendererComparison[] = []
    for (const [i, lane] of lanes.entries()) {
      const all = await marks(lane.page, 2 * SCANS)
      const raw = (await lane.page.evaluate('window.__bench.phases')) as RawPhase[]
      const basket = all.slice(0, SCANS)
      const sale = all.slice(SCANS)
      await lane.page.waitForFunction((n) => (globalThis as unknown as { __bench: { shown: number[] } }).__bench.shown.length >= n, 2 * SCANS, { timeout: 10_000 })
      const shown = await shownMarks(lane.page)
      out.push({
        name: dirs[i]!.name,
        basketShownMedianMs: quantile(shown.slice(0, SCANS), 0.5),
        basketShownP99Ms: quantile(shown.slice(0, SCANS), 0.99),
        saleShownMedianMs: quantile(shown.slice(SCANS, 2 * SCANS), 0.5),
        saleShownP99Ms: quantile(shown.slice(SCANS, 2 * SCANS), 0.99),
        basketMedianMs: quantile(basket, 0.5),
        basketP99Ms: quantile(basket, 0.99),
        saleMedianMs: quantile(sale, 0.5),
        saleP99Ms: quantile(sale, 0.99),
        basketPhases: phaseFigures(toPhases(raw.slice(0, SCANS), lane.tillMs.slice(0, SCANS))),
        salePhases: phaseFigures(toPhases(raw.slice(SCANS), lane.tillMs.slice(SCANS)))
      })
    }
    return out
  } finally {
    for (const lane of lanes) await lane.close()
    await browser.close()
  }
}

async function emptyPageFloor(browser: Browser): Promise<{ samples: number[]; frameMedianMs: number }> {
  const page = await browser.newPage()
  // The same probe, on a page whose only work is to append a row on Enter.
  const html = `<!doctype html><table><tbody id="rows"></tbody></table><script>${PAGE_PROBE}
    window.__watch('#rows')
    addEventListener('keydown', (e) => { if (e.key === 'Enter') document.getElementById('rows').insertAdjacentHTML('beforeend', '<tr><td>row</td></tr>') })
  </script>`
  await page.goto(`data:text/html,${encodeURIComponent(html)}`)
  for (let i = 0; i < SCANS; i++) {
    await wedge(page, '5901234123013')
    await marks(page, i + 1)
  }
  const samples = await marks(page, SCANS)
  const frames = (await page.evaluate(`new Promise((done) => {
    const stamps = []
    const step = (t) => {
      stamps.push(t)
      if (stamps.length > 200) done(stamps.slice(1).map((s, i) => s - stamps[i]))
      else requestAnimationFrame(step)
    }
    requestAnimationFrame(step)
  })`)) as number[]
  await page.close()
  return { samples, frameMedianMs: quantile(frames, 0.5) }
}

function timeProcess(args: readonly string[], until: ((out: string) => boolean) | null): Promise<{ ms: number; out: string; stop(): void }> {
  return new Promise((done, fail) => {
    const started = performance.now()
    const child = spawn(process.execPath, args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let settled = false
    const finish = () => {
      if (settled) return
      settled = true
      done({ ms: performance.now() - started, out, stop: () => child.kill('SIGTERM') })
    }
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (until?.(out)) finish()
    })
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('exit', (code) => (until === null ? finish() : settled ? undefined : fail(new Error(`exited ${code}: ${out}`))))
  })
}

export interface ColdStartRow {
  readonly name: string
  readonly harnessMs: number
  readonly pageMs: number
  /** Ready-to-scan -> the local product index in (the demo store), NaN for a renderer without one. */
  readonly indexMs: number
}

/**
 * Cold start of several checkouts' builds (each its own out/main/harness.js and out/renderer), in turns so each
 * meets the same load: a before/after of ready-to-scan, and when the index is in after it.
 */
export async function coldStartCompare(roots: readonly { name: string; root: string }[], rounds = 5): Promise<ColdStartRow[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'] })
  const runs = new Map<string, { harnessMs: number; pageMs: number; indexMs: number }[]>(roots.map((r) => [r.name, []]))
  try {
    for (let round = 0; round < rounds; round++) {
      for (const { name, root } of round % 2 === 0 ? roots : [...roots].reverse()) {
        const dataDir = mkdtempSync(join(tmpdir(), 'stabletill-bench-cold-'))
        const started = await timeProcess([join(root, 'out', 'main', 'harness.js'), '--data-dir', dataDir, '--demo', '--no-chain', '--port', '0'], (out) => /Cashier:\s+(\S+)/.test(out))
        const page = await browser.newPage()
        const pageStart = performance.now()
        await page.goto(/Cashier:\s+(\S+)/.exec(started.out)![1]!)
        await page.locator('body[data-ready="true"]').waitFor()
        const readyAt = performance.now()
        const indexed = await page.locator('body[data-catalog-index]').waitFor({ state: 'attached', timeout: 5000 }).then(() => true, () => false)
        runs.get(name)!.push({ harnessMs: started.ms, pageMs: readyAt - pageStart, indexMs: indexed ? performance.now() - readyAt : Number.NaN })
        await page.close()
        started.stop()
        await new Promise((r) => setTimeout(r, 300))
        rmSync(dataDir, { recursive: true, force: true })
      }
    }
  } finally {
    await browser.close()
  }
  return roots.map(({ name }) => {
    const r = runs.get(name)!
    return { name, harnessMs: quantile(r.map((x) => x.harnessMs), 0.5), pageMs: quantile(r.map((x) => x.pageMs), 0.5), indexMs: quantile(r.map((x) => x.indexMs), 0.5) }
  })
}

async function coldStart(browser: Browser): Promise<{ harnessMs: number; pageMs: number; totalMs: number; bareNodeMs: number }> {
  const runs: { harnessMs: number; pageMs: number }[] = []
  for (let run = 0; run < 3; run++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'stabletill-bench-cold-'))
    const started = await timeProcess([join(ROOT, 'out', 'main', 'harness.js'), '--data-dir', dataDir, '--demo', '--no-chain', '--port', '0'], (out) => /Cashier:\s+(\S+)/.test(out))
    const url = /Cashier:\s+(\S+)/.exec(started.out)![1]!
    const page = await browser.newPage()
    const pageStart = performance.now()
    await page.goto(url)
    await page.locator('body[data-ready="true"]').waitFor()
    runs.push({ harnessMs: started.ms, pageMs: performance.now() - pageStart })
    await page.close()
    started.stop()
    await new Promise((r) => setTimeout(r, 300))
    rmSync(dataDir, { recursive: true, force: true })
  }
  const bare: number[] = []
  for (let run = 0; run < 5; run++) bare.push((await timeProcess(['-e', '0'], null)).ms)
  const harnessMs = quantile(runs.map((r) => r.harnessMs), 0.5)
  const pageMs = quantile(runs.map((r) => r.pageMs), 0.5)
  return { harnessMs, pageMs, totalMs: quantile(runs.map((r) => r.harnessMs + r.pageMs), 0.5), bareNodeMs: quantile(bare, 0.5) }
}

export async function benchUi(): Promise<UiBench> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'] })
  try {
    // The floor before and after the scans, pooled: the machine is shared, and a floor taken only at the start
    // would be measured under a different load than the scans it is compared with.
    const before = await emptyPageFloor(browser)
    const scan = await scanToPaint(browser)
    const after = await emptyPageFloor(browser)
    const floor = { samples: [...before.samples, ...after.samples], frameMedianMs: quantile([before.frameMedianMs, after.frameMedianMs], 0.5) }
    const cold = await coldStart(browser)
    return {
      basketShownMedianMs: quantile(shownSamples.basket, 0.5),
      basketShownP99Ms: quantile(shownSamples.basket, 0.99),
      saleShownMedianMs: quantile(shownSamples.sale, 0.5),
      saleShownP99Ms: quantile(shownSamples.sale, 0.99),
      basketDrawnAhead: drawnAhead.basket,
      saleDrawnAhead: drawnAhead.sale,
      indexBytes: indexFigures.bytes,
      indexPages: indexFigures.pages,
      indexLoadMs: indexFigures.loadMs,
      indexProducts: indexFigures.products,
      indexPageMaxMs: indexFigures.pageMaxMs,
      scanMedianMs: quantile(scan.samples, 0.5),
      scanP99Ms: quantile(scan.samples, 0.99),
      basketMedianMs: quantile(basketSamples, 0.5),
      basketP99Ms: quantile(basketSamples, 0.99),
      basketOpeningMedianMs: quantile(basketSamples.filter((_, i) => i % 20 === 0), 0.5),
      basketOpeningMaxMs: Math.max(...basketSamples.filter((_, i) => i % 20 === 0)),
      basketLaterMedianMs: quantile(basketSamples.filter((_, i) => i % 20 !== 0), 0.5),
      basketLaterP99Ms: quantile(basketSamples.filter((_, i) => i % 20 !== 0), 0.99),
      serverMedianMs: quantile(serverSamples, 0.5),
      serverP99Ms: quantile(serverSamples, 0.99),
      floorMedianMs: quantile(floor.samples, 0.5),
      floorP99Ms: quantile(floor.samples, 0.99),
      basketPhases: phaseFigures(basketPhases),
      salePhases: phaseFigures(salePhases),
      basketShownPhases: shownPhases.basket!,
      saleShownPhases: shownPhases.sale!,
      basketViewBytes: viewBytes.basket,
      saleViewBytes: viewBytes.sale,
      basketChangeBytes: changeBytes.basket,
      saleChangeBytes: changeBytes.sale,
      frameMedianMs: floor.frameMedianMs,
      catalogProducts: scan.products,
      coldHarnessMs: cold.harnessMs,
      coldPageMs: cold.pageMs,
      coldTotalMs: cold.totalMs,
      bareNodeMs: cold.bareNodeMs
    }
  } finally {
    await browser.close()
  }
}
