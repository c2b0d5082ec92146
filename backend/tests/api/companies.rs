//! Companies over HTTP: CRUD, search and pages, name uniqueness, contact counts, trash.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::TestApp;

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn create_read_and_count_contacts() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/api/v1/companies",
            &json!({"name": " Analytical Engines ", "domain": "https://www.Engines.example/about", "industry": "Manufacturing", "size": "11-50"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let c = &res.body;
    let id = c["id"].as_str().unwrap();
    assert_eq!(res.header("location"), Some(format!("/api/v1/companies/{id}").as_str()));
    assert_eq!(c["name"], "Analytical Engines");
    assert_eq!(c["domain"], "engines.example");
    assert_eq!(c["contact_count"], 0);
    // Contacts naming it (in any case) link to it.
    app.contact(json!({"first_name": "Ada", "company_name": "analytical engines"}))
        .await;
    let b = app.contact(json!({"first_name": "Charles", "company_id": id})).await;
    assert_eq!(b["company"]["name"], "Analytical Engines");
    let got = app.get(&format!("/api/v1/companies/{id}")).await;
    assert_eq!(got.body["contact_count"], 2);
    assert_eq!(got.header("etag"), Some("\"1\""));
    // Trashed contacts do not count.
    app.delete(&format!("/api/v1/contacts/{}", b["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        app.get(&format!("/api/v1/companies/{id}")).await.body["contact_count"],
        1
    );
    assert_eq!(app.scalar("SELECT count(*) FROM companies").await, 1);
}

#[actix_web::test]
async fn names_are_unique_ignoring_case() {
    let app = TestApp::spawn().await;
    app.post("/api/v1/companies", &json!({"name": "Acme"})).await;
    let res = app.post("/api/v1/companies", &json!({"name": "ACME"})).await;
    res.problem(409, "already_exists");
    assert!(res.body["detail"].as_str().unwrap().contains("ACME"));
    let other = app.post("/api/v1/companies", &json!({"name": "Globex"})).await.body;
    let res = app
        .patch(
            &format!("/api/v1/companies/{}", other["id"].as_str().unwrap()),
            &json!({"name": "acme"}),
        )
        .await;
    res.problem(409, "already_exists");
    assert_eq!(
        app.scalar("SELECT count(*) FROM companies WHERE name = 'Globex' AND version = 1")
            .await,
        1
    );
}

#[actix_web::test]
async fn list_search_sort_and_pages() {
    let app = TestApp::spawn().await;
    for (name, industry, location) in [
        ("Zeta Labs", "Software", "Berlin"),
        ("alpha foods", "Food", "Osaka"),
        ("Beta Bikes", "Retail", "Barcelona"),
        ("Gamma Soft", "software", "Austin"),
    ] {
        app.post(
            "/api/v1/companies",
            &json!({"name": name, "industry": industry, "location": location}),
        )
        .await;
    }
    let all = app.get("/api/v1/companies?include_total=true").await;
    assert_eq!(
        names(&all.body),
        vec!["alpha foods", "Beta Bikes", "Gamma Soft", "Zeta Labs"],
        "name order by default"
    );
    assert_eq!(all.body["total"], 4);
    assert_eq!(
        names(&app.get("/api/v1/companies?q=osaka").await.body),
        vec!["alpha foods"]
    );
    assert_eq!(
        names(&app.get("/api/v1/companies?industry=SOFTWARE").await.body),
        vec!["Gamma Soft", "Zeta Labs"]
    );
    assert_eq!(
        names(&app.get("/api/v1/companies?sort=-created_at&limit=1").await.body),
        vec!["Gamma Soft"]
    );
    let mut seen = Vec::new();
    let mut path = "/api/v1/companies?limit=3&sort=-name".to_owned();
    loop {
        let page = app.get(&path).await;
        seen.extend(names(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/companies?limit=3&sort=-name&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, vec!["Zeta Labs", "Gamma Soft", "Beta Bikes", "alpha foods"]);
}

#[actix_web::test]
async fn update_with_versions_and_trash() {
    let app = TestApp::spawn().await;
    let c = app
        .post("/api/v1/companies", &json!({"name": "Acme", "industry": "Anvils"}))
        .await
        .body;
    let path = format!("/api/v1/companies/{}", c["id"].as_str().unwrap());
    let res = app
        .request(Method::PATCH, &path, |r| {
            r.header("If-Match", "\"1\"")
                .json(&json!({"industry": null, "size": "2-10"}))
        })
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["industry"].is_null());
    assert_eq!(res.body["size"], "2-10");
    let res = app
        .request(Method::PATCH, &path, |r| {
            r.header("If-Match", "\"1\"").json(&json!({"name": "Stale"}))
        })
        .await;
    res.problem(412, "version_conflict");
    assert_eq!(app.get(&path).await.body["name"], "Acme");

    assert_eq!(app.delete(&path).await.status, 204);
    app.get(&path).await.problem(404, "trashed");
    app.get(&format!("{path}/history")).await.problem(404, "trashed");
    app.patch(&path, &json!({"name": "Renamed"}))
        .await
        .problem(404, "trashed");
    app.delete(&path).await.problem(404, "trashed");
    assert_eq!(
        app.get(&format!("{path}/history?include_trashed=true")).await.status,
        200
    );
    assert!(app.get(&format!("{path}?include_trashed=true")).await.body["deleted_at"].is_string());
    assert!(names(&app.get("/api/v1/companies").await.body).is_empty());
    assert_eq!(
        names(&app.get("/api/v1/companies?trashed=true").await.body),
        vec!["Acme"]
    );
    // A new company may take the name meanwhile; restoring the old one then conflicts.
    let newer = app.post("/api/v1/companies", &json!({"name": "acme"})).await;
    assert_eq!(newer.status, 201);
    app.post(&format!("{path}/restore"), &json!({}))
        .await
        .problem(409, "already_exists");
    app.delete(&format!("/api/v1/companies/{}", newer.body["id"].as_str().unwrap()))
        .await;
    let res = app.post(&format!("{path}/restore"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["deleted_at"].is_null());
    assert_eq!(res.body["contact_count"], 0);

    // An edit answers with the live contacts; its entry names the company as the edit leaves it.
    app.contact(json!({"first_name": "Wile", "company_id": c["id"]})).await;
    let renamed = app.patch(&path, &json!({"name": "Acme Anvils"})).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.body["contact_count"], 1);
    let noted = app.patch(&path, &json!({"notes": "Ships by rocket"})).await;
    assert_eq!(noted.body["contact_count"], 1);
    let history = app.get(&format!("{path}/history")).await;
    let summaries: Vec<&str> = history.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        [
            "Updated company Acme Anvils: notes",
            "Updated company Acme Anvils: name",
            "Restored company Acme from the trash",
            "Moved company Acme to the trash",
            "Updated company Acme: industry, size",
            "Added company Acme",
        ],
        "the stale edit, the refused restore and the second trash wrote nothing: {}",
        history.text
    );
    let entry = &history.body["items"][0];
    assert_eq!(entry["message"]["params"]["name"], "Acme Anvils", "{entry}");
    assert!(entry["contact_id"].is_null(), "{entry}");
}

#[actix_web::test]
async fn bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let c = app.post("/api/v1/companies", &json!({"name": "Acme"})).await.body;
    let path = format!("/api/v1/companies/{}", c["id"].as_str().unwrap());
    for (body, field) in [
        (json!({}), "name"),
        (json!({"name": "  "}), "name"),
        (json!({"name": "x".repeat(201)}), "name"),
        (json!({"name": "A", "domain": "not a domain"}), "domain"),
        (json!({"name": "A", "employees": 5}), "employees"),
    ] {
        let res = app.post("/api/v1/companies", &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field], "{body}");
    }
    app.patch(&path, &json!({"name": null}))
        .await
        .problem(422, "validation_failed");
    for q in ["limit=0", "sort=size", "cursor=nope", "trashed=perhaps"] {
        app.get(&format!("/api/v1/companies?{q}"))
            .await
            .problem(422, "validation_failed");
    }
    app.get(&format!("/api/v1/companies/{}", uuid::Uuid::now_v7()))
        .await
        .problem(404, "not_found");
    app.get("/api/v1/companies/acme").await.problem(404, "not_found");
    assert_eq!(app.scalar("SELECT count(*) FROM companies").await, 1);
    assert_eq!(app.scalar("SELECT max(version) FROM companies").await, 1);
}

#[actix_web::test]
async fn company_and_deal_lists_take_fields_too() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/api/v1/companies",
            &serde_json::json!({"name": "Northwind", "domain": "northwind.example", "notes": "n"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = app.get("/api/v1/companies?fields=name,contact_count").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let item = res.body["items"][0].as_object().unwrap();
    let mut keys: Vec<&str> = item.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["contact_count", "id", "name"]);

    let pipelines = app.get("/api/v1/pipelines").await;
    let pipeline = &pipelines.body["items"][0];
    let res = app
        .post(
            "/api/v1/deals",
            &serde_json::json!({"title": "Website", "pipeline_id": pipeline["id"],
                "stage_id": pipeline["stages"][0]["id"], "value_minor": 120000, "currency": "EUR"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = app.get("/api/v1/deals?fields=title,stage_name,value_minor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body["items"][0],
        serde_json::json!({"id": res.body["items"][0]["id"], "title": "Website",
            "stage_name": pipeline["stages"][0]["name"], "value_minor": 120000})
    );
    // Bad fields and another bad parameter: one 422 naming both.
    let res = app.get("/api/v1/deals?fields=title,secret&status=maybe").await;
    assert_eq!(res.status, 422, "{}", res.text);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["fields", "status"]);
    let res = app.get("/api/v1/companies?fields=name,contacts&limit=500").await;
    assert_eq!(res.status, 422, "{}", res.text);
    let mut fields = res.error_fields();
    fields.sort();
    assert_eq!(fields, ["fields", "limit"]);
}
