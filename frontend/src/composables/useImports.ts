// Imports: uploading files (CSV, vCard, email, calendar, a workspace archive), the history, saved
// mappings, the preview and its records page by page, the commit (a background job) and the
// rollback.
import { api, call } from '../api/client'
import type {
  Import,
  ImportPage,
  ImportPreview,
  ListImportRowsQuery,
  NewSavedMapping,
  PreviewImport,
  SavedMapping,
} from '../api/types'

const path = (id: string) => ({ params: { path: { id } } })

/** Uploads one file (or several .eml/.ics files) as a new import; nothing is imported yet. */
export function uploadImport(files: File[]): Promise<Import> {
  const form = new FormData()
  for (const file of files) form.append('file', file, file.name)
  return call(
    api.POST('/api/v1/imports', {
      // The browser writes the multipart boundary itself.
      body: form as never,
      bodySerializer: (b: unknown) => b as FormData,
    }),
  )
}

/** A page of the workspace's imports, newest first. */
export function listImports(cursor?: string | null, limit = 20): Promise<ImportPage> {
  return call(api.GET('/api/v1/imports', { params: { query: { limit, cursor: cursor ?? undefined } } }))
}

export function getImport(id: string): Promise<Import> {
  return call(api.GET('/api/v1/imports/{id}', path(id)))
}

/** Plans every record (with a mapping and a policy, or the contacts to create for addresses). */
export function previewImport(id: string, body: PreviewImport): Promise<ImportPreview> {
  return call(api.POST('/api/v1/imports/{id}/preview', { ...path(id), body }))
}

/** A page of the planned records, `outcome` alone when given. */
export function importRows(id: string, query: ListImportRowsQuery): Promise<ImportPreview> {
  return call(api.GET('/api/v1/imports/{id}/rows', { params: { path: { id }, query } }))
}

/** Queues the commit; the import's status and progress tell how it goes. */
export function commitImport(id: string): Promise<Import> {
  return call(api.POST('/api/v1/imports/{id}/commit', path(id)))
}

export function rollbackImport(id: string): Promise<Import> {
  return call(api.POST('/api/v1/imports/{id}/rollback', path(id)))
}

export async function savedMappings(): Promise<SavedMapping[]> {
  return (await call(api.GET('/api/v1/import-mappings'))).items
}

export function saveMapping(body: NewSavedMapping): Promise<SavedMapping> {
  return call(api.POST('/api/v1/import-mappings', { body }))
}
