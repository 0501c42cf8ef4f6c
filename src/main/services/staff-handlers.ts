// The staff calls (sign-in, lock, own PIN, the owner's staff list) and the session guard that puts the permission
// table (src/shared/permissions.ts) in front of the whole handler map.
import { SESSION_CALLS } from '../../shared/permissions'
import type { CallName } from '../../shared/api/channels'
import type { Handlers } from '../api/registry'
import type { EventBus } from '../events'
import type { StaffService } from './approvals'
import type { HandlerPart } from './handler-part'

type StaffCalls = 'staff:session' | 'staff:sign-in' | 'staff:lock' | 'staff:change-pin' | 'staff:list' | 'staff:add' | 'staff:set-disabled' | 'staff:reset-pin'

export function staffHandlers({ staff }: { readonly staff: StaffService; readonly events: EventBus }): HandlerPart<StaffCalls> {
  return {
    'staff:session': () => staff.session(),
    'staff:sign-in': ({ pin }) => staff.signIn(pin),
    'staff:lock': () => staff.lock(),
    'staff:change-pin': ({ currentPin, newPin }) => staff.changeOwnPin(currentPin, newPin),
    'staff:list': () => staff.list(),
    'staff:add': ({ pin, name, role, newPin }) => staff.add(pin, { name, role, pin: newPin }),
    'staff:set-disabled': ({ pin, staffId, disabled }) => staff.setDisabled(pin, staffId, disabled),
    'staff:reset-pin': ({ pin, staffId, newPin }) => staff.resetPin(pin, staffId, newPin)
  }
}

/**
 * The api's half of the permission table: each call SESSION_CALLS names is refused unless the signed-in person's
 * role may do its action (a locked till sells nothing). Calls with a PIN are checked by the PIN's holder in
 * StaffService.approve, so between the two a cashier's session reaches no manager action without a manager's PIN.
 */
export function guardHandlers(handlers: Handlers, staff: Pick<StaffService, 'requireSession'>): Handlers {
  const guarded: Record<string, unknown> = { ...handlers }
  for (const [name, action] of Object.entries(SESSION_CALLS) as [CallName, NonNullable<(typeof SESSION_CALLS)[CallName]>][]) {
    const inner = handlers[name] as (input: unknown, ctx: unknown) => unknown
    guarded[name] = (input: unknown, ctx: unknown) => {
      staff.requireSession(action)
      return inner(input, ctx)
    }
  }
  return guarded as unknown as Handlers
}
