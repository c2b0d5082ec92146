//! Several server instances on one database, as behind a load balancer: what one writes the
//! other serves at once (reused answers included), a sign-out through one is refused by the
//! other, a due job runs once whichever instances look for it (and runs on another when the one
//! holding it dies), and identical AI misses through both make one upstream call.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::json;

use crate::ai::{ada, calls, remote, slow_insights_server};
use crate::common::{Resp, TestApp};
use rapport::accounts::dto::Role;
use rapport::jobs::{self, store};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[actix_web::test]
async fn what_one_instance_writes_the_other_serves_at_once() {
    let a = TestApp::spawn().await;
    let b = a.another_instance().await;
    let on_b = |path: &str| {
        let path = path.to_owned();
        let b = &b;
        let client = a.client.clone();
        async move { b.request_as(&client, Method::GET, &path, |r| r).await }
    };
    // B computes (and keeps) its dashboard, follow-up queue and contact list.
    let dashboard: Resp = on_b("/api/v1/dashboard").await;
    assert_eq!(dashboard.status, 200, "{}", dashboard.text);
    let queue = on_b("/api/v1/follow-ups").await;
    assert_eq!(queue.status, 200, "{}", queue.text);
    assert_eq!(on_b("/api/v1/contacts").await.body["items"], json!([]));

    // A write through A…
    let ada = a
        .contact(json!({"first_name": "Ada", "last_name": "Lovelace", "next_follow_up_at": "2020-01-01T00:00:00Z"}))
        .await;
    let id = ada["id"].as_str().unwrap();
    // …is served by B on the very next request, reused answers included.
    let got = on_b(&format!("/api/v1/contacts/{id}")).await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(got.body["display_name"], "Ada Lovelace");
    let list = on_b("/api/v1/contacts").await;
    assert_eq!(list.body["items"][0]["id"], ada["id"], "{}", list.text);
    let queue_after = on_b("/api/v1/follow-ups").await;
    assert!(
        queue_after.text.contains(id),
        "B's follow-up queue must show a contact A just made overdue: {}",
        queue_after.text
    );
    let dashboard_after = on_b("/api/v1/dashboard").await;
    assert_ne!(
        dashboard_after.body, dashboard.body,
        "B's dashboard must not be the one kept from before A's write"
    );

    // An edit through B, read back through A.
    let edited = b
        .request_as(&a.client, Method::PATCH, &format!("/api/v1/contacts/{id}"), |r| {
            r.json(&json!({"job_title": "Analyst"}))
        })
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(
        a.get(&format!("/api/v1/contacts/{id}")).await.body["job_title"],
        "Analyst"
    );
}

#[actix_web::test]
async fn a_sign_out_through_one_instance_is_refused_by_the_other() {
    let a = TestApp::spawn().await;
    let b = a.another_instance().await;
    let (_, member) = a.member("mia@example.com", Role::Member).await;
    // B has seen (and keeps) the session.
    let me = b.request_as(&member, Method::GET, "/api/v1/me", |r| r).await;
    assert_eq!(me.status, 200, "{}", me.text);
    let out = a
        .request_as(&member, Method::POST, "/api/v1/auth/logout", |r| {
            r.header("sec-fetch-site", "same-origin")
        })
        .await;
    assert!(out.status.is_success(), "{}", out.text);
    // The database tells B (LISTEN/NOTIFY); no request waits for a cache to expire.
    let started = Instant::now();
    loop {
        let res = b.request_as(&member, Method::GET, "/api/v1/me", |r| r).await;
        if res.status == 401 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "B still accepts a session ended through A: {}",
            res.text
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[actix_web::test]
async fn a_due_job_runs_once_whichever_instances_look_for_it() {
    let a = TestApp::spawn().await;
    let b = a.another_instance().await;
    let now = at("2026-12-05T04:00:00Z");
    // Both instances' housekeeping queues the day's trash purge: one job.
    let (qa, qb) = tokio::join!(
        jobs::schedule_trash_purge(&a.state, now),
        jobs::schedule_trash_purge(&b.state, now)
    );
    assert_eq!(
        [qa.unwrap(), qb.unwrap()].iter().filter(|q| **q).count(),
        1,
        "one of the two queues it"
    );
    // Both workers look for due work at the same moment: one runs it, the other finds none.
    let (ra, rb) = tokio::join!(jobs::work_once(&a.state, "a", now), jobs::work_once(&b.state, "b", now));
    assert_eq!([ra.unwrap(), rb.unwrap()].iter().filter(|r| **r).count(), 1);
    assert_eq!(
        a.scalar("SELECT count(*) FROM jobs WHERE kind = 'trash_purge' AND status = 'succeeded' AND attempts = 1")
            .await,
        1
    );

    // An instance that dies holding a job: its lease lapses and another instance runs it.
    let next = now + chrono::Duration::days(1);
    assert!(jobs::schedule_trash_purge(&a.state, next).await.unwrap());
    let mut conn = a.pool.get().await.unwrap();
    let held = store::claim(&mut conn, &[jobs::TRASH_PURGE], "dead", next, Duration::from_secs(60))
        .await
        .unwrap()
        .expect("the dead instance's claim");
    drop(conn);
    assert!(!jobs::work_once(&b.state, "b", next).await.unwrap(), "held: not yet");
    assert!(
        jobs::work_once(&b.state, "b", next + chrono::Duration::minutes(2))
            .await
            .unwrap()
    );
    let mut conn = a.pool.get().await.unwrap();
    let row = store::find_system(&mut conn, held.id).await.unwrap().unwrap();
    assert_eq!(row.status, "succeeded");
    assert_eq!(row.locked_by.as_deref(), Some("b"), "{row:?}");
}

#[actix_web::test]
async fn identical_ai_misses_through_both_instances_make_one_upstream_call() {
    let server = slow_insights_server().await;
    let a = TestApp::spawn_with_llm(remote(&server, Duration::from_secs(5))).await;
    let b = a.another_instance().await;
    let id = ada(&a).await;
    let path = format!("/api/v1/contacts/{id}/insights");
    let empty = json!({});
    let through_a = (0..4).map(|_| a.post(&path, &empty));
    let through_b = (0..4).map(|_| b.request_as(&a.client, Method::POST, &path, |r| r.json(&empty)));
    let (answers_a, answers_b) = tokio::join!(
        futures_util::future::join_all(through_a),
        futures_util::future::join_all(through_b)
    );
    let answers: Vec<&Resp> = answers_a.iter().chain(answers_b.iter()).collect();
    assert!(
        answers.iter().all(|r| r.status == 200),
        "{:?}",
        answers.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    assert_eq!(
        calls(&server).await,
        1,
        "one upstream call for eight identical requests on two instances"
    );
    assert_eq!(
        answers.iter().filter(|r| r.body["source"]["cached"] == false).count(),
        1
    );
    let summaries: Vec<&serde_json::Value> = answers.iter().map(|r| &r.body["insights"]["summary"]).collect();
    assert!(summaries.iter().all(|s| *s == summaries[0]), "{summaries:?}");
}
