// The receipt code a return scans, and the customer's address as a wallet shows it (pure parsers in shared).
import { describe, expect, it } from 'vitest'
import { parseCustomerAddress } from '../../src/shared/payment/customer-address'
import { parseReceiptCode, saleReceiptCode } from '../../src/shared/sale/receipt-code'

const ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const TOKEN = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'

describe('receipt codes', () => {
  it('round-trips the QR form and reads the 12 characters printed after "Journal"', () => {
    const code = saleReceiptCode('T1-000042', '9F86D081884C7D659A2FEAA0C55AD015')
    expect(code).toBe('S:T1-000042:9f86d081884c')
    expect(parseReceiptCode(` ${code} `)).toEqual({ kind: 'code', saleId: 'T1-000042', hashPrefix: '9f86d081884c' })
    expect(parseReceiptCode('9F86D081884C')).toEqual({ kind: 'journal', hashPrefix: '9f86d081884c' })
    for (const bad of ['', '5901234123013', 'S:T1-000042:9f86', 'S::9f86d081884c', '9f86d081884g']) expect(parseReceiptCode(bad), bad).toBeNull()
  })
})

describe('customer addresses', () => {
  it('takes a plain address, an EIP-681 address with or without chain, and a token transfer request', () => {
    expect(parseCustomerAddress(` ${ADDRESS}\n`)).toEqual({ ok: true, address: ADDRESS, chainId: null })
    expect(parseCustomerAddress(`ethereum:${ADDRESS}`)).toEqual({ ok: true, address: ADDRESS, chainId: null })
    expect(parseCustomerAddress(`ethereum:pay-${ADDRESS}@8453`)).toEqual({ ok: true, address: ADDRESS, chainId: 8453 })
    expect(parseCustomerAddress(`ethereum:${TOKEN}@8453/transfer?address=${ADDRESS}&uint256=1`)).toEqual({ ok: true, address: ADDRESS, chainId: 8453 })
  })

  it('refuses what is not an address: a short one, another function, a transfer without a recipient', () => {
    for (const bad of ['0x1234', 'bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT', `ethereum:${TOKEN}/approve?address=${ADDRESS}`, `ethereum:${TOKEN}@1/transfer?uint256=1`, `${ADDRESS}00`]) {
      expect(parseCustomerAddress(bad), bad).toEqual({ ok: false, reason: 'not-an-address' })
    }
  })
})
