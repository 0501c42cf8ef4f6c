// Shared page plumbing: connect, load the store (locale, currency), translate, format money.
import type { WindowRole } from '../../shared/api/channels'
import type { StoreInfo } from '../../shared/api/views'
import { intlLocale, translate, type MessageKey } from '../../shared/i18n'
import { formatMoney } from '../../shared/money'
import { connect } from './bridge'

export interface Page {
  readonly api: ReturnType<typeof connect>
  store: StoreInfo
  t(key: MessageKey, params?: Record<string, string | number>): string
  money(minor: number): string
}

export async function startPage(role: WindowRole): Promise<Page> {
  const api = connect(role)
  let info: StoreInfo | null = null
  for (let attempt = 0; !info; attempt++) {
    const r = await api.call['store:info']({})
    if (r.ok) info = r.value
    else await new Promise((done) => setTimeout(done, Math.min(2000, 100 * 2 ** attempt)))
  }
  const page: Page = {
    api,
    store: info,
    t: (key, params) => translate(page.store.locale, key, params),
    money: (minor) => formatMoney(minor, page.store.currency, intlLocale(page.store.locale))
  }
  document.documentElement.lang = page.store.locale
  return page
}
