//! Bad input to the contacts API: each gets a clear 4xx problem naming what is wrong, and the
//! database is left exactly as it was.

use reqwest::Method;
use serde_json::json;

use crate::common::TestApp;

/// The database state a rejected request must not touch.
async fn fingerprint(app: &TestApp) -> (i64, i64, i64) {
    (
        app.scalar("SELECT count(*) FROM contacts").await,
        app.scalar("SELECT coalesce(sum(version), 0) FROM contacts").await,
        app.scalar("SELECT count(*) FROM companies").await,
    )
}

async fn post_raw(app: &TestApp, content_type: &str, body: impl Into<reqwest::Body>) -> crate::common::Resp {
    let body = body.into();
    app.request(Method::POST, "/api/v1/contacts", |r| {
        r.header("content-type", content_type).body(body)
    })
    .await
}

#[actix_web::test]
async fn malformed_or_mistyped_bodies() {
    let app = TestApp::spawn().await;
    app.contact(json!({"first_name": "Existing", "company_name": "Acme"}))
        .await;
    let before = fingerprint(&app).await;

    post_raw(&app, "application/json", "{\"first_name\": ")
        .await
        .problem(400, "malformed_json");
    post_raw(&app, "application/json", "")
        .await
        .problem(400, "malformed_json");
    post_raw(&app, "application/json", "[1,2")
        .await
        .problem(400, "malformed_json");

    let cases = [
        (json!({"first_name": 42}), "first_name"),
        (json!({"first_name": "A", "emails": "a@b.c"}), "emails"),
        (
            json!({"first_name": "A", "connection_strength": "high"}),
            "connection_strength",
        ),
        (json!({"last_name": "NoFirst"}), "first_name"),
        (json!({"first_name": "   "}), "first_name"),
        (json!({"first_name": "x".repeat(101)}), "first_name"),
        (json!({"first_name": "A", "notes": "n".repeat(20001)}), "notes"),
        (
            json!({"first_name": "A", "emails": ["ok@example.com", "not-an-email"]}),
            "emails",
        ),
        (json!({"first_name": "A", "website": "not a url"}), "website"),
        (
            json!({"first_name": "A", "linkedin_url": "javascript:alert(1)"}),
            "linkedin_url",
        ),
        (json!({"first_name": "A", "phones": ["call me maybe"]}), "phones"),
        (json!({"first_name": "A", "tags": ["a,b"]}), "tags"),
        (json!({"first_name": "A", "lifecycle": "customer"}), "lifecycle"),
        (
            json!({"first_name": "A", "connection_strength": 9}),
            "connection_strength",
        ),
        (
            json!({"first_name": "A", "follow_up_cadence_days": -5}),
            "follow_up_cadence_days",
        ),
        (
            json!({"first_name": "A", "next_follow_up_at": "tomorrow"}),
            "next_follow_up_at",
        ),
        (
            json!({"first_name": "A", "favourite_colour": "blue"}),
            "favourite_colour",
        ),
        (json!({"first_name": "A\u{0}B"}), "first_name"),
        (json!({"first_name": "A", "tags": ["ok", "nul\u{0}"]}), "tags[1]"),
        (json!({"first_name": "A", "company_id": "not-a-uuid"}), "company_id"),
    ];
    for (body, field) in cases {
        let res = app.post("/api/v1/contacts", &body).await;
        res.problem(422, "validation_failed");
        assert!(
            res.error_fields().contains(&field.to_owned()),
            "{body} should name {field}: {}",
            res.text
        );
    }
    // Several problems at once are all named.
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({"first_name": "", "emails": ["x"], "connection_strength": 0}),
        )
        .await;
    assert_eq!(res.error_fields(), vec!["connection_strength", "emails", "first_name"]);
    assert_eq!(fingerprint(&app).await, before);
}

#[actix_web::test]
async fn wrong_content_type_and_oversized_bodies() {
    let app = TestApp::spawn().await;
    let before = fingerprint(&app).await;
    post_raw(&app, "text/plain", r#"{"first_name":"A"}"#)
        .await
        .problem(415, "unsupported_media_type");
    post_raw(&app, "application/x-www-form-urlencoded", "first_name=A")
        .await
        .problem(415, "unsupported_media_type");
    let res = app
        .request(Method::POST, "/api/v1/contacts", |r| r.body(r#"{"first_name":"A"}"#))
        .await;
    res.problem(415, "unsupported_media_type");
    let huge = json!({"first_name": "A", "notes": "n".repeat(70 * 1024)}).to_string();
    post_raw(&app, "application/json", huge)
        .await
        .problem(413, "payload_too_large");
    // Also when the size is not announced up front (chunked).
    let chunks: Vec<Result<String, std::io::Error>> = vec![
        Ok("{\"first_name\":\"A\",\"notes\":\"".into()),
        Ok("n".repeat(70 * 1024)),
        Ok("\"}".into()),
    ];
    let stream = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    post_raw(&app, "application/json", stream)
        .await
        .problem(413, "payload_too_large");
    // `application/json; charset=utf-8` and `+json` types are fine.
    let res = post_raw(&app, "application/json; charset=utf-8", r#"{"first_name":"Ok"}"#).await;
    assert_eq!(res.status, 201);
    assert_eq!(fingerprint(&app).await.0, before.0 + 1);
}

#[actix_web::test]
async fn bad_list_parameters() {
    let app = TestApp::spawn().await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=100000", "limit"),
        ("limit=ten", "limit"),
        ("cursor=garbage", "cursor"),
        ("cursor=eyJzIjoibmFtZSJ9", "cursor"),
        ("sort=password", "sort"),
        ("sort=-", "sort"),
        ("lifecycle=customer", "lifecycle"),
        ("source=psychic", "source"),
        ("follow_up=later", "follow_up"),
        ("company_id=123", "company_id"),
        ("trashed=maybe", "trashed"),
        ("include_total=2", "include_total"),
        ("q=%00", "q"),
    ] {
        let res = app.get(&format!("/api/v1/contacts?{query}")).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field], "{query}: {}", res.text);
    }
    // A cursor from one sort is refused under another.
    for i in 0..3 {
        app.contact(json!({"first_name": format!("P{i}")})).await;
    }
    let page = app.get("/api/v1/contacts?limit=1&sort=name").await;
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let res = app
        .get(&format!("/api/v1/contacts?limit=1&sort=-created_at&cursor={cursor}"))
        .await;
    res.problem(422, "validation_failed");
}

#[actix_web::test]
async fn bad_updates_change_nothing() {
    let app = TestApp::spawn().await;
    let c = app
        .contact(json!({"first_name": "Ada", "emails": ["ada@example.com"]}))
        .await;
    let path = format!("/api/v1/contacts/{}", c["id"].as_str().unwrap());
    let before = fingerprint(&app).await;
    for (body, field) in [
        (json!({"first_name": null}), "first_name"),
        (json!({"first_name": ""}), "first_name"),
        (json!({"emails": ["nope"]}), "emails"),
        (json!({"lifecycle": null}), "lifecycle"),
        (json!({"id": "0193a000-0000-7000-8000-000000000000"}), "id"),
        (json!({"version": "one"}), "version"),
        (json!({"company_id": uuid::Uuid::now_v7()}), "company_id"),
        (
            json!({"company_id": uuid::Uuid::now_v7(), "company_name": "Both"}),
            "company_id",
        ),
    ] {
        let res = app.patch(&path, &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field], "{body}: {}", res.text);
    }
    let res = app
        .request(Method::PATCH, &path, |r| {
            r.header("content-type", "application/json").body("{")
        })
        .await;
    res.problem(400, "malformed_json");
    let res = app
        .request(Method::PATCH, &path, |r| {
            r.header("If-Match", "\"1\"").json(&json!({"version": 2}))
        })
        .await;
    // If-Match and `version` disagree: one of them is stale, so the precondition fails.
    res.problem(412, "version_conflict");
    assert_eq!(fingerprint(&app).await, before);
    assert_eq!(app.get(&path).await.body["emails"], json!(["ada@example.com"]));
}

#[actix_web::test]
async fn problems_never_leak_internals() {
    let app = TestApp::spawn().await;
    let res = app.post("/api/v1/contacts", &json!({"first_name": "A\u{0}"})).await;
    let text = res.text.to_lowercase();
    for leak in ["sql", "diesel", "postgres", "panicked", "backtrace"] {
        assert!(!text.contains(leak), "{leak} in {}", res.text);
    }
}

#[actix_web::test]
async fn query_parameters_are_refused_as_the_document_states() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Ada"})).await;
    let id = c["id"].as_str().unwrap();
    // An empty UUID is not "any": leave the parameter out for that.
    for path in [
        "/api/v1/deals?stage_id=",
        "/api/v1/payments?deal_id=",
        "/api/v1/reminders?contact_id=",
    ] {
        let res = app.get(path).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields().len(), 1, "{path}: {}", res.text);
    }
    // An empty limit or cursor is not "the default": leave the parameter out for that.
    for (path, field) in [
        ("/api/v1/contacts?limit=", "limit"),
        ("/api/v1/templates?cursor=", "cursor"),
    ] {
        let res = app.get(path).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field], "{path}");
    }
    // Nor is an empty boolean or date.
    for (path, field) in [
        ("/api/v1/products?in_stock=", "in_stock"),
        ("/api/v1/revenue?to=", "to"),
    ] {
        let res = app.get(path).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field], "{path}");
    }
    // A body must be an object (serde would read a struct from an array).
    let res = app
        .request(Method::PATCH, &format!("/api/v1/contacts/{id}"), |r| {
            r.json(&json!([null, null]))
        })
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["body"]);
    // A boolean is true or false, not empty.
    let res = app.get(&format!("/api/v1/contacts/{id}/lead-score?refresh=")).await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["refresh"]);
    // A NUL byte in any parameter is named, not a server error.
    for (path, field) in [
        ("/api/v1/products?category=Content&q=%00", "q"),
        ("/api/v1/companies?industry=Soft%00ware", "industry"),
        ("/api/v1/deals?sort=%00", "sort"),
    ] {
        let res = app.get(path).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field], "{path}");
    }
    // A method the document does not list for a path is 405 with Allow, even where a route
    // with a parameter would take the same path (`/contacts/tags` is not a contact id).
    let res = app
        .request(reqwest::Method::PATCH, "/api/v1/contacts/tags", |r| r.json(&json!({})))
        .await;
    res.problem(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET"));
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 1);
}

#[actix_web::test]
async fn integers_written_with_a_zero_fraction_are_integers() {
    let app = TestApp::spawn().await;
    // JSON Schema counts 1200.0 as an integer, so the API does too.
    let res = app
        .post(
            "/api/v1/products",
            &json!({"name": "Audit", "price_minor": 1200.0, "currency": "EUR"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["price_minor"], 1200);
    let c = app
        .contact(json!({"first_name": "Ada", "connection_strength": 3.0}))
        .await;
    assert_eq!(c["connection_strength"], 3);
    // A fraction is still not an integer.
    let res = app
        .post(
            "/api/v1/products",
            &json!({"name": "Half", "price_minor": 1200.5, "currency": "EUR"}),
        )
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["price_minor"]);
    assert_eq!(app.scalar("SELECT count(*) FROM products WHERE name = 'Half'").await, 0);
}
