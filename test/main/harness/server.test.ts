// The browser harness against a real till and the built renderer (out/renderer, from `npm run build`).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { createConnection, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startHarness, type Harness } from '../../../src/main/harness/server'
import { WINDOW_ROLES, type WindowRole } from '../../../src/shared/api/channels'
import { testTill, type TestTill } from '../../fixtures/till'
import { generator } from '../../fixtures/random'

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
  readonly tokens: Readonly<Record<WindowRole, string>>
}

interface SocketOptions {
  readonly window?: string | null
  /** Default: the token of the window named (or the cashier's). */
  readonly token?: string
  readonly origin?: string | null
  readonly path?: string
}

function socketUrl(options: SocketOptions, target: Target): string {
  const url = new URL(options.path ?? '/api', target.origin.replace('http:', 'ws:'))
  const role = (WINDOW_ROLES as readonly string[]).includes(options.window ?? '') ? (options.window as WindowRole) : 'cashier'
  const token = options.token ?? target.tokens[role]
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

const SECURITY_HEADERS = {
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff'
}

function expectFullCsp(csp: string, port: number): void {
  for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'none'", "img-src 'self' data:", "style-src 'self'"]) {
    expect(csp).toContain(directive)
  }
  expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`)
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/)
}

/** A raw request with exactly the Host header given (or none): fetch and node:http always send their own. */
function rawRequest(port: number, head: string): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write(head))
    let text = ''
    socket.setEncoding('latin1')
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(head.slice(0, 60))}`)))
    socket.on('data', (chunk: string) => {
      text += chunk
      if (/\r\n\r\n/.test(text)) socket.end()
    })
    socket.on('close', () => done({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text }))
    socket.on('error', fail)
  })
}

describe('harness http', () => {
  it('serves each window page with the full CSP and the isolation headers', async () => {
    for (const role of ['cashier', 'display', 'backoffice'] as const) {
      const res = await fetch(harness.urls[role])
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      const csp = res.headers.get('content-security-policy') ?? ''
      expectFullCsp(csp, harness.port)
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name), name).toBe(value)
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
    // Refusals carry the same headers.
    const missing = await rawGet('/nope.html')
    expect(missing.status).toBe(404)
    expectFullCsp(String(missing.headers['content-security-policy']), harness.port)
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(missing.headers[name], name).toBe(value)
  })

  it('hands out no token over HTTP: / is not a redirect, and no page or file contains one', async () => {
    const index = await rawGet('/')
    expect(index.status).toBe(404)
    expect(index.headers['location']).toBeUndefined()
    const served = [index.body]
    for (const role of WINDOW_ROLES) {
      const page = await fetch(`${harness.origin}/${role}/`)
      const html = await page.text()
      served.push(html, JSON.stringify([...page.headers]))
      for (const src of html.matchAll(/(?:src|href)="([^"]+)"/g)) served.push(await (await fetch(new URL(src[1]!, page.url))).text())
    }
    for (const token of Object.values(harness.tokens)) for (const body of served) expect(body.includes(token)).toBe(false)
  })

  it('answers only to its own Host (127.0.0.1:PORT or localhost:PORT): 421 for another, 400 for none', async () => {
    const get = (host: string | null) => rawRequest(harness.port, `GET /cashier/ HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`)
    expect((await get(`127.0.0.1:${harness.port}`)).status).toBe(200)
    expect((await get(`localhost:${harness.port}`)).status).toBe(200)
    expect((await get(`LOCALHOST:${harness.port}`)).status).toBe(200)
    // A page of another site whose DNS name now points at 127.0.0.1 (DNS rebinding) sends its own name.
    for (const host of ['evil.example', `evil.example:${harness.port}`, '127.0.0.1', `127.0.0.1:${harness.port + 1}`, `localhost.evil.example:${harness.port}`, `[::1]:${harness.port}`, `0.0.0.0:${harness.port}`]) {
      const res = await get(host)
      expect(res.status, host).toBe(421)
      expect(res.text, host).toMatch(/content-security-policy: .*frame-ancestors 'none'/i)
    }
    // HTTP/1.1 without Host is refused by Node's parser; HTTP/1.0 without it reaches the harness, which refuses it.
    expect((await get(null)).status).toBe(400)
    expect((await rawRequest(harness.port, 'GET /cashier/ HTTP/1.0\r\n\r\n')).status).toBe(400)
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
    const token = harness.tokens.cashier
    const wrong = token.replace(/^./, (c: string) => (c === 'A' ? 'B' : 'A'))
    expect(await connect({ token: wrong })).toEqual({ refused: 403 })
    expect(await connect({ token: token.slice(0, -1) })).toEqual({ refused: 403 })
    expect(await connect({ token: `${token}x` })).toEqual({ refused: 403 })
    expect(await connect({ token: '' })).toEqual({ refused: 403 })
  })

  it('refuses the right token from a foreign Origin, or with no Origin at all', async () => {
    expect(await connect({ origin: 'http://evil.example' })).toEqual({ refused: 403 })
    expect(await connect({ origin: `http://127.0.0.1:${harness.port + 1}` })).toEqual({ refused: 403 })
    expect(await connect({ origin: `https://127.0.0.1:${harness.port}` })).toEqual({ refused: 403 })
    expect(await connect({ origin: `http://localhost.evil.example:${harness.port}` })).toEqual({ refused: 403 })
    expect(await connect({ origin: 'null' })).toEqual({ refused: 403 })
    expect(await connect({ origin: null })).toEqual({ refused: 403 })
    // The page opened as http://localhost:PORT is the harness too.
    const local = await connect({ origin: `http://localhost:${harness.port}` })
    expect(local.ws).toBeDefined()
    local.ws?.close()
  })

  it('refuses a socket whose Host is not the harness (DNS rebinding), even with a good token and Origin', async () => {
    const ws = new WebSocket(socketUrl({ window: 'cashier' }, harness), { origin: harness.origin, headers: { host: `evil.example:${harness.port}` } })
    const refused = await new Promise<number>((done, fail) => {
      ws.once('unexpected-response', (_req, res) => done(res.statusCode ?? 0))
      ws.once('open', () => fail(new Error('opened')))
      ws.once('error', fail)
    })
    expect(refused).toBe(421)
  })

  it('refuses a socket with an unknown window, or on another path', async () => {
    expect(await connect({ window: 'admin', token: harness.tokens.cashier })).toEqual({ refused: 403 })
    expect(await connect({ window: '', token: harness.tokens.cashier })).toEqual({ refused: 403 })
    expect(await connect({ path: '/cashier/' })).toEqual({ refused: 403 })
  })

  it("binds the role to the token: the display's token never acts as the cashier, whatever window= says", async () => {
    // Each token opens only its own window.
    for (const tokenRole of WINDOW_ROLES) {
      for (const claimed of WINDOW_ROLES) {
        const socket = await connect({ window: claimed, token: harness.tokens[tokenRole] })
        if (claimed === tokenRole) {
          expect(socket.ws, `${tokenRole} as ${claimed}`).toBeDefined()
          socket.ws?.close()
        } else expect(socket, `${tokenRole} token claiming ${claimed}`).toEqual({ refused: 403 })
      }
    }
    expect(new Set(Object.values(harness.tokens)).size).toBe(3)
    // Without window=, the token alone decides: the display's token is the display.
    const display = await connect({ window: null, token: harness.tokens.display })
    const client = new Client(display.ws!)
    expect(await client.call('sale:scan', { code: COLA, source: 'manual' })).toEqual({ ok: false, error: { code: 'forbidden', message: 'The display window may not call sale:scan.' } })
    expect((await client.call('sale:current')).ok).toBe(true)
    expect(till.app.sales.current()).toBeNull()
    client.ws.close()
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

    // A scan goes out as its line and the totals ('sale:line-changed'), not the whole sale.
    const view = till.app.sales.scan(COLA, 'manual')
    await cashier.waitFor(() => (cashier.events('sale:line-changed').length ? true : undefined))
    await display.waitFor(() => (display.events('sale:line-changed').length ? true : undefined))
    const { lines, tenders, ...head } = JSON.parse(JSON.stringify(view)) as typeof view
    expect(tenders).toEqual([])
    expect(display.events('sale:line-changed').at(-1)).toEqual({ sale: head, fromVersion: 0, line: lines[0], lineCount: 1 })
    // A reply on the same socket comes after any event sent before it: if none came by now, none was sent.
    expect((await backoffice.call('store:info')).ok).toBe(true)
    expect(backoffice.events('sale:line-changed')).toEqual([])

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
      'startHarness({ app, rendererDir: "out/renderer" }).then((h) => console.log(JSON.stringify({ origin: h.origin, port: h.port, tokens: h.tokens })))'
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
    // And the api still answers a real call.
    const cashier = await open('cashier', target)
    expect((await cashier.call('store:info')).ok, died()).toBe(true)
    cashier.ws.close()
  }

  /** Sends bytes on a fresh TCP connection and waits until the server answers, closes, or 2 s pass. */
  function sendRaw(bytes: Buffer | string, options: { keepOpen?: boolean } = {}): Promise<{ text: string; socket: Socket }> {
    return new Promise((done) => {
      const socket = createConnection({ host: '127.0.0.1', port: target.port })
      let text = ''
      let settled = false
      const settle = () => {
        if (settled) return
        settled = true
        if (!options.keepOpen) socket.destroy()
        done({ text, socket })
      }
      socket.on('connect', () => socket.write(bytes))
      socket.setEncoding('latin1')
      socket.on('data', (chunk: string) => {
        text += chunk
        if (/\r\n\r\n/.test(text)) settle()
      })
      socket.on('error', settle)
      socket.on('close', settle)
      setTimeout(settle, 2_000)
    })
  }

  /** A WebSocket frame as a client would send it (masked unless told otherwise). */
  function frame(opcode: number, payload: Buffer, options: { fin?: boolean; rsv?: number; masked?: boolean; length?: bigint } = {}): Buffer {
    const masked = options.masked ?? true
    const first = ((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode
    const length = options.length ?? BigInt(payload.length)
    let header: Buffer
    if (length < 126n) header = Buffer.from([first, (masked ? 0x80 : 0) | Number(length)])
    else if (length < 65536n) {
      header = Buffer.alloc(4)
      header.writeUInt8(first, 0)
      header.writeUInt8((masked ? 0x80 : 0) | 126, 1)
      header.writeUInt16BE(Number(length), 2)
    } else {
      header = Buffer.alloc(10)
      header.writeUInt8(first, 0)
      header.writeUInt8((masked ? 0x80 : 0) | 127, 1)
      header.writeBigUInt64BE(length, 2)
    }
    if (!masked) return Buffer.concat([header, payload])
    const mask = randomBytes(4)
    const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))
    return Buffer.concat([header, mask, body])
  }

  const handshake = (extra = '', version = '13') =>
    `GET /api?window=cashier&token=${target.tokens.cashier} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nOrigin: ${target.origin}\r\n` +
    `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: ${version}\r\n${extra}\r\n`
  const goodKey = () => `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n`

  /** An upgraded raw socket: the frames after it are ws's to judge. */
  async function upgraded(): Promise<Socket> {
    const { text, socket } = await sendRaw(handshake(goodKey()), { keepOpen: true })
    expect(text).toMatch(/^HTTP\/1\.1 101 /)
    return socket
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

  it("caps frames by the token's role: the back office sends a catalog-sized frame, over 32 MiB is closed with 1009", async () => {
    // 12 MiB: about what a 100,000-product catalog CSV weighs. Carried to the schema (the pad is not one of the
    // call's fields), so the transport let it through; the same frame from the display is refused at 64 KiB.
    // Ids of their own, apart from the ones Client.call counts up from 1.
    const big = JSON.stringify({ id: 1001, call: 'store:info', input: { pad: 'x'.repeat(12 * 1024 * 1024) } })
    const backoffice = await open('backoffice', target)
    backoffice.ws.send(big)
    const reply = await backoffice.waitFor(() => backoffice.received.find((m) => m.id === 1001), 20_000)
    expect(reply.result).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    expect((await backoffice.call('store:info')).ok).toBe(true)

    const display = await open('display', target)
    const displayClosed = display.closed()
    display.ws.send(big)
    expect(await displayClosed).toBe(1009)

    // Over the back office's own limit: closed the same way, never buffered whole, and the till carries on.
    const closed = backoffice.closed()
    backoffice.ws.send(JSON.stringify({ id: 1002, call: 'store:info', input: { pad: 'x'.repeat(32 * 1024 * 1024) } }))
    expect(await closed).toBe(1009)
    expect(backoffice.received.find((m) => m.id === 1002)).toBeUndefined()
    await expectAlive()
  }, 60_000)

  it('survives random bytes, malformed request lines and huge headers on raw TCP, and keeps serving', async () => {
    const seed = Date.now() % 2 ** 31
    const next = generator(seed)
    const host = `Host: 127.0.0.1:${target.port}\r\n`
    // 1. Random bytes, alone and after a plausible start.
    for (let i = 0; i < 150; i++) {
      const noise = randomBytes(1 + next(2048))
      await sendRaw(i % 3 === 0 ? Buffer.concat([Buffer.from('GET /cashier/ HTTP/1.1\r\n'), noise]) : noise)
    }
    // 2. Request lines and headers that no parser should accept, and some that only this server must refuse.
    const malformed = [
      '\r\n\r\n',
      'GET\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      'G\0ET / HTTP/1.1\r\n\r\n',
      `GET http://[::1 HTTP/1.1\r\n${host}\r\n`,
      `GET * HTTP/1.1\r\n${host}\r\n`,
      `OPTIONS * HTTP/1.1\r\n${host}\r\n`,
      `CONNECT 127.0.0.1:22 HTTP/1.1\r\n${host}\r\n`,
      `GET http://evil.example/cashier/ HTTP/1.1\r\n${host}\r\n`,
      `GET //cashier/ HTTP/1.1\r\n${host}\r\n`,
      `GET /% HTTP/1.1\r\n${host}\r\n`,
      `GET /cashier/%00 HTTP/1.1\r\n${host}\r\n`,
      `GET /\u00ff\u00fe HTTP/1.1\r\n${host}\r\n`,
      `GET /${'a'.repeat(100_000)} HTTP/1.1\r\n${host}\r\n`,
      `POST /cashier/ HTTP/1.1\r\n${host}Content-Length: -1\r\n\r\n`,
      `POST /cashier/ HTTP/1.1\r\n${host}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello`,
      `POST /cashier/ HTTP/1.1\r\n${host}Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n`,
      `GET /cashier/ HTTP/1.1\r\n${host}No colon here\r\n\r\n`,
      `GET /cashier/ HTTP/1.1\r\n${host}X-Folded: a\r\n b\r\n\r\n`,
      `GET /cashier/ HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\nHost: evil.example\r\n\r\n`,
      `GET /api?window=%zz&token=%zz HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
      `GET /api?token=${target.tokens.cashier}&token=x HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
      handshake(), // no key
      handshake('Sec-WebSocket-Key: not-base64\r\n'),
      handshake(goodKey(), '99'),
      handshake(goodKey(), ''),
      `GET /api HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\n${goodKey()}Sec-WebSocket-Version: 13\r\n\r\n`
    ]
    for (const head of malformed) {
      const { text } = await sendRaw(head)
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
      // Either no answer (the socket was dropped) or a refusal: nothing malformed is ever served or upgraded.
      if (status) expect(status, JSON.stringify(head.slice(0, 80))).toBeGreaterThanOrEqual(400)
    }
    // 3. Huge headers: one enormous value, and very many small ones.
    const big = await sendRaw(`GET /cashier/ HTTP/1.1\r\n${host}X-Big: ${'x'.repeat(200_000)}\r\n\r\n`)
    expect(big.text).toMatch(/^HTTP\/1\.1 431 /)
    const many = await sendRaw(`GET /cashier/ HTTP/1.1\r\n${host}${Array.from({ length: 5_000 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`)
    expect(many.text).toMatch(/^HTTP\/1\.1 431 /)
    await expectAlive()
    expect(stderr, `seed ${seed}`).not.toMatch(/Uncaught|TypeError|RangeError/)
  }, 60_000)

  it('survives bad WebSocket frames, one socket each, and keeps serving', async () => {
    const text = (s: string) => Buffer.from(s)
    const badFrames: [string, Buffer][] = [
      ['unmasked client frame', frame(1, text('{"id":1}'), { masked: false })],
      ['reserved opcode 3', frame(3, text('x'))],
      ['reserved opcode 11', frame(11, text('x'))],
      ['RSV bits without an extension', frame(1, text('{}'), { rsv: 7 })],
      ['control frame over 125 bytes', frame(9, Buffer.alloc(200))],
      ['fragmented control frame', frame(9, text('p'), { fin: false })],
      ['continuation with nothing to continue', frame(0, text('x'))],
      ['text frame of invalid UTF-8', frame(1, Buffer.from([0xc3, 0x28, 0xff, 0xfe]))],
      ['length of 2^63 - 1', frame(1, Buffer.alloc(0), { length: 2n ** 63n - 1n })],
      ['length over the 64 KiB limit', frame(1, Buffer.alloc(0), { length: 70_000n })],
      ['close with an invalid code', frame(8, Buffer.from([0x03, 0xe7]))],
      ['close with a 1-byte body', frame(8, Buffer.from([0x03]))],
      ['binary frame', frame(2, randomBytes(64))],
      ['deeply nested JSON', frame(1, text(`${'['.repeat(30_000)}${']'.repeat(30_000)}`))],
      ['JSON with a huge number id', frame(1, text('{"id":1e400,"call":"store:info"}'))],
      ['prototype keys', frame(1, text('{"id":1,"call":"__proto__","input":{"__proto__":{"polluted":true}},"constructor":{"prototype":{"x":1}}}'))],
      ['random bytes', randomBytes(4096)]
    ]
    for (const [what, bytes] of badFrames) {
      const socket = await upgraded()
      const closed = new Promise<void>((done) => {
        socket.once('close', () => done())
        setTimeout(done, 1_000)
      })
      socket.on('error', () => undefined)
      socket.write(bytes)
      await closed
      socket.destroy()
      expect(child.exitCode, `${what}: ${died()}`).toBeNull()
    }
    // A split frame: the header now, the rest never (a slow client), then gone.
    const slow = await upgraded()
    slow.write(frame(1, text('{"id":1,"call":"store:info"}')).subarray(0, 3))
    slow.destroy()
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    await expectAlive()
  }, 60_000)

  it('survives many connections at once (idle, half-open and sockets), and serves once they are gone', async () => {
    const idle: Socket[] = []
    for (let i = 0; i < 300; i++) {
      const socket = createConnection({ host: '127.0.0.1', port: target.port })
      socket.on('error', () => undefined)
      if (i % 2) socket.write('GET /cashier/ HTTP/1.1\r\n') // a request that never ends
      idle.push(socket)
    }
    await Promise.all(idle.map((s) => new Promise((done) => (s.connecting ? s.once('connect', done) : done(null)))))
    // The server still answers while they hang on.
    expect((await fetch(`${target.origin}/display/`)).status).toBe(200)
    // Sockets beyond the limit are refused with 503, the ones before it work.
    const opened: WebSocket[] = []
    const refusals: number[] = []
    for (let i = 0; i < 80; i++) {
      const socket = await connect({ window: 'display' }, target)
      if (socket.ws) opened.push(socket.ws)
      else refusals.push(socket.refused)
    }
    expect(opened.length).toBeGreaterThan(0)
    expect(new Set(refusals)).toEqual(refusals.length ? new Set([503]) : new Set())
    for (const ws of opened) ws.terminate()
    for (const s of idle) s.destroy()
    await new Promise((done) => setTimeout(done, 300))
    await expectAlive()
  }, 60_000)
})
