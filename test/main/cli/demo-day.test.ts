// `npm run demo-day -- --data-dir DIR` on a fresh folder: a closed demo day with cash, two demo tokens, a late
// payment, a void and a cash out, its date printed last, its Z and exports in the accountant's folder.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { spawnAnvil } from '../../../src/main/chain/anvil'
import { runStabletill } from '../../../src/main/cli/stabletill'
import { openLedger } from '../../../src/main/ledger/db'
import { daySettlementFromLedger } from '../../../src/main/reports/from-ledger'
import { computeZTotals } from '../../../src/main/reports/settlement'

const ROOT = resolve(__dirname, '..', '..', '..')
const parent = mkdtempSync(join(tmpdir(), 'stabletill-demo-day-'))
afterAll(() => rmSync(parent, { recursive: true, force: true }))

function npmRunDemoDay(dataDir: string): Promise<{ status: number; stdout: string }> {
  return new Promise((done, fail) => {
    const child = spawn('npm', ['run', '--silent', 'demo-day', '--', '--data-dir', dataDir], { cwd: ROOT, env: { ...process.env, STABLETILL_KEY_DIR: join(parent, 'keys'), TZ: 'UTC' } })
    let stdout = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stdout += c.toString()))
    child.on('error', fail)
    child.on('close', (status) => done({ status: status ?? -1, stdout }))
  })
}

it('seeds a closed demo day and prints its date', async () => {
  const dataDir = join(parent, 'demo')
  const r = await npmRunDemoDay(dataDir)
  expect(r.status, r.stdout).toBe(0)
  const date = r.stdout.trim().split('\n').at(-1)!
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  expect(date).toBe(yesterday)
  expect(readdirSync(join(dataDir, 'closings', 'Z1')).sort()).toEqual(['beancount', 'camt053.xml', 'csv', 'journal', 'ofx', 'pdf'].map((ext) => `T1_${date}_Z1.${ext}`).sort())
  const db = openLedger(join(dataDir, 'stabletill.sqlite'), { readonly: true })
  try {
    const z = computeZTotals(daySettlementFromLedger(db, 'T1', 1, { timeZone: 'UTC' }))
    expect(z.tenders.tokens.map((t) => t.tokenSymbol)).toEqual(['USDC', 'USDT'])
    expect(z.latePayments.count).toBe(1)
    expect(z.voids.count).toBe(1)
    expect(z.drawer.cashOutCount).toBe(1)
    expect(z.discountsMinor).toBeGreaterThan(0)
    expect(z.salesCount).toBeGreaterThanOrEqual(8)
  } finally {
    db.close()
  }
  // The reconciliation it points to: the demo chain restarted from the folder's state answers for the day's four
  // stablecoin payments, all matched.
  expect(r.stdout).toMatch(/To reconcile, start its till again/)
  expect(r.stdout).toContain(`reconcile --data-dir ${dataDir} --date ${date} --rpc-url 31337=URL`)
  const anvil = await spawnAnvil({ stateFile: join(dataDir, 'demo-chain.json') })
  try {
    const lines: string[] = []
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) }
    expect(await runStabletill(['reconcile', '--data-dir', dataDir, '--date', date, '--time-zone', 'UTC', '--rpc-url', `31337=${anvil.rpcUrl}`], io), lines.join('\n')).toBe(0)
    expect(lines.join('\n')).toMatch(/4 matched, 0 missing, 0 mismatched, 0 unexpected/)
  } finally {
    await anvil.stop()
  }
  // A second run refuses the folder rather than mixing two demo stores.
  const again = await npmRunDemoDay(dataDir)
  expect(again.status).toBe(1)
  expect(again.stdout).toMatch(/already holds a till ledger/)
  expect(existsSync(join(parent, 'keys'))).toBe(true)
}, 120_000)
