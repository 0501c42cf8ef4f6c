// PIN lookup tags (migration 0013, services/approvals.ts): a PIN finds its holder's row by an HMAC tag keyed with
// the till key, which lives outside the ledger. People sign in and approve as before; a wrong PIN still counts
// towards the lockout; a ledger restored on a machine without the old key folder still lets everyone sign in and
// is re-tagged as they do; a tag edited in the file cannot sign anyone in as someone else.
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, LEDGER_FILE, type App } from '../../../src/main/app'
import { migrate } from '../../../src/main/ledger/db'
import { LOCK_FILE } from '../../../src/main/ledger/lock'
import { migrations } from '../../../src/main/ledger/migrations'
import { ManualClock } from '../../../src/shared/clock'

const dirs: string[] = []
const apps: App[] = []
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 })
})

const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(d)
  return d
}
const clock = new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0))
function start(dataDir: string, keyDir: string): App {
  const app = createApp({ dataDir, keyDir, clock, resourcesDir: resolve(__dirname, '..', '..', '..', 'resources'), timeZone: 'UTC', initialSettings: { demo: false, storeName: 'Kiosk' } })
  apps.push(app)
  return app
}
async function stop(app: App) {
  apps.splice(apps.indexOf(app), 1)
  await app.close()
}

const OWNER = '864209'
const MANAGERS = ['135792', '246813', '357924']
const call = (app: App, window: 'cashier' | 'backoffice', name: string, input: unknown = {}) => app.registry.dispatch(window, name, input)
const tags = (app: App) => app.db.prepare('SELECT id, pin_tag AS tag, pin_tag_mac AS mac FROM staff ORDER BY id').all() as { id: string; tag: string | null; mac: string | null }[]

/** A real shop (starts locked): the manager M1 (PIN 1234) from the set-up, an owner and three more managers. */
function shop(dataDir: string, keyDir: string): App {
  const app = start(dataDir, keyDir)
  app.db.transaction(() => app.staff.createInitial([{ name: 'Olga Owner', role: 'owner', pin: OWNER }, ...MANAGERS.map((pin, i) => ({ name: `Manager ${i + 2}`, role: 'manager' as const, pin }))])).immediate()
  return app
}

describe('PIN lookup tags', () => {
  it('every person is tagged under the till key; each signs in and approves with their own PIN', async () => {
    const app = shop(temp('stabletill-tags-'), temp('stabletill-keys-'))
    const rows = tags(app)
    expect(rows).toHaveLength(5)
    expect(rows.every((r) => r.tag !== null && /^[0-9a-f]{64}$/.test(r.tag) && r.mac !== null)).toBe(true)
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: '1234' })).toMatchObject({ ok: true, value: { staffId: 'M1' } })
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: MANAGERS[2] })).toMatchObject({ ok: true, value: { staffId: 'M4', role: 'manager' } })
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: OWNER })).toMatchObject({ ok: true, value: { staffId: 'O1', role: 'owner' } })
    expect(app.approvals.approve(MANAGERS[0]!, 'drawer.no-sale', null)).toMatchObject({ id: 'M2' })
    // A new person's PIN may not be someone else's (found through the tag, not by hashing everyone).
    expect(await call(app, 'backoffice', 'staff:add', { pin: OWNER, name: 'Copycat', role: 'manager', newPin: MANAGERS[1] })).toMatchObject({ ok: false, error: { key: 'staff.pin-taken' } })
    expect(await call(app, 'backoffice', 'staff:add', { pin: OWNER, name: 'Chen Wei', role: 'cashier', newPin: '4711' })).toMatchObject({ ok: true, value: { id: 'C1' } })
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: '4711' })).toMatchObject({ ok: true, value: { staffId: 'C1' } })
    // A changed PIN is re-tagged: the new one signs in, the old one is a wrong PIN.
    expect(await call(app, 'backoffice', 'staff:change-pin', { currentPin: MANAGERS[0], newPin: '975310' })).toMatchObject({ ok: true })
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: '975310' })).toMatchObject({ ok: true, value: { staffId: 'M2' } })
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: MANAGERS[0] })).toMatchObject({ ok: false, error: { key: 'approval.wrong-pin' } })
  })

  it('the same PIN gets another tag under another till key: the file alone does not give the tags away', () => {
    const a = shop(temp('stabletill-tags-'), temp('stabletill-keys-'))
    const b = shop(temp('stabletill-tags-'), temp('stabletill-keys-'))
    const tagA = tags(a).find((r) => r.id === 'M1')!.tag
    const tagB = tags(b).find((r) => r.id === 'M1')!.tag
    expect(tagA).not.toBe(tagB)
  })

  it('wrong PINs still count to the lockout, and a right PIN after the lock passes', async () => {
    const app = shop(temp('stabletill-tags-'), temp('stabletill-keys-'))
    for (let i = 0; i < 4; i++) expect(await call(app, 'cashier', 'staff:sign-in', { pin: '0000' })).toMatchObject({ ok: false, error: { key: 'approval.wrong-pin' } })
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: '9999' })).toMatchObject({ ok: false, error: { key: 'approval.locked', detail: { seconds: 30 } } })
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: '1234' })).toMatchObject({ ok: false, error: { key: 'approval.locked' } })
    clock.advance(30_000)
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: '1234' })).toMatchObject({ ok: true, value: { staffId: 'M1' } })
  })

  it('a ledger restored on a new machine (no key folder) lets everyone sign in and is re-tagged as they do', async () => {
    const dataDir = temp('stabletill-tags-')
    const first = shop(dataDir, temp('stabletill-keys-'))
    const before = new Map(tags(first).map((r) => [r.id, r.tag]))
    await stop(first)
    const restored = temp('stabletill-restored-')
    cpSync(dataDir, restored, { recursive: true })
    rmSync(join(restored, LOCK_FILE), { force: true })
    const app = start(restored, temp('stabletill-newkeys-'))
    const retagged = () => tags(app).filter((r) => r.tag !== before.get(r.id)).map((r) => r.id)
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: MANAGERS[1] })).toMatchObject({ ok: true, value: { staffId: 'M3' } })
    // Only the person who signed in is re-tagged (nobody else's PIN is known); the others still sign in.
    expect(retagged()).toEqual(['M3'])
    expect(app.approvals.approve('1234', 'drawer.no-sale', null)).toMatchObject({ id: 'M1' })
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: OWNER })).toMatchObject({ ok: true, value: { staffId: 'O1' } })
    expect(retagged()).toEqual(['M1', 'M3', 'O1'])
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: '0000' })).toMatchObject({ ok: false, error: { key: 'approval.wrong-pin' } })
    // The restored ledger's staff table still matches its journaled digest: tags are not part of it.
    expect(app.integrity.current()).toMatchObject({ ok: true })
  })

  it("a tag copied onto another person's row or overwritten in the file signs in only the PIN's holder", async () => {
    const dataDir = temp('stabletill-tags-')
    const keyDir = temp('stabletill-keys-')
    await stop(shop(dataDir, keyDir))
    const db = new Database(join(dataDir, LEDGER_FILE))
    db.prepare("UPDATE staff SET (pin_tag, pin_tag_mac) = (SELECT pin_tag, pin_tag_mac FROM staff WHERE id = 'M2') WHERE id = 'O1'").run()
    db.prepare("UPDATE staff SET pin_tag = ? WHERE id = 'M3'").run('0'.repeat(64))
    db.close()
    const app = start(dataDir, keyDir)
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: MANAGERS[0] })).toMatchObject({ ok: true, value: { staffId: 'M2' } })
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: OWNER })).toMatchObject({ ok: true, value: { staffId: 'O1' } })
    expect(await call(app, 'cashier', 'staff:sign-in', { pin: MANAGERS[1] })).toMatchObject({ ok: true, value: { staffId: 'M3' } })
  })
})

describe('0013-pin-tags', () => {
  it('keeps the staff of an older ledger, untagged', () => {
    const db = new Database(':memory:')
    migrate(db, migrations.slice(0, 12))
    db.prepare("INSERT INTO staff (id, name, role, salt, pin_hash, disabled, created_at) VALUES ('M1', 'Manager', 'manager', ?, ?, 0, 0)").run('ab'.repeat(8), 'cd'.repeat(32))
    expect(migrate(db, migrations.slice(0, 13))).toEqual({ from: 12, to: 13 })
    expect(db.prepare('SELECT id, pin_tag, pin_tag_mac FROM staff').all()).toEqual([{ id: 'M1', pin_tag: null, pin_tag_mac: null }])
    expect(() => db.prepare("UPDATE staff SET pin_tag = 'short'").run()).toThrow(/CHECK/)
    db.close()
  })
})
