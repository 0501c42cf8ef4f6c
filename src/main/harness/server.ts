// The browser harness: serves the built renderer pages over http on 127.0.0.1 and carries the same api as the
// Electron preloads over one WebSocket per page, so the UI runs (and is tested) in a plain Chromium where the
// Electron binary cannot.
//
// Who may talk to it (an attacker on the same machine can reach any 127.0.0.1 port, and any web page in the
// shop's browser can make that browser reach it):
// - One random token per window role. The token IS the role: a socket opened with the display's token acts as
//   the display whatever its `window=` parameter says (a mismatch is refused). The tokens appear only in the start
//   banner (cli.ts) and in harness.json in the data folder (mode 0600); no HTTP response ever contains one.
// - The Host header must name this harness (127.0.0.1:PORT or localhost:PORT): a page of another site that
//   re-binds its DNS name to 127.0.0.1 sends its own name and is refused (421), before any file or socket.
// - A WebSocket's Origin must be the harness itself (browsers always send it; a page elsewhere cannot forge it).
// - Any request line, header or frame, however broken, is answered or dropped: it never ends the process.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { extname, join, normalize, posix, resolve, sep } from 'node:path'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { mayReceive, WINDOW_ROLES, type WindowRole } from '../../shared/api/channels'
import type { App } from '../app'
import { contentSecurityPolicy, SECURITY_HEADERS } from '../security/policy'

export type HarnessTokens = Readonly<Record<WindowRole, string>>

export interface HarnessOptions {
  /** The till, or a host in front of it (services/setup-host.ts: the first-run set-up, then the till). */
  readonly app: Pick<App, 'events' | 'registry'>
  /** The built renderer (out/renderer). */
  readonly rendererDir: string
  /** Only loopback makes sense: the Host and Origin checks accept 127.0.0.1 and localhost. */
  readonly host?: '127.0.0.1' | 'localhost'
  /** 0 picks a free port. */
  readonly port?: number
  /** Tokens to reuse (saved from the last run, so open pages re-attach); missing roles get a fresh one. */
  readonly tokens?: Partial<HarnessTokens>
}

export interface Harness {
  readonly origin: string
  readonly port: number
  readonly tokens: HarnessTokens
  /** Each window's page, with its own role's token. */
  readonly urls: Readonly<Record<WindowRole, string>>
  close(): Promise<void>
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json'
}

/**
 * The largest frame each window may send, by its token's role. The counter's windows only ever send small calls
 * (a scan, a PIN), so 64 KiB is plenty and keeps a stuck or hostile page from making the till buffer much. The
 * back office uploads a whole catalog CSV in one call ('catalog:import', up to 100,000 products, ~10 MB), so its
 * limit is 32 MiB. A frame over the limit closes that socket with 1009 (RFC 6455 §7.4.1, message too big); the
 * page says so and reconnects, and nothing else on the till notices.
 */
export const MAX_FRAME_BYTES: Readonly<Record<WindowRole, number>> = Object.freeze({
  cashier: 64 * 1024,
  display: 64 * 1024,
  backoffice: 32 * 1024 * 1024
})
/** Three pages per till plus reconnects; far more open sockets than this is someone holding file descriptors. */
const MAX_SOCKETS = 64
/** Open TCP connections of any kind (Node drops the ones beyond it), so a flood cannot exhaust descriptors. */
const MAX_CONNECTIONS = 512
/** A token long enough that guessing one over a socket is hopeless (144 bits). */
export function newToken(): string {
  return randomBytes(18).toString('base64url')
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The role whose token this is; every token is compared, so the time taken does not say which one was near. */
function roleOfToken(given: string, tokens: HarnessTokens): WindowRole | null {
  let found: WindowRole | null = null
  for (const role of WINDOW_ROLES) if (sameToken(given, tokens[role])) found = role
  return found
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 421: 'Misdirected Request', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 503: 'Service Unavailable' }

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const host = options.host ?? '127.0.0.1'
  const tokens: HarnessTokens = Object.freeze(Object.fromEntries(WINDOW_ROLES.map((role) => [role, options.tokens?.[role] ?? newToken()])) as Record<WindowRole, string>)
  if (new Set(Object.values(tokens)).size !== WINDOW_ROLES.length) throw new Error('each window role needs its own token')
  const root = resolve(options.rendererDir)
  if (!existsSync(join(root, 'cashier', 'index.html'))) {
    throw new Error(`No built renderer at ${root}: run \`npm run build\` first.`)
  }
  // Filled in once listening; until then no request can arrive.
  let allowedHosts = new Set<string>()
  let allowedOrigins = new Set<string>()
  let headers: Record<string, string> = {}

  /** Host must name this harness exactly (DNS rebinding defence): 400 when absent, 421 when it names another. */
  function hostProblem(req: IncomingMessage): 400 | 421 | null {
    const given = req.headers.host
    // Node keeps the first of several Host headers; a request with two is ambiguous, and refused.
    const count = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === 'host').length
    if (!given || count !== 1) return 400
    return allowedHosts.has(given.toLowerCase()) ? null : 421
  }

  function refuse(res: ServerResponse, status: number, text: string): void {
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end(text)
  }

  function serveFile(req: IncomingMessage, res: ServerResponse): void {
    const problem = hostProblem(req)
    if (problem) return refuse(res, problem, problem === 400 ? 'A Host header is required.' : 'This server answers only to its own address.')
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET.')
    const raw = req.url ?? ''
    // Origin-form only ("/path?query"): an absolute-form or asterisk request target is not for a file server.
    if (!raw.startsWith('/')) return refuse(res, 400, 'bad request')
    const query = raw.indexOf('?')
    let path: string
    try {
      path = decodeURIComponent(query < 0 ? raw : raw.slice(0, query))
    } catch {
      return refuse(res, 400, 'bad request')
    }
    // No index at /: it once redirected to the cashier page with the token, handing the api to any local process.
    if (path === '/') return refuse(res, 404, 'Stabletill browser harness: open the page addresses printed when it started.')
    // Only canonical paths: no NUL, no empty, dot or dot-dot segments, no backslashes (a separator on Windows).
    if (path.includes('\0') || path.includes('\\') || posix.normalize(path) !== path || path.includes('//')) return refuse(res, 404, 'not found')
    if (path.endsWith('/')) path += 'index.html'
    const file = normalize(join(root, path))
    let isFile: boolean
    try {
      isFile = file.startsWith(root + sep) && statSync(file, { throwIfNoEntry: false })?.isFile() === true
    } catch {
      isFile = false
    }
    if (!isFile) return refuse(res, 404, 'not found')
    res.writeHead(200, { ...headers, 'content-type': MIME[extname(file)] ?? 'application/octet-stream' })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    const stream = createReadStream(file)
    stream.on('error', () => res.destroy())
    stream.pipe(res)
  }

  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 10_000, headersTimeout: 10_000 }, (req, res) => {
    try {
      serveFile(req, res)
    } catch {
      // Nothing above should throw; if something does, this request fails alone.
      refuse(res, 500, 'internal error')
    }
  })
  server.maxConnections = MAX_CONNECTIONS
  server.keepAliveTimeout = 5_000
  // A request Node's parser cannot read (bad request line, header overflow, bad chunking, a timeout) lands here.
  // Unheard, Node answers 400 itself, but an error on a socket already reset must not surface as an exception.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    socket.on('error', () => socket.destroy())
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy()
      return
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
    socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  })
  server.on('connection', (socket: Socket) => {
    // A peer resetting mid-request raises 'error' on the socket; http handles it, this is the belt to its braces.
    socket.on('error', () => socket.destroy())
  })

  // One server per role: ws applies maxPayload per server, and the role is known (from the token) before the
  // upgrade is handed over.
  const servers = Object.fromEntries(
    WINDOW_ROLES.map((role) => {
      const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES[role], clientTracking: false })
      wss.on('error', () => undefined)
      return [role, wss]
    })
  ) as Record<WindowRole, WebSocketServer>
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const refuseUpgrade = (status: number): void => {
      // As ws's own abortHandshake: let the answer flush, then drop the socket.
      socket.once('finish', () => socket.destroy())
      socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    }
    try {
      const problem = hostProblem(req)
      if (problem) return refuseUpgrade(problem)
      const raw = req.url ?? ''
      if (!raw.startsWith('/')) return refuseUpgrade(400)
      const url = new URL(raw, 'http://harness.invalid')
      const role = roleOfToken(url.searchParams.get('token') ?? '', tokens)
      const claimed = url.searchParams.get('window')
      const origin = req.headers.origin
      if (url.pathname !== '/api' || !role || (claimed !== null && claimed !== role) || !origin || !allowedOrigins.has(origin.toLowerCase())) {
        return refuseUpgrade(403)
      }
      if (sockets.size >= MAX_SOCKETS) return refuseUpgrade(503)
      // handleUpgrade answers a bad Sec-WebSocket-Key or version with 400 itself.
      servers[role].handleUpgrade(req, socket, head, (ws) => serveSocket(ws, role))
    } catch {
      refuseUpgrade(400)
    }
  })

  const sockets = new Set<{ ws: WebSocket; role: WindowRole }>()
  const unsubscribe = options.app.events.subscribe((event, payload) => {
    const message = JSON.stringify({ event, payload })
    for (const s of sockets) if (mayReceive(s.role, event) && s.ws.readyState === s.ws.OPEN) s.ws.send(message)
  })

  function reply(ws: WebSocket, id: number | null, result: unknown): void {
    if (ws.readyState !== ws.OPEN) return
    let text: string
    try {
      text = JSON.stringify({ id, result })
    } catch {
      text = JSON.stringify({ id, result: { ok: false, error: { code: 'internal', message: 'The answer could not be sent.' } } })
    }
    ws.send(text, () => undefined)
  }

  function invalid(ws: WebSocket, message: string): void {
    reply(ws, null, { ok: false, error: { code: 'invalid-input', message } })
  }

  function serveSocket(ws: WebSocket, role: WindowRole): void {
    const entry = { ws, role }
    sockets.add(entry)
    ws.on('close', () => sockets.delete(entry))
    // ws reports an oversize frame (maxPayload) or a protocol violation as an 'error'; unheard, it would be thrown
    // and end the whole till. ws has already sent its close frame (1009, 1002, ...) and drops whatever else the
    // peer sends; it destroys the socket once the peer answers the close or after its 30 s close timeout. Not
    // terminated here: a reset while the peer is still sending (a 12 MiB frame to a 64 KiB window) would lose the
    // close frame, and the page would see 1006 ("link down") instead of 1009 ("too large").
    ws.on('error', () => undefined)
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return invalid(ws, 'The request was not valid JSON.')
      let message: unknown
      try {
        message = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'))
      } catch {
        return invalid(ws, 'The request was not valid JSON.')
      }
      const fields = typeof message === 'object' && message !== null && !Array.isArray(message) ? (message as { id?: unknown; call?: unknown; input?: unknown }) : null
      const id = fields?.id
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) return invalid(ws, 'A request needs a numeric id.')
      // The role is the token's, never something the message can claim.
      options.app.registry.dispatch(role, fields!.call, fields!.input).then(
        (result) => reply(ws, id, result),
        () => reply(ws, id, { ok: false, error: { code: 'internal', message: 'Something went wrong on the till; nothing was changed.' } })
      )
    })
  }

  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', fail)
      done()
    })
  })
  // After listening, a server error (e.g. EMFILE on accept) is logged by Node's accept loop; never fatal here.
  server.on('error', () => undefined)
  const port = (server.address() as AddressInfo).port
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`])
  allowedOrigins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`])
  headers = {
    // The same policy as the Electron windows, plus the harness's own socket under either name.
    'content-security-policy': contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]),
    ...SECURITY_HEADERS,
    'cache-control': 'no-store'
  }
  const origin = `http://${host}:${port}`
  const urls = Object.fromEntries(WINDOW_ROLES.map((role) => [role, `${origin}/${role}/?token=${tokens[role]}`])) as Record<WindowRole, string>

  return {
    origin,
    port,
    tokens,
    urls,
    async close() {
      unsubscribe()
      for (const s of sockets) s.ws.terminate()
      for (const role of WINDOW_ROLES) servers[role].close()
      server.closeAllConnections()
      await new Promise<void>((done) => server.close(() => done()))
    }
  }
}
