// The back office's Journal section against a real head office on PostgreSQL: the till ships its journal by itself and
// the manager sees "Up to date" with the last entry's number; with head office down, selling goes on, the section
// says how many entries are still to send and why (worded, not a code); the full Verify runs with its progress and
// ends intact. Screenshots in en and zh-CN.
import { createPublicKey, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { addStore, addTill, startHeadOffice, type HeadOffice } from '../../src/headoffice/server'
import { signedHeadBody } from '../../src/headoffice/ingest'
import { ANCHORS_FILE, type SignedHead } from '../../src/main/ledger/anchor'
import { systemClock } from '../../src/shared/clock'
import { postgresBinDir, startPostgres, type TestPostgres } from '../fixtures/postgres'
import { SCREENSHOT_DIR, startBrowserRig, type BrowserRig } from '../fixtures/browser'
import { unnamedControls } from '../fixtures/a11y'

const COLA = '5901234123013'
const pgBin = postgresBinDir()
if (!pgBin) console.warn('SKIPPED test/browser/backoffice-headoffice: PostgreSQL is not installed here (apt-get install postgresql); CI installs it.')

describe.skipIf(!pgBin)('the back office shows shipping to head office (PostgreSQL)', () => {
  let pg: TestPostgres
  let ho: HeadOffice
  let rig: BrowserRig
  let office: Page
  let port = 0

  const sell = (n: number): void => {
    for (let i = 0; i < n; i++) {
      rig.app.sales.scan(COLA, 'manual')
      rig.app.sales.tenderCash(rig.app.sales.current()!.dueMinor)
      rig.app.sales.complete()
    }
  }
  const headSeq = (): number => (rig.app.db.prepare('SELECT max(seq) AS seq FROM journal').get() as { seq: number }).seq
  const status = () => office.getByRole('region', { name: 'Journal' }).getByRole('status', { name: 'Head office' })

  beforeAll(async () => {
    pg = await startPostgres()
    ho = await startHeadOffice({ connectionString: pg.connectionString, adminToken: 'admin' })
    let url: string
    ;({ url, port } = await ho.listen(0))
    await addStore(ho.pool, { id: 'S1', name: 'High Street', currency: 'USD', timeZone: 'UTC' })
    const token = await addTill(ho.pool, { id: 'S1-T1', storeId: 'S1', ledgerTillId: 'T1', name: 'Front counter' })
    rig = await startBrowserRig({ clock: systemClock, headOffice: { url, token } })
    office = await rig.context.newPage()
    await office.goto(rig.harness.urls.backoffice)
    await office.locator('body[data-ready="true"]').waitFor()
  }, 90_000)
  afterAll(async () => {
    await rig?.close()
    await ho?.close()
    pg?.stop()
  })

  it('is up to date once the till has shipped every entry, with head office holding exactly that many', async () => {
    sell(3)
    const head = headSeq()
    await expect.poll(async () => (await ho.pool.query('SELECT max(seq)::int AS seq FROM journal')).rows[0].seq, { timeout: 20_000 }).toBeGreaterThanOrEqual(head)
    // The journal grows a little after a sale (its receipt's print entries), so each look compares with the head then.
    await expect
      .poll(async () => ((await status().textContent()) ?? '').includes(`Up to date: head office http://127.0.0.1:${port} holds every entry, up to #${headSeq()}.`), { timeout: 15_000 })
      .toBe(true)
    expect(await unnamedControls(office)).toEqual([])
  })

  it('shows the till key the owner registers at head office, the one that verifies its signed heads', async () => {
    const journal = office.getByRole('region', { name: 'Journal' })
    const field = journal.getByRole('textbox', { name: 'Till public key' })
    await field.waitFor()
    const shown = await field.inputValue()
    expect(await field.getAttribute('readonly')).not.toBeNull()
    // The very key a checkpoint is signed with: head office verifies it with what the owner copied from here.
    const key = createPublicKey({ key: Buffer.from(shown, 'base64'), format: 'der', type: 'spki' })
    rig.app.integrity.sign('checkpoint')
    const signed = readFileSync(join(rig.dataDir, ANCHORS_FILE), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as SignedHead).at(-1)!
    expect(verify(null, signedHeadBody(signed), key, Buffer.from(signed.signature, 'base64'))).toBe(true)
    await journal.getByRole('button', { name: 'Copy key' }).click()
    // Headless Chromium may refuse the clipboard: either way the page says what happened.
    await expect.poll(() => journal.getByRole('status').filter({ hasText: /The key is copied\.|copy it with Ctrl\+C/ }).count()).toBe(1)
  })

  it('with head office down the till sells on, and the section says how much is still to send and why', async () => {
    await ho.stopListening()
    sell(2)
    await expect.poll(() => status().textContent(), { timeout: 30_000 }).toMatch(/still to send\. Selling goes on meanwhile\.[\s\S]*Last failure .*: head office cannot be reached\./)
    const behind = Number(/; (\d+) still to send/.exec((await status().textContent()) ?? '')?.[1])
    const held = (await ho.pool.query('SELECT max(seq)::int AS seq FROM journal')).rows[0].seq as number
    expect(behind).toBe(headSeq() - held)
    expect(rig.app.shipper!.status().behind).toBe(behind)
    await office.getByRole('region', { name: 'Journal' }).screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-headoffice-behind-en.png') })
    await office.locator('#bo-language').click()
    await expect.poll(() => office.getByRole('region', { name: '日志' }).getByRole('status', { name: '总部' }).textContent()).toMatch(/待发送.*无法连接总部/s)
    await office.getByRole('region', { name: '日志' }).screenshot({ path: join(SCREENSHOT_DIR, 'backoffice-headoffice-behind-zh-CN.png') })
    await office.locator('#bo-language').click()
  })

  it('the full Verify shows its result, and head office catches up when it is back', async () => {
    const journal = office.getByRole('region', { name: 'Journal' })
    await journal.getByRole('button', { name: 'Verify journal' }).click()
    await expect.poll(() => journal.getByRole('status').filter({ hasText: 'Journal intact' }).count(), { timeout: 30_000 }).toBe(1)
    expect(await journal.getByRole('button', { name: 'Verify journal' }).isEnabled()).toBe(true)
    await ho.listen(port)
    await expect.poll(() => status().textContent(), { timeout: 60_000 }).toMatch(/Up to date/)
    expect((await ho.pool.query('SELECT count(*)::int AS n FROM journal')).rows[0].n).toBe(headSeq())
  })

  it('the owner opens head office in a browser: the store, its till with the day\'s sales, nothing without the token', async () => {
    const anonymous = await rig.browser.newContext()
    // The Basic credentials a browser sends once the owner typed them in its password prompt.
    const owner = await rig.browser.newContext({ extraHTTPHeaders: { authorization: `Basic ${Buffer.from('owner:admin').toString('base64')}` }, viewport: { width: 1280, height: 800 } })
    try {
      // Without the token: 401 with a password prompt (a page load in Chromium ends in ERR_INVALID_AUTH_CREDENTIALS).
      const refused = await anonymous.request.get(`http://127.0.0.1:${port}/`)
      expect(refused.status()).toBe(401)
      expect(refused.headers()['www-authenticate']).toMatch(/^Basic realm=/)
      const page = await owner.newPage()
      await page.goto(`http://127.0.0.1:${port}/`)
      await page.getByRole('heading', { name: 'Head office' }).waitFor()
      expect(await page.getByRole('heading', { name: /High Street/ }).count()).toBe(1)
      const row = page.getByRole('row', { name: /Front counter \(T1\)/ })
      // Five sales today (three, then two while head office was down), shipped and counted.
      expect(await row.getByRole('cell').first().textContent()).toBe('5')
      expect(await page.getByText('No open alerts.').count()).toBe(1)
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'headoffice-overview-en.png'), fullPage: true })
      // In Simplified Chinese for a browser that asks for it, or with ?lang=zh-CN.
      const zh = await rig.browser.newContext({ locale: 'zh-CN', extraHTTPHeaders: { authorization: `Basic ${Buffer.from('owner:admin').toString('base64')}` }, viewport: { width: 1280, height: 800 } })
      try {
        const zhPage = await zh.newPage()
        await zhPage.goto(`http://127.0.0.1:${port}/`)
        await zhPage.getByRole('heading', { name: '总部' }).waitFor()
        expect(await zhPage.getByRole('columnheader', { name: '收银台' }).count()).toBe(1)
        expect(await zhPage.getByText('没有未处理的警报。').count()).toBe(1)
        // The signed head's kind is worded too (the till signs a checkpoint or a Z), not left as the till's English word.
        expect(await zhPage.getByRole('row', { name: /Front counter \(T1\)/ }).getByRole('cell').last().textContent()).toMatch(/\((检查点|Z \d+ 结账)，|\((检查点|Z \d+ 结账), /)
        expect(await zhPage.locator('html').getAttribute('lang')).toBe('zh-CN')
        await zhPage.screenshot({ path: join(SCREENSHOT_DIR, 'headoffice-overview-zh-CN.png'), fullPage: true })
        await page.goto(`http://127.0.0.1:${port}/?lang=zh-CN`)
        expect(await page.getByRole('heading', { name: '总部' }).count()).toBe(1)
      } finally {
        await zh.close()
      }
    } finally {
      await anonymous.close()
      await owner.close()
    }
  })
})
