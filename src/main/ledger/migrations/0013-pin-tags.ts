import type { Migration } from '../db'

// PIN lookup tags ([E] issue: the PIN check at the counter). A PIN says who its holder is (PINs are unique per
// store), so instead of scrypt-hashing every staff row for each PIN typed, each row carries
// pin_tag = HMAC-SHA256(tag key, PIN), where the tag key is derived from the till key kept OUTSIDE the ledger
// (ledger/anchor.ts, pinTagKey): an attacker holding only the file cannot test 4-6 digit PINs against the tags,
// and is left with the slow scrypt hashes as before. pin_tag_mac = HMAC(tag key, row id + tag), shortened: a tag
// made under another key (a ledger restored on a machine without the old key folder), edited, or copied from
// another row fails it, and that row is hashed one by one as before until its holder's next right PIN re-tags it.
// Both columns are empty on the rows of an older ledger. They are not part of the staff digest
// (ledger/money-state.ts, whose query must not change): re-tagging changes no PIN.
export const m0013PinTags: Migration = {
  version: 13,
  name: '0013-pin-tags',
  up(db) {
    db.exec(`
      ALTER TABLE staff ADD COLUMN pin_tag TEXT CHECK (pin_tag IS NULL OR length(pin_tag) = 64);
      ALTER TABLE staff ADD COLUMN pin_tag_mac TEXT CHECK (pin_tag_mac IS NULL OR length(pin_tag_mac) = 32);
    `)
  }
}
