// What follows a Z once it has committed (issue [D] points 4 and 5): the journal head signed with the till key
// (ledger/anchor.ts), the Z as PDF and every export of the day in the accountant's folder
// <dataDir>/closings/Z<number>/, the Z on the receipt printer when a printer hook is given, and an online backup
// into <dataDir>/backups/. None of it can block or undo the close: each step is tried on its own, a failure is
// journaled ('shift.z-artifacts-failed', with the reasons) and returned for the screen to show.
//
// The key folder: STABLETILL_KEY_DIR, else ~/.stabletill/keys (defaultKeyDir). The lead is to move it into
// AppOptions (the harness's --key-dir, Electron's sealed key folder); the environment variable keeps the CLI and
// cron jobs pointing at the same folder meanwhile.
import { createHash } from 'node:crypto'
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Writable } from 'node:stream'
import type { ZArtifactsView } from '../../shared/api/views'
import type { Clock } from '../../shared/clock'
import type { PrinterProfile } from '../devices/printer/profiles'
import { escapeText } from '../devices/printer/receipt'
import { defaultKeyDir, loadOrCreateTillKey, signHead } from '../ledger/anchor'
import { backupToFolder } from '../ledger/backup'
import { prepareCached, type Db } from '../ledger/db'
import { appendJournal } from '../ledger/journal'
import { EXPORT_FORMATS, exportFileName, writeDayExports, writeDayExportsInParts } from '../reports'
import { daySettlementFromLedger, ledgerEntries, seqRange } from '../reports/from-ledger'
import type { ReportLocale } from '../reports/labels'
import { finish } from '../reports/output'
import { builtDayWorkerFile, writeDayExportFilesInWorkers } from '../reports/parallel'
import { computeZTotals, type DaySettlement, type ZTotals } from '../reports/settlement'
import { zReportDocument } from '../reports/z-document'
import { checkSessionTotals, checkSessionTotalsOffThread, describeTotalsCheck } from './session-totals'
import { zPeriod } from './shift'
import { writeZPdf } from '../reports/z-pdf'

/** The key folder the till signs with (see the top of the file). */
export function tillKeyDir(): string {
  return process.env.STABLETILL_KEY_DIR?.trim() || defaultKeyDir()
}

/**
 * The store's identity for its key and anchors: the hash of the ledger's first entry ('store.created'), which no
 * later change can alter and which moves with the ledger file (the store settings hold no id of their own).
 */
export function storeIdOf(db: Db): string {
  const first = prepareCached(db, 'SELECT hash FROM journal ORDER BY seq LIMIT 1').get() as { hash: string } | undefined
  if (!first) throw new Error('the journal is empty: the store is not set up')
  return `store-${first.hash.slice(0, 16)}`
}

/** The data folder of an open ledger (the ledger file lives at its top: app.ts LEDGER_FILE). */
export function dataDirOf(db: Db): string {
  return dirname(db.name)
}

export function closingFolder(dataDir: string, zNumber: number): string {
  return join(dataDir, 'closings', `Z${zNumber}`)
}

export function zPdfFileName(day: DaySettlement): string {
  return `${day.store.tillId}_${day.businessDate}_Z${day.zNumber}.pdf`
}

/** What the Z slip says about its signature, in the report's language (the rest of its labels: reports/labels.ts). */
const SIGNATURE_LABELS = {
  en: { signedHead: 'Signed journal head', head: 'Journal head', signature: 'Signature', key: 'Till key', notSigned: 'Not signed: see the back office (Day close).' },
  'zh-CN': { signedHead: '已签名的日志头', head: '日志头', signature: '签名', key: '收银台密钥', notSigned: '未签名：请在后台“日结”中查看。' }
} as const satisfies Record<ReportLocale, Record<string, string>>

/**
 * A short fingerprint a person can compare by eye (issue [E] point 4, "print the head on the Z"): the first 16 hex
 * digits of the SHA-256 of the base64 value (an Ed25519 signature, or the till key's DER), in groups of four.
 * Ed25519 signs deterministically, so the same head and key always give the same fingerprint.
 */
export function shortFingerprint(base64: string): string {
  const hex = createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex').slice(0, 16)
  return hex.match(/.{4}/g)!.join(' ')
}

/**
 * The Z slip's closing block: the journal head the signature covers (its seq and the whole hash, in groups of 16) and the fingerprints of the signature and the till key; or the Z's own head, marked
 * unsigned, when signing failed. ReceiptLine markup, appended to zReportDocument's.
 */
export function signedHeadBlock(head: { readonly seq: number; readonly hash: string }, signed: { readonly signature: string; readonly publicKeyDer: string } | null, locale: ReportLocale): string {
  const t = SIGNATURE_LABELS[locale]
  const groups = head.hash.match(/.{1,16}/g)!
  const rows = [
    `|"${escapeText(`${signed ? t.signedHead : t.head} #${head.seq}`)}" |`,
    // Two groups of 16 a line: 33 characters fit the narrowest paper (58 mm, 32 to 35 a line) without a break.
    `|${escapeText(groups.slice(0, 2).join(' '))} |`,
    `|${escapeText(groups.slice(2).join(' '))} |`,
    ...(signed ? [`|${escapeText(`${t.signature}: ${shortFingerprint(signed.signature)}`)} |`, `|${escapeText(`${t.key}: ${shortFingerprint(signed.publicKeyDer)}`)} |`] : [`|${escapeText(t.notSigned)} |`])
  ]
  return ['{width:*}', ...rows, '-'].join('\n') + '\n'
}

export interface ZPrinterHook {
  profile(): PrinterProfile
  /** Queues a report document (ReceiptLine markup) on the receipt printer. */
  enqueueReport(document: string, reason: string): unknown
}

export interface ZArtifactsDeps {
  readonly db: Db
  readonly clock: Clock
  readonly store: { settings(): { readonly tillId: string; readonly locale?: string } }
  /** Default: the ledger's folder. */
  readonly dataDir?: string
  /** Default: tillKeyDir(). */
  readonly keyDir?: string
  /** Default: the machine's zone. */
  readonly timeZone?: string
  /** The receipt printer; omitted: the Z is not printed (and `printed` says so). */
  readonly printer?: ZPrinterHook
  readonly log?: (message: string, error: unknown) => void
  /**
   * How far the day's files are (entries written so far of about `expectedEntries`), every few thousand entries of a
   * big day; the lead wires it to an event for the back office's progress bar (dayclose.tsx).
   */
  readonly onFilesProgress?: (progress: { readonly entries: number; readonly expectedEntries: number }) => void
  /** Cancels writing the day's files (the Z stays closed; the step is journaled as failed and can be re-run). */
  readonly signal?: AbortSignal
  /** The files are done and the backup (a copy of the whole ledger, checked on workers) begins: seconds on a big ledger. */
  readonly onBackupStarted?: () => void
  /** Export worker threads for a big day (reports/parallel.ts; default 2 on two cores). */
  readonly exportWorkers?: number
  /** The export worker's file when it is not beside the build's entries (bench/day.ts). */
  readonly exportWorkerFile?: string
}

/**
 * Days with at least this many entries have their exports written on two worker threads, each walking part of the
 * day (reports/parallel.ts): the one-pass walk is synchronous, and a 1,000,000-sale day would hold the till's event
 * loop for many seconds. Below it ONE worker runs the one pass (writeClosingFilesOffThread): splitting a small day
 * costs more (two workers' start, spool files handed over and copied) than it saves.
 */
export const EXPORT_WORKER_MIN_ENTRIES = 50_000

/** About how many entries a closed day has, from its Z's figures (one row: no pass over the day). */
export function expectedDayEntries(db: Db, tillId: string, zNumber: number): number {
  const row = prepareCached(db, 'SELECT figures FROM cash_sessions WHERE till_id = ? AND z_number = ?').get(tillId, zNumber) as { figures: string } | undefined
  if (!row) return 0
  const f = JSON.parse(row.figures) as { salesCount?: number; returnsCount?: number; voids?: { count?: number }; noSaleCount?: number; movements?: unknown[] }
  return (f.salesCount ?? 0) + (f.returnsCount ?? 0) + (f.voids?.count ?? 0) + (f.noSaleCount ?? 0) + (f.movements?.length ?? 0)
}

function reasonOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 300)
}

/** Writes one file by its final name only once it is complete (a half-written export never looks finished). */
async function writeFileAtomically(file: string, write: (out: Writable) => Promise<unknown>): Promise<void> {
  const temp = `${file}.${process.pid}.partial`
  const out = createWriteStream(temp)
  try {
    await write(out)
    await finish(out)
    renameSync(temp, file)
  } catch (e) {
    out.destroy()
    rmSync(temp, { force: true })
    throw e
  }
}

/** The Z PDF and every export of a closed day into `folder`; returns the files written. Re-running overwrites. */
export async function writeClosingFiles(day: DaySettlement, folder: string, options: { readonly totals?: ZTotals; readonly locale?: ReportLocale } = {}): Promise<string[]> {
  mkdirSync(folder, { recursive: true })
  const totals = options.totals ?? computeZTotals(day)
  const files: string[] = []
  const pdf = join(folder, zPdfFileName(day))
  await writeFileAtomically(pdf, (out) => writeZPdf(day, totals, out, { kind: 'Z', locale: options.locale ?? 'en' }))
  files.push(pdf)
  // Every export from ONE pass over the day (reports/day-pass.ts); each file takes its final name only once all
  // are complete, so a half-written export never looks finished.
  const parts = EXPORT_FORMATS.map((format) => {
    const file = join(folder, exportFileName(day, format))
    const temp = `${file}.${process.pid}.partial`
    return { format, file, temp, out: createWriteStream(temp) }
  })
  try {
    await writeDayExports(day, Object.fromEntries(parts.map((p) => [p.format, p.out])), { totals })
    for (const p of parts) await finish(p.out)
    for (const p of parts) renameSync(p.temp, p.file)
  } catch (e) {
    for (const p of parts) {
      p.out.destroy()
      rmSync(p.temp, { force: true })
    }
    throw e
  }
  files.push(...parts.map((p) => p.file))
  return files
}

export interface ClosingFilesOffThreadOptions {
  readonly locale?: ReportLocale
  readonly timeZone?: string
  readonly workers?: number
  readonly workerFile?: string
  readonly onProgress?: (progress: { readonly entries: number; readonly expectedEntries: number }) => void
  readonly signal?: AbortSignal
  /** Default EXPORT_WORKER_MIN_ENTRIES (tests lower it). */
  readonly workerMinEntries?: number
}

/**
 * writeClosingFiles for a day of any size: the same files, byte for byte, written on worker threads while this
 * thread only waits: two for a big day (EXPORT_WORKER_MIN_ENTRIES), one for a small day when the build's worker
 * file is there. Their walk folds the Z, which the PDF then takes (on the last worker), so the day is read once
 * (each worker reads its part) and never on this thread. Returns the files and the day's Z.
 */
export async function writeClosingFilesOffThread(db: Db, day: DaySettlement, folder: string, options: ClosingFilesOffThreadOptions = {}): Promise<{ files: string[]; totals: ZTotals }> {
  const expectedEntries = expectedDayEntries(db, day.store.tillId, day.zNumber)
  if (db.memory) {
    options.signal?.throwIfAborted()
    const totals = computeZTotals(day)
    return { files: await writeClosingFiles(day, folder, { totals, locale: options.locale }), totals }
  }
  const small = expectedEntries < (options.workerMinEntries ?? EXPORT_WORKER_MIN_ENTRIES)
  // The worker as the build ships it; from the TypeScript sources (tests, tsx) a worker compiles the reports
  // first (about a second), so a small day's PDF stays on this thread there.
  const workerFile = options.workerFile ?? builtDayWorkerFile()
  const locale = options.locale ?? 'en'
  mkdirSync(folder, { recursive: true })
  const parts = EXPORT_FORMATS.map((format) => {
    const file = join(folder, exportFileName(day, format))
    return { format, file, temp: `${file}.${process.pid}.partial` }
  })
  const pdf = join(folder, zPdfFileName(day))
  const pdfTemp = `${pdf}.${process.pid}.partial`
  const removeTemps = (): void => {
    rmSync(pdfTemp, { force: true })
    for (const p of parts) rmSync(p.temp, { force: true })
  }
  const request = { file: db.name, tillId: day.store.tillId, zNumber: day.zNumber, timeZone: day.store.timeZone, workerFile: workerFile ?? undefined }
  if (small) {
    // A small day's exports here, read in parts with the loop turning between them (a part held it tens of ms, the
    // whole pass 0.6-0.7 s at 10,000 sales): starting a worker and warming it up cost more than the pass on this
    // thread, whose code is loaded. A Chinese Z's PDF (the CJK font loaded and embedded: most of a second, one
    // piece) on a worker meanwhile, which folds the Z for it on its own connection.
    const stopPdf = new AbortController()
    const onAbort = (): void => stopPdf.abort(options.signal?.reason)
    options.signal?.addEventListener('abort', onAbort, { once: true })
    // An English Z is set in Helvetica (z-pdf.ts: tens of ms, no font to embed), so it is written here after the
    // parts, from the totals they fold: a worker's start and its own read of the day cost more than that.
    const pdfOnWorker = workerFile === null || locale === 'en' ? null : writeDayExportFilesInWorkers({ ...request, outFiles: {}, workers: 1, signal: stopPdf.signal, pdf: { file: pdfTemp, locale } })
    // Awaited below; a failure before then must not surface as an unhandled rejection.
    pdfOnWorker?.catch(() => {})
    const outs = parts.map((p) => createWriteStream(p.temp))
    try {
      const count = Math.max(1, Math.ceil(expectedEntries / ENTRIES_PER_PART))
      const period = zPeriod(db, day.store.tillId, day.zNumber)
      if (!period) throw new Error(`there is no Z number ${day.zNumber} on till ${day.store.tillId}`)
      const totals = await writeDayExportsInParts(
        day,
        function* () {
          for (let index = 0; index < count; index++) {
            options.signal?.throwIfAborted()
            // The whole day's header with this part's entries (as from-ledger.ts `range` reads them, without reading
            // the header again for every part).
            yield { ...day, entries: ledgerEntries(db, { tillId: day.store.tillId, sessionId: period.sessionId, ...seqRange(period.openSeq, period.closeSeq, index, count) }) }
          }
        },
        Object.fromEntries(parts.map((p, i) => [p.format, outs[i]!])),
        { onProgress: options.onProgress ? (entries) => options.onProgress!({ entries, expectedEntries }) : undefined }
      )
      for (const out of outs) await finish(out)
      if (pdfOnWorker) await pdfOnWorker
      else await writeFileAtomically(pdfTemp, (out) => writeZPdf(day, totals, out, { kind: 'Z', locale }))
      renameSync(pdfTemp, pdf)
      for (const p of parts) renameSync(p.temp, p.file)
      return { files: [pdf, ...parts.map((p) => p.file)], totals }
    } catch (e) {
      stopPdf.abort(e)
      await pdfOnWorker?.catch(() => {})
      for (const out of outs) out.destroy()
      removeTemps()
      throw e
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
    }
  }
  try {
    const totals = await writeDayExportFilesInWorkers({
      ...request,
      outFiles: Object.fromEntries(parts.map((p) => [p.format, p.temp])),
      workers: options.workers,
      signal: options.signal,
      onProgress: options.onProgress ? (entries) => options.onProgress!({ entries, expectedEntries }) : undefined,
      // The PDF too: loading the CJK font and embedding it would hold this thread most of a second.
      pdf: { file: pdfTemp, locale }
    })
    renameSync(pdfTemp, pdf)
    for (const p of parts) renameSync(p.temp, p.file)
    return { files: [pdf, ...parts.map((p) => p.file)], totals }
  } catch (e) {
    removeTemps()
    throw e
  }
}

/**
 * Entries of a small day walked between two turns of the till's loop (day-pass.ts writeDayPassInParts). Small,
 * because the first parts run cold: 1,000 sales held the loop 0.7-0.8 s in the first part (loaded machine) against
 * 0.1-0.2 s once the writers were compiled; a part costs a few indexed reads of its own.
 */
const ENTRIES_PER_PART = 250

/**
 * The closed day's running totals against the journal (session-totals.ts): on this thread for a small day, on a
 * worker with its own read-only connection from EXPORT_WORKER_MIN_ENTRIES on. The reason names the session.
 */
async function checkClosedTotals(db: Db, zNumber: number, tillId: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const session = prepareCached(db, 'SELECT id FROM cash_sessions WHERE till_id = ? AND z_number = ?').get(tillId, zNumber) as { id: string } | undefined
  // A day closed before 0015 has no running totals: its Z was computed from the journal itself.
  if (!session || !prepareCached(db, 'SELECT 1 FROM session_totals WHERE session_id = ?').get(session.id)) return { ok: true }
  const check = db.memory || expectedDayEntries(db, tillId, zNumber) < EXPORT_WORKER_MIN_ENTRIES ? checkSessionTotals(db, session.id) : await checkSessionTotalsOffThread(db.name, session.id)
  return check.ok ? { ok: true } : { ok: false, reason: describeTotalsCheck(check) }
}

/** Everything after Z `zNumber` committed. Never throws: failures are journaled and returned. */
export async function afterZClose(deps: ZArtifactsDeps, zNumber: number): Promise<ZArtifactsView> {
  const { db } = deps
  const settings = deps.store.settings()
  const dataDir = deps.dataDir ?? dataDirOf(db)
  const failures: { step: 'sign' | 'files' | 'backup' | 'print' | 'totals'; reason: string }[] = []
  // The Z was read from the day's running totals (migration 0015): recompute them from the journal meanwhile, on a
  // worker for a big day (seconds at 1,000,000 sales, none on the till's thread), and say so if they disagree.
  const totalsCheck = checkClosedTotals(db, zNumber, settings.tillId).catch((e: unknown) => ({ ok: false as const, reason: `the check could not run: ${reasonOf(e)}` }))
  let anchor: ZArtifactsView['anchor'] = null
  let signature: string | null = null
  let folder: string | null = null
  let files: string[] = []
  let backupFile: string | null = null
  let printed = false

  // First the signature: it is what makes the closed day tamper-evident from outside the file.
  try {
    const keyDir = deps.keyDir ?? tillKeyDir()
    const storeId = storeIdOf(db)
    const key = loadOrCreateTillKey(keyDir, storeId)
    const signed = signHead(db, { dataDir, keyDir, key, storeId, tillId: settings.tillId, reason: `z ${zNumber}`, at: deps.clock.now() })
    anchor = { seq: signed.seq, hash: signed.hash, publicKey: key.publicKeyDer }
    signature = signed.signature
  } catch (e) {
    failures.push({ step: 'sign', reason: reasonOf(e) })
  }

  let day: DaySettlement | null = null
  let totals: ZTotals | null = null
  try {
    day = daySettlementFromLedger(db, settings.tillId, zNumber, { timeZone: deps.timeZone })
    folder = closingFolder(dataDir, zNumber)
    const written = await writeClosingFilesOffThread(db, day, folder, {
      locale: settings.locale === 'zh-CN' ? 'zh-CN' : 'en',
      workers: deps.exportWorkers,
      workerFile: deps.exportWorkerFile,
      onProgress: deps.onFilesProgress,
      signal: deps.signal
    })
    files = written.files
    totals = written.totals
  } catch (e) {
    failures.push({ step: 'files', reason: reasonOf(e) })
  }

  if (deps.printer && day && totals) {
    try {
      const locale = settings.locale === 'zh-CN' ? 'zh-CN' : 'en'
      // The head the signature covers (the Z's own entry), else the head the Z was closed at, marked unsigned.
      const head = anchor && signature ? { seq: anchor.seq, hash: anchor.hash } : { seq: totals.journal.headSeq, hash: totals.journal.headHash }
      const block = signedHeadBlock(head, anchor && signature ? { signature, publicKeyDer: anchor.publicKey } : null, locale)
      const document = zReportDocument(day, totals, deps.printer.profile(), { kind: 'Z', locale }) + block
      deps.printer.enqueueReport(document, `z ${zNumber}`)
      printed = true
    } catch (e) {
      failures.push({ step: 'print', reason: reasonOf(e) })
    }
  }

  try {
    deps.onBackupStarted?.()
    backupFile = (await backupToFolder(db, join(dataDir, 'backups'), deps.clock.now())).file
  } catch (e) {
    failures.push({ step: 'backup', reason: reasonOf(e) })
  }

  const checked = await totalsCheck
  if (!checked.ok) failures.push({ step: 'totals', reason: checked.reason })

  if (failures.length > 0) {
    try {
      db.transaction(() => {
        appendJournal(db, { at: deps.clock.now(), tillId: settings.tillId, kind: 'shift.z-artifacts-failed', payload: { zNumber, failures } })
      }).immediate()
    } catch (e) {
      ;(deps.log ?? console.error)(`could not journal the failed steps after Z ${zNumber}`, e)
    }
  }
  return { zNumber, folder, files, anchor, backupFile, printed, failures }
}
