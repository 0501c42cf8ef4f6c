// What a cashier and a manager noticed trying the till from outside (session 8, qa1), each asserted as they see it:
// the return flow beside the sale panel (it pushed the sale panel below the fold), the keyboard back in the
// Barcode box after a sale, a locked till that offers no return, a weight asked again instead of dropped, a
// refusal that names the action in words, and a Chinese back office that words the day close's refusals, its
// cash movements and a bad staff PIN in Chinese. Screenshots saved at 1280x800 and 1024x768.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { ShiftService } from '../../src/main/services/shift'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { typeAt } from '../fixtures/keyboard'
import { unnamedControls } from '../fixtures/a11y'

const COLA = '5901234123013' // 0.99 + 8.25 % = 1.07
const OJ = '4006381333016' // 3.49 + 2.25 % = 3.57

let rig: BrowserRig
let shift: ShiftService
let small: BrowserContext

async function open(context: BrowserContext, which: 'cashier' | 'backoffice'): Promise<Page> {
  const page = await context.newPage()
  await page.goto(rig.harness.urls[which])
  await page.locator('body[data-ready="true"]').waitFor()
  return page
}

const activeId = (page: Page) => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id ?? '')

async function approve(page: Page, pin: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: /Manager approval|经理授权/ })
  await dialog.locator('#manager-pin').fill(pin)
  await dialog.locator('#manager-pin').press('Enter')
  await dialog.waitFor({ state: 'detached' })
}

/** Whether the element is wholly inside the window (nothing of it below the fold or off to the side). */
async function inView(page: Page, box: { boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null> }): Promise<boolean> {
  const b = await box.boundingBox()
  const size = page.viewportSize()!
  return b !== null && b.y >= 0 && b.x >= 0 && b.y + b.height <= size.height && b.x + b.width <= size.width
}

/** A sale sold and paid in cash by the till itself (the counter's own flows are what the tests drive). */
function soldSale(): { number: number; date: string } {
  rig.app.sales.scan(COLA, 'wedge')
  rig.app.sales.scan(OJ, 'wedge')
  rig.app.sales.tenderCash(1000)
  const sale = rig.app.sales.complete()
  return { number: sale.number, date: new Date(rig.clock.now()).toISOString().slice(0, 10) }
}

describe('the counter and the back office as their users find them', () => {
  beforeAll(async () => {
    rig = await startBrowserRig({ timeZone: 'UTC' })
    shift = new ShiftService({ db: rig.app.db, clock: rig.clock, store: rig.app.store })
    shift.open({ totalMinor: 10_000 }, 'M1')
    small = await rig.browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-US' })
  })
  afterAll(async () => {
    await small?.close()
    await rig?.close()
  })

  it('the return flow stands beside the sale panel at 1280x800 and 1024x768; Esc closes it, and after a refund the keyboard is on Close return', async () => {
    const sale = soldSale()
    for (const [context, size] of [
      [rig.context, '1280'],
      [small, '1024']
    ] as const) {
      const cashier = await open(context, 'cashier')
      await cashier.getByRole('button', { name: 'Return', exact: true }).click()
      const flow = cashier.getByRole('region', { name: 'Return sale' })
      await flow.waitFor()
      // Most returns come back the day they were sold: the date is there already, in the form the box asks for.
      expect(await flow.getByRole('textbox', { name: 'Sale date' }).inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      await flow.getByRole('textbox', { name: 'Sale number' }).fill(String(sale.number))
      await flow.getByRole('textbox', { name: 'Sale date' }).fill(sale.date)
      await flow.getByRole('textbox', { name: 'Sale date' }).press('Enter')
      await flow.getByRole('heading', { name: new RegExp(`^Sale ${sale.number} · Nov 24, 2026`) }).waitFor()
      // The sale panel, its total and its buttons, stay in view beside the return (it stood above them before).
      expect(await inView(cashier, cashier.getByRole('status', { name: 'Sale total' }))).toBe(true)
      expect(await inView(cashier, cashier.getByRole('button', { name: 'Pay cash' }))).toBe(true)
      expect(await inView(cashier, cashier.getByRole('button', { name: 'Complete sale' }))).toBe(true)
      for (const name of ['Receipt code', 'Sale number', 'Sale date']) expect(await inView(cashier, flow.getByRole('textbox', { name }))).toBe(true)
      expect(await inView(cashier, flow.getByRole('button', { name: 'Close return' }))).toBe(true)
      expect(await unnamedControls(cashier)).toEqual([])
      await cashier.screenshot({ path: join(SCREENSHOT_DIR, `qa-return-found-${size}.png`) })
      await flow.getByRole('spinbutton', { name: 'Return quantity for Cola 330 ml can' }).focus()
      await cashier.keyboard.press('Escape')
      await flow.waitFor({ state: 'detached' })
      await expect.poll(() => activeId(cashier)).toBe('barcode')
      await cashier.close()
    }

    const cashier = await open(rig.context, 'cashier')
    await cashier.getByRole('button', { name: 'Return', exact: true }).click()
    const flow = cashier.getByRole('region', { name: 'Return sale' })
    await flow.getByRole('textbox', { name: 'Sale number' }).fill(String(sale.number))
    await flow.getByRole('textbox', { name: 'Sale date' }).fill(sale.date)
    await flow.getByRole('button', { name: 'Find by number and date' }).click()
    await flow.getByRole('button', { name: 'Whole sale' }).click()
    await expect.poll(() => flow.getByRole('status', { name: 'Refund amount' }).textContent()).toBe('$4.64')
    expect(await inView(cashier, flow.getByRole('button', { name: 'Refund cash' }))).toBe(true)
    await flow.getByRole('button', { name: 'Refund cash' }).click()
    await approve(cashier, '1234')
    await flow.getByText(/^Return \d+ of sale \d+: \$4\.64\.$/).waitFor()
    await expect.poll(() => activeId(cashier)).toBe('return-close')
    await cashier.keyboard.press('Enter')
    await flow.waitFor({ state: 'detached' })
    await cashier.close()
  })

  it('the Sales list shows the refund as a refund, its total as money going back', async () => {
    const bo = await open(rig.context, 'backoffice')
    const list = bo.getByRole('table', { name: 'Sales' })
    await expect.poll(() => list.locator('tbody tr').count()).toBe(2)
    // Newest first: the refund (it read "Completed $4.64", like a sale of that amount), then the sale.
    expect((await list.locator('tbody tr').allInnerTexts()).map((row) => row.split('\t').slice(1, 3))).toEqual([
      ['Refund', '-$4.64'],
      ['Completed', '$4.64']
    ])
    await bo.close()
  })

  it('after a sale is paid or voided the keyboard is back in the Barcode box; exact cash says no change is due', async () => {
    const cashier = await open(rig.context, 'cashier')
    // It starts there too.
    await expect.poll(() => activeId(cashier)).toBe('barcode')
    await typeAt(cashier, `${COLA}\n`, 4)
    await expect.poll(() => cashier.getByRole('status', { name: 'Sale total' }).textContent()).toBe('$1.07')
    await cashier.keyboard.press('F4')
    await cashier.getByRole('textbox', { name: 'Cash received' }).fill('1.07')
    await cashier.getByRole('textbox', { name: 'Cash received' }).press('Enter')
    await expect.poll(() => cashier.getByRole('status').filter({ hasText: 'completed' }).textContent()).toMatch(/^Sale \d+ completed\. No change due\.$/)
    await expect.poll(() => activeId(cashier)).toBe('barcode')
    // A code typed by hand now (slower than a scanner: it lands in the focused box) goes in, with no click first.
    await typeAt(cashier, `${OJ}\n`, 60)
    await expect.poll(() => cashier.getByRole('status', { name: 'Sale total' }).textContent()).toBe('$3.57')
    await cashier.getByRole('button', { name: 'Void sale' }).click()
    await approve(cashier, '1234')
    await expect.poll(() => cashier.getByRole('status').filter({ hasText: 'voided' }).count()).toBe(1)
    await expect.poll(() => activeId(cashier)).toBe('barcode')
    await cashier.close()
  })

  it('a cashier PIN in a manager approval is refused with the action in words, not its permission code', async () => {
    const cashier = await open(rig.context, 'cashier')
    await typeAt(cashier, `${COLA}\n`, 4)
    await expect.poll(() => cashier.getByRole('status', { name: 'Sale total' }).textContent()).toBe('$1.07')
    await cashier.getByRole('button', { name: 'Void sale' }).click()
    await approve(cashier, '2580')
    await expect.poll(() => cashier.getByRole('alert').textContent()).toBe('Cashier 1 may not do that (void a sale): ask a manager or the owner.')
    await cashier.getByRole('button', { name: 'Void sale' }).click()
    await approve(cashier, '1234')
    await expect.poll(() => rig.app.sales.current()).toBeNull()
    await cashier.close()
  })

  it('a weight that is not one is asked again in the dialog, and the weighed line reads "0.755 kg" on one line', async () => {
    const cashier = await open(rig.context, 'cashier')
    const box = cashier.getByRole('textbox', { name: 'Barcode' })
    await box.fill(COLA)
    await box.press('Enter')
    await box.fill('04011')
    await box.press('Enter')
    const dialog = cashier.getByRole('dialog', { name: 'Weight of Bananas' })
    await dialog.getByRole('textbox', { name: 'Weight (kg)' }).fill('0,7x')
    await dialog.getByRole('textbox', { name: 'Weight (kg)' }).press('Enter')
    // Still asking, with the reason in the dialog: the PLU is not to be keyed in again.
    await dialog.getByRole('alert').filter({ hasText: 'Enter the weight in kilograms, like 0.755.' }).waitFor()
    await expect.poll(() => activeId(cashier)).toBe('prompt-value')
    await cashier.keyboard.type('0.755')
    await cashier.keyboard.press('Enter')
    await dialog.waitFor({ state: 'detached' })
    const rows = cashier.getByRole('grid', { name: 'Cart' }).locator('tbody tr')
    await expect.poll(() => rows.count()).toBe(2)
    const weighed = rows.nth(1).locator('td').nth(1)
    expect(await weighed.textContent()).toBe('0.755 kg')
    const [counted, weighedRow] = [await rows.nth(0).boundingBox(), await rows.nth(1).boundingBox()]
    expect(weighedRow!.height).toBe(counted!.height)
    await cashier.screenshot({ path: join(SCREENSHOT_DIR, 'qa-weighed-line.png') })
    await cashier.getByRole('button', { name: 'Void sale' }).click()
    await approve(cashier, '1234')
    await expect.poll(() => rig.app.sales.current()).toBeNull()
    await cashier.close()
  })

  it('a locked till offers no return and no drawer, its Sign in has the keyboard, and the last outcome is gone', async () => {
    const cashier = await open(rig.context, 'cashier')
    await typeAt(cashier, `${COLA}\n`, 4)
    await cashier.keyboard.press('F4')
    await cashier.getByRole('textbox', { name: 'Cash received' }).fill('5')
    await cashier.getByRole('textbox', { name: 'Cash received' }).press('Enter')
    await expect.poll(() => cashier.getByRole('status').filter({ hasText: 'completed' }).count()).toBe(1)
    await cashier.getByRole('button', { name: 'Return', exact: true }).click()
    await cashier.getByRole('region', { name: 'Return sale' }).waitFor()
    await cashier.getByRole('button', { name: 'Lock' }).click()
    const signIn = cashier.getByRole('button', { name: 'Sign in' })
    await signIn.waitFor()
    expect(await cashier.getByRole('region', { name: 'Return sale' }).count()).toBe(0)
    expect(await cashier.getByRole('button', { name: 'Return', exact: true }).count()).toBe(0)
    expect(await cashier.getByRole('button', { name: 'No sale (open drawer)' }).count()).toBe(0)
    expect(await cashier.getByRole('status').filter({ hasText: 'completed' }).count()).toBe(0)
    await expect.poll(() => cashier.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent ?? '')).toBe('Sign in')
    await cashier.screenshot({ path: join(SCREENSHOT_DIR, 'qa-locked.png') })
    // Enter opens the sign-in, the PIN and Enter again: the till sells, the Barcode box has the keyboard.
    await cashier.keyboard.press('Enter')
    await cashier.getByRole('dialog', { name: 'Sign in' }).waitFor()
    await cashier.keyboard.type('2580')
    await cashier.keyboard.press('Enter')
    await cashier.getByRole('textbox', { name: 'Barcode' }).waitFor()
    await expect.poll(() => activeId(cashier)).toBe('barcode')
    expect(await cashier.getByRole('button', { name: 'Return', exact: true }).count()).toBe(1)
    await cashier.close()
  })

  it('the Chinese back office words the cash movements, the day close refusals and a bad staff PIN in Chinese', async () => {
    expect((await rig.app.registry.dispatch('backoffice', 'settings:set-locale', { locale: 'zh-CN' })).ok).toBe(true)
    try {
      const bo = await open(rig.context, 'backoffice')
      const day = bo.locator('#day-close')
      // A cash refund (the first test's) and a cash out are listed by kind in words, the refund's reason too.
      await bo.locator('#bo-move-amount').fill('5')
      await bo.locator('#bo-move-reason').fill('零钱')
      await bo.locator('#bo-move').click()
      await approve(bo, '1234')
      const moves = bo.getByRole('table', { name: '现金存取' })
      await expect.poll(() => moves.locator('tbody tr').count()).toBe(2)
      expect(await moves.locator('tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^1\t现金退款\tUS\$4\.64\t退货 1（原交易 \d+）$/), '2\t现金取出\tUS$5.00\t零钱'])
      // More than the drawer holds: refused in Chinese, with both amounts.
      await bo.locator('#bo-move-amount').fill('5000')
      await bo.locator('#bo-move-reason').fill('银行')
      await bo.locator('#bo-move').click()
      await approve(bo, '1234')
      await expect.poll(() => day.getByRole('alert').textContent()).toMatch(/^钱箱中应只有 US\$[\d,.]+：无法取出 US\$5,000\.00。$/)
      // A sale left open at the counter: the close says which, in Chinese.
      rig.app.sales.scan(COLA, 'wedge')
      const openNumber = rig.app.sales.current()!.number
      await bo.getByRole('textbox', { name: '清点现金', exact: true }).fill('1')
      await bo.locator('#bo-difference-reason').fill('测试')
      await bo.locator('#bo-close-day').click()
      await approve(bo, '1234')
      await expect.poll(() => day.getByRole('alert').last().textContent()).toBe(`交易 ${openNumber} 仍未结束：结账前请先完成或作废该交易。`)
      rig.app.sales.voidSale('M1', 'left open by the test')
      await bo.screenshot({ path: join(SCREENSHOT_DIR, 'qa-dayclose-zh.png') })
      // A manager's PIN of four digits: refused in Chinese before the owner is asked for theirs.
      const staff = bo.locator('#staff')
      await bo.locator('#bo-staff-name').fill('Ann')
      await bo.locator('#bo-staff-role').selectOption('manager')
      await bo.locator('#bo-staff-pin').fill('1234')
      await staff.getByRole('button', { name: '添加员工' }).click()
      await expect.poll(() => staff.getByRole('alert').textContent()).toBe('经理 的密码须为 6 至 8 位数字。')
      expect(await bo.getByRole('dialog').count()).toBe(0)
      await bo.locator('#bo-staff-name').fill('')
      await staff.getByRole('button', { name: '添加员工' }).click()
      await expect.poll(() => staff.getByRole('alert').textContent()).toBe('请填写姓名。')
      await bo.close()
    } finally {
      await rig.app.registry.dispatch('backoffice', 'settings:set-locale', { locale: 'en' })
    }
  })
})
