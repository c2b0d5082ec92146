//! Rows and SQL of the job queue. Every function takes the current time from its caller, so
//! that due times, leases and retries are tested with any clock.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Interval, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::WorkspaceId;
use crate::db::schema::jobs;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = jobs, check_for_backend(Pg))]
pub struct JobRow {
    pub id: Uuid,
    pub workspace_id: Option<WorkspaceId>,
    pub kind: String,
    pub payload: serde_json::Value,
    pub status: String,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub max_attempts: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub progress_done: i64,
    pub progress_total: Option<i64>,
    pub result: Option<serde_json::Value>,
    pub dedupe_key: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = jobs)]
pub struct NewJobRow {
    pub id: Uuid,
    pub workspace_id: Option<WorkspaceId>,
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: DateTime<Utc>,
    pub max_attempts: i32,
    pub dedupe_key: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Queues a job; `false` when its `dedupe_key` is already taken (the job exists).
pub async fn enqueue(conn: &mut AsyncPgConnection, job: &NewJobRow) -> QueryResult<bool> {
    let n = diesel::insert_into(jobs::table)
        .values(job)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Queues several jobs in one statement (those whose `dedupe_key` is taken are left out).
pub async fn enqueue_all(conn: &mut AsyncPgConnection, jobs: &[NewJobRow]) -> QueryResult<usize> {
    if jobs.is_empty() {
        return Ok(0);
    }
    diesel::insert_into(jobs::table)
        .values(jobs)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

/// Puts a job `worker` holds back in the queue until `run_at` without counting the attempt (it
/// had to wait for other work); `false` when it is no longer the worker's.
pub async fn postpone(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    worker: &str,
    now: DateTime<Utc>,
    run_at: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        jobs::table
            .filter(jobs::id.eq(id))
            .filter(jobs::status.eq("running"))
            .filter(jobs::locked_by.eq(worker)),
    )
    .set((
        jobs::status.eq("queued"),
        jobs::run_at.eq(run_at),
        jobs::attempts.eq(jobs::attempts - 1),
        jobs::locked_until.eq(None::<DateTime<Utc>>),
        jobs::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Takes the earliest due job of these kinds — a queued one whose time has come, or a running
/// one whose worker let its lease lapse — for `worker` until `now + lease`. Concurrent claims
/// skip each other's rows, so no job is ever held by two workers.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    kinds: &[&str],
    worker: &str,
    now: DateTime<Utc>,
    lease: std::time::Duration,
) -> QueryResult<Option<JobRow>> {
    Ok(claim_many(conn, kinds, worker, now, lease, 1).await?.pop())
}

/// Takes up to `limit` due jobs of these kinds at once (as [`claim`] takes one), earliest first.
pub async fn claim_many(
    conn: &mut AsyncPgConnection,
    kinds: &[&str],
    worker: &str,
    now: DateTime<Utc>,
    lease: std::time::Duration,
    limit: i64,
) -> QueryResult<Vec<JobRow>> {
    let kinds: Vec<String> = kinds.iter().map(|k| (*k).to_owned()).collect();
    let mut jobs: Vec<JobRow> = diesel::sql_query(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $2, \
             locked_until = $3 + $4, updated_at = $3 \
         WHERE id IN (SELECT id FROM jobs \
             WHERE kind = ANY($1) AND run_at <= $3 \
               AND (status = 'queued' OR (status = 'running' AND locked_until < $3)) \
             ORDER BY run_at, id LIMIT $5 FOR UPDATE SKIP LOCKED) \
         RETURNING *",
    )
    .bind::<Array<Text>, _>(kinds)
    .bind::<Text, _>(worker)
    .bind::<Timestamptz, _>(now)
    .bind::<Interval, _>(interval(lease))
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await?;
    jobs.sort_by_key(|j| (j.run_at, j.id));
    Ok(jobs)
}

fn interval(d: std::time::Duration) -> diesel::data_types::PgInterval {
    diesel::data_types::PgInterval::from_microseconds(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Extends the lease of a job `worker` holds (a heartbeat) and records its progress; `false`
/// when the job is no longer the worker's (its lease lapsed and another took it).
pub async fn heartbeat(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    worker: &str,
    now: DateTime<Utc>,
    lease: std::time::Duration,
    progress: Option<(i64, Option<i64>)>,
) -> QueryResult<bool> {
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::MAX);
    let target = jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::status.eq("running"))
        .filter(jobs::locked_by.eq(worker));
    let n = match progress {
        Some((done, total)) => {
            diesel::update(target)
                .set((
                    jobs::locked_until.eq(until),
                    jobs::updated_at.eq(now),
                    jobs::progress_done.eq(done),
                    jobs::progress_total.eq(total),
                ))
                .execute(conn)
                .await?
        }
        None => {
            diesel::update(target)
                .set((jobs::locked_until.eq(until), jobs::updated_at.eq(now)))
                .execute(conn)
                .await?
        }
    };
    Ok(n == 1)
}

/// Marks a job `worker` holds as done with its result; `false` when it is no longer the worker's.
pub async fn succeed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    worker: &str,
    now: DateTime<Utc>,
    result: &serde_json::Value,
) -> QueryResult<bool> {
    Ok(succeed_many(conn, &[id], worker, now, result).await? == 1)
}

/// Marks several jobs `worker` holds as done with the same result (one statement); how many
/// were still the worker's.
pub async fn succeed_many(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    worker: &str,
    now: DateTime<Utc>,
    result: &serde_json::Value,
) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(
        jobs::table
            .filter(jobs::id.eq_any(ids))
            .filter(jobs::status.eq("running"))
            .filter(jobs::locked_by.eq(worker)),
    )
    .set((
        jobs::status.eq("succeeded"),
        jobs::locked_until.eq(None::<DateTime<Utc>>),
        jobs::result.eq(Some(result)),
        jobs::last_error.eq(None::<String>),
        jobs::updated_at.eq(now),
        jobs::finished_at.eq(Some(now)),
    ))
    .execute(conn)
    .await
}

/// Records a failed attempt: queued again at `retry_at`, or failed for good without one.
pub async fn fail(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    worker: &str,
    now: DateTime<Utc>,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> QueryResult<bool> {
    let target = jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::status.eq("running"))
        .filter(jobs::locked_by.eq(worker));
    let n = match retry_at {
        Some(at) => {
            diesel::update(target)
                .set((
                    jobs::status.eq("queued"),
                    jobs::run_at.eq(at),
                    jobs::locked_until.eq(None::<DateTime<Utc>>),
                    jobs::last_error.eq(Some(error)),
                    jobs::updated_at.eq(now),
                ))
                .execute(conn)
                .await?
        }
        None => {
            diesel::update(target)
                .set((
                    jobs::status.eq("failed"),
                    jobs::locked_until.eq(None::<DateTime<Utc>>),
                    jobs::last_error.eq(Some(error)),
                    jobs::updated_at.eq(now),
                    jobs::finished_at.eq(Some(now)),
                ))
                .execute(conn)
                .await?
        }
    };
    Ok(n == 1)
}

/// One job of the installation (no workspace), e.g. a backup.
pub async fn find_system(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<JobRow>> {
    jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::workspace_id.is_null())
        .select(JobRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The installation's jobs of a kind, newest first.
pub async fn recent_system(conn: &mut AsyncPgConnection, kind: &str, limit: i64) -> QueryResult<Vec<JobRow>> {
    jobs::table
        .filter(jobs::workspace_id.is_null())
        .filter(jobs::kind.eq(kind))
        .order((jobs::created_at.desc(), jobs::id.desc()))
        .limit(limit)
        .select(JobRow::as_select())
        .load(conn)
        .await
}

/// A workspace's job.
pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<JobRow>> {
    jobs::table
        .filter(jobs::id.eq(id))
        .filter(jobs::workspace_id.eq(workspace))
        .select(JobRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Removes jobs that finished before `before`.
pub async fn purge_finished(conn: &mut AsyncPgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(
        jobs::table
            .filter(jobs::status.eq_any(["succeeded", "failed"]))
            .filter(jobs::finished_at.lt(before)),
    )
    .execute(conn)
    .await
}

/// A job's progress (done, total), for the resource it works on (an import, an export).
pub async fn progress(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
) -> QueryResult<Option<(i64, Option<i64>)>> {
    jobs::table
        .filter(jobs::workspace_id.eq(workspace).and(jobs::id.eq(id)))
        .select((jobs::progress_done, jobs::progress_total))
        .first(conn)
        .await
        .optional()
}

/// How many jobs of a kind a workspace queued since `since` (e.g. emails against a daily limit).
pub async fn count_since(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    kind: &str,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    jobs::table
        .filter(jobs::workspace_id.eq(workspace))
        .filter(jobs::kind.eq(kind))
        .filter(jobs::created_at.gt(since))
        .count()
        .get_result(conn)
        .await
}
