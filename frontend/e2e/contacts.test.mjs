// @ts-check
// A person creates a contact (fixing a mistake the server points out), edits it and finds it.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { launch, SHOTS, SAME_ORIGIN } from './browser.mjs'
import { ContactPage, ContactsPage } from './pages.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

test('create, edit and find a contact through the UI', async () => {
  const { page } = ctx
  const list = new ContactsPage(page)
  await list.open()

  const form = await list.newContact()
  await form.fill({
    first_name: 'Ada',
    last_name: 'Lovelace',
    emails: 'ada@',
    company_name: 'Analytical Engines',
  })
  await form.submit()
  // The server's validation message appears next to the field, and nothing is lost.
  await form.errorFor('emails').waitFor()
  assert.match(await form.errorFor('emails').innerText(), /not a valid email/)
  assert.equal(await page.locator('[name="first_name"]').inputValue(), 'Ada')

  await form.fill({ emails: 'ada@example.com', tags: 'vip, math', lifecycle: 'prospect' })
  await form.submit()
  const contact = new ContactPage(page)
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/)
  assert.equal(await contact.heading.innerText(), 'Ada Lovelace')
  await page.getByText('Analytical Engines').first().waitFor()
  const url = page.url()

  const edit = await contact.edit()
  await edit.fill({ job_title: 'CTO', lifecycle: 'client' })
  await edit.submit()
  await page.waitForURL(url)
  await page.getByText('CTO at Analytical Engines').waitFor()
  await page.locator('.badge', { hasText: 'Client' }).waitFor()
  await page.screenshot({ path: `${SHOTS}contact.png`, fullPage: true })

  // A data access request: everything about the person, in one file.
  const [personal] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Their data' }).click(),
  ])
  assert.match(personal.suggestedFilename(), /^ada-lovelace-\d{4}-\d{2}-\d{2}\.json$/)
  const held = JSON.parse(readFileSync(await personal.path(), 'utf8'))
  assert.equal(held.contact.display_name, 'Ada Lovelace')
  assert.ok(Array.isArray(held.interactions) && Array.isArray(held.history))

  // A reload on a deep link is served by the SPA (history fallback).
  await page.reload()
  await page.getByText('CTO at Analytical Engines').waitFor()

  await page.goto('/contacts/new')
  await form.fill({ first_name: 'Grace', last_name: 'Hopper', company_name: 'Navy Labs' })
  await form.submit()
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/)

  await list.open()
  await list.row('Ada Lovelace').waitFor()
  await list.row('Grace Hopper').waitFor()
  await list.searchFor('lovel')
  await list.row('Grace Hopper').waitFor({ state: 'detached' })
  await list.row('Ada Lovelace').waitFor()
  assert.match(page.url(), /q=lovel/, 'the search is in the URL')
  await list.searchFor('navy')
  await list.row('Grace Hopper').waitFor()
  await list.searchFor('nobody at all')
  await page.getByText('No contacts match').waitFor()
  await list.searchFor('')
  await list.filter('Lifecycle', 'client')
  await list.row('Ada Lovelace').waitFor()
  await list.row('Grace Hopper').waitFor({ state: 'detached' })
  await list.filter('Tag', 'vip')
  assert.match(await list.count.innerText(), /1 contact/)
  await page.screenshot({ path: `${SHOTS}contacts.png`, fullPage: true })

  // The filtered list comes out as a file with just what is shown.
  await page.getByText('Export', { exact: true }).click()
  await page.screenshot({ path: `${SHOTS}contacts-export-menu.png` })
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('menuitem', { name: 'CSV (.csv)' }).click(),
  ])
  assert.match(download.suggestedFilename(), /^contacts-\d{4}-\d{2}-\d{2}\.csv$/)
  const file = await download.path()
  const text = readFileSync(file, 'utf8')
  assert.match(text, /^\uFEFFid,first_name,last_name,emails/)
  assert.match(text, /Ada,Lovelace,ada@example\.com/)
  assert.doesNotMatch(text, /Grace/)
})

test('a contact moved to the trash can be restored', async () => {
  const { page } = ctx
  const list = new ContactsPage(page)
  await list.open('?q=grace')
  await list.row('Grace Hopper').click()
  page.once('dialog', (d) => d.accept())
  await page.getByRole('button', { name: 'Move to trash' }).click()
  await page.waitForURL(/\/contacts$/)
  await list.row('Ada Lovelace').waitFor()
  assert.equal(await list.row('Grace Hopper').count(), 0)

  await list.open('?trashed=true')
  await list.row('Grace Hopper').click()
  await page.getByText('This contact is in the trash').waitFor()
  await page.getByRole('button', { name: 'Restore' }).click()
  await page.getByRole('button', { name: 'Move to trash' }).waitFor()
  await list.open()
  await list.row('Grace Hopper').waitFor()
})

test('insights about a contact come from the built-in assistant, then from the cache', async () => {
  const { page } = ctx
  const contacts = new ContactsPage(page)
  await contacts.open()
  const form = await contacts.newContact()
  const name = `Insight${Date.now()}`
  await form.fill({ first_name: name, last_name: 'Tester', company_name: 'Insight Co' })
  await form.submit()
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/)
  await page.getByRole('button', { name: 'Get insights' }).click()
  const summary = page.locator('.insight-summary')
  await summary.waitFor()
  assert.match(await summary.innerText(), new RegExp(`${name} Tester from Insight Co`))
  await page.getByText('Built-in assistant · just now').waitFor()
  await page.reload()
  await page.getByRole('button', { name: 'Get insights' }).click()
  await page.getByText('Built-in assistant · from the cache').waitFor()

  await page.getByRole('button', { name: 'Score this lead' }).click()
  await page.getByTestId('lead-score').waitFor()
  assert.match(await page.getByRole('table', { name: 'Score factors' }).innerText(), /Stage/)

  // A logged call is analysed: summary, action items, a follow-up date, and its sentiment kept.
  await page.getByRole('textbox', { name: 'Subject' }).fill('Scope agreed')
  await page
    .getByRole('textbox', { name: 'Notes' })
    .fill('Happy with the plan. I will send the quote by Friday.')
  await page.getByRole('button', { name: 'Log', exact: true }).click()
  await page.getByRole('button', { name: 'Analyse Scope agreed' }).click()
  await page.locator('.analysis').getByText('I will send the quote by Friday').waitFor()
  await page
    .locator('.analysis')
    .getByText(/Follow up around \d{4}-\d{2}-\d{2}/)
    .waitFor()
  // The contact now carries that sentiment: a badge on its page and in the contact list.
  const contactUrl = page.url()
  await page.reload()
  await page.getByRole('img', { name: 'Latest sentiment: positive' }).first().waitFor()
  await page.goto(`/contacts?q=${encodeURIComponent(name)}`)
  await page
    .getByRole('table', { name: 'Contacts' })
    .getByRole('row')
    .filter({ hasText: name })
    .getByRole('img', { name: 'Latest sentiment: positive' })
    .waitFor()
  await page.goto(contactUrl)

  // A question to the assistant about this contact, answered from what is recorded.
  await page.getByRole('textbox', { name: 'Question for the assistant' }).fill('What happened last time?')
  await page.getByRole('button', { name: 'Ask', exact: true }).click()
  await page
    .locator('.chat-message.assistant')
    .filter({ hasText: 'The last touchpoint was a call' })
    .waitFor()

  // An email drafted by the assistant lands in the composer, ready to edit.
  await page.goto(`${page.url()}?compose=1`)
  await page.getByText('Draft with the AI assistant').click()
  await page.locator('[name="draft_scenario"]').selectOption('re_engage')
  await page.locator('[name="draft_tone"]').selectOption('formal')
  await page.getByRole('button', { name: 'Draft it' }).click()
  await page.getByText('Built-in assistant', { exact: true }).waitFor()
  assert.equal(await page.locator('[name="email_subject"]').inputValue(), `It has been a while, ${name}`)
  assert.match(await page.locator('[name="email_body"]').inputValue(), new RegExp(`^Dear ${name},`))
})

test('a pasted email becomes a contact, its emails and a deal after review', async () => {
  const { page } = ctx
  const stamp = Date.now()
  const thread = `From: Mary Somerville <mary${stamp}@orbits.example>\nDate: Thu, 19 Nov 2026 10:00:00 +0000\nSubject: Observatory website ${stamp}\n\nHello,\n\nCould you send a quote for a new website for our project? Budget about €6,000.\n\nMary Somerville\nDirector, Orbits Trust\n`
  await page.goto('/contacts/from-email')
  await page.getByRole('textbox', { name: /Paste an email thread/ }).fill(thread)
  await page.getByRole('button', { name: 'Read it' }).click()
  await page.getByText('Potential client').waitFor()
  assert.equal(await page.locator('[name="first_name"]').inputValue(), 'Mary')
  assert.equal(await page.locator('[name="company_name"]').inputValue(), 'Orbits Trust')
  await page.locator('[name="job_title"]').fill('Director of Outreach')
  await page.getByRole('button', { name: 'Create' }).click()
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/)
  await page.getByRole('heading', { name: 'Mary Somerville' }).waitFor()
  await page.getByText('Director of Outreach').first().waitFor()
  await page.locator('.card').filter({ hasText: 'Deals' }).getByText(`Observatory website ${stamp}`).waitFor()
})

test('tags are added and removed on the contact page at once; a refused change is put back', async () => {
  const { page } = ctx
  const res = await page.request.post('/api/v1/contacts', {
    data: { first_name: 'Tamsin', last_name: 'Tagg', tags: ['alpha'] },
    headers: SAME_ORIGIN,
  })
  assert.equal(res.status(), 201, await res.text())
  const tamsin = await res.json()
  const tagsNow = async () => (await (await page.request.get(`/api/v1/contacts/${tamsin.id}`)).json()).tags
  await page.goto(`/contacts/${tamsin.id}`)
  const tags = page.getByTestId('contact-tags')
  await tags.getByText('alpha').waitFor()

  await tags.getByLabel('Add a tag').fill('VIP')
  await tags.getByLabel('Add a tag').press('Enter')
  await tags.getByRole('listitem').filter({ hasText: 'vip' }).waitFor()
  await tags.getByRole('button', { name: 'Remove the tag alpha' }).click()
  await tags.getByRole('listitem').filter({ hasText: 'alpha' }).waitFor({ state: 'detached' })
  await expectSoon(async () => assert.deepEqual(await tagsNow(), ['vip']))

  // The next save is held at the server while someone else edits Tamsin: the new tag shows at
  // once, then the stale save is refused and the tags go back to what the server has.
  let release = () => {}
  const held = new Promise((resolve) => (release = () => resolve(undefined)))
  await page.route(`**/api/v1/contacts/${tamsin.id}`, async (route) => {
    if (route.request().method() === 'PATCH') await held
    await route.continue()
  })
  await tags.getByLabel('Add a tag').fill('late')
  await tags.getByLabel('Add a tag').press('Enter')
  await tags.getByRole('listitem').filter({ hasText: 'late' }).waitFor()
  const current = await (await page.request.get(`/api/v1/contacts/${tamsin.id}`)).json()
  const other = await page.request.patch(`/api/v1/contacts/${tamsin.id}`, {
    data: { tags: ['vip', 'partner'], version: current.version },
    headers: SAME_ORIGIN,
  })
  assert.equal(other.status(), 200, await other.text())
  release()
  await page.getByText(/^Tags not saved: /).waitFor()
  await tags.getByRole('listitem').filter({ hasText: 'late' }).waitFor({ state: 'detached' })
  await tags.getByRole('listitem').filter({ hasText: 'partner' }).waitFor()
  await page.unroute(`**/api/v1/contacts/${tamsin.id}`)
  assert.deepEqual(await tagsNow(), ['vip', 'partner'])
})

/**
 * Retries `check` for a few seconds: a save that shows at once reaches the server just after.
 * @param {() => Promise<unknown>} check
 */
async function expectSoon(check) {
  for (let i = 0; ; i++) {
    try {
      return await check()
    } catch (e) {
      if (i > 40) throw e
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}
