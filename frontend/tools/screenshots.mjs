// @ts-check
// Screenshots of every main page at desktop (1280 × 800) and phone (375 × 812) sizes, in the light
// and the dark theme (and in one language), for a person to look at. Run against a running server:
//   BASE_URL=http://localhost:8080 EMAIL=… PASSWORD=… node tools/screenshots.mjs [--out dir] [--locale en|es|fr]
// scripts/screenshots does this against `scripts/run`'s demo workspace.
import { chromium } from 'playwright-core'
import { mkdirSync } from 'node:fs'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'test-results/screens' },
    locale: { type: 'string', default: 'en' },
  },
})
const BASE_URL = process.env.BASE_URL ?? 'http://localhost:8080'
const EMAIL = process.env.EMAIL ?? 'demo@rapport.test'
const PASSWORD = process.env.PASSWORD ?? ''
const out = values.out.endsWith('/') ? values.out : `${values.out}/`
mkdirSync(out, { recursive: true })

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
})
const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 },
}
let written = 0
try {
  for (const [size, options] of Object.entries(SIZES)) {
    const context = await browser.newContext({ baseURL: BASE_URL, locale: values.locale, ...options })
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    const login = await page.request.post('/api/v1/auth/login', {
      headers: { 'sec-fetch-site': 'same-origin' },
      data: { email: EMAIL, password: PASSWORD },
    })
    if (!login.ok()) throw new Error(`cannot sign in as ${EMAIL}: ${login.status()} ${await login.text()}`)
    // One of each record, for the detail pages.
    const first = async (/** @type {string} */ path) => {
      const res = await page.request.get(`${path}?limit=1`)
      return res.ok() ? (await res.json()).items?.[0]?.id : undefined
    }
    const [contact, company, deal] = await Promise.all([
      first('/api/v1/contacts'),
      first('/api/v1/companies'),
      first('/api/v1/deals'),
    ])
    const pages = [
      ['/', 'dashboard'],
      ['/contacts', 'contacts'],
      ...(contact ? [[`/contacts/${contact}`, 'contact']] : []),
      ['/companies', 'companies'],
      ...(company ? [[`/companies/${company}`, 'company']] : []),
      ['/pipeline', 'pipeline'],
      ['/deals', 'deals'],
      ...(deal ? [[`/deals/${deal}`, 'deal']] : []),
      ['/follow-ups', 'follow-ups'],
      ['/templates', 'templates'],
      ['/sequences', 'sequences'],
      ['/forms', 'forms'],
      ['/products', 'products'],
      ['/imports', 'imports'],
      ['/duplicates', 'duplicates'],
      ['/settings', 'settings'],
      ['/members', 'members'],
      ['/account', 'account'],
      ['/trash', 'trash'],
    ]
    for (const theme of /** @type {const} */ (['light', 'dark'])) {
      await page.emulateMedia({ colorScheme: theme })
      for (const [path, name] of pages) {
        await page.goto(path)
        await page.locator('main h1').first().waitFor()
        // Lists and charts draw after their data arrives.
        await page.waitForLoadState('networkidle').catch(() => undefined)
        await page.screenshot({ path: `${out}${size}-${theme}-${name}.png`, fullPage: true })
        written++
      }
    }
    await context.close()
  }
} finally {
  await browser.close()
}
console.log(`${written} screenshots in ${out}`)
