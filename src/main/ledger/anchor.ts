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
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve, sep } from 'node:path'
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

/**
 * Seals the till's private key at rest with what the host offers (Electron: safeStorage, i.e. the OS keychain, DPAPI
 * or libsecret), so a copy of the key folder alone does not carry a usable key. The till logic stays free of
 * electron imports: the host registers a sealer for its key folder (src/main/index.ts), and every loader of that
 * folder (the start-up check, the Z's signer, the PIN tags) picks it up here.
 */
export interface KeySealer {
  seal(plain: Buffer): Buffer
  unseal(sealed: Buffer): Buffer
}

const sealers = new Map<string, KeySealer>()

/** The host's sealer for `keyDir` (null: keys in that folder are kept as plain PEM files, mode 0600). */
export function useKeySealer(keyDir: string, sealer: KeySealer | null): void {
  if (sealer) sealers.set(resolve(keyDir), sealer)
  else sealers.delete(resolve(keyDir))
}

/**
 * The signed head and the key are written as the ledger's commit is: on the disk before the call returns. A Z's
 * commit is synchronous=FULL; its anchor written without fsync could be lost or torn by a power cut right after,
 * and the next start would then find a journal past a head it never saw signed (or a torn last line).
 */
function syncWrite(file: string, bytes: string | Buffer, flags: 'w' | 'wx' | 'a'): void {
  const fd = openSync(file, flags, 0o600)
  try {
    writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes) : bytes)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** A rename is durable only once its folder is synced (where the platform can open a folder: not Windows). */
function syncFolder(folder: string): void {
  if (process.platform === 'win32') return
  const fd = openSync(folder, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Replaces `file` whole: a reader sees the old bytes or the new, never a torn file, and the new survive a power cut. */
function replaceDurably(file: string, bytes: string | Buffer): void {
  syncWrite(`${file}.tmp`, bytes, 'w')
  renameSync(`${file}.tmp`, file)
  syncFolder(dirname(file))
}

function writeKeyFile(file: string, bytes: Buffer): void {
  replaceDurably(file, bytes)
}

/**
 * Loads the till's key from the key folder, creating it on first use (file mode 0600). With a sealer registered
 * for the folder the key is kept as `<store>.ed25519.sealed`; a plain key found there is sealed and its plain file
 * removed once the sealed copy reads back.
 */
export function loadOrCreateTillKey(keyDir: string, storeId: string): TillKey {
  const safeId = storeId.replace(/[^A-Za-z0-9_.-]/g, '_')
  const file = join(keyDir, `${safeId}.ed25519.pem`)
  const sealedFile = join(keyDir, `${safeId}.ed25519.sealed`)
  const sealer = sealers.get(resolve(keyDir)) ?? null
  let pem: Buffer
  if (existsSync(sealedFile)) {
    if (!sealer) throw new Error(`the till key in ${keyDir} is sealed by the desktop app's key store: only the app can use it`)
    pem = sealer.unseal(readFileSync(sealedFile))
  } else if (existsSync(file)) {
    pem = readFileSync(file)
    if (sealer) {
      writeKeyFile(sealedFile, sealer.seal(pem))
      if (!sealer.unseal(readFileSync(sealedFile)).equals(pem)) throw new Error(`sealing the till key in ${keyDir} did not read back`)
      unlinkSync(file)
    }
  } else {
    mkdirSync(keyDir, { recursive: true, mode: 0o700 })
    const { privateKey } = generateKeyPairSync('ed25519')
    pem = Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }))
    if (sealer) writeKeyFile(sealedFile, sealer.seal(pem))
    else {
      // 'wx': two starts racing for a new key folder never overwrite each other's key.
      syncWrite(file, pem, 'wx')
      syncFolder(keyDir)
    }
  }
  const privateKey = createPrivateKey(pem)
  const publicKey = createPublicKey(privateKey)
  const publicKeyDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
  // The public half beside it, in the clear: what the owner registers at head office (`stabletill public-key`),
  // readable without the desktop app's key store even when the private key is sealed.
  const publicFile = tillPublicKeyFile(keyDir, storeId)
  if (!existsSync(publicFile) || readFileSync(publicFile, 'utf8').trim() !== publicKeyDer) writeKeyFile(publicFile, Buffer.from(`${publicKeyDer}\n`))
  return { privateKey, publicKey, publicKeyDer }
}

/** Where the till key's public half (base64 SPKI, one line) is kept for `storeId`. */
export function tillPublicKeyFile(keyDir: string, storeId: string): string {
  return join(keyDir, `${storeId.replace(/[^A-Za-z0-9_.-]/g, '_')}.ed25519.pub`)
}

/** The till key's public half without touching the private key (null: no key for this store in `keyDir` yet). */
export function readTillPublicKey(keyDir: string, storeId: string): string | null {
  const publicFile = tillPublicKeyFile(keyDir, storeId)
  if (existsSync(publicFile)) return readFileSync(publicFile, 'utf8').trim()
  const plain = join(keyDir, `${storeId.replace(/[^A-Za-z0-9_.-]/g, '_')}.ed25519.pem`)
  if (existsSync(plain)) return createPublicKey(createPrivateKey(readFileSync(plain))).export({ type: 'spki', format: 'der' }).toString('base64')
  return null
}

/**
 * The key of the staff PIN lookup tags (services/approvals.ts, migration 0013): derived from the till's private key,
 * so it lives wherever the till key lives (outside the ledger) and needs no file of its own.
 */
export interface PinTagKey {
  readonly key: Buffer
}

export function pinTagKey(key: TillKey): PinTagKey {
  return { key: createHmac('sha256', key.privateKey.export({ type: 'pkcs8', format: 'der' })).update('stabletill pin lookup tag v1').digest() }
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
  syncWrite(join(options.dataDir, ANCHORS_FILE), line, 'a')
  const last = join(options.keyDir, `${options.storeId.replace(/[^A-Za-z0-9_.-]/g, '_')}.last-anchor.json`)
  replaceDurably(last, line)
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

/**
 * The PIN tag key for StaffService, loaded once from the key folder on first use. Null when the key cannot be had
 * (no key folder, a sealed key without its host): sign-in then hashes every row as before, never refuses.
 */
export function pinTagSource(keyDir: string | undefined, storeId: () => string): () => PinTagKey | null {
  let loaded: PinTagKey | null | undefined
  return () => {
    if (loaded !== undefined) return loaded
    if (!keyDir) return (loaded = null)
    try {
      loaded = pinTagKey(loadOrCreateTillKey(keyDir, storeId()))
    } catch (e) {
      // An empty journal (no store id yet) is retried at the next PIN; a key that cannot be read is said once.
      if (!(e instanceof Error && /journal is empty/.test(e.message))) {
        console.error('PIN lookup tags are off (every staff row is hashed per PIN):', e instanceof Error ? e.message : e)
        loaded = null
      }
      return null
    }
    return loaded
  }
}

/** What Electron's safeStorage offers (src/main/index.ts passes it); kept as an interface so this module needs no electron. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean
  encryptString(plain: string): Buffer
  decryptString(sealed: Buffer): string
  /** Linux only: 'basic_text' means no keyring, a fixed password: no better than the file's 0600 mode. */
  getSelectedStorageBackend?(): string
}

/**
 * The sealer for the desktop app's key folder, or null (the key stays a 0600 PEM file) when the OS offers no real
 * key store: safeStorage unavailable, or on Linux its 'basic_text' fallback, which seals with a published password.
 */
export function keySealerFrom(storage: SafeStorageLike, platform: NodeJS.Platform = process.platform): KeySealer | null {
  if (!storage.isEncryptionAvailable()) return null
  if (platform === 'linux' && storage.getSelectedStorageBackend?.() === 'basic_text') return null
  return {
    // The PEM is ASCII: the string round trip is exact.
    seal: (plain) => storage.encryptString(plain.toString('utf8')),
    unseal: (sealed) => Buffer.from(storage.decryptString(sealed), 'utf8')
  }
}

/** A key folder inside the data folder defeats the signed heads (whoever has the folder has the key): refused. */
export function keyDirProblem(dataDir: string, keyDir: string): string | null {
  const data = resolve(dataDir)
  const keys = resolve(keyDir)
  if (keys === data || keys.startsWith(`${data}${sep}`)) return `the key folder ${keys} is inside the data folder ${data}: keep it apart (and back it up apart)`
  return null
}
