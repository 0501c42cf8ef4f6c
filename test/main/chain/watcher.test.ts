// The watcher and the RPC pool against the endpoints the till meets in a real shop: anvil behind fault-injecting
// proxies on 127.0.0.1 (test/fixtures/rpc-proxy.ts), a real SQLite ledger, transfers signed by a test wallet.
import { afterEach, describe, expect, it } from 'vitest'
import { Wallet, type Contract } from 'ethers'
import { isAnvilAvailable } from '../../../src/main/chain/anvil'
import { RpcPool, type RpcPoolOptions } from '../../../src/main/chain/rpc'
import { ChainWatcher, type WatcherOptions } from '../../../src/main/chain/watcher'
import { verifyTokenOnChain } from '../../../src/main/chain/registry'
import { tempLedger, type TempLedger } from '../../fixtures/ledger'
import { ANVIL_KEYS, MERCHANT, startTestChain, type TestChain } from '../../fixtures/anvil'
import { CuttableWsProxy, FaultyRpcProxy } from '../../fixtures/rpc-proxy'

interface Rig {
  chain: TestChain
  token: Contract
  tokenAddress: string
  ledger: TempLedger
  proxies: FaultyRpcProxy[]
  pool: RpcPool
  watcher: ChainWatcher
  /** A new pool and watcher on the same ledger (a till restarted). */
  restart(): ChainWatcher
  logs(): { tx_hash: string; block_number: number; value: string }[]
}

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

async function rig(options: { endpoints?: number; pool?: RpcPoolOptions; watcher?: Partial<WatcherOptions> } = {}): Promise<Rig> {
  const chain = await startTestChain()
  cleanups.push(() => chain.stop())
  const token = await chain.deploy('TestUSDC6')
  await chain.fund(token, 1_000_000_000_000n)
  const tokenAddress = await token.getAddress()
  const ledger = tempLedger()
  cleanups.push(() => ledger.cleanup())
  const proxies: FaultyRpcProxy[] = []
  for (let i = 0; i < (options.endpoints ?? 1); i++) {
    const proxy = new FaultyRpcProxy(chain.anvil.rpcUrl)
    await proxy.listen()
    cleanups.push(() => proxy.close())
    proxies.push(proxy)
  }
  const make = (): { pool: RpcPool; watcher: ChainWatcher } => {
    const pool = new RpcPool(31337, proxies.map((p) => p.url), { timeoutMs: 2000, hedgeMs: 300, ...options.pool })
    const watcher = new ChainWatcher({
      db: ledger.db,
      chainId: 31337,
      pool,
      tokenAddresses: () => [tokenAddress],
      watchedAddresses: () => [MERCHANT],
      startBacklog: 0,
      recheckDepth: () => 3,
      ...options.watcher
    })
    cleanups.push(async () => {
      await watcher.stop()
      pool.destroy()
    })
    return { pool, watcher }
  }
  const first = make()
  return {
    chain,
    token,
    tokenAddress,
    ledger,
    proxies,
    pool: first.pool,
    watcher: first.watcher,
    restart: () => make().watcher,
    logs: () => ledger.db.prepare('SELECT tx_hash, block_number, value FROM chain_logs ORDER BY block_number').all() as { tx_hash: string; block_number: number; value: string }[]
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe.skipIf(!isAnvilAvailable())('watcher against faulty endpoints', () => {
  it('(a) logs served by a node one block behind its reported head: every payment is found, none lost after it heals', async () => {
    const r = await rig()
    await r.watcher.pollOnce()
    r.proxies[0]!.set({ kind: 'logsBehind', blocks: 1 })
    const paid: string[] = []
    for (let i = 1; i <= 3; i++) {
      paid.push(await r.chain.pay(r.token, MERCHANT, BigInt(i) * 1_000_000n)) // automine: one block per payment
      const result = await r.watcher.pollOnce()
      // The newest block cannot be proven read: the cursor waits below it instead of skipping it.
      expect(result.cursor).toBe(result.head - 1)
      expect(r.watcher.health().status).toBe('up')
    }
    expect(r.logs().map((l) => l.tx_hash)).toEqual(paid.slice(0, 2))
    r.proxies[0]!.set({ kind: 'pass' })
    const healed = await r.watcher.pollOnce()
    expect(healed.cursor).toBe(healed.head)
    expect(r.logs().map((l) => l.tx_hash)).toEqual(paid)
    // The same node behind, but only by blocks deeper than the window: read by range, nothing to lose there.
    await r.chain.mine(10)
    await r.watcher.pollOnce()
    expect(r.logs()).toHaveLength(3)
  })

  it('(b) failover to a node 10 blocks behind: no rollback, no log deleted, no false reorg, health says lagging', async () => {
    const r = await rig({ endpoints: 2 })
    const [good, behind] = r.proxies as [FaultyRpcProxy, FaultyRpcProxy]
    behind.set({ kind: 'lagBy', blocks: 10 })
    await r.chain.mine(20)
    await r.watcher.pollOnce()
    const tx = await r.chain.pay(r.token, MERCHANT, 5_000_000n)
    await r.chain.mine(2)
    const before = await r.watcher.pollOnce()
    expect(r.logs().map((l) => l.tx_hash)).toEqual([tx])
    expect(r.watcher.health()).toMatchObject({ status: 'up', endpoint: good.url })

    good.set({ kind: 'cut' })
    const during = await r.watcher.pollOnce()
    expect(during).toMatchObject({ reorgedFrom: null, rolledBackTo: null, head: before.head, cursor: before.cursor })
    expect(r.logs().map((l) => l.tx_hash)).toEqual([tx])
    expect(r.watcher.cursor()).toMatchObject({ blockNumber: before.cursor, head: before.head })
    const health = r.watcher.health()
    expect(health).toMatchObject({ status: 'lagging', head: before.head, endpoint: behind.url })
    expect(health.endpoints.find((e) => e.inUse)?.head).toBe(before.head - 10)
    expect(health.since).not.toBeNull()

    // The lagging node catches up past our cursor: it is read from where we were, nothing re-derived or lost.
    const later = await r.chain.pay(r.token, MERCHANT, 6_000_000n)
    await r.chain.mine(14)
    const caught = await r.watcher.pollOnce()
    expect(caught.reorgedFrom).toBeNull()
    expect(r.logs().map((l) => l.tx_hash)).toEqual([tx, later])
  })

  it('(c) an endpoint that accepts connections and never answers: the hedge answers, a poll takes ~the hedge delay', async () => {
    const r = await rig({ endpoints: 2, pool: { timeoutMs: 2000, hedgeMs: 300 } })
    const [hung] = r.proxies as [FaultyRpcProxy, FaultyRpcProxy]
    await r.watcher.pollOnce()
    hung.set({ kind: 'hang' })
    const tx = await r.chain.pay(r.token, MERCHANT, 7_000_000n)
    const started = performance.now()
    await r.watcher.pollOnce()
    const pollMs = performance.now() - started
    console.log(`poll with the first endpoint hung: ${Math.round(pollMs)} ms (hedge 300 ms, deadline 2000 ms)`)
    expect(pollMs).toBeGreaterThanOrEqual(250)
    expect(pollMs).toBeLessThan(1500)
    expect(r.logs().map((l) => l.tx_hash)).toEqual([tx])
    // ethers Contract reads through pool.provider() get the same deadline and failover (token verification).
    const t0 = performance.now()
    const verified = await verifyTokenOnChain(r.pool.provider(), { chainId: 31337, symbol: 'USDC', onChainSymbols: ['USDC'], address: r.tokenAddress, decimals: 6, bridged: false, source: 'test' })
    expect(verified).toEqual({ decimals: 6, symbol: 'USDC' })
    expect(performance.now() - t0).toBeLessThan(1500)
    // The hung endpoint's attempts ran out their deadline in the background and count against it.
    await sleep(2100)
    const [hungHealth, goodHealth] = r.pool.health()
    expect(hungHealth!.consecutiveFailures).toBeGreaterThan(0)
    expect(hungHealth!.lastError).toMatch(/no answer within 2000 ms/)
    expect(goodHealth!.consecutiveFailures).toBe(0)
    expect(r.pool.inUse()).toBe(r.proxies[1]!.url)
  })

  it('(d) JSON-RPC error answers count as failures: allDown(), health down, and back up when they stop', async () => {
    const r = await rig({ endpoints: 2 })
    await r.watcher.pollOnce()
    expect(r.watcher.health().status).toBe('up')
    for (const p of r.proxies) p.set({ kind: 'errors' })
    await expect(r.watcher.pollOnce()).rejects.toThrow(/internal error/)
    expect(r.pool.allDown()).toBe(true)
    await expect(r.watcher.pollOnce()).rejects.toThrow()
    const down = r.watcher.health()
    expect(down).toMatchObject({ status: 'down', endpoint: null, lastError: expect.stringMatching(/internal error/) })
    expect(down.since).not.toBeNull()
    expect(down.endpoints.every((e) => e.failureRate > 0 && e.lastError === 'internal error')).toBe(true)
    for (const p of r.proxies) p.set({ kind: 'pass' })
    const tx = await r.chain.pay(r.token, MERCHANT, 1_500_000n)
    await r.watcher.pollOnce()
    expect(r.pool.allDown()).toBe(false)
    expect(r.watcher.health()).toMatchObject({ status: 'up', since: null, lastError: null })
    expect(r.logs().map((l) => l.tx_hash)).toEqual([tx])
  })

  it('(e) range refusals: the range shrinks, grows back, and ~300 blocks of catch-up take far fewer than 615 calls', async () => {
    for (const depth of [3, 64]) {
      const r = await rig({ watcher: { recheckDepth: () => depth } })
      await r.watcher.pollOnce()
      // No number in the refusal: the watcher has to find the cap itself (additive increase, multiplicative decrease).
      r.proxies[0]!.set({ kind: 'cut' })
      const tx = await r.chain.pay(r.token, MERCHANT, 2_000_000n)
      await r.chain.mine(302)
      await expect(r.watcher.pollOnce()).rejects.toThrow()
      r.proxies[0]!.set({ kind: 'pass' })
      r.proxies[0]!.refuseRangesOver(10, 'limit exceeded')
      const callsBefore = r.pool.calls
      const result = await r.watcher.pollOnce()
      const calls = r.pool.calls - callsBefore
      console.log(`catch-up of 303 blocks, window ${depth}, ranges capped at 10 without saying so: ${calls} calls (was 615)`)
      expect(result.cursor).toBe(result.head)
      expect(r.logs().map((l) => l.tx_hash)).toEqual([tx])
      expect(calls).toBeLessThan(615 / 3)
      const ranges = r.proxies[0]!.getLogsRanges
      const firstRefused = ranges.findIndex((n) => n > 10)
      expect(firstRefused).toBeGreaterThanOrEqual(0)
      // After the refusals the range climbed back to the cap, not 1 block at a time.
      const after = ranges.slice(firstRefused).filter((n) => n <= 10)
      expect(Math.max(...after)).toBe(10)
      expect(after.filter((n) => n === 10).length).toBeGreaterThan(after.length / 2)
      expect(r.watcher.chunkSize).toBeGreaterThan(1)
      while (cleanups.length > 0) await cleanups.pop()!()
    }
  })

  it('(e) a refusal that names its cap is taken at its word', async () => {
    const r = await rig({ watcher: { recheckDepth: () => 3 } })
    await r.watcher.pollOnce()
    r.proxies[0]!.refuseRangesOver(25, 'block range is too wide (max: 25)')
    await r.chain.mine(200)
    await r.watcher.pollOnce()
    expect(r.watcher.chunkSize).toBe(25)
    expect(r.proxies[0]!.getLogsRanges.filter((n) => n > 25)).toHaveLength(1)
  })

  it('a restart during an outage finds the payment when the RPC comes back', async () => {
    const r = await rig()
    await r.watcher.pollOnce()
    r.proxies[0]!.set({ kind: 'cut' })
    const tx = await r.chain.pay(r.token, MERCHANT, 3_000_000n)
    await r.chain.mine(20)
    await expect(r.watcher.pollOnce()).rejects.toThrow(/no RPC endpoint/)
    await r.watcher.stop()
    r.pool.destroy()
    r.ledger.reopen()
    const again = r.restart()
    await expect(again.pollOnce()).rejects.toThrow(/no RPC endpoint/)
    expect(again.health().status).toBe('down')
    r.proxies[0]!.set({ kind: 'pass' })
    await again.pollOnce()
    expect(r.logs().map((l) => l.tx_hash)).toEqual([tx])
    expect(again.health().status).toBe('up')
  })

  it('a real reorg (rollback + a different block at the same height) still rolls back and re-finds the log', async () => {
    const r = await rig()
    await r.watcher.pollOnce()
    const customer = new Wallet(ANVIL_KEYS.customer, r.chain.provider)
    const raw = await customer.signTransaction(await customer.populateTransaction(await r.token.getFunction('transfer').populateTransaction(MERCHANT, 4_000_000n)))
    const txHash = await r.chain.rpc<string>('eth_sendRawTransaction', [raw])
    await r.chain.mine(1)
    const seen = await r.watcher.pollOnce()
    expect(r.logs().map((l) => l.tx_hash)).toEqual([txHash])
    // Drop the last two blocks (the payment's and the empty one on top); one empty block replaces them: shorter chain.
    await r.chain.rpc('anvil_rollback', [2])
    await r.chain.rpc('evm_mine', [])
    const after = await r.watcher.pollOnce()
    expect(after.reorgedFrom).toBe(seen.cursor)
    expect(after.head).toBe(seen.head - 1) // a proven reorg voids the old chain's height
    expect(r.logs()).toEqual([])
    expect(await r.chain.rpc<string>('eth_sendRawTransaction', [raw])).toBe(txHash)
    // anvil answers the send before its automined block is in (seen on a loaded machine): poll once it is mined.
    await expect.poll(() => r.chain.rpc<unknown>('eth_getTransactionReceipt', [txHash]), { timeout: 10_000 }).not.toBeNull()
    await r.watcher.pollOnce()
    expect(r.logs().map((l) => l.tx_hash)).toEqual([txHash])
  })
})

describe.skipIf(!isAnvilAvailable())('the watch loop', () => {
  it('over WebSocket, a pushed head is read at once; over HTTP eth_blockNumber is polled and logs read only when it moves', async () => {
    const r = await rig({ watcher: { headPollMs: 100, intervalMs: 1000 } })
    const wsPool = new RpcPool(31337, [r.chain.anvil.rpcUrl.replace('http://', 'ws://')], { timeoutMs: 2000 })
    const wsWatcher = new ChainWatcher({
      db: r.ledger.db, chainId: 31337, pool: wsPool, tokenAddresses: () => [r.tokenAddress], watchedAddresses: () => [MERCHANT], startBacklog: 0, recheckDepth: () => 3, intervalMs: 1000
    })
    cleanups.push(async () => {
      await wsWatcher.stop()
      wsPool.destroy()
    })
    wsWatcher.start()
    const deadline = Date.now() + 5000
    while (!wsPool.pushing() && Date.now() < deadline) await sleep(20)
    expect(wsPool.pushing()).toBe(true)
    await wsWatcher.pollOnce()
    // Automine: eth_sendRawTransaction returns once the block is mined, so the clock starts at the block.
    const customer = new Wallet(ANVIL_KEYS.customer, r.chain.provider)
    const raw = await customer.signTransaction(await customer.populateTransaction(await r.token.getFunction('transfer').populateTransaction(MERCHANT, 8_000_000n)))
    const tx = await r.chain.rpc<string>('eth_sendRawTransaction', [raw])
    const paidAt = performance.now()
    while (r.logs().length === 0 && performance.now() - paidAt < 3000) await sleep(2)
    const wsMs = performance.now() - paidAt
    console.log(`WebSocket: log stored ${Math.round(wsMs)} ms after eth_sendRawTransaction returned (automine)`)
    expect(r.logs().map((l) => l.tx_hash)).toEqual([tx])
    expect(wsMs).toBeLessThan(500) // well under the 1 s safety poll: the push did it
    await wsWatcher.stop()

    // HTTP: the loop asks the head often and reads blocks only when it moved.
    r.watcher.start()
    await sleep(1200)
    const proxy = r.proxies[0]!
    const logsBefore = proxy.count('eth_getLogs')
    const headsBefore = proxy.count('eth_blockNumber')
    await sleep(1000) // nothing mined
    expect(proxy.count('eth_blockNumber') - headsBefore).toBeGreaterThanOrEqual(5)
    expect(proxy.count('eth_getLogs') - logsBefore).toBe(0)
    const tx2 = await r.chain.pay(r.token, MERCHANT, 9_000_000n)
    const t2 = performance.now()
    while (r.logs().length < 2 && performance.now() - t2 < 3000) await sleep(5)
    expect(r.logs().map((l) => l.tx_hash)).toEqual([tx, tx2])
    expect(performance.now() - t2).toBeLessThan(600)
  })

  it('a ws:// endpoint that drops: the HTTP endpoint keeps finding payments, and the subscription comes back', async () => {
    const r = await rig()
    const ws = new CuttableWsProxy(r.chain.anvil.rpcUrl.replace('http://', 'ws://'))
    await ws.listen()
    cleanups.push(() => ws.close())
    const pool = new RpcPool(31337, [ws.url, r.proxies[0]!.url], { timeoutMs: 1000, hedgeMs: 200 })
    const watcher = new ChainWatcher({
      db: r.ledger.db, chainId: 31337, pool, tokenAddresses: () => [r.tokenAddress], watchedAddresses: () => [MERCHANT], startBacklog: 0, recheckDepth: () => 3, intervalMs: 500, headPollMs: 100
    })
    cleanups.push(async () => {
      await watcher.stop()
      pool.destroy()
    })
    const until = async (what: () => boolean, ms: number): Promise<boolean> => {
      const end = Date.now() + ms
      while (!what() && Date.now() < end) await sleep(10)
      return what()
    }
    watcher.start()
    expect(await until(() => pool.pushing(), 5000)).toBe(true)
    ws.cut()
    expect(await until(() => !pool.pushing(), 2000)).toBe(true)
    const during = await r.chain.pay(r.token, MERCHANT, 1_100_000n)
    expect(await until(() => r.logs().length === 1, 3000)).toBe(true)
    expect(r.logs()[0]!.tx_hash).toBe(during)
    ws.restore()
    expect(await until(() => pool.pushing(), 8000)).toBe(true)
    const after = await r.chain.pay(r.token, MERCHANT, 1_200_000n)
    expect(await until(() => r.logs().length === 2, 2000)).toBe(true)
    expect(r.logs().map((l) => l.tx_hash)).toEqual([during, after])
  })
})
