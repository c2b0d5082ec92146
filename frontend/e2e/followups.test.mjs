// @ts-check
// Logging an interaction moves the follow-up date; working the queue clears a follow-up.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launch, SHOTS, SAME_ORIGIN } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

/** @param {Record<string, unknown>} body */
async function contact(body) {
  const res = await ctx.page.request.post('/api/v1/contacts', { data: body, headers: SAME_ORIGIN })
  assert.equal(res.status(), 201, await res.text())
  return res.json()
}

test('logging a call on the contact page moves the next follow-up', async () => {
  const { page } = ctx
  const gil = await contact({
    first_name: 'Gil',
    last_name: 'Scott',
    lifecycle: 'lead',
    next_follow_up_at: new Date(Date.now() + 60 * 864e5).toISOString(),
  })
  await page.goto(`/contacts/${gil.id}`)
  const followUp = page.locator('p', { hasText: 'Next follow-up:' })
  await followUp.waitFor()
  assert.doesNotMatch(await followUp.innerText(), /in 3 days/)

  await page.getByRole('radio', { name: /Call/ }).check({ force: true })
  await page.getByLabel('Subject').fill('Intro call')
  await page.getByLabel('Outcome').selectOption('positive')
  await page.getByLabel('Subject').press('Enter')
  await page.getByRole('list', { name: 'Interactions' }).getByText('Intro call').waitFor()
  // Leads are followed up every 3 days by default.
  await page.locator('p', { hasText: 'Next follow-up: in 3 days' }).waitFor()
  assert.match(await page.locator('p', { hasText: 'Last interaction:' }).innerText(), /today/)
  await page.screenshot({ path: `${SHOTS}timeline.png`, fullPage: true })
})

test('a due follow-up is worked from the queue with the keyboard', async () => {
  const { page } = ctx
  await contact({
    first_name: 'Fiona',
    last_name: 'Follow',
    lifecycle: 'prospect',
    next_follow_up_at: new Date(Date.now() - 5 * 864e5).toISOString(),
  })
  await page.goto('/follow-ups')
  const row = page.getByRole('listitem').filter({ hasText: 'Fiona Follow' })
  await row.waitFor()
  assert.match(await row.innerText(), /Overdue by \d+ days?/)
  assert.match(await row.innerText(), /Follow-up date set by hand/)
  await page.screenshot({ path: `${SHOTS}follow-ups.png`, fullPage: true })
  const badge = page.locator('.nav-badge')
  await badge.waitFor()
  const before = Number(await badge.innerText())

  await row.click()
  // t: write to her from a template, then come back to the queue.
  await page.keyboard.press('t')
  await page.getByRole('region', { name: 'Write an email' }).waitFor()
  await page.goBack()
  await row.click()
  await page.keyboard.press('c')
  await page.getByText('Follow-up call logged for Fiona Follow').waitFor()
  await row.waitFor({ state: 'detached' })
  await page.waitForFunction(
    (n) => Number(document.querySelector('.nav-badge')?.textContent ?? 0) < n,
    before,
  )

  // The call is on Fiona's timeline and her next follow-up is a week out.
  await page.goto('/contacts?q=fiona')
  await page.getByRole('link', { name: /Fiona Follow/ }).click()
  await page.getByRole('list', { name: 'Interactions' }).getByText('Follow-up call').waitFor()
  await page.locator('p', { hasText: 'Next follow-up: in 7 days' }).waitFor()

  // The history on her page and the dashboard's recent activity both tell what happened.
  await page.getByText('History').click()
  await page
    .getByRole('list', { name: 'Activity' })
    .getByText('Logged a call with Fiona Follow: Follow-up call')
    .waitFor()
  await page.goto('/')
  await page.getByRole('link', { name: 'Logged a call with Fiona Follow: Follow-up call' }).first().waitFor()
})

test('a reminder added on the contact page shows up in the queue and is completed there', async () => {
  const { page } = ctx
  const hana = await contact({ first_name: 'Hana', last_name: 'Remind', lifecycle: 'client' })
  await page.goto(`/contacts/${hana.id}`)
  await page.getByLabel('Reminder', { exact: true }).fill('Send the revised quote')
  // Due later today — an hour from now, but never past midnight (the queue shows today's work).
  const endOfToday = new Date()
  endOfToday.setHours(23, 59, 0, 0)
  const soon = new Date(Math.min(Date.now() + 60 * 60 * 1000, endOfToday.getTime()))
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0')
  const local = `${soon.getFullYear()}-${pad(soon.getMonth() + 1)}-${pad(soon.getDate())}T${pad(soon.getHours())}:${pad(soon.getMinutes())}`
  await page.getByLabel('Due').fill(local)
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await page.getByRole('list', { name: 'Reminders' }).getByText('Send the revised quote').waitFor()
  await page.locator('p', { hasText: /Next follow-up: (today|tomorrow)/ }).waitFor()

  await page.goto('/follow-ups')
  const row = page.getByRole('listitem').filter({ hasText: 'Hana Remind' })
  await row.waitFor()
  assert.match(await row.innerText(), /Reminder: Send the revised quote/)
  await row.getByRole('button', { name: 'Done' }).click()
  await page.getByText('Done: Send the revised quote').waitFor()
  await row.waitFor({ state: 'detached' })

  await page.goto(`/contacts/${hana.id}`)
  await page.getByText('No open reminders.').waitFor()
  // Back on the client cadence: 30 days from creation.
  await page.locator('p', { hasText: /Next follow-up: \w{3} \d{1,2}, \d{4}/ }).waitFor()
})

test('a snooze the server refuses puts the row back where it was and says why', async () => {
  const { page } = ctx
  const sam = await contact({
    first_name: 'Sam',
    last_name: 'Stale',
    lifecycle: 'prospect',
    next_follow_up_at: new Date(Date.now() - 3 * 864e5).toISOString(),
  })
  await page.goto('/follow-ups')
  const row = page.getByRole('listitem').filter({ hasText: 'Sam Stale' })
  await row.waitFor()
  // Someone else edits Sam meanwhile: the queue's copy is now a version behind.
  const res = await page.request.patch(`/api/v1/contacts/${sam.id}`, {
    data: { job_title: 'Buyer', version: sam.version },
    headers: SAME_ORIGIN,
  })
  assert.equal(res.status(), 200, await res.text())

  // The snooze holds at the server until the row has left the queue: the change shows at once.
  let release = () => {}
  const held = new Promise((resolve) => (release = () => resolve(undefined)))
  await page.route(`**/api/v1/contacts/${sam.id}`, async (route) => {
    if (route.request().method() === 'PATCH') await held
    await route.continue()
  })
  await row.click()
  await page.keyboard.press('s')
  await row.waitFor({ state: 'detached' })
  release()
  await page.getByText(/^Sam Stale is back in the queue: /).waitFor()
  await row.waitFor()
  await page.unroute(`**/api/v1/contacts/${sam.id}`)
  // Nothing was snoozed.
  const now = await (await page.request.get(`/api/v1/contacts/${sam.id}`)).json()
  assert.equal(now.next_follow_up_at, sam.next_follow_up_at)
})
