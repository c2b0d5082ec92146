// Global search across contacts, companies, deals, interactions, templates and products.
import { api, call } from '../api/client'
import type { SearchResults } from '../api/types'

/** The best `limit` hits for `q`; `signal` drops an answer nobody waits for any more. */
export function globalSearch(q: string, limit = 20, signal?: AbortSignal): Promise<SearchResults> {
  return call(api.GET('/api/v1/search', { params: { query: { q, limit } }, signal }))
}
