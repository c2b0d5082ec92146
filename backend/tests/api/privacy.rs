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

#[actix_web::test]
async fn erasing_a_person_removes_them_everywhere_and_keeps_the_books() {
    let app = TestApp::spawn().await;
    let ada = app
        .contact(json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@example.com"]}))
        .await;
    let bob = app.contact(json!({"first_name": "Bob", "last_name": "Builder"})).await;
    let id = ada["id"].as_str().unwrap().to_owned();
    let bob_id = bob["id"].as_str().unwrap().to_owned();
    app.post(
        "/api/v1/interactions",
        &json!({"contact_id": id, "kind": "call", "subject": "Intro call"}),
    )
    .await;
    app.post(
        "/api/v1/interactions",
        &json!({"contact_id": bob_id, "kind": "call", "subject": "Bob's call"}),
    )
    .await;
    app.post(
        "/api/v1/reminders",
        &json!({"contact_id": id, "title": "Send quote", "due_at": Utc::now() + Duration::days(1)}),
    )
    .await;
    let deal = app
        .post(
            "/api/v1/deals",
            &json!({"title": "Website", "contact_id": id, "value_minor": 100_000}),
        )
        .await
        .body;
    let today = Utc::now().date_naive();
    let paid = app
        .post(
            "/api/v1/payments",
            &json!({"contact_id": id, "deal_id": deal["id"], "amount_minor": 50_000, "received_on": today}),
        )
        .await;
    assert_eq!(paid.status, 201, "{}", paid.text);
    // The assistant's answers about her, and a retried create holding her data.
    let insights = app.post(&format!("/api/v1/contacts/{id}/insights"), &json!(null)).await;
    assert_eq!(insights.status, 200, "{}", insights.text);
    let chat = app
        .post(
            &format!("/api/v1/contacts/{id}/chat"),
            &json!({"message": "What next?"}),
        )
        .await;
    assert!(chat.status.is_success(), "{}", chat.text);
    let retried = app
        .request(Method::POST, "/api/v1/contacts", |r| {
            r.header("idempotency-key", "erase-test-1")
                .json(&json!({"first_name": "Ada", "last_name": "Twin", "emails": ["ada@example.com"]}))
        })
        .await;
    assert_eq!(retried.status, 201);
    let bob_answers = app
        .post(&format!("/api/v1/contacts/{bob_id}/insights"), &json!(null))
        .await;
    assert_eq!(bob_answers.status, 200);
    let cached_before = app.scalar("SELECT count(*) FROM llm_cache").await;
    assert!(
        app.scalar(&format!("SELECT count(*) FROM llm_cache WHERE contact_id = '{id}'"))
            .await
            >= 2
    );

    // Admins only, and the name must be typed.
    let (_, member) = app.member("member@example.com", Role::Member).await;
    let res = app
        .request_as(&member, Method::POST, &format!("/api/v1/contacts/{id}/erase"), |r| {
            r.header("origin", app.base.clone())
                .json(&json!({"confirm_name": "Ada Lovelace"}))
        })
        .await;
    res.problem(403, "forbidden");
    let res = app
        .post(&format!("/api/v1/contacts/{id}/erase"), &json!({"confirm_name": "Ada"}))
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["confirm_name"]);
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{id}")).await.status,
        200,
        "nothing changed"
    );

    let res = app
        .post(
            &format!("/api/v1/contacts/{id}/erase"),
            &json!({"confirm_name": "  ada lovelace "}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let e = &res.body;
    assert_eq!(e["interactions"], 1);
    assert_eq!(e["reminders"], 1);
    assert_eq!(e["conversations"], 1);
    assert_eq!(e["payments_kept"], 1);
    assert_eq!(e["deals_kept"], 1);
    assert!(e["ai_answers"].as_i64().unwrap() >= 2, "{e}");
    assert!(e["other_copies"].as_i64().unwrap() >= 1, "{e}");
    assert!(e["history_entries"].as_i64().unwrap() >= 4, "{e}");

    // Gone, and not in the trash.
    app.get(&format!("/api/v1/contacts/{id}?include_trashed=true"))
        .await
        .problem(404, "not_found");
    assert_eq!(
        app.scalar(&format!("SELECT count(*) FROM interactions WHERE contact_id = '{id}'"))
            .await,
        0
    );
    assert_eq!(
        app.scalar(&format!("SELECT count(*) FROM reminders WHERE contact_id = '{id}'"))
            .await,
        0
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM ai_conversations WHERE contact_id = '{id}'"
        ))
        .await,
        0
    );
    // Her name and address are nowhere in the database's text (other people's are).
    for table in [
        "activity",
        "llm_cache",
        "idempotency_keys",
        "interactions",
        "reminders",
        "deals",
        "payments",
    ] {
        let n = app
            .scalar(&format!(
                "SELECT count(*) FROM {table} t WHERE lower(t::text) LIKE '%lovelace%' OR lower(t::text) LIKE '%ada@example.com%'"
            ))
            .await;
        assert_eq!(n, 0, "{table} still mentions her");
    }
    assert!(app.scalar("SELECT count(*) FROM llm_cache").await < cached_before);
    assert_eq!(
        app.scalar(&format!("SELECT count(*) FROM llm_cache WHERE contact_id = '{bob_id}'"))
            .await,
        1,
        "answers about others stay"
    );
    assert!(
        app.scalar("SELECT count(*) FROM activity WHERE summary LIKE '%Bob%'")
            .await
            >= 1,
        "entries about others stay"
    );
    // The books: the payment and the deal stay, without the person.
    let payment = app
        .get(&format!("/api/v1/payments/{}", paid.body["id"].as_str().unwrap()))
        .await;
    assert_eq!(payment.status, 200, "{}", payment.text);
    assert_eq!(payment.body["contact_id"], serde_json::Value::Null);
    assert_eq!(payment.body["amount_minor"], 50_000);
    let d = app
        .get(&format!("/api/v1/deals/{}", deal["id"].as_str().unwrap()))
        .await;
    assert_eq!(d.body["contact_id"], serde_json::Value::Null);
    // The erasure is recorded, without her.
    let history = app.get("/api/v1/activity?limit=5").await;
    assert_eq!(history.body["items"][0]["action"], "erased", "{}", history.text);
    assert_eq!(history.body["items"][0]["summary"], "Erased a contact on request");
    // Outside an erasure, the history stays append-only.
    let mut conn = app.pool.get().await.unwrap();
    let err = diesel_async::RunQueryDsl::execute(
        diesel::sql_query("UPDATE activity SET summary = 'Erased on request', fields = '{}', contact_id = NULL"),
        &mut conn,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    // Nor can an erasure of another workspace open it for this one.
    let err = diesel_async::AsyncConnection::transaction::<(), diesel::result::Error, _>(&mut conn, async |conn| {
        diesel_async::RunQueryDsl::execute(
            diesel::sql_query(format!(
                "SELECT set_config('rapport.erasing', '{}:{id}', true)",
                uuid::Uuid::now_v7()
            )),
            conn,
        )
        .await?;
        diesel_async::RunQueryDsl::execute(
            diesel::sql_query("UPDATE activity SET summary = 'Erased on request', fields = '{}', contact_id = NULL"),
            conn,
        )
        .await?;
        Ok(())
    })
    .await
    .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    // Once.
    app.post(
        &format!("/api/v1/contacts/{id}/erase"),
        &json!({"confirm_name": "Ada Lovelace"}),
    )
    .await
    .problem(404, "not_found");
}
