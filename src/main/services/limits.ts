// Plausible bounds for every amount the counter takes ([E] point 5): cash received, quantities and line amounts.
// The api's schemas bound inputs to what the arithmetic can hold (safe integers); these bound them to what a shop
// can mean: 2^53 - 1 typed as cash received is a slip of the hand (or an attack on the change due), never money
// on the counter. A store setting (key 'limits', journaled like every setting), with defaults that fit a shop.
import { z } from 'zod'
import type { Db } from '../ledger/db'
import { readSetting, writeSetting } from '../ledger/settings'

const positiveMinor = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)

export const limitsSchema = z
  .object({
    /** Cash handed over for one sale, minor units (default 50,000.00 in a two-decimal currency). */
    maxCashReceivedMinor: positiveMinor.default(5_000_000),
    /** Units on one line (the api already caps a single entry at 9,999). */
    maxQuantity: z.number().int().min(1).max(9999).default(999),
    /** One line's amount before discount, minor units (default 10,000.00). */
    maxLineAmountMinor: positiveMinor.default(1_000_000)
  })
  .strict()
export type Limits = z.output<typeof limitsSchema>

export const defaultLimits: Limits = limitsSchema.parse({})

export function readLimits(db: Db): Limits {
  return readSetting(db, 'limits', limitsSchema) ?? defaultLimits
}

/** Saves the store's limits (the caller has the manager's approval); journaled as 'setting.changed'. */
export function saveLimits(db: Db, limits: z.input<typeof limitsSchema>, at: number): Limits {
  return writeSetting(db, 'limits', limitsSchema, limits, at)
}
