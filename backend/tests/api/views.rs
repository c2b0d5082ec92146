//! Saved views: a list query saved with a name, checked as the list checks it, private or
//! shared, counted live, still opening (with a notice) when its custom field is deleted, and the
//! target of bulk changes.

use reqwest::Method;
use serde_json::json;

use crate::common::TestApp;
use rapport::accounts::dto::Role;

#[actix_web::test]
async fn a_view_saves_the_list_query_counts_live_and_targets_bulk_changes() {
    let app = TestApp::spawn().await;
    for (name, tags) in [
        ("Ann", json!(["conference"])),
        ("Ben", json!(["conference"])),
        ("Col", json!([])),
    ] {
        app.contact(json!({"first_name": name, "tags": tags})).await;
    }
    let res = app
        .post(
            "/api/v1/views",
            &json!({"type": "contact", "name": " Conference leads ", "query": "?lifecycle=lead&tag=conference&limit=5&sort=name", "shared": true}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let view = res.body.clone();
    let id = view["id"].as_str().unwrap().to_owned();
    assert_eq!(res.header("location"), Some(format!("/api/v1/views/{id}").as_str()));
    assert_eq!(view["name"], "Conference leads");
    assert_eq!(
        view["query"], "lifecycle=lead&tag=conference&sort=name",
        "paging is not part of a view"
    );
    assert_eq!(view["count"], 2);
    assert!(view["notice"].is_null());

    // Live: one more match, one more in the count.
    app.contact(json!({"first_name": "Dee", "tags": ["conference"]})).await;
    let list = app.get("/api/v1/views?type=contact").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["items"][0]["count"], 3, "{}", list.text);
    assert_eq!(app.get("/api/v1/views?type=deal").await.body["items"], json!([]));
    for bad in ["", "meeting"] {
        let res = app.get(&format!("/api/v1/views?type={bad}")).await;
        assert_eq!(res.error_fields(), ["type"], "{}", res.text);
    }

    // The view is the target of a bulk change.
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"view_id": id, "action": {"type": "add_tags", "tags": ["invited"]}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["updated"], 3, "{}", res.text);
    let res = app
        .post(
            "/api/v1/companies/bulk",
            &json!({"view_id": id, "action": {"type": "trash"}}),
        )
        .await;
    assert_eq!(
        res.error_fields(),
        ["view_id"],
        "a contact view does not choose companies: {}",
        res.text
    );

    // Renamed with the version edited; a stale version is refused.
    let res = app
        .patch(
            &format!("/api/v1/views/{id}"),
            &json!({"name": "Invited", "version": 1}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["version"], 2);
    let res = app
        .patch(&format!("/api/v1/views/{id}"), &json!({"name": "Again", "version": 1}))
        .await;
    assert_eq!(res.body["code"], "version_conflict", "{}", res.text);
    let res = app.delete(&format!("/api/v1/views/{id}")).await;
    assert_eq!(res.status, 204, "{}", res.text);
    app.get(&format!("/api/v1/views/{id}")).await.problem(404, "not_found");
}

#[actix_web::test]
async fn private_views_stay_private_and_shared_ones_are_changed_by_their_owner_or_admins() {
    let app = TestApp::spawn().await;
    let (_, member) = app.member("mia@example.com", Role::Member).await;
    let (_, other) = app.member("oli@example.com", Role::Member).await;
    let mine = app
        .request_as(&member, Method::POST, "/api/v1/views", |r| {
            r.header("sec-fetch-site", "same-origin")
                .json(&json!({"type": "company", "name": "Mine", "query": "q=acme"}))
        })
        .await;
    assert_eq!(mine.status, 201, "{}", mine.text);
    let shared = app
        .request_as(&member, Method::POST, "/api/v1/views", |r| {
            r.header("sec-fetch-site", "same-origin")
                .json(&json!({"type": "company", "name": "Ours", "query": "", "shared": true}))
        })
        .await;
    assert_eq!(shared.status, 201, "{}", shared.text);
    let (mine, shared) = (mine.body["id"].as_str().unwrap(), shared.body["id"].as_str().unwrap());
    let seen = app
        .request_as(&other, Method::GET, "/api/v1/views?type=company", |r| r)
        .await;
    let names: Vec<&str> = seen.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ours"], "{}", seen.text);
    let res = app
        .request_as(&other, Method::GET, &format!("/api/v1/views/{mine}"), |r| r)
        .await;
    res.problem(404, "not_found");
    let res = app
        .request_as(&other, Method::PATCH, &format!("/api/v1/views/{shared}"), |r| {
            r.header("sec-fetch-site", "same-origin")
                .json(&json!({"name": "Theirs"}))
        })
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    // The workspace's owner (an admin) may tidy a shared view.
    let res = app
        .patch(&format!("/api/v1/views/{shared}"), &json!({"name": "Everyone's"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[actix_web::test]
async fn bad_views_are_refused_and_a_view_whose_field_is_gone_still_opens() {
    let app = TestApp::spawn().await;
    let bad = |query: &'static str| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/views",
                &json!({"type": "contact", "name": "Bad", "query": query}),
            )
            .await
        }
    };
    let res = bad("lifecycle=royalty").await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["query.lifecycle"], "{}", res.text);
    let res = bad("sort=shoe_size").await;
    assert_eq!(res.error_fields(), ["query.sort"], "{}", res.text);
    let res = bad("custom_field=nope:1").await;
    assert_eq!(res.status, 422, "{}", res.text);
    let res = app
        .post("/api/v1/views", &json!({"type": "contact", "name": "  ", "query": ""}))
        .await;
    assert_eq!(res.error_fields(), ["name"], "{}", res.text);
    let res = app
        .post("/api/v1/views", &json!({"type": "meeting", "name": "X"}))
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(app.scalar("SELECT count(*) FROM saved_views").await, 0);

    let field = app
        .post(
            "/api/v1/custom-fields",
            &json!({"entity": "contact", "key": "budget", "label": "Budget", "field_type": "number"}),
        )
        .await;
    assert_eq!(field.status, 201, "{}", field.text);
    app.contact(json!({"first_name": "Rich", "custom_fields": {"budget": 5000}}))
        .await;
    let view = app
        .post(
            "/api/v1/views",
            &json!({"type": "contact", "name": "Big budgets", "query": "custom_field=budget:5000"}),
        )
        .await;
    assert_eq!(view.body["count"], 1, "{}", view.text);
    let res = app
        .delete(&format!("/api/v1/custom-fields/{}", field.body["id"].as_str().unwrap()))
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    let res = app
        .get(&format!("/api/v1/views/{}", view.body["id"].as_str().unwrap()))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["count"].is_null());
    assert!(res.body["notice"].as_str().unwrap().contains("budget"), "{}", res.text);
}
