// Staff and roles through the api, on a real ledger file: sign-in and switching, a PIN changed, the lockout kept
// across a restart with growing delays, and the permission table refusing a cashier a manager's action.
import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_CASHIER_PIN } from '../../../src/main/app'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { testTill, type TestTill } from '../../fixtures/till'

let till: TestTill | null = null
afterEach(async () => {
  await till?.cleanup()
  till = null
})

const COLA = '5901234123013'
const OWNER_PIN = '864209'
const call = (window: 'cashier' | 'backoffice', name: string, input: unknown = {}) => till!.app.registry.dispatch(window, name, input)

/** A real shop's till (not the demo): it starts locked, with an owner and the manager M1 (PIN 1234). */
function shopTill(): TestTill {
  const t = testTill({ initialSettings: { demo: false, storeName: 'Kiosk am Markt' } })
  t.app.db.transaction(() => t.app.staff.createInitial([{ name: 'Olga Owner', role: 'owner', pin: OWNER_PIN }])).immediate()
  return t
}

function journalKinds(kind: string): Record<string, unknown>[] {
  return (till!.app.db.prepare('SELECT payload FROM journal WHERE kind = ? ORDER BY seq').all(kind) as { payload: string }[]).map((r) => JSON.parse(r.payload) as Record<string, unknown>)
}

describe('staff and roles', () => {
  it('a real shop starts locked; a cashier signs in and sells in their name, another person switches in, Lock locks', async () => {
    till = shopTill()
    expect(await call('cashier', 'staff:session')).toEqual({ ok: true, value: null })
    expect(await call('cashier', 'sale:scan', { code: COLA, source: 'manual' })).toMatchObject({ ok: false, error: { code: 'forbidden', key: 'staff.signed-out' } })

    const added = await call('backoffice', 'staff:add', { pin: OWNER_PIN, name: 'Chen Wei', role: 'cashier', newPin: '4711' })
    expect(added).toMatchObject({ ok: true, value: { id: 'C1', name: 'Chen Wei', role: 'cashier', disabled: false } })
    expect(await call('cashier', 'staff:sign-in', { pin: '4711' })).toMatchObject({ ok: true, value: { staffId: 'C1', name: 'Chen Wei', role: 'cashier' } })
    // A real shop sells inside an open day: the manager opens it with the float.
    expect(await call('backoffice', 'shift:open', { floatMinor: 10_000, pin: '1234' })).toMatchObject({ ok: true })
    const sale = await call('cashier', 'sale:scan', { code: COLA, source: 'manual' })
    expect(sale).toMatchObject({ ok: true, value: { cashier: 'Chen Wei' } })
    const row = till.app.db.prepare("SELECT cashier, staff_id FROM sales WHERE status = 'open'").get()
    expect(row).toEqual({ cashier: 'Chen Wei', staff_id: 'C1' })
    expect(journalKinds('sale.opened').at(-1)).toMatchObject({ staffId: 'C1', cashier: 'Chen Wei' })

    // Switch user: the manager signs in over the cashier; the journal says who took over from whom.
    expect(await call('cashier', 'staff:sign-in', { pin: '1234' })).toMatchObject({ ok: true, value: { staffId: 'M1', role: 'manager' } })
    expect(journalKinds('staff.signed-in').at(-1)).toMatchObject({ staffId: 'M1', previousStaffId: 'C1' })
    expect(await call('cashier', 'staff:lock')).toEqual({ ok: true, value: null })
    expect(await call('cashier', 'sale:tender-cash', { receivedMinor: 500 })).toMatchObject({ ok: false, error: { key: 'staff.signed-out' } })
    // Nor does a locked till show a past sale to whoever stands at it, not even by its number.
    const today = new Date(till.clock.now()).toISOString().slice(0, 10)
    expect(await call('cashier', 'return:find', { number: 1, date: today })).toMatchObject({ ok: false, error: { code: 'forbidden', key: 'staff.signed-out' } })
    expect(journalKinds('staff.locked')).toEqual([{ staffId: 'M1' }])
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })

  it('a cashier is refused a manager action through the api, with their own PIN or none', async () => {
    till = testTill() // the demo store: its cashier is signed in at start
    expect(await call('cashier', 'staff:session')).toMatchObject({ ok: true, value: { role: 'cashier', allowed: expect.arrayContaining(['sale.sell']) } })
    expect((await call('cashier', 'staff:session')) as { value: { allowed: string[] } }).not.toMatchObject({ value: { allowed: expect.arrayContaining(['sale.void']) } })
    await call('cashier', 'sale:scan', { code: COLA, source: 'manual' })
    expect(await call('cashier', 'sale:void', { pin: DEMO_CASHIER_PIN })).toMatchObject({ ok: false, error: { code: 'forbidden', key: 'staff.not-permitted', detail: { action: 'sale.void' } } })
    expect(await call('cashier', 'drawer:no-sale', { pin: DEMO_CASHIER_PIN })).toMatchObject({ ok: false, error: { key: 'staff.not-permitted' } })
    expect(await call('backoffice', 'staff:add', { pin: '1234', name: 'Mallory', role: 'owner', newPin: '999999' })).toMatchObject({ ok: false, error: { key: 'staff.not-permitted', detail: { action: 'staff.manage' } } })
    expect(journalKinds('approval.refused').map((p) => p['reason'])).toEqual(['not-permitted', 'not-permitted', 'not-permitted'])
    // The sale is still open: nothing a refusal touched changed.
    expect(await call('cashier', 'sale:current')).toMatchObject({ ok: true, value: { status: 'open' } })
    expect(await call('cashier', 'sale:void', { pin: '1234' })).toMatchObject({ ok: true, value: { status: 'voided' } })
    expect(journalKinds('approval.granted').at(-1)).toMatchObject({ action: 'sale.void', managerId: 'M1', approverName: 'Manager', staffId: 'C1' })
  })

  it('a manager changes their own PIN (6 digits at least); the old one stops working', async () => {
    till = shopTill()
    expect(await call('backoffice', 'staff:change-pin', { currentPin: '1234', newPin: '12345' })).toMatchObject({ ok: false, error: { key: 'staff.pin-length', detail: { min: 6 } } })
    expect(await call('backoffice', 'staff:change-pin', { currentPin: '1234', newPin: OWNER_PIN })).toMatchObject({ ok: false, error: { key: 'staff.pin-taken' } })
    expect(await call('backoffice', 'staff:change-pin', { currentPin: '1234', newPin: '135790' })).toMatchObject({ ok: true, value: { id: 'M1' } })
    expect(await call('backoffice', 'settings:update-store', { pin: '1234', storeName: 'Old PIN' })).toMatchObject({ ok: false, error: { key: 'approval.wrong-pin' } })
    expect(await call('backoffice', 'settings:update-store', { pin: '135790', storeName: 'New PIN' })).toMatchObject({ ok: true, value: { storeName: 'New PIN' } })
    expect(journalKinds('staff.pin-changed')).toEqual([{ staffId: 'M1', byStaffId: 'M1' }])
    // The hash changed with a fresh salt; the PIN itself is nowhere in the ledger.
    const dump = JSON.stringify(till.app.db.prepare('SELECT * FROM staff').all()) + JSON.stringify(till.app.db.prepare('SELECT payload FROM journal').all())
    expect(dump).not.toContain('135790')
  })

  it('the owner adds, disables and resets staff; a disabled person cannot sign in, the last owner stays', async () => {
    till = shopTill()
    await call('backoffice', 'staff:add', { pin: OWNER_PIN, name: 'Ana', role: 'cashier', newPin: '2222' })
    expect(await call('backoffice', 'staff:add', { pin: OWNER_PIN, name: 'Bo', role: 'manager', newPin: '3333' })).toMatchObject({ ok: false, error: { key: 'staff.pin-length', detail: { role: 'manager', min: 6 } } })
    expect(await call('backoffice', 'staff:set-disabled', { pin: OWNER_PIN, staffId: 'O1', disabled: true })).toMatchObject({ ok: false, error: { key: 'staff.last-owner' } })
    expect(await call('backoffice', 'staff:set-disabled', { pin: OWNER_PIN, staffId: 'C1', disabled: true })).toMatchObject({ ok: true, value: { disabled: true } })
    expect(await call('cashier', 'staff:sign-in', { pin: '2222' })).toMatchObject({ ok: false, error: { key: 'approval.wrong-pin' } })
    await call('backoffice', 'staff:set-disabled', { pin: OWNER_PIN, staffId: 'C1', disabled: false })
    expect(await call('backoffice', 'staff:reset-pin', { pin: OWNER_PIN, staffId: 'C1', newPin: '5555' })).toMatchObject({ ok: true })
    expect(await call('cashier', 'staff:sign-in', { pin: '2222' })).toMatchObject({ ok: false })
    expect(await call('cashier', 'staff:sign-in', { pin: '5555' })).toMatchObject({ ok: true, value: { staffId: 'C1' } })
    expect(await call('backoffice', 'staff:list')).toMatchObject({ ok: true, value: [{ id: 'C1', name: 'Ana', disabled: false }, { id: 'M1' }, { id: 'O1', role: 'owner' }] })
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })

  it('wrong PINs lock sign-in and approvals; the lock survives a restart and grows at each further lock', async () => {
    till = shopTill()
    for (let i = 0; i < 4; i++) expect(await call('cashier', 'staff:sign-in', { pin: '0000' })).toMatchObject({ ok: false, error: { key: 'approval.wrong-pin' } })
    // Four misses, then a restart: the fifth still locks (the count is in the ledger, not in memory).
    till.reopen()
    expect(await call('cashier', 'staff:sign-in', { pin: '0000' })).toMatchObject({ ok: false, error: { key: 'approval.locked', detail: { seconds: 30 } } })
    till.reopen()
    expect(await call('cashier', 'staff:sign-in', { pin: '1234' })).toMatchObject({ ok: false, error: { key: 'approval.locked' } })
    expect(await call('backoffice', 'shift:open', { pin: '1234', floatMinor: 0 })).toMatchObject({ ok: false, error: { key: 'approval.locked' } })
    till.clock.advance(30_000)
    for (let i = 0; i < 4; i++) await call('cashier', 'staff:sign-in', { pin: '0000' })
    expect(await call('cashier', 'staff:sign-in', { pin: '0000' })).toMatchObject({ ok: false, error: { key: 'approval.locked', detail: { seconds: 60 } } })
    till.reopen()
    till.clock.advance(59_000)
    expect(await call('cashier', 'staff:sign-in', { pin: '1234' })).toMatchObject({ ok: false, error: { key: 'approval.locked', detail: { seconds: 1 } } })
    till.clock.advance(1_000)
    expect(await call('cashier', 'staff:sign-in', { pin: '1234' })).toMatchObject({ ok: true, value: { staffId: 'M1' } })
    expect(journalKinds('staff.pins-locked')).toEqual([{ seconds: 30, lockouts: 1 }, { seconds: 60, lockouts: 2 }])
  })
})
