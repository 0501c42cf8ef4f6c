// `npm run bench`: speed as ratios against baselines measured in the same run (never in timed tests).
import { benchLedger } from './ledger'

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
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
