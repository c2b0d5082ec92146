// @ts-check
// Page objects: what a person sees and does on each screen, in one place.

/** @typedef {import('playwright-core').Page} Page */

export class ContactsPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page
    this.search = page.getByRole('searchbox', { name: 'Search contacts' })
    this.table = page.getByRole('table', { name: 'Contacts' })
    this.count = page.getByTestId('contact-count')
  }

  async open(query = '') {
    await this.page.goto(`/contacts${query}`)
    await this.page.getByRole('heading', { name: /Contacts|Trash/ }).waitFor()
  }

  /** @param {string} text */
  row(text) {
    return this.table.getByRole('row').filter({ hasText: text })
  }

  /** @param {string} text */
  async searchFor(text) {
    await this.search.fill(text)
  }

  /** @param {string} label @param {string} value */
  async filter(label, value) {
    await this.page.getByRole('combobox', { name: label }).selectOption(value)
  }

  async newContact() {
    await this.page.getByRole('link', { name: '+ New contact' }).click()
    return new ContactFormPage(this.page)
  }
}

export class ContactFormPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page
  }

  /** @param {Record<string, string>} fields input name → value */
  async fill(fields) {
    for (const [name, value] of Object.entries(fields)) {
      const field = this.page.locator(`[name="${name}"]`)
      const tag = await field.evaluate((el) => el.tagName)
      if (tag === 'SELECT') await field.selectOption(value)
      else await field.fill(value)
    }
  }

  /** @param {string} name */
  errorFor(name) {
    return this.page.locator('label', { has: this.page.locator(`[name="${name}"]`) }).locator('.field-error')
  }

  async submit() {
    await this.page.locator('form button[type=submit]').click()
  }
}

export class ContactPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page
    this.heading = page.getByRole('heading', { level: 1 })
  }

  async edit() {
    await this.page.getByRole('link', { name: 'Edit' }).click()
    return new ContactFormPage(this.page)
  }
}

export class CompaniesPage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page
    this.search = page.getByRole('searchbox', { name: 'Search companies' })
    this.table = page.getByRole('table', { name: 'Companies' })
  }

  async open() {
    await this.page.goto('/companies')
    await this.page.getByRole('heading', { name: 'Companies' }).waitFor()
  }

  /** @param {string} text */
  row(text) {
    return this.table.getByRole('row').filter({ hasText: text })
  }
}

export class PipelinePage {
  /** @param {Page} page */
  constructor(page) {
    this.page = page
  }

  async open(query = '') {
    await this.page.goto(`/pipeline${query}`)
    await this.page.getByRole('heading', { name: 'Pipeline' }).waitFor()
    await this.page.locator('.board-column').first().waitFor()
  }

  /** @param {string} stage */
  column(stage) {
    return this.page.locator(`.board-column[data-stage="${stage}"]`)
  }

  /** @param {string} stage @param {string} title */
  card(stage, title) {
    return this.column(stage).locator('.deal-card').filter({ hasText: title })
  }

  /** @param {string} stage @param {string} title @param {string} value */
  async quickAdd(stage, title, value) {
    const column = this.column(stage)
    await column.getByRole('button', { name: '+ Add deal' }).click()
    await column.getByRole('textbox', { name: 'Deal title' }).fill(title)
    await column.getByRole('textbox', { name: 'Value' }).fill(value)
    await column.getByRole('button', { name: 'Add', exact: true }).click()
    await this.card(stage, title).waitFor()
  }

  /**
   * Drags a card onto another column with the mouse, as a person would.
   * @param {string} fromStage @param {string} title @param {string} toStage
   */
  async drag(fromStage, title, toStage) {
    const card = this.card(fromStage, title)
    await card.scrollIntoViewIfNeeded()
    const from = await card.boundingBox()
    const target = await this.column(toStage).locator('.column-cards').boundingBox()
    if (!from || !target) throw new Error('card or column not visible')
    await this.page.mouse.move(from.x + from.width / 2, from.y + from.height / 2)
    await this.page.mouse.down()
    await this.page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 10, { steps: 5 })
    await this.page.mouse.move(target.x + target.width / 2, target.y + 20, { steps: 20 })
    await this.page.mouse.up()
  }
}
