import { describe, expect, it } from 'vitest'
import { placeWindow, type Screen } from '../../src/main/windows/placement'

const primary: Screen = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { width: 1920, height: 1040 } }
const pole: Screen = { id: 2, bounds: { x: 1920, y: 0, width: 1024, height: 600 }, workArea: { width: 1024, height: 600 } }

describe("the customer display's placement (store setting)", () => {
  it('second-screen: full screen on the monitor that is not the primary; windowed on the primary when alone', () => {
    expect(placeWindow('display', 'second-screen', [primary, pole], primary)).toMatchObject({ x: 1940, width: 1024, fullscreen: true })
    expect(placeWindow('display', 'second-screen', [primary], primary)).toMatchObject({ x: 20, fullscreen: false })
  })
  it('same-screen keeps it windowed on the primary even with a second monitor; none opens no display window', () => {
    expect(placeWindow('display', 'same-screen', [primary, pole], primary)).toMatchObject({ x: 20, fullscreen: false })
    expect(placeWindow('display', 'none', [primary, pole], primary)).toBeNull()
  })
  it('the cashier and back office always open on the primary monitor, whatever the setting', () => {
    for (const role of ['cashier', 'backoffice'] as const) expect(placeWindow(role, 'none', [primary, pole], primary)).toMatchObject({ x: 20, width: 1280, fullscreen: false })
  })
})
