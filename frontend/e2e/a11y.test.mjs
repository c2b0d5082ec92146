// @ts-check
// axe-core on every main page, in the light and the dark theme: no serious or critical WCAG 2.1
// A/AA violation (contrast included), and every control reachable by keyboard shows where the
// focus is.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launch, SAME_ORIGIN } from './browser.mjs'
import { axeViolations } from './axe.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

test('the main pages pass axe in both themes', async () => {
  const { page } = ctx
  const res = await page.request.post('/api/v1/contacts', {
    headers: SAME_ORIGIN,
    data: { first_name: 'Ally', last_name: 'Access', emails: ['ally@example.com'], tags: ['a11y'] },
  })
  const ally = await res.json()
  /** @type {[string, string][]} */
  const pages = [
    ['/', 'Dashboard'],
    ['/contacts', 'Contacts'],
    [`/contacts/${ally.id}`, 'Ally Access'],
    [`/contacts/${ally.id}/edit`, 'Edit'],
    ['/companies', 'Companies'],
    ['/pipeline', 'Pipeline'],
    ['/deals', 'Deals'],
    ['/follow-ups', 'Follow-ups'],
    ['/templates', 'Email templates'],
    ['/sequences', 'Sequences'],
    ['/products', 'Products'],
    ['/settings', 'Settings'],
    ['/trash', 'Trash'],
    ['/members', 'Members'],
    ['/account', 'Your account'],
  ]
  /** @type {string[]} */
  const found = []
  for (const scheme of /** @type {const} */ (['light', 'dark'])) {
    await page.emulateMedia({ colorScheme: scheme })
    for (const [path] of pages) {
      await page.goto(path)
      await page.locator('main h1').first().waitFor()
      await page.waitForTimeout(300)
      for (const v of await axeViolations(page)) found.push(`${path} (${scheme}) ${v}`)
    }
  }
  assert.deepEqual(found, [])
})
