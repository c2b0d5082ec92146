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

test('a pair is merged field by field, the old address leads to the survivor, and the merge is undone', async () => {
  const { page } = ctx
  /** @type {string[]} */
  const ids = []
  for (const body of [
    { first_name: 'Mona', last_name: 'Marsh', emails: ['mona@marsh.example'], tags: ['vip'] },
    {
      first_name: 'Mona',
      last_name: 'Marsh-Lee',
      emails: ['MONA@marsh.example', 'mona@home.example'],
      job_title: 'Architect',
    },
  ]) {
    const res = await page.request.post('/api/v1/contacts', { data: body, headers: SAME_ORIGIN })
    assert.equal(res.status(), 201)
    ids.push((await res.json()).id)
  }
  const res = await page.request.post('/api/v1/interactions', {
    data: { contact_id: ids[1], kind: 'call', subject: 'Site visit' },
    headers: SAME_ORIGIN,
  })
  assert.equal(res.status(), 201)

  await page.goto('/duplicates')
  const pair = page.getByTestId('duplicate-pair').filter({ hasText: 'Mona Marsh-Lee' })
  await pair.getByRole('button', { name: 'Merge…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Merge contacts' })
  await dialog.waitFor()
  // Keep the first one; take the other's last name; emails are combined by default.
  const first = (await pair.locator('.record strong').first().innerText()).trim()
  const keepMarsh = first === 'Mona Marsh' ? 0 : 1
  await dialog.getByRole('radio', { name: /^Keep/ }).nth(keepMarsh).check()
  const row = (/** @type {string} */ field) => dialog.locator(`tr[data-field="${field}"]`)
  await row('emails').locator('.result').filter({ hasText: 'mona@home.example' }).waitFor()
  await dialog.getByRole('radio', { name: 'Last name: take Mona Marsh-Lee’s' }).check()
  await row('last_name').locator('.result').filter({ hasText: 'Marsh-Lee' }).waitFor()
  assert.match(await row('job_title').locator('.result').innerText(), /Architect/)
  await page.screenshot({ path: `${SHOTS}merge-dialog.png`, fullPage: true })
  await dialog.getByRole('button', { name: /^Merge into/ }).click()
  await pair.waitFor({ state: 'detached' })
  await page.getByRole('status').filter({ hasText: 'Merged Mona Marsh-Lee into Mona Marsh' }).waitFor()

  // The merged contact's address leads to the survivor, which has its call.
  const [survivor, merged] = [ids[0], ids[1]]
  await page.goto(`/contacts/${merged}`)
  await page.waitForURL(`**/contacts/${survivor}`)
  await page.getByRole('heading', { name: 'Mona Marsh-Lee', exact: true }).first().waitFor()
  await page.getByText('Site visit').first().waitFor()

  // Undo from the history entry.
  await page.getByText('History', { exact: true }).click()
  await page.getByRole('button', { name: 'Undo merge' }).click()
  await page.getByRole('status').filter({ hasText: 'Merge undone' }).waitFor()
  await page.getByRole('heading', { name: 'Mona Marsh', exact: true }).first().waitFor()
  const back = await page.request.get(`/api/v1/contacts/${merged}`)
  assert.equal(back.status(), 200)
  assert.equal((await back.json()).last_name, 'Marsh-Lee')
  await page.screenshot({ path: `${SHOTS}merge-undone.png`, fullPage: true })
})
