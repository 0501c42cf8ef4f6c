import { describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock } from '../../../src/shared/clock'
import { isAnvilAvailable, startDemoChain } from '../../../src/main/chain/demo'
import { PaymentService } from '../../../src/main/services/payments'
import { tempLedger } from '../../fixtures/ledger'

describe.skipIf(!isAnvilAvailable())('demo chain', () => {
  it('starts, deploys demo USDC, and a simulated customer payment settles a request', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stabletill-demo-'))
    const demo = await startDemoChain({ dataDir })
    const ledger = tempLedger()
    const service = new PaymentService({
      db: ledger.db,
      tillId: 'till-1',
      clock: new ManualClock(Date.now()),
      demoUsdcAddress: demo.usdcAddress,
      settings: {
        receive: { kind: 'address', address: demo.merchantAddress },
        chains: [{ chainId: demo.chainId, rpcUrls: [demo.rpcUrl], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 1 } }]
      }
    })
    try {
      await service.verifyTokens()
      await service.pollOnce()
      const req = await service.createRequest({ saleId: 's1', amountMinor: 350, currency: 'USD', token: 'USDC', chainId: demo.chainId })
      expect(req.chainName).toBe('Demo chain (local)')
      await demo.simulateCustomerPayment(req)
      await service.pollOnce()
      expect(service.get(req.id)).toMatchObject({ status: 'Paid', amountPaid: '3500001' })
    } finally {
      await service.stop()
      await demo.stop()
      ledger.cleanup()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
