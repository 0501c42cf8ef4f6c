// The ledger integrity calls ([E] point 4), beside their service: the start-up check for the manager, the
// manager's acknowledgement (PIN) that lets the day close again, and the full verification on demand.
import type { Handlers } from '../api/registry'
import type { IntegrityService } from './integrity'

export interface IntegrityHandlerDeps {
  readonly integrity: IntegrityService
  /** ApprovalService.approve: throws on a wrong PIN. */
  approve(pin: string, action: 'ledger.integrity-acknowledge', subject: string | null): { readonly id: string }
}

export function integrityHandlers(deps: IntegrityHandlerDeps): Pick<Handlers, 'ledger:integrity' | 'ledger:acknowledge-integrity' | 'ledger:verify'> {
  return {
    'ledger:integrity': () => deps.integrity.current(),
    'ledger:acknowledge-integrity': ({ pin }) => {
      // Refused before the PIN is asked for when there is nothing to acknowledge (a grant is journaled).
      if (deps.integrity.current().problems.length === 0) return deps.integrity.acknowledge('none')
      return deps.integrity.acknowledge(deps.approve(pin, 'ledger.integrity-acknowledge', null).id)
    },
    // On every core, as of one moment while the till sells on; progress as 'ledger:verify-progress'.
    'ledger:verify': () => deps.integrity.verifyFull()
  }
}
