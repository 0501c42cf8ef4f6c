// The cashier's keyboard: wedge scans anywhere in the window, F-keys everywhere (also while the Barcode box has
// focus), line keys (arrows, +, −, Delete) when no text field has focus. Esc is the dialog's own (it closes it).
//
// Why the first burst after load or focus was dropped (3 of about 40): the listener was installed only after the
// page's first api answers arrived, so a scan typed during start-up went nowhere; and a scan that arrived while
// the previous render was replacing the DOM lost its target field. Now the listener is installed before anything
// is awaited, scans detected before the page is ready are queued and sent once it is, and the DOM is never
// replaced. The key events' own timeStamp is used (the OS stamp, not when the page got round to the event), and
// a timeStamp that goes backwards (events stamped by another clock after a focus change) counts as no gap.
import type { StoreInfo } from '../../shared/api/views'
import { WedgeDetector } from '../../shared/wedge'
import { dialogOpen } from '../common/ui'
import { splitQuantityPrefix, typedQuantity } from './panels'
import { returnFlowOpen } from './returns'
import { afterPendingScans, changeQuantity, complete, completable, openCash, openStablecoin, sale, scan, selectedLineId, voidLine } from './state'

let detector: WedgeDetector | null = null
let ready = false
const early: string[] = []

export function configureKeyboard(wedge: StoreInfo['wedge']): void {
  if (detector) detector.configure(wedge)
  else detector = new WedgeDetector(wedge)
}

/** The page can take scans now: the ones that arrived during start-up go first, in order. */
export async function keyboardReady(): Promise<void> {
  ready = true
  while (early.length > 0) await scan(early.shift()!, 'wedge')
}

function wedgeScan(code: string, target: HTMLInputElement | null): void {
  // A `3*` typed by hand into the Barcode box before the scan is the scan's quantity.
  let quantity = typedQuantity() ?? undefined
  if (target?.id === 'barcode') {
    const prefix = splitQuantityPrefix(target.value)
    if (prefix.quantity !== null && prefix.code === '') quantity = prefix.quantity
    target.value = ''
  }
  const box = document.getElementById('quantity') as HTMLInputElement | null
  if (box && quantity !== undefined) box.value = ''
  if (!ready) early.push(code)
  else void scan(code, 'wedge', quantity)
}

export function installKeyboard(): void {
  let burstTarget: { input: HTMLInputElement; value: string } | null = null
  // Defaults until the store's settings arrive (the same as a new store's).
  configureKeyboard({ maxGapMs: 30, minLength: 6, slowGapMs: 0 })
  window.addEventListener(
    'keydown',
    (e) => {
      // The return flow types scans into its own boxes (a receipt's code, a customer's address), never sells them.
      if (dialogOpen() || returnFlowOpen()) return
      const target = e.target instanceof HTMLInputElement ? e.target : null
      const fed = detector!.feed(e.key, e.timeStamp)
      if (fed.kind === 'char' && fed.startsBurst) {
        // The field as it was before the burst, so a scan typed into it can be taken back out.
        burstTarget = target ? { input: target, value: target.value } : null
      }
      if (fed.kind === 'scan') {
        e.preventDefault()
        e.stopPropagation()
        if (burstTarget) burstTarget.input.value = burstTarget.value
        const into = burstTarget?.input ?? null
        burstTarget = null
        wedgeScan(fed.code, into)
        return
      }
      switch (e.key) {
        case 'F2':
          e.preventDefault()
          document.getElementById('barcode')?.focus()
          return
        case 'F4':
          e.preventDefault()
          void openCash()
          return
        case 'F6':
          e.preventDefault()
          void openStablecoin()
          return
        case 'F12':
          e.preventDefault()
          // A scan still pending changes what is due: F12 waits for it rather than being lost.
          void afterPendingScans().then(() => (completable.value ? complete() : undefined))
          return
      }
      if (target) return
      // A key taken as a shortcut is a person at the keyboard: it ends any burst, so a scan right after a run of +
      // presses is read on its own rather than with the pluses in front.
      if (['ArrowDown', 'ArrowUp', '+', '-', 'Delete'].includes(e.key)) detector!.reset()
      switch (e.key) {
        case 'ArrowDown':
        case 'ArrowUp': {
          const lines = sale.value?.lines.filter((l) => !l.voided) ?? []
          if (lines.length === 0) break
          e.preventDefault()
          const index = lines.findIndex((l) => l.id === selectedLineId.value)
          const next = e.key === 'ArrowDown' ? Math.min(lines.length - 1, index + 1) : Math.max(0, index - 1)
          selectedLineId.value = lines[next]!.id
          break
        }
        case '+':
          e.preventDefault()
          void changeQuantity(1)
          break
        case '-':
          e.preventDefault()
          void changeQuantity(-1)
          break
        case 'Delete':
          void voidLine()
          break
      }
    },
    true
  )
}
