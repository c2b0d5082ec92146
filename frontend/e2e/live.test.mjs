// @ts-check
// Two people signed in at once: what one changes appears on the other's board and contact page
// without a reload, announced by name.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, launch, SAME_ORIGIN, SHOTS } from './browser.mjs'
import { PipelinePage } from './pages.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

test('a change made in one signed-in page appears in the other without reload', async () => {
  const { page, browser } = ctx
  // A colleague joins by invitation, in a browser of their own.
  const invitation = await page.request.post('/api/v1/invitations', {
    headers: SAME_ORIGIN,
    data: { email: `ada.live.${Date.now()}@example.com`, role: 'member' },
  })
  assert.equal(invitation.status(), 201, await invitation.text())
  const link = (await invitation.json()).accept_url
  const other = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1280, height: 800 } })
  const ada = await other.newPage()
  ada.setDefaultTimeout(10_000)
  await ada.goto(new URL(link).pathname)
  await ada.getByLabel('Your name').fill('Ada Live')
  await ada.getByLabel(/Choose a password/).fill('a long passphrase')
  await ada.getByRole('button', { name: /Join/ }).click()
  await ada.waitForURL((url) => url.pathname === '/')

  const board = new PipelinePage(page)
  await board.open()
  const first = await page.locator('.board-column').first().getAttribute('data-stage')
  const second = await page.locator('.board-column').nth(1).getAttribute('data-stage')
  assert.ok(first && second)
  // Ada adds a deal and moves it on; the open board follows, and says who did it.
  const title = `Website redesign ${Date.now()}`
  const created = await ada.request.post('/api/v1/deals', { headers: SAME_ORIGIN, data: { title } })
  assert.equal(created.status(), 201, await created.text())
  const deal = await created.json()
  await board.card(first, title).waitFor()
  await page.getByText(`Ada Live: `).first().waitFor()
  const stages = await (await ada.request.get(`/api/v1/pipelines/${deal.pipeline_id}`)).json()
  const target = stages.stages.find((/** @type {{name: string}} */ s) => s.name === second)
  const moved = await ada.request.patch(`/api/v1/deals/${deal.id}`, {
    headers: SAME_ORIGIN,
    data: { stage_id: target.id, version: deal.version },
  })
  assert.equal(moved.status(), 200, await moved.text())
  await board.card(second, title).waitFor()
  await board.card(first, title).waitFor({ state: 'detached' })
  await page.screenshot({ path: `${SHOTS}live-board.png`, fullPage: true })

  // On a contact's page: Ada logs a call; it shows on the timeline here.
  const contact = await page.request.post('/api/v1/contacts', {
    headers: SAME_ORIGIN,
    data: { first_name: 'Liv', last_name: 'Updates' },
  })
  const liv = await contact.json()
  await page.goto(`/contacts/${liv.id}`)
  await page.getByRole('heading', { level: 1, name: 'Liv Updates' }).waitFor()
  const call = await ada.request.post('/api/v1/interactions', {
    headers: SAME_ORIGIN,
    data: { contact_id: liv.id, kind: 'call', subject: 'Called about the launch' },
  })
  assert.equal(call.status(), 201, await call.text())
  await page.getByRole('list', { name: 'Interactions' }).getByText('Called about the launch').waitFor()
  await page.screenshot({ path: `${SHOTS}live-contact.png`, fullPage: true })
  await other.close()
})
