// Checklist 18: the app:// protocol that serves the packaged pages (registered privileged as standard + secure in
// index.ts, handled with protocol.handle). It serves files under out/renderer and nothing else: the path is
// decoded once, must be canonical (no dot segments, backslashes, NUL or doubled slashes) and must resolve inside
// the folder, so no request reaches the ledger, the app's code or anything else on the disk. Every answer carries
// the full CSP and the isolation headers. It uses only the Fetch API's Request and Response (global in Node), so it
// is tested under plain Node against the real build.
import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, posix, resolve, sep } from 'node:path'
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './policy'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json'
}

const HEADERS = { 'content-security-policy': CONTENT_SECURITY_POLICY, ...SECURITY_HEADERS, 'cache-control': 'no-store' }

/** The file under rendererDir an app:// URL names, or null when it names anything else. */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username || u.password) return null
  let path: string
  try {
    path = decodeURIComponent(u.pathname)
  } catch {
    return null
  }
  if (path.includes('\0') || path.includes('\\') || path.includes('//') || posix.normalize(path) !== path || !path.startsWith('/')) return null
  if (path.endsWith('/')) path += 'index.html'
  const root = resolve(rendererDir)
  const file = normalize(join(root, path))
  return file.startsWith(root + sep) ? file : null
}

/** The protocol.handle handler for app://. */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const refuse = (status: number, text: string) => new Response(text, { status, headers: { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' } })
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Only GET.')
    const file = resolveAppFile(rendererDir, request.url)
    if (!file) return refuse(404, 'not found')
    try {
      if (!(await stat(file)).isFile()) return refuse(404, 'not found')
      const body = request.method === 'HEAD' ? null : await readFile(file)
      return new Response(body, { status: 200, headers: { ...HEADERS, 'content-type': MIME[extname(file)] ?? 'application/octet-stream' } })
    } catch {
      return refuse(404, 'not found')
    }
  }
}
