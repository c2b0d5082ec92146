//! Outgoing email against a real SMTP server (aiosmtpd) started by each test: mail settings
//! (admins only, the password sealed), test emails, emails to contacts with both parts and
//! encoded non-ASCII names, logged as interactions with their Message-ID, retries of refused
//! logins and unreachable servers, final refusals, the daily limit, invitations by mail, and bad
//! input that changes nothing — with the clock passed in.

use chrono::{DateTime, Duration, Utc};
use mail_parser::MessageParser;
use rapport::accounts::dto::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::smtpd::Smtpd;

fn settings(port: u16, extra: Value) -> Value {
    let mut body = json!({
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from_address": "ada@studio.example",
        "from_name": "Ada Lövelace",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn put_settings(app: &TestApp, body: &Value) -> Value {
    let res = app
        .request(Method::PUT, "/api/v1/mail-settings", |r| r.json(body))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

/// Runs due emails until none is due at `now`; how many attempts ran.
async fn send_all(app: &TestApp, now: DateTime<Utc>) -> usize {
    let mut n = 0;
    while rapport::mail::send_once(&app.state, "test-mailer", now).await.unwrap() {
        n += 1;
        assert!(n < 100, "emails never ran out");
    }
    n
}

async fn zoe(app: &TestApp) -> String {
    app.contact(json!({"first_name": "Zoë", "last_name": "Ñúñez", "emails": ["zoe@client.example", "z@other.example"]}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn an_email_to_a_contact_goes_out_with_both_parts_and_is_logged_with_its_message_id() {
    let smtp = Smtpd::start(&["--auth", "ada:s3cret"]);
    let app = TestApp::spawn().await;
    put_settings(
        &app,
        &settings(smtp.port, json!({"username": "ada", "password": "s3cret"})),
    )
    .await;
    let contact = zoe(&app).await;
    let template = app
        .post(
            "/api/v1/templates",
            &json!({"name": "Intro", "scenario": "follow_up", "subject": "Café with {{contact.first_name}}?",
                    "body": "Hi {{contact.first_name}},\n\nSee https://studio.example/plan & tell me.\n\n— Ada"}),
        )
        .await;
    assert_eq!(template.status, 201, "{}", template.text);

    let res = app
        .post(
            &format!("/api/v1/contacts/{contact}/send-email"),
            &json!({"template_id": template.body["id"]}),
        )
        .await;
    assert_eq!(res.status, 202, "{}", res.text);
    let interaction = res.body.clone();
    assert_eq!(interaction["kind"], "email");
    assert_eq!(interaction["direction"], "outbound");
    assert_eq!(interaction["subject"], "Café with Zoë?");
    assert_eq!(interaction["delivery"], json!({"status": "queued", "error": null}));
    let message_id = interaction["message_id"].as_str().unwrap().to_owned();
    assert!(message_id.ends_with("@studio.example"), "{message_id}");
    let location = res.header("location").unwrap().to_owned();
    assert_eq!(
        location,
        format!("/api/v1/interactions/{}", interaction["id"].as_str().unwrap())
    );
    // Nothing has left yet: the job does it.
    assert!(smtp.received().is_empty());

    assert_eq!(send_all(&app, Utc::now()).await, 1);
    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].mail_from, "ada@studio.example");
    assert_eq!(
        got[0].rcpt_tos,
        vec!["zoe@client.example"],
        "the first address by default"
    );
    let raw = &got[0].raw;
    let head = &raw[..raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap()];
    assert!(head.is_ascii(), "non-ASCII names and subjects are encoded words");
    let msg = MessageParser::default().parse(raw).unwrap();
    assert_eq!(msg.message_id(), Some(message_id.as_str()));
    assert_eq!(msg.subject(), Some("Café with Zoë?"));
    let from = msg.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("Ada Lövelace"));
    let to = msg.to().unwrap().first().unwrap();
    assert_eq!(
        (to.name(), to.address()),
        (Some("Zoë Ñúñez"), Some("zoe@client.example"))
    );
    let text = msg.body_text(0).unwrap();
    assert!(
        text.contains("Hi Zoë,") && text.contains("https://studio.example/plan & tell me."),
        "{text}"
    );
    let html = msg.body_html(0).unwrap();
    assert!(html.contains("<p>Hi Zoë,</p>"), "{html}");
    assert!(
        html.contains("<a href=\"https://studio.example/plan\">https://studio.example/plan</a> &amp; tell me."),
        "{html}"
    );

    let logged = app.get(&location).await;
    assert_eq!(logged.body["delivery"], json!({"status": "sent", "error": null}));
    assert_eq!(logged.body["message_id"], message_id.as_str());
    // The timeline and the history show it; the follow-up clock restarted.
    let history = app.get(&format!("/api/v1/contacts/{contact}/history")).await;
    assert!(
        history.text.contains("Sent an email to Zoë Ñúñez: Café with Zoë?"),
        "{}",
        history.text
    );
    let contact_now = app.get(&format!("/api/v1/contacts/{contact}")).await;
    assert!(
        !contact_now.body["last_interaction_at"].is_null(),
        "{}",
        contact_now.text
    );

    // Another of the contact's addresses, with a subject and body written here.
    let res = app
        .post(
            &format!("/api/v1/contacts/{contact}/send-email"),
            &json!({"to": "Z@other.example", "subject": "Quick <note>", "body": "<script>alert(1)</script>"}),
        )
        .await;
    assert_eq!(res.status, 202, "{}", res.text);
    send_all(&app, Utc::now()).await;
    let got = smtp.wait_for(2).await;
    assert_eq!(got[1].rcpt_tos, vec!["z@other.example"]);
    let msg = MessageParser::default().parse(&got[1].raw).unwrap();
    assert!(
        !msg.body_html(0).unwrap().contains("<script>"),
        "text never becomes markup"
    );
}

#[actix_web::test]
async fn settings_are_for_admins_and_keep_the_password_sealed() {
    let app = TestApp::spawn().await;
    let none = app.get("/api/v1/mail-settings").await;
    none.problem(404, "not_found");
    assert_eq!(app.get("/api/v1/mail-sender").await.body["configured"], false);
    let saved = put_settings(
        &app,
        &settings(2525, json!({"username": "ada", "password": "hunter2-very-secret"})),
    )
    .await;
    assert_eq!(saved["password_set"], true);
    assert_eq!(saved["version"], 1);
    assert_eq!(saved["daily_limit"], 500);
    assert_eq!(saved["sent_last_24h"], 0);
    assert!(saved.get("password").is_none());
    let stored = app
        .scalar("SELECT count(*) AS n FROM mail_settings WHERE position('hunter2' IN encode(password, 'escape')) > 0")
        .await;
    assert_eq!(stored, 0, "the password is sealed, not stored as written");

    // Leaving the password out keeps it; null removes it.
    let kept = put_settings(&app, &settings(2525, json!({"username": "ada", "version": 1}))).await;
    assert_eq!(
        (kept["password_set"].clone(), kept["version"].clone()),
        (json!(true), json!(2))
    );
    let stale = app
        .request(Method::PUT, "/api/v1/mail-settings", |r| {
            r.header("If-Match", "\"1\"").json(&settings(2525, json!({})))
        })
        .await;
    stale.problem(412, "version_conflict");
    let cleared = put_settings(&app, &settings(2525, json!({"password": null}))).await;
    assert_eq!(cleared["password_set"], false);

    // Members neither see nor change them; they are told why. They see who emails come from.
    let (_, member) = app.member("mo@rapport.test", Role::Member).await;
    let sender = app.request_as(&member, Method::GET, "/api/v1/mail-sender", |r| r).await;
    assert_eq!(
        sender.body,
        json!({"configured": true, "from_address": "ada@studio.example", "from_name": "Ada Lövelace"})
    );
    for (m, body) in [(Method::GET, None), (Method::PUT, Some(settings(25, json!({}))))] {
        let res = app
            .request_as(&member, m, "/api/v1/mail-settings", |r| match &body {
                Some(b) => r.json(b),
                None => r,
            })
            .await;
        res.problem(403, "forbidden");
    }

    // Bad input: a clear field error each, and the settings unchanged.
    for (body, field) in [
        (settings(0, json!({})), "port"),
        (settings(25, json!({"port": 70000})), "port"),
        (settings(25, json!({"host": "smtp.example.com:25"})), "host"),
        (settings(25, json!({"host": "smtp example"})), "host"),
        (settings(25, json!({"from_address": "not-an-address"})), "from_address"),
        (settings(25, json!({"security": "ssl"})), "security"),
        (settings(25, json!({"daily_limit": 0})), "daily_limit"),
        (settings(25, json!({"reply_to": "nope"})), "reply_to"),
    ] {
        let res = app
            .request(Method::PUT, "/api/v1/mail-settings", |r| r.json(&body))
            .await;
        assert_eq!(res.status, 422, "{body}: {}", res.text);
        assert_eq!(res.error_fields(), vec![field.to_owned()], "{}", res.text);
    }
    assert_eq!(app.get("/api/v1/mail-settings").await.body["version"], 3);

    let gone = app.request(Method::DELETE, "/api/v1/mail-settings", |r| r).await;
    assert_eq!(gone.status, 204);
    app.get("/api/v1/mail-settings").await.problem(404, "not_found");
}

#[actix_web::test]
async fn private_mail_servers_are_refused_unless_allowed() {
    let app = TestApp::spawn_configured(|c| c.outbound.allow_private = false).await;
    for host in [
        "127.0.0.1",
        "10.0.0.5",
        "169.254.169.254",
        "localhost",
        "mail.internal",
        "::1",
    ] {
        let res = app
            .request(Method::PUT, "/api/v1/mail-settings", |r| {
                r.json(&settings(587, json!({"host": host, "security": "starttls"})))
            })
            .await;
        assert_eq!(res.status, 422, "{host}: {}", res.text);
        assert_eq!(res.error_fields(), vec!["host"]);
    }
    // A password never travels unencrypted to a public server.
    let res = app
        .request(Method::PUT, "/api/v1/mail-settings", |r| {
            r.json(&settings(
                25,
                json!({"host": "smtp.example.com", "username": "a", "password": "b"}),
            ))
        })
        .await;
    assert_eq!(res.error_fields(), vec!["security"], "{}", res.text);
    // Checked again when connecting: a name that resolves inside is not reached.
    let err = rapport::net::resolve_guarded("localhost", 25, false).await.unwrap_err();
    assert!(err.contains("not public"), "{err}");
}

#[actix_web::test]
async fn a_test_email_says_how_the_server_answered() {
    let smtp = Smtpd::start(&[]);
    let app = TestApp::spawn().await;
    let res = app.post("/api/v1/mail-settings/test", &json!({})).await;
    res.problem(409, "mail_not_configured");
    put_settings(&app, &settings(smtp.port, json!({}))).await;
    let res = app.post("/api/v1/mail-settings/test", &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["delivered"], true, "{}", res.text);
    assert_eq!(res.body["to"], crate::common::OWNER_EMAIL, "to the caller by default");
    assert!(
        res.body["response"].as_str().unwrap().starts_with("250"),
        "{}",
        res.text
    );
    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].rcpt_tos, vec![crate::common::OWNER_EMAIL]);

    // A server that is gone: the answer says so at once; nothing is queued.
    drop(smtp);
    let res = app
        .post("/api/v1/mail-settings/test", &json!({"to": "me@else.example"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["delivered"], false);
    assert!(
        res.body["error"].as_str().unwrap().contains("127.0.0.1"),
        "{}",
        res.text
    );
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM jobs WHERE kind = 'email'").await,
        0
    );
}

#[actix_web::test]
async fn a_refused_login_is_retried_with_the_error_shown_until_an_admin_fixes_it() {
    let smtp = Smtpd::start(&["--auth", "ada:right"]);
    let app = TestApp::spawn().await;
    put_settings(
        &app,
        &settings(smtp.port, json!({"username": "ada", "password": "wrong"})),
    )
    .await;
    let contact = zoe(&app).await;
    let sent = app
        .post(
            &format!("/api/v1/contacts/{contact}/send-email"),
            &json!({"subject": "Hello", "body": "Hi"}),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.text);
    let id = sent.body["id"].as_str().unwrap().to_owned();
    let now = Utc::now();
    assert_eq!(send_all(&app, now).await, 1);
    let after = app.get(&format!("/api/v1/interactions/{id}")).await.body;
    assert_eq!(after["delivery"]["status"], "queued");
    let error = after["delivery"]["error"].as_str().unwrap();
    assert!(error.contains("535") && error.contains("trying again"), "{error}");
    assert!(smtp.received().is_empty());
    // Not due again before its backoff.
    assert_eq!(send_all(&app, now + Duration::seconds(5)).await, 0);

    put_settings(
        &app,
        &settings(smtp.port, json!({"username": "ada", "password": "right"})),
    )
    .await;
    assert_eq!(send_all(&app, now + Duration::minutes(1)).await, 1);
    assert_eq!(smtp.wait_for(1).await.len(), 1);
    let after = app.get(&format!("/api/v1/interactions/{id}")).await.body;
    assert_eq!(after["delivery"], json!({"status": "sent", "error": null}));
    // Exactly once.
    assert_eq!(send_all(&app, now + Duration::days(1)).await, 0);
    assert_eq!(smtp.received().len(), 1);
}

#[actix_web::test]
async fn an_unreachable_server_is_retried_and_a_refused_recipient_fails_for_good() {
    let app = TestApp::spawn().await;
    let port = {
        let smtp = Smtpd::start(&[]);
        smtp.port
    }; // stopped: nothing listens there now
    put_settings(&app, &settings(port, json!({}))).await;
    let contact = zoe(&app).await;
    let body = json!({"subject": "Hello", "body": "Hi"});
    let id = app
        .post(&format!("/api/v1/contacts/{contact}/send-email"), &body)
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut now = Utc::now();
    for attempt in 1..=5 {
        assert_eq!(send_all(&app, now).await, 1, "attempt {attempt}");
        let d = app.get(&format!("/api/v1/interactions/{id}")).await.body["delivery"].clone();
        assert_eq!(d["status"], "queued", "{d}");
        now += Duration::hours(7);
    }
    // The sixth attempt is the last.
    assert_eq!(send_all(&app, now).await, 1);
    let d = app.get(&format!("/api/v1/interactions/{id}")).await.body["delivery"].clone();
    assert_eq!(d["status"], "failed", "{d}");
    assert!(d["error"].as_str().unwrap().contains(&port.to_string()), "{d}");

    // The server refuses the recipient: final at the first attempt.
    let smtp = Smtpd::start(&["--reject", "@client.example"]);
    put_settings(&app, &settings(smtp.port, json!({}))).await;
    let id = app
        .post(&format!("/api/v1/contacts/{contact}/send-email"), &body)
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(send_all(&app, Utc::now()).await, 1);
    let d = app.get(&format!("/api/v1/interactions/{id}")).await.body["delivery"].clone();
    assert_eq!(d["status"], "failed", "{d}");
    assert!(d["error"].as_str().unwrap().contains("550"), "{d}");
    assert_eq!(send_all(&app, Utc::now() + Duration::days(1)).await, 0, "not retried");
    assert!(smtp.received().is_empty());
}

#[actix_web::test]
async fn bad_sends_are_refused_and_change_nothing() {
    let smtp = Smtpd::start(&[]);
    let app = TestApp::spawn().await;
    let contact = zoe(&app).await;
    let url = format!("/api/v1/contacts/{contact}/send-email");
    let body = json!({"subject": "Hello", "body": "Hi"});
    app.post(&url, &body).await.problem(409, "mail_not_configured");
    put_settings(&app, &settings(smtp.port, json!({"daily_limit": 2}))).await;
    let empty = app
        .post(
            "/api/v1/templates",
            &json!({"name": "Blank", "scenario": "follow_up", "subject": "{{contact.job_title}}", "body": "Hi"}),
        )
        .await;
    assert_eq!(empty.status, 201, "{}", empty.text);
    let no_email = app.contact(json!({"first_name": "Nomail"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cases = [
        (url.clone(), json!({"template_id": empty.body["id"]}), "subject"),
        (url.clone(), json!({"subject": "", "body": "Hi"}), "subject"),
        (url.clone(), json!({"subject": "Hi", "body": "   "}), "body"),
        (url.clone(), json!({"subject": "Hi"}), "body"),
        (
            url.clone(),
            json!({"subject": "Hi", "body": "x", "to": "stranger@else.example"}),
            "to",
        ),
        (
            url.clone(),
            json!({"subject": "Hi", "body": "x", "to": "not an email"}),
            "to",
        ),
        (
            url.clone(),
            json!({"template_id": "01936000-0000-7000-8000-000000000000"}),
            "template_id",
        ),
        (url.clone(), json!({"subject": "x".repeat(301), "body": "x"}), "subject"),
        (
            url.clone(),
            json!({"subject": "Hi", "body": "x", "bcc": "a@b.example"}),
            "bcc",
        ),
        (format!("/api/v1/contacts/{no_email}/send-email"), body.clone(), "to"),
    ];
    for (url, body, field) in cases {
        let res = app.post(&url, &body).await;
        assert_eq!(res.status, 422, "{body}: {}", res.text);
        assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}: {}", res.text);
    }
    app.post(
        "/api/v1/contacts/01936000-0000-7000-8000-000000000000/send-email",
        &body,
    )
    .await
    .problem(404, "not_found");
    assert_eq!(app.scalar("SELECT count(*) AS n FROM interactions").await, 0);
    assert_eq!(
        app.scalar("SELECT count(*) AS n FROM jobs WHERE kind = 'email'").await,
        0
    );

    // The daily limit: the third email of the day waits for tomorrow.
    for _ in 0..2 {
        assert_eq!(app.post(&url, &body).await.status, 202);
    }
    let third = app.post(&url, &body).await;
    third.problem(429, "daily_send_limit");
    assert!(third.header("retry-after").is_some());
    assert_eq!(app.scalar("SELECT count(*) AS n FROM interactions").await, 2);
    assert_eq!(app.get("/api/v1/mail-settings").await.body["sent_last_24h"], 2);
}

#[actix_web::test]
async fn invitations_are_mailed_once_a_mail_server_is_set() {
    let smtp = Smtpd::start(&[]);
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/api/v1/invitations",
            &json!({"email": "grace@team.example", "role": "member"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["emailed"], false);
    put_settings(&app, &settings(smtp.port, json!({}))).await;
    let res = app
        .post(
            "/api/v1/invitations",
            &json!({"email": "hedy@team.example", "role": "member"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["emailed"], true);
    let link = res.body["accept_url"].as_str().unwrap().to_owned();
    assert_eq!(send_all(&app, Utc::now()).await, 1);
    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].rcpt_tos, vec!["hedy@team.example"]);
    let msg = MessageParser::default().parse(&got[0].raw).unwrap();
    assert!(msg.subject().unwrap().contains("invited you"), "{:?}", msg.subject());
    assert!(msg.body_text(0).unwrap().contains(&link));
}

#[actix_web::test]
async fn the_daily_digest_lists_my_due_follow_ups_once_a_day_from_my_hour() {
    let smtp = Smtpd::start(&[]);
    let app = TestApp::spawn().await;
    let off = app.get("/api/v1/me/digest").await;
    assert_eq!(
        off.body,
        json!({"enabled": false, "hour": 8, "time_zone": "UTC", "last_sent_on": null, "mail_configured": false})
    );
    for (body, field) in [
        (json!({"enabled": true, "hour": 24}), "hour"),
        (json!({"enabled": true, "time_zone": "Mars/Olympus_Mons"}), "time_zone"),
        (json!({"enabled": "yes"}), "enabled"),
    ] {
        let res = app.request(Method::PUT, "/api/v1/me/digest", |r| r.json(&body)).await;
        assert_eq!(res.status, 422, "{body}: {}", res.text);
        assert_eq!(res.error_fields(), vec![field.to_owned()], "{}", res.text);
    }
    let on = app
        .request(Method::PUT, "/api/v1/me/digest", |r| {
            r.json(&json!({"enabled": true, "hour": 9, "time_zone": "Europe/Paris"}))
        })
        .await;
    assert_eq!(on.status, 200, "{}", on.text);
    assert_eq!(
        (on.body["enabled"].clone(), on.body["hour"].clone()),
        (json!(true), json!(9))
    );
    put_settings(&app, &settings(smtp.port, json!({}))).await;

    // Two of my contacts are due (one overdue); someone else's is not mine to see.
    let late = app
        .contact(json!({"first_name": "Lena", "last_name": "Late", "company_name": "Slowpoke Ltd"}))
        .await;
    let today = app.contact(json!({"first_name": "Tom", "last_name": "Today"})).await;
    let (other, _) = app.member("other@rapport.test", Role::Member).await;
    let theirs = app.contact(json!({"first_name": "Nina", "last_name": "Notmine"})).await;
    for (c, due) in [
        (&late, "now() - interval '6 days'"),
        (&today, "now()"),
        (&theirs, "now() - interval '6 days'"),
    ] {
        app.execute(&format!(
            "UPDATE contacts SET next_follow_up_at = {due} WHERE id = '{}'",
            c["id"].as_str().unwrap()
        ))
        .await;
    }
    app.execute(&format!(
        "UPDATE contacts SET owner_id = '{other}' WHERE id = '{}'",
        theirs["id"].as_str().unwrap()
    ))
    .await;

    let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let run = |now: DateTime<Utc>| {
        let pool = app.pool.clone();
        async move {
            let mut conn = pool.get().await.unwrap();
            rapport::mail::service::send_digests(&mut conn, "https://crm.example", now)
                .await
                .unwrap()
        }
    };
    // 08:30 in Paris: not yet. 09:05: sent; later the same day: not again.
    assert_eq!(run(t("2026-12-10T07:30:00Z")).await, 0);
    assert_eq!(run(t("2026-12-10T08:05:00Z")).await, 1);
    assert_eq!(run(t("2026-12-10T20:00:00Z")).await, 0);
    assert_eq!(app.get("/api/v1/me/digest").await.body["last_sent_on"], "2026-12-10");
    assert_eq!(send_all(&app, t("2026-12-10T08:06:00Z")).await, 1);
    let got = smtp.wait_for(1).await;
    assert_eq!(got[0].rcpt_tos, vec![crate::common::OWNER_EMAIL]);
    let msg = MessageParser::default().parse(&got[0].raw).unwrap();
    assert_eq!(msg.subject(), Some("2 follow-ups due today (1 overdue)"));
    let text = msg.body_text(0).unwrap();
    assert!(text.contains("Lena Late (Slowpoke Ltd): overdue"), "{text}");
    assert!(text.contains("Tom Today"), "{text}");
    assert!(!text.contains("Nina"), "only my contacts: {text}");
    assert!(
        text.contains(&format!(
            "https://crm.example/contacts/{}",
            late["id"].as_str().unwrap()
        )),
        "{text}"
    );
    assert!(text.contains("https://crm.example/follow-ups"), "{text}");
    // The next day, again; turned off, never.
    assert_eq!(run(t("2026-12-11T08:01:00Z")).await, 1);
    let off = app
        .request(Method::PUT, "/api/v1/me/digest", |r| r.json(&json!({"enabled": false})))
        .await;
    assert_eq!(off.body["enabled"], false);
    assert_eq!(run(t("2026-12-12T08:01:00Z")).await, 0);
}
