import { afterEach, describe, expect, it } from 'vitest'
import { HDNodeWallet, Mnemonic } from 'ethers'
import { ManualClock } from '../../../src/shared/clock'
import { PaymentService } from '../../../src/main/services/payments'
import { extractJsonDecimal, HttpJsonRateProvider, normaliseRate } from '../../../src/main/chain/rates'
import { isAnvilAvailable } from '../../../src/main/chain/anvil'
import { tempLedger, type TempLedger } from '../../fixtures/ledger'
import { startTestChain, type TestChain } from '../../fixtures/anvil'

// A throwaway mnemonic for the test; only its neutered xpub reaches the service.
const XPUB = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase('test test test test test test test test test test test junk'), "m/44'/60'/0'/0").neuter().extendedKey

let cleanup: (() => Promise<void>) | null = null
afterEach(async () => {
  await cleanup?.()
  cleanup = null
})

describe.skipIf(!isAnvilAvailable())('per-request addresses from an xpub', () => {
  it('same-price requests get their own watch-only addresses; a round underpayment + top-up attributes by address', async () => {
    const chain: TestChain = await startTestChain()
    const ledger: TempLedger = tempLedger()
    const token = await chain.deploy('TestUSDC6')
    await chain.fund(token, 10n ** 12n)
    const latest = await chain.provider.getBlock('latest')
    let n = 0
    const service = new PaymentService({
      db: ledger.db,
      tillId: 'till-1',
      clock: new ManualClock(latest!.timestamp * 1000),
      newId: () => `pay-${++n}`,
      localTokens: [{ chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: await token.getAddress(), decimals: 6, bridged: false, source: 'test' }],
      settings: { receive: { kind: 'xpub', xpub: XPUB }, chains: [{ chainId: 31337, rpcUrls: [chain.rpcUrl], confirmations: { kind: 'blocks', count: 1 } }] },
      watcher: { startBacklog: 0 }
    })
    cleanup = async () => {
      await service.stop()
      await chain.stop()
      ledger.cleanup()
    }
    await service.pollOnce()
    const a = await service.createRequest({ saleId: 'a', amountMinor: 500, currency: 'USD', token: 'USDC', chainId: 31337 })
    const b = await service.createRequest({ saleId: 'b', amountMinor: 500, currency: 'USD', token: 'USDC', chainId: 31337 })
    expect(a.amountDue).toBe('5000000') // no tag needed
    expect(a.receiveAddress).not.toBe(b.receiveAddress)
    expect(a.receiveAddress).toBe(HDNodeWallet.fromExtendedKey(XPUB).deriveChild(1).deriveChild(0).address)
    await chain.pay(token, a.receiveAddress, 3_000_000n)
    await service.pollOnce()
    expect(service.get(a.id)).toMatchObject({ status: 'New', exception: 'PaidPartial', amountRemaining: '2000000' })
    await chain.pay(token, a.receiveAddress, 2_000_000n)
    await chain.pay(token, b.receiveAddress, 5_000_000n)
    await service.pollOnce()
    expect(service.get(a.id)).toMatchObject({ status: 'Paid', amountPaid: '5000000' })
    expect(service.get(b.id)).toMatchObject({ status: 'Paid', amountPaid: '5000000' })
  })
})

describe('rates', () => {
  it('reads a JSON number exactly, never through a float', () => {
    expect(extractJsonDecimal('{"data":{"rates":{"EUR":0.92153000000000000001,"x":"a\\"b"}}}', 'data.rates.EUR')).toBe('0.92153000000000000001')
    expect(normaliseRate('0.92153000000000000001')).toBe('0.92153')
    expect(() => normaliseRate('0')).toThrow()
    expect(() => normaliseRate('1e3')).toThrow()
  })

  it('HTTP rates are reused up to maxAgeSec, then a manual rate is required', async () => {
    const clock = new ManualClock()
    let up = true
    const provider = new HttpJsonRateProvider({ kind: 'http', url: 'http://rates.invalid/', jsonPath: 'usdc.{currency}', maxAgeSec: 60 }, clock, async () => {
      if (!up) throw new Error('offline')
      return { ok: true, status: 200, text: async () => '{"usdc":{"EUR":0.9215}}' }
    })
    expect(await provider.quote('EUR', 'USDC')).toMatchObject({ fiatPerToken: '0.9215', source: 'http' })
    up = false
    clock.advance(30_000)
    expect((await provider.quote('EUR', 'USDC')).fiatPerToken).toBe('0.9215')
    clock.advance(31_000)
    await expect(provider.quote('EUR', 'USDC')).rejects.toThrow(/manual rate/)
  })
})

describe('migration 0002-chain', () => {
  it('creates the payment tables with canonical-amount CHECKs', () => {
    const ledger = tempLedger()
    try {
      const tables = (ledger.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name)
      expect(tables).toEqual(expect.arrayContaining(['payment_requests', 'chain_cursor', 'chain_blocks', 'chain_logs', 'rates_manual']))
      const insertLog = ledger.db.prepare(
        `INSERT INTO chain_logs (chain_id, tx_hash, log_index, block_number, block_hash, block_time, token_address, from_address, to_address, value, seen_at)
         VALUES (1, '0xaa', 0, 1, '0xbb', 0, '0x', '0x', '0x', ?, 0)`
      )
      expect(() => insertLog.run('1.5')).toThrow(/CHECK/)
      expect(() => insertLog.run('0')).toThrow(/CHECK/)
      insertLog.run('12340001')
      // Keyed by (chain, tx, log index): a rescan cannot insert the same log twice.
      expect(() => insertLog.run('12340001')).toThrow(/UNIQUE|PRIMARY/)
    } finally {
      ledger.cleanup()
    }
  })
})
