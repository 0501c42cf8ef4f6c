// Binds the contract to the services: one handler per call, typed from the contract (STYLE.md §1).
// `dispatch` is what both hosts (Electron's ipcMain and the browser harness) call: it checks that the window
// may make the call, parses the input with zod, runs the handler and wraps the outcome in a Result.
import type { ZodError } from 'zod'
import { CALLS, isCallName, mayCall, type CallName, type WindowRole } from '../../shared/api/channels'
import { inputs, type Output, type ParsedInput } from '../../shared/api/contract'
import { apiErrorOf, err, ok, TillError, type Result } from '../../shared/result'

export interface CallContext {
  readonly window: WindowRole
}

export type Handlers = { readonly [K in CallName]: (input: ParsedInput<K>, ctx: CallContext) => Output<K> | Promise<Output<K>> }

export interface Registry {
  dispatch(window: WindowRole, name: unknown, payload: unknown): Promise<Result<unknown>>
}

export function createRegistry(handlers: Handlers, log: (message: string, error: unknown) => void = console.error): Registry {
  const table = new Map<CallName, (input: unknown, ctx: CallContext) => unknown>()
  // One handler per name by construction: the handler map is keyed by the contract's call names, so a name cannot be
  // registered twice; a missing handler is refused here.
  for (const name of Object.keys(CALLS) as CallName[]) {
    const handler = handlers[name] as (input: unknown, ctx: CallContext) => unknown
    if (typeof handler !== 'function') throw new Error(`api call ${name} has no handler`)
    table.set(name, handler)
  }
  return {
    async dispatch(window, name, payload) {
      if (!isCallName(name)) return err('forbidden', `Unknown call ${String(name).slice(0, 40)}.`)
      if (!mayCall(window, name)) return err('forbidden', `The ${window} window may not call ${name}.`)
      const parsed = inputs[name].safeParse(payload ?? {})
      if (!parsed.success) return err('invalid-input', describeZodError(name, parsed.error))
      try {
        const value = await table.get(name)!(parsed.data, { window })
        return ok(value)
      } catch (e) {
        // The message id crosses with its values (detail) so the page words the refusal in its UI language.
        if (e instanceof TillError) return { ok: false, error: apiErrorOf(e) }
        log(`api ${name} failed`, e)
        return err('internal', 'Something went wrong on the till; nothing was changed. The error is in the till log.')
      }
    }
  }
}

function describeZodError(name: string, error: ZodError): string {
  const first = error.issues[0]
  if (!first) return `Bad request for ${name}.`
  const where = first.path.length ? `${first.path.join('.')}: ` : ''
  return `Bad request for ${name}: ${where}${first.message}`
}
