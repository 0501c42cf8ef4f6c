// A domain's part of the api handler map (Actual Budget's per-module `app.method(name, handler)`): each domain
// exports a function returning the handlers for its calls, beside its service; app.ts combines the parts and the
// registry refuses a map that misses a call.
import type { CallName } from '../../shared/api/channels'
import type { Handlers } from '../api/registry'

export type HandlerPart<K extends CallName> = Pick<Handlers, K>
