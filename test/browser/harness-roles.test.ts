// A forged call from the customer display page, in Chromium through the harness: script running in the display
// page (as injected content would) has the display's token and nothing else, and the token is the role.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startBrowserRig, type BrowserRig } from '../fixtures/browser'

const COLA = '5901234123013'
let rig: BrowserRig
let display: Page

beforeAll(async () => {
  rig = await startBrowserRig()
  display = await rig.context.newPage()
  await display.goto(rig.harness.urls.display)
}, 60_000)
afterAll(async () => {
  await rig?.close()
})

/** Runs in the display page: opens a socket with the page's own token, claiming `claimed`, and makes one call. */
function forge(page: Page, claimed: string | null, call: string, input: unknown): Promise<{ opened: boolean; result?: { ok: boolean; error?: { code: string } } }> {
  return page.evaluate(
    ({ claimed, call, input }) =>
      new Promise((done) => {
        // Runs in the page: its location (the node-side types have no DOM).
        const here = (globalThis as unknown as { location: { search: string; host: string } }).location
        const token = new URLSearchParams(here.search).get('token') ?? ''
        const ws = new WebSocket(`ws://${here.host}/api?${claimed === null ? '' : `window=${claimed}&`}token=${encodeURIComponent(token)}`)
        let opened = false
        ws.onopen = () => {
          opened = true
          ws.send(JSON.stringify({ id: 7, call, input }))
        }
        ws.onmessage = (message) => {
          const data = JSON.parse(String(message.data)) as { id?: number; result?: unknown }
          if (data.id === 7) {
            ws.close()
            done({ opened, result: data.result as { ok: boolean } })
          }
        }
        ws.onclose = () => done({ opened })
      }),
    { claimed, call, input }
  )
}

describe('the display page cannot act as the cashier', () => {
  it('refuses a socket from the display page that claims the cashier window', async () => {
    expect(await forge(display, 'cashier', 'sale:scan', { code: COLA, source: 'manual' })).toEqual({ opened: false })
    expect(await forge(display, 'backoffice', 'ledger:verify', {})).toEqual({ opened: false })
    expect(rig.app.sales.current()).toBeNull()
  })

  it("refuses a cashier call on the display's own socket, with or without window=", async () => {
    for (const claimed of ['display', null]) {
      const forged = await forge(display, claimed, 'sale:scan', { code: COLA, source: 'manual' })
      expect(forged).toEqual({ opened: true, result: { ok: false, error: { code: 'forbidden', message: 'The display window may not call sale:scan.' } } })
    }
    // The display's own calls still work, and nothing was sold.
    expect(await forge(display, 'display', 'store:info', {})).toMatchObject({ opened: true, result: { ok: true } })
    expect(rig.app.sales.current()).toBeNull()
  })
})
