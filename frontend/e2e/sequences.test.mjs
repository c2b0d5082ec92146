// @ts-check
// A member builds a two-step sequence from templates (with a second subject to try), gives a
// contact a time zone, enrolls them, sees the enrollment waiting for its first step, and stops it;
// the contact's page lists their sequences and adds them to another one.
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

test('build a sequence, enroll a contact, and stop it', async () => {
  const { page } = ctx
  for (const [name, subject] of [
    ['Seq intro', 'Hello {{contact.first_name}}'],
    ['Seq nudge', 'Any thoughts?'],
  ]) {
    const res = await page.request.post('/api/v1/templates', {
      headers: SAME_ORIGIN,
      data: { name, scenario: 'follow_up', subject, body: 'Hi {{contact.first_name}},\n\nAda' },
    })
    assert.equal(res.status(), 201)
  }
  const res = await page.request.post('/api/v1/contacts', {
    headers: SAME_ORIGIN,
    data: { first_name: 'Sequoia', last_name: 'Sender', emails: ['sequoia@example.com'] },
  })
  const sequoia = await res.json()

  // Her time zone, on the contact form.
  await page.goto(`/contacts/${sequoia.id}/edit`)
  await page.locator('[name="time_zone"]').fill('Asia/Tokyo')
  await page.getByRole('button', { name: /Save/ }).click()
  await page.waitForURL(`**/contacts/${sequoia.id}`)
  const saved = await (await page.request.get(`/api/v1/contacts/${sequoia.id}`)).json()
  assert.equal(saved.time_zone, 'Asia/Tokyo')

  await page.goto('/')
  await page.getByRole('link', { name: 'Sequences' }).click()
  await page.getByRole('link', { name: '+ New sequence' }).click()
  const editor = page.getByRole('form', { name: 'Sequence editor' })
  await editor.locator('[name="sequence_name"]').fill('Warm leads')
  await editor.getByLabel('Step 1 template').selectOption({ label: 'Seq intro' })
  await editor.getByRole('button', { name: '+ Add a step' }).click()
  await editor.getByLabel('Step 2 template').selectOption({ label: 'Seq nudge' })
  await editor.getByLabel('Step 2 delay in days').fill('4')
  await editor.getByLabel('Step 2 subject B').fill('Still interested, {{contact.first_name}}?')
  // A window that ends before it starts is refused, next to the field.
  await editor.locator('[name="window_start"]').fill('18')
  await editor.getByRole('button', { name: 'Create sequence' }).click()
  await editor.getByText('must be after window_start').waitFor()
  await editor.locator('[name="window_start"]').fill('9')
  await page.screenshot({ path: `${SHOTS}sequences-editor.png`, fullPage: true })
  await editor.getByRole('button', { name: 'Create sequence' }).click()
  await page.getByRole('heading', { name: /Warm leads/ }).waitFor()

  await page.getByRole('searchbox', { name: 'A contact' }).fill('sequoia')
  const results = page.getByRole('combobox', { name: 'A contact results' })
  await results.locator('option', { hasText: 'Sequoia Sender' }).waitFor({ state: 'attached' })
  await results.selectOption({ label: 'Sequoia Sender' })
  const table = page.getByRole('table', { name: 'Enrollments' })
  await table.getByRole('link', { name: 'Sequoia Sender' }).waitFor()
  await table.getByText('Active').waitFor()
  await table.getByText(/step 1 from/).waitFor()
  const steps = page.getByRole('table', { name: 'Steps' })
  await steps.getByText('B: “Still interested, {{contact.first_name}}?”').waitFor()
  await page.screenshot({ path: `${SHOTS}sequences.png`, fullPage: true })

  await table.getByRole('button', { name: 'Stop' }).click()
  await table.getByText('Stopped').waitFor()

  // The contact's page: the stopped sequence, and another one to add them to.
  const seqs = (await (await page.request.get('/api/v1/sequences')).json()).items
  const intro = seqs[0].steps[0].template_id
  const other = await page.request.post('/api/v1/sequences', {
    headers: SAME_ORIGIN,
    data: { name: 'Cold leads', steps: [{ template_id: intro, delay_days: 2 }] },
  })
  assert.equal(other.status(), 201)
  await page.goto(`/contacts/${sequoia.id}`)
  const card = page.getByTestId('contact-sequences')
  await card.getByRole('link', { name: 'Warm leads' }).waitFor()
  await card.getByText('Stopped').waitFor()
  await card.getByLabel('Sequence').selectOption({ label: 'Cold leads' })
  await card.getByRole('button', { name: 'Add to sequence' }).click()
  await card.getByRole('link', { name: 'Cold leads' }).waitFor()
  await card.getByText('Active').waitFor()
  await page.screenshot({ path: `${SHOTS}contact-sequences.png`, fullPage: true })
  await card.getByRole('button', { name: 'Stop' }).click()
  await card.getByText('Stopped').nth(1).waitFor()
  const mine = await (await page.request.get(`/api/v1/sequence-enrollments?contact_id=${sequoia.id}`)).json()
  assert.deepEqual(mine.items.map((/** @type {any} */ e) => [e.sequence_name, e.status]).sort(), [
    ['Cold leads', 'stopped'],
    ['Warm leads', 'stopped'],
  ])
})
