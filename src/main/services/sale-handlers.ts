// The sale's calls: scanning and look-up, lines, cash tenders and their return, completing and voiding.
import { parseDecimalUnits } from '../../shared/money'
import { refuse } from '../../shared/result'
import type { ApprovalService } from './approvals'
import type { CatalogService } from './catalog'
import type { HandlerPart } from './handler-part'
import type { SaleService } from './sale'
import type { WedgeEcho } from './wedge-echo'

export interface SaleHandlerDeps {
  readonly sales: SaleService
  readonly catalog: CatalogService
  readonly approvals: ApprovalService
  readonly echo: WedgeEcho
}

type SaleCalls =
  | 'sale:current'
  | 'sale:scan'
  | 'sale:set-quantity'
  | 'sale:change-quantity'
  | 'sale:add-product'
  | 'sale:void-line'
  | 'sale:discount-line'
  | 'sale:tender-cash'
  | 'sale:remove-tender'
  | 'sale:complete'
  | 'sale:void'
  | 'sale:get'
  | 'sales:list'
  | 'catalog:search'

export function saleHandlers({ sales, catalog, approvals, echo }: SaleHandlerDeps): HandlerPart<SaleCalls> {
  return {
    'sale:current': () => sales.current(),
    'sale:scan': ({ code, source, quantity, reply }) => {
      if (source === 'wedge' && echo.isEcho(code)) {
        const open = sales.current()
        if (open) return open
      }
      // 'line': the window has this change already as 'sale:line-changed'; the answer confirms it in a few hundred
      // bytes instead of the whole sale (64 KB at 200 lines) being encoded, sent and parsed a second time.
      return reply === 'line' ? sales.scanLine(code, source, quantity) : sales.scan(code, source, quantity)
    },
    'sale:set-quantity': ({ lineId, quantity }) => sales.setQuantity(lineId, quantity),
    'sale:change-quantity': ({ lineId, delta, reply }) => (reply === 'line' ? sales.changeQuantityLine(lineId, delta) : sales.changeQuantity(lineId, delta)),
    'sale:add-product': ({ productId, quantity, weightGrams }) => sales.addProduct(productId, quantity, weightGrams),
    'sale:void-line': ({ lineId }) => sales.voidLine(lineId),
    'sale:discount-line': ({ lineId, percent, pin }) => {
      // percent with 4 decimals is exactly parts per million (1 % = 10,000 ppm).
      const ppm = parseDecimalUnits(percent, 4)
      if (ppm === null || ppm > 1_000_000n) throw refuse('invalid-input', 'sale.discount-range', { percent })
      return sales.discountLine(lineId, Number(ppm), approvals.approve(pin, 'sale.discount', lineId).id)
    },
    'sale:tender-cash': ({ receivedMinor, confirmPartial }) => sales.tenderCash(receivedMinor, confirmPartial),
    'sale:remove-tender': ({ tenderId, pin }) => sales.returnTender(tenderId, approvals.approve(pin, 'sale.return-tender', tenderId).id),
    'sale:complete': () => sales.complete(),
    'sale:void': ({ pin, reason }) => {
      const open = sales.current()
      if (!open) throw refuse('no-open-sale', 'sale.none-open')
      return sales.voidSale(approvals.approve(pin, 'sale.void', open.id).id, reason)
    },
    'sale:get': ({ saleId }) => sales.get(saleId),
    'sales:list': ({ limit }) => sales.list(limit),
    'catalog:search': ({ query, limit }) => catalog.search(query, limit)
  }
}
