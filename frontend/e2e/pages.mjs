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
