// The ledger's start-up integrity check for the manager ([E] point 4): what was checked, the first bad entry when
// something failed, and the acknowledgement (manager PIN, journaled) that lets the day close again.
// Kept current by the 'ledger:integrity-changed' event (the page check finishes after start).
import { signal } from '@preact/signals'
import type { IntegrityView } from '../../shared/api/views'
import { api, t, unwrap } from '../common/page'
import { askManagerApproval } from '../common/ui'

export const integrity = signal<IntegrityView | null>(null)
const problemText = signal<string | null>(null)

export async function loadIntegrity(): Promise<void> {
  const view = await unwrap(api().call['ledger:integrity']({}), () => undefined)
  if (view) integrity.value = view
}

/** Subscribes the panel to the till's pushes; call once the page has started. */
export function watchIntegrity(on: (listener: (view: IntegrityView) => void) => void): void {
  on((view) => (integrity.value = view))
}

async function acknowledge(): Promise<void> {
  const answer = await askManagerApproval(t('bo.integrity.acknowledge'))
  if (!answer) return
  problemText.value = null
  const view = await unwrap(api().call['ledger:acknowledge-integrity']({ pin: answer.pin }), (text) => (problemText.value = text))
  if (view) integrity.value = view
}

export function IntegritySection() {
  const view = integrity.value
  if (!view) return null
  const pages = t(`bo.integrity.pages.${view.pages}`)
  return (
    <section id="integrity" class="panel" aria-label={t('bo.integrity')}>
      <h2>{t('bo.integrity')}</h2>
      {view.ok ? (
        <p role="status">{t('bo.integrity.ok', { entries: view.entries, from: view.fromSeq, anchors: view.anchors, pages })}</p>
      ) : (
        <>
          <div class="alert" role="alert">
            {t('bo.integrity.bad', { seq: view.firstBad?.seq ?? '-', reason: view.firstBad?.reason ?? '' })}
          </div>
          <h3>{t('bo.integrity.problems')}</h3>
          <ul>
            {view.problems.map((p, i) => (
              <li key={`${p.check}-${p.seq ?? ''}-${i}`}>{`${p.check}${p.seq !== null ? ` #${p.seq}` : ''}: ${p.reason}`}</li>
            ))}
          </ul>
          {view.acknowledged ? (
            <p role="status">{t('bo.integrity.acknowledged', { by: view.acknowledged.by })}</p>
          ) : (
            <button type="button" id="bo-integrity-acknowledge" onClick={() => void acknowledge()}>
              {t('bo.integrity.acknowledge')}
            </button>
          )}
          {problemText.value ? <div role="alert">{problemText.value}</div> : null}
        </>
      )}
    </section>
  )
}
