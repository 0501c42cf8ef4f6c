// The returns' api calls (issue [D] point 2), beside their service: a partial handler map the composition root
// spreads into its own. A refund checks everything that could refuse it BEFORE the manager's PIN is asked for (a
// grant is journaled, and a grant for a refund then refused would be noise in the journal).
import type { Handlers } from '../api/registry'
import type { ReturnApprovalAction, ReturnsService } from './returns'

export type ReturnCallName = 'return:find' | 'return:quote' | 'return:cash' | 'return:stablecoin' | 'return:get' | 'return:list' | 'return:cancel' | 'return:check'

export interface ReturnHandlerDeps {
  readonly returns: ReturnsService
  /** ApprovalService.approve (throws 'forbidden' on a wrong PIN; journals either way). */
  approve(pin: string, action: ReturnApprovalAction, subject: string | null): { readonly id: string }
  /** The approval and its action in one transaction (ledger/unit-of-work.ts: approvedAtomically); default: as is. */
  readonly atomically?: <T>(fn: () => T) => T
}

export function returnHandlers({ returns, approve, atomically = (fn) => fn() }: ReturnHandlerDeps): Pick<Handlers, ReturnCallName> {
  return {
    // The contract's refine guarantees one of the two forms.
    'return:find': ({ code, number, date }) => returns.find(code !== undefined ? { code } : { number: number ?? 0, date: date ?? '' }),
    'return:quote': ({ saleId, lines }) => returns.quote({ saleId, lines }),
    'return:cash': ({ saleId, lines, pin }) => {
      const quote = returns.checkCash({ saleId, lines })
      return returns.cash({ saleId, lines }, approve(pin, 'return.cash', `${saleId}:${quote.amountMinor}`).id)
    },
    'return:stablecoin': async ({ pin, ...input }) => {
      // Address, chain, token and basis are checked (and the rate fetched) before the PIN is asked for.
      const prepared = await returns.prepareStablecoin(input)
      return atomically(() => returns.stablecoin(input, approve(pin, 'return.stablecoin', `${input.saleId}:${prepared.plan.amountMinor}`).id, prepared))
    },
    'return:get': ({ returnId }) => returns.get(returnId),
    'return:list': ({ limit, from, to }) => returns.list(limit, { from, to }),
    'return:cancel': ({ returnId, pin }) => {
      returns.checkCancel(returnId)
      return returns.cancel(returnId, approve(pin, 'return.cancel', returnId).id)
    },
    'return:check': () => returns.pollOnce()
  }
}
