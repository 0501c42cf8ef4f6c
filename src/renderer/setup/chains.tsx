// The stablecoin chains as a person sets them (issue [S] point 1), shared by the set-up's payments step and the
// back office's Payment settings: one row per chain of the pinned registry (each chain once), its registry tokens
// as checkboxes, a LIST of RPC URLs with the primary first (the watcher's pool asks the next one when a URL fails,
// src/main/chain/rpc.ts), and the confirmation depth with its documented default and why.
//
// Each URL is tested live on its own (settings:test-rpc: the chain id matches, the head is recent, the ticked
// tokens' pinned contracts answer as the registry says) and its verdict is shown beside it. A verdict belongs to
// the URL and the tokens it was tested with: editing either makes it untested again, and an untested or failing
// URL cannot be saved (urlProblem names which one). The till tests every URL again before it writes anything.
import type { Signal } from '@preact/signals'
import { useLayoutEffect, useRef } from 'preact/hooks'
import type { RpcTestView } from '../../shared/api/views'
import type { MessageKey } from '../../shared/i18n'
import type { ConfirmationPolicy, PaymentSettings } from '../../shared/payment/settings'
import { defaultConfirmations, DEFAULT_CONFIRMATIONS } from '../../shared/payment/settings'
import { CHAINS, chainName, DEMO_CHAIN_ID, TOKENS, type TokenSymbol } from '../../shared/payment/tokens'
import type { SetupChain } from '../../shared/setup'
import { api, say, t, wordError } from '../common/page'
import './chains.css'

export type Verdict =
  | { readonly kind: 'untested' }
  | { readonly kind: 'testing' }
  | { readonly kind: 'passed'; readonly result: RpcTestView; readonly tokens: string }
  | { readonly kind: 'failed'; readonly text: () => string; readonly tokens: string }

export interface UrlRow {
  /** A stable key for the keyed list, so focus stays on the row that moved. */
  readonly key: number
  readonly url: string
  readonly verdict: Verdict
}

export interface ChainRow {
  readonly chainId: number
  readonly tokens: readonly TokenSymbol[]
  readonly urls: readonly UrlRow[]
  readonly confirmations: string
}

let nextKey = 1
const UNTESTED: Verdict = { kind: 'untested' }

export function urlRow(url = ''): UrlRow {
  return { key: nextKey++, url, verdict: UNTESTED }
}

/** The tokens the pinned registry has for a chain (the issuer's own contracts; the demo chain's deployed USDC). */
export function registryTokens(chainId: number): TokenSymbol[] {
  if (chainId === DEMO_CHAIN_ID) return ['USDC']
  return (['USDC', 'USDT'] as const).filter((symbol) => TOKENS.some((x) => x.chainId === chainId && x.symbol === symbol && !x.bridged))
}

export function chainRow(chainId: number): ChainRow {
  const tokens = registryTokens(chainId)
  return { chainId, tokens: tokens.slice(0, 1), urls: [urlRow()], confirmations: '' }
}

/** The saved settings as rows (the back office form starts from them). */
export function rowsFromSettings(settings: PaymentSettings | null): ChainRow[] {
  return (settings?.chains ?? []).map((c) => ({
    chainId: c.chainId,
    tokens: c.tokens,
    urls: c.rpcUrls.map((u) => urlRow(u)),
    confirmations: c.confirmations?.kind === 'blocks' ? String(c.confirmations.count) : ''
  }))
}

/** The rows as the set-up step sends them. */
export function setupChains(rows: readonly ChainRow[]): SetupChain[] {
  return rows.map((r) => ({ chainId: r.chainId, rpcUrls: r.urls.map((u) => u.url.trim()), tokens: [...r.tokens], confirmations: r.confirmations.trim() }))
}

const tokensKey = (tokens: readonly string[]) => [...tokens].sort().join('+')

/** The verdict as it stands for the row's current tokens (a test with other tokens says nothing about these). */
export function currentVerdict(row: ChainRow, url: UrlRow): Verdict {
  const v = url.verdict
  if ((v.kind === 'passed' || v.kind === 'failed') && v.tokens !== tokensKey(row.tokens)) return UNTESTED
  return v
}

/** The first URL that may not be saved, worded; null when every URL passed its test. */
export function urlProblem(rows: readonly ChainRow[]): string | null {
  for (const row of rows) {
    const chain = chainName(row.chainId)
    for (const [i, url] of row.urls.entries()) {
      const n = i + 1
      if (url.url.trim() === '') return t('pay.url.empty', { n, chain })
      const v = currentVerdict(row, url)
      if (v.kind === 'failed') return t('pay.url.failing', { n, chain })
      if (v.kind !== 'passed') return t('pay.url.untested', { n, chain })
    }
  }
  return null
}

function policyCount(policy: ConfirmationPolicy): string {
  return policy.kind === 'blocks' ? String(policy.count) : 'finalized'
}

function reason(chainId: number): string {
  return t((chainId in DEFAULT_CONFIRMATIONS ? `pay.why.${chainId}` : 'pay.why.other') as MessageKey)
}

export function ChainsEditor({ rows, prefix, disabled }: { rows: Signal<ChainRow[]>; prefix: string; disabled?: boolean }) {
  const root = useRef<HTMLDivElement>(null)
  /** The id of the control to focus after the next render (an added URL or chain, or the add button after a removal). */
  const focusNext = useRef<string | null>(null)
  // A layout effect: the focus moves in the same frame as the row appears (a page in the background gets no frames).
  useLayoutEffect(() => {
    if (!focusNext.current) return
    root.current?.querySelector<HTMLElement>(`#${CSS.escape(focusNext.current)}`)?.focus()
    focusNext.current = null
  })

  const list = rows.value
  const setRow = (index: number, next: (row: ChainRow) => ChainRow) => (rows.value = rows.value.map((r, i) => (i === index ? next(r) : r)))
  const setUrl = (index: number, key: number, next: (url: UrlRow) => UrlRow) => setRow(index, (r) => ({ ...r, urls: r.urls.map((u) => (u.key === key ? next(u) : u)) }))

  async function test(chainId: number, key: number): Promise<void> {
    const index = rows.value.findIndex((r) => r.chainId === chainId)
    const row = rows.value[index]
    const url = row?.urls.find((u) => u.key === key)
    if (!row || !url) return
    const tokens = tokensKey(row.tokens)
    if (row.tokens.length === 0) {
      // Nothing to verify the node against: the verdict says what to tick, in the till's own words.
      const chain = chainName(chainId)
      setUrl(index, key, (u) => ({ ...u, verdict: { kind: 'failed', text: () => say('setup.chain-no-token', { chain }), tokens } }))
      return
    }
    setUrl(index, key, (u) => ({ ...u, verdict: { kind: 'testing' } }))
    const r = await api().call['settings:test-rpc']({ chainId, url: url.url.trim(), tokens: [...row.tokens] })
    const now = rows.value.findIndex((x) => x.chainId === chainId)
    // The URL may have been edited while its test ran: that answer is not about what is typed now.
    if (rows.value[now]?.urls.find((u) => u.key === key)?.url !== url.url) return
    if (r.ok) setUrl(now, key, (u) => ({ ...u, verdict: { kind: 'passed', result: r.value, tokens } }))
    else {
      const error = r.error
      setUrl(now, key, (u) => ({ ...u, verdict: { kind: 'failed', text: () => wordError(error), tokens } }))
    }
  }

  async function testAll(): Promise<void> {
    // One after another: the till's event loop and the nodes are shared with the counter.
    for (const row of rows.value) for (const url of row.urls) if (url.url.trim() !== '') await test(row.chainId, url.key)
  }

  const addable = CHAINS.filter((c) => !list.some((r) => r.chainId === c.chainId))
  const addId = `${prefix}-chain-add`
  const toAddId = `${prefix}-chain-to-add`
  return (
    <div class="chains" ref={root}>
      <h3 class="chains-title">{t('pay.chains')}</h3>
      <p class="bo-muted">{t('pay.chains.intro')}</p>
      {list.length === 0 ? <p class="bo-muted">{t('pay.chain.none')}</p> : null}
      {list.map((row, index) => {
        const chain = chainName(row.chainId)
        const base = `${prefix}-c${row.chainId}`
        const offered = registryTokens(row.chainId)
        const policy = defaultConfirmations(row.chainId)
        return (
          <fieldset class="chain-row" key={row.chainId}>
            <legend>{t('pay.chain.legend', { chain, chainId: row.chainId })}</legend>
            <div class="linebar chain-head">
              <div class="chain-tokens" role="group" aria-label={t('pay.chain.tokens', { chain })}>
                {offered.map((symbol) => (
                  <label class="bo-check" key={symbol}>
                    <input
                      type="checkbox"
                      id={`${base}-token-${symbol}`}
                      aria-label={t('pay.chain.token', { token: symbol, chain })}
                      checked={row.tokens.includes(symbol)}
                      disabled={disabled}
                      onChange={(e) => {
                        const on = (e.target as HTMLInputElement).checked
                        setRow(index, (r) => ({ ...r, tokens: offered.filter((s) => (s === symbol ? on : r.tokens.includes(s))) }))
                      }}
                    />{' '}
                    {symbol}
                  </label>
                ))}
              </div>
              <button
                type="button"
                class="secondary"
                disabled={disabled}
                onClick={() => {
                  focusNext.current = addable.length > 0 || list.length > 1 ? toAddId : null
                  rows.value = rows.value.filter((r) => r.chainId !== row.chainId)
                }}
              >
                {t('pay.chain.remove', { chain })}
              </button>
            </div>
            <ol class="rpc-urls">
              {row.urls.map((url, i) => {
                const n = i + 1
                const id = `${base}-url-${url.key}`
                const v = currentVerdict(row, url)
                return (
                  <li key={url.key} class="rpc-url">
                    <div class="linebar">
                      <input
                        id={id}
                        class="grow"
                        aria-label={t('pay.url', { n, chain })}
                        aria-describedby={`${id}-verdict`}
                        value={url.url}
                        inputMode="url"
                        autoComplete="off"
                        spellcheck={false}
                        maxLength={300}
                        disabled={disabled}
                        placeholder={i === 0 ? 'https://…' : undefined}
                        onInput={(e) => {
                          const typed = (e.target as HTMLInputElement).value
                          setUrl(index, url.key, (u) => ({ ...u, url: typed, verdict: UNTESTED }))
                        }}
                        onKeyDown={(e) => {
                          // Enter in a URL tests that URL (rather than submitting the whole step before it is tested).
                          if (e.key === 'Enter') {
                            e.preventDefault()
                            void test(row.chainId, url.key)
                          }
                        }}
                      />
                      <button type="button" class="secondary" aria-label={t('pay.url.test', { n, chain })} disabled={disabled || v.kind === 'testing' || url.url.trim() === ''} onClick={() => void test(row.chainId, url.key)}>
                        {t('bo.pay.test')}
                      </button>
                      {i > 0 ? (
                        <button
                          type="button"
                          class="secondary"
                          aria-label={t('pay.url.up', { n, chain })}
                          disabled={disabled}
                          onClick={() => {
                            focusNext.current = `${base}-url-${url.key}`
                            setRow(index, (r) => {
                              const urls = [...r.urls]
                              const [moved] = urls.splice(i, 1)
                              urls.splice(i - 1, 0, moved!)
                              return { ...r, urls }
                            })
                          }}
                        >
                          ↑
                        </button>
                      ) : (
                        <span class="bo-muted rpc-primary">{t('pay.url.primary')}</span>
                      )}
                      {row.urls.length > 1 ? (
                        <button
                          type="button"
                          class="secondary"
                          aria-label={t('pay.url.remove', { n, chain })}
                          disabled={disabled}
                          onClick={() => {
                            focusNext.current = `${base}-url-add`
                            setRow(index, (r) => ({ ...r, urls: r.urls.filter((u) => u.key !== url.key) }))
                          }}
                        >
                          ×
                        </button>
                      ) : null}
                    </div>
                    <p id={`${id}-verdict`} role="status" aria-label={t('pay.url.verdict', { n, chain })} class={`rpc-verdict ${v.kind}`}>
                      {v.kind === 'passed'
                        ? t('pay.url.ok', { chainId: v.result.chainId, head: v.result.head, seconds: v.result.headAgeSeconds, tokens: v.result.tokens.map((x) => `${x.symbol} ${x.address}`).join(', ') })
                        : v.kind === 'failed'
                          ? t('pay.url.failed', { reason: v.text() })
                          : v.kind === 'testing'
                            ? t('pay.url.testing')
                            : t('pay.url.untestedShort')}
                    </p>
                  </li>
                )
              })}
            </ol>
            {row.urls.length < 8 ? (
              <button
                type="button"
                class="secondary"
                id={`${base}-url-add`}
                disabled={disabled}
                onClick={() => {
                  const added = urlRow()
                  focusNext.current = `${base}-url-${added.key}`
                  setRow(index, (r) => ({ ...r, urls: [...r.urls, added] }))
                }}
              >
                {t('pay.url.add', { chain })}
              </button>
            ) : null}
            <label for={`${base}-confirmations`}>{t('pay.conf.label', { chain })}</label>
            <input
              id={`${base}-confirmations`}
              value={row.confirmations}
              inputMode="numeric"
              maxLength={6}
              autoComplete="off"
              disabled={disabled}
              placeholder={policyCount(policy)}
              aria-describedby={`${base}-confirmations-hint`}
              onInput={(e) => {
                const typed = (e.target as HTMLInputElement).value
                setRow(index, (r) => ({ ...r, confirmations: typed }))
              }}
            />
            <p id={`${base}-confirmations-hint`} class="bo-muted">
              {t('pay.conf.default', { chain, count: policyCount(policy), reason: reason(row.chainId) })}
            </p>
          </fieldset>
        )
      })}
      <div class="linebar">
        {addable.length > 0 ? (
          <>
            <label for={toAddId}>{t('pay.chain.toAdd')}</label>
            <select id={toAddId} disabled={disabled}>
              {addable.map((c) => (
                <option key={c.chainId} value={String(c.chainId)}>{`${c.name} (${c.chainId})`}</option>
              ))}
            </select>
            <button
              type="button"
              class="secondary"
              id={addId}
              disabled={disabled}
              onClick={() => {
                const select = root.current?.querySelector<HTMLSelectElement>(`#${CSS.escape(toAddId)}`)
                const chainId = Number(select?.value ?? addable[0]!.chainId)
                if (rows.value.some((r) => r.chainId === chainId)) return
                const added = chainRow(chainId)
                focusNext.current = `${prefix}-c${chainId}-url-${added.urls[0]!.key}`
                rows.value = [...rows.value, added]
              }}
            >
              {t('pay.chain.add')}
            </button>
          </>
        ) : null}
        {list.some((r) => r.urls.some((u) => u.url.trim() !== '')) ? (
          <button type="button" class="secondary" disabled={disabled} onClick={() => void testAll()}>
            {t('pay.url.testAll')}
          </button>
        ) : null}
      </div>
    </div>
  )
}
