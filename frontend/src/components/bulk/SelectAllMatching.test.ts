import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import SelectAllMatching from './SelectAllMatching.vue'

describe('SelectAllMatching', () => {
  it('names the records of its list and offers all that match', async () => {
    const companies = mount(SelectAllMatching, { props: { kind: 'company', shown: 50, total: 230 } })
    expect(companies.text()).toContain('All 50 companies shown are selected.')
    expect(companies.get('button').text()).toBe('Select all 230 matching')
    await companies.get('button').trigger('click')
    expect(companies.emitted('select')).toHaveLength(1)
    const contacts = mount(SelectAllMatching, { props: { kind: 'contact', shown: 1, total: 2 } })
    expect(contacts.text()).toContain('The 1 contact shown is selected.')
  })
})
