//! Live updates: the event stream sends a workspace's changes as they commit, to that
//! workspace only; a client that reconnects with Last-Event-ID gets exactly what it missed; bad
//! requests are refused; a client that never reads holds up no one else.

use std::time::Duration;

use rapport::accounts::dto::{Role, TokenScope};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{TestApp, add_token, add_user, client_with_token};

/// An open stream and what has been read of it.
struct Sse {
    res: reqwest::Response,
    buf: String,
}

impl Sse {
    async fn open(app: &TestApp, client: &reqwest::Client, last: Option<&str>) -> Sse {
        let mut req = client
            .get(format!("{}/api/v1/events/stream", app.base))
            .header("Accept", "text/event-stream");
        if let Some(id) = last {
            req = req.header("Last-Event-ID", id);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        let mut sse = Sse {
            res,
            buf: String::new(),
        };
        let first = sse.frame().await.expect("the stream opens with a comment");
        assert!(first.contains(": connected"), "{first}");
        sse
    }

    /// The next frame (up to the blank line), or `None` when the stream ended or 10 s passed.
    async fn frame(&mut self) -> Option<String> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let frame = self.buf[..end].to_owned();
                self.buf.drain(..end + 2);
                return Some(frame);
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk()).await.ok()?.ok()??;
            self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next event (skipping comments), with its `id:` line checked against its data.
    async fn event(&mut self) -> Option<Value> {
        loop {
            let frame = self.frame().await?;
            let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data: ")) else {
                continue;
            };
            let event: Value = serde_json::from_str(data).unwrap();
            let id = frame.lines().find_map(|l| l.strip_prefix("id: ")).unwrap();
            assert_eq!(event["id"], id);
            return Some(event);
        }
    }

    /// The next event about this entity.
    async fn event_about(&mut self, id: &str) -> Value {
        loop {
            let e = self
                .event()
                .await
                .unwrap_or_else(|| panic!("no event about {id} within 10 s"));
            if e["entity_id"] == id {
                return e;
            }
        }
    }
}

#[actix_web::test]
async fn changes_reach_open_streams_of_their_workspace_only() {
    let app = TestApp::spawn().await;
    let mut mine = Sse::open(&app, &app.client, None).await;
    // Another workspace, with its own stream and changes.
    let other_ws = Uuid::now_v7();
    {
        let mut conn = app.pool.get().await.unwrap();
        let ws = rapport::db::WorkspaceId::checked(other_ws);
        rapport::accounts::store::insert_workspace(&mut conn, ws, "Elsewhere", chrono::Utc::now())
            .await
            .unwrap();
        rapport::accounts::store::seed_workspace(&mut conn, ws).await.unwrap();
    }
    let other_owner = add_user(&app.pool, "other@example.com", "Otto Other", other_ws, Role::Owner).await;
    let other = client_with_token(&add_token(&app.pool, other_owner, other_ws, TokenScope::Write).await);
    let mut theirs = Sse::open(&app, &other, None).await;

    let secret = app
        .request_as(&other, Method::POST, "/api/v1/contacts", |r| {
            r.json(&json!({"first_name": "Secret", "last_name": "Elsewhere"}))
        })
        .await;
    assert_eq!(secret.status, 201);
    let ada = app.contact(json!({"first_name": "Ada", "last_name": "Lovelace"})).await;
    let ada_id = ada["id"].as_str().unwrap();

    let e = mine.event().await.expect("the change arrives");
    assert_eq!(
        e["entity_id"], ada_id,
        "the other workspace's change never arrives here: {e}"
    );
    assert_eq!(e["type"], "contact.created");
    assert_eq!(
        (e["entity"].clone(), e["action"].clone()),
        (json!("contact"), json!("created"))
    );
    assert_eq!(e["actor"]["id"], app.owner.to_string());
    assert_eq!(e["contact_id"], ada_id);
    assert!(e["summary"].as_str().unwrap().contains("Ada Lovelace"), "{e}");

    let e = theirs.event().await.unwrap();
    assert_eq!(e["entity_id"], secret.body["id"], "{e}");

    // An update names its fields; a deal's stage change is its own type.
    let patched = app
        .patch(
            &format!("/api/v1/contacts/{ada_id}"),
            &json!({"job_title": "Analyst", "version": 1}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let e = mine.event_about(ada_id).await;
    assert_eq!(e["type"], "contact.updated");
    assert_eq!(e["changed_fields"], json!(["job_title"]));
    // Nothing of the other workspace arrived in the meantime.
    assert!(!mine.buf.contains("Secret"));
}

#[actix_web::test]
async fn a_client_that_reconnects_gets_exactly_what_it_missed() {
    let app = TestApp::spawn().await;
    let mut sse = Sse::open(&app, &app.client, None).await;
    let first = app.contact(json!({"first_name": "First"})).await;
    let seen = sse.event_about(first["id"].as_str().unwrap()).await;
    drop(sse);

    let mut missed = Vec::new();
    for name in ["Second", "Third", "Fourth"] {
        missed.push(app.contact(json!({"first_name": name})).await["id"].clone());
    }
    let mut again = Sse::open(&app, &app.client, Some(seen["id"].as_str().unwrap())).await;
    let mut got = Vec::new();
    while got.len() < 3 {
        let e = again.event().await.expect("the missed events are replayed");
        assert_ne!(e["id"], seen["id"], "what was seen is not sent again");
        got.push(e["entity_id"].clone());
    }
    assert_eq!(got, missed, "in order, each once");
    // And live ones follow.
    let fifth = app.contact(json!({"first_name": "Fifth"})).await;
    assert_eq!(again.event().await.unwrap()["entity_id"], fifth["id"]);
}

#[actix_web::test]
async fn bad_stream_requests_are_refused() {
    let app = TestApp::spawn().await;
    let url = "/api/v1/events/stream";
    app.request(Method::GET, url, |r| r.header("Accept", "application/json"))
        .await
        .problem(406, "not_acceptable");
    for bad in ["12", "abc.def", "-1.0193a6c2e1b87c40a5b1d2e3f4a5b6c7", "5.not-a-uuid"] {
        let res = app
            .request(Method::GET, url, |r| {
                r.header("Accept", "text/event-stream").header("Last-Event-ID", bad)
            })
            .await;
        assert_eq!(res.status, 422, "{bad}: {}", res.text);
    }
    let anonymous = app
        .request_as(&app.anonymous(), Method::GET, url, |r| {
            r.header("Accept", "text/event-stream")
        })
        .await;
    assert_eq!(anonymous.status, 401);
}

#[actix_web::test]
async fn a_client_that_never_reads_holds_up_no_one() {
    let app = TestApp::spawn().await;
    // Opened, then never read while far more events than a stream may fall behind happen.
    let mut idle = Sse::open(&app, &app.client, None).await;
    app.execute(&format!(
        "INSERT INTO activity (id, workspace_id, entity, entity_id, action, summary, fields, occurred_at) \
         SELECT gen_random_uuid(), '{}', 'contact', gen_random_uuid(), 'updated', 'Edited ' || n, '{{}}', now() \
         FROM generate_series(1, 3000) n",
        rapport::db::DEFAULT_WORKSPACE_ID
    ))
    .await;
    let mut other = Sse::open(&app, &app.client, None).await;
    let ada = app.contact(json!({"first_name": "Ada"})).await;
    other.event_about(ada["id"].as_str().unwrap()).await;
    assert_eq!(app.get("/api/v1/contacts").await.status, 200);

    // The idle stream: whatever it got is in order and never twice; once it fell too far
    // behind it ends, and its client reconnects with the last id it got.
    let mut last = String::new();
    let mut n = 0;
    let mut ended_behind = false;
    while let Some(frame) = idle.frame().await {
        if frame.contains(": behind") {
            ended_behind = true;
            break;
        }
        if let Some(id) = frame.lines().find_map(|l| l.strip_prefix("id: ")) {
            let key = |s: &str| {
                let (t, u) = s.split_once('.').unwrap();
                (t.parse::<i64>().unwrap(), u.to_owned())
            };
            assert!(last.is_empty() || key(id) > key(&last), "{id} after {last}");
            last = id.to_owned();
            n += 1;
        }
        if n == 3001 {
            break;
        }
    }
    assert!(
        ended_behind || n == 3001,
        "the idle stream either kept up fully or was cut off ({n} events)"
    );
}

#[actix_web::test]
async fn a_user_holds_at_most_twenty_streams_and_a_closed_one_frees_its_place() {
    let app = TestApp::spawn().await;
    let mut open = Vec::new();
    for _ in 0..rapport::events::MAX_STREAMS_PER_USER {
        open.push(Sse::open(&app, &app.client, None).await);
    }
    let refused = app
        .request(Method::GET, "/api/v1/events/stream", |r| {
            r.header("Accept", "text/event-stream")
        })
        .await;
    let problem = refused.problem(429, "too_many_streams");
    assert!(
        problem["detail"].as_str().unwrap().contains("20 live update streams"),
        "{problem}"
    );
    assert!(refused.headers.get("retry-after").is_some());

    // Someone else in the workspace is not held up by it.
    let colleague = add_user(
        &app.pool,
        "colleague@example.com",
        "Col League",
        rapport::db::DEFAULT_WORKSPACE_ID,
        Role::Member,
    )
    .await;
    let theirs = client_with_token(
        &add_token(
            &app.pool,
            colleague,
            rapport::db::DEFAULT_WORKSPACE_ID,
            TokenScope::Write,
        )
        .await,
    );
    let _their_stream = Sse::open(&app, &theirs, None).await;

    // A stream that ends gives its place back.
    drop(open.pop());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let res = app
            .client
            .get(format!("{}/api/v1/events/stream", app.base))
            .header("Accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        if res.status() == 200 {
            break;
        }
        assert_eq!(res.status(), 429);
        assert!(
            tokio::time::Instant::now() < deadline,
            "the closed stream's place never came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
