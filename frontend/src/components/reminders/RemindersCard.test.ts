import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import RemindersCard from './RemindersCard.vue'
import { mountView } from '../../test/mountView'
import { onApi, refuse, sent } from '../../test/api'
import type { Reminder } from '../../api/types'
import { useNotices } from '../../stores/notices'

const CONTACT = '01936000-0000-7000-8000-000000000301'
const reminder = (n: number, title: string, due: string): Reminder => ({
  id: `01936000-0000-7000-8000-00000000060${n}`,
  contact_id: CONTACT,
  title,
  due_at: due,
  origin: 'manual',
  created_at: '2026-12-01T00:00:00Z',
  updated_at: '2026-12-01T00:00:00Z',
  version: 1,
})
const Card = defineComponent({ render: () => h(RemindersCard, { contactId: CONTACT }) })

let wrapper: VueWrapper
afterEach(() => wrapper?.unmount())

describe('RemindersCard', () => {
  it('lists the contact’s open reminders and adds one, then reads them again', async () => {
    const call = reminder(1, 'Call back', '2099-01-02T09:00:00Z')
    onApi('get', '/api/v1/reminders', { items: [call], next_cursor: null })
    onApi('post', '/api/v1/reminders', reminder(2, 'Send the quote', '2099-01-03T09:00:00Z'), 201)
    wrapper = await mountView(Card, { path: '/contacts/x' })
    const list = sent.find((r) => r.method === 'GET' && r.path === '/api/v1/reminders')
    expect(list?.query.get('contact_id')).toBe(CONTACT)
    expect(list?.query.get('status')).toBe('open')
    expect(wrapper.text()).toContain('Call back')

    await wrapper.get('input[name="reminder_title"]').setValue('  Send the quote ')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const post = sent.find((r) => r.method === 'POST')
    expect(post?.body).toMatchObject({ contact_id: CONTACT, title: 'Send the quote' })
    expect(Date.parse((post?.body as { due_at: string }).due_at)).toBeGreaterThan(Date.now())
    const after = sent.indexOf(post!)
    expect(sent.slice(after + 1).some((r) => r.method === 'GET' && r.path === '/api/v1/reminders')).toBe(true)
    expect((wrapper.get('input[name="reminder_title"]').element as HTMLInputElement).value).toBe('')
  })

  it('snoozes a reminder a day past its due date, and shows a refusal', async () => {
    const due = '2099-01-02T09:00:00.000Z'
    onApi('get', '/api/v1/reminders', { items: [reminder(1, 'Call back', due)], next_cursor: null })
    refuse('post', '/api/v1/reminders/{id}/snooze', 409, {
      code: 'version_conflict',
      detail: 'the reminder changed since it was read',
    })
    wrapper = await mountView(Card, { path: '/contacts/x' })
    const snooze = wrapper.findAll('button').find((b) => b.text() === '+1 day')
    await snooze!.trigger('click')
    await flushPromises()
    const post = sent.find((r) => r.method === 'POST')
    expect(post?.path).toBe('/api/v1/reminders/01936000-0000-7000-8000-000000000601/snooze')
    expect(post?.body).toEqual({ until: '2099-01-03T09:00:00.000Z' })
    expect(useNotices().items.map((n) => [n.kind, n.text])).toContainEqual([
      'error',
      'the reminder changed since it was read',
    ])
    expect(wrapper.text()).toContain('Call back')
  })
})
