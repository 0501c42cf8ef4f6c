// Back office: journal verification and the day's sales (closing the day and receipts come with later issues).
import type { SaleSummary } from '../../shared/api/views'
import { h } from '../common/dom'
import { startPage, type Page } from '../common/page'

let page: Page
let sales: readonly SaleSummary[] = []
let verifyText: { ok: boolean; text: string } | null = null
const app = document.getElementById('app')!

async function refresh(): Promise<void> {
  const r = await page.api.call['sales:list']({ limit: 50 })
  if (r.ok) sales = r.value
  render()
}

async function verify(): Promise<void> {
  const r = await page.api.call['ledger:verify']({})
  if (!r.ok) verifyText = { ok: false, text: r.error.message }
  else if (r.value.ok) verifyText = { ok: true, text: page.t('backoffice.verify.ok', { entries: r.value.entries, hash: r.value.lastHash.slice(0, 16) }) }
  else verifyText = { ok: false, text: page.t('backoffice.verify.bad', { seq: r.value.firstBadSeq, reason: r.value.reason }) }
  render()
}

function render(): void {
  const t = page.t
  document.title = `Stabletill — ${t('backoffice.title')}`
  const fmt = new Intl.DateTimeFormat(page.store.locale === 'zh-CN' ? 'zh-CN' : 'en-US', { dateStyle: 'short', timeStyle: 'medium' })
  app.replaceChildren(
    h('header', { class: 'bar' }, h('h1', {}, `${page.store.storeName} · ${t('backoffice.title')}`)),
    h(
      'main',
      { class: 'bo' },
      h(
        'section',
        { class: 'panel', 'aria-label': t('backoffice.verify') },
        h('button', { type: 'button', onclick: () => void verify() }, t('backoffice.verify')),
        verifyText ? h('div', { role: verifyText.ok ? 'status' : 'alert', class: verifyText.ok ? 'notice' : 'alert' }, verifyText.text) : null
      ),
      h(
        'section',
        { class: 'panel', 'aria-label': t('backoffice.sales') },
        h('h2', {}, t('backoffice.sales')),
        h(
          'table',
          { 'aria-label': t('backoffice.sales') },
          h('thead', {}, h('tr', {}, h('th', {}, t('col.number')), h('th', {}, t('col.status')), h('th', { class: 'num' }, t('sale.total')), h('th', {}, t('col.closed')))),
          h(
            'tbody',
            {},
            ...sales.map((s) =>
              h('tr', {}, h('td', {}, String(s.number)), h('td', {}, s.status), h('td', { class: 'num' }, s.totalMinor === null ? '' : page.money(s.totalMinor)), h('td', {}, s.closedAt ? fmt.format(s.closedAt) : ''))
            )
          )
        )
      )
    )
  )
}

async function main(): Promise<void> {
  page = await startPage('backoffice')
  page.api.on('store:changed', (info) => {
    page.store = info
    render()
  })
  await refresh()
  setInterval(() => void refresh(), 5000)
  document.body.dataset.ready = 'true'
}

void main()
