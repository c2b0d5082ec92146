// @ts-check
// A person writes a template (fixing a broken variable), previews it for a contact, and emails
// that contact from the template, logging it on the timeline.
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

test('write, preview and use a template', async () => {
  const { page } = ctx
  const res = await page.request.post('/api/v1/contacts', {
    headers: SAME_ORIGIN,
    data: {
      first_name: 'Tessa',
      last_name: 'Template',
      company_name: 'Preview Labs',
      emails: ['tessa@preview.example'],
    },
  })
  assert.equal(res.status(), 201)
  const tessa = await res.json()

  await page.goto('/templates')
  await page.getByRole('list', { name: 'Templates' }).getByText('Gentle follow-up').waitFor()
  await page.getByRole('button', { name: '+ New template' }).click()
  const editor = page.getByRole('form', { name: 'Template editor' })
  await editor.locator('[name="name"]').fill('Demo day invite')
  await editor.locator('[name="subject"]').fill('Demo day at {{company.name | your place}}')
  await editor.locator('[name="body"]').fill('Hi {{contact.first_name, see you soon')
  await editor.getByRole('button', { name: 'Create template' }).click()
  const bodyError = editor.locator('label', { has: page.locator('[name="body"]') }).locator('.field-error')
  await bodyError.waitFor()
  assert.match(await bodyError.innerText(), /never closed/)

  await editor.locator('[name="body"]').fill('Hi {{contact.first_name}}, see you soon!')
  await editor.getByRole('button', { name: 'Create template' }).click()
  await page.getByText('Saved Demo day invite').waitFor()

  await page.getByRole('searchbox', { name: 'Preview for' }).fill('tessa')
  await page
    .getByRole('combobox', { name: 'Preview for results' })
    .locator('option', { hasText: 'Tessa Template' })
    .waitFor({ state: 'attached' })
  await page
    .getByRole('combobox', { name: 'Preview for results' })
    .selectOption({ label: 'Tessa Template · Preview Labs' })
  await page.getByTestId('preview-subject').getByText('Demo day at Preview Labs').waitFor()
  assert.equal(await page.getByTestId('preview-body').innerText(), 'Hi Tessa, see you soon!')
  await page.screenshot({ path: `${SHOTS}templates.png`, fullPage: true })

  await page.goto(`/contacts/${tessa.id}`)
  await page.getByRole('button', { name: 'Email', exact: true }).click()
  const composer = page.getByRole('region', { name: 'Write an email' })
  await composer.locator('[name="template"]').selectOption({ label: 'Demo day invite (Follow-up)' })
  await page.waitForFunction(
    () =>
      /** @type {HTMLInputElement | null} */ (document.querySelector('[name="email_subject"]'))?.value ===
      'Demo day at Preview Labs',
  )
  const href = await composer.getByRole('link', { name: 'Open in mail app' }).getAttribute('href')
  assert.match(href ?? '', /^mailto:tessa%40preview\.example\?subject=Demo%20day%20at%20Preview%20Labs/)
  await composer.getByRole('button', { name: 'Log as sent' }).click()
  await page.getByRole('list', { name: 'Interactions' }).getByText('Demo day at Preview Labs').waitFor()
})
