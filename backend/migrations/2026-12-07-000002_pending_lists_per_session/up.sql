-- The text-search and trigram indexes' pending lists were kept at 512 kB by a setting of each
-- index, which no session can change. The 512 kB now comes from the application's sessions
-- (`gin_pending_list_limit`, sent when each connection opens), so that a bulk write (an import's
-- batch, a bulk change) can let the lists take its whole transaction's entries and merge them
-- once at its end: about 15 % of a 5,000-contact batch's insert. Sessions of other clients use
-- PostgreSQL's default (4 MB), and VACUUM merges the lists as before.
ALTER INDEX contacts_search_fts RESET (gin_pending_list_limit);
ALTER INDEX contacts_search_trgm RESET (gin_pending_list_limit);
ALTER INDEX contacts_name_trgm RESET (gin_pending_list_limit);
ALTER INDEX companies_search_fts RESET (gin_pending_list_limit);
ALTER INDEX companies_search_trgm RESET (gin_pending_list_limit);
ALTER INDEX companies_name_trgm RESET (gin_pending_list_limit);
ALTER INDEX deals_search_fts RESET (gin_pending_list_limit);
ALTER INDEX deals_title_trgm RESET (gin_pending_list_limit);
ALTER INDEX interactions_search_fts RESET (gin_pending_list_limit);
ALTER INDEX email_templates_search_fts RESET (gin_pending_list_limit);
ALTER INDEX products_search_fts RESET (gin_pending_list_limit);
