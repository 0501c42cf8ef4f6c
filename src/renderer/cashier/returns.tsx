// The cashier's return flow (issue [D] point 2): find the sale by its receipt code (scanned into the Receipt code
// box, or the 12 characters after "Journal" typed) or by its number and date; choose what comes back (the whole
// sale, or a quantity per line: never more than is left); then refund in cash or in stablecoin, each with a
// manager's PIN. A stablecoin refund shows the EIP-681 request as a QR for the manager's own wallet, and the page
// follows the return (event 'return:changed') until the chain shows the transfer.
//
// While the flow is open, wedge scans are typed into the focused box instead of being sold (keyboard.ts asks
// `returnFlowOpen`), so a receipt's QR read by the scanner lands in the Receipt code box.
import { signal } from '@preact/signals'
import QRCode from 'qrcode'
import { useEffect, useState } from 'preact/hooks'
import type { ReturnableSaleView, ReturnQuoteView, ReturnView } from '../../shared/api/views'
import { api, money, store, t, unwrap } from '../common/page'
import { askManagerPin, clearMessage, dialogOpen, notify } from '../common/ui'
import { intlLocale } from '../../shared/i18n'

const found = signal<ReturnableSaleView | null>(null)
const quantities = signal<Readonly<Record<string, number>>>({})
const quote = signal<ReturnQuoteView | null>(null)
const result = signal<ReturnView | null>(null)
const choosingCoin = signal(false)
const open = signal(false)
let subscribed = false

const alert = (text: string) => notify('alert', text)

/** Whether the return flow has the keyboard (keyboard.ts: scans are typed, not sold). */
export function returnFlowOpen(): boolean {
  return open.value
}

export function openReturn(): void {
  if (!subscribed) {
    subscribed = true
    api().on('return:changed', (view) => {
      if (result.value?.id === view.id) result.value = view
      if (view.status === 'completed' && view.method === 'stablecoin') notify('notice', () => t('return.coin.done', { number: view.number, amount: money(view.amountMinor, view.currency) }))
    })
  }
  reset()
  open.value = true
}

function reset(): void {
  found.value = null
  quantities.value = {}
  quote.value = null
  result.value = null
  choosingCoin.value = false
}

function closeReturn(): void {
  closeReturnFlow()
  // After the render that shows the cart again: the Barcode box is hidden until then and cannot take focus.
  requestAnimationFrame(() => document.getElementById('barcode')?.focus())
}

/** Closes the flow without moving focus (the till locked under it). */
export function closeReturnFlow(): void {
  reset()
  open.value = false
}

/** Today in the till's local time as YYYY-MM-DD: most returns come back the day they were sold. */
function today(): string {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

async function find(query: { code: string } | { number: number; date: string }): Promise<void> {
  const sale = await unwrap(api().call['return:find'](query), alert)
  if (!sale) return
  clearMessage()
  reset()
  found.value = sale
}

function selection(): { lineId: string; quantity: number }[] {
  return Object.entries(quantities.value)
    .filter(([, quantity]) => quantity > 0)
    .map(([lineId, quantity]) => ({ lineId, quantity }))
}

async function requote(): Promise<void> {
  const sale = found.value
  const lines = selection()
  if (!sale || lines.length === 0) {
    quote.value = null
    return
  }
  quote.value = await unwrap(api().call['return:quote']({ saleId: sale.saleId, lines }), alert)
}

function setQuantity(lineId: string, quantity: number): void {
  quantities.value = { ...quantities.value, [lineId]: quantity }
  void requote()
}

function wholeSale(): void {
  const sale = found.value
  if (!sale) return
  quantities.value = Object.fromEntries(sale.lines.map((l) => [l.lineId, l.returnableQuantity]))
  void requote()
}

async function refundCash(): Promise<void> {
  const sale = found.value
  const q = quote.value
  if (!sale || !q) return alert(t('return.choose'))
  const pin = await askManagerPin(t('return.approve.cash'), money(q.amountMinor, q.currency))
  if (pin === null) return
  const done = await unwrap(api().call['return:cash']({ saleId: sale.saleId, lines: selection(), pin }), alert)
  if (!done) return
  result.value = done
  notify('notice', () => t('return.cash.done', { number: done.number, amount: money(done.amountMinor, done.currency) }))
  // The button pressed is gone with the lines: the one thing left to do is close, so the keyboard is put there.
  requestAnimationFrame(() => document.getElementById('return-close')?.focus())
}

async function refundCoin(customerAddress: string, basis: 'token' | 'fiat'): Promise<void> {
  const sale = found.value
  const q = quote.value
  if (!sale || !q) return alert(t('return.choose'))
  const pin = await askManagerPin(t('return.approve.coin'), money(q.amountMinor, q.currency))
  if (pin === null) return
  const done = await unwrap(api().call['return:stablecoin']({ saleId: sale.saleId, lines: selection(), customerAddress, basis, pin }), alert)
  if (!done) return
  result.value = done
  notify('notice', () => t('return.coin.waiting'))
}

/** Two short forms, each a row of fields with its button at the end: they fit the cart's column at 1024 px. */
function FindForm() {
  return (
    <div class="return-find">
      <form
        class="return-find-code"
        onSubmit={(e) => {
          e.preventDefault()
          const box = (e.currentTarget as HTMLFormElement).elements.namedItem('receipt-code') as HTMLInputElement
          if (box.value.trim()) void find({ code: box.value.trim() })
        }}
      >
        <div>
          <label for="receipt-code">{t('return.code')}</label>
          <input id="receipt-code" name="receipt-code" autoComplete="off" data-autofocus title={t('return.code.placeholder')} placeholder={t('return.code.placeholder')} />
        </div>
        <button type="submit">{t('return.find')}</button>
      </form>
      <form
        class="return-find-number"
        onSubmit={(e) => {
          e.preventDefault()
          const form = e.currentTarget as HTMLFormElement
          const number = Number((form.elements.namedItem('return-number') as HTMLInputElement).value.trim())
          const date = (form.elements.namedItem('return-date') as HTMLInputElement).value.trim()
          if (!Number.isSafeInteger(number) || number < 1 || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return alert(t('return.byNumber.bad'))
          void find({ number, date })
        }}
      >
        <div>
          <label for="return-number">{t('return.number')}</label>
          <input id="return-number" name="return-number" inputMode="numeric" autoComplete="off" />
        </div>
        <div>
          <label for="return-date">{t('return.date')}</label>
          <input id="return-date" name="return-date" autoComplete="off" placeholder="YYYY-MM-DD" defaultValue={today()} />
        </div>
        <button type="submit" class="secondary">
          {t('return.findByNumber')}
        </button>
      </form>
    </div>
  )
}

function Lines({ sale }: { sale: ReturnableSaleView }) {
  const chosen = quantities.value
  const name = (l: ReturnableSaleView['lines'][number]) => (store.value?.locale === 'zh-CN' && l.nameZh ? l.nameZh : l.name)
  return (
    <table aria-label={t('return.lines')}>
      <thead>
        <tr>
          <th scope="col">{t('col.item')}</th>
          <th scope="col">{t('return.col.sold')}</th>
          <th scope="col">{t('return.col.returned')}</th>
          <th scope="col">{t('col.total')}</th>
          <th scope="col">{t('return.col.back')}</th>
        </tr>
      </thead>
      <tbody>
        {sale.lines.map((l) => (
          <tr key={l.lineId}>
            <td>{name(l)}</td>
            <td>{l.soldQuantity}</td>
            <td>{l.returnedQuantity}</td>
            <td>{money(l.grossMinor, sale.currency)}</td>
            <td>
              <input
                type="number"
                min={0}
                max={l.returnableQuantity}
                step={1}
                disabled={l.returnableQuantity === 0}
                aria-label={t('return.quantityFor', { name: name(l) })}
                value={chosen[l.lineId] ?? 0}
                onChange={(e) => {
                  const typed = Number((e.target as HTMLInputElement).value)
                  // The till refuses more than is left; the box only keeps a typo from being sent.
                  setQuantity(l.lineId, Number.isSafeInteger(typed) && typed >= 0 ? typed : 0)
                }}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function CoinForm() {
  return (
    <form
      class="tender"
      onSubmit={(e) => {
        e.preventDefault()
        const form = e.currentTarget as HTMLFormElement
        const address = (form.elements.namedItem('customer-address') as HTMLInputElement).value.trim()
        const basis = (form.querySelector('input[name="refund-basis"]:checked') as HTMLInputElement | null)?.value === 'fiat' ? 'fiat' : 'token'
        if (!address) return alert(t('return.address.needed'))
        void refundCoin(address, basis)
      }}
    >
      <label for="customer-address">{t('return.address')}</label>
      <input id="customer-address" name="customer-address" autoComplete="off" data-autofocus placeholder={t('return.address.placeholder')} />
      <fieldset>
        <legend>{t('return.basis')}</legend>
        <label>
          <input type="radio" name="refund-basis" value="token" checked={found.value?.stablecoin !== null} disabled={found.value?.stablecoin === null} /> {t('return.basis.token')}
        </label>
        <label>
          <input type="radio" name="refund-basis" value="fiat" checked={found.value?.stablecoin === null} /> {t('return.basis.fiat')}
        </label>
      </fieldset>
      <button type="submit">{t('return.coin.request')}</button>
    </form>
  )
}

function CoinRequest({ view }: { view: ReturnView }) {
  const coin = view.stablecoin!
  const [qr, setQr] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    void QRCode.toDataURL(coin.uri, { errorCorrectionLevel: 'M', margin: 4, width: 320 }).then((url) => {
      if (live) setQr(url)
    })
    return () => {
      live = false
    }
  }, [coin.uri])
  return (
    <div class="payment">
      {view.status === 'awaiting-transfer' && qr ? <img src={qr} alt={t('return.qr')} width={240} height={240} /> : null}
      <p>{t('return.coin.pay', { amount: `${coin.tokenAmount} ${coin.tokenSymbol}`, chain: coin.chainName, to: coin.toAddress, from: coin.fromAddress })}</p>
      <div role="status" aria-label={t('return.status')} class="payment-status">
        {view.status === 'completed'
          ? t('return.coin.confirmed', { tx: coin.txHash ?? '' })
          : view.status === 'cancelled'
            ? t('return.coin.cancelled')
            : t('return.coin.waiting')}
      </div>
      {view.status === 'awaiting-transfer' ? (
        <button type="button" class="secondary" onClick={() => void unwrap(api().call['return:check']({}), alert)}>
          {t('return.coin.check')}
        </button>
      ) : null}
    </div>
  )
}

/** The return flow; nothing while closed. */
export function ReturnPanel() {
  useEffect(() => {
    if (open.value) document.getElementById(found.value ? 'return-close' : 'receipt-code')?.focus()
  }, [open.value])
  if (!open.value) return null
  const saleDate = new Intl.DateTimeFormat(intlLocale(store.value?.locale ?? 'en'), { dateStyle: 'medium', timeStyle: 'short' })
  const sale = found.value
  const q = quote.value
  const done = result.value
  return (
    <section
      class="panel return-panel"
      role="region"
      aria-label={t('return.title')}
      onKeyDown={(e) => {
        // The shortcuts line promises Esc closes; a dialog open over the flow takes its own Esc first.
        if (e.key === 'Escape' && !dialogOpen()) {
          e.preventDefault()
          closeReturn()
        }
      }}
    >
      <div class="return-head">
        <h2>{t('return.title')}</h2>
        <button type="button" id="return-close" class="secondary" onClick={closeReturn}>
          {t('return.close')}
        </button>
      </div>
      {done ? (
        <>
          <p>{t('return.summary', { number: done.number, sale: done.originalSaleNumber, amount: money(done.amountMinor, done.currency) })}</p>
          {done.stablecoin ? <CoinRequest view={done} /> : null}
        </>
      ) : (
        <>
          <FindForm />
          {sale ? (
            <>
              {/* In the UI language, not the browser's: a zh-CN page read "12/2/2026, 1:40:01 AM". */}
              <h3>{t('return.sale', { number: sale.number, date: saleDate.format(sale.closedAt), total: money(sale.totalMinor, sale.currency) })}</h3>
              <Lines sale={sale} />
              {/* Stuck to the panel's foot: a long sale's lines scroll under it, the refund buttons stay in view. */}
              <div class="linebar wrap return-actions">
                <button type="button" class="secondary" onClick={wholeSale}>
                  {t('return.whole')}
                </button>
                <div role="status" aria-label={t('return.amount')}>
                  {q ? money(q.amountMinor, q.currency) : money(0, sale.currency)}
                </div>
                <button type="button" disabled={!q} onClick={() => void refundCash()}>
                  {t('return.cash')}
                </button>
                <button type="button" class="secondary" disabled={!q} onClick={() => (choosingCoin.value = true)}>
                  {t('return.coin')}
                </button>
              </div>
              {choosingCoin.value && q ? <CoinForm /> : null}
            </>
          ) : null}
        </>
      )}
    </section>
  )
}
