// Chain watcher bench: how fast a payment is Seen, and what watching costs in RPC calls, side by side in ONE run on
// ONE 1 s-block anvil chain (--block-time 1), the same payments observed by four watchers at once:
//   till HTTP   the PaymentService over http:// (eth_blockNumber every 250 ms while watching, logs when it moves)
//   till WS     the PaymentService over ws:// (eth_subscribe newHeads; logs read on each pushed head)
//   ethers      ethers v6 defaults: new JsonRpcProvider(url) and contract.on(Transfer(null, shop)) (4 s polling)
//   loop 250    a plain eth_getLogs(fromBlock, 'latest') loop every 250 ms (the baseline from the issue)
// seen latency = from the payment's ARRIVAL (the moment anvil announces its block on a newHeads subscription of the
//                bench's own, outside every counted transport) to the observer noticing it: for the tills, the
//                service emitting Seen (or Paid); for the others, their callback / answer holding the transaction.
// rpcPerMinIdle = JSON-RPC requests per minute with nothing to watch (the tills: no open request; the others: their
//                 listener/loop running while no payment happens); rpcPerMinWatching = the same while paying.
import WebSocket from 'ws'
import { Contract, JsonRpcProvider, type JsonRpcPayload, type JsonRpcResult } from 'ethers'
import { systemClock } from '../src/shared/clock'
import { startDemoChain } from '../src/main/chain/demo'
import { TRANSFER_TOPIC } from '../src/main/chain/watcher'
import { PaymentService } from '../src/main/services/payments'
import { tempLedger, type TempLedger } from '../test/fixtures/ledger'

export interface BenchChainOptions {
  readonly payments?: number
  readonly idleWindowMs?: number
}

export interface ObserverFigures {
  readonly name: string
  readonly seenMedianMs: number
  readonly seenMaxMs: number
  readonly seen: number
  readonly rpcPerMinIdle: number
  readonly rpcPerMinWatching: number
}

export interface BenchChainResult {
  readonly blockTimeMs: number
  readonly payments: number
  readonly observers: readonly ObserverFigures[]
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2)
}

/** ethers' own provider with its defaults, counting what it sends. */
class CountingProvider extends JsonRpcProvider {
  calls = 0
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    this.calls += Array.isArray(payload) ? payload.length : 1
    return super._send(payload)
  }
}

interface Observer {
  readonly name: string
  /** txHash -> when this observer noticed it. */
  readonly seen: Map<string, number>
  calls(): number
}

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })
  return ((await res.json()) as { result: T }).result
}

export async function benchChain(options: BenchChainOptions = {}): Promise<BenchChainResult> {
  const payments = options.payments ?? 20
  const idleWindowMs = options.idleWindowMs ?? 20_000
  const demo = await startDemoChain({ blockTimeSec: 1 })
  const wsUrl = demo.rpcUrl.replace('http://', 'ws://')
  const ledgers: TempLedger[] = []
  const services: PaymentService[] = []
  const stops: (() => Promise<void> | void)[] = []
  try {
    // The bench's own arrival probe: newHeads straight from anvil, on a socket nobody counts.
    const blockArrival = new Map<number, number>()
    const probe = new WebSocket(wsUrl)
    await new Promise<void>((resolve, reject) => {
      probe.once('open', () => resolve())
      probe.once('error', reject)
    })
    probe.on('message', (data: WebSocket.RawData) => {
      const msg = JSON.parse(String(data as Buffer)) as { params?: { result?: { number?: string } } }
      const n = msg.params?.result?.number
      if (n && !blockArrival.has(Number.parseInt(n, 16))) blockArrival.set(Number.parseInt(n, 16), Date.now())
    })
    probe.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }))
    stops.push(() => probe.close())

    const observers: Observer[] = []
    const tills: { service: PaymentService; observer: Observer }[] = []
    for (const [name, url] of [['till HTTP', demo.rpcUrl], ['till WS', wsUrl]] as const) {
      const ledger = tempLedger()
      ledgers.push(ledger)
      const service = new PaymentService({
        db: ledger.db,
        tillId: name,
        clock: systemClock,
        demoUsdcAddress: demo.usdcAddress,
        settings: {
          receive: { kind: 'address', address: demo.merchantAddress },
          chains: [{ chainId: demo.chainId, rpcUrls: [url], tokens: ['USDC'], confirmations: { kind: 'blocks', count: 3 } }]
        }
      })
      services.push(service)
      const seen = new Map<string, number>()
      service.onChange((c) => {
        const tx = c.payment.txHashes[0]
        if (tx && (c.payment.status === 'Seen' || c.payment.status === 'Paid') && !seen.has(tx)) seen.set(tx, Date.now())
      })
      const pool = service.rpcPool(demo.chainId)
      const observer: Observer = { name, seen, calls: () => pool.calls }
      observers.push(observer)
      tills.push({ service, observer })
    }

    // ethers with its defaults: the provider polls (4 s) and contract.on() turns that into events.
    const ethersProvider = new CountingProvider(demo.rpcUrl)
    const usdc = new Contract(demo.usdcAddress, ['event Transfer(address indexed from, address indexed to, uint256 value)'], ethersProvider)
    const ethersSeen = new Map<string, number>()
    await usdc.on(usdc.filters['Transfer']!(null, demo.merchantAddress), (...args: unknown[]) => {
      const event = args[args.length - 1] as { log: { transactionHash: string } }
      if (!ethersSeen.has(event.log.transactionHash)) ethersSeen.set(event.log.transactionHash, Date.now())
    })
    stops.push(async () => {
      await usdc.removeAllListeners()
      ethersProvider.destroy()
    })
    observers.push({ name: 'ethers contract.on (default)', seen: ethersSeen, calls: () => ethersProvider.calls })

    // The plain loop: eth_getLogs from the start block to 'latest' every 250 ms.
    const loopSeen = new Map<string, number>()
    let loopCalls = 0
    let looping = true
    const startBlock = Number.parseInt(await rpc<string>(demo.rpcUrl, 'eth_blockNumber'), 16)
    const merchantTopic = `0x${demo.merchantAddress.slice(2).toLowerCase().padStart(64, '0')}`
    const loop = (async () => {
      while (looping) {
        loopCalls++
        const logs = await rpc<{ transactionHash: string }[]>(demo.rpcUrl, 'eth_getLogs', [
          { fromBlock: `0x${startBlock.toString(16)}`, toBlock: 'latest', address: demo.usdcAddress, topics: [TRANSFER_TOPIC, null, merchantTopic] }
        ])
        const now = Date.now()
        for (const l of logs) if (!loopSeen.has(l.transactionHash)) loopSeen.set(l.transactionHash, now)
        await sleep(250)
      }
    })()
    stops.push(async () => {
      looping = false
      await loop
    })
    observers.push({ name: 'plain eth_getLogs loop, 250 ms', seen: loopSeen, calls: () => loopCalls })

    for (const t of tills) t.service.start()
    await sleep(1500) // first polls, subscriptions, ethers' first block
    // Idle: nothing to watch.
    const idleStart = Date.now()
    const idleCalls = observers.map((o) => o.calls())
    await sleep(idleWindowMs)
    const idleMs = Date.now() - idleStart
    const rpcPerMinIdle = observers.map((o, i) => ((o.calls() - idleCalls[i]!) * 60_000) / idleMs)

    // Watching: payments one after another; each till opens its request, the customer pays once.
    const watchStart = Date.now()
    const watchCalls = observers.map((o) => o.calls())
    const txs: string[] = []
    for (let i = 0; i < payments; i++) {
      const requests = await Promise.all(tills.map((t) => t.service.createRequest({ saleId: `bench-${i}`, amountMinor: 100 + i, currency: 'USD', token: 'USDC', chainId: demo.chainId })))
      if (requests.some((r) => r.amountDue !== requests[0]!.amountDue)) throw new Error('the two tills asked different amounts')
      const tx = await demo.simulateCustomerPayment(requests[0]!)
      txs.push(tx)
      const deadline = Date.now() + 10_000
      while (tills.some((t) => !t.observer.seen.has(tx)) && Date.now() < deadline) await sleep(10)
      // Next payment at a random phase of the block clock.
      await sleep(Math.floor(Math.random() * 1000))
    }
    const watchMs = Date.now() - watchStart
    const rpcPerMinWatching = observers.map((o, i) => ((o.calls() - watchCalls[i]!) * 60_000) / watchMs)
    // ethers polls every 4 s: give it time to report the last payments (not counted in calls per minute).
    const grace = Date.now() + 10_000
    while (observers.some((o) => txs.some((tx) => !o.seen.has(tx))) && Date.now() < grace) await sleep(50)

    const blockOf = new Map<string, number>()
    for (const tx of txs) {
      const receipt = await rpc<{ blockNumber: string }>(demo.rpcUrl, 'eth_getTransactionReceipt', [tx])
      blockOf.set(tx, Number.parseInt(receipt.blockNumber, 16))
    }
    const figures = observers.map((o, i): ObserverFigures => {
      const latencies: number[] = []
      for (const tx of txs) {
        const arrival = blockArrival.get(blockOf.get(tx)!)
        const seen = o.seen.get(tx)
        if (arrival !== undefined && seen !== undefined) latencies.push(Math.max(0, seen - arrival))
      }
      return {
        name: o.name,
        seenMedianMs: median(latencies),
        seenMaxMs: latencies.length ? Math.max(...latencies) : Number.NaN,
        seen: latencies.length,
        rpcPerMinIdle: Math.round(rpcPerMinIdle[i]! * 10) / 10,
        rpcPerMinWatching: Math.round(rpcPerMinWatching[i]! * 10) / 10
      }
    })
    return { blockTimeMs: 1000, payments, observers: figures }
  } finally {
    for (const stop of stops.reverse()) await stop()
    for (const s of services) await s.stop()
    await demo.stop()
    for (const l of ledgers) l.cleanup()
  }
}
