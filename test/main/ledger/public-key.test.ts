// The till key's public half is kept in the clear beside the key, so the owner can register it at head office
// (`stabletill public-key`) even when the desktop app seals the private key with the OS key store.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadOrCreateTillKey, readTillPublicKey, tillPublicKeyFile, useKeySealer } from '../../../src/main/ledger/anchor'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) {
    useKeySealer(d, null)
    rmSync(d, { recursive: true, force: true })
  }
})

describe('the till public key file', () => {
  it('is written beside a sealed key and read without the sealer; nothing is read from a folder without a key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stabletill-pub-'))
    dirs.push(dir)
    // A stand-in for safeStorage: any reversible transform proves the private key is not stored as plain PEM.
    useKeySealer(dir, { seal: (b) => Buffer.from(b.map((x) => x ^ 0x5a)), unseal: (b) => Buffer.from(b.map((x) => x ^ 0x5a)) })
    const key = loadOrCreateTillKey(dir, 'store-1')
    expect(readdirSync(dir).sort()).toEqual(['store-1.ed25519.pub', 'store-1.ed25519.sealed'])
    useKeySealer(dir, null)
    expect(readTillPublicKey(dir, 'store-1')).toBe(key.publicKeyDer)
    expect(readTillPublicKey(dir, 'another-store')).toBeNull()
  })

  it('is written for a key made before this file existed, on its next load, and equals it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stabletill-pub-'))
    dirs.push(dir)
    const key = loadOrCreateTillKey(dir, 'store-2')
    rmSync(tillPublicKeyFile(dir, 'store-2'))
    // Without the file, the plain key gives it.
    expect(readTillPublicKey(dir, 'store-2')).toBe(key.publicKeyDer)
    loadOrCreateTillKey(dir, 'store-2')
    expect(existsSync(tillPublicKeyFile(dir, 'store-2'))).toBe(true)
    expect(readTillPublicKey(dir, 'store-2')).toBe(key.publicKeyDer)
  })
})
