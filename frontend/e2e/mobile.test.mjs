// @ts-check
// On a phone (375 × 812): every main page fits the screen's width (no sideways scrolling), the
// navigation folds into a menu, and the follow-up queue, a contact and the board work by tap.
// Screenshots of each page in both themes are written for a person to look at.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launch, SAME_ORIGIN, SHOTS } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch({ phone: true })
})
after(async () => {
  await ctx?.browser.close()
})

/** How far the page scrolls sideways, and the outermost elements that stick out (to fix).
 * @param {import('playwright-core').Page} page */
const overflow = (page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const by = document.documentElement.scrollWidth - width
    /** @type {string[]} */
    const culprits = []
    if (by > 0) {
      for (const el of document.querySelectorAll('main *')) {
        const parent = el.parentElement
        const out = (/** @type {Element} */ e) => e.getBoundingClientRect().right > width + 1
        if (out(el) && parent && !out(parent)) {
          culprits.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`)
        }
      }
    }
    return { by, culprits: culprits.slice(0, 3) }
  })

test('every main page fits a phone screen in both themes', async () => {
  const { page } = ctx
  const res = await page.request.post('/api/v1/contacts', {
    headers: SAME_ORIGIN,
    data: {
      first_name: 'Mobi',
      last_name: 'Lestrange-Featherstonehaugh',
      emails: ['mobi.lestrange-featherstonehaugh@a-very-long-domain-name.example'],
      job_title: 'Principal',
    },
  })
  const mobi = await res.json()
  // Something in the trash, with a long name, so its list is laid out too.
  const gone = await page.request.post('/api/v1/contacts', {
    headers: SAME_ORIGIN,
    data: { first_name: 'Trashed', last_name: 'Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh' },
  })
  const trashed = await page.request.delete(`/api/v1/contacts/${(await gone.json()).id}`, {
    headers: { ...SAME_ORIGIN, 'if-match': '*' },
  })
  assert.ok(trashed.ok(), await trashed.text())
  /** @type {[string, string][]} */
  const pages = [
    ['/', 'dashboard'],
    ['/contacts', 'contacts'],
    [`/contacts/${mobi.id}`, 'contact'],
    ['/companies', 'companies'],
    ['/pipeline', 'pipeline'],
    ['/deals', 'deals'],
    ['/follow-ups', 'follow-ups'],
    ['/templates', 'templates'],
    ['/sequences', 'sequences'],
    ['/products', 'products'],
    ['/settings', 'settings'],
    ['/trash', 'trash'],
  ]
  /** @type {string[]} */
  const wide = []
  for (const scheme of /** @type {const} */ (['light', 'dark'])) {
    await page.emulateMedia({ colorScheme: scheme })
    for (const [path, name] of pages) {
      await page.goto(path)
      await page.locator('main h1').first().waitFor()
      await page.waitForTimeout(250)
      await page.screenshot({ path: `${SHOTS}phone-${scheme}-${name}.png`, fullPage: true })
      const { by, culprits } = await overflow(page)
      if (by > 0) wide.push(`${path} (${scheme}) scrolls ${by} px sideways: ${culprits.join(', ')}`)
    }
  }
  assert.deepEqual(wide, [])
})

test('on a phone: find a contact from the menu, log a call, work the queue and move a deal', async () => {
  const { page } = ctx
  await page.emulateMedia({ colorScheme: 'light' })
  const post = async (/** @type {string} */ path, /** @type {object} */ data) => {
    const res = await page.request.post(path, { data, headers: SAME_ORIGIN })
    assert.ok(res.ok(), await res.text())
    return res.json()
  }
  const pia = await post('/api/v1/contacts', {
    first_name: 'Pia',
    last_name: 'Pocket',
    lifecycle: 'prospect',
    next_follow_up_at: new Date(Date.now() - 2 * 864e5).toISOString(),
  })
  const pipelines = (await (await page.request.get('/api/v1/pipelines')).json()).items
  const stages = pipelines[0].stages
  const deal = await post('/api/v1/deals', {
    title: 'Pocket-sized retainer',
    contact_id: pia.id,
    pipeline_id: pipelines[0].id,
    stage_id: stages[0].id,
    value_minor: 120000,
    currency: 'EUR',
  })

  // The navigation is a menu behind one button.
  await page.goto('/')
  const contactsLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' })
  assert.equal(await contactsLink.isVisible(), false, 'folded away')
  await page.getByTestId('menu-toggle').click()
  await page.screenshot({ path: `${SHOTS}phone-menu.png` })
  await contactsLink.click()
  await page.waitForURL('**/contacts')
  assert.equal(await contactsLink.isVisible(), false, 'closed after choosing')

  // Find her and log a call.
  await page.getByRole('searchbox').first().fill('pocket')
  await page
    .getByRole('link', { name: /Pia Pocket/ })
    .first()
    .click()
  await page.getByRole('heading', { name: 'Pia Pocket' }).waitFor()
  await page.getByRole('radio', { name: /Call/ }).check({ force: true })
  await page.getByLabel('Subject').fill('Called from the train')
  await page.getByRole('button', { name: 'Log', exact: true }).click()
  await page.getByRole('list', { name: 'Interactions' }).getByText('Called from the train').waitFor()
  await page.screenshot({ path: `${SHOTS}phone-contact-logged.png`, fullPage: true })

  // The queue works with taps.
  await post('/api/v1/contacts', {
    first_name: 'Quinn',
    last_name: 'Queue',
    lifecycle: 'prospect',
    next_follow_up_at: new Date(Date.now() - 3 * 864e5).toISOString(),
  })
  await page.goto('/follow-ups')
  const row = page.getByRole('listitem').filter({ hasText: 'Quinn Queue' })
  await row.getByRole('button', { name: 'Done' }).tap()
  await row.waitFor({ state: 'detached' })
  await page.screenshot({ path: `${SHOTS}phone-follow-ups.png`, fullPage: true })

  // A deal moves to the next stage from its page (no dragging needed).
  await page.goto(`/deals/${deal.id}`)
  await page.getByRole('list', { name: 'Stages' }).getByRole('button', { name: stages[1].name }).tap()
  await page.locator('.stage-step.current', { hasText: stages[1].name }).waitFor()
  const moved = await (await page.request.get(`/api/v1/deals/${deal.id}`)).json()
  assert.equal(moved.stage_id, stages[1].id)
  const { by } = await overflow(page)
  assert.equal(by, 0)
})
