// Bulk changes to contacts, companies or deals (picked by id, or every record a list's filters
// match), each undoable as one batch.
import { api, call } from '../api/client'
import type { BulkRequest, BulkResult } from '../api/types'

export type BulkKind = 'contact' | 'company' | 'deal'

const PATHS = {
  contact: '/api/v1/contacts/bulk',
  company: '/api/v1/companies/bulk',
  deal: '/api/v1/deals/bulk',
} as const

export function bulkChange(kind: BulkKind, body: BulkRequest): Promise<BulkResult> {
  return call(api.POST(PATHS[kind], { body }))
}

/** Undoes a batch; `kept` counts the records changed since, which keep their newer values. */
export function undoBulk(batchId: string) {
  return call(api.POST('/api/v1/bulk/{id}/undo', { params: { path: { id: batchId } } }))
}
