// The Electron security checklist, as data and pure checks so they are unit-tested without the Electron binary.
// https://www.electronjs.org/docs/latest/tutorial/security
import { WINDOW_ROLES, type WindowRole } from '../../shared/api/channels'

/**
 * Checklist item 7 (define a Content Security Policy): the full policy, sent as a response header on every page of
 * both hosts (Electron's app:// protocol and the browser harness). Nothing inline, nothing eval'd, no plugins, no
 * <base> rewriting, no framing of the till by another page, no form posting anywhere. `connect` adds the harness's
 * own WebSocket origins (CSP 'self' covers ws: only in CSP Level 3 browsers, so they are named explicitly).
 */
export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
    "img-src 'self' data:",
    "style-src 'self'",
    ["connect-src 'self'", ...connect].join(' ')
  ].join('; ')
}

export const CONTENT_SECURITY_POLICY = contentSecurityPolicy()

/**
 * Headers beside the CSP on every response the till serves: no token-bearing URL leaks in a Referer, no other
 * origin may hold a window reference to the till (COOP) or embed its files (CORP), no MIME sniffing of a page.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY'
}

/** Checklist 2, 3, 4, 6, 8, 9, 10 and 12: the preferences every till window runs with. */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  spellcheck: false
} as const

/**
 * Checklist 18 (prefer a custom protocol to file://): packaged pages load from app://till/<role>/index.html,
 * served by security/app-protocol.ts from out/renderer only. A file: URL would give every page (and any file a page
 * can name) the file scheme's privileges, and every file on the disk the same origin as the till.
 */
export const APP_SCHEME = 'app'
export const APP_HOST = 'till'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/** The page a window loads in a packaged build. */
export function appPageUrl(role: WindowRole): string {
  return `${APP_ORIGIN}/${role}/index.html`
}

/**
 * Checklist 13 and 17: a navigation (and an IPC sender's frame) is allowed only at the app's own origin: the dev
 * server's in dev, app://till packaged. file:, data:, blob:, javascript: and every other origin are refused.
 */
export function isAllowedNavigation(url: string, devOrigin: string | null): boolean {
  try {
    const u = new URL(url)
    if (devOrigin) return u.origin === devOrigin
    // WHATWG URL gives a non-special scheme the opaque origin "null": compare its parts instead.
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === ''
  } catch {
    return false
  }
}

/**
 * Checklist 5: every permission a page may ask for (camera, notifications, HID, serial, clipboard, geolocation...)
 * is denied, both when it is requested and when it is checked. The till reads its devices in the main process.
 */
export function denyPermissionRequest(_contents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false)
}
export function denyPermissionCheck(): boolean {
  return false
}

export interface MenuItem {
  readonly label?: string
  readonly role?: string
  readonly type?: 'separator'
  readonly submenu?: readonly MenuItem[]
}

/**
 * The application menu: only what a till needs (quit; the edit roles, without which copy and paste do not work in
 * text fields on macOS). Packaged builds have no reload and no DevTools entry; development adds them back.
 */
export function tillMenuTemplate(isPackaged: boolean): MenuItem[] {
  const template: MenuItem[] = [
    { label: 'Stabletill', submenu: [{ role: 'quit' }] },
    { label: 'Edit', submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] }
  ]
  if (!isPackaged) template.push({ label: 'Develop', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }] })
  return template
}

/** Tracks which webContents belongs to which window role: every IPC call is checked against it. */
export class SenderRegistry {
  private readonly roles = new Map<number, WindowRole>()
  register(webContentsId: number, role: WindowRole): void {
    if (!WINDOW_ROLES.includes(role)) throw new Error(`unknown window role ${role}`)
    this.roles.set(webContentsId, role)
  }
  forget(webContentsId: number): void {
    this.roles.delete(webContentsId)
  }
  /** The role of a sender, only when the call comes from the window's main frame at the app's own URL. */
  roleOf(webContentsId: number, frameUrl: string | undefined, isMainFrame: boolean, appOrigin: string | null): WindowRole | null {
    const role = this.roles.get(webContentsId)
    if (!role || !isMainFrame || !frameUrl || !isAllowedNavigation(frameUrl, appOrigin)) return null
    return role
  }
}
