// Where the till key lives (ledger/anchor.ts): a folder apart from the data folder, sealed by the OS key store when
// the desktop app has one. A plain key already there is sealed in place and stays the same key (its signed heads
// still verify); a sealed key without its host is refused with a clear message, never replaced by a new one.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { keyDirProblem, keySealerFrom, loadOrCreateTillKey, pinTagKey, pinTagSource, useKeySealer, type KeySealer, type SafeStorageLike } from '../../../src/main/ledger/anchor'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) {
    useKeySealer(d, null)
    rmSync(d, { recursive: true, force: true })
  }
})
const keyFolder = () => {
  const d = mkdtempSync(join(tmpdir(), 'stabletill-keyhome-'))
  dirs.push(d)
  return d
}

// The OS key store is the one part that cannot run here: a reversible stand-in at that seam.
const storage = (backend = 'gnome_libsecret', available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  getSelectedStorageBackend: () => backend,
  encryptString: (plain) => Buffer.concat([Buffer.from('SEALED:'), Buffer.from(plain, 'utf8').reverse()]),
  decryptString: (sealed) => Buffer.from(sealed.subarray(7)).reverse().toString('utf8')
})

describe('the till key at home', () => {
  it('a plain key is sealed in place once a sealer is registered, and stays the same key', () => {
    const dir = keyFolder()
    const plain = loadOrCreateTillKey(dir, 'store-abc')
    // Beside the key, its public half in the clear (what head office registers).
    expect(readdirSync(dir).sort()).toEqual(['store-abc.ed25519.pem', 'store-abc.ed25519.pub'])
    useKeySealer(dir, keySealerFrom(storage(), 'linux'))
    const sealed = loadOrCreateTillKey(dir, 'store-abc')
    expect(sealed.publicKeyDer).toBe(plain.publicKeyDer)
    expect(readdirSync(dir).sort()).toEqual(['store-abc.ed25519.pub', 'store-abc.ed25519.sealed'])
    expect(readFileSync(join(dir, 'store-abc.ed25519.sealed'), 'latin1')).not.toContain('PRIVATE KEY')
    expect(loadOrCreateTillKey(dir, 'store-abc').publicKeyDer).toBe(plain.publicKeyDer)
    // The PIN tags' key follows the till key, sealed or not.
    expect(pinTagKey(sealed).key.equals(pinTagKey(plain).key)).toBe(true)
  })

  it('a new key is written sealed; without its host it is refused, not replaced, and PIN tags fall back', () => {
    const dir = keyFolder()
    useKeySealer(dir, keySealerFrom(storage(), 'darwin'))
    const key = loadOrCreateTillKey(dir, 'store-x')
    expect(readdirSync(dir).sort()).toEqual(['store-x.ed25519.pub', 'store-x.ed25519.sealed'])
    useKeySealer(dir, null)
    expect(() => loadOrCreateTillKey(dir, 'store-x')).toThrow(/sealed by the desktop app's key store/)
    expect(existsSync(join(dir, 'store-x.ed25519.pem'))).toBe(false)
    expect(pinTagSource(dir, () => 'store-x')()).toBeNull()
    useKeySealer(dir, keySealerFrom(storage(), 'darwin'))
    expect(loadOrCreateTillKey(dir, 'store-x').publicKeyDer).toBe(key.publicKeyDer)
  })

  it('no sealing where the OS offers no real key store', () => {
    expect(keySealerFrom(storage('basic_text'), 'linux')).toBeNull()
    expect(keySealerFrom(storage('gnome_libsecret', false), 'linux')).toBeNull()
    const sealer = keySealerFrom(storage('kwallet5'), 'linux') as KeySealer
    expect(sealer.unseal(sealer.seal(Buffer.from('-----BEGIN PRIVATE KEY-----\n')))).toEqual(Buffer.from('-----BEGIN PRIVATE KEY-----\n'))
  })

  it('a key folder inside the data folder is refused; beside it is fine', () => {
    expect(keyDirProblem('/srv/till/data', '/srv/till/data/keys')).toMatch(/inside the data folder/)
    expect(keyDirProblem('/srv/till/data', '/srv/till/data')).toMatch(/inside the data folder/)
    expect(keyDirProblem('/srv/till/data', '/srv/till/data-keys')).toBeNull()
    expect(keyDirProblem('/srv/till/data', '/home/shop/.stabletill/keys')).toBeNull()
  })
})
