// The journal anchored outside its own file (issue [E], point 4).
//
// A hash chain kept in one file proves nothing against someone who rewrites the file and recomputes every hash. So
// each Z closing (and any explicit checkpoint) signs the chain head it carries, {seq, hash}, with a till key that is
// NOT in the ledger or its folder: an Ed25519 key (RFC 8032, node:crypto) in a key folder outside the data folder
// (the harness: --key-dir, default ~/.stabletill/keys; Electron: the app's key folder, sealed with safeStorage by the
// host). The signed heads are kept beside the ledger (anchors.jsonl, append-only) and the newest one also in the key
// folder, so deleting the file beside the ledger is noticed too.
//
// Verification: every signature checks against the till's public key, and the journal entry at each signed seq still
// has the signed hash. An edit below a signed head changes that entry's hash (or, re-hashed, every later one): caught.
// Cutting the journal back below a signed head: caught. The newest signed head is also the start-up check's
// checkpoint: the journal is verified from there on (ledger/integrity.ts).
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { canonicalJson } from '../../shared/canonical-json'
import type { Db } from './db'
import type { JournalCheckpoint } from './journal'

export const ANCHORS_FILE = 'anchors.jsonl'

export interface SignedHead {
  readonly storeId: string
  readonly tillId: string
  readonly seq: number
  readonly hash: string
  /** Why it was signed: 'z' with its number, or 'checkpoint'. */
  readonly reason: string
  readonly at: number
  /** Base64 Ed25519 signature over the canonical JSON of the fields above. */
  readonly signature: string
}

export interface TillKey {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  /** The public key as base64 DER (SPKI): printed (shortened) on the Z, comparable by a person. */
  readonly publicKeyDer: string
}

export function defaultKeyDir(): string {
  return join(homedir(), '.stabletill', 'keys')
}

/** Loads the till's key from the key folder, creating it on first use (file mode 0600). */
export function loadOrCreateTillKey(keyDir: string, storeId: string): TillKey {
  const safeId = storeId.replace(/[^A-Za-z0-9_.-]/g, '_')
  const file = join(keyDir, `${safeId}.ed25519.pem`)
  if (!existsSync(file)) {
    mkdirSync(keyDir, { recursive: true, mode: 0o700 })
    const { privateKey } = generateKeyPairSync('ed25519')
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' })
  }
  const privateKey = createPrivateKey(readFileSync(file))
  const publicKey = createPublicKey(privateKey)
  return { privateKey, publicKey, publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') }
}

const signedBody = (h: Omit<SignedHead, 'signature'>): Buffer =>
  Buffer.from(canonicalJson({ at: h.at, hash: h.hash, reason: h.reason, seq: h.seq, storeId: h.storeId, tillId: h.tillId }))

/** Signs the journal's current head and keeps it beside the ledger and in the key folder. */
export function signHead(db: Db, options: { readonly dataDir: string; readonly keyDir: string; readonly key: TillKey; readonly storeId: string; readonly tillId: string; readonly reason: string; readonly at: number }): SignedHead {
  const head = db.prepare('SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined
  if (!head) throw new Error('the journal is empty: nothing to sign')
  const body = { storeId: options.storeId, tillId: options.tillId, seq: head.seq, hash: head.hash, reason: options.reason, at: options.at }
  const signed: SignedHead = { ...body, signature: sign(null, signedBody(body), options.key.privateKey).toString('base64') }
  const line = `${JSON.stringify(signed)}\n`
  appendFileSync(join(options.dataDir, ANCHORS_FILE), line, { mode: 0o600 })
  const last = join(options.keyDir, `${options.storeId.replace(/[^A-Za-z0-9_.-]/g, '_')}.last-anchor.json`)
  writeFileSync(`${last}.tmp`, line, { mode: 0o600 })
  renameSync(`${last}.tmp`, last)
  try {
    chmodSync(last, 0o600)
  } catch {
    // best effort on file systems without modes
  }
  return signed
}

export type AnchorCheck =
  | { readonly ok: true; readonly anchors: number; readonly checkpoint: JournalCheckpoint | null }
  | { readonly ok: false; readonly anchors: number; readonly firstBadSeq: number | null; readonly reason: string }

/** Checks every signed head against the key and the journal; returns the newest as the start-up checkpoint. */
export function verifyAnchors(db: Db, options: { readonly dataDir: string; readonly keyDir: string; readonly key: TillKey; readonly storeId: string }): AnchorCheck {
  const file = join(options.dataDir, ANCHORS_FILE)
  const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const heads: SignedHead[] = []
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue
    try {
      heads.push(JSON.parse(line) as SignedHead)
    } catch {
      return { ok: false, anchors: heads.length, firstBadSeq: null, reason: `line ${i + 1} of ${ANCHORS_FILE} is damaged` }
    }
  }
  const lastFile = join(options.keyDir, `${options.storeId.replace(/[^A-Za-z0-9_.-]/g, '_')}.last-anchor.json`)
  if (existsSync(lastFile)) {
    const last = JSON.parse(readFileSync(lastFile, 'utf8')) as SignedHead
    if (!heads.some((h) => h.seq === last.seq && h.hash === last.hash && h.signature === last.signature)) {
      return { ok: false, anchors: heads.length, firstBadSeq: last.seq, reason: `the signed head of entry ${last.seq} kept with the till key is missing beside the ledger: ${ANCHORS_FILE} was replaced or cut back` }
    }
  }
  const at = db.prepare('SELECT hash FROM journal WHERE seq = ?')
  let previousSeq = 0
  for (const h of heads) {
    const { signature, ...body } = h
    if (!verify(null, signedBody(body), options.key.publicKey, Buffer.from(signature, 'base64'))) {
      return { ok: false, anchors: heads.length, firstBadSeq: h.seq, reason: `the signed head of entry ${h.seq} does not verify with this till's key` }
    }
    if (h.seq < previousSeq) return { ok: false, anchors: heads.length, firstBadSeq: h.seq, reason: `signed heads out of order at entry ${h.seq}` }
    previousSeq = h.seq
    const row = at.get(h.seq) as { hash: string } | undefined
    if (!row) return { ok: false, anchors: heads.length, firstBadSeq: h.seq, reason: `entry ${h.seq}, signed at ${h.reason}, is gone: the journal was cut back` }
    if (row.hash !== h.hash) {
      return { ok: false, anchors: heads.length, firstBadSeq: h.seq, reason: `entry ${h.seq}, signed at ${h.reason}, no longer has its signed hash: the journal was rewritten at or before it` }
    }
  }
  const newest = heads.at(-1)
  return { ok: true, anchors: heads.length, checkpoint: newest ? { seq: newest.seq, hash: newest.hash } : null }
}
