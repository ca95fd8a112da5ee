/**
 * The live stock page in headless Chromium (Debian's `chromium`, driven by playwright-core): its rows follow a
 * `restock` run in another tab, and one run over HTTP by another client, without reloading.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_STAFF_KEY } from '../src/engine.js'
import { killAll, render, startScript, type Running } from './server.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const skip = !existsSync(CHROMIUM) && !process.env.CI ? `no Chromium at ${CHROMIUM}` : undefined

let demo: Running
let browser: Browser

beforeAll(async () => {
  if (skip) return
  demo = await startScript('start')
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless'] })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  killAll()
})

/** The text of a product's stock cell on the live page. */
function level(page: Page, sku: string): Promise<string> {
  return page.locator(`tr[data-sku="${sku}"] td.level`).innerText()
}

/** The units a check_stock cell shows (`… 7 left`, `… out of stock`). */
function unitsIn(text: string): number {
  if (/out of stock/i.test(text)) return 0
  const match = /(\d+) left/.exec(text)
  if (!match) throw new Error(`no units in '${text}'`)
  return Number(match[1])
}

describe.skipIf(skip !== undefined)(
  `the live stock page in Chromium${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('updates a stock level when staff restock in another tab, and when another client does', async () => {
      const viewer = await browser.newPage()
      const errors: string[] = []
      viewer.on('pageerror', (error) => errors.push(error.message))
      await viewer.goto(`${demo.origin}/live`)
      await viewer.locator('#store').selectOption('portland')
      await viewer.waitForSelector('#connection[data-state="connected"]')
      await viewer.waitForFunction(() =>
        [...document.querySelectorAll('td.level')].every((cell) =>
          /left|out of stock/i.test(cell.textContent ?? ''),
        ),
      )
      const before = unitsIn(await level(viewer, 'TE-101'))

      // Staff restock in another tab.
      const staff = await browser.newPage()
      await staff.goto(`${demo.origin}/live`)
      await staff.locator('#store').selectOption('portland')
      await staff.locator('input[name=key]').fill(DEMO_STAFF_KEY)
      await staff.locator('select[name=sku]').selectOption('TE-101')
      await staff.locator('input[name=units]').fill('4')
      await staff.locator('#restock button').click()
      await staff.waitForFunction(() =>
        /Restocked 4 × TE-101/.test(document.getElementById('restock-result')!.textContent ?? ''),
      )

      await viewer.waitForFunction(
        (expected) =>
          (document.querySelector('tr[data-sku="TE-101"] td.level')?.textContent ?? '').includes(
            `${expected} left`,
          ),
        before + 4,
        { timeout: 5000 },
      )

      // Another client (no browser) restocks over HTTP.
      const restocked = await render(
        demo.url,
        'restock',
        { sku: 'TE-101', store: 'portland', units: 1 },
        { 'x-api-key': DEMO_STAFF_KEY },
      )
      expect(restocked.status).toBe(200)
      await viewer.waitForFunction(
        (expected) =>
          (document.querySelector('tr[data-sku="TE-101"] td.level')?.textContent ?? '').includes(
            `${expected} left`,
          ),
        before + 5,
        { timeout: 5000 },
      )
      // Other products were not pushed again.
      expect(await viewer.locator('tr[data-sku="SB-110"]').getAttribute('data-updates')).toBe('1')

      // Without the staff key, the command is refused and nothing changes.
      await staff.locator('input[name=key]').fill('')
      await staff.locator('#restock button').click()
      await staff.waitForFunction(() =>
        /UNAUTHORIZED/.test(document.getElementById('restock-result')!.textContent ?? ''),
      )
      expect(unitsIn(await level(viewer, 'TE-101'))).toBe(before + 5)
      expect(errors).toEqual([])
    }, 60_000)
  },
)
