// The contacts list, paged by the server, with only the columns the lists show.
import type { Ref } from 'vue'
import { api, call } from '../api/client'
import type { Contact, ListContactsQuery } from '../api/types'
import { usePagedList } from './usePagedList'

export type ContactFilters = Pick<
  ListContactsQuery,
  'q' | 'lifecycle' | 'tag' | 'source' | 'follow_up' | 'sort' | 'trashed' | 'company_id' | 'owner'
>

/** The fields the contact lists (contacts, a company's people) show; asked for with `fields`,
 * so a page carries nothing else (notes, custom fields, …). */
export const CONTACT_ROW_FIELDS = [
  'first_name',
  'last_name',
  'display_name',
  'job_title',
  'company',
  'last_sentiment',
  'lifecycle',
  'emails',
  'tags',
  'next_follow_up_at',
] as const

/** A contact as the lists have it: its id and the fields above. */
export type ContactRow = Pick<Contact, 'id' | (typeof CONTACT_ROW_FIELDS)[number]>

export function useContactList(filters: Ref<ContactFilters>, pageSize = 50) {
  return usePagedList<ContactRow, ContactFilters>(
    filters,
    async (query) => {
      const page = await call(
        api.GET('/api/v1/contacts', {
          params: { query: { ...query, fields: CONTACT_ROW_FIELDS.join(',') } },
        }),
      )
      // With `fields`, every contact has exactly these fields and its id (ContactFields).
      return { ...page, items: page.items as ContactRow[] }
    },
    pageSize,
  )
}
