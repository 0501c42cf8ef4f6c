// A window's copy of the open sale, kept current by 'sale:line-changed' (one line and the totals) instead of the
// whole sale on every scan. Pure: the cashier and the customer display both apply changes with it.
import type { SaleLineChange, SaleView } from '../../shared/api/views'

/**
 * What a change does to the view a window holds:
 *  - 'applied': the new view (every other line, and the lines array's other entries, kept as the same objects, so
 *    an unchanged row skips its render);
 *  - 'stale': the window already has this change or a later one (the scan's answer after its event): nothing to do;
 *  - 'gap': the window missed a change (or holds another sale): it must fetch the whole sale (sale:current).
 */
export type LineChangeOutcome = { readonly kind: 'applied'; readonly view: SaleView } | { readonly kind: 'stale' } | { readonly kind: 'gap' }

export function applyLineChange(before: SaleView | null, change: SaleLineChange): LineChangeOutcome {
  const { sale: head, line, fromVersion, lineCount } = change
  const same = before !== null && before.id === head.id
  if (same && head.version <= before.version) return { kind: 'stale' }
  // fromVersion 0: this change opened the sale, so it builds on nothing (a view of another sale is replaced: a
  // till has one open sale, and the one held must have ended).
  const base = fromVersion === 0 ? { lines: [], tenders: [] } : same && before.version === fromVersion ? before : null
  if (!base) return { kind: 'gap' }
  const index = line.position - 1
  if (index > base.lines.length) return { kind: 'gap' }
  const lines = base.lines.slice()
  lines[index] = line
  if (lines.length !== lineCount || lines.some((l, i) => l.position !== i + 1)) return { kind: 'gap' }
  return { kind: 'applied', view: { ...head, lines, tenders: base.tenders } }
}

/** Whether a whole view from the till is older than the one held (an answer overtaken by a later change). */
export function olderThan(next: SaleView, held: SaleView | null): boolean {
  return held !== null && held.id === next.id && next.version < held.version
}
