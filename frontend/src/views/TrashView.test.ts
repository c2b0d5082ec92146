import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import TrashView from './TrashView.vue'
import { mountView } from '../test/mountView'
import { onApi, refuse, sent } from '../test/api'
import type { TrashItem } from '../api/types'
import { useNotices } from '../stores/notices'

const item = (n: number, type: TrashItem['type'], title: string): TrashItem => ({
  id: `01936000-0000-7000-8000-00000000c0${n}`,
  type,
  title,
  deleted_at: '2026-12-01T10:00:00Z',
  purge_at: '2026-12-31T10:00:00Z',
})
const ADA = item(1, 'contact', 'Ada Lovelace')
const ACME = item(2, 'company', 'ACME Corp')

let wrapper: VueWrapper
afterEach(() => {
  wrapper?.unmount()
  vi.restoreAllMocks()
})

const button = (row: string, label: string) =>
  wrapper
    .findAll('li')
    .find((li) => li.text().includes(row))!
    .findAll('button')
    .find((b) => b.text() === label)!

describe('TrashView', () => {
  it('restores a contact through its own endpoint and takes it off the list', async () => {
    onApi('get', '/api/v1/trash', { items: [ADA, ACME] })
    onApi('post', '/api/v1/contacts/{id}/restore', undefined as never, 204)
    wrapper = await mountView(TrashView, { path: '/trash' })
    await button('Ada Lovelace', 'Restore').trigger('click')
    await flushPromises()
    expect(sent.find((r) => r.method === 'POST')?.path).toBe(`/api/v1/contacts/${ADA.id}/restore`)
    expect(wrapper.text()).not.toContain('Ada Lovelace')
    expect(wrapper.text()).toContain('ACME Corp')
  })

  it('deletes for good only once confirmed, and keeps the row when refused', async () => {
    onApi('get', '/api/v1/trash', { items: [ADA, ACME] })
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false)
    wrapper = await mountView(TrashView, { path: '/trash', role: 'admin' })
    await button('ACME Corp', 'Delete for good').trigger('click')
    await flushPromises()
    expect(sent.some((r) => r.method === 'POST')).toBe(false)

    confirm.mockReturnValue(true)
    refuse('post', '/api/v1/trash/purge', 403, { code: 'forbidden', detail: 'only admins delete for good' })
    await button('ACME Corp', 'Delete for good').trigger('click')
    await flushPromises()
    expect(sent.find((r) => r.method === 'POST')?.body).toEqual({ type: 'company', ids: [ACME.id] })
    expect(wrapper.text()).toContain('ACME Corp')
    expect(useNotices().items.at(-1)).toMatchObject({ kind: 'error', text: 'only admins delete for good' })
  })
})
