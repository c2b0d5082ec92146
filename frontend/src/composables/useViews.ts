// Saved views: a list's filters kept under a name, the person's own or shared with the workspace.
import { api, call } from '../api/client'
import type { CreateSavedView, SavedView } from '../api/types'

export async function listViews(type: SavedView['type']): Promise<SavedView[]> {
  return (await call(api.GET('/api/v1/views', { params: { query: { type } } }))).items
}

export function createView(body: CreateSavedView): Promise<SavedView> {
  return call(api.POST('/api/v1/views', { body }))
}

export async function deleteView(id: string): Promise<void> {
  await call(api.DELETE('/api/v1/views/{id}', { params: { path: { id } } }))
}
