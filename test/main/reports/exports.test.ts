// Every export of the sample day, read back by the accountants' own tools (spawned), with totals equal to the Z.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeCamt053 } from '../../../src/main/reports/camt053'
import fc from 'fast-check'
import { stringify } from 'csv-stringify/sync'
import { CSV_COLUMNS, csvRecord, csvRecords, guardCell, numberCell, writeCsv } from '../../../src/main/reports/csv'
import { writeBeancount, writeLedgerJournal } from '../../../src/main/reports/journal'
import { movements } from '../../../src/main/reports/movements'
import { exportFileName } from '../../../src/main/reports'
import { writeOfx } from '../../../src/main/reports/ofx'
import { computeZTotals } from '../../../src/main/reports/settlement'
import { sampleDay } from './fixtures'
import { CAMT053_XSD, exportText, minorOf, run, runOk, tempDir, type Exporter } from './tools'

const day = sampleDay()
const z = computeZTotals(day)
const ids = [...movements(day, z)].map((m) => m.id)
let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.remove())

/** What each statement account must close at: the counted cash, each token's net takings. */
const expectedClosing = new Map<string, number>([['till-1-CASH', z.drawer.countedMinor], ['till-1-USDC-8453', 595], ['till-1-USDT-137', 2045]])

it('the sample day has one movement per tender, refund, cash movement and the over/short, with unique ids', () => {
  expect(ids).toHaveLength(7 + 2 + 2 + 1)
  expect(new Set(ids).size).toBe(ids.length)
  expect(ids).toContain('till-1-7-S105-1')
  expect(ids).toContain('till-1-7-D')
})

describe.each<[string, Exporter]>([
  ['csv', (d, out) => writeCsv(d, out)],
  ['ofx', (d, out) => writeOfx(d, out)],
  ['camt053', (d, out) => writeCamt053(d, out)],
  ['hledger/ledger journal', (d, out) => writeLedgerJournal(d, out)],
  ['beancount', (d, out) => writeBeancount(d, out)]
])('%s', (_name, exporter) => {
  it('is byte-identical when the same day is exported twice (no export time in it)', async () => {
    const first = await exportText(exporter, sampleDay())
    const second = await exportText(exporter, sampleDay())
    expect(first.length).toBeGreaterThan(500)
    expect(second).toBe(first)
    // No trace of the time of the export: only the day's own times (closing included) are written.
    const today = new Date().toISOString().slice(0, 10)
    expect(today).not.toBe(day.businessDate)
    expect(first).not.toContain(today)
    expect(first).not.toContain(today.replace(/-/g, ''))
  })
})

describe('CSV', () => {
  it('hledger reads it with a rules file; the accounts close at the Z figures and negatives stay numbers', async () => {
    const csv = tmp.write('day.csv', await exportText((d, out) => writeCsv(d, out), day))
    const rules = tmp.write(
      'day.rules',
      [
        'skip 1',
        'fields id, business_date, z_number, till_id, kind, entry_number, entry_id, time_utc, cashier, tender, token_symbol, chain_id, chain_name, token_amount, amount, currency, rate, rate_source, tx_hash, log_index, block_number, network_fee, original_sale, note',
        'date %business_date',
        'date-format %Y-%m-%d',
        'code %id',
        'description %kind %entry_number',
        'amount %amount',
        'account1 Assets:Cash',
        'account2 Equity:Till',
        'if %tender stablecoin',
        '  account1 Assets:Clearing:%token_symbol:%chain_id',
        ''
      ].join('\n')
    )
    const balances = balancesFromCsv(runOk('hledger', ['-f', csv, '--rules-file', rules, 'bal', '-O', 'csv']), (v) => v.replace(day.store.currency, ''))
    // The drawer moves by counted − float (the float is not a movement).
    expect(balances.get('Assets:Cash')).toBe(z.drawer.countedMinor - z.drawer.floatMinor)
    expect(balances.get('Assets:Clearing:USDC:8453')).toBe(z.tenders.tokens[0]!.netMinor)
    expect(balances.get('Assets:Clearing:USDT:137')).toBe(z.tenders.tokens[1]!.netMinor)
    const codes = runOk('hledger', ['-f', csv, '--rules-file', rules, 'codes']).trim().split('\n')
    expect(codes).toEqual(ids)
  })

  it('RFC 4180: CRLF records, a header naming the columns, quotes doubled; formula cells guarded, amounts not', async () => {
    const text = await exportText((d, out) => writeCsv(d, out), day)
    expect(text.startsWith('id,business_date,z_number,till_id,kind,')).toBe(true)
    expect(text.split('\r\n')).toHaveLength(1 + ids.length + 1)
    expect(text.endsWith('\r\n')).toBe(true)
    // The cash-out reason "=HYPERLINK(…)" is text, not a formula.
    expect(text).toContain(`,"'=HYPERLINK(""http://x"",""Bank deposit"")"\r\n`)
    // A refund's amount and token amount stay bare negative numbers.
    expect(text).toContain(',-12.791572,-11.90,EUR,')
    expect(text).toMatch(/^till-1-7-M2,.*,-20\.00,EUR,/m)
    expect(guardCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(guardCell('+1')).toBe("'+1")
    expect(guardCell('\tx')).toBe("'\tx")
    expect(guardCell('Ann')).toBe('Ann')
    expect(numberCell('-0.9303')).toBe('-0.9303')
    expect(numberCell('-1+1')).toBe("'-1+1")
  })

  it('is byte for byte what csv-stringify writes for the same records (the fast path changes nothing)', async () => {
    const text = await exportText((d, out) => writeCsv(d, out), day)
    expect(text).toBe(stringify([...csvRecords(day, z)], { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows' }))
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', '=', 'é', '中', "'") }), { minLength: 1, maxLength: 5 }), (fields) => {
        expect(csvRecord(fields)).toBe(stringify([fields], { record_delimiter: 'windows' }))
      })
    )
  })

  it("a cash sale's record (written from one template) is what csv-stringify writes, whatever the cashier and the sale's id hold", async () => {
    const text = fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', '=', '-', 'é', '中', "'") })
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(text, text), { minLength: 1, maxLength: 4 }), async (sales) => {
        const cashSales = sales.map(([cashier, id], i) => ({ kind: 'sale' as const, id, number: i + 1, at: Date.UTC(2026, 0, 15, 9, 0, i), cashier, taxes: [{ name: 'VAT', ratePpm: 0, netMinor: i * 101, taxMinor: 0 }], grossMinor: i * 101, discountMinor: 0, tenders: [{ kind: 'cash' as const, amountMinor: i * 101 }] }))
        const many = sampleDay({ entries: cashSales })
        const totals = computeZTotals(many)
        const written = await exportText((d, out) => writeCsv(d, out, { totals }), many)
        expect(written).toBe(stringify([...csvRecords(many, totals)], { header: true, columns: [...CSV_COLUMNS], record_delimiter: 'windows' }))
      }),
      { numRuns: 200 }
    )
  })

  it('the BOM option puts U+FEFF first and changes nothing else', async () => {
    const plain = await exportText((d, out) => writeCsv(d, out), day)
    const withBom = await exportText((d, out) => writeCsv(d, out, { bom: true }), day)
    expect(Buffer.from(withBom, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    expect(withBom.slice(1)).toBe(plain)
  })
})

describe('OFX', () => {
  it('ofxdump reads it (exit 0) and lists every transaction with its FITID, per account, totalling the Z', async () => {
    const file = tmp.write('day.ofx', await exportText((d, out) => writeOfx(d, out), day))
    const r = run('ofxdump', [file])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr).not.toMatch(/LibOFX ERROR/)
    const sums = new Map<string, number>()
    const fitids: string[] = []
    for (const block of r.stdout.split('ofx_proc_transaction():').slice(1)) {
      const account = /Account ID : \S+\s+(\S+)/.exec(block)?.[1] ?? ''
      const amount = minorOf(/Total money amount: (\S+)/.exec(block)?.[1] ?? 'x')
      fitids.push(/Financial institution's ID for this transaction: (\S+)/.exec(block)?.[1] ?? '')
      sums.set(account, (sums.get(account) ?? 0) + amount)
    }
    expect(fitids.sort()).toEqual([...ids].sort())
    expect(sums.get('till-1-CASH')).toBe(z.drawer.countedMinor - z.drawer.floatMinor)
    expect(sums.get('till-1-USDC-8453')).toBe(595)
    expect(sums.get('till-1-USDT-137')).toBe(2045)
    const ledgerBalances = new Map<string, number>()
    for (const block of r.stdout.split('ofx_proc_statement():').slice(1)) {
      const account = /Account ID: \S+\s+(\S+)/.exec(block)?.[1] ?? ''
      ledgerBalances.set(account, minorOf(/Ledger balance: (\S+)/.exec(block)?.[1] ?? 'x'))
    }
    expect(ledgerBalances).toEqual(expectedClosing)
  })
})

describe('camt.053.001.08', () => {
  it('validates against the ISO 20022 schema, and each statement closes at OPBD + credits − debits = the Z', async () => {
    const file = tmp.write('day.xml', await exportText((d, out) => writeCamt053(d, out), day))
    const r = run('xmllint', ['--noout', '--schema', CAMT053_XSD, file])
    expect(r.status, r.stderr).toBe(0)
    const xpath = (expr: string): string => runOk('xmllint', ['--xpath', expr, file]).trim()
    const stmt = (i: number, rest: string): string => `//*[local-name()='Stmt'][${i}]${rest}`
    expect(xpath(`count(//*[local-name()='Stmt'])`)).toBe('3')
    for (let i = 1; i <= 3; i++) {
      const accountId = xpath(`string(${stmt(i, "/*[local-name()='Acct']/*[local-name()='Id']/*[local-name()='Othr']/*[local-name()='Id']")})`)
      const sum = (direction: string): number =>
        minorOf(Number(xpath(`sum(${stmt(i, `/*[local-name()='Ntry'][*[local-name()='CdtDbtInd']='${direction}']/*[local-name()='Amt']`)})`)).toFixed(2))
      const balance = (type: string): number => {
        const amount = minorOf(xpath(`string(${stmt(i, `/*[local-name()='Bal'][.//*[local-name()='Cd']='${type}']/*[local-name()='Amt']`)})`))
        const direction = xpath(`string(${stmt(i, `/*[local-name()='Bal'][.//*[local-name()='Cd']='${type}']/*[local-name()='CdtDbtInd']`)})`)
        return direction === 'DBIT' ? -amount : amount
      }
      expect(balance('OPBD') + sum('CRDT') - sum('DBIT'), accountId).toBe(balance('CLBD'))
      expect(balance('CLBD'), accountId).toBe(expectedClosing.get(accountId))
    }
    const refs = xpath(`//*[local-name()='Ntry']/*[local-name()='NtryRef']/text()`).split(/\s+/)
    expect(refs.sort()).toEqual([...ids].sort())
    // The stablecoin details ride in the entry's additional information.
    const info = xpath(`string(//*[local-name()='Ntry'][*[local-name()='NtryRef']='till-1-7-S102-0']/*[local-name()='AddtlNtryInf'])`)
    expect(info).toContain('token 12.791572 USDC; chain Base (8453); tx 0x')
    expect(info).toContain('rate 0.9303 EUR (http)')
  })
})

describe('hledger / ledger journal', () => {
  let file = ''
  beforeAll(async () => {
    file = tmp.write('day.journal', await exportText((d, out) => writeLedgerJournal(d, out), day))
  })

  it('passes hledger check --strict and ledger --pedantic', () => {
    runOk('hledger', ['-f', file, 'check', '--strict'])
    runOk('ledger', ['-f', file, '--pedantic', 'bal'])
  })

  it('hledger and ledger balances equal the Z: clearing per token and chain, sales, returns and tax per rate', () => {
    const hledger = balancesFromCsv(runOk('hledger', ['-f', file, 'bal', '-O', 'csv']), (v) => v.replace(` ${day.store.currency}`, ''))
    const ledgerOut = runOk('ledger', ['-f', file, '--pedantic', 'bal', '--flat', '--no-total', '--format', '%(account)|%(scrub(display_total))\n'])
    const ledger = new Map(ledgerOut.trim().split('\n').map((line) => {
      const [account, amount] = line.split('|') as [string, string]
      return [account, minorOf(amount.replace(` ${day.store.currency}`, ''))]
    }))
    for (const balances of [hledger, ledger]) expectBooksMatchZ(balances)
  })

  it('every transaction has its stable id as its code', () => {
    const codes = runOk('hledger', ['-f', file, 'codes']).trim().split('\n')
    expect(codes).toEqual(JOURNAL_IDS)
    const tagged = runOk('hledger', ['-f', file, 'reg', 'tag:tx-hash', '-O', 'csv'])
    expect(tagged).toContain('Assets:Clearing:USDC:Base')
  })
})

const JOURNAL_IDS = ['till-1-7-S101', 'till-1-7-S102', 'till-1-7-S103', 'till-1-7-S104', 'till-1-7-R1', 'till-1-7-M1', 'till-1-7-S105', 'till-1-7-S106', 'till-1-7-R2', 'till-1-7-M2', 'till-1-7-D']

describe('Beancount', () => {
  it('passes bean-check; bean-query balances equal the Z and ids are the metadata', async () => {
    const file = tmp.write('day.beancount', await exportText((d, out) => writeBeancount(d, out), day))
    runOk('bean-check', [file])
    const out = runOk('bean-query', ['-f', 'csv', file, 'SELECT account, sum(number) AS total GROUP BY account ORDER BY account'])
    const balances = new Map(out.trim().split('\n').slice(1).map((line) => {
      const [account, total] = line.split(',') as [string, string]
      return [account.trim(), minorOf(total)]
    }))
    expectBooksMatchZ(balances)
    const idsOut = runOk('bean-query', ['-f', 'csv', file, "SELECT DISTINCT entry_meta('id') AS id"])
    expect(idsOut.trim().split('\n').slice(1).map((s) => s.trim()).sort()).toEqual([...JOURNAL_IDS].sort())
  })
})

function balancesFromCsv(csv: string, clean: (value: string) => string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of csv.trim().split('\n').slice(1)) {
    const m = /^"([^"]*)","([^"]*)"$/.exec(line.trim())
    if (!m || m[1] === 'total') continue
    out.set(m[1]!, minorOf(clean(m[2]!)))
  }
  return out
}

function expectBooksMatchZ(balances: Map<string, number>): void {
  expect(balances.get('Assets:Cash:Till1')).toBe(z.drawer.countedMinor - z.drawer.floatMinor)
  expect(balances.get('Assets:Clearing:USDC:Base')).toBe(z.tenders.tokens[0]!.netMinor)
  expect(balances.get('Assets:Clearing:USDT:PolygonPoS')).toBe(z.tenders.tokens[1]!.netMinor)
  for (const t of z.taxes) {
    const name = `VAT-${t.ratePpm / 10_000}`
    expect(balances.get(`Income:Sales:${name}`)).toBe(-t.salesNetMinor)
    expect(balances.get(`Income:Returns:${name}`)).toBe(t.returnsNetMinor)
    expect(balances.get(`Liabilities:Tax:${name}`)).toBe(-t.taxMinor)
  }
  expect(balances.get('Income:Overpayments')).toBe(-z.overpayments.amountMinor)
  expect(balances.get('Expenses:Underpayments')).toBe(z.underpayments.amountMinor)
  expect(balances.get('Expenses:CashOverShort')).toBe(-z.drawer.differenceMinor)
  expect(balances.get('Assets:Cash:Transfers')).toBe(z.drawer.cashOutMinor - z.drawer.cashInMinor)
}

it('one file name per till, day, Z and format, so a re-export overwrites instead of adding a file', () => {
  expect(exportFileName(day, 'camt053')).toBe('till-1_2026-01-15_Z7.camt053.xml')
  expect(exportFileName(day, 'hledger')).toBe('till-1_2026-01-15_Z7.journal')
  expect(exportFileName(sampleDay(), 'csv')).toBe(exportFileName(day, 'csv'))
})

it('a missing tool fails the test with the package to install, never a silent skip', () => {
  expect(() => run('stabletill-no-such-tool', [])).toThrow(/stabletill-no-such-tool is not installed: apt-get install/)
})
