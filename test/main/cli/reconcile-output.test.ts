// What `stabletill reconcile` prints: every amount in its token's own decimals. USDT on BNB Smart Chain has 18
// (the pinned registry), so 10.40 USDT there must read 10.40, not ten trillion.
import { expect, it } from 'vitest'
import { describeReconciliation } from '../../../src/main/cli/stabletill'
import type { ReconciledTransfer, Reconciliation } from '../../../src/main/services/reconcile'
import { findToken } from '../../../src/shared/payment/tokens'

const transfer = (value: string, extra: Partial<ReconciledTransfer> = {}): ReconciledTransfer => ({
  chainId: 56, txHash: `0x${'ab'.repeat(32)}`, logIndex: 2, blockNumber: 40_000_000, tokenSymbol: 'USDT', value, to: '0x0', from: '0x1',
  paymentId: null, saleId: null, ledgerValue: null, confirmations: 20, confirmationsRequired: 15, ...extra
})

it('prints BNB Smart Chain USDT (18 decimals) and Base USDC (6) each in its own decimals', () => {
  const bscUsdt = findToken(56, 'USDT')!
  const baseUsdc = findToken(8453, 'USDC')!
  expect(bscUsdt.decimals).toBe(18)
  const r: Reconciliation = {
    fromMs: 0,
    toMs: 1,
    clean: false,
    unreachable: [],
    chains: [
      { chainId: 56, chainName: 'BNB Smart Chain', fromBlock: 1, toBlock: 2, head: 3, matched: [transfer('10400000000000000000')], missing: [], pending: [],
        mismatched: [transfer('5000000000000000000', { saleId: 'sale-9', ledgerValue: '5500000000000000000' })],
        unexpected: [transfer('777000000000000')],
        totals: [{ tokenSymbol: 'USDT', ledger: '15900000000000000000', chain: '15400000000000000000', unexpected: '777000000000000' }] },
      { chainId: 8453, chainName: 'Base', fromBlock: 1, toBlock: 2, head: 3, matched: [], missing: [transfer('10400001', { chainId: 8453, tokenSymbol: 'USDC', saleId: 'sale-3' })], mismatched: [], unexpected: [], pending: [],
        totals: [{ tokenSymbol: 'USDC', ledger: '10400001', chain: '0', unexpected: '0' }] }
    ]
  }
  const lines: string[] = []
  describeReconciliation(r, [{ chainId: 56, tokens: [bscUsdt] }, { chainId: 8453, tokens: [baseUsdc] }], { out: (l) => lines.push(l) })
  const text = lines.join('\n')
  expect(text).toContain('USDT: ledger 15.900000000000000000, chain 15.400000000000000000, unexpected 0.000777000000000000')
  expect(text).toContain('mismatched: 5.000000000000000000 USDT (ledger 5.500000000000000000) tx')
  expect(text).toContain('USDC: ledger 10.400001, chain 0.000000, unexpected 0.000000')
  expect(text).toContain('missing: 10.400001 USDC tx')
})
