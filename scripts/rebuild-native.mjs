// Switches the native modules (better-sqlite3, node-hid) between the Node build (tests, harness) and the Electron
// build (the desktop app). `node scripts/rebuild-native.mjs electron` | `node scripts/rebuild-native.mjs node`.
import { spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const marker = join(root, 'node_modules', '.stabletill-native-for-electron')
const target = process.argv[2]
if (target === 'electron') {
  // electron-builder's install-app-deps runs @electron/rebuild against the installed Electron's version and ABI.
  const r = spawnSync('npx', ['electron-builder', 'install-app-deps'], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
  writeFileSync(marker, new Date().toISOString())
} else if (target === 'node') {
  const r = spawnSync('npm', ['rebuild', 'better-sqlite3', 'node-hid'], { cwd: root, stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
  rmSync(marker, { force: true })
} else {
  console.error('usage: node scripts/rebuild-native.mjs electron|node')
  process.exit(2)
}
