import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import ChatCard from './ChatCard.vue'
import { mountView } from '../../test/mountView'
import { onApi, refuse, sent } from '../../test/api'
import type { ChatReply, Conversation } from '../../api/types'

const CONTACT = '01936000-0000-7000-8000-000000000301'
const CONVERSATION = '01936000-0000-7000-8000-000000000701'
const message = (n: number, role: string, content: string) => ({
  id: `01936000-0000-7000-8000-00000000080${n}`,
  role,
  content,
  created_at: '2026-12-05T10:00:00Z',
})
const conversation = (messages: ReturnType<typeof message>[]): Conversation => ({
  id: CONVERSATION,
  contact_id: CONTACT,
  title: 'When did we last talk?',
  messages,
  created_at: '2026-12-05T10:00:00Z',
  updated_at: '2026-12-05T10:00:00Z',
})
const Card = defineComponent({ render: () => h(ChatCard, { contactId: CONTACT }) })

let wrapper: VueWrapper
afterEach(() => wrapper?.unmount())

async function ask(text: string) {
  await wrapper.get('input[name="chat_message"]').setValue(text)
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('ChatCard', () => {
  it('starts a conversation, then continues the same one', async () => {
    onApi('get', '/api/v1/contacts/{id}/conversations', { items: [] })
    const first = conversation([
      message(1, 'user', 'When did we last talk?'),
      message(2, 'assistant', 'On 2 December.'),
    ])
    const reply = (c: Conversation): ChatReply => ({
      conversation: c,
      reply: c.messages.at(-1)!,
      source: { cached: true, model: 'rapport-local-1', provider: 'local' },
    })
    onApi('post', '/api/v1/contacts/{id}/chat', reply(first))
    wrapper = await mountView(Card, { path: '/contacts/x' })
    await ask('When did we last talk?')
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({
      message: 'When did we last talk?',
      conversation_id: null,
    })
    expect(wrapper.findAll('.chat-message').map((m) => m.text())).toEqual([
      'When did we last talk?',
      'On 2 December.',
    ])
    expect(wrapper.findAll('option').map((o) => o.text())).toContain('When did we last talk?')

    onApi(
      'post',
      '/api/v1/contacts/{id}/chat',
      reply(
        conversation([
          ...first.messages,
          message(3, 'user', 'About what?'),
          message(4, 'assistant', 'The quote.'),
        ]),
      ),
    )
    await ask('About what?')
    const posts = sent.filter((r) => r.method === 'POST')
    expect(posts[1]?.body).toEqual({ message: 'About what?', conversation_id: CONVERSATION })
    expect(wrapper.findAll('.chat-message')).toHaveLength(4)
    expect((wrapper.get('input[name="chat_message"]').element as HTMLInputElement).value).toBe('')
  })

  it('says the assistant could not answer, and keeps the question', async () => {
    onApi('get', '/api/v1/contacts/{id}/conversations', { items: [] })
    refuse('post', '/api/v1/contacts/{id}/chat', 503, { code: 'ai_unavailable', detail: 'the model is down' })
    wrapper = await mountView(Card, { path: '/contacts/x' })
    await ask('Anything new?')
    expect(wrapper.get('[role="alert"]').text()).toBe('The assistant could not answer right now.')
    expect((wrapper.get('input[name="chat_message"]').element as HTMLInputElement).value).toBe(
      'Anything new?',
    )
  })
})
