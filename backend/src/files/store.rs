//! Rows and SQL of stored files.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Int4, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::WorkspaceId;
use crate::db::schema::{stored_file_chunks, stored_files};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stored_files, check_for_backend(Pg))]
pub struct NewStoredFile {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub content_type: String,
    pub bytes: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// A stored file's description (its chunks are read one at a time with [`chunk`]).
pub type StoredFile = NewStoredFile;

pub async fn insert(conn: &mut AsyncPgConnection, file: &NewStoredFile) -> QueryResult<usize> {
    diesel::insert_into(stored_files::table)
        .values(file)
        .execute(conn)
        .await
}

/// Adds chunk `seq` to a file of `workspace`.
pub async fn append_chunk(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    file: Uuid,
    seq: i32,
    data: &[u8],
) -> QueryResult<usize> {
    diesel::sql_query(
        "INSERT INTO stored_file_chunks (file_id, seq, data) \
         SELECT f.id, $3, $4 FROM stored_files f WHERE f.workspace_id = $1 AND f.id = $2",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<SqlUuid, _>(file)
    .bind::<Int4, _>(seq)
    .bind::<Bytea, _>(data)
    .execute(conn)
    .await
}

pub async fn set_bytes(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    bytes: i64,
) -> QueryResult<usize> {
    diesel::update(stored_files::table.filter(stored_files::workspace_id.eq(workspace).and(stored_files::id.eq(id))))
        .set(stored_files::bytes.eq(bytes))
        .execute(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<StoredFile>> {
    stored_files::table
        .filter(stored_files::workspace_id.eq(workspace).and(stored_files::id.eq(id)))
        .select(StoredFile::as_select())
        .first(conn)
        .await
        .optional()
}

/// Chunk `seq` of a file of `workspace`; `None` past the last.
pub async fn chunk(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    file: Uuid,
    seq: i32,
) -> QueryResult<Option<Vec<u8>>> {
    stored_file_chunks::table
        .inner_join(stored_files::table.on(stored_files::id.eq(stored_file_chunks::file_id)))
        .filter(stored_files::workspace_id.eq(workspace))
        .filter(
            stored_file_chunks::file_id
                .eq(file)
                .and(stored_file_chunks::seq.eq(seq)),
        )
        .select(stored_file_chunks::data)
        .first(conn)
        .await
        .optional()
}

pub async fn delete(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<usize> {
    diesel::delete(stored_files::table.filter(stored_files::workspace_id.eq(workspace).and(stored_files::id.eq(id))))
        .execute(conn)
        .await
}

/// Removes every file whose time ran out before `now` (their chunks go with them).
pub async fn purge_expired(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(stored_files::table.filter(stored_files::expires_at.lt(now)))
        .execute(conn)
        .await
}
