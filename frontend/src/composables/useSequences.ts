// Email sequences: the list, saving and deleting one, its enrollments, enrolling contacts and
// stopping an enrollment (the sequences page and the contact page's card share these).
import { api, call } from '../api/client'
import type { CreateSequence, Enroll, EnrollResult, Sequence } from '../api/types'

export async function listSequences(): Promise<Sequence[]> {
  return (await call(api.GET('/api/v1/sequences'))).items
}

/** Creates a sequence, or updates `current` (refused if it changed since it was read). */
export function saveSequence(current: Sequence | null, body: CreateSequence): Promise<Sequence> {
  return current
    ? call(
        api.PATCH('/api/v1/sequences/{id}', {
          params: { path: { id: current.id } },
          body: { ...body, version: current.version },
        }),
      )
    : call(api.POST('/api/v1/sequences', { body }))
}

export async function deleteSequence(id: string): Promise<void> {
  await call(api.DELETE('/api/v1/sequences/{id}', { params: { path: { id } } }))
}

/** A page of a sequence's enrollments, newest first. */
export function sequenceEnrollments(id: string, cursor?: string | null, limit = 25) {
  return call(
    api.GET('/api/v1/sequences/{id}/enrollments', {
      params: { path: { id }, query: { limit, cursor: cursor ?? undefined } },
    }),
  )
}

/** A contact's enrollments in every sequence. */
export async function contactEnrollments(contactId: string) {
  return (
    await call(
      api.GET('/api/v1/sequence-enrollments', { params: { query: { contact_id: contactId, limit: 50 } } }),
    )
  ).items
}

/** Enrolls contacts (by id, or everyone a saved view shows); says who was skipped and why. */
export function enroll(sequenceId: string, body: Enroll): Promise<EnrollResult> {
  return call(api.POST('/api/v1/sequences/{id}/enrollments', { params: { path: { id: sequenceId } }, body }))
}

export async function stopEnrollment(id: string): Promise<void> {
  await call(api.POST('/api/v1/sequence-enrollments/{id}/stop', { params: { path: { id } } }))
}
