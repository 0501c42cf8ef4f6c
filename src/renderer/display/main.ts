// Customer display: a read-only mirror of the open sale, large enough to read from 1.5 m.
import type { SaleView } from '../../shared/api/views'
import { h } from '../common/dom'
import { startPage, type Page } from '../common/page'

let page: Page
let sale: SaleView | null = null
let thanks = false
const app = document.getElementById('app')!

function render(): void {
  const t = page.t
  document.title = `Stabletill — ${t('display.title')}`
  const lines = (sale?.lines ?? []).filter((l) => !l.voided).slice(-8)
  app.replaceChildren(
    h(
      'main',
      { class: 'display-wrap' },
      h(
        'section',
        { 'aria-label': t('cart') },
        h('h1', {}, page.store.storeName),
        h(
          'div',
          { class: 'lines', role: 'list', 'aria-label': t('cart') },
          ...lines.map((l) =>
            h('div', { role: 'listitem' }, h('span', {}, `${l.quantity > 1 ? `${l.quantity} × ` : ''}${page.store.locale === 'zh-CN' && l.nameZh ? l.nameZh : l.name}`), h('span', {}, page.money(l.amountMinor)))
          )
        )
      ),
      h(
        'section',
        { 'aria-label': t('display.amountDue') },
        h('div', { class: 'label' }, sale ? t('display.amountDue') : thanks ? t('display.thanks') : t('display.welcome')),
        h('div', { class: 'big', role: 'status', 'aria-label': t('sale.total') }, page.money(sale?.totalMinor ?? 0)),
        sale && sale.paidMinor > 0 ? h('div', { class: 'label' }, `${t('sale.due')}: ${page.money(sale.dueMinor)}`) : null
      )
    )
  )
}

async function main(): Promise<void> {
  page = await startPage('display')
  const current = await page.api.call['sale:current']({})
  sale = current.ok ? current.value : null
  page.api.on('sale:changed', (value) => {
    thanks = value === null && sale !== null
    sale = value
    render()
  })
  page.api.on('store:changed', (info) => {
    page.store = info
    render()
  })
  render()
  document.body.dataset.ready = 'true'
}

void main()
