// Keyboard-wedge scanner detection. A wedge scanner "types" its code as a burst of keys a few milliseconds apart,
// ended by Enter; people type far slower. A burst counts as a scan when it has at least `minLength` characters,
// every gap (including the one before Enter) is at most `maxGapMs`, and it ends with Enter. Pure: the renderer feeds
// it key events with their timestamps, so it is unit-tested here and used as-is in the cashier window.

export interface WedgeOptions {
  readonly maxGapMs: number
  readonly minLength: number
}

export type WedgeFeed =
  | { readonly kind: 'char'; readonly startsBurst: boolean }
  | { readonly kind: 'scan'; readonly code: string }
  | { readonly kind: 'enter' }
  | { readonly kind: 'ignored' }

export class WedgeDetector {
  private buffer = ''
  private lastAt = Number.NEGATIVE_INFINITY

  constructor(private options: WedgeOptions) {}

  configure(options: WedgeOptions): void {
    this.options = options
  }

  /** Feed one keydown: `key` as KeyboardEvent.key, `at` in milliseconds (event.timeStamp). */
  feed(key: string, at: number): WedgeFeed {
    const gap = at - this.lastAt
    if (key === 'Enter') {
      const code = this.buffer
      const isScan = code.length >= this.options.minLength && gap <= this.options.maxGapMs
      this.reset()
      return isScan ? { kind: 'scan', code } : { kind: 'enter' }
    }
    if (key.length !== 1) {
      // Shift and other modifiers arrive between characters of a scan (uppercase letters); they neither add to
      // nor break a burst. Any other named key (arrows, Backspace) is a person: break the burst.
      if (key !== 'Shift' && key !== 'Control' && key !== 'Alt') this.reset()
      return { kind: 'ignored' }
    }
    const startsBurst = gap > this.options.maxGapMs || this.buffer.length === 0
    if (startsBurst) this.buffer = ''
    this.buffer += key
    this.lastAt = at
    return { kind: 'char', startsBurst }
  }

  reset(): void {
    this.buffer = ''
    this.lastAt = Number.NEGATIVE_INFINITY
  }
}
