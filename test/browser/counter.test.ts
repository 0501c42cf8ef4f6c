// The counter as a cashier works it, in Chromium through the harness: elements that survive updates, quantities
// that never lose a key, no dead ends after a short cash amount, look-ups for loose produce, messages always in
// view and in the UI language, and a page that re-attaches by itself after the till service restarts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startHarness } from '../../src/main/harness/server'
import { RENDERER_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { typeAt } from '../fixtures/keyboard'
import { unnamedControls } from '../fixtures/a11y'
import { chainHealth, paymentView } from '../fixtures/payment-view'

const COLA = '5901234123013' // 0.99, sales tax 8.25 %
const GREEN_TEA = '6901234567014' // 1.89, groceries 2.25 %
const CROISSANT = '3761234500021'

/** The little of the page's DOM these checks touch (the tests compile without the DOM library). */
type PageGlobals = {
  document: { querySelector(selector: string): unknown; getElementById(id: string): unknown; activeElement: unknown }
  [kept: string]: unknown
}

let rig: BrowserRig
let cashier: Page

async function openCashier(): Promise<Page> {
  const page = await rig.context.newPage()
  await page.goto(rig.harness.urls.cashier)
  await page.locator('body[data-ready="true"]').waitFor()
  return page
}

const rows = (page: Page) => page.getByRole('grid', { name: 'Cart' }).locator('tbody tr')
const alertText = (page: Page) => page.getByRole('alert').textContent()

async function approve(page: Page, pin = '1234'): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Manager approval' })
  await dialog.getByLabel('Manager PIN').fill(pin)
  await dialog.getByRole('button', { name: 'Approve' }).click()
  await dialog.waitFor({ state: 'detached' })
}

/** Ends the open sale (if any) so each test starts at an empty counter. */
function clearSale(): void {
  if (rig.app.sales.current()) rig.app.sales.voidSale('M1', 'test reset')
}

describe('the counter in Chromium', () => {
  beforeAll(async () => {
    rig = await startBrowserRig()
    cashier = await openCashier()
  })
  afterAll(async () => {
    await rig?.close()
  })

  it('the Cart table and the Barcode box are the same elements before and after a scan, and focus stays put', async () => {
    await cashier.getByRole('textbox', { name: 'Barcode' }).focus()
    await cashier.evaluate(() => {
      const w = globalThis as unknown as PageGlobals
      w['cartBefore'] = w.document.querySelector('[role="grid"]')
      w['boxBefore'] = w.document.getElementById('barcode')
    })
    await typeAt(cashier, `${COLA}\n`, 5)
    await expect.poll(() => rows(cashier).count()).toBe(1)
    const firstRow = await rows(cashier).first().elementHandle()
    await typeAt(cashier, `${GREEN_TEA}\n`, 5)
    await expect.poll(() => rows(cashier).count()).toBe(2)
    const same = await cashier.evaluate(
      (row) => {
        const w = globalThis as unknown as PageGlobals
        return {
          cart: w['cartBefore'] === w.document.querySelector('[role="grid"]'),
          box: w['boxBefore'] === w.document.getElementById('barcode'),
          focused: w.document.activeElement === w.document.getElementById('barcode'),
          row: row === w.document.querySelector('[role="grid"] tbody tr')
        }
      },
      firstRow
    )
    expect(same).toEqual({ cart: true, box: true, focused: true, row: true })
    clearSale()
  })

  it('60 presses of + at 20 ms raise the quantity by exactly 60', async () => {
    await typeAt(cashier, `${COLA}\n`, 5)
    await expect.poll(() => rows(cashier).count()).toBe(1)
    await cashier.locator('body').click({ position: { x: 5, y: 790 } })
    await typeAt(cashier, '+'.repeat(60), 20)
    await expect.poll(() => rig.app.sales.current()?.lines[0]?.quantity, { timeout: 10_000 }).toBe(61)
    await expect.poll(() => rows(cashier).first().locator('td').nth(1).textContent()).toBe('61')
    clearSale()
  })

  it('− on a quantity of 1 asks before it removes the line; Esc closes the question and keeps it', async () => {
    await typeAt(cashier, `${CROISSANT}\n`, 5)
    await expect.poll(() => rows(cashier).count()).toBe(1)
    await cashier.locator('body').click({ position: { x: 5, y: 790 } })
    await cashier.keyboard.press('-')
    const dialog = cashier.getByRole('dialog', { name: 'Remove the line?' })
    await dialog.waitFor()
    await cashier.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    expect(rig.app.sales.current()!.lines[0]!.voided).toBe(false)
    await cashier.getByRole('button', { name: 'Decrease quantity' }).click()
    await dialog.getByRole('button', { name: 'Void line' }).click()
    await expect.poll(() => rig.app.sales.current()!.lines[0]!.voided).toBe(true)
    clearSale()
  })

  it('a 3* prefix and the Quantity box set how many the next scan adds', async () => {
    const box = cashier.getByRole('textbox', { name: 'Barcode' })
    await box.fill(`3*${COLA}`)
    await box.press('Enter')
    await expect.poll(() => rig.app.sales.current()?.lines[0]?.quantity).toBe(3)
    await cashier.getByRole('textbox', { name: 'Quantity' }).fill('4')
    await box.fill(GREEN_TEA)
    await box.press('Enter')
    await expect.poll(() => rig.app.sales.current()?.lines[1]?.quantity).toBe(4)
    expect(await cashier.getByRole('textbox', { name: 'Quantity' }).inputValue()).toBe('')
    // Typed 3* then a wedge scan: the prefix counts for the scan.
    await box.fill('2*')
    await typeAt(cashier, `${CROISSANT}\n`, 5)
    await expect.poll(() => rig.app.sales.current()?.lines[2]?.quantity).toBe(2)
    expect(await box.inputValue()).toBe('')
    clearSale()
  })

  it('a PLU keyed in adds loose produce by its weight, and a name finds products as it is typed', async () => {
    const box = cashier.getByRole('textbox', { name: 'Barcode' })
    await box.fill('04011') // Bananas, 2.29 per kg
    await box.press('Enter')
    const weight = cashier.getByRole('dialog', { name: 'Weight of Bananas' })
    await weight.getByLabel('Weight (kg)').fill('0.755')
    await weight.getByRole('button', { name: 'Add item' }).click()
    await expect.poll(() => rig.app.sales.current()?.lines[0]).toMatchObject({ name: 'Bananas', weightGrams: 755, amountMinor: 173 }) // 2.29 x 0.755 = 1.72895
    await box.fill('')
    await box.pressSequentially('crois', { delay: 40 })
    const hit = cashier.getByRole('group', { name: 'Look-up results' }).getByRole('button', { name: /Croissant/ })
    await hit.waitFor()
    await hit.click()
    await expect.poll(() => rig.app.sales.current()?.lines.map((l) => l.name)).toEqual(['Bananas', 'Croissant'])
    clearSale()
  })

  it('cash below the due asks first; taken as part payment it can be handed back with a manager PIN', async () => {
    await typeAt(cashier, `${COLA}\n`, 5)
    await expect.poll(() => rows(cashier).count()).toBe(1)
    await typeAt(cashier, `${GREEN_TEA}\n`, 5)
    await expect.poll(async () => `${await rows(cashier).count()} ${(await cashier.locator('.messages').textContent()) ?? ''}`).toBe('2 ')
    const due = rig.app.sales.current()!.dueMinor
    await cashier.getByRole('textbox', { name: 'Barcode' }).focus()
    await cashier.keyboard.press('F4') // F-keys work while the Barcode box has focus
    const cash = cashier.getByRole('textbox', { name: 'Cash received' })
    await expect.poll(() => cash.evaluate((el) => el === (globalThis as unknown as PageGlobals).document.activeElement)).toBe(true)
    await cash.fill('1')
    await cash.press('Enter')
    const ask = cashier.getByRole('dialog', { name: 'Take a part payment?' })
    await ask.waitFor()
    expect(await ask.textContent()).toContain(`$1.00 is less than the $${(due / 100).toFixed(2)} due`)
    await ask.getByRole('button', { name: 'Cancel' }).click()
    expect(rig.app.sales.current()!.tenders).toHaveLength(0)

    await cash.press('Enter')
    await ask.getByRole('button', { name: 'Take as part payment' }).click()
    await expect.poll(() => rig.app.sales.current()!.paidMinor).toBe(100)
    await expect.poll(() => cashier.getByRole('button', { name: 'Void line' }).isDisabled()).toBe(true)
    await cashier.getByRole('button', { name: 'Hand back $1.00' }).click()
    await approve(cashier)
    await expect.poll(() => rig.app.sales.current()!.paidMinor).toBe(0)
    await expect.poll(() => cashier.getByRole('status').filter({ hasText: 'handed back' }).textContent()).toMatch(/\$1\.00 handed back/)
    await expect.poll(() => cashier.getByRole('button', { name: 'Void line' }).isDisabled()).toBe(false)
    const kinds = (rig.app.db.prepare("SELECT payload FROM journal WHERE kind = 'sale.tender-returned'").all() as { payload: string }[]).map((r) => JSON.parse(r.payload) as { handedBackMinor: number; managerId: string })
    expect(kinds.at(-1)).toMatchObject({ handedBackMinor: 100, managerId: 'M1' })
  })

  it('a sale with cash taken is voided with a PIN that records the money handed back', async () => {
    const cash = cashier.getByRole('textbox', { name: 'Cash received' })
    await cashier.getByRole('button', { name: 'Pay cash' }).click()
    await cash.fill('2')
    await cash.press('Enter')
    await cashier.getByRole('dialog', { name: 'Take a part payment?' }).getByRole('button', { name: 'Take as part payment' }).click()
    await expect.poll(() => rig.app.sales.current()!.paidMinor).toBe(200)
    await expect.poll(() => cashier.getByRole('status', { name: 'Due' }).textContent()).not.toBe(`$${(rig.app.sales.current()!.totalMinor / 100).toFixed(2)}`)
    const number = rig.app.sales.current()!.number
    await cashier.getByRole('button', { name: 'Void sale' }).click()
    expect(await cashier.getByRole('dialog', { name: 'Manager approval' }).textContent()).toContain('Hand $2.00 in cash back to the customer.')
    await approve(cashier)
    await expect.poll(() => rows(cashier).count()).toBe(0)
    await expect.poll(() => cashier.getByRole('status').filter({ hasText: 'voided' }).textContent()).toBe(`Sale ${number} voided. Hand $2.00 in cash back to the customer.`)
    const voided = JSON.parse((rig.app.db.prepare("SELECT payload FROM journal WHERE kind = 'sale.voided' ORDER BY seq DESC LIMIT 1").get() as { payload: string }).payload)
    expect(voided).toMatchObject({ number, cashBackMinor: 200, refundOwedMinor: 0 })
  })

  it('an alert is in view even with the cash tender open, and is worded in the UI language', async () => {
    await typeAt(cashier, `${COLA}\n`, 5)
    await cashier.getByRole('button', { name: 'Pay cash' }).click()
    await typeAt(cashier, '4006381333931\n', 5)
    const alert = cashier.getByRole('alert')
    await expect.poll(() => alert.textContent()).toBe('Unknown barcode 4006381333931: no product in the catalog has it.')
    const box = await alert.boundingBox()
    expect(box!.y).toBeGreaterThanOrEqual(0)
    expect(box!.y + box!.height).toBeLessThanOrEqual(800)
    await cashier.getByRole('button', { name: 'Language' }).click()
    await expect.poll(() => cashier.getByRole('button', { name: '现金支付' }).count()).toBe(1)
    await typeAt(cashier, '4006381333931\n', 5)
    await expect.poll(() => alertText(cashier)).toBe('未知条码 4006381333931：商品目录中没有此条码。')
    await cashier.getByRole('textbox', { name: '条码' }).fill('5901234123014')
    await cashier.getByRole('textbox', { name: '条码' }).press('Enter')
    await expect.poll(() => alertText(cashier)).toContain('校验位不符')
    await cashier.getByRole('button', { name: '语言' }).click()
    await expect.poll(() => cashier.getByRole('button', { name: 'Pay cash' }).count()).toBe(1)
    expect(await unnamedControls(cashier)).toEqual([])
    clearSale()
  })

  it('Payment status is always present and says when the network cannot be checked; Network health per chain', async () => {
    const paymentStatus = cashier.getByRole('status', { name: 'Payment status' })
    expect(await paymentStatus.textContent()).toBe('No payment')
    expect(await cashier.getByRole('status', { name: 'Network health' }).count()).toBe(0) // no chain in use
    await typeAt(cashier, `${COLA}\n`, 5)
    await expect.poll(() => rows(cashier).count()).toBe(1)
    const saleId = rig.app.sales.current()!.id
    rig.app.events.emit('payment:changed', paymentView({ saleId }))
    rig.app.events.emit('chain:health-changed', [chainHealth('down')])
    await expect.poll(() => paymentStatus.textContent()).toMatch(/^New — waiting for 4\.190009 USDC on Demo chain \(local\)Cannot reach Demo chain \(local\) since 12:03; the payment will be found when it is back$/)
    await expect.poll(() => cashier.getByRole('status', { name: 'Network health' }).textContent()).toBe('Demo chain (local): down since 12:03')
    rig.app.events.emit('chain:health-changed', [chainHealth('up', { headBlockTime: Date.now() - 3000 })])
    await expect.poll(() => cashier.getByRole('status', { name: 'Network health' }).textContent()).toMatch(/^Demo chain \(local\): up, last block \d s ago$/)
    // F6 while the request is open shows it again; it never replaces the QR under the customer.
    await cashier.keyboard.press('F6')
    await expect.poll(() => cashier.getByRole('status').filter({ hasText: 'still open' }).count()).toBe(1)
    // A payment a reorg removed after Paid is said plainly; a state this page does not know is shown as given.
    rig.app.events.emit('payment:changed', paymentView({ saleId, status: 'Paid', exception: 'Reversed' as never, amountPaid: '4190009' }))
    await expect.poll(() => paymentStatus.textContent()).toBe('Reversed — Payment reversed by the network — ask for another payment')
    rig.app.events.emit('payment:changed', paymentView({ saleId, status: 'Refunding' as never }))
    await expect.poll(() => paymentStatus.textContent()).toMatch(/^Refunding — /)
    rig.app.events.emit('payment:changed', null)
    rig.app.events.emit('chain:health-changed', [])
    await expect.poll(() => paymentStatus.textContent()).toBe('No payment')
    clearSale()
  })

  it('the first wedge burst right after the page loads is not dropped', async () => {
    const page = await rig.context.newPage()
    await page.goto(rig.harness.urls.cashier)
    // No wait for ready: the scan arrives while the page is still starting.
    await typeAt(page, `${COLA}\n`, 5)
    await page.locator('body[data-ready="true"]').waitFor()
    await expect.poll(() => rig.app.sales.current()?.lines.length ?? 0).toBe(1)
    await expect.poll(() => rows(page).count()).toBe(1)
    await page.close()
    clearSale()
  })

  it('says when the till service is unreachable and re-attaches by itself when it is back at the same address', async () => {
    const { port, tokens } = rig.harness
    // Not awaited: http.Server.close() stops listening at once but waits for Chromium's keep-alive connections to
    // end, which can take longer than the test; the port is free for the restart as soon as listening stops.
    const closing = rig.harness.close()
    const banner = cashier.getByRole('alert').filter({ hasText: 'Connection to the till lost' })
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toBe('Connection to the till lost — reconnecting…')
    // A call while down fails with a Result (worded), never hangs.
    await cashier.getByRole('textbox', { name: 'Barcode' }).fill(COLA)
    await cashier.getByRole('textbox', { name: 'Barcode' }).press('Enter')
    await expect.poll(() => cashier.getByRole('alert').filter({ hasText: 'not answering' }).count()).toBe(1)
    const again = await startHarness({ app: rig.app, rendererDir: RENDERER_DIR, port, tokens })
    ;(rig as { harness: typeof again }).harness = again
    await expect.poll(() => banner.count(), { timeout: 10_000 }).toBe(0)
    await typeAt(cashier, `${COLA}\n`, 5)
    await expect.poll(() => rows(cashier).count()).toBe(1)
    clearSale()
    await Promise.race([closing, new Promise((done) => setTimeout(done, 5000))])
  })
})
