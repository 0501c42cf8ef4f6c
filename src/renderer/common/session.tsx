// Who is signed in at the till (issue [S] point 2), shared by the cashier and the back office: the session signal,
// the "Sign in" dialog, the "Lock" and "Switch user" buttons, and the lock screen. What a person may do comes from
// the session's `allowed` list, itself read from the one permission table (src/shared/permissions.ts).
import { signal } from '@preact/signals'
import type { StaffSessionView } from '../../shared/api/views'
import type { Action } from '../../shared/permissions'
import { api, t, wordError } from './page'
import { useEffect, useRef } from 'preact/hooks'
import { askSignIn, clearMessage, notify } from './ui'

export const session = signal<StaffSessionView | null>(null)
/** False until the first answer: a page must not flash the lock screen while it is still asking. */
export const sessionKnown = signal(false)

export async function loadSession(): Promise<void> {
  const r = await api().call['staff:session']({})
  if (r.ok) {
    session.value = r.value
    sessionKnown.value = true
  }
}

/** Whether the signed-in person may do `action` (the pages hide or disable what they may not). */
export function may(action: Action): boolean {
  return session.value?.allowed.includes(action) ?? false
}

function roleName(role: StaffSessionView['role']): string {
  return t(`role.${role}`)
}

/** Opens "Sign in"; a wrong PIN says so and asks again, Cancel leaves the till as it was. */
export async function signIn(): Promise<void> {
  for (;;) {
    const pin = await askSignIn()
    if (pin === null) return
    const r = await api().call['staff:sign-in']({ pin })
    if (r.ok) {
      // The last person's outcome ("Sale 5 completed", a refusal) is not the new one's to read.
      clearMessage()
      session.value = r.value
      // At the counter the next thing is a scan: the Sign in button pressed is gone with the lock screen.
      requestAnimationFrame(() => document.getElementById('barcode')?.focus())
      return
    }
    notify('alert', wordError(r.error))
    // A lock after too many wrong PINs: asking again at once would only repeat the refusal.
    if (r.error.key === 'approval.locked') return
  }
}

export async function lock(): Promise<void> {
  const r = await api().call['staff:lock']({})
  if (r.ok) {
    clearMessage()
    session.value = null
  }
}

/** The signed-in person and the buttons Lock and Switch user, for a window's top bar. */
export function SessionBar() {
  const who = session.value
  if (!who) return null
  return (
    <>
      <span class="who" role="status" aria-label={t('signin.title')}>
        {t('signin.who', { name: who.name, role: roleName(who.role) })}
      </span>
      <button type="button" class="secondary" onClick={() => void signIn()}>
        {t('signin.switch')}
      </button>
      <button type="button" class="secondary" onClick={() => void lock()}>
        {t('signin.lock')}
      </button>
    </>
  )
}

/** What a locked till shows instead of the sale: one way out, signing in. */
export function LockScreen() {
  const button = useRef<HTMLButtonElement>(null)
  // Enter signs in: focus was left on the page when the Lock button went away with the sale.
  useEffect(() => {
    if (!document.querySelector('dialog[open]')) button.current?.focus()
  }, [])
  return (
    <main class="layout locked">
      <section class="panel" aria-label={t('signin.title')}>
        <p>{t('signin.locked')}</p>
        <button type="button" ref={button} onClick={() => void signIn()} data-autofocus>
          {t('signin.submit')}
        </button>
      </section>
    </main>
  )
}
