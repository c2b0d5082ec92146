//! Web-to-lead forms: design (admins only), the hosted page, submissions that create a contact,
//! a deal and an interaction — or, for a known email, fill only empty fields — and the spam
//! defences (origin, per-address limit, honeypot, minimum fill time, proof of work), with bad
//! input that changes nothing.

use chrono::{Duration, Utc};
use rapport::accounts::dto::Role;
use rapport::forms::service as forms;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Resp, TestApp};

async fn form(app: &TestApp, body: Value) -> Value {
    let res = app.post("/api/v1/forms", &body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Posts JSON to the public endpoint, with no credential.
async fn submit(app: &TestApp, form: &str, body: Value) -> Resp {
    app.request_as(&app.anonymous(), Method::POST, &format!("/f/{form}"), |r| r.json(&body))
        .await
}

/// Posts like a browser's form, from a page on `origin`.
async fn post_form(app: &TestApp, form: &str, origin: Option<&str>, fields: &[(&str, &str)]) -> Resp {
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    app.request_as(&app.anonymous(), Method::POST, &format!("/f/{form}"), |r| {
        let r = r.header("content-type", "application/x-www-form-urlencoded").body(body);
        match origin {
            Some(o) => r.header("origin", o),
            None => r,
        }
    })
    .await
}

/// A page token for the form as if its page had been shown `ago` before now.
async fn token_shown(app: &TestApp, form: &str, ago: Duration) -> String {
    let mut conn = app.pool.get().await.unwrap();
    let row = rapport::forms::store::find_public(&mut conn, form.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    forms::issue_token(&row, Utc::now() - ago)
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar(sql).await
}

#[actix_web::test]
async fn an_admin_designs_a_form_and_its_page_and_snippets_are_ready() {
    let app = TestApp::spawn().await;
    let created = form(
        &app,
        json!({"name": "Contact us", "allowed_origins": ["https://www.studio.example/"]}),
    )
    .await;
    let form_id = id(&created);
    // The default fields: a name, the email (always required) and a message.
    let targets: Vec<&str> = created["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["first_name", "email", "message"]);
    assert_eq!(created["allowed_origins"], json!(["https://www.studio.example"]));
    assert_eq!(created["owner_id"], app.owner.to_string());
    assert_eq!(created["hosted_url"], format!("http://localhost:8080/f/{form_id}"));
    for snippet in ["script", "iframe", "html"] {
        assert!(
            created["embed"][snippet].as_str().unwrap().contains(&form_id),
            "{snippet}: {}",
            created["embed"][snippet]
        );
    }
    assert!(created["embed"]["html"].as_str().unwrap().contains("name=\"homepage\""));

    let page = app
        .request_as(&app.anonymous(), Method::GET, &format!("/f/{form_id}"), |r| r)
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(page.text.contains("name=\"_token\""), "{}", page.text);
    assert!(page.text.contains("How can we help?"));
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("frame-ancestors 'self' https://www.studio.example"),
        "{csp}"
    );
    assert!(
        page.header("x-frame-options").is_none(),
        "the allowed origins may frame it"
    );

    // Members other than admins cannot see or change forms.
    let (_, member) = app.member("mo@example.com", Role::Member).await;
    let res = app.request_as(&member, Method::GET, "/api/v1/forms", |r| r).await;
    res.problem(403, "forbidden");
    let res = app
        .request_as(&member, Method::POST, "/api/v1/forms", |r| {
            r.json(&json!({"name": "Mine"}))
        })
        .await;
    res.problem(403, "forbidden");

    // Changes need the current version; turning it off closes the page.
    let res = app
        .request(Method::PATCH, &format!("/api/v1/forms/{form_id}"), |r| {
            r.header("if-match", "\"7\"").json(&json!({"enabled": false}))
        })
        .await;
    assert_eq!(res.status, 412, "{}", res.text);
    let res = app
        .request(Method::PATCH, &format!("/api/v1/forms/{form_id}"), |r| {
            r.header("if-match", "\"1\"").json(&json!({"enabled": false}))
        })
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let page = app
        .request_as(&app.anonymous(), Method::GET, &format!("/f/{form_id}"), |r| r)
        .await;
    assert_eq!(page.status, 410);
    assert!(page.text.contains("not accepting submissions"));
    submit(&app, &form_id, json!({"email": "late@example.com"}))
        .await
        .problem(410, "form_closed");
    let res = app
        .request_as(
            &app.anonymous(),
            Method::GET,
            &format!("/f/{}", uuid::Uuid::now_v7()),
            |r| r,
        )
        .await;
    assert_eq!(res.status, 404);

    // Deleting it removes the form and its submissions.
    let res = app.delete(&format!("/api/v1/forms/{form_id}")).await;
    assert_eq!(res.status, 204, "{}", res.text);
    assert_eq!(count(&app, "SELECT count(*) FROM forms").await, 0);
}

#[actix_web::test]
async fn a_design_that_cannot_work_is_refused_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let pipelines = app.get("/api/v1/pipelines").await;
    let first = &pipelines.body["items"][0];
    let other = app
        .post(
            "/api/v1/pipelines",
            &json!({"name": "Partners", "stages": [{"name": "Talking"}]}),
        )
        .await;
    assert_eq!(other.status, 201, "{}", other.text);
    let cases = [
        (
            json!({"name": "No email", "fields": [{"target": "first_name", "label": "Name"}]}),
            "fields",
        ),
        (
            json!({"name": "Twice", "fields": [{"target": "email", "label": "A"}, {"target": "email", "label": "B"}]}),
            "fields[1].target",
        ),
        (
            json!({"name": "Unknown", "fields": [{"target": "email", "label": "E"}, {"target": "shoe_size", "label": "S"}]}),
            "fields[1].target",
        ),
        (
            json!({"name": "Custom", "fields": [{"target": "email", "label": "E"}, {"target": "custom:budget", "label": "B"}]}),
            "fields[1].target",
        ),
        (
            json!({"name": "Origin", "allowed_origins": ["https://example.com/contact"]}),
            "allowed_origins[0]",
        ),
        (
            json!({"name": "Redirect", "redirect_url": "javascript:alert(1)"}),
            "redirect_url",
        ),
        (
            json!({"name": "Stage", "pipeline_id": first["id"], "stage_id": other.body["stages"][0]["id"]}),
            "stage_id",
        ),
        (json!({"name": "Owner", "owner_id": uuid::Uuid::now_v7()}), "owner_id"),
        (json!({"name": " "}), "name"),
        (json!({"name": "Slow", "min_fill_seconds": 601}), "min_fill_seconds"),
    ];
    for (body, field) in cases {
        let res = app.post("/api/v1/forms", &body).await;
        res.problem(422, "validation_failed");
        assert!(res.error_fields().contains(&field.to_owned()), "{body}: {}", res.text);
    }
    assert_eq!(count(&app, "SELECT count(*) FROM forms").await, 0);

    // A custom field that exists can be asked for; a stage alone names its pipeline.
    let field = app
        .post(
            "/api/v1/custom-fields",
            &json!({"entity": "contact", "key": "budget", "label": "Budget", "field_type": "number"}),
        )
        .await;
    assert_eq!(field.status, 201, "{}", field.text);
    let ok = form(
        &app,
        json!({"name": "Quote", "fields": [{"target": "email", "label": "E", "required": false},
                                          {"target": "custom:budget", "label": "Budget"}],
               "stage_id": other.body["stages"][0]["id"]}),
    )
    .await;
    assert_eq!(ok["pipeline_id"], other.body["id"]);
    assert_eq!(ok["fields"][0]["required"], true, "the email is always required");
}

#[actix_web::test]
async fn a_submission_creates_a_lead_with_its_deal_and_interaction() {
    let app = TestApp::spawn().await;
    app.post(
        "/api/v1/custom-fields",
        &json!({"entity": "contact", "key": "budget", "label": "Budget", "field_type": "number"}),
    )
    .await;
    let pipeline = app.get("/api/v1/pipelines").await.body["items"][0].clone();
    let f = form(
        &app,
        json!({"name": "Website enquiry", "tags": ["Website", "inbound"],
               "fields": [{"target": "first_name", "label": "First name", "required": true},
                          {"target": "last_name", "label": "Last name"},
                          {"target": "email", "label": "Email"},
                          {"target": "company_name", "label": "Company"},
                          {"target": "custom:budget", "label": "Budget (EUR)"},
                          {"target": "message", "label": "Message"}],
               "pipeline_id": pipeline["id"]}),
    )
    .await;
    let form_id = id(&f);
    let res = submit(
        &app,
        &form_id,
        json!({"first_name": "Grace", "last_name": "Hopper", "email": "Grace@Navy.example",
               "company_name": "Navy", "custom:budget": "12000", "message": "We need a compiler.",
               "utm_source": "newsletter"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["message"], f["thank_you_message"]);

    let contacts = app.get("/api/v1/contacts?q=hopper").await;
    let contact = &contacts.body["items"][0];
    assert_eq!(contact["emails"], json!(["grace@navy.example"]));
    assert_eq!(contact["source"], "website");
    assert_eq!(contact["lifecycle"], "lead");
    assert_eq!(contact["tags"], json!(["website", "inbound"]));
    assert_eq!(contact["company"]["name"], "Navy");
    assert_eq!(contact["custom_fields"]["budget"], 12000.0);
    assert_eq!(contact["owner_id"], app.owner.to_string());
    let contact_id = contact["id"].as_str().unwrap();

    let deals = app.get(&format!("/api/v1/deals?contact_id={contact_id}")).await;
    assert_eq!(deals.body["items"][0]["title"], "Website enquiry – Grace Hopper");
    assert_eq!(deals.body["items"][0]["pipeline_id"], pipeline["id"]);

    let timeline = app.get(&format!("/api/v1/contacts/{contact_id}/timeline")).await;
    let entry = &timeline.body["items"][0];
    assert_eq!(entry["direction"], "inbound");
    assert_eq!(entry["subject"], "Submitted the website form “Website enquiry”");
    assert!(entry["body"].as_str().unwrap().contains("Message: We need a compiler."));

    let subs = app.get(&format!("/api/v1/forms/{form_id}/submissions")).await;
    assert_eq!(subs.status, 200, "{}", subs.text);
    let sub = &subs.body["items"][0];
    assert_eq!(sub["outcome"], "created");
    assert_eq!(sub["contact_id"], contact_id);
    assert_eq!(sub["deal_id"], deals.body["items"][0]["id"]);
    assert_eq!(sub["interaction_id"], entry["id"]);
    assert!(
        sub["data"].get("utm_source").is_none(),
        "fields the form does not have are not kept"
    );
    assert_eq!(app.get("/api/v1/forms").await.body["items"][0]["submission_count"], 1);
    // The changes went through the outbox like any other: webhooks and live updates see them.
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM activity WHERE contact_id = '{contact_id}' AND txid IS NOT NULL")
        )
        .await,
        3
    );
}

#[actix_web::test]
async fn a_known_email_only_fills_empty_fields_and_is_answered_the_same() {
    let app = TestApp::spawn().await;
    let f = form(
        &app,
        json!({"name": "Contact", "tags": ["web"],
               "fields": [{"target": "first_name", "label": "Name"}, {"target": "email", "label": "Email"},
                          {"target": "phone", "label": "Phone"}, {"target": "job_title", "label": "Role"},
                          {"target": "message", "label": "Message"}]}),
    )
    .await;
    let form_id = id(&f);
    let ada = app
        .contact(
            json!({"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@engines.example"],
                        "job_title": "Head of Engineering", "tags": ["vip"]}),
        )
        .await;
    let fresh = submit(&app, &form_id, json!({"email": "new@example.com"})).await;
    let known = submit(
        &app,
        &form_id,
        json!({"first_name": "Mallory", "email": "ADA@engines.example", "phone": "+44 20 7946 0958",
               "job_title": "Intern", "message": "Please call me"}),
    )
    .await;
    assert_eq!(known.status, 201, "{}", known.text);
    assert_eq!(
        fresh.text, known.text,
        "the answer does not tell whether the email was known"
    );

    let after = app.get(&format!("/api/v1/contacts/{}", id(&ada))).await.body;
    assert_eq!(after["first_name"], "Ada");
    assert_eq!(after["job_title"], "Head of Engineering");
    assert_eq!(after["phones"], json!(["+44 20 7946 0958"]), "an empty field is filled");
    assert_eq!(after["tags"], json!(["vip", "web"]));
    let subs = app
        .get(&format!("/api/v1/forms/{form_id}/submissions?outcome=matched"))
        .await;
    assert_eq!(subs.body["items"].as_array().unwrap().len(), 1, "{}", subs.text);
    assert_eq!(subs.body["items"][0]["filled_fields"], json!(["phone"]));
    assert_eq!(subs.body["items"][0]["contact_id"], ada["id"]);
    // A contact created without a name is named by its email until a submission brings one.
    let first = app.get("/api/v1/contacts?q=new@example.com").await.body["items"][0].clone();
    assert_eq!(first["first_name"], "new@example.com");
    submit(
        &app,
        &form_id,
        json!({"email": "new@example.com", "first_name": "Nora"}),
    )
    .await;
    let named = app.get(&format!("/api/v1/contacts/{}", id(&first))).await.body;
    assert_eq!(named["first_name"], "Nora");
    assert_eq!(
        count(&app, "SELECT count(*) FROM contacts WHERE deleted_at IS NULL").await,
        2
    );

    // Erasing the person erases their submissions too.
    let res = app
        .post(
            &format!("/api/v1/contacts/{}/erase", id(&ada)),
            &json!({"confirm_name": "Ada Lovelace"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM form_submissions WHERE data::text ILIKE '%ada@%'"
        )
        .await,
        0
    );
}

#[actix_web::test]
async fn spam_is_caught_recorded_and_answered_like_a_success() {
    let app = TestApp::spawn().await;
    let form_id = id(&form(&app, json!({"name": "Contact", "min_fill_seconds": 5})).await);
    let lead = json!({"first_name": "Bot", "email": "bot@spam.example"});
    // The honeypot.
    let mut body = lead.clone();
    body["homepage"] = json!("http://cheap-pills.example");
    let res = submit(&app, &form_id, body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    // Sent a second after the page was shown.
    let mut body = lead.clone();
    body["_token"] = json!(token_shown(&app, &form_id, Duration::seconds(1)).await);
    assert_eq!(submit(&app, &form_id, body).await.status, 201);
    // A token made up, or signed for another form.
    let other = id(&form(&app, json!({"name": "Other"})).await);
    let mut body = lead.clone();
    body["_token"] = json!(token_shown(&app, &other, Duration::seconds(60)).await);
    assert_eq!(submit(&app, &form_id, body).await.status, 201);

    assert_eq!(
        count(&app, "SELECT count(*) FROM contacts").await,
        0,
        "no spam became a contact"
    );
    let subs = app
        .get(&format!("/api/v1/forms/{form_id}/submissions?outcome=spam"))
        .await;
    let reasons: Vec<&str> = subs.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["spam_reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["forged_token", "too_fast", "honeypot"]);
    // An outcome filter that names no outcome — empty or unknown — is refused, as the API says.
    for bad in ["", "bogus"] {
        app.get(&format!("/api/v1/forms/{form_id}/submissions?outcome={bad}"))
            .await
            .problem(422, "validation_failed");
    }

    // A person who took their time gets through; one whose page is over a day old is asked again.
    let mut body = lead.clone();
    body["_token"] = json!(token_shown(&app, &form_id, Duration::seconds(30)).await);
    assert_eq!(submit(&app, &form_id, body).await.status, 201);
    assert_eq!(count(&app, "SELECT count(*) FROM contacts").await, 1);
    let mut body = json!({"email": "slow@example.com"});
    body["_token"] = json!(token_shown(&app, &form_id, Duration::hours(25)).await);
    submit(&app, &form_id, body).await.problem(422, "form_expired");
}

#[actix_web::test]
async fn origins_and_the_per_address_limit_are_enforced() {
    let app = TestApp::spawn().await;
    let form_id = id(&form(
        &app,
        json!({"name": "Contact", "allowed_origins": ["https://www.studio.example"]}),
    )
    .await);
    let res = post_form(
        &app,
        &form_id,
        Some("https://evil.example"),
        &[("first_name", "Eve"), ("email", "eve@evil.example")],
    )
    .await;
    assert_eq!(res.status, 403);
    assert!(res.text.contains("cannot be sent from the page you were on"));
    let res = app
        .request_as(&app.anonymous(), Method::POST, &format!("/f/{form_id}"), |r| {
            r.header("origin", "https://evil.example")
                .json(&json!({"first_name": "Eve", "email": "eve@evil.example"}))
        })
        .await;
    res.problem(403, "origin_not_allowed");
    assert!(res.header("access-control-allow-origin").is_none());

    // The allowed origin: a preflight, then a JSON post it may read.
    let pre = app
        .request_as(&app.anonymous(), Method::OPTIONS, &format!("/f/{form_id}"), |r| {
            r.header("origin", "https://www.studio.example")
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
        })
        .await;
    assert_eq!(pre.status, 204);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        Some("https://www.studio.example")
    );
    let pre = app
        .request_as(&app.anonymous(), Method::OPTIONS, &format!("/f/{form_id}"), |r| {
            r.header("origin", "https://evil.example")
                .header("access-control-request-method", "POST")
        })
        .await;
    assert!(pre.header("access-control-allow-origin").is_none());
    for i in 0..4 {
        let res = app
            .request_as(&app.anonymous(), Method::POST, &format!("/f/{form_id}"), |r| {
                r.header("origin", "https://www.studio.example")
                    .json(&json!({"first_name": "Lead", "email": format!("lead{i}@example.com")}))
            })
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("https://www.studio.example")
        );
    }
    // Refused posts are not counted: 4 + 1 = 5 in 10 minutes, then 429.
    assert_eq!(
        submit(
            &app,
            &form_id,
            json!({"first_name": "Five", "email": "five@example.com"})
        )
        .await
        .status,
        201
    );
    let res = submit(&app, &form_id, json!({"first_name": "Six", "email": "six@example.com"})).await;
    res.problem(429, "too_many_submissions");
    assert!(res.header("retry-after").unwrap().parse::<u64>().unwrap() > 500);
    assert_eq!(count(&app, "SELECT count(*) FROM contacts").await, 5);
}

#[actix_web::test]
async fn with_proof_of_work_only_a_solved_puzzle_gets_through() {
    let app = TestApp::spawn().await;
    let form_id = id(&form(
        &app,
        json!({"name": "Guarded", "proof_of_work": true, "min_fill_seconds": 0}),
    )
    .await);
    let page = app
        .request_as(&app.anonymous(), Method::GET, &format!("/f/{form_id}"), |r| r)
        .await;
    assert!(page.text.contains("data-pow=\"16\""), "{}", page.text);
    let token = page
        .text
        .split("name=\"_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let lead = json!({"first_name": "Pat", "email": "pat@example.com", "_token": token});
    submit(&app, &form_id, lead.clone())
        .await
        .problem(422, "proof_of_work_failed");
    let mut wrong = lead.clone();
    wrong["_pow"] = json!("1");
    if !forms::proof_holds(&token, "1") {
        submit(&app, &form_id, wrong).await.problem(422, "proof_of_work_failed");
    }
    assert_eq!(count(&app, "SELECT count(*) FROM contacts").await, 0);
    let answer = (0u64..)
        .map(|n| n.to_string())
        .find(|n| forms::proof_holds(&token, n))
        .unwrap();
    let mut solved = lead.clone();
    solved["_pow"] = json!(answer);
    let res = submit(&app, &form_id, solved).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(count(&app, "SELECT count(*) FROM contacts").await, 1);
}

#[actix_web::test]
async fn a_plain_html_form_gets_pages_back_and_text_stays_text() {
    let app = TestApp::spawn().await;
    let form_id = id(&form(
        &app,
        json!({"name": "Contact", "thank_you_message": "Thanks!\nTalk soon."}),
    )
    .await);
    let script = "<script>alert('x')</script>";
    // Invalid: the form comes back with what was typed (escaped) and the problem marked.
    let res = post_form(
        &app,
        &form_id,
        None,
        &[("first_name", script), ("email", "not-an-email"), ("message", script)],
    )
    .await;
    assert_eq!(res.status, 422);
    assert!(res.text.contains("is not an email address"), "{}", res.text);
    assert!(res.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(!res.text.contains(script));
    assert!(res.text.contains("aria-invalid=\"true\""));
    assert_eq!(count(&app, "SELECT count(*) FROM contacts").await, 0);

    // Valid: the thank-you page; the script tags are kept as the text they are.
    let res = post_form(
        &app,
        &form_id,
        None,
        &[("first_name", script), ("email", "x@example.com"), ("message", script)],
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.text.contains("Thanks!\nTalk soon."));
    let contact = app.get("/api/v1/contacts?q=x@example.com").await.body["items"][0].clone();
    assert_eq!(contact["first_name"], script);

    // With a redirect: 303 there.
    app.patch(
        &format!("/api/v1/forms/{form_id}"),
        &json!({"redirect_url": "https://www.studio.example/thanks"}),
    )
    .await;
    let res = app
        .request_as(
            &reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            Method::POST,
            &format!("/f/{form_id}"),
            |r| {
                r.header("content-type", "application/x-www-form-urlencoded")
                    .body("first_name=Bo&email=bo%40example.com")
            },
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(res.header("location"), Some("https://www.studio.example/thanks"));
}

#[actix_web::test]
async fn bad_submissions_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let form_id = id(&form(&app, json!({"name": "Contact"})).await);
    let res = submit(&app, &form_id, json!({"first_name": "No email"})).await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["email"]);
    let res = submit(&app, &form_id, json!({"first_name": "Bad", "email": "nope"})).await;
    assert_eq!(res.error_fields(), ["email"]);
    let res = submit(
        &app,
        &form_id,
        json!({"first_name": "x".repeat(101), "email": "a@example.com"}),
    )
    .await;
    assert_eq!(res.error_fields(), ["first_name"]);
    let res = submit(
        &app,
        &form_id,
        json!({"first_name": {"nested": true}, "email": "a@example.com"}),
    )
    .await;
    res.problem(422, "validation_failed");
    submit(&app, &form_id, json!(["a", "b"]))
        .await
        .problem(422, "validation_failed");
    // A megabyte of text.
    let res = submit(
        &app,
        &form_id,
        json!({"first_name": "Big", "email": "big@example.com", "message": "a".repeat(1 << 20)}),
    )
    .await;
    res.problem(413, "payload_too_large");
    let res = app
        .request_as(&app.anonymous(), Method::POST, &format!("/f/{form_id}"), |r| {
            r.header("content-type", "text/plain").body("email=a@example.com")
        })
        .await;
    res.problem(415, "unsupported_media_type");
    let res = app
        .request_as(&app.anonymous(), Method::POST, &format!("/f/{form_id}"), |r| {
            r.header("content-type", "application/json").body("{not json")
        })
        .await;
    res.problem(400, "malformed_json");
    assert_eq!(count(&app, "SELECT count(*) FROM contacts").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM form_submissions").await, 0);
}

#[actix_web::test]
async fn other_methods_on_the_public_pages_answer_405_with_allow() {
    let app = TestApp::spawn().await;
    let form_id = id(&form(&app, json!({"name": "Contact"})).await);
    for path in [format!("/f/{form_id}"), "/u/0".to_owned()] {
        for method in [Method::PUT, Method::DELETE, Method::from_bytes(b"TRACE").unwrap()] {
            let res = app.request_as(&app.anonymous(), method.clone(), &path, |r| r).await;
            assert_eq!(res.status, 405, "{method} {path}: {}", res.text);
            assert_eq!(res.header("allow"), Some("GET, POST"), "{method} {path}");
        }
    }
}
