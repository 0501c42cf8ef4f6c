// The cashier window, one component per panel. The Barcode box and the Cart table are rendered once and updated in
// place (rows keyed by line id), so focus, a half-typed code and a screen reader's position survive every update.
import { effect, useComputed, type ReadonlySignal } from '@preact/signals'
import { useEffect, useRef, useState } from 'preact/hooks'
import { formatUnits } from '../../shared/money'
import { money, store, t } from '../common/page'
import { cannotCheck, healthLine, isReversed, paymentDetails, paymentHeadline } from '../common/payment'
import { LinkBanner, Messages, Dialogs } from '../common/ui'
import { LockScreen, session, SessionBar, sessionKnown } from '../common/session'
import {
  addIndexedPlu, addProduct, changeQuantity, choosingStablecoin, complete, completable, discountLine, editable, health, lineName, lookup, noSale, openCash,
  openStablecoin, payment, paymentAction, paymentOptions, printer, requestOpen, requestStablecoin, returnTender, sale, saleOpen, scan, scanFlashText, scanOkClass, search,
  selectedLine, selectedLineId, setQuantity, cart, switchLanguage, tenderable, tenderCash, tenderOpen, voidLine, voidSale
} from './state'
import { BLOCK } from './cart-rows'
import type { CartRowView } from './pending-scan'
import { api, unwrap } from '../common/page'
import { notify } from '../common/ui'
import { closeReturnFlow, openReturn, returnFlowOpen, ReturnPanel } from './returns'

/** 125000 ppm -> "12.5" (exact, from the integer). */
function percentText(ppm: number): string {
  return formatUnits(BigInt(ppm), 4).replace(/\.?0+$/, '')
}

/** `3*5901234123013` -> quantity 3 and the code; a bare code -> no quantity. */
export function splitQuantityPrefix(text: string): { quantity: number | null; code: string } {
  const m = /^(\d{1,4})\s*[*xX×]\s*(.*)$/.exec(text.trim())
  if (!m) return { quantity: null, code: text.trim() }
  const quantity = Number(m[1])
  return { quantity: quantity >= 1 ? quantity : null, code: (m[2] ?? '').trim() }
}

/** The Quantity box's value as a whole number, or null when empty or not one. */
export function typedQuantity(): number | null {
  const box = document.getElementById('quantity') as HTMLInputElement | null
  const text = box?.value.trim() ?? ''
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1) return null
  return Number(text)
}

function clearQuantity(): void {
  const box = document.getElementById('quantity') as HTMLInputElement | null
  if (box) box.value = ''
}

function Header() {
  const info = store.value!
  // A signed-in person is shown beside Switch user: the heading then names the store and the till only.
  const heading = session.value ? `${info.storeName} · ${info.tillId}` : `${info.storeName} · ${info.tillId} · ${info.cashier}`
  return (
    <header class="bar">
      <h1 title={heading}>{heading}</h1>
      {/* A manager's drawer action, not a step of the sale: in the bar, out of the sale panel's way. Neither it nor
          a return is offered while the till is locked: a return shows a past sale's lines to whoever stands there. */}
      {session.value ? (
        <>
          <button type="button" class="secondary" onClick={() => void noSale()}>
            {t('drawer.nosale')}
          </button>
          <button type="button" class="secondary" onClick={openReturn}>
            {t('return.open')}
          </button>
        </>
      ) : null}
      <button type="button" class="secondary" aria-label={t('language')} onClick={() => void switchLanguage()}>
        {t('language.switch')}
      </button>
      <SessionBar />
    </header>
  )
}

function ScanForm() {
  const input = useRef<HTMLInputElement>(null)
  const hits = lookup.value
  async function submit(): Promise<void> {
    const box = input.current!
    const { quantity: prefixed, code } = splitQuantityPrefix(box.value)
    const quantity = prefixed ?? typedQuantity() ?? undefined
    if (!code) {
      // Enter on an empty box with a quantity typed sets the selected line to it.
      const typed = typedQuantity()
      if (typed !== null && selectedLine.value) {
        clearQuantity()
        await setQuantity(typed)
      }
      return
    }
    // A PLU (4-5 digits, loose produce) or a name typed for the look-up adds the matching product, not a barcode.
    const isPlu = /^\d{4,5}$/.test(code)
    // A counted product's PLU the local index has: drawn at once, no look-up waited for.
    if (isPlu && addIndexedPlu(code, quantity)) {
      box.value = ''
      clearQuantity()
      lookup.value = []
      return
    }
    if (isPlu || /[^\d]/.test(code)) {
      const first = isPlu ? await lookupNow(code) : (hits[0] ?? null)
      if (first && (!isPlu || first.plu === code)) {
        box.value = ''
        clearQuantity()
        return addProduct(first, quantity)
      }
    }
    box.value = ''
    clearQuantity()
    lookup.value = []
    await scan(code, 'manual', quantity)
  }
  return (
    <form
      class="scanrow"
      onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}
    >
      <div class="barcode-field">
        <label for="barcode">{t('barcode')}</label>
        <input
          id="barcode"
          ref={input}
          name="barcode"
          autoComplete="off"
          placeholder={t('barcode.placeholder')}
          aria-keyshortcuts="F2"
          // Set by the scan itself (state.ts), so the flash is drawn in the same frame as the till's answer; bound
          // to the attribute, so it never renders the form.
          class={scanOkClass}
          onInput={(e) => void search(splitQuantityPrefix((e.target as HTMLInputElement).value).code)}
        />
        {/* On the label's line, out of the flow: its coming and going never moves the Cart (no layout shift). */}
        <div class="scan-flash" role="status" aria-label={t('scan.flashLabel')}>
          {scanFlashText}
        </div>
      </div>
      <div class="qty">
        <label for="quantity">{t('quantity')}</label>
        <input id="quantity" name="quantity" inputMode="numeric" autoComplete="off" maxLength={4} />
      </div>
      <button type="submit">{t('barcode.add')}</button>
      {hits.length > 0 ? (
        <div class="lookup" role="group" aria-label={t('lookup')}>
          {hits.map((hit) => (
            <button key={hit.id} type="button" class="secondary" onClick={() => void addProduct(hit, typedQuantity() ?? undefined)}>
              {`${hit.plu ? `${hit.plu} · ` : ''}${lineName(hit)} · ${money(hit.priceMinor)}${hit.pricing === 'weight' ? ' /kg' : ''}`}
            </button>
          ))}
        </div>
      ) : null}
    </form>
  )
}

async function lookupNow(code: string) {
  const r = await unwrap(api().call['catalog:search']({ query: code, limit: 1 }), (text) => notify('alert', text))
  return r?.[0] ?? null
}

/**
 * One cart row, rendered from its own signal (cart-rows.ts): a scan renders the row it adds or grows, a selection
 * change the two rows it moves between. A function component that reads signals is memoised by @preact/signals, so
 * its block rendering around it leaves it alone.
 */
function CartRow({ row }: { row: ReadonlySignal<CartRowView> }) {
  // Its own computed: a selection change wakes every row's, and renders only the rows whose answer changed.
  const selected = useComputed(() => {
    const { line, pending } = row.value
    return !pending && line.id === selectedLineId.value
  }).value
  const { line, pending } = row.value
  const classes = [line.voided ? 'voided' : '', pending ? 'pending' : ''].filter(Boolean).join(' ')
  return (
    <tr
      aria-selected={selected ? 'true' : 'false'}
      aria-busy={pending ? 'true' : undefined}
      class={classes || undefined}
      data-line-id={pending && line.id.startsWith('pending-') ? undefined : line.id}
      onClick={() => {
        const now = row.peek()
        if (!now.pending) selectedLineId.value = now.line.id
      }}
    >
      <td>
        {lineName(line)}
        {line.discountPpm > 0 ? ` (−${percentText(line.discountPpm)}%)` : ''}
        {line.voided ? ` (${t('line.voided')})` : ''}
      </td>
      <td class="num">{line.weightGrams !== null ? `${formatUnits(BigInt(line.weightGrams), 3)} kg` : String(line.quantity)}</td>
      <td class="num">{money(line.unitPriceMinor)}</td>
      <td class="num">{money(line.amountMinor - line.discountMinor)}</td>
    </tr>
  )
}

/**
 * BLOCK rows, as a fragment (the Cart stays one table body of rows). Keyed by position: a pending row and the
 * till's line it becomes are the same component, so Preact keeps the same <tr> and only its figures and its busy
 * mark change (a sale's lines keep their positions; voided ones stay).
 */
function RowBlock({ index }: { index: number }) {
  const size = cart.blockSizes[index]!.value
  const rows = []
  for (let i = 0; i < size; i++) {
    const position = index * BLOCK + i
    rows.push(<CartRow key={position} row={cart.rows[position]!} />)
  }
  return <>{rows}</>
}

function EmptyCart() {
  return cart.count.value === 0 ? <div class="empty">{t('cart.empty')}</div> : null
}

/**
 * Keeps the row a scan drew, or the row selected, in view. A row added is scrolled to by a ResizeObserver on the
 * rows, which runs after the frame's layout and before its paint: the row is painted in view in the frame that
 * first paints it, with no layout forced and no second frame (an effect after the paint scrolled one frame late,
 * and its timer held the page when the till's answer came in). A selection moved by a key or a click is scrolled to
 * in the next frame.
 */
function useRowsInView(body: { current: HTMLTableSectionElement | null }): void {
  useEffect(() => {
    const rowsEl = body.current!
    let count = cart.count.peek()
    let selected = selectedLineId.peek()
    let added = false
    // The position of the row last put in view as it was added: the till's line that becomes it is selected there.
    let addedInView = 0
    const observer = new ResizeObserver(() => {
      if (!added) return
      added = false
      // A row the till added selected already (a scan not drawn ahead) needs no second look.
      addedInView = selectedLine.peek()?.position === count ? 0 : count
      rowsEl.lastElementChild?.scrollIntoView({ block: 'nearest' })
    })
    observer.observe(rowsEl)
    let frame = 0
    const stop = effect(() => {
      const nextCount = cart.count.value
      const nextSelected = selectedLineId.value
      const position = selectedLine.peek()?.position ?? 0
      if (nextCount > count) added = true
      else if (nextSelected !== selected && position !== 0) {
        if (position === addedInView) addedInView = 0
        else {
          cancelAnimationFrame(frame)
          frame = requestAnimationFrame(() => rowsEl.children[position - 1]?.scrollIntoView({ block: 'nearest' }))
        }
      }
      count = nextCount
      selected = nextSelected
    })
    return () => {
      stop()
      observer.disconnect()
      cancelAnimationFrame(frame)
    }
  }, [body])
}

function Cart() {
  const blocks = cart.blockCount.value
  const body = useRef<HTMLTableSectionElement>(null)
  useRowsInView(body)
  const list = []
  for (let b = 0; b < blocks; b++) list.push(<RowBlock key={b} index={b} />)
  return (
    <div class="cartwrap">
      <table role="grid" aria-label={t('cart')} class="cart">
        <thead>
          <tr>
            <th>{t('col.item')}</th>
            <th class="num col-qty">{t('col.qty')}</th>
            <th class="num col-money">{t('col.unit')}</th>
            <th class="num col-money">{t('col.total')}</th>
          </tr>
        </thead>
        <tbody ref={body}>{list}</tbody>
      </table>
      <EmptyCart />
    </div>
  )
}

function LineBar() {
  const canEdit = editable.value
  const chosen = selectedLine.value !== null
  const open = saleOpen.value
  return (
    <div class="linebar">
      <button type="button" class="secondary" disabled={!canEdit || !chosen} aria-keyshortcuts="-" onClick={() => void changeQuantity(-1)}>
        {t('qty.decrease')}
      </button>
      <button type="button" class="secondary" disabled={!canEdit || !chosen} aria-keyshortcuts="+" onClick={() => void changeQuantity(1)}>
        {t('qty.increase')}
      </button>
      <button type="button" class="secondary" disabled={!canEdit || !chosen} aria-keyshortcuts="Delete" onClick={() => void voidLine()}>
        {t('line.void')}
      </button>
      <button type="button" class="secondary" disabled={!canEdit || !chosen} onClick={() => void discountLine()}>
        {t('line.discount')}
      </button>
      <button type="button" class="secondary" disabled={!open} onClick={() => void voidSale()}>
        {t('sale.void')}
      </button>
    </div>
  )
}

function Totals() {
  const s = sale.value
  return (
    <>
      {s ? <div>{t('sale.number', { number: s.number })}</div> : null}
      <div role="status" aria-label={t('sale.total')} class="total">
        {money(s?.totalMinor ?? 0)}
      </div>
      <div class="sums">
        <span>{t('sale.subtotal')}</span>
        <span>{money(s?.subtotalMinor ?? 0)}</span>
        <span>{t('sale.tax')}</span>
        <span>{money(s?.taxMinor ?? 0)}</span>
        <span>{t('sale.paid')}</span>
        <span>{money(s?.paidMinor ?? 0)}</span>
        <span>{t('sale.due')}</span>
        <span role="status" aria-label={t('sale.due')}>
          {money(s?.dueMinor ?? 0)}
        </span>
      </div>
    </>
  )
}

function Tenders() {
  const tenders = (sale.value?.tenders ?? []).filter((x) => !x.returned)
  if (tenders.length === 0) return null
  return (
    <ul class="tenders" aria-label={t('tenders')}>
      {tenders.map((x) => (
        <li key={x.id}>
          <span>{x.kind === 'cash' ? t('tender.cash', { amount: money(x.amountMinor), received: money(x.receivedMinor ?? x.amountMinor) }) : t('tender.stablecoin', { amount: money(x.amountMinor) })}</span>
          {x.kind === 'cash' ? (
            <button type="button" class="secondary" onClick={() => void returnTender(x.id, x.amountMinor)}>
              {t('tender.returnButton', { amount: money(x.amountMinor) })}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  )
}

function Choices() {
  const options = paymentOptions.value
  if (!choosingStablecoin.value || !options) return null
  return (
    <div class="choices" role="group" aria-label={t('stablecoin.choose')}>
      {options.choices.flatMap((c) =>
        c.tokens.map((token) => (
          <button key={`${c.chainId}/${token}`} type="button" class="secondary" onClick={() => void requestStablecoin(c.chainId, token)}>
            {t('stablecoin.option', { token, chain: c.chainName })}
          </button>
        ))
      )}
    </div>
  )
}

/** Always present (UI-CONTRACT): "No payment" until a request exists. */
function PaymentStatus() {
  const p = payment.value
  const chains = health.value
  const options = paymentOptions.value
  if (!p) {
    return (
      <div role="status" aria-label={t('payment.status')} class="payment-status idle">
        {t('status.none')}
      </div>
    )
  }
  const hasMoney = p.amountPaid !== '0'
  const offline = p.status === 'New' || p.status === 'Seen' || p.exception === 'PaidPartial' ? cannotCheck(chains, p.chainId) : null
  const reversed = isReversed(p)
  return (
    <div class="payment">
      <div role="status" aria-label={t('payment.status')} class={`payment-status${reversed ? ' bad' : ''}`}>
        <strong>{paymentHeadline(p)}</strong> — {paymentDetails(p)}
        {offline ? <div class="offline">{offline}</div> : null}
      </div>
      <div class="linebar wrap">
        {!hasMoney && (p.status === 'New' || p.status === 'Expired') ? (
          <button type="button" class="secondary" onClick={() => void paymentAction('cancel')}>
            {t('stablecoin.cancel')}
          </button>
        ) : null}
        {(p.exception === 'PaidPartial' || p.exception === 'PaidLate') && p.status !== 'Seen' ? (
          <button type="button" class="secondary" onClick={() => void paymentAction('accept')}>
            {t('stablecoin.accept')}
          </button>
        ) : null}
        {(p.status === 'New' || p.status === 'Seen') && !p.releasedUnverified ? (
          <button type="button" class="secondary" onClick={() => void paymentAction('release')}>
            {t('stablecoin.release')}
          </button>
        ) : null}
        {p.status === 'Paid' && p.exception === 'PaidOver' && p.refundDue === null ? (
          <button type="button" class="secondary" onClick={() => void paymentAction('refund')}>
            {t('stablecoin.refund')}
          </button>
        ) : null}
        {options?.canSimulate && (p.status === 'New' || p.exception === 'PaidPartial') && !p.releasedUnverified ? (
          <button type="button" class="secondary" onClick={() => void paymentAction('simulate')}>
            {t('stablecoin.simulate')}
          </button>
        ) : null}
      </div>
    </div>
  )
}

/** Per chain in use: up / lagging / down, with the last block's age. Re-worded every few seconds (ages move). */
function NetworkHealth() {
  const chains = health.value
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5000)
    return () => clearInterval(timer)
  }, [])
  if (chains.length === 0) return null
  return (
    <div role="status" aria-label={t('health.title')} class="health">
      {chains.map((c) => (
        <div key={c.chainId} class={`health-${c.status}`}>
          {healthLine(c, now)}
        </div>
      ))}
    </div>
  )
}

function CashTender() {
  return (
    <form
      class="tender"
      hidden={!tenderOpen.value}
      onSubmit={(e) => {
        e.preventDefault()
        void tenderCash((document.getElementById('cash-received') as HTMLInputElement).value)
      }}
    >
      <label for="cash-received">{t('cash.received')}</label>
      <input id="cash-received" inputMode="decimal" autoComplete="off" />
      <button type="submit">{t('cash.tender')}</button>
    </form>
  )
}

function PrinterProblem() {
  const state = printer.value
  if (!state || state.pending === 0 || !state.lastError) return null
  const failed = state.jobs.find((j) => j.status !== 'printed' && j.lastError)
  return (
    <div class="alert" role="alert">
      {t('printer.problem', { message: state.lastError, pending: state.pending })}
      {failed ? (
        <button type="button" class="secondary" onClick={() => void api().call['printer:retry']({ jobId: failed.id })}>
          {t('printer.retry')}
        </button>
      ) : null}
    </div>
  )
}

function SalePanel() {
  const canPay = tenderable.value
  return (
    <section class="panel side" aria-label={t('sale.total')}>
      <Totals />
      <Tenders />
      <div class="actions">
        <button type="button" disabled={!canPay} aria-keyshortcuts="F4" onClick={() => void openCash()}>
          {t('pay.cash')}
        </button>
        <button type="button" class="secondary" disabled={!canPay && !requestOpen.value} aria-keyshortcuts="F6" onClick={() => void openStablecoin()}>
          {t('pay.stablecoin')}
        </button>
      </div>
      <CashTender />
      <Choices />
      <PaymentStatus />
      {/* Right under the payment it finishes, so it is in view the moment the sale is paid. */}
      <button type="button" class="complete" disabled={!completable.value} aria-keyshortcuts="F12" onClick={() => void complete()}>
        {t('sale.complete')}
      </button>
      <NetworkHealth />
      <PrinterProblem />
    </section>
  )
}

export function Cashier() {
  useEffect(() => {
    document.title = `Stabletill — ${t('cashier.title')}`
  })
  const locked = sessionKnown.value && !session.value
  // Locked (here or from the other window), a return under way is dropped with the sale panel it stood beside.
  useEffect(() => {
    if (locked) closeReturnFlow()
  }, [locked])
  const returning = returnFlowOpen()
  return (
    <>
      <Header />
      <LinkBanner />
      <Messages />
      {locked ? <LockScreen /> : <main class="layout">
        {/* The return takes the cart's column, the sale panel stays in view beside it (above the layout it pushed
            the sale panel below the fold). The cart is only hidden, never unmounted: its rows, the Barcode box and
            the scan machinery bound to them are the same elements when the return closes. */}
        {returning ? <ReturnPanel /> : null}
        <section class="panel" aria-label={t('cart')} hidden={returning}>
          <ScanForm />
          <Cart />
          <LineBar />
          <p class="shortcuts">{t('shortcuts')}</p>
        </section>
        <SalePanel />
      </main>}
      <Dialogs />
    </>
  )
}
