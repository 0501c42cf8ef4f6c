// HID scanners through node-hid, for both hosts. A till without them still sells (wedge scanners and typing).
import { loadNodeHidBackend, ScannerManager } from './scanner-manager'

export async function startScanners(log: (message: string) => void = console.warn): Promise<ScannerManager | null> {
  try {
    const manager = new ScannerManager({ backend: await loadNodeHidBackend() })
    manager.start()
    return manager
  } catch (e) {
    log(`HID scanners unavailable: ${e instanceof Error ? e.message : String(e)}`)
    return null
  }
}
