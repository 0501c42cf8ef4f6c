// The store's stablecoin settings as a person sets them (issue [S] points 1 and 4): the receive address checked by
// its EIP-55 checksum (or an xpub, with the first address it derives shown for comparison with the wallet), each
// RPC URL tested live before it is saved (the chain id matches, the head is recent, the pinned tokens are the
// contracts the registry names), and the whole object saved with the owner's PIN and journaled.
//
// The payment service is built when the till starts, so saved settings take effect at the next start; the answer
// says so.
import { getAddress, HDNodeWallet } from 'ethers'
import { paymentSettingsSchema, type PaymentSettings, type PaymentSettingsInput } from '../../shared/payment/settings'
import { chainInfo, chainName, findToken, type TokenInfo, type TokenSymbol } from '../../shared/payment/tokens'
import { refuse } from '../../shared/result'
import type { Clock } from '../../shared/clock'
import { RpcPool } from '../chain/rpc'
import { verifyTokenOnChain } from '../chain/registry'
import type { Db } from '../ledger/db'
import { appendJournal } from '../ledger/journal'
import { writeSetting } from '../ledger/settings'
import { approvedAtomically } from '../ledger/unit-of-work'

/** A head older than this is not "recent": the node is stuck or still syncing. */
export const MAX_HEAD_AGE_SECONDS = 120

export interface RpcTestResult {
  readonly chainId: number
  readonly url: string
  readonly head: number
  readonly headAgeSeconds: number
  readonly tokens: readonly { readonly symbol: TokenSymbol; readonly address: string; readonly symbolOnChain: string; readonly decimals: number }[]
}

/** Throws a specific refusal when the receive address is not an address, or not the way a wallet writes it. */
export function checkReceiveAddress(typed: string): string {
  const address = typed.trim()
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw refuse('invalid-input', 'payset.bad-address', { address: address.slice(0, 60) })
  let checksummed: string
  try {
    checksummed = getAddress(address)
  } catch {
    throw refuse('invalid-input', 'payset.bad-checksum', { address })
  }
  // All lower (or upper) case carries no checksum: one mistyped character would send the shop's money elsewhere.
  if (address !== checksummed) throw refuse('invalid-input', 'payset.no-checksum', { checksummed })
  return checksummed
}

/** The first address an xpub derives for till `tillNumber` (payments.ts derives tillNumber/n). */
export function firstXpubAddress(xpub: string, tillNumber: number): string {
  try {
    return getAddress(HDNodeWallet.fromExtendedKey(xpub.trim()).deriveChild(tillNumber).deriveChild(0).address)
  } catch {
    throw refuse('invalid-input', 'payset.bad-xpub')
  }
}

export interface RpcTestOptions {
  readonly tokens?: readonly TokenSymbol[]
  /** Runtime-deployed tokens (the demo chain, tests) standing in for the pinned registry on a local chain. */
  readonly localTokens?: readonly TokenInfo[]
  readonly now: number
  readonly timeoutMs?: number
}

/** One URL, tested live: chain id, a recent head, and every chosen token's pinned contract. */
export async function testRpcConnection(chainId: number, url: string, options: RpcTestOptions): Promise<RpcTestResult> {
  if (!chainInfo(chainId)) throw refuse('invalid-input', 'payset.unknown-chain', { chainId })
  if (!/^(https?|wss?):\/\//i.test(url)) throw refuse('invalid-input', 'payset.bad-url', { url: url.slice(0, 80) })
  const pool = new RpcPool(chainId, [url], { timeoutMs: options.timeoutMs ?? 4000, hedgeMs: 10_000 })
  try {
    let answered: string
    try {
      answered = await pool.send<string>('eth_chainId', [])
    } catch (e) {
      throw refuse('unavailable', 'payset.unreachable', { url, reason: (e instanceof Error ? e.message : String(e)).slice(0, 120) })
    }
    const actual = Number(BigInt(answered))
    if (actual !== chainId) throw refuse('invalid-input', 'payset.wrong-chain', { url, expected: chainId, actual })
    const block = await pool.send<{ number: string; timestamp: string } | null>('eth_getBlockByNumber', ['latest', false])
    if (!block) throw refuse('unavailable', 'payset.no-head', { url })
    const head = Number(BigInt(block.number))
    const headAgeSeconds = Math.max(0, Math.round(options.now / 1000 - Number(BigInt(block.timestamp))))
    if (headAgeSeconds > MAX_HEAD_AGE_SECONDS) throw refuse('unavailable', 'payset.stale-head', { url, head, seconds: headAgeSeconds })
    const tokens: RpcTestResult['tokens'][number][] = []
    for (const symbol of options.tokens ?? ['USDC']) {
      const token = options.localTokens?.find((t) => t.chainId === chainId && t.symbol === symbol) ?? findToken(chainId, symbol)
      if (!token) throw refuse('invalid-input', 'payset.no-token', { symbol, chainId })
      try {
        const verified = await verifyTokenOnChain(pool.provider(), token)
        tokens.push({ symbol, address: getAddress(token.address), symbolOnChain: verified.symbol, decimals: verified.decimals })
      } catch (e) {
        throw refuse('invalid-input', 'payset.token-mismatch', { symbol, address: token.address, reason: (e instanceof Error ? e.message : String(e)).slice(0, 160) })
      }
    }
    return { chainId, url, head, headAgeSeconds, tokens }
  } finally {
    pool.destroy()
  }
}

export interface SavePaymentContext {
  readonly db: Db
  readonly clock: Clock
  readonly tillId: string
  /** The owner's approval (PIN), asked for after the live tests passed, in the transaction that saves: its staff id. */
  approve(): string
  readonly localTokens?: readonly TokenInfo[]
}

/**
 * Validates the whole object, checks the receive address, tests every RPC URL of every enabled chain, then saves
 * and journals in one transaction (the tests run before it: nothing is awaited inside).
 */
export async function savePaymentSettings(ctx: SavePaymentContext, input: PaymentSettingsInput): Promise<{ readonly settings: PaymentSettings; readonly tested: readonly RpcTestResult[]; readonly restartNeeded: true }> {
  const parsed = paymentSettingsSchema.safeParse(input)
  if (!parsed.success) throw refuse('invalid-input', 'payset.invalid', { reason: parsed.error.issues[0]?.message ?? 'invalid' })
  const settings = parsed.data
  const receive = settings.receive.kind === 'address' ? { ...settings.receive, address: checkReceiveAddress(settings.receive.address) } : settings.receive
  if (receive.kind === 'xpub') firstXpubAddress(receive.xpub, settings.tillNumber)
  const seen = new Set<number>()
  for (const chain of settings.chains) {
    // A chain appears once: two rows for one chain would run two watchers crediting the same transfers.
    if (seen.has(chain.chainId)) throw refuse('invalid-input', 'setup.chain-twice', { chain: chainName(chain.chainId) })
    seen.add(chain.chainId)
    chain.rpcUrls.forEach((url, index) => {
      const first = chain.rpcUrls.indexOf(url)
      if (first !== index) throw refuse('invalid-input', 'setup.url-twice', { chain: chainName(chain.chainId), position: index + 1, first: first + 1 })
    })
  }
  const tested: RpcTestResult[] = []
  for (const chain of settings.chains.filter((c) => c.enabled)) {
    for (const url of chain.rpcUrls) tested.push(await testRpcConnection(chain.chainId, url, { tokens: chain.tokens, localTokens: ctx.localTokens, now: ctx.clock.now() }))
  }
  const saved = { ...settings, receive }
  approvedAtomically(ctx.db, () => {
    const staffId = ctx.approve()
    writeSetting(ctx.db, 'payments', paymentSettingsSchema, saved)
    appendJournal(ctx.db, {
      at: ctx.clock.now(),
      tillId: ctx.tillId,
      kind: 'settings.payments-changed',
      payload: {
        staffId,
        receive: receive.kind === 'address' ? receive.address : `xpub:${firstXpubAddress(receive.xpub, settings.tillNumber)}`,
        chains: settings.chains.map((c) => `${c.chainId}:${c.tokens.join('+')}:${c.rpcUrls.length}`),
        rate: settings.rate.kind,
        tillNumber: settings.tillNumber
      }
    })
  })
  return { settings: saved, tested, restartNeeded: true }
}
