import type { Migration } from '../db'

// Stablecoin payments: payment requests, watcher cursor, seen blocks and logs. (Filled in by the chain work.)
export const m0002Chain: Migration = {
  version: 2,
  name: '0002-chain',
  up() {}
}
