import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import ProductsView from './ProductsView.vue'
import { mountView } from '../test/mountView'
import { onApi, refuse, sent } from '../test/api'
import type { Product } from '../api/types'

const product = (name: string, price: number, extra: Partial<Product> = {}): Product => ({
  id: '01936000-0000-7000-8000-000000000301',
  name,
  price_minor: price,
  currency: 'EUR',
  in_stock: true,
  created_at: '2026-12-01T00:00:00Z',
  updated_at: '2026-12-01T00:00:00Z',
  version: 1,
  ...extra,
})

let wrapper: VueWrapper
afterEach(() => wrapper?.unmount())

/** Opens the new-product form, types `fields` (input name → text) and submits it. */
async function submitNew(fields: Record<string, string>) {
  await wrapper.get('button.primary').trigger('click')
  for (const [name, text] of Object.entries(fields)) await wrapper.get(`input[name="${name}"]`).setValue(text)
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('ProductsView', () => {
  it('lists the catalogue with prices in the currency’s format', async () => {
    onApi('get', '/api/v1/products', { items: [product('Website audit', 120000, { sku: 'AUD-01' })] })
    wrapper = await mountView(ProductsView, { path: '/products' })
    const row = wrapper.get('tbody tr')
    expect(row.text()).toContain('Website audit')
    expect(row.text()).toContain('AUD-01')
    expect(row.text()).toContain('€1,200.00')
  })

  it('creates a product with its price in minor units and reads the list again', async () => {
    onApi('get', '/api/v1/products', { items: [] })
    onApi('post', '/api/v1/products', (req) => ({ ...product('x', 0), ...(req.body as object) }), 201)
    wrapper = await mountView(ProductsView, { path: '/products' })
    await submitNew({ name: ' Workshop day ', price: '1,500.50' })
    const post = sent.find((r) => r.method === 'POST' && r.path === '/api/v1/products')
    expect(post?.body).toMatchObject({
      name: 'Workshop day',
      price_minor: 150050,
      currency: 'EUR',
      sku: null,
    })
    const posted = sent.indexOf(post!)
    expect(sent.slice(posted + 1).some((r) => r.method === 'GET' && r.path === '/api/v1/products')).toBe(true)
    expect(wrapper.find('form').exists()).toBe(false)
  })

  it('keeps the form and shows the server’s refusal next to the field', async () => {
    onApi('get', '/api/v1/products', { items: [] })
    refuse('post', '/api/v1/products', 409, { code: 'duplicate_sku', detail: 'SKU AUD-01 is already used' })
    wrapper = await mountView(ProductsView, { path: '/products' })
    await submitNew({ name: 'Audit', sku: 'AUD-01', price: '100' })
    expect(wrapper.find('form').exists()).toBe(true)
    expect(wrapper.get('label.invalid .field-error').text()).toContain('SKU AUD-01 is already used')
  })

  it('refuses a price it cannot read before sending anything', async () => {
    onApi('get', '/api/v1/products', { items: [] })
    wrapper = await mountView(ProductsView, { path: '/products' })
    await submitNew({ name: 'Audit', price: 'lots' })
    expect(wrapper.find('.field-error').exists()).toBe(true)
    expect(sent.some((r) => r.method === 'POST')).toBe(false)
  })
})
