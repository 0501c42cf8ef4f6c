// Back office: Staff (issue [S] point 2). The owner adds people, disables and re-enables them and resets their PINs
// (each with the owner's PIN); anyone changes their own PIN by typing the current one.
import { signal } from '@preact/signals'
import { useRef } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import type { StaffView } from '../../shared/api/views'
import { api, say as sayMessage, t } from '../common/page'
import { MIN_PIN_DIGITS } from '../../shared/permissions'
import { askManagerApproval, askManagerPin } from '../common/ui'

export const staffList = signal<readonly StaffView[]>([])

export async function loadStaff(): Promise<void> {
  const r = await api().call['staff:list']({})
  if (r.ok) staffList.value = r.value
}

// One outcome box for every back office section (sections.tsx); re-exported for the staff, catalog and settings pages.
export { OutcomeBox, useOutcome, type Outcome } from './sections'
import { OutcomeBox, useOutcome } from './sections'

export function Panel({ id, label, children }: { id: string; label: string; children: ComponentChildren }) {
  return (
    <section id={id} class="panel" aria-label={label}>
      <h2>{label}</h2>
      {children}
    </section>
  )
}

const role = (r: StaffView['role']) => t(`role.${r}`)

/** What is wrong with a new PIN for `r` (permissions.ts MIN_PIN_DIGITS, at most 8 digits), worded; null if nothing. */
function pinProblem(newPin: string, r: StaffView['role']): (() => string) | null {
  const min = MIN_PIN_DIGITS[r]
  if (new RegExp(`^\\d{${min},8}$`).test(newPin)) return null
  return () => sayMessage('staff.pin-length', { role: role(r), min })
}

export function StaffSection() {
  const [outcome, say, run] = useOutcome()
  const addForm = useRef<HTMLFormElement>(null)
  const ownForm = useRef<HTMLFormElement>(null)

  async function add(): Promise<void> {
    const data = new FormData(addForm.current!)
    const name = String(data.get('name') ?? '').trim()
    const roleValue = String(data.get('role') ?? 'cashier') as StaffView['role']
    const newPin = String(data.get('newPin') ?? '')
    // Checked before the owner is asked for a PIN, and in the page's words: the api's own check answered in a
    // fragment of English ("a PIN of 4 to 8 digits", "a name"), after the owner had typed their PIN for nothing.
    if (!name) return say('alert', () => t('bo.staff.nameNeeded'))
    const problem = pinProblem(newPin, roleValue)
    if (problem) return say('alert', problem)
    const pin = await askManagerPin(t('bo.staff.add'))
    if (pin === null) return
    const added = await run(api().call['staff:add']({ pin, name, role: roleValue, newPin }))
    if (added) {
      addForm.current!.reset()
      say('notice', () => t('bo.staff.added', { name: added.name, role: role(added.role) }))
      await loadStaff()
    }
  }

  async function toggle(person: StaffView): Promise<void> {
    const pin = await askManagerPin(t(person.disabled ? 'bo.staff.enable' : 'bo.staff.disable', { name: person.name }))
    if (pin === null) return
    const saved = await run(api().call['staff:set-disabled']({ pin, staffId: person.id, disabled: !person.disabled }))
    if (saved) {
      say('notice', () => t('bo.staff.changed', { name: saved.name }))
      await loadStaff()
    }
  }

  async function reset(person: StaffView): Promise<void> {
    const answer = await askManagerApprovalForReset(person)
    if (!answer) return
    const problem = pinProblem(answer.value, person.role)
    if (problem) return say('alert', problem)
    const saved = await run(api().call['staff:reset-pin']({ pin: answer.pin, staffId: person.id, newPin: answer.value }))
    if (saved) say('notice', () => t('bo.staff.changed', { name: saved.name }))
  }

  async function changeOwn(): Promise<void> {
    const data = new FormData(ownForm.current!)
    const saved = await run(api().call['staff:change-pin']({ currentPin: String(data.get('currentPin') ?? ''), newPin: String(data.get('ownNewPin') ?? '') }))
    if (saved) {
      ownForm.current!.reset()
      say('notice', () => t('bo.staff.pinChanged'))
    }
  }

  return (
    <Panel id="staff" label={t('bo.staff')}>
      <div class="bo-tablewrap">
        <table aria-label={t('bo.staff.list')}>
          <thead>
            <tr>
              <th scope="col">{t('bo.staff.col.name')}</th>
              <th scope="col">{t('bo.staff.col.role')}</th>
              <th scope="col">{t('bo.staff.col.state')}</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {staffList.value.map((person) => (
              <tr key={person.id}>
                <td>{person.name}</td>
                <td>{role(person.role)}</td>
                <td>{person.disabled ? t('bo.staff.disabled') : t('bo.staff.active')}</td>
                <td>
                  <button type="button" class="secondary" onClick={() => void toggle(person)}>
                    {t(person.disabled ? 'bo.staff.enable' : 'bo.staff.disable', { name: person.name })}
                  </button>{' '}
                  <button type="button" class="secondary" onClick={() => void reset(person)}>
                    {t('bo.staff.reset', { name: person.name })}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>{t('bo.staff.add')}</h3>
      <form
        ref={addForm}
        class="bo-form"
        onSubmit={(e) => {
          e.preventDefault()
          void add()
        }}
      >
        <label for="bo-staff-name">{t('bo.staff.name')}</label>
        <input id="bo-staff-name" name="name" maxLength={40} autoComplete="off" />
        <label for="bo-staff-role">{t('bo.staff.role')}</label>
        <select id="bo-staff-role" name="role" defaultValue="cashier">
          <option value="cashier">{t('role.cashier')}</option>
          <option value="manager">{t('role.manager')}</option>
          <option value="owner">{t('role.owner')}</option>
        </select>
        <label for="bo-staff-pin">{t('bo.staff.newPin')}</label>
        <input id="bo-staff-pin" name="newPin" type="password" inputMode="numeric" maxLength={8} autoComplete="off" />
        <div class="linebar">
          <button type="submit">{t('bo.staff.add')}</button>
        </div>
      </form>
      <h3>{t('bo.staff.ownPin')}</h3>
      <form
        ref={ownForm}
        class="bo-form"
        onSubmit={(e) => {
          e.preventDefault()
          void changeOwn()
        }}
      >
        <label for="bo-own-current">{t('bo.staff.currentPin')}</label>
        <input id="bo-own-current" name="currentPin" type="password" inputMode="numeric" maxLength={8} autoComplete="off" />
        <label for="bo-own-new">{t('bo.staff.newPin')}</label>
        <input id="bo-own-new" name="ownNewPin" type="password" inputMode="numeric" maxLength={8} autoComplete="off" />
        <div class="linebar">
          <button type="submit">{t('bo.staff.ownPin')}</button>
        </div>
      </form>
      <OutcomeBox outcome={outcome} />
    </Panel>
  )
}

/** The owner's PIN and the person's new PIN, in one approval dialog. */
function askManagerApprovalForReset(person: StaffView): Promise<{ pin: string; value: string } | null> {
  return askManagerApproval(t('bo.staff.reset', { name: person.name }), { label: t('bo.staff.newPin'), inputmode: 'numeric' })
}
