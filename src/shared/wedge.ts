// Keyboard-wedge scanner detection. A wedge scanner "types" its code as a burst of keys a few milliseconds apart,
// ended by Enter; people type far slower. A burst counts as a scan when it has at least `minLength` characters,
// every gap (including the one before Enter) is at most `maxGapMs`, and it ends with Enter. Pure: the renderer feeds
// it key events with their timestamps, so it is unit-tested here and used as-is in the cashier window.

export interface WedgeOptions {
  readonly maxGapMs: number
  readonly minLength: number
  /**
   * One gap per burst may be up to this long (0 or absent: none). A real scanner's keys now and then wait for a USB
   * poll or a busy page; a person is slow on every key, so tolerating one slow gap lets no typing through.
   */
  readonly slowGapMs?: number
}

export type WedgeFeed =
  | { readonly kind: 'char'; readonly startsBurst: boolean }
  | { readonly kind: 'scan'; readonly code: string }
  | { readonly kind: 'enter' }
  | { readonly kind: 'ignored' }

export class WedgeDetector {
  private buffer = ''
  private lastAt = Number.NEGATIVE_INFINITY
  private slowGapUsed = false
  private fastGaps = 0

  constructor(private options: WedgeOptions) {}

  configure(options: WedgeOptions): void {
    this.options = options
  }

  /** Feed one keydown: `key` as KeyboardEvent.key, `at` in milliseconds (event.timeStamp). */
  feed(key: string, at: number): WedgeFeed {
    // A stamp earlier than the last one (events stamped by another clock, e.g. right after a focus change) is no
    // gap at all rather than a huge one.
    const gap = Math.max(0, at - this.lastAt)
    if (key === 'Enter') {
      const code = this.buffer
      const isScan = code.length >= this.options.minLength && this.fits(gap)
      this.reset()
      return isScan ? { kind: 'scan', code } : { kind: 'enter' }
    }
    if (key.length !== 1) {
      // Shift and other modifiers arrive between characters of a scan (uppercase letters); they neither add to
      // nor break a burst. Any other named key (arrows, Backspace) is a person: break the burst.
      if (key !== 'Shift' && key !== 'Control' && key !== 'Alt') this.reset()
      return { kind: 'ignored' }
    }
    const startsBurst = this.buffer.length === 0 || !this.fits(gap)
    if (startsBurst) {
      this.buffer = ''
      this.slowGapUsed = false
      this.fastGaps = 0
    }
    this.buffer += key
    this.lastAt = at
    return { kind: 'char', startsBurst }
  }

  /**
   * Whether `gap` continues the burst: within maxGapMs, or the burst's one tolerated slow gap. The slow gap is only
   * allowed once the burst has shown scanner speed (two fast gaps): otherwise a key a person typed just before a
   * scan ("crois", then a scan 60 ms later) would be glued to the front of the code.
   */
  private fits(gap: number): boolean {
    if (gap <= this.options.maxGapMs) {
      this.fastGaps++
      return true
    }
    if (this.fastGaps < 2 || this.slowGapUsed || gap > (this.options.slowGapMs ?? 0)) return false
    this.slowGapUsed = true
    return true
  }

  reset(): void {
    this.buffer = ''
    this.lastAt = Number.NEGATIVE_INFINITY
    this.slowGapUsed = false
    this.fastGaps = 0
  }
}
