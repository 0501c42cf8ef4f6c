// Shared page plumbing: connect, the store (locale, currency) as a signal, translate, format money, word errors.
// Components read `store.value` through t() and money(), so a language or currency change re-renders exactly the
// text that depends on it and nothing else.
import { signal } from '@preact/signals'
import type { WindowRole } from '../../shared/api/channels'
import type { StoreInfo } from '../../shared/api/views'
import { intlLocale, translate, type MessageKey } from '../../shared/i18n'
import { isAction } from '../../shared/permissions'
import { formatMessage, type MessageId } from '../../shared/messages'
import { formatMoney } from '../../shared/money'
import { messageOf, type ApiError, type Result } from '../../shared/result'
import { connect, type AnyApi, type LinkState } from './bridge'

export const store = signal<StoreInfo | null>(null)
export const link = signal<LinkState>('connecting')

let currentApi: AnyApi | null = null

/** The typed api client of this window, derived from the contract (src/shared/api/contract.ts). */
export function api(): AnyApi {
  if (!currentApi) throw new Error('startPage() has not run')
  return currentApi
}

function locale(): StoreInfo['locale'] {
  return store.value?.locale ?? 'en'
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(locale(), key, params)
}

/** A till message (src/shared/messages.ts) in the UI language. */
export function say(key: MessageId, values: Readonly<Record<string, string | number | boolean | null>> = {}): string {
  return formatMessage(locale(), key, { currency: store.value?.currency ?? 'USD', ...values }, intlLocale(locale()))
}

export function money(minor: number, currency = store.value?.currency ?? 'USD'): string {
  return formatMoney(minor, currency, intlLocale(locale()))
}

/** A refusal in the UI language: by its message id when it has one, else the till's English sentence. */
export function wordError(error: ApiError): string {
  const message = messageOf(error)
  if (message) {
    const values: Record<string, string | number | boolean | null> = { currency: store.value?.currency ?? 'USD', ...message.values }
    // The refusal names the action by its permission code ("sale.void"): the person reads what it is instead.
    if (message.key === 'staff.not-permitted' && isAction(values['action'])) values['action'] = t(`action.${values['action']}`)
    return say(message.key, values)
  }
  if (error.code === 'internal') return say('internal')
  if (error.code === 'invalid-input') {
    // The registry's zod wording names the call and path ("Bad request for sale:scan: code: …"): show only the
    // schema's own sentence, which is written for people.
    const reason = error.message.replace(/^Bad request for [\w:-]+: (?:[\w.]+: )?/, '')
    return reason || error.message
  }
  return error.message
}

export interface Started {
  readonly api: AnyApi
  onReconnect(listener: () => void): () => void
}

export async function startPage(role: WindowRole): Promise<Started> {
  const bridge = connect(role)
  currentApi = bridge.api
  bridge.onLink((state) => (link.value = state))
  let info: StoreInfo | null = null
  for (let attempt = 0; !info; attempt++) {
    const r = await bridge.api.call['store:info']({})
    if (r.ok) info = r.value
    else await new Promise((done) => setTimeout(done, Math.min(2000, 100 * 2 ** attempt)))
  }
  store.value = info
  document.documentElement.lang = info.locale
  bridge.api.on('store:changed', (next) => {
    store.value = next
    document.documentElement.lang = next.locale
  })
  bridge.onReconnect(() => {
    void bridge.api.call['store:info']({}).then((r) => {
      if (r.ok) store.value = r.value
    })
  })
  const settingUp = await reloadOnceSetUp(bridge.api, bridge.onReconnect)
  // The counter's windows have nothing to do before the store exists: they say so (in the language the set-up page
  // chose) and wait for the reload instead of showing a till that refuses every key. The back office is the set-up.
  if (settingUp && role !== 'backoffice') {
    showSetupPending()
    bridge.api.on('store:changed', showSetupPending)
    return new Promise<never>(() => undefined)
  }
  return { api: bridge.api, onReconnect: bridge.onReconnect }
}

function showSetupPending(): void {
  const app = document.getElementById('app')
  if (!app) return
  let box = document.getElementById('setup-pending')
  if (!box) {
    app.replaceChildren()
    box = document.createElement('div')
    box.id = 'setup-pending'
    box.className = 'notice setup-pending'
    box.setAttribute('role', 'status')
    // Through the CSSOM (the pages' CSP allows no inline style attribute); large enough to read from the counter.
    Object.assign(box.style, { maxWidth: '640px', margin: '64px auto', fontSize: '1.4rem', lineHeight: '1.5' })
    app.append(box)
    document.body.dataset.setup = 'pending'
  }
  box.textContent = say('setup.pending')
}

/** How often a page opened during the set-up asks whether the store exists, in case it missed the event. */
const SETUP_POLL_MS = 3000

/**
 * Whether the first-run set-up runs now. A page opened while the first-run set-up runs (the harness serves every window's page from the start; Electron
 * may open the counter's windows beside the set-up) has nothing to show but "the set-up is in progress". When the
 * store exists it reloads once, by itself, so it starts on the store like a page opened afterwards. The set-up host
 * announces the hand-over with 'store:changed' (services/setup-host.ts); a slow poll and the reconnect catch a page
 * whose link was down at that moment.
 */
async function reloadOnceSetUp(client: AnyApi, onReconnect: (listener: () => void) => () => void): Promise<boolean> {
  const first = await client.call['setup:status']({})
  if (!first.ok || !first.value.pending) return false
  let reloading = false
  const check = async (): Promise<void> => {
    if (reloading) return
    const r = await client.call['setup:status']({})
    if (r.ok && !r.value.pending && !reloading) {
      reloading = true
      location.reload()
    }
  }
  client.on('store:changed', () => void check())
  onReconnect(() => void check())
  setInterval(() => void check(), SETUP_POLL_MS)
  return true
}

/** Unwraps a Result; a refusal goes to `onError` worded in the UI language. */
export async function unwrap<T>(call: Promise<Result<T>>, onError: (text: string, error: ApiError) => void): Promise<T | null> {
  const r = await call
  if (!r.ok) {
    onError(wordError(r.error), r.error)
    return null
  }
  return r.value
}
