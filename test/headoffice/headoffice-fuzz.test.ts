// Head office faces the network: whatever arrives on its port (random bytes, broken request lines, odd paths and
// headers, bodies that are not JSON or not a batch, huge headers), it answers or closes that connection, and keeps
// serving the owner and the tills. Seeded (xorshift32) so a failing run repeats.
import { createConnection } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addStore, addTill, startHeadOffice, type HeadOffice } from '../../src/headoffice/server'
import { postgresBinDir, startPostgres, type TestPostgres } from '../fixtures/postgres'
import { generator } from '../fixtures/random'

const ADMIN = 'fuzz-admin-token-0123'
const pgBin = postgresBinDir()

/** Sends bytes on a fresh socket and resolves with what came back once the server answers or closes (or 2 s). */
function sendRaw(port: number, bytes: Buffer | string): Promise<string> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let text = ''
    const finish = () => {
      socket.destroy()
      done(text)
    }
    const timer = setTimeout(finish, 2000)
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1')
      // One answer is enough: the server keeps the connection open for keep-alive.
      if (/\r\n\r\n/.test(text)) {
        clearTimeout(timer)
        setTimeout(finish, 20)
      }
    })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      done(text)
    })
    socket.write(bytes)
  })
}

describe.skipIf(!pgBin)('head office under malformed traffic', () => {
  let pg: TestPostgres
  let ho: HeadOffice
  let port: number
  let tillToken: string

  beforeAll(async () => {
    pg = await startPostgres()
    ho = await startHeadOffice({ connectionString: pg.connectionString, adminToken: ADMIN, maxBodyBytes: 64 * 1024 })
    ;({ port } = await ho.listen(0))
    await addStore(ho.pool, { id: 'S1', name: 'High Street', currency: 'USD' })
    tillToken = await addTill(ho.pool, { id: 'S1-T1', storeId: 'S1', ledgerTillId: 'T1', name: 'Front counter' })
  }, 60_000)
  afterAll(async () => {
    await ho?.close()
    pg?.stop()
  })

  const stillServes = async () => {
    const owner = await fetch(`http://127.0.0.1:${port}/v1/overview`, { headers: { authorization: `Bearer ${ADMIN}` } })
    expect(owner.status).toBe(200)
    const till = await fetch(`http://127.0.0.1:${port}/v1/journal`, { method: 'POST', headers: { authorization: `Bearer ${tillToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ tillHead: 0, entries: [] }) })
    expect(till.status).toBe(200)
  }

  it('answers broken request lines, paths and headers with a status, never a crash', async () => {
    const cases = [
      'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET //// HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /v1/overview?at=99999999999999999999 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + ADMIN + '\r\n\r\n',
      'GET /v1/closings?from=2026-13-45 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + ADMIN + '\r\n\r\n',
      'GET /v1/days?from=%00%ff HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + ADMIN + '\r\n\r\n',
      'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST /v1/alerts/1/acknowledge HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + ADMIN + '\r\nContent-Length: 5\r\n\r\n{"no',
      'POST /v1/alerts/99999999999999999/acknowledge HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + ADMIN + '\r\nContent-Length: 13\r\n\r\n{"note":"ok"}',
      'POST /v1/journal HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + tillToken + '\r\nContent-Length: 4\r\n\r\nnull',
      'POST /v1/journal HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + tillToken + '\r\nContent-Length: 40\r\n\r\n{"tillHead":-1,"entries":[{"seq":1e999}]}',
      'POST /v1/journal HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %%%\r\nContent-Length: 2\r\n\r\n{}',
      'GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ' + Buffer.from([0xff, 0xfe, 0x3a, 0x00]).toString('base64') + '\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
      'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n'
    ]
    for (const raw of cases) {
      const answer = await sendRaw(port, raw)
      // An HTTP status line, or the connection closed on a request Node's parser refuses: never a hang or a crash.
      if (answer !== '') expect(answer, raw.slice(0, 60)).toMatch(/^HTTP\/1\.1 [1-5]\d\d /)
      expect(answer, raw.slice(0, 60)).not.toMatch(/^HTTP\/1\.1 5\d\d /)
    }
    await stillServes()
  })

  it('survives random bytes and random request-shaped noise (seed 20261201)', async () => {
    const next = generator(20261201)
    const alphabet = 'GETPOS /v1journalovrvewclsingsdays?=&%:\r\n{}[]"\\0123456789AuthorizationBearer '
    for (let i = 0; i < 120; i++) {
      const length = 1 + next(600)
      const bytes =
        i % 2 === 0
          ? Buffer.from(Array.from({ length }, () => next(256)))
          : Buffer.from(`${['GET', 'POST', 'PUT', 'OPTIONS'][next(4)]} /${Array.from({ length }, () => alphabet[next(alphabet.length)]).join('')}`, 'latin1')
      const answer = await sendRaw(port, bytes)
      expect(answer, `case ${i}`).not.toMatch(/^HTTP\/1\.1 5\d\d /)
    }
    await stillServes()
  }, 120_000)
})
