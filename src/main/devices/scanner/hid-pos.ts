// Decoder for HID POS barcode scanner input reports (USB HID Point of Sale Usage Tables 1.02, §3 "Bar Code Scanner
// Page" 0x8C: Scanned Data Report 0x12 with Decoded Data 0xFE, Symbology Identifiers 0xFB-0xFD and the
// "Decoded Data Continued" flag 0xFF).
//
// The usage tables name the fields but leave their order to each device's report descriptor. Scanners that ship a
// "HID POS" / "USB HID Bar Code Scanner" mode (Honeywell, Zebra, Datalogic, Access-IS, Newland) all use one layout in
// practice, and that is the default here (as read through hidapi, the report id is byte 0):
//
//   byte 0      report id 0x02
//   byte 1      number of data bytes in this report (0..56), not counting the symbology identifier
//   bytes 2-4   AIM symbology identifier, e.g. ']E0' (ISO/IEC 15424)
//   bytes 5-60  decoded data, zero padded
//   byte 61     manufacturer's own symbology id (Honeywell code id), ignored
//   byte 62     reserved
//   byte 63     bit 0 = decoded data continued: more of this barcode follows in the next report
//
// A barcode longer than 56 bytes arrives as several reports; the first carries the symbology identifier that counts.
// Every offset is configurable for a scanner that differs. The decoder never throws: garbage is dropped or clipped.

export interface HidPosLayout {
  /** Expected report id at byte 0, or null for a device that sends unnumbered reports. */
  readonly reportId: number | null
  readonly lengthOffset: number
  /** Offset of the 3-byte AIM symbology identifier, or null when the device does not send one. */
  readonly aimOffset: number | null
  readonly dataOffset: number
  /** Maximum data bytes one report can carry. */
  readonly dataCapacity: number
  readonly continuationOffset: number
  readonly continuationMask: number
}

export const defaultHidPosLayout: HidPosLayout = Object.freeze({
  reportId: 0x02,
  lengthOffset: 1,
  aimOffset: 2,
  dataOffset: 5,
  dataCapacity: 56,
  continuationOffset: 63,
  continuationMask: 0x01
})

export interface HidPosScan {
  readonly code: string
  /** AIM symbology identifier such as ']E0', when the scanner sent one. */
  readonly aim?: string
  /** Set when a length byte pointed past the report, or the barcode exceeded maxScanBytes: data may be missing. */
  readonly clipped?: boolean
}

export interface HidPosDecoderOptions {
  readonly layout?: Partial<HidPosLayout>
  /**
   * A partial barcode older than this (ms) is discarded when the next report arrives: its final report was lost,
   * and joining it to the next scan would corrupt both. Applies only when push() is given the time.
   */
  readonly staleAfterMs?: number
  /** Upper bound on one barcode's data, so a device stuck on "continued" cannot grow memory without end. */
  readonly maxScanBytes?: number
}

interface PendingScan {
  readonly parts: Uint8Array[]
  bytes: number
  aim: string | undefined
  clipped: boolean
  lastReportAt: number | undefined
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Data bytes to text: UTF-8 when the bytes are valid UTF-8 (QR codes), else ISO 8859-1 (Code 128's character set). */
export function decodeScanBytes(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes)
  } catch {
    // Not TextDecoder('latin1'): per WHATWG that is windows-1252, which turns 0x80-0x9F into printable characters.
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
  }
}

export class HidPosDecoder {
  private readonly layout: HidPosLayout
  private readonly staleAfterMs: number
  private readonly maxScanBytes: number
  private pending: PendingScan | undefined

  constructor(options: HidPosDecoderOptions = {}) {
    this.layout = { ...defaultHidPosLayout, ...options.layout }
    this.staleAfterMs = options.staleAfterMs ?? 1000
    this.maxScanBytes = options.maxScanBytes ?? 4096
  }

  /** True while a barcode is split across reports and its last report has not arrived. */
  get hasPartial(): boolean {
    return this.pending !== undefined
  }

  /** Forget a partial barcode (after a reconnect, for example). */
  reset(): void {
    this.pending = undefined
  }

  /**
   * Feeds one input report; returns the barcodes it completes (zero or one in practice). `nowMs` enables the
   * stale-partial check. Reports with another report id (status, feature echoes) are ignored.
   */
  push(report: Uint8Array, nowMs?: number): HidPosScan[] {
    if (!(report instanceof Uint8Array)) return []
    const { reportId, lengthOffset, aimOffset, dataOffset, dataCapacity, continuationOffset, continuationMask } = this.layout
    if (reportId !== null && report[0] !== reportId) return []
    if (report.length <= lengthOffset) return []

    if (this.pending && nowMs !== undefined && this.pending.lastReportAt !== undefined && nowMs - this.pending.lastReportAt > this.staleAfterMs) {
      this.pending = undefined
    }

    const declared = report[lengthOffset] ?? 0
    const available = Math.max(0, Math.min(dataCapacity, report.length - dataOffset))
    const length = Math.min(declared, available)
    const continued = ((report[continuationOffset] ?? 0) & continuationMask) !== 0

    const pending: PendingScan = this.pending ?? { parts: [], bytes: 0, aim: undefined, clipped: false, lastReportAt: undefined }
    this.pending = pending
    pending.lastReportAt = nowMs
    if (declared > available) pending.clipped = true
    if (pending.aim === undefined && aimOffset !== null) pending.aim = readAim(report, aimOffset)
    if (length > 0) {
      const room = this.maxScanBytes - pending.bytes
      if (length > room) pending.clipped = true
      const take = Math.max(0, Math.min(length, room))
      if (take > 0) {
        pending.parts.push(report.slice(dataOffset, dataOffset + take))
        pending.bytes += take
      }
    }

    if (continued) return []
    this.pending = undefined
    if (pending.bytes === 0) return []
    const data = new Uint8Array(pending.bytes)
    let offset = 0
    for (const part of pending.parts) {
      data.set(part, offset)
      offset += part.length
    }
    const scan: { code: string; aim?: string; clipped?: boolean } = { code: decodeScanBytes(data) }
    if (pending.aim !== undefined) scan.aim = pending.aim
    if (pending.clipped) scan.clipped = true
    return [scan]
  }
}

/** The AIM identifier is ']' + symbology letter + modifier (ISO/IEC 15424 §5); zeros mean the scanner sent none. */
function readAim(report: Uint8Array, offset: number): string | undefined {
  if (report.length < offset + 3) return undefined
  const bytes = report.subarray(offset, offset + 3)
  if (bytes[0] !== 0x5d) return undefined
  for (const byte of bytes) if (byte < 0x21 || byte > 0x7e) return undefined
  return String.fromCharCode(...bytes)
}
