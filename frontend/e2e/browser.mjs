// @ts-check
// Launches Debian's Chromium (never a downloaded browser) through playwright-core.
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080'
/** Headers for `page.request` writes: it shares the page's session cookie but sends no Fetch
 * Metadata, so it says it comes from the app's own origin, as the app's own requests do. */
export const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' }
export const SHOTS = new URL('../test-results/', import.meta.url).pathname

export const E2E_EMAIL = process.env.E2E_EMAIL ?? 'e2e@rapport.test'
export const E2E_PASSWORD = process.env.E2E_PASSWORD ?? ''

/** Signs in through the sign-in page, as a person would. @param {import('playwright-core').Page} page */
export async function signIn(page, email = E2E_EMAIL, password = E2E_PASSWORD) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => !url.pathname.startsWith('/login'))
}

/** A browser with one page, signed in as the test owner unless `signedIn` is false; `phone`
 * gives it a 375 × 812 touch screen. */
export async function launch({ signedIn = true, phone = false } = {}) {
  mkdirSync(SHOTS, { recursive: true })
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const context = await browser.newContext({
    baseURL: BASE_URL,
    ...(phone
      ? { viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 }
      : { viewport: { width: 1280, height: 800 } }),
  })
  const page = await context.newPage()
  page.setDefaultTimeout(10_000)
  // Anything the server's Content-Security-Policy blocks fails the test file when it closes.
  /** @type {string[]} */
  const violations = []
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
  })
  const close = browser.close.bind(browser)
  browser.close = async () => {
    await close()
    if (violations.length > 0) {
      throw new Error(`Content Security Policy violations:\n${violations.join('\n')}`)
    }
  }
  if (signedIn) await signIn(page)
  return { browser, page }
}
