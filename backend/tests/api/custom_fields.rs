//! Custom fields: definitions, values checked on write, filters, and deleting a field.

use serde_json::{Value, json};

use crate::common::TestApp;

async fn define(app: &TestApp, body: Value) -> Value {
    let res = app.post("/api/v1/custom-fields", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

#[actix_web::test]
async fn values_are_checked_stored_and_filterable() {
    let app = TestApp::spawn().await;
    define(&app, json!({"entity": "contact", "key": "tier", "label": "Tier", "field_type": "select", "options": ["gold", "silver"]})).await;
    define(
        &app,
        json!({"entity": "contact", "key": "budget", "label": "Budget", "field_type": "number"}),
    )
    .await;
    define(
        &app,
        json!({"entity": "contact", "key": "renewal", "label": "Renewal", "field_type": "date"}),
    )
    .await;
    define(&app, json!({"entity": "contact", "key": "channels", "label": "Channels", "field_type": "multi_select", "options": ["email", "phone"]})).await;
    let list = app.get("/api/v1/custom-fields?entity=contact").await.body;
    let keys: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        vec!["tier", "budget", "renewal", "channels"],
        "in the order they were made"
    );

    let ada = app
        .contact(json!({"first_name": "Ada", "custom_fields": {"tier": "gold", "budget": 5000, "channels": ["email"], "renewal": "2027-03-01"}}))
        .await;
    assert_eq!(
        ada["custom_fields"],
        json!({"tier": "gold", "budget": 5000, "channels": ["email"], "renewal": "2027-03-01"})
    );
    app.contact(json!({"first_name": "Bob", "custom_fields": {"tier": "silver", "channels": ["email", "phone"]}}))
        .await;

    let before = app.scalar("SELECT count(*) FROM contacts").await;
    let res = app
        .post(
            "/api/v1/contacts",
            &json!({"first_name": "X", "custom_fields": {"tier": "bronze", "budget": "lots", "colour": "red"}}),
        )
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(
        res.error_fields(),
        vec!["custom_fields.budget", "custom_fields.colour", "custom_fields.tier"]
    );
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, before);

    // PATCH merges; null removes.
    let path = format!("/api/v1/contacts/{}", ada["id"].as_str().unwrap());
    let res = app
        .patch(&path, &json!({"custom_fields": {"budget": 7500.5, "renewal": null}}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body["custom_fields"],
        json!({"tier": "gold", "budget": 7500.5, "channels": ["email"]})
    );
    app.patch(&path, &json!({"custom_fields": {"renewal": "31/12/2027"}}))
        .await
        .problem(422, "validation_failed");

    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["first_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&app.get("/api/v1/contacts?custom_field=tier:gold").await.body),
        vec!["Ada"]
    );
    assert_eq!(
        names(&app.get("/api/v1/contacts?custom_field=channels:phone").await.body),
        vec!["Bob"]
    );
    assert_eq!(
        names(&app.get("/api/v1/contacts?custom_field=budget:7500.5").await.body),
        vec!["Ada"]
    );
    app.get("/api/v1/contacts?custom_field=nope:1")
        .await
        .problem(422, "validation_failed");
    app.get("/api/v1/contacts?custom_field=budget:lots")
        .await
        .problem(422, "validation_failed");
}

#[actix_web::test]
async fn edits_of_different_fields_at_the_same_time_all_land() {
    // Each edit merges its values into the record's as its statement finds them: edits sent at
    // once, each setting another field (and one clearing a field), keep each other's values.
    let app = TestApp::spawn().await;
    let keys: Vec<String> = (0..12).map(|i| format!("f{i}")).collect();
    for key in &keys {
        define(
            &app,
            json!({"entity": "contact", "key": key, "label": key, "field_type": "number"}),
        )
        .await;
        define(
            &app,
            json!({"entity": "company", "key": key, "label": key, "field_type": "number"}),
        )
        .await;
    }
    let ada = app
        .contact(json!({"first_name": "Ada", "custom_fields": {"f11": 1}}))
        .await;
    let company = app
        .post(
            "/api/v1/companies",
            &json!({"name": "Engines", "custom_fields": {"f11": 1}}),
        )
        .await;
    assert_eq!(company.status, 201, "{}", company.text);
    for path in [
        format!("/api/v1/contacts/{}", ada["id"].as_str().unwrap()),
        format!("/api/v1/companies/{}", company.body["id"].as_str().unwrap()),
    ] {
        let edits: Vec<Value> = (0..11)
            .map(|i| json!({"custom_fields": {format!("f{i}"): i}}))
            .chain([json!({"custom_fields": {"f11": null}})])
            .collect();
        let answers = futures_util::future::join_all(edits.iter().map(|e| app.patch(&path, e))).await;
        for answer in &answers {
            assert_eq!(answer.status, 200, "{}", answer.text);
        }
        let values = app.get(&path).await.body["custom_fields"].clone();
        let expected: serde_json::Map<String, Value> = (0..11).map(|i| (format!("f{i}"), json!(i))).collect();
        assert_eq!(values, Value::Object(expected), "{path}");
        let version = app.get(&path).await.body["version"].clone();
        assert_eq!(version, json!(13), "one version per edit: {path}");
    }
}

#[actix_web::test]
async fn definitions_are_checked_and_deleting_one_removes_its_values() {
    let app = TestApp::spawn().await;
    for (body, field) in [
        (
            json!({"entity": "contact", "key": "Bad Key", "label": "x", "field_type": "text"}),
            "key",
        ),
        (
            json!({"entity": "contact", "key": "tier", "label": "Tier", "field_type": "select"}),
            "options",
        ),
        (
            json!({"entity": "contact", "key": "note", "label": "Note", "field_type": "text", "options": ["a"]}),
            "options",
        ),
        (
            json!({"entity": "invoice", "key": "x", "label": "x", "field_type": "text"}),
            "entity",
        ),
        (
            json!({"entity": "contact", "key": "x", "label": "x", "field_type": "colour"}),
            "field_type",
        ),
    ] {
        let res = app.post("/api/v1/custom-fields", &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field], "{body}: {}", res.text);
    }
    let nda = define(
        &app,
        json!({"entity": "contact", "key": "nda", "label": "NDA signed", "field_type": "boolean"}),
    )
    .await;
    app.post(
        "/api/v1/custom-fields",
        &json!({"entity": "contact", "key": "nda", "label": "Again", "field_type": "text"}),
    )
    .await
    .problem(409, "already_exists");
    // The same key on another entity is fine.
    define(
        &app,
        json!({"entity": "company", "key": "nda", "label": "NDA", "field_type": "boolean"}),
    )
    .await;
    let company = app
        .post(
            "/api/v1/companies",
            &json!({"name": "Engines", "custom_fields": {"nda": true}}),
        )
        .await;
    assert_eq!(company.body["custom_fields"], json!({"nda": true}), "{}", company.text);
    let c = app
        .contact(json!({"first_name": "Ada", "custom_fields": {"nda": false}}))
        .await;
    // Renaming keeps values; type and key cannot change.
    let id = nda["id"].as_str().unwrap();
    let res = app
        .patch(&format!("/api/v1/custom-fields/{id}"), &json!({"label": "NDA on file"}))
        .await;
    assert_eq!(res.body["label"], "NDA on file", "{}", res.text);
    app.patch(&format!("/api/v1/custom-fields/{id}"), &json!({"field_type": "text"}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(app.delete(&format!("/api/v1/custom-fields/{id}")).await.status, 204);
    let contact = app
        .get(&format!("/api/v1/contacts/{}", c["id"].as_str().unwrap()))
        .await
        .body;
    assert_eq!(contact["custom_fields"], json!({}));
    let company = app
        .get(&format!("/api/v1/companies/{}", company.body["id"].as_str().unwrap()))
        .await
        .body;
    assert_eq!(
        company["custom_fields"],
        json!({"nda": true}),
        "other entities keep theirs"
    );
}

#[actix_web::test]
async fn deleting_a_deal_field_removes_its_values_from_deals() {
    let app = TestApp::spawn().await;
    let field = app
        .post(
            "/api/v1/custom-fields",
            &json!({"entity": "deal", "key": "channel", "label": "Channel", "field_type": "text"}),
        )
        .await;
    assert_eq!(field.status, 201, "{}", field.text);
    let deal = app
        .post(
            "/api/v1/deals",
            &json!({"title": "Retainer", "custom_fields": {"channel": "partner"}}),
        )
        .await;
    assert_eq!(deal.body["custom_fields"]["channel"], "partner", "{}", deal.text);
    let id = field.body["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/custom-fields/{id}")).await.status, 204);
    let after = app
        .get(&format!("/api/v1/deals/{}", deal.body["id"].as_str().unwrap()))
        .await;
    assert!(after.body["custom_fields"].get("channel").is_none(), "{}", after.text);
}
