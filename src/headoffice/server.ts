// The head-office server: PostgreSQL behind a small node:http service (no electron, no till code).
//   POST /v1/journal   a till ships a batch of its journal (bearer token of that till) -> ingest.ts
//   GET  /v1/overview  the overview as JSON (the owner's admin token; ?at=<ms> for another day)
//   GET  /             the same overview as a read-only HTML page (admin token as Bearer, or as a Basic password
//                      so a browser can ask for it)
// Bodies are bounded (maxBodyBytes, 413 past it) and parsed with zod; answers are JSON Results of ingest's shape.
// TLS: give `tls` (key + cert) to serve HTTPS; otherwise run it behind a TLS-terminating proxy.
import { createHash, createPublicKey, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { z } from 'zod'
import { ingestRequestSchema, type IngestResponse } from '../shared/headoffice'
import { ingestBatch, type TillAuth } from './ingest'
import { acknowledgeAlert, closingsOn, overview, storeDays, storeDaysCsv } from './overview'
import { overviewPage, pageLanguage } from './page'
import { migrateHeadOffice } from './schema'

export interface HeadOfficeOptions {
  /** postgresql://… of the head-office database. */
  readonly connectionString: string
  /** The owner's token for the overview. */
  readonly adminToken: string
  /** Largest request body accepted (default 4 MiB: a batch of 1000 ordinary entries is ~0.5 MiB). */
  readonly maxBodyBytes?: number
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer }
  /** Pool size (default 8). */
  readonly poolSize?: number
}

export interface HeadOffice {
  readonly pool: pg.Pool
  listen(port?: number, host?: string): Promise<{ url: string; port: number }>
  /** Stops taking requests (the pool stays open: listen again to come back up). */
  stopListening(): Promise<void>
  close(): Promise<void>
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex')

// pg returns bigint (int8) as a string by default; the server converts where it reads (Number of a seq or of
// minor units, which stay far below 2^53).

const storeSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), name: z.string().min(1).max(200), currency: z.string().regex(/^[A-Z]{3}$/), timeZone: z.string().min(1).max(64).default('UTC') })
const tillSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  storeId: z.string().min(1),
  ledgerTillId: z.string().regex(/^[A-Z0-9-]{1,12}$/),
  name: z.string().min(1).max(200),
  publicKey: z.lazy(() => publicKeySchema).nullable().default(null)
})

/**
 * A till key's public half as `stabletill public-key` prints it: base64 of an Ed25519 key in SPKI DER. Checked when
 * registered, because a key head office cannot read would refuse every signed head the till sends.
 */
export function readTillPublicKey(text: string): string | null {
  const trimmed = text.trim()
  if (!/^[A-Za-z0-9+/]{20,2000}={0,2}$/.test(trimmed)) return null
  try {
    const key = createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' })
    return key.asymmetricKeyType === 'ed25519' ? trimmed : null
  } catch {
    return null
  }
}

const publicKeySchema = z.string().transform((text, ctx) => {
  const key = readTillPublicKey(text)
  if (key === null) {
    ctx.addIssue({ code: 'custom', message: "not a till's public key: give the base64 line `stabletill public-key` prints" })
    return z.NEVER
  }
  return key
})

/** Adds (or renames) a store. */
export async function addStore(pool: pg.Pool, input: z.input<typeof storeSchema>): Promise<void> {
  const s = storeSchema.parse(input)
  // The time zone must be one PostgreSQL knows, or every day of the store would fail to compute.
  await pool.query('SELECT now() AT TIME ZONE $1', [s.timeZone])
  await pool.query('INSERT INTO stores (id, name, currency, time_zone) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone', [s.id, s.name, s.currency, s.timeZone])
}

/** Registers a till of a store and returns its new bearer token (shown once: only its hash is kept). */
export async function addTill(pool: pg.Pool, input: z.input<typeof tillSchema>): Promise<string> {
  const t = tillSchema.parse(input)
  const token = `sttill_${randomBytes(24).toString('base64url')}`
  await pool.query('INSERT INTO tills (id, store_id, ledger_till_id, name, token_sha256, public_key) VALUES ($1, $2, $3, $4, $5, $6)', [t.id, t.storeId, t.ledgerTillId, t.name, sha256Hex(token), t.publicKey])
  return token
}

/**
 * Registers (or replaces) a till's public key: the signed heads it sends from then on are verified with it. Heads
 * already kept stay as they were received (unverified when no key was registered).
 */
export async function setTillPublicKey(pool: pg.Pool, tillId: string, publicKey: string): Promise<void> {
  const key = publicKeySchema.parse(publicKey)
  const done = await pool.query('UPDATE tills SET public_key = $2 WHERE id = $1', [tillId, key])
  if (done.rowCount !== 1) throw new Error(`no till ${tillId}`)
}

/** A new token for a till (the old one stops working). */
export async function rotateTillToken(pool: pg.Pool, tillId: string): Promise<string> {
  const token = `sttill_${randomBytes(24).toString('base64url')}`
  const done = await pool.query('UPDATE tills SET token_sha256 = $2 WHERE id = $1', [tillId, sha256Hex(token)])
  if (done.rowCount !== 1) throw new Error(`no till ${tillId}`)
  return token
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0')
    if (declared > limit) return reject(new BodyTooLarge())
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        reject(new BodyTooLarge())
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

const refusal = (code: 'invalid' | 'unauthorized' | 'too-large', message: string): IngestResponse => ({ ok: false, ackedSeq: null, ackedHash: null, error: { code, seq: null, message } })

const isDay = (text: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`))

const ackRequestSchema = z.object({ note: z.string().max(1000) }).strict()

const ACK_REFUSALS = {
  'not-found': 'there is no such alert',
  'already-acknowledged': 'that alert was already acknowledged',
  'note-required': 'say what was done about the alert in the note'
} as const

function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? ''
  const m = /^Bearer\s+(\S+)$/i.exec(header)
  return m ? m[1]! : null
}

/** The admin token from `Bearer <token>` or a Basic password (any user name). */
function adminCredential(req: IncomingMessage): string | null {
  const token = bearer(req)
  if (token) return token
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')
  if (!m) return null
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon >= 0 ? decoded.slice(colon + 1) : null
}

/** A pool on the head-office database, its schema brought up to date. */
export async function connectHeadOffice(connectionString: string, poolSize = 8): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString, max: poolSize })
  // An idle client's error (the database restarted) must not crash the server; the next query reconnects.
  pool.on('error', (e) => console.error('head office: database connection lost:', e.message))
  try {
    const client = await pool.connect()
    try {
      await migrateHeadOffice(client)
    } finally {
      client.release()
    }
  } catch (e) {
    await pool.end()
    throw e
  }
  return pool
}

export async function startHeadOffice(options: HeadOfficeOptions): Promise<HeadOffice> {
  const pool = await connectHeadOffice(options.connectionString, options.poolSize)
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024
  const adminHash = Buffer.from(sha256Hex(options.adminToken), 'hex')
  const isAdmin = (req: IncomingMessage) => {
    const given = adminCredential(req)
    return given !== null && timingSafeEqual(Buffer.from(sha256Hex(given), 'hex'), adminHash)
  }

  async function tillOf(req: IncomingMessage): Promise<TillAuth | null> {
    const token = bearer(req)
    if (!token) return null
    const row = (await pool.query<{ id: string; store_id: string; ledger_till_id: string }>('SELECT id, store_id, ledger_till_id FROM tills WHERE token_sha256 = $1', [sha256Hex(token)])).rows[0]
    return row ? { id: row.id, storeId: row.store_id, ledgerTillId: row.ledger_till_id } : null
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://head-office')
    } catch {
      // A request line no URL parser accepts ("GET http://[ …") is the client's fault: 400, not a server fault.
      req.resume()
      return send(res, 400, { ok: false, error: { code: 'invalid', message: 'the request path is not a URL' } })
    }
    if (req.method === 'POST' && url.pathname === '/v1/journal') {
      const till = await tillOf(req)
      if (!till) {
        req.resume()
        return send(res, 401, refusal('unauthorized', 'unknown or missing till token'))
      }
      let text: string
      try {
        text = await readBody(req, maxBodyBytes)
      } catch (e) {
        if (e instanceof BodyTooLarge) return send(res, 413, refusal('too-large', `a batch is at most ${maxBodyBytes} bytes: send fewer entries`), { connection: 'close' })
        throw e
      }
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        return send(res, 400, refusal('invalid', 'the body is not JSON'))
      }
      const parsed = ingestRequestSchema.safeParse(json)
      if (!parsed.success) return send(res, 400, refusal('invalid', `the batch is not of the expected shape: ${parsed.error.issues[0]?.message ?? ''}`))
      const outcome = await ingestBatch(pool, till, parsed.data)
      return send(res, outcome.status, outcome.body)
    }
    if (req.method === 'GET' && (url.pathname === '/v1/overview' || url.pathname === '/')) {
      if (!isAdmin(req)) return send(res, 401, refusal('unauthorized', 'the overview needs the head-office admin token'), url.pathname === '/' ? { 'www-authenticate': 'Basic realm="Stabletill head office", charset="UTF-8"' } : {})
      const atParam = url.searchParams.get('at')
      const at = atParam !== null && /^\d{1,15}$/.test(atParam) ? Number(atParam) : Date.now()
      const view = await overview(pool, at)
      if (url.pathname === '/v1/overview') return send(res, 200, view)
      const html = overviewPage(view, pageLanguage(url.searchParams.get('lang'), req.headers['accept-language']))
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', vary: 'Accept-Language', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", 'content-length': Buffer.byteLength(html) })
      res.end(html)
      return
    }
    if (req.method === 'GET' && url.pathname === '/v1/closings') {
      if (!isAdmin(req)) return send(res, 401, refusal('unauthorized', 'the closings need the head-office admin token'))
      const from = url.searchParams.get('from') ?? ''
      const to = url.searchParams.get('to') ?? from
      if (!isDay(from) || !isDay(to)) return send(res, 400, { ok: false, error: { code: 'invalid', message: 'give ?from=YYYY-MM-DD (and &to=YYYY-MM-DD for several days)' } })
      if (to < from) return send(res, 400, { ok: false, error: { code: 'invalid', message: `to ${to} is before from ${from}` } })
      return send(res, 200, { ok: true, from, to, closings: await closingsOn(pool, { from, to }) })
    }
    if (req.method === 'GET' && url.pathname === '/v1/days') {
      if (!isAdmin(req)) return send(res, 401, refusal('unauthorized', 'the store days need the head-office admin token'))
      const from = url.searchParams.get('from') ?? ''
      const to = url.searchParams.get('to') ?? from
      if (!isDay(from) || !isDay(to)) return send(res, 400, { ok: false, error: { code: 'invalid', message: 'give ?from=YYYY-MM-DD (and &to=YYYY-MM-DD for several days)' } })
      if (to < from) return send(res, 400, { ok: false, error: { code: 'invalid', message: `to ${to} is before from ${from}` } })
      if (url.searchParams.get('format') === 'csv') {
        const csv = storeDaysCsv(await storeDays(pool, from, to))
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="stores-${from}-${to}.csv"`, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(csv) })
        res.end(csv)
        return
      }
      return send(res, 200, { ok: true, from, to, days: await storeDays(pool, from, to) })
    }
    const ack = /^\/v1\/alerts\/(\d{1,15})\/acknowledge$/.exec(url.pathname)
    if (req.method === 'POST' && ack) {
      // Bearer only: a browser re-sends a Basic password by itself, so a form on another site could post here.
      const token = bearer(req)
      if (token === null || !timingSafeEqual(Buffer.from(sha256Hex(token), 'hex'), adminHash)) {
        req.resume()
        return send(res, 401, refusal('unauthorized', 'acknowledging an alert needs the head-office admin token as a Bearer token'))
      }
      let body: unknown
      try {
        body = JSON.parse(await readBody(req, 16 * 1024))
      } catch (e) {
        if (e instanceof BodyTooLarge) return send(res, 413, refusal('too-large', 'the note is at most 16 KB'), { connection: 'close' })
        body = null
      }
      const parsed = ackRequestSchema.safeParse(body)
      if (!parsed.success) return send(res, 400, { ok: false, error: { code: 'invalid', message: 'the body is JSON: {"note": "what was done"}' } })
      const outcome = await acknowledgeAlert(pool, Number(ack[1]), parsed.data.note)
      if (outcome.ok) return send(res, 200, outcome)
      const status = outcome.reason === 'not-found' ? 404 : outcome.reason === 'already-acknowledged' ? 409 : 400
      return send(res, status, { ok: false, error: { code: outcome.reason, message: ACK_REFUSALS[outcome.reason] } })
    }
    req.resume()
    send(res, 404, { ok: false, error: { code: 'not-found', message: 'no such path' } })
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      console.error('head office: request failed:', e)
      // A database fault is the server's, not the till's: 503, and the shipper retries with backoff.
      if (!res.headersSent) send(res, 503, { ok: false, ackedSeq: null, ackedHash: null, error: { code: 'unavailable', seq: null, message: 'head office cannot store this now; retry later' } })
      else res.destroy()
    })
  }

  let server: Server | null = null
  async function stopListening(): Promise<void> {
    const s = server
    server = null
    if (!s) return
    await new Promise<void>((resolveClose) => {
      s.close(() => resolveClose())
      s.closeAllConnections()
    })
  }
  return {
    pool,
    async listen(port = 0, host = '127.0.0.1') {
      const s = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createHttpServer(onRequest)
      s.requestTimeout = 30_000
      s.headersTimeout = 10_000
      await new Promise<void>((resolveListen, reject) => {
        s.once('error', reject)
        s.listen(port, host, () => resolveListen())
      })
      server = s
      const address = s.address() as AddressInfo
      const shownHost = host.includes(':') ? `[${host}]` : host
      return { url: `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}`, port: address.port }
    },
    stopListening,
    async close() {
      await stopListening()
      await pool.end()
    }
  }
}
