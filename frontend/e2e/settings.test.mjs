// @ts-check
// A person changes a follow-up cadence and subscribes to the calendar feed from Settings.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { launch, SHOTS, SAME_ORIGIN } from './browser.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

test('cadences and the calendar link', async () => {
  const { page } = ctx
  await page.goto('/settings')
  const timezone = page.locator('[name="timezone"]')
  await timezone.waitFor()
  await timezone.fill('Mars/Olympus')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await page.getByText(/is not a time zone name/).waitFor()
  await timezone.fill('Europe/Paris')
  await page.locator('[name="cadence_lead"]').fill('5')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await page.getByText('Settings saved').waitFor()
  const settings = await (await page.request.get('/api/v1/settings')).json()
  assert.equal(settings.timezone, 'Europe/Paris')
  assert.equal(settings.follow_up_cadence_days.lead, 5)
  // Put it back for other tests.
  await page.request.patch('/api/v1/settings', {
    headers: SAME_ORIGIN,
    data: { timezone: 'UTC', follow_up_cadence_days: { lead: 3, prospect: 7, client: 30, inactive: null } },
  })

  await page.getByRole('button', { name: 'Make a calendar link' }).click()
  const link = page.getByLabel('Calendar feed link')
  await link.waitFor()
  const url = await link.inputValue()
  assert.match(url, /\/api\/v1\/calendar\/[\w-]+\.ics$/)
  const feed = await page.request.get(url)
  assert.equal(feed.status(), 200)
  assert.match(await feed.text(), /^BEGIN:VCALENDAR\r\n/)
  await page.screenshot({ path: `${SHOTS}settings.png`, fullPage: true })
})

test('a custom field defined in settings is filled on a contact and shown on its page', async () => {
  const { page } = ctx
  await page.goto('/settings')
  const add = page.getByRole('form', { name: 'Add a custom field' })
  await add.locator('[name="cf_label"]').fill('Tier')
  await add.locator('[name="cf_type"]').selectOption('select')
  await add.locator('[name="cf_options"]').fill('gold, silver')
  await add.getByRole('button', { name: 'Add field' }).click()
  await page.getByRole('list', { name: 'Contact fields' }).getByText('Tier').waitFor()

  await page.goto('/contacts/new')
  await page.locator('[name="first_name"]').fill('Cora')
  await page.locator('[name="cf_tier"]').selectOption('gold')
  await page.locator('form button[type=submit]').click()
  await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/)
  const details = page.locator('dl.details')
  await details.getByText('Tier').waitFor()
  await details.getByText('gold').waitFor()
  const list = await (await page.request.get('/api/v1/contacts?custom_field=tier:gold')).json()
  assert.deepEqual(
    list.items.map((/** @type {{ first_name: string }} */ c) => c.first_name),
    ['Cora'],
  )
})

test('a stage is added to a pipeline, and one holding deals moves them before it goes', async () => {
  const { page } = ctx
  await page.goto('/settings')
  const pipelineName = `Partners ${Date.now()}`
  await page.getByRole('textbox', { name: 'New pipeline' }).fill(pipelineName)
  await page.getByRole('button', { name: 'Add pipeline' }).click()
  const section = page.locator(`.pipeline-settings[data-pipeline="${pipelineName}"]`)
  await section.waitFor()
  // New pipelines start with New, Won and Lost; add "Pitched" after the open stages.
  await section.getByRole('textbox', { name: `New stage in ${pipelineName}` }).fill('Pitched')
  await section
    .getByRole('spinbutton', { name: `Probability of the new stage in ${pipelineName}` })
    .fill('40')
  await section.getByRole('button', { name: 'Add stage' }).click()
  await section.getByRole('textbox', { name: 'Name of Pitched' }).waitFor()
  const names = await section
    .locator('input[aria-label^="Name of"]')
    .evaluateAll((els) => els.map((e) => /** @type {HTMLInputElement} */ (e).value))
  assert.deepEqual(names, ['New', 'Pitched', 'Won', 'Lost'])

  // A deal in "New"; deleting that stage asks where its deals go.
  await page.goto(`/pipeline`)
  await page.getByRole('combobox', { name: 'Pipeline' }).selectOption({ label: pipelineName })
  await page.locator('.board-column[data-stage="New"]').getByRole('button', { name: '+ Add deal' }).click()
  await page.getByRole('textbox', { name: 'Deal title' }).fill('Partner deal')
  await page.getByRole('button', { name: 'Add', exact: true }).click()
  await page.locator('.deal-card').filter({ hasText: 'Partner deal' }).waitFor()
  await page.goto('/settings')
  await section.getByRole('button', { name: 'Delete New' }).click()
  await section.getByRole('combobox', { name: 'Move its deals to' }).selectOption({ label: 'Pitched' })
  await section.getByRole('button', { name: 'Move and delete' }).click()
  await page.getByText('Deleted the stage New').waitFor()
  await page.goto('/pipeline')
  await page.getByRole('combobox', { name: 'Pipeline' }).selectOption({ label: pipelineName })
  await page
    .locator('.board-column[data-stage="Pitched"] .deal-card')
    .filter({ hasText: 'Partner deal' })
    .waitFor()
})
