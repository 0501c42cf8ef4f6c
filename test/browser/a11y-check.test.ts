// The accessible-name check used by the window tests can fail: an unnamed control is reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser } from 'playwright-core'
import { CHROMIUM } from '../fixtures/browser'
import { unnamedControls } from '../fixtures/a11y'

let browser: Browser
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] })
})
afterAll(async () => {
  await browser?.close()
})

describe('unnamedControls', () => {
  it('reports controls without an accessible name and passes named ones', async () => {
    const page = await browser.newPage()
    await page.setContent('<button>Pay cash</button><button></button><label>Barcode <input></label><input><img src="data:," alt="">')
    expect(await unnamedControls(page)).toEqual(['button', 'textbox'])
    await page.close()
  })
})
