// Finds the barcode scanners the manager selected in settings, opens them through a narrow HID backend, decodes their
// reports (HID POS or raw keyboard) and emits one `scan` per barcode. Hot-plug is handled by polling the device list:
// node-hid has no arrival/removal events, and a 1 s poll costs one enumeration. An unplugged device shows up as an
// 'error' on its handle (hidapi's read fails) and then as a missing entry in the list; either one closes it, and the
// next poll that finds it again reopens it.
//
// The hardware seam is HidBackend (STYLE.md §11: fakes only at the narrowest seam, the HID report stream). The real
// backend wraps node-hid and is loaded lazily, so a till without the native module still starts and says why.

import { HidKeyboardDecoder } from './hid-keyboard'
import type { HidKeyboardDecoderOptions } from './hid-keyboard'
import { HidPosDecoder } from './hid-pos'
import type { HidPosLayout } from './hid-pos'

/** What the backend reports about one HID interface (the fields node-hid's `devices()` returns). */
export interface HidDeviceInfo {
  readonly vendorId: number
  readonly productId: number
  readonly path?: string
  readonly serialNumber?: string
  readonly manufacturer?: string
  readonly product?: string
  readonly release?: number
  readonly interface?: number
  readonly usagePage?: number
  readonly usage?: number
}

/** An open HID interface: EventEmitter-shaped, as node-hid's HID object is. */
export interface HidHandle {
  on(event: 'data', listener: (data: Buffer) => void): unknown
  on(event: 'error', listener: (error: unknown) => void): unknown
  close(): void
}

export interface HidBackend {
  devices(): HidDeviceInfo[]
  open(path: string): HidHandle
}

export type ScannerMode = 'hid-pos' | 'keyboard'
export type ScanSource = 'hid-pos' | 'hid-keyboard'

export interface ScannerSelection {
  readonly vendorId: number
  readonly productId: number
  /** Tells two identical scanners apart when they report serial numbers. */
  readonly serialNumber?: string
  /** Pins the selection to one port (the OS path); needed for identical scanners without serial numbers. */
  readonly path?: string
  /** Default 'auto': usage page 0x8C (HID POS) is read as HID POS, usage page 1 usage 6 (keyboard) as keyboard. */
  readonly mode?: 'auto' | ScannerMode
  readonly hidPosLayout?: Partial<HidPosLayout>
  readonly keyboard?: HidKeyboardDecoderOptions
}

export interface ScanEvent {
  readonly code: string
  readonly aim?: string
  readonly source: ScanSource
  readonly deviceKey: string
  /** The decoder had to drop data (a bad length byte, an oversize scan); the code may be incomplete. */
  readonly clipped?: boolean
}

export interface ScannerStatusEvent {
  readonly deviceKey: string
  readonly state: 'connected' | 'disconnected'
  readonly mode?: ScannerMode
  readonly product?: string
  /** Why it is disconnected, when that is known (open refused, read error). */
  readonly error?: string
}

export interface ScannerCandidate extends HidDeviceInfo {
  readonly deviceKey: string
  /** How 'auto' would read it, or null when it is neither a HID POS scanner nor a keyboard. */
  readonly suggestedMode: ScannerMode | null
  readonly selected: boolean
  readonly connected: boolean
}

export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

export interface ScannerManagerOptions {
  readonly backend: HidBackend
  readonly selections?: readonly ScannerSelection[]
  /** Hot-plug poll period, default 1000 ms. */
  readonly pollIntervalMs?: number
  readonly timers?: IntervalTimers
  /** Milliseconds clock for the decoders' stale-partial checks; default Date.now. */
  readonly now?: () => number
  /** Where listener exceptions and backend surprises go; default console.error. Never rethrown into node-hid. */
  readonly onInternalError?: (error: unknown) => void
}

interface ScannerEvents {
  scan: ScanEvent
  status: ScannerStatusEvent
}

type Listener<T> = (event: T) => void

interface Connection {
  readonly selection: ScannerSelection
  readonly deviceKey: string
  handle: HidHandle | undefined
  device: HidDeviceInfo | undefined
  mode: ScannerMode | undefined
  lastStatus: ScannerStatusEvent | undefined
  /** Bumped on every open/close so callbacks from an old handle are ignored. */
  generation: number
  /**
   * Polls to wait before reopening after a read error while the device is still listed. The error usually means
   * an unplug that enumeration has not caught up with; reopening at once would fail or read a dying device.
   */
  reopenAfterPolls: number
}

const POLLS_BEFORE_REOPEN_AFTER_ERROR = 2

export const HID_POS_USAGE_PAGE = 0x8c
const GENERIC_DESKTOP_USAGE_PAGE = 0x01
const KEYBOARD_USAGE = 0x06

/** The mode 'auto' picks for an interface, from its top-level usage (HID Usage Tables §4 and the POS tables §3). */
export function suggestedMode(device: HidDeviceInfo): ScannerMode | null {
  if (device.usagePage === HID_POS_USAGE_PAGE) return 'hid-pos'
  if (device.usagePage === GENERIC_DESKTOP_USAGE_PAGE && device.usage === KEYBOARD_USAGE) return 'keyboard'
  return null
}

const hex4 = (value: number): string => (value >>> 0).toString(16).padStart(4, '0')

/** 'vvvv:pppp' in lower-case hex, then ':serial' or '@path' when the selection pins one. */
export function deviceKeyOf(selection: Pick<ScannerSelection, 'vendorId' | 'productId' | 'serialNumber' | 'path'>): string {
  let key = `${hex4(selection.vendorId)}:${hex4(selection.productId)}`
  if (selection.serialNumber) key += `:${selection.serialNumber}`
  if (selection.path) key += `@${selection.path}`
  return key
}

function matchesSelection(device: HidDeviceInfo, selection: ScannerSelection): boolean {
  if (device.vendorId !== selection.vendorId || device.productId !== selection.productId) return false
  if (selection.serialNumber && device.serialNumber !== selection.serialNumber) return false
  if (selection.path && device.path !== selection.path) return false
  return typeof device.path === 'string' && device.path.length > 0
}

/**
 * Picks the interface of a selected scanner to read and how. A scanner can expose several interfaces (HID POS plus a
 * keyboard for its configuration, for instance); an explicit mode takes the interface with that usage when usages
 * are reported, and 'auto' prefers HID POS, which needs no keyboard layout and carries the symbology identifier.
 */
function chooseInterface(devices: readonly HidDeviceInfo[], selection: ScannerSelection): { device: HidDeviceInfo; mode: ScannerMode } | undefined {
  const candidates = devices.filter((device) => matchesSelection(device, selection))
  const wanted = selection.mode ?? 'auto'
  if (wanted !== 'auto') {
    const exact = candidates.find((device) => suggestedMode(device) === wanted)
    // Without usage information (some platforms) trust the configured mode on the first matching interface.
    const fallback = candidates.find((device) => device.usagePage === undefined)
    const device = exact ?? fallback
    return device ? { device, mode: wanted } : undefined
  }
  for (const mode of ['hid-pos', 'keyboard'] as const) {
    const device = candidates.find((candidate) => suggestedMode(candidate) === mode)
    if (device) return { device, mode }
  }
  return undefined
}

export class ScannerManager {
  private readonly backend: HidBackend
  private readonly pollIntervalMs: number
  private readonly timers: IntervalTimers
  private readonly now: () => number
  private readonly onInternalError: (error: unknown) => void
  private readonly listeners: { [K in keyof ScannerEvents]: Set<Listener<ScannerEvents[K]>> } = { scan: new Set(), status: new Set() }
  private connections: Connection[] = []
  private timer: unknown
  private running = false

  constructor(options: ScannerManagerOptions) {
    this.backend = options.backend
    this.pollIntervalMs = options.pollIntervalMs ?? 1000
    this.timers = options.timers ?? {
      setInterval: (callback, ms) => setInterval(callback, ms),
      clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>)
    }
    this.now = options.now ?? (() => Date.now())
    this.onInternalError = options.onInternalError ?? ((error) => console.error('[scanner]', error))
    this.setSelections(options.selections ?? [])
  }

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof ScannerEvents>(event: K, listener: Listener<ScannerEvents[K]>): () => void {
    this.listeners[event].add(listener)
    return () => this.off(event, listener)
  }

  off<K extends keyof ScannerEvents>(event: K, listener: Listener<ScannerEvents[K]>): void {
    this.listeners[event].delete(listener)
  }

  get isRunning(): boolean {
    return this.running
  }

  /** Replaces the selected scanners (from settings). Devices no longer selected are closed; new ones open at once. */
  setSelections(selections: readonly ScannerSelection[]): void {
    const next: Connection[] = []
    for (const selection of selections) {
      const deviceKey = deviceKeyOf(selection)
      if (next.some((connection) => connection.deviceKey === deviceKey)) continue
      const existing = this.connections.find((connection) => connection.deviceKey === deviceKey && sameSelection(connection.selection, selection))
      next.push(existing ?? { selection, deviceKey, handle: undefined, device: undefined, mode: undefined, lastStatus: undefined, generation: 0, reopenAfterPolls: 0 })
    }
    for (const connection of this.connections) {
      if (!next.includes(connection)) this.disconnect(connection, undefined, false)
    }
    this.connections = next
    if (this.running) this.poll()
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.poll()
    this.timer = this.timers.setInterval(() => this.poll(), this.pollIntervalMs)
  }

  /** Stops polling and closes every device; each connected one reports 'disconnected'. */
  stop(): void {
    if (!this.running) return
    this.running = false
    if (this.timer !== undefined) this.timers.clearInterval(this.timer)
    this.timer = undefined
    for (const connection of this.connections) this.disconnect(connection, undefined, true)
  }

  /** Every HID interface present now, for the settings screen, with how 'auto' would read it. */
  listDevices(): ScannerCandidate[] {
    return this.safeDevices().map((device) => {
      const connection = this.connections.find((candidate) => candidate.device?.path === device.path && candidate.handle !== undefined)
      const selected = this.connections.some((candidate) => matchesSelection(device, candidate.selection))
      return {
        ...device,
        deviceKey: deviceKeyOf({ vendorId: device.vendorId, productId: device.productId, serialNumber: device.serialNumber }),
        suggestedMode: suggestedMode(device),
        selected,
        connected: connection !== undefined
      }
    })
  }

  /** One hot-plug pass: close what vanished, open what (re)appeared. Public so tests and a "rescan" button can call it. */
  poll(): void {
    if (!this.running) return
    const devices = this.safeDevices()
    for (const connection of this.connections) {
      if (connection.handle !== undefined) {
        const stillThere = devices.some((device) => device.path === connection.device?.path && matchesSelection(device, connection.selection))
        if (!stillThere) this.disconnect(connection, 'The scanner was unplugged.', true)
        continue
      }
      const choice = chooseInterface(devices, connection.selection)
      if (choice && connection.reopenAfterPolls > 0) {
        connection.reopenAfterPolls--
        continue
      }
      connection.reopenAfterPolls = 0
      if (choice) this.open(connection, choice.device, choice.mode)
      else this.setStatus(connection, { deviceKey: connection.deviceKey, state: 'disconnected' })
    }
  }

  private safeDevices(): HidDeviceInfo[] {
    try {
      const devices = this.backend.devices()
      return Array.isArray(devices) ? devices : []
    } catch (error) {
      this.onInternalError(error)
      return []
    }
  }

  private open(connection: Connection, device: HidDeviceInfo, mode: ScannerMode): void {
    const path = device.path as string
    let handle: HidHandle
    try {
      handle = this.backend.open(path)
    } catch (error) {
      // Typical causes: no permission on the hidraw node (udev rule), or the OS owns keyboards (Windows, macOS).
      this.setStatus(connection, { deviceKey: connection.deviceKey, state: 'disconnected', mode, error: `Could not open the scanner: ${messageOf(error)}` })
      return
    }
    connection.generation++
    const generation = connection.generation
    connection.handle = handle
    connection.device = device
    connection.mode = mode
    const decode = this.decoderFor(connection.selection, mode)
    handle.on('data', (data: Buffer) => {
      if (connection.generation !== generation) return
      for (const scan of decode(data)) this.emit('scan', { ...scan, deviceKey: connection.deviceKey })
    })
    handle.on('error', (error: unknown) => {
      if (connection.generation !== generation) return
      connection.reopenAfterPolls = POLLS_BEFORE_REOPEN_AFTER_ERROR
      this.disconnect(connection, `The scanner stopped responding: ${messageOf(error)}`, true)
    })
    const status: ScannerStatusEvent = { deviceKey: connection.deviceKey, state: 'connected', mode }
    this.setStatus(connection, device.product ? { ...status, product: device.product } : status)
  }

  private decoderFor(selection: ScannerSelection, mode: ScannerMode): (data: Buffer) => Array<Omit<ScanEvent, 'deviceKey'>> {
    if (mode === 'hid-pos') {
      const decoder = new HidPosDecoder(selection.hidPosLayout ? { layout: selection.hidPosLayout } : {})
      return (data) =>
        decoder.push(data, this.now()).map((scan) => ({ ...scan, source: 'hid-pos' as const }))
    }
    const decoder = new HidKeyboardDecoder(selection.keyboard ?? {})
    return (data) => decoder.push(data, this.now()).map((scan) => ({ ...scan, source: 'hid-keyboard' as const }))
  }

  private disconnect(connection: Connection, error: string | undefined, announce: boolean): void {
    const handle = connection.handle
    connection.generation++
    connection.handle = undefined
    if (handle !== undefined) {
      try {
        handle.close()
      } catch {
        // Closing a handle whose device is already gone can fail; there is nothing left to release.
      }
    }
    if (!announce) return
    const status: ScannerStatusEvent = { deviceKey: connection.deviceKey, state: 'disconnected' }
    this.setStatus(connection, error ? { ...status, error } : status)
  }

  /**
   * Emits a status only when it changes, so a scanner that stays absent (or keeps refusing to open with the same
   * error) does not report on every poll. A plain "still absent" never replaces a more specific error.
   */
  private setStatus(connection: Connection, status: ScannerStatusEvent): void {
    const previous = connection.lastStatus
    if (previous !== undefined && previous.state === status.state) {
      if (status.state === 'connected' && previous.mode === status.mode) return
      if (status.state === 'disconnected' && (status.error === undefined || status.error === previous.error)) return
    }
    connection.lastStatus = status
    this.emit('status', status)
  }

  private emit<K extends keyof ScannerEvents>(event: K, payload: ScannerEvents[K]): void {
    for (const listener of [...this.listeners[event]]) {
      try {
        listener(payload)
      } catch (error) {
        // A throwing listener must not escape into node-hid's read callback and take down the main process.
        this.onInternalError(error)
      }
    }
  }
}

function sameSelection(a: ScannerSelection, b: ScannerSelection): boolean {
  return (
    a.mode === b.mode &&
    JSON.stringify(a.hidPosLayout ?? null) === JSON.stringify(b.hidPosLayout ?? null) &&
    JSON.stringify(a.keyboard ?? null) === JSON.stringify(b.keyboard ?? null)
  )
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  return typeof error === 'string' ? error : 'unknown error'
}

// ---------------------------------------------------------------------------------------------------------------
// The real backend

/** Thrown by loadNodeHidBackend when the native module is missing or was built for another Node/Electron ABI. */
export class ScannerBackendUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      `USB scanners are unavailable: the node-hid native module could not be loaded (${messageOf(cause)}). ` +
        'Reinstall, or run "npm run rebuild:electron" so it matches this Electron version.',
      { cause }
    )
    this.name = 'ScannerBackendUnavailableError'
  }
}

interface NodeHidModule {
  devices(): HidDeviceInfo[]
  HID: new (path: string) => HidHandle
}

/**
 * Loads node-hid on first use (a dynamic import, so a missing or mismatched native build fails here with a clear
 * error instead of at application start) and adapts it to HidBackend.
 */
export async function loadNodeHidBackend(): Promise<HidBackend> {
  let hid: NodeHidModule
  try {
    const loaded = (await import('node-hid')) as unknown as NodeHidModule & { default?: NodeHidModule }
    hid = typeof loaded.devices === 'function' ? loaded : (loaded.default as NodeHidModule)
    if (typeof hid?.devices !== 'function' || typeof hid.HID !== 'function') throw new Error('unexpected module shape')
  } catch (error) {
    throw new ScannerBackendUnavailableError(error)
  }
  return {
    devices: () => hid.devices(),
    open: (path: string) => new hid.HID(path)
  }
}
