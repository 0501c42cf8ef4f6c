// Cashier window: keyboard-first. Wedge scans work anywhere in the window; manual entry in the Barcode box.
import type { PaymentOptions, PrinterState, SaleView } from '../../shared/api/views'
import type { PaymentView } from '../../shared/payment/view'
import { canComplete, canEditLines, canTender } from '../../shared/sale/guards'
import { formatUnits, parseMinor } from '../../shared/money'
import { WedgeDetector } from '../../shared/wedge'
import type { Result } from '../../shared/result'
import { h } from '../common/dom'
import { startPage, type Page } from '../common/page'
import { paymentDetails, paymentHeadline } from '../common/payment-status'
import { askManagerApproval, askManagerPin } from './approval'

let page: Page
let sale: SaleView | null = null
let selectedLineId: string | null = null
let tenderOpen = false
let lastMessage: { kind: 'alert' | 'notice'; text: string } | null = null
let payment: PaymentView | null = null
let paymentOptions: PaymentOptions | null = null
let choosingStablecoin = false
let printer: PrinterState | null = null

const app = document.getElementById('app')!

function say(kind: 'alert' | 'notice', text: string): void {
  lastMessage = { kind, text }
  renderMessages()
}

function renderMessages(): void {
  const box = document.getElementById('alerts')
  if (!box) return
  box.replaceChildren()
  if (lastMessage) box.append(h('div', { class: lastMessage.kind, role: lastMessage.kind === 'alert' ? 'alert' : 'status' }, lastMessage.text))
}

async function run<T>(p: Promise<Result<T>>): Promise<T | null> {
  const r = await p
  if (!r.ok) {
    say('alert', r.error.message)
    return null
  }
  return r.value
}

async function scan(code: string, source: 'wedge' | 'manual'): Promise<void> {
  const value = await run(page.api.call['sale:scan']({ code, source }))
  if (value) {
    lastMessage = null
    setSale(value)
    const last = value.lines[value.lines.length - 1]
    selectedLineId = last?.id ?? null
    render()
  }
}

function setSale(value: SaleView | null): void {
  sale = value && value.status === 'open' ? value : null
  if (!sale) {
    tenderOpen = false
    choosingStablecoin = false
    selectedLineId = null
    payment = null
  } else if (!sale.lines.some((l) => l.id === selectedLineId)) {
    selectedLineId = sale.lines.filter((l) => !l.voided).at(-1)?.id ?? null
  }
}

/** 125000 ppm -> "12.5" (exact, from the integer). */
function percentText(ppm: number): string {
  return formatUnits(BigInt(ppm), 4).replace(/\.?0+$/, '')
}

function selectedLine() {
  return sale?.lines.find((l) => l.id === selectedLineId && !l.voided) ?? null
}

async function changeQuantity(delta: number): Promise<void> {
  const line = selectedLine()
  if (!line || line.weightGrams !== null) return
  const quantity = line.quantity + delta
  if (quantity < 1) return voidLine()
  const value = await run(page.api.call['sale:set-quantity']({ lineId: line.id, quantity }))
  if (value) {
    setSale(value)
    render()
  }
}

async function voidLine(): Promise<void> {
  const line = selectedLine()
  if (!line) return say('alert', 'Select a line to void first.')
  const value = await run(page.api.call['sale:void-line']({ lineId: line.id }))
  if (value) {
    setSale(value)
    render()
  }
}

async function tenderCash(text: string): Promise<void> {
  const received = parseMinor(text, page.store.currency)
  if (received === null || received <= 0) return say('alert', page.t('error.amount'))
  const value = await run(page.api.call['sale:tender-cash']({ receivedMinor: received }))
  if (value) {
    setSale(value)
    lastMessage = null
    if (canComplete(value)) await complete()
    else render()
  }
}

async function complete(): Promise<void> {
  const done = await run(page.api.call['sale:complete']({}))
  if (done) {
    setSale(null)
    say('notice', page.t('sale.completed', { number: done.number, change: page.money(done.changeMinor) }))
    render()
  }
}

async function openStablecoin(): Promise<void> {
  if (!canTender(sale)) return
  if (!paymentOptions?.enabled) return say('alert', page.t('stablecoin.off', { reason: paymentOptions?.reason ?? '' }))
  const choices = paymentOptions.choices.flatMap((c) => c.tokens.map((token) => ({ chainId: c.chainId, token })))
  if (choices.length === 1) return requestStablecoin(choices[0]!.chainId, choices[0]!.token)
  choosingStablecoin = true
  render()
  document.querySelector<HTMLButtonElement>('.choices button')?.focus()
}

async function requestStablecoin(chainId: number, token: 'USDC' | 'USDT'): Promise<void> {
  choosingStablecoin = false
  const value = await run(page.api.call['payment:request']({ chainId, token }))
  if (value) {
    payment = value
    lastMessage = null
  }
  render()
}

async function paymentAction(kind: 'cancel' | 'accept' | 'release' | 'refund' | 'simulate'): Promise<void> {
  if (!payment) return
  const paymentId = payment.id
  let result: PaymentView | null | { txHash: string } = null
  if (kind === 'cancel') result = await run(page.api.call['payment:cancel']({ paymentId }))
  if (kind === 'refund') result = await run(page.api.call['payment:record-overpayment']({ paymentId }))
  if (kind === 'simulate') result = await run(page.api.call['payment:simulate']({ paymentId }))
  if (kind === 'accept' || kind === 'release') {
    const action = kind === 'accept' ? page.t('stablecoin.accept') : page.t('stablecoin.release')
    const pin = await askManagerPin(page, action)
    if (pin === null) return
    result = kind === 'accept' ? await run(page.api.call['payment:accept']({ paymentId, pin })) : await run(page.api.call['payment:release-unverified']({ paymentId, pin }))
  }
  if (result && 'status' in result) payment = kind === 'cancel' ? null : result
  render()
}

async function discountLine(): Promise<void> {
  const line = selectedLine()
  if (!line) return say('alert', 'Select a line to discount first.')
  const answer = await askManagerApproval(page, `${page.t('line.discount')}: ${line.name}`, { label: page.t('discount.percent'), inputmode: 'decimal' })
  if (!answer) return
  const value = await run(page.api.call['sale:discount-line']({ lineId: line.id, percent: answer.value.trim(), pin: answer.pin }))
  if (value) {
    lastMessage = null
    setSale(value)
    render()
  }
}

async function voidSale(): Promise<void> {
  if (!canEditLines(sale)) return
  const pin = await askManagerPin(page, page.t('sale.void'))
  if (pin === null) return
  const voided = await run(page.api.call['sale:void']({ pin }))
  if (voided) {
    setSale(null)
    say('notice', page.t('sale.voidedNotice', { number: voided.number }))
    render()
  }
}

async function noSale(): Promise<void> {
  const pin = await askManagerPin(page, page.t('drawer.nosale'))
  if (pin === null) return
  const job = await run(page.api.call['drawer:no-sale']({ pin }))
  if (job) say('notice', page.t('drawer.opened'))
}

function paymentPanel(): HTMLElement | null {
  const t = page.t
  if (choosingStablecoin && paymentOptions) {
    return h(
      'div',
      { class: 'choices', role: 'group', 'aria-label': t('stablecoin.choose') },
      ...paymentOptions.choices.flatMap((c) =>
        c.tokens.map((token) => h('button', { type: 'button', class: 'secondary', onclick: () => void requestStablecoin(c.chainId, token) }, t('stablecoin.option', { token, chain: c.chainName })))
      )
    )
  }
  if (!payment) return null
  const p = payment
  const hasMoney = p.amountPaid !== '0'
  const buttons = [
    !hasMoney && (p.status === 'New' || p.status === 'Expired') ? h('button', { type: 'button', class: 'secondary', onclick: () => void paymentAction('cancel') }, t('stablecoin.cancel')) : null,
    (p.exception === 'PaidPartial' || p.exception === 'PaidLate') && p.status !== 'Seen' ? h('button', { type: 'button', class: 'secondary', onclick: () => void paymentAction('accept') }, t('stablecoin.accept')) : null,
    (p.status === 'New' || p.status === 'Seen') && !p.releasedUnverified ? h('button', { type: 'button', class: 'secondary', onclick: () => void paymentAction('release') }, t('stablecoin.release')) : null,
    p.status === 'Paid' && p.exception === 'PaidOver' && p.refundDue === null ? h('button', { type: 'button', class: 'secondary', onclick: () => void paymentAction('refund') }, t('stablecoin.refund')) : null,
    paymentOptions?.canSimulate && (p.status === 'New' || p.exception === 'PaidPartial') && !p.releasedUnverified ? h('button', { type: 'button', class: 'secondary', onclick: () => void paymentAction('simulate') }, t('stablecoin.simulate')) : null
  ]
  return h(
    'div',
    { class: 'payment' },
    h('div', { role: 'status', 'aria-label': t('payment.status'), class: 'payment-status' }, h('strong', {}, paymentHeadline(page, p)), ' — ', paymentDetails(page, p)),
    h('div', { class: 'linebar wrap' }, ...buttons)
  )
}

function printerPanel(): HTMLElement | null {
  if (!printer || printer.pending === 0 || !printer.lastError) return null
  const failed = printer.jobs.find((j) => j.status !== 'printed' && j.lastError)
  return h(
    'div',
    { class: 'alert', role: 'alert' },
    page.t('printer.problem', { message: printer.lastError, pending: printer.pending }),
    failed ? h('button', { type: 'button', class: 'secondary', onclick: () => void run(page.api.call['printer:retry']({ jobId: failed.id })) }, page.t('printer.retry')) : null
  )
}

function render(): void {
  const t = page.t
  document.title = `Stabletill — ${t('cashier.title')}`
  const active = document.activeElement as HTMLElement | null
  const focusId = active?.id
  const cashValue = (document.getElementById('cash-received') as HTMLInputElement | null)?.value ?? ''
  const barcodeValue = (document.getElementById('barcode') as HTMLInputElement | null)?.value ?? ''

  const rows = (sale?.lines ?? []).map((l) =>
    h(
      'tr',
      {
        'aria-selected': l.id === selectedLineId ? 'true' : 'false',
        class: l.voided ? 'voided' : null,
        'data-line-id': l.id,
        onclick: () => {
          selectedLineId = l.id
          render()
        }
      },
      h('td', {}, page.store.locale === 'zh-CN' && l.nameZh ? l.nameZh : l.name, l.discountPpm > 0 ? ` (−${percentText(l.discountPpm)}%)` : '', l.voided ? ` (${t('line.voided')})` : ''),
      h('td', { class: 'num' }, l.weightGrams !== null ? `${formatUnits(BigInt(l.weightGrams), 3)} kg` : String(l.quantity)),
      h('td', { class: 'num' }, page.money(l.unitPriceMinor)),
      h('td', { class: 'num' }, page.money(l.amountMinor - l.discountMinor))
    )
  )
  const editable = canEditLines(sale)
  const lineChosen = selectedLine() !== null

  app.replaceChildren(
    h(
      'header',
      { class: 'bar' },
      h('h1', {}, `${page.store.storeName} · ${page.store.tillId} · ${page.store.cashier}`),
      h('button', { type: 'button', class: 'secondary', 'aria-label': t('language'), onclick: switchLanguage }, t('language.switch'))
    ),
    h(
      'main',
      { class: 'layout' },
      h(
        'section',
        { class: 'panel', 'aria-label': t('cart') },
        h(
          'form',
          {
            class: 'scanrow',
            onsubmit: (e: Event) => {
              e.preventDefault()
              const input = document.getElementById('barcode') as HTMLInputElement
              const code = input.value.trim()
              input.value = ''
              if (code) void scan(code, 'manual')
            }
          },
          h('div', {}, h('label', { for: 'barcode' }, t('barcode')), h('input', { id: 'barcode', name: 'barcode', autocomplete: 'off', placeholder: t('barcode.placeholder'), 'aria-keyshortcuts': 'F2' })),
          h('button', { type: 'submit' }, t('barcode.add'))
        ),
        h(
          'div',
          { class: 'cartwrap' },
          h(
            'table',
            { role: 'grid', 'aria-label': t('cart') },
            h('thead', {}, h('tr', {}, h('th', {}, t('col.item')), h('th', { class: 'num' }, t('col.qty')), h('th', { class: 'num' }, t('col.unit')), h('th', { class: 'num' }, t('col.total')))),
            h('tbody', {}, ...rows)
          ),
          rows.length === 0 ? h('div', { class: 'empty' }, t('cart.empty')) : null
        ),
        h(
          'div',
          { class: 'linebar' },
          h('button', { type: 'button', class: 'secondary', disabled: !editable || !lineChosen, 'aria-keyshortcuts': '-', onclick: () => void changeQuantity(-1) }, t('qty.decrease')),
          h('button', { type: 'button', class: 'secondary', disabled: !editable || !lineChosen, 'aria-keyshortcuts': '+', onclick: () => void changeQuantity(1) }, t('qty.increase')),
          h('button', { type: 'button', class: 'secondary', disabled: !editable || !lineChosen, 'aria-keyshortcuts': 'Delete', onclick: () => void voidLine() }, t('line.void')),
          h('button', { type: 'button', class: 'secondary', disabled: !editable || !lineChosen, onclick: () => void discountLine() }, t('line.discount')),
          h('button', { type: 'button', class: 'secondary', disabled: !editable, onclick: () => void voidSale() }, t('sale.void'))
        ),
        h('p', { class: 'shortcuts' }, t('shortcuts'))
      ),
      h(
        'section',
        { class: 'panel', 'aria-label': t('sale.total') },
        sale ? h('div', {}, t('sale.number', { number: sale.number })) : null,
        h('div', { role: 'status', 'aria-label': t('sale.total'), class: 'total' }, page.money(sale?.totalMinor ?? 0)),
        h(
          'div',
          { class: 'sums' },
          h('span', {}, t('sale.subtotal')),
          h('span', {}, page.money(sale?.subtotalMinor ?? 0)),
          h('span', {}, t('sale.tax')),
          h('span', {}, page.money(sale?.taxMinor ?? 0)),
          h('span', {}, t('sale.paid')),
          h('span', {}, page.money(sale?.paidMinor ?? 0)),
          h('span', {}, t('sale.due')),
          h('span', { role: 'status', 'aria-label': t('sale.due') }, page.money(sale?.dueMinor ?? 0))
        ),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', disabled: !canTender(sale), 'aria-keyshortcuts': 'F4', onclick: openCash }, t('pay.cash')),
          h('button', { type: 'button', class: 'secondary', disabled: !canTender(sale) || payment !== null && (payment.status === 'New' || payment.status === 'Seen'), 'aria-keyshortcuts': 'F6', onclick: () => void openStablecoin() }, t('pay.stablecoin'))
        ),
        paymentPanel(),
        h(
          'form',
          {
            class: 'tender',
            hidden: !tenderOpen,
            onsubmit: (e: Event) => {
              e.preventDefault()
              void tenderCash((document.getElementById('cash-received') as HTMLInputElement).value)
            }
          },
          h('label', { for: 'cash-received' }, t('cash.received')),
          h('input', { id: 'cash-received', inputmode: 'decimal', autocomplete: 'off' }),
          h('button', { type: 'submit' }, t('cash.tender'))
        ),
        h('button', { type: 'button', disabled: !canComplete(sale), 'aria-keyshortcuts': 'F12', onclick: () => void complete() }, t('sale.complete')),
        h('div', { id: 'alerts', 'aria-live': 'assertive' }),
        printerPanel(),
        h('button', { type: 'button', class: 'secondary', onclick: () => void noSale() }, t('drawer.nosale'))
      )
    )
  )
  ;(document.getElementById('cash-received') as HTMLInputElement).value = cashValue
  ;(document.getElementById('barcode') as HTMLInputElement).value = barcodeValue
  renderMessages()
  if (focusId) document.getElementById(focusId)?.focus()
}

function openCash(): void {
  if (!canTender(sale)) return
  tenderOpen = true
  render()
  const input = document.getElementById('cash-received') as HTMLInputElement
  input.focus()
  input.select()
}

async function switchLanguage(): Promise<void> {
  const info = await run(page.api.call['settings:set-locale']({ locale: page.store.locale === 'en' ? 'zh-CN' : 'en' }))
  if (info) {
    page.store = info
    document.documentElement.lang = info.locale
    render()
  }
}

// ---- keyboard: wedge detection anywhere, shortcuts when not typing ----
function installKeyboard(): void {
  const wedge = new WedgeDetector(page.store.wedge)
  let burstTarget: { input: HTMLInputElement; value: string } | null = null
  window.addEventListener(
    'keydown',
    (e) => {
      const target = e.target instanceof HTMLInputElement ? e.target : null
      const fed = wedge.feed(e.key, e.timeStamp)
      if (fed.kind === 'char' && fed.startsBurst) {
        // Remember the field as it was before the burst so a scan typed into it can be taken back out.
        burstTarget = target ? { input: target, value: target.value } : null
      }
      if (fed.kind === 'scan') {
        e.preventDefault()
        e.stopPropagation()
        if (burstTarget) burstTarget.input.value = burstTarget.value
        burstTarget = null
        void scan(fed.code, 'wedge')
        return
      }
      if (target) return
      switch (e.key) {
        case 'F2':
          e.preventDefault()
          document.getElementById('barcode')?.focus()
          break
        case 'F4':
          e.preventDefault()
          openCash()
          break
        case 'F6':
          e.preventDefault()
          void openStablecoin()
          break
        case 'F12':
          e.preventDefault()
          if (canComplete(sale)) void complete()
          break
        case 'ArrowDown':
        case 'ArrowUp': {
          const lines = sale?.lines.filter((l) => !l.voided) ?? []
          if (lines.length === 0) break
          e.preventDefault()
          const index = lines.findIndex((l) => l.id === selectedLineId)
          const next = e.key === 'ArrowDown' ? Math.min(lines.length - 1, index + 1) : Math.max(0, index - 1)
          selectedLineId = lines[next]!.id
          render()
          break
        }
        case '+':
          void changeQuantity(1)
          break
        case '-':
          void changeQuantity(-1)
          break
        case 'Delete':
          void voidLine()
          break
      }
    },
    true
  )
}

async function main(): Promise<void> {
  page = await startPage('cashier')
  const current = await page.api.call['sale:current']({})
  setSale(current.ok ? current.value : null)
  page.api.on('sale:changed', (value) => {
    // Completed sales arrive as null; a HID scan or the other window may have changed the open sale.
    if (value === null && sale === null) return
    setSale(value)
    render()
  })
  page.api.on('scan:rejected', (r) => say('alert', r.message))
  page.api.on('payment:changed', (value) => {
    payment = value
    render()
  })
  page.api.on('printer:changed', (state) => {
    printer = state
    render()
  })
  const [options, currentPayment, printerState] = await Promise.all([page.api.call['payment:options']({}), page.api.call['payment:current']({}), page.api.call['printer:state']({})])
  paymentOptions = options.ok ? options.value : null
  payment = currentPayment.ok ? currentPayment.value : null
  printer = printerState.ok ? printerState.value : null
  page.api.on('store:changed', (info) => {
    page.store = info
    render()
  })
  installKeyboard()
  render()
  document.body.dataset.ready = 'true'
}

void main()
