import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Contract } from 'ethers'
import { verifyTokenOnChain, TokenMismatchError } from '../../../src/main/chain/registry'
import { isAnvilAvailable } from '../../../src/main/chain/anvil'
import type { TokenInfo } from '../../../src/shared/payment/tokens'
import { startTestChain, type TestChain } from '../../fixtures/anvil'

describe.skipIf(!isAnvilAvailable())('verifyTokenOnChain', () => {
  let chain: TestChain
  let usdc: Contract
  let usdt: Contract
  beforeAll(async () => {
    chain = await startTestChain()
    usdc = await chain.deploy('TestUSDC6')
    usdt = await chain.deploy('TetherStyle')
  })
  afterAll(async () => chain.stop())

  const entry = async (c: Contract, over: Partial<TokenInfo>): Promise<TokenInfo> => ({
    chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: await c.getAddress(), decimals: 6, bridged: false, source: 'test', ...over
  })

  it('accepts a token whose decimals() and symbol() match the registry', async () => {
    await expect(verifyTokenOnChain(chain.provider, await entry(usdc, {}))).resolves.toEqual({ decimals: 6, symbol: 'USDC' })
    await expect(verifyTokenOnChain(chain.provider, await entry(usdt, { symbol: 'USDT', onChainSymbols: ['USDT'] }))).resolves.toEqual({ decimals: 6, symbol: 'USDT' })
  })

  it('refuses a decimals mismatch loudly', async () => {
    const bad = verifyTokenOnChain(chain.provider, await entry(usdc, { decimals: 18 }))
    await expect(bad).rejects.toBeInstanceOf(TokenMismatchError)
    await expect(bad).rejects.toThrow(/decimals\(\) is 6, expected 18/)
  })

  it('refuses a symbol mismatch and an address without a contract', async () => {
    await expect(verifyTokenOnChain(chain.provider, await entry(usdt, {}))).rejects.toThrow(/symbol\(\) is "USDT"/)
    const empty: TokenInfo = { chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: '0x000000000000000000000000000000000000dEaD', decimals: 6, bridged: false, source: 'test' }
    await expect(verifyTokenOnChain(chain.provider, empty)).rejects.toThrow(/no contract/)
  })
})

describe.skipIf(!isAnvilAvailable())('RPC pool failover', () => {
  it('skips a dead endpoint, backs it off, and answers from the next', async () => {
    const { RpcPool } = await import('../../../src/main/chain/rpc')
    const chain = await startTestChain()
    const pool = new RpcPool(31337, ['http://127.0.0.1:9', chain.rpcUrl], { timeoutMs: 1000 })
    try {
      expect(await pool.send<string>('eth_blockNumber', [])).toMatch(/^0x/)
      const [dead, alive] = pool.health()
      expect(dead).toMatchObject({ consecutiveFailures: 1 })
      expect(dead!.retryAt).toBeGreaterThan(Date.now())
      expect(alive).toMatchObject({ consecutiveFailures: 0 })
      await pool.send('eth_blockNumber', [])
      expect(pool.health()[0]!.calls).toBe(1) // in backoff: not tried again
      expect(pool.allDown()).toBe(false)
    } finally {
      pool.destroy()
      await chain.stop()
    }
  })
})
