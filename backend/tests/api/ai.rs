//! The AI assistant over real HTTP: the offline model, the answer cache and its single flight,
//! and a mock OpenAI-compatible server that counts calls and misbehaves on request.

use std::time::Duration;

use rapport::config::{LlmConfig, LlmProvider};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::TestApp;

pub(crate) const INSIGHTS: &str = r#"{"summary":"Ada is a client.","communication_style":"Calls.","preferences":["design"],"before_next_meeting":["Quote sent"],"risks":[],"next_steps":["Call on Friday"]}"#;

pub(crate) fn completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "test-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200}
    })
}

pub(crate) fn remote(server: &MockServer, timeout: Duration) -> LlmConfig {
    LlmConfig {
        provider: LlmProvider::OpenAi,
        base_url: url::Url::parse(&format!("{}/v1", server.uri())).unwrap(),
        model: "test-model".into(),
        api_key: Some("sk-test".into()),
        timeout,
        price_per_million_tokens: 1.0,
    }
}

/// A model that answers every question with [`INSIGHTS`] after `delay`.
pub(crate) async fn insights_server(delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(completion(INSIGHTS))
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    server
}

/// A model that answers every question with [`INSIGHTS`] after 400 ms, so identical requests
/// sent together overlap.
pub(crate) async fn slow_insights_server() -> MockServer {
    insights_server(Duration::from_millis(400)).await
}

pub(crate) async fn calls(server: &MockServer) -> usize {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().ends_with("/chat/completions"))
        .count()
}

pub(crate) async fn ada(app: &TestApp) -> String {
    let c = app
        .contact(json!({"first_name": "Ada", "last_name": "Lovelace", "company_name": "Engines", "lifecycle": "client", "tags": ["design"]}))
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    app.post(
        "/api/v1/interactions",
        &json!({"contact_id": id, "kind": "call", "subject": "Quote", "outcome": "positive"}),
    )
    .await;
    id
}

#[actix_web::test]
async fn the_offline_model_answers_deterministically_and_is_cached() {
    let app = TestApp::spawn().await;
    let status = app.get("/api/v1/ai/status").await.body;
    assert_eq!(status["provider"], "local");
    assert_eq!(status["reachable"], true);
    let id = ada(&app).await;
    let path = format!("/api/v1/contacts/{id}/insights");
    let first = app.post(&path, &json!({})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        first.body["source"],
        json!({"provider": "local", "model": "rapport-local-1", "cached": false})
    );
    let insights = &first.body["insights"];
    assert!(
        insights["summary"]
            .as_str()
            .unwrap()
            .starts_with("Ada Lovelace from Engines is a client"),
        "{insights}"
    );
    assert!(
        insights["communication_style"]
            .as_str()
            .unwrap()
            .contains("Mostly calls"),
        "{insights}"
    );
    assert!(!insights["next_steps"].as_array().unwrap().is_empty());

    let second = app.post(&path, &json!({})).await;
    assert_eq!(second.body["source"]["cached"], true);
    assert_eq!(
        second.body["insights"], first.body["insights"],
        "the same facts give the same answer"
    );
    let stats = app.get("/api/v1/ai/cache/stats").await.body;
    assert_eq!(
        (
            stats["entries"].as_i64(),
            stats["hits"].as_i64(),
            stats["misses"].as_i64()
        ),
        (Some(1), Some(1), Some(1))
    );

    // refresh skips the read but still writes; new facts are a new question.
    let refreshed = app.post(&format!("{path}?refresh=true"), &json!({})).await;
    assert_eq!(refreshed.body["source"]["cached"], false);
    assert_eq!(app.scalar("SELECT count(*) FROM llm_cache").await, 1);
    app.post(
        "/api/v1/interactions",
        &json!({"contact_id": id, "kind": "email", "subject": "Invoice"}),
    )
    .await;
    assert_eq!(app.post(&path, &json!({})).await.body["source"]["cached"], false);
    assert_eq!(app.scalar("SELECT count(*) FROM llm_cache").await, 2);
    assert_eq!(app.post(&path, &json!({})).await.body["source"]["cached"], true);
    // A fact held elsewhere — the company's name — is a new question too.
    let company = app.get(&format!("/api/v1/contacts/{id}")).await.body["company"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let renamed = app
        .patch(
            &format!("/api/v1/companies/{company}"),
            &json!({"name": "Analytical Engines"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let after = app.post(&path, &json!({})).await.body;
    assert_eq!(after["source"]["cached"], false);
    assert!(
        after["insights"]["summary"]
            .as_str()
            .unwrap()
            .contains("Analytical Engines"),
        "{after}"
    );
    assert_eq!(app.scalar("SELECT count(*) FROM llm_cache").await, 3);

    assert_eq!(app.delete("/api/v1/ai/cache").await.status, 204);
    let stats = app.get("/api/v1/ai/cache/stats").await.body;
    assert_eq!((stats["entries"].as_i64(), stats["hits"].as_i64()), (Some(0), Some(0)));
    // With the answers gone, the same question is asked again rather than found.
    assert_eq!(app.post(&path, &json!({})).await.body["source"]["cached"], false);

    app.post(
        "/api/v1/contacts/01936000-0000-7000-8000-0000000009ff/insights",
        &json!({}),
    )
    .await
    .problem(404, "not_found");
    app.post(&format!("{path}?refresh=maybe"), &json!({}))
        .await
        .problem(422, "validation_failed");
}

#[actix_web::test]
async fn a_second_identical_request_never_reaches_the_provider() {
    let server = insights_server(Duration::ZERO).await;
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&server)
        .await;
    let app = TestApp::spawn_with_llm(remote(&server, Duration::from_secs(5))).await;
    let status = app.get("/api/v1/ai/status").await.body;
    assert_eq!(
        (status["provider"].as_str(), status["reachable"].as_bool()),
        (Some("openai"), Some(true))
    );
    let id = ada(&app).await;
    let path = format!("/api/v1/contacts/{id}/insights");
    let first = app.post(&path, &json!({})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["insights"]["next_steps"], json!(["Call on Friday"]));
    assert_eq!(first.body["source"]["cached"], false);
    let second = app.post(&path, &json!({})).await;
    assert_eq!(second.body["source"]["cached"], true);
    assert_eq!(
        calls(&server).await,
        1,
        "the second request was answered from the cache"
    );

    // What was sent: the model, the JSON response format, the contact's facts.
    let sent: Value = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .find(|r| r.url.path().ends_with("/chat/completions"))
        .unwrap()
        .body_json()
        .unwrap();
    assert_eq!(sent["model"], "test-model");
    assert_eq!(sent["response_format"]["type"], "json_object");
    assert!(
        sent["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("Company: Engines")
    );

    let stats = app.get("/api/v1/ai/cache/stats").await.body;
    assert_eq!(stats["tokens_saved"], 200);
    assert_eq!(stats["estimated_cost_saved_usd"], 0.0002);
}

#[actix_web::test]
async fn concurrent_identical_requests_make_one_call() {
    let server = slow_insights_server().await;
    let app = TestApp::spawn_with_llm(remote(&server, Duration::from_secs(5))).await;
    let id = ada(&app).await;
    let path = format!("/api/v1/contacts/{id}/insights");
    let empty = json!({});
    let answers = futures_util::future::join_all((0..8).map(|_| app.post(&path, &empty))).await;
    assert!(
        answers.iter().all(|a| a.status == 200),
        "{:?}",
        answers.iter().map(|a| &a.text).collect::<Vec<_>>()
    );
    assert_eq!(
        calls(&server).await,
        1,
        "one upstream call for eight identical requests"
    );
    assert_eq!(
        answers.iter().filter(|a| a.body["source"]["cached"] == false).count(),
        1
    );
}

#[actix_web::test]
async fn failures_are_problem_responses_and_never_cached() {
    // A provider that fails with 500 (retried twice), a garbage answer (asked once more) and a
    // slow one (timeout).
    for (case, response, expected_calls, status, code) in [
        (
            "500",
            ResponseTemplate::new(500).set_body_string("boom"),
            3,
            502,
            "ai_upstream_failed",
        ),
        (
            "garbage",
            ResponseTemplate::new(200).set_body_json(completion("Sure! Here you go.")),
            2,
            502,
            "ai_upstream_failed",
        ),
        (
            "not a completion",
            ResponseTemplate::new(200).set_body_string("<html>"),
            1,
            502,
            "ai_upstream_failed",
        ),
        (
            "slow",
            ResponseTemplate::new(200)
                .set_body_json(completion(INSIGHTS))
                .set_delay(Duration::from_secs(3)),
            1,
            504,
            "ai_timeout",
        ),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/chat/completions"))
            .respond_with(response)
            .mount(&server)
            .await;
        let app = TestApp::spawn_with_llm(remote(&server, Duration::from_secs(2))).await;
        let id = ada(&app).await;
        let res = app.post(&format!("/api/v1/contacts/{id}/insights"), &json!({})).await;
        assert_eq!(res.status.as_u16(), status, "{case}: {}", res.text);
        res.problem(status, code);
        assert_eq!(calls(&server).await, expected_calls, "{case}");
        assert_eq!(
            app.scalar("SELECT count(*) FROM llm_cache").await,
            0,
            "{case}: nothing cached"
        );
        assert_eq!(app.get("/api/v1/ai/cache/stats").await.body["failures"], 1, "{case}");
        // The rest of the app is unaffected.
        assert_eq!(app.get(&format!("/api/v1/contacts/{id}")).await.status, 200);
    }
}

#[actix_web::test]
async fn busy_providers_are_retried_and_unreachable_ones_reported() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(INSIGHTS)))
        .mount(&server)
        .await;
    let app = TestApp::spawn_with_llm(remote(&server, Duration::from_secs(5))).await;
    let id = ada(&app).await;
    let res = app.post(&format!("/api/v1/contacts/{id}/insights"), &json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(calls(&server).await, 2);

    let mut gone = remote(&server, Duration::from_secs(1));
    gone.base_url = url::Url::parse("http://127.0.0.1:9/v1").unwrap();
    let app = TestApp::spawn_with_llm(gone).await;
    let status = app.get("/api/v1/ai/status").await.body;
    assert_eq!(status["reachable"], false);
    assert!(status["detail"].is_string());
    let id = ada(&app).await;
    app.post(&format!("/api/v1/contacts/{id}/insights"), &json!({}))
        .await
        .problem(502, "ai_upstream_failed");
}

#[actix_web::test]
async fn a_new_prompt_version_misses_the_cache_and_workspaces_never_share() {
    use rapport::ai::cache::{Question, ask};
    use rapport::ai::provider::{ChatRequest, Message};
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion("fine")))
        .mount(&server)
        .await;
    let app = TestApp::spawn_with_llm(remote(&server, Duration::from_secs(5))).await;
    let state = rapport::state::AppState::new(app.pool.clone(), {
        let mut c = crate::common::test_config(&app.db.url);
        c.llm = remote(&server, Duration::from_secs(5));
        c
    });
    let request = ChatRequest {
        messages: vec![Message::user("Hello")],
        temperature: 0.0,
        max_tokens: 10,
        json: false,
    };
    let ws = rapport::db::DEFAULT_WORKSPACE_ID;
    let q = |version: &'static str| Question {
        feature: "test",
        prompt_version: version,
        request: &request,
        refresh: false,
        contact: None,
    };
    let ok = |_: &str| Ok(());
    assert!(
        !ask(&state, rapport::db::WorkspaceId::checked(ws), q("v1"), String::new, ok)
            .await
            .unwrap()
            .cached
    );
    assert!(
        ask(&state, rapport::db::WorkspaceId::checked(ws), q("v1"), String::new, ok)
            .await
            .unwrap()
            .cached
    );
    assert!(
        !ask(&state, rapport::db::WorkspaceId::checked(ws), q("v2"), String::new, ok)
            .await
            .unwrap()
            .cached,
        "a new prompt version misses"
    );
    assert_eq!(calls(&server).await, 2);
    // The same question in another workspace is another key.
    let other = uuid::Uuid::now_v7();
    let mut conn = app.pool.get().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!("INSERT INTO workspaces (id, name) VALUES ('{other}', 'Other')")),
        &mut conn,
    )
    .await
    .unwrap();
    assert!(
        !ask(
            &state,
            rapport::db::WorkspaceId::checked(other),
            q("v1"),
            String::new,
            ok
        )
        .await
        .unwrap()
        .cached
    );
    assert_eq!(calls(&server).await, 3);
}

#[actix_web::test]
async fn email_drafts_follow_scenario_tone_and_template() {
    let app = TestApp::spawn().await;
    let id = ada(&app).await;
    let path = format!("/api/v1/contacts/{id}/email-draft");
    let res = app
        .post(&path, &json!({"scenario": "follow_up", "tone": "formal"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let draft = &res.body["draft"];
    assert_eq!(draft["subject"], "Following up on quote");
    let body = draft["body"].as_str().unwrap();
    assert!(body.starts_with("Dear Ada,"), "{body}");
    assert!(body.contains("for Engines"), "{body}");
    assert!(body.ends_with("Kind regards,"), "{body}");
    assert_eq!(res.body["source"]["cached"], false);
    assert_eq!(
        app.post(&path, &json!({"scenario": "follow_up", "tone": "formal"}))
            .await
            .body["source"]["cached"],
        true
    );

    // A starter template, filled for the contact, with the instructions as a P.S.
    let template = "01936000-0000-7000-8000-000000000105";
    let res = app
        .post(
            &path,
            &json!({"scenario": "thank_you", "template_id": template, "instructions": "See you on Thursday"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["draft"]["subject"], "Thank you, Ada");
    assert!(
        res.body["draft"]["body"]
            .as_str()
            .unwrap()
            .ends_with("P.S. See you on Thursday")
    );

    // A template whose subject fills in blank for this contact keeps the scenario's subject.
    let blank = app
        .post(
            "/api/v1/templates",
            &json!({"name": "Blank subject", "scenario": "check_in", "subject": "{{contact.job_title}}", "body": "Hello {{contact.first_name}}"}),
        )
        .await;
    assert_eq!(blank.status, 201, "{}", blank.text);
    let res = app
        .post(&path, &json!({"scenario": "check_in", "template_id": blank.body["id"]}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["draft"]["subject"], "Checking in");
    assert_eq!(res.body["draft"]["body"], "Hello Ada");

    for (body, field) in [
        (json!({"scenario": "birthday", "tone": "formal"}), "scenario"),
        (json!({"scenario": "intro", "tone": "sarcastic"}), "tone"),
        (
            json!({"scenario": "intro", "template_id": "01936000-0000-7000-8000-0000000009ff"}),
            "template_id",
        ),
        (
            json!({"scenario": "intro", "instructions": "x".repeat(1001)}),
            "instructions",
        ),
    ] {
        let res = app.post(&path, &body).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), [field], "{}", res.text);
    }
    assert_eq!(
        app.scalar("SELECT count(*) FROM llm_cache").await,
        3,
        "refused requests store nothing"
    );
    app.post(
        "/api/v1/contacts/01936000-0000-7000-8000-0000000009ff/email-draft",
        &json!({"scenario": "intro"}),
    )
    .await
    .problem(404, "not_found");
}

#[actix_web::test]
async fn an_interaction_is_analysed_and_keeps_its_sentiment() {
    let app = TestApp::spawn().await;
    let c = app.contact(json!({"first_name": "Ada"})).await;
    // A Thursday.
    let logged = app
        .post(
            "/api/v1/interactions",
            &json!({"contact_id": c["id"], "kind": "call", "occurred_at": "2026-11-19T10:00:00Z", "outcome": "positive",
                    "subject": "Plan review", "body": "Ada was happy with the plan and agreed on the scope. I will send the revised quote by Friday. She is worried about the budget for phase two."}),
        )
        .await;
    let id = logged.body["id"].as_str().unwrap();
    let res = app
        .post(&format!("/api/v1/interactions/{id}/analysis"), &json!({}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let a = &res.body["analysis"];
    assert_eq!(a["sentiment"]["label"], "positive", "{a}");
    assert!(a["sentiment"]["score"].as_f64().unwrap() > 0.2);
    assert_eq!(a["action_items"], json!(["I will send the revised quote by Friday"]));
    assert_eq!(a["suggested_follow_up"], "2026-11-20");
    assert!(
        a["summary"]
            .as_str()
            .unwrap()
            .starts_with("Call (19 Nov 2026): Plan review"),
        "{a}"
    );
    // Saved on the interaction, which the timeline shows.
    assert_eq!(res.body["interaction"]["sentiment"], a["sentiment"]);
    let timeline = app
        .get(&format!("/api/v1/contacts/{}/timeline", c["id"].as_str().unwrap()))
        .await
        .body;
    assert_eq!(timeline["items"][0]["sentiment"]["label"], "positive");
    // The contact carries its latest sentiment for lists, and it appears in the list itself.
    let cid = c["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{cid}")).await.body["last_sentiment"],
        "positive"
    );
    let list = app.get("/api/v1/contacts?q=ada").await.body;
    assert_eq!(list["items"][0]["last_sentiment"], "positive", "{list}");
    let again = app
        .post(&format!("/api/v1/interactions/{id}/analysis"), &json!({}))
        .await;
    assert_eq!(again.body["source"]["cached"], true);

    let silent = app
        .post("/api/v1/interactions", &json!({"contact_id": c["id"], "kind": "email", "occurred_at": "2026-11-19T10:00:00Z", "outcome": "no_response", "subject": "Chasing the invoice"}))
        .await;
    let res = app
        .post(
            &format!("/api/v1/interactions/{}/analysis", silent.body["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!(res.body["analysis"]["sentiment"]["label"], "negative");
    assert_eq!(res.body["analysis"]["suggested_follow_up"], "2026-12-03");
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{cid}")).await.body["last_sentiment"],
        "negative",
        "the newest analysed interaction wins"
    );

    app.post(
        "/api/v1/interactions/01936000-0000-7000-8000-0000000009ff/analysis",
        &json!({}),
    )
    .await
    .problem(404, "not_found");
}

#[actix_web::test]
async fn lead_scores_add_up_explainable_factors() {
    let app = TestApp::spawn().await;
    let c = app
        .contact(json!({"first_name": "Ada", "lifecycle": "prospect", "source": "referral", "connection_strength": 4}))
        .await;
    let id = c["id"].as_str().unwrap();
    app.post(
        "/api/v1/interactions",
        &json!({"contact_id": id, "kind": "call", "direction": "inbound", "outcome": "positive"}),
    )
    .await;
    app.post(
        "/api/v1/deals",
        &json!({"title": "Audit", "contact_id": id, "stage_id": "01936000-0000-7000-8000-000000000213"}),
    )
    .await;
    let res = app.get(&format!("/api/v1/contacts/{id}/lead-score")).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let points = |name: &str| {
        res.body["factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| f["points"].as_i64().unwrap())
    };
    assert_eq!(points("lifecycle"), Some(20));
    assert_eq!(points("recent_contact"), Some(20));
    assert_eq!(points("engagement"), Some(3));
    assert_eq!(points("outcomes"), Some(10));
    assert_eq!(points("inbound_interest"), Some(5));
    assert_eq!(points("open_deal"), Some(15));
    assert_eq!(points("source"), Some(10));
    assert_eq!(points("connection"), Some(6));
    assert_eq!(res.body["score"], 89, "the factors add up");
    let explanation = res.body["explanation"].as_str().unwrap();
    assert!(
        explanation.starts_with("Ada scores 89/100, a strong lead. Mostly thanks to"),
        "{explanation}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{id}/lead-score")).await.body["source"]["cached"],
        true
    );

    let cold = app
        .contact(json!({"first_name": "Cold", "lifecycle": "inactive"}))
        .await;
    let res = app
        .get(&format!("/api/v1/contacts/{}/lead-score", cold["id"].as_str().unwrap()))
        .await;
    assert_eq!(res.body["score"], 0);
    assert!(res.body["explanation"].as_str().unwrap().contains("a cold lead"));
}

#[actix_web::test]
async fn a_proposal_is_drafted_for_a_deal_and_saved_through_the_normal_path() {
    let app = TestApp::spawn().await;
    let id = ada(&app).await;
    let d = app
        .post(
            "/api/v1/deals",
            &json!({"title": "Website redesign", "contact_id": id, "value_minor": 500_000}),
        )
        .await
        .body;
    let workshop = app
        .post("/api/v1/products", &json!({"name": "Workshop", "price_minor": 150_000}))
        .await
        .body;
    let path = format!("/api/v1/deals/{}/proposal-draft", d["id"].as_str().unwrap());
    let res = app.post(&path, &json!({"product_ids": [workshop["id"]]})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let draft = res.body["draft"].clone();
    assert_eq!(draft["title"], "Website redesign — proposal");
    assert!(draft["introduction"].as_str().unwrap().starts_with("Dear Ada,"));
    assert_eq!(
        draft["lines"],
        json!([{"product_id": workshop["id"], "description": "Workshop", "quantity": 1.0, "unit_price_minor": 150_000}])
    );
    assert_eq!(
        app.scalar("SELECT count(*) FROM proposals").await,
        0,
        "a draft is not saved"
    );
    // Without products, one line for the deal's value; saved as it is.
    let plain = app.post(&path, &json!({})).await.body["draft"].clone();
    assert_eq!(plain["lines"][0]["unit_price_minor"], 500_000);
    let mut body = plain.as_object().unwrap().clone();
    body.insert("deal_id".into(), d["id"].clone());
    let saved = app.post("/api/v1/proposals", &Value::Object(body)).await;
    assert_eq!(saved.status, 201, "{}", saved.text);
    assert_eq!(saved.body["totals"]["total_minor"], 500_000);

    let bad = app
        .post(&path, &json!({"product_ids": ["01936000-0000-7000-8000-0000000009ff"]}))
        .await;
    bad.problem(422, "validation_failed");
    assert_eq!(bad.error_fields(), ["product_ids"]);
    app.post(
        "/api/v1/deals/01936000-0000-7000-8000-0000000009ff/proposal-draft",
        &json!({}),
    )
    .await
    .problem(404, "not_found");
}

const THREAD: &str = "From: Ada Lovelace <ada@engines.example>\nDate: Thu, 19 Nov 2026 10:00:00 +0000\nSubject: Website project\n\nHi,\n\nCould you send a quote for a new website? Our budget is around €8,000.\n\nBest,\nAda Lovelace\nCTO, Analytical Engines\n+44 20 7946 0000\n";

#[actix_web::test]
async fn a_pasted_email_is_read_then_applied_through_the_normal_paths() {
    let app = TestApp::spawn().await;
    let res = app.post("/api/v1/ai/parse-email", &json!({"text": THREAD})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let parsed = res.body["parsed"].clone();
    assert_eq!(parsed["potential_client"], true);
    assert_eq!(parsed["contact"]["emails"], json!(["ada@engines.example"]));
    assert_eq!(parsed["deal"]["value_minor"], 800_000);
    assert!(res.body["existing_contact_id"].is_null());
    assert_eq!(
        app.scalar("SELECT count(*) FROM contacts").await,
        0,
        "reading creates nothing"
    );

    // An .eml upload reads the same.
    let eml = app
        .request(reqwest::Method::POST, "/api/v1/ai/parse-email", |r| {
            r.header("content-type", "message/rfc822")
                .body(THREAD.replace('\n', "\r\n"))
        })
        .await;
    assert_eq!(eml.status, 200, "{}", eml.text);
    assert_eq!(eml.body["parsed"]["contact"]["first_name"], "Ada");

    let mut apply = json!({"contact": parsed["contact"], "messages": parsed["messages"], "deal": parsed["deal"]});
    let applied = app.post("/api/v1/ai/parse-email/apply", &apply).await;
    assert_eq!(applied.status, 201, "{}", applied.text);
    assert_eq!(applied.body["contact_created"], true);
    let contact_id = applied.body["contact_id"].as_str().unwrap().to_owned();
    let contact = app.get(&format!("/api/v1/contacts/{contact_id}")).await.body;
    assert_eq!(contact["company"]["name"], "Analytical Engines");
    assert_eq!(contact["source"], "inbound_email");
    let timeline = app.get(&format!("/api/v1/contacts/{contact_id}/timeline")).await.body;
    assert_eq!(timeline["items"][0]["kind"], "email");
    assert_eq!(timeline["items"][0]["direction"], "inbound");
    let deal = app
        .get(&format!("/api/v1/deals/{}", applied.body["deal_id"].as_str().unwrap()))
        .await
        .body;
    assert_eq!(
        (deal["value_minor"].as_i64(), deal["currency"].as_str()),
        (Some(800_000), Some("EUR"))
    );

    // The same sender again matches the contact instead of duplicating it.
    let again = app.post("/api/v1/ai/parse-email", &json!({"text": THREAD})).await;
    assert_eq!(again.body["existing_contact_id"], contact_id.as_str());
    apply["deal"] = Value::Null;
    let second = app.post("/api/v1/ai/parse-email/apply", &apply).await;
    assert_eq!(second.body["contact_created"], false);
    assert_eq!(second.body["contact_id"], contact_id.as_str());
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 1);
}

#[actix_web::test]
async fn bad_pasted_emails_are_refused() {
    let app = TestApp::spawn().await;
    let empty = app.post("/api/v1/ai/parse-email", &json!({"text": "  "})).await;
    empty.problem(422, "validation_failed");
    let huge = "x".repeat(5 * 1024 * 1024);
    let res = app
        .request(reqwest::Method::POST, "/api/v1/ai/parse-email", |r| {
            r.header("content-type", "message/rfc822").body(huge)
        })
        .await;
    res.problem(413, "payload_too_large");
    let res = app
        .request(reqwest::Method::POST, "/api/v1/ai/parse-email", |r| {
            r.header("content-type", "image/png").body("x")
        })
        .await;
    res.problem(415, "unsupported_media_type");
    let bad = app
        .post("/api/v1/ai/parse-email/apply", &json!({"contact": {"first_name": "", "last_name": null, "emails": ["not-an-email"], "phones": [], "company_name": null, "job_title": null}}))
        .await;
    bad.problem(422, "validation_failed");
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 0);
    assert_eq!(app.scalar("SELECT count(*) FROM llm_cache").await, 0);
}

#[actix_web::test]
async fn the_sales_assistant_keeps_conversations_about_a_contact() {
    let app = TestApp::spawn().await;
    let id = ada(&app).await;
    app.post(
        "/api/v1/deals",
        &json!({"title": "Website", "contact_id": id, "value_minor": 300_000}),
    )
    .await;
    let path = format!("/api/v1/contacts/{id}/chat");
    let first = app.post(&path, &json!({"message": "Which deals do we have?"})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(
        first.body["reply"]["content"]
            .as_str()
            .unwrap()
            .contains("Website — open in Lead, 3,000.00 EUR"),
        "{}",
        first.text
    );
    assert_eq!(first.body["reply"]["role"], "assistant");
    let conversation = first.body["conversation"]["id"].as_str().unwrap().to_owned();
    assert_eq!(first.body["conversation"]["title"], "Which deals do we have?");
    let second = app
        .post(
            &path,
            &json!({"conversation_id": conversation, "message": "What happened last time?"}),
        )
        .await;
    assert!(
        second.body["reply"]["content"]
            .as_str()
            .unwrap()
            .starts_with("The last touchpoint was a call")
    );
    assert_eq!(second.body["conversation"]["messages"].as_array().unwrap().len(), 4);
    let list = app.get(&format!("/api/v1/contacts/{id}/conversations")).await.body;
    assert_eq!(list["items"][0]["messages"], 4);
    assert_eq!(
        app.get(&format!("/api/v1/ai/conversations/{conversation}")).await.body["messages"][3]["role"],
        "assistant"
    );

    let long = "x".repeat(4001);
    let res = app.post(&path, &json!({"message": long})).await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["message"]);
    let other = app.contact(json!({"first_name": "Bob"})).await;
    let res = app
        .post(
            &format!("/api/v1/contacts/{}/chat", other["id"].as_str().unwrap()),
            &json!({"conversation_id": conversation, "message": "Hi"}),
        )
        .await;
    res.problem(422, "validation_failed");
    assert_eq!(
        app.scalar("SELECT count(*) FROM ai_messages").await,
        4,
        "refused questions are not stored"
    );
}

#[actix_web::test]
async fn real_email_files_are_decoded_before_they_are_read() {
    let app = TestApp::spawn().await;
    // Gmail: multipart/alternative, quoted-printable text, base64 HTML, encoded words.
    let gmail = app
        .request(reqwest::Method::POST, "/api/v1/ai/parse-email", |r| {
            r.header("content-type", "message/rfc822")
                .body(include_bytes!("../fixtures/email/gmail.eml").to_vec())
        })
        .await;
    assert_eq!(gmail.status, 200, "{}", gmail.text);
    let parsed = &gmail.body["parsed"];
    assert_eq!(parsed["contact"]["first_name"], "José");
    assert_eq!(parsed["contact"]["last_name"], "Muñoz");
    assert_eq!(parsed["contact"]["emails"], json!(["jose@cafe-munoz.es"]));
    assert_eq!(parsed["contact"]["company_name"], "Cafe Munoz");
    assert_eq!(
        parsed["messages"][0]["subject"],
        "Presupuesto para la web de la cafetería"
    );
    let body = parsed["messages"][0]["body"].as_str().unwrap();
    assert!(
        body.contains("Nos gustaría una web nueva") && !body.contains("--0000"),
        "{body}"
    );
    // Outlook: HTML only, in Windows-1252 (not UTF-8), "Last, First".
    let outlook = app
        .request(reqwest::Method::POST, "/api/v1/ai/parse-email", |r| {
            r.header("content-type", "message/rfc822")
                .body(include_bytes!("../fixtures/email/outlook.eml").to_vec())
        })
        .await;
    assert_eq!(outlook.status, 200, "{}", outlook.text);
    let parsed = &outlook.body["parsed"];
    assert_eq!(parsed["contact"]["first_name"], "John");
    assert_eq!(parsed["contact"]["last_name"], "Smith");
    assert_eq!(parsed["contact"]["emails"], json!(["john.smith@contoso.com"]));
    assert_eq!(parsed["deal"]["value_minor"], 1_200_000);
    assert_eq!(parsed["deal"]["currency"], "EUR");
    // The same message pasted as text reads the same.
    let pasted = app
        .post(
            "/api/v1/ai/parse-email",
            &json!({"text": String::from_utf8_lossy(include_bytes!("../fixtures/email/gmail.eml"))}),
        )
        .await;
    assert_eq!(pasted.status, 200, "{}", pasted.text);
    assert_eq!(pasted.body["parsed"]["contact"]["first_name"], "José");
}

#[actix_web::test]
async fn the_offline_summary_reads_as_a_sentence() {
    let app = TestApp::spawn().await;
    // No company and no title: no stray comma; a title is an aside between commas.
    for (body, expected) in [
        (
            json!({"first_name": "Ines", "last_name": "Ruiz"}),
            "Ines Ruiz is a lead",
        ),
        (
            json!({"first_name": "Grace", "last_name": "Hopper", "job_title": "Admiral", "company_name": "Navy"}),
            "Grace Hopper, Admiral at Navy, is a lead",
        ),
    ] {
        let c = app.contact(body).await;
        let res = app
            .post(
                &format!("/api/v1/contacts/{}/insights", c["id"].as_str().unwrap()),
                &json!({}),
            )
            .await;
        let summary = res.body["insights"]["summary"].as_str().unwrap().to_owned();
        assert!(summary.starts_with(expected), "{summary}");
    }
}

/// A model is asked to answer in the language the request names (`Accept-Language`, which the
/// web app sends); each language has its own cached answers, and English asks nothing extra.
#[actix_web::test]
async fn a_model_answers_in_the_requests_language() {
    let server = insights_server(Duration::ZERO).await;
    let app = TestApp::spawn_with_llm(remote(&server, Duration::from_secs(5))).await;
    let id = ada(&app).await;
    let path = format!("/api/v1/contacts/{id}/insights");
    let ask = |language: &'static str| {
        let app = &app;
        let path = path.clone();
        async move {
            app.request(reqwest::Method::POST, &path, |r| {
                r.header("accept-language", language).json(&json!({}))
            })
            .await
        }
    };
    let systems = || async {
        server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path().ends_with("/chat/completions"))
            .map(|r| {
                r.body_json::<Value>().unwrap()["messages"][0]["content"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect::<Vec<String>>()
    };

    let spanish = ask("es-ES,es;q=0.9,en;q=0.8").await;
    assert_eq!(spanish.status, 200, "{}", spanish.text);
    assert_eq!(spanish.body["source"]["cached"], false);
    let sent = systems().await;
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].ends_with("in Spanish; keep JSON keys, codes and names as they are."),
        "{}",
        sent[0]
    );

    let english = ask("en-GB,en;q=0.9").await;
    assert_eq!(
        english.body["source"]["cached"], false,
        "another language, another answer"
    );
    let sent = systems().await;
    assert_eq!(sent.len(), 2);
    assert!(
        !sent[1].contains("Spanish") && !sent[1].contains("French"),
        "{}",
        sent[1]
    );

    let again = ask("es").await;
    assert_eq!(again.body["source"]["cached"], true, "the Spanish answer is cached");
    let french = ask("fr;q=0.8, de").await;
    assert_eq!(french.body["source"]["cached"], false);
    let sent = systems().await;
    assert_eq!(sent.len(), 3);
    assert!(sent[2].contains("in French"), "{}", sent[2]);

    // The chat follows it too.
    let reply = app
        .request(reqwest::Method::POST, &format!("/api/v1/contacts/{id}/chat"), |r| {
            r.header("accept-language", "fr")
                .json(&json!({"message": "Quoi de neuf ?"}))
        })
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let sent = systems().await;
    assert!(sent.last().unwrap().contains("in French"), "{}", sent.last().unwrap());
}

/// The built-in offline model writes in the request's language too: the same facts give a
/// Spanish or a French answer, with dates and amounts written the way that language writes them,
/// and each language is cached on its own.
#[actix_web::test]
async fn the_offline_model_answers_in_the_requests_language() {
    let app = TestApp::spawn().await;
    let id = ada(&app).await;
    app.post(
        "/api/v1/deals",
        &json!({"title": "Website", "contact_id": id, "value_minor": 300_000, "expected_close_date": "2027-01-15"}),
    )
    .await;
    let ask = |method: reqwest::Method, path: String, language: &'static str, body: Value| {
        let app = &app;
        async move {
            app.request(method, &path, |r| {
                let r = r.header("accept-language", language);
                if body.is_null() { r } else { r.json(&body) }
            })
            .await
        }
    };
    let post = reqwest::Method::POST;
    let insights = format!("/api/v1/contacts/{id}/insights");

    let english = ask(post.clone(), insights.clone(), "en", json!({})).await;
    assert_eq!(english.status, 200, "{}", english.text);
    let spanish = ask(post.clone(), insights.clone(), "es-ES,es;q=0.9", json!({})).await;
    assert_eq!(
        spanish.body["source"]["cached"], false,
        "another language, another answer"
    );
    let summary = spanish.body["insights"]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("Ada Lovelace, de Engines, es un cliente. 1 interacción desde el "),
        "{summary}"
    );
    assert!(
        summary.contains("1 oportunidad abierta (Website en Lead)."),
        "{summary}"
    );
    assert!(
        spanish.body["insights"]["communication_style"]
            .as_str()
            .unwrap()
            .starts_with("Sobre todo llamadas (1 de 1 interacción)"),
        "{}",
        spanish.text
    );
    let french = ask(post.clone(), insights.clone(), "fr-CA,fr;q=0.9", json!({})).await;
    let summary = french.body["insights"]["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("Ada Lovelace, de Engines, est un client."),
        "{summary}"
    );
    let meeting = &french.body["insights"]["before_next_meeting"];
    assert!(
        meeting.as_array().unwrap().iter().any(|m| m
            .as_str()
            .unwrap()
            .starts_with("Website est à l’étape Lead pour 3\u{202f}000,00 EUR")),
        "{meeting}"
    );
    let again = ask(post.clone(), insights.clone(), "es", json!({})).await;
    assert_eq!(again.body["source"]["cached"], true);
    assert_eq!(again.body["insights"], spanish.body["insights"]);
    assert_eq!(
        ask(post.clone(), insights.clone(), "en-GB", json!({})).await.body["insights"],
        english.body["insights"],
        "English stays English"
    );

    let draft = ask(
        post.clone(),
        format!("/api/v1/contacts/{id}/email-draft"),
        "fr",
        json!({"scenario": "meeting_request", "tone": "formal"}),
    )
    .await;
    assert_eq!(draft.status, 200, "{}", draft.text);
    assert_eq!(draft.body["draft"]["subject"], "Un moment pour parler de quote ?");
    let body = draft.body["draft"]["body"].as_str().unwrap();
    assert!(
        body.starts_with("Bonjour Ada,\n\nPourrions-nous trouver 30 minutes"),
        "{body}"
    );
    assert!(body.ends_with("Bien cordialement,"), "{body}");

    let score = ask(
        reqwest::Method::GET,
        format!("/api/v1/contacts/{id}/lead-score"),
        "es",
        Value::Null,
    )
    .await;
    assert_eq!(score.status, 200, "{}", score.text);
    let labels: Vec<&str> = score.body["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"Etapa") && labels.contains(&"Oportunidad abierta"),
        "{labels:?}"
    );
    let explanation = score.body["explanation"].as_str().unwrap();
    assert!(explanation.starts_with("Ada Lovelace tiene 73/100: "), "{explanation}");
    assert!(explanation.contains("(última interacción hoy)"), "{explanation}");
    assert!(explanation.contains("Sobre todo gracias a: "), "{explanation}");

    let reply = ask(
        post.clone(),
        format!("/api/v1/contacts/{id}/chat"),
        "es",
        json!({"message": "¿Qué oportunidades tenemos?"}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body["reply"]["content"],
        "Oportunidades con Ada:\n- Website — abierta, en Lead, 3.000,00 EUR, prevista para el 15 ene 2027"
    );
}
