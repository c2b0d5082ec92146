import { describe, expect, it } from 'vitest'
import type { Contact } from '../api/types'
import { changedFields } from './diff'

const contact: Contact = {
  id: '01936000-0000-7000-8000-000000000009',
  first_name: 'Ada',
  last_name: 'Lovelace',
  display_name: 'Ada Lovelace',
  emails: ['ada@example.com'],
  phones: [],
  company: { id: '01936000-0000-7000-8000-00000000000a', name: 'Engines' },
  lifecycle: 'lead',
  tags: ['vip'],
  custom_fields: {},
  next_follow_up_at: '2030-01-01T09:00:00Z',
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  version: 3,
}

describe('changedFields', () => {
  it('keeps only what changed', () => {
    expect(
      changedFields(contact, {
        first_name: 'Ada',
        last_name: 'King',
        emails: ['ada@example.com'],
        company_name: 'Engines',
        lifecycle: 'client',
        tags: ['vip'],
        next_follow_up_at: '2030-01-01T09:00:00.000Z',
        job_title: null,
      }),
    ).toEqual({ last_name: 'King', lifecycle: 'client' })
  })

  it('sends clears as null', () => {
    expect(changedFields(contact, { first_name: 'Ada', company_name: null })).toEqual({ company_name: null })
  })
})
