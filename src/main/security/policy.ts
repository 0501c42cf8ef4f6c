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

/** A navigation is allowed only to the app's own page for that window (dev server or packaged file). */
export function isAllowedNavigation(url: string, appOrigin: string | null): boolean {
  try {
    const u = new URL(url)
    if (appOrigin) return u.origin === appOrigin
    return u.protocol === 'file:'
  } catch {
    return false
  }
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
