// The cash session's api calls (issue [D] point 1), beside their service: a partial handler map the composition root
// spreads into its own (STYLE.md "each domain's handlers beside its service").
//
// Manager actions check everything that could refuse them BEFORE asking for the PIN (the check… twins in shift.ts):
// a grant is journaled, and a grant for a close that is then refused would be noise in the journal.
import { afterZClose, expectedDayEntries, type ZArtifactsDeps } from './day-close'
import type { CashCount } from './shift'
import { openSessionId, ShiftService, type ShiftApprovalAction } from './shift'
import type { Clock } from '../../shared/clock'
import type { Handlers } from '../api/registry'
import type { EventBus } from '../events'
import type { Db } from '../ledger/db'

export type ShiftCallName = 'shift:current' | 'shift:open' | 'shift:cash-move' | 'shift:x-report' | 'shift:close' | 'shift:z-reports' | 'shift:z-report'

export interface ShiftHandlerDeps {
  readonly db: Db
  readonly clock: Clock
  readonly store: { settings(): { readonly tillId: string; readonly currency: string } }
  readonly events: EventBus
  /**
   * A manager's approval: ApprovalService.approve (throws a TillError 'forbidden' on a wrong PIN; journals either way).
   * Its ApprovalAction union gains 'shift.open' | 'shift.cash-move' | 'shift.close' when the lead merges this.
   */
  approve(pin: string, action: ShiftApprovalAction, subject: string | null): { readonly id: string }
  /** The service, when the root also hands it to others (the sale service's guard, the exports); built if omitted. */
  readonly shift?: ShiftService
  /**
   * What follows a committed Z (day-close.ts: signed head, PDF and exports, backup, print). Default: afterZClose with
   * the ledger's folder, STABLETILL_KEY_DIR and no printer; `false` turns it off (the lead wires options here).
   */
  readonly afterClose?: Partial<Omit<ZArtifactsDeps, 'db' | 'clock' | 'store'>> | false
}

function count(total: number | undefined, denominations: readonly { readonly valueMinor: number; readonly count: number }[] | undefined): CashCount {
  // The contract's refine guarantees exactly one of the two.
  return denominations !== undefined ? { denominations } : { totalMinor: total ?? 0 }
}

export function shiftHandlers(deps: ShiftHandlerDeps): Pick<Handlers, ShiftCallName> {
  const shift = deps.shift ?? new ShiftService({ db: deps.db, clock: deps.clock, store: deps.store })
  const changed = () => deps.events.emit('shift:changed', shift.current())
  return {
    'shift:current': () => shift.current(),
    'shift:open': ({ floatMinor, denominations, pin }) => {
      const float = count(floatMinor, denominations)
      shift.checkOpen(float)
      const view = shift.open(float, deps.approve(pin, 'shift.open', null).id)
      changed()
      return view
    },
    'shift:cash-move': ({ direction, amountMinor, reason, pin }) => {
      shift.checkCashMove(direction, amountMinor)
      const view = shift.cashMove(direction, amountMinor, reason, deps.approve(pin, 'shift.cash-move', `${direction}:${amountMinor}`).id)
      changed()
      return view
    },
    'shift:x-report': () => shift.xReport(),
    // Not an async function: the approval and the Z run synchronously (one transaction with the PIN, api/registry.ts);
    // only the files that follow the committed Z are awaited.
    'shift:close': ({ countedMinor, denominations, differenceReason, pin }) => {
      const input = { counted: count(countedMinor, denominations), differenceReason: differenceReason ?? null }
      shift.checkClose(input)
      const z = shift.close(input, deps.approve(pin, 'shift.close', openSessionId(deps.db, deps.store.settings().tillId)).id)
      changed()
      // The Z has committed: what follows cannot undo it, and reports its own failures in the result.
      if (deps.afterClose === false) return z
      const afterClose = deps.afterClose
      // The back office shows how far the files are: a big day's take seconds ('shift:close-progress').
      const expectedEntries = expectedDayEntries(deps.db, deps.store.settings().tillId, z.zNumber)
      const progress = (entries: number, step?: 'backup') => {
        try {
          deps.events.emit('shift:close-progress', { zNumber: z.zNumber, entries, expectedEntries, ...(step ? { step } : {}) })
        } catch {
          // no window listening
        }
      }
      return Promise.resolve().then(async () => {
        progress(0)
        const artifacts = await afterZClose(
          {
            db: deps.db,
            clock: deps.clock,
            store: deps.store,
            ...afterClose,
            onFilesProgress: (p) => {
              afterClose?.onFilesProgress?.(p)
              progress(Math.min(p.entries, expectedEntries))
            },
            onBackupStarted: () => {
              afterClose?.onBackupStarted?.()
              progress(expectedEntries, 'backup')
            }
          },
          z.zNumber
        )
        progress(expectedEntries)
        return { ...z, artifacts }
      })
    },
    'shift:z-reports': ({ limit }) => shift.zReports(limit),
    'shift:z-report': ({ zNumber }) => shift.zReport(zNumber)
  }
}
