// Who may do what (issue [S] point 2): ONE table, read by the api (the staff guard around the handler map and the
// approvals' PIN check) and by the pages (to hide or disable what the signed-in person may not do). Pure data.
import type { CallName } from './api/channels'

export type Role = 'cashier' | 'manager' | 'owner'
export const ROLES: readonly Role[] = ['cashier', 'manager', 'owner']

/** Each role may do what the roles below it may: an owner is also a manager, a manager also a cashier. */
const RANK: Readonly<Record<Role, number>> = { cashier: 1, manager: 2, owner: 3 }

/**
 * Every action a person does or approves, and the least role that may. The approval actions (the PIN prompt's
 * "Manager approval") are the ones ApprovalService.approve is asked for; the others are checked against the
 * signed-in person's session.
 */
export const PERMISSIONS = {
  // ---- at the counter, by whoever is signed in ----
  'sale.sell': 'cashier',
  'staff.change-own-pin': 'cashier',
  // ---- approved with a manager's PIN ----
  'drawer.no-sale': 'manager',
  'payment.accept': 'manager',
  'payment.release-unverified': 'manager',
  'sale.void': 'manager',
  'sale.discount': 'manager',
  'sale.return-tender': 'manager',
  'settings.store': 'manager',
  'rate.manual': 'manager',
  'payment.resolve-transfer': 'manager',
  'payment.resolve-reversal': 'manager',
  'shift.open': 'manager',
  'shift.cash-move': 'manager',
  'shift.close': 'manager',
  'catalog.edit': 'manager',
  'catalog.import': 'manager',
  'settings.devices': 'manager',
  'return.cash': 'manager',
  'return.stablecoin': 'manager',
  'return.cancel': 'manager',
  'ledger.integrity-acknowledge': 'manager',
  // ---- the owner's ----
  'staff.manage': 'owner',
  'settings.payments': 'owner'
} as const satisfies Record<string, Role>

export type Action = keyof typeof PERMISSIONS

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PERMISSIONS, value)
}

/** Whether `role` may do (or approve) `action`. */
export function mayDo(role: Role, action: Action): boolean {
  return RANK[role] >= RANK[PERMISSIONS[action]]
}

/**
 * Calls the api refuses unless the signed-in person's role allows the action (no PIN asked: the session is the
 * authority). Calls that carry a PIN are checked by the PIN's holder instead (ApprovalService.approve), so a
 * cashier's session cannot reach a manager action without a manager's PIN.
 */
export const SESSION_CALLS: Partial<Readonly<Record<CallName, Action>>> = {
  'sale:scan': 'sale.sell',
  'sale:set-quantity': 'sale.sell',
  'sale:change-quantity': 'sale.sell',
  'sale:add-product': 'sale.sell',
  'sale:void-line': 'sale.sell',
  'sale:tender-cash': 'sale.sell',
  'sale:complete': 'sale.sell',
  'payment:request': 'sale.sell',
  'payment:cancel': 'sale.sell',
  // A locked till shows no past sale (its lines, its buyer's address) to whoever stands at it: finding one to
  // return needs someone signed in, as selling does.
  'return:find': 'sale.sell'
}

/** The least PIN length per role: a manager's PIN opens the drawer, so it must resist guessing at the counter. */
export const MIN_PIN_DIGITS: Readonly<Record<Role, number>> = { cashier: 4, manager: 6, owner: 6 }
