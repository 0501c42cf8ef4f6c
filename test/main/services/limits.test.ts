// Limits and results ([E] point 5): implausible amounts are refused with a clear message and change nothing; an
// approval is journaled together with the action it approved, so an action that refuses leaves no grant behind.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { saveLimits } from '../../../src/main/services/limits'
import { formatMessage } from '../../../src/shared/messages'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013'
let till: TestTill
beforeEach(() => {
  till = testTill()
})
afterEach(() => till.cleanup())

const journalKinds = (kind: string) => (till.app.db.prepare('SELECT count(*) AS n FROM journal WHERE kind = ?').get(kind) as { n: number }).n

describe('plausible bounds', () => {
  it('refuses cash received of 2^53 - 1 with a clear message, and takes no tender', async () => {
    await till.app.registry.dispatch('cashier', 'sale:scan', { code: COLA, source: 'manual' })
    const r = await till.app.registry.dispatch('cashier', 'sale:tender-cash', { receivedMinor: Number.MAX_SAFE_INTEGER })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input', key: 'limits.cash-received' } })
    if (r.ok) return
    expect(formatMessage('en', 'limits.cash-received', r.error.detail as never)).toMatch(/^Cash received of \$90,071,992,547,409\.91 is more than this till accepts in one sale \(\$50,000\.00\)/)
    expect(till.app.sales.current()).toMatchObject({ tenders: [], changeMinor: 0 })
    // A plausible amount still goes through.
    expect(await till.app.registry.dispatch('cashier', 'sale:tender-cash', { receivedMinor: 2000 })).toMatchObject({ ok: true })
  })

  it('bounds quantities and line amounts by the store setting, and the setting is journaled', async () => {
    saveLimits(till.app.db, { maxQuantity: 5, maxLineAmountMinor: 1000 }, till.clock.now())
    expect(journalKinds('setting.changed')).toBeGreaterThan(0)
    const first = await till.app.registry.dispatch('cashier', 'sale:scan', { code: COLA, source: 'manual', quantity: 6 })
    expect(first).toMatchObject({ ok: false, error: { key: 'limits.quantity' } })
    // The refused first scan opened nothing: numbering does not skip.
    expect(till.app.sales.current()).toBeNull()
    const ok = await till.app.registry.dispatch('cashier', 'sale:scan', { code: COLA, source: 'manual', quantity: 5 })
    expect(ok).toMatchObject({ ok: true, value: { number: 1 } })
    const price = ok.ok ? (ok.value as { lines: { unitPriceMinor: number }[] }).lines[0]!.unitPriceMinor : 0
    saveLimits(till.app.db, { maxLineAmountMinor: price * 5 - 1 }, till.clock.now())
    const again = await till.app.registry.dispatch('cashier', 'sale:scan', { code: COLA, source: 'manual' })
    expect(again).toMatchObject({ ok: false, error: { key: 'limits.price' } })
    expect(till.app.sales.current()!.lines[0]!.quantity).toBe(5)
  })
})

describe('an approval and its action in one transaction', () => {
  it('an action refused after the PIN was accepted journals no grant; a wrong PIN is journaled as refused', async () => {
    const granted = journalKinds('approval.granted')
    // No such payment: the PIN is right, the action refuses.
    const refused = await till.app.registry.dispatch('cashier', 'payment:accept', { paymentId: 'no-such-payment', pin: '1234' })
    expect(refused.ok).toBe(false)
    expect(journalKinds('approval.granted')).toBe(granted)
    const wrong = await till.app.registry.dispatch('cashier', 'payment:accept', { paymentId: 'no-such-payment', pin: '9999' })
    expect(wrong).toMatchObject({ ok: false, error: { key: 'approval.wrong-pin' } })
    expect(journalKinds('approval.refused')).toBe(1)
  })

  it('an approved action commits with its grant', async () => {
    await till.app.registry.dispatch('cashier', 'sale:scan', { code: COLA, source: 'manual' })
    const voided = await till.app.registry.dispatch('cashier', 'sale:void', { pin: '1234', reason: 'customer left' })
    expect(voided).toMatchObject({ ok: true, value: { status: 'voided' } })
    const rows = till.app.db.prepare("SELECT kind FROM journal WHERE kind IN ('approval.granted', 'sale.voided') ORDER BY seq").all() as { kind: string }[]
    expect(rows.map((r) => r.kind)).toEqual(['approval.granted', 'sale.voided'])
  })
})

describe('the back office sets the limits', () => {
  const save = (input: { maxCashReceived: string; maxQuantity: string; maxLineAmount: string }, pin = '1234') => till.app.registry.dispatch('backoffice', 'settings:limits', { pin, ...input })

  it('shows the defaults, saves new limits with a manager PIN, and the counter and the index use them at once', async () => {
    expect(await till.app.registry.dispatch('backoffice', 'settings:store-details', {})).toMatchObject({ ok: true, value: { limits: { maxCashReceivedMinor: 5_000_000, maxQuantity: 999, maxLineAmountMinor: 1_000_000 } } })
    const changed: string[] = []
    till.app.events.subscribe((event) => changed.push(event))
    const saved = await save({ maxCashReceived: '100.00', maxQuantity: '3', maxLineAmount: '2.50' })
    expect(saved).toMatchObject({ ok: true, value: { details: { limits: { maxCashReceivedMinor: 10_000, maxQuantity: 3, maxLineAmountMinor: 250 } }, restartNeeded: false } })
    expect(changed).toContain('store:changed')
    expect(journalKinds('settings.limits-changed')).toBe(1)
    // The cashier's index carries the new line limits.
    expect(await till.app.registry.dispatch('cashier', 'catalog:index', { afterId: null, limit: 1 })).toMatchObject({ ok: true, value: { limits: { maxQuantity: 3, maxLineAmountMinor: 250 } } })
    expect(await till.app.registry.dispatch('cashier', 'sale:scan', { code: COLA, source: 'manual', quantity: 4 })).toMatchObject({ ok: false, error: { key: 'limits.quantity' } })
    expect(await till.app.registry.dispatch('cashier', 'sale:scan', { code: COLA, source: 'manual', quantity: 2 })).toMatchObject({ ok: true })
    expect(await till.app.registry.dispatch('cashier', 'sale:tender-cash', { receivedMinor: 10_001 })).toMatchObject({ ok: false, error: { key: 'limits.cash-received' } })
    expect(await till.app.registry.dispatch('cashier', 'sale:tender-cash', { receivedMinor: 10_000 })).toMatchObject({ ok: true })
  })

  it('refuses a wrong PIN and each slip with its own message, and changes nothing', async () => {
    expect(await save({ maxCashReceived: '100.00', maxQuantity: '3', maxLineAmount: '2.50' }, '9999')).toMatchObject({ ok: false, error: { key: 'approval.wrong-pin' } })
    const cash = await save({ maxCashReceived: '1e9', maxQuantity: '3', maxLineAmount: '2.50' })
    expect(cash).toMatchObject({ ok: false, error: { code: 'invalid-input', key: 'settings.limit-cash' } })
    if (!cash.ok) expect(formatMessage('zh-CN', 'settings.limit-cash', cash.error.detail as never)).toBe('“1e9”不是有效的收款现金上限：应为以本店货币计的正数金额，例如 5000.00。')
    expect(await save({ maxCashReceived: '100.00', maxQuantity: '0', maxLineAmount: '2.50' })).toMatchObject({ ok: false, error: { key: 'settings.limit-quantity' } })
    expect(await save({ maxCashReceived: '100.00', maxQuantity: '3', maxLineAmount: '0.001' })).toMatchObject({ ok: false, error: { key: 'settings.limit-line' } })
    expect(await save({ maxCashReceived: '100.00', maxQuantity: '10000', maxLineAmount: '2.50' })).toMatchObject({ ok: false, error: { key: 'settings.limit-quantity' } })
    expect(journalKinds('settings.limits-changed')).toBe(0)
    expect(await till.app.registry.dispatch('backoffice', 'settings:store-details', {})).toMatchObject({ ok: true, value: { limits: { maxQuantity: 999 } } })
  })
})
