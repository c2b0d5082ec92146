// Companies: the paged list, one company, and creating one.
import { ref, watch, type Ref } from 'vue'
import { api, call, ApiError, toApiError } from '../api/client'
import type { Company, CreateCompany, ListCompaniesQuery, UpdateCompany } from '../api/types'
import { usePagedList } from './usePagedList'

export type CompanyFilters = Pick<ListCompaniesQuery, 'q' | 'industry' | 'sort' | 'trashed'>

/** The fields the companies list shows; asked for with `fields`, so a page carries nothing else. */
export const COMPANY_ROW_FIELDS = ['name', 'domain', 'industry', 'size', 'location', 'contact_count'] as const

/** A company as the list has it: its id and the fields above. */
export type CompanyRow = Pick<Company, 'id' | (typeof COMPANY_ROW_FIELDS)[number]>

export function useCompanyList(filters: Ref<CompanyFilters>, pageSize = 50) {
  return usePagedList<CompanyRow, CompanyFilters>(
    filters,
    async (query) => {
      const page = await call(
        api.GET('/api/v1/companies', {
          params: { query: { ...query, fields: COMPANY_ROW_FIELDS.join(',') } },
        }),
      )
      // With `fields`, every company has exactly these fields and its id (CompanyFields).
      return { ...page, items: page.items as CompanyRow[] }
    },
    pageSize,
  )
}

export function createCompany(body: CreateCompany, idempotencyKey?: string): Promise<Company> {
  return call(
    api.POST('/api/v1/companies', {
      body,
      params: { header: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : undefined },
    }),
  )
}

export function useCompany(id: Ref<string>) {
  const company = ref<Company | null>(null)
  const loading = ref(false)
  const error = ref<ApiError | null>(null)

  async function load() {
    if (!id.value) return
    loading.value = true
    error.value = null
    try {
      company.value = await call(
        api.GET('/api/v1/companies/{id}', {
          params: { path: { id: id.value }, query: { include_trashed: true } },
        }),
      )
    } catch (e) {
      error.value = toApiError(e)
      company.value = null
    } finally {
      loading.value = false
    }
  }

  async function update(changes: UpdateCompany): Promise<Company> {
    const body: UpdateCompany = { ...changes, version: company.value?.version }
    const updated = await call(
      api.PATCH('/api/v1/companies/{id}', { params: { path: { id: id.value } }, body }),
    )
    company.value = updated
    return updated
  }

  async function trash(): Promise<void> {
    const version = company.value?.version
    await call(
      api.DELETE('/api/v1/companies/{id}', {
        params: { path: { id: id.value }, header: version ? { 'If-Match': `"${version}"` } : undefined },
      }),
    )
  }

  async function restore(): Promise<void> {
    company.value = await call(
      api.POST('/api/v1/companies/{id}/restore', { params: { path: { id: id.value } } }),
    )
  }

  watch(id, load, { immediate: true })

  return { company, loading, error, load, update, trash, restore }
}
