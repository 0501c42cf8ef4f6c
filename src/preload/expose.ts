// Builds a window's narrow api: one named function per call that window may make, and `on` for its events.
// Never exposes ipcRenderer or a generic send (STYLE.md anti-patterns): the channel list is fixed at build time.
import { contextBridge, ipcRenderer } from 'electron'
import { callsFor, eventsFor, IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type EventName, type WindowRole } from '../shared/api/channels'

export function exposeApi(role: WindowRole): void {
  const call: Record<string, (input: unknown) => Promise<unknown>> = {}
  for (const name of callsFor(role)) {
    call[name] = (input: unknown) => ipcRenderer.invoke(IPC_CALL_CHANNEL, name, input)
  }
  const allowedEvents = new Set<EventName>(eventsFor(role))
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, name: string, payload: unknown) => {
    for (const listener of listeners.get(name) ?? []) listener(payload)
  })
  contextBridge.exposeInMainWorld('stabletill', {
    call: Object.freeze(call),
    on(event: EventName, listener: (payload: unknown) => void): () => void {
      if (!allowedEvents.has(event)) throw new Error(`The ${role} window does not receive ${event}`)
      const set = listeners.get(event) ?? new Set()
      set.add(listener)
      listeners.set(event, set)
      return () => set.delete(listener)
    }
  })
}
