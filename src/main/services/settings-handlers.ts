// The back office's payment-settings calls: check a receive address or xpub, test an RPC URL live, save the whole
// object with the owner's PIN (every URL tested again first; src/main/services/payment-settings.ts).
import { paymentSettingsSchema, type PaymentSettingsInput } from '../../shared/payment/settings'
import type { TokenInfo } from '../../shared/payment/tokens'
import { refuse } from '../../shared/result'
import type { Clock } from '../../shared/clock'
import type { Db } from '../ledger/db'
import { readSetting } from '../ledger/settings'
import type { StaffService } from './approvals'
import type { HandlerPart } from './handler-part'
import { checkReceiveAddress, firstXpubAddress, savePaymentSettings, testRpcConnection } from './payment-settings'

export interface SettingsHandlerDeps {
  readonly db: Db
  readonly clock: Clock
  readonly tillId: () => string
  readonly staff: StaffService
  readonly localTokens?: readonly TokenInfo[]
}

export function settingsHandlers({ db, clock, tillId, staff, localTokens }: SettingsHandlerDeps): HandlerPart<'settings:check-receive' | 'settings:test-rpc' | 'settings:payments' | 'settings:payments-current'> {
  return {
    'settings:check-receive': ({ address, xpub, tillNumber }) => {
      if (address) return { address: checkReceiveAddress(address) }
      if (xpub) return { address: firstXpubAddress(xpub, tillNumber) }
      throw refuse('invalid-input', 'payset.bad-address', { address: '' })
    },
    'settings:test-rpc': ({ chainId, url, tokens }) => testRpcConnection(chainId, url, { tokens, localTokens, now: clock.now() }),
    'settings:payments': async ({ pin, settings }) => {
      // The PIN is checked after the live RPC tests, in the transaction that saves (never granted for a refused save).
      const saved = await savePaymentSettings({ db, clock, tillId: tillId(), approve: () => staff.approve(pin, 'settings.payments', null).id, localTokens }, settings as PaymentSettingsInput)
      return { tested: saved.tested, restartNeeded: saved.restartNeeded }
    },
    // What the ledger holds (the form edits it); the demo's embedded defaults are not the shop's to edit.
    'settings:payments-current': () => readSetting(db, 'payments', paymentSettingsSchema)
  }
}
