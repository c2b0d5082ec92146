//! Webhooks: endpoints (admins only, checked URLs, a secret shown once), events written with
//! their change and dispatched once, signed deliveries in order per record, retries with
//! backoff for 3 days then the endpoint turned off, the address checked when connecting, and a
//! delivery that survives a worker's death — with the clock passed in.

use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use rapport::accounts::dto::Role;
use rapport::webhooks::{self, service};
use reqwest::Method;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestApp;

/// Whole seconds (the database keeps microseconds).
fn seconds(d: chrono::Duration) -> i64 {
    (d.num_milliseconds() as f64 / 1000.0).round() as i64
}

/// Dispatches until every history entry written so far is handled; how many deliveries that
/// wrote. (Entries of a transaction become readable once every older transaction in the
/// cluster has ended: the tests running alongside may hold them back for a moment.)
async fn dispatch(app: &TestApp, now: DateTime<Utc>) -> usize {
    let mut conn = app.pool.get().await.unwrap();
    let mut written = 0;
    for _ in 0..400 {
        written += service::dispatch(&mut conn, now).await.unwrap();
        let left = app
            .scalar(
                "SELECT count(*) AS n FROM activity a, outbox_cursors c WHERE c.name = 'webhooks' \
                 AND a.txid IS NOT NULL AND (a.txid, a.id) > (c.txid, c.last_id)",
            )
            .await;
        if left == 0 {
            return written;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the outbox was not drained within 10 s");
}

/// Runs due deliveries until none is due at `now`; how many ran.
async fn deliver_all(app: &TestApp, now: DateTime<Utc>) -> usize {
    let mut n = 0;
    loop {
        let claimed = webhooks::deliver_due(&app.state, "test-worker", now).await.unwrap();
        if claimed == 0 {
            break;
        }
        n += claimed;
        assert!(n < 1000, "deliveries never ran out");
    }
    n
}

async fn receiver(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(status).set_body_string("thanks"))
        .mount(&server)
        .await;
    server
}

async fn create_hook(app: &TestApp, url: &str, events: &[&str]) -> (String, String) {
    let res = app
        .post("/api/v1/webhooks", &json!({"url": url, "events": events}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    (
        res.body["id"].as_str().unwrap().to_owned(),
        res.body["secret"].as_str().unwrap().to_owned(),
    )
}

/// Checks a delivery's signature as a receiver would (Standard Webhooks), independently of the
/// server's code; returns the body.
fn verified(req: &wiremock::Request, secret: &str) -> Value {
    let header = |n: &str| req.headers.get(n).unwrap().to_str().unwrap().to_owned();
    let (id, ts, sig) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    );
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
    let mut signed = format!("{id}.{ts}.").into_bytes();
    signed.extend_from_slice(&req.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(ring::hmac::sign(&key, &signed).as_ref());
    assert_eq!(sig, format!("v1,{expected}"), "the signature does not verify");
    assert_eq!(header("content-type"), "application/json");
    let body: Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(body["id"], id.as_str(), "webhook-id is the event id");
    body
}

#[actix_web::test]
async fn webhooks_are_for_admins_with_checked_urls_and_a_secret_shown_once() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/api/v1/webhooks",
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["contact.created", "deal.won"], "description": " Sync "}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_owned();
    assert!(res.body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(res.body["description"], "Sync");
    assert_eq!(res.header("location").unwrap(), format!("/api/v1/webhooks/{id}"));
    // Never shown again, and not stored readable.
    let got = app.get(&format!("/api/v1/webhooks/{id}")).await;
    assert_eq!(got.status, 200);
    assert!(got.body.get("secret").is_none(), "{}", got.text);
    let secret = res.body["secret"].as_str().unwrap();
    let stored = app
        .scalar(&format!(
            "SELECT count(*) AS n FROM webhooks WHERE position(convert_to('{secret}', 'UTF8') IN secret) > 0"
        ))
        .await;
    assert_eq!(stored, 0, "the secret is stored sealed");
    assert_eq!(
        app.get("/api/v1/webhooks").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A member may not see or change webhooks.
    let (_, member) = app.member("member@example.com", Role::Member).await;
    let listed = app.request_as(&member, Method::GET, "/api/v1/webhooks", |r| r).await;
    listed.problem(403, "forbidden");
    let made = app
        .request_as(&member, Method::POST, "/api/v1/webhooks", |r| {
            r.json(&json!({"url": "https://hooks.example.com/x", "events": ["contact.created"]}))
        })
        .await;
    made.problem(403, "forbidden");

    // Bad events: none, the same twice, the test event, an unknown one.
    for (events, field) in [
        (json!([]), "events"),
        (json!(["contact.created", "contact.created"]), "events[1]"),
        (json!(["webhook.test"]), "events[0]"),
    ] {
        let res = app
            .post(
                "/api/v1/webhooks",
                &json!({"url": "https://hooks.example.com/x", "events": events}),
            )
            .await;
        res.problem(422, "validation_failed");
        assert!(res.error_fields().contains(&field.to_owned()), "{}", res.text);
    }
    let res = app
        .post(
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.com/x", "events": ["contact.eaten"]}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(
        app.get("/api/v1/webhooks").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Turned off and on: the version moves, If-Match is honoured.
    let off = app
        .request(Method::PATCH, &format!("/api/v1/webhooks/{id}"), |r| {
            r.header("If-Match", "\"1\"").json(&json!({"enabled": false}))
        })
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(
        (off.body["enabled"].as_bool(), off.body["version"].as_i64()),
        (Some(false), Some(2))
    );
    let stale = app
        .request(Method::PATCH, &format!("/api/v1/webhooks/{id}"), |r| {
            r.header("If-Match", "\"1\"").json(&json!({"enabled": true}))
        })
        .await;
    stale.problem(412, "version_conflict");
    // A new secret replaces the old one.
    let rotated = app
        .post(&format!("/api/v1/webhooks/{id}/rotate-secret"), &json!({}))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_ne!(rotated.body["secret"], secret);

    let gone = app.delete(&format!("/api/v1/webhooks/{id}")).await;
    assert_eq!(gone.status, 204);
    app.get(&format!("/api/v1/webhooks/{id}"))
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn only_public_https_addresses_unless_private_ones_are_allowed() {
    let app = TestApp::spawn_configured(|c| c.outbound.allow_private = false).await;
    for url in [
        "http://hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/x",
        "https://0.0.0.0/x",
        "https://[::1]/x",
        "https://[fd00::1]/x",
        "https://[fe80::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://localhost/x",
        "https://user:pw@hooks.example.com/x",
        "hooks.example.com",
    ] {
        let res = app
            .post("/api/v1/webhooks", &json!({"url": url, "events": ["contact.created"]}))
            .await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec!["url".to_owned()], "{url}: {}", res.text);
    }
    assert_eq!(app.scalar("SELECT count(*) AS n FROM webhooks").await, 0);

    // A name that resolves to a loopback address when connecting is refused then, whatever it
    // resolved to when saved (here: a row written past the save-time check).
    let receiver = receiver(200).await;
    let port = receiver.address().port();
    let (id, _) = {
        let res = app
            .post(
                "/api/v1/webhooks",
                &json!({"url": "https://hooks.example.com/x", "events": ["contact.created"]}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        (res.body["id"].as_str().unwrap().to_owned(), ())
    };
    app.execute(&format!(
        "UPDATE webhooks SET url = 'https://localhost:{port}/hook' WHERE id = '{id}'"
    ))
    .await;
    let test = app.post(&format!("/api/v1/webhooks/{id}/test"), &json!({})).await;
    assert_eq!(test.status, 200, "{}", test.text);
    assert_eq!(test.body["status"], "failed");
    let error = test.body["error"].as_str().unwrap();
    assert!(error.contains("not public"), "{error}");
    assert!(receiver.received_requests().await.unwrap().is_empty());
}

#[actix_web::test]
async fn events_are_dispatched_once_signed_and_in_order() {
    let app = TestApp::spawn().await;
    let receiver = receiver(200).await;
    let (hook, secret) = create_hook(
        &app,
        &format!("{}/hook", receiver.uri()),
        &["contact.created", "contact.updated", "deal.stage_changed"],
    )
    .await;
    // Another workspace's events never reach it; nor do events it did not ask for.
    let contact = app
        .contact(json!({"first_name": "Grace", "last_name": "Hopper", "emails": ["grace@navy.mil"]}))
        .await;
    let id = contact["id"].as_str().unwrap();
    let updated = app
        .patch(&format!("/api/v1/contacts/{id}"), &json!({"lifecycle": "client"}))
        .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    // A write that fails writes no event.
    let stale = app
        .request(Method::PATCH, &format!("/api/v1/contacts/{id}"), |r| {
            r.header("If-Match", "\"1\"").json(&json!({"lifecycle": "lead"}))
        })
        .await;
    stale.problem(412, "version_conflict");
    app.post(
        "/api/v1/reminders",
        &json!({"contact_id": id, "title": "Call", "due_at": "2030-01-01T09:00:00Z"}),
    )
    .await;

    let now = Utc::now();
    assert_eq!(dispatch(&app, now).await, 2, "created and updated, nothing else");
    assert_eq!(dispatch(&app, now).await, 0, "each event is dispatched once");
    assert_eq!(deliver_all(&app, now).await, 2);
    assert_eq!(deliver_all(&app, now).await, 0);

    let received = receiver.received_requests().await.unwrap();
    assert_eq!(received.len(), 2);
    let first = verified(&received[0], &secret);
    let second = verified(&received[1], &secret);
    assert_eq!(first["type"], "contact.created");
    assert_eq!(second["type"], "contact.updated");
    assert_eq!(first["workspace_id"], rapport::db::DEFAULT_WORKSPACE_ID.to_string());
    assert_eq!(first["actor"]["name"], "Olive Owner (API token “tests”)");
    assert_eq!(first["data"]["kind"], "contact");
    assert_eq!(first["data"]["id"], id);
    assert_eq!(first["data"]["object"]["display_name"], "Grace Hopper");
    assert_eq!(second["data"]["changed_fields"], json!(["lifecycle"]));
    assert!(received[0].headers.get("webhook-timestamp").is_some());

    // The log shows both, delivered at the first attempt, with the body sent.
    let log = app.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
    assert_eq!(log.status, 200, "{}", log.text);
    let items = log.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(item["status"], "delivered");
        assert_eq!(item["attempts"], 1);
        assert_eq!(item["response_status"], 200);
        assert_eq!(item["response_excerpt"], "thanks");
        assert!(item["duration_ms"].as_i64().is_some());
    }
    assert_eq!(items[0]["payload"]["type"], "contact.updated", "newest first");
    let delivered = app
        .get(&format!("/api/v1/webhooks/{hook}/deliveries?status=delivered&limit=1"))
        .await;
    assert_eq!(delivered.body["items"].as_array().unwrap().len(), 1);
    let next = delivered.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(&format!(
            "/api/v1/webhooks/{hook}/deliveries?status=delivered&limit=1&cursor={next}"
        ))
        .await;
    assert_eq!(page2.body["items"][0]["payload"]["type"], "contact.created");
    app.get(&format!("/api/v1/webhooks/{hook}/deliveries?status=lost"))
        .await
        .problem(422, "validation_failed");
    app.get(&format!("/api/v1/webhooks/{hook}/deliveries?status="))
        .await
        .problem(422, "validation_failed");

    // Redelivered by hand: the same body and webhook-id once more.
    let again = app
        .post(
            &format!(
                "/api/v1/webhook-deliveries/{}/redeliver",
                items[1]["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(again.status, 202, "{}", again.text);
    assert_eq!(again.body["status"], "pending");
    let twice = app
        .post(
            &format!(
                "/api/v1/webhook-deliveries/{}/redeliver",
                items[1]["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    twice.problem(409, "delivery_pending");
    assert_eq!(deliver_all(&app, Utc::now()).await, 1);
    let received = receiver.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    assert_eq!(received[2].body, received[0].body);
    assert_eq!(
        received[2].headers.get("webhook-id"),
        received[0].headers.get("webhook-id")
    );
}

#[actix_web::test]
async fn a_failing_endpoint_is_retried_with_backoff_then_turned_off_after_three_days() {
    let app = TestApp::spawn().await;
    let receiver = receiver(500).await;
    let (hook, _) = create_hook(&app, &format!("{}/hook", receiver.uri()), &["contact.created"]).await;
    app.contact(json!({"first_name": "Ada"})).await;
    app.contact(json!({"first_name": "Alan"})).await;
    let t0 = Utc::now();
    assert_eq!(dispatch(&app, t0).await, 2);
    assert_eq!(deliver_all(&app, t0).await, 2);
    let log = app.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
    for item in log.body["items"].as_array().unwrap() {
        assert_eq!(item["status"], "pending");
        assert_eq!(item["response_status"], 500);
        assert_eq!(item["error"], "answered 500, not 2xx");
        let next: DateTime<Utc> = item["next_attempt_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(seconds(next - t0), 10, "the first retry comes 10 s later");
    }
    // Not before its time; then 1 minute after the second failure.
    assert_eq!(deliver_all(&app, t0 + chrono::Duration::seconds(5)).await, 0);
    let t1 = t0 + chrono::Duration::seconds(11);
    assert_eq!(deliver_all(&app, t1).await, 2);
    let log = app.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
    let item = &log.body["items"][0];
    assert_eq!(item["attempts"], 2);
    let next: DateTime<Utc> = item["next_attempt_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(seconds(next - t1), 60);

    // Three days on, the last attempt fails: the deliveries fail and the webhook is turned off,
    // with the reason and an entry in the workspace's history.
    let late = t0 + chrono::Duration::days(3) + chrono::Duration::minutes(1);
    assert_eq!(deliver_all(&app, late).await, 2);
    let got = app.get(&format!("/api/v1/webhooks/{hook}")).await;
    assert_eq!(got.body["enabled"], false);
    assert_eq!(got.body["disabled_reason"], "its deliveries failed for 3 days");
    let log = app.get(&format!("/api/v1/webhooks/{hook}/deliveries")).await;
    for item in log.body["items"].as_array().unwrap() {
        assert_eq!(item["status"], "failed");
        assert!(item["next_attempt_at"].is_null());
    }
    let history = app.get("/api/v1/activity?entity=webhook").await;
    assert_eq!(history.body["items"][0]["action"], "disabled", "{}", history.text);
    // No more events go to it; turned on again, they do.
    app.contact(json!({"first_name": "Edsger"})).await;
    assert_eq!(dispatch(&app, late).await, 0);
    let on = app
        .patch(&format!("/api/v1/webhooks/{hook}"), &json!({"enabled": true}))
        .await;
    assert_eq!(on.status, 200, "{}", on.text);
    assert!(on.body["disabled_reason"].is_null());
    app.contact(json!({"first_name": "Barbara"})).await;
    assert_eq!(dispatch(&app, late).await, 1);
}

#[actix_web::test]
async fn deliveries_about_one_record_wait_for_the_earlier_ones() {
    let app = TestApp::spawn().await;
    let receiver = MockServer::start().await;
    // The first request fails, every later one succeeds.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .with_priority(2)
        .mount(&receiver)
        .await;
    let (_, secret) = create_hook(
        &app,
        &format!("{}/hook", receiver.uri()),
        &["contact.created", "contact.updated"],
    )
    .await;
    let contact = app.contact(json!({"first_name": "Ada"})).await;
    let id = contact["id"].as_str().unwrap();
    app.patch(&format!("/api/v1/contacts/{id}"), &json!({"job_title": "Analyst"}))
        .await;
    let t0 = Utc::now();
    assert_eq!(dispatch(&app, t0).await, 2);
    // The creation fails; the update waits for it instead of overtaking it.
    assert_eq!(deliver_all(&app, t0).await, 2);
    assert_eq!(receiver.received_requests().await.unwrap().len(), 1);
    assert_eq!(deliver_all(&app, t0 + chrono::Duration::seconds(12)).await, 2);
    let received = receiver.received_requests().await.unwrap();
    let types: Vec<String> = received
        .iter()
        .map(|r| verified(r, &secret)["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(types, ["contact.created", "contact.created", "contact.updated"]);
}

#[actix_web::test]
async fn a_slow_endpoint_times_out_and_a_redirect_is_not_followed() {
    let app = TestApp::spawn().await;
    let slow = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(4)))
        .mount(&slow)
        .await;
    let (hook, _) = create_hook(&app, &format!("{}/hook", slow.uri()), &["contact.created"]).await;
    let test = app.post(&format!("/api/v1/webhooks/{hook}/test"), &json!({})).await;
    assert_eq!(test.status, 200, "{}", test.text);
    assert_eq!(test.body["status"], "failed");
    assert_eq!(test.body["error"], "timed out after 2 s");
    assert_eq!(test.body["payload"]["type"], "webhook.test");

    let inside = receiver(200).await;
    let redirecting = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", format!("{}/hook", inside.uri()).as_str()))
        .mount(&redirecting)
        .await;
    let (hook, _) = create_hook(&app, &format!("{}/hook", redirecting.uri()), &["contact.created"]).await;
    let test = app.post(&format!("/api/v1/webhooks/{hook}/test"), &json!({})).await;
    assert_eq!(test.body["status"], "failed");
    assert_eq!(test.body["response_status"], 307);
    assert!(
        inside.received_requests().await.unwrap().is_empty(),
        "the redirect was followed"
    );

    // A closed port: the connection error is shown.
    let (hook, _) = create_hook(&app, "http://127.0.0.1:9/hook", &["contact.created"]).await;
    let test = app.post(&format!("/api/v1/webhooks/{hook}/test"), &json!({})).await;
    assert!(
        test.body["error"].as_str().unwrap().starts_with("could not connect"),
        "{}",
        test.text
    );
}

#[actix_web::test]
async fn a_delivery_survives_a_worker_that_dies_and_a_server_that_restarts() {
    let app = TestApp::spawn().await;
    let receiver = receiver(200).await;
    create_hook(&app, &format!("{}/hook", receiver.uri()), &["contact.created"]).await;
    app.contact(json!({"first_name": "Ada"})).await;
    // The change is committed with its history entry; the server stops before dispatching. A
    // new server process (a new state on the same database) dispatches it.
    let restarted = rapport::state::AppState::new(app.pool.clone(), app.state.config.as_ref().clone());
    let t0 = Utc::now();
    assert_eq!(dispatch(&app, t0).await, 1);
    // A worker claims the delivery and dies before sending it.
    {
        let mut conn = app.pool.get().await.unwrap();
        let claimed = rapport::jobs::store::claim(
            &mut conn,
            &[service::JOB_KIND],
            "dead-worker",
            t0,
            Duration::from_secs(300),
        )
        .await
        .unwrap();
        assert!(claimed.is_some());
    }
    // Nobody else takes it while its lease runs; once it lapses, another worker sends it.
    let in_lease = webhooks::deliver_due(&restarted, "w2", t0 + chrono::Duration::seconds(60)).await;
    assert_eq!(in_lease.unwrap(), 0);
    let lapsed = webhooks::deliver_due(&restarted, "w2", t0 + chrono::Duration::seconds(301)).await;
    assert_eq!(lapsed.unwrap(), 1);
    assert_eq!(receiver.received_requests().await.unwrap().len(), 1);
}

#[actix_web::test]
async fn the_running_server_delivers_on_its_own() {
    let app = TestApp::spawn().await;
    let receiver = receiver(200).await;
    let (_, secret) = create_hook(
        &app,
        &format!("{}/hook", receiver.uri()),
        &["deal.stage_changed", "contact.created"],
    )
    .await;
    webhooks::spawn(app.state.clone());
    app.contact(json!({"first_name": "Live"})).await;
    let mut received = Vec::new();
    for _ in 0..100 {
        received = receiver.received_requests().await.unwrap();
        if !received.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(received.len(), 1, "nothing arrived within 10 s");
    assert_eq!(verified(&received[0], &secret)["type"], "contact.created");
}

#[actix_web::test]
async fn a_reminder_is_announced_once_when_its_time_comes_and_again_after_a_snooze() {
    let app = TestApp::spawn().await;
    let receiver = receiver(200).await;
    let (_, secret) = create_hook(&app, &format!("{}/hook", receiver.uri()), &["reminder.due"]).await;
    let contact = app
        .contact(json!({"first_name": "Rita", "last_name": "Reminded"}))
        .await;
    let now = Utc::now();
    let at = now + chrono::Duration::hours(2);
    let reminder = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": contact["id"], "title": "Send the quote", "due_at": at.to_rfc3339()}),
        )
        .await;
    assert_eq!(reminder.status, 201, "{}", reminder.text);
    let id = reminder.body["id"].as_str().unwrap().to_owned();
    let announce = |t: DateTime<Utc>| {
        let pool = app.pool.clone();
        async move {
            let mut conn = pool.get().await.unwrap();
            rapport::reminders::service::announce_due(&mut conn, t).await.unwrap()
        }
    };
    // Not before its time; once at it, and not twice.
    assert_eq!(announce(now + chrono::Duration::hours(1)).await, 0);
    assert_eq!(announce(at).await, 1);
    assert_eq!(announce(at + chrono::Duration::minutes(5)).await, 0);
    dispatch(&app, at).await;
    deliver_all(&app, at).await;
    let got = receiver.received_requests().await.unwrap();
    assert_eq!(got.len(), 1);
    let event = verified(&got[0], &secret);
    assert_eq!(event["type"], "reminder.due");
    assert_eq!(event["data"]["id"], id.as_str());
    assert_eq!(event["data"]["object"]["title"], "Send the quote");
    assert!(event["actor"].is_null(), "the clock, not a person: {event}");
    let history = app
        .get(&format!("/api/v1/contacts/{}/history", contact["id"].as_str().unwrap()))
        .await;
    assert!(
        history.text.contains("Reminder due: Send the quote"),
        "{}",
        history.text
    );

    // Snoozed: announced again at the new time. Completed ones never are.
    let later = at + chrono::Duration::days(1);
    let snoozed = app
        .post(
            &format!("/api/v1/reminders/{id}/snooze"),
            &json!({"until": later.to_rfc3339()}),
        )
        .await;
    assert_eq!(snoozed.status, 200, "{}", snoozed.text);
    assert_eq!(announce(at + chrono::Duration::hours(1)).await, 0);
    assert_eq!(announce(later).await, 1);
    let done = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": contact["id"], "title": "Already done", "due_at": at.to_rfc3339()}),
        )
        .await;
    let done_id = done.body["id"].as_str().unwrap();
    let completed = app
        .post(&format!("/api/v1/reminders/{done_id}/complete"), &json!({}))
        .await;
    assert_eq!(completed.status, 200, "{}", completed.text);
    assert_eq!(announce(later + chrono::Duration::days(1)).await, 0);
}
