// The harness keeps one address per data folder across restarts ([R] point 4): the port and the three window
// tokens are saved in <data folder>/harness.json (mode 0600: the tokens are the api's keys) and reused on the next
// start, so a page left open re-attaches by itself (its bridge reconnects to the same host with the same token).
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import type { HarnessTokens } from './server'

export const HARNESS_FILE = 'harness.json'

const token = z.string().regex(/^[A-Za-z0-9_-]{24,128}$/)
const savedAddressSchema = z
  .object({
    port: z.number().int().min(1).max(65535),
    tokens: z.object({ cashier: token, display: token, backoffice: token }).strict()
  })
  .strict()

export type SavedAddress = z.infer<typeof savedAddressSchema>

export interface ReadAddress {
  readonly address: SavedAddress | null
  /** Why a saved file was not reused (for the banner); null when it was, or when there was none. */
  readonly discarded: string | null
}

/**
 * The address saved by the last run, or null. A file others can read is not reused: its tokens may have been
 * seen, so the harness makes new ones (and rewrites the file 0600).
 */
export function readSavedAddress(dataDir: string): ReadAddress {
  const file = join(dataDir, HARNESS_FILE)
  if (!existsSync(file)) return { address: null, discarded: null }
  try {
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      return { address: null, discarded: `${HARNESS_FILE} was readable by other users; new tokens were made` }
    }
    const parsed = savedAddressSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    if (!parsed.success) return { address: null, discarded: `${HARNESS_FILE} was not valid; a new address was made` }
    const { cashier, display, backoffice } = parsed.data.tokens
    if (new Set([cashier, display, backoffice]).size !== 3) return { address: null, discarded: `${HARNESS_FILE} reused one token for two windows; new tokens were made` }
    return { address: parsed.data, discarded: null }
  } catch {
    return { address: null, discarded: `${HARNESS_FILE} could not be read; a new address was made` }
  }
}

/** Saves the address atomically (write a 0600 temp file, then rename over the old one). */
export function saveAddress(dataDir: string, address: { readonly port: number; readonly tokens: HarnessTokens }): void {
  const file = join(dataDir, HARNESS_FILE)
  const temp = `${file}.${process.pid}.tmp`
  const saved: SavedAddress = { port: address.port, tokens: { cashier: address.tokens.cashier, display: address.tokens.display, backoffice: address.tokens.backoffice } }
  writeFileSync(temp, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 })
  // The mode given to writeFileSync is masked by the umask and ignored for an existing file: set it outright.
  chmodSync(temp, 0o600)
  renameSync(temp, file)
}
