// Today at a glance (issue [D] point 6) on a real ledger file: the open day's count, net revenue, tender mix and sales
// by hour in the store's zone, then the closed day's, with the exceptions a manager must see. Figures are checked
// against the test's own sums over the sales table.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Contract } from 'ethers'
import type { TodayView } from '../../../src/shared/api/views'
import { parsePaymentUri } from '../../../src/shared/payment/eip681'
import type { TokenInfo } from '../../../src/shared/payment/tokens'
import { MERCHANT, startTestChain, type TestChain } from '../../fixtures/anvil'
import { computeToday } from '../../../src/main/services/today'
import { ShiftService } from '../../../src/main/services/shift'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013'
const WATER = '5012345000015'

let till: TestTill
let shift: ShiftService
const HOUR = 3_600_000

beforeEach(() => {
  // 2026-11-24 09:00 UTC is 17:00 in Shanghai (UTC+8, no daylight saving).
  till = testTill({ timeZone: 'Asia/Shanghai' })
  shift = new ShiftService({ db: till.app.db, clock: till.clock, store: till.app.store })
})
afterEach(async () => {
  await till.cleanup()
})

function cashSale(codes: readonly string[]): void {
  for (const code of codes) till.app.sales.scan(code, 'wedge')
  till.app.sales.tenderCash(till.app.sales.current()!.dueMinor)
  till.app.sales.complete()
}

const today = () => computeToday({ db: till.app.db, shift, store: till.app.store, reversals: null, unattributed: null, timeZone: 'Asia/Shanghai' })

function totals(): { count: number; sum: number } {
  const row = till.app.db.prepare("SELECT count(*) AS count, coalesce(sum(total_minor), 0) AS sum FROM sales WHERE status = 'completed'").get() as { count: number; sum: number }
  return row
}

describe('Today at a glance', () => {
  it('says so before any day, with no made-up figures', () => {
    const view = today()
    expect(view).toMatchObject({ period: 'none', salesCount: 0, netSalesMinor: 0, tenders: [], pending: [], reversed: [], exceptions: [] })
    expect(view.byHour.every((h) => h.count === 0)).toBe(true)
  })

  it('counts the open day by local hour, and its figures are the X report\'s', () => {
    shift.open({ totalMinor: 20_000 }, 'M1')
    till.clock.advance(10 * 60_000) // 17:10 local
    cashSale([COLA])
    const first = totals().sum
    till.clock.advance(HOUR) // 18:10 local
    cashSale([WATER, COLA])
    till.clock.advance(30 * 60_000) // 18:40 local
    cashSale([WATER])
    const view = today()
    const own = totals()
    expect(view.period).toBe('open')
    expect(view.salesCount).toBe(3)
    expect(view.netSalesMinor).toBe(own.sum)
    expect(view.netSalesMinor).toBe(shift.xReport().netSalesMinor)
    expect(view.tenders).toEqual([{ key: 'cash', label: 'cash', amountMinor: own.sum, count: 3 }])
    expect(view.byHour[17]).toEqual({ hour: 17, count: 1, amountMinor: first })
    expect(view.byHour[18]).toEqual({ hour: 18, count: 2, amountMinor: own.sum - first })
    expect(view.byHour.filter((h) => h.hour !== 17 && h.hour !== 18).every((h) => h.count === 0 && h.amountMinor === 0)).toBe(true)
  })

  it('after the close shows the closed day, its cash difference and failed print jobs as open exceptions', () => {
    shift.open({ totalMinor: 20_000 }, 'M1')
    cashSale([COLA])
    const expected = shift.current()!.expectedCashMinor
    till.clock.advance(HOUR)
    shift.close({ counted: { totalMinor: expected - 150 }, differenceReason: 'short' }, 'M1')
    till.app.db.prepare("UPDATE print_jobs SET status = 'failed' WHERE id = (SELECT min(id) FROM print_jobs)").run()
    const view = today()
    expect(view).toMatchObject({ period: 'closed', zNumber: 1, salesCount: 1, netSalesMinor: totals().sum })
    expect(view.exceptions).toEqual([
      { kind: 'print-failed', count: 1, amountMinor: null },
      { kind: 'cash-difference', count: 1, amountMinor: -150 }
    ])
  })
})

describe('Today at a glance with a chain (anvil)', () => {
  let chain: TestChain
  let chained: TestTill
  let token: Contract
  beforeEach(async () => {
    chain = await startTestChain()
    token = await chain.deploy('TestUSDC6')
    await chain.fund(token, 1_000_000n * 1_000_000n)
    const local: TokenInfo = { chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: await token.getAddress(), decimals: 6, bridged: false, source: 'test' }
    chained = testTill({
      payments: {
        localTokens: [local],
        startWatcher: false,
        watcher: { startBacklog: 0 },
        settings: { receive: { kind: 'address', address: MERCHANT, exclusive: true }, chains: [{ chainId: 31337, rpcUrls: [chain.rpcUrl], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 2 } }] }
      }
    })
    chained.clock.set((await chain.provider.getBlock('latest'))!.timestamp * 1000)
    await chained.app.payments!.pollOnce()
  })
  afterEach(async () => {
    await chained.cleanup()
    await chain.stop()
  })

  it('lists a payment seen on chain but not yet confirmed as pending, through the back office call', async () => {
    const app = chained.app
    expect(await app.registry.dispatch('backoffice', 'shift:open', { floatMinor: 10_000, pin: '1234' })).toMatchObject({ ok: true })
    const sale = app.sales.scan(COLA, 'wedge')
    const requested = (await app.registry.dispatch('cashier', 'payment:request', { chainId: 31337, token: 'USDC' })) as { ok: true; value: { id: string; uri: string } }
    const uri = parsePaymentUri(requested.value.uri)
    await chain.pay(token, uri.to, uri.amount)
    await app.payments!.pollOnce()
    expect(app.payments!.get(requested.value.id).status).toBe('Seen')
    const r = (await app.registry.dispatch('backoffice', 'day:today', {})) as { ok: true; value: TodayView }
    expect(r.ok).toBe(true)
    expect(r.value.pending).toEqual([
      expect.objectContaining({ paymentId: requested.value.id, saleNumber: sale.number, tokenSymbol: 'USDC', receivedUnits: uri.amount.toString(), amountDueUnits: uri.amount.toString(), amountMinor: sale.totalMinor, status: 'Seen' })
    ])
    // Confirmed: no longer pending.
    await chain.mine(1)
    await app.payments!.pollOnce()
    const after = (await app.registry.dispatch('backoffice', 'day:today', {})) as { ok: true; value: TodayView }
    expect(after.value.pending).toEqual([])
  })
})
