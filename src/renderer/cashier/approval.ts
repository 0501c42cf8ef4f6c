// The "Manager approval" dialog: a PIN prompt for one named action. Resolves with the PIN, or null if cancelled.
import { h } from '../common/dom'
import type { Page } from '../common/page'

export function askManagerPin(page: Page, action: string): Promise<string | null> {
  const t = page.t
  return new Promise((resolve) => {
    const input = h('input', { id: 'manager-pin', type: 'password', inputmode: 'numeric', autocomplete: 'off', maxlength: 8 })
    const dialog = h(
      'dialog',
      { 'aria-label': t('approval.title'), class: 'approval' },
      h(
        'form',
        {
          method: 'dialog',
          onsubmit: (e: Event) => {
            e.preventDefault()
            finish(input.value)
          }
        },
        h('h2', {}, t('approval.title')),
        h('p', {}, t('approval.for', { action })),
        h('label', { for: 'manager-pin' }, t('approval.pin')),
        input,
        h('div', { class: 'linebar' }, h('button', { type: 'submit' }, t('approval.approve')), h('button', { type: 'button', class: 'secondary', onclick: () => finish(null) }, t('approval.cancel')))
      )
    )
    let done = false
    function finish(pin: string | null): void {
      if (done) return
      done = true
      dialog.close()
      dialog.remove()
      resolve(pin === '' ? null : pin)
    }
    dialog.addEventListener('cancel', () => finish(null))
    document.body.append(dialog)
    dialog.showModal()
    input.focus()
  })
}
