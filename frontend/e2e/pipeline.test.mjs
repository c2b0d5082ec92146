// @ts-check
// A person adds a deal on the board, drags it to another stage, and finds it there after a reload;
// then opens it, marks it won and records a payment.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launch, SHOTS, SAME_ORIGIN } from './browser.mjs'
import { ContactsPage, PipelinePage } from './pages.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

test('a deal dragged to another stage stays there after a reload', async () => {
  const { page } = ctx
  const board = new PipelinePage(page)
  await board.open()
  const title = `Kanban deal ${Date.now()}`
  await board.quickAdd('Lead', title, '4,200')
  assert.match(await board.card('Lead', title).innerText(), /4,200/)

  await board.drag('Lead', title, 'Proposal')
  await page.getByText(`Moved “${title}” to Proposal`).waitFor()
  await board.card('Proposal', title).waitFor()
  await page.screenshot({ path: `${SHOTS}pipeline-after-drag.png`, fullPage: true })

  await page.reload()
  await board.card('Proposal', title).waitFor()
  // The list view finds it too, filtered by stage.
  await page.getByRole('link', { name: 'List' }).click()
  await page.getByRole('heading', { name: 'Deals' }).waitFor()
  await page.getByRole('searchbox', { name: 'Search deals' }).fill(title)
  await page.getByRole('table', { name: 'Deals' }).getByRole('link', { name: title }).waitFor()
  assert.match(await page.getByRole('table', { name: 'Deals' }).innerText(), /Proposal/)
  await board.open()
  await board.card('Proposal', title).waitFor()
  assert.equal(await board.card('Lead', title).count(), 0)
  assert.match(await board.column('Proposal').locator('.column-header').innerText(), /60% probability/)

  // The deal page shows the move in its history; winning it and recording a payment.
  await board.card('Proposal', title).getByRole('link', { name: title }).click()
  await page.getByRole('heading', { name: title }).waitFor()
  const history = page.locator('.stage-history')
  assert.match(await history.innerText(), /Lead → Proposal/)
})

test('a move the server refuses puts the card back where it was and says why', async () => {
  const { page } = ctx
  const board = new PipelinePage(page)
  await board.open()
  const title = `Contested deal ${Date.now()}`
  await board.quickAdd('Lead', title, '900')
  const found = await page.request.get(`/api/v1/deals?q=${encodeURIComponent(title)}`)
  const deal = (await found.json()).items[0]
  const leadCount = async () => board.column('Lead').locator('.count').innerText()
  const before = await leadCount()

  // The move is held at the server while someone else edits the deal, so it carries a stale
  // version: the card lands at once, then the refusal brings it back.
  let release = () => {}
  const held = new Promise((resolve) => (release = () => resolve(undefined)))
  await page.route(`**/api/v1/deals/${deal.id}`, async (route) => {
    if (route.request().method() === 'PATCH') await held
    await route.continue()
  })
  await board.drag('Lead', title, 'Qualified')
  await board.card('Qualified', title).waitFor()
  assert.equal(Number(await leadCount()), Number(before) - 1)
  const other = await page.request.patch(`/api/v1/deals/${deal.id}`, {
    data: { title: `${title} (renamed)`, version: deal.version },
    headers: SAME_ORIGIN,
  })
  assert.equal(other.status(), 200, await other.text())
  release()
  await page.getByText(new RegExp(`^“${title}” is back in Lead: `)).waitFor()
  await board.card('Lead', title).waitFor()
  await board.card('Qualified', title).waitFor({ state: 'detached' })
  await page.unroute(`**/api/v1/deals/${deal.id}`)
  const now = await (await page.request.get(`/api/v1/deals/${deal.id}`)).json()
  assert.equal(now.stage_id, deal.stage_id)
})

test('a won deal with a contact takes payments', async () => {
  const { page } = ctx
  const contacts = new ContactsPage(page)
  await contacts.open()
  // The deal's client, made here so the test needs no other test's data.
  const client = `Paula Payer ${Date.now()}`
  const made = await page.request.post('/api/v1/contacts', {
    headers: SAME_ORIGIN,
    data: { first_name: client.split(' ')[0], last_name: client.split(' ').slice(1).join(' ') },
  })
  assert.equal(made.status(), 201)
  await page.goto('/deals/new')
  const title = `Retainer ${Date.now()}`
  await page.getByRole('textbox', { name: 'Title' }).fill(title)
  await page.getByRole('searchbox', { name: 'Contact' }).fill(client)
  const results = page.getByRole('combobox', { name: 'Contact results' })
  await results.locator('option').nth(1).waitFor({ state: 'attached' })
  await results.selectOption({ index: 1 })
  await page.getByRole('textbox', { name: 'Value' }).fill('abc')
  await page.getByText('Type a number').waitFor()
  await page.getByRole('textbox', { name: 'Value' }).fill('1500')
  await page.getByRole('checkbox', { name: 'Retainer (paid monthly)' }).check()
  await page.getByRole('spinbutton', { name: 'Months' }).fill('6')
  await page.getByRole('button', { name: 'Add deal' }).click()
  await page.waitForURL(/\/deals\/[0-9a-f-]{36}$/)
  await page.getByText('6 months').waitFor()

  page.once('dialog', (d) => d.accept())
  await page.getByRole('button', { name: 'Won', exact: true }).click()
  await page.getByText('Marked as won').waitFor()
  await page.getByRole('button', { name: 'Record a payment' }).click()
  await page.getByRole('textbox', { name: /Amount/ }).fill('1,500.00')
  await page.getByRole('button', { name: 'Record payment' }).click()
  await page.getByText('Recorded €1,500.00').waitFor()
  assert.match(await page.locator('.table').innerText(), /1,500\.00/)
})

test('the dashboard narrows to one member’s work', async () => {
  const { page } = ctx
  const created = await page.request.post('/api/v1/deals', {
    data: { title: `Unassigned retainer ${Date.now()}`, value_minor: 12_345_600, owner_id: null },
    headers: SAME_ORIGIN,
  })
  assert.equal(created.status(), 201, await created.text())
  await page.goto('/')
  const value = page.getByTestId('open-value')
  await value.waitFor()
  const everyone = await value.innerText()
  const whose = page.getByLabel('Whose work')
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/v1/dashboard') && r.url().includes('owner=none')),
    whose.selectOption('none'),
  ])
  assert.equal(res.status(), 200)
  // Only that deal belongs to nobody, and the figure on the page is its value.
  assert.equal((await res.json()).open_value_minor, 12_345_600)
  await page.waitForFunction(
    (before) => document.querySelector('[data-testid="open-value"]')?.textContent?.trim() !== before,
    everyone.trim(),
  )
  await page.screenshot({ path: `${SHOTS}dashboard-nobody.png`, fullPage: true })
  // The choice is remembered; set it back to everyone for the other tests.
  await page.reload()
  assert.equal(await page.getByLabel('Whose work').inputValue(), 'none')
  await page.getByLabel('Whose work').selectOption('')
})
