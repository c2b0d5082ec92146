// @ts-check
// Importing email as a new user would: two .eml files chosen at once, matched to a contact, an
// unknown sender ticked to become a contact, the import, both messages on the timelines, and a
// rollback.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { E2E_EMAIL, launch, SAME_ORIGIN, SHOTS } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

/** @param {string} from @param {string} to @param {string} subject @param {string} id @param {string} body */
const eml = (from, to, subject, id, body) =>
  [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    'Date: Mon, 23 Nov 2026 14:05:00 +0000',
    `Message-ID: <${id}>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n')

test('.eml files become emails on the timelines of the contacts they concern, and roll back', async () => {
  const { page } = ctx
  const res = await page.request.post('/api/v1/contacts', {
    data: { first_name: 'Mara', last_name: 'Mailer', emails: ['mara@mail.example'] },
    headers: SAME_ORIGIN,
  })
  assert.equal(res.status(), 201)
  const mara = await res.json()

  await page.goto('/imports')
  await page.locator('input[name="import_file"]').setInputFiles([
    {
      name: 'from-mara.eml',
      mimeType: 'message/rfc822',
      buffer: Buffer.from(
        eml(
          'Mara Mailer <mara@mail.example>',
          E2E_EMAIL,
          'Quote request',
          'q1@mail.example',
          'Could you send a quote?',
        ),
      ),
    },
    {
      name: 'from-nico.eml',
      mimeType: 'message/rfc822',
      buffer: Buffer.from(
        eml(
          '=?UTF-8?Q?Nico_N=C3=BA=C3=B1ez?= <nico@new.example>',
          E2E_EMAIL,
          'Introduction',
          'n1@new.example',
          'Mara told me about you.',
        ),
      ),
    },
  ])
  // No mapping for email: the preview comes straight away.
  await page.getByTestId('count-create').waitFor()
  assert.match(await page.locator('.page-header').innerText(), /2 records · Email files/)
  assert.equal((await page.getByTestId('count-create').innerText()).trim(), 'New 1')
  assert.equal((await page.getByTestId('count-skip').innerText()).trim(), 'Skip 1')
  const unknown = page.getByRole('checkbox', { name: /Nico Núñez · nico@new.example/ })
  await unknown.check()
  await page.getByRole('button', { name: 'Preview again with these contacts' }).click()
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="count-create"]')?.textContent?.includes('New 2'),
  )
  assert.match(await page.locator('tr[data-outcome="create"]').nth(1).innerText(), /Nico Núñez \(new\)/)
  await page.screenshot({ path: `${SHOTS}import-email-preview.png`, fullPage: true })

  await page.getByRole('button', { name: 'Import 2 messages' }).click()
  await page.getByText(/Imported\. 2 interactions added · 1 new contact /).waitFor()

  await page.goto(`/contacts/${mara.id}`)
  await page.getByText('Quote request').first().waitFor()

  // The rollback takes both messages and the new contact away again.
  await page.goBack()
  page.once('dialog', (d) => d.accept())
  await page.getByRole('button', { name: 'Roll back this import' }).click()
  await page.getByText(/Rolled back\. 2 interactions deleted, 1 contact moved to the trash/).waitFor()
  const timeline = await page.request.get(`/api/v1/contacts/${mara.id}/timeline`)
  assert.equal((await timeline.json()).items.length, 0)
})
