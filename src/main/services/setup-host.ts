// What the windows talk to before a new till has a store (issue [S] point 1): a small api that answers the set-up's
// calls, then hands over to the real till once the owner chose "Try the demo store" or pressed "Finish set-up".
//
// Why a host in front of the app and not an app with an empty store: every service reads the store's settings when
// it is built (till id, currency, tax mode, the payment watcher's chains), so a till without a store would need a
// "not yet" in each. Instead the ledger stays untouched until the set-up is complete; then the store is written in
// one transaction (setup.ts) and the till is built on it exactly as at any later start. The hosts (harness,
// Electron) forward calls and events through this object, so a page open during the set-up keeps its connection.
import Database from 'better-sqlite3'
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { CALLS, type CallName, type WindowRole } from '../../shared/api/channels'
import type { StoreInfo } from '../../shared/api/views'
import { systemClock, type Clock } from '../../shared/clock'
import type { TokenInfo } from '../../shared/payment/tokens'
import { refuse } from '../../shared/result'
import { createRegistry, type Handlers, type Registry } from '../api/registry'
import type { App } from '../app'
import { EventBus } from '../events'
import { openLedger } from '../ledger/db'
import { claimDataFolder, DEFAULT_LEDGER_FILE, STORE_MARKER_FILE } from '../ledger/lock'
import { checkReceiveAddress, firstXpubAddress, testRpcConnection } from './payment-settings'
import { checkOneStep, checkPrinter, checkSetup, createStore, testPrint, testSetupChains } from './setup'

/**
 * Whether a data folder waits for its set-up: no ledger yet (or one without a store: a set-up that never finished
 * leaves migrations only). A folder that has held a store (its marker) is never set up again: a lost ledger is
 * refused by the data-folder lock, not replaced by a new store.
 */
export function needsSetup(dataDir: string, ledgerFile = DEFAULT_LEDGER_FILE): boolean {
  const file = join(dataDir, ledgerFile)
  if (existsSync(join(dataDir, STORE_MARKER_FILE))) return storedStore(dataDir, ledgerFile) === null && (statSync(file, { throwIfNoEntry: false })?.size ?? 0) > 0
  if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) === 0) return true
  return storedStore(dataDir, ledgerFile) === null
}

/** The saved store's demo flag, read without migrating or locking the ledger; null when there is no store. */
export function storedStore(dataDir: string, ledgerFile = DEFAULT_LEDGER_FILE): { readonly demo: boolean } | null {
  const file = join(dataDir, ledgerFile)
  if (!existsSync(file)) return null
  let db: Database.Database | null = null
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    const row = db.prepare("SELECT json_extract(value, '$.demo') AS demo FROM settings WHERE key = 'store'").get() as { demo: number | null } | undefined
    return row ? { demo: row.demo === 1 } : null
  } catch {
    // No settings table yet (an empty file): no store.
    return null
  } finally {
    db?.close()
  }
}

export interface TillHost {
  readonly events: EventBus
  readonly registry: Registry
  /** The running till, or null while the set-up is open. */
  app(): App | null
  /** Resolves with the till once it runs (at once for a folder that has its store). */
  readonly started: Promise<App>
  close(): Promise<void>
}

/** A host for a till that already runs: calls and events straight through. */
export function hostFor(app: App): TillHost {
  return { events: app.events, registry: app.registry, app: () => app, started: Promise.resolve(app), close: () => app.close() }
}

export interface SetupHostOptions {
  readonly dataDir: string
  readonly clock?: Clock
  /** Runtime-deployed tokens (tests, a local chain) standing in for the pinned registry when RPC URLs are tested. */
  readonly localTokens?: readonly TokenInfo[]
  /** "Try the demo store" is offered: the host can start the demo chain and catalog. */
  readonly demoAvailable: boolean
  /**
   * Builds the till once its store exists. 'demo': the owner chose the demo (createApp makes the demo store on the
   * embedded defaults); 'store': the set-up has written the shop's own store into the ledger.
   */
  start(kind: 'demo' | 'store'): Promise<App>
}

const PROVISIONAL: StoreInfo = {
  storeName: 'Stabletill',
  currency: 'USD',
  locale: 'en',
  taxMode: 'exclusive',
  taxRounding: 'per-rate-total',
  tillId: 'T1',
  cashier: '',
  demo: false,
  wedge: { maxGapMs: 30, minLength: 6, slowGapMs: 100 }
}

/** The set-up host: answers the set-up, refuses the rest with 'setup.pending', then forwards to the till. */
export function startSetupHost(options: SetupHostOptions): TillHost {
  const clock = options.clock ?? systemClock
  const events = new EventBus()
  let running: App | null = null
  let unsubscribe: (() => void) | null = null
  let busy = false
  let info: StoreInfo = PROVISIONAL
  let resolveStarted: (app: App) => void = () => undefined
  const started = new Promise<App>((done) => (resolveStarted = done))

  async function handOver(kind: 'demo' | 'store'): Promise<App> {
    const app = await options.start(kind)
    running = app
    unsubscribe = app.events.subscribe((event, payload) => events.emit(event, payload))
    // Every page open during the set-up learns the store it now belongs to (its name, currency, language).
    events.emit('store:changed', app.store.info())
    resolveStarted(app)
    return app
  }

  async function once<T>(fn: () => Promise<T>): Promise<T> {
    if (running) throw refuse('conflict', 'setup.done')
    if (busy) throw refuse('conflict', 'setup.busy')
    busy = true
    try {
      return await fn()
    } finally {
      busy = false
    }
  }

  const pending = (): never => {
    throw refuse('unavailable', 'setup.pending')
  }
  const setupCalls: Partial<Handlers> = {
    'store:info': () => info,
    'setup:status': () => ({ pending: true, demoAvailable: options.demoAvailable }),
    // The set-up page's language switch: only the page's words until the store is saved with its locale.
    'settings:set-locale': ({ locale }) => {
      info = { ...info, locale }
      events.emit('store:changed', info)
      return info
    },
    'setup:check': (input) => {
      const { store: checked, ...view } = checkOneStep(input)
      // The page shows amounts in the store's currency from the store step on.
      if (checked) info = { ...info, storeName: checked.settings.storeName, currency: checked.settings.currency, taxMode: checked.settings.taxMode, taxRounding: checked.settings.taxRounding, tillId: checked.settings.tillId }
      return view
    },
    'settings:check-receive': ({ address, xpub, tillNumber }) => {
      if (address) return { address: checkReceiveAddress(address) }
      if (xpub) return { address: firstXpubAddress(xpub, tillNumber) }
      throw refuse('invalid-input', 'payset.bad-address', { address: '' })
    },
    'settings:test-rpc': ({ chainId, url, tokens }) => testRpcConnection(chainId, url, { tokens, localTokens: options.localTokens, now: clock.now() }),
    'printer:test': ({ printer }) => testPrint(checkPrinter(printer), { storeName: info.storeName, dataDir: options.dataDir, now: clock.now() }),
    'setup:demo': () =>
      once(async () => {
        if (!options.demoAvailable) throw refuse('unavailable', 'setup.demo-unavailable')
        const app = await handOver('demo')
        return { storeName: app.store.settings().storeName }
      }),
    'setup:finish': (input) =>
      once(async () => {
        const checked = checkSetup(input)
        // Live tests first, outside any transaction; the store is written only once every URL answered well.
        const tested = await testSetupChains(checked, clock.now(), options.localTokens)
        const folder = claimDataFolder(options.dataDir, DEFAULT_LEDGER_FILE)
        try {
          const db = folder.open(() => openLedger(join(options.dataDir, DEFAULT_LEDGER_FILE)))
          try {
            createStore(db, clock, checked)
          } finally {
            db.close()
          }
        } finally {
          folder.release()
        }
        const app = await handOver('store')
        return { storeName: app.store.settings().storeName, tested }
      })
  }
  // Every other call waits for the store; the registry refuses a map that misses one, so each gets the refusal.
  const handlers = Object.fromEntries((Object.keys(CALLS) as CallName[]).map((name) => [name, setupCalls[name] ?? pending])) as unknown as Handlers
  const setupRegistry = createRegistry(handlers)
  const registry: Registry = {
    dispatch: (window: WindowRole, name: unknown, payload: unknown) => (running ? running.registry.dispatch(window, name, payload) : setupRegistry.dispatch(window, name, payload))
  }
  return {
    events,
    registry,
    app: () => running,
    started,
    async close() {
      unsubscribe?.()
      await running?.close()
    }
  }
}
