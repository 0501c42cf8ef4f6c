import type { Migration } from '../db'

// Print queue and device settings. (Filled in by the printing work.)
export const m0003Printing: Migration = {
  version: 3,
  name: '0003-printing',
  up() {}
}
