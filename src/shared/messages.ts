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
  // ---- stablecoin payments ----
  'payment.off': { en: 'No blockchain is set up for stablecoin payments on this till.', 'zh-CN': '本收银台尚未设置稳定币收款的区块链。' },
  'payment.token-mismatch': {
    en: 'Stablecoin payments are off: the token contract does not match its pinned details ({detail}). Fix the store’s settings.',
    'zh-CN': '稳定币收款已停用：代币合约与固定的登记信息不符（{detail}）。请修正门店设置。'
  },
  'payment.nothing-to-pay': { en: 'Scan the goods first: there is nothing to pay.', 'zh-CN': '请先扫描商品：目前没有可付款的内容。' },
  'payment.nothing-due': { en: 'Nothing is due: complete the sale.', 'zh-CN': '无待付金额：请完成交易。' },
  'payment.other-request-open': {
    en: 'A request for {token} on {chain} is open for this sale: cancel it before asking for {wanted} on {wantedChain}.',
    'zh-CN': '此交易已有 {chain} 上的 {token} 收款请求：请先取消，再改用 {wantedChain} 上的 {wanted}。'
  },
  'payment.simulate-demo-only': { en: 'Simulated payments exist only in the demo store.', 'zh-CN': '模拟付款仅在演示门店中可用。' },
  'payment.chain-off': { en: '{chain} is not enabled for payments on this till.', 'zh-CN': '本收银台未启用 {chain} 收款。' },
  'payment.token-off': { en: '{token} is not enabled on {chain}.', 'zh-CN': '{chain} 上未启用 {token}。' },
  'payment.amount-too-small': { en: 'The amount is below one cent of the token: take it in cash.', 'zh-CN': '金额低于代币的一分钱：请收取现金。' },
  'payment.not-found': { en: 'No payment request {id}.', 'zh-CN': '没有收款请求 {id}。' },
  'payment.approval-needed': { en: 'A manager must approve this.', 'zh-CN': '此操作需要经理授权。' },
  'payment.cannot-accept': { en: 'Only a confirmed partial or late payment can be accepted; this one is {state}.', 'zh-CN': '只能接受已确认的部分付款或逾期付款；此付款状态为 {state}。' },
  'payment.not-overpaid': { en: 'This payment is not a confirmed overpayment.', 'zh-CN': '此付款不是已确认的超额付款。' },
  'payment.overpayment-recorded': { en: 'The overpayment is already recorded for refund.', 'zh-CN': '超额部分已登记待退款。' },
  'payment.cannot-cancel': { en: 'Money has arrived for this request (or it is settled): it cannot be cancelled. Ask a manager.', 'zh-CN': '此收款请求已收到款项（或已结清），不能取消。请联系经理。' },
  'payment.nothing-to-release': { en: 'This payment is {state}: nothing to release.', 'zh-CN': '此付款状态为 {state}：无需放行。' },
  'payment.already-released': { en: 'This payment was already released unverified.', 'zh-CN': '此付款已在未验证的情况下放行。' },
  'payment.chain-reachable': { en: '{chain} is reachable: wait for the payment instead of releasing it unverified.', 'zh-CN': '{chain} 可以连接：请等待付款到账，不要在未验证时放行。' },
  'payment.release-over-limit': { en: 'Above the store’s limit for an unverified release ({limitMinor:money}).', 'zh-CN': '超过门店未验证放行的限额（{limitMinor:money}）。' },
  'payment.release-too-many': { en: '{outstanding} unverified releases are already outstanding (store limit {limit}).', 'zh-CN': '已有 {outstanding} 笔未验证放行尚未确认（门店上限 {limit}）。' },
  'payment.transfer-not-found': { en: 'No transfer {tx} on {chain}.', 'zh-CN': '{chain} 上没有转账 {tx}。' },
  'payment.transfer-dealt-with': { en: 'This transfer has already been attributed or dealt with.', 'zh-CN': '这笔转账已被匹配或处理。' },
  'payment.transfer-choose-request': { en: 'Choose the payment request this transfer is for.', 'zh-CN': '请选择这笔转账对应的收款请求。' },
  'payment.transfer-other-request': { en: 'That request asked for another token, chain or address than this transfer paid.', 'zh-CN': '该收款请求的代币、链或地址与这笔转账不符。' },
  'payment.no-open-reversal': { en: 'This payment has no open reversal.', 'zh-CN': '此付款没有待处理的撤销。' },
  'payment.paid-again': { en: 'This payment is Paid again: nothing to resolve.', 'zh-CN': '此付款已再次到账：无需处理。' },
  'payment.tags-exhausted': { en: 'All {count} payment tags of this till are held on this address: shorten the late window or use an xpub.', 'zh-CN': '本收银台在此地址上的 {count} 个付款标记均已占用：请缩短逾期窗口或改用 xpub。' },
  'rate.peg-usd-only': { en: 'The peg rate only applies to USD stores (this store uses {currency}): set a manual or HTTP rate.', 'zh-CN': '挂钩汇率只适用于美元门店（本店使用 {currency}）：请设置手动或 HTTP 汇率。' },
  'rate.manual-missing': { en: 'No manual {token}/{currency} rate is set: a manager must enter one.', 'zh-CN': '尚未设置 {token}/{currency} 手动汇率：需由经理输入。' },
  'rate.stale': { en: 'The {token}/{currency} rate from the rate source is unavailable or older than {maxAgeSec} s: enter a manual rate.', 'zh-CN': '汇率来源的 {token}/{currency} 汇率不可用或已超过 {maxAgeSec} 秒：请输入手动汇率。' },
  'rate.not-a-rate': { en: '"{text}" is not a rate: give a positive decimal number.', 'zh-CN': '“{text}”不是有效汇率：请输入正的小数。' },
  // ---- the link and generic refusals the page words itself ----
  'link.unavailable': { en: 'The till service is not answering. Your sale is safe in the ledger; try again in a moment.', 'zh-CN': '收银服务无响应。交易已安全保存在账本中，请稍后重试。' },
  'input.invalid': { en: 'That was not accepted: {field} is not valid.', 'zh-CN': '输入无效：{field} 不正确。' },
  'internal': { en: 'Something went wrong on the till; nothing was changed. The error is in the till log.', 'zh-CN': '收银台出错，未做任何更改。错误已记入日志。' },
  // ---- returns and refunds ----
  'return.bad-code': { en: 'That is not a receipt code: scan the QR on the receipt, or type the 12 characters after "Journal".', 'zh-CN': '这不是小票代码：请扫描小票上的二维码，或输入“日志”后的 12 个字符。' },
  'return.sale-not-found': { en: 'No completed sale on this till matches {query}.', 'zh-CN': '本收银台没有与 {query} 相符的已完成交易。' },
  'return.sale-not-returnable': { en: 'Sale {number} is a refund itself: only a sale can be returned.', 'zh-CN': '交易 {number} 本身是退款，只有销售可以退货。' },
  'return.nothing-chosen': { en: 'Choose what comes back: a quantity on at least one line, or the whole sale.', 'zh-CN': '请选择退货内容：至少一行的数量，或整单退货。' },
  'return.line-unknown': { en: 'That line is not on sale {number}.', 'zh-CN': '该行不在交易 {number} 中。' },
  'return.too-many': { en: '{name}: {quantity} cannot come back, only {left} of {sold} sold are left to return.', 'zh-CN': '{name}：不能退 {quantity} 件，售出 {sold} 件中只剩 {left} 件可退。' },
  'return.more-than-paid': { en: 'That would give back {amountMinor:money}, but only {refundableMinor:money} of what was paid is left to refund.', 'zh-CN': '将退还 {amountMinor:money}，但已付款中只剩 {refundableMinor:money} 可退。' },
  'return.sale-open': { en: 'Sale {number} is open: finish or void it before a cash refund.', 'zh-CN': '交易 {number} 尚未结束：请先完成或作废，再办理现金退款。' },
  'return.bad-address': { en: 'That is not a wallet address: scan the customer\'s receive QR or type a 0x address.', 'zh-CN': '这不是钱包地址：请扫描顾客的收款二维码或输入 0x 地址。' },
  'return.bad-checksum': { en: 'The address {address} fails its checksum: a character was mistyped. Scan it again.', 'zh-CN': '地址 {address} 校验失败：有字符输错，请重新扫描。' },
  'return.wrong-chain': { en: 'The customer\'s address is for chain {given}, the refund goes out on {chain}.', 'zh-CN': '顾客地址属于链 {given}，退款将在 {chain} 上发出。' },
  'return.no-chain': { en: 'No blockchain is set up on this till for a stablecoin refund.', 'zh-CN': '本收银台未设置用于稳定币退款的区块链。' },
  'return.token-unknown': { en: '{token} is not enabled on chain {chainId}.', 'zh-CN': '{token} 未在链 {chainId} 上启用。' },
  'return.choose-token': { en: 'The sale was not paid in stablecoin: choose the token and network to refund in.', 'zh-CN': '此交易未用稳定币支付：请选择退款的代币和网络。' },
  'return.token-basis-needs-token-payment': { en: 'The original token amount is a basis only for a sale paid in {token} on that network: refund at today\'s rate instead.', 'zh-CN': '只有以该网络上的 {token} 支付的交易才能按原代币数量退款：请按今日汇率退款。' },
  'return.no-shop-address': { en: 'The shop\'s paying address is not known for this chain: give the address the manager\'s wallet pays from.', 'zh-CN': '不知道本店在此链上的付款地址：请填写经理钱包的付款地址。' },
  'return.same-address': { en: 'The customer\'s address is the shop\'s own: the refund must go to the customer.', 'zh-CN': '顾客地址与本店地址相同：退款必须转给顾客。' },
  'return.not-found': { en: 'No return {returnId}.', 'zh-CN': '没有退货 {returnId}。' },
  'return.not-awaiting': { en: 'Return {number} is {status}: it can no longer be cancelled.', 'zh-CN': '退货 {number} 已{status}，不能再取消。' },
  'return.amount-too-small': { en: 'The refund rounds to zero token units.', 'zh-CN': '退款金额折算后为零个代币单位。' },
  // ---- staff and roles ----
  'staff.signed-out': { en: 'The till is locked: sign in with your PIN first.', 'zh-CN': '收银台已锁定：请先用密码登录。' },
  'staff.not-permitted': { en: '{name} may not do that ({action}): ask a manager or the owner.', 'zh-CN': '{name} 无权执行此操作（{action}）：请找经理或店主。' },
  'staff.pin-length': { en: 'A {role} PIN is {min} to 8 digits.', 'zh-CN': '{role} 的密码须为 {min} 至 8 位数字。' },
  'staff.pin-taken': { en: 'That PIN is someone else\'s: choose another (a PIN alone says who signs in).', 'zh-CN': '该密码已被他人使用：请另选一个（仅凭密码识别登录者）。' },
  'staff.name-empty': { en: 'Give the person a name.', 'zh-CN': '请填写姓名。' },
  'staff.unknown': { en: 'No staff member {staffId}.', 'zh-CN': '没有员工 {staffId}。' },
  'staff.last-owner': { en: 'The last owner cannot be disabled: add another owner first.', 'zh-CN': '不能停用最后一位店主：请先添加另一位店主。' },
  // ---- catalog ----
  'catalog.bad-header': { en: 'The CSV header must name the columns {columns}; {missing} is missing.', 'zh-CN': 'CSV 表头须包含列 {columns}；缺少 {missing}。' },
  'catalog.row-columns': { en: 'The row has {found} fields; the header has {expected}.', 'zh-CN': '该行有 {found} 个字段，表头有 {expected} 个。' },
  'catalog.bad-sku': { en: 'SKU "{sku}" is not 1 to 40 letters, digits, dots, dashes or underscores.', 'zh-CN': 'SKU“{sku}”须为 1 至 40 个字母、数字、点、短横线或下划线。' },
  'catalog.duplicate-sku': { en: 'SKU {sku} is also on line {other}.', 'zh-CN': 'SKU {sku} 在第 {other} 行重复出现。' },
  'catalog.no-name': { en: 'The product has no name.', 'zh-CN': '商品没有名称。' },
  'catalog.bad-price': { en: 'Price "{price}" is not an amount in {currency} (such as {example}).', 'zh-CN': '价格“{price}”不是 {currency} 金额（例如 {example}）。' },
  'catalog.bad-tax': { en: 'Tax rate "{tax}" is not one of the store\'s rates ({rates}).', 'zh-CN': '税率“{tax}”不是本店的税率（{rates}）。' },
  'catalog.bad-pricing': { en: 'Sold by "{pricing}" is not unit or weight.', 'zh-CN': '销售方式“{pricing}”须为 unit 或 weight。' },
  'catalog.bad-plu': { en: 'PLU "{plu}" is not 4 to 6 digits.', 'zh-CN': 'PLU“{plu}”须为 4 至 6 位数字。' },
  'catalog.duplicate-plu': { en: 'PLU {plu} is also on line {other}.', 'zh-CN': 'PLU {plu} 在第 {other} 行重复出现。' },
  'catalog.plu-taken': { en: 'PLU {plu} belongs to product {owner}.', 'zh-CN': 'PLU {plu} 已属于商品 {owner}。' },
  'catalog.bad-barcode': { en: 'Barcode "{code}" is not a code this till can scan (8 to 14 digits, or 1 to 40 letters and digits), with an optional pack quantity as code*6.', 'zh-CN': '条码“{code}”无法识别（8 至 14 位数字或 1 至 40 个字母数字），可选包装数量写作 code*6。' },
  'catalog.duplicate-barcode': { en: 'Barcode {code} is also on line {other}.', 'zh-CN': '条码 {code} 在第 {other} 行重复出现。' },
  'catalog.barcode-taken': { en: 'Barcode {code} belongs to product {owner}.', 'zh-CN': '条码 {code} 已属于商品 {owner}。' },
  'catalog.has-bad-rows': { en: '{count} rows are not right: nothing was imported. Correct them, or import the good rows only.', 'zh-CN': '{count} 行有误：未导入任何内容。请更正，或只导入正确的行。' },
  // ---- payment settings ----
  'payset.bad-address': { en: '"{address}" is not an address: 0x and 40 hexadecimal characters.', 'zh-CN': '“{address}”不是地址：应为 0x 加 40 位十六进制字符。' },
  'payset.bad-checksum': { en: 'The address {address} has a wrong checksum: a character is mistyped. Copy it from your wallet again.', 'zh-CN': '地址 {address} 校验和错误：有字符输入有误。请从钱包重新复制。' },
  'payset.no-checksum': { en: 'Type the address as your wallet shows it, with its capitals ({checksummed}): without them a mistyped character cannot be caught.', 'zh-CN': '请按钱包显示的大小写输入地址（{checksummed}）：否则无法发现输错的字符。' },
  'payset.bad-xpub': { en: 'That is not an extended public key (xpub) this till can derive addresses from.', 'zh-CN': '这不是本收银台可派生地址的扩展公钥（xpub）。' },
  'payset.unknown-chain': { en: 'Chain {chainId} is not in the till\'s pinned registry.', 'zh-CN': '链 {chainId} 不在本收银台的固定注册表中。' },
  'payset.bad-url': { en: '"{url}" is not an http(s) or ws(s) URL.', 'zh-CN': '“{url}”不是 http(s) 或 ws(s) 地址。' },
  'payset.unreachable': { en: '{url} did not answer: {reason}', 'zh-CN': '{url} 无响应：{reason}' },
  'payset.wrong-chain': { en: '{url} serves chain {actual}, not chain {expected}.', 'zh-CN': '{url} 提供的是链 {actual}，不是链 {expected}。' },
  'payset.no-head': { en: '{url} has no latest block.', 'zh-CN': '{url} 没有最新区块。' },
  'payset.stale-head': { en: '{url} is behind: its latest block {head} is {seconds} seconds old.', 'zh-CN': '{url} 落后：其最新区块 {head} 已是 {seconds} 秒前。' },
  'payset.no-token': { en: '{symbol} is not pinned for chain {chainId}.', 'zh-CN': '链 {chainId} 未固定 {symbol}。' },
  'payset.token-mismatch': { en: 'The {symbol} contract {address} is not the pinned token: {reason}', 'zh-CN': '{symbol} 合约 {address} 不是固定的代币：{reason}' },
  'payset.invalid': { en: 'The payment settings are not valid: {reason}', 'zh-CN': '支付设置无效：{reason}' },
  // ---- the closed day's screens (back office) ----
  'day.export-unavailable': { en: 'Exports of a closed day are not built into this till yet: the Z report is on screen and printable.', 'zh-CN': '此收银台尚未内置已结日的导出：Z 报表可在屏幕上查看和打印。' },
  'day.no-chain': { en: 'No blockchain is set up for stablecoin payments on this till: there is nothing to reconcile.', 'zh-CN': '此收银台未设置稳定币支付的区块链：没有可对账的内容。' },
  'day.no-z': { en: 'There is no Z number {zNumber} on this till.', 'zh-CN': '此收银台没有 Z 号 {zNumber}。' },
  'day.reconcile-running': { en: 'Reconciliation {runId} is already running.', 'zh-CN': '对账 {runId} 正在进行中。' },
  // ---- trust ([E] points 4 and 5) ----
  'integrity.close-refused': {
    en: 'The ledger failed its integrity check at start (first bad entry {seq}: {reason}). A manager must review it in Settings before the day can close.',
    'zh-CN': '账本在启动时未通过完整性检查（第一个异常条目 {seq}：{reason}）。经理须先在“设置”中核查，才能结束营业日。'
  },
  'integrity.nothing-to-acknowledge': { en: 'The ledger passed its integrity check: there is nothing to acknowledge.', 'zh-CN': '账本已通过完整性检查，无需确认。' },
  'limits.cash-received': { en: 'Cash received of {receivedMinor:money} is more than this till accepts in one sale ({maxMinor:money}). Check the amount typed.', 'zh-CN': '收到现金 {receivedMinor:money} 超过本收银台单笔上限（{maxMinor:money}）。请检查输入的金额。' },
  'limits.quantity': { en: 'A quantity of {quantity} is more than this till accepts on one line ({max}).', 'zh-CN': '数量 {quantity} 超过本收银台单行上限（{max}）。' },
  'limits.price': { en: '{name} costs {amountMinor:money} on this line, more than this till accepts ({maxMinor:money}).', 'zh-CN': '{name} 在此行金额为 {amountMinor:money}，超过本收银台上限（{maxMinor:money}）。' },
  'link.too-large': { en: 'That request was too large for this window to send to the till (a file over the size limit?): nothing was changed.', 'zh-CN': '该请求过大，此窗口无法发送给收银台（文件超过大小上限？）：未做任何更改。' },
  // ---- the day's wiring: selling inside an open day ----
  'shift.day-not-open': {
    en: 'Open the day before selling: a manager opens it with the opening float in the back office (Day close).',
    'zh-CN': '请先开始营业日再销售：由经理在后台“日结”中输入开班备用金开始营业。'
  },
  // ---- the first-run set-up and the store's settings ([S] points 1 and 4) ----
  'setup.pending': { en: 'This till is not set up yet: finish the set-up in the back office first. This page opens the store by itself once the set-up is finished.', 'zh-CN': '此收银台尚未设置：请先在后台完成设置。设置完成后，本页面会自动打开门店。' },
  'setup.done': { en: 'This till is set up already: change its settings in the back office.', 'zh-CN': '此收银台已完成设置：请在后台修改设置。' },
  'setup.busy': { en: 'The set-up is being saved already: wait a moment.', 'zh-CN': '设置正在保存中：请稍候。' },
  'setup.demo-unavailable': { en: 'The demo store cannot start on this till (no demo chain or catalog here).', 'zh-CN': '此收银台无法启动演示门店（没有演示链或商品目录）。' },
  'setup.store-name': { en: 'Give the store a name (as the receipt prints it).', 'zh-CN': '请填写门店名称（打印在小票上）。' },
  'setup.till-id': { en: 'The till number "{tillId}" may have capital letters, digits and - only, at most 12 (for example T1).', 'zh-CN': '收银台编号“{tillId}”只能含大写字母、数字和 -，最多 12 位（例如 T1）。' },
  'setup.tax-rate-none': { en: 'Give at least one tax rate (a 0 % rate is a rate too).', 'zh-CN': '请至少填写一个税率（0% 也是税率）。' },
  'setup.tax-rate-name': { en: 'Tax rate {position} needs a name.', 'zh-CN': '第 {position} 个税率需要名称。' },
  'setup.tax-rate-value': { en: 'Tax rate {name}: "{percent}" is not a percentage from 0 to 100 with at most 4 decimals (for example 8.875).', 'zh-CN': '税率 {name}：“{percent}”不是 0 到 100 之间、最多 4 位小数的百分比（例如 8.875）。' },
  'setup.tax-rate-duplicate': { en: 'Two tax rates are called {name}: give each its own name.', 'zh-CN': '有两个税率都叫 {name}：请分别命名。' },
  'setup.tax-rate-in-use': { en: 'Tax rate {name} is on {products} products: move them to another rate before removing it.', 'zh-CN': '税率 {name} 用于 {products} 个商品：请先将这些商品改用其他税率，再删除它。' },
  'settings.limit-cash': { en: '"{value}" is not a limit for cash received: a positive amount in the store currency, for example 5000.00.', 'zh-CN': '“{value}”不是有效的收款现金上限：应为以本店货币计的正数金额，例如 5000.00。' },
  'settings.limit-line': { en: '"{value}" is not a limit for one line\'s amount: a positive amount in the store currency, for example 10000.00.', 'zh-CN': '“{value}”不是有效的单行金额上限：应为以本店货币计的正数金额，例如 10000.00。' },
  'settings.limit-quantity': { en: '"{value}" is not a limit for units on one line: a whole number from 1 to 9999.', 'zh-CN': '“{value}”不是有效的单行数量上限：应为 1 到 9999 的整数。' },
  'setup.card-fee': { en: '"{percent}" is not a card fee: a percentage from 0 to 100, for example 2.9.', 'zh-CN': '“{percent}”不是有效的刷卡手续费：应为 0 到 100 的百分比，例如 2.9。' },
  'setup.confirmations': { en: '"{typed}" is not a number of confirmations: a whole number of blocks from 1 to 10000 (leave it empty for the default, {count}).', 'zh-CN': '“{typed}”不是有效的确认数：应为 1 到 10000 的整数区块数（留空则用默认值 {count}）。' },
  'setup.peg-needs-usd': { en: 'The peg (1 token = 1 US dollar) suits a USD store only; this store sells in {currency}: choose a manual rate or an HTTP source.', 'zh-CN': '锚定汇率（1 代币 = 1 美元）只适用于美元门店；本店以 {currency} 销售：请选择手动汇率或 HTTP 来源。' },
  'setup.rate-url': { en: '"{url}" is not an http(s) address for the rate source.', 'zh-CN': '“{url}”不是汇率来源的 http(s) 地址。' },
  'setup.rate-path': { en: '"{path}" is not a JSON path such as rates.EUR.', 'zh-CN': '“{path}”不是形如 rates.EUR 的 JSON 路径。' },
  'setup.rate-max-age': { en: '"{typed}" is not a maximum age: 10 to 86400 seconds.', 'zh-CN': '“{typed}”不是有效的最长有效期：应为 10 到 86400 秒。' },
  'setup.printer-host': { en: '"{host}" is not a printer address: give its host name or IP address (for example 192.168.1.50), without http://.', 'zh-CN': '“{host}”不是打印机地址：请填写主机名或 IP 地址（例如 192.168.1.50），不要加 http://。' },
  'setup.printer-port': { en: '"{port}" is not a port: 1 to 65535 (receipt printers listen on 9100).', 'zh-CN': '“{port}”不是有效端口：应为 1 到 65535（小票打印机通常为 9100）。' },
  'setup.printer-path': { en: '"{path}" is not a device file: give its full path, for example /dev/usb/lp0.', 'zh-CN': '“{path}”不是设备文件：请填写完整路径，例如 /dev/usb/lp0。' },
  'setup.test-print-failed': { en: 'The test page did not reach {printer}: {reason}', 'zh-CN': '测试页未送达 {printer}：{reason}' },
  'setup.no-owner': { en: 'Name the owner: a store needs an owner to manage its staff and payment settings.', 'zh-CN': '请填写店主：门店需要一位店主来管理员工和支付设置。' },
  // ---- payments on several chains (issue [S] point 1: one row per chain, a list of RPC URLs each) ----
  'setup.no-chain': { en: 'Add at least one chain to take stablecoins on (or untick "Take stablecoin payments" for a cash-only shop).', 'zh-CN': '请至少添加一条收取稳定币的链（或取消勾选“接受稳定币付款”，作为仅收现金的门店）。' },
  'setup.chain-twice': { en: '{chain} is listed twice: a chain appears once, with all its RPC URLs.', 'zh-CN': '{chain} 出现了两次：每条链只列一次，其所有 RPC URL 写在同一行。' },
  'setup.chain-no-token': { en: 'Tick at least one token to take on {chain}.', 'zh-CN': '请为 {chain} 至少勾选一种代币。' },
  'setup.chain-no-url': { en: 'Give {chain} at least one RPC URL.', 'zh-CN': '请为 {chain} 至少填写一个 RPC URL。' },
  'setup.chain-bad-url': { en: 'RPC URL {position} for {chain}, "{url}", is not an http(s) or ws(s) URL.', 'zh-CN': '{chain} 的 RPC URL {position}（“{url}”）不是 http(s) 或 ws(s) 地址。' },
  'setup.url-twice': { en: 'RPC URL {position} for {chain} is the same as URL {first}: remove one of them.', 'zh-CN': '{chain} 的 RPC URL {position} 与 URL {first} 相同：请删除其中一个。' },
  // ---- the day close's refusals a manager meets (they reached a zh-CN back office in English) ----
  'shift.sale-open': { en: 'Sale {saleNumber} is still open: complete or void it before closing the day.', 'zh-CN': '交易 {saleNumber} 仍未结束：结账前请先完成或作废该交易。' },
  'shift.drawer-short': { en: 'The drawer should hold only {expectedMinor:money}: {amountMinor:money} cannot come out.', 'zh-CN': '钱箱中应只有 {expectedMinor:money}：无法取出 {amountMinor:money}。' }
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
