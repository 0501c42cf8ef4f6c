// The accountants' own tools, spawned by the export tests. A missing tool fails the test with the Debian package
// that provides it: never a silent skip.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Writable } from 'node:stream'
import { StringSink, finish } from '../../../src/main/reports/output'
import type { DaySettlement } from '../../../src/main/reports/settlement'

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..')
export const CAMT053_XSD = path.join(REPO_ROOT, '..', 'shared', 'standards', 'camt053', 'camt.053.001.08.xsd')

const PACKAGES: Record<string, string> = {
  hledger: 'hledger',
  ledger: 'ledger',
  'bean-check': 'beancount',
  'bean-query': 'beancount',
  ofxdump: 'ofx',
  xmllint: 'libxml2-utils',
  pdftotext: 'poppler-utils'
}

export interface ToolRun {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

export function run(tool: string, args: readonly string[]): ToolRun {
  const result = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${tool} is not installed: apt-get install ${PACKAGES[tool] ?? tool}`)
  }
  if (result.error) throw result.error
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }
}

/** Runs a tool and insists on exit code 0, showing its stderr otherwise. */
export function runOk(tool: string, args: readonly string[]): string {
  const r = run(tool, args)
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited ${r.status}:\n${r.stderr}\n${r.stdout}`)
  return r.stdout
}

export type Exporter = (day: DaySettlement, out: Writable) => Promise<void>

export async function exportText(exporter: Exporter, day: DaySettlement): Promise<string> {
  const sink = new StringSink()
  await exporter(day, sink)
  await finish(sink)
  return sink.text()
}

export function tempDir(): { dir: string; write: (name: string, text: string | Buffer) => string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'stabletill-reports-'))
  return {
    dir,
    write: (name, text) => {
      const file = path.join(dir, name)
      writeFileSync(file, text)
      return file
    },
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}

/** "-5.60" -> -560: parses a tool's decimal output back into minor units without a float. */
export function minorOf(text: string, exponent = 2): number {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim().replace(/,/g, ''))
  if (!m) throw new Error(`not a decimal amount: "${text}"`)
  const fraction = (m[3] ?? '').padEnd(exponent, '0')
  if (fraction.length > exponent) throw new Error(`more than ${exponent} decimals: "${text}"`)
  const value = Number(m[2]) * 10 ** exponent + Number(fraction || '0')
  return m[1] ? -value : value
}
