-- GIN indexes keep new entries in a pending list by default ("fast update") and every lookup
-- scans that whole list until VACUUM merges it. For the indexes looked up by exact value on
-- every create (email, phone keys: the duplicate check) and in filters (tags, custom fields),
-- a row adds only a few entries, so they are written straight into the index instead: after
-- 25,000 creates the email lookup scanned 124 pending pages (0.6 ms instead of 0.1 ms).
ALTER INDEX contacts_emails_gin SET (fastupdate = off);
ALTER INDEX contacts_phone_keys SET (fastupdate = off);
ALTER INDEX contacts_tags_gin SET (fastupdate = off);
ALTER INDEX contacts_custom_fields_gin SET (fastupdate = off);
ALTER INDEX companies_custom_fields_gin SET (fastupdate = off);
ALTER INDEX deals_custom_fields_idx SET (fastupdate = off);
SELECT gin_clean_pending_list(i::regclass)
FROM unnest(ARRAY['contacts_emails_gin', 'contacts_phone_keys', 'contacts_tags_gin', 'contacts_custom_fields_gin',
                  'companies_custom_fields_gin', 'deals_custom_fields_idx']) AS i;

-- Text-search and trigram indexes add dozens of entries per row, so their pending list stays,
-- but smaller (512 kB instead of 4 MB): a search scans at most 64 pending pages, and the merge
-- that a write triggers when the list is full is short.
ALTER INDEX contacts_search_fts SET (gin_pending_list_limit = 512);
ALTER INDEX contacts_search_trgm SET (gin_pending_list_limit = 512);
ALTER INDEX contacts_name_trgm SET (gin_pending_list_limit = 512);
ALTER INDEX companies_search_fts SET (gin_pending_list_limit = 512);
ALTER INDEX companies_search_trgm SET (gin_pending_list_limit = 512);
ALTER INDEX companies_name_trgm SET (gin_pending_list_limit = 512);
ALTER INDEX deals_search_fts SET (gin_pending_list_limit = 512);
ALTER INDEX deals_title_trgm SET (gin_pending_list_limit = 512);
ALTER INDEX interactions_search_fts SET (gin_pending_list_limit = 512);
ALTER INDEX email_templates_search_fts SET (gin_pending_list_limit = 512);
ALTER INDEX products_search_fts SET (gin_pending_list_limit = 512);
