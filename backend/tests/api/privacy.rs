//! A person's data on request: everything about one contact, and nothing about anyone else.

use chrono::{Duration, Utc};
use rapport::accounts::dto::Role;
use reqwest::Method;
use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn a_persons_data_comes_out_whole_and_only_theirs() {
    let app = TestApp::spawn().await;
    let ada = app
        .contact(json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@example.com"]}))
        .await;
    let bob = app.contact(json!({"first_name": "Bob"})).await;
    let id = ada["id"].as_str().unwrap().to_owned();
    for (who, subject) in [
        (&id, "Intro call"),
        (&id, "Follow-up"),
        (&bob["id"].as_str().unwrap().to_owned(), "Bob's call"),
    ] {
        let res = app
            .post(
                "/api/v1/interactions",
                &json!({"contact_id": who, "kind": "call", "subject": subject}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    let deal = app
        .post(
            "/api/v1/deals",
            &json!({"title": "Website", "contact_id": id, "value_minor": 100_000}),
        )
        .await
        .body;
    let reminder = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": id, "title": "Send quote", "due_at": Utc::now() + Duration::days(1)}),
        )
        .await
        .body;
    app.post(
        &format!("/api/v1/reminders/{}/complete", reminder["id"].as_str().unwrap()),
        &json!({}),
    )
    .await;
    app.post(
        "/api/v1/reminders",
        &json!({"contact_id": id, "title": "Call back", "due_at": Utc::now() + Duration::days(2)}),
    )
    .await;
    let today = Utc::now().date_naive();
    let paid = app
        .post(
            "/api/v1/payments",
            &json!({"contact_id": id, "deal_id": deal["id"], "amount_minor": 50_000, "received_on": today}),
        )
        .await;
    assert_eq!(paid.status, 201, "{}", paid.text);
    let proposal = app
        .post(
            "/api/v1/proposals",
            &json!({"deal_id": deal["id"], "title": "Option A"}),
        )
        .await;
    assert_eq!(proposal.status, 201, "{}", proposal.text);
    let chat = app
        .post(
            &format!("/api/v1/contacts/{id}/chat"),
            &json!({"message": "Which deals do we have?"}),
        )
        .await;
    assert_eq!(chat.status, 200, "{}", chat.text);

    let res = app.get(&format!("/api/v1/contacts/{id}/export")).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let disposition = res.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment") && disposition.contains("ada-lovelace-"),
        "{disposition}"
    );
    let data = &res.body;
    assert_eq!(data["contact"]["id"], id.as_str());
    assert_eq!(data["contact"]["emails"], json!(["ada@example.com"]));
    let subjects: Vec<&str> = data["interactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(!subjects.contains(&"Bob's call"));
    assert_eq!(data["deals"].as_array().unwrap().len(), 1);
    assert_eq!(data["reminders"].as_array().unwrap().len(), 2, "open and done");
    assert_eq!(data["payments"][0]["amount_minor"], 50_000);
    assert_eq!(data["proposals"][0]["title"], "Option A");
    let conversation = &data["ai_conversations"][0];
    assert_eq!(conversation["contact_id"], id.as_str());
    assert!(conversation["messages"].as_array().unwrap().len() >= 2);
    assert!(!data["history"].as_array().unwrap().is_empty());
    assert!(!res.text.contains("Bob"), "nothing about anyone else");

    // In the trash: on request only; a read-only member may not take data out.
    app.delete(&format!("/api/v1/contacts/{id}")).await;
    app.get(&format!("/api/v1/contacts/{id}/export"))
        .await
        .problem(404, "trashed");
    let trashed = app
        .get(&format!("/api/v1/contacts/{id}/export?include_trashed=true"))
        .await;
    assert_eq!(trashed.status, 200);
    assert!(trashed.body["contact"]["deleted_at"].is_string());
    let (_, viewer) = app.member("viewer@example.com", Role::ReadOnly).await;
    app.request_as(
        &viewer,
        Method::GET,
        &format!("/api/v1/contacts/{id}/export?include_trashed=true"),
        |r| r,
    )
    .await
    .problem(403, "forbidden");
    app.get(&format!("/api/v1/contacts/{}/export", uuid::Uuid::now_v7()))
        .await
        .problem(404, "not_found");
}
