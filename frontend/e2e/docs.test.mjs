// @ts-check
// The API documentation works in the browser under the server's Content-Security-Policy.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launch, SHOTS } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch({ signedIn: false })
})
after(async () => {
  await ctx?.browser.close()
})

test('Swagger UI lists the API and offers to authorize', async () => {
  const { page } = ctx
  const res = await page.goto('/docs/')
  assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/)
  await page.locator('.opblock-tag', { hasText: 'contacts' }).first().waitFor()
  await page
    .getByRole('button', { name: /Authorize/ })
    .first()
    .waitFor()
  await page.screenshot({ path: `${SHOTS}swagger-ui.png` })
})
