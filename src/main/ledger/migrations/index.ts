import type { Migration } from '../db'
import { m0001Init } from './0001-init'
import { m0002Chain } from './0002-chain'
import { m0003Printing } from './0003-printing'
import { m0004OpenSaleIndex } from './0004-open-sale-index'
import { m0005LineDiscounts } from './0005-line-discounts'
import { m0006PaymentTruth } from './0006-payment-truth'
import { m0007CashSessions } from './0007-cash-sessions'
import { m0008RoundingReturnsSearch } from './0008-rounding-returns-search'
import { m0009ReversedTenders } from './0009-reversed-tenders'
import { m0010Returns } from './0010-returns'
import { m0011Staff } from './0011-staff'
import { m0012MoneyStateBaseline } from './0012-money-state-baseline'
import { m0013PinTags } from './0013-pin-tags'
import { m0014DayReadIndex } from './0014-day-read-index'
import { m0015SessionTotals } from './0015-session-totals'
import { m0016StablecoinTenders } from './0016-stablecoin-tenders'
import { m0017LivePaymentRequests } from './0017-live-payment-requests'

// Applied in this order; a shipped migration is never edited (STYLE.md §7). Add new ones at the end.
export const migrations: readonly Migration[] = [
  m0001Init, m0002Chain, m0003Printing, m0004OpenSaleIndex, m0005LineDiscounts, m0006PaymentTruth, m0007CashSessions, m0008RoundingReturnsSearch,
  m0009ReversedTenders, m0010Returns, m0011Staff, m0012MoneyStateBaseline, m0013PinTags,
  m0014DayReadIndex, m0015SessionTotals, m0016StablecoinTenders, m0017LivePaymentRequests
]
