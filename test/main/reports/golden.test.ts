// The export bytes pinned: the seeded ledger day (seeded-ledger.ts), the sample day and a generated day, every
// format, as sha256 of the bytes the writers produced when these hashes were taken (before the one-pass export of
// bench/day.ts replaced the per-format passes). A change to any byte of any export fails here: the accountants'
// tools dedupe on the ids and some compare files, so a re-export of a day must be the same file. Each day is written
// per format (writeExport), all five from one pass (writeDayExports), and the same with every spool on disk.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXPORT_FORMATS, writeDayExports, writeExport, type ExportFormat } from '../../../src/main/reports'
import { daySettlementFromLedger } from '../../../src/main/reports/from-ledger'
import { StringSink } from '../../../src/main/reports/output'
import { computeZTotals, type DaySettlement } from '../../../src/main/reports/settlement'
import { HEAD_HASH, sampleDay, syntheticDay } from './fixtures'
import { seedLedgerDayBySql, type SeededDay } from './seeded-ledger'

const GOLDEN: Record<'ledger' | 'sample' | 'synthetic', Record<ExportFormat, string>> = {
  ledger: {
    csv: '4b155612f47b6ef883deb733dc6eb2281a95403cb9e8309a8962c4df587375be',
    ofx: '503e6126453651e5b5e92bd1d6559b1da723070e6a4f5da30df8974b8a0848b6',
    camt053: 'c4ee900e677304262f8381b295095177982c92bc20c249a84d168baab6dcf3af',
    hledger: '0aac89f69b384376db3ca40da9475ed3edd730420d940932ed09701bcde390ff',
    beancount: '8c56e3535a52812688a68cfb04cbfbec0d00cfbb6387c35e76ddb8264bf3f896'
  },
  sample: {
    csv: '854bf30dc78652288f6d0e99ece16226b351d665464af4230b91d6459e043acf',
    ofx: '2cf6bacce18df0c7f270b868d0a787f9de4695fc91267a56271c95fdd339dfdc',
    camt053: 'd0ca3f6023e261e6157b1273fd135fee5b3d3275cb7e5b55ff0c2e6ecb3246a7',
    hledger: '3db916f47aa839ad8469881039a65979bff8542f504e86bd908da3a4ab2d241e',
    beancount: '2a28924ed2c8aa9b6fe95f6c44768a51bf37ca3542f6f914ffa03db3cdcafc9a'
  },
  synthetic: {
    csv: 'fb7737ffe87a82cc7eb83a8b7a576926c1961c6cf5ffabf46a5138223732278f',
    ofx: 'e973c44e5e6226827a9aa14812f753801bbc40bf8aa324324b62710f46c920d0',
    camt053: 'fd83a7840eb966913927c51d0aec878883993caa2da6f004148ee40062c99be0',
    hledger: '2df86f0b23d8acb263c7edcc74ef588cd9f8d3b097a51ebdea46f1fec605078d',
    beancount: '4d72eddf057f2a33c3979add1458d6c11678628c1b21ef4cbf115aa7b88d242a'
  }
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')

/** All five from one pass (the Z folded in the same pass), with `spoolBudgetBytes` 0 every body goes through a temp file. */
async function onePassHashes(day: DaySettlement, spoolBudgetBytes?: number): Promise<Record<ExportFormat, string>> {
  const sinks = Object.fromEntries(EXPORT_FORMATS.map((f) => [f, new StringSink()])) as Record<ExportFormat, StringSink>
  const totals = await writeDayExports(day, sinks, { spoolBudgetBytes })
  expect(totals).toEqual(computeZTotals(day))
  return Object.fromEntries(EXPORT_FORMATS.map((f) => [f, sha256(sinks[f].bytes())])) as Record<ExportFormat, string>
}

async function hashes(day: DaySettlement): Promise<Record<ExportFormat, string>> {
  const totals = computeZTotals(day)
  const out: Partial<Record<ExportFormat, string>> = {}
  for (const format of EXPORT_FORMATS) {
    const sink = new StringSink()
    await writeExport(day, format, sink, { totals })
    out[format] = sha256(sink.bytes())
  }
  return out as Record<ExportFormat, string>
}

let seeded: SeededDay
beforeAll(() => {
  seeded = seedLedgerDayBySql(400)
})
afterAll(async () => {
  await seeded?.till.cleanup()
})

describe('the export bytes of a known day', () => {
  it('the seeded ledger day', async () => {
    // The journal head's hash covers the demo staff's salted PIN hashes (random per run): the journals print it in
    // their header, so it is pinned here; everything the day's own rows decide stays in the bytes.
    const read = daySettlementFromLedger(seeded.till.app.db, 'T1', seeded.z.zNumber, { timeZone: 'UTC' })
    const day: DaySettlement = { ...read, journal: { headSeq: read.journal.headSeq, headHash: HEAD_HASH } }
    const totals = computeZTotals(day)
    // The day is what the seed says: the hashes below are of a day with every kind of entry in it.
    expect(totals).toMatchObject({ salesCount: 400, voids: { count: 1 }, noSaleCount: 1, latePayments: { count: 1 }, drawer: { cashOutCount: 1, differenceMinor: -7 } })
    expect(totals.discountsMinor).toBeGreaterThan(0)
    expect(totals.tenders.tokens.map((t) => t.paymentCount)).toEqual([16])
    expect(await hashes(day)).toEqual(GOLDEN.ledger)
    expect(await onePassHashes(day)).toEqual(GOLDEN.ledger)
    expect(await onePassHashes(day, 0)).toEqual(GOLDEN.ledger)
  })

  it('the sample day', async () => {
    expect(await hashes(sampleDay())).toEqual(GOLDEN.sample)
    expect(await onePassHashes(sampleDay())).toEqual(GOLDEN.sample)
    expect(await onePassHashes(sampleDay(), 0)).toEqual(GOLDEN.sample)
  })

  it('a generated 2,000-sale day', async () => {
    expect(await hashes(syntheticDay(2000))).toEqual(GOLDEN.synthetic)
    expect(await onePassHashes(syntheticDay(2000))).toEqual(GOLDEN.synthetic)
    expect(await onePassHashes(syntheticDay(2000), 0)).toEqual(GOLDEN.synthetic)
  })
})
