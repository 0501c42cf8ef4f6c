// EIP-681 payment requests for an ERC-20 transfer:
//   ethereum:<token contract>@<chain id>/transfer?address=<recipient>&uint256=<amount in base units>
// (EIP-681 "Transaction Request URL"; ERC-20 transfer(address,uint256)). We always include the chain id so a wallet
// on another chain cannot send the right token to the wrong chain, and the amount is an integer in base units:
// EIP-681 allows "2.014e18" scientific notation, but wallets disagree on it, so we never emit it and the strict
// parser refuses it. The `pay-` prefix (EIP-681 for non-send transactions) is not used: wallets read the bare form.
// Pure: no ethers in shared. Addresses are checked for shape here; EIP-55 checksums are produced by main.

export interface PaymentUriInput {
  readonly tokenAddress: string
  readonly chainId: number
  readonly to: string
  readonly amount: bigint
}

export interface ParsedPaymentUri {
  readonly tokenAddress: string
  readonly chainId: number
  readonly to: string
  readonly amount: bigint
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const UINT = /^(0|[1-9][0-9]*)$/
const UINT256_MAX = (1n << 256n) - 1n

export class PaymentUriError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PaymentUriError'
  }
}

function checkChainId(chainId: number): void {
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new PaymentUriError(`bad chain id ${chainId}`)
}

export function buildPaymentUri(input: PaymentUriInput): string {
  if (!ADDRESS.test(input.tokenAddress)) throw new PaymentUriError(`bad token address ${input.tokenAddress}`)
  if (!ADDRESS.test(input.to)) throw new PaymentUriError(`bad recipient ${input.to}`)
  checkChainId(input.chainId)
  if (input.amount <= 0n || input.amount > UINT256_MAX) throw new PaymentUriError('amount must be a positive uint256')
  return `ethereum:${input.tokenAddress}@${input.chainId}/transfer?address=${input.to}&uint256=${input.amount.toString()}`
}

/**
 * Strict parser, as a careful wallet would read our own URIs: exactly the ERC-20 transfer form with a chain id,
 * one `address` and one `uint256` parameter, integer amount, nothing else. Throws PaymentUriError otherwise.
 */
export function parsePaymentUri(uri: string): ParsedPaymentUri {
  const m = /^ethereum:(0x[0-9a-fA-F]{40})@([1-9][0-9]*)\/transfer\?([^#]*)$/.exec(uri)
  if (!m) throw new PaymentUriError(`not an EIP-681 ERC-20 transfer request with a chain id: ${uri}`)
  const tokenAddress = m[1]!
  const chainId = Number(m[2])
  checkChainId(chainId)
  const params = new Map<string, string>()
  for (const pair of m[3]!.split('&')) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new PaymentUriError(`bad parameter "${pair}"`)
    const key = pair.slice(0, eq)
    if (params.has(key)) throw new PaymentUriError(`parameter ${key} repeated`)
    params.set(key, pair.slice(eq + 1))
  }
  for (const key of params.keys()) {
    if (key !== 'address' && key !== 'uint256') throw new PaymentUriError(`unexpected parameter ${key}`)
  }
  const to = params.get('address')
  const amountText = params.get('uint256')
  if (!to || !ADDRESS.test(to)) throw new PaymentUriError('missing or bad address parameter')
  if (!amountText || !UINT.test(amountText)) throw new PaymentUriError('missing or non-integer uint256 parameter')
  const amount = BigInt(amountText)
  if (amount <= 0n || amount > UINT256_MAX) throw new PaymentUriError('amount out of range')
  return { tokenAddress, chainId, to, amount }
}
