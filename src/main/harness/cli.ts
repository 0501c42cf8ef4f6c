// `npm start` without an Electron binary, and `npm run harness`: the till on its embedded defaults, served to a
// browser. Usage: node out/main/harness.js [--data-dir DIR] [--port N]
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createApp } from '../app'
import { startDemoStack } from '../demo-stack'
import { startScanners } from '../devices/scanner/start'
import { startHarness } from './server'

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string', default: join(process.cwd(), '.data') },
      port: { type: 'string', default: '0' },
      'renderer-dir': { type: 'string' },
      'resources-dir': { type: 'string' },
      'no-chain': { type: 'boolean', default: false }
    }
  })
  const port = Number.parseInt(values.port ?? '0', 10)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`)
  const appRoot = resolve(__dirname, '..', '..')
  const dataDir = resolve(values['data-dir'] ?? '.data')
  const demo = values['no-chain'] ? null : await startDemoStack(dataDir, { blockTimeSec: 1 })
  const scanners = await startScanners()
  const app = createApp({ dataDir, resourcesDir: values['resources-dir'] ?? join(appRoot, 'resources'), scanners: scanners ?? undefined, ...demo?.appOptions })
  const harness = await startHarness({ app, rendererDir: values['renderer-dir'] ?? join(appRoot, 'out', 'renderer'), port })
  console.log(`Stabletill (browser harness) — store "${app.store.settings().storeName}", data in ${dataDir}`)
  console.log(`  Cashier:          ${harness.urls.cashier}`)
  console.log(`  Customer display: ${harness.urls.display}`)
  console.log(`  Back office:      ${harness.urls.backoffice}`)
  if (demo?.chain) console.log(`  Demo chain:       ${demo.chain.rpcUrl} (chain 31337, demo USDC ${demo.chain.usdcAddress})`)
  else console.log(`  Stablecoins:      off — ${demo?.note ?? '--no-chain given'}`)
  console.log('  Manager PIN (demo store): 1234')
  console.log('Press Ctrl+C to stop.')
  const stop = async () => {
    await harness.close()
    scanners?.stop()
    await app.close()
    await demo?.stop()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
