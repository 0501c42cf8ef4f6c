// A scanner in keyboard mode read through hidraw is still a keyboard to the OS, which also types the code into the
// focused window, where the wedge detector sees it a moment after the HID reports arrived. That echo (the same
// code by wedge within this window after a HID keyboard scan) is the same physical scan and is dropped, once.
import type { Clock } from '../../shared/clock'

export const WEDGE_ECHO_MS = 1500

export class WedgeEcho {
  private lastHidKeyboardScan: { code: string; at: number } | null = null

  constructor(private readonly clock: Clock) {}

  /** A HID scan in keyboard mode arrived: its wedge echo may follow. */
  hidKeyboardScan(code: string): void {
    this.lastHidKeyboardScan = { code: code.trim(), at: this.clock.now() }
  }

  /** True (once) when a wedge scan of `code` is the echo of the last HID keyboard scan. */
  isEcho(code: string): boolean {
    const last = this.lastHidKeyboardScan
    const echo = last !== null && last.code === code.trim() && this.clock.now() - last.at <= WEDGE_ECHO_MS
    if (echo) this.lastHidKeyboardScan = null
    return echo
  }
}
