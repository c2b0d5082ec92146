import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import MembersView from './MembersView.vue'
import { mountView } from '../test/mountView'
import { onApi, refuse, sent } from '../test/api'
import type { Invitation, Member } from '../api/types'

const member = (n: number, name: string, role: Member['role']): Member => ({
  user_id: `01936000-0000-7000-8000-00000000040${n}`,
  display_name: name,
  email: `${name.toLowerCase().replace(' ', '.')}@example.com`,
  role,
  joined_at: '2026-11-01T00:00:00Z',
})
const OWNER = member(1, 'Ada Lovelace', 'owner')
const GRACE = member(2, 'Grace Hopper', 'member')

function answerAdmin() {
  onApi('get', '/api/v1/members', { items: [OWNER, GRACE] })
  onApi('get', '/api/v1/invitations', { items: [] })
  onApi('get', '/api/v1/security-events', { items: [] })
}

let wrapper: VueWrapper
afterEach(() => wrapper?.unmount())

describe('MembersView', () => {
  it('shows a member only the people, without invitations or the security log', async () => {
    onApi('get', '/api/v1/members', { items: [OWNER, GRACE] })
    wrapper = await mountView(MembersView, { path: '/members', role: 'member' })
    expect(wrapper.text()).toContain('Grace Hopper')
    expect(sent.some((r) => r.path === '/api/v1/invitations')).toBe(false)
    expect(sent.some((r) => r.path === '/api/v1/security-events')).toBe(false)
  })

  it('changes a member’s role and reads the list again', async () => {
    answerAdmin()
    onApi('patch', '/api/v1/members/{user_id}', { ...GRACE, role: 'admin' })
    wrapper = await mountView(MembersView, { path: '/members', role: 'admin' })
    const select = wrapper.get('select[aria-label="Role of Grace Hopper"]')
    await select.setValue('admin')
    await flushPromises()
    const patch = sent.find((r) => r.method === 'PATCH')
    expect(patch?.path).toBe(`/api/v1/members/${GRACE.user_id}`)
    expect(patch?.body).toEqual({ role: 'admin' })
    const at = sent.indexOf(patch!)
    expect(sent.slice(at + 1).some((r) => r.method === 'GET' && r.path === '/api/v1/members')).toBe(true)
  })

  it('shows the invitation link once, and a refusal next to the address', async () => {
    answerAdmin()
    const invitation: Invitation = {
      id: '01936000-0000-7000-8000-000000000501',
      email: 'linus@example.com',
      role: 'member',
      created_at: '2026-12-05T00:00:00Z',
      expires_at: '2026-12-12T00:00:00Z',
      accept_url: 'http://localhost/invitations/abc',
    }
    onApi('post', '/api/v1/invitations', invitation, 201)
    wrapper = await mountView(MembersView, { path: '/members', role: 'admin' })
    await wrapper.get('input[name="invite_email"]').setValue('linus@example.com')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({
      email: 'linus@example.com',
      role: 'member',
    })
    expect(wrapper.get('[data-testid="invitation-link"]').text()).toBe('http://localhost/invitations/abc')

    refuse('post', '/api/v1/invitations', 409, {
      code: 'already_member',
      detail: 'linus@example.com is already a member',
    })
    await wrapper.get('input[name="invite_email"]').setValue('linus@example.com')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('label.invalid .field-error').text()).toContain('already a member')
  })
})
