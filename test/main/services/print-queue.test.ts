import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/shared/clock'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { PROFILES, type PrinterProfile } from '../../../src/main/devices/printer/profiles'
import { PrinterError, TcpTransport, VirtualPrinterTransport, type PrinterTransport } from '../../../src/main/devices/printer/transports'
import { PrintQueue, type PrintJob } from '../../../src/main/services/print-queue'
import { decodeEscPos, decodedText } from '../../fixtures/escpos-decoder'
import { tempLedger, type TempLedger } from '../../fixtures/ledger'
import { cashReceipt, EXPLORER_URL, stablecoinReceipt } from '../../fixtures/receipts'
import { startTcpPrinter, type TcpPrinterServer } from '../../fixtures/tcp-printer'

let ledger: TempLedger
let server: TcpPrinterServer
let clock: ManualClock
const transports: PrinterTransport[] = []
const dirs: string[] = []

beforeEach(async () => {
  ledger = tempLedger()
  server = await startTcpPrinter()
  clock = new ManualClock()
})
afterEach(async () => {
  for (const t of transports.splice(0)) await t.close()
  await server.close()
  ledger.cleanup()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function queueFor(
  printers: Record<string, { transport: PrinterTransport; profile?: PrinterProfile }>,
  onChange?: (job: PrintJob) => void
): PrintQueue {
  for (const p of Object.values(printers)) transports.push(p.transport)
  return new PrintQueue({
    db: ledger.db,
    clock,
    tillId: 'till-1',
    transportFor: (name) => {
      const p = printers[name]
      if (!p) throw new Error(`no printer ${name}`)
      return p.transport
    },
    profileFor: (name) => printers[name]?.profile ?? PROFILES['epson-tm-80'],
    onChange
  })
}

function tcp(options: { port?: number; connectTimeoutMs?: number } = {}): TcpTransport {
  return new TcpTransport({ host: '127.0.0.1', port: options.port ?? server.port, connectTimeoutMs: options.connectTimeoutMs ?? 1000, statusTimeoutMs: 500 })
}

function journalKinds(): string[] {
  return (ledger.db.prepare('SELECT kind FROM journal ORDER BY seq').all() as { kind: string }[]).map((r) => r.kind)
}

describe('PrintQueue', () => {
  it('saves the receipt and its journal entry synchronously, before any byte is sent', () => {
    const queue = queueFor({ front: { transport: tcp() } })
    const job = queue.enqueueReceipt(cashReceipt(), 'front')
    expect(job).toMatchObject({ kind: 'receipt', status: 'queued', attempts: 0, copy: false, saleId: 'sale-0001', printer: 'front' })
    expect(queue.pending().map((j) => j.id)).toEqual([job.id])
    expect(journalKinds()).toEqual(['print.queued'])
    expect(server.received()).toHaveLength(0)
    // Survives a restart of the till.
    const reopened = ledger.reopen()
    expect((reopened.prepare('SELECT status, document FROM print_jobs').get() as { status: string; document: string }).status).toBe('queued')
  })

  it('prints a queued receipt to the TCP printer with status checks before and after, and journals it', async () => {
    const changes: string[] = []
    const queue = queueFor({ front: { transport: tcp() } }, (j) => changes.push(j.status))
    const job = queue.enqueueReceipt(stablecoinReceipt(), 'front')
    clock.advance(1000)
    await queue.process()

    const done = queue.get(job.id)
    expect(done).toMatchObject({ status: 'printed', attempts: 1, lastError: null, printedAt: clock.now() })
    expect(changes).toEqual(['queued', 'sending', 'printed'])
    expect(journalKinds()).toEqual(['print.queued', 'print.printed'])
    expect(verifyJournal(ledger.db)).toMatchObject({ ok: true })

    const decoded = decodeEscPos(server.received())
    expect(decoded.statusRequests).toEqual([1, 2, 3, 4, 1, 2, 3, 4])
    expect(decodedText(decoded)).toMatch(/TOTAL EUR +11\.48/)
    expect(decoded.qrCodes.map((q) => q.payload)).toEqual([EXPLORER_URL])
    expect(decoded.cuts).toHaveLength(1)
  })

  it('kicks the drawer on pin 2', async () => {
    const queue = queueFor({ front: { transport: tcp() } })
    const job = queue.enqueueDrawerKick('front', 'sale', 'sale-0001')
    await queue.process()
    expect(queue.get(job.id)).toMatchObject({ kind: 'drawer', status: 'printed', reason: 'sale' })
    expect(decodeEscPos(server.printed()).drawerPulses).toEqual([{ pin: 2, onMs: 100, offMs: 200 }])
  })

  it('paper out: sends no bytes, keeps the job queued with a clear message, and prints it exactly once after the roll is changed', async () => {
    server.status = { ...server.status, paperOut: true, online: false }
    const queue = queueFor({ front: { transport: tcp() } })
    const job = queue.enqueueReceipt(cashReceipt(), 'front')
    const later = queue.enqueueReceipt(cashReceipt({ saleId: 'sale-0009', saleNumber: 49 }), 'front')

    await queue.process()
    expect(queue.get(job.id)).toMatchObject({ status: 'queued', attempts: 1, outcomeUnknown: false })
    expect(queue.get(job.id).lastError).toMatch(/out of paper: load a new roll/)
    // The later job on the same printer waits its turn (no second attempt in the same run).
    expect(queue.get(later.id)).toMatchObject({ status: 'queued', attempts: 0 })
    expect(server.printed()).toHaveLength(0)

    server.status = { ...server.status, paperOut: false, online: true }
    await queue.process()
    await queue.process()
    expect(queue.get(job.id)).toMatchObject({ status: 'printed', attempts: 2 })
    expect(queue.get(later.id)).toMatchObject({ status: 'printed', attempts: 1 })
    const decoded = decodeEscPos(server.printed())
    const text = decodedText(decoded)
    expect(text.match(/Sale #42 /g)).toHaveLength(1)
    expect(text.match(/Sale #49 /g)).toHaveLength(1)
    expect(text).not.toContain('COPY')
    expect(decoded.cuts).toHaveLength(2)
    // Order kept: sale 42 before sale 49.
    expect(text.indexOf('Sale #42')).toBeLessThan(text.indexOf('Sale #49'))
  })

  it('cover open keeps the job queued with its own message', async () => {
    server.status = { ...server.status, coverOpen: true }
    const queue = queueFor({ front: { transport: tcp() } })
    const job = queue.enqueueReceipt(cashReceipt(), 'front')
    await queue.process()
    expect(queue.get(job.id).lastError).toMatch(/cover is open/)
    expect(server.printed()).toHaveLength(0)
  })

  it('an unreachable printer leaves the job queued and process() returns promptly; other printers still print', async () => {
    const dead = createServer()
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve))
    const deadPort = (dead.address() as { port: number }).port
    await new Promise<void>((resolve) => dead.close(() => resolve()))

    const queue = queueFor({ back: { transport: tcp({ port: deadPort, connectTimeoutMs: 800 }) }, front: { transport: tcp() } })
    const stuck = queue.enqueueReceipt(cashReceipt(), 'back')
    const fine = queue.enqueueDrawerKick('front', 'no-sale')
    const started = Date.now()
    await expect(queue.process()).resolves.toBeUndefined()
    expect(Date.now() - started).toBeLessThan(2000)
    expect(queue.get(stuck.id)).toMatchObject({ status: 'queued', attempts: 1, outcomeUnknown: false })
    expect(queue.get(stuck.id).lastError).toMatch(/unreachable/)
    expect(queue.get(fine.id).status).toBe('printed')
  })

  it('a report (a Z) is queued and journaled like a receipt, waits while the printer is unreachable, and prints once when it is back', async () => {
    const dead = createServer()
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve))
    const deadPort = (dead.address() as { port: number }).port
    await new Promise<void>((resolve) => dead.close(() => resolve()))
    const printers: Record<string, { transport: PrinterTransport }> = { front: { transport: tcp({ port: deadPort, connectTimeoutMs: 500 }) } }
    const queue = queueFor(printers)
    const document = '{width:*}\n^^^`Z REPORT`\n|Z #7 |\n-\n'
    const job = queue.enqueueReport(document, 'front', 'z 7')
    expect(job).toMatchObject({ kind: 'report', saleId: null, status: 'queued', reason: 'z 7' })
    expect(journalKinds()).toEqual(['print.queued'])
    expect(() => queue.enqueueReport('  ', 'front', 'z 8')).toThrow(/no content/)

    await queue.process()
    expect(queue.get(job.id)).toMatchObject({ status: 'queued', attempts: 1 })
    expect(server.printed().length).toBe(0)
    // The printer is back (the same name, now reachable): a retry run sends it, once.
    printers['front'] = { transport: tcp() }
    transports.push(printers['front'].transport)
    await queue.process()
    expect(queue.get(job.id)).toMatchObject({ status: 'printed', attempts: 2 })
    await queue.process()
    const text = decodedText(decodeEscPos(server.printed()))
    expect(text.match(/Z REPORT/g)).toHaveLength(1)
    expect(text).toContain('Z #7')
    expect(journalKinds()).toEqual(['print.queued', 'print.printed'])
  })

  it('a reprint is a new job with COPY; a printed job is never re-sent and a second original is refused', async () => {
    const queue = queueFor({ front: { transport: tcp() } })
    const original = queue.enqueueReceipt(cashReceipt(), 'front')
    await queue.process()
    expect(() => queue.retry(original.id)).toThrow(/already printed/)
    expect(() => queue.enqueueReceipt(cashReceipt(), 'front')).toThrow(/already has its receipt/)
    expect(() => ledger.db.prepare("UPDATE print_jobs SET status = 'queued', printed_at = NULL WHERE id = ?").run(original.id)).toThrow(
      /never changed or re-sent/
    )

    const copy = queue.reprint(original.id)
    expect(copy).toMatchObject({ kind: 'reprint', copy: true, reprintOf: original.id, status: 'queued' })
    await queue.process()
    await queue.process()
    const connections = server.connections()
    const text = decodedText(decodeEscPos(server.printed()))
    expect(text.match(/Sale #42 /g)).toHaveLength(2)
    expect(text.match(/COPY/g)).toHaveLength(2) // banner top and bottom of the one copy
    expect(text.indexOf('COPY')).toBeGreaterThan(text.indexOf('Sale #42 '))
    expect(connections.length).toBeGreaterThanOrEqual(1)
    expect(queue.list().map((j) => [j.kind, j.status])).toEqual([
      ['reprint', 'printed'],
      ['receipt', 'printed']
    ])
  })

  it('a job interrupted while sending (crash) is re-sent as a COPY, never as a second original', async () => {
    const first = queueFor({ front: { transport: tcp() } })
    const job = first.enqueueReceipt(cashReceipt(), 'front')
    ledger.db.prepare("UPDATE print_jobs SET status = 'sending' WHERE id = ?").run(job.id)

    const restarted = queueFor({ front: { transport: tcp() } })
    expect(restarted.get(job.id)).toMatchObject({ status: 'queued', outcomeUnknown: true })
    await restarted.process()
    expect(restarted.get(job.id)).toMatchObject({ status: 'printed', copy: true })
    expect(decodedText(decodeEscPos(server.printed()))).toContain('COPY')
  })

  it('a write that fails after bytes may have left is retried as a COPY', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stabletill-flaky-'))
    dirs.push(folder)
    const virtual = new VirtualPrinterTransport({ folder, name: 'flaky' })
    let failNext = true
    const flaky: PrinterTransport = {
      kind: 'virtual',
      description: 'flaky',
      write: async (bytes) => {
        if (failNext) {
          failNext = false
          throw new PrinterError('timeout', 'Printer stopped accepting data for 10000 ms.')
        }
        await virtual.write(bytes)
      },
      close: async () => undefined
    }
    const queue = queueFor({ flaky: { transport: flaky } })
    const job = queue.enqueueReceipt(cashReceipt(), 'flaky')
    await queue.process()
    expect(queue.get(job.id)).toMatchObject({ status: 'queued', attempts: 1, outcomeUnknown: true })
    expect(queue.get(job.id).lastError).toMatch(/stopped accepting data/)
    await queue.process()
    expect(queue.get(job.id)).toMatchObject({ status: 'printed', copy: true, attempts: 2 })
    expect(decodedText(decodeEscPos(readFileSync(virtual.bytesFile)))).toContain('COPY')
  })

  it('retry() puts a failed job back in line', async () => {
    const queue = queueFor({ front: { transport: tcp() } })
    const job = queue.enqueueReceipt(cashReceipt(), 'front')
    ledger.db.prepare("UPDATE print_jobs SET status = 'failed', last_error = 'x' WHERE id = ?").run(job.id)
    expect(queue.pending()).toEqual([])
    expect(queue.retry(job.id)).toMatchObject({ status: 'queued', lastError: null })
    await queue.process()
    expect(queue.get(job.id).status).toBe('printed')
  })

  it('concurrent process() calls never send a job twice', async () => {
    const queue = queueFor({ front: { transport: tcp() } })
    queue.enqueueReceipt(cashReceipt(), 'front')
    await Promise.all([queue.process(), queue.process(), queue.process()])
    expect(decodeEscPos(server.printed()).cuts).toHaveLength(1)
  })

  it('the virtual printer (demo store) gets the bytes in its file and keeps the preview', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stabletill-virtual-'))
    dirs.push(folder)
    const virtual = new VirtualPrinterTransport({ folder, name: 'demo' })
    const queue = queueFor({ demo: { transport: virtual, profile: PROFILES['generic-58'] } })
    const job = queue.enqueueReceipt(stablecoinReceipt(), 'demo')
    await queue.process()
    expect(queue.get(job.id).status).toBe('printed')
    const decoded = decodeEscPos(readFileSync(virtual.bytesFile))
    expect(decodedText(decoded)).toMatch(/TOTAL EUR +11\.48/)
    expect(decoded.qrCodes).toEqual([{ source: 'raster', payload: EXPLORER_URL, atLine: expect.any(Number) }])
    expect(virtual.lastPreviewSvg).toContain('<svg')
  })

  it('the print_jobs table refuses bad rows (STRICT, CHECKs)', () => {
    const insert = ledger.db.prepare(
      'INSERT INTO print_jobs (sale_id, kind, document, data, profile, printer, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
    )
    expect(() => insert.run(null, 'drawer', null, null, 'epson-tm-80', 'front', 'lost', 1)).toThrow(/CHECK/)
    expect(() => insert.run(null, 'fax', null, null, 'epson-tm-80', 'front', 'queued', 1)).toThrow(/CHECK/)
    expect(() => insert.run(null, 'receipt', null, '{}', 'epson-tm-80', 'front', 'queued', 1)).toThrow(/CHECK/)
    expect(() => insert.run(null, 'drawer', null, null, 'epson-tm-80', 'front', 'printed', 1)).toThrow(/CHECK/)
    expect(() => ledger.db.prepare('DELETE FROM print_jobs').run()).not.toThrow() // empty table: nothing to refuse
    insert.run(null, 'drawer', null, null, 'epson-tm-80', 'front', 'queued', 1)
    expect(() => ledger.db.prepare('DELETE FROM print_jobs').run()).toThrow(/never deleted/)
  })
})
