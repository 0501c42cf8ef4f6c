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
    return `<section><h2>${escape(s.name)} <small>${escape(s.day)} (${escape(s.timeZone)})</small></h2>
<p>${s.salesCount} sales, net ${money(s.netMinor)}; cash ${money(s.tenders.cashMinor)}, stablecoin ${money(s.tenders.stablecoinMinor)}</p>
<table><thead><tr><th scope="col">Till</th><th scope="col">Sales</th><th scope="col">Net</th><th scope="col">Cash</th><th scope="col">Stablecoin</th><th scope="col">Last seen</th><th scope="col">Entries behind</th><th scope="col">Alerts</th><th scope="col">Last signed head</th></tr></thead><tbody>${rows}</tbody></table></section>`
  })
  const alerts = view.alerts.length === 0 ? '<p>No alerts.</p>' : `<ul>${view.alerts.map((a) => `<li><strong>${escape(a.kind)}</strong> on till ${escape(a.tillId)} at entry ${a.seq ?? '-'}: ${escape(a.detail)} (${a.times}×, last ${escape(when(a.lastAt))})</li>`).join('')}</ul>`
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stabletill head office</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.3rem .6rem;border-bottom:1px solid #ccc;text-align:right}th[scope=row],thead th:first-child{text-align:left}</style></head>
<body><h1>Head office</h1>${sections.join('')}<section><h2>Alerts</h2>${alerts}</section></body></html>`
}
