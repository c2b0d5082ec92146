//! Email templates: the starter library, CRUD, validation of variables, rendering and preview.

use serde_json::json;

use crate::common::TestApp;

#[actix_web::test]
async fn a_starter_library_and_its_variables() {
    let app = TestApp::spawn().await;
    let page = app.get("/api/v1/templates").await;
    assert_eq!(page.status, 200, "{}", page.text);
    let items = page.body["items"].as_array().unwrap();
    assert!(items.len() >= 6);
    let names: Vec<&str> = items.iter().map(|t| t["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "by name");
    assert!(
        page.body["variables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["name"] == "contact.first_name")
    );
    let follow = app.get("/api/v1/templates?scenario=follow_up").await.body;
    assert!(
        follow["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["scenario"] == "follow_up")
    );
    // Every starter template renders without unknown variables.
    let c = app
        .contact(json!({"first_name": "Ada", "company_name": "Engines"}))
        .await;
    for t in items {
        let r = app
            .post(
                &format!("/api/v1/templates/{}/render", t["id"].as_str().unwrap()),
                &json!({"contact_id": c["id"]}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["unknown_variables"], json!([]), "{}", t["name"]);
        assert!(!r.body["body"].as_str().unwrap().contains("{{"), "{}", r.body["body"]);
    }
}

#[actix_web::test]
async fn render_fills_variables_and_reports_gaps() {
    let app = TestApp::spawn().await;
    let with_company = app.contact(json!({"first_name": "Ada", "last_name": "Lovelace", "company_name": "Engines", "emails": ["ada@example.com"]})).await;
    let bare = app.contact(json!({"first_name": "Cher"})).await;
    let t = app
        .post(
            "/api/v1/templates",
            &json!({"name": "Nudge", "scenario": "follow_up",
                    "subject": "Hi {{ contact.first_name }}",
                    "body": "{{contact.full_name}} <{{contact.email}}> at {{company.name | your company}}; job: {{contact.job_title}}; {{contact.nickname}}"}),
        )
        .await;
    assert_eq!(t.status, 201, "{}", t.text);
    let id = t.body["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/templates/{id}/render"),
            &json!({"contact_id": with_company["id"]}),
        )
        .await
        .body;
    assert_eq!(r["subject"], "Hi Ada");
    assert_eq!(
        r["body"],
        "Ada Lovelace <ada@example.com> at Engines; job: ; {{contact.nickname}}"
    );
    assert_eq!(r["unknown_variables"], json!(["contact.nickname"]));
    assert_eq!(r["empty_variables"], json!(["contact.job_title"]));
    let r = app
        .post(
            &format!("/api/v1/templates/{id}/render"),
            &json!({"contact_id": bare["id"]}),
        )
        .await
        .body;
    assert!(
        r["body"].as_str().unwrap().contains("at your company"),
        "fallback: {}",
        r["body"]
    );
    assert_eq!(r["empty_variables"], json!(["contact.email", "contact.job_title"]));

    let p = app
        .post(
            "/api/v1/templates/preview",
            &json!({"contact_id": bare["id"], "subject": "Hey {{contact.first_name}}", "body": "{{today}}"}),
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.text);
    assert_eq!(p.body["subject"], "Hey Cher");
    assert!(
        p.body["body"]
            .as_str()
            .unwrap()
            .ends_with(&chrono::Utc::now().format("%Y").to_string())
    );
}

#[actix_web::test]
async fn broken_templates_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let before = app.scalar("SELECT count(*) FROM email_templates").await;
    let res = app
        .post(
            "/api/v1/templates",
            &json!({"name": "Bad", "scenario": "intro", "subject": "Hi", "body": "Hello {{contact.first_name"}),
        )
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["body"]);
    assert!(
        res.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at character 7"),
        "{}",
        res.text
    );
    let res = app
        .post(
            "/api/v1/templates",
            &json!({"name": "Bad", "scenario": "intro", "subject": "{{First Name}}", "body": "ok"}),
        )
        .await;
    assert_eq!(res.error_fields(), vec!["subject"]);
    let res = app
        .post(
            "/api/v1/templates",
            &json!({"name": "Bad", "scenario": "newsletter", "subject": "x", "body": "y"}),
        )
        .await;
    assert_eq!(res.error_fields(), vec!["scenario"]);
    app.post(
        "/api/v1/templates",
        &json!({"name": "gentle FOLLOW-UP", "scenario": "other", "subject": "x", "body": "y"}),
    )
    .await
    .problem(409, "already_exists");
    assert_eq!(app.scalar("SELECT count(*) FROM email_templates").await, before);

    let t = app
        .post(
            "/api/v1/templates",
            &json!({"name": "Mine", "scenario": "other", "subject": "x", "body": "y"}),
        )
        .await
        .body;
    let path = format!("/api/v1/templates/{}", t["id"].as_str().unwrap());
    app.patch(&path, &json!({"body": "oops {{"}))
        .await
        .problem(422, "validation_failed");
    app.patch(&path, &json!({"body": "fine", "version": 7}))
        .await
        .problem(409, "version_conflict");
    assert_eq!(app.get(&path).await.body["body"], "y");
    let ok = app
        .patch(&path, &json!({"body": "fine {{contact.first_name}}", "version": 1}))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let render = app
        .post(&format!("{path}/render"), &json!({"contact_id": uuid::Uuid::now_v7()}))
        .await;
    render.problem(422, "validation_failed");
    assert_eq!(render.error_fields(), vec!["contact_id"]);
    app.post(
        &format!("/api/v1/templates/{}/render", uuid::Uuid::now_v7()),
        &json!({"contact_id": uuid::Uuid::now_v7()}),
    )
    .await
    .problem(404, "not_found");
    assert_eq!(app.delete(&path).await.status, 204);
    app.get(&path).await.problem(404, "not_found");
}
