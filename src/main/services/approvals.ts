// Manager approval: a PIN typed in the "Manager approval" dialog authorises one named action (a no-sale drawer
// opening, accepting a partial or late stablecoin payment, releasing goods unverified). Every grant and refusal is
// journaled; after five wrong PINs in a row approvals lock for a minute (a till is in a public place).
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import type { Clock } from '../../shared/clock'
import { refuse } from '../../shared/result'
import type { Db } from '../ledger/db'
import { readSetting, writeSetting } from '../ledger/settings'
import { appendJournal } from '../ledger/journal'

export const managerSchema = z.object({ id: z.string().min(1), name: z.string().min(1), salt: z.string().min(16), pinHash: z.string().length(64) })
export type Manager = z.infer<typeof managerSchema>

const KEY = 'managers' as const
const MAX_FAILURES = 5
const LOCK_MS = 60_000

function hashPin(pin: string, salt: string): string {
  return scryptSync(pin, salt, 32, { N: 1 << 14, r: 8, p: 1 }).toString('hex')
}

export function makeManager(id: string, name: string, pin: string): Manager {
  if (!/^\d{4,8}$/.test(pin)) throw new Error('a manager PIN is 4 to 8 digits')
  const salt = randomBytes(16).toString('hex')
  return { id, name, salt, pinHash: hashPin(pin, salt) }
}

export type ApprovalAction =
  | 'drawer.no-sale' | 'payment.accept' | 'payment.release-unverified' | 'sale.void' | 'sale.discount' | 'sale.return-tender'
  | 'settings.store' | 'rate.manual' | 'payment.resolve-transfer' | 'payment.resolve-reversal' | 'shift.open' | 'shift.cash-move' | 'shift.close'
  | 'return.cash' | 'return.stablecoin' | 'return.cancel'

export class ApprovalService {
  private failures = 0
  private lockedUntil = 0

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly tillId: () => string
  ) {}

  managers(): Manager[] {
    return readSetting(this.db, KEY, z.array(managerSchema)) ?? []
  }

  /** Saves the manager list; call inside the caller's transaction. */
  saveManagers(managers: readonly Manager[]): void {
    writeSetting(this.db, KEY, z.array(managerSchema), [...managers])
  }

  /** Checks the PIN and returns the approving manager, or throws a clear refusal. Journaled either way. */
  approve(pin: string, action: ApprovalAction, subject: string | null): Manager {
    const now = this.clock.now()
    if (now < this.lockedUntil) {
      throw refuse('forbidden', 'approval.locked', { seconds: Math.ceil((this.lockedUntil - now) / 1000) })
    }
    const match = this.managers().find((m) => {
      const given = Buffer.from(hashPin(pin, m.salt), 'hex')
      return timingSafeEqual(given, Buffer.from(m.pinHash, 'hex'))
    })
    this.db.transaction(() => {
      appendJournal(this.db, {
        at: now,
        tillId: this.tillId(),
        kind: match ? 'approval.granted' : 'approval.refused',
        saleId: null,
        payload: { action, subject, managerId: match?.id ?? null }
      })
    })()
    if (!match) {
      this.failures++
      if (this.failures >= MAX_FAILURES) {
        this.failures = 0
        this.lockedUntil = now + LOCK_MS
      }
      throw refuse('forbidden', 'approval.wrong-pin')
    }
    this.failures = 0
    return match
  }
}
