// The cashier's return flow in Chromium through the harness (issue [D] point 2): the receipt's code scanned at
// wedge speed lands in the Receipt code box (it is not sold), one line comes back, more than is left is refused
// in words, the cash refund needs the manager's PIN, and the drawer and the X count it. Screenshots saved.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { ShiftService } from '../../src/main/services/shift'
import { saleReceiptCode } from '../../src/shared/sale/receipt-code'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { typeAt } from '../fixtures/keyboard'
import { unnamedControls } from '../fixtures/a11y'

const COLA = '5901234123013' // 0.99 + 8.25 % = 1.07
const OJ = '4006381333016' // 3.49 + 2.25 % = 3.57

let rig: BrowserRig
let cashier: Page
let shift: ShiftService

async function approve(page: Page, pin: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Manager approval' })
  await dialog.getByLabel('Manager PIN').fill(pin)
  await dialog.getByRole('button', { name: 'Approve' }).click()
  await dialog.waitFor({ state: 'detached' })
}

describe('the return flow in Chromium', () => {
  beforeAll(async () => {
    rig = await startBrowserRig({ timeZone: 'UTC' })
    shift = new ShiftService({ db: rig.app.db, clock: rig.clock, store: rig.app.store })
    shift.open({ totalMinor: 10_000 }, 'M1')
    cashier = await rig.context.newPage()
    await cashier.goto(rig.harness.urls.cashier)
    await cashier.locator('body[data-ready="true"]').waitFor()
  })
  afterAll(async () => {
    await rig?.close()
  })

  it('finds the sale by a scanned receipt code, returns one line in cash with a PIN, and the drawer pays it out', async () => {
    rig.app.sales.scan(COLA, 'wedge')
    rig.app.sales.scan(OJ, 'wedge')
    rig.app.sales.tenderCash(1000)
    const sale = rig.app.sales.complete()
    const drawer = shift.current()!.expectedCashMinor

    await cashier.getByRole('button', { name: 'Return', exact: true }).click()
    const flow = cashier.getByRole('region', { name: 'Return sale' })
    await flow.waitFor()
    await expect.poll(() => cashier.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('receipt-code')
    // The scanner types the QR's text at wedge speed, Enter at the end: the sale is found, nothing is sold.
    await typeAt(cashier, `${saleReceiptCode(sale.id, sale.journalHash!)}\n`, 4)
    await flow.getByRole('heading', { name: new RegExp(`^Sale ${sale.number} `) }).waitFor()
    expect(rig.app.sales.current()).toBeNull()
    const lines = flow.getByRole('table', { name: 'Sale lines' })
    await expect.poll(() => lines.locator('tbody tr').count()).toBe(2)

    // More colas than were sold: refused in words, nothing to refund.
    const colaBox = flow.getByRole('spinbutton', { name: 'Return quantity for Cola 330 ml can' })
    await colaBox.fill('3')
    await colaBox.press('Tab')
    await expect.poll(() => cashier.getByRole('alert').textContent()).toMatch(/3 cannot come back, only 1 of 1 sold/)
    await colaBox.fill('1')
    await colaBox.press('Tab')
    const amount = flow.getByRole('status', { name: 'Refund amount' })
    await expect.poll(() => amount.textContent()).toBe('$1.07')

    // A wrong PIN refuses it and changes nothing; the right one refunds.
    await flow.getByRole('button', { name: 'Refund cash' }).click()
    await approve(cashier, '0000')
    await expect.poll(() => cashier.getByRole('alert').textContent()).toMatch(/Wrong manager PIN/)
    expect(rig.app.db.prepare('SELECT COUNT(*) AS n FROM returns').get()).toEqual({ n: 0 })
    await cashier.screenshot({ path: join(SCREENSHOT_DIR, 'return-flow-chosen.png'), fullPage: true })
    await flow.getByRole('button', { name: 'Refund cash' }).click()
    await approve(cashier, '1234')
    await expect.poll(() => cashier.getByRole('status').filter({ hasText: 'refunded in cash' }).textContent()).toBe('Return 1: $1.07 refunded in cash.')
    await flow.getByText(`Return 1 of sale ${sale.number}: $1.07.`).waitFor()
    expect(await unnamedControls(cashier)).toEqual([])
    await cashier.screenshot({ path: join(SCREENSHOT_DIR, 'return-flow-refunded.png'), fullPage: true })

    expect(shift.current()!.expectedCashMinor).toBe(drawer - 107)
    expect(shift.xReport()).toMatchObject({ returnsCount: 1, returnsMinor: 107, netSalesMinor: sale.totalMinor - 107 })

    // Closed, the counter sells again: a wedge scan goes to the cart.
    await flow.getByRole('button', { name: 'Close return' }).click()
    await flow.waitFor({ state: 'detached' })
    await typeAt(cashier, `${COLA}\n`, 4)
    await expect.poll(() => rig.app.sales.current()?.lines.length ?? 0).toBe(1)
  })
})
