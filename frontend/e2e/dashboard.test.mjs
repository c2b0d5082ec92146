// @ts-check
// The dashboard, arranged by its member: cards reordered and hidden, the period of revenue and
// win rate chosen, all kept across reloads; a change the server refuses is rolled back.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launch, SHOTS } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

/** The dashboard's cards in the order shown. @param {import('playwright-core').Page} page */
const order = (page) =>
  page
    .locator('.dashboard-grid > [data-card]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-card')))

test('cards are reordered, hidden and kept with the chosen period; a refused change is undone', async () => {
  const { page } = ctx
  await page.goto('/')
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
  await page.locator('[data-card="figures"]').waitFor()
  assert.deepEqual((await order(page)).slice(0, 2), ['figures', 'pipeline_by_stage'])

  await page.getByTestId('customize-dashboard').click()
  await page.getByRole('button', { name: 'Move Revenue by month up' }).click()
  await page.getByRole('button', { name: 'Move Revenue by month up' }).click()
  await page.locator('[data-card="recent_activity"]').getByRole('checkbox', { name: 'Shown' }).uncheck()
  await page.locator('[name="period"]').selectOption('this_quarter')
  await page.getByTestId('period-revenue').waitFor()
  await page.getByText('Revenue, this quarter').waitFor()
  await page.screenshot({ path: `${SHOTS}dashboard-customize.png`, fullPage: true })
  await page.getByTestId('customize-dashboard').click()

  // Kept: after a reload the order, the hidden card and the period are as left.
  await page.reload()
  await page.locator('[data-card="figures"]').waitFor()
  const kept = await order(page)
  assert.deepEqual(kept.slice(0, 2), ['figures', 'revenue_by_month'])
  assert.ok(!kept.includes('recent_activity'), 'hidden')
  assert.equal(await page.locator('[name="period"]').inputValue(), 'this_quarter')
  await page.getByText('Revenue by month').first().waitFor()

  // The server refuses: the card comes back as it was, and the page says why.
  await page.route('**/api/v1/me/dashboard-layout', (route) =>
    route.request().method() === 'PUT'
      ? route.fulfill({
          status: 503,
          contentType: 'application/problem+json',
          body: JSON.stringify({
            type: 'about:blank',
            title: 'Service Unavailable',
            status: 503,
            detail: 'try later',
            code: 'unavailable',
          }),
        })
      : route.continue(),
  )
  await page.getByTestId('customize-dashboard').click()
  const stalled = page.locator('[data-card="stalled_deals"]').getByRole('checkbox', { name: 'Shown' })
  await stalled.click() // not uncheck(): the rollback may land before it could look
  await page.getByText(/The dashboard could not be arranged/).waitFor()
  assert.equal(await stalled.isChecked(), true, 'rolled back')
  await page.unroute('**/api/v1/me/dashboard-layout')

  // Back to the default arrangement for the other tests.
  await page.locator('[data-card="recent_activity"]').getByRole('checkbox', { name: 'Shown' }).check()
  await page.locator('[name="period"]').selectOption('last_12_months')
  await page.getByText('Revenue, last 12 months').waitFor()
})
