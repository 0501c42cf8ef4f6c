// The day's read (reports/from-ledger.ts) as SQLite plans it: a 1,000,000-sale day is only as fast as this plan, and
// a schema or query change that brings back a sort of the whole day or a table row per line fails here, before the
// bench would show it (bench/day.ts has the times).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OTHERS_SQL, SALES_SQL } from '../../../src/main/reports/from-ledger'
import { testTill, type TestTill } from '../../fixtures/till'

let till: TestTill
beforeAll(() => {
  till = testTill({ timeZone: 'UTC' })
})
afterAll(async () => {
  await till?.cleanup()
})

interface PlanStep {
  readonly parent: number
  readonly detail: string
}
const planOf = (sql: string): PlanStep[] => till.app.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0, 1, 'T1') as PlanStep[]
const plan = (sql: string): string[] => planOf(sql).map((r) => r.detail)

describe("the day's read", () => {
  it('walks the completed sales in journal order from the index, with no sort of the day', () => {
    const steps = plan(SALES_SQL)
    expect(steps).toContain('SEARCH p USING COVERING INDEX journal_kind_seq (kind=? AND seq>? AND seq<?)')
    // A sort at the top would order the whole day (its lines and tenders text too) before the first row; a sale's
    // own tenders are ordered in their subquery (one or two rows).
    expect(planOf(SALES_SQL).filter((s) => s.parent === 0 && s.detail.includes('TEMP B-TREE'))).toEqual([])
  })

  it("sums a sale's lines from the covering index of migration 0014, never their table rows", () => {
    expect(plan(SALES_SQL)).toContain('SEARCH l USING COVERING INDEX sale_lines_day_read (sale_id=? AND voided=?)')
  })

  it('reads the other kinds (voids, no-sales, cash movements) from the same index', () => {
    expect(plan(OTHERS_SQL).some((s) => s.startsWith('SEARCH p USING INDEX journal_kind_seq (kind=? AND seq>? AND seq<?)'))).toBe(true)
  })
})
