DROP INDEX companies_name_key;
DROP INDEX companies_domain_key;
DROP INDEX contacts_linkedin_key;
DROP INDEX contacts_phone_keys;
DROP FUNCTION rapport_company_key(text);
DROP FUNCTION rapport_domain_key(text);
DROP FUNCTION rapport_linkedin_key(text);
DROP FUNCTION rapport_phone_keys(text[]);
