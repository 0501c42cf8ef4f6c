// The head-office command line: `npm run headoffice -- <command> [options]`.
//   serve      --port 8080 [--host 127.0.0.1] [--tls-key key.pem --tls-cert cert.pem]
//   add-store  --id S1 --name "High Street" --currency USD [--time-zone Europe/Paris]
//   add-till   --id S1-T1 --store S1 --till T1 --name "Front counter" [--public-key <base64 SPKI>]   (prints the token)
//   new-token  --id S1-T1                                                                           (prints the token)
//   set-key    --id S1-T1 --public-key <base64 SPKI>           (registers or replaces the till's key: `stabletill public-key`)
//   ack-alert  --alert 12 --note "till restored from yesterday's backup; re-verified"
//   closings   --from 2026-12-01 [--to 2026-12-31]                      (the Z closings as CSV on stdout)
//   rebuild                                                             (the projections again from the journal)
//   days       --from 2026-12-01 [--to 2026-12-31]                      (every store's days as CSV on stdout)
// The database: --db postgresql://… or HEADOFFICE_DATABASE_URL. The owner's overview token: HEADOFFICE_ADMIN_TOKEN
// (an environment variable, so it stays out of the process list and the shell history).
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { ZodError } from 'zod'
import { acknowledgeAlert, closingsCsv, closingsOn, storeDays, storeDaysCsv } from './overview'
import { rebuildProjections } from './ingest'
import { addStore, addTill, connectHeadOffice, rotateTillToken, setTillPublicKey, startHeadOffice } from './server'

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  const { values } = parseArgs({
    args: [...rest],
    options: {
      db: { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      currency: { type: 'string' },
      'time-zone': { type: 'string' },
      store: { type: 'string' },
      till: { type: 'string' },
      'public-key': { type: 'string' },
      alert: { type: 'string' },
      note: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' }
    }
  })
  const db = values.db ?? process.env.HEADOFFICE_DATABASE_URL
  if (!db) {
    console.error('give the database as --db postgresql://… or HEADOFFICE_DATABASE_URL')
    return 2
  }
  const need = (name: keyof typeof values): string => {
    const v = values[name]
    if (typeof v !== 'string' || v === '') throw new Error(`--${name} is needed`)
    return v
  }
  if (command === 'serve') {
    const adminToken = process.env.HEADOFFICE_ADMIN_TOKEN
    if (!adminToken || adminToken.length < 16) {
      console.error('set HEADOFFICE_ADMIN_TOKEN (at least 16 characters): the owner gives it to open the overview')
      return 2
    }
    const tls = values['tls-key'] && values['tls-cert'] ? { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']) } : undefined
    const ho = await startHeadOffice({ connectionString: db, adminToken, tls })
    const { url } = await ho.listen(Number(values.port), values.host)
    console.log(`head office listening on ${url} (tills post to ${url}/v1/journal; overview: ${url}/ and ${url}/v1/overview)`)
    const stop = () => void ho.close().then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    return -1
  }
  const pool = await connectHeadOffice(db, 2)
  try {
    if (command === 'add-store') {
      await addStore(pool, { id: need('id'), name: need('name'), currency: need('currency'), timeZone: values['time-zone'] ?? 'UTC' })
      console.log(`store ${values.id} saved`)
    } else if (command === 'add-till') {
      const token = await addTill(pool, { id: need('id'), storeId: need('store'), ledgerTillId: need('till'), name: need('name'), publicKey: values['public-key'] ?? null })
      console.log(token)
    } else if (command === 'new-token') {
      console.log(await rotateTillToken(pool, need('id')))
    } else if (command === 'set-key') {
      await setTillPublicKey(pool, need('id'), need('public-key'))
      console.log(`till ${values.id}: key registered; the signed heads it sends from now on are verified with it`)
    } else if (command === 'ack-alert') {
      const id = need('alert')
      if (!/^\d{1,15}$/.test(id)) throw new Error(`--alert ${id} is not an alert number`)
      const outcome = await acknowledgeAlert(pool, Number(id), need('note'))
      if (!outcome.ok) {
        console.error(outcome.reason === 'not-found' ? `there is no alert ${id}` : outcome.reason === 'already-acknowledged' ? `alert ${id} was already acknowledged` : 'say what was done in --note')
        return 1
      }
      console.log(`alert ${id} (${outcome.alert.kind} on till ${outcome.alert.tillId}) acknowledged`)
    } else if (command === 'closings') {
      const from = need('from')
      const to = values.to ?? from
      for (const day of [from, to]) if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`${day} is not YYYY-MM-DD`)
      process.stdout.write(closingsCsv(await closingsOn(pool, { from, to })))
    } else if (command === 'days') {
      const from = need('from')
      const to = values.to ?? from
      for (const day of [from, to]) if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`${day} is not YYYY-MM-DD`)
      process.stdout.write(storeDaysCsv(await storeDays(pool, from, to)))
    } else if (command === 'rebuild') {
      const done = await rebuildProjections(pool)
      console.log(`projections rebuilt from ${done.entries} journal entries of ${done.tills} tills`)
    } else {
      console.error('commands: serve, add-store, add-till, new-token, set-key, ack-alert, closings, days, rebuild')
      return 2
    }
  } finally {
    await pool.end()
  }
  return 0
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code
  },
  (e: unknown) => {
    // A refused option (zod) in one line per problem, named by its field, not as the issues' JSON.
    if (e instanceof ZodError) for (const issue of e.issues) console.error(`${issue.path.join('.') || 'input'}: ${issue.message}`)
    else console.error(e instanceof Error ? e.message : e)
    process.exitCode = 1
  }
)
