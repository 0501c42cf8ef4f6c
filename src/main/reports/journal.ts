// Double-entry journals of a closed day for plain-text accounting: one file read by both hledger and ledger
// (writeLedgerJournal), and a Beancount file (writeBeancount). One transaction per sale, return, cash movement and
// the drawer's over/short, each with the stable id of ids.ts as its code (hledger/ledger "(code)") or its `id`
// metadata (Beancount), so an import that dedupes on it never doubles a day.
//
// Accounts (the accountant maps them onto the chart of accounts once):
//   Assets:Cash:Till<n>                    the till's drawer
//   Assets:Clearing:<TOKEN>:<Chain>        stablecoin takings, booked in fiat, one per token and chain
//   Assets:Cash:Transfers                  the other side of a cash in/out (the safe, the bank deposit)
//   Income:Sales:<Tax>-<rate>              sales net of tax (after line discounts), per tax rate
//   Income:Returns:<Tax>-<rate>            returns net of tax, per tax rate (a contra-revenue account)
//   Liabilities:Tax:<Tax>-<rate>           tax collected minus tax refunded
//   Income:Overpayments                    stablecoin paid over the price and kept
//   Expenses:Underpayments                 stablecoin short of the price, accepted by a manager
//   Expenses:CashOverShort                 counted minus expected cash at closing
// The float is not booked: it stays in the drawer account from day to day, so the drawer account moves by the
// day's cash takings, cash in/out and the over/short: counted − float.
//
// Stablecoin postings carry the token amount, chain, tx hash, log index and rate as posting metadata (a comment
// "; key: value" line per tag, which both hledger and ledger read as tags). Network fees are the customer's, not
// the store's: they are on the Z, not in the books.
//
// Declarations: `account` and `commodity` (hledger check --strict, ledger --pedantic), Beancount `open` and
// `commodity` dated on the business date. A file that collects many days keeps one set of declarations: pass
// { declarations: false } for every day after the first.
import type { Writable } from 'node:stream'
import { isoUtc, minorFormatter, plainUnits } from './format'
import { currencyExponent } from '../../shared/money'
import { formatRatePercent } from '../devices/printer/receipt'
import { drawerDifferenceId, movementId, returnId, saleId } from './ids'
import { encode, maxUint, maxUtf8, putBytes, putText, putUint } from './bytes'
import { writeDayPass, type DayWriter, type SpoolLike, type SpoolSource } from './day-pass'
import { type DayEntry, type DaySettlement, type StablecoinRefundTender, type StablecoinTender, type TaxLine, type Tender, type ZTotals } from './settlement'

export interface JournalOptions {
  readonly totals?: ZTotals
  /** Write the account and commodity declarations (default true). */
  readonly declarations?: boolean
  /** A cash sale written as bytes (cashSaleBytes, default true); false renders its transaction (tests compare the two). */
  readonly recordsAsBytes?: boolean
}

interface Posting {
  readonly account: string
  readonly amountMinor: number
  readonly meta: readonly (readonly [string, string])[]
}

interface Transaction {
  readonly code: string
  readonly description: string
  readonly meta: readonly (readonly [string, string])[]
  readonly postings: readonly Posting[]
}

/** An account name component every tool accepts: Beancount wants [A-Z0-9][A-Za-z0-9-]*. */
export function accountComponent(text: string): string {
  const words = text.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ').filter((w) => w.length > 0)
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')
  return joined.length > 0 ? joined : 'X'
}

export interface JournalAccounts {
  readonly cash: string
  readonly transfers: string
  readonly overpayments: string
  readonly underpayments: string
  readonly overShort: string
  clearing(coin: { readonly tokenSymbol: string; readonly chainName: string }): string
  sales(tax: { readonly name: string; readonly ratePpm: number }): string
  returns(tax: { readonly name: string; readonly ratePpm: number }): string
  tax(tax: { readonly name: string; readonly ratePpm: number }): string
}

/** Remembers a name per pair of keys (nested maps: no key string built per call on a day of millions of postings). */
function memo2<T, A, B>(first: (value: T) => A, second: (value: T) => B, make: (value: T) => string): (value: T) => string {
  const cache = new Map<A, Map<B, string>>()
  return (value) => {
    const a = first(value)
    let inner = cache.get(a)
    if (!inner) {
      inner = new Map()
      cache.set(a, inner)
    }
    const b = second(value)
    let name = inner.get(b)
    if (name === undefined) {
      name = make(value)
      inner.set(b, name)
    }
    return name
  }
}

export function journalAccounts(day: DaySettlement): JournalAccounts {
  const rate = memo2<{ readonly name: string; readonly ratePpm: number }, number, string>((t) => t.ratePpm, (t) => t.name, (t) => `${accountComponent(t.name)}-${formatRatePercent(t.ratePpm).replace('.', 'p')}`)
  return {
    cash: `Assets:Cash:Till${day.store.tillNumber}`,
    transfers: 'Assets:Cash:Transfers',
    overpayments: 'Income:Overpayments',
    underpayments: 'Expenses:Underpayments',
    overShort: 'Expenses:CashOverShort',
    clearing: memo2((coin: { readonly tokenSymbol: string; readonly chainName: string }) => coin.tokenSymbol, (coin) => coin.chainName, (coin) => `Assets:Clearing:${accountComponent(coin.tokenSymbol).toUpperCase()}:${accountComponent(coin.chainName)}`),
    sales: memo2((t: { readonly name: string; readonly ratePpm: number }) => t.ratePpm, (t) => t.name, (t) => `Income:Sales:${rate(t)}`),
    returns: memo2((t: { readonly name: string; readonly ratePpm: number }) => t.ratePpm, (t) => t.name, (t) => `Income:Returns:${rate(t)}`),
    tax: memo2((t: { readonly name: string; readonly ratePpm: number }) => t.ratePpm, (t) => t.name, (t) => `Liabilities:Tax:${rate(t)}`)
  }
}

function declaredAccounts(accounts: JournalAccounts, totals: ZTotals): string[] {
  const names = new Set<string>([accounts.cash, accounts.transfers, accounts.overpayments, accounts.underpayments, accounts.overShort])
  for (const t of totals.tenders.tokens) names.add(accounts.clearing(t))
  for (const t of totals.taxes) {
    names.add(accounts.sales(t))
    names.add(accounts.returns(t))
    names.add(accounts.tax(t))
  }
  return [...names].sort()
}

function coinMeta(coin: StablecoinTender | StablecoinRefundTender, currency: string): [string, string][] {
  const meta: [string, string][] = [
    ['token', `${plainUnits(coin.tokenUnits, coin.tokenDecimals)} ${coin.tokenSymbol}`],
    ['chain', `${coin.chainName} (${coin.chainId})`],
    ['tx-hash', coin.txHash],
    ['log-index', String(coin.logIndex)],
    ['block', String(coin.blockNumber)],
    ['rate', `${coin.rate} ${currency} (${coin.rateSource})`]
  ]
  if ('basis' in coin) meta.push(['refund-basis', coin.basis])
  else if (coin.late) meta.push(['late', 'yes'])
  return meta
}

function taxPostings(taxes: readonly TaxLine[], sign: 1 | -1, income: (t: TaxLine) => string, tax: (t: TaxLine) => string): Posting[] {
  const out: Posting[] = []
  for (const t of taxes) {
    out.push({ account: income(t), amountMinor: sign * t.netMinor, meta: [] })
    if (t.taxMinor !== 0) out.push({ account: tax(t), amountMinor: sign * t.taxMinor, meta: [] })
  }
  return out
}

/** The day's transactions in order, the drawer's over/short last (tests and callers that want the list). */
export function* transactions(day: DaySettlement, totals: ZTotals, accounts: JournalAccounts): Generator<Transaction> {
  const derive = transactionDeriver(day, accounts)
  for (const entry of day.entries) {
    const txn = derive(entry)
    if (txn) yield txn
  }
  const difference = differenceTransaction(day, totals, accounts)
  if (difference) yield difference
}

/**
 * The transaction of one entry (null for a void or a no-sale). The last one is remembered: the hledger and the
 * Beancount writers of one pass ask for the same entry in turn, and it is built once for both.
 */
function transactionDeriver(day: DaySettlement, accounts: JournalAccounts): (entry: DayEntry) => Transaction | null {
  const currency = day.store.currency
  const money = minorFormatter(currency)
  const time = (ms: number): [string, string] => ['time', isoUtc(ms)]
  let lastEntry: DayEntry | null = null
  let lastTransaction: Transaction | null = null
  const derive = (entry: DayEntry): Transaction | null => {
    switch (entry.kind) {
      case 'sale': {
        const postings: Posting[] = entry.tenders.map((t) =>
          t.kind === 'cash' ? { account: accounts.cash, amountMinor: t.amountMinor, meta: [] } : { account: accounts.clearing(t), amountMinor: t.amountMinor, meta: coinMeta(t, currency) }
        )
        // Income is negative in double entry: a credit.
        postings.push(...taxPostings(entry.taxes, -1, accounts.sales, accounts.tax))
        const difference = entry.tenders.reduce((s, t) => s + t.amountMinor, 0) - entry.grossMinor
        if (difference > 0) postings.push({ account: accounts.overpayments, amountMinor: -difference, meta: [] })
        if (difference < 0) postings.push({ account: accounts.underpayments, amountMinor: -difference, meta: [] })
        const meta: [string, string][] = [['sale-id', entry.id], time(entry.at), ['cashier', entry.cashier]]
        if (entry.discountMinor !== 0) meta.push(['discount', `${money(entry.discountMinor)} ${currency}`])
        return { code: saleId(day, entry.number), description: `Sale ${entry.number}`, meta, postings }
      }
      case 'return': {
        const postings = taxPostings(entry.taxes, 1, accounts.returns, accounts.tax)
        for (const t of entry.tenders) {
          postings.push(t.kind === 'cash' ? { account: accounts.cash, amountMinor: -t.amountMinor, meta: [] } : { account: accounts.clearing(t), amountMinor: -t.amountMinor, meta: coinMeta(t, currency) })
        }
        return {
          code: returnId(day, entry.number),
          description: `Return ${entry.number} of sale ${entry.originalSaleNumber}`,
          meta: [['return-id', entry.id], ['original-sale-id', entry.originalSaleId], time(entry.at), ['cashier', entry.cashier]],
          postings
        }
      }
      case 'cash-in':
      case 'cash-out': {
        const signed = entry.kind === 'cash-in' ? entry.amountMinor : -entry.amountMinor
        return {
          code: movementId(day, entry.number),
          description: `${entry.kind === 'cash-in' ? 'Cash in' : 'Cash out'} ${entry.number}`,
          meta: [['reason', entry.reason], time(entry.at), ['cashier', entry.cashier]],
          postings: [
            { account: accounts.cash, amountMinor: signed, meta: [] },
            { account: accounts.transfers, amountMinor: -signed, meta: [] }
          ]
        }
      }
      default:
        return null
    }
  }
  return (entry) => {
    if (entry !== lastEntry) {
      lastTransaction = derive(entry)
      lastEntry = entry
    }
    return lastTransaction
  }
}

function differenceTransaction(day: DaySettlement, totals: ZTotals, accounts: JournalAccounts): Transaction | null {
  const difference = totals.drawer.differenceMinor
  if (difference === 0) return null
  return {
    code: drawerDifferenceId(day),
    description: difference > 0 ? 'Cash over' : 'Cash short',
    meta: [['reason', totals.drawer.differenceReason ?? ''], ['time', isoUtc(day.periodEndMs)]],
    postings: [
      { account: accounts.cash, amountMinor: difference, meta: [] },
      { account: accounts.overShort, amountMinor: -difference, meta: [] }
    ]
  }
}

/** One line of free text for a comment, a description or a quoted string: no line breaks, no control characters. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f]/.test(text)) return text
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ')
}

const ACCOUNT_WIDTH = 44

/**
 * A posting's line is `    <account padded to 44>  <amount padded to 16>`: a day has a handful of accounts and few
 * distinct amounts, so each padded cell is built once per writer (bounded like format.ts's amounts).
 */
function postingLine(amount: (minor: number) => string): (account: string, minor: number) => string {
  const accounts = new Map<string, string>()
  const amounts = new Map<number, string>()
  return (account, minor) => {
    let a = accounts.get(account)
    if (a === undefined) {
      if (accounts.size >= 1024) accounts.clear()
      accounts.set(account, (a = `    ${account.padEnd(ACCOUNT_WIDTH)}  `))
    }
    let m = amounts.get(minor)
    if (m === undefined) {
      if (amounts.size >= 4096) amounts.clear()
      amounts.set(minor, (m = `${amount(minor).padStart(16)}\n`))
    }
    return a + m
  }
}

/** Every metadata key `transactions` writes (declared for ledger --pedantic). */
export const JOURNAL_TAGS = ['sale-id', 'return-id', 'original-sale-id', 'time', 'cashier', 'discount', 'reason', 'token', 'chain', 'tx-hash', 'log-index', 'block', 'rate', 'late', 'refund-basis'] as const

/** What both journals of one pass share: the account names and each entry's transaction, built once. */
interface JournalShared {
  readonly accounts: JournalAccounts
  readonly transaction: (entry: DayEntry) => Transaction | null
}

const sharedByDay = new WeakMap<DaySettlement, JournalShared>()

function journalShared(day: DaySettlement): JournalShared {
  let shared = sharedByDay.get(day)
  if (!shared) {
    const accounts = journalAccounts(day)
    sharedByDay.set(day, (shared = { accounts, transaction: transactionDeriver(day, accounts) }))
  }
  return shared
}

/**
 * How a journal writes a sale paid in cash alone (nearly every entry of a day) as bytes (bytes.ts), byte for byte
 * what its `render` writes for the sale's transaction (a test compares them) without building the transaction:
 * the header up to the sale's id, the id's and time's lines, the cashier's line and a discount's.
 */
interface CashSaleStyle {
  /** The transaction's first lines around the sale number, which appears twice: `<before><n><between><n><after>`. */
  readonly before: string
  readonly between: string
  readonly after: string
  /** Before the sale's id (`entry.id`, through `value`) and between it and the time (written bare: an ISO time). */
  readonly idLead: string
  readonly timeLead: string
  readonly timeEnd: string
  readonly cashierLine: (cashier: string) => string
  readonly discountLine: (discount: string) => string
  /** A metadata value as the format writes it (oneLine, quoted). */
  readonly value: (text: string) => string
}

/**
 * Null when a constant part would read differently through the format's escaping (then every sale takes the slow
 * path). A day repeats the same baskets: a sale's taxes and its cash tenders are arrays shared by the sales that
 * have the same lines and amounts (from-ledger.ts decodes each distinct text once), so their posting lines are
 * encoded once per array and copied after that.
 */
function cashSaleBytes(day: DaySettlement, accounts: JournalAccounts, style: CashSaleStyle, posting: (account: string, minor: number) => string): ((entry: DayEntry, body: SpoolLike) => boolean) | null {
  const money = minorFormatter(day.store.currency)
  const before = encode(style.before)
  const between = encode(style.between)
  const after = encode(style.after + style.idLead)
  const timeLead = encode(style.timeLead)
  const timeEnd = encode(style.timeEnd)
  const end = encode('\n')
  const cashiers = new Map<string, Buffer>()
  const discounts = new Map<number, Buffer>()
  const taxPostingBytes = new Map<readonly TaxLine[], Buffer>()
  const tenderPostingBytes = new Map<readonly Tender[], Buffer>()
  const remembered = <K>(cache: Map<K, Buffer>, key: K, make: () => string): Buffer => {
    let bytes = cache.get(key)
    if (bytes === undefined) {
      if (cache.size >= 4096) cache.clear()
      cache.set(key, (bytes = encode(make())))
    }
    return bytes
  }
  const taxLines = (taxes: readonly TaxLine[]): string => {
    // Income is negative in double entry: a credit (taxPostings with sign -1).
    let text = ''
    for (const t of taxes) {
      text += posting(accounts.sales(t), -1 * t.netMinor)
      if (t.taxMinor !== 0) text += posting(accounts.tax(t), -1 * t.taxMinor)
    }
    return text
  }
  return (entry, body) => {
    if (entry.kind !== 'sale') return false
    let paid = 0
    for (const t of entry.tenders) {
      if (t.kind !== 'cash') return false
      paid += t.amountMinor
    }
    // Paid over or under the price (never in cash alone: the Z refuses it) takes the slow path.
    if (paid !== entry.grossMinor) return false
    const tenders = remembered(tenderPostingBytes, entry.tenders, () => entry.tenders.map((t) => posting(accounts.cash, t.amountMinor)).join(''))
    const taxes = remembered(taxPostingBytes, entry.taxes, () => taxLines(entry.taxes))
    const cashier = remembered(cashiers, entry.cashier, () => style.cashierLine(entry.cashier))
    const discount = entry.discountMinor === 0 ? null : remembered(discounts, entry.discountMinor, () => style.discountLine(`${money(entry.discountMinor)} ${day.store.currency}`))
    const id = style.value(entry.id)
    const max = before.length + between.length + after.length + timeLead.length + timeEnd.length + 2 * maxUint(entry.number) + maxUtf8(id) + 32 + cashier.length + (discount?.length ?? 0) + tenders.length + taxes.length + end.length
    const b = body.room(max)
    let at = putBytes(b, body.at, before)
    at = putUint(b, at, entry.number)
    at = putBytes(b, at, between)
    at = putUint(b, at, entry.number)
    at = putBytes(b, at, after)
    at = putText(b, at, id)
    at = putBytes(b, at, timeLead)
    at = putText(b, at, isoUtc(entry.at))
    at = putBytes(b, at, timeEnd)
    at = putBytes(b, at, cashier)
    if (discount) at = putBytes(b, at, discount)
    at = putBytes(b, at, tenders)
    at = putBytes(b, at, taxes)
    body.at = putBytes(b, at, end)
    return true
  }
}

function journalWriter(
  day: DaySettlement,
  name: string,
  header: (accounts: JournalAccounts, totals: ZTotals) => string,
  render: (txn: Transaction) => string,
  cashSale: (accounts: JournalAccounts) => ((entry: DayEntry, body: SpoolLike) => boolean) | null
): (spools: SpoolSource) => DayWriter {
  return (spools) => {
    const { accounts, transaction } = journalShared(day)
    const body = spools.spool(name)
    const fast = cashSale(accounts)
    return {
      entry(entry) {
        if (fast?.(entry, body)) return
        const txn = transaction(entry)
        if (txn) body.append(render(txn))
      },
      pieces(totals) {
        const difference = differenceTransaction(day, totals, accounts)
        return [header(accounts, totals), body, difference ? render(difference) : '']
      }
    }
  }
}

/** The hledger/ledger journal's part in the one pass (day-pass.ts). */
export function ledgerJournalWriter(day: DaySettlement, options: JournalOptions = {}): (spools: SpoolSource) => DayWriter {
  const currency = day.store.currency
  const money = minorFormatter(currency)
  const amount = (minor: number): string => `${money(minor)} ${currency}`
  const header = (accounts: JournalAccounts, totals: ZTotals): string => {
    let text = `; Stabletill ${oneLine(day.store.name)}, till ${day.store.tillId}, Z ${day.zNumber}, business date ${day.businessDate} (${day.store.timeZone})\n`
    text += `; journal head ${day.journal.headSeq} ${day.journal.headHash}\n\n`
    if (options.declarations ?? true) {
      // `format` gives both tools the display style (hledger 1.25 and ledger 3 accept the subdirective). A currency
      // without minor units (JPY, KRW) gets none: hledger refuses a format without a decimal mark ("100000 JPY")
      // and ledger one with a bare trailing mark ("100000. JPY"); both show whole amounts as written.
      text += currencyExponent(currency) === 0 ? `commodity ${currency}\n\n` : `commodity ${currency}\n    format ${amount(100_000)}\n\n`
      for (const name of declaredAccounts(accounts, totals)) text += `account ${name}\n`
      // ledger --pedantic refuses undeclared metadata tags; hledger 1.25 accepts the directive too.
      text += '\n' + JOURNAL_TAGS.map((tag) => `tag ${tag}\n`).join('') + '\n'
    }
    return text
  }
  const posting = postingLine(amount)
  const codePrefix = saleId(day, 0).slice(0, -1)
  const style: CashSaleStyle = {
    before: `${day.businessDate} * (${codePrefix}`,
    between: `) ${oneLine('Sale ')}`,
    after: '\n',
    idLead: '    ; sale-id: ',
    timeLead: '\n    ; time: ',
    timeEnd: '\n',
    cashierLine: (cashier) => `    ; cashier: ${oneLine(cashier)}\n`,
    discountLine: (discount) => `    ; discount: ${oneLine(discount)}\n`,
    value: oneLine
  }
  return journalWriter(day, 'hledger', header, (txn) => {
    let text = `${day.businessDate} * (${txn.code}) ${oneLine(txn.description)}\n`
    for (const [key, value] of txn.meta) text += `    ; ${key}: ${oneLine(value)}\n`
    for (const p of txn.postings) {
      text += posting(p.account, p.amountMinor)
      for (const [key, value] of p.meta) text += `        ; ${key}: ${oneLine(value)}\n`
    }
    return text + '\n'
  }, (accounts) => (options.recordsAsBytes === false ? null : cashSaleBytes(day, accounts, style, posting)))
}

/** A Beancount string literal. */
function quoted(text: string): string {
  const line = oneLine(text)
  return /["\\]/.test(line) ? `"${line.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${line}"`
}

/** The Beancount file's part in the one pass (day-pass.ts). */
export function beancountWriter(day: DaySettlement, options: JournalOptions = {}): (spools: SpoolSource) => DayWriter {
  const currency = day.store.currency
  const money = minorFormatter(currency)
  const amount = (minor: number): string => `${money(minor)} ${currency}`
  const header = (accounts: JournalAccounts, totals: ZTotals): string => {
    let text = `; Stabletill ${oneLine(day.store.name)}, till ${day.store.tillId}, Z ${day.zNumber}, business date ${day.businessDate} (${day.store.timeZone})\n`
    text += `; journal head ${day.journal.headSeq} ${day.journal.headHash}\n\n`
    if (options.declarations ?? true) {
      text += `option "operating_currency" "${currency}"\n\n`
      text += `${day.businessDate} commodity ${currency}\n`
      for (const name of declaredAccounts(accounts, totals)) text += `${day.businessDate} open ${name} ${currency}\n`
      text += '\n'
    }
    return text
  }
  const payee = quoted(day.store.name)
  // Metadata keys: lower-case, [a-z][a-zA-Z0-9-_]* (Beancount's grammar).
  const posting = postingLine(amount)
  const codePrefix = saleId(day, 0).slice(0, -1)
  // The code is quoted with the sale number inside the quotes: only when quoting the prefix adds nothing but them.
  const plainCode = quoted(`${codePrefix}1`) === `"${codePrefix}1"`
  const style: CashSaleStyle = {
    before: `${day.businessDate} * ${payee} "Sale `,
    between: `"\n    id: "${codePrefix}`,
    after: '"\n',
    idLead: '    sale-id: ',
    timeLead: '\n    time: "',
    timeEnd: '"\n',
    cashierLine: (cashier) => `    cashier: ${quoted(cashier)}\n`,
    discountLine: (discount) => `    discount: ${quoted(discount)}\n`,
    value: quoted
  }
  return journalWriter(day, 'beancount', header, (txn) => {
    let text = `${day.businessDate} * ${payee} ${quoted(txn.description)}\n    id: ${quoted(txn.code)}\n`
    for (const [key, value] of txn.meta) text += `    ${key}: ${quoted(value)}\n`
    for (const p of txn.postings) {
      text += posting(p.account, p.amountMinor)
      for (const [key, value] of p.meta) text += `        ${key}: ${quoted(value)}\n`
    }
    return text + '\n'
  }, (accounts) => (plainCode && options.recordsAsBytes !== false ? cashSaleBytes(day, accounts, style, posting) : null))
}

/** One journal for hledger and ledger. */
export async function writeLedgerJournal(day: DaySettlement, out: Writable, options: JournalOptions = {}): Promise<void> {
  await writeDayPass(day, [{ writer: ledgerJournalWriter(day, options), out }], { totals: options.totals })
}

export async function writeBeancount(day: DaySettlement, out: Writable, options: JournalOptions = {}): Promise<void> {
  await writeDayPass(day, [{ writer: beancountWriter(day, options), out }], { totals: options.totals })
}
