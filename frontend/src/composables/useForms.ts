// Web-to-lead forms: the workspace's forms, their submissions, and a form made, changed (with
// the version that was edited) or deleted.
import { api, call } from '../api/client'
import type { CreateLeadForm, LeadForm, UpdateLeadForm } from '../api/types'

export async function listForms(): Promise<LeadForm[]> {
  return (await call(api.GET('/api/v1/forms'))).items
}

/** A page of a form's submissions, newest first. */
export function formSubmissions(id: string, cursor?: string | null, limit = 25) {
  return call(
    api.GET('/api/v1/forms/{id}/submissions', {
      params: { path: { id }, query: { limit, cursor: cursor ?? undefined } },
    }),
  )
}

export function createForm(body: CreateLeadForm): Promise<LeadForm> {
  return call(api.POST('/api/v1/forms', { body }))
}

export function updateForm(id: string, body: UpdateLeadForm): Promise<LeadForm> {
  return call(api.PATCH('/api/v1/forms/{id}', { params: { path: { id } }, body }))
}

export async function deleteForm(id: string): Promise<void> {
  await call(api.DELETE('/api/v1/forms/{id}', { params: { path: { id } } }))
}
