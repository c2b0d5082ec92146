// A contacts list as the server pages it: filters in, items out, more on demand.
import { ref, watch, type Ref } from 'vue'
import { api, call, ApiError } from '../api/client'
import type { Contact, ListContactsQuery } from '../api/types'

export type ContactFilters = Pick<
  ListContactsQuery,
  'q' | 'lifecycle' | 'tag' | 'source' | 'follow_up' | 'sort' | 'trashed'
>

export function useContactList(filters: Ref<ContactFilters>, pageSize = 50) {
  const items = ref<Contact[]>([])
  const total = ref<number | null>(null)
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<ApiError | null>(null)
  // Responses to superseded requests (the user kept typing) are dropped.
  let generation = 0

  async function fetchPage(reset: boolean) {
    const mine = reset ? ++generation : generation
    loading.value = true
    error.value = null
    try {
      const query: ListContactsQuery = {
        ...filters.value,
        limit: pageSize,
        cursor: reset ? undefined : (nextCursor.value ?? undefined),
        include_total: reset ? true : undefined,
      }
      const page = await call(api.GET('/api/v1/contacts', { params: { query } }))
      if (mine !== generation) return
      items.value = reset ? page.items : [...items.value, ...page.items]
      nextCursor.value = page.next_cursor ?? null
      if (reset) total.value = page.total ?? null
    } catch (e) {
      if (mine === generation) error.value = e instanceof ApiError ? e : new ApiError(0, null, String(e))
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  const reload = () => fetchPage(true)
  const loadMore = () => {
    if (nextCursor.value && !loading.value) return fetchPage(false)
  }

  watch(filters, reload, { deep: true, immediate: true })

  return { items, total, nextCursor, loading, error, reload, loadMore }
}
