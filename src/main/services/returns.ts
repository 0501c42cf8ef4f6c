// Returns and refunds (issue [D] point 2). A return takes back (part of) a completed sale: whole, or per line and
// quantity, never more than was sold and paid, counting every earlier return and every refund still awaiting its
// transfer. The refund is
//   - cash: a manager's PIN, then ONE transaction writes the refund sale (kind 'refund', its total the positive
//     amount given back), its cash tender, the drawer's outflow (recordCashMovement kind 'refund', so the X/Z drawer
//     balances) and the journal entries;
//   - stablecoin: the till holds no key, so the manager's own wallet pays. The customer's address (scanned or typed,
//     EIP-55 checked) and the basis (the original token amount, or the fiat amount at today's rate) are recorded and
//     shown as an EIP-681 request from the shop's address to the customer's. The return waits ('awaiting-transfer',
//     its lines held so no second return can take them) until `pollOnce` sees the Transfer log from the shop's
//     address to the customer's for exactly that amount, confirmed to the chain's policy; then the refund sale is
//     written in one transaction, as for cash (without the drawer).
// The Z (shift.ts) counts completed sales of kind 'refund' as returns through their 'sale.completed' entry.
import { getAddress, zeroPadValue } from 'ethers'
import type { ReturnableLineView, ReturnableSaleView, ReturnQuoteView, ReturnStablecoinOrigin, ReturnStablecoinView, ReturnSummary, ReturnView, SaleView, StablecoinTenderDetails } from '../../shared/api/views'
import type { Clock } from '../../shared/clock'
import { divRoundHalfAwayFromZero, fiatMinorToTokenUnits, formatUnits, parseDecimalUnits, type TaxMode } from '../../shared/money'
import { parseCustomerAddress } from '../../shared/payment/customer-address'
import { buildPaymentUri } from '../../shared/payment/eip681'
import { defaultConfirmations, type ConfirmationPolicy } from '../../shared/payment/settings'
import { chainName, explorerTxUrl, type TokenInfo, type TokenSymbol } from '../../shared/payment/tokens'
import { refuse } from '../../shared/result'
import { parseReceiptCode, saleReceiptCode } from '../../shared/sale/receipt-code'
import { HttpJsonRateProvider, PegRateProvider, type RateProvider, type RateQuote } from '../chain/rates'
import type { EventBus } from '../events'
import { prepareCached, type Db } from '../ledger/db'
import { appendJournal } from '../ledger/journal'
import { recordSaleRows } from '../ledger/replay'
import { canonicalJson } from '../../shared/canonical-json'
import type { ReturnEntry, RefundTender, TaxLine } from '../reports/settlement'
import type { PaymentService } from './payments'
import { recordCashMovement, ShiftService } from './shift'
import { countCompletedSale } from './session-totals'

/** The approval actions this service asks for (the lead adds them to approvals.ts's ApprovalAction). */
export type ReturnApprovalAction = 'return.cash' | 'return.stablecoin' | 'return.cancel'

/** keccak256("Transfer(address,address,uint256)"): ERC-20's Transfer event. */
const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'
/** eth_getLogs ranges are capped by hosted RPCs (rpc.ts RANGE_REFUSAL): a refund is read in chunks this size. */
const LOG_CHUNK_BLOCKS = 1000

/** A chain a stablecoin refund can go out on: its RPC, tokens, confirmation policy and the shop's address. */
export interface RefundChain {
  readonly chainId: number
  readonly tokens: readonly TokenInfo[]
  readonly confirmations: ConfirmationPolicy
  /** The shop's receiving address on the chain (the 'address' scheme), or null for an xpub store. */
  readonly shopAddress: string | null
  send<T>(method: string, params: readonly unknown[]): Promise<T>
}

export interface ReturnsServiceDeps {
  readonly db: Db
  readonly clock: Clock
  readonly store: { settings(): { readonly tillId: string; readonly currency: string; readonly cashier: string } }
  readonly events?: EventBus
  /** The chains refunds may go out on (refundChainsOf(payments)); none: cash refunds only. */
  readonly chains?: () => readonly RefundChain[]
  /** Today's rate, for a refund on the fiat basis. */
  readonly quote?: (currency: string, token: TokenSymbol) => Promise<RateQuote>
  /** IANA zone a sale's date is read in for the look-up by number and date (default: the machine's). */
  readonly timeZone?: string
  /** After a refund sale has committed (its receipt, the drawer for cash); never blocks or fails the refund. */
  readonly afterRefund?: (refundSale: SaleView, ret: ReturnView) => void
  /** Reads a sale as the sale service shows it (SaleService.get), for the refund's receipt. */
  readonly saleView?: (saleId: string) => SaleView
}

/** What comes back: every line still returnable (whole), or so many of given lines. */
export interface ReturnSelection {
  readonly saleId: string
  readonly lines?: readonly { readonly lineId: string; readonly quantity: number }[]
}

export interface StablecoinRefundInput extends ReturnSelection {
  /** As the customer's wallet shows it: a 0x address or an EIP-681 URI. */
  readonly customerAddress: string
  readonly basis: 'token' | 'fiat'
  /** Default: the chain and token the sale was paid with. */
  readonly chainId?: number
  readonly token?: TokenSymbol
  /** The address the manager's wallet pays from; default: the shop's receiving address (or the original payment's). */
  readonly fromAddress?: string
}

export type ReturnQuery = { readonly code: string } | { readonly number: number; readonly date: string }

interface SaleRow {
  id: string
  till_id: string
  number: number
  kind: 'sale' | 'refund'
  status: string
  currency: string
  tax_mode: TaxMode
  cashier: string
  closed_at: number | null
  total_minor: number | null
  journal_hash: string | null
}

interface LineRow {
  id: string
  position: number
  product_id: string
  name: string
  name_zh: string | null
  barcode: string | null
  quantity: number
  weight_g: number | null
  unit_price_minor: number
  amount_minor: number
  discount_minor: number
  tax_rate_id: string
  tax_name: string | null
  tax_rate_ppm: number
  tax_minor: number
  /** Taken back by completed or awaiting returns. */
  returned: number
}

interface ReturnRow {
  id: string
  till_id: string
  number: number
  original_sale_id: string
  refund_sale_id: string | null
  method: 'cash' | 'stablecoin'
  status: 'awaiting-transfer' | 'completed' | 'cancelled'
  amount_minor: number
  currency: string
  approved_by: string
  created_at: number
  completed_at: number | null
  chain_id: number | null
  token_symbol: string | null
  token_address: string | null
  token_decimals: number | null
  from_address: string | null
  to_address: string | null
  amount_units: string | null
  basis: 'token' | 'fiat' | null
  rate: string | null
  rate_source: string | null
  from_block: number | null
  tx_hash: string | null
  log_index: number | null
  block_number: number | null
}

/** A stablecoin refund checked and priced (the rate and the chain's head fetched) before its transaction. */
export interface PreparedStablecoinRefund {
  readonly plan: { readonly amountMinor: number }
  readonly coin: RefundCoin
}

interface RefundCoin {
  readonly chainId: number
  readonly token: TokenInfo
  readonly from: string
  readonly to: string
  readonly units: bigint
  readonly basis: 'token' | 'fiat'
  readonly rate: string
  readonly rateSource: string
  readonly fromBlock: number
}

/** One line of a planned return: the share of the original line's amounts, by the cumulative rule below. */
interface PlannedLine {
  readonly line: LineRow
  readonly quantity: number
  readonly amountMinor: number
  readonly discountMinor: number
  readonly taxMinor: number
  readonly grossMinor: number
}

interface Plan {
  readonly sale: SaleRow
  readonly lines: readonly PlannedLine[]
  readonly amountMinor: number
  readonly refundableMinor: number
  readonly completesSale: boolean
}

/**
 * The share of `total` that `returned` of `sold` units carry: `total × returned / sold`, rounded half away from
 * zero (money.ts), and exactly `total` when all are back. A return of q units after r takes share(r+q) − share(r),
 * so however a line is returned in parts, the parts add up to the line, to the cent.
 */
function share(total: number, returned: number, sold: number): number {
  if (returned >= sold) return total
  return Number(divRoundHalfAwayFromZero(BigInt(total) * BigInt(returned), BigInt(sold)))
}

function grossOf(amount: number, discount: number, tax: number, mode: TaxMode): number {
  return amount - discount + (mode === 'exclusive' ? tax : 0)
}

function localDate(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms))
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

function hex(n: number): string {
  return `0x${n.toString(16)}`
}

export class ReturnsService {
  private timer: ReturnType<typeof setInterval> | null = null
  private polling: Promise<ReturnView[]> | null = null

  constructor(private readonly deps: ReturnsServiceDeps) {}

  private get db(): Db {
    return this.deps.db
  }

  private q(sql: string) {
    return prepareCached(this.deps.db, sql)
  }

  private tillId(): string {
    return this.deps.store.settings().tillId
  }

  // ----- finding the sale -----

  /** The sale a receipt code (its QR, or the 12 characters after "Journal") or a number and date names. */
  find(query: ReturnQuery): ReturnableSaleView {
    return this.returnable(this.findSale(query))
  }

  private findSale(query: ReturnQuery): SaleRow {
    const tillId = this.tillId()
    let row: SaleRow | undefined
    if ('code' in query) {
      const parsed = parseReceiptCode(query.code)
      if (!parsed) throw refuse('invalid-input', 'return.bad-code')
      if (parsed.kind === 'code') {
        row = this.q('SELECT * FROM sales WHERE id = ? AND till_id = ?').get(parsed.saleId, tillId) as SaleRow | undefined
        if (row && !(row.journal_hash ?? '').startsWith(parsed.hashPrefix)) row = undefined
      } else {
        // The journal's hash index answers a prefix as a range: every hex string starting with it sorts below prefix+'g'.
        // The unary + keeps the planner off journal_kind_seq, which would walk every sale.completed entry of the ledger.
        const entry = this.q("SELECT sale_id FROM journal WHERE hash >= ? AND hash < ? AND +kind = 'sale.completed' AND +till_id = ? LIMIT 2").all(parsed.hashPrefix, `${parsed.hashPrefix}g`, tillId) as { sale_id: string }[]
        if (entry.length === 1) row = this.q('SELECT * FROM sales WHERE id = ?').get(entry[0]!.sale_id) as SaleRow | undefined
      }
      if (!row || row.status !== 'completed') throw refuse('not-found', 'return.sale-not-found', { query: query.code.trim().slice(0, 80) })
    } else {
      row = this.q("SELECT * FROM sales WHERE till_id = ? AND number = ? AND status = 'completed'").get(tillId, query.number) as SaleRow | undefined
      // The date guards against a mistyped number finding some other customer's sale.
      if (row && localDate(row.closed_at ?? 0, this.timeZone()) !== query.date) row = undefined
      if (!row) throw refuse('not-found', 'return.sale-not-found', { query: `${query.number} (${query.date})` })
    }
    if (row.kind !== 'sale') throw refuse('conflict', 'return.sale-not-returnable', { number: row.number })
    return row
  }

  private timeZone(): string {
    return this.deps.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone
  }

  private saleRow(saleId: string): SaleRow {
    const row = this.q('SELECT * FROM sales WHERE id = ? AND till_id = ?').get(saleId, this.tillId()) as SaleRow | undefined
    if (!row || row.status !== 'completed') throw refuse('not-found', 'return.sale-not-found', { query: saleId })
    if (row.kind !== 'sale') throw refuse('conflict', 'return.sale-not-returnable', { number: row.number })
    return row
  }

  private lines(saleId: string): LineRow[] {
    return this.q(
      `SELECT l.id, l.position, l.product_id, l.name, p.name_zh, l.barcode, l.quantity, l.weight_g, l.unit_price_minor, l.amount_minor, l.discount_minor,
              l.tax_rate_id, t.name AS tax_name, l.tax_rate_ppm, l.tax_minor,
              COALESCE((SELECT SUM(rl.quantity) FROM return_lines rl JOIN returns r ON r.id = rl.return_id
                         WHERE rl.original_line_id = l.id AND r.status <> 'cancelled'), 0) AS returned
         FROM sale_lines l JOIN products p ON p.id = l.product_id LEFT JOIN tax_rates t ON t.id = l.tax_rate_id
        WHERE l.sale_id = ? AND l.voided = 0 ORDER BY l.position`
    ).all(saleId) as LineRow[]
  }

  /** What was paid: the sale's tenders still standing (a tender handed back before completion paid nothing). */
  private paidMinor(saleId: string): number {
    return (this.q('SELECT COALESCE(SUM(t.amount_minor), 0) AS paid FROM tenders t WHERE t.sale_id = ? AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id)').get(saleId) as { paid: number }).paid
  }

  private refundedMinor(saleId: string): number {
    return (this.q("SELECT COALESCE(SUM(amount_minor), 0) AS refunded FROM returns WHERE original_sale_id = ? AND status <> 'cancelled'").get(saleId) as { refunded: number }).refunded
  }

  private stablecoinOrigin(saleId: string): (ReturnStablecoinOrigin & { readonly paymentId: string; readonly tokenDecimals: number | null; readonly receiveAddress: string | null }) | null {
    const tender = this.q("SELECT t.amount_minor, t.details FROM tenders t WHERE t.sale_id = ? AND t.kind = 'stablecoin' AND NOT EXISTS (SELECT 1 FROM tender_returns r WHERE r.tender_id = t.id) ORDER BY t.created_at, t.id LIMIT 1").get(saleId) as
      | { amount_minor: number; details: string | null }
      | undefined
    if (!tender?.details) return null
    const d = JSON.parse(tender.details) as StablecoinTenderDetails
    const request = this.q('SELECT token_decimals, receive_address FROM payment_requests WHERE id = ?').get(d.paymentId) as { token_decimals: number; receive_address: string } | undefined
    return {
      chainId: d.chainId,
      chainName: d.chainName,
      tokenSymbol: d.tokenSymbol,
      tokenAmount: d.tokenAmount,
      rate: d.rate,
      amountMinor: tender.amount_minor,
      paymentId: d.paymentId,
      tokenDecimals: request?.token_decimals ?? null,
      receiveAddress: request?.receive_address ?? null
    }
  }

  private returnable(sale: SaleRow): ReturnableSaleView {
    const lines = this.lines(sale.id)
    const paid = this.paidMinor(sale.id)
    const refunded = this.refundedMinor(sale.id)
    const origin = this.stablecoinOrigin(sale.id)
    const views: ReturnableLineView[] = lines.map((l) => ({
      lineId: l.id,
      position: l.position,
      name: l.name,
      nameZh: l.name_zh,
      soldQuantity: l.quantity,
      returnedQuantity: l.returned,
      returnableQuantity: l.quantity - l.returned,
      weighed: l.weight_g !== null,
      grossMinor: grossOf(l.amount_minor, l.discount_minor, l.tax_minor, sale.tax_mode)
    }))
    const returns = (this.q('SELECT id, number, method, status, amount_minor, created_at FROM returns WHERE original_sale_id = ? ORDER BY number').all(sale.id) as {
      id: string
      number: number
      method: ReturnSummary['method']
      status: ReturnSummary['status']
      amount_minor: number
      created_at: number
    }[]).map((r) => ({ id: r.id, number: r.number, method: r.method, status: r.status, amountMinor: r.amount_minor, createdAt: r.created_at }))
    return {
      saleId: sale.id,
      number: sale.number,
      tillId: sale.till_id,
      currency: sale.currency,
      closedAt: sale.closed_at ?? 0,
      receiptCode: saleReceiptCode(sale.id, sale.journal_hash ?? ''),
      totalMinor: sale.total_minor ?? 0,
      paidMinor: paid,
      refundedMinor: refunded,
      refundableMinor: Math.max(0, paid - refunded),
      lines: views,
      stablecoin: origin ? { chainId: origin.chainId, chainName: origin.chainName, tokenSymbol: origin.tokenSymbol, tokenAmount: origin.tokenAmount, rate: origin.rate, amountMinor: origin.amountMinor } : null,
      returns
    }
  }

  // ----- planning (pure reads; every write re-plans inside its transaction) -----

  private plan(selection: ReturnSelection): Plan {
    const sale = this.saleRow(selection.saleId)
    const lines = this.lines(sale.id)
    const wanted = new Map<string, number>()
    if (selection.lines === undefined) {
      for (const l of lines) if (l.quantity > l.returned) wanted.set(l.id, l.quantity - l.returned)
    } else {
      for (const pick of selection.lines) wanted.set(pick.lineId, (wanted.get(pick.lineId) ?? 0) + pick.quantity)
    }
    const planned: PlannedLine[] = []
    for (const [lineId, quantity] of wanted) {
      if (quantity === 0) continue
      const line = lines.find((l) => l.id === lineId)
      if (!line) throw refuse('not-found', 'return.line-unknown', { number: sale.number })
      const left = line.quantity - line.returned
      if (quantity > left) throw refuse('conflict', 'return.too-many', { name: line.name, quantity, left, sold: line.quantity })
      const after = line.returned + quantity
      const amount = share(line.amount_minor, after, line.quantity) - share(line.amount_minor, line.returned, line.quantity)
      const discount = share(line.discount_minor, after, line.quantity) - share(line.discount_minor, line.returned, line.quantity)
      const tax = share(line.tax_minor, after, line.quantity) - share(line.tax_minor, line.returned, line.quantity)
      planned.push({ line, quantity, amountMinor: amount, discountMinor: discount, taxMinor: tax, grossMinor: grossOf(amount, discount, tax, sale.tax_mode) })
    }
    if (planned.length === 0) throw refuse('invalid-input', 'return.nothing-chosen')
    planned.sort((a, b) => a.line.position - b.line.position)
    const refundable = Math.max(0, this.paidMinor(sale.id) - this.refundedMinor(sale.id))
    const completesSale = lines.every((l) => l.quantity - l.returned === (wanted.get(l.id) ?? 0))
    let amount = planned.reduce((sum, p) => sum + p.grossMinor, 0)
    if (completesSale && amount !== refundable) {
      // The last return of a sale gives back exactly what is left of what was paid. The lines' shares add up to
      // the sale's total except where its tax was rounded once per rate (money.ts 'per-rate-total') or a manager
      // accepted an underpayment; the difference is booked on the last line's net amount, so lines and total agree.
      const last = planned.pop()!
      const diff = refundable - amount
      planned.push({ ...last, amountMinor: last.amountMinor + diff, grossMinor: last.grossMinor + diff })
      amount = refundable
    }
    if (amount > refundable) throw refuse('conflict', 'return.more-than-paid', { amountMinor: amount, refundableMinor: refundable, currency: sale.currency })
    if (amount <= 0) throw refuse('conflict', 'return.more-than-paid', { amountMinor: amount, refundableMinor: refundable, currency: sale.currency })
    return { sale, lines: planned, amountMinor: amount, refundableMinor: refundable, completesSale }
  }

  /** What a return would give back; reads only. */
  quote(selection: ReturnSelection): ReturnQuoteView {
    const plan = this.plan(selection)
    return {
      saleId: plan.sale.id,
      currency: plan.sale.currency,
      lines: plan.lines.map((p) => ({ lineId: p.line.id, name: p.line.name, quantity: p.quantity, grossMinor: p.grossMinor })),
      amountMinor: plan.amountMinor,
      completesSale: plan.completesSale
    }
  }

  // ----- cash -----

  /** Refuses a cash return that would be refused, without writing (so the PIN is asked only for one that can go). */
  checkCash(selection: ReturnSelection): ReturnQuoteView {
    return this.quote(selection)
  }

  /** A cash refund, approved by `managerId` (the caller checked the PIN): one transaction, the drawer pays it out. */
  cash(selection: ReturnSelection, managerId: string): ReturnView {
    const tillId = this.tillId()
    const returnId = this.db.transaction(() => {
      const plan = this.plan(selection)
      const now = this.deps.clock.now()
      const ret = this.insertReturn(plan, { method: 'cash', managerId, now })
      const refund = this.writeRefundSale(plan, ret, { kind: 'cash', now })
      // Cash leaves the drawer: the X/Z drawer (shift.ts computeDrawer) subtracts kind 'refund' movements. Refused
      // (and the whole return with it) when the drawer should not hold that much.
      recordCashMovement(this.db, { tillId, kind: 'refund', amountMinor: plan.amountMinor, reason: `Return ${ret.number} of sale ${plan.sale.number}`, approvedBy: managerId, saleId: refund.id, at: now })
      return ret.id
    }).immediate()
    return this.finished(returnId)
  }

  // ----- stablecoin -----

  private refundChain(chainId: number): RefundChain {
    const chain = (this.deps.chains?.() ?? []).find((c) => c.chainId === chainId)
    if (!chain) throw refuse('unavailable', 'return.no-chain')
    return chain
  }

  /**
   * A stablecoin refund, approved by `managerId`: records the customer's address, the basis and the amount, and
   * returns the EIP-681 request for the manager's wallet. Confirmed later by `pollOnce`.
   */
  async stablecoin(input: StablecoinRefundInput, managerId: string, preparedBefore?: PreparedStablecoinRefund): Promise<ReturnView> {
    const prepared = preparedBefore ?? (await this.prepareStablecoin(input))
    const returnId = this.db.transaction(() => {
      // Re-planned inside the transaction: a return completed while the rate or the head was fetched counts.
      const plan = this.plan(input)
      if (plan.amountMinor !== prepared.plan.amountMinor) throw refuse('conflict', 'return.more-than-paid', { amountMinor: prepared.plan.amountMinor, refundableMinor: plan.refundableMinor, currency: plan.sale.currency })
      const now = this.deps.clock.now()
      const ret = this.insertReturn(plan, { method: 'stablecoin', managerId, now, coin: prepared.coin })
      appendJournal(this.db, {
        at: now,
        tillId: this.tillId(),
        kind: 'return.refund-requested',
        saleId: plan.sale.id,
        payload: {
          returnId: ret.id,
          returnNumber: ret.number,
          originalSaleId: plan.sale.id,
          amountMinor: plan.amountMinor,
          chainId: prepared.coin.chainId,
          token: prepared.coin.token.symbol,
          tokenAddress: prepared.coin.token.address,
          from: prepared.coin.from,
          to: prepared.coin.to,
          amountUnits: prepared.coin.units.toString(),
          basis: prepared.coin.basis,
          rate: prepared.coin.rate,
          rateSource: prepared.coin.rateSource,
          fromBlock: prepared.coin.fromBlock,
          managerId,
          lines: plan.lines.map((p) => ({ lineId: p.line.id, quantity: p.quantity, grossMinor: p.grossMinor }))
        }
      })
      return ret.id
    }).immediate()
    const view = this.get(returnId)
    this.deps.events?.emit('return:changed', view)
    return view
  }

  /** Everything a stablecoin refund needs from outside the ledger (the rate, the chain's head), fetched before its transaction. */
  async prepareStablecoin(input: StablecoinRefundInput): Promise<PreparedStablecoinRefund> {
    const plan = this.plan(input)
    const origin = this.stablecoinOrigin(plan.sale.id)
    const chainId = input.chainId ?? origin?.chainId
    const symbol = input.token ?? (origin?.tokenSymbol as TokenSymbol | undefined)
    if (chainId === undefined || symbol === undefined) throw refuse('invalid-input', 'return.choose-token')
    const chain = this.refundChain(chainId)
    const token = chain.tokens.find((t) => t.symbol === symbol)
    if (!token) throw refuse('invalid-input', 'return.token-unknown', { token: symbol, chainId })
    const to = this.checkedAddress(input.customerAddress, chainId)
    const fromText = input.fromAddress ?? chain.shopAddress ?? origin?.receiveAddress ?? null
    if (!fromText) throw refuse('invalid-input', 'return.no-shop-address')
    const from = this.checkedAddress(fromText, chainId)
    if (from === to) throw refuse('invalid-input', 'return.same-address')
    let units: bigint
    let rate: string
    let rateSource: string
    if (input.basis === 'token') {
      // The original token amount: the share of what the customer sent that the returned goods carry.
      if (!origin || origin.chainId !== chainId || origin.tokenSymbol !== symbol) throw refuse('conflict', 'return.token-basis-needs-token-payment', { token: symbol })
      const paidUnits = parseDecimalUnits(origin.tokenAmount, token.decimals)
      if (paidUnits === null) throw refuse('conflict', 'return.token-basis-needs-token-payment', { token: symbol })
      const already = this.tokenUnitsRefunded(plan.sale.id, chainId, token.address)
      units = plan.completesSale ? paidUnits - already : (paidUnits * BigInt(plan.amountMinor)) / BigInt(origin.amountMinor)
      if (units > paidUnits - already) units = paidUnits - already
      rate = origin.rate
      rateSource = 'original'
    } else {
      if (!this.deps.quote) throw refuse('unavailable', 'return.no-chain')
      const quote = await this.deps.quote(plan.sale.currency, symbol)
      units = fiatMinorToTokenUnits(plan.amountMinor, plan.sale.currency, token.decimals, { fiatPerToken: quote.fiatPerToken })
      rate = quote.fiatPerToken
      rateSource = quote.source
    }
    if (units <= 0n) throw refuse('invalid-input', 'return.amount-too-small')
    // The transfer is looked for from the block the request was made at: a transfer seen before it paid something else.
    const fromBlock = Number.parseInt(await chain.send<string>('eth_blockNumber', []), 16)
    return { plan, coin: { chainId, token, from, to, units, basis: input.basis, rate, rateSource, fromBlock } }
  }

  private tokenUnitsRefunded(saleId: string, chainId: number, tokenAddress: string): bigint {
    const rows = this.q("SELECT amount_units FROM returns WHERE original_sale_id = ? AND status <> 'cancelled' AND chain_id = ? AND token_address = ?").all(saleId, chainId, tokenAddress) as { amount_units: string }[]
    return rows.reduce((sum, r) => sum + BigInt(r.amount_units), 0n)
  }

  /** EIP-55: ethers' getAddress refuses a mixed-case address whose checksum is wrong; an all-lower one gets its checksum. */
  private checkedAddress(text: string, chainId: number): string {
    const parsed = parseCustomerAddress(text)
    if (!parsed.ok) throw refuse('invalid-input', 'return.bad-address')
    if (parsed.chainId !== null && parsed.chainId !== chainId) throw refuse('invalid-input', 'return.wrong-chain', { given: parsed.chainId, chain: chainName(chainId) })
    try {
      return getAddress(parsed.address)
    } catch {
      throw refuse('invalid-input', 'return.bad-checksum', { address: parsed.address })
    }
  }

  /** Refuses a cancel that would be refused, without writing. */
  checkCancel(returnId: string): void {
    const row = this.returnRow(returnId)
    if (row.status !== 'awaiting-transfer') throw refuse('conflict', 'return.not-awaiting', { number: row.number, status: row.status })
  }

  /** A manager cancels a stablecoin refund that will not be paid: its lines can be returned again. */
  cancel(returnId: string, managerId: string): ReturnView {
    this.db.transaction(() => {
      this.checkCancel(returnId)
      const row = this.returnRow(returnId)
      const now = this.deps.clock.now()
      this.q("UPDATE returns SET status = 'cancelled', cancelled_at = ?, cancelled_by = ? WHERE id = ?").run(now, managerId, returnId)
      appendJournal(this.db, { at: now, tillId: this.tillId(), kind: 'return.refund-cancelled', saleId: row.original_sale_id, payload: { returnId, returnNumber: row.number, managerId } })
    }).immediate()
    const view = this.get(returnId)
    this.deps.events?.emit('return:changed', view)
    return view
  }

  /**
   * Looks on chain for the transfers the awaiting refunds wait for: a Transfer log of the refund's token FROM the
   * shop's address TO the customer's, for exactly the amount, in a block confirmed by the chain's policy and not
   * before the request. Each found one completes its return (one transaction). Returns the returns it completed.
   * Never runs twice at once (a slow RPC and the timer).
   */
  pollOnce(): Promise<ReturnView[]> {
    this.polling ??= this.poll().finally(() => (this.polling = null))
    return this.polling
  }

  private async poll(): Promise<ReturnView[]> {
    const awaiting = this.q("SELECT * FROM returns WHERE status = 'awaiting-transfer' AND till_id = ? ORDER BY number").all(this.tillId()) as ReturnRow[]
    const done: ReturnView[] = []
    const heads = new Map<number, number>()
    for (const row of awaiting) {
      const chain = (this.deps.chains?.() ?? []).find((c) => c.chainId === row.chain_id)
      if (!chain) continue
      let confirmedTo = heads.get(chain.chainId)
      if (confirmedTo === undefined) {
        confirmedTo = await this.confirmedHead(chain)
        heads.set(chain.chainId, confirmedTo)
      }
      const found = await this.findTransfer(chain, row, confirmedTo)
      if (!found) continue
      const completed = this.completeStablecoin(row.id, found)
      if (completed) done.push(completed)
    }
    return done
  }

  private async confirmedHead(chain: RefundChain): Promise<number> {
    if (chain.confirmations.kind === 'finalized') {
      const block = await chain.send<{ number: string } | null>('eth_getBlockByNumber', ['finalized', false])
      return block ? Number.parseInt(block.number, 16) : -1
    }
    const head = Number.parseInt(await chain.send<string>('eth_blockNumber', []), 16)
    // A block with n confirmations is n − 1 below the head (the head itself has one).
    return head - (chain.confirmations.count - 1)
  }

  private async findTransfer(chain: RefundChain, row: ReturnRow, confirmedTo: number): Promise<{ txHash: string; logIndex: number; blockNumber: number } | null> {
    const fromBlock = row.from_block ?? 0
    const topics = [TRANSFER_TOPIC, zeroPadValue(row.from_address!, 32), zeroPadValue(row.to_address!, 32)]
    for (let start = fromBlock; start <= confirmedTo; start += LOG_CHUNK_BLOCKS) {
      const end = Math.min(confirmedTo, start + LOG_CHUNK_BLOCKS - 1)
      const logs = await chain.send<{ transactionHash: string; logIndex: string; blockNumber: string; data: string; removed?: boolean }[]>('eth_getLogs', [
        { address: row.token_address, fromBlock: hex(start), toBlock: hex(end), topics }
      ])
      for (const log of logs) {
        if (log.removed) continue
        if (BigInt(log.data) !== BigInt(row.amount_units!)) continue
        const logIndex = Number.parseInt(log.logIndex, 16)
        // A transfer settles one refund only: two equal refunds to one customer need two transfers.
        const used = this.q('SELECT 1 FROM returns WHERE chain_id = ? AND tx_hash = ? AND log_index = ?').get(row.chain_id, log.transactionHash, logIndex)
        if (used) continue
        return { txHash: log.transactionHash, logIndex, blockNumber: Number.parseInt(log.blockNumber, 16) }
      }
    }
    return null
  }

  private completeStablecoin(returnId: string, transfer: { txHash: string; logIndex: number; blockNumber: number }): ReturnView | null {
    const completed = this.db.transaction(() => {
      const row = this.returnRow(returnId)
      if (row.status !== 'awaiting-transfer') return false
      const now = this.deps.clock.now()
      this.q('UPDATE returns SET tx_hash = ?, log_index = ?, block_number = ? WHERE id = ?').run(transfer.txHash, transfer.logIndex, transfer.blockNumber, returnId)
      const plan = this.storedPlan(this.returnRow(returnId))
      const refund = this.writeRefundSale(plan, this.returnRow(returnId), { kind: 'stablecoin', now })
      this.q("UPDATE returns SET status = 'completed', refund_sale_id = ?, completed_at = ? WHERE id = ?").run(refund.id, now, returnId)
      return true
    }).immediate()
    return completed ? this.finished(returnId) : null
  }

  /** Polls every `intervalMs` while refunds await their transfer (the app starts it beside the payment watcher). */
  start(intervalMs: number): void {
    if (this.timer) return
    this.timer = setInterval(() => {
      const waiting = this.q("SELECT 1 FROM returns WHERE status = 'awaiting-transfer' AND till_id = ? LIMIT 1").get(this.tillId())
      if (waiting) void this.pollOnce().catch(() => undefined)
    }, intervalMs)
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.polling?.catch(() => undefined)
  }

  // ----- writes (inside the caller's transaction) -----

  private insertReturn(
    plan: Plan,
    how: {
      method: 'cash' | 'stablecoin'
      managerId: string
      now: number
      coin?: RefundCoin
    }
  ): ReturnRow {
    const tillId = this.tillId()
    // Gap-free return numbers per till (the exports' ReturnEntry.number), moved in the transaction that writes the return.
    this.q('INSERT INTO return_counters (till_id, last_return_number) VALUES (?, 0) ON CONFLICT(till_id) DO NOTHING').run(tillId)
    this.q('UPDATE return_counters SET last_return_number = last_return_number + 1 WHERE till_id = ?').run(tillId)
    const { last_return_number: number } = this.q('SELECT last_return_number FROM return_counters WHERE till_id = ?').get(tillId) as { last_return_number: number }
    const id = `${tillId}-R${String(number).padStart(6, '0')}`
    const c = how.coin
    // A completed return needs its refund sale (a CHECK): a cash return is inserted awaiting and completed at once.
    this.q(
      `INSERT INTO returns (id, till_id, number, original_sale_id, method, status, amount_minor, currency, approved_by, created_at,
         chain_id, token_symbol, token_address, token_decimals, from_address, to_address, amount_units, basis, rate, rate_source, from_block)
       VALUES (?, ?, ?, ?, ?, 'awaiting-transfer', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    ).run(
      id, tillId, number, plan.sale.id, how.method, plan.amountMinor, plan.sale.currency, how.managerId, how.now,
      c?.chainId ?? null, c?.token.symbol ?? null, c?.token.address ?? null, c?.token.decimals ?? null, c?.from ?? null, c?.to ?? null,
      c ? c.units.toString() : null, c?.basis ?? null, c?.rate ?? null, c?.rateSource ?? null, c?.fromBlock ?? null
    )
    for (const p of plan.lines) this.q('INSERT INTO return_lines (return_id, original_line_id, quantity) VALUES (?, ?, ?)').run(id, p.line.id, p.quantity)
    return this.returnRow(id)
  }

  /** The plan a stored return was approved with, re-derived from its lines (the shares depend on earlier returns). */
  private storedPlan(row: ReturnRow): Plan {
    const sale = this.q('SELECT * FROM sales WHERE id = ?').get(row.original_sale_id) as SaleRow
    const chosen = this.q('SELECT original_line_id AS lineId, quantity FROM return_lines WHERE return_id = ?').all(row.id) as { lineId: string; quantity: number }[]
    const all = this.lines(sale.id)
    // This return's own lines already count as returned (it holds them): plan them as if it had not.
    const lines = all.map((l) => ({ ...l, returned: l.returned - (chosen.find((c) => c.lineId === l.id)?.quantity ?? 0) }))
    const planned: PlannedLine[] = []
    for (const pick of chosen) {
      const line = lines.find((l) => l.id === pick.lineId)!
      const after = line.returned + pick.quantity
      const amount = share(line.amount_minor, after, line.quantity) - share(line.amount_minor, line.returned, line.quantity)
      const discount = share(line.discount_minor, after, line.quantity) - share(line.discount_minor, line.returned, line.quantity)
      const tax = share(line.tax_minor, after, line.quantity) - share(line.tax_minor, line.returned, line.quantity)
      planned.push({ line, quantity: pick.quantity, amountMinor: amount, discountMinor: discount, taxMinor: tax, grossMinor: grossOf(amount, discount, tax, sale.tax_mode) })
    }
    planned.sort((a, b) => a.line.position - b.line.position)
    const sum = planned.reduce((total, p) => total + p.grossMinor, 0)
    if (sum !== row.amount_minor && planned.length > 0) {
      // The approved amount is what goes back (the last return of a sale takes the rounding, as in plan()).
      const last = planned.pop()!
      const diff = row.amount_minor - sum
      planned.push({ ...last, amountMinor: last.amountMinor + diff, grossMinor: last.grossMinor + diff })
    }
    return { sale, lines: planned, amountMinor: row.amount_minor, refundableMinor: row.amount_minor, completesSale: false }
  }

  /**
   * The refund sale: kind 'refund', numbered in the till's sale series, opened and completed in this transaction
   * (0009 lets it be open beside the cashier's open sale). Its lines are the returned shares (positive amounts),
   * its tender what went back, and its 'sale.completed' entry is what the Z counts as a return.
   */
  private writeRefundSale(plan: Plan, ret: ReturnRow, tender: { kind: 'cash' | 'stablecoin'; now: number }): { id: string; number: number } {
    const { tillId, cashier } = this.deps.store.settings()
    const now = tender.now
    this.q('INSERT INTO till_counters (till_id, last_sale_number) VALUES (?, 0) ON CONFLICT(till_id) DO NOTHING').run(tillId)
    this.q('UPDATE till_counters SET last_sale_number = last_sale_number + 1 WHERE till_id = ?').run(tillId)
    const { last_sale_number: number } = this.q('SELECT last_sale_number FROM till_counters WHERE till_id = ?').get(tillId) as { last_sale_number: number }
    const id = `${tillId}-${String(number).padStart(6, '0')}`
    // Refund sales are summed per line (their line taxes are the returned shares, never re-rounded per rate).
    this.q("INSERT INTO sales (id, till_id, number, kind, status, currency, tax_mode, tax_rounding, cashier, opened_at) VALUES (?, ?, ?, 'refund', 'open', ?, ?, 'per-line', ?, ?)")
      .run(id, tillId, number, plan.sale.currency, plan.sale.tax_mode, cashier, now)
    this.journal('sale.opened', id, { number, kind: 'refund', currency: plan.sale.currency, taxMode: plan.sale.tax_mode, cashier, returnId: ret.id, originalSaleId: plan.sale.id })
    plan.lines.forEach((p, i) => {
      this.q(
        `INSERT INTO sale_lines (id, sale_id, position, product_id, name, barcode, quantity, weight_g, unit_price_minor, amount_minor, discount_minor, tax_rate_id, tax_rate_ppm, tax_minor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      ).run(`${id}/L${i + 1}`, id, i + 1, p.line.product_id, p.line.name, p.line.barcode, p.quantity, p.line.weight_g, p.line.unit_price_minor, p.amountMinor, p.discountMinor, p.line.tax_rate_id, p.line.tax_rate_ppm, p.taxMinor)
    })
    const tenderId = `${id}/T1`
    if (tender.kind === 'cash') {
      this.q("INSERT INTO tenders (id, sale_id, kind, amount_minor, received_minor, change_minor, details, created_at) VALUES (?, ?, 'cash', ?, ?, 0, NULL, ?)").run(tenderId, id, plan.amountMinor, plan.amountMinor, now)
    } else {
      const details: StablecoinTenderDetails & { basis: string; to: string; from: string } = {
        paymentId: ret.id,
        tokenSymbol: ret.token_symbol!,
        tokenAmount: formatUnits(BigInt(ret.amount_units!), ret.token_decimals!),
        chainId: ret.chain_id!,
        chainName: chainName(ret.chain_id!),
        rate: ret.rate!,
        rateSource: ret.rate_source!,
        txHash: ret.tx_hash,
        explorerTxUrl: ret.tx_hash ? explorerTxUrl(ret.chain_id!, ret.tx_hash) : null,
        unverified: false,
        exception: null,
        basis: ret.basis!,
        from: ret.from_address!,
        to: ret.to_address!
      }
      this.q("INSERT INTO tenders (id, sale_id, kind, amount_minor, received_minor, change_minor, details, created_at) VALUES (?, ?, 'stablecoin', ?, ?, NULL, ?, ?)").run(tenderId, id, plan.amountMinor, plan.amountMinor, JSON.stringify(details), now)
    }
    // Net of tax, as a sale's subtotal (computeSaleTotals): in an inclusive store the tax comes out of the amount.
    const subtotal = plan.lines.reduce((sum, p) => sum + p.amountMinor - p.discountMinor - (plan.sale.tax_mode === 'inclusive' ? p.taxMinor : 0), 0)
    const tax = plan.lines.reduce((sum, p) => sum + p.taxMinor, 0)
    const completion = {
      number,
      kind: 'refund',
      returnId: ret.id,
      returnNumber: ret.number,
      originalSaleId: plan.sale.id,
      originalSaleNumber: plan.sale.number,
      method: ret.method,
      subtotalMinor: subtotal,
      taxMinor: tax,
      totalMinor: plan.amountMinor,
      managerId: ret.approved_by,
      txHash: ret.tx_hash,
      lines: plan.lines.map((p) => ({ productId: p.line.product_id, originalLineId: p.line.id, quantity: p.quantity, unitPriceMinor: p.line.unit_price_minor, amountMinor: p.amountMinor, discountMinor: p.discountMinor, taxMinor: p.taxMinor }))
    }
    // The record of the refund sale's rows, as a sale's completion carries one (ledger/replay.ts recordSaleRows):
    // the full verify compares them in SQLite instead of replaying the refund from this entry.
    const rowsRecord = recordSaleRows(this.db, id, { number, subtotalMinor: subtotal, taxMinor: tax, totalMinor: plan.amountMinor }, canonicalJson(completion))
    const entry = this.journal('sale.completed', id, rowsRecord === null ? completion : { ...completion, rowsRecord })
    this.q("UPDATE sales SET status = 'completed', closed_at = ?, subtotal_minor = ?, tax_minor = ?, total_minor = ?, journal_hash = ? WHERE id = ?").run(now, subtotal, tax, plan.amountMinor, entry.hash, id)
    // The day's running totals count the return with its 'sale.completed' entry (the Z reads them).
    countCompletedSale(this.db, tillId, id)
    if (ret.status === 'awaiting-transfer' && ret.method === 'cash') {
      this.q("UPDATE returns SET status = 'completed', refund_sale_id = ?, completed_at = ? WHERE id = ?").run(id, now, ret.id)
    }
    return { id, number }
  }

  private journal(kind: string, saleId: string, payload: Record<string, unknown>) {
    return appendJournal(this.db, { at: this.deps.clock.now(), tillId: this.tillId(), kind, saleId, payload: payload as never })
  }

  /** After the commit: the event and the refund's receipt (which never fails the refund). */
  private finished(returnId: string): ReturnView {
    const view = this.get(returnId)
    this.deps.events?.emit('return:changed', view)
    // Cash left the drawer: the windows showing the day see its new expected cash.
    if (view.method === 'cash') this.deps.events?.emit('shift:changed', new ShiftService({ db: this.db, clock: this.deps.clock, store: this.deps.store }).current())
    if (view.refundSaleId && this.deps.afterRefund && this.deps.saleView) {
      try {
        this.deps.afterRefund(this.deps.saleView(view.refundSaleId), view)
      } catch (e) {
        console.error('after-refund hook failed (the refund is saved):', e)
      }
    }
    return view
  }

  // ----- reads -----

  private returnRow(returnId: string): ReturnRow {
    const row = this.q('SELECT * FROM returns WHERE id = ?').get(returnId) as ReturnRow | undefined
    if (!row) throw refuse('not-found', 'return.not-found', { returnId })
    return row
  }

  get(returnId: string): ReturnView {
    const row = this.returnRow(returnId)
    const original = this.q('SELECT number FROM sales WHERE id = ?').get(row.original_sale_id) as { number: number }
    const refund = row.refund_sale_id ? (this.q('SELECT number FROM sales WHERE id = ?').get(row.refund_sale_id) as { number: number }) : null
    const lines = this.q('SELECT rl.original_line_id AS lineId, l.name, rl.quantity FROM return_lines rl JOIN sale_lines l ON l.id = rl.original_line_id WHERE rl.return_id = ? ORDER BY l.position').all(returnId) as {
      lineId: string
      name: string
      quantity: number
    }[]
    return {
      id: row.id,
      number: row.number,
      tillId: row.till_id,
      originalSaleId: row.original_sale_id,
      originalSaleNumber: original.number,
      refundSaleId: row.refund_sale_id,
      refundSaleNumber: refund?.number ?? null,
      method: row.method,
      status: row.status,
      amountMinor: row.amount_minor,
      currency: row.currency,
      approvedBy: row.approved_by,
      createdAt: row.created_at,
      completedAt: row.completed_at,
      lines,
      stablecoin: row.method === 'stablecoin' ? this.coinView(row) : null
    }
  }

  private coinView(row: ReturnRow): ReturnStablecoinView {
    const policy = (this.deps.chains?.() ?? []).find((c) => c.chainId === row.chain_id)?.confirmations ?? defaultConfirmations(row.chain_id!)
    const units = BigInt(row.amount_units!)
    return {
      chainId: row.chain_id!,
      chainName: chainName(row.chain_id!),
      tokenSymbol: row.token_symbol!,
      tokenAddress: row.token_address!,
      tokenDecimals: row.token_decimals!,
      fromAddress: row.from_address!,
      toAddress: row.to_address!,
      amountUnits: row.amount_units!,
      tokenAmount: formatUnits(units, row.token_decimals!),
      basis: row.basis!,
      rate: row.rate!,
      rateSource: row.rate_source!,
      uri: buildPaymentUri({ tokenAddress: row.token_address!, chainId: row.chain_id!, to: row.to_address!, amount: units }),
      txHash: row.tx_hash,
      logIndex: row.log_index,
      blockNumber: row.block_number,
      confirmationsRequired: policy.kind === 'finalized' ? 'finalized' : policy.count
    }
  }

  /** The till's returns, newest first; with a span, only those asked for in it (from inclusive, to exclusive). */
  list(limit: number, span: { readonly from?: number; readonly to?: number } = {}): ReturnView[] {
    const rows = this.q('SELECT id FROM returns WHERE till_id = ? AND created_at >= ? AND created_at < ? ORDER BY number DESC LIMIT ?').all(
      this.tillId(),
      span.from ?? 0,
      span.to ?? Number.MAX_SAFE_INTEGER,
      limit
    ) as { id: string }[]
    return rows.map((r) => this.get(r.id))
  }
}

/**
 * The day's returns as the exports' ReturnEntry (reports/settlement.ts): the completed returns whose refund sale's
 * 'sale.completed' entry lies in (openSeq, closeSeq) on the till, which are exactly the returns the Z counted
 * (shift.ts zPeriod gives the seqs). Taxes per rate from the refund sale's lines, as positive amounts.
 */
export function returnEntries(db: Db, tillId: string, openSeq: number, closeSeq: number): ReturnEntry[] {
  const rows = prepareCached(
    db,
    `SELECT s.id FROM journal j JOIN sales s ON s.id = j.sale_id JOIN returns r ON r.refund_sale_id = s.id
      WHERE j.kind = 'sale.completed' AND j.seq > ? AND j.seq < ? AND j.till_id = ? AND s.kind = 'refund'
      ORDER BY r.number`
  ).all(openSeq, closeSeq, tillId) as { id: string }[]
  return rows.map((r) => returnEntryOf(db, r.id))
}

/**
 * One completed refund sale as the exports' ReturnEntry: the hook reports/from-ledger.ts calls for a 'sale.completed'
 * entry of kind 'refund' (returnEntryFromLedger). Taxes per rate from the refund sale's lines, as positive amounts,
 * net of tax in both tax modes, exactly as the Z nets them (shift.ts computeFigures).
 */
export function returnEntryOf(db: Db, refundSaleId: string): ReturnEntry {
  const r = prepareCached(
    db,
    `SELECT r.*, s.id AS refund_id, s.closed_at AS refund_at, s.cashier AS refund_cashier, s.tax_mode AS refund_tax_mode, o.number AS original_number
       FROM sales s JOIN returns r ON r.refund_sale_id = s.id JOIN sales o ON o.id = r.original_sale_id
      WHERE s.id = ? AND s.kind = 'refund'`
  ).get(refundSaleId) as (ReturnRow & { refund_id: string; refund_at: number; refund_cashier: string; refund_tax_mode: TaxMode; original_number: number }) | undefined
  // A refund sale is written in the same transaction as its return's completion: one without is a broken ledger.
  if (!r) throw new Error(`refund sale ${refundSaleId} has no completed return`)
  const lines = prepareCached(db, "SELECT l.amount_minor, l.discount_minor, l.tax_minor, l.tax_rate_ppm, COALESCE(t.name, l.tax_rate_id) AS name FROM sale_lines l LEFT JOIN tax_rates t ON t.id = l.tax_rate_id WHERE l.sale_id = ? AND l.voided = 0 ORDER BY l.position").all(r.refund_id) as {
    amount_minor: number
    discount_minor: number
    tax_minor: number
    tax_rate_ppm: number
    name: string
  }[]
  const byRate = new Map<string, { name: string; ratePpm: number; netMinor: number; taxMinor: number }>()
  for (const l of lines) {
    const key = `${l.name}:${l.tax_rate_ppm}`
    const acc = byRate.get(key) ?? { name: l.name, ratePpm: l.tax_rate_ppm, netMinor: 0, taxMinor: 0 }
    const kept = l.amount_minor - l.discount_minor
    acc.netMinor += r.refund_tax_mode === 'inclusive' ? kept - l.tax_minor : kept
    acc.taxMinor += l.tax_minor
    byRate.set(key, acc)
  }
  const taxes: TaxLine[] = [...byRate.values()].sort((a, b) => a.ratePpm - b.ratePpm)
  const tender: RefundTender =
    r.method === 'cash'
      ? { kind: 'cash', amountMinor: r.amount_minor }
      : {
          kind: 'stablecoin',
          tokenSymbol: r.token_symbol!,
          tokenDecimals: r.token_decimals!,
          chainId: r.chain_id!,
          chainName: chainName(r.chain_id!),
          tokenUnits: r.amount_units!,
          amountMinor: r.amount_minor,
          rate: r.rate!,
          rateSource: r.rate_source!,
          txHash: r.tx_hash!,
          logIndex: r.log_index!,
          blockNumber: r.block_number!,
          networkFeeMinor: null,
          basis: r.basis!
        }
  return {
    kind: 'return',
    id: r.id,
    number: r.number,
    at: r.refund_at,
    cashier: r.refund_cashier,
    originalSaleId: r.original_sale_id,
    originalSaleNumber: r.original_number,
    taxes,
    grossMinor: r.amount_minor,
    tenders: [tender]
  }
}

/**
 * Today's rate for a refund on the fiat basis, from the same source the store's payments use (the host's provider,
 * else the store's policy: the peg, the manager's manual rate, or the HTTP source).
 */
export function refundRatesOf(payments: PaymentService, clock: Clock, override?: RateProvider): RateProvider {
  if (override) return override
  const policy = payments.settings.rate
  return policy.kind === 'peg' ? new PegRateProvider(clock) : policy.kind === 'manual' ? payments.manualRates : new HttpJsonRateProvider(policy, clock)
}

/** The payment service's chains as refund chains (its RPC pools, tokens, confirmation policies and the shop's address). */
export function refundChainsOf(payments: PaymentService): RefundChain[] {
  const receive = payments.settings.receive
  return payments.reconcileChains().map((c) => ({
    chainId: c.chainId,
    tokens: c.tokens,
    confirmations: payments.settings.chains.find((s) => s.chainId === c.chainId)?.confirmations ?? defaultConfirmations(c.chainId),
    shopAddress: receive.kind === 'address' ? getAddress(receive.perChain[String(c.chainId)] ?? receive.address) : null,
    send: <T>(method: string, params: readonly unknown[]) => c.pool.send<T>(method, params)
  }))
}
