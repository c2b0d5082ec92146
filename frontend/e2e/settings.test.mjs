// @ts-check
// A person changes a follow-up cadence and subscribes to the calendar feed from Settings.
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

test('cadences and the calendar link', async () => {
  const { page } = ctx
  await page.goto('/settings')
  const timezone = page.locator('[name="timezone"]')
  await timezone.waitFor()
  await timezone.fill('Mars/Olympus')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText(/is not a time zone name/).waitFor()
  await timezone.fill('Europe/Paris')
  await page.locator('[name="cadence_lead"]').fill('5')
  await page.getByRole('button', { name: 'Save' }).click()
  await page.getByText('Settings saved').waitFor()
  const settings = await (await page.request.get('/api/v1/settings')).json()
  assert.equal(settings.timezone, 'Europe/Paris')
  assert.equal(settings.follow_up_cadence_days.lead, 5)
  // Put it back for other tests.
  await page.request.patch('/api/v1/settings', {
    data: { timezone: 'UTC', follow_up_cadence_days: { lead: 3, prospect: 7, client: 30, inactive: null } },
  })

  await page.getByRole('button', { name: 'Make a calendar link' }).click()
  const link = page.getByLabel('Calendar feed link')
  await link.waitFor()
  const url = await link.inputValue()
  assert.match(url, /\/api\/v1\/calendar\/[\w-]+\.ics$/)
  const feed = await page.request.get(url)
  assert.equal(feed.status(), 200)
  assert.match(await feed.text(), /^BEGIN:VCALENDAR\r\n/)
  await page.screenshot({ path: `${SHOTS}settings.png`, fullPage: true })
})
