// A server-paged list: filters in, items out, more on demand. Responses to superseded requests
// (the user kept typing) are dropped.
import { ref, watch, type Ref } from 'vue'
import { ApiError, toApiError } from '../api/client'

export interface Page<T> {
  items: T[]
  next_cursor?: string | null
  total?: number | null
}

export interface PageRequest {
  limit: number
  cursor?: string
  include_total?: boolean
}

export function usePagedList<T, F extends object>(
  filters: Ref<F>,
  fetchPage: (query: F & PageRequest) => Promise<Page<T>>,
  pageSize = 50,
) {
  const items = ref<T[]>([]) as Ref<T[]>
  const total = ref<number | null>(null)
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const error = ref<ApiError | null>(null)
  let generation = 0

  async function load(reset: boolean) {
    const mine = reset ? ++generation : generation
    loading.value = true
    error.value = null
    try {
      const page = await fetchPage({
        ...filters.value,
        limit: pageSize,
        cursor: reset ? undefined : (nextCursor.value ?? undefined),
        include_total: reset ? true : undefined,
      })
      if (mine !== generation) return
      items.value = reset ? page.items : [...items.value, ...page.items]
      nextCursor.value = page.next_cursor ?? null
      if (reset) total.value = page.total ?? null
    } catch (e) {
      if (mine === generation) error.value = toApiError(e)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  const reload = () => load(true)
  const loadMore = () => {
    if (nextCursor.value && !loading.value) return load(false)
  }

  watch(filters, reload, { deep: true, immediate: true })

  return { items, total, nextCursor, loading, error, reload, loadMore }
}
