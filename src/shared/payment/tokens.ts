// Token registry: the only token contracts a till will ever credit. Pure data (no ethers) so the UI can show it.
//
// Why pinned addresses: an ERC-20 "USDC" is whatever contract a wallet points at; anyone can deploy a token with
// symbol "USDC" (the look-alike test covers this). A payment counts only when the Transfer log comes from the exact
// contract below (ERC-20 Transfer event, EIP-20). Addresses are EIP-55 checksummed; a test re-checksums every one.
//
// Sources (checked 2026 through the search tool; each row names its own):
//   [circle]  Circle, "USDC Contract Addresses", https://developers.circle.com/stablecoins/usdc-contract-addresses
//             (mainnet and testnet tables; the same values are repeated by Gelato's and Interlace's docs).
//   [tether]  Tether, "Supported Protocols", https://tether.to/en/supported-protocols/ lists Ethereum, Avalanche and
//             Polygon ERC-20 USDT; the per-chain addresses were cross-checked on the chains' explorers as quoted by
//             several integrators (not on a Tether page with addresses: Tether publishes none for L2s).
//   [explorer] the chain's own block explorer token page (etherscan/basescan/arbiscan/...).
// Where a row says UNCONFIRMED-BY-ISSUER the issuer does not list that contract; it is pinned from explorers and
// integrator lists only, and is disabled unless a store enables it.

export type TokenSymbol = 'USDC' | 'USDT'

export interface ChainInfo {
  readonly chainId: number
  readonly name: string
  /** Block explorer transaction URL with `{tx}` where the hash goes. Null for the local demo chain. */
  readonly explorerTxUrl: string | null
  readonly testnet: boolean
}

export interface TokenInfo {
  readonly chainId: number
  readonly symbol: TokenSymbol
  /**
   * What the contract's symbol() may return (bridged tokens say "USDC.e"/"USDbC"; Tether renamed some deployments
   * to USD₮0/USDT0 when it moved them to its OFT bridge). verifyTokenOnChain refuses anything else.
   */
  readonly onChainSymbols: readonly string[]
  readonly address: string
  readonly decimals: number
  /** A bridged look-alike (USDC.e, USDbC, bridged USDT): not the issuer's own token; disabled unless enabled per store. */
  readonly bridged: boolean
  readonly source: string
}

export const DEMO_CHAIN_ID = 31337

export const CHAINS: readonly ChainInfo[] = [
  // Chain ids: EIP-155 registry (chainid.network) and each chain's docs.
  { chainId: 1, name: 'Ethereum', explorerTxUrl: 'https://etherscan.io/tx/{tx}', testnet: false },
  { chainId: 8453, name: 'Base', explorerTxUrl: 'https://basescan.org/tx/{tx}', testnet: false },
  { chainId: 42161, name: 'Arbitrum One', explorerTxUrl: 'https://arbiscan.io/tx/{tx}', testnet: false },
  { chainId: 10, name: 'OP Mainnet', explorerTxUrl: 'https://optimistic.etherscan.io/tx/{tx}', testnet: false },
  { chainId: 137, name: 'Polygon PoS', explorerTxUrl: 'https://polygonscan.com/tx/{tx}', testnet: false },
  { chainId: 56, name: 'BNB Smart Chain', explorerTxUrl: 'https://bscscan.com/tx/{tx}', testnet: false },
  { chainId: 43114, name: 'Avalanche C-Chain', explorerTxUrl: 'https://snowtrace.io/tx/{tx}', testnet: false },
  { chainId: 11155111, name: 'Sepolia', explorerTxUrl: 'https://sepolia.etherscan.io/tx/{tx}', testnet: true },
  { chainId: 84532, name: 'Base Sepolia', explorerTxUrl: 'https://sepolia.basescan.org/tx/{tx}', testnet: true },
  { chainId: DEMO_CHAIN_ID, name: 'Demo chain (local)', explorerTxUrl: null, testnet: true }
]

const t = (
  chainId: number,
  symbol: TokenSymbol,
  address: string,
  decimals: number,
  source: string,
  extra: { bridged?: boolean; onChainSymbols?: readonly string[] } = {}
): TokenInfo => ({ chainId, symbol, address, decimals, source, bridged: extra.bridged ?? false, onChainSymbols: extra.onChainSymbols ?? [symbol] })

export const TOKENS: readonly TokenInfo[] = [
  // --- USDC, native (issued by Circle) [circle]
  t(1, 'USDC', '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', 6, '[circle] Ethereum'),
  t(8453, 'USDC', '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', 6, '[circle] Base'),
  t(42161, 'USDC', '0xaf88d065e77c8cC2239327C5EDb3A432268e5831', 6, '[circle] Arbitrum'),
  t(10, 'USDC', '0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85', 6, '[circle] OP Mainnet'),
  t(137, 'USDC', '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359', 6, '[circle] Polygon PoS'),
  t(43114, 'USDC', '0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E', 6, '[circle] Avalanche C-Chain'),
  t(11155111, 'USDC', '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238', 6, '[circle] testnets: Ethereum Sepolia'),
  t(84532, 'USDC', '0x036CbD53842c5426634e7929541eC2318f3dCF7e', 6, '[circle] testnets: Base Sepolia'),
  // BNB Smart Chain: Circle does not issue USDC there. This is Binance-Peg USDC (18 decimals), UNCONFIRMED-BY-ISSUER,
  // [explorer] bscscan token page. Pinned because stores on BSC ask for it; the 18 decimals are the point of the row.
  t(56, 'USDC', '0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d', 18, '[explorer] bscscan Binance-Peg USD Coin; not Circle-issued'),

  // --- USDT [tether]
  t(1, 'USDT', '0xdAC17F958D2ee523a2206206994597C13D831ec7', 6, '[tether] Ethereum ERC-20; transfer() returns no bool'),
  t(43114, 'USDT', '0x9702230A8Ea53601f5cD2dc00fDBc13d4dF4A8c7', 6, '[tether] Avalanche C-Chain (native USDt)', { onChainSymbols: ['USDt', 'USDT'] }),
  t(137, 'USDT', '0xc2132D05D31c914a87C6611C10748AEb04B58e8F', 6, '[tether] Polygon PoS (listed protocol) / [explorer] polygonscan', { onChainSymbols: ['USDT', 'USDT0', 'USD₮0'] }),
  t(42161, 'USDT', '0xFd086bC7CD5C481DCC9C85ebE478A1C0b69FCbb9', 6, '[explorer] arbiscan USD₮0; UNCONFIRMED-BY-ISSUER on tether.to', { onChainSymbols: ['USD₮0', 'USDT'] }),
  t(10, 'USDT', '0x94b008aA00579c1307B0EF2c499aD98a8ce58e58', 6, '[explorer] optimistic.etherscan; UNCONFIRMED-BY-ISSUER on tether.to'),
  // BSC USDT is Binance-Peg BSC-USD, 18 decimals. UNCONFIRMED-BY-ISSUER ([explorer] bscscan, integrator lists).
  t(56, 'USDT', '0x55d398326f99059fF775485246999027B3197955', 18, '[explorer] bscscan BSC-USD (Binance-Peg); not Tether-issued'),

  // --- Bridged look-alikes: present so the till can name them, disabled unless a store enables them.
//     Several bridged contracts still answer symbol() = "USDC" (explorers relabel them USDC.e), so both are accepted.
  t(42161, 'USDC', '0xFF970A61A04b1cA14834A43f5dE4533eBDDB5CC8', 6, '[circle] notes bridged USDC.e / [explorer] arbiscan', { bridged: true, onChainSymbols: ['USDC.e', 'USDC'] }),
  t(10, 'USDC', '0x7F5c764cBc14f9669B88837ca1490cCa17c31607', 6, '[explorer] optimistic.etherscan USDC.e', { bridged: true, onChainSymbols: ['USDC.e', 'USDC'] }),
  t(137, 'USDC', '0x2791Bca1f2de4661ED88A30C99A7a9449Aa84174', 6, '[explorer] polygonscan USDC.e (PoS bridge)', { bridged: true, onChainSymbols: ['USDC.e', 'USDC'] }),
  t(8453, 'USDC', '0xd9aAEc86B65D86f6A7B5B1b0c42FFA531710b6CA', 6, '[explorer] basescan USDbC (bridged from Ethereum)', { bridged: true, onChainSymbols: ['USDbC'] }),
  t(43114, 'USDC', '0xA7D7079b0FEaD91F3e65f86E8915Cb59c1a4C664', 6, '[explorer] snowtrace USDC.e (Avalanche Bridge)', { bridged: true, onChainSymbols: ['USDC.e', 'USDC'] }),
  // Base has no Tether-issued USDT; this is the bridged one. UNCONFIRMED-BY-ISSUER.
  t(8453, 'USDT', '0xfde4C96c8593536E31F229EA8f37b2ADa2699bb2', 6, '[explorer] basescan bridged Tether USD', { bridged: true })
]

export function chainInfo(chainId: number): ChainInfo | undefined {
  return CHAINS.find((c) => c.chainId === chainId)
}

export function chainName(chainId: number): string {
  return chainInfo(chainId)?.name ?? `chain ${chainId}`
}

export function explorerTxUrl(chainId: number, txHash: string): string | null {
  const template = chainInfo(chainId)?.explorerTxUrl
  return template ? template.replace('{tx}', txHash) : null
}

/**
 * The token a till may use for (chainId, symbol). The issuer's own contract wins; a bridged one only when
 * `allowBridged`. The demo chain's token is deployed at runtime, so its address is passed in.
 */
export function findToken(
  chainId: number,
  symbol: TokenSymbol,
  options: { allowBridged?: boolean; demoUsdcAddress?: string } = {}
): TokenInfo | undefined {
  if (chainId === DEMO_CHAIN_ID) {
    if (symbol !== 'USDC' || !options.demoUsdcAddress) return undefined
    return { chainId, symbol, onChainSymbols: ['USDC'], address: options.demoUsdcAddress, decimals: 6, bridged: false, source: 'demo chain, deployed at start' }
  }
  const candidates = TOKENS.filter((x) => x.chainId === chainId && x.symbol === symbol)
  return candidates.find((x) => !x.bridged) ?? (options.allowBridged ? candidates.find((x) => x.bridged) : undefined)
}
