// The start-up check compares the file's schema with BUILT_SCHEMA (ledger/integrity.ts) instead of running every
// migration on an empty database at each start. This keeps the constant true to the migrations: when a migration
// is added or changed, it fails with the value to put there.
import { describe, expect, it } from 'vitest'
import { latestSchemaVersion } from '../../../src/main/ledger/db'
import { BUILT_SCHEMA, expectedSchema } from '../../../src/main/ledger/integrity'

describe('BUILT_SCHEMA', () => {
  it('is the schema these migrations build (else set it to the values in the message)', () => {
    const built = { version: latestSchemaVersion(), fingerprint: expectedSchema().fingerprint }
    expect({ version: BUILT_SCHEMA.version, fingerprint: BUILT_SCHEMA.fingerprint }, `set BUILT_SCHEMA in src/main/ledger/integrity.ts to ${JSON.stringify(built)}`).toEqual(built)
  })
})
