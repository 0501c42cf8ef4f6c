// Token checks against the chain. A pinned address is necessary but not sufficient: before a till takes payments in
// a token it asks the contract itself (ERC-20 decimals() and symbol(), EIP-20 "OPTIONAL" methods that every
// stablecoin implements) and refuses loudly if the answer differs from the registry: a wrong decimals value would
// misprice every sale by powers of ten, a wrong symbol means the address is not the token we think it is.
import { Contract, getAddress, type Provider } from 'ethers'
import { TillError } from '../../shared/result'
import type { TokenInfo } from '../../shared/payment/tokens'

const ERC20_METADATA_ABI = ['function decimals() view returns (uint8)', 'function symbol() view returns (string)']

export class TokenMismatchError extends TillError {
  constructor(
    readonly token: TokenInfo,
    readonly found: { readonly decimals: number | null; readonly symbol: string | null },
    reason: string
  ) {
    super('conflict', `Token ${token.symbol} at ${token.address} on chain ${token.chainId} is not what the registry says: ${reason}`, {
      chainId: token.chainId,
      address: token.address,
      expectedDecimals: token.decimals,
      foundDecimals: found.decimals,
      foundSymbol: found.symbol
    })
    this.name = 'TokenMismatchError'
  }
}

export interface VerifiedToken {
  readonly decimals: number
  readonly symbol: string
}

export async function verifyTokenOnChain(provider: Provider, token: TokenInfo): Promise<VerifiedToken> {
  const address = getAddress(token.address)
  const code = await provider.getCode(address)
  if (code === '0x') throw new TokenMismatchError(token, { decimals: null, symbol: null }, 'no contract at that address')
  const contract = new Contract(address, ERC20_METADATA_ABI, provider)
  let decimals: number
  let symbol: string
  try {
    decimals = Number((await contract.getFunction('decimals')()) as bigint)
    symbol = (await contract.getFunction('symbol')()) as string
  } catch (e) {
    throw new TokenMismatchError(token, { decimals: null, symbol: null }, `decimals()/symbol() failed: ${e instanceof Error ? e.message.slice(0, 120) : String(e)}`)
  }
  if (decimals !== token.decimals) {
    throw new TokenMismatchError(token, { decimals, symbol }, `decimals() is ${decimals}, expected ${token.decimals}`)
  }
  if (!token.onChainSymbols.includes(symbol)) {
    throw new TokenMismatchError(token, { decimals, symbol }, `symbol() is "${symbol}", expected ${token.onChainSymbols.join(' or ')}`)
  }
  return { decimals, symbol }
}
