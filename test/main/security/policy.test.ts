// The Electron security checklist as data and pure checks (src/main/security/policy.ts), plus static checks on the
// sources and the build that the checklist depends on: page CSPs, what the preloads expose, what they require.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appPageUrl, CONTENT_SECURITY_POLICY, contentSecurityPolicy, denyPermissionCheck, denyPermissionRequest, isAllowedNavigation, tillMenuTemplate, SECURE_WEB_PREFERENCES, SenderRegistry } from '../../../src/main/security/policy'
import type { WindowRole } from '../../../src/shared/api/channels'

const ROOT = resolve(__dirname, '..', '..', '..')
const DEV_ORIGIN = 'http://localhost:5173'

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name!, values])
  )
}

function filesUnder(dir: string, accept: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && accept(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort()
}

/** The source text of the argument list of every `callee(...)` call in `source`, with nested parentheses. */
function callArguments(source: string, callee: string): string[] {
  const found: string[] = []
  let from = 0
  for (;;) {
    const at = source.indexOf(`${callee}(`, from)
    if (at < 0) return found
    let depth = 0
    let end = at + callee.length
    for (; end < source.length; end++) {
      if (source[end] === '(') depth++
      else if (source[end] === ')' && --depth === 0) break
    }
    found.push(source.slice(at + callee.length + 1, end))
    from = end
  }
}

describe('window security settings', () => {
  it('every window runs isolated, sandboxed, without Node or webviews', () => {
    expect(SECURE_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false
    })
  })

  it("the CSP allows only the app's own origin, with no inline or eval'd code, no plugins, base, framing or forms", () => {
    const csp = directives(CONTENT_SECURITY_POLICY)
    expect(Object.fromEntries(csp)).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
      'form-action': ["'none'"],
      'img-src': ["'self'", 'data:'],
      'style-src': ["'self'"],
      'connect-src': ["'self'"]
    })
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval/)
    for (const [name, values] of csp) expect(values, name).not.toContain('*')
    // The harness adds only its own socket origins, to connect-src alone.
    const harness = directives(contentSecurityPolicy(['ws://127.0.0.1:4000']))
    expect(harness.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:4000'])
    expect(harness.get('script-src')).toEqual(["'self'"])
  })
})

describe('isAllowedNavigation', () => {
  it('with a dev server, allows only that origin', () => {
    expect(isAllowedNavigation(`${DEV_ORIGIN}/cashier/index.html`, DEV_ORIGIN)).toBe(true)
    expect(isAllowedNavigation(`${DEV_ORIGIN}/display/?x=1#top`, DEV_ORIGIN)).toBe(true)
    for (const url of [
      'http://localhost:5174/cashier/index.html',
      'https://localhost:5173/cashier/index.html',
      'http://127.0.0.1:5173/cashier/index.html',
      'http://localhost:5173.evil.example/',
      'http://evil.example/?http://localhost:5173',
      'file:///app/out/renderer/cashier/index.html',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>'
    ]) {
      expect(isAllowedNavigation(url, DEV_ORIGIN), url).toBe(false)
    }
  })

  it('packaged (no dev server), allows only the app:// origin: no file: URL passes any more', () => {
    expect(isAllowedNavigation('app://till/cashier/index.html', null)).toBe(true)
    expect(isAllowedNavigation('app://till/display/?x=1#top', null)).toBe(true)
    for (const url of [
      'file:///opt/stabletill/resources/app.asar/out/renderer/cashier/index.html',
      'file:///etc/passwd',
      'file:///home/shop/Downloads/evil.html',
      'app://other/cashier/index.html',
      'app://till.evil/cashier/index.html',
      'app://till:8080/cashier/index.html',
      'app://user@till/cashier/index.html',
      'apps://till/cashier/index.html',
      'https://example.com/',
      'http://localhost:5173/',
      'javascript:void(0)',
      'data:text/html,hi',
      'about:blank',
      'blob:null/1234'
    ]) {
      expect(isAllowedNavigation(url, null), url).toBe(false)
    }
    // In development only the dev server: not app://, not file:.
    expect(isAllowedNavigation('app://till/cashier/index.html', DEV_ORIGIN)).toBe(false)
  })

  it('the packaged page of each window is on app://till', () => {
    for (const role of ['cashier', 'display', 'backoffice'] as const) {
      expect(appPageUrl(role)).toBe(`app://till/${role}/index.html`)
      expect(isAllowedNavigation(appPageUrl(role), null)).toBe(true)
    }
  })

  it('the menu of a packaged build has no reload or DevTools; development adds them', () => {
    const roles = (packaged: boolean) => tillMenuTemplate(packaged).flatMap((item) => (item.submenu ?? []).map((sub) => sub.role).filter(Boolean))
    expect(roles(true)).not.toContain('toggleDevTools')
    expect(roles(true)).not.toContain('reload')
    expect(roles(true)).toContain('paste')
    expect(roles(false)).toEqual(expect.arrayContaining(['toggleDevTools', 'reload']))
  })

  it('denies every permission, requested or checked', () => {
    let granted: boolean | null = null
    denyPermissionRequest(null, 'media', (ok) => (granted = ok))
    expect(granted).toBe(false)
    expect(denyPermissionCheck()).toBe(false)
  })

  it('refuses anything that is not a URL', () => {
    for (const url of ['', 'not a url', '/cashier/index.html', '//evil.example/']) {
      expect(isAllowedNavigation(url, DEV_ORIGIN), url).toBe(false)
      expect(isAllowedNavigation(url, null), url).toBe(false)
    }
  })
})

describe('SenderRegistry', () => {
  const page = `${DEV_ORIGIN}/cashier/index.html`

  function registry(): SenderRegistry {
    const senders = new SenderRegistry()
    senders.register(1, 'cashier')
    senders.register(2, 'display')
    senders.register(3, 'backoffice')
    return senders
  }

  it("names a registered window's role when the call comes from its main frame at the app's URL", () => {
    const senders = registry()
    expect(senders.roleOf(1, page, true, DEV_ORIGIN)).toBe('cashier')
    expect(senders.roleOf(2, `${DEV_ORIGIN}/display/index.html`, true, DEV_ORIGIN)).toBe('display')
    expect(senders.roleOf(3, 'app://till/backoffice/index.html', true, null)).toBe('backoffice')
    // A file: page in a till window (packaged) is not the till.
    expect(senders.roleOf(3, 'file:///app/out/renderer/backoffice/index.html', true, null)).toBeNull()
  })

  it('refuses an unknown webContents id', () => {
    const senders = registry()
    expect(senders.roleOf(99, page, true, DEV_ORIGIN)).toBeNull()
    expect(senders.roleOf(0, page, true, DEV_ORIGIN)).toBeNull()
    expect(senders.roleOf(-1, page, true, DEV_ORIGIN)).toBeNull()
  })

  it('refuses a subframe, even of a registered window at the right URL', () => {
    expect(registry().roleOf(1, page, false, DEV_ORIGIN)).toBeNull()
  })

  it('refuses a foreign or missing frame URL', () => {
    const senders = registry()
    expect(senders.roleOf(1, 'https://evil.example/cashier/index.html', true, DEV_ORIGIN)).toBeNull()
    expect(senders.roleOf(1, 'http://localhost:5174/cashier/index.html', true, DEV_ORIGIN)).toBeNull()
    expect(senders.roleOf(1, page, true, null)).toBeNull()
    expect(senders.roleOf(1, 'https://evil.example/', true, null)).toBeNull()
    expect(senders.roleOf(1, undefined, true, DEV_ORIGIN)).toBeNull()
    expect(senders.roleOf(1, '', true, DEV_ORIGIN)).toBeNull()
  })

  it('forgets a closed window, and refuses to register an unknown role', () => {
    const senders = registry()
    senders.forget(1)
    expect(senders.roleOf(1, page, true, DEV_ORIGIN)).toBeNull()
    expect(senders.roleOf(2, `${DEV_ORIGIN}/display/index.html`, true, DEV_ORIGIN)).toBe('display')
    expect(() => senders.register(4, 'admin' as WindowRole)).toThrow(/unknown window role admin/)
    expect(senders.roleOf(4, page, true, DEV_ORIGIN)).toBeNull()
  })

  it('a re-used webContents id takes the role it was last registered with', () => {
    const senders = registry()
    senders.register(1, 'display')
    expect(senders.roleOf(1, page, true, DEV_ORIGIN)).toBe('display')
  })
})

describe('static checks on the pages and preloads', () => {
  it('every renderer page has a CSP meta with default-src self and nothing unsafe', () => {
    const pages = filesUnder(join(ROOT, 'src', 'renderer'), (name) => name === 'index.html')
    expect(pages.map((p) => relative(ROOT, p))).toEqual(expect.arrayContaining(['src/renderer/cashier/index.html', 'src/renderer/display/index.html', 'src/renderer/backoffice/index.html']))
    for (const file of pages) {
      const html = readFileSync(file, 'utf8')
      const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)].map((m) => m[1]!)
      expect(metas, relative(ROOT, file)).toHaveLength(1)
      const csp = directives(metas[0]!)
      expect(csp.get('default-src'), relative(ROOT, file)).toEqual(["'self'"])
      expect(metas[0], relative(ROOT, file)).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes/)
      // script-src, when a page names it, may only repeat 'self' (the response header carries the full policy).
      if (csp.has('script-src')) expect(csp.get('script-src'), relative(ROOT, file)).toEqual(["'self'"])
      // No inline script or handler for a CSP to have to allow.
      expect(html, relative(ROOT, file)).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=/i)
    }
  })

  it('no preload hands ipcRenderer (or a generic send/invoke) to the page', () => {
    const preloads = filesUnder(join(ROOT, 'src', 'preload'), (name) => name.endsWith('.ts'))
    expect(preloads.length).toBeGreaterThan(0)
    let exposures = 0
    for (const file of preloads) {
      const source = readFileSync(file, 'utf8')
      for (const exposed of callArguments(source, 'exposeInMainWorld')) {
        exposures++
        expect(exposed, relative(ROOT, file)).not.toMatch(/\bipcRenderer\b/)
        expect(exposed, relative(ROOT, file)).not.toMatch(/\b(send|sendSync|invoke|postMessage)\s*[:(,]/)
      }
      // Nothing else reaches the page either: exposeInIsolatedWorld, or assigning to window in the preload.
      expect(source, relative(ROOT, file)).not.toMatch(/exposeInIsolatedWorld|\bwindow\.\w+\s*=|globalThis\.\w+\s*=/)
    }
    expect(exposures).toBeGreaterThan(0)
  })

  it('the built preloads require nothing but electron (a sandboxed preload cannot)', () => {
    const built = filesUnder(join(ROOT, 'out', 'preload'), (name) => /\.(c|m)?js$/.test(name))
    if (built.length === 0) throw new Error('Run `npm run build` before this test (npm test does): out/preload is empty.')
    for (const file of built) {
      const source = readFileSync(file, 'utf8')
      const required = [...source.matchAll(/\brequire\s*\(\s*([^)]*)\)/g)].map((m) => m[1]!.trim())
      expect(required, relative(ROOT, file)).toEqual(required.map(() => '"electron"'))
      expect(source, relative(ROOT, file)).not.toMatch(/\bimport\s*\(|^\s*import\s/m)
      const exposed = callArguments(source, 'exposeInMainWorld')
      expect(exposed, relative(ROOT, file)).toHaveLength(1)
      expect(exposed[0], relative(ROOT, file)).not.toMatch(/\bipcRenderer\b/)
    }
  })
})
