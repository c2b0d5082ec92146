//! Imports: upload, mapping, preview, commit (a job), rollback and the failed records, with the
//! exports of real applications and with bad files.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Resp, TestApp};

/// A multipart/form-data body with a `file` part (and a `kind` part when given).
fn form(file_name: &str, bytes: &[u8], kind: Option<&str>) -> (String, Vec<u8>) {
    let boundary = "rapport-test-boundary-7d3f";
    let mut body = Vec::new();
    if let Some(kind) = kind {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n").as_bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &TestApp, file_name: &str, bytes: &[u8], kind: Option<&str>) -> Resp {
    let (content_type, body) = form(file_name, bytes, kind);
    app.request(Method::POST, "/api/v1/imports", |r| {
        r.header("content-type", content_type).body(body)
    })
    .await
}

/// Uploads a file (its kind told by its name) and previews it with `mapping`; asserts both
/// answered (201, 200) and returns the import's id and the preview.
async fn upload_and_preview(app: &TestApp, file_name: &str, bytes: &[u8], mapping: &Value) -> (String, Resp) {
    let res = upload(app, file_name, bytes, None).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_owned();
    let preview = app
        .post(&format!("/api/v1/imports/{id}/preview"), &json!({"mapping": mapping}))
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    (id, preview)
}

/// Runs due jobs as the server's worker would.
async fn work(app: &TestApp) {
    while rapport::jobs::work_once(&app.state, "test-worker", chrono::Utc::now())
        .await
        .unwrap()
    {}
}

async fn contacts_count(app: &TestApp) -> i64 {
    app.scalar("SELECT count(*) FROM contacts WHERE deleted_at IS NULL")
        .await
}

const GOOGLE: &str = "\u{feff}First Name,Middle Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Organization Name,Organization Title,Notes\r\n\
Ada,,Lovelace,* myContacts ::: VIP,* Work,ada@example.com,Mobile,+44 20 7946 0958,Analytical Engines,CTO,\"Met at the salon,\nlikes numbers\"\r\n\
José,,Muñoz,* myContacts,* Home,jose@cafe-munoz.es,Mobile,+34 612 345 678,Café Muñoz,Owner,\r\n\
Grace,,Hopper,,* Work,GRACE@navy.example,,,,Rear Admiral,\r\n\
Pepe,,Muñoz,,* Home,JOSE@cafe-munoz.es,,,,,\r\n\
Bad,,Email,,* Work,not-an-email,,,,,\r\n\
Alan,,Turing,,* Work,alan@bletchley.example,,,bletchley park,,\r\n";

fn google_mapping() -> Value {
    json!({
        "First Name": "first_name", "Last Name": "last_name", "Labels": "tags",
        "E-mail 1 - Value": "email", "Phone 1 - Value": "phone",
        "Organization Name": "company", "Organization Title": "job_title", "Notes": "notes"
    })
}

#[actix_web::test]
async fn a_google_contacts_csv_is_previewed_committed_and_rolled_back() {
    let app = TestApp::spawn().await;
    // Grace exists already, with no job title; Alan's company exists in another case.
    let grace = app
        .contact(json!({"first_name": "Grace", "last_name": "Hopper", "emails": ["grace@navy.example"]}))
        .await;
    let existing_company = app.post("/api/v1/companies", &json!({"name": "Bletchley Park"})).await;
    assert_eq!(existing_company.status, 201, "{}", existing_company.text);
    let before = contacts_count(&app).await;

    let res = upload(&app, "google.csv", GOOGLE.as_bytes(), None).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let import = res.body.clone();
    let id = import["id"].as_str().unwrap().to_owned();
    assert_eq!(import["status"], "uploaded");
    assert_eq!(import["kind"], "contacts_csv");
    assert_eq!(import["encoding"], "UTF-8");
    assert_eq!(import["delimiter"], ",");
    assert_eq!(import["row_count"], 6);
    assert_eq!(import["detected_format"], "Google Contacts");
    assert_eq!(import["columns"][0], "First Name", "the BOM is not part of the name");
    assert_eq!(import["samples"][0][0], "Ada");
    assert_eq!(import["samples"][0][10], "Met at the salon,\nlikes numbers");
    for (column, field) in google_mapping().as_object().unwrap() {
        assert_eq!(import["suggested_mapping"][column], *field, "{column}");
    }
    assert!(import["fields"].as_array().unwrap().contains(&json!("email")));
    // Nothing is imported by an upload.
    assert_eq!(contacts_count(&app).await, before);

    let res = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": google_mapping(), "policy": "fill_empty"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body["counts"],
        json!({"create": 3, "update": 1, "skip": 1, "error": 1})
    );
    let rows = res.body["rows"].as_array().unwrap();
    let outcomes: Vec<&str> = rows.iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["create", "create", "update", "skip", "error", "create"]);
    assert_eq!(rows[2]["contact_id"], grace["id"]);
    assert_eq!(
        rows[2]["changes"],
        json!([{"field": "job_title", "old": null, "new": "Rear Admiral"}])
    );
    assert_eq!(rows[3]["reason"], "duplicate of row 2 (same email)");
    // Each reason also as a code with its values, for a client to say in its own words.
    assert_eq!(rows[3]["reason_code"], "duplicate_in_file");
    assert_eq!(rows[3]["reason_params"], json!({"row": 2, "key": "email"}));
    assert_eq!(rows[2]["reason_code"], "changes");
    assert_eq!(
        rows[2]["reason_params"],
        json!({"key": "email", "fields": ["job_title"]})
    );
    assert_eq!(rows[4]["column"], "E-mail 1 - Value");
    assert_eq!(rows[4]["reason"], "'not-an-email' is not an email address");
    assert_eq!(rows[4]["reason_code"], "email");
    assert_eq!(rows[4]["reason_params"], json!({"value": "not-an-email"}));
    assert_eq!(rows[0]["reason_code"], Value::Null, "a record created needs no reason");
    assert!(rows[0].get("reason_params").is_none());
    // Paged, and filtered by outcome.
    let page = app.get(&format!("/api/v1/imports/{id}/rows?limit=2")).await;
    assert_eq!(page.body["rows"].as_array().unwrap().len(), 2);
    assert_eq!(page.body["next_after"], 2);
    let next = app.get(&format!("/api/v1/imports/{id}/rows?limit=2&after=2")).await;
    assert_eq!(next.body["rows"][0]["row"], 3);
    let errors = app.get(&format!("/api/v1/imports/{id}/rows?outcome=error")).await;
    assert_eq!(errors.body["rows"].as_array().unwrap().len(), 1);
    assert_eq!(contacts_count(&app).await, before, "a preview writes no contact");

    // The failed records, ready to fix.
    let csv = app.get(&format!("/api/v1/imports/{id}/errors.csv")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-disposition").unwrap().contains("google-errors.csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert!(lines[0].ends_with(",Notes,Error"), "{}", csv.text);
    assert!(lines[1].starts_with("Bad,,Email,"), "{}", csv.text);
    assert!(lines[1].contains("Row 5, E-mail 1 - Value: 'not-an-email' is not an email address"));

    // Commit: queued, then run by the worker.
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_eq!(res.body["status"], "queued");
    let again = app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    again.problem(409, "import_state");
    work(&app).await;
    let done = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(done.body["status"], "committed", "{}", done.text);
    assert_eq!(done.body["progress"], json!({"done": 6, "total": 6}));
    assert_eq!(done.body["result"]["created"], 3);
    assert_eq!(done.body["result"]["updated"], 1);
    assert_eq!(done.body["result"]["companies_created"], 2);
    assert_eq!(contacts_count(&app).await, before + 3);

    let found = app.get("/api/v1/contacts?q=lovelace").await;
    let ada = &found.body["items"][0];
    assert_eq!(ada["emails"], json!(["ada@example.com"]));
    assert_eq!(ada["phones"], json!(["+44 20 7946 0958"]));
    assert_eq!(ada["company"]["name"], "Analytical Engines");
    assert_eq!(ada["job_title"], "CTO");
    assert_eq!(ada["tags"], json!(["vip"]));
    assert_eq!(ada["notes"], "Met at the salon,\nlikes numbers");
    assert!(ada["next_follow_up_at"].is_string(), "follow-ups are scheduled: {ada}");
    let alan = app.get("/api/v1/contacts?q=turing").await;
    assert_eq!(
        alan.body["items"][0]["company"]["id"], existing_company.body["id"],
        "a company named in another case is the same company"
    );
    let grace_now = app
        .get(&format!("/api/v1/contacts/{}", grace["id"].as_str().unwrap()))
        .await;
    assert_eq!(grace_now.body["job_title"], "Rear Admiral");
    assert_eq!(grace_now.body["version"], 2);
    // The history names the import.
    let history = app
        .get(&format!("/api/v1/contacts/{}/history", ada["id"].as_str().unwrap()))
        .await;
    assert!(history.text.contains("import of google.csv"), "{}", history.text);

    // A manual edit after the import is not undone by the rollback.
    let jose = app.get("/api/v1/contacts?q=jose@cafe").await.body["items"][0].clone();
    let edited = app
        .patch(
            &format!("/api/v1/contacts/{}", jose["id"].as_str().unwrap()),
            &json!({"job_title": "Barista"}),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);

    let res = app.post(&format!("/api/v1/imports/{id}/rollback"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "rolled_back");
    let rb = &res.body["result"]["rollback"];
    assert_eq!(rb["removed"], 2, "{rb}");
    assert_eq!(rb["reverted"], 1);
    assert_eq!(rb["kept_changed"], 1);
    assert_eq!(
        rb["companies_removed"], 1,
        "Analytical Engines goes; Café Muñoz still has José"
    );
    assert_eq!(contacts_count(&app).await, before + 1, "José stays");
    let grace_now = app
        .get(&format!("/api/v1/contacts/{}", grace["id"].as_str().unwrap()))
        .await;
    assert_eq!(grace_now.body["job_title"], Value::Null);
    let jose_now = app
        .get(&format!("/api/v1/contacts/{}", jose["id"].as_str().unwrap()))
        .await;
    assert_eq!(jose_now.body["job_title"], "Barista");
    let rows = app.get(&format!("/api/v1/imports/{id}/rows?outcome=create")).await;
    let marks: Vec<&str> = rows.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rollback"].as_str().unwrap())
        .collect();
    assert_eq!(marks, ["removed", "kept_changed", "removed"]);
    assert_eq!(
        app.scalar("SELECT count(*) FROM companies WHERE deleted_at IS NULL AND name = 'Analytical Engines'")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM companies WHERE deleted_at IS NULL AND name = 'Bletchley Park'")
            .await,
        1
    );
    // Once.
    let twice = app.post(&format!("/api/v1/imports/{id}/rollback"), &json!({})).await;
    twice.problem(409, "import_state");

    // History, newest first.
    let list = app.get("/api/v1/imports").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"][0]["id"], id.as_str());
    assert!(
        list.body["items"][0]["created_by_name"]
            .as_str()
            .unwrap()
            .starts_with("Olive Owner")
    );
}

#[actix_web::test]
async fn a_commit_that_fails_writes_nothing_and_can_be_retried() {
    let app = TestApp::spawn().await;
    let before = contacts_count(&app).await;
    let res = upload(&app, "google.csv", GOOGLE.as_bytes(), None).await;
    let id = res.body["id"].as_str().unwrap().to_owned();
    let res = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": google_mapping()}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // Alan, the last record, cannot be written.
    app.execute("ALTER TABLE contacts ADD CONSTRAINT test_no_alan CHECK (first_name <> 'Alan')")
        .await;
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    assert_eq!(res.status, 202);
    work(&app).await;
    let failed = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(failed.body["status"], "failed", "{}", failed.text);
    assert!(
        failed.body["error"]
            .as_str()
            .unwrap()
            .starts_with("Nothing was imported")
    );
    assert_eq!(contacts_count(&app).await, before, "no contact of the batch stays");
    assert_eq!(app.scalar("SELECT count(*) FROM companies").await, 0, "nor a company");
    assert_eq!(
        app.scalar("SELECT count(*) FROM activity WHERE summary LIKE '%import%'")
            .await,
        0
    );

    app.execute("ALTER TABLE contacts DROP CONSTRAINT test_no_alan").await;
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    assert_eq!(res.status, 202, "{}", res.text);
    work(&app).await;
    let done = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(done.body["status"], "committed", "{}", done.text);
    assert_eq!(done.body["error"], Value::Null);
    assert_eq!(contacts_count(&app).await, before + 4);
}

#[actix_web::test]
async fn legacy_encodings_delimiters_and_vcards_are_read() {
    let app = TestApp::spawn().await;
    // Outlook on Windows: Windows-1252 and semicolons.
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(
        "First Name;Last Name;E-mail Address;Business Phone;Company;Categories\r\nSégolène;Müller;seg@example.fr;01 42 68 53 00;Crème & Cie;Clients;Paris\r\nFrançois;Lefèvre;fr@example.fr;;Zoë SARL;\r\n",
    );
    let res = upload(&app, "outlook.csv", &bytes, None).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["encoding"], "windows-1252");
    assert_eq!(res.body["delimiter"], ";");
    assert_eq!(res.body["samples"][0][0], "Ségolène");
    let id = res.body["id"].as_str().unwrap().to_owned();
    // Phone numbers without + are read in the workspace's country.
    let res = app.patch("/api/v1/settings", &json!({"default_country": "FR"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let mapping = res_mapping(&app, &id).await;
    let preview = app
        .post(&format!("/api/v1/imports/{id}/preview"), &json!({"mapping": mapping}))
        .await;
    assert_eq!(preview.body["counts"]["create"], 1, "{}", preview.text);
    assert_eq!(preview.body["rows"][0]["reason"], "has 7 fields; the header has 6");
    assert_eq!(preview.body["rows"][0]["reason_code"], "field_count");
    assert_eq!(
        preview.body["rows"][0]["reason_params"],
        json!({"fields": 7, "header": 6})
    );
    assert_eq!(preview.body["rows"][0]["outcome"], "error");
    app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    work(&app).await;
    let f = app.get("/api/v1/contacts?q=lef%C3%A8vre").await;
    assert_eq!(f.body["items"][0]["company"]["name"], "Zoë SARL", "{}", f.text);

    // An iPhone's vCard export: one file, several cards.
    let vcf = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Curie;Marie;;;\r\nFN:Marie Curie\r\nORG:Institut du Radium;\r\nEMAIL;type=INTERNET;type=pref:marie@radium.fr\r\nTEL;type=CELL:06 12 34 56 78\r\nCATEGORIES:science\r\nPHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRg\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nFN:Pierre Curie\r\nEMAIL:pierre@radium.fr\r\nEND:VCARD\r\n";
    let res = upload(&app, "iphone.vcf", vcf.as_bytes(), None).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["kind"], "vcard");
    assert_eq!(res.body["row_count"], 2);
    assert_eq!(res.body["notices"][0], "1 photo(s) ignored: contacts have no pictures.");
    let id = res.body["id"].as_str().unwrap().to_owned();
    let mapping = res.body["suggested_mapping"].clone();
    let preview = app
        .post(&format!("/api/v1/imports/{id}/preview"), &json!({"mapping": mapping}))
        .await;
    assert_eq!(preview.body["counts"]["create"], 2, "{}", preview.text);
    app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    work(&app).await;
    let m = app.get("/api/v1/contacts?q=marie@radium").await;
    let marie = &m.body["items"][0];
    assert_eq!(marie["phones"], json!(["+33 6 12 34 56 78"]), "{marie}");
    assert_eq!(marie["company"]["name"], "Institut du Radium");
    assert_eq!(marie["tags"], json!(["science"]));
    let p = app.get("/api/v1/contacts?q=pierre@radium").await;
    assert_eq!(p.body["items"][0]["last_name"], "Curie");

    // The same header later: the mapping used last time is suggested.
    let again = upload(&app, "iphone-2.vcf", vcf.as_bytes(), None).await;
    assert_eq!(again.body["suggested_mapping"], mapping);
    let preview = app
        .post(
            &format!("/api/v1/imports/{}/preview", again.body["id"].as_str().unwrap()),
            &json!({"mapping": mapping}),
        )
        .await;
    assert_eq!(
        preview.body["counts"],
        json!({"create": 0, "update": 0, "skip": 2, "error": 0})
    );
    assert_eq!(preview.body["rows"][0]["reason"], "unchanged");
}

#[actix_web::test]
async fn records_match_contacts_by_phone_in_any_format_and_by_linkedin_profile() {
    let app = TestApp::spawn().await;
    let res = app.patch("/api/v1/settings", &json!({"default_country": "FR"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    // Stored as people type them: a national number, a profile URL with its scheme and slash.
    let marie = app
        .contact(json!({"first_name": "Marie", "last_name": "Curie", "phones": ["06 12 34 56 78"]}))
        .await;
    let pierre = app
        .contact(json!({"first_name": "Pierre", "last_name": "Curie",
            "linkedin_url": "https://www.linkedin.com/in/pierre-curie/"}))
        .await;
    // The same last seven digits as Irène's number, in another country: not her.
    app.contact(json!({"first_name": "Other", "last_name": "Number", "phones": ["+44 20 7946 0958"]}))
        .await;
    let csv = "First Name,Last Name,Mobile,LinkedIn,Title\r\n\
Marie,Curie,+33 6 12 34 56 78,,Physicist\r\n\
Pierre,Curie,,http://linkedin.com/in/pierre-curie,Chemist\r\n\
Irène,Joliot-Curie,+33 1 79 46 09 58,,Chemist\r\n";
    let mapping = json!({"First Name": "first_name", "Last Name": "last_name", "Mobile": "phone",
        "LinkedIn": "linkedin_url", "Title": "job_title"});
    let (_, res) = upload_and_preview(&app, "people.csv", csv.as_bytes(), &mapping).await;
    assert_eq!(
        res.body["counts"],
        json!({"create": 1, "update": 2, "skip": 0, "error": 0}),
        "{}",
        res.text
    );
    let rows = &res.body["rows"];
    assert_eq!(rows[0]["contact_id"], marie["id"]);
    assert_eq!(rows[0]["reason_params"]["key"], "phone");
    assert_eq!(rows[1]["contact_id"], pierre["id"]);
    assert_eq!(rows[1]["reason_params"]["key"], "linkedin_url");
    assert_eq!(rows[2]["outcome"], "create");
}

async fn res_mapping(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/v1/imports/{id}")).await.body["suggested_mapping"].clone()
}

#[actix_web::test]
async fn bad_files_and_bad_requests_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let imports = || app.scalar("SELECT count(*) FROM imports");
    upload(&app, "empty.csv", b"", None).await.problem(422, "empty_file");
    let png = [
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 0, 0, 1, 0,
    ];
    upload(&app, "photo.csv", &png, None)
        .await
        .problem(422, "not_a_text_file");
    upload(&app, "header.csv", b"Name,Email\r\n", None)
        .await
        .problem(422, "no_rows");
    let wide = (0..10_000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",");
    upload(&app, "wide.csv", format!("{wide}\n1\n").as_bytes(), None)
        .await
        .problem(422, "too_many_columns");
    let res = upload(&app, "contacts.csv", b"Name\nAda\n", Some("spreadsheet")).await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["kind"]);
    upload(
        &app,
        "cards.csv",
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n",
        Some("contacts_csv"),
    )
    .await
    .problem(422, "wrong_kind");
    upload(&app, "cards.vcf", b"not a card\n", Some("vcard"))
        .await
        .problem(422, "not_a_text_file");
    // 60 MB is over the limit.
    let big = vec![b'a'; 60 * 1024 * 1024];
    upload(&app, "big.csv", &big, None)
        .await
        .problem(413, "payload_too_large");
    // Not a form.
    let res = app
        .request(Method::POST, "/api/v1/imports", |r| {
            r.header("content-type", "text/csv").body("Name\nAda\n")
        })
        .await;
    res.problem(415, "unsupported_media_type");
    let (ct, body) = form("x.csv", b"Name\nAda\n", None);
    let body = String::from_utf8(body)
        .unwrap()
        .replace("name=\"file\"", "name=\"upload\"");
    let res = app
        .request(Method::POST, "/api/v1/imports", |r| {
            r.header("content-type", ct).body(body)
        })
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(imports().await, 0, "no import was stored");

    // Ragged records, a 1 MB field, NUL bytes and invalid bytes are per-record errors.
    let mut file = b"Name,Email,Notes\nAda,ada@x.io\nBob,bob@x.io,ok,extra\nCy,cy@x.io,".to_vec();
    file.extend(vec![b'n'; 1024 * 1024]);
    file.extend(b"\nD\0n,dan@x.io,\nEve,eve@x.io,caf\xe9\n");
    file.extend("Fay,fay@x.io,\"Zoë, Zürich,\nRené, Anaïs\"\n".as_bytes());
    let mapping = json!({"Name": "full_name", "Email": "email", "Notes": "notes"});
    let (id, preview) = upload_and_preview(&app, "messy.csv", &file, &mapping).await;
    let rows = preview.body["rows"].as_array().unwrap();
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["outcome"].as_str().unwrap(), r["reason"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(got[0], ("create", ""));
    assert_eq!(got[1], ("error", "has 4 fields; the header has 3"));
    assert_eq!(got[2].0, "error");
    assert!(got[2].1.contains("20000"), "{}", got[2].1);
    assert_eq!(got[3], ("error", "contains a NUL character"));
    assert_eq!(
        got[4],
        ("error", "holds bytes that are not text in the file's encoding")
    );
    assert_eq!(got[5], ("create", ""));
    assert_eq!(rows[2]["column"], "Notes");

    // A mapping that names a missing column or an unknown field.
    let before = app.get(&format!("/api/v1/imports/{id}")).await.body.clone();
    let res = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": {"Nope": "email", "Name": "nickname"}}),
        )
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["mapping.Name", "mapping.Nope"]);
    let res = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": mapping, "policy": "merge"}),
        )
        .await;
    res.problem(422, "validation_failed");
    let after = app.get(&format!("/api/v1/imports/{id}")).await.body.clone();
    assert_eq!(
        after["counts"], before["counts"],
        "a refused preview keeps the last plan"
    );

    // Commit before a preview, rollback before a commit, someone else's import.
    let fresh = upload(&app, "again.csv", b"Name\nAda\n", None).await;
    let fid = fresh.body["id"].as_str().unwrap();
    app.post(&format!("/api/v1/imports/{fid}/commit"), &json!({}))
        .await
        .problem(409, "import_state");
    app.post(&format!("/api/v1/imports/{fid}/rollback"), &json!({}))
        .await
        .problem(409, "import_state");
    app.get(&format!("/api/v1/imports/{}", uuid::Uuid::now_v7()))
        .await
        .problem(404, "not_found");
    assert_eq!(contacts_count(&app).await, 0);
}

#[actix_web::test]
async fn read_only_members_cannot_import_or_download_failed_records() {
    let app = TestApp::spawn().await;
    let res = upload(&app, "a.csv", b"Name,Email\nAda,bad\n", None).await;
    let id = res.body["id"].as_str().unwrap().to_owned();
    let (_, reader) = app
        .member("reader@example.com", rapport::accounts::dto::Role::ReadOnly)
        .await;
    let res = app
        .request_as(&reader, Method::GET, &format!("/api/v1/imports/{id}/errors.csv"), |r| r)
        .await;
    res.problem(403, "forbidden");
    let (ct, body) = form("b.csv", b"Name\nAda\n", None);
    let res = app
        .request_as(&reader, Method::POST, "/api/v1/imports", |r| {
            r.header("content-type", ct)
                .header("origin", app.base.clone())
                .body(body)
        })
        .await;
    res.problem(403, "forbidden");
    // Reading the history is allowed.
    let res = app.request_as(&reader, Method::GET, "/api/v1/imports", |r| r).await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[actix_web::test]
async fn a_contact_changed_after_the_preview_is_planned_again_at_commit() {
    let app = TestApp::spawn().await;
    let grace = app
        .contact(json!({"first_name": "Grace", "last_name": "Hopper", "emails": ["grace@navy.example"]}))
        .await;
    let gid = grace["id"].as_str().unwrap();
    let res = upload(&app, "google.csv", GOOGLE.as_bytes(), None).await;
    let id = res.body["id"].as_str().unwrap().to_owned();
    let preview = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": google_mapping()}),
        )
        .await;
    assert_eq!(preview.body["counts"]["update"], 1, "{}", preview.text);
    // Someone fills in her title after the preview, behind the history's back (so only her
    // version tells).
    app.execute(&format!(
        "UPDATE contacts SET job_title = 'Admiral', version = version + 1 WHERE id = '{gid}'"
    ))
    .await;
    app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    work(&app).await;
    let done = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(done.body["status"], "committed", "{}", done.text);
    assert_eq!(done.body["result"]["updated"], 0, "{}", done.text);
    assert_eq!(done.body["result"]["created"], 3);
    let now = app.get(&format!("/api/v1/contacts/{gid}")).await;
    assert_eq!(now.body["job_title"], "Admiral", "the newer value is not overwritten");
    let rows = app.get(&format!("/api/v1/imports/{id}/rows?limit=3&after=2")).await;
    assert_eq!(rows.body["rows"][0]["outcome"], "skip");
    assert_eq!(rows.body["rows"][0]["reason"], "unchanged");
}

#[actix_web::test]
async fn mappings_are_saved_by_name_listed_and_deleted() {
    let app = TestApp::spawn().await;
    let body = json!({"name": " Trade show list ", "mapping": {"Name": "full_name", "E-mail": "email", "Firm": "company",
                      "Ignored": "", "Size": "custom.team_size"}, "policy": "overwrite"});
    let res = app.post("/api/v1/import-mappings", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["name"], "Trade show list");
    assert_eq!(res.body["mapping"]["Firm"], "company");
    assert_eq!(res.body["policy"], "overwrite");
    let id = res.body["id"].as_str().unwrap().to_owned();
    // The same name in another case is taken.
    let res = app
        .post(
            "/api/v1/import-mappings",
            &json!({"name": "TRADE SHOW LIST", "mapping": {}}),
        )
        .await;
    res.problem(409, "duplicate_name");
    // Bad input changes nothing.
    let res = app
        .post(
            "/api/v1/import-mappings",
            &json!({"name": "Bad", "mapping": {"Name": "shoe_size"}}),
        )
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["mapping.Name"]);
    let res = app
        .post("/api/v1/import-mappings", &json!({"name": "  ", "mapping": {}}))
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    let res = app
        .post(
            "/api/v1/import-mappings",
            &json!({"name": "x".repeat(101), "mapping": {}}),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.text);
    assert_eq!(app.scalar("SELECT count(*) FROM import_mappings").await, 1);

    let list = app.get("/api/v1/import-mappings").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["items"][0]["id"], id.as_str());

    assert_eq!(app.delete(&format!("/api/v1/import-mappings/{id}")).await.status, 204);
    app.delete(&format!("/api/v1/import-mappings/{id}"))
        .await
        .problem(404, "not_found");
    assert_eq!(app.scalar("SELECT count(*) FROM import_mappings").await, 0);
}

/// A file longer than one batch (5,000 records are stored, read and decided at a time): the
/// records keep their numbers across batches, a record repeating one from an earlier batch is
/// a duplicate, and a contact matched only by a later batch is updated.
#[actix_web::test]
async fn a_file_longer_than_a_batch_is_planned_as_one() {
    let app = TestApp::spawn().await;
    let existing = app
        .contact(json!({"first_name": "Late", "last_name": "Match", "emails": ["late@match.example"]}))
        .await;
    let mut csv = String::from("First Name,Last Name,E-mail 1 - Value,Organization Title\r\n");
    for i in 1..=5_300 {
        let (email, title) = match i {
            5_101 => ("person2@bulk.example".to_owned(), ""),
            5_202 => ("LATE@match.example".to_owned(), "Archivist"),
            _ => (format!("person{i}@bulk.example"), ""),
        };
        csv.push_str(&format!("Person,Number {i},{email},{title}\r\n"));
        if i == 2_500 {
            csv.push_str(",,,\r\n");
        }
    }
    let res = upload(&app, "bulk.csv", csv.as_bytes(), None).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["row_count"], 5_300, "the blank record is left out");
    let id = res.body["id"].as_str().unwrap().to_owned();
    let stored = app
        .scalar(&format!(
            "SELECT count(*) FROM import_rows WHERE import_id = '{id}' AND cells[2] = 'Number ' || row_no"
        ))
        .await;
    assert_eq!(stored, 5_300, "every record under its own number, in file order");

    let mapping = json!({"First Name": "first_name", "Last Name": "last_name",
        "E-mail 1 - Value": "email", "Organization Title": "job_title"});
    let res = app
        .post(&format!("/api/v1/imports/{id}/preview"), &json!({"mapping": mapping}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body["counts"],
        json!({"create": 5_298, "update": 1, "skip": 1, "error": 0})
    );
    let rows = app.get(&format!("/api/v1/imports/{id}/rows?after=5100&limit=1")).await;
    assert_eq!(rows.body["rows"][0]["row"], 5_101);
    assert_eq!(rows.body["rows"][0]["reason_code"], "duplicate_in_file");
    assert_eq!(rows.body["rows"][0]["reason_params"], json!({"row": 2, "key": "email"}));
    let rows = app.get(&format!("/api/v1/imports/{id}/rows?outcome=update")).await;
    assert_eq!(rows.body["rows"][0]["row"], 5_202);
    assert_eq!(rows.body["rows"][0]["contact_id"], existing["id"]);

    let before = contacts_count(&app).await;
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    assert_eq!(res.status, 202, "{}", res.text);
    work(&app).await;
    let done = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(done.body["status"], "committed", "{}", done.text);
    assert_eq!(done.body["result"]["created"], 5_298);
    assert_eq!(contacts_count(&app).await, before + 5_298);
    let late = app
        .get(&format!("/api/v1/contacts/{}", existing["id"].as_str().unwrap()))
        .await;
    assert_eq!(late.body["job_title"], "Archivist");
}

#[actix_web::test]
async fn a_long_import_is_written_one_batch_at_a_time_while_requests_are_answered() {
    let app = TestApp::spawn().await;
    let mut csv = String::from("First Name,Last Name,E-mail 1 - Value\r\n");
    for i in 1..=10_100 {
        csv.push_str(&format!("Person,Number {i},person{i}@busy.example\r\n"));
    }
    let mapping = json!({"First Name": "first_name", "Last Name": "last_name", "E-mail 1 - Value": "email"});
    let (id, res) = upload_and_preview(&app, "busy.csv", csv.as_bytes(), &mapping).await;
    assert_eq!(res.body["counts"]["create"], 10_100, "{}", res.text);
    // Which sessions write the batches.
    app.execute("CREATE TABLE batch_writers (pid int)").await;
    app.execute(
        "CREATE FUNCTION note_batch_writer() RETURNS trigger LANGUAGE plpgsql AS \
           $$ BEGIN INSERT INTO batch_writers VALUES (pg_backend_pid()); RETURN NULL; END $$",
    )
    .await;
    app.execute(
        "CREATE TRIGGER note_batch_writer AFTER INSERT ON import_batches FOR EACH ROW \
           EXECUTE FUNCTION note_batch_writer()",
    )
    .await;
    // A request is being answered for the whole commit.
    let in_flight = app.state.load.request();
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    assert_eq!(res.status, 202, "{}", res.text);
    work(&app).await;
    let done = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(done.body["status"], "committed", "{}", done.text);
    assert_eq!(done.body["result"]["created"], 10_100);
    drop(in_flight);
    assert_eq!(app.scalar("SELECT count(*) FROM batch_writers").await, 3);
    assert_eq!(
        app.scalar("SELECT count(DISTINCT pid) FROM batch_writers").await,
        1,
        "the second connection stepped aside"
    );
    // Each batch merged its contacts' entries into the search indexes as it ended.
    assert_eq!(app.pending_contact_index_entries().await, 0);
    let found = app.get("/api/v1/contacts?q=number%2010099&include_total=true").await;
    assert_eq!(found.body["total"], 1, "{}", found.text);
}

/// A file of several batches (each written in a transaction of its own) of which the one holding
/// record 7,777 cannot be written, and the import it becomes after the preview.
async fn a_long_import_that_fails_part_way(app: &TestApp) -> (String, String) {
    let early = app
        .contact(json!({"first_name": "Early", "last_name": "Match", "emails": ["early@match.example"]}))
        .await;
    let mut csv = String::from("First Name,Last Name,E-mail 1 - Value,Organization Name,Organization Title\r\n");
    for i in 1..=10_200 {
        let line = match i {
            // An update in the first batch, the failure in the second.
            10 => "Early,Match,early@match.example,,Curator".to_owned(),
            7_777 => "Boom,Number 7777,boom@bulk.example,,".to_owned(),
            _ => format!("Person,Number {i},person{i}@bulk.example,Company {},", i % 3),
        };
        csv.push_str(&line);
        csv.push_str("\r\n");
    }
    let mapping = json!({"First Name": "first_name", "Last Name": "last_name", "E-mail 1 - Value": "email",
        "Organization Name": "company", "Organization Title": "job_title"});
    let (id, res) = upload_and_preview(app, "long.csv", csv.as_bytes(), &mapping).await;
    assert_eq!(
        res.body["counts"],
        json!({"create": 10_199, "update": 1, "skip": 0, "error": 0})
    );
    app.execute("ALTER TABLE contacts ADD CONSTRAINT test_no_boom CHECK (first_name <> 'Boom')")
        .await;
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    assert_eq!(res.status, 202, "{}", res.text);
    work(app).await;
    (id, early["id"].as_str().unwrap().to_owned())
}

/// Contacts of the long file in the workspace, live.
async fn long_file_contacts(app: &TestApp) -> i64 {
    app.scalar("SELECT count(*) FROM contacts WHERE deleted_at IS NULL AND last_name LIKE 'Number %'")
        .await
}

/// The batches a long import's commit recorded, and the contacts they say they created.
async fn written(app: &TestApp, id: &str) -> (i64, i64) {
    (
        app.scalar(&format!("SELECT count(*) FROM import_batches WHERE import_id = '{id}'"))
            .await,
        app.scalar(&format!(
            "SELECT coalesce(sum(created), 0) FROM import_batches WHERE import_id = '{id}'"
        ))
        .await,
    )
}

#[actix_web::test]
async fn a_long_import_failing_part_way_says_so_and_commits_the_rest_when_asked_again() {
    let app = TestApp::spawn().await;
    let (id, early) = a_long_import_that_fails_part_way(&app).await;
    let failed = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(failed.body["status"], "failed", "{}", failed.text);
    let error = failed.body["error"].as_str().unwrap();
    assert!(error.starts_with("Partly imported: "), "{error}");
    assert!(
        error.contains("Commit again to write the rest, or roll back"),
        "{error}"
    );
    // The first batch (with the update) is always written; the failing one never is.
    let (batches, created) = written(&app, &id).await;
    assert!(batches >= 1, "{batches} batches");
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM import_batches WHERE import_id = '{id}' AND (first_row = 1 OR 7777 BETWEEN first_row AND last_row)"
        ))
        .await,
        1
    );
    assert_eq!(
        long_file_contacts(&app).await,
        created,
        "what the batches record is what exists"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM contacts c WHERE c.last_name LIKE 'Number %' AND NOT EXISTS ( \
               SELECT 1 FROM import_batches b WHERE b.import_id = '{id}' \
                 AND substr(c.last_name, 8)::int BETWEEN b.first_row AND b.last_row)"
        ))
        .await,
        0,
        "nothing of a batch that was not recorded as written"
    );
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{early}")).await.body["job_title"],
        "Curator"
    );
    // A new plan would lose track of what was written: the import is committed or rolled back.
    let res = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": {"First Name": "first_name"}}),
        )
        .await;
    assert_eq!(res.status, 409, "{}", res.text);
    assert_eq!(res.body["code"], "import_state");

    // Fixed, committed again: only the batches not written are, no record twice.
    app.execute("ALTER TABLE contacts DROP CONSTRAINT test_no_boom").await;
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    assert_eq!(res.status, 202, "{}", res.text);
    work(&app).await;
    let done = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(done.body["status"], "committed", "{}", done.text);
    assert_eq!(done.body["error"], Value::Null);
    assert_eq!(done.body["result"]["created"], 10_199, "{}", done.text);
    assert_eq!(done.body["result"]["updated"], 1);
    assert_eq!(
        done.body["result"]["companies_created"], 3,
        "companies are not created twice"
    );
    // The resumed job counted the whole file once: what the first run wrote, then the rest.
    let job =
        |column: &str| format!("SELECT {column} FROM jobs WHERE id = (SELECT job_id FROM imports WHERE id = '{id}')");
    assert_eq!(app.scalar(&job("progress_done")).await, 10_200);
    assert_eq!(app.scalar(&job("progress_total")).await, 10_200);
    assert_eq!(
        app.scalar(&format!(
            "SELECT sum(last_row - first_row + 1) FROM import_batches WHERE import_id = '{id}'"
        ))
        .await,
        10_200,
        "every record in exactly one batch"
    );
    assert_eq!(long_file_contacts(&app).await, 10_199);
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM (SELECT emails FROM contacts WHERE last_name LIKE 'Number %' \
             GROUP BY emails HAVING count(*) > 1) d"
        )
        .await,
        0,
        "no contact created twice"
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM companies WHERE name LIKE 'Company %'")
            .await,
        3
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM activity WHERE message = 'contact_imported'")
            .await,
        10_199,
        "one history entry per contact created"
    );

    // The whole import rolls back as one.
    let res = app.post(&format!("/api/v1/imports/{id}/rollback"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["result"]["rollback"]["removed"], 10_199, "{}", res.text);
    assert_eq!(res.body["result"]["rollback"]["reverted"], 1);
    assert_eq!(long_file_contacts(&app).await, 0);
}

#[actix_web::test]
async fn a_long_import_failing_part_way_rolls_back_exactly_what_was_written() {
    let app = TestApp::spawn().await;
    let (id, early) = a_long_import_that_fails_part_way(&app).await;
    let (_, created) = written(&app, &id).await;
    assert!(created > 0, "the first batch at least");
    let res = app.post(&format!("/api/v1/imports/{id}/rollback"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "rolled_back");
    let rollback = &res.body["result"]["rollback"];
    assert_eq!(rollback["removed"], created, "{}", res.text);
    assert_eq!(rollback["reverted"], 1);
    assert_eq!(
        rollback["kept_missing"], 0,
        "records never written are not reported: {rollback}"
    );
    assert_eq!(rollback["kept_changed"], 0);
    assert_eq!(long_file_contacts(&app).await, 0);
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{early}")).await.body["job_title"],
        Value::Null
    );
    // Rolled back, it is not committed again.
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    assert_eq!(res.status, 409, "{}", res.text);
}
