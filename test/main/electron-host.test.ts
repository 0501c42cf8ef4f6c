// The Electron host (src/main/index.ts) with the 'electron' module faked at its narrowest seam: the binary cannot
// run here, so this checks the wiring the security checklist depends on: secure window preferences, one preload per
// window, CSP on every response, denied permissions, navigation and new windows, and IPC calls accepted only from
// the till's own windows, each with its own role.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

type Handler = (...args: unknown[]) => unknown

const fake = vi.hoisted(() => {
  const state = {
    userData: '',
    handlers: new Map<string, Handler>(),
    windows: [] as FakeWindow[],
    permissionHandler: null as null | Handler,
    headersHandler: null as null | Handler,
    sandboxEnabled: false,
    errorBox: null as null | [string, string]
  }
  let nextId = 1
  class FakeWebContents {
    readonly id = nextId++
    readonly mainFrame = { url: '' }
    readonly listeners = new Map<string, Handler>()
    openHandler: Handler | null = null
    sent: unknown[][] = []
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
    }
    once() {}
    on() {}
    show() {}
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
      on: () => undefined,
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
        webRequest: {
          onHeadersReceived: (handler: Handler) => {
            state.headersHandler = handler
          }
        }
      }
    },
    dialog: { showErrorBox: (title: string, text: string) => (state.errorBox = [title, text]) },
    BrowserWindow: FakeWindow,
    screen: { getAllDisplays: () => [display], getPrimaryDisplay: () => display },
    shell: {}
  }
  return { state, electron }
})

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }))

const call = (sender: { id: number; mainFrame: unknown }, frame: unknown, name: string, input: unknown) =>
  fake.state.handlers.get('stabletill:call')!({ sender, senderFrame: frame }, name, input) as Promise<{ ok: boolean; error?: { code: string } }>

beforeAll(async () => {
  fake.state.userData = mkdtempSync(join(tmpdir(), 'stabletill-electron-'))
  process.env['STABLETILL_NO_CHAIN'] = '1'
  await import('../../src/main/index')
  await vi.waitFor(() => expect(fake.state.windows).toHaveLength(3), { timeout: 10_000 })
})

afterAll(() => {
  delete process.env['STABLETILL_NO_CHAIN']
  rmSync(fake.state.userData, { recursive: true, force: true })
})

describe('Electron host wiring', () => {
  it('opens three windows, each sandboxed and isolated with its own preload', () => {
    expect(fake.state.sandboxEnabled).toBe(true)
    expect(fake.state.errorBox).toBeNull()
    const roles = ['cashier', 'display', 'backoffice']
    fake.state.windows.forEach((win, i) => {
      const prefs = win.options['webPreferences'] as Record<string, unknown>
      expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false })
      expect(prefs['preload']).toMatch(new RegExp(`preload[\\\\/]${roles[i]}\\.js$`))
      expect(win.loaded).toMatch(new RegExp(`renderer[\\\\/]${roles[i]}[\\\\/]index\\.html$`))
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
    expect(displayWin!.webContents.sent.some((m) => m[0] === 'stabletill:event' && m[1] === 'sale:changed')).toBe(true)
    expect(backoffice!.webContents.sent.some((m) => m[1] === 'sale:changed')).toBe(false)
  })
})
