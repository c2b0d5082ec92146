// Email templates: the list with the variables they can use, saving, deleting, and rendering
// one for a contact (a saved template, or the editor's text as a preview).
import { api, call } from '../api/client'
import type { CreateTemplate, PreviewTemplate, RenderedTemplate, Template } from '../api/types'

/** The workspace's templates (all of them: a workspace keeps a few dozen at most) and the variables. */
export async function listTemplates() {
  return call(api.GET('/api/v1/templates', { params: { query: { limit: 200 } } }))
}

/** Creates a template, or updates `current` with the form's fields (refused if it changed since). */
export function saveTemplate(current: Template | null, form: CreateTemplate): Promise<Template> {
  return current
    ? call(
        api.PATCH('/api/v1/templates/{id}', {
          params: { path: { id: current.id } },
          body: { ...form, version: current.version },
        }),
      )
    : call(api.POST('/api/v1/templates', { body: { ...form } }))
}

/** Deletes a template, unless it changed since it was read. */
export async function deleteTemplate(template: Template): Promise<void> {
  await call(
    api.DELETE('/api/v1/templates/{id}', {
      params: { path: { id: template.id }, header: { 'If-Match': `"${template.version}"` } },
    }),
  )
}

/** The editor's subject and body rendered for a contact, before saving. */
export function previewTemplate(body: PreviewTemplate): Promise<RenderedTemplate> {
  return call(api.POST('/api/v1/templates/preview', { body }))
}

/** A saved template rendered for a contact. */
export function renderTemplate(id: string, contactId: string): Promise<RenderedTemplate> {
  return call(
    api.POST('/api/v1/templates/{id}/render', { params: { path: { id } }, body: { contact_id: contactId } }),
  )
}
