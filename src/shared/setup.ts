// The first-run set-up's steps as the set-up page sends them (issue [S] point 1). The schemas only bound sizes and
// shapes: each rule a person can break (a rate of "8,,5", a manager PIN of four digits, a peg in a euro store) is
// checked by the set-up service with its own message (src/main/services/setup.ts), so the page can say which field
// is wrong and why, in the UI language. Amounts and rates cross as the decimal text typed, never as floats.
import { z } from 'zod'
import { parseDecimalUnits } from './money'

const line = z.string().max(64)
const short = (max: number) => z.string().trim().max(max)

export const setupTaxRateSchema = z.object({ name: short(40), percent: short(12) }).strict()

export const setupStoreStepSchema = z
  .object({
    storeName: short(80),
    addressLines: z.array(line).max(4).default([]),
    taxId: short(40).default(''),
    currency: short(3),
    taxRates: z.array(setupTaxRateSchema).max(8),
    taxMode: z.enum(['inclusive', 'exclusive']),
    taxRounding: z.enum(['per-line', 'per-rate-total']),
    headerLines: z.array(line).max(6).default([]),
    footerLines: z.array(line).max(6).default([]),
    tillId: short(12),
    tillName: short(40).default(''),
    locale: z.enum(['en', 'zh-CN']).default('en')
  })
  .strict()
export type SetupStoreStep = z.infer<typeof setupStoreStepSchema>

export const setupRateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('peg') }).strict(),
  z.object({ kind: z.literal('manual') }).strict(),
  z.object({ kind: z.literal('http'), url: short(300), jsonPath: short(80), maxAgeSec: short(6) }).strict()
])

/** One chain as the payments step shows it: its RPC URLs in order (the first is the primary), tokens, depth. */
export const setupChainSchema = z
  .object({
    chainId: z.number().int().positive(),
    rpcUrls: z.array(short(300)).max(8),
    tokens: z.array(z.enum(['USDC', 'USDT'])).max(2),
    /** Blocks as typed; empty: the chain's documented default (src/shared/payment/settings.ts). */
    confirmations: short(6).default('')
  })
  .strict()
export type SetupChain = z.infer<typeof setupChainSchema>

export const setupPaymentsStepSchema = z
  .object({
    /** A cash-only shop says so: no chain, no address. */
    enabled: z.boolean(),
    receiveKind: z.enum(['address', 'xpub']).default('address'),
    receive: short(120).default(''),
    tillNumber: z.number().int().min(1).max(64).default(1),
    /**
     * One row per chain of the pinned registry, each once (the service says which chain is given twice). Tokens may
     * be empty here so that "no token ticked" gets its own message rather than zod's.
     */
    chains: z.array(setupChainSchema).max(16).default([]),
    rate: setupRateSchema.default({ kind: 'peg' }),
    /** Percent as typed ("2.9"): the card fee the Z report compares stablecoin takings with. */
    cardFeePercent: short(12).default('2.9')
  })
  .strict()
export type SetupPaymentsStep = z.infer<typeof setupPaymentsStepSchema>

export const setupPrinterSchema = z
  .object({
    profile: z.enum(['epson-tm-80', 'generic-58', 'star-escpos-80']),
    transport: z.enum(['tcp', 'usb', 'device-file', 'virtual']),
    host: short(253).default(''),
    port: short(5).default('9100'),
    path: short(200).default(''),
    drawerOnCash: z.boolean().default(true)
  })
  .strict()
export type SetupPrinter = z.infer<typeof setupPrinterSchema>

export const CUSTOMER_DISPLAYS = ['second-screen', 'same-screen', 'none'] as const
export type CustomerDisplay = (typeof CUSTOMER_DISPLAYS)[number]

export const setupDevicesStepSchema = z.object({ printer: setupPrinterSchema, customerDisplay: z.enum(CUSTOMER_DISPLAYS).default('second-screen') }).strict()
export type SetupDevicesStep = z.infer<typeof setupDevicesStepSchema>

export const setupPersonSchema = z.object({ name: short(40), role: z.enum(['owner', 'manager', 'cashier']), pin: short(8) }).strict()
export const setupStaffStepSchema = z.object({ people: z.array(setupPersonSchema).max(40) }).strict()
export type SetupStaffStep = z.infer<typeof setupStaffStepSchema>

export const SETUP_STEPS = ['store', 'payments', 'devices', 'staff'] as const
export type SetupStep = (typeof SETUP_STEPS)[number]

/** One step to check: exactly one of the four (a strict object, as every call's input is). */
export const setupCheckSchema = z
  .object({
    store: setupStoreStepSchema.optional(),
    payments: setupPaymentsStepSchema.optional(),
    /** The store step's currency, for the payments step's rules (a peg needs USD). */
    currency: short(3).default('USD'),
    devices: setupDevicesStepSchema.optional(),
    staff: setupStaffStepSchema.optional()
  })
  .strict()
  .refine((c) => [c.store, c.payments, c.devices, c.staff].filter((x) => x !== undefined).length === 1, 'give exactly one step to check')
export type SetupCheck = z.infer<typeof setupCheckSchema>

export const setupFinishSchema = z
  .object({ store: setupStoreStepSchema, payments: setupPaymentsStepSchema, devices: setupDevicesStepSchema, staff: setupStaffStepSchema })
  .strict()
export type SetupFinish = z.infer<typeof setupFinishSchema>

/** A percentage as typed ("8.875", "7,5") in parts per million, exactly; null when it is not one of 0..100 %. */
export function percentToPpm(text: string): number | null {
  const units = parseDecimalUnits(text, 4)
  if (units === null || units > 1_000_000n) return null
  return Number(units)
}

/** Parts per million as the percentage a person types back ("8.875"). */
export function ppmToPercent(ppm: number): string {
  const whole = Math.floor(ppm / 10_000)
  const fraction = String(ppm % 10_000).padStart(4, '0').replace(/0+$/, '')
  return fraction ? `${whole}.${fraction}` : String(whole)
}
