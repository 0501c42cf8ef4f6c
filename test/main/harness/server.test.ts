// The browser harness against a real till and the built renderer (out/renderer, from `npm run build`).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startHarness, type Harness } from '../../../src/main/harness/server'
import type { WindowRole } from '../../../src/shared/api/channels'
import { testTill, type TestTill } from '../../fixtures/till'

const ROOT = resolve(__dirname, '..', '..', '..')
const RENDERER_DIR = join(ROOT, 'out', 'renderer')
const COLA = '5901234123013'

let till: TestTill
let harness: Harness

beforeAll(async () => {
  if (!existsSync(join(RENDERER_DIR, 'cashier', 'index.html'))) throw new Error('Run `npm run build` before the harness tests (npm test does).')
  till = testTill()
  harness = await startHarness({ app: till.app, rendererDir: RENDERER_DIR })
})
afterAll(async () => {
  await harness?.close()
  await till?.cleanup()
})

/** A raw GET: unlike fetch, node:http sends the path exactly as given (no dot-segment normalisation). */
function rawGet(path: string, target: Target = harness): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: target.port, path, method: 'GET', timeout: 5_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', fail)
    req.on('timeout', () => req.destroy(new Error(`no answer to GET ${path} within 5 s`)))
    req.end()
  })
}

/** Where a harness listens: the in-process one, or one in a child process. */
interface Target {
  readonly origin: string
  readonly port: number
  readonly token: string
}

interface SocketOptions {
  readonly window?: string | null
  readonly token?: string
  readonly origin?: string | null
  readonly path?: string
}

function socketUrl(options: SocketOptions, target: Target): string {
  const url = new URL(options.path ?? '/api', target.origin.replace('http:', 'ws:'))
  const token = options.token ?? target.token
  url.searchParams.set('token', token)
  if (options.window !== null) url.searchParams.set('window', options.window ?? 'cashier')
  return url.toString()
}

/** Opens a socket; resolves with it once open, or with the HTTP status the upgrade was refused with. */
function connect(options: SocketOptions = {}, target: Target = harness): Promise<{ ws: WebSocket; refused?: undefined } | { ws?: undefined; refused: number }> {
  const origin = options.origin === undefined ? target.origin : options.origin
  const ws = new WebSocket(socketUrl(options, target), origin === null ? {} : { origin })
  return new Promise((done, fail) => {
    ws.once('open', () => done({ ws }))
    ws.once('unexpected-response', (_req, res) => {
      done({ refused: res.statusCode ?? 0 })
      ws.terminate()
    })
    ws.once('error', fail)
  })
}

async function open(window: WindowRole, target: Target = harness): Promise<Client> {
  const socket = await connect({ window }, target)
  if (!socket.ws) throw new Error(`the ${window} socket was refused with ${socket.refused}`)
  return new Client(socket.ws)
}

/** Records every frame a window receives, and makes calls the way the renderer's bridge does. */
class Client {
  readonly received: { id?: unknown; event?: string; payload?: unknown; result?: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }[] = []
  private nextId = 1
  private waiters: (() => void)[] = []
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as Client['received'][number])
      for (const wake of this.waiters.splice(0)) wake()
    })
  }
  async waitFor<T>(pick: () => T | undefined, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = pick()
      if (found !== undefined) return found
      if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(this.received)}`)
      await new Promise<void>((wake) => {
        this.waiters.push(wake)
        setTimeout(wake, 50)
      })
    }
  }
  async call(call: string, input: unknown = {}): Promise<NonNullable<Client['received'][number]['result']>> {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ id, call, input }))
    const reply = await this.waitFor(() => this.received.find((m) => m.id === id))
    return reply.result!
  }
  events(name: string): unknown[] {
    return this.received.filter((m) => m.event === name).map((m) => m.payload)
  }
  closed(): Promise<number> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1)
    return new Promise((done) => this.ws.once('close', (code) => done(code)))
  }
}

describe('harness http', () => {
  it('serves each window page with the Content-Security-Policy header', async () => {
    for (const role of ['cashier', 'display', 'backoffice'] as const) {
      const res = await fetch(harness.urls[role])
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${harness.port}`)
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      const html = await res.text()
      expect(html).toContain('<div id="app">')
      // The bundled script is served too, under the same policy.
      const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1]
      expect(script).toBeDefined()
      const js = await fetch(new URL(script!, harness.urls[role]))
      expect(js.status).toBe(200)
      expect(js.headers.get('content-type')).toMatch(/^text\/javascript/)
      expect(js.headers.get('content-security-policy')).toBe(csp)
    }
  })

  it('redirects / to the cashier page', async () => {
    const res = await rawGet('/')
    expect(res.status).toBe(302)
    expect(res.headers['location']).toBe(`/cashier/?token=${harness.token}`)
  })

  it('refuses path traversal, raw or percent-encoded, with 404', async () => {
    const attempts = [
      '/../package.json',
      '/../../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E/%2E%2E/package.json',
      '/..%2fpackage.json',
      '/..%2f..%2fpackage.json',
      '/cashier/..%2f..%2f..%2fpackage.json',
      '/%2e%2e%2fmain%2findex.js',
      '/..%5c..%5cpackage.json',
      '/cashier/%2e%2e/%2e%2e/package.json',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
      '/cashier/index.html%00.png',
      '/nope.html'
    ]
    for (const path of attempts) {
      const res = await rawGet(path)
      expect(res.status, path).toBe(404)
      expect(res.body, path).not.toMatch(/"name": "stabletill"|root:|require\(/)
    }
  })
})

describe('harness websocket: who may connect', () => {
  it('refuses a wrong, truncated or missing token', async () => {
    const wrong = harness.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))
    expect(await connect({ token: wrong })).toEqual({ refused: 403 })
    expect(await connect({ token: harness.token.slice(0, -1) })).toEqual({ refused: 403 })
    expect(await connect({ token: `${harness.token}x` })).toEqual({ refused: 403 })
    expect(await connect({ token: '' })).toEqual({ refused: 403 })
  })

  it('refuses the right token from a foreign Origin, or with no Origin at all', async () => {
    expect(await connect({ origin: 'http://evil.example' })).toEqual({ refused: 403 })
    expect(await connect({ origin: `http://localhost:${harness.port}` })).toEqual({ refused: 403 })
    expect(await connect({ origin: `http://127.0.0.1:${harness.port + 1}` })).toEqual({ refused: 403 })
    expect(await connect({ origin: null })).toEqual({ refused: 403 })
  })

  it('refuses a socket without a window, with an unknown window, or on another path', async () => {
    expect(await connect({ window: null })).toEqual({ refused: 403 })
    expect(await connect({ window: 'admin' })).toEqual({ refused: 403 })
    expect(await connect({ window: '' })).toEqual({ refused: 403 })
    expect(await connect({ path: '/cashier/' })).toEqual({ refused: 403 })
  })
})

describe('harness websocket: calls and events', () => {
  it('carries a call and returns its Result, checked against the window role of the socket', async () => {
    const display = await open('display')
    const info = await display.call('store:info')
    expect(info).toMatchObject({ ok: true, value: { storeName: expect.any(String) } })
    // The role is the socket's, not something the message can claim.
    expect(await display.call('sale:scan', { code: COLA, source: 'manual' })).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'The display window may not call sale:scan.' }
    })
    const badInput = await display.call('sale:current', { extra: 1 })
    expect(badInput).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    display.ws.close()
  })

  it('sends each window only the events its role may receive', async () => {
    const cashier = await open('cashier')
    const display = await open('display')
    const backoffice = await open('backoffice')

    const view = till.app.sales.scan(COLA, 'manual')
    await cashier.waitFor(() => (cashier.events('sale:changed').length ? true : undefined))
    await display.waitFor(() => (display.events('sale:changed').length ? true : undefined))
    expect(display.events('sale:changed').at(-1)).toEqual(JSON.parse(JSON.stringify(view)))
    // A reply on the same socket comes after any event sent before it: if none came by now, none was sent.
    expect((await backoffice.call('store:info')).ok).toBe(true)
    expect(backoffice.events('sale:changed')).toEqual([])

    // An event every role receives does reach the back office.
    const changed = await backoffice.call('settings:set-locale', { locale: 'zh-CN' })
    expect(changed.ok).toBe(true)
    for (const client of [cashier, display, backoffice]) {
      const payload = await client.waitFor(() => client.events('store:changed')[0])
      expect(payload).toMatchObject({ locale: 'zh-CN' })
    }
    await cashier.call('settings:set-locale', { locale: 'en' })
    for (const client of [cashier, display, backoffice]) client.ws.close()
  })

  it('answers invalid JSON with an invalid-input Result and keeps the socket open', async () => {
    const cashier = await open('cashier')
    for (const junk of ['not json{', '', '[1,2', '{"id":1,']) {
      const before = cashier.received.length
      cashier.ws.send(junk)
      const reply = await cashier.waitFor(() => cashier.received.slice(before).find((m) => m.result))
      expect(reply, JSON.stringify(junk)).toEqual({ id: null, result: { ok: false, error: { code: 'invalid-input', message: 'The request was not valid JSON.' } } })
    }
    // Well-formed JSON without a numeric id is told so (with id null: there is nothing to correlate with), and the
    // socket carries on: the next real call still gets its own answer.
    const before = cashier.received.length
    const unanswerable = ['null', '"just a string"', '42', '{"call":"store:info"}', '{"id":"1","call":"store:info"}']
    for (const message of unanswerable) cashier.ws.send(message)
    expect(await cashier.call('store:info')).toMatchObject({ ok: true })
    const replies = cashier.received.slice(before).filter((m) => m.result)
    expect(replies).toHaveLength(unanswerable.length + 1)
    for (const reply of replies.slice(0, unanswerable.length)) {
      expect(reply).toEqual({ id: null, result: { ok: false, error: { code: 'invalid-input', message: 'A request needs a numeric id.' } } })
    }
    cashier.ws.close()
  })
})

// Hostile input that would kill the harness must be checked against a real process: vitest traps uncaught
// exceptions in its worker, so an in-process server would look alive after an error that ends `npm run harness`.
describe('harness process: survives hostile input', () => {
  // A fresh process per test, so one crash does not hide what the next test would find.
  let child: ChildProcessWithoutNullStreams
  let target: Target
  let dataDir: string
  let stderr: string

  beforeEach(async () => {
    stderr = ''
    dataDir = mkdtempSync(join(tmpdir(), 'stabletill-harness-'))
    const script = [
      "const { createApp } = require('./src/main/app')",
      "const { startHarness } = require('./src/main/harness/server')",
      'const app = createApp({ dataDir: process.argv[1], resourcesDir: "resources" })',
      'startHarness({ app, rendererDir: "out/renderer" }).then((h) => console.log(JSON.stringify({ origin: h.origin, port: h.port, token: h.token })))'
    ].join('\n')
    child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dataDir], { cwd: ROOT })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    target = await new Promise<Target>((done, fail) => {
      let stdout = ''
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        const line = stdout.split('\n').find((l) => l.startsWith('{'))
        if (line) done(JSON.parse(line) as Target)
      })
      child.once('exit', (code) => fail(new Error(`harness process exited with ${code}: ${stderr}`)))
    })
  })
  afterEach(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dataDir, { recursive: true, force: true })
  })

  const died = () => `the harness process died:\n${stderr.split('\n').slice(0, 8).join('\n')}`

  async function expectAlive(): Promise<void> {
    await new Promise((done) => setTimeout(done, 100))
    expect(child.exitCode, died()).toBeNull()
    expect((await fetch(`${target.origin}/cashier/`)).status).toBe(200)
  }

  it('answers a malformed percent-encoding in the path with a 4xx, and keeps serving', async () => {
    for (const path of ['/%', '/%E0%A4%A', '/cashier/%zz']) {
      const res = await rawGet(path, target).catch((e: unknown) => ({ status: 0, error: String(e) }))
      expect(res.status, `GET ${path}: ${'error' in res ? `${res.error}; ${died()}` : ''}`).toBeGreaterThanOrEqual(400)
      expect(res.status, `GET ${path}`).toBeLessThan(500)
    }
    await expectAlive()
  })

  it('closes a socket that sends more than 64 KiB, and the server keeps running', async () => {
    const cashier = await open('cashier', target)
    const closed = cashier.closed()
    cashier.ws.send(JSON.stringify({ id: 1, call: 'store:info', input: { pad: 'x'.repeat(64 * 1024) } }))
    expect(await closed).toBe(1009) // RFC 6455 §7.4.1: message too big
    expect(cashier.received.find((m) => m.id === 1)).toBeUndefined()
    await expectAlive()

    // Just under the limit is still carried (and refused by the strict schema, not by the transport).
    const again = await open('cashier', target)
    expect(await again.call('store:info', { pad: 'x'.repeat(60 * 1024) })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect((await again.call('store:info')).ok).toBe(true)
    again.ws.close()
  })
})
