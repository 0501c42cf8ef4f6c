// OFX 2.1.1 bank statement of a closed day: one statement (STMTTRNRS) per tender account, the cash drawer and each
// token on each chain, as if each were a bank account. Amounts in the store currency (TRNAMT, signed: a refund or
// cash out is negative). FITID is the movement's stable id (ids.ts): unique per account and never reused, so an
// accounting program that dedupes on FITID (OFX 2.1.1 §11.4.3) never imports a line twice.
//
// Balances: LEDGERBAL is the account at closing (the counted cash; a clearing account's net takings). DTSERVER is
// the closing time, not the time of the export, so the same day gives the same bytes.
import type { Writable } from 'node:stream'
import { create } from 'xmlbuilder2'
import { isoUtc, minorFormatter, plainUnits } from './format'
import { writeDayPass, type DayWriter, type SpoolLike, type SpoolSource } from './day-pass'
import { differenceMovement, statementAccounts, type AccountKey, type Movement } from './movements'
import type { DaySettlement, ZTotals } from './settlement'
import { ENTRIES, splitAtEntries, xmlByteTemplate, xmlTemplate, type ByteFill } from './xml-template'

/** OFX date-time in UTC (OFX 2.1.1 §3.2.8.2): YYYYMMDDHHMMSS.XXX[0:GMT]. */
export function ofxDateTime(ms: number): string {
  const iso = isoUtc(ms) // 2026-01-15T08:05:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}.${iso.slice(20, 23)}[0:GMT]`
}

const MAX_FITID = 255

type TrnSlot = 'type' | 'posted' | 'amount' | 'fitid' | 'name' | 'memo'
type StmtSlot = 'trnuid' | 'currency' | 'bankId' | 'accountId' | 'start' | 'end' | 'balance' | 'asOf'

const STATUS = { CODE: '0', SEVERITY: 'INFO' }

const transactionShape = { STMTTRN: { TRNTYPE: '{{type}}', DTPOSTED: '{{posted}}', TRNAMT: '{{amount}}', FITID: '{{fitid}}', NAME: '{{name}}', MEMO: '{{memo}}' } }

function shapes(): { transaction: (v: Record<TrnSlot, string>) => string; transactionBytes: ByteFill<TrnSlot>; statement: ReturnType<typeof splitAtEntries<StmtSlot>>; document: ReturnType<typeof splitAtEntries<'server'>> } {
  const documentXml = create({ version: '1.0', encoding: 'UTF-8', standalone: false })
    .ins('OFX', 'OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"')
    .ele({ OFX: { SIGNONMSGSRSV1: { SONRS: { STATUS, DTSERVER: '{{server}}', LANGUAGE: 'ENG' } }, BANKMSGSRSV1: { [ENTRIES]: {} } } })
    .end({ prettyPrint: true, indent: '  ', newline: '\n' })
  const statementXml = create({ STMTTRNRS: {
    TRNUID: '{{trnuid}}',
    STATUS,
    STMTRS: {
      CURDEF: '{{currency}}',
      BANKACCTFROM: { BANKID: '{{bankId}}', ACCTID: '{{accountId}}', ACCTTYPE: 'CHECKING' },
      BANKTRANLIST: { DTSTART: '{{start}}', DTEND: '{{end}}', [ENTRIES]: {} },
      LEDGERBAL: { BALAMT: '{{balance}}', DTASOF: '{{asOf}}' }
    }
  } }).end({ headless: true, prettyPrint: true, indent: '  ', offset: 2, newline: '\n' })
  return {
    document: splitAtEntries<'server'>(documentXml + '\n'),
    statement: splitAtEntries<StmtSlot>(statementXml + '\n'),
    transaction: xmlTemplate<TrnSlot>(transactionShape, 5),
    transactionBytes: xmlByteTemplate<TrnSlot>(transactionShape, 5)
  }
}

let cachedShapes: ReturnType<typeof shapes> | null = null

function describe(m: Movement, currency: string): { name: string; memo: string } {
  const coin = m.coin
  const coinMemo = coin
    ? `${plainUnits(coin.tokenUnits, coin.tokenDecimals)} ${coin.tokenSymbol} on ${coin.chainName} (${coin.chainId}) at ${coin.rate} ${currency} (${coin.rateSource}) tx ${coin.txHash} log ${coin.logIndex}`
    : ''
  switch (m.kind) {
    case 'sale':
      return { name: `Sale ${m.entryNumber}`, memo: coin ? `${coin.late ? 'late ' : ''}${coinMemo}` : 'cash' }
    case 'refund':
      return { name: `Refund ${m.entryNumber} of sale ${m.originalSaleNumber ?? ''}`, memo: coin ? `refund ${coinMemo}` : 'cash refund' }
    case 'cash-in':
      return { name: `Cash in ${m.entryNumber}`, memo: m.reason ?? '' }
    case 'cash-out':
      return { name: `Cash out ${m.entryNumber}`, memo: m.reason ?? '' }
    case 'difference':
      return { name: m.amountMinor > 0 ? 'Cash over' : 'Cash short', memo: m.reason ?? '' }
  }
}

/** The OFX's part in the one pass (day-pass.ts): a transaction per movement, spooled per statement account. */
export function ofxWriter(day: DaySettlement): (spools: SpoolSource) => DayWriter {
  return (spools) => {
    cachedShapes ??= shapes()
    const { document, statement, transaction, transactionBytes } = cachedShapes
    const currency = day.store.currency
    const money = minorFormatter(currency)
    const start = ofxDateTime(day.periodStartMs)
    const end = ofxDateTime(day.periodEndMs)
    const bodies = new Map<AccountKey, SpoolLike>()
    const slots = (m: Movement): Record<TrnSlot, string> => {
      if (m.id.length > MAX_FITID) throw new Error(`FITID ${m.id} is longer than OFX allows (${MAX_FITID})`)
      const { name, memo } = describe(m, currency)
      return {
        type: m.amountMinor < 0 ? 'DEBIT' : 'CREDIT',
        posted: ofxDateTime(m.at),
        amount: money(m.amountMinor),
        fitid: m.id,
        // NAME is A-32 (OFX 2.1.1 §11.4.3).
        name: name.slice(0, 32),
        memo: memo.slice(0, 255)
      }
    }
    const render = (m: Movement): string => transaction(slots(m))
    return {
      entry(_entry, moved) {
        for (const m of moved) {
          let body = bodies.get(m.account)
          if (!body) bodies.set(m.account, (body = spools.spool(`ofx:${m.account}`)))
          // As bytes into the spool: the same bytes as render(m).
          transactionBytes.into(body, slots(m))
        }
      },
      pieces(totals) {
        const pieces: (string | SpoolLike)[] = [document.before({ server: end })]
        const difference = differenceMovement(day, totals)
        for (const account of statementAccounts(day, totals)) {
          const slots = {
            trnuid: `${day.store.tillId}-${day.zNumber}-${account.accountId}`,
            currency,
            bankId: `TILL${day.store.tillNumber}`.slice(0, 9),
            accountId: account.accountId,
            start,
            end,
            balance: money(account.closingMinor),
            asOf: end
          }
          pieces.push(statement.before(slots))
          // By name, not from `bodies`: laid out from the walks of a day's ranges, this writer walked nothing (parallel.ts).
          const body = spools.find(`ofx:${account.key}`)
          if (body) pieces.push(body)
          if (difference && account.key === difference.account) pieces.push(render(difference))
          pieces.push(statement.after(slots))
        }
        pieces.push(document.after({ server: end }))
        return pieces
      }
    }
  }
}

export async function writeOfx(day: DaySettlement, out: Writable, options: { readonly totals?: ZTotals } = {}): Promise<void> {
  await writeDayPass(day, [{ writer: ofxWriter(day), out }], { totals: options.totals })
}
