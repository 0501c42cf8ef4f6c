import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { buildPaymentUri, parsePaymentUri, PaymentUriError } from '../../../src/shared/payment/eip681'

const USDC = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'
const SHOP = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'

describe('EIP-681 payment URIs', () => {
  it('builds the ERC-20 transfer form with the chain id and an integer amount', () => {
    expect(buildPaymentUri({ tokenAddress: USDC, chainId: 1, to: SHOP, amount: 12_340_001n })).toBe(
      `ethereum:${USDC}@1/transfer?address=${SHOP}&uint256=12340001`
    )
  })

  it('round-trips any valid request', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 256n) - 1n }), fc.integer({ min: 1, max: 2 ** 40 }), (amount, chainId) => {
        const uri = buildPaymentUri({ tokenAddress: USDC, chainId, to: SHOP, amount })
        expect(parsePaymentUri(uri)).toEqual({ tokenAddress: USDC, chainId, to: SHOP, amount })
      })
    )
  })

  it.each([
    [`ethereum:${USDC}/transfer?address=${SHOP}&uint256=1`, 'no chain id'],
    [`ethereum:${USDC}@1/transfer?address=${SHOP}&uint256=1.5e6`, 'scientific notation'],
    [`ethereum:${USDC}@1/transfer?address=${SHOP}&uint256=1.5`, 'fraction'],
    [`ethereum:${USDC}@1/transfer?address=${SHOP}&uint256=0`, 'zero'],
    [`ethereum:${USDC}@1/transfer?address=${SHOP}&uint256=01`, 'leading zero'],
    [`ethereum:${USDC}@1/transfer?address=${SHOP}`, 'no amount'],
    [`ethereum:${USDC}@1/transfer?uint256=5`, 'no recipient'],
    [`ethereum:${USDC}@1/transfer?address=${SHOP}&uint256=5&uint256=6`, 'repeated'],
    [`ethereum:${USDC}@1/transfer?address=${SHOP}&uint256=5&gas=1`, 'extra parameter'],
    [`ethereum:${USDC}@1/approve?address=${SHOP}&uint256=5`, 'other function'],
    [`ethereum:${SHOP}@1?value=5`, 'plain ether send'],
    [`ethereum:0x1234@1/transfer?address=${SHOP}&uint256=5`, 'short address'],
    [`ethereum:${USDC}@1/transfer?address=${SHOP}&uint256=${(1n << 256n).toString()}`, 'beyond uint256']
  ])('refuses %s (%s)', (uri) => {
    expect(() => parsePaymentUri(uri)).toThrow(PaymentUriError)
  })

  it('refuses to build nonsense', () => {
    expect(() => buildPaymentUri({ tokenAddress: USDC, chainId: 0, to: SHOP, amount: 1n })).toThrow(PaymentUriError)
    expect(() => buildPaymentUri({ tokenAddress: USDC, chainId: 1, to: SHOP, amount: 0n })).toThrow(PaymentUriError)
    expect(() => buildPaymentUri({ tokenAddress: 'USDC', chainId: 1, to: SHOP, amount: 1n })).toThrow(PaymentUriError)
  })
})
