import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  canCancel,
  canMarkPaid,
  canRecordOverpayment,
  nextPaymentState,
  type CreditFact,
  type PaymentFacts
} from '../../../src/shared/payment/state'

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0)
const EXPIRES = T0 + 15 * 60_000
const base: PaymentFacts = {
  amountDue: 12_340_001n,
  amountMinimum: 12_340_000n,
  overpaidAbove: 12_349_999n,
  expiresAtMs: EXPIRES,
  credits: [],
  markedAtMs: null,
  cancelledAtMs: null
}
const credit = (value: bigint, confirmed: boolean, at = T0 + 60_000): CreditFact => ({ value, confirmations: confirmed ? 5 : 1, confirmed, blockTimeMs: at, seenAtMs: at })
const with_ = (credits: CreditFact[], over: Partial<PaymentFacts> = {}): PaymentFacts => ({ ...base, credits, ...over })

describe('nextPaymentState', () => {
  it('New, then Expired when nothing arrives', () => {
    expect(nextPaymentState(base, T0)).toEqual({ status: 'New', exception: null })
    expect(nextPaymentState(base, EXPIRES + 1)).toEqual({ status: 'Expired', exception: null })
  })

  it('exact payment: Seen unconfirmed, Paid confirmed', () => {
    expect(nextPaymentState(with_([credit(12_340_001n, false)]), T0 + 61_000)).toEqual({ status: 'Seen', exception: null })
    expect(nextPaymentState(with_([credit(12_340_001n, true)]), T0 + 61_000)).toEqual({ status: 'Paid', exception: null })
  })

  it('paying the price without the sub-cent tag is paid in full', () => {
    expect(nextPaymentState(with_([credit(12_340_000n, true)]), T0)).toEqual({ status: 'Paid', exception: null })
  })

  it('partial: New/PaidPartial while open, Expired/PaidPartial after', () => {
    expect(nextPaymentState(with_([credit(10_000_000n, true)]), T0)).toEqual({ status: 'New', exception: 'PaidPartial' })
    expect(nextPaymentState(with_([credit(10_000_000n, true)]), EXPIRES + 1)).toEqual({ status: 'Expired', exception: 'PaidPartial' })
    expect(nextPaymentState(with_([credit(10_000_000n, true), credit(2_340_001n, false)]), T0)).toEqual({ status: 'Seen', exception: null })
  })

  it('over by a cent or more is PaidOver; sub-cent excess (a tag paid twice) is not', () => {
    expect(nextPaymentState(with_([credit(12_340_002n, true)]), T0)).toEqual({ status: 'Paid', exception: null })
    expect(nextPaymentState(with_([credit(12_350_000n, true)]), T0)).toEqual({ status: 'Paid', exception: 'PaidOver' })
  })

  it('late: the completing credit arrived after expiry by both clocks', () => {
    const late = credit(12_340_001n, true, EXPIRES + 1000)
    expect(nextPaymentState(with_([late]), EXPIRES + 2000)).toEqual({ status: 'Expired', exception: 'PaidLate' })
    // Mined in time, seen late (an RPC outage): not late.
    const minedInTime = { ...late, blockTimeMs: EXPIRES - 1000 }
    expect(nextPaymentState(with_([minedInTime]), EXPIRES + 2000)).toEqual({ status: 'Paid', exception: null })
  })

  it('marked wins; cancelled is Invalid, flagged if money still came', () => {
    expect(nextPaymentState(with_([credit(1n, true)], { markedAtMs: T0 }), T0)).toEqual({ status: 'Paid', exception: 'Marked' })
    expect(nextPaymentState(with_([], { cancelledAtMs: T0 }), T0)).toEqual({ status: 'Invalid', exception: null })
    expect(nextPaymentState(with_([credit(12_340_001n, true)], { cancelledAtMs: T0 }), T0)).toEqual({ status: 'Invalid', exception: 'PaidLate' })
  })

  it('a credit removed (reorg) returns the payment to the state of the surviving facts', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ value: fc.bigInt({ min: 1n, max: 20_000_000n }), confirmed: fc.boolean() }), { maxLength: 5 }), fc.nat(10), (raw, drop) => {
        const credits = raw.map((r) => credit(r.value, r.confirmed))
        const survivors = credits.filter((_, i) => i !== drop)
        // Recomputation depends only on the facts: the same survivors always give the same state.
        expect(nextPaymentState(with_(survivors), T0)).toEqual(nextPaymentState(with_([...survivors]), T0))
        if (survivors.length === 0) expect(nextPaymentState(with_(survivors), T0)).toEqual({ status: 'New', exception: null })
      })
    )
  })
})

describe('guards', () => {
  it('canMarkPaid needs a late or partial payment whose credits are all confirmed', () => {
    const late = with_([credit(12_340_001n, true, EXPIRES + 1000)])
    expect(canMarkPaid({ facts: late, state: nextPaymentState(late, EXPIRES + 2000) })).toBe(true)
    const lateUnconfirmed = with_([credit(12_340_001n, false, EXPIRES + 1000)])
    expect(canMarkPaid({ facts: lateUnconfirmed, state: nextPaymentState(lateUnconfirmed, EXPIRES + 2000) })).toBe(false)
    const paid = with_([credit(12_340_001n, true)])
    expect(canMarkPaid({ facts: paid, state: nextPaymentState(paid, T0) })).toBe(false)
  })

  it('canCancel only with no money; canRecordOverpayment only when Paid/PaidOver', () => {
    expect(canCancel({ facts: base, state: nextPaymentState(base, T0) })).toBe(true)
    const partial = with_([credit(1n, false)])
    expect(canCancel({ facts: partial, state: nextPaymentState(partial, T0) })).toBe(false)
    const over = with_([credit(20_000_000n, true)])
    expect(canRecordOverpayment({ facts: over, state: nextPaymentState(over, T0) })).toBe(true)
  })
})
