//! Files the server keeps for a while — finished workspace exports, uploaded archives — stored in
//! PostgreSQL in chunks (`stored_files`, `stored_file_chunks`), so that every server instance
//! serves them, nothing lives only in one process's temporary directory, and a download streams
//! a chunk at a time.

pub mod store;

use std::io::Read;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::db::WorkspaceId;

/// Bytes per stored chunk.
pub const CHUNK: usize = 1 << 20;

/// Stores a local file (read a chunk at a time) under `name`, kept until `expires_at`; returns
/// the stored file's id and size. Call inside the transaction that makes the file visible.
pub async fn save(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    name: &str,
    content_type: &str,
    mut file: impl Read,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> anyhow::Result<(Uuid, i64)> {
    let id = Uuid::now_v7();
    store::insert(
        conn,
        &store::NewStoredFile {
            id,
            workspace_id: workspace,
            name: name.to_owned(),
            content_type: content_type.to_owned(),
            bytes: 0,
            created_at: now,
            expires_at,
        },
    )
    .await?;
    let mut total = 0_i64;
    let mut seq = 0;
    loop {
        let mut buf = Vec::with_capacity(CHUNK);
        (&mut file).take(CHUNK as u64).read_to_end(&mut buf)?;
        if buf.is_empty() {
            break;
        }
        total += buf.len() as i64;
        store::append_chunk(conn, workspace, id, seq, &buf).await?;
        seq += 1;
    }
    store::set_bytes(conn, workspace, id, total).await?;
    Ok((id, total))
}

/// A stored file of `workspace` copied into a temporary local file (read from the start), or
/// `None` when it does not exist (any more).
pub async fn load(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> anyhow::Result<Option<std::fs::File>> {
    use std::io::{Seek, Write};
    if store::find(conn, workspace, id).await?.is_none() {
        return Ok(None);
    }
    let mut file = tempfile::tempfile()?;
    let mut seq = 0;
    while let Some(data) = store::chunk(conn, workspace, id, seq).await? {
        file.write_all(&data)?;
        seq += 1;
    }
    file.seek(std::io::SeekFrom::Start(0))?;
    Ok(Some(file))
}
