-- The batches of records an import's commit has written. A large import is written in batches
-- of 5,000 records, each in its own transaction, two at a time; a batch is recorded in the
-- transaction that writes it, so a commit that stops part way (a failure, a server that died)
-- resumes with the batches not recorded here, and a rollback undoes exactly the recorded ones.
CREATE TABLE import_batches (
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    first_row integer NOT NULL CHECK (first_row >= 1),
    last_row integer NOT NULL CHECK (last_row >= first_row),
    created integer NOT NULL CHECK (created >= 0),
    updated integer NOT NULL CHECK (updated >= 0),
    written_at timestamptz NOT NULL,
    PRIMARY KEY (import_id, first_row)
);
