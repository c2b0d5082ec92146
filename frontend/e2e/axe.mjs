// @ts-check
// Accessibility checks with axe-core, run inside the page (through the browser's debugging
// protocol, so the app's Content-Security-Policy stays as strict as it is for people).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/**
 * The serious and critical WCAG 2.x A/AA violations on the page, one line each.
 * @param {import('playwright-core').Page} page
 * @returns {Promise<string[]>}
 */
export async function axeViolations(page) {
  await page.evaluate(source)
  return page.evaluate(async () => {
    // @ts-expect-error axe is defined by the evaluated source
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    })
    /** @type {string[]} */
    const lines = []
    for (const v of result.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue
      const where = v.nodes
        .slice(0, 3)
        .map((/** @type {{ target: string[] }} */ n) => n.target.join(' '))
        .join(' | ')
      lines.push(`${v.id} (${v.impact}, ${v.nodes.length}×): ${where}`)
    }
    return lines
  })
}
