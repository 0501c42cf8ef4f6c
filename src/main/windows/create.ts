// BrowserWindow factories: one per role, each with its own narrow preload and the secure preferences.
import { BrowserWindow, screen, shell, type WebContents } from 'electron'
import { join } from 'node:path'
import type { WindowRole } from '../../shared/api/channels'
import { isAllowedNavigation, SECURE_WEB_PREFERENCES } from '../security/policy'

export interface WindowUrls {
  /** Dev server origin (electron-vite dev) or null for the packaged files. */
  readonly devOrigin: string | null
}

function lockDown(contents: WebContents, devOrigin: string | null): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, devOrigin)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  void shell // external links are never opened from the till
}

export function createWindow(role: WindowRole, urls: WindowUrls): BrowserWindow {
  const displays = screen.getAllDisplays()
  const primary = screen.getPrimaryDisplay()
  // The customer display goes to a second monitor when one exists.
  const target = role === 'display' ? (displays.find((d) => d.id !== primary.id) ?? primary) : primary
  const win = new BrowserWindow({
    x: target.bounds.x + 20,
    y: target.bounds.y + 20,
    width: role === 'display' ? Math.min(1280, target.workArea.width) : 1280,
    height: 800,
    fullscreen: role === 'display' && target.id !== primary.id,
    show: false,
    title: 'Stabletill',
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: join(__dirname, '..', 'preload', `${role}.js`) }
  })
  lockDown(win.webContents, urls.devOrigin)
  win.once('ready-to-show', () => win.show())
  if (urls.devOrigin) void win.loadURL(`${urls.devOrigin}/${role}/index.html`)
  else void win.loadFile(join(__dirname, '..', 'renderer', role, 'index.html'))
  return win
}
