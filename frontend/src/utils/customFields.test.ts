import { describe, expect, it } from 'vitest'
import type { CustomField } from '../api/types'
import { display, keyFrom, toApiValues } from './customFields'

const field = (key: string, field_type: CustomField['field_type']): CustomField => ({
  id: key,
  entity: 'contact',
  key,
  label: key,
  field_type,
  options: [],
  position: 0,
  created_at: '',
  updated_at: '',
  version: 1,
})

describe('custom field helpers', () => {
  it('turns form values into API values', () => {
    const fields = [field('budget', 'number'), field('tier', 'select'), field('channels', 'multi_select')]
    expect(toApiValues(fields, { budget: '1200', tier: '', channels: [] })).toEqual({
      budget: 1200,
      tier: null,
      channels: null,
    })
  })
  it('shows values for people', () => {
    expect(display(field('nda', 'boolean'), true)).toBe('Yes')
    expect(display(field('c', 'multi_select'), ['a', 'b'])).toBe('a, b')
    expect(display(field('x', 'text'), null)).toBe('')
  })
  it('makes keys from labels', () => {
    expect(keyFrom('Budget (EUR)')).toBe('budget_eur')
    expect(keyFrom('2nd phone')).toBe('nd_phone')
    expect(keyFrom('!!!')).toBe('field')
  })
})
