import { describe, expect, it } from 'vitest'
import { getAddress } from 'ethers'
import fc from 'fast-check'
import { floorToGrain, slotsPerTill, tagIndexFor, tagIndexOf, tagValue, topUpWithTag } from '../../../src/shared/payment/tags'
import { CHAINS, TOKENS, findToken } from '../../../src/shared/payment/tokens'
import { paymentSettingsSchema, defaultConfirmations } from '../../../src/shared/payment/settings'

describe('sub-cent tags', () => {
  it('till slices never overlap and stay below one cent', () => {
    const maxTills = 8
    const seen = new Set<number>()
    for (let till = 1; till <= maxTills; till++) {
      for (let slot = 1; slot <= slotsPerTill(maxTills); slot++) {
        const index = tagIndexFor(till, slot, maxTills)
        expect(seen.has(index)).toBe(false)
        seen.add(index)
        expect(tagValue(index, 6)).toBeLessThan(10_000n)
      }
    }
  })

  it('the sub-cent remainder of price + tag names the tag, for 6 and 18 decimals', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.integer({ min: 1, max: 9999 }), fc.constantFrom(6, 18), (units, tag, decimals) => {
        const price = floorToGrain(units * 10n ** BigInt(decimals - 6), decimals)
        expect(tagIndexOf(price + tagValue(tag, decimals), decimals)).toBe(tag)
      })
    )
  })

  it('a top-up carries the tag and covers what is missing by less than a cent more', () => {
    const topUp = topUpWithTag(2_340_000n, 7, 6)
    expect(topUp).toBe(2_340_007n)
    expect(topUpWithTag(2_339_999n, 1, 6)).toBe(2_340_001n)
    expect(tagIndexOf(topUp, 6)).toBe(7)
  })
})

describe('token registry', () => {
  it('every address is EIP-55 checksummed and every token is on a known chain', () => {
    for (const t of TOKENS) {
      expect(getAddress(t.address)).toBe(t.address)
      expect(CHAINS.some((c) => c.chainId === t.chainId)).toBe(true)
    }
  })

  it('BNB Smart Chain tokens have 18 decimals; bridged tokens are off unless enabled', () => {
    expect(findToken(56, 'USDC')?.decimals).toBe(18)
    expect(findToken(56, 'USDT')?.decimals).toBe(18)
    expect(findToken(8453, 'USDT')).toBeUndefined()
    expect(findToken(8453, 'USDT', { allowBridged: true })?.bridged).toBe(true)
    expect(findToken(42161, 'USDC')?.address).toBe('0xaf88d065e77c8cC2239327C5EDb3A432268e5831')
  })
})

describe('payment settings', () => {
  it('applies the documented defaults', () => {
    const s = paymentSettingsSchema.parse({ receive: { kind: 'address', address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' } })
    expect(s).toMatchObject({ requestExpiryMinutes: 15, rate: { kind: 'peg' }, tillNumber: 1, maxTills: 8, pollIntervalMs: 1000 })
    expect(defaultConfirmations(1)).toEqual({ kind: 'blocks', count: 12 })
    expect(defaultConfirmations(137)).toEqual({ kind: 'blocks', count: 64 })
    expect(defaultConfirmations(31337)).toEqual({ kind: 'blocks', count: 2 })
  })

  it('refuses a till number beyond maxTills and a bad address', () => {
    expect(paymentSettingsSchema.safeParse({ tillNumber: 9, maxTills: 8, receive: { kind: 'address', address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' } }).success).toBe(false)
    expect(paymentSettingsSchema.safeParse({ receive: { kind: 'address', address: 'shop' } }).success).toBe(false)
  })
})
