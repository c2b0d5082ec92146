//! The activity history: every change is recorded in its transaction, rejected requests leave
//! no trace, and the record cannot be rewritten.

use chrono::{Duration, Utc};
use diesel_async::RunQueryDsl;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::TestApp;

fn summaries(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["summary"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_contacts_history_tells_its_story() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Ada", "last_name": "Lovelace"})).await;
    let id = c["id"].as_str().unwrap();
    app.patch(
        &format!("/api/v1/contacts/{id}"),
        &json!({"lifecycle": "client", "tags": ["vip"]}),
    )
    .await;
    app.post(
        "/api/v1/interactions",
        &json!({"contact_id": id, "kind": "call", "subject": "Intro"}),
    )
    .await;
    let r = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": id, "title": "Send quote", "due_at": Utc::now() + Duration::days(1)}),
        )
        .await
        .body;
    app.post(
        &format!("/api/v1/reminders/{}/complete", r["id"].as_str().unwrap()),
        &json!({}),
    )
    .await;
    app.delete(&format!("/api/v1/contacts/{id}")).await;
    app.post(&format!("/api/v1/contacts/{id}/restore"), &json!({})).await;

    let history = app.get(&format!("/api/v1/contacts/{id}/history")).await;
    assert_eq!(history.status, 200, "{}", history.text);
    assert_eq!(
        summaries(&history.body),
        vec![
            "Restored Ada Lovelace from the trash",
            "Moved Ada Lovelace to the trash",
            "Completed the reminder for Ada Lovelace: Send quote",
            "Reminder for Ada Lovelace: Send quote",
            "Logged a call with Ada Lovelace: Intro",
            "Updated Ada Lovelace: lifecycle, tags",
            "Added Ada Lovelace",
        ]
    );
    let update = &history.body["items"][5];
    assert_eq!(update["action"], "updated");
    assert_eq!(update["fields"], json!(["lifecycle", "tags"]));
    // Each entry also says it as a code with parameters, for the web app to word in the
    // reader's language.
    let messages: Vec<Value> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["message"].clone())
        .collect();
    assert_eq!(
        messages,
        vec![
            json!({"code": "restored", "params": {"name": "Ada Lovelace"}}),
            json!({"code": "trashed", "params": {"name": "Ada Lovelace"}}),
            json!({"code": "reminder_completed", "params": {"name": "Ada Lovelace", "title": "Send quote"}}),
            json!({"code": "reminder_created", "params": {"name": "Ada Lovelace", "title": "Send quote"}}),
            json!({"code": "interaction_logged_subject",
                   "params": {"kind": "call", "name": "Ada Lovelace", "subject": "Intro"}}),
            json!({"code": "contact_updated", "params": {"name": "Ada Lovelace", "fields": "lifecycle,tags"}}),
            json!({"code": "contact_added", "params": {"name": "Ada Lovelace"}}),
        ]
    );

    // The workspace feed has everything; filters and pages work.
    app.post("/api/v1/companies", &json!({"name": "Engines"})).await;
    let feed = app.get("/api/v1/activity?limit=3").await.body;
    assert_eq!(summaries(&feed)[0], "Added company Engines");
    let cursor = feed["next_cursor"].as_str().unwrap();
    let next = app.get(&format!("/api/v1/activity?limit=3&cursor={cursor}")).await.body;
    assert_eq!(
        summaries(&next)[0],
        "Completed the reminder for Ada Lovelace: Send quote"
    );
    let calls = app.get("/api/v1/activity?entity=interaction").await.body;
    assert_eq!(summaries(&calls), vec!["Logged a call with Ada Lovelace: Intro"]);
    app.get("/api/v1/activity?entity=invoice")
        .await
        .problem(422, "validation_failed");
    app.get(&format!("/api/v1/contacts/{}/history", uuid::Uuid::now_v7()))
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn rejected_requests_leave_no_trace() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Ada"})).await;
    let id = c["id"].as_str().unwrap();
    let before = app.scalar("SELECT count(*) FROM activity").await;
    app.patch(&format!("/api/v1/contacts/{id}"), &json!({"emails": ["nope"]}))
        .await
        .problem(422, "validation_failed");
    app.request(Method::PATCH, &format!("/api/v1/contacts/{id}"), |r| {
        r.header("If-Match", "\"9\"").json(&json!({"last_name": "X"}))
    })
    .await
    .problem(412, "version_conflict");
    app.post("/api/v1/companies", &json!({"name": "A"})).await;
    app.post("/api/v1/companies", &json!({"name": "a"}))
        .await
        .problem(409, "already_exists");
    app.patch(&format!("/api/v1/contacts/{id}"), &json!({})).await;
    assert_eq!(
        app.scalar("SELECT count(*) FROM activity").await,
        before + 1,
        "only the company was recorded"
    );
}

#[actix_web::test]
async fn history_cannot_be_rewritten() {
    let app = TestApp::spawn().await;
    app.contact(json!({"first_name": "Ada"})).await;
    let mut conn = app.pool.get().await.unwrap();
    let err = diesel::sql_query("UPDATE activity SET summary = 'nothing happened'")
        .execute(&mut conn)
        .await;
    assert!(err.is_err(), "activity rows cannot be changed");
    assert_eq!(
        app.scalar("SELECT count(*) FROM activity WHERE summary = 'Added Ada'")
            .await,
        1
    );
}

#[actix_web::test]
async fn companies_templates_and_settings_are_recorded() {
    let app = TestApp::spawn().await;
    let c = app.post("/api/v1/companies", &json!({"name": "Engines"})).await.body;
    let path = format!("/api/v1/companies/{}", c["id"].as_str().unwrap());
    app.patch(&path, &json!({"industry": "Engineering"})).await;
    let history = app.get(&format!("{path}/history")).await.body;
    assert_eq!(
        summaries(&history),
        vec!["Updated company Engines: industry", "Added company Engines"]
    );
    app.post(
        "/api/v1/templates",
        &json!({"name": "T", "scenario": "other", "subject": "s", "body": "b"}),
    )
    .await;
    app.patch("/api/v1/settings", &json!({"timezone": "Asia/Tokyo"})).await;
    let feed = summaries(&app.get("/api/v1/activity").await.body);
    assert_eq!(feed[..2], ["Changed settings: timezone", "Added the template T"]);
}

#[actix_web::test]
async fn every_entry_names_who_made_the_change() {
    use crate::common::{OWNER_EMAIL, PASSWORD, client_with_cookie};
    let app = TestApp::spawn().await;
    // Through the harness's API token…
    let contact = app.contact(json!({"first_name": "Ada"})).await;
    let id = contact["id"].as_str().unwrap();
    // …and through a browser session.
    let session = client_with_cookie(&app.sign_in(OWNER_EMAIL, PASSWORD).await);
    let res = app
        .request_as(
            &session,
            reqwest::Method::PATCH,
            &format!("/api/v1/contacts/{id}"),
            |r| r.json(&json!({"lifecycle": "client"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let history = app.get(&format!("/api/v1/contacts/{id}/history")).await;
    let items = history.body["items"].as_array().unwrap();
    assert_eq!(items[0]["actor_name"], "Olive Owner");
    assert_eq!(items[1]["actor_name"], "Olive Owner (API token “tests”)");
    assert_eq!(items[0]["actor_id"], app.owner.to_string());
    // Rapport's own changes (demo data, chores) have no actor.
    let mut conn = app.pool.get().await.unwrap();
    rapport::demo::load(&mut conn, rapport::db::DEFAULT_WORKSPACE)
        .await
        .unwrap();
    let feed = app.get("/api/v1/activity?limit=1").await;
    assert!(feed.body["items"][0]["actor_name"].is_null(), "{}", feed.text);
}
