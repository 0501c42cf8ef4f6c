// The overview as one read-only HTML page: no script (the CSP allows none), every value escaped, money formatted
// from integer minor units with the currency's exponent (no float). English and Simplified Chinese, chosen by
// ?lang= or the browser's Accept-Language; the alerts' details are head office's own words (English) in both.
import { formatMinorPlain } from '../shared/money'
import type { Overview } from './overview'

export type PageLanguage = 'en' | 'zh-CN'

const WORDS = {
  en: {
    title: 'Head office',
    summary: (sales: number, net: string, cash: string, coin: string) => `${sales} sales, net ${net}; cash ${cash}, stablecoin ${coin}`,
    tillColumns: ['Till', 'Sales', 'Net', 'Cash', 'Stablecoin', 'Last seen', 'Entries behind', 'Alerts', 'Last signed head'],
    closingsCaption: 'Z closings',
    closingColumns: ['Till', 'Z', 'Closed', 'Sales', 'Net', 'Tax', 'Expected cash', 'Counted', 'Difference', 'Grand total', 'Signed'],
    noClosing: 'No Z closing for this day yet.',
    signedChecked: 'yes, signature checked',
    signedNoKey: 'yes, no key registered',
    notSigned: 'not yet',
    headChecked: 'signature checked',
    headNoKey: 'no key registered',
    headReason: (reason: string) => (reason === 'checkpoint' ? 'checkpoint' : /^z \d+$/.test(reason) ? `Z ${reason.slice(2)}` : reason),
    none: 'none',
    never: 'never',
    alerts: 'Alerts',
    noAlerts: 'No open alerts.',
    acknowledgedHeading: 'Acknowledged',
    alertLine: (kind: string, till: string, seq: string, detail: string, times: number, last: string) => `${kind}</strong> on till ${till} at entry ${seq}: ${detail} (${times}×, last ${last})`,
    acknowledged: (at: string, note: string) => `; acknowledged ${at}: ${note}`
  },
  'zh-CN': {
    title: '总部',
    summary: (sales: number, net: string, cash: string, coin: string) => `${sales} 笔销售，净额 ${net}；现金 ${cash}，稳定币 ${coin}`,
    tillColumns: ['收银台', '销售', '净额', '现金', '稳定币', '最后联系', '待接收条目', '警报', '最后签名的链头'],
    closingsCaption: 'Z 结账',
    closingColumns: ['收银台', 'Z', '结账时间', '销售', '净额', '税额', '应有现金', '清点', '差额', '累计总额', '签名'],
    noClosing: '当日尚无 Z 结账。',
    signedChecked: '已签名，签名已验证',
    signedNoKey: '已签名，未登记公钥',
    notSigned: '尚未签名',
    headChecked: '签名已验证',
    headNoKey: '未登记公钥',
    headReason: (reason: string) => (reason === 'checkpoint' ? '检查点' : /^z \d+$/.test(reason) ? `Z ${reason.slice(2)} 结账` : reason),
    none: '无',
    never: '从未',
    alerts: '警报',
    noAlerts: '没有未处理的警报。',
    acknowledgedHeading: '已处理',
    alertLine: (kind: string, till: string, seq: string, detail: string, times: number, last: string) => `${kind}</strong>，收银台 ${till}，条目 ${seq}：${detail}（${times} 次，最近 ${last}）`,
    acknowledged: (at: string, note: string) => `；已于 ${at} 处理：${note}`
  }
} as const

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** ?lang=zh-CN (or zh) wins; else the first of Accept-Language that is Chinese or English; else English. */
export function pageLanguage(query: string | null, acceptLanguage: string | undefined): PageLanguage {
  const pick = (tag: string): PageLanguage | null => (/^zh\b/i.test(tag.trim()) ? 'zh-CN' : /^en\b/i.test(tag.trim()) ? 'en' : null)
  if (query) return pick(query) ?? 'en'
  for (const part of (acceptLanguage ?? '').split(',')) {
    const found = pick(part.split(';')[0] ?? '')
    if (found) return found
  }
  return 'en'
}

export function overviewPage(view: Overview, language: PageLanguage = 'en'): string {
  const w = WORDS[language]
  const when = (ms: number | null): string => (ms === null ? w.never : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC')
  const head = (columns: readonly string[]) => `<thead><tr>${columns.map((c) => `<th scope="col">${escape(c)}</th>`).join('')}</tr></thead>`
  const sections = view.stores.map((s) => {
    const money = (minor: number) => escape(`${formatMinorPlain(minor, s.currency)} ${s.currency}`)
    const rows = s.tills
      .map(
        (t) =>
          `<tr><th scope="row">${escape(t.name)} (${escape(t.ledgerTillId)})</th><td>${t.salesCount}</td><td>${money(t.netMinor)}</td><td>${money(t.tenders.cashMinor)}</td><td>${money(t.tenders.stablecoinMinor)}</td><td>${escape(when(t.lastSeenAt))}</td><td>${t.entriesBehind}</td><td>${t.openAlerts}</td><td>${t.signedHead ? `${t.signedHead.seq} (${escape(w.headReason(t.signedHead.reason))}, ${t.signedHead.verified ? w.headChecked : w.headNoKey})` : w.none}</td></tr>`
      )
      .join('')
    const closings =
      s.closings.length === 0
        ? `<p>${w.noClosing}</p>`
        : `<table><caption>${w.closingsCaption}</caption>${head(w.closingColumns)}<tbody>${s.closings
            .map(
              (z) =>
                `<tr><th scope="row">${escape(z.tillName)} (${escape(z.ledgerTillId)})</th><td>${z.zNumber}</td><td>${escape(when(z.closedAt))}</td><td>${z.salesCount}</td><td>${money(z.netSalesMinor)}</td><td>${money(z.taxMinor)}</td><td>${money(z.expectedCashMinor)}</td><td>${money(z.countedCashMinor)}</td><td>${money(z.differenceMinor)}${z.differenceReason ? ` (${escape(z.differenceReason)})` : ''}</td><td>${money(z.grandNetMinor)}</td><td>${z.signed ? (z.signed.verified ? w.signedChecked : w.signedNoKey) : w.notSigned}</td></tr>`
            )
            .join('')}</tbody></table>`
    return `<section><h2>${escape(s.name)} <small>${escape(s.day)} (${escape(s.timeZone)})</small></h2>
<p>${escape(w.summary(s.salesCount, `${formatMinorPlain(s.netMinor, s.currency)} ${s.currency}`, `${formatMinorPlain(s.tenders.cashMinor, s.currency)} ${s.currency}`, `${formatMinorPlain(s.tenders.stablecoinMinor, s.currency)} ${s.currency}`))}</p>
<table>${head(w.tillColumns)}<tbody>${rows}</tbody></table>${closings}</section>`
  })
  const alertItem = (a: Overview['alerts'][number]) =>
    `<li><strong>#${a.id} ${w.alertLine(escape(a.kind), escape(a.tillId), a.seq === null ? '-' : String(a.seq), escape(a.detail), a.times, escape(when(a.lastAt)))}${a.acknowledged ? w.acknowledged(escape(when(a.acknowledged.at)), escape(a.acknowledged.note)) : ''}</li>`
  const open = view.alerts.filter((a) => !a.acknowledged)
  const dealtWith = view.alerts.filter((a) => a.acknowledged)
  const alerts = `${open.length === 0 ? `<p>${w.noAlerts}</p>` : `<ul>${open.map(alertItem).join('')}</ul>`}${dealtWith.length === 0 ? '' : `<h3>${w.acknowledgedHeading}</h3><ul>${dealtWith.map(alertItem).join('')}</ul>`}`
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>Stabletill ${escape(w.title)}</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2rem}table{border-collapse:collapse;margin-bottom:1rem}caption{text-align:left;font-weight:bold;padding:.3rem 0}td,th{padding:.3rem .6rem;border-bottom:1px solid #ccc;text-align:right}th[scope=row],thead th:first-child{text-align:left}</style></head>
<body><h1>${escape(w.title)}</h1>${sections.join('')}<section><h2>${escape(w.alerts)}</h2>${alerts}</section></body></html>`
}
