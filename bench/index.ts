// `npm run bench`: speed as ratios against baselines measured in the same run (never in timed tests).
import { benchChain } from './chain'
import { benchLedger } from './ledger'
import { benchReceipt } from './receipt'
import { benchUi } from './ui'

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

async function main(): Promise<void> {
  const only = process.argv.slice(2)
  const want = (name: string) => only.length === 0 || only.includes(name)
  if (want('ledger')) {
    console.log('== ledger')
    const r = await benchLedger()
    console.log(`sales committed/s (1 synchronous=FULL transaction per sale, 3 lines + cash): ${fmt(r.salesPerSecond)}`)
    console.log(`fdatasync calls/s on the same disk:                                   ${fmt(r.fdatasyncPerSecond)}`)
    console.log(`ratio sales/fdatasync:                                                ${fmt(r.ratio, 2)}`)
    console.log(`journal entries per sale:                                             ${fmt(r.journalEntriesPerSale, 1)}`)
    console.log(`verify ${fmt(r.verifySales)} sales (${fmt(r.verifyEntries)} entries):                          ${fmt(r.verifyMs)} ms`)
  }
  if (want('receipt')) {
    console.log('== receipt')
    const r = await benchReceipt()
    console.log(`build + encode a 40-line receipt (median):  ${fmt(r.medianMs, 3)} ms  (${fmt(r.bytes)} bytes)`)
    console.log(`the same bytes on a 115200 baud line:        ${fmt(r.wireMs115200, 1)} ms  (software/wire = ${fmt(r.medianMs / r.wireMs115200, 4)})`)
    console.log(`printing it at the printer's rated speed:    ${fmt(r.printerMs, 1)} ms  (software/printer = ${fmt(r.medianMs / r.printerMs, 4)})`)
  }
  if (want('ui')) {
    console.log('== ui (Chromium, cashier page through the harness)')
    const r = await benchUi()
    console.log(`wedge Enter -> row painted, ${r.catalogProducts.toLocaleString('en-US')}-product catalog (goal: p99 within one 16.7 ms frame):`)
    console.log(`  200 scans as 10 sales of 20 lines:                            median ${fmt(r.basketMedianMs, 1)} ms, p99 ${fmt(r.basketP99Ms, 1)} ms`)
    console.log(`  200 scans into one 200-line sale (worst case):                median ${fmt(r.scanMedianMs, 1)} ms, p99 ${fmt(r.scanP99Ms, 1)} ms`)
    console.log(`  of which the till itself (sale:scan in-process, 1 FULL-sync transaction + view):     median ${fmt(r.serverMedianMs, 1)} ms, p99 ${fmt(r.serverP99Ms, 1)} ms`)
    console.log(`empty page, Enter -> appended row painted (floor):              median ${fmt(r.floorMedianMs, 1)} ms, p99 ${fmt(r.floorP99Ms, 1)} ms; frame interval ${fmt(r.frameMedianMs, 1)} ms`)
    console.log(`ratio scan/floor (baskets of 20): median ${fmt(r.basketMedianMs / r.floorMedianMs, 2)}, p99 ${fmt(r.basketP99Ms / r.floorP99Ms, 2)}`)
    console.log(`cold start, fresh data folder: harness to URLs ${fmt(r.coldHarnessMs)} ms + cashier page to ready-to-scan ${fmt(r.coldPageMs)} ms = ${fmt(r.coldTotalMs)} ms`)
    console.log(`bare node start (node -e 0):                                    ${fmt(r.bareNodeMs)} ms (cold start / bare node = ${fmt(r.coldTotalMs / r.bareNodeMs, 1)})`)
  }
  if (want('chain')) {
    console.log('== chain (anvil, 1 s blocks, 20 payments)')
    // The store's poll interval trades Seen latency for RPC calls; the default and a faster setting, same run.
    for (const pollIntervalMs of [1000, 500]) {
      const r = await benchChain({ pollIntervalMs })
      console.log(`poll every ${pollIntervalMs} ms${pollIntervalMs === 1000 ? ' (default)' : ''}:`)
      console.log(`  block -> Seen: median ${fmt(r.seenMedianMs)} ms, max ${fmt(r.seenMaxMs)} ms, beside a block time of ${fmt(r.blockTimeMs)} ms (median/block = ${fmt(r.seenMedianMs / r.blockTimeMs, 2)})`)
      console.log(`  RPC calls per minute: idle ${fmt(r.rpcPerMinIdle, 1)}, watching ${fmt(r.rpcPerMinWatching, 1)}`)
    }
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
