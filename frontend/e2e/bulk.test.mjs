// @ts-check
// Changing many contacts at once as a person would: tick rows (shift-click for a range), tag them
// all from the bar, undo it from the message, then move them to the trash after confirming.
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

test('contacts selected in the list are tagged together, the tag is undone, then they go to the trash', async () => {
  const { page } = ctx
  for (const last of ['Alder', 'Birch', 'Cedar']) {
    const res = await page.request.post('/api/v1/contacts', {
      data: { first_name: 'Grove', last_name: last, tags: ['grove'] },
      headers: SAME_ORIGIN,
    })
    assert.equal(res.status(), 201)
  }
  await page.goto('/contacts?tag=grove&sort=name')
  const rows = page.locator('tbody tr.row-link')
  await rows.nth(2).waitFor()
  assert.equal(await rows.count(), 3)
  await page.getByRole('checkbox', { name: 'Select Grove Alder' }).click()
  await page.getByRole('checkbox', { name: 'Select Grove Cedar' }).click({ modifiers: ['Shift'] })
  const bar = page.getByTestId('bulk-bar')
  await bar.getByText('3 selected').waitFor()
  await bar.getByLabel('Tag to add').fill('webinar')
  await page.screenshot({ path: `${SHOTS}bulk-selected.png`, fullPage: true })
  await bar.getByRole('button', { name: 'Add tag' }).click()
  const done = page.getByRole('status').filter({ hasText: 'Added the tag webinar to 3 contacts' })
  await done.waitFor()
  await rows.filter({ hasText: 'webinar' }).nth(2).waitFor()
  await page.screenshot({ path: `${SHOTS}bulk-tagged.png`, fullPage: true })

  await done.getByRole('button', { name: 'Undo' }).click()
  await page.getByRole('status').filter({ hasText: 'Undone' }).waitFor()
  await page.waitForFunction(() => !document.querySelector('tbody')?.textContent?.includes('webinar'))

  await page.getByRole('checkbox', { name: 'Select all contacts shown' }).check()
  await bar.getByText('3 selected').waitFor()
  await bar.getByRole('button', { name: 'Move to trash' }).click()
  const confirm = page.getByRole('dialog', { name: 'Move 3 contacts to the trash?' })
  await confirm.getByRole('button', { name: 'Move to trash' }).click()
  await page.getByRole('status').filter({ hasText: 'Moved 3 contacts to the trash' }).waitFor()
  await page.getByText('No contacts match').waitFor()
  const left = await page.request.get('/api/v1/contacts?tag=grove')
  assert.equal((await left.json()).items.length, 0)
})

test('a filtered list is saved as a view, shown with its count, and opened again in one click', async () => {
  const { page } = ctx
  for (const last of ['Apple', 'Pear']) {
    const res = await page.request.post('/api/v1/contacts', {
      data: { first_name: 'Orchard', last_name: last, tags: ['orchard'] },
      headers: SAME_ORIGIN,
    })
    assert.equal(res.status(), 201)
  }
  await page.goto('/contacts?tag=orchard')
  await page.locator('tbody tr.row-link').nth(1).waitFor()
  const views = page.getByRole('navigation', { name: 'Saved views' })
  await views.getByRole('button', { name: '+ Save view' }).click()
  await views.getByLabel('View name').fill('Orchard people')
  await views.getByLabel('Shared with the workspace').check()
  await views.getByRole('button', { name: 'Save' }).click()
  await page.getByRole('status').filter({ hasText: 'Saved the view Orchard people' }).waitFor()
  const chip = views.getByRole('button', { name: /^Orchard people/ })
  assert.match(await chip.innerText(), /Orchard people\s*2/)
  await page.screenshot({ path: `${SHOTS}saved-view.png`, fullPage: true })

  await page.goto('/contacts')
  await views.getByRole('button', { name: /^Orchard people/ }).click()
  await page.waitForURL(/tag=orchard/)
  // The unfiltered rows stay until the filtered answer replaces them, count and all.
  await page.getByTestId('contact-count').getByText('2 contacts').waitFor()
  await page.locator('tbody tr.row-link').filter({ hasText: 'Orchard Pear' }).waitFor()
  assert.equal(await page.locator('tbody tr.row-link').count(), 2)
})

test('deals ticked in the list move to a stage together and come back with Undo', async () => {
  const { page } = ctx
  const stamp = Date.now()
  const pipelines = (await (await page.request.get('/api/v1/pipelines')).json()).items
  const sales = pipelines.find((/** @type {{ name: string }} */ p) => p.name === 'Sales')
  const lead = sales.stages.find((/** @type {{ name: string }} */ s) => s.name === 'Lead')
  for (const name of ['Ash', 'Elm']) {
    const res = await page.request.post('/api/v1/deals', {
      data: { title: `Bulk ${name} ${stamp}`, stage_id: lead.id, value_minor: 10000 },
      headers: SAME_ORIGIN,
    })
    assert.equal(res.status(), 201, await res.text())
  }
  await page.goto(`/deals?q=${stamp}`)
  const table = page.getByRole('table', { name: 'Deals' })
  await table.getByText(`Bulk Elm ${stamp}`).waitFor()
  await page.getByRole('checkbox', { name: `Select Bulk Ash ${stamp}` }).click()
  await page.getByRole('checkbox', { name: `Select Bulk Elm ${stamp}` }).click({ modifiers: ['Shift'] })
  const bar = page.getByTestId('bulk-bar')
  await bar.getByText('2 selected').waitFor()
  await bar.getByLabel('Move to a stage').selectOption({ label: 'Qualified' })
  const done = page.getByRole('status').filter({ hasText: 'Moved 2 deals to Qualified' })
  await done.waitFor()
  await page.waitForFunction(
    () => (document.querySelector('table tbody')?.textContent?.match(/Qualified/g) ?? []).length === 2,
  )
  await page.screenshot({ path: `${SHOTS}bulk-deals.png`, fullPage: true })
  await done.getByRole('button', { name: 'Undo' }).click()
  await page.getByRole('status').filter({ hasText: 'Undone' }).waitFor()
  const back = (await (await page.request.get(`/api/v1/deals?q=${stamp}`)).json()).items
  assert.deepEqual(
    back.map((/** @type {{ stage_name: string }} */ d) => d.stage_name),
    ['Lead', 'Lead'],
  )
})

test('companies ticked in the list go to the trash together after confirming', async () => {
  const { page } = ctx
  const stamp = Date.now()
  for (const name of ['North', 'South']) {
    const res = await page.request.post('/api/v1/companies', {
      data: { name: `Bulkco ${name} ${stamp}` },
      headers: SAME_ORIGIN,
    })
    assert.equal(res.status(), 201, await res.text())
  }
  await page.goto(`/companies?q=${stamp}`)
  await page.getByRole('checkbox', { name: 'Select every row shown' }).check()
  const bar = page.getByTestId('bulk-bar')
  await bar.getByText('2 selected').waitFor()
  await bar.getByRole('button', { name: 'Move to trash' }).click()
  await page
    .getByRole('dialog', { name: 'Move 2 companies to the trash?' })
    .getByRole('button', { name: 'Move to trash' })
    .click()
  await page.getByRole('status').filter({ hasText: 'Moved 2 companies to the trash' }).waitFor()
  const left = (await (await page.request.get(`/api/v1/companies?q=${stamp}`)).json()).items
  assert.equal(left.length, 0)
})
