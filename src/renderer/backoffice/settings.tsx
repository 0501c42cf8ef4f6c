// Back office: Settings, payments part (issue [S] points 1 and 4). The receive address is checked by its checksum
// as it is typed in; each chain's RPC URL has a "Test connection" that asks the node live (chain id, recent head,
// pinned token) and shows what it answered; saving tests every URL again and needs the owner's PIN.
import { useRef, useState } from 'preact/hooks'
import type { RpcTestView } from '../../shared/api/views'
import { CHAINS } from '../../shared/payment/tokens'
import { defaultConfirmations } from '../../shared/payment/settings'
import { api, t } from '../common/page'
import { askManagerPin } from '../common/ui'
import { OutcomeBox, Panel, useOutcome } from './staff'

export function PaymentSettingsSection() {
  const [outcome, say, run] = useOutcome()
  const form = useRef<HTMLFormElement>(null)
  const [tested, setTested] = useState<RpcTestView | null>(null)
  const [chainId, setChainId] = useState<number>(CHAINS[0]?.chainId ?? 8453)

  const field = (name: string) => String(new FormData(form.current!).get(name) ?? '').trim()

  async function checkAddress(): Promise<void> {
    const address = field('address')
    if (!address) return
    const checked = await run(api().call['settings:check-receive']({ address }))
    if (checked) say('notice', () => t('bo.pay.addressOk', { address: checked.address }))
  }

  async function testConnection(): Promise<void> {
    setTested(null)
    const result = await run(api().call['settings:test-rpc']({ chainId, url: field('rpcUrl'), tokens: ['USDC'] }))
    if (result) {
      setTested(result)
      say('notice', () => t('bo.pay.tested', { head: result.head, seconds: result.headAgeSeconds, tokens: result.tokens.map((x) => `${x.symbol} ${x.address}`).join(', ') }))
    }
  }

  async function save(): Promise<void> {
    const pin = await askManagerPin(t('bo.pay.save'))
    if (pin === null) return
    const confirmations = Number(field('confirmations'))
    const settings = {
      receive: { kind: 'address', address: field('address') },
      chains: [{ chainId, rpcUrls: [field('rpcUrl')], tokens: ['USDC'], ...(Number.isInteger(confirmations) && confirmations > 0 ? { confirmations: { kind: 'blocks', count: confirmations } } : {}) }],
      rate: { kind: 'peg' }
    }
    const saved = await run(api().call['settings:payments']({ pin, settings }))
    if (saved) say('notice', () => t('bo.pay.saved'))
  }

  const policy = defaultConfirmations(chainId)
  return (
    <Panel id="settings-payments" label={t('bo.pay')}>
      <form
        ref={form}
        class="bo-form"
        onSubmit={(e) => {
          e.preventDefault()
          void save()
        }}
      >
        <label for="bo-pay-address">{t('bo.pay.address')}</label>
        <input id="bo-pay-address" name="address" autoComplete="off" spellcheck={false} onBlur={() => void checkAddress()} />
        <label for="bo-pay-chain">{t('bo.pay.chain')}</label>
        <select id="bo-pay-chain" name="chain" value={String(chainId)} onChange={(e) => setChainId(Number((e.target as HTMLSelectElement).value))}>
          {CHAINS.map((c) => (
            <option key={c.chainId} value={String(c.chainId)}>{`${c.name} (${c.chainId})`}</option>
          ))}
        </select>
        <label for="bo-pay-rpc">{t('bo.pay.rpc')}</label>
        <input id="bo-pay-rpc" name="rpcUrl" autoComplete="off" spellcheck={false} onInput={() => setTested(null)} />
        <div class="linebar">
          <button type="button" class="secondary" onClick={() => void testConnection()}>{t('bo.pay.test')}</button>
        </div>
        <label for="bo-pay-confirmations">{t('bo.pay.confirmations')}</label>
        <input id="bo-pay-confirmations" name="confirmations" inputMode="numeric" autoComplete="off" placeholder={policy.kind === 'blocks' ? String(policy.count) : 'finalized'} />
        <p class="bo-muted">{t('bo.pay.confirmationsDefault', { count: policy.kind === 'blocks' ? policy.count : 'finalized' })}</p>
        <div class="linebar">
          {/* Saving is offered once the URL passed its test; the till tests it again before it saves. */}
          <button type="submit" disabled={!tested}>{t('bo.pay.save')}</button>
        </div>
      </form>
      <OutcomeBox outcome={outcome} />
    </Panel>
  )
}
