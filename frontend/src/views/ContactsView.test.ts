import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import ContactsView from './ContactsView.vue'
import { mountView } from '../test/mountView'
import { onApi, sent } from '../test/api'
import type { Contact } from '../api/types'

const contact = (n: number, first: string, last: string, extra: Partial<Contact> = {}): Contact => ({
  id: `01936000-0000-7000-8000-00000000030${n}`,
  first_name: first,
  last_name: last,
  display_name: `${first} ${last}`,
  emails: [`${first.toLowerCase()}@example.com`],
  phones: [],
  lifecycle: 'lead',
  tags: [],
  custom_fields: {},
  created_at: '2026-12-01T00:00:00Z',
  updated_at: '2026-12-01T00:00:00Z',
  version: 1,
  ...extra,
})
const listRequests = () => sent.filter((r) => r.method === 'GET' && r.path === '/api/v1/contacts')

function answer(items: Contact[]) {
  onApi('get', '/api/v1/contacts', (req) => {
    const q = req.query.get('q')?.toLowerCase()
    const shown = q ? items.filter((c) => c.display_name.toLowerCase().includes(q)) : items
    return { items: shown, total: shown.length, next_cursor: null }
  })
  onApi('get', '/api/v1/contacts/tags', { items: [{ tag: 'vip', count: 1 }] })
}

let wrapper: VueWrapper
afterEach(() => {
  wrapper?.unmount()
  vi.useRealTimers()
})

describe('ContactsView', () => {
  it('lists contacts with their stage and a count', async () => {
    answer([
      contact(1, 'Ada', 'Lovelace', { lifecycle: 'client', tags: ['vip'] }),
      contact(2, 'Bo', 'Diddley'),
    ])
    wrapper = await mountView(ContactsView, { path: '/contacts' })
    expect(wrapper.text()).toContain('Ada Lovelace')
    expect(wrapper.text()).toContain('Bo Diddley')
    expect(wrapper.text()).toContain('Client')
    expect(wrapper.text()).toMatch(/2 contacts/)
  })

  it('reads its filters from the address and sends them', async () => {
    answer([])
    wrapper = await mountView(ContactsView, { path: '/contacts?lifecycle=client&tag=vip&sort=last_name' })
    const request = listRequests()[0]!
    expect(request.query.get('lifecycle')).toBe('client')
    expect(request.query.get('tag')).toBe('vip')
    expect(request.query.get('sort')).toBe('last_name')
    // Only the columns the list shows are asked for.
    expect(request.query.get('fields')?.split(',')).toEqual(
      expect.arrayContaining(['display_name', 'company', 'lifecycle', 'emails', 'tags', 'next_follow_up_at']),
    )
    expect(request.query.get('fields')).not.toContain('notes')
    // An empty list with filters says so and offers to clear them.
    expect(wrapper.text()).toContain('Clear filters')
  })

  it('searches once the typing pauses, not on every key', async () => {
    answer([contact(1, 'Ada', 'Lovelace'), contact(2, 'Bo', 'Diddley')])
    wrapper = await mountView(ContactsView, { path: '/contacts' })
    vi.useFakeTimers()
    const box = wrapper.get('input[type="search"]')
    await box.setValue('a')
    await box.setValue('ad')
    await box.setValue('ada')
    const before = listRequests().length
    await vi.advanceTimersByTimeAsync(300)
    vi.useRealTimers()
    await flushPromises()
    const after = listRequests().slice(before)
    expect(after.map((r) => r.query.get('q'))).toEqual(['ada'])
    expect(wrapper.text()).toContain('Ada Lovelace')
    expect(wrapper.text()).not.toContain('Bo Diddley')
  })
})
