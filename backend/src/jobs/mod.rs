//! Background work: one PostgreSQL job table that every server instance takes work from with
//! `FOR UPDATE SKIP LOCKED` (see [`store::claim`]). A job is held under a lease that its worker
//! renews while it runs; when a worker dies the lease lapses and another worker takes the job
//! again, so a job runs at least once and never twice at the same time. A failed attempt is
//! retried with exponential backoff until `max_attempts`. Kinds today: `backup` (the scheduled
//! backup of `BACKUP_SCHEDULE`), `import` (an import's commit), `export` (a full workspace
//! export) and `trash_purge` (queued once a day by the hourly housekeeping: deletes for good what
//! has been in the trash 30 days). The hourly housekeeping also removes exports past their 7 days.
//! Webhook deliveries (`webhook_delivery`) and emails (`email`) live in the same table but are
//! claimed by workers of their own (see [`crate::webhooks`] and [`crate::mail`]), so that a long
//! import never holds them back. Every 2 s each instance also folds the changes that writes
//! appended to the kept totals (follow-up days, deal totals) into them, and the hourly
//! housekeeping removes the totals no record counts in any more.

pub mod cpu;
pub mod store;

use std::time::Duration;

use chrono::{DateTime, NaiveTime, Utc};
use uuid::Uuid;

use crate::state::AppState;
use store::{JobRow, NewJobRow};

/// Wakes this process's worker at once (a job was just queued here); other instances find it
/// on their next look.
static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

pub fn wake() {
    WAKE.notify_one();
}

/// How often an idle worker looks for due jobs.
const POLL: Duration = Duration::from_secs(2);
/// How often the changes to the kept totals are folded into them.
const FOLD: Duration = Duration::from_secs(2);
/// How long a claimed job is the worker's before another may take it; renewed every third.
const LEASE: Duration = Duration::from_secs(300);
/// Finished jobs are kept this long, for their results and errors.
const KEEP_FINISHED_DAYS: i64 = 30;

pub const BACKUP: &str = "backup";
/// The commit of an import (`imports::service::run_commit`).
pub const IMPORT: &str = "import";
/// A full workspace export (`exports::service::run`).
pub const EXPORT: &str = "export";
/// The daily purge of what has been in the trash for 30 days (`trash::service::purge_expired`).
pub const TRASH_PURGE: &str = "trash_purge";

/// The wait before attempt `attempts + 1`: 30 s, 2 min, 8 min, … at most 6 h.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exp = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(10);
    let secs = 30_i64.saturating_mul(4_i64.saturating_pow(exp));
    chrono::Duration::seconds(secs.min(6 * 3600))
}

/// A job to queue now (or at `run_at`).
pub fn new_job(kind: &str, run_at: DateTime<Utc>, now: DateTime<Utc>) -> NewJobRow {
    NewJobRow {
        id: Uuid::now_v7(),
        workspace_id: None,
        kind: kind.to_owned(),
        payload: serde_json::json!({}),
        run_at,
        max_attempts: 5,
        dedupe_key: None,
        created_by: None,
        created_at: now,
        updated_at: now,
    }
}

/// `BACKUP_SCHEDULE`: `HH:MM` in UTC, or `daily` (03:00 UTC).
pub fn parse_schedule(raw: &str) -> Option<NaiveTime> {
    match raw.trim() {
        "daily" => NaiveTime::from_hms_opt(3, 0, 0),
        t => NaiveTime::parse_from_str(t, "%H:%M").ok(),
    }
}

/// The latest scheduled time at or before `now` (today's, or yesterday's before it comes).
pub fn last_scheduled(at: NaiveTime, now: DateTime<Utc>) -> DateTime<Utc> {
    let today = now.date_naive().and_time(at).and_utc();
    if today <= now {
        today
    } else {
        today - chrono::Duration::days(1)
    }
}

/// Queues the backup of the latest scheduled time unless it exists (one per day, whichever
/// instance gets there first); `true` when this call queued it.
pub async fn schedule_backup(state: &AppState, at: NaiveTime, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let due = last_scheduled(at, now);
    let mut job = new_job(BACKUP, due, now);
    job.dedupe_key = Some(format!("backup:{}", due.format("%Y-%m-%dT%H:%MZ")));
    job.max_attempts = 3;
    let mut conn = state.conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(store::enqueue(&mut conn, &job).await?)
}

/// Queues today's trash purge unless it exists (one per day, whichever instance gets there
/// first); `true` when this call queued it.
pub async fn schedule_trash_purge(state: &AppState, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let mut job = new_job(TRASH_PURGE, now, now);
    job.dedupe_key = Some(format!("trash_purge:{}", now.format("%Y-%m-%d")));
    job.max_attempts = 3;
    let mut conn = state.conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(store::enqueue(&mut conn, &job).await?)
}

/// An identity for this process's worker, as written in `locked_by`.
pub fn worker_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    format!(
        "{}:{}:{}",
        host.trim(),
        std::process::id(),
        &Uuid::now_v7().simple().to_string()[20..]
    )
}

/// Starts the worker (and the backup schedule, when set) on the current runtime.
pub fn spawn(state: AppState) {
    let worker = worker_name();
    if let Some(at) = state.config.backups.schedule {
        let s = state.clone();
        actix_web::rt::spawn(async move {
            let mut every_minute = tokio::time::interval(Duration::from_secs(60));
            loop {
                every_minute.tick().await;
                match schedule_backup(&s, at, Utc::now()).await {
                    Ok(true) => tracing::info!("scheduled backup queued"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "could not queue the scheduled backup"),
                }
            }
        });
    }
    let s = state.clone();
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(FOLD);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = fold_totals(&s).await {
                tracing::warn!(error = %e, "could not fold the kept totals");
            }
        }
    });
    actix_web::rt::spawn(async move {
        let mut last_purge = None::<DateTime<Utc>>;
        loop {
            match work_once(&state, &worker, Utc::now()).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "the job worker could not reach the database"),
            }
            let now = Utc::now();
            if last_purge.is_none_or(|t| now - t > chrono::Duration::hours(1)) {
                last_purge = Some(now);
                if let Ok(mut conn) = state.conn().await {
                    let before = now - chrono::Duration::days(KEEP_FINISHED_DAYS);
                    if let Ok(n @ 1..) = store::purge_finished(&mut conn, before).await {
                        tracing::info!(removed = n, "old finished jobs removed");
                    }
                    if let Err(e) = crate::contacts::service::drop_empty_follow_up_days(&mut conn).await {
                        tracing::warn!(error = %e, "could not remove the days no contact is due on");
                    }
                    if let Err(e) = crate::deals::service::drop_empty_totals(&mut conn).await {
                        tracing::warn!(error = %e, "could not remove the deal totals no deal counts in");
                    }
                    if let Err(e) = crate::payments::revenue::drop_empty_totals(&mut conn).await {
                        tracing::warn!(error = %e, "could not remove the revenue totals nothing counts in");
                    }
                    match crate::exports::service::purge(&mut conn, now).await {
                        Ok(n @ 1..) => tracing::info!(expired = n, "exports past their 7 days removed"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "could not remove expired exports"),
                    }
                }
                if let Err(e) = schedule_trash_purge(&state, now).await {
                    tracing::warn!(error = %e, "could not queue the trash purge");
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = WAKE.notified() => {}
            }
        }
    });
}

/// Moves the changes that writes appended to the kept totals (deals per stage and per day,
/// contacts due per day, revenue per month) into them, so that the board, the dashboard, the
/// follow-up counts and the revenue report read few rows (see `deals::store::stage_totals`,
/// `dashboard::store::closed`, `contacts::store::follow_up_counts`,
/// `payments::store::revenue_by_month`). Every instance folds; two folds at once only wait for
/// each other.
async fn fold_totals(state: &AppState) -> anyhow::Result<()> {
    let mut conn = state.background_conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::deals::service::fold_totals(&mut conn)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::contacts::service::fold_follow_up_days(&mut conn)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::payments::revenue::fold_totals(&mut conn)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// Claims one due job and runs it; `false` when none was due.
pub async fn work_once(state: &AppState, worker: &str, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let job = {
        let mut conn = state.background_conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        store::claim(&mut conn, &[BACKUP, IMPORT, EXPORT, TRASH_PURGE], worker, now, LEASE).await?
    };
    let Some(job) = job else {
        return Ok(false);
    };
    let outcome = {
        let run = run(state, &job, worker);
        tokio::pin!(run);
        // Renew the lease while the job runs.
        let mut renew = tokio::time::interval(LEASE / 3);
        renew.tick().await;
        loop {
            tokio::select! {
                outcome = &mut run => break outcome,
                _ = renew.tick() => {
                    if let Ok(mut conn) = state.conn().await {
                        let _ = store::heartbeat(&mut conn, job.id, worker, Utc::now(), LEASE, None).await;
                    }
                }
            }
        }
    };
    let finished = Utc::now();
    let mut conn = state.background_conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    match outcome {
        Ok(result) => {
            tracing::info!(job = %job.id, kind = job.kind, %result, "job done");
            store::succeed(&mut conn, job.id, worker, finished, &result).await?;
        }
        Err(e) => {
            let retry_at = (job.attempts < job.max_attempts).then(|| finished + backoff(job.attempts));
            tracing::warn!(job = %job.id, kind = job.kind, attempt = job.attempts, ?retry_at, error = %e, "job failed");
            store::fail(&mut conn, job.id, worker, finished, &format!("{e:#}"), retry_at).await?;
        }
    }
    Ok(true)
}

async fn run(state: &AppState, job: &JobRow, worker: &str) -> anyhow::Result<serde_json::Value> {
    match job.kind.as_str() {
        BACKUP => backup(state).await,
        IMPORT => import(state, job, worker).await,
        EXPORT => export(state, job, worker).await,
        TRASH_PURGE => trash_purge(state).await,
        other => anyhow::bail!("no worker knows the job kind {other:?}"),
    }
}

/// Reports how much of its work a job has done (records written of how many).
pub trait Progress: Send {
    fn report(&mut self, done: i64, total: i64) -> impl std::future::Future<Output = ()> + Send;
}

/// Reports a job's progress (and renews its lease) on a connection of its own, so that it is
/// seen while the job's transaction is still open.
struct JobProgress<'a> {
    state: &'a AppState,
    job: Uuid,
    worker: &'a str,
}

impl Progress for JobProgress<'_> {
    async fn report(&mut self, done: i64, total: i64) {
        if let Ok(mut conn) = self.state.conn().await {
            let _ = store::heartbeat(
                &mut conn,
                self.job,
                self.worker,
                Utc::now(),
                LEASE,
                Some((done, Some(total))),
            )
            .await;
        }
    }
}

async fn import(state: &AppState, job: &JobRow, worker: &str) -> anyhow::Result<serde_json::Value> {
    let workspace = job
        .workspace_id
        .ok_or_else(|| anyhow::anyhow!("an import job names no workspace"))?;
    let id: Uuid = job
        .payload
        .get("import_id")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("an import job names no import"))?;
    let mut conn = state.background_conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let import = crate::imports::store::find(&mut conn, workspace, id).await?;
    // A long file is written two batches at a time when a second connection of the background
    // share is free and no request is being answered; otherwise one at a time.
    let mut helper = match &import {
        Some(i) if crate::imports::service::writes_in_batches(i) => state.try_background_conn().await,
        _ => None,
    };
    // The changes are the import author's, as if made by them.
    let actor = import.and_then(|i| {
        Some(crate::accounts::actor::Actor {
            user_id: i.created_by?,
            name: i.created_by_name.unwrap_or_default(),
        })
    });
    let mut progress = JobProgress {
        state,
        job: job.id,
        worker,
    };
    let in_use = || state.load.in_use();
    let result = crate::accounts::actor::scope(
        actor,
        crate::imports::service::run_commit(
            &mut conn,
            helper.as_deref_mut().map(|c| crate::imports::service::Helper {
                conn: c,
                in_use: &in_use,
            }),
            workspace,
            id,
            &mut progress,
            Utc::now(),
        ),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
    Ok(serde_json::json!(result))
}

async fn export(state: &AppState, job: &JobRow, worker: &str) -> anyhow::Result<serde_json::Value> {
    let workspace = job
        .workspace_id
        .ok_or_else(|| anyhow::anyhow!("an export job names no workspace"))?;
    let id: Uuid = job
        .payload
        .get("export_id")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("an export job names no export"))?;
    let mut conn = state.background_conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut progress = JobProgress {
        state,
        job: job.id,
        worker,
    };
    let base_url = state.config.accounts.base();
    crate::exports::service::run(&mut conn, workspace, id, &mut progress, &base_url, Utc::now()).await
}

async fn trash_purge(state: &AppState) -> anyhow::Result<serde_json::Value> {
    let mut conn = state.background_conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let done = crate::trash::service::purge_expired(&mut conn, Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(serde_json::to_value(done)?)
}

async fn backup(state: &AppState) -> anyhow::Result<serde_json::Value> {
    let version = {
        let mut conn = state.background_conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::db::schema_version(&mut conn).await?
    };
    let url = state.config.database_url.clone();
    let dir = state.config.backups.dir.clone();
    let keep = state.config.backups.keep;
    let started = std::time::Instant::now();
    let file = tokio::task::spawn_blocking(move || crate::backup::backup(&url, &dir, keep, &version)).await??;
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    Ok(serde_json::json!({
        "file": file.display().to_string(),
        "bytes": bytes,
        "seconds": (started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_six_hours() {
        assert_eq!(backoff(1), chrono::Duration::seconds(30));
        assert_eq!(backoff(2), chrono::Duration::seconds(120));
        assert_eq!(backoff(3), chrono::Duration::seconds(480));
        assert_eq!(backoff(40), chrono::Duration::hours(6));
        assert_eq!(backoff(0), chrono::Duration::seconds(30));
    }

    #[test]
    fn the_schedule_is_a_time_of_day_in_utc() {
        assert_eq!(parse_schedule("02:30"), NaiveTime::from_hms_opt(2, 30, 0));
        assert_eq!(parse_schedule("daily"), NaiveTime::from_hms_opt(3, 0, 0));
        for bad in ["", "25:00", "3am", "02:30:00x"] {
            assert_eq!(parse_schedule(bad), None, "{bad}");
        }
        let at = NaiveTime::from_hms_opt(3, 0, 0).unwrap();
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(last_scheduled(at, t("2026-12-02T10:00:00Z")), t("2026-12-02T03:00:00Z"));
        assert_eq!(last_scheduled(at, t("2026-12-02T03:00:00Z")), t("2026-12-02T03:00:00Z"));
        assert_eq!(last_scheduled(at, t("2026-12-02T02:59:59Z")), t("2026-12-01T03:00:00Z"));
    }
}
