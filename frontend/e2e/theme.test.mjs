// @ts-check
// Dark mode: the system's theme by default, a switch in the navigation that is remembered, and
// the pages (cards, lists, the board, the dashboard's charts) drawn in the dark palette.
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

/** @param {import('playwright-core').Page} page */
const themeOf = (page) => page.evaluate(() => document.documentElement.dataset.theme)
/** @param {import('playwright-core').Page} page */
const background = (page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)

test('the theme follows the system, switches from the navigation and is remembered', async () => {
  const { page } = ctx
  const res = await page.request.post('/api/v1/contacts', {
    headers: SAME_ORIGIN,
    data: { first_name: 'Nyx', last_name: 'Darkly', emails: ['nyx@example.com'], tags: ['night'] },
  })
  assert.equal(res.status(), 201)
  const nyx = await res.json()

  // The system says light: light it is; it says dark: dark, with nothing chosen.
  await page.emulateMedia({ colorScheme: 'light' })
  await page.goto('/contacts')
  await page.getByRole('heading', { name: 'Contacts' }).first().waitFor()
  assert.equal(await themeOf(page), 'light')
  const light = await background(page)
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark')
  assert.notEqual(await background(page), light)

  // Chosen in the navigation: the opposite of the system's, kept across a reload, then back.
  const toggle = page.getByTestId('theme-switch')
  await toggle.click()
  assert.equal(await themeOf(page), 'light')
  await page.reload()
  await page.getByRole('heading', { name: 'Contacts' }).first().waitFor()
  assert.equal(await themeOf(page), 'light', 'remembered over the system preference')
  await page.getByTestId('theme-switch').click()
  assert.equal(await themeOf(page), 'dark', 'back to the system theme')
  await page.emulateMedia({ colorScheme: 'light' })
  await page.getByTestId('theme-switch').click()
  assert.equal(await themeOf(page), 'dark')
  assert.equal(await background(page), 'rgb(15, 17, 23)')

  // Pages in the dark theme, for a person to look at.
  for (const [path, name, ready] of [
    ['/', 'dashboard', () => page.getByRole('heading', { name: 'Dashboard' }).first().waitFor()],
    ['/contacts', 'contacts', () => page.getByRole('link', { name: 'Nyx Darkly' }).first().waitFor()],
    [`/contacts/${nyx.id}`, 'contact', () => page.getByRole('heading', { name: 'Nyx Darkly' }).waitFor()],
    [
      '/pipeline',
      'pipeline',
      () =>
        page
          .getByRole('heading', { name: /Pipeline/ })
          .first()
          .waitFor(),
    ],
    [
      '/follow-ups',
      'follow-ups',
      () =>
        page
          .getByRole('heading', { name: /Follow-ups/ })
          .first()
          .waitFor(),
    ],
  ]) {
    await page.goto(/** @type {string} */ (path))
    await /** @type {() => Promise<void>} */ (ready)()
    await page.waitForTimeout(300)
    await page.screenshot({ path: `${SHOTS}dark-${name}.png`, fullPage: true })
  }
  // Cards are drawn on the dark panel colour, text in the light one.
  await page.goto(`/contacts/${nyx.id}`)
  const card = page.locator('.card').first()
  await card.waitFor()
  assert.equal(await card.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(24, 27, 36)')
  assert.equal(await card.evaluate((el) => getComputedStyle(el).color), 'rgb(230, 232, 240)')
})
