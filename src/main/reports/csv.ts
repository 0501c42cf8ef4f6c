// CSV export of a closed day: one row per money movement (sale tender, refund tender, cash in/out, the drawer's
// over/short). RFC 4180 (CRLF records, fields with , " CR LF quoted, quotes doubled), written by csv-stringify,
// UTF-8, with an optional BOM for spreadsheet programs that guess the encoding otherwise (Excel).
//
// Columns, in order:
//   id              stable and unique: <till>-<z>-S<sale>-<n>, -R<return>-<n>, -M<movement>, -D (ids.ts)
//   business_date   YYYY-MM-DD in the store's time zone
//   z_number        the day's Z number
//   till_id
//   kind            sale | refund | cash-in | cash-out | difference
//   entry_number    sale number, return number, movement number (0 for the difference)
//   entry_id        the ledger's id of the sale, return or movement
//   time_utc        ISO 8601 in UTC, milliseconds
//   cashier
//   tender          cash | stablecoin
//   token_symbol    USDC, USDT (stablecoin only)
//   chain_id        EIP-155 chain id (stablecoin only)
//   chain_name
//   token_amount    exact decimal token amount, signed like amount ("12.791572", "-12.791572")
//   amount          store currency, exact decimal, signed: into the account positive, out negative ("-4.50")
//   currency        ISO 4217
//   rate            store currency per one token, exact decimal
//   rate_source     peg | manual | http
//   tx_hash         the transfer's hash (incoming for a sale, outgoing for a refund)
//   log_index       the Transfer log's index in its block
//   block_number
//   network_fee     the transfer's network fee in store currency (empty when not known)
//   original_sale   for a refund: the original sale's number
//   note            late | refund basis (token | fiat) | a cash in/out's reason | the over/short's reason
//
// Formula injection (OWASP "CSV Injection"): a text cell that starts with = + - @ TAB or CR is prefixed with an
// apostrophe so a spreadsheet shows it as text instead of evaluating it. The rule applies to text cells only.
// Amount cells are written by us from integers and always match ^-?\d+(\.\d+)?$: a bare signed number cannot run
// as a formula, and guarding it would turn "-4.50" into the text "'-4.50" that no spreadsheet can add up. So
// numbers stay numbers, negatives included, and only free text (names, reasons) is guarded.
//
// Speed: csv-stringify costs about 5 µs a row of 24 fields here, more than the rest of the export. A row whose
// fields hold none of , " CR LF is written by csv-stringify as the fields joined by commas, so such rows (nearly
// all: ids, numbers, dates) are joined directly and only the others go through csv-stringify. A test checks the
// output against csv-stringify's for the whole file and for random text.
import type { Writable } from 'node:stream'
import { stringify } from 'csv-stringify/sync'
import { isoUtc, minorFormatter, plainUnits } from './format'
import { encode, maxUint, maxUtf8, putBytes, putText, putUint } from './bytes'
import { writeDayPass, type DayWriter, type SpoolLike, type SpoolSource } from './day-pass'
import { differenceMovement, movements, type Movement } from './movements'
import type { DaySettlement, ZTotals } from './settlement'

export const CSV_COLUMNS = [
  'id', 'business_date', 'z_number', 'till_id', 'kind', 'entry_number', 'entry_id', 'time_utc', 'cashier', 'tender',
  'token_symbol', 'chain_id', 'chain_name', 'token_amount', 'amount', 'currency', 'rate', 'rate_source', 'tx_hash',
  'log_index', 'block_number', 'network_fee', 'original_sale', 'note'
] as const

export interface CsvOptions {
  /** Start with U+FEFF so Excel reads UTF-8. Off by default: most importers treat a BOM as part of the first name. */
  readonly bom?: boolean
  /** Precomputed totals (the Z), when the caller has them already. */
  readonly totals?: ZTotals
}

const FORMULA_START = /^[=+\-@\t\r]/

/** OWASP's guard for a text cell: a leading apostrophe when it could start a formula. */
export function guardCell(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text
}

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/

/** A cell that should hold a number (a rate from the data): left bare when it is one, guarded as text otherwise. */
export function numberCell(text: string): string {
  return PLAIN_NUMBER.test(text) ? text : guardCell(text)
}

/** A movement as the CSV's text cells (what csv-stringify is given), for one day. */
function csvCells(day: DaySettlement): (m: Movement) => string[] {
  const currency = day.store.currency
  const money = minorFormatter(currency)
  const businessDate = day.businessDate
  const zNumber = String(day.zNumber)
  const tillId = guardCell(day.store.tillId)
  return (m) => {
    const coin = m.coin
    let note = m.reason ?? ''
    if (coin && 'basis' in coin) note = coin.basis
    else if (coin && coin.late) note = 'late'
    return [
      // Ids start with the till id, which starts with a letter or digit (settlement.ts); guarded all the same.
      guardCell(m.id),
      businessDate,
      zNumber,
      tillId,
      m.kind,
      String(m.entryNumber),
      guardCell(m.entryId),
      isoUtc(m.at),
      guardCell(m.cashier),
      coin ? 'stablecoin' : 'cash',
      coin ? guardCell(coin.tokenSymbol) : '',
      coin ? String(coin.chainId) : '',
      coin ? guardCell(coin.chainName) : '',
      coin ? plainUnits(coin.tokenUnits, coin.tokenDecimals, m.amountMinor < 0) : '',
      money(m.amountMinor),
      currency,
      coin ? numberCell(coin.rate) : '',
      coin ? guardCell(coin.rateSource) : '',
      coin ? guardCell(coin.txHash) : '',
      coin ? String(coin.logIndex) : '',
      coin ? String(coin.blockNumber) : '',
      coin && coin.networkFeeMinor !== null ? money(coin.networkFeeMinor) : '',
      m.originalSaleNumber === null ? '' : String(m.originalSaleNumber),
      guardCell(note)
    ]
  }
}

/** The CSV's records (header excluded), as text cells: what csv-stringify is given. */
export function* csvRecords(day: DaySettlement, totals: ZTotals): Generator<string[]> {
  const cells = csvCells(day)
  for (const m of movements(day, totals)) yield cells(m)
}

const NEEDS_QUOTES = /[",\r\n]/
const STRINGIFY_OPTIONS = { record_delimiter: 'windows', eof: true } as const

/** One record as RFC 4180 text, CRLF-terminated, byte for byte what csv-stringify writes. */
export function csvRecord(fields: readonly string[]): string {
  for (const field of fields) if (NEEDS_QUOTES.test(field)) return stringify([fields as string[]], STRINGIFY_OPTIONS)
  return fields.join(',') + '\r\n'
}

/**
 * The record of a cash tender of a sale (nearly every movement of a day) written as bytes into the spool (bytes.ts)
 * from one template instead of 24 cells tested one by one: byte for byte csvRecord(cells(m)) (a test compares them).
 * False (nothing written) for any other movement or when a field would need quotes (then csvRecord quotes it as
 * csv-stringify does). The day's constant cells are encoded once; a cashier's cell once per cashier.
 */
function cashSaleRecord(day: DaySettlement): (m: Movement, body: SpoolLike) => boolean {
  const money = minorFormatter(day.store.currency)
  const constant = [day.businessDate, String(day.zNumber), guardCell(day.store.tillId), day.store.currency]
  if (constant.some((cell) => NEEDS_QUOTES.test(cell))) return () => false
  const dayCells = encode(`,${constant[0]},${constant[1]},${constant[2]},sale,`)
  const comma = encode(',')
  const cashCells = encode(',cash,,,,,')
  const currencyCells = encode(`,${constant[3]},,,,,,,,\r\n`)
  const cashiers = new Map<string, Buffer | null>()
  return (m, body) => {
    if (m.coin !== null || m.kind !== 'sale' || m.reason !== null || m.originalSaleNumber !== null) return false
    let cashier = cashiers.get(m.cashier)
    if (cashier === undefined) {
      const cell = guardCell(m.cashier)
      cashier = NEEDS_QUOTES.test(cell) ? null : encode(cell)
      if (cashiers.size >= 1024) cashiers.clear()
      cashiers.set(m.cashier, cashier)
    }
    if (cashier === null) return false
    const id = guardCell(m.id)
    const entryId = guardCell(m.entryId)
    if (NEEDS_QUOTES.test(id) || NEEDS_QUOTES.test(entryId)) return false
    const amount = money(m.amountMinor)
    // id, business_date, z_number, till_id, kind, entry_number, entry_id, time_utc, cashier, tender, then the nine
    // empty coin cells around amount and currency, and an empty note (CSV_COLUMNS).
    const b = body.room(maxUtf8(id) + dayCells.length + maxUint(m.entryNumber) + 2 + maxUtf8(entryId) + 32 + cashier.length + cashCells.length + maxUtf8(amount) + currencyCells.length)
    let at = putText(b, body.at, id)
    at = putBytes(b, at, dayCells)
    at = putUint(b, at, m.entryNumber)
    at = putBytes(b, at, comma)
    at = putText(b, at, entryId)
    at = putBytes(b, at, comma)
    at = putText(b, at, isoUtc(m.at))
    at = putBytes(b, at, comma)
    at = putBytes(b, at, cashier)
    at = putBytes(b, at, cashCells)
    at = putText(b, at, amount)
    body.at = putBytes(b, at, currencyCells)
    return true
  }
}

/** The CSV's part in the one pass (day-pass.ts): a record per movement, the drawer's over/short last. */
export function csvWriter(day: DaySettlement, options: { readonly bom?: boolean } = {}): (spools: SpoolSource) => DayWriter {
  return (spools) => {
    const cells = csvCells(day)
    const cashSale = cashSaleRecord(day)
    const body = spools.spool('csv')
    return {
      entry(_entry, moved) {
        for (const m of moved) if (!cashSale(m, body)) body.append(csvRecord(cells(m)))
      },
      pieces(totals) {
        const difference = differenceMovement(day, totals)
        return [stringify([], { ...STRINGIFY_OPTIONS, header: true, columns: [...CSV_COLUMNS], bom: options.bom ?? false }), body, difference ? csvRecord(cells(difference)) : '']
      }
    }
  }
}

export async function writeCsv(day: DaySettlement, out: Writable, options: CsvOptions = {}): Promise<void> {
  await writeDayPass(day, [{ writer: csvWriter(day, { bom: options.bom ?? false }), out }], { totals: options.totals })
}
