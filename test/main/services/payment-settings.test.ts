// Payment settings as the owner sets them, against a real anvil chain: the receive address checked by its checksum,
// an RPC URL tested live (chain id, a recent head, the pinned token's contract) before anything is saved.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Contract } from 'ethers'
import { DEMO_OWNER_PIN } from '../../../src/main/app'
import { verifyJournal } from '../../../src/main/ledger/journal'
import type { TokenInfo } from '../../../src/shared/payment/tokens'
import { MERCHANT, startTestChain, type TestChain } from '../../fixtures/anvil'
import { testTill, type TestTill } from '../../fixtures/till'

let chain: TestChain
let token: Contract
let till: TestTill
const bo = (name: string, input: unknown) => till.app.registry.dispatch('backoffice', name, input)

beforeEach(async () => {
  chain = await startTestChain()
  token = await chain.deploy('TestUSDC6')
  const local: TokenInfo = { chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: await token.getAddress(), decimals: 6, bridged: false, source: 'test' }
  till = testTill({ payments: { localTokens: [local], startWatcher: false, settings: { receive: { kind: 'address', address: MERCHANT }, chains: [] } } })
  const latest = await chain.provider.getBlock('latest')
  till.clock.set(latest!.timestamp * 1000 + 5_000)
})

afterEach(async () => {
  await till.cleanup()
  await chain.stop()
})

describe('payment settings', () => {
  it('checks the receive address by its checksum and says what is wrong', async () => {
    expect(await bo('settings:check-receive', { address: MERCHANT })).toEqual({ ok: true, value: { address: MERCHANT } })
    expect(await bo('settings:check-receive', { address: MERCHANT.toLowerCase() })).toMatchObject({ ok: false, error: { key: 'payset.no-checksum', detail: { checksummed: MERCHANT } } })
    const typo = MERCHANT.replace('C44', 'c44')
    expect(await bo('settings:check-receive', { address: typo })).toMatchObject({ ok: false, error: { key: 'payset.bad-checksum' } })
    expect(await bo('settings:check-receive', { address: '0x1234' })).toMatchObject({ ok: false, error: { key: 'payset.bad-address' } })
  })

  it('tests an RPC URL live: chain id, a recent head and the pinned token; a wrong chain or a dead URL is refused', async () => {
    const tested = await bo('settings:test-rpc', { chainId: 31337, url: chain.rpcUrl })
    expect(tested).toMatchObject({ ok: true, value: { chainId: 31337, url: chain.rpcUrl, tokens: [{ symbol: 'USDC', symbolOnChain: 'USDC', decimals: 6 }] } })
    expect((tested as { value: { headAgeSeconds: number } }).value.headAgeSeconds).toBeLessThan(120)
    expect(await bo('settings:test-rpc', { chainId: 8453, url: chain.rpcUrl })).toMatchObject({ ok: false, error: { key: 'payset.wrong-chain', detail: { expected: 8453, actual: 31337 } } })
    expect(await bo('settings:test-rpc', { chainId: 31337, url: 'http://127.0.0.1:1' })).toMatchObject({ ok: false, error: { key: 'payset.unreachable' } })
    till.clock.advance(10 * 60_000)
    expect(await bo('settings:test-rpc', { chainId: 31337, url: chain.rpcUrl })).toMatchObject({ ok: false, error: { key: 'payset.stale-head' } })
  })

  it('saves with the owner\'s PIN only after every URL passed, and journals it', async () => {
    const settings = { receive: { kind: 'address', address: MERCHANT }, chains: [{ chainId: 31337, rpcUrls: [chain.rpcUrl], tokens: ['USDC'] }], rate: { kind: 'peg' } }
    expect(await bo('settings:payments', { pin: '1234', settings })).toMatchObject({ ok: false, error: { key: 'staff.not-permitted' } })
    const broken = { ...settings, chains: [{ chainId: 31337, rpcUrls: [chain.rpcUrl, 'http://127.0.0.1:1'], tokens: ['USDC'] }] }
    expect(await bo('settings:payments', { pin: DEMO_OWNER_PIN, settings: broken })).toMatchObject({ ok: false, error: { key: 'payset.unreachable' } })
    expect(till.app.db.prepare("SELECT count(*) AS n FROM journal WHERE kind = 'settings.payments-changed'").get()).toEqual({ n: 0 })
    expect(await bo('settings:payments', { pin: DEMO_OWNER_PIN, settings })).toMatchObject({ ok: true, value: { restartNeeded: true, tested: [{ chainId: 31337 }] } })
    const entry = till.app.db.prepare("SELECT payload FROM journal WHERE kind = 'settings.payments-changed'").get() as { payload: string }
    expect(JSON.parse(entry.payload)).toMatchObject({ staffId: 'O1', receive: MERCHANT, chains: ['31337:USDC:1'], rate: 'peg' })
    expect(verifyJournal(till.app.db)).toMatchObject({ ok: true })
  })
})
