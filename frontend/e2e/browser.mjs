// @ts-check
// Launches Debian's Chromium (never a downloaded browser) through playwright-core.
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080'
export const SHOTS = new URL('../test-results/', import.meta.url).pathname

export async function launch() {
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
  const context = await browser.newContext({ baseURL: BASE_URL, viewport: { width: 1280, height: 800 } })
  const page = await context.newPage()
  page.setDefaultTimeout(10_000)
  return { browser, page }
}
