//! Email sequences against a real SMTP server: steps sent inside the sending window in each
//! contact's time zone (the clock passed in), weekends skipped, a reply stopping the sequence,
//! the A/B subject, the unsubscribe link (forged and expired ones refused), enrollment by id and
//! by saved view, the daily limit, and bad input that changes nothing.

use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::smtpd::Smtpd;

/// Monday 4 January 2027, at this UTC hour.
fn monday(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 4, hour, 0, 0).unwrap()
}

async fn run(app: &TestApp, now: DateTime<Utc>) -> usize {
    let mut conn = app.pool.get().await.unwrap();
    rapport::sequences::service::run_due(&mut conn, "http://localhost:8080", now)
        .await
        .unwrap()
}

async fn deliver(app: &TestApp, now: DateTime<Utc>) {
    while rapport::mail::send_once(&app.state, "test-mailer", now).await.unwrap() {}
}

async fn mail_server(app: &TestApp, port: u16, daily_limit: u32) {
    let res = app
        .request(Method::PUT, "/api/v1/mail-settings", |r| {
            r.json(&json!({"host": "127.0.0.1", "port": port, "security": "none",
                           "from_address": "ada@studio.example", "daily_limit": daily_limit}))
        })
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

async fn template(app: &TestApp, name: &str, subject: &str) -> String {
    let res = app
        .post(
            "/api/v1/templates",
            &json!({"name": name, "scenario": "follow_up", "subject": subject,
                    "body": "Hi {{contact.first_name}},\n\nShall we talk?\n\nAda"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().to_owned()
}

async fn sequence(app: &TestApp, body: Value) -> Value {
    let res = app.post("/api/v1/sequences", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn enroll(app: &TestApp, seq: &str, body: Value) -> Value {
    let res = app.post(&format!("/api/v1/sequences/{seq}/enrollments"), &body).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

async fn enrollment(app: &TestApp, seq: &str, contact: &str) -> Value {
    let page = app
        .get(&format!("/api/v1/sequences/{seq}/enrollments?contact_id={contact}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    page.body["items"][0].clone()
}

#[actix_web::test]
async fn steps_go_out_in_each_contacts_window_and_a_reply_stops_the_sequence() {
    let smtp = Smtpd::start(&[]);
    let app = TestApp::spawn().await;
    mail_server(&app, smtp.port, 500).await;
    let intro = template(&app, "Intro", "Hello {{contact.first_name}}").await;
    let again = template(&app, "Follow-up", "Following up").await;
    let seq = sequence(
        &app,
        json!({"name": "New leads", "steps": [
            {"template_id": intro, "delay_days": 0},
            {"template_id": again, "delay_days": 3, "subject_b": "Still keen, {{contact.first_name}}?"}
        ]}),
    )
    .await;
    let seq_id = id(&seq);
    assert_eq!(
        (seq["window_start"].as_i64(), seq["window_end"].as_i64()),
        (Some(9), Some(17))
    );
    // Nora is in New York; Lars has no time zone, so the workspace's (UTC) applies.
    let nora = app
        .contact(json!({"first_name": "Nora", "emails": ["nora@ny.example"], "time_zone": "America/New_York"}))
        .await;
    assert_eq!(nora["time_zone"], "America/New_York");
    let lars = app
        .contact(json!({"first_name": "Lars", "emails": ["lars@utc.example"]}))
        .await;
    let result = enroll(&app, &seq_id, json!({"contact_ids": [id(&nora), id(&lars)]})).await;
    assert_eq!(result["enrolled"].as_array().unwrap().len(), 2, "{result}");
    // Enrollment happened at the real now; the steps below run on a Monday in 2027.

    // 12:00 UTC: 12:00 for Lars (inside 9–17), 07:00 for Nora (not yet).
    assert_eq!(run(&app, monday(12)).await, 1);
    assert_eq!(enrollment(&app, &seq_id, &id(&lars)).await["next_step"], 1);
    assert_eq!(enrollment(&app, &seq_id, &id(&nora)).await["next_step"], 0);
    assert_eq!(run(&app, monday(13)).await, 0, "Nora's day has not begun");
    // 15:00 UTC is 10:00 in New York.
    assert_eq!(run(&app, monday(15)).await, 1);
    deliver(&app, monday(15)).await;
    let received = smtp.received();
    assert_eq!(received.len(), 2);
    let first = String::from_utf8_lossy(&received[0].raw).into_owned();
    assert!(first.contains("Subject: Hello Lars"), "{first}");
    assert!(
        first.contains("http://localhost:8080/u/"),
        "the unsubscribe link: {first}"
    );
    // Mail apps offer their own one-click unsubscribe (RFC 8058) from these headers.
    let header = first
        .lines()
        .find_map(|l| l.strip_prefix("List-Unsubscribe: <"))
        .unwrap_or_default();
    assert!(
        header.starts_with("http://localhost:8080/u/") && header.ends_with('>'),
        "{first}"
    );
    assert!(
        first.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{first}"
    );
    assert_eq!(received[1].rcpt_tos, ["nora@ny.example"]);

    // Nora replies (logged by hand): her sequence stops.
    let reply = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": id(&nora), "kind": "email", "direction": "inbound", "subject": "Re: Hello"}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let stopped = enrollment(&app, &seq_id, &id(&nora)).await;
    assert_eq!(stopped["status"], "replied");
    assert!(stopped["next_send_at"].is_null());

    // Step 2 is due 3 days after step 1: not on Wednesday, then Thursday at noon for Lars only.
    assert_eq!(run(&app, monday(12) + Duration::days(2)).await, 0);
    assert_eq!(run(&app, monday(12) + Duration::days(3)).await, 1);
    let done = enrollment(&app, &seq_id, &id(&lars)).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["next_step"], 2);

    let seq = app.get(&format!("/api/v1/sequences/{seq_id}")).await.body;
    let stats = &seq["stats"];
    assert_eq!(
        (
            stats["enrolled"].as_i64(),
            stats["replied"].as_i64(),
            stats["completed"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    let step0 = &stats["steps"][0];
    assert_eq!(step0["sent_a"], 2);
    assert_eq!(step0["replied_a"], 1, "Nora replied after step 1");
    let step1 = &stats["steps"][1];
    assert_eq!(step1["sent_a"].as_i64().unwrap() + step1["sent_b"].as_i64().unwrap(), 1);
}

#[actix_web::test]
async fn weekends_wait_and_the_daily_limit_postpones() {
    let smtp = Smtpd::start(&[]);
    let app = TestApp::spawn().await;
    mail_server(&app, smtp.port, 1).await;
    let intro = template(&app, "Intro", "Hello").await;
    let seq_id = id(&sequence(
        &app,
        json!({"name": "Weekdays", "steps": [{"template_id": intro, "delay_days": 0}]}),
    )
    .await);
    let a = app
        .contact(json!({"first_name": "A", "emails": ["a@example.com"]}))
        .await;
    let b = app
        .contact(json!({"first_name": "B", "emails": ["b@example.com"]}))
        .await;
    enroll(&app, &seq_id, json!({"contact_ids": [id(&a), id(&b)]})).await;
    let saturday = monday(12) + Duration::days(5);
    assert_eq!(run(&app, saturday).await, 0, "no email on a Saturday");
    // One email a day: the second waits an hour, saying why.
    assert_eq!(run(&app, monday(12)).await, 1);
    let waiting: Vec<Value> = app
        .get(&format!("/api/v1/sequences/{seq_id}/enrollments?status=active"))
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(waiting.len(), 1);
    // A status outside the enum, an empty one included, is a 422 naming the parameter.
    for bad in ["", "paused-ish"] {
        let res = app.get(&format!("/api/v1/sequence-enrollments?status={bad}")).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), ["status"], "{}", res.text);
    }
    assert!(
        waiting[0]["last_error"].as_str().unwrap().contains("daily limit"),
        "{}",
        waiting[0]
    );
    let next: DateTime<Utc> = waiting[0]["next_send_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(next, monday(13));
}

#[actix_web::test]
async fn the_unsubscribe_link_works_once_and_forged_or_old_links_do_nothing() {
    let smtp = Smtpd::start(&[]);
    let app = TestApp::spawn().await;
    mail_server(&app, smtp.port, 500).await;
    let intro = template(&app, "Intro", "Hello").await;
    let seq_id = id(&sequence(
        &app,
        json!({"name": "Nurture", "weekdays_only": false, "window_start": 0, "window_end": 24,
               "steps": [{"template_id": intro, "delay_days": 0}, {"template_id": intro, "delay_days": 1}]}),
    )
    .await);
    let zoe = app
        .contact(json!({"first_name": "Zoe", "emails": ["zoe@example.com"]}))
        .await;
    enroll(&app, &seq_id, json!({"contact_ids": [id(&zoe)]})).await;
    assert_eq!(run(&app, monday(3)).await, 1);
    let timeline = app.get(&format!("/api/v1/contacts/{}/timeline", id(&zoe))).await;
    let body = timeline.body["items"][0]["body"].as_str().unwrap().to_owned();
    let link = body.split("http://localhost:8080").nth(1).unwrap().trim().to_owned();
    assert!(link.starts_with("/u/"), "{link}");

    // A forged link (another signature) and a link over a year old change nothing.
    let forged = format!("{}x", &link[..link.len() - 1]);
    let res = app.request_as(&app.anonymous(), Method::POST, &forged, |r| r).await;
    assert_eq!(res.status, 404, "{}", res.text);
    let old = {
        let mut conn = app.pool.get().await.unwrap();
        let row = rapport::sequences::store::find(&mut conn, rapport::db::DEFAULT_WORKSPACE, seq_id.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        let enrollment = enrollment(&app, &seq_id, &id(&zoe)).await;
        rapport::sequences::service::unsubscribe_token(
            &row,
            id(&enrollment).parse().unwrap(),
            Utc::now() - Duration::days(400),
        )
    };
    let res = app
        .request_as(&app.anonymous(), Method::POST, &format!("/u/{old}"), |r| r)
        .await;
    assert_eq!(res.status, 410);
    assert!(res.text.contains("over a year old"));
    assert_eq!(enrollment(&app, &seq_id, &id(&zoe)).await["status"], "active");

    // The page asks first (a link scanner's GET unsubscribes nobody); the button does it.
    let page = app.request_as(&app.anonymous(), Method::GET, &link, |r| r).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("zoe@example.com") && page.text.contains("<form method=\"post\">"));
    assert_eq!(enrollment(&app, &seq_id, &id(&zoe)).await["status"], "active");
    // The page's button, and a mail app's one-click POST (a form body, no browser headers).
    for _ in 0..2 {
        let res = app
            .request_as(&app.anonymous(), Method::POST, &link, |r| {
                r.header("content-type", "application/x-www-form-urlencoded")
                    .body("List-Unsubscribe=One-Click")
            })
            .await;
        assert_eq!(res.status, 200);
        assert!(res.text.contains("You are unsubscribed"));
    }
    assert_eq!(enrollment(&app, &seq_id, &id(&zoe)).await["status"], "unsubscribed");
    assert_eq!(
        app.scalar("SELECT count(*) FROM activity WHERE summary LIKE 'Unsubscribed from sequence emails%'")
            .await,
        1,
        "recorded once"
    );
    // Never mailed again: not enrolled, and nothing sent.
    let again = enroll(&app, &seq_id, json!({"contact_ids": [id(&zoe)]})).await;
    assert_eq!(again["skipped"][0]["reason"], "unsubscribed");
    assert_eq!(run(&app, monday(3) + Duration::days(2)).await, 0);
    let stats = app.get(&format!("/api/v1/sequences/{seq_id}")).await.body["stats"].clone();
    assert_eq!(stats["steps"][0]["unsubscribed_a"], 1);
}

#[actix_web::test]
async fn enrolling_by_id_or_saved_view_skips_who_cannot_be_mailed() {
    let app = TestApp::spawn().await;
    let intro = template(&app, "Intro", "Hello").await;
    let seq_id = id(&sequence(
        &app,
        json!({"name": "VIPs", "steps": [{"template_id": intro, "delay_days": 2}]}),
    )
    .await);
    let vip1 = app
        .contact(json!({"first_name": "V1", "emails": ["v1@example.com"], "tags": ["vip"]}))
        .await;
    let vip2 = app
        .contact(json!({"first_name": "V2", "emails": ["v2@example.com"], "tags": ["vip"]}))
        .await;
    let no_email = app.contact(json!({"first_name": "Nomail", "tags": ["vip"]})).await;
    app.contact(json!({"first_name": "Other", "emails": ["o@example.com"]}))
        .await;
    let view = app
        .post(
            "/api/v1/views",
            &json!({"type": "contact", "name": "VIPs", "query": "tag=vip"}),
        )
        .await;
    assert_eq!(view.status, 201, "{}", view.text);
    let result = enroll(&app, &seq_id, json!({"view_id": view.body["id"]})).await;
    let mut enrolled: Vec<&str> = result["enrolled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["contact_name"].as_str().unwrap())
        .collect();
    enrolled.sort();
    assert_eq!(enrolled, ["V1", "V2"]);
    assert_eq!(
        result["skipped"],
        json!([{"contact_id": id(&no_email), "reason": "no_email"}])
    );
    // The first step waits its delay.
    let next: DateTime<Utc> = result["enrolled"][0]["next_send_at"].as_str().unwrap().parse().unwrap();
    assert!(next > Utc::now() + Duration::days(1));
    let again = enroll(&app, &seq_id, json!({"contact_ids": [id(&vip1), uuid::Uuid::now_v7()]})).await;
    let reasons: Vec<&str> = again["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"already_enrolled") && reasons.contains(&"not_found"),
        "{again}"
    );

    // Stopping one by hand.
    let e = enrollment(&app, &seq_id, &id(&vip2)).await;
    let res = app
        .post(&format!("/api/v1/sequence-enrollments/{}/stop", id(&e)), &json!(null))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "stopped");
    app.post(&format!("/api/v1/sequence-enrollments/{}/stop", id(&e)), &json!(null))
        .await
        .problem(409, "enrollment_finished");

    // Bad input changes nothing.
    let before = app.scalar("SELECT count(*) FROM sequence_enrollments").await;
    let res = app
        .post(
            &format!("/api/v1/sequences/{seq_id}/enrollments"),
            &json!({"contact_ids": [id(&vip1)], "view_id": view.body["id"]}),
        )
        .await;
    res.problem(422, "validation_failed");
    app.post(&format!("/api/v1/sequences/{seq_id}/enrollments"), &json!({}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(app.scalar("SELECT count(*) FROM sequence_enrollments").await, before);
}

#[actix_web::test]
async fn a_sequence_that_cannot_work_is_refused() {
    let app = TestApp::spawn().await;
    let intro = template(&app, "Intro", "Hello").await;
    let cases = [
        (json!({"name": "None", "steps": []}), "steps"),
        (
            json!({"name": "Ghost", "steps": [{"template_id": uuid::Uuid::now_v7(), "delay_days": 0}]}),
            "steps[0].template_id",
        ),
        (
            json!({"name": "Late", "steps": [{"template_id": intro, "delay_days": 0}], "window_start": 17, "window_end": 9}),
            "window_end",
        ),
        (
            json!({"name": "Far", "steps": [{"template_id": intro, "delay_days": 366}]}),
            "steps[0].delay_days",
        ),
        (
            json!({"name": "Blank B", "steps": [{"template_id": intro, "delay_days": 0, "subject_b": " "}]}),
            "steps[0].subject_b",
        ),
    ];
    for (body, field) in cases {
        let res = app.post("/api/v1/sequences", &body).await;
        res.problem(422, "validation_failed");
        assert!(res.error_fields().contains(&field.to_owned()), "{body}: {}", res.text);
    }
    assert_eq!(app.scalar("SELECT count(*) FROM sequences").await, 0);
    // A contact's time zone must exist.
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({"first_name": "Tz", "time_zone": "Mars/Olympus"}),
        )
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["time_zone"]);
}
