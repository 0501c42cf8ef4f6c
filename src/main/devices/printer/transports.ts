// How bytes reach a printer. Each transport is a thin pipe: write a job's bytes, optionally answer a DLE EOT
// status read (two-way links only), close. Every failure becomes a PrinterError with a reason a service can act on
// and a message a cashier can read.
import { Socket } from 'node:net'
import { appendFile, mkdir, open, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TillError } from '../../../shared/result'
import { isStatusByte, parseStatus, statusProblem, statusRequest, type PrinterStatus, type StatusRequest } from './commands'

export type { PrinterStatus } from './commands'

export type PrinterErrorReason =
  | 'unreachable'
  | 'timeout'
  | 'paper-out'
  | 'cover-open'
  | 'printer-error'
  | 'offline'
  | 'protocol'
  | 'unsupported'
  | 'io'

/** A printer failure. code 'unavailable' for the api layer; `reason` for the queue and the UI. */
export class PrinterError extends TillError {
  constructor(
    readonly reason: PrinterErrorReason,
    message: string
  ) {
    super('unavailable', message, { reason })
    this.name = 'PrinterError'
  }
}

/** Throws the PrinterError that matches a status that cannot take a job (paper out, cover open, error, offline). */
export function assertPrinterReady(status: PrinterStatus, printer: string): void {
  const problem = statusProblem(status)
  if (problem === null) return
  const reason: PrinterErrorReason = status.paperOut ? 'paper-out' : status.coverOpen ? 'cover-open' : status.error ? 'printer-error' : 'offline'
  throw new PrinterError(reason, `${printer}: ${problem}`)
}

export type TransportKind = 'tcp' | 'device-file' | 'usb' | 'virtual'

export interface PrinterTransport {
  readonly kind: TransportKind
  /** Human name for messages, e.g. "tcp 192.168.1.50:9100". */
  readonly description: string
  write(bytes: Uint8Array): Promise<void>
  /** Real-time status (DLE EOT 1–4). Only on two-way links. */
  readStatus?(): Promise<PrinterStatus>
  /** Keeps the preview of the last receipt (virtual printer only). */
  keepPreview?(svg: string): void
  close(): Promise<void>
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => PrinterError): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms)
    })
  ]).finally(() => clearTimeout(timer))
}

// ---------------------------------------------------------------------------------------------------------------
// TCP (raw port 9100, "JetDirect"): the way Ethernet ESC/POS printers take jobs. Two-way: DLE EOT replies come
// back on the same socket.

export interface TcpTransportOptions {
  readonly host: string
  readonly port?: number
  readonly connectTimeoutMs?: number
  readonly writeTimeoutMs?: number
  readonly statusTimeoutMs?: number
  /** DLE EOT 1 bit 2 polarity (see PrinterProfile.drawerOpenLevel). */
  readonly drawerOpenLevel?: 'high' | 'low'
}

export class TcpTransport implements PrinterTransport {
  readonly kind = 'tcp' as const
  readonly description: string
  private socket: Socket | null = null
  private inbox: number[] = []
  private waiter: (() => void) | null = null
  private readonly host: string
  private readonly port: number
  private readonly connectTimeoutMs: number
  private readonly writeTimeoutMs: number
  private readonly statusTimeoutMs: number
  private readonly drawerOpenLevel: 'high' | 'low'

  constructor(options: TcpTransportOptions) {
    this.host = options.host
    this.port = options.port ?? 9100
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3000
    this.writeTimeoutMs = options.writeTimeoutMs ?? 10_000
    this.statusTimeoutMs = options.statusTimeoutMs ?? 1500
    this.drawerOpenLevel = options.drawerOpenLevel ?? 'high'
    this.description = `tcp ${this.host}:${this.port}`
  }

  /** Connects on first use and again after any failure ("reconnect on next job"). */
  private connect(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket)
    return new Promise((resolve, reject) => {
      const socket = new Socket()
      const fail = (error: PrinterError): void => {
        socket.destroy()
        reject(error)
      }
      const timer = setTimeout(
        () => fail(new PrinterError('unreachable', `Printer at ${this.host}:${this.port} did not answer within ${this.connectTimeoutMs} ms.`)),
        this.connectTimeoutMs
      )
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        fail(new PrinterError('unreachable', `Printer at ${this.host}:${this.port} is unreachable (${e.code ?? e.message}).`))
      })
      socket.connect(this.port, this.host, () => {
        clearTimeout(timer)
        socket.removeAllListeners('error')
        socket.setNoDelay(true)
        socket.on('data', (chunk: Buffer) => {
          for (const byte of chunk) this.inbox.push(byte)
          this.waiter?.()
        })
        // Any later socket error just drops the connection; the next job reconnects.
        socket.on('error', () => socket.destroy())
        socket.on('close', () => {
          if (this.socket === socket) this.socket = null
          this.waiter?.()
        })
        this.socket = socket
        this.inbox = []
        resolve(socket)
      })
    })
  }

  async write(bytes: Uint8Array): Promise<void> {
    const socket = await this.connect()
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.write(bytes, (e) =>
          e ? reject(new PrinterError('io', `Sending to ${this.host}:${this.port} failed: ${e.message}`)) : resolve()
        )
      }),
      this.writeTimeoutMs,
      () => {
        // The printer stopped taking data (TCP window full: paper out mid-job, or the link died).
        socket.destroy()
        return new PrinterError('timeout', `Printer at ${this.host}:${this.port} stopped accepting data for ${this.writeTimeoutMs} ms.`)
      }
    )
  }

  private async nextByte(socket: Socket): Promise<number> {
    const deadline = Date.now() + this.statusTimeoutMs
    while (this.inbox.length === 0) {
      if (socket.destroyed) throw new PrinterError('unreachable', `Printer at ${this.host}:${this.port} closed the connection.`)
      const left = deadline - Date.now()
      if (left <= 0) {
        // A late reply would be taken for the answer to the next request: drop the connection instead.
        socket.destroy()
        throw new PrinterError('timeout', `Printer at ${this.host}:${this.port} did not answer a status request within ${this.statusTimeoutMs} ms.`)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiter = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.waiter = null
    }
    return this.inbox.shift()!
  }

  private async request(socket: Socket, n: StatusRequest): Promise<number> {
    await this.write(statusRequest(n))
    const byte = await this.nextByte(socket)
    if (!isStatusByte(byte)) {
      socket.destroy()
      throw new PrinterError('protocol', `Printer at ${this.host}:${this.port} answered DLE EOT ${n} with 0x${byte.toString(16)}, not a status byte.`)
    }
    return byte
  }

  /** DLE EOT 1, 2, 3, 4 in turn, one reply byte each (Epson: replies come back in request order). */
  async readStatus(): Promise<PrinterStatus> {
    const socket = await this.connect()
    // Stale bytes (an ASB message or a reply that came after a timeout) must not be read as this answer.
    this.inbox = []
    const printer = await this.request(socket, 1)
    const offline = await this.request(socket, 2)
    const error = await this.request(socket, 3)
    const paper = await this.request(socket, 4)
    return parseStatus({ printer, offline, error, paper }, this.drawerOpenLevel)
  }

  async close(): Promise<void> {
    const socket = this.socket
    this.socket = null
    if (!socket || socket.destroyed) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy()
        resolve()
      }, 1000)
      socket.end(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Device file (/dev/usb/lp0 from the usblp kernel driver, a parallel port, a serial tty already configured):
// one-way, the kernel does the USB. Opened per job so an unplugged printer is seen on the next job.

export interface DeviceFileTransportOptions {
  readonly path: string
  readonly writeTimeoutMs?: number
}

export class DeviceFileTransport implements PrinterTransport {
  readonly kind = 'device-file' as const
  readonly description: string
  private readonly path: string
  private readonly writeTimeoutMs: number

  constructor(options: DeviceFileTransportOptions) {
    this.path = options.path
    this.writeTimeoutMs = options.writeTimeoutMs ?? 10_000
    this.description = `device ${this.path}`
  }

  async write(bytes: Uint8Array): Promise<void> {
    const work = (async () => {
      // 'a': harmless on a character device, and a plain file (tests, a spool) keeps every job.
      const handle = await open(this.path, 'a')
      try {
        await handle.write(bytes)
      } finally {
        await handle.close()
      }
    })().catch((e: NodeJS.ErrnoException) => {
      if (e instanceof PrinterError) throw e
      const why =
        e.code === 'ENOENT' || e.code === 'ENODEV' || e.code === 'ENXIO'
          ? new PrinterError('unreachable', `No printer at ${this.path} (${e.code}): is it plugged in and switched on?`)
          : e.code === 'EACCES' || e.code === 'EPERM'
            ? new PrinterError('io', `No permission to write ${this.path}: add this user to the "lp" group.`)
            : new PrinterError('io', `Writing to ${this.path} failed: ${e.code ?? e.message}`)
      throw why
    })
    // usblp blocks a write while the printer is out of paper; we stop waiting (the kernel write may still finish).
    await withTimeout(work, this.writeTimeoutMs, () => new PrinterError('timeout', `${this.path} did not take the job within ${this.writeTimeoutMs} ms (paper out or printer off?).`))
  }

  async close(): Promise<void> {}
}

// ---------------------------------------------------------------------------------------------------------------
// USB through @node-escpos/usb-adapter (libusb via the native `usb` module). Loaded lazily: a till without a USB
// printer never loads native code, and a failed native build gives a clear error instead of a crash at startup.
// The adapter is the seam tests replace (USB hardware cannot exist here).

export interface UsbAdapterLike {
  open(callback: (error: Error | null) => void): unknown
  write(data: Buffer, callback: (error: Error | null) => void): unknown
  close(callback: (error: Error | null) => void): unknown
}

export interface UsbTransportOptions {
  readonly vendorId?: number
  readonly productId?: number
  readonly writeTimeoutMs?: number
  /** Test seam: returns the adapter; defaults to loading @node-escpos/usb-adapter. */
  readonly loadAdapter?: (vendorId?: number, productId?: number) => Promise<UsbAdapterLike>
}

async function loadNodeEscposUsb(vendorId?: number, productId?: number): Promise<UsbAdapterLike> {
  let mod: { default: new (vid?: number, pid?: number) => UsbAdapterLike }
  try {
    mod = (await import('@node-escpos/usb-adapter')) as unknown as typeof mod
  } catch (e) {
    throw new PrinterError(
      'unsupported',
      `USB printing is not available: the native "usb" module failed to load (${(e as Error).message}). ` +
        'Use a network or /dev/usb/lp printer, or rebuild native modules for this Electron.'
    )
  }
  try {
    return new mod.default(vendorId, productId)
  } catch (e) {
    throw new PrinterError('unreachable', `No USB printer found${vendorId ? ` (${vendorId.toString(16)}:${(productId ?? 0).toString(16)})` : ''}: ${(e as Error).message}`)
  }
}

export class UsbTransport implements PrinterTransport {
  readonly kind = 'usb' as const
  readonly description: string
  private adapter: UsbAdapterLike | null = null
  private readonly options: UsbTransportOptions

  constructor(options: UsbTransportOptions = {}) {
    this.options = options
    this.description = options.vendorId ? `usb ${options.vendorId.toString(16)}:${(options.productId ?? 0).toString(16)}` : 'usb (first printer)'
  }

  private async opened(): Promise<UsbAdapterLike> {
    if (this.adapter) return this.adapter
    const adapter = await (this.options.loadAdapter ?? loadNodeEscposUsb)(this.options.vendorId, this.options.productId)
    await new Promise<void>((resolve, reject) =>
      adapter.open((e) => (e ? reject(new PrinterError('unreachable', `Cannot open the USB printer: ${e.message}`)) : resolve()))
    )
    this.adapter = adapter
    return adapter
  }

  async write(bytes: Uint8Array): Promise<void> {
    const adapter = await this.opened()
    const timeoutMs = this.options.writeTimeoutMs ?? 10_000
    await withTimeout(
      new Promise<void>((resolve, reject) =>
        adapter.write(Buffer.from(bytes), (e) => {
          if (!e) return resolve()
          this.adapter = null // reopen on the next job
          reject(new PrinterError('io', `USB write failed: ${e.message}`))
        })
      ),
      timeoutMs,
      () => {
        this.adapter = null
        return new PrinterError('timeout', `The USB printer did not take the job within ${timeoutMs} ms.`)
      }
    )
  }

  async close(): Promise<void> {
    const adapter = this.adapter
    this.adapter = null
    if (adapter) await new Promise<void>((resolve) => adapter.close(() => resolve()))
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Virtual printer for the demo store and tests: appends every job's bytes to <folder>/<name>.escpos and keeps the
// last receipt preview (<folder>/<name>.last.svg). Two-way, with a status a demo or test can set.

export interface VirtualPrinterOptions {
  readonly folder: string
  readonly name: string
}

export const READY_STATUS: PrinterStatus = {
  online: true,
  coverOpen: false,
  paperOut: false,
  paperNearEnd: false,
  error: false,
  drawerOpen: false
}

export class VirtualPrinterTransport implements PrinterTransport {
  readonly kind = 'virtual' as const
  readonly description: string
  readonly bytesFile: string
  readonly previewFile: string
  status: PrinterStatus = READY_STATUS
  lastPreviewSvg: string | null = null
  private readonly folder: string

  constructor(options: VirtualPrinterOptions) {
    if (!/^[\w.-]+$/.test(options.name)) throw new Error(`virtual printer name "${options.name}" must be a plain file name`)
    this.folder = options.folder
    this.bytesFile = join(options.folder, `${options.name}.escpos`)
    this.previewFile = join(options.folder, `${options.name}.last.svg`)
    this.description = `virtual ${options.name}`
  }

  async write(bytes: Uint8Array): Promise<void> {
    try {
      await mkdir(this.folder, { recursive: true })
      await appendFile(this.bytesFile, bytes)
    } catch (e) {
      throw new PrinterError('io', `Virtual printer cannot write ${this.bytesFile}: ${(e as Error).message}`)
    }
  }

  async readStatus(): Promise<PrinterStatus> {
    return this.status
  }

  keepPreview(svg: string): void {
    this.lastPreviewSvg = svg
    // Best effort: the preview is a convenience, the bytes file is the record.
    mkdir(this.folder, { recursive: true })
      .then(() => writeFile(this.previewFile, svg))
      .catch(() => undefined)
  }

  async close(): Promise<void> {}
}
