// Where each window goes, from the store's "which display is the customer's" setting ([S] point 1, devices).
// Pure (no electron import) so it is unit-tested; windows/create.ts feeds it Electron's screen.
import type { WindowRole } from '../../shared/api/channels'

export type CustomerDisplay = 'second-screen' | 'same-screen' | 'none'

export interface Screen {
  readonly id: number
  readonly bounds: { readonly x: number; readonly y: number; readonly width: number; readonly height: number }
  readonly workArea: { readonly width: number; readonly height: number }
}

export interface Placement {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
  readonly fullscreen: boolean
}

/**
 * null: the window is not opened (no customer display). 'second-screen' puts the display full screen on the first
 * monitor that is not the primary one, and on the primary (windowed) when there is only one; 'same-screen' keeps it
 * windowed on the primary monitor, beside the cashier (a pole display or a till with one screen turned round).
 */
export function placeWindow(role: WindowRole, setting: CustomerDisplay, screens: readonly Screen[], primary: Screen): Placement | null {
  if (role === 'display' && setting === 'none') return null
  const target = role === 'display' && setting === 'second-screen' ? (screens.find((d) => d.id !== primary.id) ?? primary) : primary
  const second = target.id !== primary.id
  return {
    x: target.bounds.x + 20,
    y: target.bounds.y + 20,
    width: role === 'display' ? Math.min(1280, target.workArea.width) : 1280,
    height: 800,
    fullscreen: role === 'display' && second
  }
}
