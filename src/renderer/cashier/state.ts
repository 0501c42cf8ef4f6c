// The cashier window's state, as signals fed by api answers and events, and the actions a cashier takes. Panels
// read the signals they need; an update re-renders only the components that read what changed.
import { batch, computed, effect, signal } from '@preact/signals'
import type { LineView, PaymentOptions, PrinterState, ProductHit, SaleLineChange, SaleView } from '../../shared/api/views'
import type { ChainHealthView } from '../../shared/payment/health'
import type { PaymentView } from '../../shared/payment/view'
import { parseDecimalUnits, parseMinor } from '../../shared/money'
import { canComplete, canEditLines, canTender } from '../../shared/sale/guards'
import { api, money, say, store, t, unwrap, wordError } from '../common/page'
import { askManagerApproval, askManagerPin, clearMessage, confirmAction, dialogOpen, notify, promptValue } from '../common/ui'
import { applyLineChange, olderThan } from '../common/sale-delta'
import { session } from '../common/session'
import { canShowAtOnce, isThisScan, withPending, type PendingScan } from './pending-scan'
import { catalogMoved, lineLimits, loadProductIndex, lookUpCode, lookUpPlu, type IndexedCode } from './product-index'
import { createCartRows, showRows } from './cart-rows'

export const sale = signal<SaleView | null>(null)
export const selectedLineId = signal<string | null>(null)
export const tenderOpen = signal(false)
export const choosingStablecoin = signal(false)
export const payment = signal<PaymentView | null>(null)
export const paymentOptions = signal<PaymentOptions | null>(null)
export const printer = signal<PrinterState | null>(null)
export const health = signal<readonly ChainHealthView[]>([])
export const lookup = signal<readonly ProductHit[]>([])
/** Bumps on every scan the till accepted. */
export const scanFlash = signal(0)
/** The "scan received" flash: on for a moment after each accepted scan (set with the scan, in the same render). */
export const scanFlashing = signal(false)
/**
 * The flash as the Barcode box's class and the feedback's text: bound to the DOM (a signal as a prop or a child), so
 * turning it on or off sets one attribute and one text node without rendering the scan form.
 */
export const scanOkClass = computed(() => (scanFlashing.value ? 'scan-ok' : ''))
export const scanFlashText = computed(() => (scanFlashing.value ? t('scan.received') : ''))

const NO_LINES: readonly LineView[] = []
/**
 * The cart's lines. setSale keeps unchanged lines (and the array, when no line changed) as the same objects, so
 * this only notifies when a line was added or changed: a tender or a payment leaves the Cart unrendered, and a
 * scan renders the Cart once with every old row skipping its own render (bench/ui.ts).
 */
export const cartLines = computed(() => sale.value?.lines ?? NO_LINES)
export const saleOpen = computed(() => sale.value !== null)

/** Scans sent whose answer is not in yet, drawn from the local index (pending-scan.ts), oldest first. */
export const pendingScans = signal<readonly PendingScan[]>([])
/** What the Cart draws: the till's lines, then the pending scans on top (marked pending). */
export const cartRows = computed(() => withPending(cartLines.value, pendingScans.value))
const scansInFlight = computed(() => pendingScans.value.length > 0)
/**
 * The Cart's rows one signal each (cart-rows.ts), kept equal to cartRows in the same task that changed it: a scan
 * renders its own row and nothing else of the Cart.
 */
export const cart = createCartRows()
effect(() => showRows(cart, cartRows.value))

export const selectedLine = computed(() => sale.value?.lines.find((l) => l.id === selectedLineId.value && !l.voided) ?? null)
export const editable = computed(() => canEditLines(liveTenders(sale.value)))
// The pay keys move only on the till's answer, never on a pending row (which renders its row and nothing else): a
// key pressed while a scan is pending waits for it (openCash, openStablecoin and complete call afterPendingScans),
// so the amount due it acts on is the till's, with that scan in.
export const tenderable = computed(() => canTender(sale.value))
export const completable = computed(() => canComplete(sale.value))

/** Resolves once no scan is pending (at once when none is): F4, F6 and F12 wait for it rather than being lost. */
export function afterPendingScans(): Promise<void> {
  if (!scansInFlight.peek()) return Promise.resolve()
  return new Promise((done) => {
    const stop = scansInFlight.subscribe((busy) => {
      if (busy) return
      queueMicrotask(() => stop())
      done()
    })
  })
}

function dropPending(token: number): void {
  const list = pendingScans.peek()
  if (list.some((p) => p.token === token)) pendingScans.value = list.filter((p) => p.token !== token)
}

/** A version gap or a reconnect: nothing drawn ahead of the till is kept; the whole sale is fetched instead. */
function dropAllPending(): void {
  if (pendingScans.peek().length > 0) pendingScans.value = []
}

/** Tenders taken back no longer lock the lines or count as paid. */
function liveTenders(view: SaleView | null): SaleView | null {
  return view ? { ...view, tenders: view.tenders.filter((tender) => !tender.returned) } : null
}

const alert = (text: string) => notify('alert', text)

/** Flat records (a line: every field a string, number, boolean or null) equal field by field. */
function sameFields<T extends object>(a: T, b: T): boolean {
  const keys = Object.keys(a) as (keyof T)[]
  if (keys.length !== Object.keys(b).length) return false
  for (const key of keys) if (a[key] !== b[key]) return false
  return true
}

/**
 * `next` with every part that equals `before`'s kept as before's object: lines one by one, the arrays, and the
 * whole view when nothing changed. Each scan's view reaches the page twice (the 'sale:changed' event, then the
 * call's answer) and every update brings fresh objects; kept objects are what lets an unchanged update render
 * nothing and an unchanged row skip its render.
 */
function keepUnchanged(before: SaleView | null, next: SaleView): SaleView {
  if (!before || before.id !== next.id) return next
  const old = new Map(before.lines.map((l) => [l.id, l]))
  let linesSame = before.lines.length === next.lines.length
  const lines = next.lines.map((line, i) => {
    const kept = old.get(line.id)
    if (kept && sameFields(kept, line)) {
      if (before.lines[i] !== kept) linesSame = false
      return kept
    }
    linesSame = false
    return line
  })
  // Tenders and taxes are a handful of small records (a tender's stablecoin details nest): compared as text.
  const tendersSame = JSON.stringify(before.tenders) === JSON.stringify(next.tenders)
  const taxesSame = JSON.stringify(before.taxes) === JSON.stringify(next.taxes)
  const fieldsSame = (Object.keys(next) as (keyof SaleView)[]).every((key) => key === 'lines' || key === 'tenders' || key === 'taxes' || before[key] === next[key])
  if (linesSame && tendersSame && taxesSame && fieldsSame) return before
  return { ...next, lines: linesSame ? before.lines : lines, tenders: tendersSame ? before.tenders : next.tenders, taxes: taxesSame ? before.taxes : next.taxes }
}

export function setSale(value: SaleView | null): void {
  const open = value && value.status === 'open' ? value : null
  // An answer overtaken by a later change (a line change applied meanwhile) would take the Cart back a step.
  if (open && olderThan(open, sale.peek())) return
  showSale(open ? keepUnchanged(sale.peek(), open) : null)
}

function showSale(open: SaleView | null): void {
  sale.value = open
  if (!open) {
    tenderOpen.value = false
    choosingStablecoin.value = false
    selectedLineId.value = null
    payment.value = null
  } else if (!open.lines.some((l) => l.id === selectedLineId.value && !l.voided)) {
    selectedLineId.value = open.lines.filter((l) => !l.voided).at(-1)?.id ?? null
  }
}

/** The line a scan added or grew: the one whose quantity or presence changed, else the last. */
function touchedLine(before: SaleView | null, after: SaleView): string | null {
  const old = new Map((before?.lines ?? []).map((l) => [l.id, l.quantity]))
  const changed = after.lines.filter((l) => !l.voided && old.get(l.id) !== l.quantity)
  return (changed.at(-1) ?? after.lines.filter((l) => !l.voided).at(-1))?.id ?? null
}

/**
 * A 'sale:changed' from the till. A scan's event comes before its answer: a line it added is selected now, as the
 * answer would, so the row is painted selected once and the answer (the same view) changes nothing.
 */
export function saleChanged(value: SaleView | null): void {
  // Completed sales arrive as null; a HID scan or the other window may have changed the open sale.
  if (value === null && sale.peek() === null) return
  const before = sale.peek()
  batch(() => {
    setSale(value)
    if (!value || value.status !== 'open' || !before || before.id !== value.id) return
    const known = new Set(before.lines.map((l) => l.id))
    const added = value.lines.filter((l) => !l.voided && !known.has(l.id)).at(-1)
    if (added) selectedLineId.value = added.id
  })
}

let refetching: Promise<void> | null = null
let refetchAgain = false
/**
 * The whole sale again, after a line change that did not follow on from the view held (one was missed). A burst of
 * such changes asks once; one that came while the answer was on its way asks once more when it is in, in case
 * the answer was read before that change was made.
 */
function refetchSale(): Promise<void> {
  if (refetching) {
    refetchAgain = true
    return refetching
  }
  refetching = (async () => {
    try {
      do {
        refetchAgain = false
        const current = await api().call['sale:current']({})
        if (current.ok) setSale(current.value)
      } while (refetchAgain)
    } finally {
      refetching = null
    }
  })()
  return refetching
}

/**
 * A 'sale:line-changed' (a scan, a quantity, a void; from this window, a HID scan or the till itself): applied to
 * the view held when it follows on from it, else the whole sale is fetched. A line it added is selected now, as
 * the scan's answer would, so the row is painted selected once.
 */
export function lineChanged(change: SaleLineChange): void {
  const before = sale.peek()
  const outcome = applyLineChange(before, change)
  if (outcome.kind === 'gap') {
    dropAllPending()
    return void refetchSale()
  }
  if (outcome.kind === 'stale') return
  const added = !before || before.id !== change.sale.id || change.line.position > before.lines.length
  // The oldest pending scan's own change (the event comes just before its answer): it becomes the till's line in
  // the same render, so the row is never drawn twice nor its quantity counted twice.
  const oldest = pendingScans.peek()[0]
  const mine = oldest !== undefined && isThisScan(before, change, oldest)
  batch(() => {
    if (mine) dropPending(oldest.token)
    showSale(outcome.view)
    if (added && !change.line.voided) selectedLineId.value = change.line.id
  })
}

/** A line call's answer: the change alone (applied unless its event already was) or, rarely, the whole sale. */
function takeAnswer(value: SaleView | SaleLineChange): string | null {
  if ('lines' in value) {
    setSale(value)
    return null
  }
  lineChanged(value)
  return value.line.id
}

let nextScanToken = 1
/**
 * The scan as the local index says the till will take it, when that is sure enough to draw: a plain code of a
 * counted product, a sale whose lines can change, someone signed in, a quantity the till allows. Null sends the
 * scan the normal way (the row comes with the till's answer).
 */
function pendingFor(code: string, quantity: number | undefined): PendingScan | null {
  const hit = lookUpCode(code)
  if (!hit) return null
  return pendingOf(hit, quantity === undefined || quantity === 1 ? hit.packQty : hit.packQty * quantity)
}

/** `units` of an indexed product drawn ahead of the till, when the till will take them as drawn (see pendingFor). */
function pendingOf(hit: Omit<IndexedCode, 'packQty'>, units: number): PendingScan | null {
  // No sale yet: the scan opens one. A sale with a live tender has its lines locked: the till will refuse.
  if (!session.peek() || (sale.peek() !== null && !editable.peek())) return null
  if (units > 9999) return null
  const scan: PendingScan = { token: nextScanToken++, productId: hit.productId, name: hit.name, nameZh: hit.nameZh, barcode: hit.barcode, unitPriceMinor: hit.unitPriceMinor, quantity: units }
  return canShowAtOnce(cartLines.peek(), pendingScans.peek(), scan, lineLimits()) ? scan : null
}

/**
 * A product picked by PLU or name (the type-ahead's pick, a PLU keyed in) as the till's sale:add-product adds it: a
 * counted product's line carries its PLU, or its id without one, as its code, and the quantity as keyed (no pack).
 */
function pickedProduct(hit: ProductHit): Omit<IndexedCode, 'packQty'> {
  return { productId: hit.id, name: hit.name, nameZh: hit.nameZh, unitPriceMinor: hit.priceMinor, barcode: hit.plu ?? hit.id }
}

/** The till's line for a pending scan disagrees with the index (a price or name changed since it loaded). */
function indexDisagrees(scan: PendingScan, lineId: string | null): boolean {
  const line = sale.peek()?.lines.find((l) => l.id === lineId)
  return line !== undefined && (line.unitPriceMinor !== scan.unitPriceMinor || line.name !== scan.name || line.productId !== scan.productId)
}

let flashTimer: ReturnType<typeof setTimeout> | undefined
export async function scan(code: string, source: 'wedge' | 'manual', quantity?: number): Promise<boolean> {
  const before = sale.value
  const pending = pendingFor(code, quantity)
  // The call first: its send is queued (a microtask) ahead of the render the pending row asks for, so the row
  // costs the round trip nothing; both still run in the Enter's own task, before the next frame.
  const call = api().call['sale:scan']({ code, source, reply: 'line', ...(quantity ? { quantity } : {}) })
  if (pending) pendingScans.value = [...pendingScans.peek(), pending]
  const answer = await call
  if (!answer.ok) {
    // The row goes (or the quantity goes back) in the same render as the till's message.
    batch(() => {
      if (pending) dropPending(pending.token)
      alert(wordError(answer.error))
    })
    // The index said this code sells; the till says it does not: the index is behind the catalog (a change it was
    // not told of), so it is loaded again whatever its version says.
    if (pending && (answer.error.code === 'unknown-barcode' || answer.error.code === 'bad-barcode')) void loadProductIndex()
    return false
  }
  const value = answer.value
  // One render for all of it: the sale, the pending row turned into the till's line, the selection, the flash.
  batch(() => {
    if (pending) dropPending(pending.token)
    clearMessage()
    const touched = takeAnswer(value)
    const now = sale.peek()
    selectedLineId.value = touched ?? (now ? touchedLine(before, now) : null)
    scanFlash.value++
    scanFlashing.value = true
    if (pending && indexDisagrees(pending, selectedLineId.peek())) void catalogMoved(null)
  })
  clearTimeout(flashTimer)
  flashTimer = setTimeout(() => (scanFlashing.value = false), 600)
  return true
}

export async function addProduct(hit: ProductHit, quantity?: number): Promise<void> {
  const before = sale.value
  let weightGrams: number | undefined
  if (hit.pricing === 'unit') return addCounted(hit, quantity ?? 1)
  if (hit.pricing === 'weight') {
    // Loose produce by PLU: the weight is read off the scale and keyed in kilograms ("0.755").
    // A weight that is not one asks again, with the reason, instead of dropping the item: the cashier would have
    // had to key the PLU in again for a typo.
    let problem: string | undefined
    for (;;) {
      const typed = await promptValue(t('weight.title', { name: lineName(hit) }), t('weight.label'), t('barcode.add'), 'decimal', problem)
      lookup.value = []
      if (typed === null) return
      const grams = parseDecimalUnits(typed, 3)
      if (grams !== null && grams > 0n && grams <= 100_000n) {
        weightGrams = Number(grams)
        break
      }
      problem = t('weight.bad')
    }
  }
  const value = await unwrap(api().call['sale:add-product']({ productId: hit.id, quantity: quantity ?? 1, ...(weightGrams ? { weightGrams } : {}) }), alert)
  lookup.value = []
  if (!value) return
  clearMessage()
  setSale(value)
  selectedLineId.value = touchedLine(before, value)
}

/**
 * A counted product picked by PLU or name, drawn at once as a scan is (the row pending until the till's line is in
 * it, taken back with the till's message if refused); the hits close in the same render.
 */
async function addCounted(hit: ProductHit, quantity: number): Promise<void> {
  const before = sale.value
  const pending = pendingOf(pickedProduct(hit), quantity)
  const call = api().call['sale:add-product']({ productId: hit.id, quantity })
  batch(() => {
    if (pending) pendingScans.value = [...pendingScans.peek(), pending]
    lookup.value = []
  })
  const answer = await call
  if (!answer.ok) {
    batch(() => {
      if (pending) dropPending(pending.token)
      alert(wordError(answer.error))
    })
    return
  }
  batch(() => {
    if (pending) dropPending(pending.token)
    clearMessage()
    setSale(answer.value)
    const now = sale.peek()
    if (now) selectedLineId.value = touchedLine(before, now)
  })
}

/** A PLU keyed in, when the local index has it (a counted product): added at once, without a look-up first. */
export function addIndexedPlu(plu: string, quantity: number | undefined): boolean {
  const hit = lookUpPlu(plu)
  if (!hit) return false
  void addCounted({ id: hit.productId, name: hit.name, nameZh: hit.nameZh, plu, pricing: 'unit', priceMinor: hit.unitPriceMinor }, quantity ?? 1)
  return true
}

let searchRequest = 0
/**
 * A look-up waits this long for the next key. A wedge scanner types into a focused Barcode box faster than this
 * (its keys come within the wedge's 30 ms gap), so a scan's first digits ("40", "400", ...) no longer each send a
 * look-up that the till must answer before the scan itself; a person typing sees the hits a moment after a pause.
 */
const SEARCH_PAUSE_MS = 40
/** Type-ahead over the catalog (PLU digits or part of a name); only the newest answer is shown. */
export async function search(text: string): Promise<void> {
  const query = text.trim()
  const request = ++searchRequest
  if (query.length < 2 || /^\d{6,}$/.test(query)) {
    lookup.value = []
    return
  }
  await new Promise((done) => setTimeout(done, SEARCH_PAUSE_MS))
  if (request !== searchRequest) return
  const r = await api().call['catalog:search']({ query, limit: 8 })
  if (request === searchRequest) lookup.value = r.ok ? r.value : []
}

/**
 * Quantity changes go to the till as deltas, one call per press, in order over one connection: a press made while
 * the previous answer is still on its way counts too. Only a press that would take the line below 1 asks first.
 */
let pendingDelta = 0
export async function changeQuantity(delta: number): Promise<void> {
  // A press right after a scan is meant for the row just drawn: it waits for the till to make it a line.
  await afterPendingScans()
  const line = selectedLine.value
  if (!line || line.weightGrams !== null || !editable.value) return
  if (line.quantity + pendingDelta + delta < 1) return removeLine()
  pendingDelta += delta
  try {
    const value = await unwrap(api().call['sale:change-quantity']({ lineId: line.id, delta, reply: 'line' }), alert)
    if (value) takeAnswer(value)
  } finally {
    pendingDelta -= delta
  }
}

export async function setQuantity(quantity: number): Promise<void> {
  const line = selectedLine.value
  if (!line) return
  const value = await unwrap(api().call['sale:set-quantity']({ lineId: line.id, quantity }), alert)
  if (value) setSale(value)
}

/** "−" on a quantity of 1 removes the line, but only after the cashier says so. */
async function removeLine(): Promise<void> {
  const line = selectedLine.value
  if (!line) return
  const yes = await confirmAction(t('confirm.removeLine.title'), t('confirm.removeLine.text', { name: lineName(line) }), t('line.void'))
  if (yes) await voidLine()
}

export function lineName(line: { name: string; nameZh: string | null }): string {
  return store.value?.locale === 'zh-CN' && line.nameZh ? line.nameZh : line.name
}

export async function voidLine(): Promise<void> {
  const line = selectedLine.value
  if (!line) return alert(t('error.selectLine'))
  const value = await unwrap(api().call['sale:void-line']({ lineId: line.id }), alert)
  if (value) setSale(value)
}

export async function discountLine(): Promise<void> {
  const line = selectedLine.value
  if (!line) return alert(t('error.selectLine'))
  const answer = await askManagerApproval(`${t('line.discount')}: ${lineName(line)}`, { label: t('discount.percent'), inputmode: 'decimal' })
  if (!answer) return
  const value = await unwrap(api().call['sale:discount-line']({ lineId: line.id, percent: answer.value.trim(), pin: answer.pin }), alert)
  if (value) {
    clearMessage()
    setSale(value)
  }
}

export async function openCash(): Promise<void> {
  await afterPendingScans()
  if (!tenderable.value) return
  tenderOpen.value = true
  // The form is in the DOM already (hidden); focus it once it shows.
  requestAnimationFrame(() => {
    const input = document.getElementById('cash-received') as HTMLInputElement | null
    input?.focus()
    input?.select()
  })
}

export async function tenderCash(text: string): Promise<void> {
  // The due it is weighed against is the till's with every scan sent so far in.
  await afterPendingScans()
  const currency = store.value?.currency ?? 'USD'
  const received = parseMinor(text, currency)
  if (received === null || received <= 0) return alert(t('error.amount'))
  const due = sale.value?.dueMinor ?? 0
  let confirmPartial = false
  if (received < due) {
    // No silent partial tender: a short amount is a question first (and the till refuses it unconfirmed).
    confirmPartial = await confirmAction(t('confirm.partial.title'), say('sale.cash-below-due', { receivedMinor: received, dueMinor: due }), t('confirm.partial.yes'))
    if (!confirmPartial) {
      document.getElementById('cash-received')?.focus()
      return
    }
  }
  const value = await unwrap(api().call['sale:tender-cash']({ receivedMinor: received, confirmPartial }), alert)
  if (!value) return
  const input = document.getElementById('cash-received') as HTMLInputElement | null
  if (input) input.value = ''
  setSale(value)
  clearMessage()
  if (canComplete(value)) await complete()
  else notify('notice', () => t('cash.partialTaken', { amount: money(received), due: money(value.dueMinor) }))
}

/** Takes a cash tender back before the sale completes (manager PIN): the cash is handed back and journaled. */
export async function returnTender(tenderId: string, amountMinor: number): Promise<void> {
  const pin = await askManagerPin(t('tender.return'), t('tender.returnDetail', { amount: money(amountMinor) }))
  if (pin === null) return
  const value = await unwrap(api().call['sale:remove-tender']({ tenderId, pin }), alert)
  if (!value) return
  setSale(value)
  notify('notice', () => t('tender.returned', { amount: money(amountMinor) }))
}

export async function complete(): Promise<void> {
  await afterPendingScans()
  const done = await unwrap(api().call['sale:complete']({}), alert)
  if (!done) return
  setSale(null)
  notify('notice', () => (done.changeMinor > 0 ? t('sale.completed', { number: done.number, change: money(done.changeMinor, done.currency) }) : t('sale.completedNoChange', { number: done.number })))
  readyForNextSale()
}

/**
 * The keyboard back in the Barcode box once a sale is over: the control used to finish it (Take cash, Complete
 * sale, Approve) is hidden or disabled with the sale, and focus fell to the page, where a typed code went nowhere.
 */
function readyForNextSale(): void {
  requestAnimationFrame(() => {
    if (!dialogOpen()) document.getElementById('barcode')?.focus()
  })
}

export async function voidSale(): Promise<void> {
  const current = sale.value
  if (!current) return
  const paid = current.tenders.filter((x) => !x.returned)
  const cash = paid.filter((x) => x.kind === 'cash').reduce((sum, x) => sum + x.amountMinor, 0)
  const coin = paid.filter((x) => x.kind === 'stablecoin').reduce((sum, x) => sum + x.amountMinor, 0)
  // With money taken, the approval says what goes back, so the manager approves the hand-back, not just the void.
  const detail = paid.length === 0 ? undefined : [cash > 0 ? t('void.cashBack', { amount: money(cash) }) : '', coin > 0 ? t('void.refundOwed', { amount: money(coin) }) : ''].filter(Boolean).join(' ')
  const pin = await askManagerPin(t('sale.void'), detail)
  if (pin === null) return
  const voided = await unwrap(api().call['sale:void']({ pin }), alert)
  if (!voided) return
  setSale(null)
  notify('notice', () => (detail ? `${t('sale.voidedNotice', { number: voided.number })} ${detail}` : t('sale.voidedNotice', { number: voided.number })))
  readyForNextSale()
}

export async function noSale(): Promise<void> {
  const pin = await askManagerPin(t('drawer.nosale'))
  if (pin === null) return
  const job = await unwrap(api().call['drawer:no-sale']({ pin }), alert)
  if (job) notify('notice', () => t('drawer.opened'))
}

// ---- stablecoin ----

/** A request is open while the customer may still pay it: F6 then shows it again rather than replacing it. */
export const requestOpen = computed(() => {
  const p = payment.value
  return p !== null && (p.status === 'New' || p.status === 'Seen' || p.exception === 'PaidPartial')
})

export async function openStablecoin(): Promise<void> {
  await afterPendingScans()
  if (requestOpen.value) {
    notify('notice', () => t('stablecoin.stillOpen'))
    return
  }
  if (!tenderable.value) return
  const options = paymentOptions.value
  if (!options?.enabled) return alert(t('stablecoin.off', { reason: options?.reason ?? '' }))
  const choices = options.choices.flatMap((c) => c.tokens.map((token) => ({ chainId: c.chainId, token })))
  if (choices.length === 1) return requestStablecoin(choices[0]!.chainId, choices[0]!.token)
  choosingStablecoin.value = true
}

export async function requestStablecoin(chainId: number, token: 'USDC' | 'USDT'): Promise<void> {
  choosingStablecoin.value = false
  const value = await unwrap(api().call['payment:request']({ chainId, token }), alert)
  if (value) {
    payment.value = value
    clearMessage()
  }
}

export async function paymentAction(kind: 'cancel' | 'accept' | 'release' | 'refund' | 'simulate'): Promise<void> {
  const p = payment.value
  if (!p) return
  const paymentId = p.id
  const call = api().call
  if (kind === 'simulate') {
    await unwrap(call['payment:simulate']({ paymentId }), alert)
    return
  }
  let result: PaymentView | null = null
  if (kind === 'cancel') result = await unwrap(call['payment:cancel']({ paymentId }), alert)
  if (kind === 'refund') result = await unwrap(call['payment:record-overpayment']({ paymentId }), alert)
  if (kind === 'accept' || kind === 'release') {
    const pin = await askManagerPin(kind === 'accept' ? t('stablecoin.accept') : t('stablecoin.release'))
    if (pin === null) return
    result = kind === 'accept' ? await unwrap(call['payment:accept']({ paymentId, pin }), alert) : await unwrap(call['payment:release-unverified']({ paymentId, pin }), alert)
  }
  if (result) payment.value = kind === 'cancel' ? null : result
}

export async function switchLanguage(): Promise<void> {
  const info = await unwrap(api().call['settings:set-locale']({ locale: store.value?.locale === 'en' ? 'zh-CN' : 'en' }), alert)
  if (info) store.value = info
}

/** Everything the window shows, reloaded on start and after the link comes back (events may have been missed). */
export async function loadAll(): Promise<void> {
  // After a reconnect the pending scans' calls were settled as unavailable; anything left is dropped for the truth.
  dropAllPending()
  const call = api().call
  const [current, options, currentPayment, printerState, chains] = await Promise.all([
    call['sale:current']({}),
    call['payment:options']({}),
    call['payment:current']({}),
    call['printer:state']({}),
    call['chain:health']({})
  ])
  if (current.ok) setSale(current.value)
  if (options.ok) paymentOptions.value = options.value
  if (currentPayment.ok) payment.value = currentPayment.value
  if (printerState.ok) printer.value = printerState.value
  if (chains.ok) health.value = chains.value
}
