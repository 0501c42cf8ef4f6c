// The open day's running totals at start ([D] running totals, [E] point 4): the X and the Z print what
// session_totals holds, so a total edited in the file while the till was shut must be named by the start-up check
// (on the after-start worker) and the day must not close on it until a manager has acknowledged it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, LEDGER_FILE, type App } from '../../../src/main/app'
import { ManualClock } from '../../../src/shared/clock'

const COLA = '5901234123013'
const dirs: string[] = []
let app: App | null = null

afterEach(async () => {
  await app?.close()
  app = null
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const clock = new ManualClock(Date.UTC(2026, 11, 1, 9, 0, 0))

function folders() {
  const dataDir = mkdtempSync(join(tmpdir(), 'stabletill-starttotals-'))
  const keyDir = mkdtempSync(join(tmpdir(), 'stabletill-keys-'))
  dirs.push(dataDir, keyDir)
  return { dataDir, keyDir }
}

const start = (f: { dataDir: string; keyDir: string }) => (app = createApp({ ...f, clock, resourcesDir: resolve(__dirname, '..', '..', '..', 'resources'), timeZone: 'UTC' }))

/** The demo till sold two cash sales in its open day, then was shut. */
async function dayWithSales() {
  const f = folders()
  const a = start(f)
  for (let i = 0; i < 2; i++) {
    a.sales.scan(COLA, 'wedge')
    a.sales.tenderCash(1000)
    a.sales.complete()
  }
  await a.close()
  app = null
  return f
}

function editTotals(dataDir: string, sql: string): void {
  const db = new Database(join(dataDir, LEDGER_FILE))
  try {
    db.prepare(sql).run()
  } finally {
    db.close()
  }
}

const openSession = (dataDir: string): string => {
  const db = new Database(join(dataDir, LEDGER_FILE), { readonly: true })
  try {
    return (db.prepare("SELECT id FROM cash_sessions WHERE status = 'open'").get() as { id: string }).id
  } finally {
    db.close()
  }
}

describe("the open day's running totals are checked after start", () => {
  it('untouched totals pass, and the day closes', async () => {
    const f = await dayWithSales()
    const a = start(f)
    await a.integrity.afterStart()
    expect(a.integrity.current()).toMatchObject({ ok: true, problems: [] })
    const closed = await a.registry.dispatch('backoffice', 'shift:close', { countedMinor: 0, pin: '1234' })
    expect(closed.ok ? 'closed' : closed.error.key).not.toBe('integrity.close-refused')
  })

  it('a sales total edited in the file is named with its session, and closing is refused until acknowledged', async () => {
    const f = await dayWithSales()
    const session = openSession(f.dataDir)
    editTotals(f.dataDir, 'UPDATE session_totals SET cash_amount_minor = cash_amount_minor - 100')
    const a = start(f)
    const seen: string[] = []
    a.events.subscribe((event) => seen.push(event))
    await a.integrity.afterStart()
    expect(seen).toContain('ledger:integrity-changed')
    const view = a.integrity.current()
    expect(view.ok).toBe(false)
    expect(view.problems).toContainEqual({ check: 'totals', seq: null, reason: expect.stringMatching(new RegExp(`cash session ${session} disagree`)) })
    // The manager sees it over the api; the Z (which prints the totals) is refused.
    const shown = await a.registry.dispatch('backoffice', 'ledger:integrity', {})
    expect(shown).toMatchObject({ ok: true, value: { ok: false, firstBad: { reason: expect.stringMatching(/running totals/) } } })
    const refused = await a.registry.dispatch('backoffice', 'shift:close', { countedMinor: 0, pin: '1234' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict', key: 'integrity.close-refused' } })
  })

  it('a close asked for before the worker answered checks the totals on the spot', async () => {
    const f = await dayWithSales()
    editTotals(f.dataDir, 'UPDATE session_tax_totals SET sales_tax_minor = sales_tax_minor + 1')
    const a = start(f)
    const atOnce = await a.registry.dispatch('backoffice', 'shift:close', { countedMinor: 0, pin: '1234' })
    expect(atOnce).toMatchObject({ ok: false, error: { code: 'conflict', key: 'integrity.close-refused' } })
    expect(a.integrity.current().problems.map((p) => p.check)).toContain('totals')
    // The worker's later verdict does not add the same problem twice.
    await a.integrity.afterStart()
    expect(a.integrity.current().problems.filter((p) => p.check === 'totals')).toHaveLength(1)
  })
})
