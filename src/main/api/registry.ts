// Binds the contract to the services: one handler per call, typed from the contract (STYLE.md §1).
// `dispatch` is what both hosts (Electron's ipcMain and the browser harness) call: it checks that the window
// may make the call, parses the input with zod, runs the handler and wraps the outcome in a Result.
import type { ZodError } from 'zod'
import { CALLS, isCallName, mayCall, WINDOW_ROLES, type CallName, type WindowRole } from '../../shared/api/channels'
import { inputs, type Output, type ParsedInput } from '../../shared/api/contract'
import { apiErrorOf, err, ok, TillError, type Result } from '../../shared/result'
import { isPinRefusal } from '../ledger/unit-of-work'

export interface CallContext {
  readonly window: WindowRole
}

export type Handlers = { readonly [K in CallName]: (input: ParsedInput<K>, ctx: CallContext) => Output<K> | Promise<Output<K>> }

export interface Registry {
  dispatch(window: WindowRole, name: unknown, payload: unknown): Promise<Result<unknown>>
}

export interface RegistryOptions {
  /**
   * The ledger's synchronous transaction (db.transaction(fn)()). A call that carries a manager's PIN runs in one, so
   * the approval's journal entry and the action it approved commit together ([E] point 5): an action that refuses
   * after the PIN was accepted leaves no 'approval.granted' behind. A wrong PIN still commits its
   * 'approval.refused' entry (the action never ran). Handlers taking a PIN must be synchronous.
   */
  readonly unitOfWork?: <T>(fn: () => T) => T
}


export function createRegistry(handlers: Handlers, log: (message: string, error: unknown) => void = console.error, options: RegistryOptions = {}): Registry {
  const table = new Map<CallName, (input: unknown, ctx: CallContext) => unknown>()
  // One handler per name by construction: the handler map is keyed by the contract's call names, so a name cannot be
  // registered twice; a missing handler is refused here.
  for (const name of Object.keys(CALLS) as CallName[]) {
    const handler = handlers[name] as (input: unknown, ctx: CallContext) => unknown
    if (typeof handler !== 'function') throw new Error(`api call ${name} has no handler`)
    table.set(name, handler)
  }
  /**
   * Whatever it is sent, dispatch answers a Result and never throws or rejects ([E] point 5): a name that is an
   * object (with a throwing toString, or no prototype at all), a payload that is a Proxy with throwing traps,
   * cyclic, huge, or carrying __proto__ keys. Everything is inspected by typeof and zod only, which read own
   * properties; the catch-all is for what a hostile Proxy can still make zod throw.
   */
  async function dispatch(window: WindowRole, name: unknown, payload: unknown): Promise<Result<unknown>> {
    if (typeof window !== 'string' || !WINDOW_ROLES.includes(window)) return err('forbidden', 'Calls are accepted only from the till windows.')
    if (!isCallName(name)) return err('forbidden', `Unknown call ${describeName(name)}.`)
    if (!mayCall(window, name)) return err('forbidden', `The ${window} window may not call ${name}.`)
    let parsed: ReturnType<(typeof inputs)[CallName]['safeParse']>
    try {
      parsed = inputs[name].safeParse(payload ?? {})
    } catch {
      return err('invalid-input', `Bad request for ${name}: the request could not be read.`)
    }
    if (!parsed.success) return err('invalid-input', describeZodError(name, parsed.error))
    try {
      const handler = table.get(name)!
      const input: unknown = parsed.data
      const unitOfWork = options.unitOfWork
      if (unitOfWork && typeof input === 'object' && input !== null && typeof (input as { pin?: unknown }).pin === 'string') {
        let pinRefusal: unknown = null
        const value = unitOfWork(() => {
          try {
            return handler(input, { window })
          } catch (e) {
            if (!isPinRefusal(e)) throw e
            pinRefusal = e
            return undefined
          }
        })
        if (pinRefusal !== null) throw pinRefusal
        return ok(await value)
      }
      const value = await handler(input, { window })
      return ok(value)
    } catch (e) {
      // The message id crosses with its values (detail) so the page words the refusal in its UI language.
      if (e instanceof TillError) return { ok: false, error: apiErrorOf(e) }
      log(`api ${name} failed`, e)
      return err('internal', 'Something went wrong on the till; nothing was changed. The error is in the till log.')
    }
  }
  return {
    dispatch(window, name, payload) {
      // The async function already turns a throw into a rejection; this turns a rejection into a Result too.
      return dispatch(window, name, payload).catch((e: unknown) => {
        log('api dispatch failed', e)
        return err('internal', 'Something went wrong on the till; nothing was changed. The error is in the till log.')
      })
    }
  }
}

/** A short, safe rendering of whatever was sent as a call name: never calls its toString. */
function describeName(name: unknown): string {
  if (typeof name === 'string') return JSON.stringify(name.slice(0, 40)).slice(1, -1)
  if (name === null) return 'null'
  if (typeof name === 'object' || typeof name === 'function') return `(${Array.isArray(name) ? 'array' : typeof name})`
  if (typeof name === 'symbol') return '(symbol)'
  return String(name).slice(0, 40)
}

function describeZodError(name: string, error: ZodError): string {
  const first = error.issues[0]
  if (!first) return `Bad request for ${name}.`
  // A path element may be a symbol (join would throw) or a huge key: each is rendered safely and cut short.
  const where = first.path.length ? `${first.path.map((key) => (typeof key === 'symbol' ? '(symbol)' : String(key).slice(0, 40))).join('.')}: ` : ''
  return `Bad request for ${name}: ${where}${first.message}`.slice(0, 300)
}
