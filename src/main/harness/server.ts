// The browser harness: serves the built renderer pages over http on 127.0.0.1 and carries the same api as the
// Electron preloads over one WebSocket per page, so the UI runs (and is tested) in a plain Chromium where the
// Electron binary cannot. A per-run random token guards the api; the socket's Origin must be the harness itself.
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { mayReceive, WINDOW_ROLES, type WindowRole } from '../../shared/api/channels'
import type { App } from '../app'

export interface HarnessOptions {
  readonly app: App
  /** The built renderer (out/renderer). */
  readonly rendererDir: string
  readonly host?: string
  /** 0 picks a free port. */
  readonly port?: number
  readonly token?: string
}

export interface Harness {
  readonly origin: string
  readonly port: number
  readonly token: string
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

const MAX_MESSAGE_BYTES = 64 * 1024

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? randomBytes(18).toString('base64url')
  const root = resolve(options.rendererDir)
  if (!existsSync(join(root, 'cashier', 'index.html'))) {
    throw new Error(`No built renderer at ${root}: run \`npm run build\` first.`)
  }
  let origin = ''

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    let path: string
    try {
      path = decodeURIComponent(url.pathname)
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request')
      return
    }
    if (path === '/') {
      res.writeHead(302, { location: `/cashier/?token=${token}` }).end()
      return
    }
    if (path.endsWith('/')) path += 'index.html'
    const file = normalize(join(root, path))
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      // The same policy as the Electron windows, plus the harness's own socket.
      'content-security-policy': `default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self' ws://${host}:${(server.address() as AddressInfo).port}`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store'
    })
    createReadStream(file).pipe(res)
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const role = url.searchParams.get('window') as WindowRole | null
    const given = url.searchParams.get('token') ?? ''
    if (url.pathname !== '/api' || !role || !WINDOW_ROLES.includes(role) || !sameToken(given, token) || req.headers.origin !== origin) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n')
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, role))
  })

  const sockets = new Set<{ ws: WebSocket; role: WindowRole }>()
  const unsubscribe = options.app.events.subscribe((event, payload) => {
    const message = JSON.stringify({ event, payload })
    for (const s of sockets) if (mayReceive(s.role, event) && s.ws.readyState === s.ws.OPEN) s.ws.send(message)
  })

  function serveSocket(ws: WebSocket, role: WindowRole): void {
    const entry = { ws, role }
    sockets.add(entry)
    ws.on('close', () => sockets.delete(entry))
    // ws reports an oversize frame (maxPayload) or a protocol violation as an 'error' after closing the socket;
    // unheard, it would be thrown and end the whole till.
    ws.on('error', () => ws.terminate())
    ws.on('message', async (data) => {
      let id: unknown = null
      try {
        const message = JSON.parse(String(data)) as { id?: unknown; call?: unknown; input?: unknown }
        id = message?.id ?? null
        if (typeof id !== 'number') {
          ws.send(JSON.stringify({ id: null, result: { ok: false, error: { code: 'invalid-input', message: 'A request needs a numeric id.' } } }))
          return
        }
        const result = await options.app.registry.dispatch(role, message.call, message.input)
        ws.send(JSON.stringify({ id, result }))
      } catch {
        ws.send(JSON.stringify({ id, result: { ok: false, error: { code: 'invalid-input', message: 'The request was not valid JSON.' } } }))
      }
    })
  }

  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(options.port ?? 0, host, () => done())
  })
  const port = (server.address() as AddressInfo).port
  origin = `http://${host}:${port}`
  const urls = Object.fromEntries(WINDOW_ROLES.map((role) => [role, `${origin}/${role}/?token=${token}`])) as Record<WindowRole, string>

  return {
    origin,
    port,
    token,
    urls,
    async close() {
      unsubscribe()
      for (const s of sockets) s.ws.terminate()
      wss.close()
      await new Promise<void>((done) => server.close(() => done()))
    }
  }
}
