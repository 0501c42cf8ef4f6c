// Pure guards shared by the UI, the api layer and the services, so a button is disabled for the same reason
// a service refuses the action.
import type { SaleView } from '../api/views'

export function canEditLines(sale: Pick<SaleView, 'status' | 'tenders'> | null): boolean {
  return sale !== null && sale.status === 'open' && sale.tenders.length === 0
}

export function canTender(sale: Pick<SaleView, 'status' | 'lines' | 'dueMinor'> | null): boolean {
  return sale !== null && sale.status === 'open' && sale.lines.some((l) => !l.voided) && sale.dueMinor > 0
}

export function canComplete(sale: Pick<SaleView, 'status' | 'lines' | 'dueMinor'> | null): boolean {
  return sale !== null && sale.status === 'open' && sale.lines.some((l) => !l.voided) && sale.dueMinor === 0
}
