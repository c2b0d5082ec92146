// @ts-check
// A new workspace's first run: the dashboard's checklist ticks a step once it is done, demo
// data is loaded and removed from it, and the checklist is put away.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launch, SAME_ORIGIN, SHOTS } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

test('a new workspace gets a checklist, demo data in and out, and puts it away', async () => {
  const { page } = ctx
  // A workspace of its own (this session only), so the test starts empty.
  const created = await page.request.post('/api/v1/workspaces', {
    headers: SAME_ORIGIN,
    data: { name: 'Fresh start' },
  })
  assert.equal(created.status(), 201, await created.text())
  const ws = await created.json()
  const switched = await page.request.post('/api/v1/me/workspace', {
    headers: SAME_ORIGIN,
    data: { workspace_id: ws.id },
  })
  assert.equal(switched.status(), 200, await switched.text())

  await page.goto('/')
  const card = page.getByTestId('onboarding')
  await card.getByRole('heading', { name: 'Get started · 0 of 6 done' }).waitFor()
  await page.screenshot({ path: `${SHOTS}onboarding.png`, fullPage: true })

  // Demo data in: the dashboard and the contact list fill up.
  await card.getByRole('button', { name: 'Load demo data' }).click()
  await page.getByText(/Demo data loaded: \d+ contacts/).waitFor({ timeout: 30_000 })
  await card.getByRole('button', { name: 'Remove demo data' }).waitFor()
  await page.goto('/contacts')
  await page.locator('table[aria-label="Contacts"] tr.row-link').first().waitFor()
  const loaded = await (await page.request.get('/api/v1/contacts?include_total=true&limit=1')).json()
  assert.ok(loaded.total >= 10, `${loaded.total} demo contacts`)

  // A colleague invited: that step ticks itself.
  const invited = await page.request.post('/api/v1/invitations', {
    headers: SAME_ORIGIN,
    data: { email: 'colleague@example.com', role: 'member' },
  })
  assert.equal(invited.status(), 201)
  await page.goto('/')
  await card.getByRole('heading', { name: 'Get started · 1 of 6 done' }).waitFor()
  assert.match(await card.locator('li.done').innerText(), /Invite a colleague/)

  // Demo data out (after confirming): nothing of it is left.
  page.once('dialog', (d) => void d.accept())
  await card.getByRole('button', { name: 'Remove demo data' }).click()
  await page.getByText(/Demo data removed: \d+ contacts/).waitFor()
  const contacts = await (await page.request.get('/api/v1/contacts?include_total=true&limit=1')).json()
  assert.equal(contacts.total, 0)

  // Put away, and it stays away.
  await card.getByRole('button', { name: 'Hide' }).click()
  await card.waitFor({ state: 'detached' })
  await page.reload()
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
  assert.equal(await page.getByTestId('onboarding').count(), 0)

  // …until asked back from the dashboard, with what is left to do.
  const reopen = page.getByTestId('onboarding-reopen')
  assert.match(await reopen.innerText(), /Show the getting-started checklist \(5 steps left\)/)
  await reopen.click()
  await card.getByRole('heading', { name: 'Get started · 1 of 6 done' }).waitFor()
  await page.reload()
  await card.getByRole('heading', { name: 'Get started · 1 of 6 done' }).waitFor()

  // The charts' figures are there as tables too.
  await page.getByText('Show as a table').first().click()
  await page.getByRole('columnheader', { name: 'Stage' }).first().waitFor()
})
