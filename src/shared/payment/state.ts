// Payment state: a status plus an exception flag, after BTCPay Server's invoice states
// (docs.btcpayserver.org/Invoices: New, Processing, Settled, Expired, Invalid; PaidPartial, PaidOver, PaidLate, Marked).
// Ours: New | Seen (BTCPay "Processing": the money is on chain, not yet confirmed) | Paid | Expired | Invalid.
//
// State is never stored as the only truth: nextPaymentState recomputes it from the surviving facts (the request,
// the credited Transfer logs with their confirmations, manager marks) and the clock. So a credit removed by a reorg
// simply disappears from the facts and the payment goes back to where it was before (STYLE.md §8).

export const PAYMENT_STATUSES = ['New', 'Seen', 'Paid', 'Expired', 'Invalid'] as const
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number]

// Reversed (ours, issue [F]): the request was Paid once and the chain no longer carries enough confirmed money for it
// (a reorg removed its transfer). The status says where the facts stand now (New, Seen, Expired); the exception says
// goods may already have left against money that is gone.
export const PAYMENT_EXCEPTIONS = ['PaidPartial', 'PaidOver', 'PaidLate', 'Marked', 'Reversed'] as const
export type PaymentException = (typeof PAYMENT_EXCEPTIONS)[number]

export interface PaymentState {
  readonly status: PaymentStatus
  readonly exception: PaymentException | null
}

export interface CreditFact {
  /** Base units moved by one ERC-20 Transfer log. */
  readonly value: bigint
  readonly confirmations: number
  /** True when the log has the confirmations the chain's policy requires (or is at or below `finalized`). */
  readonly confirmed: boolean
  /** Block timestamp (ms) of the log's block. */
  readonly blockTimeMs: number
  /** When this till first saw the log (ms, till clock). */
  readonly seenAtMs: number
}

export interface PaymentFacts {
  /** What the request asked for: price in base units (rounded down) + the sub-cent tag. */
  readonly amountDue: bigint
  /**
   * The least that counts as paid in full: the price without the tag (the tag exists only to tell requests apart;
   * a customer who pays the price but drops the sub-cent tag has paid the price).
   */
  readonly amountMinimum: bigint
  /**
   * Totals ABOVE this are PaidOver. With sub-cent tags it is price + one cent - 1 unit: paying the tag twice (a top-up
   * that carried the tag) is sub-cent noise nobody can refund in cash; one cent or more is a real overpayment.
   * With per-request addresses (no tag) it is amountDue.
   */
  readonly overpaidAbove: bigint
  readonly expiresAtMs: number
  readonly credits: readonly CreditFact[]
  /** A manager accepted the payment as it stands (partial or late). */
  readonly markedAtMs: number | null
  readonly cancelledAtMs: number | null
  /** When the request first reached Paid; null if it never did. A later drop below Paid is a reversal. */
  readonly settledAtMs?: number | null
}

export function sumCredits(credits: readonly CreditFact[], onlyConfirmed = false): bigint {
  let total = 0n
  for (const c of credits) if (!onlyConfirmed || c.confirmed) total += c.value
  return total
}

/**
 * A credit is late when it arrived after expiry by BOTH clocks: the block's timestamp and the till's first sight.
 * Either one on time is enough, so an RPC outage that delays our sight of a timely payment does not make it late,
 * and a chain whose timestamps run slightly ahead does not either.
 */
export function isLateCredit(credit: CreditFact, expiresAtMs: number): boolean {
  return credit.blockTimeMs > expiresAtMs && credit.seenAtMs > expiresAtMs
}

/** Index of the credit that brought the total to `threshold` (in arrival order), or -1. */
function completingCredit(credits: readonly CreditFact[], threshold: bigint): number {
  let total = 0n
  for (let i = 0; i < credits.length; i++) {
    total += credits[i]!.value
    if (total >= threshold) return i
  }
  return -1
}

/**
 * Pure: the state the facts imply at `nowMs`. Credits are in chain order (block, log index).
 * Once a request has been Paid (settledAtMs set), any state below Paid is reported with the exception Reversed, never
 * as a plain New or Seen: the cashier and the manager must see that money they counted on is gone (it may come back
 * when the transaction is mined again, and then the request is Paid once more).
 */
export function nextPaymentState(facts: PaymentFacts, nowMs: number): PaymentState {
  const state = baseState(facts, nowMs)
  if (facts.settledAtMs !== null && facts.settledAtMs !== undefined && state.status !== 'Paid') return { status: state.status, exception: 'Reversed' }
  return state
}

function baseState(facts: PaymentFacts, nowMs: number): PaymentState {
  const total = sumCredits(facts.credits)
  const confirmedTotal = sumCredits(facts.credits, true)
  const expired = nowMs > facts.expiresAtMs

  if (facts.markedAtMs !== null) return { status: 'Paid', exception: 'Marked' }

  if (facts.cancelledAtMs !== null) {
    // Money that arrives for a cancelled request has to be refunded or accepted by a manager.
    if (total === 0n) return { status: 'Invalid', exception: null }
    return { status: 'Invalid', exception: total >= facts.amountMinimum ? 'PaidLate' : 'PaidPartial' }
  }

  if (total === 0n) return { status: expired ? 'Expired' : 'New', exception: null }

  if (total < facts.amountMinimum) {
    return { status: expired ? 'Expired' : 'New', exception: 'PaidPartial' }
  }

  const completing = completingCredit(facts.credits, facts.amountMinimum)
  if (completing >= 0 && isLateCredit(facts.credits[completing]!, facts.expiresAtMs)) {
    // BTCPay keeps a late-paid invoice Expired with PaidLate until someone marks it.
    return { status: 'Expired', exception: 'PaidLate' }
  }

  const exception: PaymentException | null = total > facts.overpaidAbove ? 'PaidOver' : null
  return { status: confirmedTotal >= facts.amountMinimum ? 'Paid' : 'Seen', exception }
}

// ---- Guards: the same functions serve the UI, the api layer and the service (STYLE.md §8).

export interface GuardInput {
  readonly state: PaymentState
  readonly facts: PaymentFacts
}

/** Is the sale settled by this payment (goods may leave)? */
export function isSettled(state: PaymentState): boolean {
  return state.status === 'Paid'
}

/** Does the request still want money (a wallet may still pay it)? */
export function isOpen(state: PaymentState): boolean {
  return state.status === 'New' || state.status === 'Seen'
}

/** A manager may accept a partial payment, with every credit confirmed (never accept money that may vanish). */
export function canAcceptPartial({ state, facts }: GuardInput): boolean {
  const total = sumCredits(facts.credits)
  return state.exception === 'PaidPartial' && total > 0n && sumCredits(facts.credits, true) === total
}

/** A manager may mark a late or partial payment as paid (-> Paid/Marked) once all its credits are confirmed. */
export function canMarkPaid(input: GuardInput): boolean {
  const { state, facts } = input
  if (state.exception === 'Marked') return false
  const total = sumCredits(facts.credits)
  const allConfirmed = total > 0n && sumCredits(facts.credits, true) === total
  return allConfirmed && (state.exception === 'PaidLate' || state.exception === 'PaidPartial')
}

/** Overpayment can be recorded as owed back to the customer once the payment is Paid with PaidOver. */
export function canRecordOverpayment({ state }: GuardInput): boolean {
  return state.status === 'Paid' && state.exception === 'PaidOver'
}

/** What the customer sent beyond what was asked (amountDue), owed back when the payment is PaidOver. */
export function overpaidAmount(facts: PaymentFacts): bigint {
  const total = sumCredits(facts.credits)
  return total > facts.amountDue ? total - facts.amountDue : 0n
}

/** What is still missing for the payment to count as paid in full (0 when it does). */
export function remainingAmount(facts: PaymentFacts): bigint {
  const total = sumCredits(facts.credits)
  return total >= facts.amountMinimum ? 0n : facts.amountMinimum - total
}

/** Is this payment reversed after it was Paid (money the sale counted on is gone from the chain)? */
export function isReversed(state: PaymentState): boolean {
  return state.exception === 'Reversed'
}

/**
 * Only a request nobody has paid into can be cancelled; money already seen needs a manager decision instead. A
 * reversed request whose money is gone may be cancelled too (the sale must not be stuck): its reversal stays listed
 * for the manager, and money that comes back later makes it Invalid/PaidLate, never lost.
 */
export function canCancel({ state, facts }: GuardInput): boolean {
  return (state.status === 'New' || state.status === 'Expired') && (state.exception === null || state.exception === 'Reversed') && facts.credits.length === 0
}

/** Releasing goods without on-chain proof is only for a request still waiting and not yet released. */
export function canReleaseUnverified({ state }: GuardInput): boolean {
  return state.status === 'New' || state.status === 'Seen'
}
