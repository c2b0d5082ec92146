import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import ImportView from './ImportView.vue'
import { mountView } from '../test/mountView'
import { onApi, refuse, sent } from '../test/api'
import type { Import, ImportPreview } from '../api/types'

const ID = '01936000-0000-7000-8000-000000000a01'
const uploaded: Import = {
  id: ID,
  kind: 'contacts_csv',
  status: 'uploaded',
  file_name: 'google.csv',
  file_bytes: 512,
  encoding: 'UTF-8',
  delimiter: ',',
  detected_format: 'Google Contacts',
  columns: ['First Name', 'E-mail 1 - Value', 'Notes'],
  samples: [['Ada', 'ada@example.com', 'met at the salon']],
  suggested_mapping: { 'First Name': 'first_name', 'E-mail 1 - Value': 'email' },
  fields: ['first_name', 'last_name', 'email', 'notes'],
  notices: [],
  row_count: 2,
  progress: { done: 0, total: 0 },
  records_written: 0,
  created_at: '2026-12-05T10:00:00Z',
  updated_at: '2026-12-05T10:00:00Z',
}
const preview: ImportPreview = {
  counts: { create: 1, update: 0, skip: 0, error: 1 },
  rows: [
    { row: 1, cells: ['Ada', 'ada@example.com', ''], changes: [], outcome: 'create' },
    {
      row: 2,
      cells: ['Bob', 'not-an-email', ''],
      changes: [],
      outcome: 'error',
      column: 'E-mail 1 - Value',
      reason: "'not-an-email' is not an email address",
      reason_code: 'email',
      reason_params: { value: 'not-an-email' },
    },
  ],
  next_after: null,
}
const Page = defineComponent({ render: () => h(ImportView, { id: ID }) })

let wrapper: VueWrapper
afterEach(() => wrapper?.unmount())

describe('ImportView', () => {
  it('previews with the mapping as edited and the policy, then queues the commit', async () => {
    onApi('get', '/api/v1/imports/{id}', uploaded)
    onApi('get', '/api/v1/import-mappings', { items: [] })
    onApi('post', '/api/v1/imports/{id}/preview', preview)
    wrapper = await mountView(Page, { path: '/imports/x', role: 'member' })
    await wrapper.get('select[name="map_Notes"]').setValue('notes')
    await wrapper.get('input[name="policy"][value="overwrite"]').setValue(true)
    onApi('get', '/api/v1/imports/{id}', { ...uploaded, status: 'previewed', counts: preview.counts })
    await wrapper.get('form.form').trigger('submit')
    await flushPromises()
    expect(sent.find((r) => r.path.endsWith('/preview'))?.body).toEqual({
      mapping: { 'First Name': 'first_name', 'E-mail 1 - Value': 'email', Notes: 'notes' },
      policy: 'overwrite',
    })
    expect(wrapper.text()).toContain('not an email address')

    // 202 Accepted with the import (the typed answers cover 200 and 201 only).
    const queued: Import = { ...uploaded, status: 'queued', progress: { done: 0, total: 2 } }
    onApi('post', '/api/v1/imports/{id}/commit', queued as never, 202)
    const commit = wrapper.findAll('button').find((b) => /^Import /.test(b.text()))
    await commit!.trigger('click')
    await flushPromises()
    expect(sent.some((r) => r.method === 'POST' && r.path === `/api/v1/imports/${ID}/commit`)).toBe(true)
    expect(wrapper.find('[role="progressbar"], progress').exists()).toBe(true)
  })

  it('offers to write the rest or roll back a long import that stopped part way', async () => {
    const partly: Import = {
      ...uploaded,
      status: 'failed',
      row_count: 12000,
      counts: { create: 12000, update: 0, skip: 0, error: 0 },
      records_written: 5000,
      error: 'Partly imported: 5000 of 12000 records were written before this failure: …',
    }
    onApi('get', '/api/v1/imports/{id}', partly)
    onApi('get', '/api/v1/import-mappings', { items: [] })
    onApi('get', '/api/v1/imports/{id}/rows', { ...preview, counts: partly.counts! })
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true)
    wrapper = await mountView(Page, { path: '/imports/x', role: 'member' })
    const labels = wrapper.findAll('.form-actions button').map((b) => b.text())
    expect(labels).toEqual(['Roll back what was written', 'Write the rest'])
    expect(wrapper.text()).toContain('Partly imported')

    // The rollback is one request, seconds long for a long import: its button says so meanwhile.
    let answer: (value: Import) => void = () => {}
    onApi('post', '/api/v1/imports/{id}/rollback', () => new Promise<Import>((resolve) => (answer = resolve)))
    await wrapper.findAll('.form-actions button')[0]!.trigger('click')
    await flushPromises()
    const pending = wrapper.findAll('.form-actions button')[0]!
    expect(pending.text()).toBe('Rolling back…')
    expect(pending.attributes('disabled')).toBeDefined()
    answer({ ...partly, status: 'rolled_back', records_written: 0 })
    await flushPromises()
    expect(wrapper.text()).not.toContain('Rolling back…')
    expect(confirm.mock.calls[0]?.[0]).toContain('5,000 records already written')
    expect(sent.some((r) => r.method === 'POST' && r.path === `/api/v1/imports/${ID}/rollback`)).toBe(true)
    confirm.mockRestore()
  })

  it('names the column of a mapping the server refuses', async () => {
    onApi('get', '/api/v1/imports/{id}', uploaded)
    onApi('get', '/api/v1/import-mappings', { items: [] })
    refuse('post', '/api/v1/imports/{id}/preview', 422, {
      code: 'validation_failed',
      detail: 'the mapping is not valid',
      errors: [{ field: 'mapping.Notes', code: 'one_of', message: 'unknown field "nickname"' }],
    })
    wrapper = await mountView(Page, { path: '/imports/x', role: 'member' })
    await wrapper.get('form.form').trigger('submit')
    await flushPromises()
    expect(wrapper.text()).toContain('Notes: unknown field "nickname"')
  })
})
