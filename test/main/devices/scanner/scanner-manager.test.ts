import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeHidBackend } from '../../../../src/main/devices/scanner/fake-hid-backend'
import { ScannerManager, deviceKeyOf, loadNodeHidBackend, suggestedMode } from '../../../../src/main/devices/scanner/scanner-manager'
import type { HidDeviceInfo, ScanEvent, ScannerSelection, ScannerStatusEvent } from '../../../../src/main/devices/scanner/scanner-manager'
import { ean13SingleReport, fromHex, gs1128Text, gs1128TwoReports } from '../../../fixtures/hid/hid-pos-reports'
import { ean13WithEnter } from '../../../fixtures/hid/keyboard-reports'

const hidPosScanner: HidDeviceInfo = {
  vendorId: 0x0c2e,
  productId: 0x0b87,
  path: '/dev/hidraw3',
  serialNumber: '21100B0123',
  product: 'Honeywell 1950g (HID POS)',
  usagePage: 0x8c,
  usage: 0x02
}
const keyboardScanner: HidDeviceInfo = { vendorId: 0x05e0, productId: 0x1200, path: '/dev/hidraw4', product: 'Zebra DS2208', usagePage: 0x01, usage: 0x06 }
const mouse: HidDeviceInfo = { vendorId: 0x046d, productId: 0xc077, path: '/dev/hidraw1', product: 'USB Optical Mouse', usagePage: 0x01, usage: 0x02 }

const selections: ScannerSelection[] = [
  { vendorId: 0x0c2e, productId: 0x0b87 },
  { vendorId: 0x05e0, productId: 0x1200, mode: 'keyboard' }
]
const posKey = deviceKeyOf(selections[0] as ScannerSelection)
const keyboardKey = deviceKeyOf(selections[1] as ScannerSelection)

function setup(devices: HidDeviceInfo[] = [hidPosScanner, keyboardScanner, mouse]) {
  const backend = new FakeHidBackend(devices)
  const internalErrors: unknown[] = []
  const manager = new ScannerManager({ backend, selections, pollIntervalMs: 1000, onInternalError: (error) => internalErrors.push(error) })
  const scans: ScanEvent[] = []
  const statuses: ScannerStatusEvent[] = []
  manager.on('scan', (scan) => scans.push(scan))
  manager.on('status', (status) => statuses.push(status))
  const send = (path: string, reports: readonly string[]): void => {
    for (const hex of reports) backend.handle(path)?.report(fromHex(hex))
  }
  return { backend, manager, scans, statuses, send, internalErrors }
}

describe('ScannerManager with a fake HID backend', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('keys devices as vvvv:pppp and picks the mode from the usage', () => {
    expect(posKey).toBe('0c2e:0b87')
    expect(deviceKeyOf({ vendorId: 1, productId: 2, serialNumber: 'S1' })).toBe('0001:0002:S1')
    expect(suggestedMode(hidPosScanner)).toBe('hid-pos')
    expect(suggestedMode(keyboardScanner)).toBe('keyboard')
    expect(suggestedMode(mouse)).toBeNull()
  })

  it('opens the selected scanners and emits scans from both kinds', () => {
    const { manager, scans, statuses, send, backend } = setup()
    manager.start()
    expect(statuses).toEqual([
      { deviceKey: posKey, state: 'connected', mode: 'hid-pos', product: 'Honeywell 1950g (HID POS)' },
      { deviceKey: keyboardKey, state: 'connected', mode: 'keyboard', product: 'Zebra DS2208' }
    ])
    expect(backend.opened.map((handle) => handle.path)).toEqual(['/dev/hidraw3', '/dev/hidraw4'])

    send('/dev/hidraw3', gs1128TwoReports)
    send('/dev/hidraw4', ean13WithEnter)
    send('/dev/hidraw3', ean13SingleReport)
    expect(scans).toEqual([
      { code: gs1128Text, aim: ']C1', source: 'hid-pos', deviceKey: posKey },
      { code: '4006381333931', source: 'hid-keyboard', deviceKey: keyboardKey },
      { code: '4006381333931', aim: ']E0', source: 'hid-pos', deviceKey: posKey }
    ])
    manager.stop()
  })

  it('marks an unplugged scanner disconnected and reopens it when it comes back', () => {
    const { manager, scans, statuses, send, backend } = setup()
    manager.start()
    statuses.length = 0
    const firstHandle = backend.handle('/dev/hidraw3')

    // Unplug: the read fails first, enumeration catches up a little later.
    firstHandle?.fail()
    expect(statuses).toEqual([{ deviceKey: posKey, state: 'disconnected', error: 'The scanner stopped responding: could not read from HID device' }])
    expect(firstHandle?.closed).toBe(true)
    backend.unplug('/dev/hidraw3')
    vi.advanceTimersByTime(3000)
    expect(statuses).toHaveLength(1)

    // Plugged into another port: hidraw hands out a new node.
    backend.plug({ ...hidPosScanner, path: '/dev/hidraw7' })
    vi.advanceTimersByTime(1000)
    expect(statuses.at(-1)).toEqual({ deviceKey: posKey, state: 'connected', mode: 'hid-pos', product: 'Honeywell 1950g (HID POS)' })
    send('/dev/hidraw7', ean13SingleReport)
    expect(scans).toEqual([{ code: '4006381333931', aim: ']E0', source: 'hid-pos', deviceKey: posKey }])
    manager.stop()
  })

  it('notices a removal from the device list alone', () => {
    const { manager, statuses, backend } = setup()
    manager.start()
    statuses.length = 0
    backend.unplug('/dev/hidraw4')
    vi.advanceTimersByTime(1000)
    expect(statuses).toEqual([{ deviceKey: keyboardKey, state: 'disconnected', error: 'The scanner was unplugged.' }])
    expect(manager.listDevices().map((device) => device.path)).toEqual(['/dev/hidraw3', '/dev/hidraw1'])
    manager.stop()
  })

  it('reopens after a transient read error while the device stays listed, after a short pause', () => {
    const { manager, statuses, backend } = setup()
    manager.start()
    backend.handle('/dev/hidraw3')?.fail('transient')
    vi.advanceTimersByTime(2000)
    expect(statuses.at(-1)?.state).toBe('disconnected')
    vi.advanceTimersByTime(1000)
    expect(statuses.at(-1)).toMatchObject({ deviceKey: posKey, state: 'connected' })
    expect(backend.opened.filter((handle) => handle.path === '/dev/hidraw3')).toHaveLength(2)
    manager.stop()
  })

  it('reports a scanner that cannot be opened once, and connects when it can', () => {
    const { manager, statuses, backend } = setup([hidPosScanner])
    backend.refuseOpen('/dev/hidraw3', 'permission denied')
    manager.start()
    vi.advanceTimersByTime(5000)
    expect(statuses.filter((status) => status.deviceKey === posKey)).toEqual([
      { deviceKey: posKey, state: 'disconnected', mode: 'hid-pos', error: 'Could not open the scanner: permission denied' }
    ])
    backend.refuseOpen('/dev/hidraw3', undefined)
    vi.advanceTimersByTime(1000)
    expect(statuses.filter((status) => status.deviceKey === posKey).at(-1)?.state).toBe('connected')
    manager.stop()
  })

  it('lists devices for the settings screen with the suggested mode', () => {
    const { manager } = setup()
    manager.start()
    expect(manager.listDevices()).toEqual([
      expect.objectContaining({ path: '/dev/hidraw3', deviceKey: '0c2e:0b87:21100B0123', suggestedMode: 'hid-pos', selected: true, connected: true }),
      expect.objectContaining({ path: '/dev/hidraw4', deviceKey: '05e0:1200', suggestedMode: 'keyboard', selected: true, connected: true }),
      expect.objectContaining({ path: '/dev/hidraw1', suggestedMode: null, selected: false, connected: false })
    ])
    manager.stop()
  })

  it('stop() closes every handle and clears its timer', () => {
    const { manager, backend, statuses } = setup()
    const before = vi.getTimerCount()
    manager.start()
    expect(vi.getTimerCount()).toBe(before + 1)
    manager.stop()
    expect(vi.getTimerCount()).toBe(before)
    expect(backend.opened.every((handle) => handle.closed)).toBe(true)
    expect(statuses.slice(-2).map((status) => status.state)).toEqual(['disconnected', 'disconnected'])
  })

  it('changing the selection closes deselected scanners', () => {
    const { manager, backend } = setup()
    manager.start()
    manager.setSelections([selections[1] as ScannerSelection])
    expect(backend.handle('/dev/hidraw3')).toBeUndefined()
    expect(backend.handle('/dev/hidraw4')).toBeDefined()
    manager.stop()
  })

  it('keeps running when a listener throws', () => {
    const { manager, scans, send, internalErrors } = setup()
    manager.on('scan', () => {
      throw new Error('listener bug')
    })
    manager.start()
    send('/dev/hidraw3', ean13SingleReport)
    send('/dev/hidraw3', ean13SingleReport)
    expect(scans).toHaveLength(2)
    expect(internalErrors).toHaveLength(2)
    manager.stop()
  })

  it('accepts an injected timer', () => {
    const ticks: Array<() => void> = []
    const backend = new FakeHidBackend([])
    const manager = new ScannerManager({
      backend,
      selections,
      timers: { setInterval: (callback) => ticks.push(callback), clearInterval: () => ticks.splice(0) }
    })
    const statuses: ScannerStatusEvent[] = []
    manager.on('status', (status) => statuses.push(status))
    manager.start()
    backend.plug(keyboardScanner)
    ticks[0]?.()
    expect(statuses.map((status) => `${status.deviceKey} ${status.state}`)).toEqual([
      `${posKey} disconnected`,
      `${keyboardKey} disconnected`,
      `${keyboardKey} connected`
    ])
    manager.stop()
    expect(ticks).toHaveLength(0)
  })
})

describe('node-hid backend', () => {
  it('loads the native module lazily and enumerates without throwing', async () => {
    const backend = await loadNodeHidBackend()
    expect(Array.isArray(backend.devices())).toBe(true)
  })
})
