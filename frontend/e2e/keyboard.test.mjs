// @ts-check
// The keyboard: `?` lists every shortcut in a dialog that holds the focus and gives it back;
// `g` then a letter goes to a page; neither fires while typing in a field.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launch, SHOTS } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

/** @param {import('playwright-core').Page} page */
const focusedTestId = (page) =>
  page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null)
/** @param {import('playwright-core').Page} page */
const focusInDialog = (page) =>
  page.evaluate(() => !!document.activeElement?.closest('[data-testid="shortcuts"]'))

test('? lists the shortcuts; g then a letter goes to a page', async () => {
  const { page } = ctx
  await page.goto('/')
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor()

  await page.keyboard.press('?')
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await dialog.waitFor()
  await dialog.getByText('Go to Follow-ups').waitFor()
  assert.ok(await focusInDialog(page), 'the dialog takes the focus')
  await page.keyboard.press('Tab')
  assert.ok(await focusInDialog(page), 'Tab stays in the dialog')
  await page.screenshot({ path: `${SHOTS}shortcuts.png` })
  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'hidden' })

  // Opened from its button, it gives the focus back to the button.
  await page.getByTestId('open-shortcuts').click()
  await dialog.waitFor()
  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'hidden' })
  assert.equal(await focusedTestId(page), 'open-shortcuts')

  await page.locator('body').click({ position: { x: 600, y: 10 } })
  await page.keyboard.press('g')
  await page.keyboard.press('c')
  await page.waitForURL(/\/contacts$/)
  await page.getByRole('heading', { name: 'Contacts' }).first().waitFor()

  // Typed into a field, the same keys are just text.
  const search = page.getByRole('searchbox').first()
  await search.click()
  await search.pressSequentially('g?f')
  assert.equal(await search.inputValue(), 'g?f')
  assert.equal(await dialog.isVisible(), false)
  assert.match(page.url(), /\/contacts/)

  // From the follow-up queue, whose own keys are letters too, `g d` only goes to the dashboard.
  await page.goto('/follow-ups')
  await page.getByRole('heading', { name: 'Follow-ups' }).waitFor()
  await page.keyboard.press('g')
  await page.keyboard.press('d')
  await page.waitForURL((url) => url.pathname === '/')
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
})
