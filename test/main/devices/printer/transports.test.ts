import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { drawerKick } from '../../../../src/main/devices/printer/commands'
import {
  DeviceFileTransport,
  PrinterError,
  TcpTransport,
  UsbTransport,
  VirtualPrinterTransport,
  type UsbAdapterLike
} from '../../../../src/main/devices/printer/transports'
import { decodeEscPos } from '../../../fixtures/escpos-decoder'
import { closedPort, startTcpPrinter, type TcpPrinterServer } from '../../../fixtures/tcp-printer'

let server: TcpPrinterServer | null = null
const dirs: string[] = []
afterEach(async () => {
  await server?.close()
  server = null
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stabletill-printer-'))
  dirs.push(dir)
  return dir
}


describe('TCP transport', () => {
  it('reads DLE EOT status from the printer and follows its changes', async () => {
    server = await startTcpPrinter()
    const transport = new TcpTransport({ host: server.host, port: server.port })
    expect(await transport.readStatus()).toMatchObject({ online: true, paperOut: false, coverOpen: false })
    server.status = { ...server.status, paperOut: true, online: false }
    expect(await transport.readStatus()).toMatchObject({ online: false, paperOut: true })
    server.status = { ...server.status, paperOut: false, online: true, coverOpen: true }
    expect(await transport.readStatus()).toMatchObject({ coverOpen: true, paperOut: false })
    await transport.write(drawerKick({ pin: 2, onMs: 100, offMs: 200 }))
    await server.waitForBytes(12 * 3 + 5)
    const decoded = decodeEscPos(server.received())
    expect(decoded.statusRequests).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4])
    expect(decoded.drawerPulses).toEqual([{ pin: 2, onMs: 100, offMs: 200 }])
    await transport.close()
  })

  it('an unreachable printer fails fast with reason "unreachable"', async () => {
    const transport = new TcpTransport({ host: '127.0.0.1', port: await closedPort(), connectTimeoutMs: 500 })
    const started = Date.now()
    const error = await transport.write(Buffer.from('x')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrinterError)
    expect((error as PrinterError).reason).toBe('unreachable')
    expect((error as PrinterError).message).toMatch(/unreachable \(ECONNREFUSED\)/)
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('a printer that does not answer DLE EOT times out, and the next job reconnects', async () => {
    server = await startTcpPrinter()
    server.silent = true
    const transport = new TcpTransport({ host: server.host, port: server.port, statusTimeoutMs: 200 })
    const error = await transport.readStatus().catch((e: unknown) => e)
    expect((error as PrinterError).reason).toBe('timeout')
    server.silent = false
    expect(await transport.readStatus()).toMatchObject({ online: true })
    expect(server.connections()).toHaveLength(2)
    await transport.close()
  })
})

describe('device file transport', () => {
  it('writes the bytes to the device file (a plain file here) and appends per job', async () => {
    const file = join(tempDir(), 'lp0')
    const transport = new DeviceFileTransport({ path: file })
    await transport.write(Buffer.from([1, 2]))
    await transport.write(Buffer.from([3]))
    expect([...readFileSync(file)]).toEqual([1, 2, 3])
    expect('readStatus' in transport).toBe(false)
  })

  it('a missing device is "unreachable" with the path in the message', async () => {
    const transport = new DeviceFileTransport({ path: join(tempDir(), 'no-such-dir', 'lp0') })
    const error = (await transport.write(Buffer.from([1])).catch((e: unknown) => e)) as PrinterError
    expect(error.reason).toBe('unreachable')
    expect(error.message).toMatch(/No printer at .*lp0/)
  })
})

describe('virtual printer', () => {
  it('appends the bytes to a file in its folder and keeps the last preview', async () => {
    const folder = join(tempDir(), 'printers')
    const transport = new VirtualPrinterTransport({ folder, name: 'front' })
    await transport.write(Buffer.from('one\n'))
    await transport.write(Buffer.from('two\n'))
    expect(readFileSync(transport.bytesFile, 'latin1')).toBe('one\ntwo\n')
    transport.keepPreview('<svg>x</svg>')
    expect(transport.lastPreviewSvg).toBe('<svg>x</svg>')
    await expect.poll(() => existsSync(transport.previewFile)).toBe(true)
    expect(() => new VirtualPrinterTransport({ folder, name: '../evil' })).toThrow()
  })
})

describe('USB transport (fake adapter at the USB write seam)', () => {
  it('opens once and writes through the adapter', async () => {
    const writes: Buffer[] = []
    let opens = 0
    const adapter: UsbAdapterLike = {
      open: (cb) => {
        opens++
        cb(null)
      },
      write: (data, cb) => {
        writes.push(data)
        cb(null)
      },
      close: (cb) => cb(null)
    }
    const transport = new UsbTransport({ vendorId: 0x04b8, productId: 0x0202, loadAdapter: async () => adapter })
    await transport.write(Buffer.from([1]))
    await transport.write(Buffer.from([2]))
    expect(opens).toBe(1)
    expect(writes.map((b) => [...b])).toEqual([[1], [2]])
    await transport.close()
  })

  it('a failed native module load is a clear "unsupported" error', async () => {
    const transport = new UsbTransport({
      loadAdapter: async () => {
        throw new PrinterError('unsupported', 'USB printing is not available: the native "usb" module failed to load (test).')
      }
    })
    const error = (await transport.write(Buffer.from([1])).catch((e: unknown) => e)) as PrinterError
    expect(error.reason).toBe('unsupported')
    expect(error.message).toMatch(/native "usb" module/)
  })

  it('without a seam it tries @node-escpos/usb-adapter and reports a clear error when there is no printer or no usb module', async () => {
    const error = (await new UsbTransport({ vendorId: 0x04b8, productId: 0x0202 }).write(Buffer.from([1])).catch((e: unknown) => e)) as PrinterError
    expect(error).toBeInstanceOf(PrinterError)
    expect(['unsupported', 'unreachable']).toContain(error.reason)
  })
})
