import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import PaymentsCard from './PaymentsCard.vue'
import { mountView } from '../../test/mountView'
import { onApi, refuse, sent } from '../../test/api'
import type { Payment } from '../../api/types'

const CONTACT = '01936000-0000-7000-8000-000000000301'
const DEAL = '01936000-0000-7000-8000-000000000201'
const payment = (n: number, amount: number, on: string): Payment => ({
  id: `01936000-0000-7000-8000-00000000090${n}`,
  contact_id: CONTACT,
  deal_id: DEAL,
  amount_minor: amount,
  currency: 'EUR',
  received_on: on,
  note: null,
  created_at: '2026-12-01T00:00:00Z',
  updated_at: '2026-12-01T00:00:00Z',
  version: 1,
})
const Card = defineComponent({
  render: () => h(PaymentsCard, { contactId: CONTACT, dealId: DEAL, currency: 'EUR' }),
})

let wrapper: VueWrapper
afterEach(() => {
  wrapper?.unmount()
  vi.restoreAllMocks()
})

async function openForm() {
  await wrapper
    .findAll('button')
    .find((b) => b.text() === 'Record a payment')!
    .trigger('click')
}

describe('PaymentsCard', () => {
  it('records a payment in minor units for the deal and reads the list again', async () => {
    onApi('get', '/api/v1/payments', { items: [payment(1, 50000, '2026-11-02')] })
    onApi('post', '/api/v1/payments', payment(2, 120050, '2026-12-01'), 201)
    wrapper = await mountView(Card, { path: '/deals/x', role: 'member' })
    expect(sent[0]?.query.get('deal_id')).toBe(DEAL)
    await openForm()
    await wrapper.get('input[name="amount"]').setValue('1,200.50')
    await wrapper.get('input[name="received_on"]').setValue('2026-12-01')
    await wrapper.get('input[name="note"]').setValue(' INV-7 ')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({
      contact_id: CONTACT,
      deal_id: DEAL,
      amount_minor: 120050,
      currency: 'EUR',
      received_on: '2026-12-01',
      note: 'INV-7',
    })
    expect(sent.filter((r) => r.method === 'GET' && r.path === '/api/v1/payments')).toHaveLength(2)
  })

  it('refuses an amount of zero without asking the server, and shows the server’s refusal', async () => {
    onApi('get', '/api/v1/payments', { items: [] })
    wrapper = await mountView(Card, { path: '/deals/x', role: 'member' })
    await openForm()
    await wrapper.get('input[name="amount"]').setValue('0')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(sent.some((r) => r.method === 'POST')).toBe(false)
    expect(wrapper.get('.field-error').text()).toContain('above zero')

    refuse('post', '/api/v1/payments', 422, {
      code: 'validation_failed',
      detail: 'received_on: must not be in the future',
    })
    await wrapper.get('input[name="amount"]').setValue('10')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(sent.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(wrapper.get('.field-error').text()).toContain('must not be in the future')
  })

  it('deletes a payment once confirmed', async () => {
    onApi('get', '/api/v1/payments', { items: [payment(1, 50000, '2026-11-02')] })
    onApi('delete', '/api/v1/payments/{id}', undefined as never, 204)
    vi.spyOn(window, 'confirm').mockReturnValue(true)
    wrapper = await mountView(Card, { path: '/deals/x', role: 'member' })
    await wrapper.get('button[aria-label^="Delete payment of"]').trigger('click')
    await flushPromises()
    expect(sent.find((r) => r.method === 'DELETE')?.path).toBe(
      '/api/v1/payments/01936000-0000-7000-8000-000000000901',
    )
  })
})
