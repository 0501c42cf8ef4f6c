// `npm run bench`: speed as ratios against baselines measured in the same run (never in timed tests).
import { benchCatalog } from './catalog'
import { benchChain } from './chain'
import { benchDay } from './day'
import { benchLedger } from './ledger'
import { benchReceipt } from './receipt'
import { benchReports } from './reports'
import { benchShift } from './shift'
import { benchReturns } from './returns'
import { benchTrust } from './trust'
import { benchUi, coldStartCompare, compareRenderers, tillSourceAt } from './ui'
import { benchHeadOffice } from './headoffice'
import { benchHistory } from './history'
import * as os from 'node:os'

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
    console.log(`    of which each basket's first scan (opens the sale, 10 scans): median ${fmt(r.basketOpeningMedianMs, 1)} ms, max ${fmt(r.basketOpeningMaxMs, 1)} ms; the other 190: median ${fmt(r.basketLaterMedianMs, 1)} ms, p99 ${fmt(r.basketLaterP99Ms, 1)} ms`)
    console.log(`  200 scans into one 200-line sale (worst case):                median ${fmt(r.scanMedianMs, 1)} ms, p99 ${fmt(r.scanP99Ms, 1)} ms`)
    console.log(`  of which the till itself (sale:scan in-process, 1 FULL-sync transaction + view):     median ${fmt(r.serverMedianMs, 1)} ms, p99 ${fmt(r.serverP99Ms, 1)} ms`)
    console.log(`empty page, Enter -> appended row painted (floor):              median ${fmt(r.floorMedianMs, 1)} ms, p99 ${fmt(r.floorP99Ms, 1)} ms; frame interval ${fmt(r.frameMedianMs, 1)} ms`)
    console.log(`ratio scan/floor (baskets of 20): median ${fmt(r.basketMedianMs / r.floorMedianMs, 2)}, p99 ${fmt(r.basketP99Ms / r.floorP99Ms, 2)}`)
    console.log(`ratio scan/floor (one 200-line sale): median ${fmt(r.scanMedianMs / r.floorMedianMs, 2)}, p99 ${fmt(r.scanP99Ms / r.floorP99Ms, 2)}`)
    console.log(`goal p99 <= 16 ms (baskets of 20): ${fmt(r.basketP99Ms, 1)} ms, ${r.basketP99Ms <= 16 ? 'met' : `NOT met (${fmt(r.basketP99Ms - 16, 1)} ms over)`}`)
    console.log('where the time went (ms), median / p99:')
    console.log('| scenario | page to send | link (socket + till) | of which till | page queue | render | to frame |')
    console.log('|---|---:|---:|---:|---:|---:|---:|')
    for (const [name, f] of [['baskets of 20', r.basketPhases], ['one 200-line sale', r.salePhases]] as const) {
      const cell = (k: keyof typeof f.median) => `${fmt(f.median[k], 2)} / ${fmt(f.p99[k], 1)}`
      console.log(`| ${name} | ${cell('pageOut')} | ${cell('link')} | ${cell('till')} | ${cell('queue')} | ${cell('render')} | ${cell('frame')} |`)
    }
    console.log(`whole sale view (what a scan sent twice before 'sale:line-changed'): ${fmt(r.basketViewBytes)} bytes at 20 lines, ${fmt(r.saleViewBytes)} at 200`)
    console.log(`line change a scan sends now (the event; the answer is the same change): ${fmt(r.basketChangeBytes)} bytes at 20 lines, ${fmt(r.saleChangeBytes)} at 200`)
    console.log(`cold start, fresh data folder: harness to URLs ${fmt(r.coldHarnessMs)} ms + cashier page to ready-to-scan ${fmt(r.coldPageMs)} ms = ${fmt(r.coldTotalMs)} ms`)
    console.log(`bare node start (node -e 0):                                    ${fmt(r.bareNodeMs)} ms (cold start / bare node = ${fmt(r.coldTotalMs / r.bareNodeMs, 1)})`)
    // Issue [R]: the row drawn on the Enter itself from the cashier's local index, then confirmed by the till.
    console.log('row shown (pending row from the local index, Enter -> painted) and row confirmed (the till\'s figures in it), ms:')
    console.log('| scenario | shown median | shown p99 | confirmed median | confirmed p99 | drawn ahead of the till | floor median | floor p99 |')
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
    console.log(`| baskets of 20 | ${fmt(r.basketShownMedianMs, 1)} | ${fmt(r.basketShownP99Ms, 1)} | ${fmt(r.basketMedianMs, 1)} | ${fmt(r.basketP99Ms, 1)} | ${r.basketDrawnAhead}/200 | ${fmt(r.floorMedianMs, 1)} | ${fmt(r.floorP99Ms, 1)} |`)
    console.log(`| one 200-line sale | ${fmt(r.saleShownMedianMs, 1)} | ${fmt(r.saleShownP99Ms, 1)} | ${fmt(r.scanMedianMs, 1)} | ${fmt(r.scanP99Ms, 1)} | ${r.saleDrawnAhead}/200 | ${fmt(r.floorMedianMs, 1)} | ${fmt(r.floorP99Ms, 1)} |`)
    console.log(`goal p99 <= 16 ms, row shown (baskets of 20): ${fmt(r.basketShownP99Ms, 1)} ms, ${r.basketShownP99Ms <= 16 ? 'met' : 'NOT met'}; shown/floor p99 ${fmt(r.basketShownP99Ms / r.floorP99Ms, 2)}`)
    console.log('where the row shown went (ms): Enter -> row in the DOM (the page), then -> its frame; the till\'s answer in before that frame; shown and confirmed in one paint; the slowest 1 %:')
    console.log('| scenario | to DOM median / p99 | to frame median / p99 | answer before the frame | one paint | slowest (to DOM + to frame) |')
    console.log('|---|---:|---:|---:|---:|---|')
    for (const [name, f] of [['baskets of 20', r.basketShownPhases], ['one 200-line sale', r.saleShownPhases]] as const) {
      console.log(`| ${name} | ${fmt(f.renderMedian, 2)} / ${fmt(f.renderP99, 1)} | ${fmt(f.frameMedian, 2)} / ${fmt(f.frameP99, 1)} | ${f.answerBeforeFrame}/200 | ${f.onePaint}/200 | ${f.slowest.join('; ')} |`)
    }
    console.log(`local product index: ${fmt(r.indexProducts)} products in ${r.indexPages} pages, ${fmt(r.indexBytes / 1e6, 2)} MB of JSON, loaded by the page in ${fmt(r.indexLoadMs)} ms (after ready-to-scan); one page holds the till's loop at most ${fmt(r.indexPageMaxMs, 1)} ms`)
  }
  // Not in the default run: before/after of two renderer builds, interleaved (BENCH_UI_COMPARE=<other out/renderer>).
  if (only.includes('ui-compare')) {
    const other = process.env['BENCH_UI_COMPARE']
    if (!other) throw new Error('ui-compare needs BENCH_UI_COMPARE=<path to another build of out/renderer>')
    console.log('== ui-compare (two renderer builds, 20 scans each in turn, same machine load)')
    // BENCH_UI_COMPARE_SRC: that checkout's till too (its src/), for a change on both sides of the socket.
    const otherSrc = process.env['BENCH_UI_COMPARE_SRC']
    const rows = await compareRenderers([
      { name: `other (${other})`, dir: other, ...(otherSrc ? { till: await tillSourceAt(otherSrc) } : {}) },
      { name: 'this build (out/renderer)', dir: `${__dirname}/../out/renderer` }
    ])
    console.log('| renderer | 20-line baskets median | p99 | 200-line sale median | p99 | basket render median / p99 | basket to frame median / p99 | basket till median / p99 |')
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
    for (const c of rows) {
      const f = c.basketPhases
      console.log(`| ${c.name} | ${fmt(c.basketMedianMs, 1)} | ${fmt(c.basketP99Ms, 1)} | ${fmt(c.saleMedianMs, 1)} | ${fmt(c.saleP99Ms, 1)} | ${fmt(f.median.render, 2)} / ${fmt(f.p99.render, 1)} | ${fmt(f.median.frame, 2)} / ${fmt(f.p99.frame, 1)} | ${fmt(f.median.till, 2)} / ${fmt(f.p99.till, 1)} |`)
    }
    console.log('where the time went in the 200-line sale (ms), median / p99:')
    console.log('| renderer | page to send | link (socket + till) | of which till | page queue | render | to frame |')
    console.log('|---|---:|---:|---:|---:|---:|---:|')
    for (const c of rows) {
      const f = c.salePhases
      const cell = (k: keyof typeof f.median) => `${fmt(f.median[k], 2)} / ${fmt(f.p99[k], 1)}`
      console.log(`| ${c.name} | ${cell('pageOut')} | ${cell('link')} | ${cell('till')} | ${cell('queue')} | ${cell('render')} | ${cell('frame')} |`)
    }
    console.log('row shown (the first change of the rows: a pending row where the renderer draws one), ms:')
    console.log('| renderer | baskets shown median | p99 | 200-line sale shown median | p99 |')
    console.log('|---|---:|---:|---:|---:|')
    for (const c of rows) console.log(`| ${c.name} | ${fmt(c.basketShownMedianMs, 1)} | ${fmt(c.basketShownP99Ms, 1)} | ${fmt(c.saleShownMedianMs, 1)} | ${fmt(c.saleShownP99Ms, 1)} |`)
  }
  // Not in the default run: cold start of another checkout's build beside this one's, in turns
  // (BENCH_UI_COLD_COMPARE=<other checkout's root, built>).
  if (only.includes('ui-cold-compare')) {
    const other = process.env['BENCH_UI_COLD_COMPARE']
    if (!other) throw new Error('ui-cold-compare needs BENCH_UI_COLD_COMPARE=<path to another built checkout>')
    console.log('== ui-cold-compare (harness + cashier page to ready-to-scan, demo store, 5 runs each in turn)')
    const rows = await coldStartCompare([
      { name: `other (${other})`, root: other },
      { name: 'this build', root: `${__dirname}/..` }
    ])
    console.log('| build | harness to URLs | page to ready-to-scan | total | ready -> local index in |')
    console.log('|---|---:|---:|---:|---:|')
    for (const c of rows) console.log(`| ${c.name} | ${fmt(c.harnessMs)} | ${fmt(c.pageMs)} | ${fmt(c.harnessMs + c.pageMs)} | ${Number.isNaN(c.indexMs) ? '-' : fmt(c.indexMs)} |`)
  }
  if (want('chain')) {
    const r = await benchChain()
    console.log(`== chain (one anvil, ${fmt(r.blockTimeMs)} ms blocks, ${r.payments} payments seen by all four at once)`)
    console.log('')
    console.log('| watcher | block -> Seen median (ms) | max (ms) | seen | RPC calls/min idle | RPC calls/min watching |')
    console.log('|---|---:|---:|---:|---:|---:|')
    for (const o of r.observers) {
      console.log(`| ${o.name} | ${fmt(o.seenMedianMs)} | ${fmt(o.seenMaxMs)} | ${o.seen}/${r.payments} | ${fmt(o.rpcPerMinIdle, 1)} | ${fmt(o.rpcPerMinWatching, 1)} |`)
    }
    const [http, ws, , loop] = r.observers
    console.log('')
    console.log(`goal: till WS median <= 50 ms: ${fmt(ws!.seenMedianMs)} ms ${ws!.seenMedianMs <= 50 ? 'met' : 'NOT met'}`)
    console.log(`goal: till HTTP median <= the 250 ms loop's: ${fmt(http!.seenMedianMs)} vs ${fmt(loop!.seenMedianMs)} ms ${http!.seenMedianMs <= loop!.seenMedianMs ? 'met' : 'NOT met'}`)
    const idleWorst = Math.max(http!.rpcPerMinIdle, ws!.rpcPerMinIdle)
    console.log(`goal: till idle calls/min <= the loop's: ${fmt(idleWorst, 1)} vs ${fmt(loop!.rpcPerMinIdle, 1)} ${idleWorst <= loop!.rpcPerMinIdle ? 'met' : 'NOT met'}`)
  }
  if (want('reports')) {
    console.log('== reports (Z + every export of a generated day, streamed to a counting sink)')
    // Goals (issue [D]): 10,000 sales <= 1 s, 1,000,000 sales <= 10 s, flat memory. The 1,000,000 case runs here only.
    for (const sales of [10_000, 1_000_000]) {
      const r = await benchReports(sales)
      console.log(`${fmt(r.sales)} sales (${fmt(r.entries)} entries with money or counts):`)
      console.log('  step        wall ms    CPU ms   output MB   wall/floor')
      const floor = r.rows.find((row) => row.step === 'floor')!
      for (const row of r.rows) {
        console.log(`  ${row.step.padEnd(10)} ${fmt(row.wallMs).padStart(8)} ${fmt(row.cpuMs).padStart(9)} ${fmt(row.bytes / 1e6, 1).padStart(11)} ${fmt(row.wallMs / floor.wallMs, 1).padStart(12)}`)
      }
      console.log(`  peak RSS ${fmt(r.peakRssMb)} MB (at start ${fmt(r.baselineRssMb)} MB), peak heap ${fmt(r.peakHeapMb)} MB`)
    }
  }
  if (want('catalog')) {
    const r = await benchCatalog()
    console.log(`== catalog (CSV of ${fmt(r.products)} products, ${fmt(r.megabytes, 1)} MB, ${fmt(r.badRows)} bad rows; real ledger file)`)
    const floor = r.rows.find((row) => row.step === 'floor')!
    for (const row of r.rows) console.log(`  ${row.step.padEnd(10)} ${fmt(row.ms).padStart(7)} ms   x${fmt(row.ms / floor.ms, 1)} the bare-insert floor`)
  }
  if (want('shift')) {
    console.log('== shift (X and Z of a 10,000-sale day; floor: one plain SELECT over the same sales)')
    for (const historySales of [0, 1_000_000]) {
      const r = await benchShift({ historySales })
      console.log(`ledger with ${fmt(historySales)} sales before the day (seeded in ${fmt(r.seedSeconds, 1)} s):`)
      console.log(`  floor ${fmt(r.floorMs, 1)} ms, X ${fmt(r.xMs, 1)} ms (x${fmt(r.xMs / r.floorMs, 1)}), Z ${fmt(r.zMs, 1)} ms (x${fmt(r.zMs / r.floorMs, 1)}); heap +${fmt(r.heapDeltaMb, 1)} MB, max RSS ${fmt(r.maxRssMb)} MB`)
    }
  }
  if (want('day')) {
    console.log('== day (from the ledger: Z report + every export in one pass, reconciliation on anvil; floor: one plain SELECT over the day\'s sales)')
    // Goals (issue [D]): 10,000 sales <= 1 s; 1,000,000 sales <= 10 s with flat memory. The goal's 1,000,000 row is
    // the 1,000,000-sale day; the 10,000-sale day in a ledger of 1,000,000 sales is the other reading, shown too.
    // `npm run bench -- day 10k` (or 1m, 10k-in-1m) runs one case.
    const cases = [
      { name: '10k', sales: 10_000, historySales: 0, goalMs: 1_000 },
      { name: '1m', sales: 1_000_000, historySales: 0, goalMs: 10_000 },
      { name: '10k-in-1m', sales: 10_000, historySales: 990_000, goalMs: 1_000 }
    ]
    const picked = cases.filter((c) => only.includes(c.name))
    for (const c of picked.length > 0 ? picked : cases) {
      const r = await benchDay(c.sales, { historySales: c.historySales })
      console.log(`${fmt(r.sales)} sales${r.historySales > 0 ? ` after ${fmt(r.historySales)} sales of earlier days` : ''}, ${fmt(r.stablecoinPayments)} of them paid on chain (seeded in ${fmt(r.seedSeconds, 1)} s):`)
      console.log('| step | wall ms | CPU ms (all threads) | output MB | peak RSS MB | event loop held, max ms | wall/floor |')
      console.log('|---|---:|---:|---:|---:|---:|---:|')
      for (const row of r.rows) console.log(`| ${row.step} | ${fmt(row.wallMs)} | ${fmt(row.cpuMs)} | ${fmt(row.bytes / 1e6, 1)} | ${fmt(row.peakRssMb)} | ${fmt(row.maxLoopStallMs)} | ${fmt(row.wallMs / r.floorMs, 1)} |`)
      console.log(`| total: close (Z) + Z report + exports + reconcile | ${fmt(r.totalMs)} | | | | | ${fmt(r.totalMs / r.floorMs, 1)} |`)
      console.log(`| total, the close's path: close (Z), then its files (PDF too) and reconcile at once | ${fmt(r.closePathMs)} | | | | | ${fmt(r.closePathMs / r.floorMs, 1)} |`)
      console.log(`goal <= ${fmt(c.goalMs)} ms: ${fmt(r.totalMs)} ms in sequence, ${r.totalMs <= c.goalMs ? 'met' : `NOT met (x${fmt(r.totalMs / c.goalMs, 2)})`}; the close's path ${fmt(r.closePathMs)} ms, ${r.closePathMs <= c.goalMs ? 'met' : `NOT met (x${fmt(r.closePathMs / c.goalMs, 2)})`}; RSS ${fmt(r.baselineRssMb)} MB before, peak ${fmt(r.peakRssMb)} MB; peak heap ${fmt(r.peakHeapMb)} MB; load average ${os.loadavg().map((l) => fmt(l, 2)).join(' ')}`)
    }
  }
  if (want('returns')) {
    console.log('== returns (find, quote and a cash refund; floor: one sale and its lines by primary key)')
    for (const sales of [10_000, 1_000_000]) {
      const r = await benchReturns(sales)
      console.log(`ledger of ${fmt(sales)} sales (seeded in ${fmt(r.seedSeconds, 1)} s):`)
      const floor = r.rows[0]!.medianMs
      console.log('| step | median ms | x floor |')
      console.log('|---|---:|---:|')
      for (const row of r.rows) console.log(`| ${row.step} | ${fmt(row.medianMs, 3)} | ${fmt(row.medianMs / floor, 1)} |`)
    }
  }
  if (want('trust')) {
    console.log('== trust (journal verification, start-up check, PIN)')
    const r = await benchTrust()
    console.log(`ledger of ${fmt(r.entries)} journal entries (${fmt(r.sales)} sales, seeded in ${fmt(r.seedSeconds, 1)} s)`)
    console.log(`  built by this code: ${fmt(r.recordedSales)} of ${fmt(r.sales)} sales carry the record of their rows in their sale.completed entry (ledger/replay.ts recordSaleRows)`)
    console.log(`  read floor (every row, nothing done):   ${fmt(r.readFloorMs)} ms`)
    console.log(`  full verify, one thread (chain + sales replayed): ${fmt(r.fullVerifyMs)} ms = ${fmt(r.entriesPerSecond)} entries/s (verify/floor ${fmt(r.fullVerifyMs / r.readFloorMs, 1)})`)
    console.log(`  full verify, ${r.workers} workers (each: its range read once, chain + its sales replayed and compared): ${fmt(r.parallelVerifyMs)} ms = ${fmt(r.parallelEntriesPerSecond)} entries/s (goal >= 1,000,000: ${r.parallelEntriesPerSecond >= 1_000_000 ? 'met' : 'NOT met'}; verify/floor ${fmt(r.parallelVerifyMs / r.readFloorMs, 1)})`)
    console.log(`  read floor in chunks (hash inputs built by SQLite, 4,096 entries a row, nothing done): ${fmt(r.chunkReadFloorMs)} ms (chunked/row floor ${fmt(r.chunkReadFloorMs / r.readFloorMs, 2)})`)
    console.log(`  hash chain alone: row by row (before) ${fmt(r.chainRowByRowMs)} ms, in chunks ${fmt(r.chainChunkedMs)} ms (x${fmt(r.chainRowByRowMs / r.chainChunkedMs, 2)})`)
    console.log(`  CPU time of the full verifies (every thread): one thread ${fmt(r.fullVerifyCpuMs)} ms, ${r.workers} workers ${fmt(r.parallelVerifyCpuMs)} ms; load average ${os.loadavg().map((l) => fmt(l, 2)).join(' ')}`)
    console.log(`  full verify before the record (one thread, every sale replayed from its entries), same run: ${fmt(r.replayVerifyMs)} ms = ${fmt(r.entries / (r.replayVerifyMs / 1000))} entries/s, CPU ${fmt(r.replayVerifyCpuMs)} ms (record/replay CPU ${fmt(r.fullVerifyCpuMs / r.replayVerifyCpuMs, 2)})`)
    console.log(`  start-up check from the signed head (${fmt(r.startupEntries)} entries after it): median ${fmt(r.startupMs, 1)} ms (goal <= 100 ms: ${r.startupMs <= 100 ? 'met' : 'NOT met'})`)
    console.log(`  start-up check with a ${fmt(r.bigCatalogProducts)}-product catalog: median ${fmt(r.startupBigCatalogMs, 1)} ms (goal <= 100 ms: ${r.startupBigCatalogMs <= 100 ? 'met' : 'NOT met'}); the catalog digest it leaves to the after-start worker: ${fmt(r.catalogDigestMs, 1)} ms (was in the start-up check: ${fmt(r.startupBigCatalogMs + r.catalogDigestMs, 1)} ms)`)
    console.log(`  PIN check (scrypt N=2^14, r=8), lookup tag + one scrypt: ${fmt(r.pinMs.one, 1)} ms with 1 manager, ${fmt(r.pinMs.ten, 1)} ms with 10, a wrong PIN with 10: ${fmt(r.pinMs.tenWrong, 1)} ms (goal < 300 ms: ${Math.max(r.pinMs.ten, r.pinMs.tenWrong) < 300 ? 'met' : 'NOT met'})`)
    console.log(`  every row hashed (no till key: a restored ledger until people sign in; the till before the tags): ${fmt(r.pinMs.untaggedOne, 1)} ms with 1, ${fmt(r.pinMs.untaggedTen, 1)} ms with 10; an attacker with the file: ${fmt(r.pinGuessesPerCoreSecond, 1)} guesses/s per core`)
    const parts = r.partsCpuMs
    console.log(`  CPU per part of the one-thread verify (each alone, same run): chunks read ${fmt(parts.chunkRead)} ms; read + every entry hashed ${fmt(parts.chunkReadAndHash)} ms (hashing ${fmt(parts.chunkReadAndHash - parts.chunkRead)}); chain pass ${fmt(parts.chain)} ms (its own checks ${fmt(parts.chain - parts.chunkReadAndHash)}); records compared ${fmt(parts.recordCompare)} ms; the rest (sale entries' bookkeeping) ${fmt(r.fullVerifyCpuMs - parts.chain - parts.recordCompare)} ms`)
  }
  if (want('headoffice')) {
    console.log('== headoffice (a real till\'s journal shipped to PostgreSQL over HTTP, 500 entries a batch)')
    const r = await benchHeadOffice()
    console.log(`journal of ${fmt(r.entries)} entries (${fmt(r.sales)} sales)`)
    console.log(`  floor: the same rows inserted into a bare table, one statement per batch: ${fmt(r.floorMs)} ms = ${fmt(r.entries / (r.floorMs / 1000))} entries/s`)
    console.log(`  shipped (HTTP, zod, hash chain checked, stored, projections): ${fmt(r.shipMs)} ms = ${fmt(r.entries / (r.shipMs / 1000))} entries/s (ship/floor ${fmt(r.shipMs / r.floorMs, 1)})`)
    console.log(`  re-sent whole (compared, nothing stored): ${fmt(r.resendMs)} ms (resend/floor ${fmt(r.resendMs / r.floorMs, 1)})`)
    console.log(`  overview query (median of 20): ${fmt(r.overviewMedianMs, 1)} ms`)
  }
  if (want('history')) {
    const r = await benchHistory()
    console.log(`== history (payment housekeeping with ${fmt(r.past)} settled requests behind the till and ${fmt(r.live)} live ones; before = the statement each call ran before migration 0017, alone, same run)`)
    console.log(`  floor: one request read by its key: ${fmt(r.floorMs, 3)} ms`)
    console.log('| call | now, median ms | its statement before 0017, median ms | before/now | rows now |')
    console.log('|---|---:|---:|---:|---:|')
    for (const row of r.rows) console.log(`| ${row.step} | ${fmt(row.nowMs, 3)} | ${fmt(row.beforeMs, 2)} | ${fmt(row.beforeMs / row.nowMs, 0)} | ${fmt(row.rows)} |`)
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
