//! Bulk changes: one change to many records by ids or by the list's filters, an outcome per
//! record, history per record plus the batch, an undo that keeps what changed since; bad
//! requests change nothing.

use diesel_async::AsyncConnection;
use serde_json::{Value, json};

use crate::common::TestApp;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn outcome<'a>(res: &'a Value, id: &str) -> &'a Value {
    res["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {res}"))
}

#[actix_web::test]
async fn many_contacts_change_at_once_with_an_outcome_each_and_the_batch_undoes() {
    let app = TestApp::spawn().await;
    let a = id(&app.contact(json!({"first_name": "Ada", "tags": ["vip"]})).await);
    let b = id(&app.contact(json!({"first_name": "Bea"})).await);
    let c = id(&app.contact(json!({"first_name": "Cy"})).await);
    assert_eq!(app.delete(&format!("/api/v1/contacts/{c}")).await.status, 204);
    let stranger = uuid::Uuid::now_v7().to_string();

    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [a, b, c, stranger], "action": {"type": "add_tags", "tags": ["VIP", "Conference"]}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let body = &res.body;
    assert_eq!(
        (
            body["updated"].as_i64(),
            body["unchanged"].as_i64(),
            body["skipped"].as_i64()
        ),
        (Some(2), Some(0), Some(2))
    );
    assert_eq!(outcome(body, &a)["outcome"], "updated");
    assert_eq!(outcome(body, &c)["outcome"], "trashed");
    assert_eq!(outcome(body, &stranger)["outcome"], "not_found");
    assert_eq!(body["summary"], "Added the tags vip, conference to 2 contacts");
    let batch = body["batch_id"].as_str().unwrap().to_owned();
    let tags = |v: Value| v["tags"].clone();
    assert_eq!(
        tags(app.get(&format!("/api/v1/contacts/{a}")).await.body),
        json!(["vip", "conference"])
    );
    assert_eq!(
        tags(app.get(&format!("/api/v1/contacts/{b}")).await.body),
        json!(["vip", "conference"])
    );
    // One history entry per contact, and one for the batch.
    let history = app.get(&format!("/api/v1/contacts/{a}/history")).await;
    assert!(history.text.contains("Updated Ada (tags)"), "{}", history.text);
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM activity WHERE entity = 'bulk' AND entity_id = '{batch}'"
        ))
        .await,
        1
    );
    // The same again changes nothing and makes no batch.
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [a, b], "action": {"type": "add_tags", "tags": ["vip"]}}),
        )
        .await;
    assert_eq!(
        (res.body["updated"].as_i64(), res.body["unchanged"].as_i64()),
        (Some(0), Some(2)),
        "{}",
        res.text
    );
    assert!(res.body["batch_id"].is_null());

    // Bea is edited since; the undo leaves her as she is now.
    let res = app
        .patch(&format!("/api/v1/contacts/{b}"), &json!({"job_title": "Editor"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app.post(&format!("/api/v1/bulk/{batch}/undo"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (res.body["restored"].as_i64(), res.body["kept"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        tags(app.get(&format!("/api/v1/contacts/{a}")).await.body),
        json!(["vip"])
    );
    assert_eq!(
        tags(app.get(&format!("/api/v1/contacts/{b}")).await.body),
        json!(["vip", "conference"])
    );
    app.post(&format!("/api/v1/bulk/{batch}/undo"), &json!({}))
        .await
        .problem(409, "already_undone");
    // The batch, each record and the undo say what they did as codes with parameters too.
    let feed = app.get("/api/v1/activity?entity=bulk").await.body;
    assert_eq!(
        feed["items"][0]["summary"],
        "Undid: Added the tags vip, conference to 2 contacts"
    );
    assert_eq!(
        feed["items"][0]["message"],
        json!({"code": "bulk_undone", "params": {
            "change": "Added the tags vip, conference to 2 contacts", "change_code": "bulk_tags_added",
            "tags": "vip,conference", "n": "2", "kind": "contact"}})
    );
    assert_eq!(
        feed["items"][1]["message"],
        json!({"code": "bulk_tags_added", "params": {"tags": "vip,conference", "n": "2", "kind": "contact"}})
    );
    let history = app.get(&format!("/api/v1/contacts/{a}/history")).await.body;
    assert_eq!(history["items"][0]["summary"], "Undid a bulk change to Ada");
    assert_eq!(
        history["items"][0]["message"],
        json!({"code": "bulk_record_undone", "params": {"name": "Ada"}})
    );
    assert_eq!(
        history["items"][1]["message"],
        json!({"code": "updated", "params": {"name": "Ada", "fields": "tags"}})
    );

    // By the list's filters: everyone tagged "conference" becomes a client.
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"filter": "tag=conference", "action": {"type": "set_lifecycle", "lifecycle": "client"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["updated"], 1, "{}", res.text);
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{b}")).await.body["lifecycle"],
        "client"
    );

    // Tags off, a custom field, an owner, the trash and back.
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [a, b], "action": {"type": "remove_tags", "tags": ["vip"]}}),
        )
        .await;
    assert_eq!(res.body["updated"], 2, "{}", res.text);
    assert_eq!(
        tags(app.get(&format!("/api/v1/contacts/{b}")).await.body),
        json!(["conference"])
    );
    let field = app
        .post(
            "/api/v1/custom-fields",
            &json!({"entity": "contact", "key": "budget", "label": "Budget", "field_type": "number"}),
        )
        .await;
    assert_eq!(field.status, 201, "{}", field.text);
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [a, b], "action": {"type": "set_custom_field", "key": "budget", "value": 5000}}),
        )
        .await;
    assert_eq!(res.body["updated"], 2, "{}", res.text);
    let cf_batch = res.body["batch_id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{a}")).await.body["custom_fields"],
        json!({"budget": 5000})
    );
    let res = app.post(&format!("/api/v1/bulk/{cf_batch}/undo"), &json!({})).await;
    assert_eq!(res.body["restored"], 2, "{}", res.text);
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{a}")).await.body["custom_fields"],
        json!({})
    );
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [a, b], "action": {"type": "set_owner", "owner_id": null}}),
        )
        .await;
    assert_eq!(res.body["updated"], 2, "{}", res.text);
    assert!(app.get(&format!("/api/v1/contacts/{a}")).await.body["owner_id"].is_null());
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [a, b], "action": {"type": "set_owner", "owner_id": app.owner}}),
        )
        .await;
    assert_eq!(res.body["updated"], 2, "{}", res.text);
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [a, b], "action": {"type": "trash"}}),
        )
        .await;
    assert_eq!(res.body["updated"], 2, "{}", res.text);
    assert_eq!(app.get(&format!("/api/v1/contacts/{a}")).await.status, 404);
    let trash_batch = res.body["batch_id"].as_str().unwrap().to_owned();
    let res = app.post(&format!("/api/v1/bulk/{trash_batch}/undo"), &json!({})).await;
    assert_eq!(res.body["restored"], 2, "{}", res.text);
    assert_eq!(app.get(&format!("/api/v1/contacts/{a}")).await.status, 200);
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [c], "action": {"type": "restore"}}),
        )
        .await;
    assert_eq!(res.body["updated"], 1, "{}", res.text);
    assert_eq!(app.get(&format!("/api/v1/contacts/{c}")).await.status, 200);
}

#[actix_web::test]
async fn companies_and_deals_change_in_bulk_too() {
    let app = TestApp::spawn().await;
    let mut companies = Vec::new();
    for name in ["Initech", "Globex"] {
        let res = app.post("/api/v1/companies", &json!({"name": name})).await;
        companies.push(id(&res.body));
    }
    let res = app
        .post(
            "/api/v1/companies/bulk",
            &json!({"filter": "q=initech", "action": {"type": "trash"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["updated"], 1, "{}", res.text);
    assert_eq!(outcome(&res.body, &companies[0])["outcome"], "updated");
    let res = app
        .post(
            "/api/v1/companies/bulk",
            &json!({"ids": companies, "action": {"type": "add_tags", "tags": ["x"]}}),
        )
        .await;
    assert_eq!(res.error_fields(), ["action.type"], "{}", res.text);

    let contact = id(&app.contact(json!({"first_name": "Dee"})).await);
    let deal = app
        .post(
            "/api/v1/deals",
            &json!({"title": "Audit", "contact_id": contact, "value_minor": 10_000}),
        )
        .await;
    let deal = id(&deal.body);
    let res = app
        .post(
            "/api/v1/deals/bulk",
            &json!({"ids": [deal], "action": {"type": "set_owner", "owner_id": null}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // A move to the "won" stage closes the deal and is in its stage history; the undo moves it back.
    let deal_before = app.get(&format!("/api/v1/deals/{deal}")).await.body;
    let pipelines = app.get("/api/v1/pipelines").await.body;
    let won = pipelines["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == deal_before["pipeline_id"])
        .unwrap()["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "won")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let history_path = format!("/api/v1/deals/{deal}/stage-history");
    let moves_before = app.get(&history_path).await.body["items"].as_array().unwrap().len();
    let res = app
        .post(
            "/api/v1/deals/bulk",
            &json!({"ids": [deal], "action": {"type": "set_stage", "stage_id": won}}),
        )
        .await;
    assert_eq!(res.body["updated"], 1, "{}", res.text);
    let moved = app.get(&format!("/api/v1/deals/{deal}")).await.body;
    assert_eq!(
        (moved["status"].as_str(), moved["stage_id"].as_str()),
        (Some("won"), Some(won.as_str()))
    );
    assert!(moved["closed_at"].is_string());
    assert_eq!(
        app.get(&history_path).await.body["items"].as_array().unwrap().len(),
        moves_before + 1
    );
    let batch = res.body["batch_id"].as_str().unwrap().to_owned();
    let res = app.post(&format!("/api/v1/bulk/{batch}/undo"), &json!({})).await;
    assert_eq!(res.body["restored"], 1, "{}", res.text);
    let back = app.get(&format!("/api/v1/deals/{deal}")).await.body;
    assert_eq!(back["stage_id"], deal_before["stage_id"]);
    assert_eq!(back["status"], "open");
    assert!(back["closed_at"].is_null());
    assert_eq!(
        app.get(&history_path).await.body["items"].as_array().unwrap().len(),
        moves_before + 2,
        "the move back is in the history too"
    );
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"ids": [contact], "action": {"type": "set_stage", "stage_id": won}}),
        )
        .await;
    assert_eq!(res.error_fields(), ["action.type"], "{}", res.text);
    let res = app
        .post(
            "/api/v1/deals/bulk",
            &json!({"ids": [deal], "action": {"type": "set_stage", "stage_id": uuid::Uuid::now_v7()}}),
        )
        .await;
    assert_eq!(res.error_fields(), ["action.stage_id"], "{}", res.text);
    let res = app
        .post(
            "/api/v1/deals/bulk",
            &json!({"ids": [deal], "action": {"type": "trash"}}),
        )
        .await;
    assert_eq!(res.body["updated"], 1, "{}", res.text);
    assert_eq!(app.get(&format!("/api/v1/deals/{deal}")).await.status, 404);
    let res = app
        .post(
            "/api/v1/deals/bulk",
            &json!({"filter": "status=open", "action": {"type": "restore"}}),
        )
        .await;
    assert_eq!(res.error_fields(), ["filter"], "{}", res.text);
}

#[actix_web::test]
async fn bad_bulk_requests_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let a = id(&app.contact(json!({"first_name": "Eve", "tags": ["one"]})).await);
    let snapshot = "SELECT sum(version) + count(*) FROM contacts";
    let before = app.scalar(snapshot).await;
    let bulk = |body: Value| {
        let app = &app;
        async move { app.post("/api/v1/contacts/bulk", &body).await }
    };
    let too_many: Vec<String> = (0..10_001).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let res = bulk(json!({"ids": too_many, "action": {"type": "trash"}})).await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["ids"]);
    let res = bulk(json!({"ids": [a], "filter": "tag=one", "action": {"type": "trash"}})).await;
    assert_eq!(res.error_fields(), ["filter"]);
    let res = bulk(json!({"action": {"type": "trash"}})).await;
    assert_eq!(res.error_fields(), ["ids"]);
    let res = bulk(json!({"ids": [a], "action": {"type": "paint"}})).await;
    assert_eq!(res.status, 422, "{}", res.text);
    let res = bulk(json!({"ids": [a], "action": {"type": "add_tags", "tags": []}})).await;
    assert_eq!(res.error_fields(), ["action.tags"], "{}", res.text);
    let res = bulk(json!({"ids": [a], "action": {"type": "add_tags", "tags": ["a,b"]}})).await;
    assert_eq!(res.error_fields(), ["action.tags"], "{}", res.text);
    let res = bulk(json!({"filter": "lifecycle=royalty", "action": {"type": "trash"}})).await;
    assert_eq!(res.status, 422, "{}", res.text);
    let res = bulk(json!({"ids": [a], "action": {"type": "set_custom_field", "key": "nope", "value": 1}})).await;
    assert_eq!(res.status, 422, "{}", res.text);
    let res = bulk(json!({"ids": [a], "action": {"type": "set_owner", "owner_id": uuid::Uuid::now_v7()}})).await;
    assert_eq!(res.status, 422, "{}", res.text);
    // Past 30 tags a contact is refused, the others still change.
    let many: Vec<String> = (0..30).map(|n| format!("t{n}")).collect();
    let res = bulk(json!({"ids": [a], "action": {"type": "add_tags", "tags": many}})).await;
    assert_eq!(outcome(&res.body, &a)["outcome"], "refused", "{}", res.text);
    assert_eq!(outcome(&res.body, &a)["error"], "a contact has at most 30 tags");
    // More than 1 MiB of body.
    let huge = "x".repeat(1024 * 1024 + 1);
    let res = bulk(json!({"ids": [a], "filter": huge, "action": {"type": "trash"}})).await;
    res.problem(413, "payload_too_large");
    assert_eq!(app.scalar(snapshot).await, before, "nothing changed");
    assert_eq!(app.scalar("SELECT count(*) FROM bulk_batches").await, 0);
    app.post(&format!("/api/v1/bulk/{}/undo", uuid::Uuid::now_v7()), &json!({}))
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn a_batch_can_be_undone_for_30_days_and_not_after() {
    let app = TestApp::spawn().await;
    let a = id(&app.contact(json!({"first_name": "Fay"})).await);
    let ws = rapport::db::DEFAULT_WORKSPACE;
    let mut conn = app.pool.get().await.unwrap();
    let t0 = chrono::Utc::now();
    let req = || rapport::bulk::dto::BulkRequest {
        ids: Some(vec![a.parse().unwrap()]),
        filter: None,
        view_id: None,
        action: rapport::bulk::dto::BulkAction::Trash,
    };
    let done = rapport::bulk::service::apply(
        &mut conn,
        ws,
        rapport::bulk::dto::BulkKind::Contact,
        req(),
        rapport::views::service::Viewer {
            user: app.owner,
            role: rapport::accounts::dto::Role::Owner,
        },
        t0,
    )
    .await
    .unwrap();
    let batch = done.batch_id.unwrap();
    let late = t0 + chrono::Duration::days(30) + chrono::Duration::minutes(1);
    let err = rapport::bulk::service::undo(&mut conn, ws, batch, late)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "undo_expired");
    rapport::bulk::service::undo(&mut conn, ws, batch, t0 + chrono::Duration::days(29))
        .await
        .unwrap();
    assert_eq!(app.get(&format!("/api/v1/contacts/{a}")).await.status, 200);
}

/// A bulk change writes its records' search index entries into the indexes' pending lists and
/// merges them once, at its end (and so does its undo): no entry is left pending for searches to
/// scan, while requests' own sessions merge theirs every 512 kB.
#[actix_web::test]
async fn a_bulk_change_merges_its_search_index_entries_once_at_its_end() {
    let app = TestApp::spawn().await;
    let limit = "SELECT pg_size_bytes(current_setting('gin_pending_list_limit'))";
    assert_eq!(app.scalar(limit).await, 512 * 1024);
    app.execute(&format!(
        "INSERT INTO contacts (id, workspace_id, first_name, last_name, emails, created_at, updated_at) \
         SELECT gen_random_uuid(), '{}', 'Quill', 'Harrow ' || n, ARRAY['quill' || n || '@harrow.example'], now(), now() \
         FROM generate_series(1, 400) n",
        rapport::db::DEFAULT_WORKSPACE_ID
    ))
    .await;
    app.merge_contact_index_entries().await;
    assert_eq!(app.pending_contact_index_entries().await, 0);

    // A tag makes each contact a new row version with about a hundred entries in these indexes.
    let res = app
        .post(
            "/api/v1/contacts/bulk",
            &json!({"filter": "q=harrow", "action": {"type": "add_tags", "tags": ["harrow-list"]}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["updated"], 400, "{}", res.text);
    assert_eq!(
        app.pending_contact_index_entries().await,
        0,
        "the bulk change's entries were merged"
    );
    let found = app
        .get("/api/v1/contacts?q=quill%20harrow&include_total=true&tag=harrow-list")
        .await;
    assert_eq!(found.body["total"], 400, "{}", found.text);

    let batch = res.body["batch_id"].as_str().unwrap();
    let undo = app.post(&format!("/api/v1/bulk/{batch}/undo"), &json!({})).await;
    assert_eq!(undo.status, 200, "{}", undo.text);
    assert_eq!(
        app.pending_contact_index_entries().await,
        0,
        "the undo's entries were merged"
    );
    let found = app.get("/api/v1/contacts?tag=harrow-list&include_total=true").await;
    assert_eq!(found.body["total"], 0, "{}", found.text);

    // Inside a transaction the limit is raised until the merge, which puts the session's back.
    let mut conn = app.pool.get().await.unwrap();
    let limits: (i64, i64) = conn
        .transaction::<_, diesel::result::Error, _>(async |conn| {
            let read = async |conn: &mut diesel_async::AsyncPgConnection| {
                use diesel_async::RunQueryDsl;
                #[derive(diesel::QueryableByName)]
                struct Limit {
                    #[diesel(sql_type = diesel::sql_types::BigInt)]
                    n: i64,
                }
                diesel::sql_query(format!("{limit} AS n"))
                    .get_result::<Limit>(conn)
                    .await
                    .map(|l| l.n)
            };
            rapport::search::store::defer_index_merges(conn).await?;
            let raised = read(conn).await?;
            rapport::search::store::merge_pending(conn, "contacts").await?;
            Ok((raised, read(conn).await?))
        })
        .await
        .unwrap();
    assert_eq!(limits, (64 * 1024 * 1024, 512 * 1024));
}
