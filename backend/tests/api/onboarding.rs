//! The first-run checklist (each step ticks itself when done, put away per member) and the demo
//! data switch (loaded into an empty workspace only, removed exactly, nothing else touched).

use rapport::accounts::dto::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::TestApp;

fn done(onboarding: &Value, step: &str) -> bool {
    onboarding["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["step"] == step)
        .unwrap_or_else(|| panic!("no step {step}: {onboarding}"))["done"]
        .as_bool()
        .unwrap()
}

#[actix_web::test]
async fn the_checklist_ticks_itself_and_is_put_away_per_member() {
    let app = TestApp::spawn().await;
    let start = app.get("/api/v1/onboarding").await;
    assert_eq!(start.status, 200, "{}", start.text);
    assert_eq!(start.body["total"], 6);
    assert_eq!(start.body["done"], 0, "{}", start.text);
    assert_eq!(start.body["dismissed"], false);

    // Cadences changed, a stage added, a colleague invited, a calendar link made.
    let res = app
        .patch("/api/v1/settings", &json!({"follow_up_cadence_days": {"lead": 5}}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let pipelines = app.get("/api/v1/pipelines").await.body["items"].clone();
    let pid = pipelines[0]["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("/api/v1/pipelines/{pid}/stages"),
            &json!({"name": "Negotiating", "probability": 70}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = app
        .post(
            "/api/v1/invitations",
            &json!({"email": "grace@example.com", "role": "member"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let now = app.get("/api/v1/onboarding").await.body;
    for step in ["set_cadences", "add_pipeline_stage", "invite_colleague"] {
        assert!(done(&now, step), "{step}: {now}");
    }
    for step in ["import_contacts", "connect_calendar", "try_assistant"] {
        assert!(!done(&now, step), "{step}: {now}");
    }
    assert_eq!(now["done"], 3);

    // Put away for me, not for a colleague; and back.
    let (_, member) = app.member("ada@example.com", Role::Member).await;
    let res = app
        .post("/api/v1/onboarding/dismiss", &json!({"dismissed": true}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["dismissed"], true);
    assert_eq!(app.get("/api/v1/onboarding").await.body["dismissed"], true);
    let theirs = app.request_as(&member, Method::GET, "/api/v1/onboarding", |r| r).await;
    assert_eq!(theirs.body["dismissed"], false);
    let res = app
        .post("/api/v1/onboarding/dismiss", &json!({"dismissed": false}))
        .await;
    assert_eq!(res.body["dismissed"], false);
    app.post("/api/v1/onboarding/dismiss", &json!({"dismissed": "yes"}))
        .await
        .problem(422, "validation_failed");
}

#[actix_web::test]
async fn demo_data_loads_into_an_empty_workspace_and_is_removed_exactly() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/api/v1/onboarding").await.body["demo"]["can_load"], true);

    // Admins only.
    let (_, member) = app.member("ada@example.com", Role::Member).await;
    app.request_as(&member, Method::POST, "/api/v1/demo-data", |r| r)
        .await
        .problem(403, "forbidden");

    let loaded = app.post("/api/v1/demo-data", &json!({})).await;
    assert_eq!(loaded.status, 201, "{}", loaded.text);
    let contacts = loaded.body["contacts"].as_i64().unwrap();
    assert!(contacts >= 10, "{}", loaded.text);
    assert!(loaded.body["deals"].as_i64().unwrap() > 0);
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, contacts);
    let state = app.get("/api/v1/onboarding").await.body;
    assert_eq!(state["demo"], json!({"loaded": true, "can_load": false}));
    // Once: a workspace with records is not loaded again.
    app.post("/api/v1/demo-data", &json!({}))
        .await
        .problem(409, "workspace_not_empty");
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, contacts);

    // A person's own records, one of them about a demo company.
    let demo_company = app.get("/api/v1/companies?limit=1").await.body["items"][0]["name"].clone();
    let mine = app
        .contact(json!({"first_name": "Real", "last_name": "Person", "company_name": "My Own Studio"}))
        .await;
    let colleague = app
        .contact(json!({"first_name": "Works", "last_name": "There", "company_name": demo_company}))
        .await;

    let removed = app.delete("/api/v1/demo-data").await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(removed.body["contacts"], contacts);
    assert_eq!(removed.body["deals"], loaded.body["deals"]);
    assert_eq!(removed.body["payments"], loaded.body["payments"]);
    let left = app.get("/api/v1/contacts?limit=100").await.body["items"].clone();
    let mut names: Vec<&str> = left
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["display_name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Real Person", "Works There"]);
    // My company stays; the demo company is gone, so my colleague's link to it is cleared.
    let companies = app.get("/api/v1/companies?limit=100").await.body["items"].clone();
    assert_eq!(companies.as_array().unwrap().len(), 1, "{companies}");
    assert_eq!(companies[0]["name"], "My Own Studio");
    let colleague = app
        .get(&format!("/api/v1/contacts/{}", colleague["id"].as_str().unwrap()))
        .await;
    assert!(colleague.body["company"].is_null(), "{}", colleague.text);
    assert_eq!(mine["company"]["name"], "My Own Studio");
    // Nothing of the demo is left behind: no deals, payments, products, history about them.
    for table in [
        "deals",
        "payments",
        "products",
        "proposals",
        "interactions",
        "demo_records",
    ] {
        assert_eq!(app.scalar(&format!("SELECT count(*) FROM {table}")).await, 0, "{table}");
    }
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM activity a WHERE a.contact_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = a.contact_id)"
        )
        .await,
        0
    );
    app.delete("/api/v1/demo-data").await.problem(409, "no_demo_data");
    let state = app.get("/api/v1/onboarding").await.body;
    assert_eq!(state["demo"], json!({"loaded": false, "can_load": false}));
}

#[actix_web::test]
async fn demo_data_loads_into_a_new_workspace_too() {
    let app = TestApp::spawn().await;
    let ws = uuid::Uuid::now_v7();
    {
        let mut conn = app.pool.get().await.unwrap();
        let id = rapport::db::WorkspaceId::checked(ws);
        rapport::accounts::store::insert_workspace(&mut conn, id, "Fresh", chrono::Utc::now())
            .await
            .unwrap();
        rapport::accounts::store::seed_workspace(&mut conn, id).await.unwrap();
    }
    app.execute(&format!(
        "INSERT INTO memberships (workspace_id, user_id, role, created_at, updated_at) \
         VALUES ('{ws}', '{}', 'owner', now(), now())",
        app.owner
    ))
    .await;
    let client = crate::common::client_with_token(
        &crate::common::add_token(&app.pool, app.owner, ws, rapport::accounts::dto::TokenScope::Write).await,
    );
    let res = crate::common::send(client.post(format!("{}/api/v1/demo-data", app.base))).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(
        app.scalar(&format!("SELECT count(*) FROM contacts WHERE workspace_id = '{ws}'"))
            .await,
        res.body["contacts"].as_i64().unwrap()
    );
    // The first workspace is untouched.
    assert_eq!(
        app.scalar(&format!("SELECT count(*) FROM contacts WHERE workspace_id <> '{ws}'"))
            .await,
        0
    );
}
