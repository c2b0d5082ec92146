// Companies: the paged list, one company, and creating one.
import { ref, watch, type Ref } from 'vue'
import { api, call, ApiError, toApiError } from '../api/client'
import type { Company, CreateCompany, ListCompaniesQuery, UpdateCompany } from '../api/types'
import { usePagedList } from './usePagedList'

export type CompanyFilters = Pick<ListCompaniesQuery, 'q' | 'industry' | 'sort' | 'trashed'>

export function useCompanyList(filters: Ref<CompanyFilters>, pageSize = 50) {
  return usePagedList<Company, CompanyFilters>(
    filters,
    (query) => call(api.GET('/api/v1/companies', { params: { query } })),
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
