// `npm run backup -- --out FOLDER/`: a name ending in a slash is a folder to put a time-named backup in, made if it
// is missing, never a file of that name.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { createApp, type App } from '../../../src/main/app'
import { runBackup } from '../../../src/main/cli/backup'
import { ManualClock } from '../../../src/shared/clock'

const ROOT = resolve(__dirname, '..', '..', '..')
const dirs: string[] = []
let app: App | null = null
afterEach(async () => {
  await app?.close()
  app = null
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

it('--out backups/ makes the folder and writes a time-named, checked backup in it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stabletill-cli-backup-'))
  const target = mkdtempSync(join(tmpdir(), 'stabletill-cli-backup-out-'))
  dirs.push(dataDir, target)
  app = createApp({ dataDir, clock: new ManualClock(Date.UTC(2026, 10, 24, 9, 0, 0)), resourcesDir: join(ROOT, 'resources') })
  app.sales.scan('5901234123013', 'manual')
  app.sales.tenderCash(app.sales.current()!.dueMinor)
  app.sales.complete()
  const lines: string[] = []
  const folder = join(target, 'nightly')
  expect(await runBackup(['--data-dir', dataDir, '--out', `${folder}/`], (l) => lines.push(l))).toBe(0)
  expect(statSync(folder).isDirectory()).toBe(true)
  const files = readdirSync(folder)
  expect(files).toHaveLength(1)
  expect(files[0]).toMatch(/^stabletill-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.sqlite$/)
  expect(lines.join('\n')).toMatch(/Backup written: .*nightly\/stabletill-.*journal intact/)
}, 60_000)
