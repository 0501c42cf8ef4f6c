// The first-run set-up of a real shop (issue [S] point 1): each step checked with a specific message, the whole
// store written in one transaction when the owner presses "Finish set-up", and the test print. The same checks
// serve the back office when a step is revisited (setup-handlers.ts), so a rule is written once.
//
// Order of "Finish set-up": every step is checked again (the page may have skipped one), every RPC URL is tested
// live (awaited, before the ledger is touched), then the ledger is opened and the store, its tax rates, staff,
// payment, printer and card-fee settings are written and journaled in ONE synchronous transaction: a refused or
// interrupted finish leaves no half-made store behind.
import { z } from 'zod'
import type { PrinterTestView, SetupCheckView } from '../../shared/api/views'
import type { Clock } from '../../shared/clock'
import { isKnownCurrency } from '../../shared/money'
import { MIN_PIN_DIGITS } from '../../shared/permissions'
import { defaultConfirmations, paymentSettingsSchema, type PaymentSettings, type PaymentSettingsInput } from '../../shared/payment/settings'
import { chainInfo, type TokenInfo } from '../../shared/payment/tokens'
import { refuse } from '../../shared/result'
import { percentToPpm, type SetupChain, type SetupCheck, type SetupDevicesStep, type SetupFinish, type SetupPaymentsStep, type SetupPrinter, type SetupStaffStep, type SetupStoreStep } from '../../shared/setup'
import { statusProblem } from '../devices/printer/commands'
import { resolveProfile } from '../devices/printer/profiles'
import { encodeReceipt, escapeText } from '../devices/printer/receipt'
import { DeviceFileTransport, TcpTransport, UsbTransport, VirtualPrinterTransport, type PrinterTransport } from '../devices/printer/transports'
import type { Db } from '../ledger/db'
import { appendJournal } from '../ledger/journal'
import { journalState } from '../ledger/money-state'
import { writeSetting } from '../ledger/settings'
import { StaffService, type NewStaff } from './approvals'
import { CatalogService } from './catalog'
import { checkReceiveAddress, firstXpubAddress, testRpcConnection, type RpcTestResult } from './payment-settings'
import { printerSettingsSchema, type PrinterSettings } from './receipts'
import { StoreService, storeSettingsSchema, type StoreSettings } from './store'

/** The card fee the Z report compares with when the store gives none (reports/from-ledger.ts reads 'card-fee'). */
export const DEFAULT_CARD_FEE_PPM = 29_000
export const cardFeeSettingSchema = z.object({ ppm: z.number().int().min(0).max(1_000_000) }).strict()

export interface TaxRate {
  readonly id: string
  readonly name: string
  readonly ratePpm: number
}

/**
 * A tax rate's id as the catalog CSV's tax_rate column names it: the name in lower-case ASCII ("Standard" ->
 * "standard"); a name with no ASCII letters (标准) gets its position ("rate-1").
 */
export function taxRateId(name: string, position: number): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
  return slug || `rate-${position}`
}

export function checkTaxRates(rates: readonly { readonly name: string; readonly percent: string }[]): TaxRate[] {
  if (rates.length === 0) throw refuse('invalid-input', 'setup.tax-rate-none')
  const out: TaxRate[] = []
  rates.forEach((rate, index) => {
    const name = rate.name.trim()
    if (!name) throw refuse('invalid-input', 'setup.tax-rate-name', { position: index + 1 })
    const ratePpm = percentToPpm(rate.percent)
    if (ratePpm === null) throw refuse('invalid-input', 'setup.tax-rate-value', { name, percent: rate.percent.slice(0, 12) })
    const id = taxRateId(name, index + 1)
    if (out.some((r) => r.id === id || r.name.toLowerCase() === name.toLowerCase())) throw refuse('invalid-input', 'setup.tax-rate-duplicate', { name })
    out.push({ id, name, ratePpm })
  })
  return out
}

export interface CheckedStore {
  readonly settings: StoreSettings
  readonly taxRates: readonly TaxRate[]
}

export function checkStoreStep(step: SetupStoreStep): CheckedStore {
  const storeName = step.storeName.trim()
  if (!storeName) throw refuse('invalid-input', 'setup.store-name')
  const currency = step.currency.trim().toUpperCase()
  if (!/^[A-Z]{3}$/.test(currency) || !isKnownCurrency(currency)) throw refuse('invalid-input', 'store.unknown-currency', { currency: currency || '—' })
  const tillId = step.tillId.trim().toUpperCase()
  if (!/^[A-Z0-9-]{1,12}$/.test(tillId)) throw refuse('invalid-input', 'setup.till-id', { tillId: step.tillId.slice(0, 12) })
  const taxRates = checkTaxRates(step.taxRates)
  const trimLines = (lines: readonly string[]) => lines.map((l) => l.trim()).filter((l) => l !== '')
  const settings = storeSettingsSchema.parse({
    storeName,
    currency,
    locale: step.locale,
    taxMode: step.taxMode,
    taxRounding: step.taxRounding,
    tillId,
    tillName: step.tillName.trim(),
    // The name the receipt and the journal show at the till until someone signs in (staff sign-in names each sale).
    cashier: step.tillName.trim() || tillId,
    demo: false,
    wedge: { maxGapMs: 30, minLength: 6, slowGapMs: 100 },
    addressLines: trimLines(step.addressLines),
    taxId: step.taxId.trim(),
    receipt: { headerLines: trimLines(step.headerLines), footerLines: trimLines(step.footerLines) }
  } satisfies z.input<typeof storeSettingsSchema>)
  return { settings, taxRates }
}

export interface CheckedPayments {
  /** Null: a cash-only shop. */
  readonly settings: PaymentSettings | null
  readonly cardFeePpm: number
  /** The address requests go to (the xpub's first one), for the owner to compare with the wallet. */
  readonly firstAddress: string | null
}

export function checkCardFee(percent: string): number {
  const ppm = percentToPpm(percent)
  if (ppm === null) throw refuse('invalid-input', 'setup.card-fee', { percent: percent.slice(0, 12) })
  return ppm
}

export function checkPaymentsStep(step: SetupPaymentsStep, currency: string): CheckedPayments {
  const cardFeePpm = checkCardFee(step.cardFeePercent)
  if (!step.enabled) return { settings: null, cardFeePpm, firstAddress: null }
  let receive: PaymentSettingsInput['receive']
  let firstAddress: string
  if (step.receiveKind === 'xpub') {
    firstAddress = firstXpubAddress(step.receive, step.tillNumber)
    receive = { kind: 'xpub', xpub: step.receive.trim() }
  } else {
    firstAddress = checkReceiveAddress(step.receive)
    receive = { kind: 'address', address: firstAddress }
  }
  const chains = checkChains(step.chains)
  let rate: PaymentSettingsInput['rate']
  if (step.rate.kind === 'peg') {
    // 1 token = 1 USD holds for USD stablecoins in a USD store only; elsewhere the peg would price in dollars.
    if (currency !== 'USD') throw refuse('invalid-input', 'setup.peg-needs-usd', { currency })
    rate = { kind: 'peg' }
  } else if (step.rate.kind === 'manual') {
    rate = { kind: 'manual' }
  } else {
    const { url: rateUrl, jsonPath, maxAgeSec } = step.rate
    if (!/^https?:\/\/\S+$/i.test(rateUrl)) throw refuse('invalid-input', 'setup.rate-url', { url: rateUrl.slice(0, 80) })
    if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(jsonPath)) throw refuse('invalid-input', 'setup.rate-path', { path: jsonPath.slice(0, 40) })
    const age = /^\d{1,5}$/.test(maxAgeSec) ? Number(maxAgeSec) : 0
    if (age < 10 || age > 86_400) throw refuse('invalid-input', 'setup.rate-max-age', { typed: maxAgeSec.slice(0, 6) })
    rate = { kind: 'http', url: rateUrl, jsonPath, maxAgeSec: age }
  }
  const parsed = paymentSettingsSchema.safeParse({
    tillNumber: step.tillNumber,
    receive,
    chains,
    rate
  } satisfies PaymentSettingsInput)
  if (!parsed.success) throw refuse('invalid-input', 'payset.invalid', { reason: parsed.error.issues[0]?.message ?? 'invalid' })
  return { settings: parsed.data, cardFeePpm, firstAddress }
}

/**
 * The chain rows of the payments step (the back office's form sends the same rows): each chain of the pinned
 * registry once, at least one token and one well-formed URL each, no URL twice on a chain, confirmations a whole
 * number of blocks or empty for the documented default. The URLs keep their order: the first is the primary, the
 * watcher's pool fails over to the next ones (chain/rpc.ts).
 */
export function checkChains(rows: readonly SetupChain[]): NonNullable<PaymentSettingsInput['chains']> {
  if (rows.length === 0) throw refuse('invalid-input', 'setup.no-chain')
  const seen = new Set<number>()
  return rows.map((row) => {
    const info = chainInfo(row.chainId)
    if (!info) throw refuse('invalid-input', 'payset.unknown-chain', { chainId: row.chainId })
    if (seen.has(row.chainId)) throw refuse('invalid-input', 'setup.chain-twice', { chain: info.name })
    seen.add(row.chainId)
    if (row.tokens.length === 0) throw refuse('invalid-input', 'setup.chain-no-token', { chain: info.name })
    const urls = row.rpcUrls.map((u) => u.trim())
    if (urls.length === 0 || urls.every((u) => u === '')) throw refuse('invalid-input', 'setup.chain-no-url', { chain: info.name })
    urls.forEach((url, index) => {
      if (!/^(https?|wss?):\/\/\S+$/i.test(url)) throw refuse('invalid-input', 'setup.chain-bad-url', { chain: info.name, position: index + 1, url: url.slice(0, 80) })
      const first = urls.indexOf(url)
      if (first !== index) throw refuse('invalid-input', 'setup.url-twice', { chain: info.name, position: index + 1, first: first + 1 })
    })
    let confirmations: { kind: 'blocks'; count: number } | undefined
    const typed = row.confirmations.trim()
    if (typed !== '') {
      const count = /^\d{1,5}$/.test(typed) ? Number(typed) : 0
      if (count < 1 || count > 10_000) throw refuse('invalid-input', 'setup.confirmations', { typed: typed.slice(0, 6), count: describePolicy(row.chainId) })
      confirmations = { kind: 'blocks', count }
    }
    return { chainId: row.chainId, rpcUrls: urls, tokens: [...new Set(row.tokens)], ...(confirmations ? { confirmations } : {}) }
  })
}

/** The documented default for a chain, as the page shows it ("12" or "finalized"). */
export function describePolicy(chainId: number): string {
  const policy = defaultConfirmations(chainId)
  return policy.kind === 'blocks' ? String(policy.count) : 'finalized'
}

export interface CheckedDevices {
  readonly printer: PrinterSettings
  readonly customerDisplay: SetupDevicesStep['customerDisplay']
}

export function checkPrinter(printer: SetupPrinter): PrinterSettings {
  let transport: PrinterSettings['transport']
  switch (printer.transport) {
    case 'tcp': {
      const host = printer.host.trim()
      // A host name or an IPv4/IPv6 literal: letters, digits, dots, dashes, colons; no scheme, no path.
      if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host)) throw refuse('invalid-input', 'setup.printer-host', { host: host.slice(0, 60) })
      const port = /^\d{1,5}$/.test(printer.port.trim()) ? Number(printer.port.trim()) : 0
      if (port < 1 || port > 65_535) throw refuse('invalid-input', 'setup.printer-port', { port: printer.port.slice(0, 6) })
      transport = { kind: 'tcp', host, port }
      break
    }
    case 'device-file': {
      const path = printer.path.trim()
      if (!path || !(path.startsWith('/') || /^[A-Za-z]:\\|^\\\\/.test(path))) throw refuse('invalid-input', 'setup.printer-path', { path: path.slice(0, 60) })
      transport = { kind: 'device-file', path }
      break
    }
    case 'usb':
      transport = { kind: 'usb' }
      break
    case 'virtual':
      transport = { kind: 'virtual' }
      break
  }
  return printerSettingsSchema.parse({ name: 'receipt', profile: { profile: printer.profile }, transport, drawerOnCash: printer.drawerOnCash })
}

export function checkDevicesStep(step: SetupDevicesStep): CheckedDevices {
  return { printer: checkPrinter(step.printer), customerDisplay: step.customerDisplay }
}

/** Names, roles and PINs: one owner at least, each PIN long enough for its role and nobody else's. */
export function checkStaffStep(step: SetupStaffStep): NewStaff[] {
  const people = step.people.filter((p) => p.name.trim() !== '' || p.pin.trim() !== '')
  if (!people.some((p) => p.role === 'owner')) throw refuse('invalid-input', 'setup.no-owner')
  const pins = new Set<string>()
  return people.map((p) => {
    const name = p.name.trim()
    if (!name) throw refuse('invalid-input', 'staff.name-empty')
    const min = MIN_PIN_DIGITS[p.role]
    if (!new RegExp(`^\\d{${min},8}$`).test(p.pin)) throw refuse('invalid-input', 'staff.pin-length', { role: p.role, min })
    // A PIN alone says who signs in: two people with one PIN could not be told apart.
    if (pins.has(p.pin)) throw refuse('invalid-input', 'staff.pin-taken')
    pins.add(p.pin)
    return { name, role: p.role, pin: p.pin }
  })
}

export interface CheckedSetup {
  readonly store: CheckedStore
  readonly payments: CheckedPayments
  readonly devices: CheckedDevices
  readonly staff: readonly NewStaff[]
}

export function checkSetup(input: SetupFinish): CheckedSetup {
  const store = checkStoreStep(input.store)
  return { store, payments: checkPaymentsStep(input.payments, store.settings.currency), devices: checkDevicesStep(input.devices), staff: checkStaffStep(input.staff) }
}

/** Every RPC URL of the set-up tested live; a refusal names the URL and what was wrong (payment-settings.ts). */
export async function testSetupChains(checked: CheckedSetup, now: number, localTokens?: readonly TokenInfo[]): Promise<RpcTestResult[]> {
  const tested: RpcTestResult[] = []
  for (const chain of checked.payments.settings?.chains ?? []) {
    for (const url of chain.rpcUrls) tested.push(await testRpcConnection(chain.chainId, url, { tokens: chain.tokens, localTokens, now }))
  }
  return tested
}

/**
 * Writes the new store into an empty ledger: settings, tax rates, staff, payments, printer, card fee, each journaled
 * (writeSetting journals every settings digest; staff and the catalog journal their state). Synchronous: one
 * transaction, nothing awaited inside.
 */
export function createStore(db: Db, clock: Clock, checked: CheckedSetup): void {
  const store = new StoreService(db)
  if (store.isInitialized()) throw refuse('conflict', 'setup.done')
  // The customer display is chosen on the devices step but kept with the store (where the host reads it at start).
  const settings: StoreSettings = { ...checked.store.settings, customerDisplay: checked.devices.customerDisplay }
  const at = clock.now()
  db.transaction(() => {
    store.save(settings)
    const staff = new StaffService(db, clock, () => settings.tillId)
    const people = staff.createInitial(checked.staff, true)
    const owner = people.find((p) => p.role === 'owner')!
    new CatalogService(db).importCatalog({ taxRates: checked.store.taxRates.map((r) => ({ ...r })), products: [] })
    journalState(db, 'catalog', { at, tillId: settings.tillId, reason: 'store set up: tax rates' })
    writeSetting(db, 'printer', printerSettingsSchema, checked.devices.printer, at)
    writeSetting(db, 'card-fee', cardFeeSettingSchema, { ppm: checked.payments.cardFeePpm }, at)
    const payments = checked.payments.settings
    if (payments) {
      writeSetting(db, 'payments', paymentSettingsSchema, payments, at)
      appendJournal(db, {
        at,
        tillId: settings.tillId,
        kind: 'settings.payments-changed',
        payload: {
          staffId: owner.id,
          receive: checked.payments.firstAddress,
          chains: payments.chains.map((c) => `${c.chainId}:${c.tokens.join('+')}:${c.rpcUrls.length}`),
          rate: payments.rate.kind,
          tillNumber: payments.tillNumber
        }
      })
    }
    appendJournal(db, {
      at,
      tillId: settings.tillId,
      kind: 'store.created',
      payload: {
        storeName: settings.storeName,
        currency: settings.currency,
        setUpBy: owner.id,
        taxRates: checked.store.taxRates.map((r) => `${r.id}:${r.ratePpm}`),
        staff: people.map((p) => `${p.id}:${p.role}`),
        stablecoins: payments ? payments.chains.map((c) => c.chainId) : [],
        printer: checked.devices.printer.transport.kind,
        products: 0
      }
    })
  }).immediate()
}

function transportFor(printer: PrinterSettings, dataDir: string): PrinterTransport {
  const profile = resolveProfile(printer.profile)
  switch (printer.transport.kind) {
    case 'tcp':
      return new TcpTransport({ host: printer.transport.host, port: printer.transport.port, connectTimeoutMs: 3000, drawerOpenLevel: profile.drawerOpenLevel })
    case 'device-file':
      return new DeviceFileTransport({ path: printer.transport.path })
    case 'usb':
      return new UsbTransport({ vendorId: printer.transport.vendorId, productId: printer.transport.productId })
    case 'virtual':
      return new VirtualPrinterTransport({ folder: `${dataDir}/printer`, name: printer.name })
  }
}

/**
 * One test page on the printer as set (saved or not): the store's name, the profile and the link, then the
 * printer's status read back where the link is two-way (TCP, the virtual printer). Refusals say what failed.
 */
export async function testPrint(printer: PrinterSettings, context: { readonly storeName: string; readonly dataDir: string; readonly now: number }): Promise<PrinterTestView> {
  const profile = resolveProfile(printer.profile)
  const transport = transportFor(printer, context.dataDir)
  const when = new Date(context.now).toISOString().replace('T', ' ').slice(0, 16)
  const doc = [
    '{width:*}',
    `^^${escapeText(context.storeName)}`,
    'Stabletill test print',
    escapeText(profile.label),
    escapeText(transport.description),
    `${when} UTC`,
    '|ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 |'
  ].join('\n')
  const bytes = encodeReceipt(doc, profile)
  try {
    try {
      await transport.write(bytes)
    } catch (e) {
      throw refuse('unavailable', 'setup.test-print-failed', { printer: transport.description, reason: (e instanceof Error ? e.message : String(e)).slice(0, 160) })
    }
    let status: PrinterTestView['status'] = null
    let problem: string | null = null
    if (transport.readStatus) {
      try {
        const s = await transport.readStatus()
        status = { online: s.online, paperOut: s.paperOut, paperNearEnd: s.paperNearEnd, coverOpen: s.coverOpen, error: s.error, drawerOpen: s.drawerOpen }
        problem = statusProblem(s)
      } catch (e) {
        problem = (e instanceof Error ? e.message : String(e)).slice(0, 160)
      }
    }
    return { printer: transport.description, bytes: bytes.length, status, problem }
  } finally {
    await transport.close()
  }
}

/** The 'setup:check' call: the one step given, checked by the same rules "Finish set-up" applies. */
export function checkOneStep(input: SetupCheck): SetupCheckView & { readonly store?: CheckedStore } {
  if (input.store) {
    const store = checkStoreStep(input.store)
    return { step: 'store', firstAddress: null, taxRates: store.taxRates, people: 0, store }
  }
  if (input.payments) return { step: 'payments', firstAddress: checkPaymentsStep(input.payments, input.currency.toUpperCase()).firstAddress, taxRates: [], people: 0 }
  if (input.devices) {
    checkDevicesStep(input.devices)
    return { step: 'devices', firstAddress: null, taxRates: [], people: 0 }
  }
  return { step: 'staff', firstAddress: null, taxRates: [], people: checkStaffStep(input.staff ?? { people: [] }).length }
}
