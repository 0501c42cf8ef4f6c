// How a page reaches the till: in Electron through its window's narrow preload (window.stabletill); in the browser
// harness through one WebSocket carrying the same calls and events. Pages cannot tell which host they run in.
import type { CallName, EventName, WindowRole } from '../../shared/api/channels'
import type { Api, EventPayloads, Input, Output } from '../../shared/api/contract'
import type { Result } from '../../shared/result'

type AnyApi = Api<CallName, EventName>

declare global {
  interface Window {
    stabletill?: AnyApi
  }
}

export function connect(role: WindowRole): AnyApi {
  if (window.stabletill) return window.stabletill
  return harnessApi(role)
}

function harnessApi(role: WindowRole): AnyApi {
  const params = new URLSearchParams(location.search)
  const token = params.get('token') ?? sessionStorage.getItem('stabletill.token') ?? ''
  sessionStorage.setItem('stabletill.token', token)
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const pending = new Map<number, (result: Result<unknown>) => void>()
  let nextId = 1
  let socket: WebSocket | null = null
  let ready: Promise<WebSocket> | null = null

  function open(): Promise<WebSocket> {
    if (ready) return ready
    ready = new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/api?window=${role}&token=${encodeURIComponent(token)}`)
      ws.onopen = () => {
        socket = ws
        resolve(ws)
      }
      ws.onerror = () => reject(new Error('harness socket failed'))
      ws.onclose = () => {
        socket = null
        ready = null
        for (const [, settle] of pending) settle({ ok: false, error: { code: 'unavailable', message: 'The till service closed the connection.' } })
        pending.clear()
        // Reconnect so events resume after a harness restart.
        setTimeout(() => void open().catch(() => undefined), 1000)
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
    })
    return ready
  }

  const call = new Proxy({} as AnyApi['call'], {
    get(_target, name: string) {
      return async (input: unknown) => {
        try {
          const ws = socket ?? (await open())
          const id = nextId++
          return await new Promise<Result<unknown>>((settle) => {
            pending.set(id, settle)
            ws.send(JSON.stringify({ id, call: name, input }))
          })
        } catch {
          return { ok: false, error: { code: 'unavailable', message: 'The till service is not answering.' } }
        }
      }
    }
  })

  void open().catch(() => undefined)
  return {
    call,
    on(event, listener) {
      const set = listeners.get(event) ?? new Set()
      set.add(listener as (payload: unknown) => void)
      listeners.set(event, set)
      return () => set.delete(listener as (payload: unknown) => void)
    }
  }
}

export type CallFn = <K extends CallName>(name: K, input: Input<K>) => Promise<Result<Output<K>>>
export type { EventPayloads }
