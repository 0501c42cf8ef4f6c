// Switches better-sqlite3 between the Node build (tests, harness) and the Electron build (the desktop app).
//   node scripts/rebuild-native.mjs electron   |   node scripts/rebuild-native.mjs node
// Only better-sqlite3 needs it: it is built against V8's C++ API, so its binary is tied to one ABI (Electron 41 is
// ABI 145, Node 20 is 115). node-hid is an N-API module whose prebuilt binary loads in both.
import { spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const marker = join(root, 'node_modules', '.stabletill-native-for-electron')
const target = process.argv[2]

if (target === 'electron') {
  // npm passes its config to scripts as npm_config_*; a `nodedir` there (set on some build machines) would make
  // node-gyp compile against Node's headers and quietly produce a module Electron cannot load.
  const env = { ...process.env }
  for (const key of Object.keys(env)) if (key.toLowerCase() === 'npm_config_nodedir') delete env[key]
  const electronVersion = JSON.parse(spawnSync(process.execPath, ['-p', "JSON.stringify(require('electron/package.json').version)"], { cwd: root, encoding: 'utf8' }).stdout)
  const r = spawnSync('npx', ['electron-rebuild', '--force', '--only', 'better-sqlite3', '--version', electronVersion], { cwd: root, stdio: 'inherit', env })
  if (r.status !== 0) process.exit(r.status ?? 1)
  writeFileSync(marker, `electron ${electronVersion} ${new Date().toISOString()}\n`)
} else if (target === 'node') {
  const r = spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
  rmSync(marker, { force: true })
} else {
  console.error('usage: node scripts/rebuild-native.mjs electron|node')
  process.exit(2)
}
