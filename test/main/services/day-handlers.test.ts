// The closed day's api calls through the registry (back office only, zod, Results): the Z on screen, an export into
// the accountant's folder, and the reconciliation of the Z's period on anvil with its progress and cancel.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DayReportView, ReconcileProgressView, ReconciliationView } from '../../../src/shared/api/views'
import { MERCHANT } from '../../fixtures/anvil'
import { seedLedgerDay, type LedgerDay } from '../reports/ledger-day'

let day: LedgerDay
beforeAll(async () => {
  day = await seedLedgerDay()
}, 60_000)
afterAll(async () => {
  await day?.stop()
})

const call = (name: string, input: unknown, window: 'backoffice' | 'cashier' = 'backoffice') => day.till.app.registry.dispatch(window, name, input)

describe('day api', () => {
  it('day:z-report shows the Z rows and figures; only the back office may ask', async () => {
    const r = (await call('day:z-report', { zNumber: day.z.zNumber })) as { ok: true; value: DayReportView }
    expect(r.ok).toBe(true)
    expect(r.value.totals.salesCount).toBe(day.z.figures.salesCount)
    expect(r.value.totals.netSalesMinor).toBe(day.z.figures.netSalesMinor)
    expect(r.value.sections.length).toBeGreaterThan(3)
    expect(r.value.sections.flatMap((s) => s.rows.map((row) => row.label))).toContain('Discounts')
    expect(await call('day:z-report', { zNumber: day.z.zNumber }, 'cashier')).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await call('day:z-report', { zNumber: 99 })).toMatchObject({ ok: false, error: { code: 'not-found' } })
  })

  it('day:export writes the file into the closing folder, the same bytes as the closing wrote', async () => {
    const r = (await call('day:export', { zNumber: day.z.zNumber, format: 'beancount' })) as { ok: true; value: { file: string; bytes: number } }
    expect(r.ok).toBe(true)
    const closing = day.z.artifacts!.files.find((f) => f.endsWith('.beancount'))!
    expect(r.value.file).toBe(closing)
    expect(readFileSync(r.value.file).length).toBe(r.value.bytes)
    expect(await call('day:export', { zNumber: day.z.zNumber, format: 'xls' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })

  it('reconcile:run matches both stablecoin sales, finds a planted unexpected transfer, and reports progress', async () => {
    // Someone pays the store's address directly, outside any request.
    const planted = await day.chain.pay(day.usdc, MERCHANT, 1_234_567n)
    const progress: ReconcileProgressView[] = []
    const unsubscribe = day.till.app.events.subscribe((event, payload) => {
      if (event === 'reconcile:progress') progress.push(payload as ReconcileProgressView)
    })
    const r = (await call('reconcile:run', { zNumber: day.z.zNumber, runId: 'r1' })) as { ok: true; value: ReconciliationView }
    unsubscribe()
    expect(r.ok, JSON.stringify(r)).toBe(true)
    const chain = r.value.chains[0]!
    expect(chain.matched.map((m) => m.txHash).sort()).toEqual([...day.txHashes].sort())
    expect(chain.unexpected.map((u) => [u.txHash, u.value])).toEqual([[planted, '1234567']])
    expect(chain.missing).toEqual([])
    expect(r.value.clean).toBe(false)
    expect(progress.length).toBeGreaterThan(0)
    expect(progress.every((p) => p.runId === 'r1')).toBe(true)
  })

  it('reconcile:cancel stops a running reconciliation', async () => {
    const running = call('reconcile:run', { zNumber: day.z.zNumber, runId: 'r2' })
    expect(await call('reconcile:cancel', { runId: 'r2' })).toEqual({ ok: true, value: { cancelled: 1 } })
    expect(await running).toMatchObject({ ok: false, error: { code: 'conflict', message: /cancelled/ } })
    expect(await call('reconcile:run', { fromMs: 5, toMs: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })
})
