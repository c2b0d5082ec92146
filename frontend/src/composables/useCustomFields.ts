// Custom fields (admins): a field added to contacts, companies or deals, or deleted with its
// values. The fields themselves are kept by the customFields store.
import { api, call } from '../api/client'
import type { CreateCustomField, CustomField } from '../api/types'

export function createCustomField(body: CreateCustomField): Promise<CustomField> {
  return call(api.POST('/api/v1/custom-fields', { body }))
}

export async function deleteCustomField(id: string): Promise<void> {
  await call(api.DELETE('/api/v1/custom-fields/{id}', { params: { path: { id } } }))
}
