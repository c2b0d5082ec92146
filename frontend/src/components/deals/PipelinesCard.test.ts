import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import PipelinesCard from './PipelinesCard.vue'
import { mountView } from '../../test/mountView'
import { onApi, refuse, sent } from '../../test/api'
import { PIPELINE, pipeline as sales, stage } from '../../test/pipelines'

const LEAD = stage(1, 'Lead', 'open', 10)
const PROPOSAL = stage(2, 'Proposal', 'open', 50)
const WON = stage(3, 'Won', 'won', 100)

let wrapper: VueWrapper
afterEach(() => wrapper?.unmount())

describe('PipelinesCard', () => {
  it('asks where a stage’s deals go, then deletes it with them moved', async () => {
    onApi('get', '/api/v1/pipelines', { items: [sales([LEAD, PROPOSAL, WON])] })
    refuse('delete', '/api/v1/pipelines/{id}/stages/{stage_id}', 409, {
      code: 'stage_has_deals',
      detail: 'the stage holds 3 deals',
    })
    wrapper = await mountView(PipelinesCard, { path: '/settings', role: 'admin' })
    await wrapper.get('button[aria-label="Delete Proposal"]').trigger('click')
    await flushPromises()
    expect(wrapper.text()).toContain('“Proposal” still holds deals')

    onApi('delete', '/api/v1/pipelines/{id}/stages/{stage_id}', sales([LEAD, WON], 2))
    await wrapper.get('select[aria-label="Move its deals to"]').setValue(WON.id)
    const confirm = wrapper.findAll('button').find((b) => b.text() === 'Move and delete')
    await confirm!.trigger('click')
    await flushPromises()
    const deletes = sent.filter((r) => r.method === 'DELETE')
    expect(deletes).toHaveLength(2)
    expect(deletes[1]!.path).toBe(`/api/v1/pipelines/${PIPELINE}/stages/${PROPOSAL.id}`)
    expect(deletes[1]!.query.get('move_to')).toBe(WON.id)
    expect(wrapper.find('button[aria-label="Delete Proposal"]').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('still holds deals')
  })

  it('moves a stage down by sending every stage in the new order', async () => {
    onApi('get', '/api/v1/pipelines', { items: [sales([LEAD, PROPOSAL, WON])] })
    onApi('put', '/api/v1/pipelines/{id}/stages/order', sales([PROPOSAL, LEAD, WON], 2))
    wrapper = await mountView(PipelinesCard, { path: '/settings', role: 'admin' })
    await wrapper.get('button[aria-label="Move Lead down"]').trigger('click')
    await flushPromises()
    const put = sent.find((r) => r.method === 'PUT')
    expect(put?.body).toEqual({ stage_ids: [PROPOSAL.id, LEAD.id, WON.id] })
    const names = wrapper
      .findAll('input[aria-label^="Name of"]')
      .map((i) => (i.element as HTMLInputElement).value)
    expect(names).toEqual(['Proposal', 'Lead', 'Won'])
  })

  it('saves a stage’s name and probability, and keeps the draft when refused', async () => {
    onApi('get', '/api/v1/pipelines', { items: [sales([LEAD, WON])] })
    refuse('patch', '/api/v1/pipelines/{id}/stages/{stage_id}', 422, {
      code: 'validation_failed',
      detail: 'probability must be between 0 and 100',
    })
    wrapper = await mountView(PipelinesCard, { path: '/settings', role: 'admin' })
    await wrapper.get('input[aria-label="Probability of Lead"]').setValue('150')
    await wrapper.get('button[aria-label="Save Lead"]').trigger('click')
    await flushPromises()
    expect(sent.find((r) => r.method === 'PATCH')?.body).toEqual({ name: 'Lead', probability: 150 })
    expect((wrapper.get('input[aria-label="Probability of Lead"]').element as HTMLInputElement).value).toBe(
      '150',
    )
  })
})
