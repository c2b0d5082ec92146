// @ts-check
// An admin sets up sending through a real SMTP server (aiosmtpd, started here), sends a test
// email, then emails a contact from the composer: the message arrives and the timeline shows it
// sent.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launch, SAME_ORIGIN, SHOTS } from './browser.mjs'

const ROOT = new URL('../../', import.meta.url).pathname
/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx
/** @type {import('node:child_process').ChildProcess} */
let smtpd
const inbox = mkdtempSync(join(tmpdir(), 'rapport-inbox-'))
let port = 0

before(async () => {
  const python = execFileSync('bash', [join(ROOT, 'scripts/smtpd-venv')], { encoding: 'utf8' }).trim()
  smtpd = spawn(python, [join(ROOT, 'backend/tests/fixtures/smtpd.py'), inbox], {
    stdio: ['pipe', 'pipe', 'ignore'],
  })
  const lines = createInterface({ input: /** @type {import('node:stream').Readable} */ (smtpd.stdout) })
  port = Number(await new Promise((resolve) => lines.once('line', resolve)))
  ctx = await launch()
})
after(async () => {
  await ctx?.page.request.delete('/api/v1/mail-settings', { headers: SAME_ORIGIN })
  await ctx?.browser.close()
  smtpd?.kill()
})

/** The raw messages received so far. */
function received() {
  return readdirSync(inbox)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => readFileSync(join(inbox, f), 'utf8'))
}

test('set up sending, send a test email, and email a contact from the composer', async () => {
  const { page } = ctx
  const res = await page.request.post('/api/v1/contacts', {
    headers: SAME_ORIGIN,
    data: { first_name: 'Mila', last_name: 'Mailer', emails: ['mila@inbox.example'] },
  })
  assert.equal(res.status(), 201)
  const mila = await res.json()

  await page.goto('/settings')
  const card = page.getByRole('region', { name: 'Email' })
  await card.getByRole('button', { name: 'Set up sending' }).click()
  await card.locator('[name="smtp_host"]').fill('127.0.0.1')
  await card.locator('[name="smtp_security"]').selectOption('none')
  await card.locator('[name="smtp_port"]').fill(String(port))
  await card.locator('[name="from_address"]').fill('not-an-address')
  await card.getByRole('button', { name: 'Save' }).click()
  // The server's field error shows next to the field; nothing is saved.
  await card
    .locator('label', { has: page.locator('[name="from_address"]') })
    .locator('.field-error')
    .waitFor()
  await card.locator('[name="from_address"]').fill('studio@rapport.example')
  await card.locator('[name="from_name"]').fill('Studio Ünïcode')
  await page.screenshot({ path: `${SHOTS}mail-settings-form.png`, fullPage: true })
  await card.getByRole('button', { name: 'Save' }).click()
  await card.getByText('Sending as').waitFor()

  await card.locator('[name="test_to"]').fill('me@inbox.example')
  await card.getByRole('button', { name: 'Send test email' }).click()
  await card
    .getByRole('status')
    .getByText(/Sent to me@inbox\.example/)
    .waitFor()
  assert.equal(received().length, 1)
  assert.match(received()[0] ?? '', /Subject: Rapport test email/)
  await page.screenshot({ path: `${SHOTS}mail-settings.png`, fullPage: true })

  await page.goto(`/contacts/${mila.id}`)
  await page.getByRole('button', { name: 'Email', exact: true }).click()
  const composer = page.getByRole('region', { name: 'Write an email' })
  await composer.getByTestId('email-from').getByText('Studio Ünïcode <studio@rapport.example>').waitFor()
  await composer.locator('[name="email_subject"]').fill('Your proposal')
  await composer
    .locator('[name="email_body"]')
    .fill('Hi Mila,\n\nThe proposal is attached to https://rapport.example/p/1.')
  await page.screenshot({ path: `${SHOTS}email-composer.png`, fullPage: true })
  await composer.getByRole('button', { name: 'Send', exact: true }).click()
  await page.getByText('Email to mila@inbox.example queued').waitFor()

  // The server's worker sends it; the timeline shows it sent after a reload.
  const timeline = page.getByRole('list', { name: 'Interactions' })
  await timeline.getByText('Your proposal').waitFor()
  for (let i = 0; i < 40 && received().length < 2; i++) await page.waitForTimeout(250)
  assert.equal(received().length, 2, 'the email reached the SMTP server')
  const raw = received()[1] ?? ''
  assert.match(raw, /To: "?Mila Mailer"? <mila@inbox\.example>/)
  assert.match(raw, /multipart\/alternative/)
  // The badge turns from "Sending…" to "Sent" by itself, without a reload.
  await page.getByTestId('delivery-status').filter({ hasText: 'Sent' }).waitFor()
  await page.screenshot({ path: `${SHOTS}email-sent.png`, fullPage: true })
})
