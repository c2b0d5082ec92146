//! Answers that are costly to compute and change only when the workspace's data changes (the
//! dashboard, the board, the follow-up list, the cache key of an AI answer): kept in memory
//! together with the workspace's newest activity entry — every write records one in its own
//! transaction — and reused while that entry is still the newest, for at most [`MAX_AGE`] (what
//! changes with the clock alone, like "overdue" or "this month", and the rare write whose activity
//! entry is older than the newest one, are never staler than that). Checking costs one
//! index-only lookup.
//!
//! One request at a time computes a missing answer; the others wait for it instead of computing
//! the same thing side by side. While an answer that merely aged out (same data) is being
//! recomputed, the others get the aged one rather than waiting.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::HttpResponse;
use actix_web::http::header;
use actix_web::web::Bytes;
use diesel::result::QueryResult;
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use uuid::Uuid;

use super::WorkspaceId;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The response for `key` (an endpoint and its parameters) at the current workspace's data:
/// reused while it is unchanged, computed (by one request at a time) when it changed or aged out.
pub async fn respond<T: Serialize>(
    state: &AppState,
    workspace: WorkspaceId,
    key: &str,
    compute: impl AsyncFnOnce(&mut AsyncPgConnection, WorkspaceId) -> AppResult<T>,
) -> AppResult<HttpResponse> {
    respond_on(state, state.conn().await?, workspace, key, compute).await
}

/// [`respond`] for a heavy read, which the read replica may serve (see [`AppState::read_conn`]).
pub async fn respond_read<T: Serialize>(
    state: &AppState,
    workspace: WorkspaceId,
    after: crate::http::replica::ReadAfter,
    key: &str,
    compute: impl AsyncFnOnce(&mut AsyncPgConnection, WorkspaceId) -> AppResult<T>,
) -> AppResult<HttpResponse> {
    respond_on(
        state,
        state.read_conn(workspace, after.0).await?,
        workspace,
        key,
        compute,
    )
    .await
}

async fn respond_on<T: Serialize>(
    state: &AppState,
    mut conn: super::DbConn,
    workspace: WorkspaceId,
    key: &str,
    compute: impl AsyncFnOnce(&mut AsyncPgConnection, WorkspaceId) -> AppResult<T>,
) -> AppResult<HttpResponse> {
    let stamp = stamp(&mut conn, workspace).await?;
    let body = state
        .fresh
        .get_or_compute(&format!("{workspace}:{key}"), stamp, async || {
            let value = compute(&mut conn, workspace).await?;
            serde_json::to_vec(&value).map(Bytes::from).map_err(AppError::internal)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .body(body))
}

pub const MAX_AGE: Duration = Duration::from_secs(30);

/// How many answers are kept at most; the oldest goes first when a new one comes.
const MAX_ENTRIES: usize = 512;

/// The statement that reads a workspace's stamp (`$1` the workspace), for statements that read it
/// along with something else.
macro_rules! stamp_sql {
    () => {
        "SELECT id FROM activity WHERE workspace_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT 1"
    };
}
pub(crate) use stamp_sql;

/// What identifies the workspace's data as of now: its newest activity entry (none when empty).
pub async fn stamp(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Option<Uuid>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    use super::statement::Prepare;
    let row: Option<Row> = diesel::sql_query(stamp_sql!())
        .bind::<diesel::sql_types::Uuid, _>(workspace)
        .prepared()
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
    /// One lock per key being computed; callers for the same key queue on it.
    computing: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Fresh {
    /// The stored answer for `key` if it was computed at this stamp, recently enough.
    pub fn get(&self, key: &str, stamp: Option<Uuid>) -> Option<Bytes> {
        self.get_within(key, stamp, MAX_AGE)
    }

    /// The stored answer for `key` with the stamp it was computed at, if recent enough — for a
    /// caller that reads the current stamp together with what the answer leads to, in one
    /// statement, and then compares the two.
    pub fn peek(&self, key: &str) -> Option<(Option<Uuid>, Bytes)> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|e| e.at.elapsed() < MAX_AGE)
            .map(|e| (e.stamp, e.body.clone()))
    }

    fn get_within(&self, key: &str, stamp: Option<Uuid>, age: Duration) -> Option<Bytes> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .filter(|e| e.stamp == stamp && e.at.elapsed() < age)
            .map(|e| e.body.clone())
    }

    pub fn put(&self, key: String, stamp: Option<Uuid>, body: Bytes) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Old entries go when new ones come, so the map stays as small as the set of live keys…
        map.retain(|_, e| e.at.elapsed() < MAX_AGE * 2);
        // …and never grows past a bound, however many different keys are asked for.
        while map.len() >= MAX_ENTRIES {
            let Some(oldest) = map.iter().min_by_key(|(_, e)| e.at).map(|(k, _)| k.clone()) else {
                break;
            };
            map.remove(&oldest);
        }
        map.insert(
            key,
            Entry {
                stamp,
                at: Instant::now(),
                body,
            },
        );
    }

    /// Forgets every answer: the next request for each computes it.
    pub fn clear(&self) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn lock_for(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.computing.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, lock| Arc::strong_count(lock) > 1);
        map.entry(key.to_owned()).or_default().clone()
    }

    /// The answer for `key` at `stamp`: the stored one, or `compute`'s, computed by one caller at
    /// a time. While another caller recomputes an answer that only aged out (same stamp, at most
    /// twice [`MAX_AGE`] old), that one is returned instead of waiting.
    pub async fn get_or_compute<E>(
        &self,
        key: &str,
        stamp: Option<Uuid>,
        compute: impl AsyncFnOnce() -> Result<Bytes, E>,
    ) -> Result<Bytes, E> {
        if let Some(body) = self.get(key, stamp) {
            return Ok(body);
        }
        let lock = self.lock_for(key);
        let _turn = match lock.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                if let Some(body) = self.get_within(key, stamp, MAX_AGE * 2) {
                    return Ok(body);
                }
                let turn = lock.lock().await;
                // The caller before us may have computed it for this very stamp.
                if let Some(body) = self.get(key, stamp) {
                    return Ok(body);
                }
                turn
            }
        };
        let body = compute().await?;
        self.put(key.to_owned(), stamp, body.clone());
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use actix_web::web::Bytes;
    use uuid::Uuid;

    use super::{Fresh, MAX_ENTRIES};

    #[tokio::test]
    async fn one_caller_computes_and_the_others_wait_for_its_answer() {
        let fresh = Arc::new(Fresh::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let stamp = Some(Uuid::now_v7());
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (fresh, runs) = (fresh.clone(), runs.clone());
            tasks.push(tokio::spawn(async move {
                fresh
                    .get_or_compute("k", stamp, async || {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok::<_, ()>(Bytes::from_static(b"answer"))
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap(), Bytes::from_static(b"answer"));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // A new stamp (a write happened) computes again.
        let again = fresh
            .get_or_compute("k", Some(Uuid::now_v7()), async || {
                Ok::<_, ()>(Bytes::from_static(b"new"))
            })
            .await;
        assert_eq!(again.unwrap(), Bytes::from_static(b"new"));
    }

    #[tokio::test]
    async fn a_failed_computation_is_not_kept() {
        let fresh = Fresh::default();
        let failed = fresh.get_or_compute("k", None, async || Err::<Bytes, _>("down")).await;
        assert_eq!(failed, Err("down"));
        assert!(fresh.get("k", None).is_none());
    }

    #[test]
    fn the_number_of_answers_kept_is_bounded() {
        let fresh = Fresh::default();
        for i in 0..(MAX_ENTRIES + 50) {
            fresh.put(format!("k{i}"), None, Bytes::from_static(b"x"));
        }
        assert_eq!(fresh.entries.lock().unwrap().len(), MAX_ENTRIES);
        assert!(fresh.get(&format!("k{}", MAX_ENTRIES + 49), None).is_some());
    }
}
