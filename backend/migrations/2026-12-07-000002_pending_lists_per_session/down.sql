-- Back to 512 kB set on each index.
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
