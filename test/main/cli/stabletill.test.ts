// The built `stabletill` command (out/main/cli.js, what package.json's bin points at), run as a child process on a
// data folder seeded through the real till and closed: export, z, reconcile and verify, with their exit codes.
import { spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createPublicKey, verify } from 'node:crypto'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXPORT_FORMATS } from '../../../src/main/reports'
import { ANCHORS_FILE, type SignedHead } from '../../../src/main/ledger/anchor'
import { signedHeadBody } from '../../../src/headoffice/ingest'
import { MERCHANT } from '../../fixtures/anvil'
import { run, runOk } from '../reports/tools'
import { seedLedgerDay, type LedgerDay } from '../reports/ledger-day'

const CLI = resolve(__dirname, '..', '..', '..', 'out', 'main', 'cli.js')
let day: LedgerDay
let date: string
let out: string

/** Runs the CLI without blocking this process (the till's chain proxy lives here). */
function cli(args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    // A command that hangs is killed (status -1) rather than left spinning after the test.
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, TZ: 'UTC' }, timeout: 30_000 })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', fail)
    child.on('close', (status) => done({ status: status ?? -1, stdout, stderr }))
  })
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('Run `npm run build` before the CLI tests (npm test does).')
  day = await seedLedgerDay()
  date = new Date(day.z.figures.periodStartMs).toISOString().slice(0, 10)
  out = mkdtempSync(join(tmpdir(), 'stabletill-cli-out-'))
}, 60_000)
afterAll(async () => {
  rmSync(out, { recursive: true, force: true })
  await day?.stop()
})

const base = () => ['--data-dir', day.till.dataDir, '--time-zone', 'UTC']

describe('stabletill', () => {
  it.each(EXPORT_FORMATS)('export --format %s writes the same bytes as the closing did', async (format) => {
    const r = await cli(['export', ...base(), '--date', date, '--format', format, '--out', out])
    expect(r.status, r.stderr).toBe(0)
    const file = r.stdout.trim()
    const closing = day.z.artifacts!.files.find((f) => f.endsWith(file.slice(file.lastIndexOf('/') + 1)))!
    expect(readFileSync(file)).toEqual(readFileSync(closing))
    if (format === 'beancount') runOk('bean-check', [file])
  })

  it('z prints the Z as text and writes its PDF', async () => {
    const pdf = join(out, 'z.pdf')
    const r = await cli(['z', ...base(), '--date', date, '--pdf', pdf])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/Z report/i)
    expect(r.stdout).toContain(day.till.app.store.settings().storeName)
    expect(r.stdout).toMatch(/Discounts\s+-\d+\.\d{2}/)
    expect(run('pdftotext', [pdf, '-']).stdout).toContain(day.till.app.store.settings().storeName)
  })

  it('reconcile exits 0 when clean, 1 naming an unexpected transfer once one is planted', async () => {
    const rpc = `31337=${day.chain.anvil.rpcUrl}`
    const clean = await cli(['reconcile', ...base(), '--date', date, '--rpc-url', rpc])
    expect(clean.status, clean.stdout + clean.stderr).toBe(0)
    expect(clean.stdout).toMatch(/2 matched, 0 missing, 0 mismatched, 0 unexpected/)
    // The test till's chain is given by its host, not saved in the ledger: without --rpc-url there is no endpoint.
    expect(await cli(['reconcile', ...base(), '--date', date])).toMatchObject({ status: 1, stderr: expect.stringMatching(/no RPC URL is saved for it: pass --rpc-url 31337=URL/) })
    const planted = await day.chain.pay(day.usdt, MERCHANT, 777n)
    const dirty = await cli(['reconcile', ...base(), '--date', date, '--rpc-url', rpc])
    expect(dirty.status).toBe(1)
    expect(dirty.stdout).toContain(`unexpected: 0.000777 USDT tx ${planted}`)
  })

  it('verify checks journal, schema, quick_check and the signed heads; a tampered copy exits 1', async () => {
    const ok = await cli(['verify', ...base()])
    expect(ok.status, ok.stdout + ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/Journal intact: \d+ entries/)
    expect(ok.stdout).toMatch(/Signed heads: 1 verified/)
    expect(ok.stdout).toMatch(/Running totals: 1 day\(s\) match the journal/)
    // A copy (the closing's checked backup) edited behind the till's back.
    const copy = mkdtempSync(join(tmpdir(), 'stabletill-tampered-'))
    try {
      copyFileSync(day.z.artifacts!.backupFile!, join(copy, 'stabletill.sqlite'))
      const db = new Database(join(copy, 'stabletill.sqlite'))
      db.exec('DROP TRIGGER journal_append_only_update')
      db.prepare("UPDATE journal SET payload = replace(payload, 'Bank deposit', 'Bank depositX') WHERE kind = 'shift.cash-moved'").run()
      db.close()
      const bad = await cli(['verify', '--data-dir', copy])
      expect(bad.status).toBe(1)
      expect(bad.stdout).toMatch(/Journal broken at entry \d+/)
      expect(bad.stdout).toMatch(/Schema changed: trigger journal_append_only_update is missing/)
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  })

  it('public-key prints the key head office checks this till\'s signed heads with; a folder with no key says so', async () => {
    const r = await cli(['public-key', ...base()])
    expect(r.status, r.stderr).toBe(0)
    const key = createPublicKey({ key: Buffer.from(r.stdout.trim(), 'base64'), format: 'der', type: 'spki' })
    // The Z's signed head (the anchors file beside the ledger) verifies with it, as head office will check it.
    const signed = readFileSync(join(day.till.dataDir, ANCHORS_FILE), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as SignedHead)
    expect(signed.length).toBeGreaterThan(0)
    for (const head of signed) expect(verify(null, signedHeadBody(head), key, Buffer.from(head.signature, 'base64'))).toBe(true)
    const empty = mkdtempSync(join(tmpdir(), 'stabletill-nokey-'))
    try {
      const none = await cli(['public-key', ...base(), '--key-dir', empty])
      expect(none.status).toBe(1)
      expect(none.stderr).toMatch(/no till key in .* yet/)
    } finally {
      rmSync(empty, { recursive: true, force: true })
    }
  })

  it("verify recomputes the closed day's running totals from the journal: a total edited in a copy is named, with its session", async () => {
    const copy = mkdtempSync(join(tmpdir(), 'stabletill-tampered-'))
    try {
      copyFileSync(day.z.artifacts!.backupFile!, join(copy, 'stabletill.sqlite'))
      const db = new Database(join(copy, 'stabletill.sqlite'))
      // A closed day's totals are final (a trigger): whoever edits them must drop it first.
      db.exec('DROP TRIGGER session_totals_final')
      db.prepare('UPDATE session_totals SET sales_minor = sales_minor - 100, cash_received_minor = cash_received_minor - 100 WHERE session_id = ?').run(day.z.sessionId)
      db.close()
      const bad = await cli(['verify', '--data-dir', copy])
      expect(bad.status).toBe(1)
      expect(bad.stdout).toContain(`Running totals: The running totals of cash session ${day.z.sessionId} disagree with its journal (up to entry ${day.z.figures.journal.headSeq})`)
      expect(bad.stdout).toMatch(/sales\.total is \d+ in the running totals but \d+ from the journal; cash\.received is/)
      expect(bad.stdout).toMatch(/NOT OK/)
    } finally {
      rmSync(copy, { recursive: true, force: true })
    }
  })

  it('usage errors exit 2, a date without a Z exits 1, each with one clear line', async () => {
    expect((await cli([])).status).toBe(2)
    expect(await cli(['export', ...base(), '--date', '2026-13-x', '--format', 'csv', '--out', out])).toMatchObject({ status: 2, stderr: expect.stringMatching(/is not YYYY-MM-DD/) })
    expect(await cli(['export', ...base(), '--date', date, '--format', 'xls', '--out', out])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--format is one of/) })
    expect(await cli(['z', '--data-dir', out, '--date', date])).toMatchObject({ status: 2, stderr: expect.stringMatching(/No till ledger at/) })
    // ...and says which dates do have one, so the manager need not guess the zone or the day.
    expect(await cli(['z', ...base(), '--date', '2001-01-01'])).toMatchObject({ status: 1, stderr: expect.stringMatching(new RegExp(`No Z was closed for business date 2001-01-01 .*Days with a Z: ${date}\\.`)) })
  })

  it('each bad argument or folder is one line on stderr that says what to do, never a stack trace or a hang', async () => {
    const oneLine = (r: { stderr: string }) => {
      expect(r.stderr).not.toMatch(/\n\s+at |Error:|ENOENT|EEXIST/)
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2)
    }
    const cases: [string[], number, RegExp][] = [
      [['z', ...base(), '--date', '2026-13-45'], 2, /--date 2026-13-45 is not a calendar date/],
      [['z', ...base(), '--date', '2026-02-30'], 2, /--date 2026-02-30 is not a calendar date/],
      [['z', ...base(), '--date', date, '--bogus'], 2, /^Unknown option --bogus\.\nRun stabletill --help/],
      [['z', ...base(), '--date'], 2, /Option --date needs a value/],
      // Node's own recursive mkdir never returns under /proc: the export must say it cannot make the folder.
      [['export', ...base(), '--date', date, '--format', 'csv', '--out', '/proc/stabletill-nope'], 1, /--out \/proc\/stabletill-nope: the folder \/proc\/stabletill-nope cannot be made/],
      [['export', ...base(), '--date', date, '--format', 'csv', '--out', join(day.till.dataDir, 'stabletill.sqlite')], 1, /is a file, not a folder\. Give a folder for the exports/],
      [['z', ...base(), '--date', date, '--pdf', join(out, 'no-such-folder', 'z.pdf')], 1, /Could not write .*z\.pdf: the folder .*no-such-folder does not exist\./]
    ]
    for (const [args, status, message] of cases) {
      const r = await cli(args)
      expect(r.status, args.join(' ')).toBe(status)
      expect(r.stderr).toMatch(message)
      oneLine(r)
    }
    // Folders that are not a till's: another program's SQLite file under the ledger's name, and a file that is not SQLite.
    const other = mkdtempSync(join(tmpdir(), 'stabletill-other-'))
    try {
      const foreign = new Database(join(other, 'stabletill.sqlite'))
      foreign.exec('CREATE TABLE t (x); PRAGMA user_version = 3')
      foreign.close()
      const r = await cli(['z', '--data-dir', other, '--date', date])
      expect(r).toMatchObject({ status: 2, stderr: expect.stringMatching(/is not a Stabletill ledger \(it has no journal, settings or cash sessions\)/) })
      oneLine(r)
      writeFileSync(join(other, 'stabletill.sqlite'), 'hello, not a database\n')
      const junk = await cli(['z', '--data-dir', other, '--date', date])
      expect(junk).toMatchObject({ status: 2, stderr: expect.stringMatching(/is not a SQLite database, so not a Stabletill ledger/) })
      oneLine(junk)
    } finally {
      rmSync(other, { recursive: true, force: true })
    }
  }, 120_000)

  it('--help of each command shows that command and its options', async () => {
    const r = await cli(['export', '--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/--no-declarations/)
    expect(r.stdout).toMatch(/--bom/)
    expect(r.stdout).not.toMatch(/stabletill reconcile/)
    expect((await cli(['help', 'reconcile'])).stdout).toMatch(/--rpc-url/)
  })
})
