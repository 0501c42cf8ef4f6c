// Reconciliation with the chain (issue [D] point 3, on screen): a closed Z's stablecoin takings read again from the
// chain, listed as matched / missing / unexpected / mismatched / pending per chain. A run over many blocks reports
// its progress ('reconcile:progress') and can be cancelled ('reconcile:cancel').
import { signal } from '@preact/signals'
import { useState } from 'preact/hooks'
import type { ReconcileProgressView, ReconciledTransferView, ReconciliationView } from '../../shared/api/views'
import { api, t } from '../common/page'
import { zList } from './dayclose'
import { OutcomeBox, Section, Table, useOutcome } from './sections'

export const progress = signal<ReconcileProgressView | null>(null)

const KINDS = ['matched', 'missing', 'unexpected', 'mismatched', 'pending'] as const
type Kind = (typeof KINDS)[number]

let runCounter = 0

/** Base units of a 6-decimal stablecoin as a plain decimal; the tokens this till reconciles are USDC and USDT. */
function units(value: string | null): string {
  if (value === null) return '—'
  const v = BigInt(value)
  const whole = v / 1_000_000n
  const frac = (v % 1_000_000n).toString().padStart(6, '0')
  return `${whole}.${frac}`
}

function TransferRows({ kind, rows }: { kind: Kind; rows: readonly ReconciledTransferView[] }) {
  return (
    <Table label={t(`reconcile.${kind}`)} head={[t('bo.col.tx'), [t('bo.col.block'), 'num'], [t('reconcile.col.chain'), 'num'], [t('reconcile.col.ledger'), 'num'], [t('reconcile.col.confirmations'), 'num']]}>
      {rows.map((x) => (
        <tr key={`${x.txHash}/${x.logIndex}`}>
          <td class="bo-mono">{`${x.txHash.slice(0, 10)}…#${x.logIndex}`}</td>
          <td class="num">{String(x.blockNumber)}</td>
          <td class="num">{`${units(x.value)} ${x.tokenSymbol}`}</td>
          <td class="num">{units(x.ledgerValue)}</td>
          <td class="num">{x.confirmations === null ? '—' : `${x.confirmations}/${x.confirmationsRequired ?? '—'}`}</td>
        </tr>
      ))}
    </Table>
  )
}

export function ReconciliationSection() {
  const [outcome, say, run] = useOutcome()
  const [result, setResult] = useState<ReconciliationView | null>(null)
  const [running, setRunning] = useState<string | null>(null)
  const [picked, setPicked] = useState<number | null>(null)
  const list = zList.value
  const zNumber = picked ?? list[0]?.zNumber ?? null
  const shown = running ? progress.value : null
  const live = shown && shown.runId === running ? shown : null
  async function start(): Promise<void> {
    if (zNumber === null) return say('alert', () => t('reconcile.noZ'))
    const runId = `ui-${Date.now().toString(36)}-${++runCounter}`
    setRunning(runId)
    setResult(null)
    progress.value = null
    // Replaces the last run's verdict, which no longer describes what is on screen.
    say('notice', () => t('reconcile.running', { z: zNumber }))
    const value = await run(api().call['reconcile:run']({ zNumber, runId }))
    setRunning(null)
    if (value) {
      setResult(value)
      say('notice', () => (value.clean ? t('reconcile.clean', { z: zNumber }) : t('reconcile.notClean', { z: zNumber })))
    }
  }
  async function cancel(): Promise<void> {
    if (running) await api().call['reconcile:cancel']({ runId: running })
  }
  return (
    <Section id="reconciliation" label={t('reconcile.heading')}>
      <h2>{t('reconcile.heading')}</h2>
      <p class="bo-muted">{t('reconcile.hint')}</p>
      <form
        class="bo-form"
        onSubmit={(e) => {
          e.preventDefault()
          void start()
        }}
      >
        <label for="bo-reconcile-z">{t('reconcile.z')}</label>
        <select id="bo-reconcile-z" value={zNumber === null ? '' : String(zNumber)} onChange={(e) => setPicked(Number((e.target as HTMLSelectElement).value))}>
          {list.length === 0 ? <option value="">{t('dayclose.past.none')}</option> : null}
          {list.map((z) => (
            <option key={z.zNumber} value={String(z.zNumber)}>
              {`Z ${z.zNumber}`}
            </option>
          ))}
        </select>
        <div class="linebar">
          <button type="submit" id="bo-reconcile" disabled={running !== null || zNumber === null}>
            {t('reconcile.run')}
          </button>
          {running ? (
            <button type="button" id="bo-reconcile-cancel" class="secondary" onClick={() => void cancel()}>
              {t('reconcile.cancel')}
            </button>
          ) : null}
        </div>
      </form>
      {running ? (
        <div class="bo-progress">
          <progress
            aria-label={t('reconcile.progress')}
            max={live ? Math.max(1, live.totalBlocks) : undefined}
            value={live ? live.doneBlocks : undefined}
          />
          <span role="status" aria-label={t('reconcile.progress')}>
            {live ? t('reconcile.blocks', { done: live.doneBlocks, total: live.totalBlocks }) : t('reconcile.starting')}
          </span>
        </div>
      ) : null}
      <OutcomeBox outcome={outcome} />
      {result ? (
        <>
          {result.unreachable.map((u) => (
            <div key={u.chainId} class="alert" role="alert">
              {t('reconcile.unreachable', { chain: u.chainName, error: u.error })}
            </div>
          ))}
          {result.chains.map((chain) => (
            <div key={chain.chainId} class="bo-reconcile-chain">
              <h3>{t('reconcile.chain', { chain: chain.chainName, from: chain.fromBlock, to: chain.toBlock })}</h3>
              <ul class="bo-counts" aria-label={t('reconcile.summary', { chain: chain.chainName })}>
                {KINDS.map((kind) => (
                  <li key={kind} class={kind !== 'matched' && chain[kind].length > 0 ? 'bo-count-bad' : undefined}>
                    {`${t(`reconcile.${kind}`)}: ${chain[kind].length}`}
                  </li>
                ))}
              </ul>
              {chain.totals.map((x) => (
                <p key={x.tokenSymbol}>{t('reconcile.totals', { token: x.tokenSymbol, ledger: units(x.ledger), chain: units(x.chain), unexpected: units(x.unexpected) })}</p>
              ))}
              {KINDS.filter((kind) => chain[kind].length > 0).map((kind) => (
                <div key={kind}>
                  <h4>{t(`reconcile.${kind}`)}</h4>
                  <TransferRows kind={kind} rows={chain[kind]} />
                </div>
              ))}
            </div>
          ))}
        </>
      ) : null}
    </Section>
  )
}
