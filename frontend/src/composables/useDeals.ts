// Deals: one deal with its actions, lists of deals, and creating one.
import { ref, type Ref } from 'vue'
import { api, call, ApiError, toApiError } from '../api/client'
import type { CreateDeal, Deal, ListDealsQuery, StageChange, UpdateDeal } from '../api/types'
import { usePagedList } from './usePagedList'

export type DealFilters = Pick<ListDealsQuery, 'q' | 'pipeline_id' | 'stage_id' | 'status' | 'owner'>

/** The fields the deals list shows; asked for with `fields`, so a page carries nothing else. */
export const DEAL_ROW_FIELDS = [
  'title',
  'contact_name',
  'company_name',
  'status',
  'stage_name',
  'pipeline_name',
  'total_value_minor',
  'currency',
  'expected_close_date',
] as const

/** A deal as the list has it: its id and the fields above. */
export type DealRow = Pick<Deal, 'id' | (typeof DEAL_ROW_FIELDS)[number]>

/** The deals list, paged by the server, with only the columns it shows. */
export function useDealList(filters: Ref<DealFilters>, pageSize = 50) {
  return usePagedList<DealRow, DealFilters>(
    filters,
    async (query) => {
      const page = await call(
        api.GET('/api/v1/deals', { params: { query: { ...query, fields: DEAL_ROW_FIELDS.join(',') } } }),
      )
      // With `fields`, every deal has exactly these fields and its id (DealFields).
      return { ...page, items: page.items as DealRow[] }
    },
    pageSize,
  )
}

export function createDeal(body: CreateDeal, idempotencyKey?: string): Promise<Deal> {
  return call(
    api.POST('/api/v1/deals', {
      body,
      params: { header: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : undefined },
    }),
  )
}

export function updateDeal(id: string, body: UpdateDeal): Promise<Deal> {
  return call(api.PATCH('/api/v1/deals/{id}', { params: { path: { id } }, body }))
}

/** One deal; `includeTrashed` reads it from the trash too. */
export function getDeal(id: string, includeTrashed = false): Promise<Deal> {
  return call(
    api.GET('/api/v1/deals/{id}', {
      params: { path: { id }, query: includeTrashed ? { include_trashed: true } : undefined },
    }),
  )
}

export function useDeal(id: Ref<string>) {
  const deal = ref<Deal | null>(null)
  const history = ref<StageChange[]>([])
  const loading = ref(false)
  const error = ref<ApiError | null>(null)

  async function load() {
    if (!id.value) return
    loading.value = true
    error.value = null
    try {
      // The page shows a deal in the trash too (with its restore button).
      const path = { params: { path: { id: id.value }, query: { include_trashed: true } } }
      const [d, h] = await Promise.all([
        getDeal(id.value, true),
        call(api.GET('/api/v1/deals/{id}/stage-history', path)),
      ])
      deal.value = d
      history.value = h.items
    } catch (e) {
      error.value = toApiError(e)
      deal.value = null
    } finally {
      loading.value = false
    }
  }

  /** Applies a change with the version we saw; a 412 means someone else changed it first. */
  async function update(body: UpdateDeal) {
    if (!deal.value) return
    deal.value = await updateDeal(deal.value.id, { ...body, version: deal.value.version })
    history.value = (
      await call(api.GET('/api/v1/deals/{id}/stage-history', { params: { path: { id: deal.value.id } } }))
    ).items
  }

  async function trash() {
    if (!deal.value) return
    await call(api.DELETE('/api/v1/deals/{id}', { params: { path: { id: deal.value.id } } }))
  }

  async function restore() {
    if (!deal.value) return
    deal.value = await call(
      api.POST('/api/v1/deals/{id}/restore', { params: { path: { id: deal.value.id } } }),
    )
  }

  return { deal, history, loading, error, load, update, trash, restore }
}

/** Deals of a contact or company, for their pages. */
export function useRelatedDeals(query: Ref<{ contact_id?: string; company_id?: string }>) {
  const items = ref<Deal[]>([])
  const error = ref<ApiError | null>(null)
  const loading = ref(false)

  async function load() {
    loading.value = true
    error.value = null
    try {
      // Without `fields`, every field of each deal.
      items.value = (
        await call(api.GET('/api/v1/deals', { params: { query: { ...query.value, limit: 100 } } }))
      ).items as Deal[]
    } catch (e) {
      error.value = toApiError(e)
    } finally {
      loading.value = false
    }
  }

  return { items, error, loading, load }
}
