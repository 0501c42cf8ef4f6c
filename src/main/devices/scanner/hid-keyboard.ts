// Decoder for scanners in keyboard ("wedge") mode read as raw HID boot keyboard reports (HID 1.11 Appendix B.1:
// byte 0 modifiers, byte 1 reserved, bytes 2-7 up to six usage IDs from the Keyboard/Keypad page 0x07 of the HID
// Usage Tables §10). A key's usage ID stays in the array for as long as it is held, so a character is produced on the
// key-down edge only; an all-zero report releases everything. Usage IDs are translated with a US layout, which is the
// layout scanners assume by default.
//
// On Linux, reading a keyboard interface through hidraw does not stop the kernel from also typing the keys into the
// focused window; the renderer has to ignore wedge input for a device the manager reads (or the scanner has to be
// switched to HID POS). The decoder never throws.

export interface KeyboardScan {
  readonly code: string
  /** Set when the code exceeded maxLength and the rest was dropped. */
  readonly clipped?: boolean
}

export interface HidKeyboardDecoderOptions {
  /** Report id expected in byte 0 for a composite device with numbered reports; null/absent for a plain boot report. */
  readonly reportId?: number | null
  /** Usage IDs that end a scan. Default Enter (0x28) and Keypad Enter (0x58); add Tab (0x2B) if the scanner ends so. */
  readonly terminators?: readonly number[]
  /**
   * Text the scanner is configured to type in place of FNC1 / ASCII GS (many scanners offer a "GS substitution"
   * setting because a keyboard cannot type GS), e.g. '~' or '<GS>'. Every occurrence is replaced by GS (0x1D) so
   * parseBarcode sees a GS1 element string. Ctrl+] and Alt+029 already produce GS without this.
   */
  readonly gsSubstitute?: string
  /** Characters kept per scan; more are dropped and the scan is flagged clipped. */
  readonly maxLength?: number
  /** A partial code older than this (ms) is dropped at the next report when push() is given the time. */
  readonly staleAfterMs?: number
}

const MODIFIER_CTRL = 0x01 | 0x10
const MODIFIER_SHIFT = 0x02 | 0x20
const MODIFIER_ALT = 0x04 | 0x40

const USAGE_ERROR_ROLLOVER = 0x01
const USAGE_ENTER = 0x28
const USAGE_KEYPAD_ENTER = 0x58

/** Page 0x07 usage ID -> [unshifted, shifted] on a US layout (HID Usage Tables §10, "Keyboard/Keypad Page"). */
const US_LAYOUT: ReadonlyMap<number, readonly [string, string]> = buildUsLayout()

function buildUsLayout(): Map<number, readonly [string, string]> {
  const map = new Map<number, readonly [string, string]>()
  for (let index = 0; index < 26; index++) {
    const letter = String.fromCharCode(0x61 + index)
    map.set(0x04 + index, [letter, letter.toUpperCase()])
  }
  const digitsRow = '1234567890'
  const digitsShifted = '!@#$%^&*()'
  for (let index = 0; index < 10; index++) map.set(0x1e + index, [digitsRow.charAt(index), digitsShifted.charAt(index)])
  const punctuation: ReadonlyArray<readonly [number, string, string]> = [
    [0x2c, ' ', ' '],
    [0x2d, '-', '_'],
    [0x2e, '=', '+'],
    [0x2f, '[', '{'],
    [0x30, ']', '}'],
    [0x31, '\\', '|'],
    [0x32, '#', '~'], // non-US # and ~, present on ISO keyboards; scanners rarely use it
    [0x33, ';', ':'],
    [0x34, "'", '"'],
    [0x35, '`', '~'],
    [0x36, ',', '<'],
    [0x37, '.', '>'],
    [0x38, '/', '?'],
    [0x54, '/', '/'],
    [0x55, '*', '*'],
    [0x56, '-', '-'],
    [0x57, '+', '+'],
    [0x63, '.', '.']
  ]
  for (const [usage, plain, shifted] of punctuation) map.set(usage, [plain, shifted])
  // Keypad 1-9 then 0 (0x59-0x62), as typed with Num Lock on, which is how scanners send them.
  for (let index = 0; index < 10; index++) {
    const digit = digitsRow.charAt(index)
    map.set(0x59 + index, [digit, digit])
  }
  return map
}

/** Ctrl + key -> ASCII control character, as a terminal would send it (the way scanners emit GS as Ctrl+]). */
const CTRL_SYMBOLS: ReadonlyMap<number, number> = new Map([
  [0x2f, 0x1b], // Ctrl+[  ESC
  [0x31, 0x1c], // Ctrl+\  FS
  [0x30, 0x1d], // Ctrl+]  GS, the FNC1 separator of GS1 data
  [0x23, 0x1e], // Ctrl+^ (shift 6)  RS
  [0x2d, 0x1f] // Ctrl+_ (shift -)  US
])

function keypadDigit(usage: number): string | undefined {
  if (usage >= 0x59 && usage <= 0x61) return String(usage - 0x58)
  if (usage === 0x62) return '0'
  return undefined
}

export class HidKeyboardDecoder {
  private readonly reportId: number | null
  private readonly terminators: ReadonlySet<number>
  private readonly gsSubstitute: string | undefined
  private readonly maxLength: number
  private readonly staleAfterMs: number
  private held = new Set<number>()
  private buffer = ''
  private clipped = false
  private altDigits: string | undefined
  private lastKeyAt: number | undefined

  constructor(options: HidKeyboardDecoderOptions = {}) {
    this.reportId = options.reportId ?? null
    this.terminators = new Set(options.terminators ?? [USAGE_ENTER, USAGE_KEYPAD_ENTER])
    this.gsSubstitute = options.gsSubstitute !== undefined && options.gsSubstitute.length > 0 ? options.gsSubstitute : undefined
    this.maxLength = options.maxLength ?? 256
    this.staleAfterMs = options.staleAfterMs ?? 1000
  }

  /** Characters typed since the last terminator. */
  get partial(): string {
    return this.buffer
  }

  reset(): void {
    this.held = new Set()
    this.buffer = ''
    this.clipped = false
    this.altDigits = undefined
    this.lastKeyAt = undefined
  }

  /** Feeds one input report; returns the codes it completes. `nowMs` enables the stale-partial check. */
  push(report: Uint8Array, nowMs?: number): KeyboardScan[] {
    if (!(report instanceof Uint8Array)) return []
    let body = report
    if (this.reportId !== null) {
      if (report[0] !== this.reportId) return []
      body = report.subarray(1)
    }
    if (body.length < 3) return []

    if (nowMs !== undefined && this.lastKeyAt !== undefined && this.buffer.length > 0 && nowMs - this.lastKeyAt > this.staleAfterMs) {
      this.buffer = ''
      this.clipped = false
    }

    const modifiers = body[0] ?? 0
    const pressed: number[] = []
    for (const usage of body.subarray(2, 8)) {
      // Usage 0x01-0x03 fill every slot when too many keys are down (phantom state): the report says nothing useful.
      if (usage >= USAGE_ERROR_ROLLOVER && usage <= 0x03) return []
      if (usage !== 0 && !pressed.includes(usage)) pressed.push(usage)
    }
    const newlyPressed = pressed.filter((usage) => !this.held.has(usage))
    this.held = new Set(pressed)

    const scans: KeyboardScan[] = []
    const alt = (modifiers & MODIFIER_ALT) !== 0
    if (!alt && this.altDigits !== undefined) {
      this.appendAltCode(this.altDigits)
      this.altDigits = undefined
    }

    for (const usage of newlyPressed) {
      if (nowMs !== undefined) this.lastKeyAt = nowMs
      if (this.terminators.has(usage)) {
        const scan = this.finish()
        if (scan) scans.push(scan)
        continue
      }
      if (alt) {
        // Alt + keypad digits types a character by its decimal code (Windows "Alt codes"); scanners use Alt+029 for GS.
        const digit = keypadDigit(usage)
        if (digit !== undefined) this.altDigits = (this.altDigits ?? '') + digit
        continue
      }
      if ((modifiers & MODIFIER_CTRL) !== 0) {
        this.appendCtrl(usage, (modifiers & MODIFIER_SHIFT) !== 0, scans)
        continue
      }
      const glyphs = US_LAYOUT.get(usage)
      if (glyphs) this.append(glyphs[(modifiers & MODIFIER_SHIFT) !== 0 ? 1 : 0])
    }
    return scans
  }

  private appendCtrl(usage: number, shift: boolean, scans: KeyboardScan[]): void {
    if (usage >= 0x04 && usage <= 0x1d) {
      const code = usage - 0x03 // Ctrl+A = 0x01 ... Ctrl+Z = 0x1A
      // Ctrl+M (CR) and Ctrl+J (LF) end a line exactly as Enter does.
      if (code === 0x0d || code === 0x0a) {
        const scan = this.finish()
        if (scan) scans.push(scan)
        return
      }
      this.append(String.fromCharCode(code))
      return
    }
    const symbol = CTRL_SYMBOLS.get(usage)
    // Ctrl+^ and Ctrl+_ need shift; Ctrl+[ \ ] must not have it.
    const needsShift = usage === 0x23 || usage === 0x2d
    if (symbol !== undefined && needsShift === shift) this.append(String.fromCharCode(symbol))
  }

  private appendAltCode(digits: string): void {
    let code = 0
    for (const digit of digits) code = code * 10 + (digit.charCodeAt(0) - 48)
    // 1-255 only; above 127 read as ISO 8859-1 (Windows would use the OEM code page without a leading 0).
    if (digits.length <= 4 && code >= 1 && code <= 255) this.append(String.fromCharCode(code))
  }

  private append(text: string): void {
    if (this.buffer.length + text.length > this.maxLength) {
      this.clipped = true
      return
    }
    this.buffer += text
  }

  private finish(): KeyboardScan | undefined {
    let code = this.buffer
    const clipped = this.clipped
    this.buffer = ''
    this.clipped = false
    if (code.length === 0) return undefined
    if (this.gsSubstitute !== undefined) code = code.split(this.gsSubstitute).join('\u001d')
    return clipped ? { code, clipped } : { code }
  }
}
