import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import MailSettingsCard from './MailSettingsCard.vue'
import { mountView } from '../test/mountView'
import { onApi, refuse, sent } from '../test/api'
import type { MailSettings } from '../api/types'

const saved: MailSettings = {
  host: 'smtp.example.com',
  port: 587,
  security: 'starttls',
  username: 'ada',
  password_set: true,
  from_address: 'ada@example.com',
  from_name: 'Ada',
  reply_to: null,
  daily_limit: 500,
  sent_last_24h: 3,
  updated_at: '2026-12-01T10:00:00Z',
  version: 4,
}

let wrapper: VueWrapper
afterEach(() => wrapper?.unmount())

const click = (label: string) =>
  wrapper
    .findAll('button')
    .find((b) => b.text() === label)!
    .trigger('click')

describe('MailSettingsCard', () => {
  it('keeps the saved password when the field is left empty, with the version that was edited', async () => {
    onApi('get', '/api/v1/mail-settings', saved)
    onApi('put', '/api/v1/mail-settings', { ...saved, daily_limit: 200, version: 5 })
    wrapper = await mountView(MailSettingsCard, { path: '/settings', role: 'admin' })
    await click('Change')
    await wrapper.get('input[name="daily_limit"]').setValue('200')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    const body = sent.find((r) => r.method === 'PUT')?.body as Record<string, unknown>
    expect(body).toMatchObject({ host: 'smtp.example.com', port: 587, daily_limit: 200, version: 4 })
    expect('password' in body).toBe(false)
  })

  it('says how a test message went, delivered or not', async () => {
    onApi('get', '/api/v1/mail-settings', saved)
    onApi('post', '/api/v1/mail-settings/test', {
      delivered: false,
      to: 'grace@example.com',
      duration_ms: 12,
      error: 'connection refused',
    })
    wrapper = await mountView(MailSettingsCard, { path: '/settings', role: 'admin' })
    await wrapper.get('input[name="test_to"]').setValue(' grace@example.com ')
    await click('Send test email')
    await flushPromises()
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({ to: 'grace@example.com' })
    expect(wrapper.get('[role="status"]').text()).toBe('Not sent to grace@example.com: connection refused')

    refuse('post', '/api/v1/mail-settings/test', 422, {
      code: 'validation_failed',
      detail: 'invalid',
      errors: [{ field: 'to', code: 'email', message: 'must be an email address' }],
    })
    await click('Send test email')
    await flushPromises()
    expect(wrapper.get('[role="status"]').classes()).toContain('error-box')
  })
})
