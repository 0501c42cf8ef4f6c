// What a window sees of a stablecoin payment request (bigints as decimal strings, STYLE.md §2).
import type { PaymentException, PaymentStatus } from './state'
import type { TokenSymbol } from './tokens'

export interface PaymentView {
  readonly id: string
  readonly saleId: string
  readonly chainId: number
  readonly chainName: string
  readonly token: { readonly symbol: TokenSymbol; readonly address: string; readonly decimals: number }
  readonly receiveAddress: string
  readonly scheme: 'tag' | 'xpub'
  /** Base units, decimal strings (bigints cross the bridge as strings, STYLE.md §2). */
  readonly amountDue: string
  /** The least that settles the request (amountDue without the sub-cent tag). */
  readonly amountMinimum: string
  readonly amountPaid: string
  /** What is still missing to settle (0 when paid in full). */
  readonly amountRemaining: string
  readonly status: PaymentStatus
  readonly exception: PaymentException | null
  /** EIP-681 request for the QR code. */
  readonly uri: string
  /** EIP-681 request for the rest after an underpayment (carries the request's tag), or null. */
  readonly topUpUri: string | null
  /** Base units the top-up QR asks for (exactly the amount in topUpUri: show this one, not amountRemaining). */
  readonly topUpAmount: string | null
  readonly createdAt: number
  readonly expiresAt: number
  /** Fewest confirmations among the credited transfers (0 when none). */
  readonly confirmations: number
  readonly confirmationsRequired: number
  readonly confirmationKind: 'blocks' | 'finalized'
  readonly txHashes: readonly string[]
  readonly explorerUrls: readonly string[]
  readonly fiat: { readonly amountMinor: number; readonly currency: string; readonly rate: string; readonly rateSource: 'peg' | 'manual' | 'http'; readonly rateAt: number }
  readonly refundDue: string | null
  readonly markedBy: string | null
  readonly releasedUnverified: { readonly by: string; readonly at: number } | null
  /** When the request first reached Paid, or null. */
  readonly settledAt: number | null
  /** A reversal after Paid (a reorg took its money): when, and how it was dealt with (resolvedBy 'chain': reinstated). */
  readonly reversal: { readonly at: number; readonly resolvedBy: string | null; readonly resolvedAt: number | null; readonly note: string | null } | null
}
