//! SQL statements per request, counted by PostgreSQL itself (pg_stat_statements, enabled on the
//! test cluster): every list and detail endpoint runs at most four, and the same number for a
//! page of one row as for a page of two hundred — so an N+1 query cannot come back unnoticed.
//! Authentication is counted apart: one statement (the API token's lookup) per request.

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use serde_json::json;

use crate::common::TestApp;

const LIMIT: i64 = 4;
const AUTH_LIMIT: i64 = 1;

#[derive(QueryableByName)]
pub(crate) struct Statement {
    #[diesel(sql_type = Text)]
    pub(crate) query: String,
    #[diesel(sql_type = BigInt)]
    pub(crate) calls: i64,
}

/// This database's statements since the last reset, without the counting itself. With
/// `toplevel_only`, only those the server sent: not the foreign-key checks PostgreSQL runs for
/// each row written, nor the SQL functions index expressions call, which it also tracks.
pub(crate) async fn executed(app: &TestApp, toplevel_only: bool) -> Vec<Statement> {
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(format!(
        "SELECT query, calls FROM pg_stat_statements \
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) {} \
           AND query NOT ILIKE '%pg_stat_statements%' ORDER BY query",
        if toplevel_only { "AND toplevel" } else { "" }
    ))
    .load::<Statement>(&mut conn)
    .await
    .unwrap()
    .into_iter()
    .filter(|s| !is_connection_setup(s))
    .collect()
}

/// What diesel sends once when the pool opens a connection: a request that happens to get a new
/// connection runs these too, and they are no part of its own work.
fn is_connection_setup(s: &Statement) -> bool {
    s.query.starts_with("SET CLIENT_ENCODING") || s.query.starts_with("SET TIME ZONE")
}

/// The statements, one per line with their number of calls, for a failure message.
fn listing<'a>(statements: impl IntoIterator<Item = &'a Statement>) -> String {
    statements
        .into_iter()
        .map(|s| {
            format!(
                "  {} × {}",
                s.calls,
                s.query.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Makes pg_stat_statements readable in this test's database.
pub(crate) async fn enable_counting(app: &TestApp) {
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(&mut conn)
        .await
        .expect("pg_stat_statements must be loaded (shared_preload_libraries) on the test cluster");
}

pub(crate) async fn reset(app: &TestApp) {
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(
        "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
}

/// Statements run to answer `GET path` (the endpoint's, then authentication's), with their text
/// for the failure message.
async fn count(app: &TestApp, path: &str) -> (i64, String) {
    let (endpoint, auth, listing) = count_split(app, path, true).await;
    assert!(
        auth <= AUTH_LIMIT,
        "GET {path}: authentication ran {auth} statements (at most {AUTH_LIMIT})\n{listing}"
    );
    (endpoint, listing)
}

/// Statements of one request, split into the endpoint's and authentication's. With
/// `cold_credentials`, the server has not seen the token yet (it is not in its credential cache).
async fn count_split(app: &TestApp, path: &str, cold_credentials: bool) -> (i64, i64, String) {
    // One request first, so that a connection is open and caches are warm; then the measured one.
    let warm = app.get(path).await;
    assert_eq!(warm.status, 200, "GET {path}: {}", warm.text);
    // Answers reused while the data is unchanged (board, follow-ups) are computed again, so the
    // count is the computing request's.
    app.state.fresh.clear();
    if cold_credentials {
        app.state.credentials.clear();
    }
    reset(app).await;
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "GET {path}: {}", r.text);
    let statements = executed(app, false).await;
    let is_auth = |s: &Statement| s.query.contains("\"api_tokens\"");
    let total = statements.iter().filter(|s| !is_auth(s)).map(|s| s.calls).sum();
    let auth = statements.iter().filter(|s| is_auth(s)).map(|s| s.calls).sum();
    (total, auth, listing(&statements))
}

async fn first_id(app: &TestApp, path: &str) -> String {
    let page = app.get(path).await.body;
    page["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no items at {path}: {page}"))
        .to_owned()
}

#[actix_web::test]
async fn every_list_and_detail_endpoint_runs_at_most_four_statements_whatever_the_page_size() {
    let app = TestApp::spawn().await;
    enable_counting(&app).await;
    {
        let mut conn = app.pool.get().await.unwrap();
        rapport::demo::load(&mut conn, rapport::db::DEFAULT_WORKSPACE)
            .await
            .unwrap();
        // No autovacuum in this database while counting: its ANALYZE evaluates the SQL functions
        // of expression indexes (phone keys, folded names) row by row, and pg_stat_statements
        // counts those evaluations as this database's statements. Statistics are made once, here.
        diesel::sql_query(
            "DO $$ DECLARE t record; BEGIN \
               FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                        WHERE n.nspname = 'public' AND c.relkind = 'r' LOOP \
                 EXECUTE format('ALTER TABLE %I SET (autovacuum_enabled = false)', t.relname); \
               END LOOP; END $$",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        diesel::sql_query("ANALYZE").execute(&mut conn).await.unwrap();
    }
    let contact = first_id(&app, "/api/v1/contacts?sort=-last_interaction_at&limit=1").await;
    let company = first_id(&app, "/api/v1/companies?limit=1").await;
    let interaction = first_id(&app, &format!("/api/v1/contacts/{contact}/timeline?limit=1")).await;
    for days in [1, 3] {
        let r = app
            .post(
                "/api/v1/reminders",
                &json!({"contact_id": contact, "title": format!("Call back in {days} days"),
                        "due_at": (chrono::Utc::now() + chrono::Duration::days(days)).to_rfc3339()}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let reminder = first_id(&app, "/api/v1/reminders?limit=1").await;
    let template = first_id(&app, "/api/v1/templates?limit=1").await;
    let deal = first_id(&app, "/api/v1/deals?limit=1").await;
    let pipeline = app.get("/api/v1/pipelines").await.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let payment = first_id(&app, "/api/v1/payments?limit=1").await;
    let product = first_id(&app, "/api/v1/products?limit=1").await;
    let proposal = first_id(&app, "/api/v1/proposals?limit=1").await;
    // Two imports (one previewed) and a workspace export, so that a query per item would show.
    for (n, preview) in [(1, true), (2, false)] {
        let boundary = "statements-boundary";
        let form = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c{n}.csv\"\r\n\r\nName,Email\r\nAda {n},ada{n}@example.com\r\n\r\n--{boundary}--\r\n"
        );
        let res = app
            .request(reqwest::Method::POST, "/api/v1/imports", |r| {
                r.header("content-type", format!("multipart/form-data; boundary={boundary}"))
                    .body(form)
            })
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        if preview {
            let id = res.body["id"].as_str().unwrap();
            let res = app
                .post(
                    &format!("/api/v1/imports/{id}/preview"),
                    &serde_json::json!({"mapping": {"Name": "full_name", "Email": "email"}}),
                )
                .await;
            assert_eq!(res.status, 200, "{}", res.text);
        }
    }
    let import = first_id(&app, "/api/v1/imports?limit=1").await;
    for _ in 0..2 {
        let res = app.post("/api/v1/exports", &serde_json::json!({})).await;
        assert_eq!(res.status, 202, "{}", res.text);
    }
    let export = first_id(&app, "/api/v1/exports").await;
    let chat = app
        .post(
            &format!("/api/v1/contacts/{contact}/chat"),
            &json!({"message": "What next?"}),
        )
        .await;
    assert_eq!(chat.status, 200, "{}", chat.text);
    let conversation = chat.body["conversation"]["id"].as_str().unwrap().to_owned();
    let field = app
        .post(
            "/api/v1/custom-fields",
            &json!({"entity": "contact", "key": "budget", "label": "Budget", "field_type": "number"}),
        )
        .await;
    assert_eq!(field.status, 201, "{}", field.text);

    // Lists, each at one row and at two hundred.
    let lists = [
        "/api/v1/contacts".to_owned(),
        "/api/v1/contacts?q=a&sort=name".to_owned(),
        "/api/v1/contacts?include_total=true&lifecycle=client,prospect".to_owned(),
        "/api/v1/companies".to_owned(),
        format!("/api/v1/contacts/{contact}/timeline"),
        format!("/api/v1/contacts/{contact}/history"),
        format!("/api/v1/companies/{company}/history"),
        "/api/v1/activity".to_owned(),
        "/api/v1/reminders".to_owned(),
        "/api/v1/follow-ups?window=week".to_owned(),
        "/api/v1/templates".to_owned(),
        "/api/v1/deals".to_owned(),
        "/api/v1/deals?status=open&sort=-stage_changed_at".to_owned(),
        format!("/api/v1/deals/{deal}/stage-history"),
        format!("/api/v1/pipelines/{pipeline}/board"),
        "/api/v1/payments".to_owned(),
        "/api/v1/products".to_owned(),
        "/api/v1/proposals".to_owned(),
        "/api/v1/imports".to_owned(),
        format!("/api/v1/contacts/{contact}/conversations"),
    ];
    let details = [
        format!("/api/v1/contacts/{contact}"),
        format!("/api/v1/companies/{company}"),
        format!("/api/v1/interactions/{interaction}"),
        format!("/api/v1/reminders/{reminder}"),
        format!("/api/v1/templates/{template}"),
        format!("/api/v1/deals/{deal}"),
        format!("/api/v1/pipelines/{pipeline}"),
        format!("/api/v1/payments/{payment}"),
        format!("/api/v1/products/{product}"),
        format!("/api/v1/proposals/{proposal}"),
        format!("/api/v1/ai/conversations/{conversation}"),
        "/api/v1/pipelines".to_owned(),
        "/api/v1/custom-fields".to_owned(),
        "/api/v1/contacts/tags".to_owned(),
        "/api/v1/settings".to_owned(),
        format!("/api/v1/imports/{import}"),
        format!("/api/v1/exports/{export}"),
        "/api/v1/exports".to_owned(),
    ];

    let mut failures = Vec::new();
    let mut report = Vec::new();
    for path in &lists {
        let sep = if path.contains('?') { '&' } else { '?' };
        let (one, one_sql) = count(&app, &format!("{path}{sep}limit=1")).await;
        let (many, many_sql) = count(&app, &format!("{path}{sep}limit=200")).await;
        report.push(format!("{one:>2} / {many:>2}  {path}"));
        if many > LIMIT || one > LIMIT {
            failures.push(format!("GET {path}: {many} statements for 200 rows\n{many_sql}"));
        }
        if many != one {
            failures.push(format!(
                "GET {path}: {one} statements for one row but {many} for 200 (a query per row?)\n{one_sql}\n---\n{many_sql}"
            ));
        }
    }
    for path in &details {
        let (n, sql) = count(&app, path).await;
        report.push(format!("{n:>7}  {path}"));
        if n > LIMIT {
            failures.push(format!("GET {path}: {n} statements\n{sql}"));
        }
    }
    // Authentication is one statement the first time this server sees a credential, whatever
    // the endpoint, and none while it is cached.
    let (_, auth, listing) = count_split(&app, "/api/v1/contacts?limit=1", true).await;
    assert_eq!(auth, 1, "authentication statements, first use:\n{listing}");
    let (_, auth, listing) = count_split(&app, "/api/v1/contacts?limit=1", false).await;
    assert_eq!(auth, 0, "authentication statements, cached:\n{listing}");
    println!("statements per request (1 row / 200 rows):\n{}", report.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Statements one POST sends (top-level only), without authentication's.
async fn count_post(app: &TestApp, path: &str, body: &serde_json::Value) -> (i64, String) {
    reset(app).await;
    let r = app.post(path, body).await;
    assert!(r.status == 200 || r.status == 201, "POST {path}: {}", r.text);
    written_statements(app).await
}

/// Statements one PATCH sends (top-level only), without authentication's.
async fn count_patch(app: &TestApp, path: &str, body: &serde_json::Value) -> (i64, String) {
    reset(app).await;
    let r = app.patch(path, body).await;
    assert_eq!(r.status, 200, "PATCH {path}: {}", r.text);
    written_statements(app).await
}

async fn written_statements(app: &TestApp) -> (i64, String) {
    let statements = executed(app, true).await;
    let mine: Vec<&Statement> = statements
        .iter()
        .filter(|s| !s.query.contains("\"api_tokens\""))
        .collect();
    (mine.iter().map(|s| s.calls).sum(), listing(mine))
}

#[actix_web::test]
async fn enrolling_thirty_contacts_in_a_sequence_takes_no_more_statements_than_three() {
    let app = TestApp::spawn().await;
    enable_counting(&app).await;
    let template = app
        .post(
            "/api/v1/templates",
            &json!({"name": "Intro", "scenario": "follow_up", "subject": "Hello", "body": "Hi"}),
        )
        .await;
    assert_eq!(template.status, 201, "{}", template.text);
    let seq = app
        .post(
            "/api/v1/sequences",
            &json!({"name": "Batch", "steps": [{"template_id": template.body["id"], "delay_days": 0}]}),
        )
        .await;
    assert_eq!(seq.status, 201, "{}", seq.text);
    let mut ids = Vec::new();
    for n in 0..33 {
        let c = app
            .contact(json!({"first_name": format!("E{n}"), "emails": [format!("e{n}@example.com")]}))
            .await;
        ids.push(c["id"].clone());
    }
    let path = format!("/api/v1/sequences/{}/enrollments", seq.body["id"].as_str().unwrap());
    let (three, _) = count_post(&app, &path, &json!({"contact_ids": ids[..3]})).await;
    let (thirty, listing) = count_post(&app, &path, &json!({"contact_ids": ids[3..]})).await;
    assert!(
        thirty <= three,
        "30 enrollments ran {thirty} statements, 3 ran {three}: one per contact is back\n{listing}"
    );
    // Enrolling the same contacts again writes nothing and says why.
    let again = app.post(&path, &json!({"contact_ids": ids[..3]})).await;
    assert_eq!(again.body["enrolled"], json!([]));
    assert_eq!(again.body["skipped"].as_array().unwrap().len(), 3);
    assert!(
        again.body["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["reason"] == "already_enrolled")
    );
}

/// How many times the listing's statements insert a history entry (counting calls).
fn history_inserts(listing: &str) -> usize {
    listing
        .lines()
        .filter_map(|l| {
            let (calls, query) = l.trim().split_once(" × ")?;
            let n = query.matches("INSERT INTO \"activity\"").count() + query.matches("INSERT INTO activity ").count();
            Some(n * calls.parse::<usize>().ok()?)
        })
        .sum()
}

#[actix_web::test]
async fn a_write_and_its_event_take_one_insert_into_the_history() {
    let app = TestApp::spawn().await;
    enable_counting(&app).await;
    // Warm: the first request of a connection reads what later ones find cached.
    app.contact(json!({"first_name": "Warm"})).await;
    // The history entry is the event webhooks and live updates read (the outbox). A create
    // writes the contact and that one entry and looks for the contact's possible duplicates in
    // one statement (no BEGIN/COMMIT round trips).
    let (n, listing) = count_post(
        &app,
        "/api/v1/contacts",
        &json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@example.com"]}),
    )
    .await;
    println!("create contact: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(
        !listing.contains("BEGIN"),
        "a create needs no transaction of its own\n{listing}"
    );
    assert_eq!(n, 1, "creating a contact ran {n} statements\n{listing}");
    // Logging an interaction: the interaction, its history entry (with the contact's name, read by
    // the same statement) and the contact's new follow-up are one statement.
    let contact = app.contact(json!({"first_name": "Grace"})).await;
    let (n, listing) = count_post(
        &app,
        "/api/v1/interactions",
        &json!({"contact_id": contact["id"], "kind": "call", "subject": "Intro"}),
    )
    .await;
    println!("log interaction: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(
        !listing.contains("BEGIN"),
        "logging needs no transaction of its own\n{listing}"
    );
    assert_eq!(n, 1, "logging an interaction ran {n} statements\n{listing}");
    // Editing a contact's own fields: the update and its history entry (naming the contact as
    // the update leaves it) are one statement.
    let path = format!("/api/v1/contacts/{}", contact["id"].as_str().unwrap());
    let (n, listing) = count_patch(&app, &path, &json!({"last_name": "Hopper", "tags": ["navy"]})).await;
    println!("edit contact: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(
        !listing.contains("BEGIN"),
        "an edit needs no transaction of its own\n{listing}"
    );
    assert_eq!(n, 1, "editing a contact ran {n} statements\n{listing}");
    let entry = app.get(&format!("{path}/history")).await.body["items"][0].clone();
    assert_eq!(entry["summary"], "Updated Grace Hopper: last name, tags", "{entry}");
    // A new stage or cadence computes the follow-up in the same statement.
    for change in [json!({"lifecycle": "client"}), json!({"follow_up_cadence_days": 9})] {
        let (n, listing) = count_patch(&app, &path, &change).await;
        println!("edit contact {change}: {n} statements\n{listing}");
        assert!(!listing.contains("BEGIN"), "{listing}");
        assert_eq!(n, 1, "{change} ran {n} statements\n{listing}");
    }
    assert_eq!(entry["message"]["params"]["name"], "Grace Hopper", "{entry}");
    // A change of custom fields reads their definitions, then merges the checked values into the
    // contact's as the update finds them (no read of the contact, no transaction). A time zone is
    // checked against the names read once per process.
    let field = app
        .post(
            "/api/v1/custom-fields",
            &json!({"entity": "contact", "key": "tier", "label": "Tier", "field_type": "text"}),
        )
        .await;
    assert_eq!(field.status, 201, "{}", field.text);
    let r = app.patch(&path, &json!({"time_zone": "Europe/Paris"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (n, listing) = count_patch(
        &app,
        &path,
        &json!({"custom_fields": {"tier": "gold"}, "time_zone": "Asia/Tokyo"}),
    )
    .await;
    println!("edit contact's custom fields and time zone: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(!listing.contains("BEGIN"), "{listing}");
    assert!(!listing.contains("pg_timezone_names"), "{listing}");
    assert_eq!(n, 2, "editing custom fields ran {n} statements\n{listing}");
    // Trashing and restoring a contact: the change and its history entry, one statement each.
    reset(&app).await;
    let r = app.delete(&path).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let (n, listing) = written_statements(&app).await;
    println!("trash contact: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert_eq!(n, 1, "trashing a contact ran {n} statements\n{listing}");
    let (n, listing) = count_post(&app, &format!("{path}/restore"), &json!({})).await;
    println!("restore contact: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert_eq!(n, 1, "restoring a contact ran {n} statements\n{listing}");
    let entries = app.get(&format!("{path}/history")).await.body["items"].clone();
    assert_eq!(
        entries[0]["summary"], "Restored Grace Hopper from the trash",
        "{entries}"
    );
    assert_eq!(entries[1]["summary"], "Moved Grace Hopper to the trash", "{entries}");
    assert_eq!(entries[0]["message"]["params"]["name"], "Grace Hopper", "{entries}");
    // Editing an interaction: the edit, its history entry (naming the contact and the kind as the
    // edit leaves it) and the contact's follow-up are one statement; deleting it too.
    let call = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": contact["id"], "kind": "call", "subject": "Intro"}),
        )
        .await;
    assert_eq!(call.status, 201, "{}", call.text);
    let call_path = format!("/api/v1/interactions/{}", call.body["id"].as_str().unwrap());
    let (n, listing) = count_patch(&app, &call_path, &json!({"kind": "meeting", "outcome": "positive"})).await;
    println!("edit interaction: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(
        !listing.contains("BEGIN"),
        "an edit needs no transaction of its own\n{listing}"
    );
    assert_eq!(n, 1, "editing an interaction ran {n} statements\n{listing}");
    reset(&app).await;
    let r = app.delete(&call_path).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let (n, listing) = written_statements(&app).await;
    println!("delete interaction: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(
        !listing.contains("BEGIN"),
        "a deletion needs no transaction of its own\n{listing}"
    );
    assert_eq!(n, 1, "deleting an interaction ran {n} statements\n{listing}");
    let entries = app.get(&format!("{path}/history")).await.body["items"].clone();
    assert_eq!(
        entries[0]["summary"], "Deleted a meeting with Grace Hopper",
        "{entries}"
    );
    assert_eq!(
        entries[1]["summary"], "Edited a meeting with Grace Hopper: kind, outcome",
        "{entries}"
    );
    // A reminder's create, edit and deletion: the change, its history entry (naming the contact
    // and the title as the change leaves them) and the contact's follow-up, one statement each.
    let due = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let (n, listing) = count_post(
        &app,
        "/api/v1/reminders",
        &json!({"contact_id": contact["id"], "title": "Send the quote", "due_at": due}),
    )
    .await;
    println!("create reminder: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(!listing.contains("BEGIN"), "{listing}");
    assert_eq!(n, 1, "creating a reminder ran {n} statements\n{listing}");
    let reminder = app.get("/api/v1/reminders").await.body["items"][0]["id"].clone();
    let reminder_path = format!("/api/v1/reminders/{}", reminder.as_str().unwrap());
    let (n, listing) = count_patch(&app, &reminder_path, &json!({"notes": "With the discount"})).await;
    println!("edit reminder: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(!listing.contains("BEGIN"), "{listing}");
    assert_eq!(n, 1, "editing a reminder ran {n} statements\n{listing}");
    reset(&app).await;
    let r = app.delete(&reminder_path).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let (n, listing) = written_statements(&app).await;
    println!("delete reminder: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(!listing.contains("BEGIN"), "{listing}");
    assert_eq!(n, 1, "deleting a reminder ran {n} statements\n{listing}");
    let entries = app.get(&format!("{path}/history")).await.body["items"].clone();
    assert_eq!(
        entries[0]["summary"], "Deleted the reminder for Grace Hopper: Send the quote",
        "{entries}"
    );
    assert_eq!(
        entries[1]["summary"], "Edited the reminder for Grace Hopper: Send the quote",
        "{entries}"
    );
    // A company's create (with its possible duplicates), edit, trash and restore: the change and
    // its history entry, one statement each.
    let (n, listing) = count_post(&app, "/api/v1/companies", &json!({"name": "Analytical Engines"})).await;
    println!("create company: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(!listing.contains("BEGIN"), "{listing}");
    assert_eq!(n, 1, "creating a company ran {n} statements\n{listing}");
    let company = app.get("/api/v1/companies").await.body["items"][0]["id"].clone();
    let company_path = format!("/api/v1/companies/{}", company.as_str().unwrap());
    let (n, listing) = count_patch(&app, &company_path, &json!({"industry": "Computing"})).await;
    println!("edit company: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(!listing.contains("BEGIN"), "{listing}");
    assert_eq!(n, 1, "editing a company ran {n} statements\n{listing}");
    reset(&app).await;
    let r = app.delete(&company_path).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let (n, listing) = written_statements(&app).await;
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert_eq!(n, 1, "trashing a company ran {n} statements\n{listing}");
    let (n, listing) = count_post(&app, &format!("{company_path}/restore"), &json!({})).await;
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert_eq!(n, 1, "restoring a company ran {n} statements\n{listing}");
    // A deal's create, edit, move, trash and restore: the reads that check where it goes and what
    // it names, then the change with its stage history and history entry in one statement, with
    // no transaction around them. A create is that one statement alone: it places the deal in its
    // pipeline's first open stage, and reads its contact's company and the workspace's currency.
    let (n, listing) = count_post(
        &app,
        "/api/v1/deals",
        &json!({"title": "Engine", "contact_id": contact["id"], "value_minor": 100000}),
    )
    .await;
    println!("create deal: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(!listing.contains("BEGIN"), "{listing}");
    assert_eq!(n, 1, "creating a deal ran {n} statements\n{listing}");
    let deal = app.get("/api/v1/deals").await.body["items"][0].clone();
    let deal_path = format!("/api/v1/deals/{}", deal["id"].as_str().unwrap());
    let (n, listing) = count_patch(&app, &deal_path, &json!({"notes": "Brass"})).await;
    println!("edit deal: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(!listing.contains("BEGIN"), "{listing}");
    assert_eq!(n, 2, "editing a deal ran {n} statements\n{listing}");
    let stages = app
        .get(&format!("/api/v1/pipelines/{}", deal["pipeline_id"].as_str().unwrap()))
        .await
        .body["stages"]
        .clone();
    let (n, listing) = count_patch(&app, &deal_path, &json!({"stage_id": stages[1]["id"]})).await;
    println!("move deal: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(!listing.contains("BEGIN"), "{listing}");
    assert_eq!(n, 3, "moving a deal ran {n} statements\n{listing}");
    reset(&app).await;
    let r = app.delete(&deal_path).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let (n, listing) = written_statements(&app).await;
    println!("trash deal: {n} statements\n{listing}");
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert!(!listing.contains("BEGIN"), "{listing}");
    assert_eq!(n, 2, "trashing a deal ran {n} statements\n{listing}");
    let (n, listing) = count_post(&app, &format!("{deal_path}/restore"), &json!({})).await;
    assert_eq!(history_inserts(&listing), 1, "{listing}");
    assert_eq!(n, 2, "restoring a deal ran {n} statements\n{listing}");
    let entries = app.get("/api/v1/activity?entity=deal").await.body["items"].clone();
    let summaries: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        [
            "Restored the deal Engine",
            "Moved the deal Engine to the trash",
            format!(
                "Moved the deal Engine from {} to {}",
                stages[0]["name"].as_str().unwrap(),
                stages[1]["name"].as_str().unwrap()
            )
            .as_str(),
            "Edited the deal Engine",
            format!("Created the deal Engine in {}", stages[0]["name"].as_str().unwrap()).as_str(),
        ],
        "{entries}"
    );
    assert!(
        entries
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["contact_id"] == contact["id"]),
        "{entries}"
    );
}

/// A repeated AI question about unchanged data is one statement: the workspace's stamp and the
/// stored answer the remembered key leads to, read together. A write makes it load the facts
/// again (and then the answer is a miss or a hit on the new key).
#[actix_web::test]
async fn a_repeated_ai_question_is_one_statement() {
    let app = TestApp::spawn().await;
    enable_counting(&app).await;
    let c = app
        .contact(serde_json::json!({"first_name": "Ada", "last_name": "Lovelace"}))
        .await;
    let path = format!("/api/v1/contacts/{}/insights", c["id"].as_str().unwrap());
    let body = serde_json::json!({});
    let first = app.post(&path, &body).await;
    assert_eq!(first.body["source"]["cached"], false, "{}", first.text);
    let (n, listing) = count_post(&app, &path, &body).await;
    assert_eq!(n, 1, "a repeated question:\n{listing}");
    assert!(
        listing.contains("llm_cache") && listing.contains("activity"),
        "{listing}"
    );
    assert_eq!(app.post(&path, &body).await.body["source"]["cached"], true);

    app.post(
        "/api/v1/interactions",
        &serde_json::json!({"contact_id": c["id"], "kind": "call", "subject": "Quote"}),
    )
    .await;
    let (n, listing) = count_post(&app, &path, &body).await;
    assert!(n > 1, "new facts are loaded after a write:\n{listing}");
}
