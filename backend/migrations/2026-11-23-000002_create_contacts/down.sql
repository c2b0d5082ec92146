DROP TABLE contacts;
DROP FUNCTION rapport_join_text(text[]);
DROP TABLE companies;
