// One contact: load, update (with the version the user edited), trash and restore.
import { ref, watch, type Ref } from 'vue'
import { api, call, ApiError, toApiError } from '../api/client'
import type { ActivityPage, Contact, CreateContact, TagCount, UpdateContact } from '../api/types'

/**
 * Creates a contact. Pass the same `idempotencyKey` when retrying the same form so that a retry
 * after a lost response never creates a second contact.
 */
export function createContact(body: CreateContact, idempotencyKey?: string): Promise<Contact> {
  return call(
    api.POST('/api/v1/contacts', {
      body,
      params: { header: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : undefined },
    }),
  )
}

/** One contact, as the API returns it. */
export function getContact(id: string): Promise<Contact> {
  return call(api.GET('/api/v1/contacts/{id}', { params: { path: { id } } }))
}

/**
 * Erases a person on request (admins): the contact, their interactions, reminders and what the
 * assistant holds about them. `confirmName` must be their name as shown.
 */
export async function eraseContact(id: string, confirmName: string): Promise<void> {
  await call(
    api.POST('/api/v1/contacts/{id}/erase', {
      params: { path: { id } },
      body: { confirm_name: confirmName },
    }),
  )
}

/** Changes a contact, unless it changed since `body.version` was read. */
export function updateContact(id: string, body: UpdateContact): Promise<Contact> {
  return call(api.PATCH('/api/v1/contacts/{id}', { params: { path: { id } }, body }))
}

/** Every tag of the workspace's contacts, with how many contacts have it. */
export async function contactTags(): Promise<TagCount[]> {
  return (await call(api.GET('/api/v1/contacts/tags'))).items
}

/** What happened to a contact, newest first (a contact in the trash too). */
export async function contactHistory(id: string, limit = 50): Promise<ActivityPage['items']> {
  return (
    await call(
      api.GET('/api/v1/contacts/{id}/history', {
        params: { path: { id }, query: { limit, include_trashed: true } },
      }),
    )
  ).items
}

/** Contacts whose name or details match `q`, by name, every field of each (for pickers). */
export async function findContacts(q: string, limit = 8): Promise<Contact[]> {
  const page = await call(
    api.GET('/api/v1/contacts', { params: { query: { q: q || undefined, limit, sort: 'name' } } }),
  )
  return page.items as Contact[]
}

export function useContact(id: Ref<string>) {
  const contact = ref<Contact | null>(null)
  const loading = ref(false)
  const error = ref<ApiError | null>(null)

  async function load() {
    if (!id.value) return
    loading.value = true
    error.value = null
    try {
      // The page shows a contact in the trash too (with its restore button).
      contact.value = await call(
        api.GET('/api/v1/contacts/{id}', {
          params: { path: { id: id.value }, query: { include_trashed: true } },
        }),
      )
    } catch (e) {
      error.value = toApiError(e)
      contact.value = null
    } finally {
      loading.value = false
    }
  }

  async function update(changes: UpdateContact): Promise<Contact> {
    const body: UpdateContact = { ...changes, version: contact.value?.version }
    const updated = await updateContact(id.value, body)
    contact.value = updated
    return updated
  }

  async function trash(): Promise<void> {
    const version = contact.value?.version
    await call(
      api.DELETE('/api/v1/contacts/{id}', {
        params: { path: { id: id.value }, header: version ? { 'If-Match': `"${version}"` } : undefined },
      }),
    )
  }

  async function restore(): Promise<void> {
    contact.value = await call(
      api.POST('/api/v1/contacts/{id}/restore', { params: { path: { id: id.value } } }),
    )
  }

  watch(id, load, { immediate: true })

  return { contact, loading, error, load, update, trash, restore }
}
