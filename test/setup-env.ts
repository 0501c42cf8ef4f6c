// Every test worker keeps till keys in its own temp folder, never in the tester's ~/.stabletill/keys: apps made by
// the fixtures (and the harness and CLI children they start, which inherit the environment) sign their Z closings
// with keys that belong to no real store. A test that passes its own keyDir is unaffected.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

process.env.STABLETILL_KEY_DIR ??= mkdtempSync(join(tmpdir(), 'stabletill-test-keys-'))
