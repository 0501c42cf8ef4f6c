// Guards put on every web contents the app creates (app.on('web-contents-created') in index.ts), so a window, a
// frame or anything a page manages to create is covered, not only the windows the factory made. Typed structurally
// so the wiring is tested with 'electron' faked.
import { isAllowedNavigation } from './policy'

type Listener = (...args: never[]) => void

export interface GuardedContents {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
  on(event: string, listener: Listener): unknown
  closeDevTools?(): void
}

interface NavigationEvent {
  readonly url?: string
  preventDefault(): void
}

export interface GuardOptions {
  /** The dev server's origin in development, null packaged. */
  readonly devOrigin: string | null
  /** Packaged builds close DevTools if anything opens them. */
  readonly isPackaged: boolean
}

export function guardWebContents(contents: GuardedContents, options: GuardOptions): void {
  // Checklist 14: no new windows, whatever a page asks (window.open, target=_blank, middle click).
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  // Checklist 13: navigation only within the app's origin. will-navigate covers the main frame's own navigations,
  // will-frame-navigate every frame's, will-redirect a server redirect in the middle of an allowed one. Electron
  // passes the URL on the event (and, older signature, as the second argument).
  const guard = (event: NavigationEvent, url?: unknown): void => {
    const target = typeof event.url === 'string' ? event.url : typeof url === 'string' ? url : ''
    if (!isAllowedNavigation(target, options.devOrigin)) event.preventDefault()
  }
  contents.on('will-navigate', guard as Listener)
  contents.on('will-frame-navigate', guard as Listener)
  contents.on('will-redirect', guard as Listener)
  // Checklist 12: no <webview> is ever attached (webviewTag is off too; this holds if it were turned on).
  contents.on('will-attach-webview', ((event: NavigationEvent) => event.preventDefault()) as Listener)
  if (options.isPackaged && contents.closeDevTools) {
    const close = contents.closeDevTools.bind(contents)
    contents.on('devtools-opened', (() => close()) as Listener)
  }
}
