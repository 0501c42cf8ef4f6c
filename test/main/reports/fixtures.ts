// Closed days for the report tests and the bench: plain DaySettlement values built with integer money only.
//
// sampleDay(): one small, realistic day in a Berlin store (EUR, VAT 7 % and 19 %, prices include tax) with cash,
// USDC on Base and USDT on Polygon PoS, a late payment, an over- and an under-payment, a discount, a void, a cash
// return and a stablecoin refund, a cash in, a cash out, a no-sale, a short drawer and a carried-over payment.
// syntheticDay(n): n generated sales (and a return every 50th), streamed from a generator, for the bench.
import { createHash } from 'node:crypto'
import { lineTax, tokenUnitsToFiatMinor } from '../../../src/shared/money'
import type { DayEntry, DaySettlement, RefundTender, SaleEntry, StablecoinTender, TaxLine } from '../../../src/main/reports/settlement'

export const TILL_ID = 'till-1'
export const HEAD_HASH = createHash('sha256').update('journal head').digest('hex')

/** A deterministic 32-byte hash for a label, as a 0x-prefixed tx hash. */
export function txHash(label: string): string {
  return '0x' + createHash('sha256').update(label).digest('hex')
}

const VAT_7 = 70_000
const VAT_19 = 190_000

/** One tax line of an inclusive (shelf-price) amount, by money.ts's rule. */
export function vat(amountMinor: number, ratePpm: number): TaxLine {
  const t = lineTax(amountMinor, ratePpm, 'inclusive')
  return { name: 'VAT', ratePpm, netMinor: t.netMinor, taxMinor: t.taxMinor }
}

const sumGross = (taxes: readonly TaxLine[]): number => taxes.reduce((s, t) => s + t.netMinor + t.taxMinor, 0)

const USDC_BASE = { tokenSymbol: 'USDC', tokenDecimals: 6, chainId: 8453, chainName: 'Base' } as const
const USDT_POLYGON = { tokenSymbol: 'USDT', tokenDecimals: 6, chainId: 137, chainName: 'Polygon PoS' } as const

function coin(
  token: typeof USDC_BASE | typeof USDT_POLYGON,
  tokenUnits: bigint,
  rate: string,
  rateSource: string,
  label: string,
  extra: Partial<StablecoinTender> = {}
): StablecoinTender {
  return {
    kind: 'stablecoin',
    ...token,
    tokenUnits: tokenUnits.toString(),
    amountMinor: tokenUnitsToFiatMinor(tokenUnits, 'EUR', token.tokenDecimals, { fiatPerToken: rate }),
    rate,
    rateSource,
    txHash: txHash(label),
    logIndex: 3,
    blockNumber: 24_000_000 + label.length,
    networkFeeMinor: 1,
    late: false,
    ...extra
  }
}

// 2026-01-15 in Berlin is UTC+1: the day runs 2026-01-14T23:00Z .. 2026-01-15T23:00Z.
const at = (hour: number, minute: number): number => Date.UTC(2026, 0, 15, hour - 1, minute)

function sale(number: number, time: number, taxes: TaxLine[], tenders: SaleEntry['tenders'], discountMinor = 0): SaleEntry {
  return { kind: 'sale', id: `sale-${number}`, number, at: time, cashier: 'Ann', taxes, grossMinor: sumGross(taxes), discountMinor, tenders }
}

export function sampleEntries(): DayEntry[] {
  const s101 = [vat(900, VAT_7)]
  const s102 = [vat(1190, VAT_19)]
  // 12.791572 USDC at 0.9303 EUR is 11.90 EUR (rounded half away from zero).
  const s102Tender = coin(USDC_BASE, 12_791_572n, '0.9303', 'http', 'sale-102')
  const s103 = [vat(450, VAT_7)]
  const s104 = [vat(595, VAT_19)]
  const s105 = [vat(1190, VAT_19)]
  const s106 = [vat(900, VAT_7)]
  const { late: _late, ...s102Fields } = s102Tender
  // Paid back by the manager's wallet in the original token amount; the watcher saw it leave.
  const refund102: RefundTender = { ...s102Fields, txHash: txHash('refund-102'), blockNumber: 24_000_900, networkFeeMinor: 2, basis: 'token' }
  return [
    sale(101, at(9, 5), s101, [{ kind: 'cash', amountMinor: 900 }]),
    sale(102, at(9, 40), s102, [s102Tender]),
    // A manager's 10 % line discount: 5.00 -> 4.50.
    sale(103, at(10, 15), s103, [coin(USDT_POLYGON, 4_500_000n, '1', 'peg', 'sale-103', { networkFeeMinor: null })], 50),
    { kind: 'void', id: 'void-1', at: at(10, 30), cashier: 'Ann', valueMinor: 1250 },
    // Paid after the request expired; accepted by the manager.
    sale(104, at(11, 0), s104, [coin(USDC_BASE, 6_395_786n, '0.9303', 'http', 'sale-104', { late: true })]),
    { kind: 'return', id: 'return-1', number: 1, at: at(11, 30), cashier: 'Ann', originalSaleId: 'sale-101', originalSaleNumber: 101, taxes: [vat(450, VAT_7)], grossMinor: 450, tenders: [{ kind: 'cash', amountMinor: 450 }] },
    { kind: 'cash-in', id: 'move-1', number: 1, at: at(12, 0), cashier: 'Bob', amountMinor: 500, reason: 'Change from the safe' },
    { kind: 'no-sale', id: 'nosale-1', at: at(12, 5), cashier: 'Bob' },
    // Cash 5.00 + 7.00 USDT for 11.90: over-paid by 0.10.
    sale(105, at(13, 20), s105, [{ kind: 'cash', amountMinor: 500 }, coin(USDT_POLYGON, 7_000_000n, '1', 'peg', 'sale-105')]),
    // 8.95 USDT for 9.00: 0.05 short, accepted.
    sale(106, at(14, 45), s106, [coin(USDT_POLYGON, 8_950_000n, '1', 'peg', 'sale-106')]),
    { kind: 'return', id: 'return-2', number: 2, at: at(15, 10), cashier: 'Bob', originalSaleId: 'sale-102', originalSaleNumber: 102, taxes: s102, grossMinor: 1190, tenders: [refund102] },
    // A reason that looks like a spreadsheet formula: the CSV must neutralise it.
    { kind: 'cash-out', id: 'move-2', number: 2, at: at(17, 0), cashier: 'Bob', amountMinor: 2000, reason: '=HYPERLINK("http://x","Bank deposit")' }
  ]
}

export function sampleDay(overrides: Partial<DaySettlement> = {}): DaySettlement {
  return {
    store: { name: 'Corner Shop', addressLines: ['1 Main Street', '10115 Berlin'], taxId: 'DE123456789', currency: 'EUR', timeZone: 'Europe/Berlin', tillId: TILL_ID, tillNumber: 1 },
    businessDate: '2026-01-15',
    zNumber: 7,
    periodStartMs: at(8, 0),
    periodEndMs: at(18, 0),
    journal: { headSeq: 1234, headHash: HEAD_HASH },
    // Expected: 100.00 + 9.00 + 5.00 − 4.50 + 5.00 − 20.00 = 94.50; counted 94.40.
    cash: { floatMinor: 10_000, countedMinor: 9_440, differenceReason: 'Coin miscount' },
    cardFeePpm: 15_000,
    grandTotalsBefore: { salesMinor: 1_234_567, returnsMinor: 12_345 },
    pendingCarriedOver: [
      { saleId: 'sale-107', saleNumber: 107, ...USDC_BASE, tokenUnits: '12791572', amountMinor: 1190, requestedAt: at(17, 55), state: 'seen' }
    ],
    entries: sampleEntries(),
    ...overrides
  }
}

/**
 * A day of `salesCount` generated sales, re-iterable and streamed: every pass runs the generator again, like a
 * ledger SELECT would. Mix: 60 % cash, 25 % USDC on Base, 15 % USDT on Polygon; two VAT rates; a cash return
 * every 50th sale; a cash out every 1000th.
 */
const HASH_PAD = '0'.repeat(64)

export function syntheticDay(salesCount: number): DaySettlement {
  const start = Date.UTC(2026, 0, 15, 7, 0)
  const stepMs = Math.max(1, Math.floor((10 * 3600 * 1000) / salesCount))
  // Tax lines depend only on the amount and rate: built once, so the generator costs what a ledger cursor would.
  const taxCache = new Map<number, TaxLine[]>()
  const taxesOf = (amount: number, ratePpm: number): TaxLine[] => {
    const key = amount * 2 + (ratePpm === VAT_19 ? 1 : 0)
    let taxes = taxCache.get(key)
    if (!taxes) {
      taxes = [vat(amount, ratePpm)]
      taxCache.set(key, taxes)
    }
    return taxes
  }
  const entries: Iterable<DayEntry> = {
    *[Symbol.iterator]() {
      let returns = 0
      let moves = 0
      for (let i = 1; i <= salesCount; i++) {
        const time = start + i * stepMs
        const amount = 100 + ((i * 7919) % 4900)
        const taxes = taxesOf(amount, i % 3 === 0 ? VAT_19 : VAT_7)
        const mix = i % 20
        let tenders: SaleEntry['tenders']
        if (mix < 12) tenders = [{ kind: 'cash', amountMinor: amount }]
        else {
          const token = mix < 17 ? USDC_BASE : USDT_POLYGON
          tenders = [{ kind: 'stablecoin', ...token, tokenUnits: `${amount}0000`, amountMinor: amount, rate: '1', rateSource: 'peg', txHash: `0x${HASH_PAD.slice(0, 64 - String(i).length)}${i}`, logIndex: i % 7, blockNumber: 24_000_000 + i, networkFeeMinor: 1, late: false }]
        }
        yield { kind: 'sale', id: `sale-${i}`, number: i, at: time, cashier: 'Ann', taxes, grossMinor: amount, discountMinor: 0, tenders }
        if (i % 50 === 0) {
          returns++
          yield { kind: 'return', id: `return-${returns}`, number: returns, at: time + 1, cashier: 'Ann', originalSaleId: `sale-${i}`, originalSaleNumber: i, taxes, grossMinor: amount, tenders: [{ kind: 'cash', amountMinor: amount }] }
        }
        if (i % 1000 === 0) {
          moves++
          yield { kind: 'cash-out', id: `move-${moves}`, number: moves, at: time + 2, cashier: 'Ann', amountMinor: 100, reason: 'Safe drop' }
        }
      }
    }
  }
  return { ...sampleDay(), zNumber: 1, periodStartMs: start, periodEndMs: start + 11 * 3600 * 1000, pendingCarriedOver: [], cash: { floatMinor: 10_000, countedMinor: 0, differenceReason: null }, entries }
}
