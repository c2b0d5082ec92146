//! Full workspace exports: a job builds one .zip (JSON and CSV of every record, vCards, an
//! iCalendar file, a README and a manifest), kept in PostgreSQL and downloadable for 7 days.

use std::io::Read;

use chrono::{Duration, Utc};
use rapport::accounts::dto::Role;
use serde_json::{Value, json};

use crate::common::{TestApp, send};

/// Runs due jobs as the server's worker would.
async fn work(app: &TestApp) {
    while rapport::jobs::work_once(&app.state, "test-worker", Utc::now())
        .await
        .unwrap()
    {}
}

fn entry(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> String {
    let mut s = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} is in the archive"))
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// Queues an export and runs it; the export as the API then shows it.
async fn export(app: &TestApp) -> Value {
    let res = app.post("/api/v1/exports", &json!({})).await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_eq!(res.body["status"], "queued");
    let id = res.body["id"].as_str().unwrap().to_owned();
    assert_eq!(res.header("location"), Some(format!("/api/v1/exports/{id}").as_str()));
    // Not ready yet: the download is refused with a reason.
    let early = app.get(&format!("/api/v1/exports/{id}/download")).await;
    early.problem(409, "export_not_ready");
    work(app).await;
    let res = app.get(&format!("/api/v1/exports/{id}")).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

#[actix_web::test]
async fn a_workspace_export_holds_every_record_as_json_csv_vcard_and_icalendar() {
    let app = TestApp::spawn().await;
    let ada = app
        .contact(
            json!({"first_name": "Zoë", "last_name": "Ågren", "emails": ["zoe@example.com"],
                        "company_name": "Nordlys AS", "tags": ["vip"]}),
        )
        .await;
    let formula = app
        .contact(json!({"first_name": "=HYPERLINK(\"x\")", "last_name": "Evil"}))
        .await;
    let res = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": ada["id"], "kind": "call", "direction": "outbound",
                    "occurred_at": Utc::now() - Duration::days(1), "subject": "Intro call"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = app
        .post(
            "/api/v1/reminders",
            &json!({"contact_id": ada["id"], "title": "Send the quote", "due_at": Utc::now() + Duration::days(2)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res = app
        .post(
            "/api/v1/deals",
            &json!({"title": "Website", "contact_id": ada["id"], "value_minor": 120_000, "currency": "EUR"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    // A trashed contact is in the archive, marked as deleted.
    let trashed = app.contact(json!({"first_name": "Gone"})).await;
    assert_eq!(
        app.delete(&format!("/api/v1/contacts/{}", trashed["id"].as_str().unwrap()))
            .await
            .status,
        204
    );
    let contacts_in_db = app.scalar("SELECT count(*) FROM contacts").await;

    let done = export(&app).await;
    assert_eq!(done["status"], "ready", "{done}");
    assert_eq!(done["counts"]["contacts"], contacts_in_db);
    assert_eq!(done["counts"]["interactions"], 1);
    assert_eq!(done["counts"]["reminders"], 1);
    assert_eq!(done["counts"]["deals"], 1);
    assert_eq!(done["progress"]["done"], done["progress"]["total"]);
    let expires = chrono::DateTime::parse_from_rfc3339(done["expires_at"].as_str().unwrap()).unwrap();
    let left = expires.with_timezone(&Utc) - Utc::now();
    assert!(left > Duration::days(6) && left <= Duration::days(7), "{left}");
    let url = done["download_url"].as_str().unwrap();

    let res = app.get(url).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.header("content-type"), Some("application/zip"));
    assert!(res.header("content-disposition").unwrap().contains("rapport-export-"));
    assert_eq!(
        res.header("content-length").map(|l| l.parse::<i64>().unwrap()),
        done["bytes"].as_i64()
    );
    assert_eq!(res.bytes.len() as i64, done["bytes"].as_i64().unwrap());
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(res.bytes.clone())).unwrap();
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().into_owned())
        .collect();
    for expected in [
        "README.md",
        "manifest.json",
        "contacts.vcf",
        "calendar.ics",
        "json/members.json",
        "json/workspace.json",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} in {names:?}");
    }
    for table in [
        "contacts",
        "companies",
        "interactions",
        "reminders",
        "deals",
        "pipelines",
        "pipeline_stages",
        "history",
    ] {
        assert!(names.contains(&format!("json/{table}.json")), "{table} in {names:?}");
        assert!(names.contains(&format!("csv/{table}.csv")), "{table} in {names:?}");
    }

    let readme = entry(&mut zip, "README.md");
    assert!(readme.contains("json/contacts.json"), "{readme}");
    let manifest: Value = serde_json::from_str(&entry(&mut zip, "manifest.json")).unwrap();
    assert_eq!(manifest["format"], "rapport-workspace-export");
    assert_eq!(manifest["counts"], done["counts"]);

    let contacts: Value = serde_json::from_str(&entry(&mut zip, "json/contacts.json")).unwrap();
    let contacts = contacts.as_array().unwrap();
    assert_eq!(contacts.len() as i64, contacts_in_db);
    let zoe = contacts.iter().find(|c| c["id"] == ada["id"]).unwrap();
    assert_eq!(zoe["first_name"], "Zoë");
    assert_eq!(zoe["emails"], json!(["zoe@example.com"]));
    assert!(zoe.get("workspace_id").is_none(), "{zoe}");
    assert!(
        zoe.get("search_text").is_none(),
        "generated columns are left out: {zoe}"
    );
    let gone = contacts.iter().find(|c| c["id"] == trashed["id"]).unwrap();
    assert!(gone["deleted_at"].is_string(), "{gone}");
    let companies: Value = serde_json::from_str(&entry(&mut zip, "json/companies.json")).unwrap();
    assert_eq!(zoe["company_id"], companies[0]["id"]);
    assert_eq!(companies[0]["name"], "Nordlys AS");
    let deals: Value = serde_json::from_str(&entry(&mut zip, "json/deals.json")).unwrap();
    assert_eq!(deals[0]["contact_id"], ada["id"]);
    assert_eq!(deals[0]["value_minor"], 120_000);
    let history: Value = serde_json::from_str(&entry(&mut zip, "json/history.json")).unwrap();
    assert!(!history.as_array().unwrap().is_empty());

    let csv = entry(&mut zip, "csv/contacts.csv");
    let header = csv.lines().next().unwrap().trim_start_matches('\u{feff}');
    assert!(header.starts_with("id,"), "{header}");
    assert!(
        header.contains("first_name") && header.contains("company_id"),
        "{header}"
    );
    assert!(csv.contains("Zoë"));
    assert!(csv.contains("'=HYPERLINK"), "formulas are neutralised: {csv}");
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
    assert!(csv.contains(formula["id"].as_str().unwrap()));

    let members: Value = serde_json::from_str(&entry(&mut zip, "json/members.json")).unwrap();
    assert!(!members.as_array().unwrap().is_empty());
    let members_text = members.to_string();
    assert!(!members_text.contains("password") && !members_text.contains("$argon2"));

    let vcf = entry(&mut zip, "contacts.vcf");
    assert!(vcf.contains("BEGIN:VCARD") && vcf.contains(":Zoë Ågren"), "{vcf}");
    assert!(
        !vcf.contains("Gone"),
        "trashed contacts are not in the address book: {vcf}"
    );
    let ics = entry(&mut zip, "calendar.ics");
    assert!(
        ics.contains("BEGIN:VCALENDAR") && ics.contains("Send the quote"),
        "{ics}"
    );
    assert!(ics.contains("Expected close") || !ics.contains("close-"), "{ics}");

    // Listed, newest first.
    let list = app.get("/api/v1/exports").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"][0]["id"], done["id"]);
}

#[actix_web::test]
async fn an_export_can_be_downloaded_for_seven_days_then_is_removed() {
    let app = TestApp::spawn().await;
    app.contact(json!({"first_name": "Ada"})).await;
    let done = export(&app).await;
    assert_eq!(done["status"], "ready", "{done}");
    let id = done["id"].as_str().unwrap();
    assert!(app.scalar("SELECT count(*) FROM stored_file_chunks").await >= 1);

    let mut conn = app.state.conn().await.unwrap();
    // Six days on, nothing is removed.
    let n = rapport::exports::service::purge(&mut conn, Utc::now() + Duration::days(6))
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(app.get(&format!("/api/v1/exports/{id}/download")).await.status, 200);
    // Eight days on, the archive is gone and the export says so.
    let n = rapport::exports::service::purge(&mut conn, Utc::now() + Duration::days(8))
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(app.scalar("SELECT count(*) FROM stored_files").await, 0);
    assert_eq!(app.scalar("SELECT count(*) FROM stored_file_chunks").await, 0);
    let after = app.get(&format!("/api/v1/exports/{id}")).await;
    assert_eq!(after.body["status"], "expired");
    assert!(after.body["download_url"].is_null());
    app.get(&format!("/api/v1/exports/{id}/download"))
        .await
        .problem(410, "export_expired");
}

#[actix_web::test]
async fn only_owners_and_admins_export_the_whole_workspace() {
    let app = TestApp::spawn().await;
    for (email, role) in [("m@example.com", Role::Member), ("r@example.com", Role::ReadOnly)] {
        let (_, client) = app.member(email, role).await;
        let res = send(client.post(format!("{}/api/v1/exports", app.base)).json(&json!({}))).await;
        assert_eq!(res.status, 403, "{email}: {}", res.text);
        let res = send(client.get(format!("{}/api/v1/exports", app.base))).await;
        assert_eq!(res.status, 403, "{email}: {}", res.text);
    }
    assert_eq!(app.scalar("SELECT count(*) FROM exports").await, 0);
    let (_, admin) = app.member("a@example.com", Role::Admin).await;
    let res = send(admin.post(format!("{}/api/v1/exports", app.base)).json(&json!({}))).await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_eq!(res.body["created_by_name"], "a@example.com");
    // An unknown id.
    app.get("/api/v1/exports/0192f0c4-6a1e-7cc3-b7a5-8e1f3b2a9d10")
        .await
        .problem(404, "not_found");
}

/// A multipart/form-data body with a `file` part and a `kind` part.
fn form(file_name: &str, bytes: &[u8], kind: &str) -> (String, Vec<u8>) {
    let boundary = "rapport-restore-boundary-91c2";
    let mut body = Vec::new();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n").as_bytes());
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/zip\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(client: &reqwest::Client, base: &str, bytes: &[u8]) -> crate::common::Resp {
    let (content_type, body) = form("export.zip", bytes, "workspace_zip");
    send(
        client
            .post(format!("{base}/api/v1/imports"))
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

async fn get_all(client: &reqwest::Client, base: &str, path: &str) -> Vec<Value> {
    let res = send(client.get(format!("{base}{path}"))).await;
    assert_eq!(res.status, 200, "{path}: {}", res.text);
    res.body["items"].as_array().unwrap().clone()
}

/// The fields of records that must survive a round trip (ids aside).
fn contact_key(c: &Value) -> String {
    json!([
        c["display_name"],
        c["emails"],
        c["phones"],
        c["company"]["name"],
        c["tags"],
        c["lifecycle"],
        c["next_follow_up_at"],
        c["owner_id"],
        c["custom_fields"],
        c["notes"],
        c["version"]
    ])
    .to_string()
}

fn deal_key(d: &Value) -> String {
    json!([
        d["title"],
        d["value_minor"],
        d["currency"],
        d["pipeline_name"],
        d["stage_name"],
        d["status"],
        d["contact"]["display_name"],
        d["expected_close_date"]
    ])
    .to_string()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[actix_web::test]
async fn an_export_restores_into_an_empty_workspace_with_new_ids_and_the_same_records() {
    let app = TestApp::spawn().await;
    {
        let mut conn = app.pool.get().await.unwrap();
        rapport::demo::load(&mut conn, rapport::db::DEFAULT_WORKSPACE)
            .await
            .unwrap();
    }
    // A sequence (its steps name templates), a lead form, an enrollment and an unsubscribe.
    let templates = app.get("/api/v1/templates").await.body["items"].clone();
    let template = templates[0]["id"].as_str().unwrap().to_owned();
    let res = app
        .post(
            "/api/v1/sequences",
            &json!({"name": "Nurture", "steps": [{"template_id": template, "delay_days": 0}]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let sequence = res.body["id"].as_str().unwrap().to_owned();
    let res = app.post("/api/v1/forms", &json!({"name": "Contact us"})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let mailable = app.get("/api/v1/contacts?limit=50").await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["emails"].as_array().unwrap().is_empty())
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let res = app
        .post(
            &format!("/api/v1/sequences/{sequence}/enrollments"),
            &json!({"contact_ids": [mailable[0]]}),
        )
        .await;
    assert_eq!(res.body["enrolled"].as_array().unwrap().len(), 1, "{}", res.text);
    app.execute(&format!(
        "INSERT INTO mail_unsubscribes (contact_id, workspace_id, sequence_id, unsubscribed_at) \
         VALUES ('{}', '{}', '{sequence}', now())",
        mailable[1],
        rapport::db::DEFAULT_WORKSPACE_ID
    ))
    .await;

    let done = export(&app).await;
    assert_eq!(done["status"], "ready", "{done}");
    let archive = app.get(done["download_url"].as_str().unwrap()).await.bytes;

    // Workspace B: new and empty but for its starter pipelines and templates; A's owner is a member.
    let b_ws = uuid::Uuid::now_v7();
    {
        let mut conn = app.pool.get().await.unwrap();
        let b = rapport::db::WorkspaceId::checked(b_ws);
        rapport::accounts::store::insert_workspace(&mut conn, b, "Restored", Utc::now())
            .await
            .unwrap();
        rapport::accounts::store::seed_workspace(&mut conn, b).await.unwrap();
    }
    app.execute(&format!(
        "INSERT INTO memberships (workspace_id, user_id, role, created_at, updated_at) \
         VALUES ('{b_ws}', '{}', 'owner', now(), now())",
        app.owner
    ))
    .await;
    let b = crate::common::client_with_token(
        &crate::common::add_token(&app.pool, app.owner, b_ws, rapport::accounts::dto::TokenScope::Write).await,
    );
    let a = crate::common::client_with_token(&app.token);

    let res = upload(&b, &app.base, &archive).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["kind"], "workspace_zip");
    assert!(
        res.body["notices"][0].as_str().unwrap().contains("contacts"),
        "{}",
        res.text
    );
    let id = res.body["id"].as_str().unwrap().to_owned();
    // An archive is restored whole: no preview.
    let res = send(
        b.post(format!("{}/api/v1/imports/{id}/preview", app.base))
            .json(&json!({"mapping": {}})),
    )
    .await;
    res.problem(409, "import_state");
    let res = send(b.post(format!("{}/api/v1/imports/{id}/commit", app.base))).await;
    assert_eq!(res.status, 202, "{}", res.text);
    work(&app).await;
    let res = send(b.get(format!("{}/api/v1/imports/{id}", app.base))).await;
    assert_eq!(res.body["status"], "committed", "{}", res.text);
    assert_eq!(res.body["result"]["restored"]["contacts"], done["counts"]["contacts"]);
    assert_eq!(res.body["progress"]["done"], res.body["progress"]["total"]);
    // The uploaded archive is not kept once restored (the export's own file is).
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM stored_files WHERE workspace_id = '{b_ws}'"
        ))
        .await,
        0
    );

    // The same records through the API, under new ids.
    let contacts_a = get_all(&a, &app.base, "/api/v1/contacts?limit=200&include_trashed=true").await;
    let contacts_b = get_all(&b, &app.base, "/api/v1/contacts?limit=200&include_trashed=true").await;
    assert!(contacts_a.len() > 5);
    assert_eq!(
        sorted(contacts_a.iter().map(contact_key).collect()),
        sorted(contacts_b.iter().map(contact_key).collect())
    );
    let ids_a: std::collections::HashSet<&str> = contacts_a.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(contacts_b.iter().all(|c| !ids_a.contains(c["id"].as_str().unwrap())));
    let deals_a = get_all(&a, &app.base, "/api/v1/deals?limit=200").await;
    let deals_b = get_all(&b, &app.base, "/api/v1/deals?limit=200").await;
    assert!(!deals_a.is_empty());
    assert_eq!(
        sorted(deals_a.iter().map(deal_key).collect()),
        sorted(deals_b.iter().map(deal_key).collect())
    );
    let names = |ps: &[Value]| -> Vec<String> {
        ps.iter()
            .map(|p| {
                let stages: Vec<&str> = p["stages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["name"].as_str().unwrap())
                    .collect();
                format!("{}: {}", p["name"], stages.join(", "))
            })
            .collect()
    };
    let pipelines_a = get_all(&a, &app.base, "/api/v1/pipelines").await;
    let pipelines_b = get_all(&b, &app.base, "/api/v1/pipelines").await;
    assert_eq!(
        names(&pipelines_a),
        names(&pipelines_b),
        "starter pipelines are replaced, not doubled"
    );
    // Each person's timeline came along with them.
    for c in contacts_a.iter().filter(|c| c["deleted_at"].is_null()).take(5) {
        let twin = contacts_b.iter().find(|b| contact_key(b) == contact_key(c)).unwrap();
        let ta = get_all(
            &a,
            &app.base,
            &format!("/api/v1/contacts/{}/timeline?limit=200", c["id"].as_str().unwrap()),
        )
        .await;
        let tb = get_all(
            &b,
            &app.base,
            &format!("/api/v1/contacts/{}/timeline?limit=200", twin["id"].as_str().unwrap()),
        )
        .await;
        let subjects = |t: &[Value]| {
            sorted(
                t.iter()
                    .map(|i| json!([i["kind"], i["subject"], i["occurred_at"]]).to_string())
                    .collect(),
            )
        };
        assert_eq!(subjects(&ta), subjects(&tb));
    }
    for table in [
        "payments",
        "proposals",
        "proposal_lines",
        "activity",
        "email_templates",
        "custom_field_definitions",
        "sequences",
        "sequence_enrollments",
        "mail_unsubscribes",
        "forms",
    ] {
        let count = |ws: String| format!("SELECT count(*) FROM {table} WHERE workspace_id = '{ws}'");
        assert_eq!(
            app.scalar(&count(rapport::db::DEFAULT_WORKSPACE_ID.to_string())).await,
            app.scalar(&count(b_ws.to_string())).await,
            "{table}"
        );
    }

    // The sequence's step names B's copy of its template; it waits, paused, for an admin.
    let sequences_b = get_all(&b, &app.base, "/api/v1/sequences").await;
    assert_eq!(sequences_b.len(), 1);
    assert_eq!(sequences_b[0]["name"], "Nurture");
    assert_eq!(
        sequences_b[0]["enabled"], false,
        "restored sequences send nothing until turned on"
    );
    let templates_b = get_all(&b, &app.base, "/api/v1/templates").await;
    let step_template = &sequences_b[0]["steps"][0]["template_id"];
    let named = templates_b.iter().find(|t| &t["id"] == step_template).unwrap();
    assert_eq!(named["name"], templates[0]["name"]);
    let forms_b = get_all(&b, &app.base, "/api/v1/forms").await;
    assert_eq!(forms_b[0]["name"], "Contact us");

    // B is no longer empty: another restore is refused and changes nothing.
    let before = app
        .scalar(&format!("SELECT count(*) FROM contacts WHERE workspace_id = '{b_ws}'"))
        .await;
    upload(&b, &app.base, &archive)
        .await
        .problem(409, "workspace_not_empty");
    assert_eq!(
        app.scalar(&format!("SELECT count(*) FROM contacts WHERE workspace_id = '{b_ws}'"))
            .await,
        before
    );
    // A restored archive is not rolled back record by record.
    send(b.post(format!("{}/api/v1/imports/{id}/rollback", app.base)))
        .await
        .problem(409, "import_state");
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(
            *name,
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[actix_web::test]
async fn hostile_and_foreign_archives_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let owner = crate::common::client_with_token(&app.token);
    let manifest: &[u8] = br#"{"format": "rapport-workspace-export", "version": 1, "counts": {}}"#;
    let climbing = zip_of(&[
        ("manifest.json", manifest),
        ("../../etc/cron.d/x", b"* * * * * root true"),
    ]);
    upload(&owner, &app.base, &climbing)
        .await
        .problem(422, "archive_unsafe");
    let zeros = vec![0_u8; 64 * 1024 * 1024];
    let bomb = zip_of(&[("manifest.json", manifest), ("json/contacts.json", &zeros)]);
    assert!(bomb.len() < 1024 * 1024);
    upload(&owner, &app.base, &bomb).await.problem(422, "archive_too_large");
    let foreign = zip_of(&[("report.txt", b"hello")]);
    upload(&owner, &app.base, &foreign)
        .await
        .problem(422, "not_a_workspace_export");
    upload(&owner, &app.base, b"not a zip at all")
        .await
        .problem(422, "not_a_workspace_export");
    // An export over the 50 MB of other imports is taken (written to disk as it arrives).
    let big = {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file("manifest.json", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(manifest).unwrap();
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        zip.start_file("attachments/padding.bin", stored).unwrap();
        let noise: Vec<u8> = (0..52 * 1024 * 1024_u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        zip.write_all(&noise).unwrap();
        zip.finish().unwrap().into_inner()
    };
    assert!(big.len() > 52 * 1024 * 1024);
    let res = upload(&owner, &app.base, &big).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["file_bytes"], big.len() as i64);
    app.execute("DELETE FROM imports").await;
    app.execute("DELETE FROM stored_files").await;
    // A member may import contacts, not restore a workspace.
    let (_, member) = app.member("m@example.com", Role::Member).await;
    // An Excel workbook (a zip) sent as a contacts file is told apart from an export.
    let workbook = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.xml", b"<workbook/>"),
    ]);
    let (content_type, body) = {
        let boundary = "workbook-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"contacts.xlsx\"\r\n\r\n"
        )
        .into_bytes();
        body.extend(&workbook);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    };
    let res = send(
        member
            .post(format!("{}/api/v1/imports", app.base))
            .header("content-type", content_type)
            .body(body),
    )
    .await;
    res.problem(422, "not_a_text_file");
    assert!(res.body["detail"].as_str().unwrap().contains("save the sheet as CSV"));
    let valid = zip_of(&[("manifest.json", manifest)]);
    let res = upload(&member, &app.base, &valid).await;
    assert_eq!(res.status, 403, "{}", res.text);
    // A workspace with records refuses an archive.
    app.contact(json!({"first_name": "Ada"})).await;
    upload(&owner, &app.base, &valid)
        .await
        .problem(409, "workspace_not_empty");
    assert_eq!(app.scalar("SELECT count(*) FROM imports").await, 0);
    assert_eq!(app.scalar("SELECT count(*) FROM stored_files").await, 0);
}
