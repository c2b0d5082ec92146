//! Idempotency-Key: retries and concurrent duplicates of a create make exactly one record.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Resp, TestApp};

async fn create_with_key(app: &TestApp, key: &str, body: &Value) -> Resp {
    let body = body.clone();
    app.request(Method::POST, "/api/v1/contacts", |r| {
        r.header("Idempotency-Key", key).json(&body)
    })
    .await
}

#[actix_web::test]
async fn a_retry_returns_the_original_response() {
    let app = TestApp::spawn().await;
    let body = json!({"first_name": "Ada", "company_name": "Engines"});
    let first = create_with_key(&app, "retry-1", &body).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(first.header("idempotent-replayed").is_none());
    // Same request again, even with its keys in another order.
    let again = create_with_key(
        &app,
        "retry-1",
        &json!({"company_name": "Engines", "first_name": "Ada"}),
    )
    .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("etag"), Some("\"1\""));
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 1);
    // Without a key, the same body creates another contact.
    app.contact(body).await;
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 2);
}

#[actix_web::test]
async fn fifty_concurrent_requests_with_one_key_create_one_contact() {
    let app = TestApp::spawn().await;
    let body = json!({"first_name": "Grace", "emails": ["grace@navy.example"]});
    let results = futures_util::future::join_all((0..50).map(|_| create_with_key(&app, "burst-7", &body))).await;
    for r in &results {
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let ids: std::collections::HashSet<&str> = results.iter().map(|r| r.body["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "every response names the same contact");
    assert_eq!(
        results
            .iter()
            .filter(|r| r.header("idempotent-replayed").is_none())
            .count(),
        1
    );
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 1);
}

#[actix_web::test]
async fn a_key_cannot_be_reused_for_another_request() {
    let app = TestApp::spawn().await;
    create_with_key(&app, "k", &json!({"first_name": "Ada"})).await;
    let res = create_with_key(&app, "k", &json!({"first_name": "Grace"})).await;
    res.problem(409, "idempotency_key_reused");
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 1);
}

#[actix_web::test]
async fn a_failed_request_does_not_use_up_its_key() {
    let app = TestApp::spawn().await;
    let missing_company = uuid::Uuid::now_v7();
    let res = create_with_key(
        &app,
        "fix-and-retry",
        &json!({"first_name": "Ada", "company_id": missing_company}),
    )
    .await;
    res.problem(422, "validation_failed");
    assert_eq!(app.scalar("SELECT count(*) FROM idempotency_keys").await, 0);
    let res = create_with_key(&app, "fix-and-retry", &json!({"first_name": "Ada"})).await;
    assert_eq!(res.status, 201, "{}", res.text);
}

#[actix_web::test]
async fn malformed_keys_are_refused() {
    let app = TestApp::spawn().await;
    let long = "k".repeat(256);
    for key in [long.as_str(), "has space"] {
        let res = create_with_key(&app, key, &json!({"first_name": "Ada"})).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec!["Idempotency-Key"]);
    }
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 0);
}
