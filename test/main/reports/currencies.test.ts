// A store in a currency without minor units (JPY) or with three (KWD), and with Chinese names: every export is
// read back by its accountant's tool, each amount with the currency's own decimals, the names intact.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXPORT_FORMATS, exportFileName, writeExport, type ExportFormat } from '../../../src/main/reports'
import { plainMinor } from '../../../src/main/reports/format'
import { computeZTotals, type DayEntry } from '../../../src/main/reports/settlement'
import { currencyExponent } from '../../../src/shared/money'
import { sampleDay, sampleEntries } from './fixtures'
import { CAMT053_XSD, exportText, minorOf, runOk, tempDir } from './tools'

let tmp: ReturnType<typeof tempDir>
beforeAll(() => {
  tmp = tempDir()
})
afterAll(() => tmp.remove())

/** The sample day's amounts read as minor units of `currency`, sold by 王小明 in 街角小店. */
function dayIn(currency: string) {
  const base = sampleDay()
  const entries = sampleEntries().map((e) => ('cashier' in e ? { ...e, cashier: '王小明' } : e) as DayEntry)
  return sampleDay({ store: { ...base.store, currency, name: '街角小店' }, entries, cash: { ...base.cash, differenceReason: '少了一枚硬币' } })
}

describe.each(['JPY', 'KWD'])('a %s store', (currency) => {
  const day = dayIn(currency)
  const z = computeZTotals(day)
  const exponent = currencyExponent(currency)
  const files = new Map<ExportFormat, string>()
  beforeAll(async () => {
    for (const format of EXPORT_FORMATS) files.set(format, tmp.write(`${currency}-${exportFileName(day, format)}`, await exportText((d, out) => writeExport(d, format, out), day)))
  }, 60_000)

  it('hledger check --strict and ledger --pedantic read its journal; the drawer account is counted − float, in whole or 3-decimal units', () => {
    const file = files.get('hledger')!
    runOk('hledger', ['-f', file, 'check', '--strict'])
    const drawer = runOk('hledger', ['-f', file, 'bal', 'Assets:Cash:Till1', '--no-total']).trim()
    expect(drawer).toBe(`${plainMinor(z.drawer.countedMinor - day.cash.floatMinor, exponent)} ${currency}  Assets:Cash:Till1`)
    const ledger = runOk('ledger', ['-f', file, '--pedantic', 'bal', 'Assets:Cash:Till1', '--format', '%(scrub(display_total))\n']).trim()
    expect(minorOf(ledger.replace(` ${currency}`, ''), exponent)).toBe(z.drawer.countedMinor - day.cash.floatMinor)
  }, 60_000)

  it('bean-check reads its Beancount file', () => {
    runOk('bean-check', [files.get('beancount')!])
  }, 60_000)

  it('the CSV, OFX and camt.053 carry the amounts with the currency\'s decimals and the Chinese names', () => {
    const text = readFileSync(files.get('csv')!, 'utf8')
    expect(text).toContain(`,${plainMinor(900, exponent)},${currency},`)
    expect(text).toContain('王小明')
    expect(text).toContain('少了一枚硬币')
    runOk('ofxdump', [files.get('ofx')!])
    expect(readFileSync(files.get('ofx')!, 'utf8')).toContain(`<TRNAMT>${plainMinor(900, exponent)}</TRNAMT>`)
    runOk('xmllint', ['--noout', '--schema', CAMT053_XSD, files.get('camt053')!])
    expect(readFileSync(files.get('camt053')!, 'utf8')).toContain(`<Amt Ccy="${currency}">${plainMinor(900, exponent)}</Amt>`)
  }, 60_000)
})
