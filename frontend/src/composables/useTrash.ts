// The trash: contacts, companies and deals deleted in the last 30 days, restored or deleted for
// good (payments and accepted proposals are kept, without the record).
import { api, call } from '../api/client'
import type { ListTrashQuery, TrashPage, TrashType } from '../api/types'

export function listTrash(query: ListTrashQuery): Promise<TrashPage> {
  return call(api.GET('/api/v1/trash', { params: { query } }))
}

export async function restoreFromTrash(type: TrashType, id: string): Promise<void> {
  const path = { params: { path: { id } } }
  if (type === 'contact') await call(api.POST('/api/v1/contacts/{id}/restore', path))
  else if (type === 'company') await call(api.POST('/api/v1/companies/{id}/restore', path))
  else await call(api.POST('/api/v1/deals/{id}/restore', path))
}

export async function purgeFromTrash(type: TrashType, ids: string[]): Promise<void> {
  await call(api.POST('/api/v1/trash/purge', { body: { type, ids } }))
}
