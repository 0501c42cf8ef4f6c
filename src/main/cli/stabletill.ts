#!/usr/bin/env node
// `stabletill`: the closed days for managers and accountants, from a shell or cron (issue [D] point 7).
//
//   stabletill export    --data-dir DIR --date YYYY-MM-DD --format csv|ofx|camt053|hledger|beancount --out DIR [--bom]
//                        [--no-declarations]   (journals: transactions only, for a book that includes many days)
//   stabletill reconcile --data-dir DIR --date YYYY-MM-DD [--rpc-url CHAIN_ID=URL …]
//   stabletill z         --data-dir DIR --date YYYY-MM-DD [--pdf FILE]
//   stabletill verify    --data-dir DIR [--key-dir DIR]
//   stabletill public-key --data-dir DIR [--key-dir DIR]   (the till key's public half, to register at head office)
//   every command: [--time-zone IANA] (default: the machine's; the business date is the day a Z's day was opened)
//
// The ledger is opened read-only: safe beside a running till, on a copy, or on the accountant's machine. No prompts.
// Exit codes: 0 done / all good; 1 a real problem (no Z on that date, a broken journal, an unclean reconciliation, a
// failed write), each said in one line on stderr; 2 a usage error or a folder that is not a till's.
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Writable } from 'node:stream'
import { getAddress } from 'ethers'
import { paymentSettingsSchema } from '../../shared/payment/settings'
import { findToken, type TokenInfo, type TokenSymbol } from '../../shared/payment/tokens'
import { formatUnits } from '../../shared/money'
import { ANCHORS_FILE, loadOrCreateTillKey, readTillPublicKey, verifyAnchors } from '../ledger/anchor'
import { openLedger, SchemaTooNewError, type Db } from '../ledger/db'
import { verifyJournalParallel } from '../ledger/journal'
import { checkSchema, quickCheck } from '../ledger/integrity'
import { readSetting } from '../ledger/settings'
import { RpcPool } from '../chain/rpc'
import { EXPORT_FORMATS, exportFileName, writeExport, type ExportFormat } from '../reports'
import { businessDateOf, daySettlementFromLedger, machineTimeZone, zNumbersOnDate } from '../reports/from-ledger'
import { finish } from '../reports/output'
import { computeZTotals, type DaySettlement } from '../reports/settlement'
import { reportHeading, reportSections } from '../reports/z-report'
import { writeZPdf } from '../reports/z-pdf'
import { reconcile, type ReconcileChain, type Reconciliation } from '../services/reconcile'
import { storeIdOf, tillKeyDir } from '../services/day-close'
import { storeSettingsSchema } from '../services/store'
import { checkAllSessionTotalsOffThread, describeTotalsCheck } from '../services/session-totals'

export const EXIT_OK = 0
export const EXIT_PROBLEM = 1
export const EXIT_USAGE = 2

/** The ledger's file name in a data folder (app.ts LEDGER_FILE; not imported, so the CLI does not load the app). */
const LEDGER_FILE = 'stabletill.sqlite'

/** Each command's line and what its options do: `stabletill --help` shows them all, `stabletill z --help` its own. */
const COMMAND_HELP: Record<string, string> = {
  export: `  stabletill export    --data-dir DIR --date YYYY-MM-DD --format ${EXPORT_FORMATS.join('|')} --out DIR
                       [--bom] [--no-declarations]
      One file per Z closed on that date, named TILL_DATE_Z<n>.<format>, in DIR (made if missing); a re-export
      writes the same bytes over it.
      --bom              CSV: start with a UTF-8 byte order mark (for spreadsheets that guess the encoding).
      --no-declarations  hledger, beancount: the day's transactions only, no account or commodity declarations,
                         so many days can be included in one book (Beancount refuses an account opened twice:
                         declare the accounts once in the main file, or use its auto_accounts plugin).`,
  reconcile: `  stabletill reconcile --data-dir DIR --date YYYY-MM-DD [--rpc-url CHAIN_ID=URL ...]
      Reads the day's blocks again and matches every stablecoin payment of the day's Zs, to the base unit.
      --rpc-url          adds or replaces a chain's endpoints (the store's saved ones are used otherwise).`,
  z: `  stabletill z         --data-dir DIR --date YYYY-MM-DD [--pdf FILE]
      The Z of that date as text, from the same figures as the printed one; --pdf also writes its PDF.`,
  verify: `  stabletill verify    --data-dir DIR [--key-dir DIR]
      Full journal, schema, every day's running totals, SQLite quick_check and the signed heads.`,
  'public-key': `  stabletill public-key --data-dir DIR [--key-dir DIR]
      The till key's public half, to register at head office.`
}

const COMMON_HELP = `Options for every command: --time-zone IANA (the business date's zone; default the machine's).
  --date picks the Zs whose day was opened on that date. --key-dir: the till key's folder
  (default STABLETILL_KEY_DIR, else ~/.stabletill/keys).
The ledger is opened read-only: safe beside a running till or on a copy.
Exit codes: 0 ok, 1 a problem (said on stderr), 2 usage.`

export const USAGE = `Usage:\n${Object.values(COMMAND_HELP).join('\n')}\n${COMMON_HELP}`

/** `stabletill <command> --help`: that command's part of the usage (all of it for no or an unknown command). */
function usageOf(command: string | undefined): string {
  const own = command ? COMMAND_HELP[command] : undefined
  return own ? `Usage:\n${own}\n${COMMON_HELP}` : USAGE
}

export interface CliIo {
  out(line: string): void
  err(line: string): void
}

class UsageError extends Error {}
class Problem extends Error {}

interface Options {
  readonly dataDir: string
  readonly date: string | undefined
  readonly timeZone: string
  readonly format: string | undefined
  readonly out: string | undefined
  readonly pdf: string | undefined
  readonly bom: boolean
  readonly declarations: boolean
  readonly keyDir: string | undefined
  readonly rpcUrls: readonly string[]
}

/** 2026-02-30 and 2026-13-01 are not days (Date would roll the first over into March). */
function isCalendarDate(date: string): boolean {
  const at = new Date(`${date}T00:00:00Z`)
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === date
}

/** parseArgs's own words, for the manager: the option and what to do, without its advice on positionals. */
function parseArgsMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e)
  const option = /'(-[^' ]*)/.exec(message)?.[1]
  if ((e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `Unknown option ${option}.`
  if (/argument missing|ambiguous/.test(message) && option) return `Option ${option} needs a value.`
  return message.split('\n')[0]!
}

function parse(args: readonly string[]): { command: string; options: Options; helpFor?: string | undefined } {
  let parsed: ReturnType<typeof parseArgs<{ strict: true; allowPositionals: true; options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> }>>
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        date: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        pdf: { type: 'string' },
        bom: { type: 'boolean' },
        'no-declarations': { type: 'boolean' },
        'key-dir': { type: 'string' },
        'rpc-url': { type: 'string', multiple: true },
        'time-zone': { type: 'string' },
        help: { type: 'boolean' }
      }
    })
  } catch (e) {
    throw new UsageError(parseArgsMessage(e))
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>
  const command = parsed.positionals[0]
  if (v.help || command === 'help') return { command: 'help', options: null as never, helpFor: command === 'help' ? parsed.positionals[1] : command }
  if (!command) throw new UsageError('Give a command: export, reconcile, z, verify or public-key.')
  if (parsed.positionals.length > 1) throw new UsageError(`Unexpected argument: ${parsed.positionals[1]}`)
  if (typeof v['data-dir'] !== 'string') throw new UsageError('--data-dir DIR is required (the till\'s data folder).')
  const date = typeof v.date === 'string' ? v.date : undefined
  if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new UsageError(`--date ${date} is not YYYY-MM-DD.`)
  // 2026-13-45 has the shape but is no day: "no Z on that date" would send the manager looking for a close.
  if (date !== undefined && !isCalendarDate(date)) throw new UsageError(`--date ${date} is not a calendar date.`)
  const timeZone = typeof v['time-zone'] === 'string' ? v['time-zone'] : machineTimeZone()
  try {
    new Intl.DateTimeFormat('en', { timeZone })
  } catch {
    throw new UsageError(`--time-zone ${timeZone} is not an IANA time zone.`)
  }
  return {
    command,
    options: {
      dataDir: resolve(v['data-dir']),
      date,
      timeZone,
      format: typeof v.format === 'string' ? v.format : undefined,
      out: typeof v.out === 'string' ? v.out : undefined,
      pdf: typeof v.pdf === 'string' ? v.pdf : undefined,
      bom: v.bom === true,
      declarations: v['no-declarations'] !== true,
      keyDir: typeof v['key-dir'] === 'string' ? v['key-dir'] : undefined,
      rpcUrls: Array.isArray(v['rpc-url']) ? v['rpc-url'] : []
    }
  }
}

function openTillLedger(dataDir: string): { db: Db; file: string } {
  const file = join(dataDir, LEDGER_FILE)
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`No till ledger at ${file}: is ${dataDir} a Stabletill data folder?`)
  let db: Db
  try {
    db = openLedger(file, { readonly: true })
  } catch (e) {
    if (e instanceof SchemaTooNewError) throw new Problem(e.message)
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') throw new UsageError(`${file} is not a SQLite database, so not a Stabletill ledger: give --data-dir the till's data folder.`)
    throw new Problem(`Could not read the ledger at ${file}: ${e instanceof Error ? e.message : String(e)}`)
  }
  if ((db.pragma('user_version', { simple: true }) as number) === 0) {
    db.close()
    throw new UsageError(`${file} is not a Stabletill ledger (schema version 0).`)
  }
  // Another program's SQLite file under our name (or a head-office dump) has a user_version but none of our tables:
  // say so, rather than fail later on the first missing table with SQLite's own words.
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('journal', 'settings', 'cash_sessions')").get() as { n: number }
  if (tables.n < 3) {
    db.close()
    throw new UsageError(`${file} is not a Stabletill ledger (it has no journal, settings or cash sessions): give --data-dir the till's data folder.`)
  }
  return { db, file }
}

function tillIdOf(db: Db): string {
  const store = readSetting(db, 'store', storeSettingsSchema)
  if (!store) throw new Problem('The store in this ledger is not set up: there is no day to report.')
  return store.tillId
}

function requireDate(options: Options): string {
  if (!options.date) throw new UsageError('--date YYYY-MM-DD is required.')
  return options.date
}

/** The closed days on the date (one per Z: a till may close twice in a day). */
function daysOn(db: Db, options: Options): DaySettlement[] {
  const date = requireDate(options)
  const tillId = tillIdOf(db)
  const zs = zNumbersOnDate(db, tillId, date, options.timeZone)
  if (zs.length === 0) throw new Problem(`No Z was closed for business date ${date} on till ${tillId} (time zone ${options.timeZone}). ${whatTheLedgerHolds(db, tillId, date, options.timeZone)}`)
  return zs.map((z) => daySettlementFromLedger(db, tillId, z, { timeZone: options.timeZone }))
}

/**
 * The --out folder, made with its missing parents. Made one level at a time: Node's recursive mkdir never returns
 * under a folder that refuses new entries with ENOENT (/proc, some FUSE mounts), and a file in the way or a folder
 * that cannot be made is said in the manager's words, not as a bare errno.
 */
function outputFolder(out: string): string {
  const folder = resolve(out)
  const missing: string[] = []
  let at = folder
  while (!existsSync(at)) {
    missing.unshift(at)
    const parent = dirname(at)
    if (parent === at) break
    at = parent
  }
  if (!statSync(at).isDirectory()) throw new Problem(`--out ${out}: ${at} is a file, not a folder. Give a folder for the exports.`)
  for (const dir of missing) {
    try {
      mkdirSync(dir)
    } catch (e) {
      const code = (e as { code?: string }).code
      const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied' : code === 'ENOENT' ? 'that place takes no new folders' : e instanceof Error ? e.message : String(e)
      throw new Problem(`--out ${out}: the folder ${dir} cannot be made (${why}). Give a folder you can write to.`)
    }
  }
  return folder
}

/** The hint after "no Z on that date": the day is still open, or which business dates do have a Z. */
function whatTheLedgerHolds(db: Db, tillId: string, date: string, timeZone: string): string {
  const sessions = db.prepare('SELECT status, opened_at FROM cash_sessions WHERE till_id = ? ORDER BY opened_at').all(tillId) as { status: string; opened_at: number }[]
  if (sessions.some((s) => s.status === 'open' && businessDateOf(s.opened_at, timeZone) === date)) return 'That day is still open: close it (the Z) in the back office first.'
  const closed = [...new Set(sessions.filter((s) => s.status === 'closed').map((s) => businessDateOf(s.opened_at, timeZone)))]
  if (closed.length === 0) return 'This till has closed no day yet.'
  const shown = closed.length > 3 ? `${closed.slice(-3).join(', ')} (and ${closed.length - 3} earlier)` : closed.join(', ')
  return `Days with a Z: ${shown}.`
}

async function writeFileAtomically(file: string, write: (out: Writable) => Promise<unknown>): Promise<void> {
  const temp = `${file}.${process.pid}.partial`
  const out = createWriteStream(temp)
  try {
    await write(out)
    await finish(out)
    renameSync(temp, file)
  } catch (e) {
    out.destroy()
    rmSync(temp, { force: true })
    // The temporary name is ours, not the manager's: name the file they asked for and its folder's trouble.
    const code = (e as { code?: string }).code
    const folder = dirname(file)
    const why = code === 'ENOENT' ? `the folder ${folder} does not exist`
      : code === 'ENOTDIR' ? `${folder} is not a folder`
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `${folder} is not writable`
          : code === 'ENOSPC' ? 'the disk is full'
            : e instanceof Error ? e.message : String(e)
    throw new Problem(`Could not write ${file}: ${why}.`)
  }
}

async function runExport(db: Db, options: Options, io: CliIo): Promise<number> {
  const format = options.format
  if (!format || !(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format is one of ${EXPORT_FORMATS.join(', ')}.`)
  if (!options.out) throw new UsageError('--out DIR is required (the folder the file goes into).')
  const days = daysOn(db, options)
  const folder = outputFolder(options.out)
  for (const day of days) {
    const file = join(folder, exportFileName(day, format as ExportFormat))
    await writeFileAtomically(file, (out) => writeExport(day, format as ExportFormat, out, { bom: options.bom, declarations: options.declarations }))
    io.out(file)
  }
  return EXIT_OK
}

/** The Z as plain text, from the same rows as the paper and the PDF. */
export function zText(day: DaySettlement, width = 56): string[] {
  const totals = computeZTotals(day)
  const heading = reportHeading(day, 'Z', 'en')
  const lines = [heading.title, heading.storeName, ...heading.storeLines, '']
  for (const section of reportSections(day, totals, 'Z', 'en')) {
    if (section.title) lines.push(section.title.toUpperCase())
    for (const row of section.rows) {
      const label = `${row.indent ? '  ' : ''}${row.label}`
      const gap = Math.max(1, width - label.length - row.value.length)
      lines.push(row.value ? `${label}${' '.repeat(gap)}${row.value}` : label)
    }
    lines.push('')
  }
  return lines
}

async function runZ(db: Db, options: Options, io: CliIo): Promise<number> {
  const days = daysOn(db, options)
  for (const day of days) zText(day).forEach((line) => io.out(line))
  if (options.pdf) {
    if (days.length > 1) throw new UsageError(`${days.length} Zs were closed on ${options.date}: --pdf writes one; export them one by one from the back office.`)
    const day = days[0]!
    const file = resolve(options.pdf)
    await writeFileAtomically(file, (out) => writeZPdf(day, computeZTotals(day), out, { kind: 'Z', locale: 'en' }))
    io.err(`PDF written: ${file}`)
  }
  return EXIT_OK
}

/** The chains to read: the store's saved settings, with --rpc-url CHAIN_ID=URL adding or replacing endpoints. */
function reconcileChains(db: Db, options: Options): ReconcileChain[] {
  const urls = new Map<number, string[]>()
  let settings: ReturnType<typeof paymentSettingsSchema.parse> | null
  try {
    settings = readSetting(db, 'payments', paymentSettingsSchema)
  } catch (e) {
    throw new Problem(`The store's payment settings cannot be read: ${e instanceof Error ? e.message : String(e)}`)
  }
  for (const c of settings?.chains ?? []) urls.set(c.chainId, [...c.rpcUrls])
  const overrides = new Map<number, string[]>()
  for (const spec of options.rpcUrls) {
    const m = /^(\d+)=(https?:\/\/\S+)$/.exec(spec)
    if (!m) throw new UsageError(`--rpc-url ${spec} is not CHAIN_ID=URL (e.g. 8453=https://mainnet.base.org).`)
    const id = Number(m[1])
    overrides.set(id, [...(overrides.get(id) ?? []), m[2]!])
  }
  for (const [id, list] of overrides) urls.set(id, list)
  // Tokens: every token the till asked to be paid in (the ledger's requests hold their addresses, the demo's
  // runtime-deployed ones included), and the registry's for the chains the settings enable.
  const requested = db.prepare('SELECT DISTINCT chain_id, token_symbol, token_address, token_decimals FROM payment_requests').all() as { chain_id: number; token_symbol: TokenSymbol; token_address: string; token_decimals: number }[]
  const unreadable = [...new Set(requested.map((r) => r.chain_id))].filter((id) => !urls.has(id))
  if (unreadable.length > 0) {
    throw new Problem(`The ledger holds payments on chain ${unreadable.join(', ')} but no RPC URL is saved for it: pass --rpc-url ${unreadable[0]}=URL.`)
  }
  const chains: ReconcileChain[] = []
  for (const [chainId, list] of urls) {
    const tokens = new Map<string, TokenInfo>()
    for (const r of requested.filter((x) => x.chain_id === chainId)) {
      tokens.set(r.token_address.toLowerCase(), { chainId, symbol: r.token_symbol, onChainSymbols: [r.token_symbol], address: getAddress(r.token_address), decimals: r.token_decimals, bridged: false, source: 'the ledger\'s payment requests' })
    }
    const configured = settings?.chains.find((c) => c.chainId === chainId)
    for (const symbol of configured?.tokens ?? []) {
      const t = findToken(chainId, symbol, { allowBridged: configured?.allowBridged })
      if (t && !tokens.has(t.address.toLowerCase())) tokens.set(t.address.toLowerCase(), t)
    }
    if (tokens.size > 0) chains.push({ chainId, pool: new RpcPool(chainId, list, { timeoutMs: 10_000 }), tokens: [...tokens.values()] })
  }
  return chains
}

/**
 * The reconciliation in lines, each amount in its token's own decimals: USDC and USDT are 6 on most chains but 18 on
 * BNB Smart Chain (tokens.ts), where 10.40 USDT is 10400000000000000000 base units.
 */
export function describeReconciliation(r: Reconciliation, chains: readonly Pick<ReconcileChain, 'chainId' | 'tokens'>[], io: Pick<CliIo, 'out'>): void {
  const decimalsOf = (chainId: number, symbol: string): number => chains.find((c) => c.chainId === chainId)?.tokens.find((t) => t.symbol === symbol)?.decimals ?? 6
  for (const c of r.chains) {
    const units = (symbol: string, value: string): string => `${formatUnits(BigInt(value), decimalsOf(c.chainId, symbol))}`
    io.out(`${c.chainName} (${c.chainId}), blocks ${c.fromBlock}..${c.toBlock}: ${c.matched.length} matched, ${c.missing.length} missing, ${c.mismatched.length} mismatched, ${c.unexpected.length} unexpected, ${c.pending.length} pending`)
    for (const t of c.totals) io.out(`  ${t.tokenSymbol}: ledger ${units(t.tokenSymbol, t.ledger)}, chain ${units(t.tokenSymbol, t.chain)}, unexpected ${units(t.tokenSymbol, t.unexpected)}`)
    for (const [what, list] of [['missing', c.missing], ['mismatched', c.mismatched], ['unexpected', c.unexpected], ['pending', c.pending]] as const) {
      for (const x of list) {
        const ledger = what === 'mismatched' && x.ledgerValue !== null ? ` (ledger ${units(x.tokenSymbol, x.ledgerValue)})` : ''
        io.out(`  ${what}: ${units(x.tokenSymbol, x.value)} ${x.tokenSymbol}${ledger} tx ${x.txHash}#${x.logIndex}${x.saleId ? ` sale ${x.saleId}` : ''}`)
      }
    }
  }
  for (const u of r.unreachable) io.out(`${u.chainName} (${u.chainId}): not reachable: ${u.error}`)
}

async function runReconcile(db: Db, options: Options, io: CliIo): Promise<number> {
  const days = daysOn(db, options)
  const chains = reconcileChains(db, options)
  if (chains.length === 0) {
    io.out('No stablecoin chain is set up and no payment was requested: nothing to reconcile.')
    return EXIT_OK
  }
  let clean = true
  for (const day of days) {
    io.out(`Z ${day.zNumber} (${day.businessDate}):`)
    const r = await reconcile({ db, chains, fromMs: day.periodStartMs, toMs: day.periodEndMs })
    describeReconciliation(r, chains, io)
    clean &&= r.clean
  }
  for (const c of chains) c.pool.destroy()
  io.out(clean ? 'Reconciled: every stablecoin payment is on chain, to the base unit.' : 'NOT clean: see the lines above.')
  return clean ? EXIT_OK : EXIT_PROBLEM
}

async function runVerifyAll(db: Db, file: string, options: Options, io: CliIo): Promise<number> {
  let bad = false
  // On every core (each worker reads its share of the journal once: chain, sales replayed and compared).
  const journal = await verifyJournalParallel(db, file)
  if (journal.ok) io.out(`Journal intact: ${journal.entries} entries, last hash ${journal.lastHash}`)
  else {
    bad = true
    io.out(`Journal broken at entry ${journal.firstBadSeq}: ${journal.reason}`)
  }
  const schema = checkSchema(db)
  if (schema.ok) io.out('Schema: as this version builds it (tables, indexes, triggers).')
  else {
    bad = true
    io.out(`Schema changed: ${schema.problems.join('; ')}`)
  }
  // The X and the Z read the days' running totals (migration 0015): each is recomputed from the journal on a worker
  // (as of the head it stopped at: a closed day's Z, the open day's now) and any figure that differs is named.
  const totals = await checkAllSessionTotalsOffThread(file)
  const wrong = totals.filter((t) => !t.ok)
  if (wrong.length === 0) io.out(`Running totals: ${totals.length} day(s) match the journal.`)
  else {
    bad = true
    for (const t of wrong) io.out(`Running totals: ${describeTotalsCheck(t)}`)
  }
  const quick = quickCheck(file)
  if (quick.ok) io.out('SQLite quick_check: ok')
  else {
    bad = true
    io.out(`SQLite quick_check: ${quick.messages.join('; ')}`)
  }
  const keyDir = options.keyDir ? resolve(options.keyDir) : tillKeyDir()
  const storeId = storeIdOf(db)
  const keyFile = join(keyDir, `${storeId.replace(/[^A-Za-z0-9_.-]/g, '_')}.ed25519.pem`)
  const anchorsFile = join(options.dataDir, ANCHORS_FILE)
  if (!existsSync(keyFile)) {
    if (existsSync(anchorsFile)) {
      bad = true
      io.out(`Signed heads: ${anchorsFile} exists but the till key is not in ${keyDir}: pass --key-dir to check them.`)
    } else io.out('Signed heads: none yet (no Z closed with a key).')
  } else {
    // The key exists: loading it creates nothing.
    const check = verifyAnchors(db, { dataDir: options.dataDir, keyDir, key: loadOrCreateTillKey(keyDir, storeId), storeId })
    if (check.ok) io.out(`Signed heads: ${check.anchors} verified with the till key.`)
    else {
      bad = true
      io.out(`Signed heads: ${check.reason}`)
    }
  }
  io.out(bad ? 'NOT OK' : 'OK')
  return bad ? EXIT_PROBLEM : EXIT_OK
}

/** The till key's public half, for `npm run headoffice -- add-till … --public-key <it>`. Never creates a key. */
function runPublicKey(db: Db, options: Options, io: CliIo): number {
  const keyDir = options.keyDir ? resolve(options.keyDir) : tillKeyDir()
  const key = readTillPublicKey(keyDir, storeIdOf(db))
  if (key === null) throw new Problem(`This store has no till key in ${keyDir} yet: it is made when the till first starts (pass --key-dir if the till keeps it elsewhere).`)
  io.out(key)
  return EXIT_OK
}

export async function runStabletill(args: readonly string[], io: CliIo): Promise<number> {
  let db: Db | undefined
  try {
    const { command, options, helpFor } = parse(args)
    if (command === 'help') {
      io.out(usageOf(helpFor))
      return EXIT_OK
    }
    if (!['export', 'reconcile', 'z', 'verify', 'public-key'].includes(command)) throw new UsageError(`Unknown command ${command}: use export, reconcile, z, verify or public-key.`)
    const opened = openTillLedger(options.dataDir)
    db = opened.db
    switch (command) {
      case 'export':
        return await runExport(db, options, io)
      case 'z':
        return await runZ(db, options, io)
      case 'reconcile':
        return await runReconcile(db, options, io)
      case 'public-key':
        return runPublicKey(db, options, io)
      default:
        return await runVerifyAll(db, opened.file, options, io)
    }
  } catch (e) {
    if (e instanceof UsageError) {
      // One line that says what to do; the whole usage is one --help away (a cron mail stays readable).
      io.err(e.message)
      io.err('Run stabletill --help for the commands and their options.')
      return EXIT_USAGE
    }
    io.err(e instanceof Error ? e.message : String(e))
    return EXIT_PROBLEM
  } finally {
    db?.close()
  }
}

// Run when executed (the built out/main/cli.js, or tsx on this file), not when imported by a test.
if (/(^|[\\/])(cli|stabletill)(\.[cm]?[jt]s)?$/.test(process.argv[1] ?? '')) {
  void runStabletill(process.argv.slice(2), { out: (line) => console.log(line), err: (line) => console.error(line) }).then((code) => {
    process.exitCode = code
  })
}
