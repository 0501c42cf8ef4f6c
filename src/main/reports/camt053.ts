// ISO 20022 camt.053.001.08 (BankToCustomerStatement) of a closed day: one Stmt per tender account, the cash
// drawer and each token on each chain, as in the OFX. Amounts in the store currency: camt amounts are unsigned
// (ActiveOrHistoricCurrencyAndAmount), the direction is CdtDbtInd (CRDT into the account, DBIT out of it).
//
//   Bal OPBD  opening booked: the float for the drawer, 0 for a clearing account (cleared every day)
//   Bal CLBD  closing booked: OPBD + credits − debits (the counted cash; a clearing account's net takings)
//   Ntry      NtryRef and AcctSvcrRef = the movement's stable id (ids.ts), so a re-import dedupes; BkTxCd is
//             proprietary (SALE, RFND, CSHI, CSHO, DIFF, issuer STABLETILL); a stablecoin entry carries the token
//             amount, chain, tx hash, log index, block and rate in AddtlNtryInf (Max500Text).
//
// GrpHdr/CreDtTm and Stmt/CreDtTm are the closing time, not the export's, so the same day is the same bytes.
import type { Writable } from 'node:stream'
import { create } from 'xmlbuilder2'
import { isoUtc, minorFormatter, plainUnits } from './format'
import { writeDayPass, type DayWriter, type SpoolLike, type SpoolSource } from './day-pass'
import { differenceMovement, statementAccounts, type AccountKey, type Movement } from './movements'
import type { DaySettlement, ZTotals } from './settlement'
import { ENTRIES, splitAtEntries, xmlByteTemplate, xmlTemplate, type ByteFill } from './xml-template'

export const CAMT053_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08'

const MAX35 = 35

type NtrySlot = 'ref' | 'currency' | 'amount' | 'direction' | 'date' | 'code' | 'info'
type StmtSlot = 'id' | 'seq' | 'created' | 'from' | 'to' | 'accountId' | 'currency' | 'accountName' | 'openAmount' | 'openDirection' | 'closeAmount' | 'closeDirection' | 'date'

const BANK_CODES: Record<Movement['kind'], string> = { sale: 'SALE', refund: 'RFND', 'cash-in': 'CSHI', 'cash-out': 'CSHO', difference: 'DIFF' }


function max35(text: string, what: string): string {
  if (text.length > MAX35) throw new Error(`${what} "${text}" is longer than camt.053's Max35Text`)
  return text
}

const entryShape = { Ntry: {
  NtryRef: '{{ref}}',
  Amt: { '@Ccy': '{{currency}}', '#': '{{amount}}' },
  CdtDbtInd: '{{direction}}',
  Sts: { Cd: 'BOOK' },
  BookgDt: { Dt: '{{date}}' },
  ValDt: { Dt: '{{date}}' },
  AcctSvcrRef: '{{ref}}',
  BkTxCd: { Prtry: { Cd: '{{code}}', Issr: 'STABLETILL' } },
  AddtlNtryInf: '{{info}}'
} }

function shapes(): { entry: (v: Record<NtrySlot, string>) => string; entryBytes: ByteFill<NtrySlot>; statement: ReturnType<typeof splitAtEntries<StmtSlot>>; document: ReturnType<typeof splitAtEntries<'msgId' | 'created'>> } {
  const balance = (type: 'OPBD' | 'CLBD', amount: string, direction: string) => ({
    Tp: { CdOrPrtry: { Cd: type } },
    Amt: { '@Ccy': '{{currency}}', '#': amount },
    CdtDbtInd: direction,
    Dt: { Dt: '{{date}}' }
  })
  const documentXml = create({ version: '1.0', encoding: 'UTF-8' })
    .ele(CAMT053_NAMESPACE, 'Document')
    .ele({ BkToCstmrStmt: { GrpHdr: { MsgId: '{{msgId}}', CreDtTm: '{{created}}' }, [ENTRIES]: {} } })
    .doc()
    .end({ prettyPrint: true, indent: '  ', newline: '\n' })
  const statementXml = create({ Stmt: {
    Id: '{{id}}',
    ElctrncSeqNb: '{{seq}}',
    CreDtTm: '{{created}}',
    FrToDt: { FrDtTm: '{{from}}', ToDtTm: '{{to}}' },
    Acct: { Id: { Othr: { Id: '{{accountId}}' } }, Ccy: '{{currency}}', Nm: '{{accountName}}' },
    Bal: [balance('OPBD', '{{openAmount}}', '{{openDirection}}'), balance('CLBD', '{{closeAmount}}', '{{closeDirection}}')],
    // No TxsSummry (optional): it precedes the entries, so it would cost a counting pass over the day.
    [ENTRIES]: {}
  } }).end({ headless: true, prettyPrint: true, indent: '  ', offset: 2, newline: '\n' })
  return {
    document: splitAtEntries(documentXml + '\n'),
    statement: splitAtEntries<StmtSlot>(statementXml + '\n'),
    entry: xmlTemplate<NtrySlot>(entryShape, 3),
    entryBytes: xmlByteTemplate<NtrySlot>(entryShape, 3)
  }
}

let cachedShapes: ReturnType<typeof shapes> | null = null

function information(m: Movement, currency: string): string {
  const coin = m.coin
  const what =
    m.kind === 'sale' ? `Sale ${m.entryNumber}`
    : m.kind === 'refund' ? `Refund ${m.entryNumber} of sale ${m.originalSaleNumber ?? ''}`
    : m.kind === 'cash-in' ? `Cash in ${m.entryNumber}: ${m.reason ?? ''}`
    : m.kind === 'cash-out' ? `Cash out ${m.entryNumber}: ${m.reason ?? ''}`
    : `Cash ${m.amountMinor > 0 ? 'over' : 'short'}: ${m.reason ?? ''}`
  const detail = coin
    ? `; token ${plainUnits(coin.tokenUnits, coin.tokenDecimals)} ${coin.tokenSymbol}; chain ${coin.chainName} (${coin.chainId}); tx ${coin.txHash}; log ${coin.logIndex}; block ${coin.blockNumber}; rate ${coin.rate} ${currency} (${coin.rateSource})${coin.late ? '; late' : ''}${'basis' in coin ? `; basis ${coin.basis}` : ''}`
    : ''
  return (what + detail).slice(0, 500)
}

const direction = (minor: number): string => (minor < 0 ? 'DBIT' : 'CRDT')

/** The camt.053's part in the one pass (day-pass.ts): an Ntry per movement, spooled per statement account. */
export function camtWriter(day: DaySettlement): (spools: SpoolSource) => DayWriter {
  return (spools) => {
    cachedShapes ??= shapes()
    const { document, statement, entry, entryBytes } = cachedShapes
    const currency = day.store.currency
    const money = minorFormatter(currency)
    const unsigned = (minor: number): string => money(Math.abs(minor))
    const created = isoUtc(day.periodEndMs)
    const bodies = new Map<AccountKey, SpoolLike>()
    const slots = (m: Movement): Record<NtrySlot, string> => ({
        ref: max35(m.id, 'NtryRef'),
        currency,
        amount: unsigned(m.amountMinor),
        direction: direction(m.amountMinor),
        date: day.businessDate,
        code: BANK_CODES[m.kind],
        info: information(m, currency)
      })
    const render = (m: Movement): string => entry(slots(m))
    return {
      entry(_entry, moved) {
        for (const m of moved) {
          let body = bodies.get(m.account)
          if (!body) bodies.set(m.account, (body = spools.spool(`camt053:${m.account}`)))
          // As bytes into the spool: the same bytes as render(m).
          entryBytes.into(body, slots(m))
        }
      },
      pieces(totals) {
        const pieces: (string | SpoolLike)[] = [document.before({ msgId: max35(`${day.store.tillId}-Z${day.zNumber}`, 'MsgId'), created })]
        const difference = differenceMovement(day, totals)
        for (const account of statementAccounts(day, totals)) {
          const slots = {
            id: max35(`${day.store.tillId}-Z${day.zNumber}-${account.accountId.slice(day.store.tillId.length + 1)}`, 'Stmt Id'),
            seq: String(day.zNumber),
            created,
            from: isoUtc(day.periodStartMs),
            to: isoUtc(day.periodEndMs),
            accountId: account.accountId.slice(0, 34),
            currency,
            accountName: account.label,
            openAmount: unsigned(account.openingMinor),
            openDirection: direction(account.openingMinor),
            closeAmount: unsigned(account.closingMinor),
            closeDirection: direction(account.closingMinor),
            date: day.businessDate
          }
          pieces.push(statement.before(slots))
          // By name, not from `bodies`: laid out from the walks of a day's ranges, this writer walked nothing (parallel.ts).
          const body = spools.find(`camt053:${account.key}`)
          if (body) pieces.push(body)
          if (difference && account.key === difference.account) pieces.push(render(difference))
          pieces.push(statement.after(slots))
        }
        pieces.push(document.after({ msgId: '', created }))
        return pieces
      }
    }
  }
}

export async function writeCamt053(day: DaySettlement, out: Writable, options: { readonly totals?: ZTotals } = {}): Promise<void> {
  await writeDayPass(day, [{ writer: camtWriter(day), out }], { totals: options.totals })
}
