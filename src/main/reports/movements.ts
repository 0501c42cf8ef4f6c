// A closed day flattened into money movements: one per sale tender, refund tender, cash in/out and the drawer's
// over/short. CSV, OFX and camt.053 are all lists of these, derived once per entry for all three (day-exports.ts).
import { drawerDifferenceId, movementId, refundTenderId, saleTenderId } from './ids'
import { tokenKey, type DayEntry, type DaySettlement, type StablecoinRefundTender, type StablecoinTender, type ZTotals } from './settlement'

/** 'cash' or a token key ("USDC:8453"): the account (statement, clearing account) a movement belongs to. */
export type AccountKey = string

export const CASH_ACCOUNT: AccountKey = 'cash'

export interface Movement {
  readonly id: string
  readonly account: AccountKey
  readonly kind: 'sale' | 'refund' | 'cash-in' | 'cash-out' | 'difference'
  readonly at: number
  /** Into the account positive, out of it negative, in store currency minor units. */
  readonly amountMinor: number
  readonly entryId: string
  /** Sale or return number; movement number; 0 for the drawer difference. */
  readonly entryNumber: number
  readonly cashier: string
  /** For a refund: the original sale's number. */
  readonly originalSaleNumber: number | null
  /** A cash in/out's reason, the over/short's reason. */
  readonly reason: string | null
  readonly coin: (StablecoinTender | (StablecoinRefundTender & { readonly late?: undefined })) | null
}

/**
 * The day's movements, in the order of its entries, the drawer's over/short last. With `only`, just that account's.
 * The one-pass export (day-exports.ts) calls `entryMovements` and `differenceMovement` itself; this walk is for
 * callers that want the list (tests, the CSV's records).
 */
export function* movements(day: DaySettlement, totals: ZTotals, only: AccountKey | null = null): Generator<Movement> {
  for (const entry of day.entries) {
    for (const m of entryMovements(day, entry)) if (only === null || m.account === only) yield m
  }
  const difference = differenceMovement(day, totals)
  if (difference && (only === null || only === CASH_ACCOUNT)) yield difference
}

const NONE: readonly Movement[] = []

/** The money movements of one entry: one per tender of a sale or return, one for a cash in/out, none otherwise. */
export function entryMovements(day: DaySettlement, entry: DayEntry): readonly Movement[] {
  switch (entry.kind) {
    case 'sale': {
      const out: Movement[] = []
      for (let i = 0; i < entry.tenders.length; i++) {
        const tender = entry.tenders[i]!
        out.push({
          id: saleTenderId(day, entry.number, i),
          account: tender.kind === 'cash' ? CASH_ACCOUNT : tokenKey(tender),
          kind: 'sale',
          at: entry.at,
          amountMinor: tender.amountMinor,
          entryId: entry.id,
          entryNumber: entry.number,
          cashier: entry.cashier,
          originalSaleNumber: null,
          reason: null,
          coin: tender.kind === 'cash' ? null : tender
        })
      }
      return out
    }
    case 'return': {
      const out: Movement[] = []
      for (let i = 0; i < entry.tenders.length; i++) {
        const tender = entry.tenders[i]!
        out.push({
          id: refundTenderId(day, entry.number, i),
          account: tender.kind === 'cash' ? CASH_ACCOUNT : tokenKey(tender),
          kind: 'refund',
          at: entry.at,
          amountMinor: -tender.amountMinor,
          entryId: entry.id,
          entryNumber: entry.number,
          cashier: entry.cashier,
          originalSaleNumber: entry.originalSaleNumber,
          reason: null,
          coin: tender.kind === 'cash' ? null : tender
        })
      }
      return out
    }
    case 'cash-in':
    case 'cash-out':
      return [
        {
          id: movementId(day, entry.number),
          account: CASH_ACCOUNT,
          kind: entry.kind,
          at: entry.at,
          amountMinor: entry.kind === 'cash-in' ? entry.amountMinor : -entry.amountMinor,
          entryId: entry.id,
          entryNumber: entry.number,
          cashier: entry.cashier,
          originalSaleNumber: null,
          reason: entry.reason,
          coin: null
        }
      ]
    default:
      // Voids and no-sales move no money: they are on the Z, not in a statement.
      return NONE
  }
}

/** The drawer's over/short at closing (a cash movement), or null when the count matched. */
export function differenceMovement(day: DaySettlement, totals: ZTotals): Movement | null {
  if (totals.drawer.differenceMinor === 0) return null
  return {
    id: drawerDifferenceId(day),
    account: CASH_ACCOUNT,
    kind: 'difference',
    at: day.periodEndMs,
    amountMinor: totals.drawer.differenceMinor,
    entryId: drawerDifferenceId(day),
    entryNumber: 0,
    cashier: '',
    originalSaleNumber: null,
    reason: totals.drawer.differenceReason,
    coin: null
  }
}

export interface StatementAccount {
  readonly key: AccountKey
  /** e.g. "till-1-CASH", "till-1-USDC-8453": the OFX ACCTID and the camt account id. */
  readonly accountId: string
  /** "Cash", "USDC on Base (8453)". */
  readonly label: string
  /** Balance before the day's movements: the float for cash, 0 for a clearing account (cleared daily). */
  readonly openingMinor: number
  /** Opening + the day's movements: the counted cash for the drawer, the net takings for a token. */
  readonly closingMinor: number
}

/** The statements of a day: cash first, then each token on each chain, in the order of ZTotals. */
export function statementAccounts(day: DaySettlement, totals: ZTotals): StatementAccount[] {
  const till = day.store.tillId
  return [
    { key: CASH_ACCOUNT, accountId: `${till}-CASH`, label: 'Cash', openingMinor: totals.drawer.floatMinor, closingMinor: totals.drawer.countedMinor },
    ...totals.tenders.tokens.map((t) => ({
      key: t.key,
      accountId: `${till}-${t.tokenSymbol}-${t.chainId}`,
      label: `${t.tokenSymbol} on ${t.chainName} (${t.chainId})`,
      openingMinor: 0,
      closingMinor: t.netMinor
    }))
  ]
}
