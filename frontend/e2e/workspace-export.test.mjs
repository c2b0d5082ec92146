// @ts-check
// Taking everything out and back in, as an owner would: Settings → Export workspace, the
// archive downloaded, a new empty workspace, the archive restored on the Import page, and the
// same contacts there.
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

test('a workspace is exported from Settings and restored into a new workspace', async () => {
  const { page } = ctx
  const me = await (await page.request.get('/api/v1/me')).json()
  const home = me.workspace.id
  for (const [first_name, email] of [
    ['Xavière', 'xaviere@export.example'],
    ['Xander', 'xander@export.example'],
  ]) {
    const res = await page.request.post('/api/v1/contacts', {
      data: { first_name, last_name: 'Export', emails: [email] },
      headers: SAME_ORIGIN,
    })
    assert.equal(res.status(), 201)
  }
  const contacts = await (await page.request.get('/api/v1/contacts?limit=5&sort=name')).json()
  assert.ok(contacts.items.length > 0)

  await page.goto('/settings')
  const card = page.getByLabel('Export everything')
  await card.getByRole('button', { name: 'Export workspace' }).click()
  const link = card.getByRole('link', { name: /rapport-export-.*\.zip/ }).first()
  await link.waitFor({ timeout: 60_000 })
  assert.match(await card.innerText(), /Ready/)
  await page.screenshot({ path: `${SHOTS}workspace-export.png`, fullPage: true })
  const href = await link.getAttribute('href')
  const archive = await page.request.get(href ?? '')
  assert.equal(archive.status(), 200)
  assert.equal(archive.headers()['content-type'], 'application/zip')
  const bytes = await archive.body()

  const created = await page.request.post('/api/v1/workspaces', {
    data: { name: 'Restored copy' },
    headers: SAME_ORIGIN,
  })
  assert.equal(created.status(), 201)
  const copy = (await created.json()).id
  try {
    const switched = await page.request.post('/api/v1/me/workspace', {
      data: { workspace_id: copy },
      headers: SAME_ORIGIN,
    })
    assert.equal(switched.status(), 200)
    await page.goto('/imports')
    await page.locator('input[name="import_file"]').setInputFiles({
      name: 'rapport-export.zip',
      mimeType: 'application/zip',
      buffer: bytes,
    })
    await page.getByRole('heading', { name: 'Restore this workspace export' }).waitFor()
    await page.getByRole('button', { name: /Restore \d+ records/ }).click()
    await page.getByText('Restored.', { exact: false }).waitFor({ timeout: 60_000 })
    assert.match(await page.locator('.result').innerText(), /\d+ contacts/)
    await page.screenshot({ path: `${SHOTS}workspace-restored.png`, fullPage: true })

    const restored = await (await page.request.get('/api/v1/contacts?limit=5&sort=name')).json()
    assert.deepEqual(
      restored.items.map((/** @type {{display_name: string}} */ c) => c.display_name),
      contacts.items.map((/** @type {{display_name: string}} */ c) => c.display_name),
    )
    assert.notEqual(restored.items[0].id, contacts.items[0].id)
    await page.goto('/contacts')
    await page
      .getByRole('link', { name: new RegExp(contacts.items[0].display_name) })
      .first()
      .waitFor()
  } finally {
    await page.request.post('/api/v1/me/workspace', { data: { workspace_id: home }, headers: SAME_ORIGIN })
  }
})
