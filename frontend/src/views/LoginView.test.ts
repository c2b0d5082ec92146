import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import LoginView from './LoginView.vue'
import { mountView } from '../test/mountView'
import { onApi, refuse, sent } from '../test/api'
import type { Me } from '../api/types'
import { useSession } from '../stores/session'

const me: Me = {
  credential: 'session',
  user: {
    id: '01936000-0000-7000-8000-0000000000c1',
    display_name: 'Ada Lovelace',
    email: 'ada@example.com',
    created_at: '2026-12-05T10:00:00Z',
  },
  workspace: { id: '01936000-0000-7000-8000-0000000000c2', name: 'Analytical', role: 'owner' },
  workspaces: [{ id: '01936000-0000-7000-8000-0000000000c2', name: 'Analytical', role: 'owner' }],
}

let wrapper: VueWrapper
afterEach(() => wrapper?.unmount())

async function fill(fields: Record<string, string>) {
  for (const [name, value] of Object.entries(fields))
    await wrapper.get(`input[name="${name}"]`).setValue(value)
}

describe('LoginView', () => {
  it('asks a new server for its setup code and creates the first account with its workspace', async () => {
    onApi('get', '/api/v1/auth/setup', { needs_setup: true, signup_open: false })
    onApi('post', '/api/v1/auth/signup', me, 201)
    wrapper = await mountView(LoginView, { path: '/login', signedOut: true })
    await fill({
      setup_code: 'abc-123',
      display_name: 'Ada Lovelace',
      email: 'ada@example.com',
      password: 'correct horse battery',
      workspace_name: ' Analytical ',
    })
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({
      setup_code: 'abc-123',
      display_name: 'Ada Lovelace',
      email: 'ada@example.com',
      password: 'correct horse battery',
      workspace_name: 'Analytical',
    })
    expect(useSession().me?.user.email).toBe('ada@example.com')
  })

  it('shows each refused field next to it, in words', async () => {
    onApi('get', '/api/v1/auth/setup', { needs_setup: true, signup_open: false })
    refuse('post', '/api/v1/auth/signup', 422, {
      code: 'validation_failed',
      detail: 'the request has invalid fields',
      errors: [
        { field: 'setup_code', code: 'setup_code', message: 'is not this server’s setup code' },
        { field: 'password', code: 'length', message: 'must be at least 10 characters', params: { min: 10 } },
      ],
    })
    wrapper = await mountView(LoginView, { path: '/login', signedOut: true })
    await fill({ setup_code: 'nope', display_name: 'Ada', email: 'ada@example.com', password: 'short' })
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const errors = wrapper.findAll('.field-error').map((e) => e.text())
    expect(errors).toHaveLength(2)
    expect(errors[1]).toContain('10')
    expect(useSession().me).toBeFalsy()
  })
})
