// Electron main process: lifecycle and wiring only. All till logic lives in modules that do not import electron
// (app.ts and below), so it runs and is tested under plain Node too. The security notes name the item of the
// Electron security checklist (https://www.electronjs.org/docs/latest/tutorial/security) each line serves.
import { dialog, app as electronApp, ipcMain, Menu, protocol, safeStorage, session, type BrowserWindow } from 'electron'
import { join } from 'node:path'
import { eventsFor, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type WindowRole } from '../shared/api/channels'
import { createApp, type App } from './app'
import { startDemoStack, type DemoStack } from './demo-stack'
import { hostFor, needsSetup, startSetupHost, storedStore, type TillHost } from './services/setup-host'
import { startScanners } from './devices/scanner/start'
import { keySealerFrom, useKeySealer } from './ledger/anchor'
import { claimDataFolder } from './ledger/lock'
import { createAppProtocolHandler } from './security/app-protocol'
import { guardWebContents } from './security/guards'
import { APP_SCHEME, CONTENT_SECURITY_POLICY, denyPermissionCheck, denyPermissionRequest, SenderRegistry, tillMenuTemplate } from './security/policy'
import { createWindow } from './windows/create'
import { headOfficeFromEnv } from './services/shipper'

const devOrigin = process.env['ELECTRON_RENDERER_URL'] ? new URL(process.env['ELECTRON_RENDERER_URL']).origin : null
const windows = new Map<WindowRole, BrowserWindow>()

// Checklist 18: app:// must be registered as privileged before the app is ready. standard: real origins and
// relative URLs; secure: a secure context like https (so the CSP 'self' means app://till and nothing else).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])
// Checklist 4: every renderer sandboxed, including any the app did not create itself.
electronApp.enableSandbox()
// Checklist 12, 13, 14: every web contents, not only our three windows, gets the navigation and window guards.
electronApp.on('web-contents-created', (_event, contents) => guardWebContents(contents, { devOrigin, isPackaged: electronApp.isPackaged }))

async function main(): Promise<void> {
  await electronApp.whenReady()
  // A packaged till has only the menu it needs: no reload, no DevTools.
  Menu.setApplicationMenu(Menu.buildFromTemplate(tillMenuTemplate(electronApp.isPackaged) as Electron.MenuItemConstructorOptions[]))
  const dataDir = join(electronApp.getPath('userData'), 'till')
  // One till per data folder, before the demo chain or the ledger touch it (a harness on the same folder, say).
  const folder = claimDataFolder(dataDir)
  const scanners = await startScanners()
  // The till key (signed journal heads, PIN lookup tags) lives beside the data folder, never in it, and is sealed
  // with the OS key store where there is one (ledger/anchor.ts): a copy of the folders alone carries no usable key.
  const keyDir = join(electronApp.getPath('userData'), 'keys')
  useKeySealer(keyDir, keySealerFrom(safeStorage))
  let demo: DemoStack | null = null
  // The demo chain runs for the demo store only; a real shop's till watches the chains its owner set up.
  const startApp = async (kind: 'demo' | 'store'): Promise<App> => {
    if (kind === 'demo' && !process.env['STABLETILL_NO_CHAIN']) demo = await startDemoStack(dataDir, { blockTimeSec: 1 })
    return createApp({ dataDir, keyDir, resourcesDir: join(electronApp.getAppPath(), 'resources'), scanners: scanners ?? undefined, headOffice: headOfficeFromEnv() ?? undefined, ...demo?.appOptions })
  }
  // An installed till on a new app data folder starts with the set-up (in the back office window); `npm start` from
  // a checkout (not packaged) keeps opening the demo on its embedded defaults unless STABLETILL_SETUP=1 asks.
  // STABLETILL_DEMO=1 makes a new folder the demo store at once (the harness's --demo).
  const setUp = (electronApp.isPackaged || process.env['STABLETILL_SETUP'] === '1') && process.env['STABLETILL_DEMO'] !== '1' && needsSetup(dataDir)
  const till: TillHost = setUp ? startSetupHost({ dataDir, demoAvailable: !process.env['STABLETILL_NO_CHAIN'], start: startApp }) : hostFor(await startApp(storedStore(dataDir)?.demo === false ? 'store' : 'demo'))
  // Windows opened during the set-up load again once the store exists, so each starts on the new store's data.
  void till.started.then(() => {
    if (setUp) for (const win of windows.values()) if (!win.isDestroyed()) win.webContents.reload()
  })
  const senders = new SenderRegistry()

  // Checklist 18: the packaged pages, from out/renderer only.
  protocol.handle(APP_SCHEME, createAppProtocolHandler(join(__dirname, '..', 'renderer')))
  // Checklist 5: every permission denied, asked or checked.
  session.defaultSession.setPermissionRequestHandler(denyPermissionRequest)
  session.defaultSession.setPermissionCheckHandler(denyPermissionCheck)
  // Checklist 7: the CSP on responses app:// does not make itself (the dev server's pages).
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })

  // Checklist 17: every call's sender must be one of our windows, from its main frame, at the app's origin.
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, name: unknown, input: unknown) => {
    const role = senders.roleOf(event.sender.id, event.senderFrame?.url, event.senderFrame === event.sender.mainFrame, devOrigin)
    if (!role) return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted only from the till windows.' } }
    return till.registry.dispatch(role, name, input)
  })

  for (const role of ['cashier', 'display', 'backoffice'] as const) {
    const win = createWindow(role, { devOrigin, isPackaged: electronApp.isPackaged }, till.app()?.store.settings().customerDisplay)
    if (!win) continue
    senders.register(win.webContents.id, role)
    const id = win.webContents.id
    win.on('closed', () => {
      senders.forget(id)
      windows.delete(role)
    })
    windows.set(role, win)
  }
  till.events.subscribe((event, payload) => {
    for (const [role, win] of windows) {
      if (eventsFor(role).includes(event) && !win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event, payload)
    }
  })
  electronApp.on('window-all-closed', () => {
    scanners?.stop()
    void till
      .close()
      .then(() => demo?.stop())
      .then(() => folder.release())
      .then(() => electronApp.quit())
  })
}

// One Stabletill per user: a second start focuses the first one's cashier window instead of opening the ledger
// again (the data-folder lock refuses it anyway; this spares the cashier an error box).
if (!electronApp.requestSingleInstanceLock()) {
  electronApp.quit()
} else {
  electronApp.on('second-instance', () => {
    const cashier = windows.get('cashier')
    if (!cashier || cashier.isDestroyed()) return
    if (cashier.isMinimized()) cashier.restore()
    cashier.show()
    cashier.focus()
  })
  main().catch((e: unknown) => {
    // A ledger from a newer version, a damaged or missing file, a data folder another till holds, a folder we
    // cannot write: say so and stop, never sell blind.
    dialog.showErrorBox('Stabletill cannot start', e instanceof Error ? e.message : String(e))
    electronApp.quit()
  })
}
