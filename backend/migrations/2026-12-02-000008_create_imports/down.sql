DROP TABLE import_companies;
DROP TABLE import_rows;
DROP TABLE imports;
