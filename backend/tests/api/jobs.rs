//! The job queue: due times, leases, retries and exclusive claims, with the clock passed in;
//! and the scheduled backup, taken by the running server.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rapport::jobs::{self, store};

use crate::common::TestApp;

const LEASE: Duration = Duration::from_secs(60);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[actix_web::test]
async fn a_due_job_is_claimed_once_and_a_lapsed_lease_lets_another_worker_take_it() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.unwrap();
    let t0 = at("2026-12-02T03:00:00Z");
    let job = jobs::new_job("test_work", t0, t0 - chrono::Duration::minutes(5));
    assert!(store::enqueue(&mut conn, &job).await.unwrap());

    // Not before its time, and only the kinds asked for.
    let early = t0 - chrono::Duration::seconds(1);
    assert!(
        store::claim(&mut conn, &["test_work"], "w1", early, LEASE)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store::claim(&mut conn, &["other"], "w1", t0, LEASE)
            .await
            .unwrap()
            .is_none()
    );
    let claimed = store::claim(&mut conn, &["test_work"], "w1", t0, LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (claimed.id, claimed.attempts, claimed.status.as_str()),
        (job.id, 1, "running")
    );

    // Held: nobody else gets it while the lease runs, and a heartbeat extends the lease.
    let later = t0 + chrono::Duration::seconds(50);
    assert!(
        store::claim(&mut conn, &["test_work"], "w2", later, LEASE)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store::heartbeat(&mut conn, job.id, "w1", later, LEASE, Some((5, Some(10))))
            .await
            .unwrap()
    );
    let still = t0 + chrono::Duration::seconds(100);
    assert!(
        store::claim(&mut conn, &["test_work"], "w2", still, LEASE)
            .await
            .unwrap()
            .is_none()
    );

    // w1 goes silent: once its lease lapses, w2 takes the job (a second attempt).
    let lapsed = later + chrono::Duration::seconds(61);
    let retaken = store::claim(&mut conn, &["test_work"], "w2", lapsed, LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((retaken.attempts, retaken.locked_by.as_deref()), (2, Some("w2")));
    assert_eq!((retaken.progress_done, retaken.progress_total), (5, Some(10)));
    // w1's late answer is refused; w2's lands.
    let result = serde_json::json!({"ok": true});
    assert!(!store::succeed(&mut conn, job.id, "w1", lapsed, &result).await.unwrap());
    assert!(
        !store::heartbeat(&mut conn, job.id, "w1", lapsed, LEASE, None)
            .await
            .unwrap()
    );
    assert!(store::succeed(&mut conn, job.id, "w2", lapsed, &result).await.unwrap());
    let done = store::find_system(&mut conn, job.id).await.unwrap().unwrap();
    assert_eq!(done.status, "succeeded");
    assert_eq!(done.result, Some(result));
    assert_eq!(done.finished_at, Some(lapsed));
    assert!(done.locked_until.is_none());
    // Finished jobs are never claimed again, and are purged after their time.
    let much_later = lapsed + chrono::Duration::days(40);
    assert!(
        store::claim(&mut conn, &["test_work"], "w3", much_later, LEASE)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store::purge_finished(&mut conn, lapsed).await.unwrap(), 0);
    assert_eq!(store::purge_finished(&mut conn, much_later).await.unwrap(), 1);
}

#[actix_web::test]
async fn a_failing_job_is_retried_with_growing_waits_then_given_up() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.unwrap();
    let mut now = at("2026-12-02T03:00:00Z");
    let mut job = jobs::new_job("test_work", now, now);
    job.max_attempts = 3;
    store::enqueue(&mut conn, &job).await.unwrap();
    let mut waits = Vec::new();
    loop {
        let claimed = store::claim(&mut conn, &["test_work"], "w", now, LEASE)
            .await
            .unwrap()
            .unwrap();
        let retry_at = (claimed.attempts < claimed.max_attempts).then(|| now + jobs::backoff(claimed.attempts));
        assert!(
            store::fail(&mut conn, job.id, "w", now, "the disk is full", retry_at)
                .await
                .unwrap()
        );
        let Some(next) = retry_at else { break };
        // Not a moment before the backoff is over.
        let before = next - chrono::Duration::seconds(1);
        assert!(
            store::claim(&mut conn, &["test_work"], "w", before, LEASE)
                .await
                .unwrap()
                .is_none()
        );
        waits.push((next - now).num_seconds());
        now = next;
    }
    assert_eq!(waits, vec![30, 120]);
    let row = store::find_system(&mut conn, job.id).await.unwrap().unwrap();
    assert_eq!((row.status.as_str(), row.attempts), ("failed", 3));
    assert_eq!(row.last_error.as_deref(), Some("the disk is full"));
}

#[actix_web::test]
async fn concurrent_workers_never_share_a_job() {
    let app = TestApp::spawn().await;
    let now = at("2026-12-02T03:00:00Z");
    {
        let mut conn = app.pool.get().await.unwrap();
        for _ in 0..40 {
            store::enqueue(&mut conn, &jobs::new_job("test_work", now, now))
                .await
                .unwrap();
        }
    }
    let mut workers = Vec::new();
    for w in 0..4 {
        let pool = app.pool.clone();
        workers.push(tokio::spawn(async move {
            let mut conn = pool.get().await.unwrap();
            let name = format!("w{w}");
            let mut mine = Vec::new();
            while let Some(job) = store::claim(&mut conn, &["test_work"], &name, now, LEASE)
                .await
                .unwrap()
            {
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let count = all.len();
    all.sort();
    all.dedup();
    assert_eq!((count, all.len()), (40, 40), "every job claimed exactly once");
}

#[actix_web::test]
async fn one_scheduled_backup_a_day_whichever_instance_queues_it() {
    let app = TestApp::spawn().await;
    let at3 = jobs::parse_schedule("03:00").unwrap();
    let morning = at("2026-12-02T09:00:00Z");
    assert!(jobs::schedule_backup(&app.state, at3, morning).await.unwrap());
    // Another instance, or the same one a minute later: nothing new.
    assert!(
        !jobs::schedule_backup(&app.state, at3, morning + chrono::Duration::minutes(1))
            .await
            .unwrap()
    );
    // The next day's.
    assert!(
        jobs::schedule_backup(&app.state, at3, morning + chrono::Duration::days(1))
            .await
            .unwrap()
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM jobs WHERE kind = 'backup' AND workspace_id IS NULL")
            .await,
        2
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM jobs WHERE run_at = '2026-12-02T03:00:00Z'")
            .await,
        1
    );
}

#[actix_web::test]
async fn the_server_takes_the_scheduled_backup() {
    let dir = std::env::temp_dir().join(format!("rapport-scheduled-{}", uuid::Uuid::now_v7()));
    let d = dir.clone();
    let app = TestApp::spawn_configured(move |c| {
        c.backups.dir = d;
        c.backups.schedule = jobs::parse_schedule("00:00");
    })
    .await;
    app.contact(serde_json::json!({"first_name": "Ada"})).await;
    jobs::spawn(app.state.clone());
    // The schedule's first check is immediate; the worker polls every 2 s.
    let mut done = None;
    for _ in 0..150 {
        let mut conn = app.pool.get().await.unwrap();
        let recent = store::recent_system(&mut conn, jobs::BACKUP, 1).await.unwrap();
        if let Some(job) = recent
            .into_iter()
            .find(|j| j.status != "queued" && j.status != "running")
        {
            done = Some(job);
            break;
        }
        drop(conn);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let job = done.expect("the scheduled backup ran");
    assert_eq!(job.status, "succeeded", "{:?}", job.last_error);
    let file = job.result.as_ref().unwrap()["file"].as_str().unwrap().to_owned();
    assert!(
        file.starts_with(dir.to_str().unwrap()) && file.ends_with(".dump"),
        "{file}"
    );
    assert!(job.result.as_ref().unwrap()["bytes"].as_u64().unwrap() > 1000);
    assert!(std::path::Path::new(&file).is_file());
    let _ = std::fs::remove_dir_all(&dir);
}
