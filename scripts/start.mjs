// `npm start`: build, then run the till on its embedded defaults (demo catalog, SQLite file in .data/, a local anvil
// chain with a demo USDC, a virtual receipt printer). Runs in Electron where its binary exists; otherwise (as on the
// CI machines, where Electron's binary cannot be downloaded) it serves the same till to a browser and prints the URLs.
// Arguments after `--` go to the harness: --data-dir DIR --port N --no-chain
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const args = process.argv.slice(2)

const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '-c', 'electron.config.ts'], { cwd: root, stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)

let electronBinary
let why = ''
try {
  electronBinary = require('electron')
  if (typeof electronBinary !== 'string' || !existsSync(electronBinary)) throw new Error('the electron package has no binary')
} catch (e) {
  electronBinary = null
  why = e instanceof Error ? e.message.split('\n')[0] : String(e)
}

function run(command, commandArgs, env = process.env) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', env })
  const forward = (signal) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  child.on('exit', (code) => process.exit(code ?? 0))
}

if (electronBinary && !args.includes('--harness')) {
  // npm builds better-sqlite3 for Node; Electron needs it built for its own ABI (node-hid is N-API: it loads in both).
  const marker = join(root, 'node_modules', '.stabletill-native-for-electron')
  if (!existsSync(marker)) {
    console.log('Rebuilding native modules for Electron (npm run rebuild:electron)…')
    const rebuilt = spawnSync('npm', ['run', 'rebuild:electron'], { cwd: root, stdio: 'inherit' })
    if (rebuilt.status !== 0) process.exit(rebuilt.status ?? 1)
  }
  run(electronBinary, ['.', ...args])
} else {
  console.log(`Electron cannot start here (${why || '--harness given'}); serving the till to a browser instead.`)
  run(process.execPath, [join(root, 'out', 'main', 'harness.js'), ...args.filter((a) => a !== '--harness')])
}
