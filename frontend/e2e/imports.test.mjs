// @ts-check
// Importing contacts as a new user would: a Google Contacts CSV chosen in the browser, the
// suggested mapping, the preview with its counts and errors, the import with its progress (a
// reload comes back to it), the new contacts in the list, and a rollback; and a person erased
// on request.
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

const CSV = [
  'First Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Value,Organization Name,Organization Title',
  'Imogen,Importer,* myContacts ::: Imported,* Work,imogen@import.example,+44 20 7946 0111,Importers Ltd,Buyer',
  'Ivo,Importer,Imported,* Work,ivo@import.example,,Importers Ltd,',
  'Broken,Row,,* Work,not-an-email,,,',
].join('\r\n')

test('a Google Contacts CSV is mapped, previewed, imported with progress and rolled back', async () => {
  const { page } = ctx
  await page.goto('/contacts')
  await page.getByRole('link', { name: 'Import', exact: true }).click()
  await page.getByRole('heading', { name: 'Import contacts' }).waitFor()
  await page.locator('input[name="import_file"]').setInputFiles({
    name: 'google-contacts.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(CSV, 'utf8'),
  })
  await page.getByRole('heading', { name: 'Which column is what?' }).waitFor()
  assert.match(await page.locator('.page-header').innerText(), /3 records · Google Contacts export · UTF-8/)
  // The suggestion, with sample values next to it.
  assert.equal(await page.getByLabel('Import E-mail 1 - Value as').inputValue(), 'email')
  assert.equal(await page.getByLabel('Import Organization Name as').inputValue(), 'company')
  assert.equal(await page.getByLabel('Import E-mail 1 - Label as').inputValue(), '')
  assert.match(await page.getByRole('row', { name: /Organization Title/ }).innerText(), /Buyer/)
  // The mapping saved under a name, offered from then on.
  await page.getByLabel('Save this mapping as').fill('Google CSV')
  await page.getByRole('button', { name: 'Save mapping' }).click()
  await page.getByLabel('Start from a saved mapping').waitFor()
  assert.match(await page.getByLabel('Start from a saved mapping').innerText(), /Google CSV/)
  await page.screenshot({ path: `${SHOTS}import-mapping.png`, fullPage: true })

  await page.getByRole('button', { name: 'Preview' }).click()
  await page.getByTestId('count-create').waitFor()
  assert.equal((await page.getByTestId('count-create').innerText()).trim(), 'New 2')
  assert.equal((await page.getByTestId('count-error').innerText()).trim(), 'Error 1')
  const errorRow = page.locator('tr[data-outcome="error"]')
  assert.match(await errorRow.innerText(), /E-mail 1 - Value: 'not-an-email' is not an email address/)
  await page.getByTestId('count-error').click()
  await page.waitForFunction(() => document.querySelectorAll('table.preview tbody tr').length === 1)
  await page.screenshot({ path: `${SHOTS}import-preview.png`, fullPage: true })

  await page.getByRole('button', { name: 'Import 2 contacts' }).click()
  // The import goes on through a reload.
  await page.reload()
  await page.getByText('Imported.', { exact: false }).first().waitFor({ timeout: 20_000 })
  assert.match(
    await page.locator('.result').innerText(),
    /2 new, 0 updated, 0 skipped, 1 with errors · 1 new company ·/,
  )
  await page.screenshot({ path: `${SHOTS}import-done.png`, fullPage: true })

  await page.goto('/contacts?q=importer')
  await page
    .getByRole('link', { name: /Imogen Importer/ })
    .first()
    .waitFor()
  await page.goto('/imports')
  await page.getByRole('link', { name: 'google-contacts.csv' }).first().click()
  page.once('dialog', (d) => d.accept())
  await page.getByRole('button', { name: 'Roll back this import' }).click()
  await page.getByText('Rolled back.', { exact: false }).waitFor()
  assert.match(await page.locator('.result').innerText(), /2 contacts moved to the trash/)
  await page.goto('/contacts?q=importer')
  await page
    .getByText(/No contacts|Nothing matches|No match/i)
    .first()
    .waitFor()
})

test('an admin erases a person on request after typing their name', async () => {
  const { page } = ctx
  const res = await page.request.post('/api/v1/contacts', {
    data: { first_name: 'Erasmus', last_name: 'Gone', emails: ['erasmus@erase.example'] },
    headers: SAME_ORIGIN,
  })
  assert.equal(res.status(), 201)
  const { id } = await res.json()
  await page.goto(`/contacts/${id}`)
  await page.getByRole('button', { name: 'Erase…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Erase Erasmus Gone?' })
  await dialog.waitFor()
  const confirm = dialog.getByRole('button', { name: 'Erase for good' })
  assert.equal(await confirm.isDisabled(), true)
  await dialog.getByLabel(/Type Erasmus Gone to confirm/).fill('erasmus gone')
  await page.screenshot({ path: `${SHOTS}erase-dialog.png` })
  await confirm.click()
  await page.waitForURL(/\/contacts$/)
  await page.getByText('Erasmus Gone was erased').waitFor()
  assert.equal((await page.request.get(`/api/v1/contacts/${id}?include_trashed=true`)).status(), 404)
})
