// Chain watcher bench: how fast a payment is Seen, and what the watcher costs in RPC calls.
// A 1 s-block anvil (--block-time 1) with the demo USDC; 20 sequential payments at the default poll interval.
//   seen latency = from the payment's ARRIVAL (the moment its block first appears on the node, probed directly on
//                  anvil every 25 ms, outside the watcher's counted pool) to the service emitting status Seen.
//   rpcPerMinIdle = the watcher's own JSON-RPC calls per minute with nothing to watch (idle backoff);
//   rpcPerMinWatching = the same while requests are open.
import { systemClock } from '../src/shared/clock'
import { startDemoChain } from '../src/main/chain/demo'
import { PaymentService } from '../src/main/services/payments'
import { tempLedger } from '../test/fixtures/ledger'

export interface BenchChainOptions {
  readonly payments?: number
  readonly idleWindowMs?: number
  readonly pollIntervalMs?: number
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2)
}

export async function benchChain(options: BenchChainOptions = {}): Promise<{
  blockTimeMs: number
  seenMedianMs: number
  seenMaxMs: number
  payments: number
  rpcPerMinIdle: number
  rpcPerMinWatching: number
}> {
  const payments = options.payments ?? 20
  const idleWindowMs = options.idleWindowMs ?? 30_000
  const demo = await startDemoChain({ blockTimeSec: 1 })
  const ledger = tempLedger()
  const service = new PaymentService({
    db: ledger.db,
    tillId: 'bench',
    clock: systemClock,
    demoUsdcAddress: demo.usdcAddress,
    settings: {
      receive: { kind: 'address', address: demo.merchantAddress },
      chains: [{ chainId: demo.chainId, rpcUrls: [demo.rpcUrl], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 1 } }],
      pollIntervalMs: options.pollIntervalMs ?? 1000
    }
  })
  const pool = service.rpcPool(demo.chainId)
  try {
    service.start()
    await sleep(500)
    // Idle: nothing to watch.
    const idleStartCalls = pool.calls
    const idleStart = Date.now()
    await sleep(idleWindowMs)
    const rpcPerMinIdle = ((pool.calls - idleStartCalls) * 60_000) / (Date.now() - idleStart)

    // Watching: payments one after another. A prober outside the counted pool notes when each block first appears.
    const blockArrival = new Map<number, number>()
    let probing = true
    const prober = (async () => {
      while (probing) {
        const res = (await fetch(demo.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }) }).then((r) => r.json())) as { result: string }
        const n = Number.parseInt(res.result, 16)
        if (!blockArrival.has(n)) blockArrival.set(n, Date.now())
        await sleep(25)
      }
    })()
    const seenAt = new Map<string, number>()
    service.onChange((c) => {
      if ((c.payment.status === 'Seen' || c.payment.status === 'Paid') && !seenAt.has(c.payment.id)) seenAt.set(c.payment.id, Date.now())
    })
    const latencies: number[] = []
    const watchStartCalls = pool.calls
    const watchStart = Date.now()
    for (let i = 0; i < payments; i++) {
      const req = await service.createRequest({ saleId: `bench-${i}`, amountMinor: 100 + i, currency: 'USD', token: 'USDC', chainId: demo.chainId })
      const txHash = await demo.simulateCustomerPayment(req)
      const deadline = Date.now() + 30_000
      while (!seenAt.has(req.id) && Date.now() < deadline) await sleep(10)
      const seen = seenAt.get(req.id)
      if (seen === undefined) throw new Error(`payment ${i} was not seen within 30 s`)
      const receipt = (await fetch(demo.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getTransactionReceipt', params: [txHash] }) }).then((r) => r.json())) as { result: { blockNumber: string } }
      const arrival = blockArrival.get(Number.parseInt(receipt.result.blockNumber, 16))
      if (arrival === undefined) throw new Error(`block of payment ${i} was never probed`)
      latencies.push(Math.max(0, seen - arrival))
    }
    probing = false
    await prober
    const rpcPerMinWatching = ((pool.calls - watchStartCalls) * 60_000) / (Date.now() - watchStart)
    return {
      blockTimeMs: 1000,
      seenMedianMs: median(latencies),
      seenMaxMs: Math.max(...latencies),
      payments,
      rpcPerMinIdle: Math.round(rpcPerMinIdle * 10) / 10,
      rpcPerMinWatching: Math.round(rpcPerMinWatching * 10) / 10
    }
  } finally {
    await service.stop()
    await demo.stop()
    ledger.cleanup()
  }
}
