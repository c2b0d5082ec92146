import { describe, expect, it } from 'vitest'
import { mount as mountWith } from '@vue/test-utils'
import { createPinia } from 'pinia'
import ContactForm from './ContactForm.vue'
import type { Contact, CreateContact } from '../../api/types'

// The form reads custom field definitions from a store.
const mount = (component: typeof ContactForm, options: Record<string, unknown> = {}) =>
  mountWith(component, { ...options, global: { plugins: [createPinia()] } })

const ada: Contact = {
  id: '01936000-0000-7000-8000-000000000009',
  first_name: 'Ada',
  last_name: 'Lovelace',
  display_name: 'Ada Lovelace',
  emails: ['ada@example.com', 'ada@engines.example'],
  phones: [],
  company: { id: '01936000-0000-7000-8000-00000000000a', name: 'Engines' },
  lifecycle: 'client',
  tags: ['vip'],
  custom_fields: {},
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  version: 1,
}

describe('ContactForm', () => {
  it('emits a clean CreateContact', async () => {
    const wrapper = mount(ContactForm)
    await wrapper.find('input[name=first_name]').setValue('  Grace ')
    await wrapper.find('input[name=emails]').setValue('grace@navy.example, g@h.example')
    await wrapper.find('input[name=tags]').setValue('vip,  navy ,')
    await wrapper.find('select[name=lifecycle]').setValue('prospect')
    await wrapper.find('form').trigger('submit')
    const [[value]] = wrapper.emitted('submit') as [[CreateContact]]
    expect(value.first_name).toBe('Grace')
    expect(value.emails).toEqual(['grace@navy.example', 'g@h.example'])
    expect(value.tags).toEqual(['vip', 'navy'])
    expect(value.lifecycle).toBe('prospect')
    expect(value.company_name).toBeNull()
  })

  it('starts from an existing contact', () => {
    const wrapper = mount(ContactForm, { props: { initial: ada } })
    expect((wrapper.find('input[name=emails]').element as HTMLInputElement).value).toBe(
      'ada@example.com, ada@engines.example',
    )
    expect((wrapper.find('input[name=company_name]').element as HTMLInputElement).value).toBe('Engines')
  })

  it('shows server errors next to their fields', () => {
    const wrapper = mount(ContactForm, {
      props: { errors: { emails: "'x' is not a valid email address", first_name: 'must not be blank' } },
    })
    const emailLabel = wrapper.find('input[name=emails]').element.closest('label')
    expect(emailLabel?.classList.contains('invalid')).toBe(true)
    expect(emailLabel?.textContent).toContain("'x' is not a valid email address")
    expect(wrapper.findAll('.field-error')).toHaveLength(2)
  })

  it('cannot be submitted without a first name', () => {
    const wrapper = mount(ContactForm)
    expect(wrapper.find('button[type=submit]').attributes('disabled')).toBeDefined()
  })
})
