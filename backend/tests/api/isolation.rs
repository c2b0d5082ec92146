//! Proof that no one sees or changes another workspace. Two workspaces are filled with data in
//! every resource; then **every operation of the OpenAPI document** is tried with the first
//! workspace's API token and with its session cookie against the second workspace's ids, lists
//! and references: nothing of the second workspace is ever returned, changed or counted. A new
//! operation is covered automatically; one with a path parameter this file cannot fill makes the
//! test fail. Also: a `read_only` member changes nothing through any operation that needs more,
//! a `read` token writes nothing, and every non-public operation refuses an anonymous caller.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::{OWNER_EMAIL, PASSWORD, Resp, TestApp, add_token, add_user, client_with_cookie, client_with_token};
use rapport::accounts::dto::{Role, TokenScope};
use rapport::db::DEFAULT_WORKSPACE_ID;
use rapport::http::auth::{Access, policy};

/// The ids of one workspace's records, by the name of the path segment that leads to them.
struct Data {
    ids: BTreeMap<&'static str, String>,
    stages: Vec<String>,
}

impl Data {
    fn id(&self, segment: &str) -> Option<&str> {
        self.ids.get(segment).map(String::as_str)
    }
}

async fn created(app: &TestApp, client: &reqwest::Client, path: &str, body: Value) -> Value {
    let res = app.request_as(client, Method::POST, path, |r| r.json(&body)).await;
    assert!(res.status.is_success(), "POST {path}: {}", res.text);
    res.body
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_owned()
}

/// One of everything, named with `p` so that it can be recognised in any answer.
async fn fill(app: &TestApp, client: &reqwest::Client, p: &str, user: Uuid, token_id: String) -> Data {
    let mut ids = BTreeMap::new();
    let company = created(
        app,
        client,
        "/api/v1/companies",
        json!({"name": format!("{p} Corp"), "domain": format!("{}.example", p.to_lowercase())}),
    )
    .await;
    let contact = created(
        app,
        client,
        "/api/v1/contacts",
        json!({"first_name": p, "last_name": "Person", "emails": [format!("{}@example.com", p.to_lowercase())],
               "phones": ["+44 20 7946 0001"], "company_name": format!("{p} Corp"), "tags": [format!("{p}tag")],
               "lifecycle": "lead"}),
    )
    .await;
    let contact_id = id_of(&contact);
    let interaction = created(
        app,
        client,
        "/api/v1/interactions",
        json!({"contact_id": contact_id, "kind": "call", "subject": format!("{p} call"), "body": format!("{p} notes"),
               "occurred_at": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339()}),
    )
    .await;
    let reminder = created(
        app,
        client,
        "/api/v1/reminders",
        json!({"contact_id": contact_id, "title": format!("{p} reminder"),
               "due_at": (chrono::Utc::now() + chrono::Duration::hours(3)).to_rfc3339()}),
    )
    .await;
    let template = created(
        app,
        client,
        "/api/v1/templates",
        json!({"name": format!("{p} template"), "scenario": "follow_up", "subject": format!("Hi {p}"), "body": format!("{p} body")}),
    )
    .await;
    let pipeline = created(
        app,
        client,
        "/api/v1/pipelines",
        json!({"name": format!("{p} pipeline"), "stages": [
            {"name": format!("{p} open"), "probability": 20},
            {"name": format!("{p} won"), "probability": 100, "kind": "won"},
            {"name": format!("{p} lost"), "probability": 0, "kind": "lost"}]}),
    )
    .await;
    let stages: Vec<String> = pipeline["stages"].as_array().unwrap().iter().map(id_of).collect();
    let deal = created(
        app,
        client,
        "/api/v1/deals",
        json!({"title": format!("{p} deal"), "contact_id": contact_id, "value_minor": 424200, "currency": "EUR",
               "pipeline_id": id_of(&pipeline), "stage_id": stages[0], "expected_close_date": "2027-01-15"}),
    )
    .await;
    let payment = created(
        app,
        client,
        "/api/v1/payments",
        json!({"contact_id": contact_id, "deal_id": id_of(&deal), "amount_minor": 42420, "currency": "EUR",
               "received_on": chrono::Utc::now().date_naive().to_string(), "note": format!("{p} invoice")}),
    )
    .await;
    let product = created(
        app,
        client,
        "/api/v1/products",
        json!({"name": format!("{p} product"), "price_minor": 4242, "currency": "EUR"}),
    )
    .await;
    let proposal = created(
        app,
        client,
        "/api/v1/proposals",
        json!({"deal_id": id_of(&deal), "lines": [{"description": format!("{p} line"), "quantity": 1,
               "unit_price_minor": 4242, "product_id": id_of(&product)}]}),
    )
    .await;
    let field = created(
        app,
        client,
        "/api/v1/custom-fields",
        json!({"entity": "contact", "key": format!("{}_key", p.to_lowercase()), "label": format!("{p} label"), "field_type": "text"}),
    )
    .await;
    let chat = created(
        app,
        client,
        &format!("/api/v1/contacts/{contact_id}/chat"),
        json!({"message": format!("{p}?")}),
    )
    .await;
    created(
        app,
        client,
        &format!("/api/v1/contacts/{contact_id}/insights"),
        json!(null),
    )
    .await;
    created(app, client, "/api/v1/calendar/link", json!(null)).await;
    let invitation = created(
        app,
        client,
        "/api/v1/invitations",
        json!({"email": format!("{}-invitee@example.com", p.to_lowercase()), "role": "member"}),
    )
    .await;
    let boundary = "isolation-boundary";
    let csv = format!(
        "Name,Email\r\n{p} Imported,{}-imported@example.com\r\n",
        p.to_lowercase()
    );
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{p}.csv\"\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let import = app
        .request_as(client, Method::POST, "/api/v1/imports", |r| {
            r.header("content-type", format!("multipart/form-data; boundary={boundary}"))
                .body(form)
        })
        .await;
    assert_eq!(import.status, 201, "{}", import.text);
    let previewed = created(
        app,
        client,
        &format!("/api/v1/imports/{}/preview", id_of(&import.body)),
        json!({"mapping": {"Name": "full_name", "Email": "email"}}),
    )
    .await;
    assert_eq!(previewed["counts"]["create"], 1);
    let mapping = created(
        app,
        client,
        "/api/v1/import-mappings",
        json!({"name": format!("{p} mapping"), "mapping": {"Name": "full_name"}}),
    )
    .await;
    ids.insert("import-mappings", id_of(&mapping));
    let export = app.request_as(client, Method::POST, "/api/v1/exports", |r| r).await;
    assert_eq!(export.status, 202, "{}", export.text);
    ids.insert("exports", id_of(&export.body));
    // Two more contacts, merged: the merge's id (undoing it must stay within the workspace).
    let twin_a = created(
        app,
        client,
        "/api/v1/contacts",
        json!({"first_name": format!("{p} twin")}),
    )
    .await;
    let twin_b = created(
        app,
        client,
        "/api/v1/contacts",
        json!({"first_name": format!("{p} twin")}),
    )
    .await;
    let merge = created(
        app,
        client,
        "/api/v1/contacts/merge",
        json!({"survivor_id": id_of(&twin_a), "merged_id": id_of(&twin_b)}),
    )
    .await;
    ids.insert("merges", merge["merge_id"].as_str().unwrap().to_owned());
    let bulk = created(
        app,
        client,
        "/api/v1/contacts/bulk",
        json!({"ids": [id_of(&twin_a)], "action": {"type": "add_tags", "tags": [format!("{}-bulk", p.to_lowercase())]}}),
    )
    .await;
    ids.insert("bulk", bulk["batch_id"].as_str().unwrap().to_owned());
    let view = created(
        app,
        client,
        "/api/v1/views",
        json!({"type": "contact", "name": format!("{p} view"), "query": format!("q={p}"), "shared": true}),
    )
    .await;
    ids.insert("views", id_of(&view));
    // A webhook (to a closed port) and the log entry of its test event.
    let hook = created(
        app,
        client,
        "/api/v1/webhooks",
        json!({"url": "http://127.0.0.1:9/hook", "events": ["contact.created"], "description": format!("{p} hook")}),
    )
    .await;
    let test = created(
        app,
        client,
        &format!("/api/v1/webhooks/{}/test", id_of(&hook)),
        json!({}),
    )
    .await;
    ids.insert("webhooks", id_of(&hook));
    let form = created(
        app,
        client,
        "/api/v1/forms",
        json!({"name": format!("{p} form"), "tags": [p.to_lowercase()]}),
    )
    .await;
    ids.insert("forms", id_of(&form));
    let sequence = created(
        app,
        client,
        "/api/v1/sequences",
        json!({"name": format!("{p} sequence"), "steps": [{"template_id": id_of(&template), "delay_days": 1}]}),
    )
    .await;
    let enrolled = app
        .request_as(
            client,
            Method::POST,
            &format!("/api/v1/sequences/{}/enrollments", id_of(&sequence)),
            |r| r.json(&json!({"contact_ids": [contact_id.clone()]})),
        )
        .await;
    assert_eq!(enrolled.status, 200, "{}", enrolled.text);
    ids.insert("sequences", id_of(&sequence));
    ids.insert("sequence-enrollments", id_of(&enrolled.body["enrolled"][0]));
    ids.insert("webhook-deliveries", id_of(&test));
    ids.insert("imports", id_of(&import.body));
    ids.insert("companies", id_of(&company));
    ids.insert("contacts", contact_id);
    ids.insert("interactions", id_of(&interaction));
    ids.insert("reminders", id_of(&reminder));
    ids.insert("templates", id_of(&template));
    ids.insert("pipelines", id_of(&pipeline));
    ids.insert("stages", stages[0].clone());
    ids.insert("deals", id_of(&deal));
    ids.insert("payments", id_of(&payment));
    ids.insert("products", id_of(&product));
    ids.insert("proposals", id_of(&proposal));
    ids.insert("custom-fields", id_of(&field));
    ids.insert("conversations", chat["conversation"]["id"].as_str().unwrap().to_owned());
    ids.insert("invitations", id_of(&invitation));
    ids.insert("members", user.to_string());
    ids.insert("api-tokens", token_id);
    Data { ids, stages }
}

/// A fingerprint of everything a workspace holds: every table with a `workspace_id`, row by row.
async fn snapshot(app: &TestApp, workspace: &str) -> BTreeMap<String, String> {
    #[derive(diesel::QueryableByName)]
    struct Table {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Digest {
        #[diesel(sql_type = diesel::sql_types::Text)]
        digest: String,
    }
    use diesel_async::RunQueryDsl;
    let mut conn = app.pool.get().await.unwrap();
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT table_name::text AS table_name FROM information_schema.columns \
         WHERE table_schema = 'public' AND column_name = 'workspace_id' ORDER BY table_name",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let d: Digest = diesel::sql_query(format!(
            // When a credential was last used is bookkeeping of its own use, not data.
            "SELECT count(*) || ':' || md5(coalesce(string_agg(r, '|' ORDER BY r), '')) AS digest \
             FROM (SELECT (to_jsonb(t) - 'last_used_at' - 'last_seen_at')::text AS r \
                   FROM {} t WHERE workspace_id = '{workspace}') rows",
            t.table_name
        ))
        .get_result(&mut conn)
        .await
        .unwrap();
        out.insert(t.table_name, d.digest);
    }
    out
}

struct Operation {
    method: Method,
    path: String,
    id: String,
    body: Option<Value>,
    query_ids: Vec<String>,
}

fn operations(doc: &Value) -> Vec<Operation> {
    let schemas = &doc["components"]["schemas"];
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "patch" => Method::PATCH,
                "put" => Method::PUT,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let content = &op["requestBody"]["content"]["application/json"];
            let body = if content.is_null() {
                None
            } else {
                let example = content.get("example").cloned().or_else(|| {
                    let name = content["schema"]["$ref"].as_str()?.rsplit('/').next()?;
                    schemas[name].get("example").cloned()
                });
                Some(example.unwrap_or_else(|| json!({})))
            };
            let query_ids = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "query" && p["name"].as_str().is_some_and(|n| n.ends_with("_id")))
                        .map(|p| p["name"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            out.push(Operation {
                method,
                path: path.clone(),
                id: op["operationId"].as_str().unwrap().to_owned(),
                body,
                query_ids,
            });
        }
    }
    out
}

/// Fills `{param}`s with the ids of `data` (by the segment before each); None names a parameter
/// this file does not know — a new endpoint to cover.
fn fill_path(path: &str, data: &Data) -> Result<String, String> {
    let mut out = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        if seg.starts_with('{') {
            let before = if segments[i - 1] == "conversations" {
                "conversations"
            } else {
                segments[i - 1]
            };
            let id = data.id(before).ok_or_else(|| format!("no id for {seg} in {path}"))?;
            out.push(id.to_owned());
        } else {
            out.push((*seg).to_owned());
        }
    }
    Ok(out.join("/"))
}

/// The body with every reference replaced by `data`'s record of that kind.
fn point_at(body: &Value, data: &Data, workspace: &str) -> Value {
    match body {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let replaced = match k.as_str() {
                        "contact_id" => json!(data.id("contacts")),
                        "deal_id" => json!(data.id("deals")),
                        "company_id" => json!(data.id("companies")),
                        "pipeline_id" => json!(data.id("pipelines")),
                        "stage_id" => json!(data.id("stages")),
                        "product_id" => json!(data.id("products")),
                        "template_id" => json!(data.id("templates")),
                        "workspace_id" => json!(workspace),
                        "stage_ids" => json!(data.stages),
                        "product_ids" => json!([data.id("products")]),
                        _ => point_at(v, data, workspace),
                    };
                    (k.clone(), replaced)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|v| point_at(v, data, workspace)).collect()),
        other => other.clone(),
    }
}

/// Operations not run against the other workspace, each with the reason it cannot leak.
const NOT_SWEPT: &[(&str, &str)] = &[
    ("health", "no data"),
    ("ready", "no data"),
    ("login", "public; answers only the credential's own user"),
    ("signup", "public; creates a new account and workspace"),
    ("get_setup_status", "public; two booleans"),
    ("get_invitation", "public by a secret link (tested in accounts.rs)"),
    ("accept_invitation", "public by a secret link (tested in accounts.rs)"),
    ("get_password_reset", "public by a secret link (tested in accounts.rs)"),
    ("reset_password", "public by a secret link (tested in accounts.rs)"),
    (
        "get_calendar_ics",
        "public by a secret link; the feed of the link's workspace (checked below)",
    ),
    (
        "get_form_page",
        "public by the form's id: the page of the form's own workspace (tested in forms.rs)",
    ),
    (
        "get_unsubscribe_page",
        "public by a signed link; the contact of the link's own workspace (tested in sequences.rs)",
    ),
    (
        "unsubscribe",
        "public by a signed link; the contact of the link's own workspace (tested in sequences.rs)",
    ),
    (
        "submit_form",
        "public by the form's id: a lead for the form's own workspace (tested in forms.rs)",
    ),
    ("logout", "ends the caller's own session (tested in accounts.rs)"),
    ("change_password", "the caller's own account (tested in accounts.rs)"),
    (
        "create_workspace",
        "creates a workspace of the caller's own (tested in accounts.rs)",
    ),
];

fn leaks(res: &Resp, other: &Data, marker: &str) -> Option<String> {
    let text = res.text.to_lowercase();
    if text.contains(&marker.to_lowercase()) {
        return Some(format!("contains the marker {marker}"));
    }
    other
        .ids
        .iter()
        .filter(|(kind, _)| **kind != "members")
        .find(|(_, id)| text.contains(id.as_str()))
        .map(|(kind, id)| format!("contains the other workspace's {kind} id {id}"))
}

#[actix_web::test]
async fn no_operation_reaches_another_workspace() {
    let app = TestApp::spawn().await;
    // Workspace A is the default one (the harness's owner and token); B is another, with its own owner.
    let b_ws = Uuid::now_v7();
    {
        let mut conn = app.pool.get().await.unwrap();
        rapport::accounts::store::insert_workspace(
            &mut conn,
            rapport::db::WorkspaceId::checked(b_ws),
            "Zyxel Works",
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        rapport::accounts::store::seed_workspace(&mut conn, rapport::db::WorkspaceId::checked(b_ws))
            .await
            .unwrap();
    }
    let b_owner = add_user(&app.pool, "owner-b@example.com", "Zyx Owner", b_ws, Role::Owner).await;
    let b_token = add_token(&app.pool, b_owner, b_ws, TokenScope::Write).await;
    let a_token_id = {
        let mut conn = app.pool.get().await.unwrap();
        rapport::accounts::store::tokens(&mut conn, rapport::db::DEFAULT_WORKSPACE, app.owner)
            .await
            .unwrap()[0]
            .id
            .to_string()
    };
    let b_token_id = {
        let mut conn = app.pool.get().await.unwrap();
        rapport::accounts::store::tokens(&mut conn, rapport::db::WorkspaceId::checked(b_ws), b_owner)
            .await
            .unwrap()[0]
            .id
            .to_string()
    };
    let a = fill(&app, &app.client, "Alpha", app.owner, a_token_id).await;
    let b = fill(&app, &client_with_token(&b_token), "Zyxwv", b_owner, b_token_id).await;
    let before = snapshot(&app, &b_ws.to_string()).await;

    let doc: Value = serde_json::to_value(rapport::api_doc()).unwrap();
    let ops = operations(&doc);
    assert!(ops.len() > 100, "{} operations", ops.len());
    let a_session = client_with_cookie(&app.sign_in(OWNER_EMAIL, PASSWORD).await);
    let credentials = [("token", app.client.clone()), ("session", a_session)];
    let mut failures = Vec::new();
    let mut tried = 0;
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for op in &ops {
        if NOT_SWEPT.iter().any(|(id, _)| *id == op.id) {
            continue;
        }
        let path = match fill_path(&op.path, &b) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{} {}: not covered: {e}", op.method, op.id));
                continue;
            }
        };
        let targets_b = path != op.path;
        let body = op.body.as_ref().map(|b_body| point_at(b_body, &b, &b_ws.to_string()));
        let refers_to_b = body.as_ref().is_some_and(|v| leaks_in(v, &b));
        for (kind, client) in &credentials {
            // Session-only operations refuse tokens; that answer is no leak either.
            let res = app
                .request_as(client, op.method.clone(), &path, |r| match &body {
                    Some(v) => r.json(v),
                    None => r,
                })
                .await;
            tried += 1;
            *statuses.entry(res.status.as_u16()).or_default() += 1;
            let status = res.status.as_u16();
            let what = format!("{} {} ({}) with A's {kind}", op.method, path, op.id);
            if status >= 500 {
                failures.push(format!("{what}: {status} {}", res.text));
            }
            if let Some(leak) = leaks(&res, &b, "Zyx") {
                failures.push(format!("{what}: {leak}: {}", res.text));
            }
            if (targets_b || refers_to_b) && res.status.is_success() {
                failures.push(format!(
                    "{what}: answered {status} for the other workspace's record: {}",
                    res.text
                ));
            }
            if targets_b && op.method == Method::GET && !matches!(status, 404 | 403) {
                failures.push(format!("{what}: {status} instead of 404"));
            }
            // Filters naming the other workspace's records find nothing.
            if op.method == Method::GET && !targets_b {
                for param in &op.query_ids {
                    let key = match param.as_str() {
                        "contact_id" => "contacts",
                        "deal_id" => "deals",
                        "company_id" => "companies",
                        "pipeline_id" => "pipelines",
                        "stage_id" => "stages",
                        _ => {
                            failures.push(format!("{what}: query parameter {param} not covered"));
                            continue;
                        }
                    };
                    let q = format!("{path}?{param}={}", b.id(key).unwrap());
                    let res = app.request_as(client, Method::GET, &q, |r| r).await;
                    tried += 1;
                    if let Some(leak) = leaks(&res, &b, "Zyx") {
                        failures.push(format!("GET {q} with A's {kind}: {leak}"));
                    }
                    if res.status.is_success() && res.body["items"].as_array().is_some_and(|i| !i.is_empty()) {
                        failures.push(format!("GET {q} with A's {kind}: items of another workspace's record"));
                    }
                }
            }
        }
    }
    // Counted nowhere: A's totals are A's own.
    let total = app.get("/api/v1/contacts?include_total=true&limit=1").await;
    let own = app
        .scalar(&format!(
            "SELECT count(*) FROM contacts WHERE workspace_id = '{DEFAULT_WORKSPACE_ID}' AND deleted_at IS NULL"
        ))
        .await;
    if total.body["total"] != own {
        failures.push(format!("A's contact total is not A's own count {own}: {}", total.text));
    }
    // Search finds A's records by A's words and never B's, however B's records are named.
    let own_hits = app.get("/api/v1/search?q=alpha&limit=50").await;
    assert_eq!(own_hits.status, 200, "{}", own_hits.text);
    if own_hits.body["items"].as_array().is_none_or(|i| i.is_empty()) {
        failures.push(format!("search finds none of A's own records: {}", own_hits.text));
    }
    for q in ["zyx", "zyxwv", "zyxel", "zyxel works", "zyx owner", "zyxwv type:deal"] {
        let res = app.get(&format!("/api/v1/search?q={q}&limit=50")).await;
        tried += 1;
        if let Some(leak) = leaks(&res, &b, "Zyx") {
            failures.push(format!("search for {q}: {leak}"));
        }
    }
    // A's calendar feed holds A's reminders, not B's.
    let link = app.post("/api/v1/calendar/link", &json!(null)).await;
    let url = link.body["url"].as_str().unwrap_or_default().to_owned();
    let feed_path = url
        .split_once("/api/")
        .map(|(_, p)| format!("/api/{p}"))
        .unwrap_or_default();
    let feed = app.request_as(&app.anonymous(), Method::GET, &feed_path, |r| r).await;
    assert_eq!(feed.status, 200, "{feed_path}: {}", feed.text);
    assert!(feed.text.contains("Alpha"), "A's feed shows A's data");
    if feed.text.contains("Zyx") {
        failures.push(format!("A's calendar feed shows B's data: {}", feed.text));
    }
    // And B is exactly as it was.
    let after = snapshot(&app, &b_ws.to_string()).await;
    for (table, digest) in &before {
        if after.get(table) != Some(digest) {
            failures.push(format!("B's {table} changed"));
        }
    }
    println!(
        "isolation: {} operations, {tried} requests, statuses {statuses:?}",
        ops.len()
    );
    assert!(
        failures.is_empty(),
        "{} findings:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // A's own data was used too (the sweep deletes some of it), so the fill reached every kind.
    assert!(a.ids.len() >= 15);
}

fn leaks_in(v: &Value, other: &Data) -> bool {
    let text = v.to_string();
    other
        .ids
        .iter()
        .any(|(kind, id)| *kind != "members" && text.contains(id.as_str()))
}

#[actix_web::test]
async fn read_only_members_and_read_tokens_change_nothing_and_strangers_get_401() {
    let app = TestApp::spawn().await;
    let a_token_id = {
        let mut conn = app.pool.get().await.unwrap();
        rapport::accounts::store::tokens(&mut conn, rapport::db::DEFAULT_WORKSPACE, app.owner)
            .await
            .unwrap()[0]
            .id
            .to_string()
    };
    let data = fill(&app, &app.client, "Alpha", app.owner, a_token_id).await;
    let viewer = add_user(
        &app.pool,
        "viewer@example.com",
        "Viewer",
        DEFAULT_WORKSPACE_ID,
        Role::ReadOnly,
    )
    .await;
    let viewer_session = client_with_cookie(&app.sign_in("viewer@example.com", PASSWORD).await);
    // A token of a read-only member, even with the write scope, acts as read-only.
    let viewer_token = client_with_token(&add_token(&app.pool, viewer, DEFAULT_WORKSPACE_ID, TokenScope::Write).await);
    let read_token = client_with_token(&add_token(&app.pool, app.owner, DEFAULT_WORKSPACE_ID, TokenScope::Read).await);
    let before = snapshot(&app, &DEFAULT_WORKSPACE_ID.to_string()).await;
    let doc: Value = serde_json::to_value(rapport::api_doc()).unwrap();
    let mut failures = Vec::new();
    let mut tried = 0;
    let anon = app.anonymous();
    for op in operations(&doc) {
        let method = actix_web::http::Method::from_bytes(op.method.as_str().as_bytes()).unwrap();
        let p = policy(&op.id, &method);
        let path = match fill_path(&op.path, &data) {
            Ok(p) => p,
            Err(_) if p.access == Access::Public => op.path.clone(),
            Err(e) => {
                failures.push(format!("{} {}: not covered: {e}", op.method, op.id));
                continue;
            }
        };
        let body = op
            .body
            .as_ref()
            .map(|v| point_at(v, &data, &DEFAULT_WORKSPACE_ID.to_string()));
        let send = |client: reqwest::Client| {
            let body = body.clone();
            let path = path.clone();
            let method = op.method.clone();
            let app = &app;
            async move {
                app.request_as(&client, method, &path, |r| match &body {
                    Some(v) => r.json(v),
                    None => r,
                })
                .await
            }
        };
        // Strangers: 401 everywhere but the public operations.
        if p.access != Access::Public {
            let res = send(anon.clone()).await;
            tried += 1;
            if res.status != 401 || res.body["code"] != "unauthenticated" {
                failures.push(format!(
                    "{} {} anonymous: {} {}",
                    op.method, op.id, res.status, res.text
                ));
            }
        }
        let Access::Role(needed) = p.access else { continue };
        if needed != Role::ReadOnly {
            for (who, client) in [
                ("session", viewer_session.clone()),
                ("write token", viewer_token.clone()),
            ] {
                let res = send(client).await;
                tried += 1;
                let expected = if p.session_only && who != "session" {
                    "session_required"
                } else {
                    "forbidden"
                };
                if res.status != 403 || res.body["code"] != expected {
                    failures.push(format!(
                        "{} {} as read_only ({who}): {} {}",
                        op.method, op.id, res.status, res.text
                    ));
                }
            }
        }
        if p.writes && !p.session_only && p.access != Access::Public {
            let res = send(read_token.clone()).await;
            tried += 1;
            if res.status != 403 || res.body["code"] != "insufficient_scope" {
                failures.push(format!(
                    "{} {} with a read token: {} {}",
                    op.method, op.id, res.status, res.text
                ));
            }
        }
    }
    let after = snapshot(&app, &DEFAULT_WORKSPACE_ID.to_string()).await;
    for (table, digest) in &before {
        // Sessions and tokens record their own use; that is not a change to the workspace's data.
        if after.get(table) != Some(digest) && !matches!(table.as_str(), "sessions" | "api_tokens") {
            failures.push(format!("{table} changed"));
        }
    }
    println!("roles and scopes: {tried} requests");
    assert!(
        failures.is_empty(),
        "{} findings:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The database itself refuses a link between two workspaces' records, whatever a query does.
#[actix_web::test]
async fn the_database_refuses_links_across_workspaces() {
    let app = TestApp::spawn().await;
    let other = Uuid::now_v7();
    {
        let mut conn = app.pool.get().await.unwrap();
        rapport::accounts::store::insert_workspace(
            &mut conn,
            rapport::db::WorkspaceId::checked(other),
            "Other",
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    }
    let contact = app
        .contact(json!({"first_name": "Ada", "company_name": "Engines"}))
        .await;
    let contact_id = contact["id"].as_str().unwrap();
    let company_id = contact["company"]["id"].as_str().unwrap();
    let deal = app.post("/api/v1/deals", &json!({"title": "Deal"})).await.body;
    let deal_id = deal["id"].as_str().unwrap();
    let attempts = [
        format!(
            "INSERT INTO interactions (id, workspace_id, contact_id, kind, direction, occurred_at, created_at, updated_at) \
             VALUES ('{}', '{other}', '{contact_id}', 'call', 'outbound', now(), now(), now())",
            Uuid::now_v7()
        ),
        format!(
            "INSERT INTO reminders (id, workspace_id, contact_id, title, due_at, origin, created_at, updated_at) \
             VALUES ('{}', '{other}', '{contact_id}', 'x', now(), 'manual', now(), now())",
            Uuid::now_v7()
        ),
        format!("UPDATE deals SET workspace_id = '{other}' WHERE id = '{deal_id}'"),
        format!("UPDATE contacts SET workspace_id = '{other}' WHERE id = '{contact_id}'"),
        format!("UPDATE companies SET workspace_id = '{other}' WHERE id = '{company_id}'"),
        format!(
            "UPDATE contacts SET owner_id = '{}' WHERE id = '{contact_id}'",
            Uuid::now_v7()
        ),
    ];
    use diesel_async::RunQueryDsl;
    let mut conn = app.pool.get().await.unwrap();
    for sql in attempts {
        let err = diesel::sql_query(&sql).execute(&mut conn).await.unwrap_err();
        assert!(
            matches!(
                err,
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, _)
            ),
            "{sql}: {err:?}"
        );
    }
}
