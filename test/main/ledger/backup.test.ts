// Online backups (src/main/ledger/backup.ts, `npm run backup`) and the restore the report documents, on real files:
// the backup is taken by another process while this one keeps the till open and selling.
import { spawn } from 'node:child_process'
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, LEDGER_FILE, type App } from '../../../src/main/app'
import { runBackup } from '../../../src/main/cli/backup'
import { backupLedger, backupToFolder } from '../../../src/main/ledger/backup'
import { verifyJournal } from '../../../src/main/ledger/journal'
import { ManualClock } from '../../../src/shared/clock'

const ROOT = resolve(__dirname, '..', '..', '..')
const COLA = '5901234123013'
const WATER = '5012345000015'

const dirs: string[] = []
const apps: App[] = []
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stabletill-backup-'))
  dirs.push(dir)
  return dir
}

function open(dataDir: string): App {
  const app = createApp({ dataDir, clock: new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0)), resourcesDir: join(ROOT, 'resources') })
  apps.push(app)
  return app
}

function sell(app: App, count: number): void {
  for (let i = 0; i < count; i++) {
    app.sales.scan(i % 2 ? COLA : WATER, 'manual')
    app.sales.tenderCash(10_000)
    app.sales.complete()
  }
}

function salesOf(db: Database.Database): { id: string; number: number; status: string; total_minor: number | null; lines: number }[] {
  return db.prepare('SELECT s.id, s.number, s.status, s.total_minor, (SELECT count(*) FROM sale_lines l WHERE l.sale_id = s.id) AS lines FROM sales s ORDER BY s.number').all() as never
}

function backupInChild(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'main', 'cli', 'backup.ts'), ...args], { cwd: ROOT })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  return new Promise((done) => child.once('exit', (code) => done({ code, output })))
}

describe('npm run backup and restore', () => {
  it('backs up a running till from another process; the restored copy opens, verifies and has every sale', async () => {
    const dataDir = folder()
    const app = open(dataDir)
    sell(app, 40)
    app.sales.scan(COLA, 'manual') // an open sale: in the backup as it stood
    const before = salesOf(app.db)
    const out = join(folder(), 'nightly', 'till.sqlite')

    // The till stays open and keeps selling while the other process copies its ledger.
    const backup = backupInChild(['--data-dir', dataDir, '--out', out])
    app.sales.tenderCash(10_000)
    app.sales.complete()
    sell(app, 5)
    const { code, output } = await backup
    expect(code, output).toBe(0)
    expect(output).toMatch(/^Backup written: .*till\.sqlite \(\d+ bytes, \d+ sales, journal intact: \d+ entries, last hash [0-9a-f]{64}\)/)

    // Restore: a fresh data folder with the backup as its ledger.
    const restoredDir = folder()
    copyFileSync(out, join(restoredDir, LEDGER_FILE))
    const restored = open(restoredDir)
    const journal = verifyJournal(restored.db)
    expect(journal.ok).toBe(true)
    const after = salesOf(restored.db)
    // Every sale there was when the backup began, complete with its lines; numbers without gaps.
    for (const sale of before.filter((s) => s.status === 'completed')) expect(after).toContainEqual(sale)
    expect(after.map((s) => s.number)).toEqual(after.map((_, i) => i + 1))
    expect(output).toContain(`${after.length} sales, journal intact: ${journal.ok ? journal.entries : -1} entries`)
    // And the restored till sells on, numbering after the last sale it holds.
    if (restored.sales.current()) {
      restored.sales.tenderCash(10_000)
      restored.sales.complete()
    }
    restored.sales.scan(WATER, 'manual')
    expect(salesOf(restored.db).at(-1)!.number).toBe(after.at(-1)!.number + 1)
    expect(verifyJournal(restored.db).ok).toBe(true)
  }, 60_000)

  it('into a configured folder, names each backup by time and never overwrites one', async () => {
    const dataDir = folder()
    const app = open(dataDir)
    sell(app, 3)
    const backups = join(folder(), 'backups')
    const first = await backupToFolder(app.db, backups, Date.UTC(2026, 10, 24, 18, 0, 0))
    expect(first.file).toBe(join(backups, 'stabletill-2026-11-24T18-00-00Z.sqlite'))
    expect(first).toMatchObject({ sales: 3, journalEntries: expect.any(Number) })
    await expect(backupToFolder(app.db, backups, Date.UTC(2026, 10, 24, 18, 0, 0))).rejects.toThrow(/already exists; a backup never overwrites another/)
    expect(readdirSync(backups)).toEqual(['stabletill-2026-11-24T18-00-00Z.sqlite'])
    // --out naming an existing folder puts a time-named file in it.
    const lines: string[] = []
    expect(await runBackup(['--data-dir', dataDir, '--out', backups], (l) => lines.push(l))).toBe(0)
    expect(readdirSync(backups)).toHaveLength(2)
  })

  it('refuses to back up a ledger whose journal does not verify, and leaves no file behind', async () => {
    const dataDir = folder()
    const app = open(dataDir)
    sell(app, 2)
    await app.close()
    apps.length = 0
    const raw = new Database(join(dataDir, LEDGER_FILE))
    // An edit behind the till's back, as a forger would make it: the append-only triggers dropped first.
    for (const { name } of raw.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[]) raw.exec(`DROP TRIGGER "${name}"`)
    raw.prepare("UPDATE sales SET total_minor = total_minor - 100 WHERE status = 'completed'").run()
    raw.close()
    const target = join(folder(), 'bad.sqlite')
    const lines: string[] = []
    expect(await runBackup(['--data-dir', dataDir, '--out', target], (l) => lines.push(l))).toBe(1)
    expect(lines.join('\n')).toMatch(/Backup failed: The backup copy's journal does not verify/)
    expect(existsSync(target)).toBe(false)
    expect(readdirSync(resolve(target, '..'))).toEqual([])
  })

  it('refuses a copy with a damaged page (checked on a worker thread), and leaves no file behind', async () => {
    const dataDir = folder()
    const app = open(dataDir)
    sell(app, 150)
    app.db.pragma('wal_checkpoint(TRUNCATE)')
    await app.close()
    apps.length = 0
    const file = join(dataDir, LEDGER_FILE)
    // A page of the sale lines' index area, well past the schema page, so the file still opens (tamper.test.ts).
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(statSync(file).size / 4096 - 2) * 4096)
    closeSync(fd)
    const raw = new Database(file, { readonly: true })
    const target = join(folder(), 'damaged.sqlite')
    try {
      await expect(backupLedger(raw as never, target)).rejects.toThrow(/^The backup copy failed SQLite.s quick_check: .*(malformed|corrupt|Tree|page)/is)
    } finally {
      raw.close()
    }
    expect(existsSync(target)).toBe(false)
    expect(readdirSync(resolve(target, '..'))).toEqual([])
  })
})
