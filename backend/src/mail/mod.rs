//! Outgoing email over SMTP: the workspace's mail server (admins set it), test emails, emails to
//! contacts logged as interactions, invitations, daily digests and sequence steps (queued once a
//! minute here). Emails go through the job table (kind
//! `email`) and are sent by a worker of their own inside the server, so a long import does not
//! hold them back; a failed attempt is retried with backoff, a refusal is final, and the outcome
//! is shown on the email's interaction.

pub mod dto;
pub mod routes;
pub mod service;
pub mod smtp;
pub mod store;

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::state::AppState;
use service::Outcome;

/// Wakes this process's mail worker (an email was just queued here).
static SEND: tokio::sync::Notify = tokio::sync::Notify::const_new();

pub fn wake() {
    SEND.notify_one();
}

/// How long a claimed email is its worker's (longer than any SMTP exchange takes).
const LEASE: Duration = Duration::from_secs(180);

/// Claims one due email and sends it; `false` when none was due.
pub async fn send_once(state: &AppState, worker: &str, now: DateTime<Utc>) -> anyhow::Result<bool> {
    use crate::jobs::store as queue;
    let job = {
        let mut conn = state.background_conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        queue::claim(&mut conn, &[service::JOB_KIND], worker, now, LEASE).await?
    };
    let Some(job) = job else {
        return Ok(false);
    };
    let outcome = service::run_job(state, &job, now).await;
    let mut conn = state.background_conn().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let (conn, id) = (&mut conn, job.id);
    match outcome {
        Ok(Outcome::Sent(response)) => {
            queue::succeed(conn, id, worker, now, &serde_json::json!({ "response": response })).await?
        }
        Ok(Outcome::Retry(at, e)) => queue::fail(conn, id, worker, now, &e, Some(at)).await?,
        Ok(Outcome::Failed(e)) => queue::fail(conn, id, worker, now, &e, None).await?,
        // The database failed, not the mail server: try again shortly.
        Err(e) => {
            let retry = now + chrono::Duration::seconds(30);
            queue::fail(conn, id, worker, now, e.detail(), Some(retry)).await?
        }
    };
    Ok(true)
}

/// Starts the mail worker on the current runtime.
pub fn spawn(state: AppState) {
    let worker = format!("{}:mail", crate::jobs::worker_name());
    actix_web::rt::spawn(async move {
        let mut last_digests = None::<DateTime<Utc>>;
        loop {
            // Once a minute: the daily digests whose hour has come.
            let now = Utc::now();
            if last_digests.is_none_or(|t| now - t >= chrono::Duration::minutes(1)) {
                last_digests = Some(now);
                if let Ok(mut conn) = state.background_conn().await {
                    let base = state.config.accounts.base();
                    match service::send_digests(&mut conn, &base, now).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(queued = n, "daily digests queued"),
                        Err(e) => tracing::warn!(error = %e, "could not queue the daily digests"),
                    }
                    match crate::sequences::service::run_due(&mut conn, &base, now).await {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(queued = n, "sequence emails queued"),
                        Err(e) => tracing::warn!(error = %e, "could not send the due sequence steps"),
                    }
                }
            }
            match send_once(&state, &worker, Utc::now()).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "the mail worker could not reach the database"),
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                _ = SEND.notified() => {}
            }
        }
    });
}
