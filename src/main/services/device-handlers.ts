// The devices' calls: receipt printer and its queue, the cash drawer (no sale), HID scanners. (The journal check,
// 'ledger:verify', is the integrity service's: integrity-handlers.ts.)
import type { ApprovalService } from './approvals'
import type { HandlerPart } from './handler-part'
import type { ReceiptService } from './receipts'
import type { ScannerSettingsService } from './scanners'

export interface DeviceHandlerDeps {
  readonly receipts: ReceiptService
  readonly scanners: ScannerSettingsService
  readonly approvals: ApprovalService
}

type DeviceCalls = 'drawer:no-sale' | 'printer:state' | 'printer:retry' | 'printer:reprint' | 'printer:preview' | 'scanners:list' | 'scanners:select'

export function deviceHandlers({ receipts, scanners, approvals }: DeviceHandlerDeps): HandlerPart<DeviceCalls> {
  return {
    'drawer:no-sale': ({ pin }) => receipts.noSale(approvals.approve(pin, 'drawer.no-sale', null).id),
    'printer:state': () => receipts.state(),
    'printer:retry': ({ jobId }) => receipts.retry(jobId),
    'printer:reprint': ({ saleId }) => receipts.reprint(saleId),
    'printer:preview': ({ jobId }) => receipts.preview(jobId),
    'scanners:list': () => scanners.list(),
    'scanners:select': ({ selections }) => scanners.select(selections)
  }
}
