// A sale's receipt: plain data -> one ReceiptLine document -> ESC/POS bytes for the printer and an SVG preview
// for the screen. Both come from the same document, so what the cashier previews is what the paper says.
// receiptline does the layout, wrapping, code pages (ESC t n, FS & for GB18030) and raster QR (GS v 0); we add
// only what it lacks: native QR (GS ( k, see commands.ts), our own cut per profile, and no GS r at the end.
import receiptline from 'receiptline'
import type { ReturnView, SaleView } from '../../../shared/api/views'
import { formatMinorPlain, formatUnits, lineTax, type TaxMode, type TaxRounding } from '../../../shared/money'
import { cutCommand, qrNative, type QrLevel } from './commands'
import type { PrinterProfile } from './profiles'

export type ReceiptLocale = 'en' | 'zh-CN'

export interface ReceiptLine {
  readonly name: string
  /** Whole units (pieces, packs). 1 for a weighed line. */
  readonly quantity: number
  /** Set for weighed items; `unitPriceMinor` is then the price per kilogram. */
  readonly weightGrams?: number
  readonly unitPriceMinor: number
  /** Line amount before the line discount. */
  readonly amountMinor: number
  readonly discountMinor: number
}

export interface ReceiptTax {
  /** e.g. "VAT", "增值税". */
  readonly name: string
  /** Parts per million: 8.25 % = 82500. */
  readonly ratePpm: number
  readonly taxableMinor: number
  readonly taxMinor: number
}

export interface CashTender {
  readonly kind: 'cash'
  readonly amountMinor: number
  readonly receivedMinor: number
  readonly changeMinor: number
}

export interface StablecoinTender {
  readonly kind: 'stablecoin'
  /** What the payment settled, in store currency minor units. */
  readonly amountMinor: number
  readonly tokenSymbol: string
  /** Token amount as an exact decimal string, e.g. "12.340000" (formatUnits of the base units). */
  readonly tokenAmount: string
  readonly chainName: string
  /** Store currency per one token, exact decimal string, e.g. "0.9998". */
  readonly rate: string
  readonly rateSource: string
  readonly txHash: string
  readonly explorerTxUrl: string
}

export type ReceiptTender = CashTender | StablecoinTender

export interface ReceiptData {
  readonly store: {
    readonly name: string
    readonly headerLines: readonly string[]
    readonly footerLines: readonly string[]
    readonly taxId?: string
  }
  readonly locale: ReceiptLocale
  readonly saleId: string
  readonly saleNumber: number
  readonly tillId: string
  readonly cashier: string
  /** ms since the Unix epoch. */
  readonly closedAt: number
  /** IANA zone the store's clock shows, e.g. "Europe/Berlin". */
  readonly timeZone: string
  /** ISO 4217 code; amounts are minor units of it. */
  readonly currency: string
  readonly lines: readonly ReceiptLine[]
  readonly taxes: readonly ReceiptTax[]
  readonly subtotalMinor: number
  readonly discountMinor: number
  readonly taxMinor: number
  readonly totalMinor: number
  readonly taxMode: TaxMode
  /** How the sale's tax was rounded (money.ts); receipts from before the setting say nothing: per line. */
  readonly taxRounding?: TaxRounding
  readonly tenders: readonly ReceiptTender[]
  /** The journal hash of the sale's completion entry; the first 12 hex characters are printed. */
  readonly journalHash: string
  /** A reprint: prints a COPY / 副本 banner so it can never pass for a second original. */
  readonly copy: boolean
  /** The code a return scans to find this sale (shared/sale/receipt-code.ts), printed as a QR when given. */
  readonly receiptCode?: string
  /** A return's receipt: what went back, against which sale (issue [D] point 2). */
  readonly refund?: ReceiptRefund
}

export interface ReceiptRefund {
  readonly returnNumber: number
  readonly originalSaleNumber: number
  readonly method: 'cash' | 'stablecoin'
  /** Stablecoin: the basis the amount was set on, and the customer's address it went to. */
  readonly basis?: 'token' | 'fiat'
  readonly toAddress?: string
}

const LABELS = {
  en: {
    copy: 'COPY',
    taxId: 'Tax ID',
    sale: 'Sale',
    till: 'Till',
    cashier: 'Cashier',
    perKg: '/kg',
    discount: 'Discount',
    subtotal: 'Subtotal',
    taxIncluded: 'incl.',
    taxOn: 'on',
    taxPerLine: '(summed per line)',
    taxTotal: 'Tax',
    total: 'TOTAL',
    cash: 'Cash',
    received: 'Received',
    change: 'Change',
    paidIn: 'Paid in',
    on: 'on',
    rate: 'Rate',
    tx: 'Tx',
    scan: 'Scan to view the payment',
    journal: 'Journal',
    returnBanner: 'RETURN',
    returnOf: 'Return {return} of sale #{sale}',
    refunded: 'REFUNDED',
    cashRefunded: 'Cash refunded',
    sentIn: 'Sent',
    sentTo: 'To',
    basisToken: 'Basis: the original token amount',
    basisFiat: 'Basis: the amount at today\'s rate',
    scanRefund: 'Scan to view the refund',
    receiptCode: 'Keep for returns'
  },
  'zh-CN': {
    copy: '副本',
    taxId: '税号',
    sale: '单号',
    till: '收银台',
    cashier: '收银员',
    perKg: '/千克',
    discount: '折扣',
    subtotal: '小计',
    taxIncluded: '含',
    taxOn: '计税',
    taxPerLine: '（逐行合计）',
    taxTotal: '税额',
    total: '合计',
    cash: '现金',
    received: '实收',
    change: '找零',
    paidIn: '支付',
    on: '链',
    rate: '汇率',
    tx: '交易',
    scan: '扫码查看交易',
    journal: '日志',
    returnBanner: '退货',
    returnOf: '退货 {return}，原单号 #{sale}',
    refunded: '退款合计',
    cashRefunded: '现金退款',
    sentIn: '转出',
    sentTo: '收款地址',
    basisToken: '依据：原代币数量',
    basisFiat: '依据：今日汇率折算金额',
    scanRefund: '扫码查看退款交易',
    receiptCode: '退货时请出示'
  }
} as const satisfies Record<ReceiptLocale, Record<string, string>>

/**
 * Escapes free text for a ReceiptLine text column. \ | { } delimit columns and properties; _ " ` ^ toggle
 * underline, emphasis, invert and size; ~ is a space; a line of only - or = is a rule or a cut. Escaping them all
 * keeps a product called "Joe's_Best" from underlining half the receipt. Control characters are dropped.
 */
export function escapeText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/[\\|{}_"`^~=-]/g, (c) => `\\${c}`)
}

/** Escapes a property value ({code:…}): \ | { } and the property separator ;. */
export function escapeProperty(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\x00-\x1f\x7f]/g, '').replace(/[\\|{};]/g, (c) => `\\${c}`)
}

/** 82500 ppm -> "8.25": exact, from the integer. */
export function formatRatePercent(ratePpm: number): string {
  return formatUnits(BigInt(ratePpm), 4).replace(/\.?0+$/, '')
}

/** 250 g -> "0.250" kg, exact. */
export function formatKg(grams: number): string {
  return formatUnits(BigInt(grams), 3)
}

/** 0x1234…abcd. The ellipsis only where the code page has one (GB18030); cp437/cp858 get "..". */
export function shortHash(hash: string, ellipsis = '…'): string {
  return hash.length <= 12 ? hash : `${hash.slice(0, 6)}${ellipsis}${hash.slice(-4)}`
}

function formatLocalTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23'
  }).formatToParts(new Date(ms))
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`
}

/** Builds the ReceiptLine document for a sale. Pure: same data and profile, same document. */
export function receiptDocument(data: ReceiptData, profile: PrinterProfile): string {
  const t = LABELS[data.locale]
  const money = (minor: number): string => formatMinorPlain(minor, data.currency)
  // Amount column: "-123456.78" plus room; the date column fits "YYYY-MM-DD HH:MM".
  const amountWidth = profile.cpl >= 42 ? 14 : 11
  const ellipsis = profile.encoding === 'gb18030' ? '…' : '..'
  const out: string[] = []
  // `{width:…}` sets the column widths of the lines that follow (it prints nothing). Single-column lines must run
  // under `{width:*}`: under a two-column width receiptline pads them with an empty second column.
  const AMOUNTS = `{width:*,${amountWidth}}`
  const FULL = '{width:*}'
  let widths = ''
  const setWidths = (w: string): void => {
    if (w !== widths) out.push(w)
    widths = w
  }
  // Two columns: `|a | b|` = a left-aligned, b right-aligned (ReceiptLine aligns by the spaces around a column).
  // An indent is ~ (ReceiptLine's hard space): a real leading space would right- or centre-align the column.
  const row = (left: string, right: string, indent = false): void => {
    setWidths(AMOUNTS)
    out.push(`|${indent ? '~~' : ''}${escapeText(left)} | ${escapeText(right)}|`)
  }
  const note = (text: string, indent = true): void => {
    setWidths(FULL)
    out.push(`|${indent ? '~~' : ''}${escapeText(text)} |`)
  }
  // A line without | is centred.
  const centred = (markup: string): void => {
    setWidths(FULL)
    out.push(markup)
  }
  const rule = (): void => {
    setWidths(FULL)
    out.push('-')
  }
  // Inverted, double width and height: impossible to miss on a reprint.
  const copyBanner = (): void => centred(`^^^\`${escapeText(` ${t.copy} `)}\``)

  if (data.copy) copyBanner()
  // A return's receipt says so first, inverted: it must never pass for a sale's.
  if (data.refund) centred(`^^^\`${escapeText(` ${t.returnBanner} `)}\``)
  centred(`^^^"${escapeText(data.store.name)}"`)
  for (const line of data.store.headerLines) centred(escapeText(line))
  if (data.store.taxId) centred(escapeText(`${t.taxId}: ${data.store.taxId}`))
  rule()
  setWidths('{width:*,16}')
  out.push(`|${escapeText(`${t.sale} #${data.saleNumber}`)} | ${escapeText(formatLocalTime(data.closedAt, data.timeZone))}|`)
  note(`${t.till}: ${data.tillId}  ${t.cashier}: ${data.cashier}`, false)
  if (data.refund) note(t.returnOf.replace('{return}', String(data.refund.returnNumber)).replace('{sale}', String(data.refund.originalSaleNumber)), false)
  rule()

  for (const line of data.lines) {
    row(line.name, money(line.amountMinor))
    if (line.weightGrams !== undefined) {
      note(`${formatKg(line.weightGrams)} kg x ${money(line.unitPriceMinor)}${t.perKg}`)
    } else if (line.quantity !== 1) {
      note(`${line.quantity} x ${money(line.unitPriceMinor)}`)
    }
    if (line.discountMinor !== 0) row(t.discount, money(-line.discountMinor), true)
  }
  rule()
  row(t.subtotal, money(data.subtotalMinor))
  if (data.discountMinor !== 0) row(t.discount, money(-data.discountMinor))
  for (const tax of data.taxes) {
    const prefix = data.taxMode === 'inclusive' ? `${t.taxIncluded} ` : ''
    // A tax line prints its base only when base x rate gives the printed tax (money.ts): always so for a sale
    // rounded per rate on the total, and for a per-line sale whose line taxes happen to sum to it. Otherwise
    // "8.25% on 5.96 0.50" would print figures that disagree (5.96 x 8.25% = 0.49), so the line says how its tax
    // was summed instead of printing a base it does not follow from.
    // The base may be net (tax on it) or, in an inclusive store, the gross amount the tax is included in.
    const agrees = lineTax(tax.taxableMinor, tax.ratePpm, 'exclusive').taxMinor === tax.taxMinor || (data.taxMode === 'inclusive' && lineTax(tax.taxableMinor, tax.ratePpm, 'inclusive').taxMinor === tax.taxMinor)
    const rate = `${prefix}${tax.name} ${formatRatePercent(tax.ratePpm)}%`
    const label = agrees ? `${rate} ${t.taxOn} ${money(tax.taxableMinor)}` : data.taxRounding === 'per-rate-total' ? rate : `${rate} ${t.taxPerLine}`
    row(label, money(tax.taxMinor))
  }
  if (data.taxes.length > 1) row(t.taxTotal, money(data.taxMinor))
  // ^^ = double height only (GS ! 0x01), so the amount column keeps its width.
  setWidths(AMOUNTS)
  out.push(`|^^"${escapeText(`${data.refund ? t.refunded : t.total} ${data.currency}`)}" | ^^"${escapeText(money(data.totalMinor))}"|`)
  rule()

  for (const tender of data.tenders) {
    if (data.refund) {
      if (tender.kind === 'cash') {
        row(t.cashRefunded, money(tender.amountMinor))
      } else {
        row(`${tender.tokenSymbol} ${t.on} ${tender.chainName}`, money(tender.amountMinor))
        note(`${t.sentIn}: ${tender.tokenAmount} ${tender.tokenSymbol}`)
        if (data.refund.toAddress) note(`${t.sentTo}: ${shortHash(data.refund.toAddress, ellipsis)}`)
        note(data.refund.basis === 'token' ? t.basisToken : t.basisFiat)
        note(`${t.rate}: 1 ${tender.tokenSymbol} = ${tender.rate} ${data.currency} (${tender.rateSource})`)
        note(`${t.tx}: ${shortHash(tender.txHash, ellipsis)}`)
        centred(escapeText(t.scanRefund))
        out.push(`{code:${escapeProperty(tender.explorerTxUrl)}; option:qrcode,${profile.qrCell},m}`)
      }
      continue
    }
    if (tender.kind === 'cash') {
      row(t.cash, money(tender.amountMinor))
      row(t.received, money(tender.receivedMinor), true)
      row(t.change, money(tender.changeMinor), true)
    } else {
      row(`${tender.tokenSymbol} ${t.on} ${tender.chainName}`, money(tender.amountMinor))
      note(`${t.paidIn}: ${tender.tokenAmount} ${tender.tokenSymbol}`)
      note(`${t.rate}: 1 ${tender.tokenSymbol} = ${tender.rate} ${data.currency} (${tender.rateSource})`)
      note(`${t.tx}: ${shortHash(tender.txHash, ellipsis)}`)
      centred(escapeText(t.scan))
      // Level M: a receipt gets creased; 15 % recovery costs little at URL lengths.
      out.push(`{code:${escapeProperty(tender.explorerTxUrl)}; option:qrcode,${profile.qrCell},m}`)
    }
  }
  rule()
  for (const line of data.store.footerLines) centred(escapeText(line))
  if (data.receiptCode && !data.refund) {
    // What a return scans to find this sale (shared/sale/receipt-code.ts).
    centred(escapeText(t.receiptCode))
    out.push(`{code:${escapeProperty(data.receiptCode)}; option:qrcode,${profile.qrCell},m}`)
  }
  centred(escapeText(`${t.journal} ${data.journalHash.slice(0, 12)}`))
  if (data.copy) copyBanner()
  return out.join('\n') + '\n'
}

/**
 * A return's receipt from the refund sale's receipt data: marked as a return, against its original sale, with the
 * refund sale's figures as stored (the returned shares of the original lines' tax, never re-rounded), so the paper
 * says to the cent what the Z counts.
 */
export function returnReceiptData(base: ReceiptData, refundSale: SaleView, ret: ReturnView): ReceiptData {
  const byRate = new Map<string, ReceiptTax>()
  let net = 0
  let tax = 0
  for (const line of refundSale.lines) {
    if (line.voided) continue
    const kept = line.amountMinor - line.discountMinor
    const lineNet = refundSale.taxMode === 'inclusive' ? kept - line.taxMinor : kept
    const key = `${line.taxRateId}:${line.taxRatePpm}`
    const found = refundSale.taxes.find((t) => t.taxRateId === line.taxRateId)
    const acc = byRate.get(key) ?? { name: found?.name ?? line.taxRateId, ratePpm: line.taxRatePpm, taxableMinor: 0, taxMinor: 0 }
    byRate.set(key, { ...acc, taxableMinor: acc.taxableMinor + lineNet, taxMinor: acc.taxMinor + line.taxMinor })
    net += lineNet
    tax += line.taxMinor
  }
  return {
    ...base,
    taxes: [...byRate.values()],
    // Net of tax, as a sale's receipt prints it (computeSaleTotals' subtotal).
    subtotalMinor: net,
    taxMinor: tax,
    totalMinor: ret.amountMinor,
    receiptCode: undefined,
    refund: {
      returnNumber: ret.number,
      originalSaleNumber: ret.originalSaleNumber,
      method: ret.method,
      ...(ret.stablecoin ? { basis: ret.stablecoin.basis, toAddress: ret.stablecoin.toAddress } : {})
    }
  }
}

type RlPrinter = NonNullable<Parameters<typeof receiptline.transform>[1]>
type RlCommand = (typeof receiptline.commands)['escpos']

function commandSet(profile: PrinterProfile): RlCommand {
  const base = receiptline.commands[profile.receiptlineCommand]
  return {
    ...base,
    // receiptline's close() is cut + GS r 1 (transmit paper status). An unsolicited status byte would be read as
    // the reply to our next DLE EOT, so we end the job ourselves (cutCommand) and never send GS r.
    close: () => '',
    ...(profile.qr === 'native'
      ? {
          qrcode: (symbol: { data: string; cell: number; level: QrLevel }): string =>
            symbol.data.length === 0 ? '' : qrNative(symbol.data, symbol.cell, symbol.level).toString('binary')
        }
      : {})
  }
}

function printerOptions(profile: PrinterProfile): RlPrinter {
  return {
    cpl: profile.cpl,
    encoding: profile.encoding,
    // gradient:true dithers images (error diffusion); for codes and text it must be off or modules smear.
    gradient: false,
    cutting: false,
    spacing: false
  }
}

/**
 * ESC/POS bytes for a document: ESC @ (initialize) and the code page (ESC t n / FS &) come from receiptline,
 * QR as GS ( k (native profiles) or GS v 0 raster, then the profile's cut.
 */
export function encodeReceipt(doc: string, profile: PrinterProfile): Buffer {
  // receiptline returns a "binary" string: one char per byte.
  const body = receiptline.transform(doc, { ...printerOptions(profile), command: commandSet(profile) })
  return Buffer.concat([Buffer.from(body, 'binary'), cutCommand(profile.cut)])
}

/** The SVG preview of the same document at the profile's width. */
export function receiptPreviewSvg(doc: string, profile: PrinterProfile): string {
  return receiptline.transform(doc, { cpl: profile.cpl, encoding: profile.encoding, command: 'svg' })
}
