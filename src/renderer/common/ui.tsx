// Parts every window uses: the one message region, the link banner and the dialogs (Manager approval, confirm).
import { signal } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import { link, t } from './page'

/** The window's last outcome: one at a time, in the region that is always in view. Text is kept as a thunk so it
 * follows a language switch. */
export interface Message {
  readonly kind: 'alert' | 'notice'
  readonly text: () => string
  /** Bumps on every message, so the same sentence twice is announced twice. */
  readonly seq: number
}

export const message = signal<Message | null>(null)
let seq = 0

export function notify(kind: 'alert' | 'notice', text: string | (() => string)): void {
  message.value = { kind, text: typeof text === 'string' ? () => text : text, seq: ++seq }
}

export function clearMessage(): void {
  message.value = null
}

/**
 * One region for the window's messages, fixed in view above whatever panel is open, and present from load so a
 * screen reader has it registered before the first message arrives (a live region created with its text is often
 * not read out). Alerts are role=alert (assertive), notices role=status.
 */
export function Messages() {
  const m = message.value
  return (
    <div class="messages" aria-live="polite">
      {m ? (
        <div key={m.seq} class={m.kind} role={m.kind === 'alert' ? 'alert' : 'status'}>
          {m.text()}
        </div>
      ) : null}
    </div>
  )
}

/** "Connection to the till lost — reconnecting…" while the link is down. */
export function LinkBanner() {
  if (link.value !== 'down') return null
  return (
    <div class="link-banner" role="alert">
      {t('link.lost')}
    </div>
  )
}

// ---- dialogs ----

export interface ApprovalField {
  readonly label: string
  readonly inputmode: 'decimal' | 'numeric' | 'text'
}

type DialogRequest =
  | { readonly kind: 'approval'; readonly action: string; readonly detail?: string; readonly field?: ApprovalField; readonly resolve: (answer: { pin: string; value: string } | null) => void }
  | { readonly kind: 'confirm'; readonly title: string; readonly text: string; readonly confirm: string; readonly resolve: (yes: boolean) => void }
  | { readonly kind: 'prompt'; readonly title: string; readonly label: string; readonly inputmode: 'decimal' | 'numeric' | 'text'; readonly confirm: string; readonly problem?: string; readonly resolve: (value: string | null) => void }
  | { readonly kind: 'signin'; readonly resolve: (pin: string | null) => void }

const dialog = signal<DialogRequest | null>(null)

export function dialogOpen(): boolean {
  return dialog.value !== null
}

/** The "Manager approval" dialog for one named action; resolves with what was typed, or null if cancelled. */
export function askManagerApproval(action: string, field?: ApprovalField, detail?: string): Promise<{ pin: string; value: string } | null> {
  return new Promise((resolve) => {
    dialog.value = { kind: 'approval', action, field, detail, resolve }
  })
}

export async function askManagerPin(action: string, detail?: string): Promise<string | null> {
  return (await askManagerApproval(action, undefined, detail))?.pin ?? null
}

/** The "Sign in" dialog (staff sign-in by PIN, UI-CONTRACT); resolves with the PIN typed, or null if cancelled. */
export function askSignIn(): Promise<string | null> {
  return new Promise((resolve) => {
    dialog.value = { kind: 'signin', resolve }
  })
}

/** A yes/no question before an action that cannot be taken back silently. */
export function confirmAction(title: string, text: string, confirm: string): Promise<boolean> {
  return new Promise((resolve) => {
    dialog.value = { kind: 'confirm', title, text, confirm, resolve }
  })
}

function Modal({ label, onCancel, children }: { label: string; onCancel: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const returnTo = document.activeElement
    // showModal: focus is trapped in the dialog and Esc fires 'cancel' (which closes it: UI-CONTRACT "Esc closes").
    el.showModal()
    const first = el.querySelector<HTMLElement>('[data-autofocus]') ?? el.querySelector<HTMLElement>('input, button')
    first?.focus()
    return () => {
      if (el.open) el.close()
      if (returnTo instanceof HTMLElement) returnTo.focus()
    }
  }, [])
  return (
    <dialog
      ref={ref}
      class="approval"
      aria-label={label}
      onCancel={(e) => {
        e.preventDefault()
        onCancel()
      }}
    >
      {children}
    </dialog>
  )
}

/**
 * One value asked for (a weight from the scale); resolves with what was typed, or null if cancelled. `problem` is
 * what was wrong with the last answer, shown in the dialog when it asks again.
 */
export function promptValue(title: string, label: string, confirm: string, inputmode: 'decimal' | 'numeric' | 'text' = 'decimal', problem?: string): Promise<string | null> {
  return new Promise((resolve) => {
    dialog.value = { kind: 'prompt', title, label, confirm, inputmode, ...(problem ? { problem } : {}), resolve }
  })
}

function PromptDialog({ request, finish }: { request: Extract<DialogRequest, { kind: 'prompt' }>; finish: (value: string | null) => void }) {
  const input = useRef<HTMLInputElement>(null)
  // Asked again after a bad answer: the answer is selected, so typing replaces it.
  useEffect(() => {
    if (request.problem) {
      input.current?.focus()
      input.current?.select()
    }
  }, [request])
  return (
    <Modal key="prompt" label={request.title} onCancel={() => finish(null)}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault()
          finish(input.current?.value.trim() || null)
        }}
      >
        <h2>{request.title}</h2>
        {request.problem ? (
          <div class="alert" role="alert" id="prompt-problem">
            {request.problem}
          </div>
        ) : null}
        <label for="prompt-value">{request.label}</label>
        <input id="prompt-value" ref={input} inputMode={request.inputmode} autoComplete="off" data-autofocus aria-invalid={request.problem ? 'true' : undefined} aria-describedby={request.problem ? 'prompt-problem' : undefined} />
        <div class="linebar">
          <button type="submit">{request.confirm}</button>
          <button type="button" class="secondary" onClick={() => finish(null)}>
            {t('approval.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  )
}

export function Dialogs() {
  const request = dialog.value
  if (!request) return null
  const finish = (answer: unknown) => {
    dialog.value = null
    ;(request.resolve as (a: unknown) => void)(answer)
  }
  if (request.kind === 'confirm') {
    return (
      <Modal key="confirm" label={request.title} onCancel={() => finish(false)}>
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault()
            finish(true)
          }}
        >
          <h2>{request.title}</h2>
          <p>{request.text}</p>
          <div class="linebar">
            <button type="submit" data-autofocus>
              {request.confirm}
            </button>
            <button type="button" class="secondary" onClick={() => finish(false)}>
              {t('approval.cancel')}
            </button>
          </div>
        </form>
      </Modal>
    )
  }
  if (request.kind === 'prompt') return <PromptDialog request={request} finish={finish} />
  if (request.kind === 'signin') return <SignInDialog finish={finish} />
  return <ApprovalDialog request={request} finish={finish} />
}

function ApprovalDialog({ request, finish }: { request: Extract<DialogRequest, { kind: 'approval' }>; finish: (answer: { pin: string; value: string } | null) => void }) {
  const pin = useRef<HTMLInputElement>(null)
  const value = useRef<HTMLInputElement>(null)
  return (
    <Modal key="approval" label={t('approval.title')} onCancel={() => finish(null)}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault()
          const typed = pin.current?.value ?? ''
          finish(typed === '' ? null : { pin: typed, value: value.current?.value ?? '' })
        }}
      >
        <h2>{t('approval.title')}</h2>
        <p>{t('approval.for', { action: request.action })}</p>
        {request.detail ? <p>{request.detail}</p> : null}
        {request.field ? (
          <>
            <label for="approval-value">{request.field.label}</label>
            <input id="approval-value" ref={value} inputMode={request.field.inputmode} autoComplete="off" data-autofocus />
          </>
        ) : null}
        <label for="manager-pin">{t('approval.pin')}</label>
        <input id="manager-pin" ref={pin} type="password" inputMode="numeric" autoComplete="off" maxLength={8} {...(request.field ? {} : { 'data-autofocus': true })} />
        <div class="linebar">
          <button type="submit">{t('approval.approve')}</button>
          <button type="button" class="secondary" onClick={() => finish(null)}>
            {t('approval.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  )
}

function SignInDialog({ finish }: { finish: (pin: string | null) => void }) {
  const pin = useRef<HTMLInputElement>(null)
  return (
    <Modal key="signin" label={t('signin.title')} onCancel={() => finish(null)}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault()
          finish(pin.current?.value || null)
        }}
      >
        <h2>{t('signin.title')}</h2>
        <label for="signin-pin">{t('signin.pin')}</label>
        <input id="signin-pin" ref={pin} type="password" inputMode="numeric" autoComplete="off" maxLength={8} data-autofocus />
        <div class="linebar">
          <button type="submit">{t('signin.submit')}</button>
          <button type="button" class="secondary" onClick={() => finish(null)}>
            {t('approval.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  )
}
