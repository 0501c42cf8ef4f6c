// HID scanner settings: which devices the till reads (saved in the ledger's settings) and their live status.
import { z } from 'zod'
import { scannerSelectionSchema } from '../../shared/api/contract'
import type { ScannerDeviceView } from '../../shared/api/views'
import { TillError } from '../../shared/result'
import { deviceKeyOf, type ScannerManager } from '../devices/scanner/scanner-manager'
import type { EventBus } from '../events'
import type { Db } from '../ledger/db'
import { readSetting, writeSetting } from '../ledger/settings'

export type ScannerSelectionSetting = z.infer<typeof scannerSelectionSchema>

const KEY = 'scanners' as const

export class ScannerSettingsService {
  constructor(
    private readonly db: Db,
    private readonly events: EventBus,
    private readonly manager: ScannerManager | null
  ) {
    if (manager) {
      manager.setSelections(this.selections())
      manager.on('status', (status) => events.emit('scanner:status', { deviceKey: status.deviceKey, state: status.state, error: status.error ?? null }))
    }
  }

  selections(): ScannerSelectionSetting[] {
    return readSetting(this.db, KEY, z.array(scannerSelectionSchema)) ?? []
  }

  /** Devices present now, plus saved selections that are unplugged at the moment (so saving keeps them). */
  list(): ScannerDeviceView[] {
    if (!this.manager) return []
    const present: ScannerDeviceView[] = this.manager.listDevices().map((d) => ({
      deviceKey: d.deviceKey,
      vendorId: d.vendorId,
      productId: d.productId,
      serialNumber: d.serialNumber ?? null,
      product: d.product ?? null,
      manufacturer: d.manufacturer ?? null,
      suggestedMode: d.suggestedMode,
      selected: d.selected,
      connected: d.connected
    }))
    const absent: ScannerDeviceView[] = this.selections()
      .filter((sel) => !present.some((d) => d.vendorId === sel.vendorId && d.productId === sel.productId && (sel.serialNumber === undefined || d.serialNumber === sel.serialNumber)))
      .map((sel) => ({
        deviceKey: deviceKeyOf(sel),
        vendorId: sel.vendorId,
        productId: sel.productId,
        serialNumber: sel.serialNumber ?? null,
        product: null,
        manufacturer: null,
        suggestedMode: sel.mode === 'auto' ? null : sel.mode,
        selected: true,
        connected: false
      }))
    return [...present, ...absent]
  }

  select(selections: readonly ScannerSelectionSetting[]): ScannerDeviceView[] {
    if (!this.manager) throw new TillError('unavailable', 'HID scanners cannot be used on this till (node-hid did not load); keyboard-wedge scanners still work.')
    const parsed = writeSetting(this.db, KEY, z.array(scannerSelectionSchema).max(8), [...selections])
    this.manager.setSelections(parsed)
    return this.list()
  }
}
