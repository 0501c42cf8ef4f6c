// The customer display's payment states, large and unmistakable, at a 7" customer screen (800x480) and at full HD
// (1920x1080): each state is screenshotted into test-results/screenshots/ and checked to fit (nothing outside the
// viewport). Payment views are pushed through the harness as 'payment:changed' events, as the payment service
// would push them; the Paid-with-change state comes from a real cash tender.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { PaymentView } from '../../src/shared/payment/view'
import type { ChainHealthView } from '../../src/shared/payment/health'
import { buildPaymentUri } from '../../src/shared/payment/eip681'
import { chainHealth, MERCHANT, paymentView, TOKEN } from '../fixtures/payment-view'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'

const COLA = '5901234123013'
const SIZES = [
  { name: '800x480', width: 800, height: 480 },
  { name: '1920x1080', width: 1920, height: 1080 }
] as const

let rig: BrowserRig
const pages: Page[] = []

function view(over: Partial<PaymentView>): PaymentView {
  return paymentView({ saleId: rig.app.sales.current()?.id ?? 'T1-000001', ...over })
}

function health(status: ChainHealthView['status']): ChainHealthView[] {
  return [chainHealth(status)]
}

/** Elements that stick out of the viewport (cut off for the customer), by their text. */
type Box = { left: number; top: number; right: number; bottom: number; width: number; height: number }
type PageGlobals = { innerWidth: number; innerHeight: number; document: { querySelectorAll(selector: string): Iterable<{ tagName: string; textContent: string | null; getBoundingClientRect(): Box }> } }

async function cutOff(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals
    const out: string[] = []
    for (const el of g.document.querySelectorAll('main *')) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      if (r.left < -1 || r.top < -1 || r.right > g.innerWidth + 1 || r.bottom > g.innerHeight + 1) out.push(`${el.tagName} ${(el.textContent ?? '').slice(0, 40)}`)
    }
    return out
  })
}

async function shoot(state: string, check: (page: Page) => Promise<void>): Promise<void> {
  for (const [i, size] of SIZES.entries()) {
    const page = pages[i]!
    await check(page)
    expect(await cutOff(page), `${state} at ${size.name}`).toEqual([])
    await page.screenshot({ path: join(SCREENSHOT_DIR, `display-${state}-${size.name}.png`) })
  }
}

const status = (page: Page) => page.getByRole('status', { name: 'Payment status' }).textContent()

describe('customer display states at 800x480 and 1920x1080', () => {
  beforeAll(async () => {
    rig = await startBrowserRig()
    for (const size of SIZES) {
      const context = await rig.browser.newContext({ viewport: { width: size.width, height: size.height }, locale: 'en-US' })
      const page = await context.newPage()
      await page.goto(rig.harness.urls.display)
      await page.locator('body[data-ready="true"]').waitFor()
      pages.push(page)
    }
    rig.app.sales.scan(COLA, 'wedge')
    rig.app.sales.scan(COLA, 'wedge')
    rig.app.sales.scan('6901234567014', 'wedge')
  })
  afterAll(async () => {
    await rig?.close()
  })

  it('New: the QR, the exact amount it encodes, the network and the countdown', async () => {
    rig.app.events.emit('payment:changed', view({}))
    await shoot('new', async (page) => {
      await page.getByRole('img', { name: 'Payment QR code' }).waitFor()
      await expect.poll(() => page.getByRole('status', { name: 'Amount due' }).textContent()).toBe('4.190009 USDC')
      expect(await page.getByRole('status', { name: 'Network' }).textContent()).toBe('Demo chain (local)')
      expect(await status(page)).toBe('New')
      expect(await page.locator('.cart-total-label').textContent()).toBe('Amount due')
    })
  })

  it('Partially paid: its own QR for the rest, showing exactly the amount that QR asks for', async () => {
    const topUpUri = buildPaymentUri({ tokenAddress: TOKEN, chainId: 31337, to: MERCHANT, amount: 2_190_009n })
    rig.app.events.emit('payment:changed', view({ status: 'New', exception: 'PaidPartial', amountPaid: '2000000', amountRemaining: '2190000', topUpUri }))
    await shoot('partial', async (page) => {
      // The QR asks for 2.190009 (the rest plus the request's tag): the figure beside it is that, not 2.190000.
      await expect.poll(() => page.getByRole('status', { name: 'Amount due' }).textContent()).toBe('2.190009 USDC')
      await expect.poll(() => page.getByRole('img', { name: 'Payment QR code' }).count()).toBe(1)
      expect(await status(page)).toBe('Partially paid')
      expect(await page.locator('.partial-banner').textContent()).toBe('Partially paid: 2.000000 USDC received')
      // The fiat figure beside the cart is the sale's total: calling it "Amount due" would ask for it all again.
      expect(await page.locator('.cart-total-label').textContent()).toBe('Sale total')
    })
  })

  it('Checking the network… while the request’s chain is down, with the QR still there to pay', async () => {
    rig.app.events.emit('payment:changed', view({}))
    rig.app.events.emit('chain:health-changed', health('down'))
    await shoot('checking', async (page) => {
      await expect.poll(() => page.locator('.checking-banner').textContent()).toBe('Checking the network…')
      await expect.poll(() => page.getByRole('img', { name: 'Payment QR code' }).count()).toBe(1)
    })
    rig.app.events.emit('chain:health-changed', health('up'))
  })

  it('Paid: full screen and green', async () => {
    rig.app.events.emit('payment:changed', view({ status: 'Paid', amountPaid: '4190009', amountRemaining: '0', confirmations: 2 }))
    await shoot('paid', async (page) => {
      await expect.poll(() => status(page)).toBe('Paid')
      expect(await page.locator('main.outcome-paid').count()).toBe(1)
    })
  })

  it('Overpaid: says what staff will refund', async () => {
    rig.app.events.emit('payment:changed', view({ status: 'Paid', exception: 'PaidOver', amountPaid: '5190009', amountRemaining: '0', refundDue: '1000000' }))
    await shoot('overpaid', async (page) => {
      await expect.poll(() => status(page)).toBe('Overpaid')
      expect(await page.locator('.outcome-line').textContent()).toBe('Staff will refund 1.000000 USDC to you.')
    })
  })

  it('Expired', async () => {
    rig.app.events.emit('payment:changed', view({ status: 'Expired', expiresAt: Date.now() - 1000 }))
    await shoot('expired', async (page) => {
      await expect.poll(() => status(page)).toBe('Expired')
      expect(await page.locator('.outcome-line').textContent()).toMatch(/ask the cashier for a new one/)
    })
  })

  it('Reversed by the network after Paid, and an unknown state is shown as given', async () => {
    rig.app.events.emit('payment:changed', view({ status: 'Paid', exception: 'Reversed' as PaymentView['exception'], amountPaid: '4190009' }))
    await shoot('reversed', async (page) => {
      await expect.poll(() => status(page)).toBe('Reversed')
      expect(await page.locator('.outcome-line').textContent()).toMatch(/ask the cashier for another payment/)
    })
    rig.app.events.emit('payment:changed', view({ status: 'Refunding' as PaymentView['status'] }))
    await expect.poll(() => status(pages[0]!)).toBe('Refunding')
  })

  it('Paid in cash: full screen with the change due, kept after the sale completes', async () => {
    rig.app.events.emit('payment:changed', null)
    rig.app.sales.tenderCash(2000)
    const change = rig.app.sales.current()!.changeMinor
    rig.app.sales.complete()
    await shoot('paid-cash', async (page) => {
      await expect.poll(() => page.locator('.outcome-line').first().textContent()).toBe(`Your change: $${(change / 100).toFixed(2)}`)
      expect(await status(page)).toBe('Paid')
    })
  })
})
