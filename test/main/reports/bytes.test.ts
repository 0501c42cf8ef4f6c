// The records written as bytes straight into a spool (bytes.ts, Spool.room) are byte for byte the strings they
// replace: the text functions against Buffer.from, the XML byte templates against the string templates, and a
// journal's cash sales (cashSaleBytes) against the transactions rendered as text, whatever the cashier, the
// sale's id, its taxes, discount and tenders hold.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maxUint, maxUtf8, putText, putUint } from '../../../src/main/reports/bytes'
import { SpoolSet, writeDayPass } from '../../../src/main/reports/day-pass'
import { beancountWriter, ledgerJournalWriter } from '../../../src/main/reports/journal'
import { StringSink } from '../../../src/main/reports/output'
import { computeZTotals, type SaleEntry } from '../../../src/main/reports/settlement'
import { compileByteTemplate, compileTemplate } from '../../../src/main/reports/xml-template'
import { sampleDay } from './fixtures'

const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '"', '\\', '&', '<', '>', '\n', '\r', '\t', '\u0001', ';', 'é', '中', '😀', '\ud800') })

describe('bytes.ts', () => {
  it('putText writes what Buffer.from writes, within maxUtf8; putUint what String() writes, within maxUint', () => {
    const b = Buffer.alloc(4096)
    fc.assert(
      fc.property(text, fc.nat(), (s, offset) => {
        const at = offset % 64
        const end = putText(b, at, s)
        expect(end - at).toBeLessThanOrEqual(maxUtf8(s))
        expect(b.subarray(at, end).equals(Buffer.from(s, 'utf8'))).toBe(true)
      }),
      { numRuns: 500 }
    )
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constantFrom(0, 9, 10, 99, 100, Number.MAX_SAFE_INTEGER)), (n) => {
        const end = putUint(b, 3, n)
        expect(end - 3).toBeLessThanOrEqual(maxUint(n))
        expect(b.toString('utf8', 3, end)).toBe(String(n))
      }),
      { numRuns: 500 }
    )
  })

  it("an XML byte template writes its string template's bytes, escapes included, after text already appended", async () => {
    const xml = '<Ntry Ccy="{{currency}}">\n  <Ref>{{ref}}</Ref>\n  <Info>{{info}}</Info>\n</Ntry>\n'
    const asText = compileTemplate<'currency' | 'ref' | 'info'>(xml)
    const asBytes = compileByteTemplate<'currency' | 'ref' | 'info'>(xml)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(text, text, text), { minLength: 1, maxLength: 6 }), async (rows) => {
        const spools = new SpoolSet()
        try {
          const spool = spools.spool('x')
          let expected = ''
          for (const [currency, ref, info] of rows) {
            spool.append(`<!-- ${ref} -->\n`)
            asBytes.into(spool, { currency, ref, info })
            expected += `<!-- ${ref} -->\n` + asText({ currency, ref, info })
          }
          const sink = new StringSink()
          await spool.drainTo(sink)
          expect(sink.bytes().equals(Buffer.from(expected, 'utf8'))).toBe(true)
        } finally {
          spools.close()
        }
      }),
      { numRuns: 200 }
    )
  })
})

describe("a journal's cash sales written as bytes", () => {
  const tax = fc.record({ name: fc.constantFrom('VAT', 'Sales tax', 'Food'), ratePpm: fc.constantFrom(0, 70_000, 190_000), netMinor: fc.integer({ min: 0, max: 100_000 }), taxMinor: fc.integer({ min: 0, max: 20_000 }) })
  const sale = fc.record({
    cashier: text,
    id: text,
    taxes: fc.array(tax, { minLength: 1, maxLength: 3 }),
    discountMinor: fc.constantFrom(0, 0, 1, 250),
    split: fc.constantFrom(1, 2),
    // Now and then a sale paid over its price (cash alone never is; the slow path writes it).
    over: fc.constantFrom(0, 0, 0, 5)
  })

  it('are the bytes of their transactions rendered as text (hledger and Beancount), big-day spools on disk too', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(sale, { minLength: 1, maxLength: 6 }), fc.constantFrom(undefined, 0), async (sales, spoolBudgetBytes) => {
        const entries: SaleEntry[] = sales.map((s, i) => {
          const gross = s.taxes.reduce((sum, t) => sum + t.netMinor + t.taxMinor, 0)
          const first = Math.floor(gross / s.split)
          const tenders = s.split === 1 ? [{ kind: 'cash' as const, amountMinor: gross + s.over }] : [{ kind: 'cash' as const, amountMinor: first }, { kind: 'cash' as const, amountMinor: gross - first + s.over }]
          return { kind: 'sale', id: s.id, number: i + 1, at: Date.UTC(2026, 0, 15, 9, 0, i, i * 7), cashier: s.cashier, taxes: s.taxes, grossMinor: gross, discountMinor: s.discountMinor, tenders }
        })
        const day = sampleDay({ entries })
        // The Z refuses cash paid over the price: its totals (the journals' headers, the same for both) without the over.
        const totals = computeZTotals({ ...day, entries: entries.map((e) => ({ ...e, tenders: [{ kind: 'cash', amountMinor: e.grossMinor }] })) })
        const write = async (recordsAsBytes: boolean): Promise<[Buffer, Buffer]> => {
          const hledger = new StringSink()
          const beancount = new StringSink()
          await writeDayPass(day, [{ writer: ledgerJournalWriter(day, { recordsAsBytes }), out: hledger }, { writer: beancountWriter(day, { recordsAsBytes }), out: beancount }], { totals, spoolBudgetBytes })
          return [hledger.bytes(), beancount.bytes()]
        }
        const [fast, slow] = [await write(true), await write(false)]
        expect(fast[0].toString('utf8')).toBe(slow[0].toString('utf8'))
        expect(fast[0].equals(slow[0])).toBe(true)
        expect(fast[1].equals(slow[1])).toBe(true)
      }),
      { numRuns: 150 }
    )
  })
})
