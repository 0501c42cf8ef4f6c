// An in-memory HidBackend: the narrowest seam for scanners that cannot exist on a test machine or in the browser
// harness (STYLE.md §11). Devices are plugged and unplugged by hand and reports are pushed into open handles.

import { EventEmitter } from 'node:events'
import type { HidBackend, HidDeviceInfo, HidHandle } from './scanner-manager'

export class FakeHidHandle extends EventEmitter implements HidHandle {
  closed = false

  constructor(readonly path: string) {
    super()
  }

  close(): void {
    this.closed = true
    this.removeAllListeners()
  }

  /** Delivers one input report, as node-hid's read loop would. Ignored once closed, like a real handle. */
  report(data: Buffer): void {
    if (!this.closed) this.emit('data', data)
  }

  /** A read failure, which is how hidapi reports an unplug. */
  fail(message = 'could not read from HID device'): void {
    if (!this.closed) this.emit('error', new Error(message))
  }
}

export class FakeHidBackend implements HidBackend {
  private present: HidDeviceInfo[] = []
  private readonly refusals = new Map<string, string>()
  /** Every handle ever opened, oldest first. */
  readonly opened: FakeHidHandle[] = []

  constructor(devices: readonly HidDeviceInfo[] = []) {
    this.present = [...devices]
  }

  devices(): HidDeviceInfo[] {
    return this.present.map((device) => ({ ...device }))
  }

  open(path: string): HidHandle {
    const refusal = this.refusals.get(path)
    if (refusal !== undefined) throw new Error(refusal)
    if (!this.present.some((device) => device.path === path)) throw new Error(`could not open HID device ${path}`)
    const handle = new FakeHidHandle(path)
    this.opened.push(handle)
    return handle
  }

  plug(device: HidDeviceInfo): void {
    this.present = [...this.present.filter((existing) => existing.path !== device.path), device]
  }

  /** Removes the device; with `readError` its open handles first fail as a real unplug does. */
  unplug(path: string, options: { readError?: boolean } = {}): void {
    if (options.readError === true) for (const handle of this.openHandles(path)) handle.fail()
    this.present = this.present.filter((device) => device.path !== path)
  }

  /** Makes open(path) throw (a permission problem, an OS-owned keyboard); undefined lifts it. */
  refuseOpen(path: string, message: string | undefined): void {
    if (message === undefined) this.refusals.delete(path)
    else this.refusals.set(path, message)
  }

  /** The open handle for a path, if any. */
  handle(path: string): FakeHidHandle | undefined {
    return this.openHandles(path).at(-1)
  }

  private openHandles(path: string): FakeHidHandle[] {
    return this.opened.filter((handle) => handle.path === path && !handle.closed)
  }
}
