// The Z / X report's words in the two languages the till speaks (en, zh-CN), for the paper and the PDF.
// Kept here rather than in src/shared/i18n.ts: these words are printed by main, never shown by the renderer.
export type ReportLocale = 'en' | 'zh-CN'

export interface ReportLabels {
  readonly zReport: string
  readonly xReport: string
  readonly xNotAClosing: string
  readonly taxId: string
  readonly till: string
  readonly zNumber: string
  readonly businessDate: string
  readonly from: string
  readonly to: string
  readonly sales: string
  readonly salesCount: string
  readonly grossSales: string
  readonly discounts: string
  readonly returns: string
  readonly netSales: string
  readonly taxes: string
  readonly taxOn: string
  /** Before the takings a card fee is reckoned on ('on'; not the tax word: 计税 means "taxed on"). */
  readonly feeOn: string
  readonly taxable: string
  readonly taxTotal: string
  readonly tenders: string
  readonly cash: string
  readonly received: string
  readonly refunded: string
  readonly on: string
  readonly rate: string
  readonly takings: string
  readonly overpaid: string
  readonly underpaid: string
  readonly late: string
  readonly drawer: string
  readonly float: string
  readonly cashSales: string
  readonly cashRefunds: string
  readonly cashIn: string
  readonly cashOut: string
  readonly expected: string
  readonly counted: string
  readonly difference: string
  readonly reason: string
  readonly voids: string
  readonly noSale: string
  readonly pending: string
  readonly sale: string
  readonly fees: string
  readonly networkFees: string
  readonly feesUnknown: string
  readonly cardEquivalent: string
  readonly saved: string
  readonly grandTotals: string
  readonly grandSales: string
  readonly grandReturns: string
  readonly journal: string
  readonly page: string
  readonly cjkFontMissing: string
}

export const REPORT_LABELS: Readonly<Record<ReportLocale, ReportLabels>> = {
  en: {
    zReport: 'Z REPORT',
    xReport: 'X REPORT',
    xNotAClosing: 'Read only: not a closing',
    taxId: 'Tax ID',
    till: 'Till',
    zNumber: 'Z',
    businessDate: 'Business date',
    from: 'From',
    to: 'To',
    sales: 'Sales',
    salesCount: 'Sales',
    grossSales: 'Gross sales',
    discounts: 'Discounts',
    returns: 'Returns',
    netSales: 'Net sales',
    taxes: 'Tax',
    taxOn: 'on',
    feeOn: 'on',
    taxable: 'Taxable',
    taxTotal: 'Tax total',
    tenders: 'Tenders',
    cash: 'Cash',
    received: 'received',
    refunded: 'refunded',
    on: 'on',
    rate: 'Rate',
    takings: 'Takings',
    overpaid: 'Overpaid',
    underpaid: 'Underpaid',
    late: 'Paid late',
    drawer: 'Drawer',
    float: 'Float',
    cashSales: 'Cash sales',
    cashRefunds: 'Cash refunds',
    cashIn: 'Cash in',
    cashOut: 'Cash out',
    expected: 'Expected',
    counted: 'Counted',
    difference: 'Difference',
    reason: 'Reason',
    voids: 'Voids',
    noSale: 'No sale',
    pending: 'Pending, carried over',
    sale: 'Sale',
    fees: 'Stablecoin vs card',
    networkFees: 'Network fees',
    feesUnknown: 'unknown',
    cardEquivalent: 'At the card rate',
    saved: 'Saved',
    grandTotals: 'Grand totals',
    grandSales: 'Sales',
    grandReturns: 'Returns',
    journal: 'Journal',
    page: 'Page',
    cjkFontMissing: 'No CJK font found: labels in English.'
  },
  'zh-CN': {
    zReport: 'Z 报表',
    xReport: 'X 报表',
    xNotAClosing: '只读：未结账',
    taxId: '税号',
    till: '收银台',
    zNumber: 'Z',
    businessDate: '营业日',
    from: '自',
    to: '至',
    sales: '销售',
    salesCount: '销售笔数',
    grossSales: '销售总额',
    discounts: '折扣',
    returns: '退货',
    netSales: '销售净额',
    taxes: '税',
    taxOn: '计税',
    feeOn: '基于',
    taxable: '应税额',
    taxTotal: '税额合计',
    tenders: '支付方式',
    cash: '现金',
    received: '收入',
    refunded: '退款',
    on: '链',
    rate: '汇率',
    takings: '收款合计',
    overpaid: '多付',
    underpaid: '少付',
    late: '逾期支付',
    drawer: '钱箱',
    float: '备用金',
    cashSales: '现金销售',
    cashRefunds: '现金退款',
    cashIn: '存入',
    cashOut: '取出',
    expected: '应有',
    counted: '实点',
    difference: '差额',
    reason: '原因',
    voids: '作废',
    noSale: '开钱箱',
    pending: '待确认，转入次日',
    sale: '单号',
    fees: '稳定币与银行卡',
    networkFees: '网络手续费',
    feesUnknown: '未知',
    cardEquivalent: '按银行卡费率',
    saved: '节省',
    grandTotals: '累计总额',
    grandSales: '销售',
    grandReturns: '退货',
    journal: '日志',
    page: '页',
    cjkFontMissing: ''
  }
}
