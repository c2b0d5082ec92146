//! Answers that are costly to compute and change only when the workspace's data changes (the
//! dashboard): kept in memory together with the workspace's newest activity entry — every write
//! records one in its own transaction — and reused while that entry is still the newest, for at
//! most [`MAX_AGE`] (what changes with the clock alone, like "overdue" or "this month", and the
//! rare write whose activity entry is older than the newest one, are never staler than that).
//! Checking costs one index-only lookup.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use diesel::result::QueryResult;
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

pub const MAX_AGE: Duration = Duration::from_secs(30);

/// What identifies the workspace's data as of now: its newest activity entry (none when empty).
pub async fn stamp(conn: &mut AsyncPgConnection, workspace: Uuid) -> QueryResult<Option<Uuid>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    let row: Option<Row> =
        diesel::sql_query("SELECT id FROM activity WHERE workspace_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT 1")
            .bind::<diesel::sql_types::Uuid, _>(workspace)
            .get_result(conn)
            .await
            .optional()?;
    Ok(row.map(|r| r.id))
}

struct Entry {
    stamp: Option<Uuid>,
    at: Instant,
    body: Bytes,
}

/// Serialized answers by key, each valid for one stamp.
#[derive(Default)]
pub struct Fresh {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Fresh {
    /// The stored answer for `key` if it was computed at this stamp, recently enough.
    pub fn get(&self, key: &str, stamp: Option<Uuid>) -> Option<Bytes> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|e| e.stamp == stamp && e.at.elapsed() < MAX_AGE)
            .map(|e| e.body.clone())
    }

    pub fn put(&self, key: String, stamp: Option<Uuid>, body: Bytes) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Old entries go when new ones come, so the map stays as small as the set of live keys.
        map.retain(|_, e| e.at.elapsed() < MAX_AGE);
        map.insert(
            key,
            Entry {
                stamp,
                at: Instant::now(),
                body,
            },
        );
    }
}
