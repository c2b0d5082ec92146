// @ts-check
// Finding duplicates as a new user would: two contacts with the same email show up as a pair
// with the reason, and "Not a duplicate" removes the pair for good.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launch, SAME_ORIGIN, SHOTS } from './browser.mjs'
import { ContactsPage } from './pages.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

test('a pair of look-alike contacts is shown with its reasons and can be dismissed', async () => {
  const { page } = ctx
  for (const last of ['Doubleday', 'Doubledey']) {
    const res = await page.request.post('/api/v1/contacts', {
      data: { first_name: 'Dora', last_name: last, emails: ['dora@twice.example'] },
      headers: SAME_ORIGIN,
    })
    assert.equal(res.status(), 201)
  }
  await page.goto('/contacts')
  await page.getByRole('link', { name: 'Duplicates', exact: true }).click()
  await page.getByRole('heading', { name: 'Possible duplicates' }).waitFor()
  const pair = page.getByTestId('duplicate-pair').filter({ hasText: 'Dora Doubledey' })
  await pair.waitFor()
  assert.match(await pair.innerText(), /Dora Doubleday[\s\S]*same email/)
  await page.screenshot({ path: `${SHOTS}duplicates.png`, fullPage: true })
  await pair.getByRole('button', { name: 'Not a duplicate' }).click()
  await pair.waitFor({ state: 'detached' })
  await page.reload()
  await page.getByRole('heading', { name: 'Possible duplicates' }).waitFor()
  await page.waitForFunction(() => !document.body.innerText.includes('Looking for duplicates'))
  assert.equal(await page.getByTestId('duplicate-pair').filter({ hasText: 'Dora Doubledey' }).count(), 0)
})

test('adding someone who is already there offers to open the existing one instead', async () => {
  const { page } = ctx
  const res = await page.request.post('/api/v1/contacts', {
    data: { first_name: 'Evelyn', last_name: 'Ashgrove', emails: ['evelyn@ashgrove.example'] },
    headers: SAME_ORIGIN,
  })
  assert.equal(res.status(), 201)
  const existing = await res.json()
  const list = new ContactsPage(page)
  await list.open()
  const form = await list.newContact()
  await form.fill({ first_name: 'Eve', last_name: 'Ashgrove', emails: 'Evelyn@Ashgrove.example' })
  await form.submit()
  const banner = page.getByTestId('possible-duplicates')
  await banner.waitFor()
  assert.match(await banner.innerText(), /Evelyn Ashgrove[\s\S]*same email/)
  await page.screenshot({ path: `${SHOTS}possible-duplicate.png` })
  const created = page.url().split('/').pop()
  await banner.getByRole('button', { name: 'Open Evelyn Ashgrove instead' }).click()
  await page.waitForURL(`**/contacts/${existing.id}`)
  await page.getByRole('heading', { name: 'Evelyn Ashgrove' }).waitFor()
  // The one just added went to the trash, where it can still be restored.
  const trashed = await page.request.get(`/api/v1/contacts/${created}?include_trashed=true`)
  assert.ok((await trashed.json()).deleted_at)
})
