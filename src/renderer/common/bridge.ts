// How a page reaches the till: in Electron through its window's narrow preload (window.stabletill); in the browser
// harness through one WebSocket carrying the same calls and events. Pages cannot tell which host they run in.
//
// The harness socket can drop (the till service stopped, the harness restarted). Then every pending call settles
// with an 'unavailable' Result (never a hang), the page is told (a banner), and the socket is opened again with
// backoff at the same URL: the harness keeps one address and token per data folder across restarts.
import type { CallName, EventName, WindowRole } from '../../shared/api/channels'
import type { Api, EventPayloads, Input, Output } from '../../shared/api/contract'
import type { Result } from '../../shared/result'

export type AnyApi = Api<CallName, EventName>

declare global {
  interface Window {
    stabletill?: AnyApi
  }
}

/** The link to the till service as the page sees it. 'connecting' is the first attempt only. */
export type LinkState = 'connecting' | 'up' | 'down'

export interface Bridge {
  readonly api: AnyApi
  /** Called on every change of the link; returns an unsubscribe. */
  onLink(listener: (state: LinkState) => void): () => void
  /** Called after the link came back from 'down' (pages reload what they show: events may have been missed). */
  onReconnect(listener: () => void): () => void
}

export function connect(role: WindowRole): Bridge {
  if (window.stabletill) {
    // IPC to the main process does not drop while the window lives.
    return { api: window.stabletill, onLink: (l) => (l('up'), () => undefined), onReconnect: () => () => undefined }
  }
  return harnessBridge(role)
}

/** Backoff between reconnection attempts: 250 ms doubling to 4 s, so a restarted harness is found within seconds. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(4000, 250 * 2 ** Math.min(attempt, 5))
}

/** A call the link could not carry: worded by the page as 'link.unavailable' (src/shared/messages.ts). */
function linkDown(message: string): Result<never> {
  return { ok: false, error: { code: 'unavailable', message, key: 'link.unavailable' } }
}

function tooLarge(): Result<never> {
  return { ok: false, error: { code: 'invalid-input', message: 'The request was too large to send to the till.', key: 'link.too-large' } }
}

function harnessBridge(role: WindowRole): Bridge {
  const params = new URLSearchParams(location.search)
  const token = params.get('token') ?? sessionStorage.getItem('stabletill.token') ?? ''
  sessionStorage.setItem('stabletill.token', token)
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const linkListeners = new Set<(state: LinkState) => void>()
  const reconnectListeners = new Set<() => void>()
  const pending = new Map<number, (result: Result<unknown>) => void>()
  let nextId = 1
  let socket: WebSocket | null = null
  let state: LinkState = 'connecting'
  let attempt = 0
  let wasDown = false
  let waiters: ((ws: WebSocket | null) => void)[] = []

  function setState(next: LinkState): void {
    if (next === state) return
    state = next
    for (const listener of linkListeners) listener(next)
  }

  function open(): void {
    const ws = new WebSocket(`ws://${location.host}/api?window=${role}&token=${encodeURIComponent(token)}`)
    ws.onopen = () => {
      socket = ws
      attempt = 0
      setState('up')
      for (const waiter of waiters) waiter(ws)
      waiters = []
      if (wasDown) {
        wasDown = false
        for (const listener of reconnectListeners) listener()
      }
    }
    ws.onclose = (closed) => {
      socket = null
      wasDown = true
      setState('down')
      // 1009 (RFC 6455 §7.4.1): the harness refused a frame over this window's size limit. The calls still open
      // are refused as too large, not as "the till is not answering": trying again would not help.
      const failed = closed.code === 1009 ? tooLarge() : linkDown('The till service closed the connection.')
      for (const [, settle] of pending) settle(failed)
      pending.clear()
      // Calls made while the link is down fail now rather than wait for a socket that may not come back.
      for (const waiter of waiters) waiter(null)
      waiters = []
      setTimeout(open, reconnectDelayMs(attempt++))
    }
    ws.onmessage = (msg) => {
      const data = JSON.parse(String(msg.data)) as { id?: number; result?: Result<unknown>; event?: string; payload?: unknown }
      if (typeof data.id === 'number' && data.result) {
        pending.get(data.id)?.(data.result)
        pending.delete(data.id)
      } else if (data.event) {
        for (const listener of listeners.get(data.event) ?? []) listener(data.payload)
      }
    }
  }

  function socketNow(): Promise<WebSocket | null> {
    if (socket) return Promise.resolve(socket)
    // Only the very first connection is waited for; after a drop, calls fail at once until the link is back.
    if (state === 'down') return Promise.resolve(null)
    return new Promise((resolve) => waiters.push(resolve))
  }

  const call = new Proxy({} as AnyApi['call'], {
    get(_target, name: string) {
      return async (input: unknown): Promise<Result<unknown>> => {
        const ws = await socketNow()
        if (!ws) return linkDown('The till service is not answering.')
        const id = nextId++
        return new Promise<Result<unknown>>((settle) => {
          pending.set(id, settle)
          ws.send(JSON.stringify({ id, call: name, input }))
        })
      }
    }
  })

  open()
  return {
    api: {
      call,
      on(event, listener) {
        const set = listeners.get(event) ?? new Set()
        set.add(listener as (payload: unknown) => void)
        listeners.set(event, set)
        return () => set.delete(listener as (payload: unknown) => void)
      }
    },
    onLink(listener) {
      linkListeners.add(listener)
      listener(state)
      return () => linkListeners.delete(listener)
    },
    onReconnect(listener) {
      reconnectListeners.add(listener)
      return () => reconnectListeners.delete(listener)
    }
  }
}

export type CallFn = <K extends CallName>(name: K, input: Input<K>) => Promise<Result<Output<K>>>
export type { EventPayloads }
