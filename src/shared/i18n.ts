// One i18n mechanism for every window (and receipts): English and Simplified Chinese from the start.
// English strings are the accessible names tests rely on (../shared/UI-CONTRACT.md); keep them stable.
import type { Locale } from './api/views'

const en = {
  'app.title': 'Stabletill',
  'cashier.title': 'Cashier',
  'display.title': 'Customer display',
  'backoffice.title': 'Back office',
  'barcode': 'Barcode',
  'barcode.add': 'Add item',
  'barcode.placeholder': 'Scan or type a barcode, then Enter',
  'cart': 'Cart',
  'cart.empty': 'Scan an item to start a sale',
  'col.item': 'Item',
  'col.qty': 'Qty',
  'col.unit': 'Unit price',
  'col.total': 'Line total',
  'line.void': 'Void line',
  'line.voided': 'void',
  'qty.increase': 'Increase quantity',
  'qty.decrease': 'Decrease quantity',
  'sale.total': 'Sale total',
  'sale.subtotal': 'Subtotal',
  'sale.tax': 'Tax',
  'sale.number': 'Sale {number}',
  'sale.due': 'Due',
  'sale.paid': 'Paid',
  'sale.change': 'Change due',
  'pay.cash': 'Pay cash',
  'pay.stablecoin': 'Pay with stablecoin',
  'cash.received': 'Cash received',
  'cash.tender': 'Take cash',
  'sale.complete': 'Complete sale',
  'sale.completed': 'Sale {number} completed. Change due: {change}',
  'payment.status': 'Payment status',
  'language': 'Language',
  'language.switch': '中文',
  'error.amount': 'Enter an amount like 20 or 20.50.',
  'error.offline': 'The till service is not answering. Your sale is safe in the ledger; retrying…',
  'display.welcome': 'Welcome',
  'display.amountDue': 'Amount due',
  'display.thanks': 'Thank you!',
  'backoffice.verify': 'Verify journal',
  'backoffice.verify.ok': 'Journal intact: {entries} entries, last hash {hash}',
  'backoffice.verify.bad': 'Journal broken at entry {seq}: {reason}',
  'backoffice.sales': 'Sales',
  'col.number': 'No.',
  'col.status': 'Status',
  'col.closed': 'Closed at',
  'shortcuts': 'Keys: F2 barcode · ↑↓ select line · +/− quantity · Del void line · F4 pay cash · F12 complete'
} as const

export type MessageKey = keyof typeof en

const zhCN: Record<MessageKey, string> = {
  'app.title': 'Stabletill 收银台',
  'cashier.title': '收银',
  'display.title': '顾客显示屏',
  'backoffice.title': '后台管理',
  'barcode': '条码',
  'barcode.add': '添加商品',
  'barcode.placeholder': '扫描或输入条码后按回车',
  'cart': '购物车',
  'cart.empty': '扫描商品开始交易',
  'col.item': '商品',
  'col.qty': '数量',
  'col.unit': '单价',
  'col.total': '小计',
  'line.void': '作废此行',
  'line.voided': '已作废',
  'qty.increase': '增加数量',
  'qty.decrease': '减少数量',
  'sale.total': '应付总额',
  'sale.subtotal': '小计',
  'sale.tax': '税额',
  'sale.number': '交易 {number}',
  'sale.due': '待付',
  'sale.paid': '已付',
  'sale.change': '找零',
  'pay.cash': '现金支付',
  'pay.stablecoin': '稳定币支付',
  'cash.received': '收到现金',
  'cash.tender': '收取现金',
  'sale.complete': '完成交易',
  'sale.completed': '交易 {number} 已完成。找零：{change}',
  'payment.status': '支付状态',
  'language': '语言',
  'language.switch': 'English',
  'error.amount': '请输入金额，例如 20 或 20.50。',
  'error.offline': '收银服务无响应。交易已安全保存在账本中，正在重试…',
  'display.welcome': '欢迎光临',
  'display.amountDue': '应付金额',
  'display.thanks': '谢谢惠顾！',
  'backoffice.verify': '校验日志',
  'backoffice.verify.ok': '日志完整：共 {entries} 条，最后哈希 {hash}',
  'backoffice.verify.bad': '日志在第 {seq} 条处损坏：{reason}',
  'backoffice.sales': '交易记录',
  'col.number': '编号',
  'col.status': '状态',
  'col.closed': '完成时间',
  'shortcuts': '快捷键：F2 条码 · ↑↓ 选择行 · +/− 数量 · Del 作废行 · F4 现金 · F12 完成'
}

const tables: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN }

export function translate(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = tables[locale][key] ?? en[key]
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`))
}

/** The BCP 47 tag for number and date formatting. */
export function intlLocale(locale: Locale): string {
  return locale === 'zh-CN' ? 'zh-CN' : 'en-US'
}

export const ALL_MESSAGE_KEYS = Object.keys(en) as MessageKey[]
