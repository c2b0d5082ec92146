// @ts-check
// Accounts as people meet them: signing in (and a wrong password), an API token created in the
// web app and used by a script, and a read-only member invited by link who is offered no edits.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'playwright-core'
import { BASE_URL, E2E_EMAIL, E2E_PASSWORD, launch, SHOTS, signIn } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch({ signedIn: false })
})
after(async () => {
  await ctx?.browser.close()
})

test('a wrong password is refused; the right one opens the app where it was asked for', async () => {
  const { page } = ctx
  await page.goto('/contacts')
  await page.waitForURL(/\/login\?next=(%2F|\/)contacts/)
  await page.getByLabel('Email').fill(E2E_EMAIL)
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  const alert = page.getByRole('alert')
  await alert.waitFor()
  assert.match(await alert.innerText(), /email or password is not right/)
  await page.screenshot({ path: `${SHOTS}sign-in-error.png` })
  await page.getByLabel('Password').fill(E2E_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(/\/contacts$/)
  await page.getByRole('heading', { name: 'Contacts' }).waitFor()
  assert.match(await page.getByTestId('account-link').innerText(), /Erin Example/)
})

test('an API token made in the web app works for a script until it is revoked', async () => {
  const { page } = ctx
  await page.goto('/account')
  await page.locator('[name="token_name"]').fill('Nightly export')
  await page.locator('[name="token_scope"]').selectOption('write')
  await page.getByRole('button', { name: 'Create token' }).click()
  const secret = (await page.getByTestId('token-secret').innerText()).trim()
  assert.match(secret, /^rpt_[A-Za-z0-9]{32}$/)
  await page.screenshot({ path: `${SHOTS}api-token.png` })
  // A script with nothing but the token, like curl: no cookies, no browser.
  const script = await request.newContext({ baseURL: BASE_URL })
  const auth = { authorization: `Bearer ${secret}` }
  const list = await script.get('/api/v1/contacts?limit=1', { headers: auth })
  assert.equal(list.status(), 200)
  const created = await script.post('/api/v1/contacts', {
    headers: auth,
    data: { first_name: 'Scripted', last_name: 'Contact' },
  })
  assert.equal(created.status(), 201)
  assert.equal((await script.get('/api/v1/contacts?limit=1')).status(), 401)
  // Only the prefix is shown once the secret is dismissed.
  await page.getByRole('button', { name: 'Done' }).click()
  const row = page
    .getByRole('table', { name: 'API tokens' })
    .getByRole('row')
    .filter({ hasText: 'Nightly export' })
  assert.match(await row.innerText(), /rpt_/)
  assert.ok(!(await row.innerText()).includes(secret))
  page.once('dialog', (d) => d.accept())
  await row.getByRole('button', { name: 'Revoke' }).click()
  await row.waitFor({ state: 'detached' })
  const refused = await script.get('/api/v1/contacts?limit=1', { headers: auth })
  assert.equal(refused.status(), 401)
  await script.dispose()
})

test('a read-only member joins by invitation and is offered no edits', async () => {
  const { page, browser } = ctx
  await page.goto('/members')
  await page.locator('[name="invite_email"]').fill('viewer@example.com')
  await page.locator('[name="invite_role"]').selectOption('read_only')
  await page.getByRole('button', { name: 'Create invitation link' }).click()
  const link = (await page.getByTestId('invitation-link').innerText()).trim()
  assert.match(link, /\/invitations\/[A-Za-z0-9]{32}$/)
  await page.screenshot({ path: `${SHOTS}members.png`, fullPage: true })

  // The invitee opens the link in their own browser.
  const other = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1280, height: 800 } })
  const viewer = await other.newPage()
  viewer.setDefaultTimeout(10_000)
  await viewer.goto(new URL(link).pathname)
  await viewer.getByRole('heading', { name: /Join/ }).waitFor()
  assert.match(await viewer.locator('form').innerText(), /Read-only/)
  await viewer.screenshot({ path: `${SHOTS}invitation.png` })
  await viewer.getByLabel('Your name').fill('Vera Viewer')
  await viewer.getByLabel(/Choose a password/).fill('a long passphrase')
  await viewer.getByRole('button', { name: /Join/ }).click()
  await viewer.waitForURL((url) => url.pathname === '/')
  await viewer.goto('/contacts')
  await viewer.getByRole('heading', { name: 'Contacts' }).waitFor()
  await viewer.getByRole('table', { name: 'Contacts' }).getByRole('row').nth(1).waitFor()
  assert.equal(await viewer.getByRole('link', { name: '+ New contact' }).isVisible(), false)
  await viewer.getByRole('table', { name: 'Contacts' }).getByRole('link').first().click()
  await viewer.waitForURL(/\/contacts\/[0-9a-f-]{36}$/)
  await viewer.getByRole('heading', { level: 1 }).waitFor()
  assert.equal(await viewer.getByRole('link', { name: 'Edit' }).isVisible(), false)
  assert.equal(await viewer.getByRole('button', { name: 'Move to trash' }).isVisible(), false)
  assert.equal(await viewer.getByRole('form', { name: 'Log an interaction' }).isVisible(), false)
  await viewer.screenshot({ path: `${SHOTS}read-only-contact.png`, fullPage: true })
  // Signing out ends the session.
  await viewer.getByRole('button', { name: 'Sign out' }).click()
  await viewer.waitForURL(/\/login/)
  await viewer.goto('/contacts')
  await viewer.waitForURL(/\/login/)
  await other.close()
  // The owner sees the new member.
  await page.reload()
  await page
    .getByRole('table', { name: 'Members' })
    .getByRole('row')
    .filter({ hasText: 'Vera Viewer' })
    .waitFor()
})

test('signing in again after signing out', async () => {
  const { page } = ctx
  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL(/\/login/)
  await signIn(page)
  await page.getByTestId('account-link').waitFor()
})

test('a new contact is mine, and the owner filter finds it', async () => {
  const { page } = ctx
  await page.goto('/contacts/new')
  await page.locator('[name="first_name"]').fill('Owned')
  await page.locator('[name="last_name"]').fill('By Erin')
  assert.equal((await page.getByRole('combobox', { name: 'Owner' }).inputValue()) !== '', true)
  await page.getByRole('button', { name: 'Add contact' }).click()
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/)
  await page.getByTestId('contact-owner').getByText('Erin Example').waitFor()
  await page.goto('/contacts?owner=me')
  await page
    .getByRole('table', { name: 'Contacts' })
    .getByRole('row')
    .filter({ hasText: 'Owned By Erin' })
    .waitFor()
  await page.getByRole('combobox', { name: 'Owner' }).selectOption('none')
  await page.waitForURL(/owner=none/)
  await page.getByRole('heading', { name: 'Contacts' }).waitFor()
  await page.waitForLoadState('networkidle')
  assert.equal(await page.getByRole('row').filter({ hasText: 'Owned By Erin' }).count(), 0)
})
