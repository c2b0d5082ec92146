import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ExportMenu from './ExportMenu.vue'

describe('ExportMenu', () => {
  it('links to the export with the list’s filters and sort, without paging', () => {
    const wrapper = mount(ExportMenu, {
      props: {
        path: '/api/v1/contacts/export',
        filters: {
          q: 'ada lovelace',
          tag: 'vip',
          sort: '-created_at',
          limit: 50,
          cursor: 'abc',
          owner: undefined,
          lifecycle: '',
        },
      },
    })
    const links = wrapper.findAll('a[download]').map((a) => new URL(a.attributes('href')!, 'http://x'))
    expect(links.map((u) => u.pathname)).toEqual(['/api/v1/contacts/export', '/api/v1/contacts/export'])
    expect(links.map((u) => u.searchParams.get('format'))).toEqual(['csv', 'xlsx'])
    for (const url of links) {
      expect(url.searchParams.get('q')).toBe('ada lovelace')
      expect(url.searchParams.get('tag')).toBe('vip')
      expect(url.searchParams.get('sort')).toBe('-created_at')
      for (const left of ['limit', 'cursor', 'owner', 'lifecycle'])
        expect(url.searchParams.has(left)).toBe(false)
    }
  })

  it('offers vCards only when asked', () => {
    const plain = mount(ExportMenu, { props: { path: '/api/v1/companies/export', filters: {} } })
    expect(plain.findAll('a[download]')).toHaveLength(2)
    const contacts = mount(ExportMenu, {
      props: { path: '/api/v1/contacts/export', filters: {}, vcard: true },
    })
    const links = contacts.findAll('a[download]')
    expect(links).toHaveLength(3)
    expect(links[2]!.attributes('href')).toBe('/api/v1/contacts/export?format=vcf')
  })
})
