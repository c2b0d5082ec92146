// @ts-check
// The trash as a person uses it: a deleted contact and deal are listed together with the day
// they will be deleted for good; Restore brings one back, Delete for good removes the other.
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

test('trashed records are restored or deleted for good from one page', async () => {
  const { page } = ctx
  const contact = await (
    await page.request.post('/api/v1/contacts', {
      data: { first_name: 'Tobias', last_name: 'Wrenfield', emails: ['tobias@wren.example'] },
      headers: SAME_ORIGIN,
    })
  ).json()
  const deal = await (
    await page.request.post('/api/v1/deals', {
      data: { title: 'Wrenfield greenhouse', contact_id: contact.id, value_minor: 120000 },
      headers: SAME_ORIGIN,
    })
  ).json()
  for (const path of [`/api/v1/deals/${deal.id}`, `/api/v1/contacts/${contact.id}`]) {
    assert.equal((await page.request.delete(path, { headers: SAME_ORIGIN })).status(), 204)
  }
  await page.goto('/')
  await page.getByRole('link', { name: 'Trash', exact: true }).click()
  await page.getByRole('heading', { name: 'Trash' }).waitFor()
  const item = (/** @type {string} */ title) =>
    page.getByTestId('trash-item').filter({ has: page.getByRole('link', { name: title, exact: true }) })
  const person = item('Tobias Wrenfield')
  const greenhouse = item('Wrenfield greenhouse')
  await person.waitFor()
  await greenhouse.waitFor()
  assert.match(await person.innerText(), /Deleted today · deleted for good on/)
  await page.screenshot({ path: `${SHOTS}trash.png`, fullPage: true })

  await person.getByRole('button', { name: 'Restore' }).click()
  await person.waitFor({ state: 'detached' })
  const back = await page.request.get(`/api/v1/contacts/${contact.id}`)
  assert.equal(back.status(), 200)

  page.once('dialog', (d) => d.accept())
  await greenhouse.getByRole('button', { name: 'Delete for good' }).click()
  await greenhouse.waitFor({ state: 'detached' })
  const gone = await page.request.get(`/api/v1/deals/${deal.id}?include_trashed=true`)
  assert.equal(gone.status(), 404)
  await page.getByRole('tab', { name: 'Deals' }).click()
  await page.getByText('The trash is empty').waitFor()
})
