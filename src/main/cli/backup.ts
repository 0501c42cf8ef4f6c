// `npm run backup -- --data-dir DIR --out FILE_OR_FOLDER`: an online backup of a till's ledger, safe while the till
// runs (the ledger is opened read-only and copied with SQLite's backup API; see ledger/backup.ts). --out names the
// backup file, or a folder to put a time-named backup in (an existing one, or a name ending in /). Exit codes: 0 written and checked, 1 failed.
//
// Restore: stop the till; move the data folder's stabletill.sqlite, -wal and -shm aside; copy the backup to
// DIR/stabletill.sqlite; run `npm run verify -- --data-dir DIR`; start the till.
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { LEDGER_FILE } from '../app'
import { backupLedger, backupFileName } from '../ledger/backup'
import { openLedger, type Db } from '../ledger/db'

const USAGE = 'Usage: npm run backup -- [--data-dir DIR | --file LEDGER.sqlite] --out FILE_OR_FOLDER'

export async function runBackup(args: readonly string[], out: (line: string) => void): Promise<number> {
  let source: string
  let target: string
  try {
    const { values } = parseArgs({ args: [...args], strict: true, options: { 'data-dir': { type: 'string' }, file: { type: 'string' }, out: { type: 'string' } } })
    if (!values.out) throw new Error('--out is required')
    source = values.file !== undefined ? resolve(values.file) : join(resolve(values['data-dir'] ?? '.data'), LEDGER_FILE)
    const outPath = resolve(values.out)
    // "backups/" names a folder even before it exists: made, and the backup goes in it under a time name, instead
    // of becoming a file called "backups".
    const asFolder = /[\\/]$/.test(values.out)
    if (asFolder && !existsSync(outPath)) mkdirSync(outPath, { recursive: true })
    target = existsSync(outPath) && statSync(outPath).isDirectory() ? join(outPath, backupFileName(Date.now())) : outPath
  } catch (e) {
    out(e instanceof Error ? e.message : String(e))
    out(USAGE)
    return 1
  }
  if (!existsSync(source) || statSync(source).size === 0) {
    out(`No ledger at ${source}: nothing to back up.`)
    return 1
  }
  let db: Db | undefined
  try {
    db = openLedger(source, { readonly: true })
    const result = await backupLedger(db, target)
    out(`Backup written: ${result.file} (${result.bytes} bytes, ${result.sales} sales, journal intact: ${result.journalEntries} entries, last hash ${result.lastHash})`)
    return 0
  } catch (e) {
    out(`Backup failed: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  } finally {
    db?.close()
  }
}

// Run when executed as a script, not when imported by a test (as cli/verify.ts: require.main is unreliable under tsx).
if (/(^|[\\/])backup\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  void runBackup(process.argv.slice(2), (line) => console.log(line)).then((code) => (process.exitCode = code))
}
