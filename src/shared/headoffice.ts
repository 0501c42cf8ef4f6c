// The wire format between a till's shipper (src/main/services/shipper.ts) and head office (src/headoffice): one
// schema for both sides, parsed with zod on arrival at either end. An entry travels exactly as the till stored it:
// the payload as its stored canonical text (not re-serialized), so head office hashes the very bytes the till hashed.
import { z } from 'zod'

const hash64 = z.string().regex(/^[0-9a-f]{64}$/)

/** The largest payload text one entry may carry (a Z's closing entry is a few KB; 256 KiB leaves room). */
export const MAX_PAYLOAD_CHARS = 256 * 1024
/** The most entries one batch may carry. */
export const MAX_BATCH_ENTRIES = 1000

export const shippedEntrySchema = z.object({
  seq: z.number().int().positive(),
  at: z.number().int().nonnegative(),
  tillId: z.string().min(1).max(64),
  kind: z.string().min(1).max(100),
  saleId: z.string().min(1).max(200).nullable(),
  payload: z.string().min(1).max(MAX_PAYLOAD_CHARS),
  prevHash: hash64,
  hash: hash64
})
export type ShippedEntry = z.infer<typeof shippedEntrySchema>

/** A journal head the till signed with its key (ledger/anchor.ts SignedHead), as kept in anchors.jsonl. */
export const shippedSignedHeadSchema = z.object({
  storeId: z.string().min(1).max(100),
  tillId: z.string().min(1).max(64),
  seq: z.number().int().positive(),
  hash: hash64,
  reason: z.string().min(1).max(100),
  at: z.number().int().nonnegative(),
  signature: z.string().min(1).max(200)
})
export type ShippedSignedHead = z.infer<typeof shippedSignedHeadSchema>

/**
 * A batch of consecutive entries (the first is the one after what head office acknowledged, or earlier ones again:
 * those must match what is stored). No entries: a heartbeat that asks where head office stands.
 */
export const ingestRequestSchema = z.object({
  /** The till's own journal head when it sent the batch: head office shows how far behind it is. */
  tillHead: z.number().int().nonnegative(),
  entries: z.array(shippedEntrySchema).max(MAX_BATCH_ENTRIES),
  /** Signed heads up to the batch's last entry that head office has not had yet; checked with the till's public key. */
  signedHeads: z.array(shippedSignedHeadSchema).max(100).default([])
})
export type IngestRequest = z.output<typeof ingestRequestSchema>

export const ingestRefusalCodes = ['fork', 'hash-mismatch', 'broken-link', 'wrong-till', 'gap', 'not-consecutive', 'invalid', 'unauthorized', 'too-large'] as const
export type IngestRefusalCode = (typeof ingestRefusalCodes)[number]

export const ingestResponseSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    /** The highest contiguous seq head office holds for this till (0: none), and its hash. */
    ackedSeq: z.number().int().nonnegative(),
    ackedHash: hash64.nullable(),
    /** Entries this batch added (0 for a re-sent batch or a heartbeat). */
    stored: z.number().int().nonnegative(),
    /** Signed heads of this request head office checked and kept (a bad one is an alert, not a refusal). */
    signedHeads: z.number().int().nonnegative().default(0)
  }),
  z.object({
    ok: z.literal(false),
    ackedSeq: z.number().int().nonnegative().nullable(),
    ackedHash: hash64.nullable(),
    error: z.object({ code: z.enum(ingestRefusalCodes), seq: z.number().int().nullable(), message: z.string() })
  })
])
export type IngestResponse = z.infer<typeof ingestResponseSchema>
