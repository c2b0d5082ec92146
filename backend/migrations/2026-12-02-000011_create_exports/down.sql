DROP TABLE exports;
DROP TABLE stored_file_chunks;
DROP TABLE stored_files;
