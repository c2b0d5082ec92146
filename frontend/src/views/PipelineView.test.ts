import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import PipelineView from './PipelineView.vue'
import { mountView } from '../test/mountView'
import { onApi, sent } from '../test/api'
import type { Board, Deal } from '../api/types'
import { PIPELINE, pipeline as sales, stage } from '../test/pipelines'

const LEAD = stage(1, 'Lead', 'open', 10)
const WON = stage(2, 'Won', 'won', 100)
const pipeline = sales([LEAD, WON])
const deal = (title: string, value: number): Deal => ({
  id: '01936000-0000-7000-8000-000000000201',
  title,
  currency: 'EUR',
  value_minor: value,
  total_value_minor: value,
  weighted_value_minor: value / 10,
  probability: 10,
  probability_overridden: false,
  pipeline_id: PIPELINE,
  pipeline_name: 'Sales',
  stage_id: LEAD.id,
  stage_name: 'Lead',
  stage_changed_at: '2026-12-01T00:00:00Z',
  status: 'open',
  custom_fields: {},
  created_at: '2026-12-01T00:00:00Z',
  updated_at: '2026-12-01T00:00:00Z',
  version: 1,
})
const board = (deals: Deal[]): Board => ({
  pipeline,
  columns: [
    {
      stage: LEAD,
      count: deals.length,
      deals,
      has_more: false,
      totals: [{ currency: 'EUR', value_minor: 420000, weighted_minor: 42000 }],
    },
    { stage: WON, count: 0, deals: [], has_more: false, totals: [] },
  ],
})

let wrapper: VueWrapper
afterEach(() => wrapper?.unmount())

describe('PipelineView', () => {
  it('shows each stage with its count, probability, totals and cards', async () => {
    onApi('get', '/api/v1/pipelines', { items: [pipeline] })
    onApi('get', '/api/v1/pipelines/{id}/board', board([deal('Website redesign', 420000)]))
    wrapper = await mountView(PipelineView, { path: '/pipeline' })
    const lead = wrapper.get('[data-stage="Lead"]')
    expect(lead.get('.count').text()).toBe('1')
    expect(lead.text()).toContain('10% probability')
    expect(lead.text()).toContain('€4,200')
    expect(lead.text()).toContain('Website redesign')
    expect(wrapper.get('[data-stage="Won"]').findAll('.deal-card')).toHaveLength(0)
  })

  it('adds a deal to a stage from the column, in minor units', async () => {
    onApi('get', '/api/v1/pipelines', { items: [pipeline] })
    onApi('get', '/api/v1/pipelines/{id}/board', board([]))
    onApi('post', '/api/v1/deals', (req) => ({ ...deal('Audit', 150050), ...(req.body as object) }), 201)
    wrapper = await mountView(PipelineView, { path: '/pipeline' })
    const lead = wrapper.get('[data-stage="Lead"]')
    await lead.get('button.add-deal').trigger('click')
    await lead.get('input[aria-label="Deal title"]').setValue('Audit')
    await lead.get('input[aria-label="Value"]').setValue('1,500.50')
    await lead.get('form').trigger('submit')
    await flushPromises()
    const post = sent.find((r) => r.method === 'POST' && r.path === '/api/v1/deals')
    expect(post?.body).toEqual({ title: 'Audit', stage_id: LEAD.id, value_minor: 150050 })
    // The board is read again for the server's counts and totals.
    const posted = sent.findIndex((r) => r.method === 'POST')
    expect(sent.slice(posted).some((r) => r.path.endsWith('/board'))).toBe(true)
  })

  it('refuses a value it cannot read before sending anything', async () => {
    onApi('get', '/api/v1/pipelines', { items: [pipeline] })
    onApi('get', '/api/v1/pipelines/{id}/board', board([]))
    wrapper = await mountView(PipelineView, { path: '/pipeline' })
    const lead = wrapper.get('[data-stage="Lead"]')
    await lead.get('button.add-deal').trigger('click')
    await lead.get('input[aria-label="Deal title"]').setValue('Audit')
    await lead.get('input[aria-label="Value"]').setValue('lots')
    await lead.get('form').trigger('submit')
    await flushPromises()
    expect(lead.find('.field-error').exists()).toBe(true)
    expect(sent.some((r) => r.method === 'POST')).toBe(false)
  })

  it('offers a read-only member no way to add or drag deals', async () => {
    onApi('get', '/api/v1/pipelines', { items: [pipeline] })
    onApi('get', '/api/v1/pipelines/{id}/board', board([deal('Website redesign', 420000)]))
    wrapper = await mountView(PipelineView, { path: '/pipeline', role: 'read_only' })
    const add = wrapper.find('button.add-deal')
    expect(!add.exists() || (add.element as HTMLElement).hidden).toBe(true)
    expect(
      wrapper.find('a[href="/deals/new?pipeline=' + PIPELINE + '"]').element.hasAttribute('hidden'),
    ).toBe(true)
  })
})
