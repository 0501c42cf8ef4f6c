// The Electron host (src/main/index.ts) with the 'electron' module faked at its narrowest seam: the binary cannot
// run here, so this checks the wiring the security checklist depends on, as a packaged build runs it: secure window
// preferences without DevTools, one preload per window, pages from app:// (privileged, served from out/renderer
// only, traversal refused), CSP on every response, denied permissions (requested and checked), guards on every
// web contents (navigation, redirects, frames, new windows, webviews), a minimal menu, the single-instance lock,
// and IPC calls accepted only from the till's own windows, each with its own role. Then the fuses hook.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import { resolveAppFile } from '../../src/main/security/app-protocol'

type Handler = (...args: unknown[]) => unknown

const fake = vi.hoisted(() => {
  const state = {
    userData: '',
    handlers: new Map<string, Handler>(),
    windows: [] as FakeWindow[],
    permissionHandler: null as null | Handler,
    headersHandler: null as null | Handler,
    permissionCheckHandler: null as null | Handler,
    sandboxEnabled: false,
    errorBox: null as null | [string, string],
    appListeners: new Map<string, Handler[]>(),
    privileged: [] as unknown[],
    protocolHandlers: new Map<string, Handler>(),
    menu: undefined as unknown,
    singleInstanceAsked: false,
    focused: [] as string[]
  }
  const emitApp = (event: string, ...args: unknown[]) => {
    for (const listener of state.appListeners.get(event) ?? []) listener(...args)
  }
  let nextId = 1
  class FakeWebContents {
    readonly id = nextId++
    readonly mainFrame = { url: '' }
    readonly listeners = new Map<string, Handler>()
    openHandler: Handler | null = null
    sent: unknown[][] = []
    devToolsClosed = 0
    closeDevTools() {
      this.devToolsClosed++
    }
    setWindowOpenHandler(handler: Handler) {
      this.openHandler = handler
    }
    on(event: string, handler: Handler) {
      this.listeners.set(event, handler)
    }
    send(...args: unknown[]) {
      this.sent.push(args)
    }
  }
  class FakeWindow {
    readonly webContents = new FakeWebContents()
    loaded: string | null = null
    constructor(readonly options: Record<string, unknown>) {
      state.windows.push(this)
      // As Electron does: a window's web contents is announced to app 'web-contents-created' listeners.
      emitApp('web-contents-created', {}, this.webContents)
    }
    once() {}
    on() {}
    show() {
      state.focused.push(`show ${this.webContents.id}`)
    }
    focus() {
      state.focused.push(`focus ${this.webContents.id}`)
    }
    isMinimized() {
      return false
    }
    restore() {}
    isDestroyed() {
      return false
    }
    loadFile(file: string) {
      this.loaded = `file://${file}`
      this.webContents.mainFrame.url = this.loaded
      return Promise.resolve()
    }
    loadURL(url: string) {
      this.loaded = url
      this.webContents.mainFrame.url = url
      return Promise.resolve()
    }
  }
  const display = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { width: 1920, height: 1040 } }
  const electron = {
    app: {
      whenReady: () => Promise.resolve(),
      getPath: () => state.userData,
      getAppPath: () => process.cwd(),
      // The security-relevant case: what a shop runs.
      isPackaged: true,
      requestSingleInstanceLock: () => {
        state.singleInstanceAsked = true
        return true
      },
      on: (event: string, listener: Handler) => {
        state.appListeners.set(event, [...(state.appListeners.get(event) ?? []), listener])
      },
      quit: () => undefined,
      enableSandbox: () => {
        state.sandboxEnabled = true
      }
    },
    ipcMain: { handle: (channel: string, handler: Handler) => state.handlers.set(channel, handler) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: Handler) => {
          state.permissionHandler = handler
        },
        setPermissionCheckHandler: (handler: Handler) => {
          state.permissionCheckHandler = handler
        },
        webRequest: {
          onHeadersReceived: (handler: Handler) => {
            state.headersHandler = handler
          }
        }
      }
    },
    dialog: { showErrorBox: (title: string, text: string) => (state.errorBox = [title, text]) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.privileged.push(...schemes),
      handle: (scheme: string, handler: Handler) => state.protocolHandlers.set(scheme, handler)
    },
    Menu: {
      buildFromTemplate: (template: unknown) => ({ template }),
      setApplicationMenu: (menu: unknown) => {
        state.menu = menu
      }
    },
    BrowserWindow: FakeWindow,
    screen: { getAllDisplays: () => [display], getPrimaryDisplay: () => display },
    shell: {},
    // The OS key store (Keychain, DPAPI, libsecret): a reversible stand-in that marks what it sealed.
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (plain: string) => Buffer.concat([Buffer.from('SEALED:'), Buffer.from(plain, 'utf8').reverse()]),
      decryptString: (sealed: Buffer) => Buffer.from(sealed.subarray(7)).reverse().toString('utf8')
    }
  }
  return { state, electron, emitApp, FakeWebContents }
})

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }))

const call = (sender: { id: number; mainFrame: unknown }, frame: unknown, name: string, input: unknown) =>
  fake.state.handlers.get('stabletill:call')!({ sender, senderFrame: frame }, name, input) as Promise<{ ok: boolean; error?: { code: string } }>

beforeAll(async () => {
  fake.state.userData = mkdtempSync(join(tmpdir(), 'stabletill-electron-'))
  process.env['STABLETILL_NO_CHAIN'] = '1'
  // A packaged till on a new app data folder would start with the first-run set-up; these checks need the demo store.
  process.env['STABLETILL_DEMO'] = '1'
  await import('../../src/main/index')
  await vi.waitFor(() => expect(fake.state.windows).toHaveLength(3), { timeout: 10_000 })
})

afterAll(() => {
  delete process.env['STABLETILL_NO_CHAIN']
  delete process.env['STABLETILL_DEMO']
  rmSync(fake.state.userData, { recursive: true, force: true })
})

describe('Electron host wiring', () => {
  it('opens three windows, each sandboxed and isolated with its own preload', () => {
    expect(fake.state.sandboxEnabled).toBe(true)
    expect(fake.state.errorBox).toBeNull()
    const roles = ['cashier', 'display', 'backoffice']
    fake.state.windows.forEach((win, i) => {
      const prefs = win.options['webPreferences'] as Record<string, unknown>
      expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false, devTools: false })
      expect(prefs['preload']).toMatch(new RegExp(`preload[\\\\/]${roles[i]}\\.js$`))
      // Checklist 18: from the app:// protocol, never file://.
      expect(win.loaded).toBe(`app://till/${roles[i]}/index.html`)
    })
  })

  it('denies new windows, foreign navigation and every permission request; sets the CSP on responses', () => {
    const win = fake.state.windows[0]!
    expect(win.webContents.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' })
    const prevented = { done: false, preventDefault() { this.done = true } }
    win.webContents.listeners.get('will-navigate')!(prevented, 'https://evil.example/')
    expect(prevented.done).toBe(true)
    let granted: boolean | null = null
    fake.state.permissionHandler!(null, 'media', (ok: boolean) => (granted = ok))
    expect(granted).toBe(false)
    let headers: Record<string, string[]> = {}
    fake.state.headersHandler!({ responseHeaders: {} }, (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders))
    expect(headers['Content-Security-Policy']![0]).toMatch(/default-src 'self'/)
  })

  it("answers a window's calls under its own role and refuses other senders", async () => {
    const [cashier, display] = fake.state.windows.map((w) => w.webContents)
    expect(await call(cashier!, cashier!.mainFrame, 'store:info', {})).toMatchObject({ ok: true })
    expect(await call(display!, display!.mainFrame, 'sale:scan', { code: '5901234123013', source: 'wedge' })).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    // an embedded frame of a till window, and a web contents the till never created
    expect(await call(cashier!, { url: cashier!.mainFrame.url }, 'store:info', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(await call({ id: 999, mainFrame: {} }, {}, 'store:info', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    // and a cashier scan reaches the display as an event, never the back office
    expect(await call(cashier!, cashier!.mainFrame, 'sale:scan', { code: '5901234123013', source: 'wedge' })).toMatchObject({ ok: true })
    const [, displayWin, backoffice] = fake.state.windows
    expect(displayWin!.webContents.sent.some((m) => m[0] === 'stabletill:event' && m[1] === 'sale:line-changed')).toBe(true)
    expect(backoffice!.webContents.sent.some((m) => m[1] === 'sale:line-changed')).toBe(false)
  })
})

describe('Electron host: the checklist items of a packaged build', () => {
  // The handler serves the renderer folder beside the main bundle: out/renderer when built (out/main/index.js),
  // src/renderer here, where index.ts runs from source.
  const RENDERER = resolve(__dirname, '..', '..', 'src', 'renderer')
  const event = () => ({ done: false, preventDefault() { this.done = true } })

  it('registers app:// as a privileged (standard, secure) scheme and serves it from out/renderer with the CSP', async () => {
    expect(fake.state.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }])
    const handle = fake.state.protocolHandlers.get('app')!
    expect(handle).toBeTypeOf('function')
    expect(existsSync(join(RENDERER, 'cashier', 'index.html'))).toBe(true)
    const page = (await handle(new Request('app://till/cashier/index.html'))) as Response
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await page.text()).toBe(readFileSync(join(RENDERER, 'cashier', 'index.html'), 'utf8'))
    const csp = page.headers.get('content-security-policy') ?? ''
    for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'none'", "img-src 'self' data:", "style-src 'self'", "connect-src 'self'"]) {
      expect(csp).toContain(directive)
    }
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
  })

  it('refuses path traversal and every other host or file on app://', async () => {
    const handle = fake.state.protocolHandlers.get('app')!
    for (const url of [
      'app://till/../package.json',
      'app://till/%2e%2e/package.json',
      'app://till/%2e%2e%2f%2e%2e%2fpackage.json',
      'app://till/cashier/..%2f..%2f..%2fpackage.json',
      'app://till/..%5c..%5cpackage.json',
      'app://till//etc/passwd',
      'app://till/%2fetc%2fpasswd',
      'app://till/cashier/index.html%00.png',
      'app://till/%',
      'app://other/cashier/index.html',
      'app://till:99/cashier/index.html',
      'app://till/nope.html',
      'app://till/cashier'
    ]) {
      const res = (await handle(new Request(url))) as Response
      expect(res.status, url).toBe(404)
      expect(await res.text(), url).not.toMatch(/"name": "stabletill"|root:/)
    }
    expect(((await handle(new Request('app://till/cashier/index.html', { method: 'POST', body: 'x' }))) as Response).status).toBe(405)
    // A URL with credentials cannot even become a Request; the resolver refuses it all the same.
    expect(resolveAppFile(RENDERER, 'app://till@other/cashier/index.html')).toBeNull()
    expect(resolveAppFile(RENDERER, 'app://x:y@till/cashier/index.html')).toBeNull()
    expect(resolveAppFile(RENDERER, 'app://till/cashier/')).toBe(join(RENDERER, 'cashier', 'index.html'))
  })

  it('guards every web contents created, not only the windows: new windows, navigation, redirects, frames, webviews, DevTools', () => {
    const stranger = new fake.FakeWebContents()
    fake.emitApp('web-contents-created', {}, stranger)
    expect(stranger.openHandler!({ url: 'app://till/cashier/index.html' })).toEqual({ action: 'deny' })
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const listener = stranger.listeners.get(name)!
      expect(listener, name).toBeTypeOf('function')
      // Electron passes the URL on the event (will-frame-navigate, newer will-navigate/redirect) or as an argument.
      for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/cashier/index.html', 'javascript:alert(1)', 'data:text/html,x']) {
        const onEvent = Object.assign(event(), { url })
        listener(onEvent)
        expect(onEvent.done, `${name} ${url}`).toBe(true)
        const asArgument = event()
        listener(asArgument, url)
        expect(asArgument.done, `${name} ${url} (argument)`).toBe(true)
      }
      const own = Object.assign(event(), { url: 'app://till/backoffice/index.html' })
      listener(own)
      expect(own.done, name).toBe(false)
    }
    const webview = event()
    stranger.listeners.get('will-attach-webview')!(webview)
    expect(webview.done).toBe(true)
    stranger.listeners.get('devtools-opened')!()
    expect(stranger.devToolsClosed).toBe(1)
  })

  it('denies every permission when requested and when checked', () => {
    for (const permission of ['media', 'hid', 'serial', 'clipboard-read', 'notifications', 'geolocation']) {
      let granted: boolean | null = null
      fake.state.permissionHandler!(null, permission, (ok: boolean) => (granted = ok))
      expect(granted, permission).toBe(false)
      expect(fake.state.permissionCheckHandler!(null, permission, 'app://till', {}), permission).toBe(false)
    }
  })

  it('sets a minimal menu with no reload and no DevTools', () => {
    const { template } = fake.state.menu as { template: { label?: string; role?: string; submenu?: { role?: string }[] }[] }
    const roles = template.flatMap((item) => [item.role, ...(item.submenu ?? []).map((sub) => sub.role)]).filter(Boolean)
    expect(roles).toEqual(['quit', 'undo', 'redo', 'cut', 'copy', 'paste', 'selectAll'])
    expect(JSON.stringify(template)).not.toMatch(/devtools|reload|forceReload/i)
  })

  it('takes the single-instance lock, and a second start focuses the cashier window', () => {
    expect(fake.state.singleInstanceAsked).toBe(true)
    fake.state.focused.length = 0
    fake.emitApp('second-instance', {}, ['stabletill'], process.cwd())
    const cashierId = fake.state.windows[0]!.webContents.id
    expect(fake.state.focused).toEqual([`show ${cashierId}`, `focus ${cashierId}`])
  })

  it("holds the till's data folder: another process cannot open the same ledger", async () => {
    const { spawnSync } = await import('node:child_process')
    const dataDir = join(fake.state.userData, 'till')
    const out = spawnSync(process.execPath, ['--import', 'tsx', '-e', "try { require('./src/main/ledger/lock').claimDataFolder(process.argv[1]); console.log('claimed') } catch (e) { console.log(e.message) }", dataDir], { cwd: resolve(__dirname, '..', '..'), encoding: 'utf8' })
    expect(out.stdout).toContain(`This data folder is already open in another Stabletill (pid ${process.pid})`)
  })
})

describe('fuses (electron-builder afterPack)', () => {
  const ROOT = resolve(__dirname, '..', '..')

  it('keeps the till key beside the data folder, in userData/keys, sealed by the OS key store and never as plain PEM', () => {
    const keys = join(fake.state.userData, 'keys')
    const files = readdirSync(keys)
    const sealed = files.filter((f) => f.endsWith('.ed25519.sealed'))
    expect(sealed).toHaveLength(1)
    expect(files.filter((f) => f.endsWith('.pem'))).toEqual([])
    const bytes = readFileSync(join(keys, sealed[0]!))
    expect(bytes.subarray(0, 7).toString()).toBe('SEALED:')
    expect(bytes.toString('latin1')).not.toContain('PRIVATE KEY')
    expect(readdirSync(join(fake.state.userData, 'till')).some((f) => /ed25519/.test(f))).toBe(false)
  })

  it("package.json's build runs the hook, packs an asar, and the hook sets exactly the fuses the till needs", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { build: { afterPack?: string; asar?: boolean } }
    expect(pkg.build.afterPack).toBe('scripts/after-pack.mjs')
    expect(pkg.build.asar).not.toBe(false)
    const hook = (await import('../../scripts/after-pack.mjs')) as { FUSES: Record<string, unknown>; default: unknown }
    expect(hook.default).toBeTypeOf('function')
    expect(hook.FUSES).toEqual({
      version: '1',
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false
    })
  })

  it('flips them in a packaged binary: a stand-in holding the fuse wire as Electron 41 lays it out', async () => {
    // No Electron binary here, so a file with Electron's fuse sentinel and a wire of 9 fuses at their defaults
    // (ENABLE '1' for all but the ones Electron ships disabled) stands in for it; @electron/fuses reads it the same.
    const out = mkdtempSync(join(tmpdir(), 'stabletill-pack-'))
    try {
      const defaults = Buffer.from('111001100', 'latin1')
      const binary = Buffer.concat([Buffer.alloc(4096, 0x90), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, defaults.length]), defaults, Buffer.alloc(4096, 0x90)])
      mkdirSync(out, { recursive: true })
      writeFileSync(join(out, 'stabletill'), binary)
      const hook = (await import('../../scripts/after-pack.mjs')) as { default: (context: unknown) => Promise<void> }
      await hook.default({ appOutDir: out, electronPlatformName: 'linux', arch: 1, packager: { appInfo: { productFilename: 'Stabletill' }, executableName: 'stabletill' } })
      const wire = await getCurrentFuseWire(join(out, 'stabletill'))
      expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE)
      expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE)
      expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE)
      expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE)
      expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE)
      expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE)
      expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE)
      // The rest of the binary is untouched.
      const after = readFileSync(join(out, 'stabletill'))
      expect(after.length).toBe(binary.length)
      expect(after.subarray(0, 4096).equals(binary.subarray(0, 4096))).toBe(true)
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
