// settings:test-rpc against nodes that are registry chains (test/fixtures/registry-chain.ts): the pinned contracts
// verified with no runtime tokens, per URL, and a URL of the other chain refused by its chain id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { savePaymentSettings, testRpcConnection } from '../../../src/main/services/payment-settings'
import { findToken } from '../../../src/shared/payment/tokens'
import { startRegistryChain, type RegistryChain } from '../../fixtures/registry-chain'
import { MERCHANT } from '../../fixtures/anvil'
import { systemClock } from '../../../src/shared/clock'
import { TillError } from '../../../src/shared/result'

let base: RegistryChain
let arbitrum: RegistryChain

describe('live RPC tests on two registry chains', () => {
  beforeAll(async () => {
    ;[base, arbitrum] = await Promise.all([startRegistryChain(8453, ['USDC']), startRegistryChain(42161, ['USDC', 'USDT'])])
  }, 60_000)
  afterAll(async () => {
    await base?.stop()
    await arbitrum?.stop()
  })

  it('each URL answers for its own chain with the pinned tokens; the other chain\'s URL is refused', async () => {
    const now = Date.now()
    const onBase = await testRpcConnection(8453, base.rpcUrl, { tokens: ['USDC'], now })
    expect(onBase).toMatchObject({ chainId: 8453, tokens: [{ symbol: 'USDC', address: findToken(8453, 'USDC')!.address, decimals: 6 }] })
    const onArbitrum = await testRpcConnection(42161, arbitrum.directUrl, { tokens: ['USDT', 'USDC'], now })
    expect(onArbitrum.tokens.map((t) => [t.symbol, t.address])).toEqual([
      ['USDT', findToken(42161, 'USDT')!.address],
      ['USDC', findToken(42161, 'USDC')!.address]
    ])
    await expect(testRpcConnection(42161, base.rpcUrl, { tokens: ['USDC'], now })).rejects.toMatchObject({ key: 'payset.wrong-chain', detail: { expected: 42161, actual: 8453 } })
    // Base has no issuer-made USDT in the registry: nothing to verify, refused by name.
    await expect(testRpcConnection(8453, base.rpcUrl, { tokens: ['USDT'], now })).rejects.toMatchObject({ key: 'payset.no-token' })
  })

  it('saving refuses a chain listed twice and a URL given twice, before any PIN is asked', async () => {
    let asked = 0
    const ctx = { db: null as never, clock: systemClock, tillId: 'T1', approve: () => (asked++, 'O1') }
    const chain = { chainId: 8453, rpcUrls: [base.rpcUrl], tokens: ['USDC' as const] }
    const twice = await savePaymentSettings(ctx, { receive: { kind: 'address', address: MERCHANT }, chains: [chain, chain] }).catch((e: unknown) => e)
    expect(twice).toBeInstanceOf(TillError)
    expect(twice).toMatchObject({ key: 'setup.chain-twice', detail: { chain: 'Base' } })
    const urlTwice = await savePaymentSettings(ctx, { receive: { kind: 'address', address: MERCHANT }, chains: [{ ...chain, rpcUrls: [base.rpcUrl, base.rpcUrl] }] }).catch((e: unknown) => e)
    expect(urlTwice).toMatchObject({ key: 'setup.url-twice', detail: { chain: 'Base', position: 2, first: 1 } })
    expect(asked).toBe(0)
  })
})
