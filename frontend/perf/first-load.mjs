// @ts-check
// The web app's cost on a first visit, against the SPEC §6 budget: the critical-path JavaScript
// (the entry script and what index.html preloads, gzipped), and — in headless Chromium with a cold
// cache each time — how long after navigation the first contact rows are visible, and the Largest
// Contentful Paint, at desktop size and on a phone (375×812, touch, the CPU throttled 4×). Run by
// scripts/bench against the built app served by the backend:
//   BASE_URL=http://127.0.0.1:8080 node perf/first-load.mjs [--runs 5] [--out file.json]
import { chromium } from 'playwright-core'
import { readFileSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, out: { type: 'string' } },
})
const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:8080'
const dist = new URL('../dist/', import.meta.url)

/** The entry script, the modules index.html preloads and the stylesheets: gzipped bytes each. */
function criticalPath() {
  const html = readFileSync(new URL('index.html', dist), 'utf8')
  const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])
  return refs.map((file) => {
    const bytes = readFileSync(new URL(file, dist))
    return { file, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
  })
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const files = criticalPath()
const js = files.filter((f) => f.file.endsWith('.js'))
const jsGzip = js.reduce((n, f) => n + f.gzip, 0)
const cssGzip = files.filter((f) => f.file.endsWith('.css')).reduce((n, f) => n + f.gzip, 0)

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
})
/**
 * One cold load of /contacts: when the first rows show, the LCP, and the JS fetched.
 * @param {{ width: number, height: number, mobile: boolean, cpuSlowdown: number }} device
 */
async function coldLoad(device) {
  // A new context is a cold cache: every asset and the first page of contacts are fetched.
  const context = await browser.newContext({
    viewport: { width: device.width, height: device.height },
    isMobile: device.mobile,
    hasTouch: device.mobile,
  })
  // Signed in, as a returning user is (scripts/bench passes the session cookie).
  if (process.env.BENCH_SESSION) {
    await context.addCookies([{ name: 'rapport_session', value: process.env.BENCH_SESSION, url: BASE_URL }])
  }
  const page = await context.newPage()
  if (device.cpuSlowdown > 1) {
    // A mid-range phone: Chromium runs the page's scripts this many times slower.
    const cdp = await context.newCDPSession(page)
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: device.cpuSlowdown })
  }
  await page.goto(`${BASE_URL}/contacts`, { waitUntil: 'commit' })
  await page
    .getByRole('table', { name: 'Contacts' })
    .locator('tr.row-link')
    .first()
    .waitFor({ timeout: 30_000 })
  const rowsVisible = await page.evaluate(() => performance.now())
  await page.waitForLoadState('load')
  const lcp = await page.evaluate(
    () =>
      new Promise((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries()
          resolve(entries[entries.length - 1]?.startTime ?? 0)
        }).observe({ type: 'largest-contentful-paint', buffered: true })
        setTimeout(() => resolve(0), 2000)
      }),
  )
  const [scripts, transferred] = await page.evaluate(() => {
    const js = /** @type {PerformanceResourceTiming[]} */ (performance.getEntriesByType('resource')).filter(
      (e) => e.name.endsWith('.js'),
    )
    return [js.length, js.reduce((n, e) => n + e.transferSize, 0)]
  })
  await context.close()
  return { rowsVisible, lcp: Number(lcp), scripts, jsTransferred: transferred }
}

const runs = []
const phoneRuns = []
try {
  for (let i = 0; i < Number(values.runs); i++) {
    runs.push(await coldLoad({ width: 1280, height: 800, mobile: false, cpuSlowdown: 1 }))
    phoneRuns.push(await coldLoad({ width: 375, height: 812, mobile: true, cpuSlowdown: 4 }))
  }
} finally {
  await browser.close()
}

const result = {
  criticalJsGzipBytes: jsGzip,
  criticalCssGzipBytes: cssGzip,
  files,
  rowsVisibleMs: median(runs.map((r) => r.rowsVisible)),
  lcpMs: median(runs.map((r) => r.lcp)),
  jsTransferredBytes: median(runs.map((r) => r.jsTransferred)),
  scriptsLoaded: median(runs.map((r) => r.scripts)),
  phoneRowsVisibleMs: median(phoneRuns.map((r) => r.rowsVisible)),
  phoneLcpMs: median(phoneRuns.map((r) => r.lcp)),
  runs,
  phoneRuns,
}
const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KB`
const verdict = (/** @type {boolean} */ ok) => (ok ? 'within budget' : 'OVER BUDGET')
console.log(
  [
    `Web app, first visit to /contacts (median of ${runs.length} cold loads in headless Chromium):`,
    `  critical-path JS ${kb(jsGzip)} gzipped (budget 150 KB: ${verdict(jsGzip <= 150 * 1024)}), CSS ${kb(cssGzip)} gzipped`,
    `  contact rows visible after ${result.rowsVisibleMs.toFixed(0)} ms (budget 1,000 ms: ${verdict(result.rowsVisibleMs <= 1000)})`,
    `  Largest Contentful Paint ${result.lcpMs.toFixed(0)} ms (budget 2,000 ms: ${verdict(result.lcpMs <= 2000)})`,
    `  ${result.scriptsLoaded} scripts, ${kb(result.jsTransferredBytes)} of JS over the wire`,
    `  at 375×812 with the CPU 4× slower: rows visible after ${result.phoneRowsVisibleMs.toFixed(0)} ms (budget 1,000 ms: ${verdict(result.phoneRowsVisibleMs <= 1000)}), LCP ${result.phoneLcpMs.toFixed(0)} ms`,
  ].join('\n'),
)
if (values.out) writeFileSync(values.out, JSON.stringify(result, null, 2))
