// The product and service catalogue: the paged list, and creating, changing and deleting a product.
import type { Ref } from 'vue'
import { api, call } from '../api/client'
import type { CreateProduct, ListProductsQuery, Product, UpdateProduct } from '../api/types'
import { usePagedList } from './usePagedList'

export type ProductFilters = Pick<ListProductsQuery, 'q'>

export function useProductList(filters: Ref<ProductFilters>, pageSize = 50) {
  return usePagedList<Product, ProductFilters>(
    filters,
    (query) => call(api.GET('/api/v1/products', { params: { query } })),
    pageSize,
  )
}

/** Creates a product; the same key sent twice creates it once. */
/** The first `limit` products by name (a proposal's line picker). */
export async function listProducts(limit = 200): Promise<Product[]> {
  return (await call(api.GET('/api/v1/products', { params: { query: { limit } } }))).items
}

export function createProduct(body: CreateProduct, idempotencyKey: string): Promise<Product> {
  return call(
    api.POST('/api/v1/products', { body, params: { header: { 'Idempotency-Key': idempotencyKey } } }),
  )
}

/** Changes a product, unless it changed since `version`. */
export function updateProduct(
  id: string,
  body: Omit<UpdateProduct, 'version'>,
  version: number,
): Promise<Product> {
  return call(api.PATCH('/api/v1/products/{id}', { params: { path: { id } }, body: { ...body, version } }))
}

export async function deleteProduct(id: string): Promise<void> {
  await call(api.DELETE('/api/v1/products/{id}', { params: { path: { id } } }))
}
