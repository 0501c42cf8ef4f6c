import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  cutCommand,
  drawerKick,
  isStatusByte,
  parseStatus,
  qrNative,
  statusBytesFor,
  statusProblem,
  statusRequest
} from '../../../../src/main/devices/printer/commands'
import { decodeEscPos } from '../../../fixtures/escpos-decoder'

describe('ESC/POS commands', () => {
  it('ESC p kicks pin 2 or pin 5 with times in 2 ms units, OFF never shorter than ON', () => {
    expect([...drawerKick({ pin: 2, onMs: 100, offMs: 200 })]).toEqual([0x1b, 0x70, 0, 50, 100])
    expect([...drawerKick({ pin: 5, onMs: 120, offMs: 50 })]).toEqual([0x1b, 0x70, 1, 60, 60])
    expect([...drawerKick({ pin: 2, onMs: 5000, offMs: 0 })]).toEqual([0x1b, 0x70, 0, 255, 255])
    expect(decodeEscPos(drawerKick({ pin: 2, onMs: 100, offMs: 200 })).drawerPulses).toEqual([{ pin: 2, onMs: 100, offMs: 200 }])
  })

  it('DLE EOT n requests', () => {
    expect([...statusRequest(1)]).toEqual([0x10, 0x04, 1])
    expect([...statusRequest(4)]).toEqual([0x10, 0x04, 4])
  })

  it('parses the Epson status bits', () => {
    const ready = parseStatus({ printer: 0x12, offline: 0x12, error: 0x12, paper: 0x12 })
    expect(ready).toEqual({ online: true, coverOpen: false, paperOut: false, paperNearEnd: false, error: false, drawerOpen: false })
    expect(statusProblem(ready)).toBeNull()
    // Cover open: DLE EOT 1 bit 3 offline, DLE EOT 2 bit 2 cover.
    const cover = parseStatus({ printer: 0x1a, offline: 0x16, error: 0x12, paper: 0x12 })
    expect(cover).toMatchObject({ online: false, coverOpen: true, paperOut: false })
    expect(statusProblem(cover)).toMatch(/cover is open/)
    // Paper end: DLE EOT 4 bits 5,6; near end bits 2,3.
    expect(parseStatus({ printer: 0x1a, offline: 0x32, error: 0x12, paper: 0x72 })).toMatchObject({ paperOut: true })
    expect(parseStatus({ printer: 0x12, offline: 0x12, error: 0x12, paper: 0x1e })).toMatchObject({ paperOut: false, paperNearEnd: true })
    // Autocutter error: DLE EOT 3 bit 3.
    expect(parseStatus({ printer: 0x12, offline: 0x52, error: 0x1a, paper: 0x12 })).toMatchObject({ error: true })
    // Drawer: pin 3 level, polarity per drawer.
    expect(parseStatus({ printer: 0x16, offline: 0x12, error: 0x12, paper: 0x12 }).drawerOpen).toBe(true)
    expect(parseStatus({ printer: 0x16, offline: 0x12, error: 0x12, paper: 0x12 }, 'low').drawerOpen).toBe(false)
    expect(() => parseStatus({ printer: 0x00, offline: 0x12, error: 0x12, paper: 0x12 })).toThrow(/not a status byte/)
  })

  it('statusBytesFor is the inverse of parseStatus and always yields valid status bytes', () => {
    const status = fc.record({
      online: fc.boolean(),
      coverOpen: fc.boolean(),
      paperOut: fc.boolean(),
      paperNearEnd: fc.boolean(),
      error: fc.boolean(),
      drawerOpen: fc.boolean()
    })
    fc.assert(
      fc.property(status, fc.constantFrom<'high' | 'low'>('high', 'low'), (s, level) => {
        const bytes = statusBytesFor(s, level)
        expect(Object.values(bytes).every(isStatusByte)).toBe(true)
        expect(parseStatus(bytes, level)).toEqual(s)
      })
    )
  })

  it('GS ( k stores the payload with a byte count (not a character count) and prints it', () => {
    const data = 'https://example.org/tx/é'
    const bytes = qrNative(data, 5, 'm')
    const storeAt = bytes.indexOf(Buffer.from([0x1d, 0x28, 0x6b]), 17 + 8 + 8 - 8)
    expect(storeAt).toBeGreaterThan(0)
    const decoded = decodeEscPos(bytes)
    expect(decoded.qrCodes).toEqual([{ source: 'native', payload: data, atLine: 0 }])
    // pL pH = UTF-8 bytes + 3
    const len = Buffer.byteLength(data, 'utf8') + 3
    expect(bytes.includes(Buffer.from([0x1d, 0x28, 0x6b, len & 0xff, len >> 8, 49, 80, 48]))).toBe(true)
    expect(() => qrNative('', 5, 'l')).toThrow()
  })

  it('cuts: GS V 66 partial, GS V 65 full, ESC d feed without a cutter', () => {
    expect([...cutCommand('partial')]).toEqual([0x1d, 0x56, 66, 0])
    expect([...cutCommand('full')]).toEqual([0x1d, 0x56, 65, 0])
    expect([...cutCommand('none')]).toEqual([0x1b, 0x64, 4])
  })
})
