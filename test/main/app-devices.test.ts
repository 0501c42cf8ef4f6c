// The till with its devices: a HID POS scanner (at the report-stream seam: the fake node-hid backend) and an ESC/POS
// printer on a real TCP socket (a recording printer server on 127.0.0.1), through the same api the windows use.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FakeHidBackend } from '../../src/main/devices/scanner/fake-hid-backend'
import { ScannerManager } from '../../src/main/devices/scanner/scanner-manager'
import type { EventPayloads } from '../../src/shared/api/contract'
import { decodeEscPos } from '../fixtures/escpos-decoder'
import { ean13SingleReport, fromHex } from '../fixtures/hid/hid-pos-reports'
import { closedPort, startTcpPrinter, type TcpPrinterServer } from '../fixtures/tcp-printer'
import { testTill, type TestTill } from '../fixtures/till'

const SCANNER = { vendorId: 0x0c2e, productId: 0x0b81, path: '/dev/hidraw3', product: 'Xenon 1950g (HID POS)', manufacturer: 'Honeywell', usagePage: 0x8c, usage: 0x02 }

/** A HID POS input report (report id 2, length, AIM id, data, zero padding to 64 bytes), as the scanner sends it. */
function hidPosReport(code: string, aim = ']E0'): Buffer {
  const report = Buffer.alloc(64)
  report[0] = 0x02
  report[1] = code.length
  report.write(aim, 2, 'latin1')
  report.write(code, 5, 'latin1')
  return report
}


let till: TestTill
let backend: FakeHidBackend
let manager: ScannerManager
let printer: TcpPrinterServer | null = null

beforeEach(() => {
  backend = new FakeHidBackend([SCANNER])
  manager = new ScannerManager({ backend, pollIntervalMs: 60_000 })
  till = testTill({ scanners: manager })
  manager.start()
})

afterEach(async () => {
  manager.stop()
  await till.cleanup()
  await printer?.close()
  printer = null
})

describe('HID scanners feed the sale', () => {
  it('a selected HID POS scanner adds items; a bad scan is rejected with a message to the cashier', async () => {
    const events: [string, unknown][] = []
    till.app.events.subscribe((event, payload) => events.push([event, payload]))
    const listed = await till.app.registry.dispatch('backoffice', 'scanners:list', {})
    expect(listed).toMatchObject({ ok: true, value: [{ deviceKey: '0c2e:0b81', suggestedMode: 'hid-pos', selected: false, connected: false }] })
    expect(await till.app.registry.dispatch('backoffice', 'scanners:select', { selections: [{ vendorId: 0x0c2e, productId: 0x0b81 }] })).toMatchObject({ ok: true, value: [{ selected: true, connected: true }] })

    const handle = backend.opened.at(-1)!
    handle.report(hidPosReport('5901234123013'))
    expect(till.app.sales.current()!.lines.map((l) => l.name)).toEqual(['Cola 330 ml can'])

    handle.report(fromHex(ean13SingleReport[0]!)) // 4006381333931: valid, but not in this catalog
    const rejected = events.find(([e]) => e === 'scan:rejected')?.[1] as EventPayloads['scan:rejected']
    expect(rejected).toEqual({
      code: '4006381333931',
      message: expect.stringMatching(/Unknown barcode 4006381333931/),
      error: { code: 'unknown-barcode', message: expect.stringMatching(/Unknown barcode/), detail: { code: '4006381333931' }, key: 'barcode.unknown' }
    })
    expect(till.app.sales.current()!.lines).toHaveLength(1)

    // Unplugged and plugged back: the selection survives and scans flow again.
    backend.unplug(SCANNER.path, { readError: true })
    manager.poll()
    // While unplugged it stays in the list as selected, so saving the settings screen does not drop it.
    expect(await till.app.registry.dispatch('backoffice', 'scanners:list', {})).toMatchObject({ ok: true, value: [{ deviceKey: '0c2e:0b81', selected: true, connected: false }] })
    backend.plug(SCANNER)
    for (let i = 0; i < 4; i++) manager.poll()
    backend.opened.at(-1)!.report(hidPosReport('3761234500021'))
    expect(till.app.sales.current()!.lines.map((l) => l.name)).toEqual(['Cola 330 ml can', 'Croissant'])
    // The selection is stored in the ledger, so a restart reads the same scanner.
    expect(till.app.db.prepare("SELECT value FROM settings WHERE key = 'scanners'").get()).toEqual({ value: expect.stringContaining('"vendorId":3118') })
  })
})

describe('a keyboard-mode scanner read through hidraw', () => {
  const KEYBOARD = { vendorId: 0x05e0, productId: 0x1200, path: '/dev/hidraw5', product: 'Symbol DS2208 (keyboard)', manufacturer: 'Zebra', usagePage: 0x01, usage: 0x06 }

  /** Boot keyboard reports typing `code` then Enter: a key-down report and an all-zero release per key. */
  function keyReports(code: string): Buffer[] {
    const usage = (ch: string) => (ch === '0' ? 0x27 : 0x1d + Number.parseInt(ch, 10))
    return [...code, '\n'].flatMap((ch) => [Buffer.from([0, 0, ch === '\n' ? 0x28 : usage(ch), 0, 0, 0, 0, 0]), Buffer.alloc(8)])
  }

  it('counts one physical scan once, although the OS also types it into the window as a wedge burst', async () => {
    backend.plug(KEYBOARD)
    await till.app.registry.dispatch('backoffice', 'scanners:select', { selections: [{ vendorId: 0x05e0, productId: 0x1200, mode: 'keyboard' }] })
    const handle = backend.opened.find((h) => h.path === KEYBOARD.path)!
    for (const report of keyReports('5901234123013')) handle.report(report)
    expect(till.app.sales.current()!.lines[0]).toMatchObject({ name: 'Cola 330 ml can', quantity: 1 })
    // The same keys, typed by the OS into the cashier window, reach the wedge detector a moment later.
    till.clock.advance(40)
    expect(await till.app.registry.dispatch('cashier', 'sale:scan', { code: '5901234123013', source: 'wedge' })).toMatchObject({ ok: true, value: { lines: [{ quantity: 1 }] } })
    // A second real scan is a second item, through either path.
    till.clock.advance(800)
    expect(await till.app.registry.dispatch('cashier', 'sale:scan', { code: '5901234123013', source: 'wedge' })).toMatchObject({ ok: true, value: { lines: [{ quantity: 2 }] } })
    till.clock.advance(800)
    for (const report of keyReports('5901234123013')) handle.report(report)
    expect(till.app.sales.current()!.lines[0]!.quantity).toBe(3)
  })
})

describe('receipts and the drawer on a TCP printer', () => {
  function useTcpPrinter(port: number) {
    till.app.receipts.save({ name: 'front', profile: { profile: 'epson-tm-80' }, transport: { kind: 'tcp', host: '127.0.0.1', port }, drawerOnCash: true })
  }

  it('a cash sale prints its receipt and opens the drawer', async () => {
    printer = await startTcpPrinter()
    useTcpPrinter(printer.port)
    till.app.sales.scan('5901234123013', 'wedge')
    till.app.sales.tenderCash(500)
    const sale = till.app.sales.complete()
    await till.app.receipts.kick()
    await expect.poll(() => till.app.receipts.queue.pending().length).toBe(0)
    const decoded = decodeEscPos(printer.printed())
    const text = decoded.lines.join('\n')
    expect(text).toContain('Stabletill Demo Store')
    expect(text).toContain('Cola 330 ml can')
    expect(text).toMatch(/1\.07/) // total with tax
    expect(text).toMatch(/3\.93/) // change from 5.00
    expect(text).toContain(sale.journalHash!.slice(0, 12))
    expect(decoded.cuts.length).toBeGreaterThanOrEqual(1)
    expect(decoded.drawerPulses).toEqual([expect.objectContaining({ pin: 2 })])
  })

  it('a Simplified Chinese store prints its receipt in GB18030', async () => {
    printer = await startTcpPrinter()
    useTcpPrinter(printer.port)
    await till.app.registry.dispatch('cashier', 'settings:set-locale', { locale: 'zh-CN' })
    till.app.sales.scan('6901234567014', 'wedge') // 绿茶 500毫升
    till.app.sales.tenderCash(500)
    till.app.sales.complete()
    await till.app.receipts.kick()
    await expect.poll(() => till.app.receipts.queue.pending().length).toBe(0)
    const text = decodeEscPos(printer.printed()).lines.join('\n')
    expect(text).toContain('绿茶 500毫升')
    expect(text).not.toContain('?')
  })

  it('an unreachable printer never blocks the sale; the receipt waits and prints once when the printer is back', async () => {
    useTcpPrinter(await closedPort())
    till.app.sales.scan('5901234123013', 'wedge')
    till.app.sales.tenderCash(107)
    const started = performance.now()
    const sale = till.app.sales.complete()
    expect(performance.now() - started).toBeLessThan(1000) // completion does not wait on the printer
    expect(sale.status).toBe('completed')
    await till.app.receipts.kick()
    const waiting = till.app.receipts.state()
    expect(waiting.pending).toBe(2) // receipt + drawer
    expect(waiting.lastError).toMatch(/unreachable|refused|connect/i)

    printer = await startTcpPrinter()
    useTcpPrinter(printer.port)
    for (const job of till.app.receipts.queue.pending()) till.app.receipts.retry(job.id)
    await till.app.receipts.kick()
    await expect.poll(() => till.app.receipts.queue.pending().length).toBe(0)
    const text = decodeEscPos(printer.printed()).lines.join('\n')
    expect(text.match(/Cola 330 ml can/g)).toHaveLength(1)
    expect(text).not.toContain('COPY')
  })

  it('No sale opens the drawer only with a manager PIN, and is journaled', async () => {
    printer = await startTcpPrinter()
    useTcpPrinter(printer.port)
    expect(await till.app.registry.dispatch('cashier', 'drawer:no-sale', { pin: '9999' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await till.app.registry.dispatch('cashier', 'drawer:no-sale', { pin: '1234' })).toMatchObject({ ok: true, value: { kind: 'drawer' } })
    await till.app.receipts.kick()
    await expect.poll(() => decodeEscPos(printer!.printed()).drawerPulses.length).toBe(1)
    const noSales = till.app.db.prepare("SELECT count(*) AS n FROM journal WHERE kind = 'drawer.no-sale'").get()
    expect(noSales).toEqual({ n: 1 })
  })
})
