// `npm run verify -- [--data-dir DIR | --file LEDGER.sqlite]`: recomputes the journal's hash chain of a till's ledger
// without changing a byte of it (the file is opened read-only, so it is safe beside a running till or on a copy an
// auditor was handed). Exit codes: 0 intact, 1 broken (names the first bad entry), 2 could not check at all.
import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { LEDGER_FILE } from '../app'
import { openLedger, SchemaTooNewError, type Db } from '../ledger/db'
import { verifyJournalParallel } from '../ledger/journal'

export const EXIT_INTACT = 0
export const EXIT_BROKEN = 1
export const EXIT_CANNOT_CHECK = 2

const USAGE = [
  'Usage: npm run verify -- [--data-dir DIR | --file LEDGER.sqlite]',
  `  --data-dir DIR   the till's data folder (default: .data in the current folder); checks DIR/${LEDGER_FILE}`,
  '  --file FILE      the ledger file itself'
]

/** Checks one ledger (on every core: ledger/journal.ts verifyJournalParallel) and reports through `out`; resolves to the process exit code. */
export async function runVerify(args: readonly string[], out: (line: string) => void): Promise<number> {
  let file: string
  try {
    const { values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        file: { type: 'string' },
        help: { type: 'boolean', short: 'h' }
      }
    })
    if (values.help) {
      USAGE.forEach((line) => out(line))
      return EXIT_INTACT
    }
    if (values.file !== undefined && values['data-dir'] !== undefined) {
      out('Give either --data-dir or --file, not both.')
      return EXIT_CANNOT_CHECK
    }
    // The same default folder as the browser harness (src/main/harness/cli.ts).
    file = values.file !== undefined ? resolve(values.file) : join(resolve(values['data-dir'] ?? '.data'), LEDGER_FILE)
  } catch (e) {
    out(e instanceof Error ? e.message : String(e))
    USAGE.forEach((line) => out(line))
    return EXIT_CANNOT_CHECK
  }

  if (!existsSync(file)) {
    out(`No ledger at ${file}: nothing to verify. Pass --data-dir DIR or --file FILE.`)
    return EXIT_CANNOT_CHECK
  }
  if (!statSync(file).isFile()) {
    out(`${file} is not a file.`)
    return EXIT_CANNOT_CHECK
  }

  let db: Db | undefined
  try {
    db = openLedger(file, { readonly: true })
    // A read-only open never migrates, so a file no migration has touched is not a Stabletill ledger at all.
    if ((db.pragma('user_version', { simple: true }) as number) === 0) {
      out(`${file} is not a Stabletill ledger (schema version 0).`)
      return EXIT_CANNOT_CHECK
    }
    const result = await verifyJournalParallel(db, file)
    if (result.ok) {
      out(`Journal intact: ${result.entries} entries, last hash ${result.lastHash}`)
      return EXIT_INTACT
    }
    out(`Journal broken at entry ${result.firstBadSeq}: ${result.reason}`)
    return EXIT_BROKEN
  } catch (e) {
    if (e instanceof SchemaTooNewError) out(e.message)
    else out(`Could not read the ledger at ${file}: ${e instanceof Error ? e.message : String(e)}`)
    return EXIT_CANNOT_CHECK
  } finally {
    db?.close()
  }
}

// Run when executed as a script (tsx or a bundled .js), not when imported by a test. `require.main === module`
// is not reliable under tsx, so look at the script path instead.
if (/(^|[\\/])verify\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  void runVerify(process.argv.slice(2), (line) => console.log(line)).then((code) => {
    process.exitCode = code
  })
}
