// Store settings and manual rates changed by a manager through the api, on a real ledger file.
import { afterEach, describe, expect, it } from 'vitest'
import { testTill, type TestTill } from '../../fixtures/till'

let till: TestTill | null = null
afterEach(async () => {
  await till?.cleanup()
  till = null
})

const COLA = '5901234123013' // 0.99

describe('store settings', () => {
  it('a manager switches the store to tax-inclusive prices; new sales follow, the change is journaled', async () => {
    till = testTill()
    const bo = (name: string, input: unknown) => till!.app.registry.dispatch('backoffice', name, input)
    expect(await bo('settings:update-store', { pin: '1111', taxMode: 'inclusive' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await bo('settings:update-store', { pin: '1234', currency: 'XYZ' })).toMatchObject({ ok: false, error: { code: 'invalid-input', message: /XYZ is not an ISO 4217 currency/ } })
    till.app.sales.scan(COLA, 'wedge')
    expect(await bo('settings:update-store', { pin: '1234', taxMode: 'inclusive' })).toMatchObject({ ok: false, error: { code: 'conflict', message: /open sale/ } })
    till.app.sales.tenderCash(200)
    till.app.sales.complete()

    expect(await bo('settings:update-store', { pin: '1234', taxMode: 'inclusive', storeName: 'Kiosk am Markt' })).toMatchObject({
      ok: true,
      value: { currency: 'USD', taxMode: 'inclusive', storeName: 'Kiosk am Markt' }
    })
    const sale = till.app.sales.scan(COLA, 'wedge')
    expect(sale).toMatchObject({ currency: 'USD', taxMode: 'inclusive', totalMinor: 99, taxMinor: 8 }) // 0.99 incl. 8.25 % = 0.0754 -> 0.08
    const entry = till.app.db.prepare("SELECT payload FROM journal WHERE kind = 'settings.store-changed'").get() as { payload: string }
    expect(JSON.parse(entry.payload)).toMatchObject({ managerId: 'M1', taxMode: 'inclusive' })
  })

  it('refuses a currency change while the catalog holds prices, saying why and what to do, and changes nothing', async () => {
    till = testTill()
    const bo = (name: string, input: unknown) => till!.app.registry.dispatch('backoffice', name, input)
    const products = till.app.catalog.pricedProducts()
    expect(products).toBeGreaterThan(0)
    const refused = await bo('settings:update-store', { pin: '1234', currency: 'JPY', storeName: 'Renamed' })
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'conflict', key: 'store.currency-with-prices', detail: { currency: 'USD', target: 'JPY', products }, message: expect.stringMatching(/The currency stays USD.*Import a catalog priced in JPY first/) }
    })
    // 1.99 USD would have been read as 199 yen: nothing was saved, not even the other changes in the same request.
    expect(till.app.store.info()).toMatchObject({ currency: 'USD', storeName: 'Stabletill Demo Store' })
    expect(till.app.sales.scan(COLA, 'wedge')).toMatchObject({ currency: 'USD', lines: [{ unitPriceMinor: 99 }] })
    // The same currency given again is not a change.
    till.app.sales.voidSale('M1', '')
    expect(await bo('settings:update-store', { pin: '1234', currency: 'USD', storeName: 'Renamed' })).toMatchObject({ ok: true, value: { storeName: 'Renamed' } })
  })

  it('a manual rate entered by a manager prices a stablecoin request in a non-USD store', async () => {
    till = testTill({
      initialSettings: { currency: 'EUR' },
      payments: {
        startWatcher: false,
        settings: { rate: { kind: 'manual' }, receive: { kind: 'address', address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' }, chains: [{ chainId: 8453, rpcUrls: ['http://127.0.0.1:9/'], tokens: ['USDC'] }] }
      }
    })
    const app = till.app
    const sale = app.sales.scan(COLA, 'wedge') // 0.99 + 0.08 = 1.07 EUR
    const before = await app.registry.dispatch('cashier', 'payment:request', { chainId: 8453, token: 'USDC' })
    expect(before).toMatchObject({ ok: false, error: { message: /manager must enter one/ } })
    expect(await app.registry.dispatch('backoffice', 'rates:set-manual', { pin: '1234', currency: 'EUR', token: 'USDC', fiatPerToken: '0.92' })).toMatchObject({ ok: true, value: { fiatPerToken: '0.92', source: 'manual' } })
    const request = await app.registry.dispatch('cashier', 'payment:request', { chainId: 8453, token: 'USDC' })
    expect(request).toMatchObject({ ok: true, value: { fiat: { amountMinor: sale.totalMinor, currency: 'EUR', rate: '0.92', rateSource: 'manual' } } })
    // 1.07 EUR / 0.92 = 1.163043… USDC: the price part is floored to the cent grain, the tag adds less than a cent.
    const due = BigInt((request as { ok: true; value: { amountDue: string } }).value.amountDue)
    expect(due >= 1_160_000n && due < 1_170_000n).toBe(true)
    expect(app.db.prepare("SELECT count(*) AS n FROM journal WHERE kind = 'rate.manual-set'").get()).toEqual({ n: 1 })
  })
})
