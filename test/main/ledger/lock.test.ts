// One till process per data folder, and a lost ledger refused (src/main/ledger/lock.ts), against real processes:
// the lock must hold across processes and vanish with a process killed by SIGKILL.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, LEDGER_FILE } from '../../../src/main/app'
import { claimDataFolder, DataFolderInUseError, LedgerMissingError, STORE_MARKER_FILE } from '../../../src/main/ledger/lock'
import { ManualClock } from '../../../src/shared/clock'

const ROOT = resolve(__dirname, '..', '..', '..')
const RESOURCES = join(ROOT, 'resources')

let dataDir: string
const children: ChildProcessWithoutNullStreams[] = []
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'stabletill-lock-'))
})
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done))
      child.kill('SIGKILL')
      await exited
    }
  }
  rmSync(dataDir, { recursive: true, force: true })
})

const open = () => createApp({ dataDir, clock: new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0)), resourcesDir: RESOURCES })

/** Another process holding the folder, as a second till would. */
async function holderProcess(): Promise<ChildProcessWithoutNullStreams> {
  const script = "require('./src/main/ledger/lock').claimDataFolder(process.argv[1]); console.log('held'); setInterval(() => {}, 1000)"
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dataDir], { cwd: ROOT })
  children.push(child)
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  await new Promise<void>((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('held')) done()
    })
    child.once('exit', (code) => fail(new Error(`holder exited ${code}: ${stderr}`)))
  })
  return child
}

/** What a one-off claim in another process ends with: 'claimed' or the error's name. */
async function claimInChild(): Promise<string> {
  const script = "try { require('./src/main/ledger/lock').claimDataFolder(process.argv[1]); console.log('claimed') } catch (e) { console.log(e.name) }"
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dataDir], { cwd: ROOT })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  await new Promise((done) => child.once('exit', done))
  return out.trim()
}

function refusal(run: () => unknown): Error {
  try {
    run()
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a refusal')
}

describe('one till process per data folder', () => {
  it('refuses a second process with a clear message naming the first one, and takes over once it is killed', async () => {
    const holder = await holderProcess()
    const error = refusal(open)
    expect(error).toBeInstanceOf(DataFolderInUseError)
    expect(error.message).toContain(`This data folder is already open in another Stabletill (pid ${holder.pid})`)
    // Refused before the ledger was touched: no ledger, no store was created.
    expect(existsSync(join(dataDir, LEDGER_FILE))).toBe(false)

    // SIGKILL leaves no stale lock behind: the OS drops the holder's file lock with the process.
    const exited = new Promise((done) => holder.once('exit', done))
    holder.kill('SIGKILL')
    await exited
    const app = open()
    expect(app.store.settings().storeName).toBeTruthy()
    // And now this process holds it: another process is refused in turn.
    const second = spawn(process.execPath, ['--import', 'tsx', '-e', "try { require('./src/main/ledger/lock').claimDataFolder(process.argv[1]) } catch (e) { console.log(e.message); process.exit(3) }", dataDir], { cwd: ROOT })
    let out = ''
    second.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const code = await new Promise((done) => second.once('exit', done))
    expect(code).toBe(3)
    expect(out).toContain(`(pid ${process.pid})`)
    await app.close()
    // Closed: the folder is free again.
    await holderProcess()
  }, 30_000)

  it('gives the lock back when the ledger refuses to open, so nothing stays locked by a failed start', async () => {
    const app = open()
    app.db.pragma('user_version = 999')
    await app.close()
    expect(refusal(open).message).toMatch(/newer Stabletill/)
    await holderProcess()
  }, 30_000)
})

describe('a lost ledger is an error, not a new store', () => {
  it('refuses a 0-byte ledger beside the store marker, and overwrites nothing', async () => {
    const app = open()
    const sale = app.sales.scan('5901234123013', 'manual')
    expect(sale.lines).toHaveLength(1)
    await app.close()
    const marker = readFileSync(join(dataDir, STORE_MARKER_FILE), 'utf8')
    expect(JSON.parse(marker)).toMatchObject({ storeId: expect.any(String) })

    truncateSync(join(dataDir, LEDGER_FILE), 0)
    for (const suffix of ['-wal', '-shm']) rmSync(join(dataDir, `${LEDGER_FILE}${suffix}`), { force: true })
    const error = refusal(open)
    expect(error).toBeInstanceOf(LedgerMissingError)
    expect(error.message).toMatch(/is empty \(0 bytes\), but this folder has held a store/)
    expect(error.message).toContain(JSON.parse(marker).storeId)
    expect(error.message).toMatch(/Restore the ledger from a backup/)
    // Nothing was written: still 0 bytes, the marker unchanged, and the folder is not left locked.
    expect(statSync(join(dataDir, LEDGER_FILE)).size).toBe(0)
    expect(readFileSync(join(dataDir, STORE_MARKER_FILE), 'utf8')).toBe(marker)
    // Another process gets past the lock (so none was left held) and meets the same refusal.
    expect(await claimInChild()).toBe('LedgerMissingError')
  }, 30_000)

  it('refuses a missing ledger beside the marker, and creates no file', async () => {
    await open().close()
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dataDir, `${LEDGER_FILE}${suffix}`), { force: true })
    expect(refusal(open).message).toMatch(/stabletill\.sqlite is missing, but this folder has held a store/)
    expect(existsSync(join(dataDir, LEDGER_FILE))).toBe(false)
  })

  it('a brand-new folder starts a store and is marked at once; a ledger from before markers is marked on its next start', async () => {
    const app = open()
    // Marked as soon as the ledger is open, before the first close: a crash then a truncation is still caught.
    expect(existsSync(join(dataDir, STORE_MARKER_FILE))).toBe(true)
    await app.close()
    unlinkSync(join(dataDir, STORE_MARKER_FILE))
    const claim = claimDataFolder(dataDir, LEDGER_FILE)
    expect(existsSync(join(dataDir, STORE_MARKER_FILE))).toBe(true)
    claim.release()
  })
})
