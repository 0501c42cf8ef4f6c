// Typed pushes from main to the windows (STYLE.md §1): services emit, the Electron and harness hosts forward.
import type { EventPayloads } from '../shared/api/contract'
import type { EventName } from '../shared/api/channels'

export type EventListener = <K extends EventName>(event: K, payload: EventPayloads[K]) => void

export class EventBus {
  private readonly listeners = new Set<EventListener>()

  emit<K extends EventName>(event: K, payload: EventPayloads[K]): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload)
      } catch (e) {
        // A broken window must not break the sale that emitted the event.
        console.error(`event listener failed for ${event}:`, e)
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
