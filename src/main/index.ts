// Electron main process: lifecycle and wiring only. All till logic lives in modules that do not import electron
// (app.ts and below), so it runs and is tested under plain Node too.
import { dialog, app as electronApp, ipcMain, session } from 'electron'
import { join } from 'node:path'
import { eventsFor, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type WindowRole } from '../shared/api/channels'
import { createApp, type App } from './app'
import { startDemoStack } from './demo-stack'
import { startScanners } from './devices/scanner/start'
import { CONTENT_SECURITY_POLICY, SenderRegistry } from './security/policy'
import { createWindow } from './windows/create'

async function main(): Promise<void> {
  await electronApp.whenReady()
  const devOrigin = process.env['ELECTRON_RENDERER_URL'] ? new URL(process.env['ELECTRON_RENDERER_URL']).origin : null
  const dataDir = join(electronApp.getPath('userData'), 'till')
  const demo = process.env['STABLETILL_NO_CHAIN'] ? null : await startDemoStack(dataDir, { blockTimeSec: 1 })
  const scanners = await startScanners()
  const till: App = createApp({ dataDir, resourcesDir: join(electronApp.getAppPath(), 'resources'), scanners: scanners ?? undefined, ...demo?.appOptions })
  const senders = new SenderRegistry()

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })

  ipcMain.handle(IPC_CALL_CHANNEL, async (event, name: unknown, input: unknown) => {
    const role = senders.roleOf(event.sender.id, event.senderFrame?.url, event.senderFrame === event.sender.mainFrame, devOrigin)
    if (!role) return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted only from the till windows.' } }
    return till.registry.dispatch(role, name, input)
  })

  const windows = new Map<WindowRole, Electron.BrowserWindow>()
  for (const role of ['cashier', 'display', 'backoffice'] as const) {
    const win = createWindow(role, { devOrigin })
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
    void till.close().then(() => demo?.stop()).then(() => electronApp.quit())
  })
}

electronApp.enableSandbox()
main().catch((e: unknown) => {
  // A ledger from a newer version, a damaged file, a data folder we cannot write: say so and stop, never sell blind.
  dialog.showErrorBox('Stabletill cannot start', e instanceof Error ? e.message : String(e))
  electronApp.quit()
})
