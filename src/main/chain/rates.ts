// Fiat per token rates. Every payment records the rate it used, where it came from and when (so a report can show
// what 12.340000 USDC was worth in EUR at the till). Rates are exact decimal strings, never floats: the HTTP source
// reads the number's digits straight out of the JSON text.
import { appendJournal } from '../ledger/journal'
import { refuse } from '../../shared/result'
import { systemClock, type Clock } from '../../shared/clock'
import type { Db } from '../ledger/db'
import type { RatePolicy } from '../../shared/payment/settings'
import type { TokenSymbol } from '../../shared/payment/tokens'

export interface RateQuote {
  /** Fiat per one whole token, exact decimal string (money.ts Rate). */
  readonly fiatPerToken: string
  readonly source: 'peg' | 'manual' | 'http'
  /** When the rate was obtained (ms). */
  readonly at: number
}

export interface RateProvider {
  quote(currency: string, token: TokenSymbol): Promise<RateQuote>
}

const RATE_TEXT = /^(\d{1,12})(?:\.(\d{1,18}))?$/

/** Normalises a decimal rate (trims to 18 fraction digits, refuses zero, signs and exponents). */
export function normaliseRate(text: string): string {
  const m = /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim())
  if (!m) throw refuse('invalid-input', 'rate.not-a-rate', { text })
  const fraction = (m[2] ?? '').slice(0, 18).replace(/0+$/, '')
  const rate = fraction ? `${BigInt(m[1]!).toString()}.${fraction}` : BigInt(m[1]!).toString()
  if (!RATE_TEXT.test(rate) || /^0(\.0*)?$/.test(rate)) throw refuse('invalid-input', 'rate.not-a-rate', { text: rate })
  return rate
}

/** 1 USD stablecoin = 1 USD. Refuses any other store currency: a peg to USD says nothing about EUR. */
export class PegRateProvider implements RateProvider {
  constructor(private readonly clock: Clock = systemClock) {}
  async quote(currency: string): Promise<RateQuote> {
    if (currency !== 'USD') throw refuse('approval-required', 'rate.peg-usd-only', { currency })
    return { fiatPerToken: '1', source: 'peg', at: this.clock.now() }
  }
}

/** A manager-entered rate, stored in rates_manual and journaled when set. */
export class ManualRateProvider implements RateProvider {
  constructor(
    private readonly db: Db,
    private readonly tillId: string,
    private readonly clock: Clock = systemClock
  ) {}

  set(currency: string, token: TokenSymbol, rateText: string, setBy: string): RateQuote {
    const rate = normaliseRate(rateText)
    const at = this.clock.now()
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO rates_manual (currency, token_symbol, rate, set_by, set_at) VALUES (?, ?, ?, ?, ?)')
        .run(currency, token, rate, setBy, at)
      appendJournal(this.db, { at, tillId: this.tillId, kind: 'rate.manual-set', saleId: null, payload: { currency, token, rate, setBy } })
    })()
    return { fiatPerToken: rate, source: 'manual', at }
  }

  async quote(currency: string, token: TokenSymbol): Promise<RateQuote> {
    const row = this.db.prepare('SELECT rate, set_at FROM rates_manual WHERE currency = ? AND token_symbol = ?').get(currency, token) as
      | { rate: string; set_at: number }
      | undefined
    if (!row) throw refuse('approval-required', 'rate.manual-missing', { token, currency })
    return { fiatPerToken: row.rate, source: 'manual', at: row.set_at }
  }
}

/**
 * Returns the raw text of the JSON number (or string) at a dotted path, without ever turning it into a float:
 * numbers outside strings are quoted before JSON.parse, so "1.0842" stays "1.0842".
 */
export function extractJsonDecimal(jsonText: string, path: string): string | null {
  let quoted = ''
  let inString = false
  for (let i = 0; i < jsonText.length; i++) {
    const ch = jsonText[i]!
    if (inString) {
      quoted += ch
      if (ch === '\\') {
        quoted += jsonText[++i] ?? ''
      } else if (ch === '"') inString = false
      continue
    }
    if (ch === '"') {
      inString = true
      quoted += ch
      continue
    }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(jsonText.slice(i))!
      quoted += JSON.stringify(m[0])
      i += m[0].length - 1
      continue
    }
    quoted += ch
  }
  let node: unknown = JSON.parse(quoted)
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return null
    node = (node as Record<string, unknown>)[key]
  }
  return typeof node === 'string' ? node : null
}

export type Fetcher = (url: string, init: { signal: AbortSignal }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>

/** A JSON endpoint; the last good answer is reused up to maxAgeSec, after which quoting fails (manual rate needed). */
export class HttpJsonRateProvider implements RateProvider {
  private last: RateQuote | null = null

  constructor(
    private readonly policy: Extract<RatePolicy, { kind: 'http' }>,
    private readonly clock: Clock = systemClock,
    private readonly fetcher: Fetcher = (url, init) => fetch(url, init)
  ) {}

  async quote(currency: string, token: TokenSymbol): Promise<RateQuote> {
    const path = this.policy.jsonPath.replaceAll('{currency}', currency).replaceAll('{token}', token)
    try {
      const res = await this.fetcher(this.policy.url, { signal: AbortSignal.timeout(5000) })
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      const text = extractJsonDecimal(await res.text(), path)
      if (text === null) throw new Error(`no value at ${path}`)
      this.last = { fiatPerToken: normaliseRate(text), source: 'http', at: this.clock.now() }
    } catch (e) {
      if (!this.last || this.clock.now() - this.last.at > this.policy.maxAgeSec * 1000) {
        // The source's URL and error stay in the log; the cashier is told what to do.
        console.error(`rate source ${this.policy.url} for ${token}/${currency} failed`, e)
        throw refuse('approval-required', 'rate.stale', { token, currency, maxAgeSec: this.policy.maxAgeSec })
      }
    }
    return this.last
  }
}
