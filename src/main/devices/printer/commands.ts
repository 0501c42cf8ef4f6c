// ESC/POS commands receiptline does not produce: the drawer kick (ESC p) and real-time status (DLE EOT n),
// plus the parser of DLE EOT replies. Bit meanings follow the Epson ESC/POS Application Programming Guide,
// "DLE EOT n — Transmit real-time status".
import type { DrawerPulse } from './profiles'

export const ESC = 0x1b
export const GS = 0x1d
export const DLE = 0x10
export const EOT = 0x04

/**
 * ESC p m t1 t2 — generate pulse. m = 0 drives drawer kick-out connector pin 2, m = 1 pin 5.
 * t1/t2 are in 2 ms units (1–255): ON time t1 × 2 ms, OFF time t2 × 2 ms; the printer forces t2 ≥ t1 anyway,
 * we do it here so the sent bytes say what happens.
 */
export function drawerKick(pulse: DrawerPulse): Buffer {
  const toUnits = (ms: number): number => Math.min(255, Math.max(1, Math.round(ms / 2)))
  const on = toUnits(pulse.onMs)
  const off = Math.max(on, toUnits(pulse.offMs))
  return Buffer.from([ESC, 0x70, pulse.pin === 2 ? 0 : 1, on, off])
}

/** DLE EOT n: 1 printer status, 2 offline cause, 3 error cause, 4 continuous paper sensor. */
export type StatusRequest = 1 | 2 | 3 | 4

export function statusRequest(n: StatusRequest): Buffer {
  return Buffer.from([DLE, EOT, n])
}

export interface PrinterStatus {
  readonly online: boolean
  readonly coverOpen: boolean
  readonly paperOut: boolean
  readonly paperNearEnd: boolean
  /** Autocutter, unrecoverable or auto-recoverable (head overheat) error. */
  readonly error: boolean
  readonly drawerOpen: boolean
}

/** Every DLE EOT reply has bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0 ("fixed" bits): 0x12 under mask 0x93. */
export function isStatusByte(byte: number): boolean {
  return (byte & 0x93) === 0x12
}

export interface StatusBytes {
  /** DLE EOT 1 */
  readonly printer: number
  /** DLE EOT 2 */
  readonly offline: number
  /** DLE EOT 3 */
  readonly error: number
  /** DLE EOT 4 */
  readonly paper: number
}

/**
 * Decodes the four DLE EOT replies.
 * n=1: bit 2 drawer kick-out connector pin 3 level; bit 3 offline.
 * n=2: bit 2 cover open; bit 3 paper fed by the FEED button; bit 5 printing stopped by paper end; bit 6 error.
 * n=3: bit 3 autocutter error; bit 5 unrecoverable error; bit 6 auto-recoverable error (head overheat).
 * n=4: bits 2,3 paper near end; bits 5,6 paper end.
 */
export function parseStatus(bytes: StatusBytes, drawerOpenLevel: 'high' | 'low' = 'high'): PrinterStatus {
  for (const [name, b] of Object.entries(bytes)) {
    if (!isStatusByte(b)) throw new Error(`DLE EOT ${name} reply 0x${b.toString(16)} is not a status byte`)
  }
  const pin3High = (bytes.printer & 0x04) !== 0
  return {
    online: (bytes.printer & 0x08) === 0,
    coverOpen: (bytes.offline & 0x04) !== 0,
    paperOut: (bytes.paper & 0x60) !== 0 || (bytes.offline & 0x20) !== 0,
    paperNearEnd: (bytes.paper & 0x0c) !== 0,
    error: (bytes.offline & 0x40) !== 0 || (bytes.error & 0x68) !== 0,
    drawerOpen: drawerOpenLevel === 'high' ? pin3High : !pin3High
  }
}

/** The reply bytes a printer in `status` sends (the inverse of parseStatus); used by the test printer server. */
export function statusBytesFor(status: PrinterStatus, drawerOpenLevel: 'high' | 'low' = 'high'): StatusBytes {
  const fixed = 0x12
  const pin3High = drawerOpenLevel === 'high' ? status.drawerOpen : !status.drawerOpen
  return {
    printer: fixed | (pin3High ? 0x04 : 0) | (status.online ? 0 : 0x08),
    offline: fixed | (status.coverOpen ? 0x04 : 0) | (status.paperOut ? 0x20 : 0) | (status.error ? 0x40 : 0),
    error: fixed | (status.error ? 0x40 : 0),
    paper: fixed | (status.paperOut ? 0x60 : 0) | (status.paperNearEnd ? 0x0c : 0)
  }
}

/** Why a printer cannot take a job now, in words a cashier can act on; null when it can. */
export function statusProblem(status: PrinterStatus): string | null {
  if (status.paperOut) return 'The printer is out of paper: load a new roll.'
  if (status.coverOpen) return 'The printer cover is open: close it.'
  if (status.error) return 'The printer reports an error (cutter jam or overheating): check it and clear the error.'
  if (!status.online) return 'The printer is offline.'
  return null
}

/** QR error correction level as receiptline names it. */
export type QrLevel = 'l' | 'm' | 'q' | 'h'

/**
 * Epson native QR Code, GS ( k with cn = 49:
 *   fn 165 (GS ( k 4 0 49 65 n1 n2)  select model: n1 = 50 -> Model 2
 *   fn 167 (GS ( k 3 0 49 67 n)      module size in dots (1–16)
 *   fn 169 (GS ( k 3 0 49 69 n)      error correction: 48 L, 49 M, 50 Q, 51 H
 *   fn 180 (GS ( k pL pH 49 80 48 d1…dk)  store data; pL pH = k + 3 counts BYTES, not characters
 *   fn 181 (GS ( k 3 0 49 81 48)     print the stored symbol
 * receiptline 4 has no GS ( k (its thermal set rasterises QR through GS 8 L / GS ( L, its generic set through
 * GS v 0), and @node-escpos/core sends GS Z with a character count, so this one is ours.
 */
export function qrNative(data: string, cell: number, level: QrLevel): Buffer {
  const payload = Buffer.from(data, 'utf8')
  // Model 2, version 40, level L holds 7089 numeric / 2953 bytes; more cannot be a valid symbol.
  if (payload.length === 0 || payload.length > 2953) throw new Error(`QR payload of ${payload.length} bytes cannot be printed`)
  const size = Math.min(16, Math.max(1, Math.round(cell)))
  const storeLength = payload.length + 3
  const levelByte = { l: 48, m: 49, q: 50, h: 51 }[level]
  return Buffer.concat([
    Buffer.from([GS, 0x28, 0x6b, 4, 0, 49, 65, 50, 0]),
    Buffer.from([GS, 0x28, 0x6b, 3, 0, 49, 67, size]),
    Buffer.from([GS, 0x28, 0x6b, 3, 0, 49, 69, levelByte]),
    Buffer.from([GS, 0x28, 0x6b, storeLength & 0xff, storeLength >> 8, 49, 80, 48]),
    payload,
    Buffer.from([GS, 0x28, 0x6b, 3, 0, 49, 81, 48])
  ])
}

/** The cut at the end of a job: GS V 66 n (feed n more and partial cut), GS V 65 n (full), or ESC d n (feed only). */
export function cutCommand(mode: 'partial' | 'full' | 'none'): Buffer {
  switch (mode) {
    case 'partial':
      return Buffer.from([GS, 0x56, 66, 0])
    case 'full':
      return Buffer.from([GS, 0x56, 65, 0])
    case 'none':
      // No cutter: feed four lines so the last printed line clears the tear bar.
      return Buffer.from([ESC, 0x64, 4])
  }
}
