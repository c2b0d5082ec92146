// Duplicates: candidate pairs with their reasons, a pair dismissed for good, the record just made
// put back when it is someone who already exists, merges (with a dry run first) and their undo.
import { api, call } from '../api/client'
import type {
  CompanyMerge,
  ContactMerge,
  DuplicateType,
  ListDuplicatesQuery,
  MergeRequest,
  MergeUndo,
} from '../api/types'

export function listDuplicates(query: ListDuplicatesQuery) {
  return call(api.GET('/api/v1/duplicates', { params: { query } }))
}

/** Says two records are not the same; the pair is not proposed again. */
export async function dismissDuplicate(type: DuplicateType, ids: string[]): Promise<void> {
  await call(api.POST('/api/v1/duplicates/dismiss', { body: { type, ids } }))
}

/** Moves a record just made to the trash (it was someone who exists already). */
export async function discardNew(kind: DuplicateType, id: string): Promise<void> {
  const params = { params: { path: { id } } }
  if (kind === 'contact') await call(api.DELETE('/api/v1/contacts/{id}', params))
  else await call(api.DELETE('/api/v1/companies/{id}', params))
}

/** Merges `merged_id` into `survivor_id`; with `dry_run` only says what would happen. */
export function mergeContacts(body: MergeRequest): Promise<ContactMerge> {
  return call(api.POST('/api/v1/contacts/merge', { body }))
}

export function mergeCompanies(body: MergeRequest): Promise<CompanyMerge> {
  return call(api.POST('/api/v1/companies/merge', { body }))
}

/** Puts a merged record back, with what it had (fields changed since the merge are kept). */
export function undoMerge(id: string): Promise<MergeUndo> {
  return call(api.POST('/api/v1/merges/{id}/undo', { params: { path: { id } } }))
}
