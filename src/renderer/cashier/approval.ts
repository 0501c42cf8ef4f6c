// The "Manager approval" dialog: a PIN prompt for one named action, optionally with one more field the manager
// fills in (a discount percentage). Resolves with what was typed, or null if cancelled.
import { h } from '../common/dom'
import type { Page } from '../common/page'

export interface ApprovalField {
  readonly label: string
  readonly inputmode: 'decimal' | 'numeric' | 'text'
}

export function askManagerApproval(page: Page, action: string, field?: ApprovalField): Promise<{ pin: string; value: string } | null> {
  const t = page.t
  return new Promise((resolve) => {
    const pinInput = h('input', { id: 'manager-pin', type: 'password', inputmode: 'numeric', autocomplete: 'off', maxlength: 8 })
    const valueInput = field ? h('input', { id: 'approval-value', inputmode: field.inputmode, autocomplete: 'off' }) : null
    const dialog = h(
      'dialog',
      { 'aria-label': t('approval.title'), class: 'approval' },
      h(
        'form',
        {
          method: 'dialog',
          onsubmit: (e: Event) => {
            e.preventDefault()
            finish(pinInput.value === '' ? null : { pin: pinInput.value, value: valueInput?.value ?? '' })
          }
        },
        h('h2', {}, t('approval.title')),
        h('p', {}, t('approval.for', { action })),
        field && valueInput ? h('label', { for: 'approval-value' }, field.label) : null,
        valueInput,
        h('label', { for: 'manager-pin' }, t('approval.pin')),
        pinInput,
        h('div', { class: 'linebar' }, h('button', { type: 'submit' }, t('approval.approve')), h('button', { type: 'button', class: 'secondary', onclick: () => finish(null) }, t('approval.cancel')))
      )
    )
    let done = false
    function finish(result: { pin: string; value: string } | null): void {
      if (done) return
      done = true
      dialog.close()
      dialog.remove()
      resolve(result)
    }
    dialog.addEventListener('cancel', () => finish(null))
    document.body.append(dialog)
    dialog.showModal()
    ;(valueInput ?? pinInput).focus()
  })
}

export async function askManagerPin(page: Page, action: string): Promise<string | null> {
  return (await askManagerApproval(page, action))?.pin ?? null
}
