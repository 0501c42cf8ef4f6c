// The Cart's rows as one signal per position, grouped in blocks of BLOCK rows (issue [R]: the scanned row within a
// frame). A scan changes one row: only that row's component renders, and only its block when a row is added, so
// the work in the Enter's task does not grow with the cart. One computed list of 200 rows re-rendered the Cart on
// every change, each row deciding to skip (bench/ui.ts, "to DOM" in the row-shown table).
import { batch, signal, type ReadonlySignal, type Signal } from '@preact/signals'
import type { CartRowView } from './pending-scan'

/** Rows a block renders: a new row renders its block's list (at most this many children), never the Cart's. */
export const BLOCK = 16

export interface CartRows {
  /** One signal per position (index = position - 1); a row keeps its signal for as long as the position exists. */
  readonly rows: readonly ReadonlySignal<CartRowView>[]
  /** Per block, how many of its rows exist. */
  readonly blockSizes: readonly ReadonlySignal<number>[]
  /** How many blocks hold rows: the Cart's own list changes once every BLOCK rows. */
  readonly blockCount: ReadonlySignal<number>
  /** Rows in all. */
  readonly count: ReadonlySignal<number>
}

interface Store extends CartRows {
  readonly rows: Signal<CartRowView>[]
  readonly blockSizes: Signal<number>[]
  readonly blockCount: Signal<number>
  readonly count: Signal<number>
}

export function createCartRows(): CartRows {
  return { rows: [], blockSizes: [], blockCount: signal(0), count: signal(0) } satisfies Store
}

/** The same row as far as the Cart shows it: the till's line object (setSale keeps an unchanged one) and its mark. */
function sameRow(a: CartRowView, b: CartRowView): boolean {
  return a.line === b.line && a.pending === b.pending
}

/**
 * Makes `cart` show `next`: a signal is set only where its row changed, so only those rows render. Comparing every
 * position is a pointer check per row (microseconds at 200); the rendering is what must not grow with the cart.
 */
export function showRows(cart: CartRows, next: readonly CartRowView[]): void {
  const store = cart as Store
  batch(() => {
    for (let i = 0; i < next.length; i++) {
      const row = next[i]!
      const slot = store.rows[i]
      if (!slot) store.rows.push(signal(row))
      else if (!sameRow(slot.peek(), row)) slot.value = row
    }
    // Positions past the end keep their signals (a next sale reuses them); their blocks stop rendering them.
    const blocks = Math.ceil(next.length / BLOCK)
    for (let b = 0; b < Math.max(blocks, store.blockSizes.length); b++) {
      const size = Math.max(0, Math.min(BLOCK, next.length - b * BLOCK))
      const slot = store.blockSizes[b]
      if (!slot) store.blockSizes.push(signal(size))
      else if (slot.peek() !== size) slot.value = size
    }
    store.blockCount.value = blocks
    store.count.value = next.length
  })
}
