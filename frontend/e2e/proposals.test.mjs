// @ts-check
// A person writes a proposal for a deal from the catalogue and free text, sees the totals as they
// type, saves it, and downloads its PDF.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { launch, SHOTS } from './browser.mjs'
import { PipelinePage } from './pages.mjs'

/** @type {Awaited<ReturnType<typeof launch>>} */
let ctx

before(async () => {
  ctx = await launch()
})
after(async () => {
  await ctx?.browser.close()
})

test('a proposal is written with live totals and downloads as a PDF', async () => {
  const { page } = ctx
  // A product to pick from.
  await page.goto('/products')
  await page.getByRole('button', { name: '+ New product' }).click()
  const product = `Workshop ${Date.now()}`
  await page.getByRole('textbox', { name: 'Name' }).fill(product)
  await page.getByRole('textbox', { name: 'Price' }).fill('1,500')
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await page.getByRole('table', { name: 'Products' }).getByText(product).waitFor()

  // A deal to write it for.
  const board = new PipelinePage(page)
  await board.open()
  const title = `Proposal deal ${Date.now()}`
  await board.quickAdd('Qualified', title, '9000')
  await board.card('Qualified', title).getByRole('link', { name: title }).click()
  await page.getByRole('heading', { name: title }).waitFor()
  await page.getByRole('link', { name: 'New proposal' }).click()
  await page.getByRole('heading', { name: 'New proposal' }).waitFor()

  await page.getByRole('combobox', { name: 'Product of line 1' }).selectOption({ label: product })
  assert.equal(await page.getByRole('textbox', { name: 'Description of line 1' }).inputValue(), product)
  await page.getByRole('button', { name: '+ Add line' }).click()
  await page.getByRole('textbox', { name: 'Description of line 2' }).fill('Build (hours)')
  await page.getByRole('textbox', { name: 'Quantity of line 2' }).fill('12.5')
  await page.getByRole('textbox', { name: 'Unit price of line 2' }).fill('90')
  await page.getByRole('textbox', { name: 'Discount of line 2' }).fill('10')
  await page.getByRole('textbox', { name: 'Tax (%)' }).fill('20')
  // 1,500 + 12.5 × 90 − 10 % = 2,512.50; plus 20 % tax = 3,015.00.
  await page.getByTestId('proposal-total').filter({ hasText: '3,015.00' }).waitFor()

  // A line without a price is refused next to the line, nothing saved.
  await page.getByRole('button', { name: '+ Add line' }).click()
  await page.getByRole('textbox', { name: 'Description of line 3' }).fill('Forgot the price')
  await page.getByRole('button', { name: 'Create proposal' }).click()
  await page.getByRole('cell', { name: 'a line without a product needs a price' }).waitFor()
  await page.getByRole('button', { name: 'Remove line 3' }).click()
  await page.getByRole('button', { name: 'Create proposal' }).click()
  await page.waitForURL(/\/proposals\/[0-9a-f-]{36}$/)
  await page.getByRole('heading', { name: /Proposal #\d+/ }).waitFor()
  assert.match(await page.getByTestId('proposal-total').innerText(), /3,015\.00/)
  await page.screenshot({ path: `${SHOTS}proposal.png`, fullPage: true })

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download PDF' }).click(),
  ])
  assert.match(download.suggestedFilename(), /^proposal-\d+-proposal-deal-\d+-proposal\.pdf$/)
  const path = await download.path()
  const bytes = await readFile(path)
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-')
  assert.match(bytes.toString('latin1'), /\(Build \(hours\)\)|\(Build \\\(hours\\\)\)/)

  await page.getByRole('button', { name: 'Mark as sent' }).click()
  await page.getByText('Proposal marked as sent').waitFor()
})

test('the assistant drafts a proposal from a deal, saved as a draft to edit', async () => {
  const { page } = ctx
  const board = new PipelinePage(page)
  await board.open()
  const title = `Drafted deal ${Date.now()}`
  await board.quickAdd('Lead', title, '2,500')
  await board.card('Lead', title).getByRole('link', { name: title }).click()
  await page.getByRole('heading', { name: title }).waitFor()
  await page.getByRole('button', { name: 'Draft with AI' }).click()
  await page.waitForURL(/\/proposals\/[0-9a-f-]{36}$/)
  await page.getByRole('heading', { name: /Proposal #\d+/ }).waitFor()
  assert.equal(await page.getByRole('textbox', { name: 'Title' }).inputValue(), `${title} — proposal`)
  assert.match(await page.getByTestId('proposal-total').innerText(), /2,500\.00/)
})
