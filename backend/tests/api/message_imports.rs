//! Interactions from files: `.eml` messages (as Gmail, Outlook and Apple Mail write them), an
//! mbox with a broken message, and `.ics` invitations become interactions on the contacts their
//! addresses match; unmatched addresses are listed and can become contacts; the same message
//! twice is recognised; a rollback takes it all back.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Resp, TestApp, add_user};
use rapport::accounts::dto::Role;

const GMAIL: &[u8] = include_bytes!("../fixtures/email/gmail.eml");
const OUTLOOK: &[u8] = include_bytes!("../fixtures/email/outlook.eml");
const APPLE: &[u8] = include_bytes!("../fixtures/email/apple.eml");

/// Fiona's reply to Ana: an outbound message, quoting Ana's.
const REPLY: &str = "From: Fiona Freelance <fiona@studio.example>\r\n\
To: Ana Lima <ana@lima-design.example>\r\n\
Cc: Bea Lima <bea@lima-design.example>\r\n\
Subject: Re: Nuevo sitio\r\n\
Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n\
Message-ID: <reply-1@studio.example>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Ana, the proposal is attached.\r\n\
\r\n\
On Tue, 24 Nov 2026 at 09:12, Ana Lima <ana@lima-design.example> wrote:\r\n\
> We can spend 2,500.\r\n";

const NO_FROM: &str = "To: fiona@studio.example\r\nSubject: Who sent this?\r\nDate: Wed, 25 Nov 2026 11:00:00 +0000\r\nMessage-ID: <nofrom@x>\r\n\r\nHello\r\n";

/// A multipart/form-data body with several `file` parts (and a `kind` part when given).
fn form(files: &[(&str, &[u8])], kind: Option<&str>) -> (String, Vec<u8>) {
    let boundary = "rapport-test-boundary-51aa";
    let mut body = Vec::new();
    if let Some(kind) = kind {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n").as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(app: &TestApp, files: &[(&str, &[u8])], kind: Option<&str>) -> Resp {
    let (content_type, body) = form(files, kind);
    app.request(Method::POST, "/api/v1/imports", |r| {
        r.header("content-type", content_type).body(body)
    })
    .await
}

async fn work(app: &TestApp) {
    while rapport::jobs::work_once(&app.state, "test-worker", chrono::Utc::now())
        .await
        .unwrap()
    {}
}

async fn commit(app: &TestApp, id: &str) -> Value {
    let res = app.post(&format!("/api/v1/imports/{id}/commit"), &json!({})).await;
    assert_eq!(res.status, 202, "{}", res.text);
    work(app).await;
    let res = app.get(&format!("/api/v1/imports/{id}")).await;
    assert_eq!(res.body["status"], "committed", "{}", res.text);
    res.body
}

async fn imported(app: &TestApp) -> i64 {
    app.scalar("SELECT count(*) FROM interactions WHERE external_ref IS NOT NULL")
        .await
}

#[actix_web::test]
async fn email_files_become_interactions_on_the_contacts_they_concern_and_roll_back() {
    let app = TestApp::spawn().await;
    // Fiona is a member: her address is the workspace's own side of every message.
    add_user(
        &app.pool,
        "fiona@studio.example",
        "Fiona Freelance",
        rapport::db::DEFAULT_WORKSPACE_ID,
        Role::Member,
    )
    .await;
    let ana = app
        .contact(json!({"first_name": "Ana", "last_name": "Lima", "emails": ["Ana@Lima-Design.example"]}))
        .await;
    let john = app
        .contact(json!({"first_name": "John", "last_name": "Smith", "emails": ["john.smith@contoso.com"]}))
        .await;
    let ana_id = ana["id"].as_str().unwrap().to_owned();
    let john_id = john["id"].as_str().unwrap().to_owned();
    let contacts_before = app.scalar("SELECT count(*) FROM contacts").await;

    // Five files at once, recognised by their names.
    let res = upload(
        &app,
        &[
            ("gmail.eml", GMAIL),
            ("outlook.eml", OUTLOOK),
            ("apple.eml", APPLE),
            ("reply.eml", REPLY.as_bytes()),
            ("nofrom.eml", NO_FROM.as_bytes()),
        ],
        None,
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["kind"], "eml");
    assert_eq!(res.body["file_name"], "gmail.eml and 4 more");
    assert_eq!(res.body["row_count"], 5);
    assert_eq!(res.body["suggested_mapping"], json!({}));
    assert_eq!(res.body["samples"][0][3], "José Muñoz <jose@cafe-munoz.es>");
    let id = res.body["id"].as_str().unwrap().to_owned();

    // A mapping means nothing for email files.
    let res = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": {"From": "email"}}),
        )
        .await;
    assert_eq!(res.problem(422, "validation_failed")["errors"][0]["field"], "mapping");

    let res = app.post(&format!("/api/v1/imports/{id}/preview"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body["counts"],
        json!({"create": 3, "update": 0, "skip": 1, "error": 1}),
        "{}",
        res.text
    );
    let unmatched = res.body["unmatched"].as_array().unwrap();
    let emails: Vec<&str> = unmatched.iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(
        emails,
        ["bea@lima-design.example", "jose@cafe-munoz.es"],
        "{}",
        res.text
    );
    assert_eq!(unmatched[1]["name"], "José Muñoz");
    assert!(
        !emails.contains(&"fiona@studio.example"),
        "own addresses are not contacts"
    );
    let rows = res.body["rows"].as_array().unwrap();
    assert_eq!(rows[0]["outcome"], "skip");
    assert_eq!(rows[0]["reason"], "no contact has any of its addresses");
    assert_eq!(rows[0]["reason_code"], "no_contact");
    assert_eq!(rows[1]["contact_id"], john_id.as_str());
    assert_eq!(rows[1]["reason"], "for John Smith");
    assert_eq!(rows[1]["reason_code"], "for_contacts");
    assert_eq!(rows[1]["reason_params"], json!({"names": ["John Smith"]}));
    assert_eq!(rows[4]["outcome"], "error");
    assert_eq!(rows[4]["column"], "From");

    // Create a contact for José: his message is imported too.
    let res = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"create_contacts": ["not an address"]}),
        )
        .await;
    assert_eq!(
        res.problem(422, "validation_failed")["errors"][0]["field"],
        "create_contacts[0]"
    );
    let res = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"create_contacts": ["JOSE@cafe-munoz.es"]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["counts"]["create"], 4, "{}", res.text);
    assert_eq!(res.body["rows"][0]["reason"], "for José Muñoz (new)");
    // Nothing is written by a preview.
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, contacts_before);
    assert_eq!(imported(&app).await, 0);

    let import = commit(&app, &id).await;
    assert_eq!(import["result"]["created"], 4, "{import}");
    assert_eq!(import["result"]["contacts_created"], 1);
    assert_eq!(import["create_contacts"], json!(["jose@cafe-munoz.es"]));
    assert_eq!(imported(&app).await, 4);
    assert_eq!(
        app.scalar(
            "SELECT count(*) FROM contacts WHERE first_name = 'José' AND last_name = 'Muñoz' \
             AND emails = '{jose@cafe-munoz.es}' AND source = 'inbound_email'"
        )
        .await,
        1
    );

    // Ana's timeline: her message (inbound) and Fiona's reply (outbound, without the quote).
    let res = app.get(&format!("/api/v1/contacts/{ana_id}/timeline")).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", res.text);
    assert_eq!(items[0]["kind"], "email");
    assert_eq!(items[0]["direction"], "outbound");
    assert_eq!(items[0]["subject"], "Re: Nuevo sitio");
    assert_eq!(items[0]["body"], "Ana, the proposal is attached.");
    assert_eq!(items[0]["occurred_at"], "2026-11-25T10:00:00Z");
    assert_eq!(items[1]["direction"], "inbound");
    assert!(items[1]["body"].as_str().unwrap().contains("Olá Fiona"));
    let res = app.get(&format!("/api/v1/contacts/{john_id}/timeline")).await;
    let body = res.body["items"][0]["body"].as_str().unwrap();
    assert!(
        body.contains("We would like to go ahead") && !body.contains("<p>"),
        "{body}"
    );
    // The follow-up moved with the new last touchpoint.
    let res = app.get(&format!("/api/v1/contacts/{ana_id}")).await;
    assert_eq!(res.body["last_interaction_at"], "2026-11-25T10:00:00Z", "{}", res.text);

    // The same files again: every message is recognised by its Message-ID.
    let res = upload(
        &app,
        &[
            ("gmail.eml", GMAIL),
            ("apple.eml", APPLE),
            ("reply.eml", REPLY.as_bytes()),
        ],
        Some("eml"),
    )
    .await;
    let again = res.body["id"].as_str().unwrap().to_owned();
    let res = app.post(&format!("/api/v1/imports/{again}/preview"), &json!({})).await;
    assert_eq!(
        res.body["counts"],
        json!({"create": 0, "update": 0, "skip": 3, "error": 0}),
        "{}",
        res.text
    );
    assert_eq!(res.body["rows"][0]["reason"], "already imported");
    commit(&app, &again).await;
    assert_eq!(imported(&app).await, 4);

    // An interaction edited since the import is kept by the rollback.
    let edited = app
        .scalar(&format!(
            "SELECT count(*) FROM interactions WHERE contact_id = '{ana_id}' AND direction = 'inbound'"
        ))
        .await;
    assert_eq!(edited, 1);
    app.execute(&format!(
        "UPDATE interactions SET body = 'Edited', version = version + 1 WHERE contact_id = '{ana_id}' AND direction = 'inbound'"
    ))
    .await;
    let res = app.post(&format!("/api/v1/imports/{id}/rollback"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        res.body["result"]["rollback"]["interactions_removed"], 3,
        "{}",
        res.text
    );
    assert_eq!(res.body["result"]["rollback"]["kept_changed"], 1);
    assert_eq!(res.body["result"]["rollback"]["removed"], 1, "José goes to the trash");
    assert_eq!(imported(&app).await, 1);
    assert_eq!(
        app.scalar("SELECT count(*) FROM contacts WHERE first_name = 'José' AND deleted_at IS NOT NULL")
            .await,
        1
    );
    let res = app.get(&format!("/api/v1/contacts/{ana_id}")).await;
    assert_ne!(res.body["last_interaction_at"], "2026-11-25T10:00:00Z", "{}", res.text);
    let res = app.post(&format!("/api/v1/imports/{id}/rollback"), &json!({})).await;
    res.problem(409, "import_state");
}

const MBOX: &str = "From ana@lima-design.example Tue Nov 24 09:12:00 2026\n\
From: Ana Lima <ana@lima-design.example>\n\
To: fiona@studio.example\n\
Subject: First\n\
Message-ID: <m1@lima-design.example>\n\
Date: Tue, 24 Nov 2026 09:12:00 +0000\n\
\n\
First message\n\
\n\
From MAILER-DAEMON Tue Nov 24 10:00:00 2026\n\
\u{1}\u{2}\u{3} this is not a message\n\
\n\
From ana@lima-design.example Wed Nov 25 09:12:00 2026\n\
From: Ana Lima <ana@lima-design.example>\n\
To: fiona@studio.example\n\
Subject: Second\n\
Message-ID: <m2@lima-design.example>\n\
Date: Wed, 25 Nov 2026 09:12:00 +0000\n\
\n\
>From the second message\n\
\n\
From ana@lima-design.example Wed Nov 25 09:12:00 2026\n\
From: Ana Lima <ana@lima-design.example>\n\
To: fiona@studio.example\n\
Subject: Second\n\
Message-ID: <m2@lima-design.example>\n\
Date: Wed, 25 Nov 2026 09:12:00 +0000\n\
\n\
The same message, kept twice by the mail client\n";

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nMETHOD:REQUEST\r\n\
BEGIN:VEVENT\r\nDTSTART:20261201T150000Z\r\nDTEND:20261201T160000Z\r\nUID:7kukuqrfedlm2f9t@google.com\r\n\
ORGANIZER;CN=Fiona Freelance:mailto:fiona@studio.example\r\n\
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Ana Lima:mailto:ana@lima-design.example\r\n\
SUMMARY:Design review\r\nDESCRIPTION:Walk through the mock-ups\r\nLOCATION:https://meet.example/abc\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[actix_web::test]
async fn an_mbox_with_a_broken_message_and_a_calendar_invitation_are_imported() {
    let app = TestApp::spawn().await;
    add_user(
        &app.pool,
        "fiona@studio.example",
        "Fiona Freelance",
        rapport::db::DEFAULT_WORKSPACE_ID,
        Role::Member,
    )
    .await;
    let ana = app
        .contact(json!({"first_name": "Ana", "last_name": "Lima", "emails": ["ana@lima-design.example"]}))
        .await;
    let ana_id = ana["id"].as_str().unwrap().to_owned();

    let res = upload(&app, &[("Inbox", MBOX.as_bytes())], None).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["kind"], "mbox", "sniffed from its first line");
    assert_eq!(res.body["row_count"], 4);
    let id = res.body["id"].as_str().unwrap().to_owned();
    let res = app.post(&format!("/api/v1/imports/{id}/preview"), &json!({})).await;
    assert_eq!(
        res.body["counts"],
        json!({"create": 2, "update": 0, "skip": 1, "error": 1}),
        "{}",
        res.text
    );
    assert_eq!(res.body["rows"][1]["column"], "File");
    assert_eq!(
        res.body["rows"][3]["reason"],
        "the same message is record 3 of the file"
    );
    let import = commit(&app, &id).await;
    assert_eq!(import["result"]["created"], 2, "{import}");
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM interactions WHERE contact_id = '{ana_id}' AND body = 'From the second message'"
        ))
        .await,
        1,
        "mbox quoting undone"
    );
    // The failed record can be downloaded.
    let res = app.get(&format!("/api/v1/imports/{id}/errors.csv")).await;
    assert_eq!(res.status, 200);
    assert!(
        res.text
            .contains("Row 2, File: is not an email message that can be read"),
        "{}",
        res.text
    );

    // A calendar invitation: a meeting with its length, on the attendee's timeline.
    let res = upload(&app, &[("invite.ics", ICS.as_bytes())], None).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["kind"], "ics");
    let id = res.body["id"].as_str().unwrap().to_owned();
    let res = app.post(&format!("/api/v1/imports/{id}/preview"), &json!({})).await;
    assert_eq!(res.body["counts"]["create"], 1, "{}", res.text);
    commit(&app, &id).await;
    let res = app
        .get(&format!("/api/v1/contacts/{ana_id}/timeline?kind=meeting"))
        .await;
    let meeting = &res.body["items"][0];
    assert_eq!(meeting["subject"], "Design review", "{}", res.text);
    assert_eq!(meeting["duration_minutes"], 60);
    assert_eq!(meeting["direction"], Value::Null);
    assert_eq!(meeting["occurred_at"], "2026-12-01T15:00:00Z");
    assert_eq!(
        meeting["body"],
        "Location: https://meet.example/abc\n\nWalk through the mock-ups"
    );
}

#[actix_web::test]
async fn bad_email_and_calendar_uploads_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let before = app.scalar("SELECT count(*) FROM imports").await;
    // Several files are only for .eml and .ics.
    let res = upload(&app, &[("a.csv", b"Name\nAda\n"), ("b.csv", b"Name\nBob\n")], None).await;
    assert_eq!(res.problem(422, "validation_failed")["errors"][0]["field"], "file");
    // An empty .eml, a calendar that is not one, an mbox without its envelope.
    let res = upload(&app, &[("empty.eml", b"  \n")], None).await;
    res.problem(422, "empty_file");
    let res = upload(&app, &[("cal.ics", b"BEGIN:VCARD\nFN:x\nEND:VCARD\n")], None).await;
    res.problem(422, "not_a_text_file");
    let res = upload(&app, &[("mail.mbox", b"Subject: hi\n\nno envelope\n")], None).await;
    res.problem(422, "not_a_text_file");
    let res = upload(
        &app,
        &[("a.mbox", MBOX.as_bytes()), ("b.mbox", MBOX.as_bytes())],
        Some("mbox"),
    )
    .await;
    assert_eq!(res.problem(422, "validation_failed")["errors"][0]["field"], "file");
    assert_eq!(app.scalar("SELECT count(*) FROM imports").await, before);

    // A contact CSV takes no create_contacts.
    let res = upload(&app, &[("c.csv", b"Name,Email\nAda,ada@example.com\n")], None).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_owned();
    let res = app
        .post(
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": {"Name": "full_name", "Email": "email"}, "create_contacts": ["a@b.example"]}),
        )
        .await;
    assert_eq!(
        res.problem(422, "validation_failed")["errors"][0]["field"],
        "create_contacts"
    );
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM imports WHERE id = '{id}' AND status = 'uploaded'"
        ))
        .await,
        1
    );
}

#[actix_web::test]
async fn a_mailbox_larger_than_an_upload_is_read_from_disk_a_message_at_a_time() {
    let app = TestApp::spawn().await;
    // 55 MB: over the 50 MB an upload is held in memory for.
    let body = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(90);
    let mut mbox = String::with_capacity(56 * 1024 * 1024);
    let mut n = 0;
    while mbox.len() < 55 * 1024 * 1024 {
        n += 1;
        mbox.push_str(&format!(
            "From ana@lima-design.example Tue Nov 24 09:12:00 2026\nFrom: Ana Lima <ana@lima-design.example>\n\
             To: fiona@studio.example\nSubject: Message {n}\nMessage-ID: <big-{n}@lima-design.example>\n\
             Date: Tue, 24 Nov 2026 09:12:00 +0000\n\n{body}\n\n"
        ));
    }
    let res = upload(&app, &[("Takeout.mbox", mbox.as_bytes())], None).await;
    assert_eq!(res.status, 201, "{}", &res.text[..res.text.len().min(500)]);
    assert_eq!(res.body["kind"], "mbox");
    assert_eq!(res.body["row_count"], n);
    assert_eq!(res.body["file_bytes"], mbox.len());
    let id = res.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.scalar(&format!("SELECT count(*) FROM import_rows WHERE import_id = '{id}'"))
            .await,
        i64::from(n)
    );
    assert_eq!(res.body["samples"][0][6], "Message 1");

    // Anything else that large is still refused.
    let csv = format!("Name,Notes\n{}", "Ada,x\n".repeat(55 * 1024 * 1024 / 6));
    let res = upload(&app, &[("big.csv", csv.as_bytes())], None).await;
    assert_eq!(res.status, 413, "{}", &res.text[..res.text.len().min(500)]);
}
