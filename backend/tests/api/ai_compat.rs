//! The AI assistant against real OpenAI-compatible servers written by others and installed from
//! PyPI: LiteLLM's proxy in mock mode (protocol, rate limits, single flight) and llama.cpp's
//! server through llama-cpp-python with Gemma 3 270M (real generated tokens). They need those
//! servers running, so they are ignored by default; `scripts/ai-compat` installs and starts them
//! and runs these tests one at a time.

use std::time::{Duration, Instant};

use rapport::config::{LlmConfig, LlmProvider};
use serde_json::json;

use crate::common::TestApp;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run these tests through scripts/ai-compat"))
}

fn server(base_var: &str, model: &str, timeout: Duration) -> LlmConfig {
    LlmConfig {
        provider: LlmProvider::OpenAi,
        base_url: url::Url::parse(&format!("{}/v1", env(base_var))).unwrap(),
        model: model.into(),
        api_key: Some("sk-rapport-test".into()),
        timeout,
        price_per_million_tokens: 0.5,
    }
}

/// Chat-completion calls LiteLLM has answered so far, counted from its access log.
async fn litellm_calls() -> usize {
    // The access line is written just after the response.
    tokio::time::sleep(Duration::from_millis(400)).await;
    std::fs::read_to_string(env("LITELLM_LOG"))
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("/chat/completions HTTP"))
        .count()
}

async fn ada(app: &TestApp) -> String {
    let c = app
        .contact(
            json!({"first_name": "Ada", "last_name": "Lovelace", "company_name": "Engines",
                        "lifecycle": "prospect", "source": "referral", "tags": ["design"]}),
        )
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    for (subject, outcome) in [("Intro call", "positive"), ("Quote sent", "neutral")] {
        let r = app
            .post(
                "/api/v1/interactions",
                &json!({"contact_id": id, "kind": "call", "direction": "outbound", "subject": subject, "outcome": outcome}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    id
}

#[actix_web::test]
#[ignore = "needs LiteLLM's proxy: scripts/ai-compat"]
async fn litellm_answers_once_and_the_cache_answers_the_repeats() {
    let app = TestApp::spawn_with_llm(server("LITELLM_BASE_URL", "rapport-insights", Duration::from_secs(30))).await;
    let status = app.get("/api/v1/ai/status").await.body;
    assert_eq!(status["reachable"], true, "{status}");
    let id = ada(&app).await;
    let path = format!("/api/v1/contacts/{id}/insights");

    let before = litellm_calls().await;
    let first = app.post(&path, &json!({})).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        first.body["source"],
        json!({"provider": "openai", "model": "rapport-insights", "cached": false})
    );
    assert_eq!(
        first.body["insights"]["next_steps"],
        json!(["Call on Friday about the quote"])
    );
    let second = app.post(&path, &json!({})).await;
    assert_eq!(second.body["source"]["cached"], true);
    assert_eq!(second.body["insights"], first.body["insights"]);
    assert_eq!(litellm_calls().await - before, 1, "the repeat must not reach LiteLLM");
    assert_eq!(
        app.scalar("SELECT count(*) FROM llm_cache WHERE response IS NOT NULL")
            .await,
        1
    );
}

#[actix_web::test]
#[ignore = "needs LiteLLM's proxy: scripts/ai-compat"]
async fn concurrent_identical_drafts_reach_litellm_once() {
    let app = TestApp::spawn_with_llm(server("LITELLM_BASE_URL", "rapport-email", Duration::from_secs(30))).await;
    let id = ada(&app).await;
    let path = format!("/api/v1/contacts/{id}/email-draft");
    let body = json!({"scenario": "follow_up", "tone": "friendly"});
    let before = litellm_calls().await;
    let answers = futures_util::future::join_all((0..8).map(|_| app.post(&path, &body))).await;
    for a in &answers {
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.body["draft"]["subject"], "Following up on the quote");
    }
    assert_eq!(
        answers.iter().filter(|a| a.body["source"]["cached"] == false).count(),
        1
    );
    assert_eq!(
        litellm_calls().await - before,
        1,
        "eight identical requests, one upstream call"
    );
}

#[actix_web::test]
#[ignore = "needs LiteLLM's proxy: scripts/ai-compat"]
async fn litellm_rate_limits_are_retried_then_reported_and_never_cached() {
    let app = TestApp::spawn_with_llm(server("LITELLM_BASE_URL", "rapport-limited", Duration::from_secs(30))).await;
    let id = ada(&app).await;
    let before = litellm_calls().await;
    let r = app.post(&format!("/api/v1/contacts/{id}/insights"), &json!({})).await;
    r.problem(502, "ai_upstream_failed");
    assert!(r.body["detail"].as_str().unwrap().contains("429"), "{}", r.text);
    assert_eq!(litellm_calls().await - before, 3, "one call and two retries");
    assert_eq!(app.scalar("SELECT count(*) FROM llm_cache").await, 0);
    // The rest of the contact page still works.
    assert_eq!(app.get(&format!("/api/v1/contacts/{id}")).await.status, 200);
}

#[actix_web::test]
#[ignore = "needs llama.cpp's server with Gemma 3 270M: scripts/ai-compat"]
async fn a_real_model_writes_the_lead_score_explanation_and_chats() {
    let model = env("LLAMA_MODEL");
    let app = TestApp::spawn_with_llm(server("LLAMA_BASE_URL", &model, Duration::from_secs(240))).await;
    let status = app.get("/api/v1/ai/status").await.body;
    assert_eq!(status["reachable"], true, "{status}");
    let id = ada(&app).await;
    let path = format!("/api/v1/contacts/{id}/lead-score");

    let started = Instant::now();
    let first = app.get(&path).await;
    let miss = started.elapsed();
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        first.body["source"],
        json!({"provider": "openai", "model": model, "cached": false})
    );
    let explanation = first.body["explanation"].as_str().unwrap();
    assert!(explanation.trim().len() >= 10, "{explanation:?}");
    let tokens = app
        .scalar("SELECT coalesce(sum(completion_tokens), 0) FROM llm_cache WHERE feature = 'lead_score'")
        .await;
    assert!(tokens > 0, "the model generated no tokens");

    let started = Instant::now();
    let second = app.get(&path).await;
    let hit = started.elapsed();
    assert_eq!(second.body["source"]["cached"], true);
    assert_eq!(second.body["explanation"], first.body["explanation"]);
    println!(
        "lead-score explanation from {model}: miss {:.0} ms ({tokens} tokens), hit {:.1} ms, {:.0}x faster",
        miss.as_secs_f64() * 1000.0,
        hit.as_secs_f64() * 1000.0,
        miss.as_secs_f64() / hit.as_secs_f64()
    );

    let chat = app
        .post(
            &format!("/api/v1/contacts/{id}/chat"),
            &json!({"message": "What should I say to Ada next?"}),
        )
        .await;
    assert_eq!(chat.status, 200, "{}", chat.text);
    assert!(
        !chat.body["reply"]["content"].as_str().unwrap().trim().is_empty(),
        "{}",
        chat.text
    );
    assert_eq!(chat.body["source"]["provider"], "openai");
}
