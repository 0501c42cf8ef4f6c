import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRegistry, type Handlers } from '../../../src/main/api/registry'
import { CALLS, isCallName, mayCall, WINDOW_ROLES, type CallName } from '../../../src/shared/api/channels'
import { inputs } from '../../../src/shared/api/contract'
import { TillError, type Result } from '../../../src/shared/result'
import { testTill, type TestTill } from '../../fixtures/till'

const COLA = '5901234123013'
// A valid EAN-13 (GS1 check digit correct) that the demo catalog does not carry.
const NOT_IN_CATALOG = '4006381333931'
const CALL_NAMES = Object.keys(CALLS) as CallName[]

let till: TestTill
beforeEach(() => {
  till = testTill()
})
afterEach(async () => {
  vi.restoreAllMocks()
  await till.cleanup()
})

function errorOf(result: Result<unknown>) {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`)
  return result.error
}

/** Stub handlers for every call, so createRegistry can be driven without a till. */
function stubHandlers(overrides: Partial<Record<CallName, (input: unknown) => unknown>> = {}): Handlers {
  return Object.fromEntries(CALL_NAMES.map((name) => [name, overrides[name] ?? (() => name)])) as unknown as Handlers
}

describe('api registry: who may call what', () => {
  it('wraps a handled call in an ok Result', async () => {
    const result = await till.app.registry.dispatch('display', 'store:info', {})
    expect(result).toMatchObject({ ok: true, value: { storeName: expect.any(String) } })
    // A missing payload is the empty request.
    expect(await till.app.registry.dispatch('backoffice', 'store:info', undefined)).toEqual(result)
  })

  it('refuses an unknown call as forbidden, whatever its name looks like', async () => {
    for (const name of ['sale:delete-everything', '__proto__', 'constructor', 'toString', '', 42, null, undefined, { name: 'store:info' }]) {
      const error = errorOf(await till.app.registry.dispatch('cashier', name, {}))
      expect(error.code).toBe('forbidden')
      expect(error.message).toMatch(/^Unknown call/)
    }
    // The echoed name is cut short, so a huge name does not flood the log or the UI.
    const long = errorOf(await till.app.registry.dispatch('cashier', 'x'.repeat(10_000), {}))
    expect(long.message.length).toBeLessThan(100)
  })

  it('refuses a call the window role may not make (channels.ts) before touching the sale', async () => {
    const fromDisplay = errorOf(await till.app.registry.dispatch('display', 'sale:scan', { code: COLA, source: 'manual' }))
    expect(fromDisplay).toEqual({ code: 'forbidden', message: 'The display window may not call sale:scan.' })
    expect(errorOf(await till.app.registry.dispatch('backoffice', 'sale:scan', { code: COLA, source: 'manual' })).code).toBe('forbidden')
    expect(errorOf(await till.app.registry.dispatch('display', 'sales:list', {})).code).toBe('forbidden')
    expect(errorOf(await till.app.registry.dispatch('cashier', 'ledger:verify', {})).code).toBe('forbidden')
    expect(till.app.sales.current()).toBeNull()

    const fromCashier = await till.app.registry.dispatch('cashier', 'sale:scan', { code: COLA, source: 'manual' })
    expect(fromCashier).toMatchObject({ ok: true, value: { lines: [expect.objectContaining({ quantity: 1 })] } })
  })

  it('checks every call against every role exactly as channels.ts lists it', async () => {
    // An extra key fails every (strict) input schema, so no handler runs: this only exercises the role gate.
    for (const name of CALL_NAMES) {
      for (const role of WINDOW_ROLES) {
        const error = errorOf(await till.app.registry.dispatch(role, name, { unexpectedKey: true }))
        expect(error.code, `${role} -> ${name}`).toBe(mayCall(role, name) ? 'invalid-input' : 'forbidden')
      }
    }
  })
})

describe('api registry: inputs', () => {
  it('refuses bad input with invalid-input and a message naming the field', async () => {
    const wrongType = errorOf(await till.app.registry.dispatch('cashier', 'sale:scan', { code: 5901234123013, source: 'manual' }))
    expect(wrongType.code).toBe('invalid-input')
    expect(wrongType.message).toMatch(/^Bad request for sale:scan: code: /)

    const badEnum = errorOf(await till.app.registry.dispatch('cashier', 'sale:scan', { code: COLA, source: 'laser' }))
    expect(badEnum.message).toMatch(/sale:scan: source: /)

    const empty = errorOf(await till.app.registry.dispatch('cashier', 'sale:scan', { code: '', source: 'manual' }))
    expect(empty.message).toBe('Bad request for sale:scan: code: empty barcode')

    const limit = errorOf(await till.app.registry.dispatch('backoffice', 'sales:list', { limit: 0 }))
    expect(limit).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/sales:list: limit: /) })

    const extra = errorOf(await till.app.registry.dispatch('cashier', 'sale:current', { saleId: 'x' }))
    expect(extra).toMatchObject({ code: 'invalid-input', message: expect.stringContaining('saleId') })

    for (const notAnObject of ['{}', 42, [], true]) {
      expect(errorOf(await till.app.registry.dispatch('cashier', 'store:info', notAnObject)).code).toBe('invalid-input')
    }
    // Nothing was sold by any of that.
    expect(till.app.sales.current()).toBeNull()
  })

  it('every input schema is strict: an extra key is refused even beside a valid request', () => {
    for (const name of CALL_NAMES) {
      const parsed = inputs[name].safeParse({ unexpectedKey: 1 })
      expect(parsed.success, name).toBe(false)
      expect(
        parsed.error?.issues.some((issue) => issue.code === 'unrecognized_keys'),
        `${name} must be z.object({...}).strict()`
      ).toBe(true)
    }
  })
})

describe('api registry: outcomes of handlers', () => {
  it("turns a service's TillError into its code, message and detail", async () => {
    const unknown = errorOf(await till.app.registry.dispatch('cashier', 'sale:scan', { code: NOT_IN_CATALOG, source: 'manual' }))
    expect(unknown).toEqual({
      code: 'unknown-barcode',
      message: `Unknown barcode ${NOT_IN_CATALOG}: no product in the catalog has it.`,
      detail: { code: NOT_IN_CATALOG },
      // The message id the page words in its UI language (src/shared/messages.ts), with detail as its values.
      key: 'barcode.unknown'
    })
    const badCheckDigit = errorOf(await till.app.registry.dispatch('cashier', 'sale:scan', { code: '5901234123014', source: 'wedge' }))
    expect(badCheckDigit.code).toBe('bad-barcode')
    const nothingOpen = errorOf(await till.app.registry.dispatch('cashier', 'sale:complete', {}))
    expect(nothingOpen.code).toBe('no-open-sale')
    expect(nothingOpen).not.toHaveProperty('detail')
  })

  it('turns an unexpected exception into internal with a generic message, logging the real error', async () => {
    // The app's registry logs to console.error (bound when the registry is built), so spy first, then reopen.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    const app = till.reopen()
    // A real failure below the services: the ledger connection is gone.
    app.db.close()
    const error = errorOf(await app.registry.dispatch('backoffice', 'sales:list', {}))
    expect(error.code).toBe('internal')
    expect(error.message).toBe('Something went wrong on the till; nothing was changed. The error is in the till log.')
    expect(error).not.toHaveProperty('detail')
    expect(JSON.stringify(error)).not.toMatch(/database|sqlite|\bat \w|\.ts:\d/i)
    expect(logged).toHaveBeenCalledWith('api sales:list failed', expect.any(Error))
  })

  it('never leaks the message or stack of a non-TillError, sync or async', async () => {
    const log: [string, unknown][] = []
    const secret = new Error('SQLITE_CORRUPT at /home/shop/.data/stabletill.sqlite')
    const registry = createRegistry(
      stubHandlers({
        'store:info': () => {
          throw secret
        },
        'sale:current': async () => {
          await Promise.resolve()
          throw new TypeError('Cannot read properties of undefined')
        },
        'sales:list': () => {
          // Not a TillError even though it looks like one.
          throw Object.assign(new Error('looks official'), { code: 'not-found' })
        },
        'ledger:verify': () => {
          throw new TillError('conflict', 'A refusal on purpose.', { seq: 3 })
        }
      }),
      (message, error) => log.push([message, error])
    )
    for (const [role, name] of [['cashier', 'store:info'], ['display', 'sale:current'], ['backoffice', 'sales:list']] as const) {
      const error = errorOf(await registry.dispatch(role, name, {}))
      expect(error.code).toBe('internal')
      expect(JSON.stringify(error)).not.toMatch(/SQLITE|stabletill\.sqlite|Cannot read|looks official|stack/)
    }
    expect(log.map(([message]) => message)).toEqual(['api store:info failed', 'api sale:current failed', 'api sales:list failed'])
    expect(log[0]![1]).toBe(secret)
    expect(await registry.dispatch('backoffice', 'ledger:verify', {})).toEqual({ ok: false, error: { code: 'conflict', message: 'A refusal on purpose.', detail: { seq: 3 } } })
    expect(await registry.dispatch('backoffice', 'sales:list', { limit: 3 })).toMatchObject({ ok: false, error: { code: 'internal' } })
  })

  it('passes the parsed input (with zod defaults) and the calling window to the handler', async () => {
    const seen: unknown[] = []
    const registry = createRegistry(
      stubHandlers({
        'sales:list': ((input: unknown, ctx: unknown) => {
          seen.push(input, ctx)
          return []
        }) as (input: unknown) => unknown
      })
    )
    expect(await registry.dispatch('backoffice', 'sales:list', {})).toEqual({ ok: true, value: [] })
    expect(seen).toEqual([{ limit: 50 }, { window: 'backoffice' }])
  })

  it('every call in CALLS needs a handler: a missing one is refused when the registry is built', () => {
    expect(() => createRegistry(stubHandlers())).not.toThrow()
    for (const name of CALL_NAMES) {
      const handlers = { ...stubHandlers() } as Record<string, unknown>
      delete handlers[name]
      expect(() => createRegistry(handlers as unknown as Handlers), name).toThrow(`api call ${name} has no handler`)
      handlers[name] = 'not a function'
      expect(() => createRegistry(handlers as unknown as Handlers), name).toThrow(`api call ${name} has no handler`)
    }
  })
})

describe('api registry: always a Result, whatever it is sent (fast-check)', () => {
  const ERROR_CODES = ['invalid-input', 'not-found', 'unknown-barcode', 'bad-barcode', 'no-open-sale', 'sale-not-open', 'not-paid', 'insufficient-cash', 'forbidden', 'approval-required', 'conflict', 'unavailable', 'internal']

  function expectResult(result: unknown): void {
    expect(typeof result).toBe('object')
    const r = result as Result<unknown>
    expect(typeof r.ok).toBe('boolean')
    if (!r.ok) {
      expect(ERROR_CODES).toContain(r.error.code)
      expect(typeof r.error.message).toBe('string')
      expect(r.error.message.length).toBeLessThanOrEqual(300)
    }
    // A Result crosses the bridge as JSON: it must serialise.
    expect(() => JSON.stringify(result)).not.toThrow()
  }

  /** Payloads no schema expects: hostile Proxies, cycles, getters that throw, huge and prototype-polluting ones. */
  function hostilePayloads(): unknown[] {
    const cyclic: Record<string, unknown> = { code: COLA }
    cyclic['self'] = cyclic
    const throwingProxy = new Proxy({}, {
      get() {
        throw new Error('get trap')
      },
      ownKeys() {
        throw new Error('ownKeys trap')
      },
      getOwnPropertyDescriptor() {
        throw new Error('descriptor trap')
      },
      getPrototypeOf() {
        throw new Error('prototype trap')
      },
      has() {
        throw new Error('has trap')
      }
    })
    const revocable = Proxy.revocable({}, {})
    revocable.revoke()
    const getter = Object.defineProperty({}, 'code', {
      enumerable: true,
      get() {
        throw new Error('getter')
      }
    })
    let flips = 0
    const shifty = Object.defineProperty({ source: 'manual' }, 'code', { enumerable: true, get: () => (flips++ % 2 ? COLA : { evil: true }) })
    const symbolKeyed = { [Symbol('k')]: 1, code: COLA }
    const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]))
    let deep: unknown = {}
    for (let i = 0; i < 20_000; i++) deep = { a: deep }
    return [
      cyclic,
      throwingProxy,
      revocable.proxy,
      getter,
      shifty,
      symbolKeyed,
      wide,
      deep,
      'x'.repeat(1_000_000),
      JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
      Object.create(null),
      Object.assign(Object.create({ code: COLA, source: 'manual' }), {}),
      [COLA],
      new Map([['code', COLA]]),
      new Date(),
      () => 1,
      Symbol('payload'),
      10n ** 100n,
      Number.NaN,
      -0
    ]
  }

  function hostileNames(): unknown[] {
    return [
      { toString: () => 'store:info' },
      {
        toString() {
          throw new Error('toString')
        }
      },
      Object.create(null),
      new Proxy({}, {
        get() {
          throw new Error('name trap')
        }
      }),
      ['store:info'],
      Symbol('store:info'),
      10n,
      () => 'store:info',
      new String('store:info'),
      'store:info\u0000',
      ' store:info',
      '\u{1F4A5}'.repeat(10_000)
    ]
  }

  it('every channel, every role: arbitrary payloads never throw and always answer a Result', async () => {
    const fc = await import('fast-check')
    const app = till.app
    const anything = fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true, maxDepth: 4 })
    // Objects shaped like requests: the right keys with arbitrary values, so the schemas' inner checks are reached.
    const keyed = fc.dictionary(fc.constantFrom('code', 'source', 'lineId', 'quantity', 'pin', 'percent', 'receivedMinor', 'saleId', 'limit', 'locale', 'chainId', 'token', 'currency', 'fiatPerToken', 'jobId', 'id', '__proto__', 'constructor'), anything)
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CALL_NAMES), fc.constantFrom(...WINDOW_ROLES), fc.oneof(anything, keyed), async (name, role, payload) => {
        let result: unknown
        try {
          result = await app.registry.dispatch(role, name, payload)
        } catch (e) {
          throw new Error(`${role} -> ${name} threw ${String(e)}`, { cause: e })
        }
        expectResult(result)
      }),
      { numRuns: 600, seed: 20261124 }
    )
    for (const name of CALL_NAMES) {
      for (const payload of hostilePayloads()) {
        for (const role of WINDOW_ROLES) expectResult(await app.registry.dispatch(role, name, payload))
      }
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  }, 120_000)

  it('arbitrary call names and window roles (objects, Proxies, symbols) are refused as a Result, never a throw', async () => {
    const fc = await import('fast-check')
    const app = till.app
    for (const name of hostileNames()) {
      for (const role of WINDOW_ROLES) {
        const result = await app.registry.dispatch(role, name, {})
        expectResult(result)
        expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      }
    }
    await fc.assert(
      fc.asyncProperty(fc.anything({ withBigInt: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true }), fc.anything(), async (name, payload) => {
        const result = await app.registry.dispatch('cashier', name, payload)
        expectResult(result)
        if (!isCallName(name)) expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      }),
      { numRuns: 300, seed: 7 }
    )
    // A role that is not one (the hosts never pass one, but the api does not take it on trust).
    for (const role of ['admin', '', null, { toString: () => 'cashier' }, 'constructor']) {
      expect(await app.registry.dispatch(role as never, 'store:info', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    }
    expect(till.app.sales.current()).toBeNull()
  })
})
