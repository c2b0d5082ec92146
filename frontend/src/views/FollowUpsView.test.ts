import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import FollowUpsView from './FollowUpsView.vue'
import { mountView } from '../test/mountView'
import { useNotices } from '../stores/notices'
import { onApi, refuse, sent, type Answer } from '../test/api'
import type { Contact, FollowUp } from '../api/types'

const contact = (n: number, name: string): Contact => ({
  id: `01936000-0000-7000-8000-00000000000${n}`,
  first_name: name,
  last_name: 'Test',
  display_name: `${name} Test`,
  emails: [],
  phones: [],
  lifecycle: 'lead',
  tags: [],
  custom_fields: {},
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  version: 3,
})
const followUp = (n: number, name: string, reminder = false): FollowUp => ({
  contact: contact(n, name),
  days_late: 2,
  due_at: '2026-12-01T09:00:00Z',
  reason: 'Lead: every 3 days',
  state: 'overdue',
  reminder: reminder
    ? {
        id: `01936000-0000-7000-8000-0000000001${n}0`,
        contact_id: contact(n, name).id,
        title: `Call ${name}`,
        due_at: '2026-12-01T09:00:00Z',
        origin: 'manual',
        created_at: '2026-11-01T00:00:00Z',
        updated_at: '2026-11-01T00:00:00Z',
        version: 1,
      }
    : null,
})
const page = (items: FollowUp[]): Answer<'/api/v1/follow-ups', 'get'> => ({
  items,
  counts: { overdue: items.length, today: items.length, week: items.length },
  next_cursor: null,
})

let wrapper: VueWrapper
async function open(): Promise<VueWrapper> {
  wrapper = await mountView(FollowUpsView, { path: '/follow-ups' })
  return wrapper
}
const names = () => wrapper.findAll('.queue-item strong').map((n) => n.text())
const press = (key: string) =>
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }))

beforeEach(() => localStorage.clear())
afterEach(() => wrapper?.unmount())

describe('FollowUpsView', () => {
  it('lists who needs a touchpoint, with why and how late', async () => {
    onApi('get', '/api/v1/follow-ups', page([followUp(1, 'Ada'), followUp(2, 'Bo')]))
    await open()
    expect(names()).toEqual(['Ada Test', 'Bo Test'])
    expect(wrapper.text()).toContain('Lead: every 3 days')
    expect(wrapper.text()).toMatch(/Overdue by 2 days/)
    const query = sent.find((r) => r.path === '/api/v1/follow-ups' && r.query.get('limit') === '50')
    expect(query?.query.get('window')).toBe('today')
  })

  it('says so when nobody is due', async () => {
    onApi('get', '/api/v1/follow-ups', page([]))
    await open()
    expect(wrapper.find('.empty-state').exists()).toBe(true)
  })

  it('takes a done row out at once and completes its reminder', async () => {
    onApi('get', '/api/v1/follow-ups', page([followUp(1, 'Ada', true), followUp(2, 'Bo')]))
    let finish: () => void = () => {}
    onApi(
      'post',
      '/api/v1/reminders/{id}/complete',
      () =>
        new Promise((resolve) => {
          finish = () =>
            resolve({ ...followUp(1, 'Ada', true).reminder!, completed_at: '2026-12-04T10:00:00Z' })
        }),
    )
    await open()
    press('d')
    await flushPromises()
    // Gone before the server has answered.
    expect(names()).toEqual(['Bo Test'])
    onApi('get', '/api/v1/follow-ups', page([followUp(2, 'Bo')]))
    finish()
    await flushPromises()
    expect(names()).toEqual(['Bo Test'])
    expect(sent.some((r) => r.method === 'POST' && r.path.endsWith('/complete'))).toBe(true)
    expect(useNotices().items.map((n) => n.text)).toContain('Done: Call Ada')
  })

  it('puts a refused snooze back where it was and says why', async () => {
    onApi('get', '/api/v1/follow-ups', page([followUp(1, 'Ada'), followUp(2, 'Bo')]))
    refuse('patch', '/api/v1/contacts/{id}', 409, { code: 'version_conflict' })
    await open()
    press('s')
    await flushPromises()
    expect(names()).toEqual(['Ada Test', 'Bo Test'])
    const last = useNotices().items.at(-1)
    expect(last?.kind).toBe('error')
    expect(last?.text).toMatch(/^Ada Test is back in the queue: /)
    const patch = sent.find((r) => r.method === 'PATCH')
    expect(patch?.body).toMatchObject({ version: 3 })
  })
})
