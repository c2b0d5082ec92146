// A contact's timeline: newest first, older pages on demand, and logging new interactions.
import { computed, type Ref } from 'vue'
import { api, call } from '../api/client'
import type { CreateInteraction, Interaction } from '../api/types'
import { usePagedList } from './usePagedList'

/** Logs an interaction (it restarts the contact's follow-up cadence). */
export function logInteraction(body: CreateInteraction): Promise<Interaction> {
  return call(api.POST('/api/v1/interactions', { body }))
}

export function useTimeline(contactId: Ref<string>) {
  const filters = computed(() => ({ id: contactId.value }))
  const list = usePagedList<Interaction, { id: string }>(
    filters,
    ({ id, limit, cursor }) =>
      call(
        api.GET('/api/v1/contacts/{id}/timeline', {
          params: { path: { id }, query: { limit, cursor, include_trashed: true } },
        }),
      ),
    20,
  )

  async function log(body: Omit<CreateInteraction, 'contact_id'>): Promise<Interaction> {
    const created = await logInteraction({ ...body, contact_id: contactId.value })
    await list.reload()
    return created
  }

  async function remove(item: Interaction): Promise<void> {
    await call(
      api.DELETE('/api/v1/interactions/{id}', {
        params: { path: { id: item.id }, header: { 'If-Match': `"${item.version}"` } },
      }),
    )
    await list.reload()
  }

  return { ...list, log, remove }
}

/** Reads an interaction with the AI (sentiment, topics, next steps); answers with both. */
export function analyzeInteraction(id: string) {
  return call(api.POST('/api/v1/interactions/{id}/analysis', { params: { path: { id } } }))
}
