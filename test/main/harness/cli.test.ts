// The built harness (out/main/harness.js, from `npm run build`) as `npm start` runs it, started from a folder that
// is not the install: it must find the pages, resources and anvil from its own install, keep one address per data
// folder across restarts (harness.json, 0600), and refuse a second till on the same folder.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'

const ROOT = resolve(__dirname, '..', '..', '..')
const BUILT = join(ROOT, 'out', 'main', 'harness.js')

interface Started {
  readonly child: ChildProcessWithoutNullStreams
  readonly banner: string
  readonly urls: { cashier: string; display: string; backoffice: string }
}

let elsewhere: string
let dataDir: string
const running = new Set<ChildProcessWithoutNullStreams>()

beforeAll(() => {
  if (!existsSync(BUILT)) throw new Error('Run `npm run build` before the harness CLI tests (npm test does).')
  elsewhere = mkdtempSync(join(tmpdir(), 'stabletill-cwd-'))
  dataDir = join(mkdtempSync(join(tmpdir(), 'stabletill-cli-')), 'data')
})
afterAll(async () => {
  for (const child of running) await stop(child)
  rmSync(elsewhere, { recursive: true, force: true })
  rmSync(resolve(dataDir, '..'), { recursive: true, force: true })
})

function launch(args: string[], folder = dataDir): ChildProcessWithoutNullStreams {
  // An environment without the checkout's hints: no STABLETILL_ANVIL, cwd outside the install.
  const env = { ...process.env }
  delete env['STABLETILL_ANVIL']
  // --demo: a new folder given with --data-dir would otherwise start with the first-run set-up (tested below).
  const child = spawn(process.execPath, [BUILT, '--data-dir', folder, ...(args.includes('--setup') ? args.filter((a) => a !== '--setup') : ['--demo', ...args])], { cwd: elsewhere, env })
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

async function start(args: string[] = ['--no-chain'], folder = dataDir): Promise<Started> {
  const child = launch(args, folder)
  let output = ''
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const banner = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no banner in 60 s: ${output}`)), 60_000)
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Press Ctrl+C to stop.')) {
        clearTimeout(timer)
        done(output)
      }
    })
    child.once('exit', (code) => fail(new Error(`harness exited with ${code}: ${output}`)))
  })
  const url = (label: string) => new RegExp(`${label}:\\s+(http://\\S+)`).exec(banner)?.[1] ?? ''
  return { child, banner, urls: { cashier: url('Cashier'), display: url('Customer display'), backoffice: url('Back office') } }
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((done) => child.once('exit', done))
  child.kill('SIGTERM')
  await exited
}

/** Opens the api socket the way the page does, from its own URL: ws://<host>/api?window=<role>&token=<token>. */
function attach(pageUrl: string, role: string): Promise<{ ok: boolean; storeName?: string }> {
  const page = new URL(pageUrl)
  const ws = new WebSocket(`ws://${page.host}/api?window=${role}&token=${page.searchParams.get('token')}`, { origin: page.origin })
  return new Promise((done) => {
    ws.once('open', () => ws.send(JSON.stringify({ id: 1, call: 'store:info', input: {} })))
    ws.once('message', (data) => {
      const reply = JSON.parse(String(data)) as { result: { ok: boolean; value?: { storeName: string } } }
      ws.close()
      done({ ok: reply.result.ok, storeName: reply.result.value?.storeName })
    })
    ws.once('error', () => done({ ok: false }))
    ws.once('unexpected-response', () => done({ ok: false }))
  })
}

describe('the built harness, started from another folder', () => {
  let first: Started

  it('finds its pages, resources and anvil from its own install, not the working folder', async () => {
    first = await start([])
    expect(first.banner).toMatch(/Demo chain:\s+http:\/\/127\.0\.0\.1:\d+ \(chain 31337/)
    expect(first.banner).not.toMatch(/anvil is not installed/)
    expect((await fetch(first.urls.cashier)).status).toBe(200)
    expect(await attach(first.urls.cashier, 'cashier')).toEqual({ ok: true, storeName: expect.any(String) })
    // Nothing was written to the working folder.
    expect(existsSync(join(elsewhere, '.data'))).toBe(false)
  }, 90_000)

  it('saves its port and the three tokens in the data folder, readable by the owner only', () => {
    const file = join(dataDir, 'harness.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { port: number; tokens: Record<string, string> }
    for (const role of ['cashier', 'display', 'backoffice'] as const) {
      const url = new URL(first.urls[role])
      expect(Number(url.port)).toBe(saved.port)
      expect(url.searchParams.get('token')).toBe(saved.tokens[role])
    }
    expect(new Set(Object.values(saved.tokens)).size).toBe(3)
  })

  it('refuses a second till on the same data folder, naming the first one', async () => {
    const second = launch(['--no-chain'])
    let output = ''
    second.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    second.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const code = await new Promise((done) => second.once('exit', done))
    expect(code).toBe(1)
    expect(output).toContain(`This data folder is already open in another Stabletill (pid ${first.child.pid})`)
    // The first one is unharmed.
    expect(await attach(first.urls.display, 'display')).toMatchObject({ ok: true })
  }, 30_000)

  it('comes back on the same address after a restart, so an open page re-attaches with the URL it has', async () => {
    await stop(first.child)
    expect(await attach(first.urls.cashier, 'cashier')).toEqual({ ok: false })
    const again = await start()
    expect(again.urls).toEqual(first.urls)
    expect(again.banner).not.toMatch(/Note:/)
    expect(await attach(first.urls.cashier, 'cashier')).toMatchObject({ ok: true })
    expect(await attach(first.urls.backoffice, 'backoffice')).toMatchObject({ ok: true })
    await stop(again.child)
  }, 60_000)

  it('takes a new port when the saved one is busy, says so in the banner, and keeps the tokens', async () => {
    const port = Number(new URL(first.urls.cashier).port)
    const squatter: Server = createServer()
    await new Promise<void>((done) => squatter.listen(port, '127.0.0.1', () => done()))
    try {
      const moved = await start()
      expect(moved.banner).toContain(`port ${port} is in use; this till now listens on port`)
      const newPort = Number(new URL(moved.urls.cashier).port)
      expect(newPort).not.toBe(port)
      expect(new URL(moved.urls.cashier).searchParams.get('token')).toBe(new URL(first.urls.cashier).searchParams.get('token'))
      expect(JSON.parse(readFileSync(join(dataDir, 'harness.json'), 'utf8')).port).toBe(newPort)
      expect(await attach(moved.urls.cashier, 'cashier')).toMatchObject({ ok: true })
      await stop(moved.child)
    } finally {
      await new Promise((done) => squatter.close(done))
    }
  }, 60_000)
})

describe('a shop\'s own data folder, new', () => {
  it('starts with the set-up: no demo chain, no ledger written, and the back office address to set it up at', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'stabletill-cli-setup-'))
    try {
      const till = await start(['--setup'], folder)
      expect(till.banner).toMatch(/a new till, data in /)
      const setUpAt = /Set up this shop \(or try the demo store\) in the back office: (http:\/\/\S+)/.exec(till.banner)?.[1] ?? ''
      expect(setUpAt).toMatch(/\/backoffice\/\?token=/)
      expect(till.banner).not.toMatch(/Demo chain/)
      // Nothing was written to the ledger: the store is made by "Finish set-up" or "Try the demo store".
      expect(existsSync(join(folder, 'stabletill.sqlite'))).toBe(false)
      await stop(till.child)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  }, 90_000)
})
