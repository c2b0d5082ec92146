// @ts-check
// An admin designs a lead capture form and copies its snippets onto a static website (another
// origin, served here); a visitor fills in the embedded form and the plain HTML one; the leads
// and their submissions show up in the app.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { launch, SHOTS } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx
/** The website's pages, by path. @type {Map<string, string>} */
const pages = new Map()
const site = createServer((req, res) => {
  const body = pages.get(req.url ?? '')
  res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' })
  res.end(body ?? 'not found')
})
let origin = ''

before(async () => {
  await new Promise((resolve) => site.listen(0, '127.0.0.1', () => resolve(null)))
  const address = site.address()
  // `localhost`, not 127.0.0.1: another origin (and site) than Rapport's.
  origin = `http://localhost:${typeof address === 'object' && address ? address.port : 0}`
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
  site.close()
})

/** @param {string} title @param {string} snippet */
function website(title, snippet) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<style>body{font-family:Georgia,serif;max-width:720px;margin:2rem auto;padding:0 1rem}header{border-bottom:2px solid #333;margin-bottom:1rem}</style>
</head><body><header><h1>Studio Nord — ${title}</h1></header><p>Tell us about your project.</p>
${snippet}
<footer><p>© Studio Nord</p></footer></body></html>`
}

test('design a form, embed it on a website, and see the leads come in', async () => {
  const { page, browser } = ctx
  await page.goto('/settings')
  await page.getByRole('link', { name: 'Manage forms' }).click()
  await page.waitForURL('**/forms')
  await page.getByRole('link', { name: '+ New form' }).click()
  const editor = page.getByRole('form', { name: 'Form editor' })
  await editor.locator('[name="form_name"]').fill('Project enquiry')
  // A company field, after the email.
  await editor.getByRole('button', { name: '+ Add a field' }).click()
  await editor.getByLabel('Field 4 fills').selectOption('company_name')
  await editor.getByLabel('Field 4 label').fill('Company')
  await editor.locator('[name="tags"]').fill('website, enquiry')
  await editor.locator('[name="allowed_origins"]').fill(`${origin}/`)
  await editor.locator('[name="min_fill_seconds"]').fill('1')
  await page.screenshot({ path: `${SHOTS}forms-editor.png`, fullPage: true })
  await editor.getByRole('button', { name: 'Create form' }).click()
  await page.getByRole('heading', { name: /Project enquiry/ }).waitFor()

  // The script snippet, onto the website.
  const script = await page.getByTestId('form-snippet').innerText()
  assert.match(
    script,
    /<script src="http:\/\/127\.0\.0\.1:\d+\/embed\/form\.js" data-rapport-form="[0-9a-f-]+" async><\/script>/,
  )
  await page.getByRole('tab', { name: 'Plain HTML' }).click()
  const html = await page.getByTestId('form-snippet').innerText()
  assert.match(html, /<form action="http:\/\/127\.0\.0\.1:\d+\/f\//)
  await page.screenshot({ path: `${SHOTS}forms-snippets.png`, fullPage: true })
  pages.set('/contact', website('Contact', script))
  pages.set('/plain', website('Contact (plain)', html))

  // A visitor, in a browser of their own.
  const visitor = await browser.newContext({ viewport: { width: 1024, height: 800 } })
  const site = await visitor.newPage()
  site.setDefaultTimeout(10_000)
  /** @type {string[]} */
  const blocked = []
  site.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) blocked.push(m.text())
  })
  await site.goto(`${origin}/contact`)
  const frame = site.frameLocator('iframe')
  await frame.getByLabel('Your name').fill('Ingrid <b>Bold</b>')
  await frame.getByLabel('Email').fill('ingrid@fjord.example')
  await frame.getByLabel('Company').fill('Fjord AS')
  await frame.getByLabel('How can we help?').fill('A new website, please.\nBudget around 10k.')
  // The frame grew to fit the form.
  const height = await site.locator('iframe').evaluate((el) => el.getBoundingClientRect().height)
  assert.ok(height > 450, `frame height ${height}`)
  await site.screenshot({ path: `${SHOTS}forms-embedded.png`, fullPage: true })
  await site.waitForTimeout(1100) // a person takes at least the minimum fill time
  await frame.getByRole('button', { name: 'Send' }).click()
  await frame.getByRole('heading', { name: 'Thank you' }).waitFor()
  await site.screenshot({ path: `${SHOTS}forms-embedded-thanks.png`, fullPage: true })

  // The plain HTML form, without the page token: it posts to Rapport and shows the thanks there.
  await site.goto(`${origin}/plain`)
  await site.getByLabel('Your name').fill('Per')
  await site.getByLabel('Email').fill('per@fjord.example')
  await site.getByRole('button', { name: 'Send' }).click()
  await site.getByRole('heading', { name: 'Thank you' }).waitFor()
  assert.ok(site.url().includes('/f/'), site.url())
  assert.deepEqual(blocked, [])
  await visitor.close()

  // Back in the app: both leads, and the submissions list.
  await page.reload()
  const table = page.getByRole('table', { name: 'Submissions' })
  await table.getByRole('link', { name: /Ingrid <b>Bold<\/b>/ }).waitFor()
  assert.equal(await table.getByText('New lead').count(), 2)
  await page.screenshot({ path: `${SHOTS}forms-submissions.png`, fullPage: true })
  await table.getByRole('link', { name: /Ingrid/ }).click()
  await page.waitForURL('**/contacts/**')
  await page.getByRole('heading', { name: 'Ingrid <b>Bold</b>' }).waitFor()
  await page.getByText('Submitted the website form “Project enquiry”').first().waitFor()
  await page.screenshot({ path: `${SHOTS}forms-lead.png`, fullPage: true })
})
