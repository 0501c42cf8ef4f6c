// Money-relevant state outside the sales ([E] point 4): settings (store settings, managers and their PIN hashes,
// printer, scanners, payments) and the catalog (prices, barcodes, tax rates). Each change is journaled with the
// digest of what it left, in the transaction that made it; the start-up check compares the tables with the last
// recorded digest, so an edit made with a SQLite tool behind the till's back names the entry it broke.
//
// Journal kinds (what verify expects; another service changing these tables must write them):
//  - setting.changed {key, digest}: written by writeSetting (ledger/settings.ts) for every settings key.
//  - state.<domain> {digest, reason}: journalState(db, domain, meta) after any change of a STATE_DOMAINS table, in
//    the same transaction. A new money-relevant table: add a domain below.
//  - ledger.baseline {settings: {key: digest}, domains: {domain: digest}}: migration 0009's starting point.
import { createHash } from 'node:crypto'
import { prepareCached, type Db } from './db'
import { appendJournal } from './journal'

export interface Mismatch {
  readonly seq: number
  readonly reason: string
}

/** Tables whose every change must be journaled, by domain, read in a fixed order for a stable digest. */
export const STATE_DOMAINS = {
  catalog: [
    'SELECT id, pricing, price_minor, tax_rate_id, plu, active FROM products ORDER BY id',
    'SELECT code, product_id, pack_qty FROM barcodes ORDER BY code',
    'SELECT id, rate_ppm FROM tax_rates ORDER BY id'
  ],
  // People, roles and PIN hashes (services/approvals.ts). The lockout counters are not here: each miss is journaled.
  staff: ['SELECT id, name, role, salt, pin_hash, disabled FROM staff ORDER BY id']
} as const satisfies Record<string, readonly string[]>
export type StateDomain = keyof typeof STATE_DOMAINS

export function stateDigest(db: Db, domain: StateDomain): string {
  const hash = createHash('sha256')
  for (const sql of STATE_DOMAINS[domain]) {
    hash.update(sql)
    for (const row of prepareCached(db, sql).raw().iterate() as IterableIterator<unknown[]>) hash.update(JSON.stringify(row))
  }
  return hash.digest('hex')
}

export const settingDigest = (storedValue: string): string => createHash('sha256').update(storedValue).digest('hex')

export interface StateMeta {
  readonly at: number
  readonly tillId: string
  /** Why the state changed: 'catalog import', 'price change P001'… */
  readonly reason: string
}

/**
 * Records the digest of a domain's tables after a change. Call it INSIDE the transaction that made the change (the
 * staff/catalog services: after a price, tax rate, barcode or product change), so the change and its record commit
 * together; a change without it is reported by verify as an edit behind the journal's back.
 */
export function journalState(db: Db, domain: StateDomain, meta: StateMeta): void {
  appendJournal(db, { at: meta.at, tillId: meta.tillId, kind: `state.${domain}`, saleId: null, payload: { digest: stateDigest(db, domain), reason: meta.reason } })
}

/** The settings and domain digests as they are now (migration 0009's baseline). */
export function currentState(db: Db): { settings: Record<string, string>; domains: Record<string, string> } {
  const settings: Record<string, string> = {}
  for (const r of prepareCached(db, 'SELECT key, value FROM settings ORDER BY key').all() as { key: string; value: string }[]) settings[r.key] = settingDigest(r.value)
  const domains: Record<string, string> = {}
  for (const d of Object.keys(STATE_DOMAINS) as StateDomain[]) domains[d] = stateDigest(db, d)
  return { settings, domains }
}

interface Recorded {
  readonly seq: number
  readonly digest: string
}

/**
 * What the journal last recorded for the settings and the domains (entries up to `uptoSeq`: the moment a worker's
 * snapshot was taken). Reads only the entries of the kinds concerned (index journal_kind_seq), so it is cheap at
 * every start whatever the journal's length.
 */
function recordedState(db: Db, uptoSeq: number): { settings: Map<string, Recorded>; domains: Map<string, Recorded>; baselineSeq: number | null } {
  const settings = new Map<string, Recorded>()
  const domains = new Map<string, Recorded>()
  const baseline = prepareCached(db, "SELECT seq, payload FROM journal WHERE kind = 'ledger.baseline' AND seq <= ? ORDER BY seq DESC LIMIT 1").get(uptoSeq) as { seq: number; payload: string } | undefined
  if (baseline) {
    const p = JSON.parse(baseline.payload) as { settings?: Record<string, string>; domains?: Record<string, string> }
    for (const [k, d] of Object.entries(p.settings ?? {})) settings.set(k, { seq: baseline.seq, digest: d })
    for (const [k, d] of Object.entries(p.domains ?? {})) domains.set(k, { seq: baseline.seq, digest: d })
  }
  for (const r of prepareCached(db, "SELECT seq, payload FROM journal WHERE kind = 'setting.changed' AND seq > ? AND seq <= ? ORDER BY seq").all(baseline?.seq ?? 0, uptoSeq) as { seq: number; payload: string }[]) {
    const p = JSON.parse(r.payload) as { key: string; digest: string }
    settings.set(p.key, { seq: r.seq, digest: p.digest })
  }
  for (const domain of Object.keys(STATE_DOMAINS) as StateDomain[]) {
    const last = prepareCached(db, 'SELECT seq, payload FROM journal WHERE kind = ? AND seq > ? AND seq <= ? ORDER BY seq DESC LIMIT 1').get(`state.${domain}`, baseline?.seq ?? 0, uptoSeq) as { seq: number; payload: string } | undefined
    if (last) domains.set(domain, { seq: last.seq, digest: (JSON.parse(last.payload) as { digest: string }).digest })
  }
  return { settings, domains, baselineSeq: baseline?.seq ?? null }
}

function domainMismatch(domain: StateDomain, recorded: Recorded, digest: string): Mismatch | null {
  if (recorded.digest === digest) return null
  return { seq: recorded.seq, reason: `the ${domain} (${domain === 'catalog' ? 'prices, tax rates, barcodes' : domain === 'staff' ? 'people, roles, PIN hashes' : 'its tables'}) was changed after entry ${recorded.seq} recorded it, without a journal entry` }
}

/**
 * Compares settings and domains with what the journal last recorded for each. `domains`: only these (the start-up
 * check leaves the catalog, the one that grows with the shop, to the after-start worker: `checkDomainDigest`).
 */
export function checkState(db: Db, options: { readonly domains?: readonly StateDomain[] } = {}): Mismatch | null {
  const { settings: recordedSettings, domains: recordedDomains, baselineSeq } = recordedState(db, Number.MAX_SAFE_INTEGER)
  // A ledger older than the baseline migration has nothing to compare against (the migration writes one).
  if (baselineSeq === null && recordedSettings.size === 0 && recordedDomains.size === 0) return null
  const stored = prepareCached(db, 'SELECT key, value FROM settings ORDER BY key').all() as { key: string; value: string }[]
  for (const { key, value } of stored) {
    const recorded = recordedSettings.get(key)
    if (!recorded) return { seq: baselineSeq ?? 0, reason: `setting ${key} is in the ledger but its change was never journaled` }
    if (recorded.digest !== settingDigest(value)) return { seq: recorded.seq, reason: `setting ${key} was changed after entry ${recorded.seq} recorded it, without a journal entry` }
  }
  for (const [key, recorded] of recordedSettings) {
    if (!stored.some((s) => s.key === key)) return { seq: recorded.seq, reason: `setting ${key}, recorded at entry ${recorded.seq}, was deleted` }
  }
  const only = options.domains ? new Set<string>(options.domains) : null
  for (const [domain, recorded] of recordedDomains) {
    if (only && !only.has(domain)) continue
    const mismatch = domainMismatch(domain as StateDomain, recorded, stateDigest(db, domain as StateDomain))
    if (mismatch) return mismatch
  }
  return null
}

/**
 * A domain's digest computed elsewhere (a worker's snapshot whose journal ended at `headSeq`) against what the
 * journal had recorded by then: the same verdict checkState gives for that domain.
 */
export function checkDomainDigest(db: Db, domain: StateDomain, digest: string, headSeq: number): Mismatch | null {
  const recorded = recordedState(db, headSeq).domains.get(domain)
  return recorded ? domainMismatch(domain, recorded, digest) : null
}
