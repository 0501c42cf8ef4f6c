// Migration 0009 (returns): a return is final once completed or cancelled, its lines are never edited, a transfer
// settles one refund only, and a refund sale may be open beside the cashier's sale while one of each kind at most.
import { afterEach, describe, expect, it } from 'vitest'
import { tempLedger, type TempLedger } from '../../fixtures/ledger'

let ledger: TempLedger | null = null
afterEach(() => ledger?.cleanup())

function sale(id: string, number: number, kind: 'sale' | 'refund', status: 'open' | 'completed' = 'open') {
  ledger!.db
    .prepare("INSERT INTO sales (id, till_id, number, kind, status, currency, tax_mode, cashier, opened_at) VALUES (?, 'T1', ?, ?, ?, 'USD', 'exclusive', 'c', 0)")
    .run(id, number, kind, status)
}

describe('0009 returns', () => {
  it('allows one open sale and one open refund per till, never two of a kind', () => {
    ledger = tempLedger()
    sale('S1', 1, 'sale')
    sale('S2', 2, 'refund')
    expect(() => sale('S3', 3, 'sale')).toThrow(/UNIQUE/)
    expect(() => sale('S4', 4, 'refund')).toThrow(/UNIQUE/)
  })

  it('keeps a completed return final, its lines frozen, and one transfer for one refund', () => {
    ledger = tempLedger()
    const db = ledger.db
    sale('S1', 1, 'sale', 'completed')
    const insert = db.prepare(
      `INSERT INTO returns (id, till_id, number, original_sale_id, method, status, amount_minor, currency, approved_by, created_at,
         chain_id, token_symbol, token_address, token_decimals, from_address, to_address, amount_units, basis, rate, rate_source, from_block, tx_hash, log_index)
       VALUES (?, 'T1', ?, 'S1', 'stablecoin', 'awaiting-transfer', 100, 'USD', 'M1', 0, 1, 'USDC', ?, 6, ?, ?, '1000000', 'token', '1', 'peg', 5, ?, ?)`
    )
    const addr = (c: string) => `0x${c.repeat(40)}`
    insert.run('R1', 1, addr('a'), addr('b'), addr('c'), '0xhash', 0)
    expect(() => insert.run('R2', 2, addr('a'), addr('b'), addr('c'), '0xhash', 0)).toThrow(/UNIQUE/)
    // A stablecoin refund must say where it goes and how much.
    expect(() => db.prepare("INSERT INTO returns (id, till_id, number, original_sale_id, method, status, amount_minor, currency, approved_by, created_at) VALUES ('R3', 'T1', 3, 'S1', 'stablecoin', 'awaiting-transfer', 100, 'USD', 'M1', 0)").run()).toThrow(/CHECK/)
    // Completed needs its refund sale.
    expect(() => db.prepare("UPDATE returns SET status = 'completed' WHERE id = 'R1'").run()).toThrow(/CHECK/)
    db.prepare("UPDATE returns SET status = 'cancelled' WHERE id = 'R1'").run()
    expect(() => db.prepare("UPDATE returns SET status = 'awaiting-transfer' WHERE id = 'R1'").run()).toThrow(/final/)
    expect(() => db.prepare("DELETE FROM returns WHERE id = 'R1'").run()).toThrow(/never deleted/)
  })
})
