// The overview as one read-only HTML page: no script (the CSP allows none), every value escaped, money formatted
// from integer minor units with the currency's exponent (no float).
import { formatMinorPlain } from '../shared/money'
import type { Overview } from './overview'

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

const when = (ms: number | null): string => (ms === null ? 'never' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC')

export function overviewPage(view: Overview): string {
  const sections = view.stores.map((s) => {
    const money = (minor: number) => escape(`${formatMinorPlain(minor, s.currency)} ${s.currency}`)
    const rows = s.tills.map((t) => `<tr><th scope="row">${escape(t.name)} (${escape(t.ledgerTillId)})</th><td>${t.salesCount}</td><td>${money(t.netMinor)}</td><td>${money(t.tenders.cashMinor)}</td><td>${money(t.tenders.stablecoinMinor)}</td><td>${escape(when(t.lastSeenAt))}</td><td>${t.entriesBehind}</td><td>${t.openAlerts}</td><td>${t.signedHead ? `${t.signedHead.seq} (${escape(t.signedHead.reason)}${t.signedHead.verified ? ', signature checked' : ', no key registered'})` : 'none'}</td></tr>`).join('')
    const closings =
      s.closings.length === 0
        ? '<p>No Z closing for this day yet.</p>'
        : `<table><caption>Z closings</caption><thead><tr><th scope="col">Till</th><th scope="col">Z</th><th scope="col">Closed</th><th scope="col">Sales</th><th scope="col">Net</th><th scope="col">Tax</th><th scope="col">Expected cash</th><th scope="col">Counted</th><th scope="col">Difference</th><th scope="col">Grand total</th><th scope="col">Signed</th></tr></thead><tbody>${s.closings
            .map(
              (z) =>
                `<tr><th scope="row">${escape(z.tillName)} (${escape(z.ledgerTillId)})</th><td>${z.zNumber}</td><td>${escape(when(z.closedAt))}</td><td>${z.salesCount}</td><td>${money(z.netSalesMinor)}</td><td>${money(z.taxMinor)}</td><td>${money(z.expectedCashMinor)}</td><td>${money(z.countedCashMinor)}</td><td>${money(z.differenceMinor)}${z.differenceReason ? ` (${escape(z.differenceReason)})` : ''}</td><td>${money(z.grandNetMinor)}</td><td>${z.signed ? (z.signed.verified ? 'yes, signature checked' : 'yes, no key registered') : 'not yet'}</td></tr>`
            )
            .join('')}</tbody></table>`
    return `<section><h2>${escape(s.name)} <small>${escape(s.day)} (${escape(s.timeZone)})</small></h2>
<p>${s.salesCount} sales, net ${money(s.netMinor)}; cash ${money(s.tenders.cashMinor)}, stablecoin ${money(s.tenders.stablecoinMinor)}</p>
<table><thead><tr><th scope="col">Till</th><th scope="col">Sales</th><th scope="col">Net</th><th scope="col">Cash</th><th scope="col">Stablecoin</th><th scope="col">Last seen</th><th scope="col">Entries behind</th><th scope="col">Alerts</th><th scope="col">Last signed head</th></tr></thead><tbody>${rows}</tbody></table>${closings}</section>`
  })
  const alertItem = (a: Overview['alerts'][number]) =>
    `<li><strong>#${a.id} ${escape(a.kind)}</strong> on till ${escape(a.tillId)} at entry ${a.seq ?? '-'}: ${escape(a.detail)} (${a.times}×, last ${escape(when(a.lastAt))})${a.acknowledged ? `; acknowledged ${escape(when(a.acknowledged.at))}: ${escape(a.acknowledged.note)}` : ''}</li>`
  const open = view.alerts.filter((a) => !a.acknowledged)
  const dealtWith = view.alerts.filter((a) => a.acknowledged)
  const alerts = `${open.length === 0 ? '<p>No open alerts.</p>' : `<ul>${open.map(alertItem).join('')}</ul>`}${dealtWith.length === 0 ? '' : `<h3>Acknowledged</h3><ul>${dealtWith.map(alertItem).join('')}</ul>`}`
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stabletill head office</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;margin-bottom:1rem}caption{text-align:left;font-weight:bold;padding:.3rem 0}td,th{padding:.3rem .6rem;border-bottom:1px solid #ccc;text-align:right}th[scope=row],thead th:first-child{text-align:left}</style></head>
<body><h1>Head office</h1>${sections.join('')}<section><h2>Alerts</h2>${alerts}</section></body></html>`
}
