import { describe, expect, it } from 'vitest'
import { computeZTotals, daySettlementHeaderSchema, type DayEntry, type SaleEntry } from '../../../src/main/reports/settlement'
import { sampleDay, sampleEntries } from './fixtures'

describe('computeZTotals', () => {
  const entries = sampleEntries()
  const sales = entries.filter((e): e is SaleEntry => e.kind === 'sale')
  const returns = entries.filter((e): e is Extract<DayEntry, { kind: 'return' }> => e.kind === 'return')
  const z = computeZTotals(sampleDay())

  it('gross, discounts, returns and net match sums taken straight from the entries', () => {
    const salesGross = sales.reduce((s, e) => s + e.grossMinor, 0)
    const discounts = sales.reduce((s, e) => s + e.discountMinor, 0)
    const returned = returns.reduce((s, e) => s + e.grossMinor, 0)
    expect(salesGross).toBe(900 + 1190 + 450 + 595 + 1190 + 900)
    expect(z.salesCount).toBe(6)
    expect(z.returnsCount).toBe(2)
    expect(z.discountsMinor).toBe(discounts)
    expect(z.discountsMinor).toBe(50)
    expect(z.grossSalesMinor).toBe(salesGross + discounts)
    expect(z.returnsMinor).toBe(returned)
    expect(z.netSalesMinor).toBe(salesGross - returned)
  })

  it('tax per rate is sales minus returns, and the rates add up to the net sales', () => {
    expect(z.taxes.map((t) => t.ratePpm)).toEqual([70_000, 190_000])
    const seven = z.taxes[0]!
    // 9.00, 4.50, 9.00 sold, 4.50 returned, all VAT 7 % inclusive.
    expect(seven.salesNetMinor).toBe(841 + 421 + 841)
    expect(seven.salesTaxMinor).toBe(59 + 29 + 59)
    expect(seven.returnsNetMinor).toBe(421)
    expect(seven.taxableMinor).toBe(841 + 841)
    expect(seven.taxMinor).toBe(59 + 59)
    expect(z.taxableMinor + z.taxMinor).toBe(z.netSalesMinor)
  })

  it('tenders: cash, and each token on each chain with its token amount and fiat amount', () => {
    expect(z.tenders.cash).toEqual({ salesCount: 2, receivedMinor: 1400, refundCount: 1, refundedMinor: 450, netMinor: 950 })
    expect(z.tenders.tokens.map((t) => t.key)).toEqual(['USDC:8453', 'USDT:137'])
    const usdc = z.tenders.tokens[0]!
    expect(usdc.receivedUnits).toBe((12_791_572n + 6_395_786n).toString())
    expect(usdc.receivedMinor).toBe(1190 + 595)
    expect(usdc.refundedUnits).toBe('12791572')
    expect(usdc.netMinor).toBe(595)
    const usdt = z.tenders.tokens[1]!
    expect(usdt.receivedUnits).toBe('20450000')
    expect(usdt.netMinor).toBe(2045)
    expect(usdt.rates).toEqual(['1 (peg)'])
    expect(z.takingsMinor).toBe(z.netSalesMinor + z.overpayments.amountMinor - z.underpayments.amountMinor)
  })

  it('over-, under- and late payments', () => {
    expect(z.overpayments).toEqual({ count: 1, amountMinor: 10 })
    expect(z.underpayments).toEqual({ count: 1, amountMinor: 5 })
    expect(z.latePayments).toEqual({ count: 1, amountMinor: 595 })
  })

  it('the drawer: expected from float and movements, counted, and the difference with its reason', () => {
    expect(z.drawer).toEqual({
      floatMinor: 10_000, cashSalesMinor: 1400, cashRefundsMinor: 450, cashInMinor: 500, cashInCount: 1, cashOutMinor: 2000, cashOutCount: 1,
      expectedMinor: 10_000 + 1400 - 450 + 500 - 2000, countedMinor: 9440, differenceMinor: -10, differenceReason: 'Coin miscount'
    })
  })

  it('voids, no-sales, carried-over payments and grand totals', () => {
    expect(z.voids).toEqual({ count: 1, valueMinor: 1250 })
    expect(z.noSaleCount).toBe(1)
    expect(z.pending).toMatchObject({ count: 1, amountMinor: 1190 })
    expect(z.grandTotals.after).toEqual({ salesMinor: 1_234_567 + 5225, returnsMinor: 12_345 + 1640 })
  })

  it('the thesis figure: network fees of the stablecoin takings beside the card fee on the same payments', () => {
    // Five stablecoin payments: fees known for four (1 minor unit each), one unknown.
    expect(z.fees.stablecoinPaymentCount).toBe(5)
    expect(z.fees.networkFeesMinor).toBe(4)
    expect(z.fees.networkFeesUnknownCount).toBe(1)
    // 1.5 % of 11.90, 4.50, 5.95, 7.00, 8.95, each rounded half away from zero: 18 + 7 + 9 + 11 + 13.
    expect(z.fees.cardEquivalentMinor).toBe(18 + 7 + 9 + 11 + 13)
  })

  it('refuses a sale whose taxes do not add up to its gross', () => {
    const bad: SaleEntry = { ...sales[0]!, grossMinor: 901, tenders: [{ kind: 'cash', amountMinor: 901 }] }
    expect(() => computeZTotals(sampleDay({ entries: [bad] }))).toThrow(/sale-101: taxes add up to 900, gross is 901/)
  })

  it('the header schema accepts the sample day and refuses a till id that would break export ids', () => {
    const { entries: _entries, ...header } = sampleDay()
    expect(daySettlementHeaderSchema.safeParse(header).success).toBe(true)
    expect(daySettlementHeaderSchema.safeParse({ ...header, store: { ...header.store, tillId: 'till 1' } }).success).toBe(false)
    expect(daySettlementHeaderSchema.safeParse({ ...header, store: { ...header.store, tillId: '-till' } }).success).toBe(false)
  })
})
