// The names of every call and event, and which window may use each. Kept apart from the zod schemas so a preload
// (which bundles this file) stays tiny. Registering or exposing anything not listed here is impossible by type.

/** The two Electron IPC channels: every call goes through one (named in the payload), every push through the other. */
export const IPC_CALL_CHANNEL = 'stabletill:call'
export const IPC_EVENT_CHANNEL = 'stabletill:event'

export type WindowRole = 'cashier' | 'display' | 'backoffice'
export const WINDOW_ROLES: readonly WindowRole[] = ['cashier', 'display', 'backoffice']

export const CALLS = {
  'store:info': ['cashier', 'display', 'backoffice'],
  'sale:current': ['cashier', 'display'],
  'sale:scan': ['cashier'],
  'sale:set-quantity': ['cashier'],
  'sale:change-quantity': ['cashier'],
  'sale:add-product': ['cashier'],
  'sale:remove-tender': ['cashier'],
  'catalog:search': ['cashier', 'backoffice'],
  'sale:void-line': ['cashier'],
  'sale:discount-line': ['cashier'],
  'sale:tender-cash': ['cashier'],
  'sale:complete': ['cashier'],
  'sale:void': ['cashier'],
  'sale:get': ['cashier', 'backoffice'],
  'sales:list': ['backoffice'],
  'ledger:verify': ['backoffice'],
  'settings:set-locale': ['cashier', 'backoffice'],
  'payment:options': ['cashier'],
  'payment:request': ['cashier'],
  'payment:current': ['cashier', 'display'],
  'payment:cancel': ['cashier'],
  'payment:accept': ['cashier'],
  'payment:release-unverified': ['cashier'],
  'payment:record-overpayment': ['cashier'],
  'payment:simulate': ['cashier'],
  'drawer:no-sale': ['cashier', 'backoffice'],
  'printer:state': ['cashier', 'backoffice'],
  'printer:retry': ['cashier', 'backoffice'],
  'printer:reprint': ['cashier', 'backoffice'],
  'printer:preview': ['backoffice'],
  'scanners:list': ['backoffice'],
  'settings:update-store': ['backoffice'],
  'rates:set-manual': ['backoffice'],
  'payment:unattributed': ['backoffice'],
  'scanners:select': ['backoffice'],
  'chain:health': ['cashier', 'display', 'backoffice'],
  'payment:resolve-transfer': ['backoffice'],
  'payment:assignable': ['backoffice'],
  'payment:reversals': ['backoffice'],
  'payment:resolve-reversal': ['backoffice'],
  // The cash session (issue [D] point 1). The cashier sees the day and its X, and moves cash with a manager's PIN;
  // opening and closing the day and past Zs are the back office's.
  'shift:current': ['cashier', 'backoffice'],
  'shift:open': ['backoffice'],
  'shift:cash-move': ['cashier', 'backoffice'],
  'shift:x-report': ['cashier', 'backoffice'],
  'shift:close': ['backoffice'],
  'shift:z-reports': ['backoffice'],
  'shift:z-report': ['backoffice'],
  // The closed day's reports (issue [D] points 4 and 5): the Z on screen, its exports, the chain reconciliation.
  'day:z-report': ['backoffice'],
  'day:export': ['backoffice'],
  'reconcile:run': ['backoffice'],
  'reconcile:cancel': ['backoffice'],
  // Returns and refunds (issue [D] point 2): found and refunded at the counter (a manager's PIN), a stablecoin
  // refund's request also followed and cancelled from the back office.
  'return:find': ['cashier', 'backoffice'],
  'return:quote': ['cashier', 'backoffice'],
  'return:cash': ['cashier'],
  'return:stablecoin': ['cashier', 'backoffice'],
  'return:get': ['cashier', 'backoffice'],
  'return:list': ['cashier', 'backoffice'],
  'return:cancel': ['cashier', 'backoffice'],
  'return:check': ['cashier', 'backoffice'],
  // Staff and roles (issue [S] point 2): sign-in, lock and own PIN at either window; managing staff is the back office's.
  'staff:session': ['cashier', 'backoffice'],
  'staff:sign-in': ['cashier', 'backoffice'],
  'staff:lock': ['cashier', 'backoffice'],
  'staff:change-pin': ['cashier', 'backoffice'],
  'staff:list': ['backoffice'],
  'staff:add': ['backoffice'],
  'staff:set-disabled': ['backoffice'],
  'staff:reset-pin': ['backoffice'],
  // The catalog (issue [S] point 3): import with preview, edit, export.
  'catalog:import-preview': ['backoffice'],
  'catalog:import': ['backoffice'],
  'catalog:product': ['backoffice'],
  'catalog:update-product': ['backoffice'],
  'catalog:export': ['backoffice'],
  // Payment settings (issue [S] points 1 and 4): checked and tested before they are saved.
  'settings:check-receive': ['backoffice'],
  'settings:test-rpc': ['backoffice'],
  'settings:payments': ['backoffice'],
  // Today at a glance (issue [D] point 6): the back office's first section.
  'day:today': ['backoffice'],
  // The start-up integrity check ([E] point 4): shown to the manager; acknowledging it (PIN) lets the day close.
  'ledger:integrity': ['backoffice'],
  'ledger:acknowledge-integrity': ['backoffice'],
  // The first-run set-up (issue [S] point 1): every window asks whether the till waits for it; the back office runs it.
  'setup:status': ['cashier', 'display', 'backoffice'],
  'setup:check': ['backoffice'],
  'setup:demo': ['backoffice'],
  'setup:finish': ['backoffice'],
  // The store's remaining settings (issue [S] point 4): each set-up step again in the back office, with a PIN.
  'printer:test': ['backoffice'],
  'settings:store-details': ['backoffice'],
  'settings:devices': ['backoffice'],
  'settings:tax-rates': ['backoffice'],
  'settings:card-fee': ['backoffice'],
  // The saved payment settings, for the back office form to show (issue [S] point 1: several chains and URLs).
  'settings:payments-current': ['backoffice'],
  // Shipping the journal to head office (services/shipper.ts): null when this till has no head office.
  'headoffice:status': ['backoffice'],
  // The till key's public half, for the owner to register this till at head office (add-till --public-key).
  'headoffice:till-key': ['backoffice'],
  // The cashier's local product index (issue [R]: the row drawn on the Enter itself), read a page at a time.
  'catalog:index': ['cashier'],
  // The store's limits for one sale ([E] point 5): cash received, units and amount on one line, with a PIN.
  'settings:limits': ['backoffice']
} as const satisfies Record<string, readonly WindowRole[]>

export type CallName = keyof typeof CALLS

export const EVENTS = {
  'sale:changed': ['cashier', 'display'],
  'store:changed': ['cashier', 'display', 'backoffice'],
  'scan:rejected': ['cashier'],
  'payment:changed': ['cashier', 'display'],
  'printer:changed': ['cashier', 'backoffice'],
  'scanner:status': ['cashier', 'backoffice'],
  'chain:health-changed': ['cashier', 'display', 'backoffice'],
  'shift:changed': ['cashier', 'backoffice'],
  'reconcile:progress': ['backoffice'],
  'return:changed': ['cashier', 'backoffice'],
  'staff:changed': ['cashier', 'backoffice'],
  'ledger:integrity-changed': ['backoffice'],
  'ledger:verify-progress': ['backoffice'],
  // One line of the open sale changed: the line and the totals, not the whole sale (views.ts SaleLineChange).
  'sale:line-changed': ['cashier', 'display'],
  // A Z committed and its files are being written (day-close.ts): how far, for the back office's progress bar.
  'shift:close-progress': ['backoffice'],
  // The catalog changed (an import, a product edited): the cashier's local index is reloaded when its version moved.
  'catalog:changed': ['cashier']
} as const satisfies Record<string, readonly WindowRole[]>

export type EventName = keyof typeof EVENTS

export function callsFor(role: WindowRole): CallName[] {
  return (Object.keys(CALLS) as CallName[]).filter((name) => (CALLS[name] as readonly WindowRole[]).includes(role))
}

export function eventsFor(role: WindowRole): EventName[] {
  return (Object.keys(EVENTS) as EventName[]).filter((name) => (EVENTS[name] as readonly WindowRole[]).includes(role))
}

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CALLS, name)
}

export function mayCall(role: WindowRole, name: CallName): boolean {
  return (CALLS[name] as readonly WindowRole[]).includes(role)
}

export function mayReceive(role: WindowRole, name: EventName): boolean {
  return (EVENTS[name] as readonly WindowRole[]).includes(role)
}
