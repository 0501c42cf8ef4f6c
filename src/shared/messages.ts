// Every sentence the till writes about an action it refused or did: one catalogue, English and Simplified Chinese.
// A refusal crosses the bridge as a code plus a message id and its values (ApiError.key, ApiError.detail); the page
// words it in its UI language. `message` stays English for logs and for callers that cannot word it.
//
// Template placeholders: {name} prints the value as given; {name:money} prints an integer of minor units in the
// store currency, taken from the `currency` value (amounts never cross as formatted text, so a page in zh-CN shows
// "US$22.30" and one in en "$22.30").
import { formatMoney } from './money'

type Templates = { readonly en: string; readonly 'zh-CN': string }

export const MESSAGES = {
  // ---- sale ----
  'sale.none-open': { en: 'There is no open sale: scan an item to start one.', 'zh-CN': '没有进行中的交易：扫描商品即可开始。' },
  'sale.not-open': { en: 'Sale {number} is {status} and can no longer change.', 'zh-CN': '交易 {number} 已{status}，不能再修改。' },
  'sale.not-found': { en: 'No sale {saleId}.', 'zh-CN': '没有交易 {saleId}。' },
  'sale.line-gone': { en: 'That line is not on the sale any more.', 'zh-CN': '该行已不在交易中。' },
  'sale.lines-locked': { en: 'Payment has started on this sale: its lines cannot change. Take the tender back (manager) first.', 'zh-CN': '此交易已开始付款，商品行不能修改。请先由经理撤回付款。' },
  'sale.line-void': { en: 'Line {position} ({name}) is void.', 'zh-CN': '第 {position} 行（{name}）已作废。' },
  'sale.line-already-void': { en: 'Line {position} ({name}) is already void.', 'zh-CN': '第 {position} 行（{name}）已经作废。' },
  'sale.weighed-quantity': { en: '{name} was weighed: its quantity cannot change. Void the line and weigh again.', 'zh-CN': '{name} 为称重商品，数量不能修改。请作废此行后重新称重。' },
  'sale.quantity-range': { en: 'A quantity is 1 to 9999; {name} would become {quantity}. Void the line to remove it.', 'zh-CN': '数量应为 1 到 9999；{name} 将变为 {quantity}。如需删除请作废此行。' },
  'sale.weight-needed': { en: '{name} is sold by weight: key in the weight from the scale.', 'zh-CN': '{name} 按重量销售：请输入秤上的重量。' },
  'sale.no-items': { en: 'The sale has no items yet: scan something first.', 'zh-CN': '交易中还没有商品：请先扫描。' },
  'sale.nothing-due': { en: 'Nothing is due: complete the sale.', 'zh-CN': '无待付金额：请完成交易。' },
  'sale.cash-needed': { en: 'Enter the cash the customer handed over.', 'zh-CN': '请输入顾客交付的现金。' },
  'sale.cash-below-due': { en: '{receivedMinor:money} is less than the {dueMinor:money} due. Confirm to take it as part payment.', 'zh-CN': '{receivedMinor:money} 少于待付的 {dueMinor:money}。确认后作为部分付款收取。' },
  'sale.not-paid': { en: 'The sale is not fully paid: {dueMinor:money} still due.', 'zh-CN': '交易尚未付清：仍需 {dueMinor:money}。' },
  'sale.tender-gone': { en: 'That tender is not on the open sale.', 'zh-CN': '该付款不在当前交易中。' },
  'sale.tender-not-cash': { en: 'Only a cash tender can be taken back at the counter; a stablecoin payment is refunded by the refund flow.', 'zh-CN': '柜台只能撤回现金付款；稳定币付款需走退款流程。' },
  'sale.nothing-to-complete': { en: 'The sale has no items: nothing to complete.', 'zh-CN': '交易中没有商品：无可完成。' },
  'sale.discount-range': { en: '{percent} % is not a discount: give 0 to 100.', 'zh-CN': '{percent}% 不是有效折扣：请输入 0 到 100。' },
  'sale.locked': { en: '{reason}', 'zh-CN': '{reason}' },
  // ---- barcodes and catalog ----
  'barcode.unknown': { en: 'Unknown barcode {code}: no product in the catalog has it.', 'zh-CN': '未知条码 {code}：商品目录中没有此条码。' },
  'barcode.empty': { en: 'Nothing was scanned.', 'zh-CN': '没有扫描到内容。' },
  'barcode.bad-characters': { en: 'The scan contains control characters: the scanner is misconfigured or the label is damaged. Scan again.', 'zh-CN': '扫描内容含控制字符：扫描枪设置有误或标签损坏。请重新扫描。' },
  'barcode.bad-check-digit': { en: 'The check digit of {code} does not match. Scan again or key in the number.', 'zh-CN': '{code} 的校验位不符（check digit）。请重新扫描或手工输入。' },
  'barcode.bad-length': { en: 'The code {code} has the wrong length for a product barcode. Scan again or key in the number.', 'zh-CN': '条码 {code} 的长度不对。请重新扫描或手工输入。' },
  'barcode.bad-gs1': { en: 'The GS1 label {code} could not be read. Scan again.', 'zh-CN': '无法读取 GS1 标签 {code}。请重新扫描。' },
  'barcode.bad-variable': { en: 'The scale label {code} could not be read. Scan again.', 'zh-CN': '无法读取秤标签 {code}。请重新扫描。' },
  'barcode.sold-by-weight': { en: '{name} is sold by weight: weigh it and scan the scale label.', 'zh-CN': '{name} 按重量销售：请称重后扫描秤标签。' },
  'barcode.no-gtin': { en: 'GS1 code {code} carries no GTIN (AI 01).', 'zh-CN': 'GS1 条码 {code} 不含 GTIN（AI 01）。' },
  'barcode.no-weight': { en: '{name} is sold by weight but the label has no net weight (AI 310x).', 'zh-CN': '{name} 按重量销售，但标签上没有净重（AI 310x）。' },
  'barcode.weight-on-unit': { en: 'Scale label {code} carries a weight but {name} is sold by the unit.', 'zh-CN': '秤标签 {code} 带有重量，但 {name} 按件销售。' },
  'barcode.zero-weight': { en: 'Scale label {code} carries a zero weight.', 'zh-CN': '秤标签 {code} 的重量为零。' },
  'catalog.product-unknown': { en: 'No product {productId} in the catalog.', 'zh-CN': '商品目录中没有商品 {productId}。' },
  // ---- approvals ----
  'approval.wrong-pin': { en: 'Wrong manager PIN: the action was not approved.', 'zh-CN': '经理密码错误：操作未获授权。' },
  'approval.locked': { en: 'Too many wrong PINs: manager approval is locked for {seconds} more seconds.', 'zh-CN': '密码错误次数过多：经理授权已锁定，还需 {seconds} 秒。' },
  // ---- store settings ----
  'store.sale-open': { en: 'Finish or void the open sale before changing the store settings.', 'zh-CN': '请先完成或作废当前交易，再修改门店设置。' },
  'store.unknown-currency': { en: '{currency} is not an ISO 4217 currency this till knows.', 'zh-CN': '{currency} 不是本收银台支持的 ISO 4217 货币。' },
  'store.currency-with-prices': {
    en: 'The currency stays {currency}: the catalog holds {products} prices in {currency}, and relabelling them as {target} would make every price wrong. Import a catalog priced in {target} first, or keep {currency}.',
    'zh-CN': '货币保持 {currency}：商品目录中有 {products} 个以 {currency} 计价的价格，直接改为 {target} 会使所有价格出错。请先导入以 {target} 计价的目录，或保留 {currency}。'
  },
  // ---- the link and generic refusals the page words itself ----
  'link.unavailable': { en: 'The till service is not answering. Your sale is safe in the ledger; try again in a moment.', 'zh-CN': '收银服务无响应。交易已安全保存在账本中，请稍后重试。' },
  'input.invalid': { en: 'That was not accepted: {field} is not valid.', 'zh-CN': '输入无效：{field} 不正确。' },
  'internal': { en: 'Something went wrong on the till; nothing was changed. The error is in the till log.', 'zh-CN': '收银台出错，未做任何更改。错误已记入日志。' },
  // ---- trust ([E] points 4 and 5) ----
  'integrity.close-refused': {
    en: 'The ledger failed its integrity check at start (first bad entry {seq}: {reason}). A manager must review it in Settings before the day can close.',
    'zh-CN': '账本在启动时未通过完整性检查（第一个异常条目 {seq}：{reason}）。经理须先在“设置”中核查，才能结束营业日。'
  },
  'integrity.nothing-to-acknowledge': { en: 'The ledger passed its integrity check: there is nothing to acknowledge.', 'zh-CN': '账本已通过完整性检查，无需确认。' },
  'limits.cash-received': { en: 'Cash received of {receivedMinor:money} is more than this till accepts in one sale ({maxMinor:money}). Check the amount typed.', 'zh-CN': '收到现金 {receivedMinor:money} 超过本收银台单笔上限（{maxMinor:money}）。请检查输入的金额。' },
  'limits.quantity': { en: 'A quantity of {quantity} is more than this till accepts on one line ({max}).', 'zh-CN': '数量 {quantity} 超过本收银台单行上限（{max}）。' },
  'limits.price': { en: '{name} costs {amountMinor:money} on this line, more than this till accepts ({maxMinor:money}).', 'zh-CN': '{name} 在此行金额为 {amountMinor:money}，超过本收银台上限（{maxMinor:money}）。' }
} as const satisfies Record<string, Templates>

export type MessageId = keyof typeof MESSAGES

/** The placeholder names in a template: "{a} and {b:money}" -> 'a' | 'b'. */
type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}` ? (Name extends `${infer Base}:money` ? Base : Name) | Placeholders<Rest> : never
type NeedsCurrency<S extends string> = S extends `${string}:money}${string}` ? 'currency' : never

/** The values message `K` needs, typed from its English template (a money placeholder also needs `currency`). */
export type MessageValues<K extends MessageId> = { readonly [P in Placeholders<(typeof MESSAGES)[K]['en']> | NeedsCurrency<(typeof MESSAGES)[K]['en']>]: string | number }

export type Locale = 'en' | 'zh-CN'

export function isMessageId(key: unknown): key is MessageId {
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(MESSAGES, key)
}

/**
 * Words message `key` in `locale`. Values arrive untyped from the bridge, so a missing one prints as its name in
 * braces rather than throwing; a money value that is not a safe integer (or a bad currency) prints as given.
 */
export function formatMessage(locale: Locale, key: MessageId, values: Readonly<Record<string, string | number | boolean | null>> = {}, intlLocale = locale === 'zh-CN' ? 'zh-CN' : 'en-US'): string {
  const template = MESSAGES[key][locale] ?? MESSAGES[key].en
  return template.replace(/\{(\w+)(:money)?\}/g, (whole, name: string, money: string | undefined) => {
    const value = values[name]
    if (value === undefined || value === null) return whole
    if (money && typeof value === 'number' && Number.isSafeInteger(value) && typeof values['currency'] === 'string') {
      try {
        return formatMoney(value, values['currency'], intlLocale)
      } catch {
        return String(value)
      }
    }
    return String(value)
  })
}
