// Two days of one till, exported with the built `stabletill` and put together as an accountant does: both days'
// journals included in one main file (hledger, ledger, Beancount), both OFX statements side by side. Accounts must
// be the same names, ids unique across the days, and the books must total both Zs.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ZReportView } from '../../../src/shared/api/views'
import { minorOf, run, runOk } from '../reports/tools'
import { CHEDDAR, COLA, OJ, PIN, cashSale, stablecoinSale, startLedgerDayTill } from '../reports/ledger-day'
import type { TestChain } from '../../fixtures/anvil'
import type { TestTill } from '../../fixtures/till'

const CLI = resolve(__dirname, '..', '..', '..', 'out', 'main', 'cli.js')
const DAY_MS = 24 * 3_600_000
let chain: TestChain
let till: TestTill
const zs: ZReportView[] = []
const dates: string[] = []
let out: string

function cli(args: readonly string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } })
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

async function call<T>(window: 'cashier' | 'backoffice', name: string, input: unknown): Promise<T> {
  const r = await till.app.registry.dispatch(window, name, input)
  if (!r.ok) throw new Error(`${name} refused: ${JSON.stringify(r.error)}`)
  return (r as { ok: true; value: T }).value
}

async function closeDay(): Promise<void> {
  till.clock.advance(3_600_000)
  const x = await call<{ drawer: { expectedMinor: number } }>('backoffice', 'shift:x-report', {})
  const z = await call<ZReportView>('backoffice', 'shift:close', { countedMinor: x.drawer.expectedMinor, pin: PIN })
  zs.push(z)
  dates.push(new Date(z.figures.periodStartMs).toISOString().slice(0, 10))
}

/** `stabletill export` of one day and format; the file it wrote. */
function exported(date: string, format: string, ...extra: string[]): string {
  const r = cli(['export', '--data-dir', till.dataDir, '--time-zone', 'UTC', '--date', date, '--format', format, '--out', out, ...extra])
  expect(r.status, r.stderr).toBe(0)
  return r.stdout.trim()
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('Run `npm run build` before the CLI tests (npm test does).')
  const started = await startLedgerDayTill()
  chain = started.chain
  till = started.till
  await call('backoffice', 'shift:open', { floatMinor: 10_000, pin: PIN })
  cashSale(till, [COLA, CHEDDAR], 1_000)
  await stablecoinSale({ chain, till }, started.usdc, 'USDC', [CHEDDAR])
  await closeDay()
  till.clock.advance(DAY_MS)
  await call('backoffice', 'shift:open', { floatMinor: 10_000, pin: PIN })
  cashSale(till, [OJ, OJ])
  await stablecoinSale({ chain, till }, started.usdt, 'USDT', [COLA, COLA])
  await call('backoffice', 'shift:cash-move', { direction: 'out', amountMinor: 500, reason: 'Bank deposit', pin: PIN })
  await closeDay()
  out = mkdtempSync(join(tmpdir(), 'stabletill-two-days-'))
}, 90_000)
afterAll(async () => {
  if (out) rmSync(out, { recursive: true, force: true })
  await till?.cleanup()
  await chain?.stop()
})

/** What the books must hold after both days: both Zs' net sales and tax, and the drawer moved by counted − float. */
function expectBothZs(balances: Map<string, number>): void {
  const sum = (f: (z: ZReportView) => number): number => zs.reduce((s, z) => s + f(z), 0)
  const sales = [...balances].filter(([a]) => a.startsWith('Income:Sales:')).reduce((s, [, v]) => s + v, 0)
  const tax = [...balances].filter(([a]) => a.startsWith('Liabilities:Tax:')).reduce((s, [, v]) => s + v, 0)
  expect(-(sales + tax)).toBe(sum((z) => z.figures.netSalesMinor))
  expect(-tax).toBe(sum((z) => z.figures.taxes.reduce((s, t) => s + t.taxMinor, 0)))
  expect(balances.get('Assets:Cash:Till1')).toBe(sum((z) => z.figures.drawer.countedMinor! - z.figures.drawer.floatMinor))
}

// Each test spawns the CLI and the accountants' tools (bean-check is Python) several times: seconds idle, tens of
// seconds on a loaded two-core machine.
const TOOLS_MS = 120_000

describe('two days in one book', () => {
  it('the days are two Zs on two dates', () => {
    expect(zs.map((z) => z.zNumber)).toEqual([1, 2])
    expect(new Set(dates).size).toBe(2)
  }, TOOLS_MS)

  it('hledger and ledger read both days\' journals included in one main file, ids unique, totals both Zs', () => {
    const files = dates.map((d) => exported(d, 'hledger'))
    const main = join(out, 'main.journal')
    writeFileSync(main, files.map((f) => `include ${basename(f)}\n`).join(''))
    runOk('hledger', ['-f', main, 'check', '--strict'])
    runOk('ledger', ['-f', main, '--pedantic', 'bal'])
    const codes = runOk('hledger', ['-f', main, 'codes']).trim().split('\n')
    expect(new Set(codes).size).toBe(codes.length)
    expect(codes.some((c) => c.startsWith('T1-1-')) && codes.some((c) => c.startsWith('T1-2-'))).toBe(true)
    const balances = new Map(runOk('hledger', ['-f', main, 'bal', '--flat', '--no-total', '--format', '%(account)|%(total)']).trim().split('\n').map((line) => {
      const [account, amount] = line.split('|') as [string, string]
      return [account.trim(), minorOf(amount.trim().replace(' USD', ''))]
    }))
    expectBothZs(balances)
  }, TOOLS_MS)

  it('Beancount: each day alone passes bean-check; days exported with --no-declarations included in one book pass it too', () => {
    for (const d of dates) runOk('bean-check', [exported(d, 'beancount')])
    // The closing folder's files each open their accounts: two of them in one book open every account twice.
    const whole = join(out, 'whole.beancount')
    writeFileSync(whole, dates.map((d) => `include "${basename(exported(d, 'beancount'))}"\n`).join(''))
    expect(run('bean-check', [whole]).stderr).toMatch(/Duplicate open directive/)
    const bodies = dates.map((d) => {
      const sub = join(out, 'bodies')
      const r = cli(['export', '--data-dir', till.dataDir, '--time-zone', 'UTC', '--date', d, '--format', 'beancount', '--out', sub, '--no-declarations'])
      expect(r.status, r.stderr).toBe(0)
      return r.stdout.trim()
    })
    const book = join(out, 'book.beancount')
    writeFileSync(book, `option "operating_currency" "USD"\nplugin "beancount.plugins.auto_accounts"\n\n${bodies.map((f) => `include "${f}"\n`).join('')}`)
    runOk('bean-check', [book])
    const rows = runOk('bean-query', ['-f', 'csv', book, 'SELECT account, sum(number) AS total GROUP BY account ORDER BY account']).trim().split('\n').slice(1)
    expectBothZs(new Map(rows.map((line) => {
      const [account, total] = line.split(',') as [string, string]
      return [account.trim(), minorOf(total)]
    })))
    const ids = runOk('bean-query', ['-f', 'csv', book, "SELECT DISTINCT entry_meta('id') AS id"]).trim().split('\n').slice(1).map((s) => s.trim())
    expect(ids.filter((id) => id.startsWith('T1-1-')).length).toBeGreaterThan(0)
    expect(ids.filter((id) => id.startsWith('T1-2-')).length).toBeGreaterThan(0)
  }, TOOLS_MS)

  it('the two OFX statements keep one account id for the drawer and never reuse a FITID', () => {
    const files = dates.map((d) => exported(d, 'ofx'))
    for (const f of files) runOk('ofxdump', [f])
    const texts = files.map((f) => readFileSync(f, 'utf8'))
    const accounts = texts.map((t) => [...t.matchAll(/<ACCTID>([^<]+)<\/ACCTID>/g)].map((m) => m[1]))
    expect(accounts[0]).toContain('T1-CASH')
    expect(accounts[1]).toContain('T1-CASH')
    const fitids = texts.flatMap((t) => [...t.matchAll(/<FITID>([^<]+)<\/FITID>/g)].map((m) => m[1]))
    expect(new Set(fitids).size).toBe(fitids.length)
    // A re-export is the same file: importing it again adds nothing an importer that dedupes on FITID would keep.
    expect(readFileSync(exported(dates[0]!, 'ofx'), 'utf8')).toBe(texts[0])
  }, TOOLS_MS)

  it('a date whose day is still open says to close it first, not only that there is no Z', async () => {
    till.clock.advance(DAY_MS)
    await call('backoffice', 'shift:open', { floatMinor: 10_000, pin: PIN })
    const today = new Date(till.clock.now()).toISOString().slice(0, 10)
    const r = cli(['z', '--data-dir', till.dataDir, '--time-zone', 'UTC', '--date', today])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/That day is still open: close it \(the Z\) in the back office first\./)
  }, TOOLS_MS)
})
