// The set-up service on real parts: each rule's own message, the store written into a fresh ledger in one go (and
// the till then starting on it), a refused finish leaving no ledger behind, and the test print on a TCP printer.
import { afterEach, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HDNodeWallet } from 'ethers'
import { createApp, LEDGER_FILE } from '../../../src/main/app'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { claimDataFolder } from '../../../src/main/ledger/lock'
import { cardFeePpm } from '../../../src/main/reports/from-ledger'
import { checkPaymentsStep, checkPrinter, checkSetup, checkStaffStep, checkStoreStep, testPrint } from '../../../src/main/services/setup'
import { needsSetup, startSetupHost } from '../../../src/main/services/setup-host'
import { firstXpubAddress } from '../../../src/main/services/payment-settings'
import { ManualClock } from '../../../src/shared/clock'
import { TillError } from '../../../src/shared/result'
import type { SetupFinish } from '../../../src/shared/setup'
import { startTcpPrinter } from '../../fixtures/tcp-printer'

const ROOT = join(__dirname, '..', '..', '..')
const folders: string[] = []
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true })
})
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stabletill-setup-unit-'))
  folders.push(dir)
  return dir
}

/** The message id a refusal carries (what the page words in its language). */
function refusal(fn: () => unknown): { key: string | undefined; values: unknown } {
  try {
    fn()
  } catch (e) {
    if (e instanceof TillError) return { key: e.key, values: e.detail }
    throw e
  }
  throw new Error('not refused')
}

const STORE: SetupFinish['store'] = {
  storeName: 'Lotus Tea House',
  addressLines: ['8 Canal Road', ''],
  taxId: 'DE123456789',
  currency: 'eur',
  taxRates: [
    { name: 'Standard', percent: '19' },
    { name: 'Reduced', percent: '7,5' },
    { name: '免税', percent: '0' }
  ],
  taxMode: 'inclusive',
  taxRounding: 'per-rate-total',
  headerLines: ['8 Canal Road', ''],
  footerLines: ['Danke!'],
  tillId: 't1',
  tillName: 'Bar',
  locale: 'en'
}
const CASH_ONLY: SetupFinish['payments'] = { enabled: false, receiveKind: 'address', receive: '', tillNumber: 1, chains: [], rate: { kind: 'peg' }, cardFeePercent: '1.75' }
const DEVICES: SetupFinish['devices'] = { printer: { profile: 'epson-tm-80', transport: 'virtual', host: '', port: '9100', path: '', drawerOnCash: true }, customerDisplay: 'none' }
const STAFF: SetupFinish['staff'] = {
  people: [
    { name: 'Mei Lin', role: 'owner', pin: '20262026' },
    { name: 'Jonas', role: 'manager', pin: '481516' },
    { name: 'Ada', role: 'cashier', pin: '2342' },
    // A row left empty in the form is not a person.
    { name: '', role: 'cashier', pin: '' }
  ]
}

describe('set-up steps: each rule with its own message', () => {
  it('store: rates parsed exactly, the currency and till number normalised, bad input named', () => {
    const checked = checkStoreStep(STORE)
    expect(checked.taxRates).toEqual([
      { id: 'standard', name: 'Standard', ratePpm: 190_000 },
      { id: 'reduced', name: 'Reduced', ratePpm: 75_000 },
      { id: 'rate-3', name: '免税', ratePpm: 0 }
    ])
    expect(checked.settings).toMatchObject({ currency: 'EUR', tillId: 'T1', demo: false, addressLines: ['8 Canal Road'], receipt: { headerLines: ['8 Canal Road'], footerLines: ['Danke!'] } })
    expect(refusal(() => checkStoreStep({ ...STORE, storeName: ' ' })).key).toBe('setup.store-name')
    expect(refusal(() => checkStoreStep({ ...STORE, currency: 'EUX' })).key).toBe('store.unknown-currency')
    expect(refusal(() => checkStoreStep({ ...STORE, tillId: 'till 1' })).key).toBe('setup.till-id')
    expect(refusal(() => checkStoreStep({ ...STORE, taxRates: [] })).key).toBe('setup.tax-rate-none')
    expect(refusal(() => checkStoreStep({ ...STORE, taxRates: [{ name: 'Standard', percent: '19.00001' }] }))).toEqual({ key: 'setup.tax-rate-value', values: { name: 'Standard', percent: '19.00001' } })
    expect(refusal(() => checkStoreStep({ ...STORE, taxRates: [{ name: 'Standard', percent: '100.5' }] })).key).toBe('setup.tax-rate-value')
    expect(refusal(() => checkStoreStep({ ...STORE, taxRates: [{ name: 'A', percent: '1' }, { name: 'a', percent: '2' }] })).key).toBe('setup.tax-rate-duplicate')
  })

  it('payments: a peg only in a USD store, an xpub shows its first address, confirmations and rate source bounded', () => {
    const baseChain = { chainId: 8453, rpcUrls: ['https://rpc.example/base'], tokens: ['USDC' as const], confirmations: '' }
    const base: SetupFinish['payments'] = { ...CASH_ONLY, enabled: true, receive: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', chains: [baseChain] }
    expect(checkPaymentsStep(base, 'USD').settings?.chains[0]).toMatchObject({ chainId: 8453, rpcUrls: ['https://rpc.example/base'] })
    expect(refusal(() => checkPaymentsStep(base, 'EUR'))).toEqual({ key: 'setup.peg-needs-usd', values: { currency: 'EUR' } })
    expect(checkPaymentsStep({ ...base, rate: { kind: 'manual' } }, 'EUR').settings?.rate).toEqual({ kind: 'manual' })
    expect(refusal(() => checkPaymentsStep({ ...base, rate: { kind: 'http', url: 'https://rates.example/eur', jsonPath: 'rates.EUR', maxAgeSec: '5' } }, 'EUR')).key).toBe('setup.rate-max-age')
    expect(checkPaymentsStep({ ...base, rate: { kind: 'http', url: 'https://rates.example/eur', jsonPath: 'rates.EUR', maxAgeSec: '300' } }, 'EUR').settings?.rate).toEqual({ kind: 'http', url: 'https://rates.example/eur', jsonPath: 'rates.EUR', maxAgeSec: 300 })
    expect(refusal(() => checkPaymentsStep({ ...base, chains: [{ ...baseChain, confirmations: '0' }] }, 'USD'))).toEqual({ key: 'setup.confirmations', values: { typed: '0', count: '5' } })
    expect(checkPaymentsStep({ ...base, chains: [{ ...baseChain, confirmations: '9' }] }, 'USD').settings?.chains[0]?.confirmations).toEqual({ kind: 'blocks', count: 9 })
    expect(refusal(() => checkPaymentsStep({ ...base, receive: base.receive.toLowerCase() }, 'USD')).key).toBe('payset.no-checksum')
    expect(refusal(() => checkPaymentsStep({ ...base, chains: [{ ...baseChain, rpcUrls: ['https://rpc.example/base', 'rpc.example'] }] }, 'USD'))).toEqual({ key: 'setup.chain-bad-url', values: { chain: 'Base', position: 2, url: 'rpc.example' } })
    expect(refusal(() => checkPaymentsStep({ ...base, cardFeePercent: 'two' }, 'USD')).key).toBe('setup.card-fee')
    const xpub = HDNodeWallet.fromPhrase('test test test test test test test test test test test junk').neuter().extendedKey
    const viaXpub = checkPaymentsStep({ ...base, receiveKind: 'xpub', receive: xpub, tillNumber: 3 }, 'USD')
    expect(viaXpub.firstAddress).toBe(firstXpubAddress(xpub, 3))
    expect(viaXpub.settings?.receive).toEqual({ kind: 'xpub', xpub })
  })

  it('payments on several chains: each chain once, a token and a URL each, no URL twice, the primary first', () => {
    const base: SetupFinish['payments'] = { ...CASH_ONLY, enabled: true, receive: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' }
    const arbitrum = { chainId: 42161, rpcUrls: ['https://a.example/1', ' wss://a.example/2 '], tokens: ['USDT' as const], confirmations: '' }
    const baseChain = { chainId: 8453, rpcUrls: ['https://b.example'], tokens: ['USDC' as const], confirmations: '7' }
    expect(checkPaymentsStep({ ...base, chains: [baseChain, arbitrum] }, 'USD').settings?.chains).toMatchObject([
      { chainId: 8453, rpcUrls: ['https://b.example'], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 7 } },
      // Trimmed, in the order typed: the first is the primary the pool asks first.
      { chainId: 42161, rpcUrls: ['https://a.example/1', 'wss://a.example/2'], tokens: ['USDT'] }
    ])
    expect(checkPaymentsStep({ ...base, chains: [arbitrum] }, 'USD').settings?.chains[0]?.confirmations).toBeUndefined()
    expect(refusal(() => checkPaymentsStep({ ...base, chains: [] }, 'USD')).key).toBe('setup.no-chain')
    expect(refusal(() => checkPaymentsStep({ ...base, chains: [baseChain, arbitrum, baseChain] }, 'USD'))).toEqual({ key: 'setup.chain-twice', values: { chain: 'Base' } })
    expect(refusal(() => checkPaymentsStep({ ...base, chains: [{ ...arbitrum, tokens: [] }] }, 'USD'))).toEqual({ key: 'setup.chain-no-token', values: { chain: 'Arbitrum One' } })
    expect(refusal(() => checkPaymentsStep({ ...base, chains: [{ ...arbitrum, rpcUrls: [' '] }] }, 'USD'))).toEqual({ key: 'setup.chain-no-url', values: { chain: 'Arbitrum One' } })
    expect(refusal(() => checkPaymentsStep({ ...base, chains: [{ ...arbitrum, rpcUrls: ['https://a.example/1', 'https://a.example/1'] }] }, 'USD'))).toEqual({ key: 'setup.url-twice', values: { chain: 'Arbitrum One', position: 2, first: 1 } })
    expect(refusal(() => checkPaymentsStep({ ...base, chains: [{ ...arbitrum, chainId: 999 }] }, 'USD')).key).toBe('payset.unknown-chain')
  })

  it('devices and staff: a printer address without a scheme, an owner, PINs by role and one per person', () => {
    expect(checkPrinter({ ...DEVICES.printer, transport: 'tcp', host: '192.168.1.50', port: '9100' }).transport).toEqual({ kind: 'tcp', host: '192.168.1.50', port: 9100 })
    expect(refusal(() => checkPrinter({ ...DEVICES.printer, transport: 'tcp', host: 'http://printer', port: '9100' })).key).toBe('setup.printer-host')
    expect(refusal(() => checkPrinter({ ...DEVICES.printer, transport: 'tcp', host: 'printer', port: '70000' })).key).toBe('setup.printer-port')
    expect(refusal(() => checkPrinter({ ...DEVICES.printer, transport: 'device-file', path: 'lp0' })).key).toBe('setup.printer-path')
    expect(checkStaffStep(STAFF)).toHaveLength(3)
    expect(refusal(() => checkStaffStep({ people: [{ name: 'Ada', role: 'cashier', pin: '2342' }] })).key).toBe('setup.no-owner')
    expect(refusal(() => checkStaffStep({ people: [{ name: 'Mei', role: 'owner', pin: '1234' }] }))).toEqual({ key: 'staff.pin-length', values: { role: 'owner', min: 6 } })
    expect(refusal(() => checkStaffStep({ people: [{ name: 'Mei', role: 'owner', pin: '123456' }, { name: 'Jo', role: 'manager', pin: '123456' }] })).key).toBe('staff.pin-taken')
    expect(refusal(() => checkStaffStep({ people: [{ name: 'Mei', role: 'owner', pin: '123456' }, { name: ' ', role: 'cashier', pin: '2222' }] })).key).toBe('staff.name-empty')
  })
})

describe('finishing the set-up', () => {
  it('a refused finish writes nothing; a good one writes the store once, and the till starts on it', async () => {
    const dataDir = folder()
    const clock = new ManualClock(Date.UTC(2026, 11, 1, 9, 0, 0))
    const claim = claimDataFolder(dataDir)
    const host = startSetupHost({ dataDir, clock, demoAvailable: false, start: async () => createApp({ dataDir, clock, resourcesDir: join(ROOT, 'resources') }) })
    try {
      const unreachable = await host.registry.dispatch('backoffice', 'setup:finish', { store: STORE, payments: { ...CASH_ONLY, enabled: true, rate: { kind: 'manual' }, receive: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', chains: [{ chainId: 8453, rpcUrls: ['http://127.0.0.1:1'], tokens: ['USDC'], confirmations: '' }] }, devices: DEVICES, staff: STAFF })
      expect(unreachable).toMatchObject({ ok: false, error: { key: 'payset.unreachable' } })
      expect(existsSync(join(dataDir, LEDGER_FILE))).toBe(false)
      expect(needsSetup(dataDir)).toBe(true)
      expect(await host.registry.dispatch('backoffice', 'setup:demo', {})).toMatchObject({ ok: false, error: { key: 'setup.demo-unavailable' } })

      const done = await host.registry.dispatch('backoffice', 'setup:finish', { store: STORE, payments: CASH_ONLY, devices: DEVICES, staff: STAFF })
      expect(done).toEqual({ ok: true, value: { storeName: 'Lotus Tea House', tested: [] } })
      const app = host.app()!
      expect(app.store.settings()).toMatchObject({ storeName: 'Lotus Tea House', currency: 'EUR', taxMode: 'inclusive', demo: false, customerDisplay: 'none' })
      expect(app.catalog.isEmpty()).toBe(true)
      expect(app.payments).toBeNull()
      expect(cardFeePpm(app.db)).toBe(17_500)
      expect(verifyJournal(app.db)).toMatchObject({ ok: true })
      expect(app.integrity.current().ok).toBe(true)
      // The PINs typed in the set-up are the staff's: the manager's approves, the cashier's is not a manager's.
      expect(app.staff.approve('481516', 'drawer.no-sale', null).name).toBe('Jonas')
      expect(() => app.staff.approve('2342', 'drawer.no-sale', null)).toThrow(/may not do that/)
      // Once set up, the set-up is over: its calls say so, and the folder is not offered a set-up again.
      expect(await host.registry.dispatch('backoffice', 'setup:finish', { store: STORE, payments: CASH_ONLY, devices: DEVICES, staff: STAFF })).toMatchObject({ ok: false, error: { key: 'setup.done' } })
      expect(await host.registry.dispatch('backoffice', 'setup:status', {})).toEqual({ ok: true, value: { pending: false, demoAvailable: false } })
      expect(needsSetup(dataDir)).toBe(false)
      const created = app.db.prepare("SELECT payload FROM journal WHERE kind = 'store.created'").all() as { payload: string }[]
      expect(created).toHaveLength(1)
      expect(JSON.parse(created[0]!.payload)).toMatchObject({ taxRates: ['standard:190000', 'reduced:75000', 'rate-3:0'], staff: ['O1:owner', 'M1:manager', 'C1:cashier'], stablecoins: [] })
    } finally {
      await host.close()
      claim.release()
    }
    // A restart opens the store as saved; nothing asks for a set-up again.
    const again = createApp({ dataDir, clock, resourcesDir: join(ROOT, 'resources') })
    try {
      expect(again.store.settings().storeName).toBe('Lotus Tea House')
      expect(again.integrity.current().ok).toBe(true)
    } finally {
      await again.close()
    }
  })

  it('checkSetup refuses the whole finish on any step, naming that step\'s rule', () => {
    expect(refusal(() => checkSetup({ store: STORE, payments: CASH_ONLY, devices: DEVICES, staff: { people: [] } })).key).toBe('setup.no-owner')
  })
})

describe('the test print', () => {
  it('reaches a TCP printer, reads its status back, and says what is wrong; an unreachable one is named', async () => {
    const printer = await startTcpPrinter({ paperOut: true })
    try {
      const tested = await testPrint(checkPrinter({ ...DEVICES.printer, transport: 'tcp', host: '127.0.0.1', port: String(printer.port) }), { storeName: 'Lotus Tea House', dataDir: folder(), now: Date.UTC(2026, 11, 1) })
      expect(tested).toMatchObject({ printer: `tcp 127.0.0.1:${printer.port}`, status: { online: true, paperOut: true }, problem: 'The printer is out of paper: load a new roll.' })
      expect(tested.bytes).toBeGreaterThan(50)
      expect(printer.printed().toString('latin1')).toContain('Stabletill test print')
    } finally {
      await printer.close()
    }
    const closed = await startTcpPrinter()
    const port = closed.port
    await closed.close()
    await expect(testPrint(checkPrinter({ ...DEVICES.printer, transport: 'tcp', host: '127.0.0.1', port: String(port) }), { storeName: 'x', dataDir: folder(), now: 0 })).rejects.toMatchObject({ key: 'setup.test-print-failed' })
  })
})
