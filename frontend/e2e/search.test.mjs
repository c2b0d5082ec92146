// @ts-check
// The command palette, by keyboard alone: Ctrl-K opens it, typing searches every kind of
// record (a typo still finds the person), ↓ and Enter open a hit, `/` reopens it, "Log a call
// with …" opens the contact's log form on Call, and Esc closes it and gives focus back.
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

test('the command palette finds records and runs actions by keyboard alone', async () => {
  const { page } = ctx
  const created = await page.request.post('/api/v1/contacts', {
    data: {
      first_name: 'Philippa',
      last_name: 'Quenneville',
      emails: ['pq@lighthouse.example'],
      job_title: 'Keeper',
    },
    headers: SAME_ORIGIN,
  })
  assert.equal(created.status(), 201)
  const philippa = await created.json()
  const call = await page.request.post('/api/v1/interactions', {
    data: {
      contact_id: philippa.id,
      kind: 'meeting',
      subject: 'Lamp maintenance',
      body: 'Agreed on a lighthouse inspection every spring.',
    },
    headers: SAME_ORIGIN,
  })
  assert.equal(call.status(), 201)

  await page.goto('/contacts')
  await page.getByRole('heading', { name: 'Contacts' }).first().waitFor()
  await page.locator('body').click()
  await page.keyboard.press('Control+k')
  const input = page.getByTestId('palette-input')
  await input.waitFor()
  assert.equal(await input.evaluate((el) => el === document.activeElement), true, 'the input has focus')

  // A typo in the name still finds her; the hits are grouped by kind.
  await page.keyboard.type('philipa quen')
  const first = page.locator('.palette-item[data-type="contact"]').first()
  await first.waitFor()
  assert.match(await first.innerText(), /Philippa Quenneville/)
  await page.screenshot({ path: `${SHOTS}command-palette.png` })
  await page.keyboard.press('Enter')
  await page.waitForURL(`**/contacts/${philippa.id}`)
  await page.getByRole('heading', { name: 'Philippa Quenneville' }).waitFor()
  assert.equal(await page.locator('dialog.palette[open]').count(), 0, 'closed after opening a hit')

  // `/` opens it too; a word of an interaction's notes (and of her email) finds both, highlighted.
  await page.locator('body').click()
  await page.keyboard.press('/')
  await input.waitFor()
  await page.keyboard.type('lighthouse')
  const note = page.locator('.palette-item[data-type="interaction"]').first()
  await note.waitFor()
  assert.match(await note.innerText(), /Lamp maintenance/)
  assert.equal(await note.locator('mark').first().innerText(), 'lighthouse')
  // ↓ moves the selection; Esc closes and returns focus where it was.
  const selected = await page.locator('.palette-item.active').innerText()
  await page.keyboard.press('ArrowDown')
  assert.notEqual(await page.locator('.palette-item.active').innerText(), selected)
  await page.keyboard.press('ArrowUp')
  assert.equal(await page.locator('.palette-item.active').innerText(), selected)
  await page.keyboard.press('Escape')
  await page.locator('dialog.palette[open]').waitFor({ state: 'detached' })

  // Actions: "Log a call with …" from a contact hit, and "Go to Follow-ups" by its name.
  await page.keyboard.press('Control+k')
  // Type once the palette holds the focus (it reopens while the last one is still closing).
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'palette-input')
  await page.keyboard.type('quenneville')
  const log = page.locator('.palette-item', { hasText: 'Log a call with Philippa Quenneville' })
  await log.waitFor()
  const items = await page.locator('.palette-item').allInnerTexts()
  const at = items.findIndex((t) => t.includes('Log a call with'))
  for (let i = 0; i < at; i++) await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Enter')
  await page.waitForURL(`**/contacts/${philippa.id}?log=call`)
  const subject = page.getByRole('textbox', { name: 'Subject' })
  await subject.waitFor()
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'subject')
  assert.equal(await page.getByRole('radio', { name: /Call/ }).isChecked(), true)

  await page.keyboard.press('Control+k')
  await page.keyboard.type('follow-ups')
  await page.locator('.palette-item.active', { hasText: 'Go to Follow-ups' }).waitFor()
  await page.keyboard.press('Enter')
  await page.waitForURL('**/follow-ups')
})
