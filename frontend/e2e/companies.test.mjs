// @ts-check
// A person adds a company, links a contact to it by name, and finds both from the company page.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launch, SHOTS } from './browser.mjs'
import { CompaniesPage, ContactFormPage } from './pages.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

test('a company collects the contacts that name it', async () => {
  const { page } = ctx
  const companies = new CompaniesPage(page)
  await companies.open()
  await page.getByRole('link', { name: '+ New company' }).click()
  const form = new ContactFormPage(page)
  await form.fill({
    name: 'Babbage & Co',
    domain: 'https://www.babbage.example/about',
    industry: 'Engineering',
  })
  await form.submit()
  await page.waitForURL(/\/companies\/[0-9a-f-]{36}$/)
  const companyUrl = page.url()
  await page.getByRole('link', { name: 'babbage.example' }).waitFor()

  // A second company with the same name (in another case) is refused, next to the field.
  await page.goto('/companies/new')
  await form.fill({ name: 'BABBAGE & CO' })
  await form.submit()
  await form.errorFor('name').waitFor()
  assert.match(await form.errorFor('name').innerText(), /already exists/)

  await page.goto('/contacts/new')
  await form.fill({
    first_name: 'Charles',
    last_name: 'Babbage',
    company_name: 'babbage & co',
    job_title: 'Founder',
  })
  await form.submit()
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/)
  await page.getByRole('link', { name: 'Babbage & Co' }).click()
  await page.waitForURL(companyUrl)
  await page.getByRole('heading', { name: 'People (1)' }).waitFor()
  await page.getByRole('link', { name: /Charles Babbage/ }).waitFor()

  await companies.open()
  await companies.search.fill('engineering')
  await companies.row('Babbage & Co').waitFor()
  assert.match(await companies.row('Babbage & Co').innerText(), /1$/m)
  await page.screenshot({ path: `${SHOTS}companies.png`, fullPage: true })
})
