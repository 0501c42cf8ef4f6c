// `npm start` without an Electron binary, and `npm run harness`: the till on its embedded defaults, served to a
// browser. Usage: node out/main/harness.js [--data-dir DIR] [--key-dir DIR] [--port N] [--no-chain] [--demo]
// A new folder given with --data-dir starts with the first-run set-up (services/setup-host.ts) in the back office.
// The till key's folder (--key-dir) defaults to STABLETILL_KEY_DIR, else ~/.stabletill/keys, as for `stabletill verify`.
//
// Everything the harness ships with (the built pages, resources/, anvil) is found from this file's own install,
// never from the working folder: `node /opt/stabletill/out/main/harness.js` works from any folder.
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createApp, DEMO_CASHIER_PIN, DEMO_MANAGER_PIN, DEMO_OWNER_PIN, type App } from '../app'
import { startDemoStack, type DemoStack } from '../demo-stack'
import { hostFor, needsSetup, startSetupHost, storedStore, type TillHost } from '../services/setup-host'
import { startScanners } from '../devices/scanner/start'
import { keyDirProblem } from '../ledger/anchor'
import { claimDataFolder } from '../ledger/lock'
import { tillKeyDir } from '../services/day-close'
import { readSavedAddress, saveAddress } from './address'
import { startHarness, type Harness, type HarnessOptions } from './server'
import { headOfficeFromEnv } from '../services/shipper'

/** The app root: out/main/harness.js (built) and src/main/harness/cli.ts (tsx) both sit below it. */
function installRoot(): string {
  for (const up of [join(__dirname, '..', '..'), join(__dirname, '..', '..', '..')]) {
    if (existsSync(join(up, 'package.json')) && existsSync(join(up, 'resources'))) return up
  }
  return join(__dirname, '..', '..')
}

/**
 * anvil from the optional dependency beside this install, handed to the chain module through STABLETILL_ANVIL
 * (which it reads first). Resolved from this file, so the working folder plays no part.
 */
function findAnvil(): string | null {
  const platform = process.platform
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  try {
    const manifest = require.resolve(`@foundry-rs/anvil-${platform}-${arch}/package.json`, { paths: [__dirname, installRoot()] })
    const binary = join(dirname(manifest), 'bin', platform === 'win32' ? 'anvil.exe' : 'anvil')
    return existsSync(binary) ? binary : null
  } catch {
    return null
  }
}

async function listen(options: HarnessOptions, fallback: boolean): Promise<Harness> {
  try {
    return await startHarness(options)
  } catch (e) {
    // The saved port is taken (another program got it while the till was off): a new one, said in the banner.
    if (fallback && (e as NodeJS.ErrnoException).code === 'EADDRINUSE') return startHarness({ ...options, port: 0 })
    throw e
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'key-dir': { type: 'string' },
      port: { type: 'string' },
      'renderer-dir': { type: 'string' },
      'resources-dir': { type: 'string' },
      'no-chain': { type: 'boolean', default: false },
      // A new data folder given with --data-dir starts with the set-up; --demo makes it the demo store at once.
      demo: { type: 'boolean', default: false }
    }
  })
  const askedPort = values.port === undefined ? null : Number(values.port)
  if (askedPort !== null && (!Number.isInteger(askedPort) || askedPort < 0 || askedPort > 65535)) throw new Error(`--port must be 0..65535, got ${values.port}`)
  const appRoot = installRoot()
  const dataDir = resolve(values['data-dir'] ?? join(process.cwd(), '.data'))
  const keyDir = values['key-dir'] ? resolve(values['key-dir']) : tillKeyDir()
  const keyProblem = keyDirProblem(dataDir, keyDir)
  if (keyProblem) throw new Error(`--key-dir: ${keyProblem}`)
  if (!process.env['STABLETILL_ANVIL']) {
    const anvil = findAnvil()
    if (anvil) process.env['STABLETILL_ANVIL'] = anvil
  }
  // Before anything touches the folder (the demo chain keeps its state there too): one till per data folder.
  const folder = claimDataFolder(dataDir)
  const scanners = await startScanners()
  let demo: DemoStack | null = null
  // The demo chain runs for the demo store only: a real shop's till watches the chains its owner set up.
  const startApp = async (kind: 'demo' | 'store'): Promise<App> => {
    if (kind === 'demo' && !values['no-chain']) demo = await startDemoStack(dataDir, { blockTimeSec: 1 })
    return createApp({ dataDir, keyDir, resourcesDir: values['resources-dir'] ?? join(appRoot, 'resources'), scanners: scanners ?? undefined, headOffice: headOfficeFromEnv() ?? undefined, ...demo?.appOptions })
  }
  // `npm start` (no --data-dir) keeps opening the demo on its embedded defaults; a shop's own folder, new, asks.
  const setUp = values['data-dir'] !== undefined && !values.demo && needsSetup(dataDir)
  const host: TillHost = setUp ? startSetupHost({ dataDir, demoAvailable: !values['no-chain'], start: startApp }) : hostFor(await startApp(storedStore(dataDir)?.demo === false ? 'store' : 'demo'))

  const saved = readSavedAddress(dataDir)
  const wantedPort = askedPort ?? saved.address?.port ?? 0
  const harness = await listen(
    { app: host, rendererDir: values['renderer-dir'] ?? join(appRoot, 'out', 'renderer'), port: wantedPort, tokens: saved.address?.tokens },
    askedPort === null
  )
  saveAddress(dataDir, { port: harness.port, tokens: harness.tokens })

  const banner = (app: App): void => {
    console.log(`Stabletill (browser harness) — store "${app.store.settings().storeName}", data in ${dataDir}`)
    console.log(`  Till key:         ${keyDir} (back it up apart from the data folder)`)
    console.log(`  Cashier:          ${harness.urls.cashier}`)
    console.log(`  Customer display: ${harness.urls.display}`)
    console.log(`  Back office:      ${harness.urls.backoffice}`)
    if (demo?.chain) console.log(`  Demo chain:       ${demo.chain.rpcUrl} (chain 31337, demo USDC ${demo.chain.usdcAddress})`)
    else if (app.payments) console.log(`  Stablecoins:      ${app.payments.settings.chains.map((c) => `chain ${c.chainId}`).join(', ')}`)
    else console.log(`  Stablecoins:      off — ${app.store.settings().demo ? (demo?.note ?? '--no-chain given') : 'none set up (Settings in the back office)'}`)
    if (app.store.settings().demo) console.log(`  Demo store PINs: manager ${DEMO_MANAGER_PIN}, cashier ${DEMO_CASHIER_PIN} (signed in at start), owner ${DEMO_OWNER_PIN}`)
  }
  if (saved.discarded) console.log(`  Note: ${saved.discarded}.`)
  if (saved.address && harness.port !== saved.address.port) console.log(`  Note: port ${saved.address.port} is in use; this till now listens on port ${harness.port} (pages open on the old address must be reopened).`)
  if (setUp) {
    console.log(`Stabletill (browser harness) — a new till, data in ${dataDir}`)
    console.log(`  Set up this shop (or try the demo store) in the back office: ${harness.urls.backoffice}`)
    void host.started.then(banner)
  } else banner(host.app()!)
  console.log('Press Ctrl+C to stop.')
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    await harness.close()
    scanners?.stop()
    await host.close()
    await demo?.stop()
    folder.release()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
