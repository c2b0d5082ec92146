// The contacts list, paged by the server.
import type { Ref } from 'vue'
import { api, call } from '../api/client'
import type { Contact, ListContactsQuery } from '../api/types'
import { usePagedList } from './usePagedList'

export type ContactFilters = Pick<
  ListContactsQuery,
  'q' | 'lifecycle' | 'tag' | 'source' | 'follow_up' | 'sort' | 'trashed' | 'company_id' | 'owner'
>

export function useContactList(filters: Ref<ContactFilters>, pageSize = 50) {
  return usePagedList<Contact, ContactFilters>(
    filters,
    (query) => call(api.GET('/api/v1/contacts', { params: { query } })),
    pageSize,
  )
}
