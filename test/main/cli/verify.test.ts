import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp, LEDGER_FILE } from '../../../src/main/app'
import { runVerify } from '../../../src/main/cli/verify'
import { ManualClock } from '../../../src/shared/clock'

const ROOT = resolve(__dirname, '..', '..', '..')
const COLA = '5901234123013'
const WATER = '5012345000015'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A real ledger file with two completed cash sales, closed so nothing holds it open. */
async function ledgerWithTwoSales(): Promise<{ dataDir: string; file: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stabletill-verify-'))
  dirs.push(dataDir)
  const app = createApp({ dataDir, clock: new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0)), resourcesDir: join(ROOT, 'resources') })
  try {
    app.sales.scan(COLA, 'manual')
    app.sales.scan(WATER, 'manual')
    app.sales.tenderCash(1000)
    app.sales.complete()
    app.sales.scan(WATER, 'wedge')
    app.sales.tenderCash(500)
    app.sales.complete()
  } finally {
    await app.close()
  }
  return { dataDir, file: join(dataDir, LEDGER_FILE) }
}

async function run(args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = []
  const code = await runVerify(args, (line) => lines.push(line))
  return { code, lines }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

describe('npm run verify', () => {
  it('reports an intact journal with its entry count and last hash, and exits 0', async () => {
    const { dataDir, file } = await ledgerWithTwoSales()
    const db = new Database(file, { readonly: true })
    const last = db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string }
    db.close()
    const before = sha256(file)

    const byDir = await run(['--data-dir', dataDir])
    expect(byDir.code).toBe(0)
    expect(byDir.lines).toContain(`Journal intact: ${last.seq} entries, last hash ${last.hash}`)

    const byFile = await run(['--file', file])
    expect(byFile).toEqual(byDir)
    // Read-only: checking a ledger never changes it.
    expect(sha256(file)).toBe(before)
  })

  it('names the first altered entry and exits 1', async () => {
    const { dataDir, file } = await ledgerWithTwoSales()
    // What someone holding the file can do: drop the append-only trigger and edit an entry in place.
    const db = new Database(file)
    const target = db.prepare("SELECT seq FROM journal WHERE kind = 'sale.tender-added' ORDER BY seq LIMIT 1").get() as { seq: number }
    db.exec('DROP TRIGGER journal_append_only_update')
    db.prepare('UPDATE journal SET payload = ? WHERE seq = ?').run('{"amountMinor":1}', target.seq)
    db.close()

    const { code, lines } = await run(['--data-dir', dataDir])
    expect(code).toBe(1)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^Journal broken at entry ${target.seq}: entry ${target.seq} \\(sale\\.tender-added\\) was altered`))
  })

  it('exits 2 with a clear message when there is no ledger, a newer schema, or not a ledger at all', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'stabletill-verify-empty-'))
    dirs.push(empty)
    const missing = await run(['--data-dir', empty])
    expect(missing.code).toBe(2)
    expect(missing.lines.join('\n')).toContain(`No ledger at ${join(empty, LEDGER_FILE)}`)
    expect((await run(['--file', join(empty, 'nope.sqlite')])).code).toBe(2)
    expect((await run(['--file', empty])).code).toBe(2)

    const { file } = await ledgerWithTwoSales()
    const db = new Database(file)
    db.pragma('user_version = 999')
    db.close()
    const newer = await run(['--file', file])
    expect(newer.code).toBe(2)
    expect(newer.lines.join('\n')).toMatch(/newer Stabletill \(schema version 999/)

    const notSqlite = join(empty, 'notes.sqlite')
    writeFileSync(notSqlite, 'this is not a database, just some text long enough to have a header '.repeat(10))
    const garbage = await run(['--file', notSqlite])
    expect(garbage.code).toBe(2)
    expect(garbage.lines.join('\n')).toMatch(/Could not read the ledger/)

    const blank = join(empty, 'blank.sqlite')
    new Database(blank).close()
    expect((await run(['--file', blank]))).toEqual({ code: 2, lines: [`${blank} is not a Stabletill ledger (schema version 0).`] })
  })

  it('refuses unknown options and both --file and --data-dir with exit 2', async () => {
    expect((await run(['--frobnicate'])).code).toBe(2)
    expect((await run(['--file', 'a.sqlite', '--data-dir', 'b'])).code).toBe(2)
    expect((await run(['stray-positional'])).code).toBe(2)
  })

  it('runs as a real command: npx tsx src/main/cli/verify.ts --data-dir DIR', async () => {
    const { dataDir, file } = await ledgerWithTwoSales()
    const intact = spawnSync('npx', ['tsx', 'src/main/cli/verify.ts', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(intact.status, intact.stderr).toBe(0)
    expect(intact.stdout).toMatch(/^Journal intact: \d+ entries, last hash [0-9a-f]{64}$/m)

    const db = new Database(file)
    db.exec('DROP TRIGGER journal_append_only_update')
    db.prepare('UPDATE journal SET at = at + 1 WHERE seq = 2').run()
    db.close()
    const broken = spawnSync('npx', ['tsx', 'src/main/cli/verify.ts', '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(broken.status, broken.stderr).toBe(1)
    expect(broken.stdout).toMatch(/^Journal broken at entry 2: /m)

    const missing = spawnSync('npx', ['tsx', 'src/main/cli/verify.ts', '--data-dir', join(dataDir, 'absent')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    expect(missing.status).toBe(2)
    // Three cold `npx tsx` starts: about 15 s on a quiet machine, several times that on a loaded one.
  }, 180_000)
})
