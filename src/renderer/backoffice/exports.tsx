// Exports of a closed day (issue [D] point 5, on screen): pick a Z and a format, and the till writes the file into
// the accountant's folder (closings/Z<n>/), under the same name each time so a re-export replaces it.
import { useRef } from 'preact/hooks'
import { api, t } from '../common/page'
import { zList } from './dayclose'
import { OutcomeBox, Section, useOutcome } from './sections'

const FORMATS = ['csv', 'ofx', 'camt053', 'hledger', 'beancount'] as const
type Format = (typeof FORMATS)[number]

export function ExportsSection() {
  const [outcome, say, run] = useOutcome()
  const form = useRef<HTMLFormElement>(null)
  const list = zList.value
  async function exportDay(): Promise<void> {
    const data = new FormData(form.current!)
    const zNumber = Number(data.get('z'))
    const format = (FORMATS as readonly string[]).includes(String(data.get('format'))) ? (String(data.get('format')) as Format) : 'csv'
    if (!Number.isSafeInteger(zNumber) || zNumber < 1) return say('alert', () => t('reconcile.noZ'))
    say('notice', () => t('exports.working', { z: zNumber, format: t(`exports.format.${format}`) }))
    const written = await run(api().call['day:export']({ zNumber, format, bom: data.get('bom') === 'on' }))
    if (written) say('notice', () => t('exports.done', { file: written.file, bytes: written.bytes }))
  }
  return (
    <Section id="exports" label={t('bo.nav.exports')}>
      <h2>{t('bo.nav.exports')}</h2>
      <p class="bo-muted">{t('exports.hint')}</p>
      {list.length === 0 ? (
        <p class="empty">{t('exports.none')}</p>
      ) : (
        <form
          ref={form}
          class="bo-form"
          onSubmit={(e) => {
            e.preventDefault()
            void exportDay()
          }}
        >
          <label for="bo-export-z">{t('exports.z')}</label>
          <select id="bo-export-z" name="z">
            {list.map((z) => (
              <option key={z.zNumber} value={String(z.zNumber)}>
                {`Z ${z.zNumber}`}
              </option>
            ))}
          </select>
          <label for="bo-export-format">{t('exports.format')}</label>
          <select id="bo-export-format" name="format">
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {t(`exports.format.${f}`)}
              </option>
            ))}
          </select>
          <label class="bo-check" for="bo-export-bom">
            <input type="checkbox" id="bo-export-bom" name="bom" />
            {t('exports.bom')}
          </label>
          <div class="linebar">
            <button type="submit" id="bo-export">
              {t('exports.run')}
            </button>
          </div>
        </form>
      )}
      <OutcomeBox outcome={outcome} />
    </Section>
  )
}
