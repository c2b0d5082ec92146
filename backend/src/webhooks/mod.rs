//! Signed webhooks: endpoints of a workspace that receive its events (see [`service`] for the
//! guarantees), and the loops that dispatch and deliver them inside the server.

pub mod dto;
pub mod events;
pub mod routes;
pub mod service;
pub mod store;

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::state::AppState;
use service::Outcome;

/// Wakes this process's delivery workers (deliveries were just queued here).
static DELIVER: tokio::sync::Notify = tokio::sync::Notify::const_new();

pub fn wake() {
    DELIVER.notify_waiters();
}

/// Delivery workers of one process; each sends a batch of deliveries at a time (so at most
/// `WORKERS × BATCH` requests are open at once).
const WORKERS: usize = 2;
/// Deliveries one worker claims (and sends at the same time) at once.
const BATCH: i64 = 16;
/// How long a claimed delivery is its worker's (longer than any batch takes: each attempt is
/// bounded by the outbound timeout, and a chain about one record is at most the batch).
const LEASE: Duration = Duration::from_secs(300);
/// How often the outbox is read.
const DISPATCH_EVERY: Duration = Duration::from_millis(500);
/// The delivery log keeps this many days.
const KEEP_DAYS: i64 = 30;

/// Claims due delivery jobs (up to a batch) and sends them; how many it claimed (0: none due).
pub async fn deliver_due(state: &AppState, worker: &str, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let jobs = {
        let mut conn = state.background_conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::jobs::store::claim_many(&mut conn, &[service::JOB_KIND], worker, now, LEASE, BATCH).await?
    };
    if jobs.is_empty() {
        return Ok(0);
    }
    let outcomes = service::run_jobs(state, &jobs, now).await;
    let mut conn = state.background_conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    use crate::jobs::store as queue;
    let conn = &mut conn;
    let (mut delivered, mut nothing) = (Vec::new(), Vec::new());
    for (job, outcome) in jobs.iter().zip(outcomes) {
        let id = job.id;
        match outcome {
            Ok(Outcome::Nothing) => nothing.push(id),
            Ok(Outcome::Delivered) => delivered.push(id),
            Ok(Outcome::Retry(at)) => {
                queue::fail(conn, id, worker, now, "the endpoint did not accept it", Some(at)).await?;
            }
            Ok(Outcome::Failed) => {
                queue::fail(conn, id, worker, now, "the delivery failed for good", None).await?;
            }
            Ok(Outcome::Waiting(at)) => {
                queue::postpone(conn, id, worker, now, at).await?;
            }
            // The database failed, not the endpoint: try again shortly.
            Err(e) => {
                let at = now + chrono::Duration::seconds(30);
                queue::fail(conn, id, worker, now, e.detail(), Some(at)).await?;
            }
        }
    }
    let done = |outcome: &str| serde_json::json!({ "outcome": outcome });
    queue::succeed_many(conn, &delivered, worker, now, &done("delivered")).await?;
    queue::succeed_many(conn, &nothing, worker, now, &done("nothing")).await?;
    Ok(jobs.len())
}

/// Starts the dispatcher and the delivery workers on the current runtime.
pub fn spawn(state: AppState) {
    let s = state.clone();
    actix_web::rt::spawn(async move {
        let mut last_purge = None::<DateTime<Utc>>;
        loop {
            let now = Utc::now();
            match s.background_conn().await {
                Ok(mut conn) => {
                    // Reminders whose time came become history entries, dispatched below.
                    if let Err(e) = crate::reminders::service::announce_due(&mut conn, now).await {
                        tracing::warn!(error = %e, "could not announce due reminders");
                    }
                    match service::dispatch(&mut conn, now).await {
                        Ok(0) => {}
                        Ok(n) => {
                            tracing::debug!(deliveries = n, "webhook events dispatched");
                            wake();
                            continue;
                        }
                        Err(e) => tracing::warn!(error = %e, "could not dispatch webhook events"),
                    }
                    if last_purge.is_none_or(|t| now - t > chrono::Duration::hours(1)) {
                        last_purge = Some(now);
                        let before = now - chrono::Duration::days(KEEP_DAYS);
                        if let Ok(n @ 1..) = store::purge_deliveries(&mut conn, before).await {
                            tracing::info!(removed = n, "old webhook deliveries removed");
                        }
                    }
                }
                Err(e) => tracing::debug!(error = %e, "the webhook dispatcher could not reach the database"),
            }
            tokio::time::sleep(DISPATCH_EVERY).await;
        }
    });
    for n in 0..WORKERS {
        let s = state.clone();
        let worker = format!("{}:webhooks-{n}", crate::jobs::worker_name());
        actix_web::rt::spawn(async move {
            loop {
                match deliver_due(&s, &worker, Utc::now()).await {
                    Ok(1..) => continue,
                    Ok(0) => {}
                    Err(e) => tracing::warn!(error = %e, "a webhook worker could not reach the database"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = DELIVER.notified() => {}
                }
            }
        });
    }
}
