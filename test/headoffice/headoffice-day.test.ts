// A whole seeded day reaches head office: cash with change, a discount, a void, a USDC and a USDT sale paid on a
// real anvil chain, a cash out, a no-sale and a short count, closed with a signed Z (test/main/reports/
// ledger-day.ts, through the real till). Shipped by the till's own shipper, head office's overview, day report and
// closings must equal that Z figure by figure, the stablecoin takings included, and the Z's signature must verify
// with the key `stabletill public-key` gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addStore, addTill, startHeadOffice, type HeadOffice } from '../../src/headoffice/server'
import { closingsOn, overview, storeDays } from '../../src/headoffice/overview'
import { readTillPublicKey } from '../../src/main/ledger/anchor'
import { storeIdOf, tillKeyDir } from '../../src/main/services/day-close'
import { JournalShipper } from '../../src/main/services/shipper'
import { seedLedgerDay, type LedgerDay } from '../main/reports/ledger-day'
import { postgresBinDir, startPostgres, type TestPostgres } from '../fixtures/postgres'

const ADMIN = 'owner-admin-token-day'
const pgBin = postgresBinDir()

describe.skipIf(!pgBin)('a seeded day at head office', () => {
  let pg: TestPostgres
  let ho: HeadOffice
  let url: string
  let day: LedgerDay

  beforeAll(async () => {
    day = await seedLedgerDay()
    pg = await startPostgres()
    ho = await startHeadOffice({ connectionString: pg.connectionString, adminToken: ADMIN })
    ;({ url } = await ho.listen(0))
  }, 120_000)

  afterAll(async () => {
    await ho?.close()
    pg?.stop()
    await day?.stop()
  })

  it('the overview, the day report and the Z closing equal the till\'s Z, stablecoin takings and signature included', async () => {
    const { app } = day.till
    const settings = app.store.settings()
    const publicKey = readTillPublicKey(tillKeyDir(), storeIdOf(app.db))
    expect(publicKey).not.toBeNull()
    await addStore(ho.pool, { id: 'S1', name: settings.storeName, currency: settings.currency, timeZone: 'UTC' })
    const token = await addTill(ho.pool, { id: 'S1-T1', storeId: 'S1', ledgerTillId: settings.tillId, name: 'Front counter', publicKey })
    const shipper = new JournalShipper({ db: app.db, dataDir: day.till.dataDir, clock: app.clock, url, token, minDelayMs: 20, maxDelayMs: 200, timeoutMs: 5000 })
    expect(await shipper.syncNow()).toMatchObject({ behind: 0, lastError: null })

    const f = day.z.figures
    // The seeded day really holds what this test is about.
    expect(f.tenders.stablecoin.tokens.map((t) => t.tokenSymbol).sort()).toEqual(['USDC', 'USDT'])
    expect(f.voids.count).toBeGreaterThan(0)
    expect(f.drawer.differenceMinor).toBeLessThan(0)

    const date = new Date(f.periodStartMs).toISOString().slice(0, 10)
    const view = await overview(ho.pool, f.periodStartMs)
    const till = view.stores[0]!.tills[0]!
    expect(till).toMatchObject({
      salesCount: f.salesCount,
      salesMinor: f.salesTotalMinor,
      returnsCount: f.returnsCount,
      netMinor: f.netSalesMinor,
      voidsCount: f.voids.count,
      tenders: { cashMinor: f.tenders.cash.amountMinor - f.drawer.cashRefundsMinor, stablecoinMinor: f.tenders.stablecoin.amountMinor },
      openAlerts: 0
    })
    expect(await storeDays(ho.pool, date, date)).toMatchObject([{ storeId: 'S1', tills: 1, salesCount: f.salesCount, netMinor: f.netSalesMinor, stablecoinMinor: f.tenders.stablecoin.amountMinor }])
    expect(await closingsOn(ho.pool, { from: date, to: date })).toMatchObject([
      {
        zNumber: day.z.zNumber,
        salesCount: f.salesCount,
        netSalesMinor: f.netSalesMinor,
        taxMinor: f.taxMinor,
        expectedCashMinor: f.drawer.expectedMinor,
        countedCashMinor: f.drawer.countedMinor,
        differenceMinor: f.drawer.differenceMinor,
        grandNetMinor: f.grandTotals.after.netMinor,
        signed: { verified: true }
      }
    ])
  })
})
