// BrowserWindow factories: one per role, each with its own narrow preload and the secure preferences. The guards
// on navigation, new windows and webviews are put on every web contents in index.ts (web-contents-created).
import { BrowserWindow, screen } from 'electron'
import { join } from 'node:path'
import type { WindowRole } from '../../shared/api/channels'
import { appPageUrl, SECURE_WEB_PREFERENCES } from '../security/policy'
import { placeWindow, type CustomerDisplay } from './placement'

export interface WindowUrls {
  /** Dev server origin (electron-vite dev) or null for the packaged pages on app://. */
  readonly devOrigin: string | null
  /** A packaged build: no DevTools. */
  readonly isPackaged: boolean
}

export function createWindow(role: WindowRole, urls: WindowUrls, customerDisplay: CustomerDisplay = 'second-screen'): BrowserWindow | null {
  // The store says which display is the customer's (windows/placement.ts); 'none' opens no display window.
  const place = placeWindow(role, customerDisplay, screen.getAllDisplays(), screen.getPrimaryDisplay())
  if (!place) return null
  const win = new BrowserWindow({
    ...place,
    show: false,
    title: 'Stabletill',
    // DevTools off in packaged builds: on a shop's till they are a console into the cashier's api.
    webPreferences: { ...SECURE_WEB_PREFERENCES, devTools: !urls.isPackaged, preload: join(__dirname, '..', 'preload', `${role}.js`) }
  })
  win.once('ready-to-show', () => win.show())
  // Checklist 18: packaged pages come from app://till (security/app-protocol.ts), never file://.
  void win.loadURL(urls.devOrigin ? `${urls.devOrigin}/${role}/index.html` : appPageUrl(role))
  return win
}
