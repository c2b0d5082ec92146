//! Talking to an OpenAI-compatible chat-completions API (OpenAI, Ollama, llama.cpp's server,
//! vLLM, LM Studio, LiteLLM): one request, bounded retries with backoff on 429 and 5xx, a
//! timeout, and an answer checked for shape before anyone uses it.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::config::LlmConfig;

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system`, `user` or `assistant`.
    pub role: String,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Message {
        Message {
            role: "system".into(),
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Message {
        Message {
            role: "user".into(),
            content: content.into(),
        }
    }
}

/// What is asked of the model; with the provider, model and prompt version it decides the answer.
#[derive(Debug, Clone, Serialize)]
pub struct ChatRequest {
    pub messages: Vec<Message>,
    pub temperature: f32,
    pub max_tokens: u32,
    /// Ask for a JSON object.
    pub json: bool,
}

/// A model's answer.
#[derive(Debug, Clone)]
pub struct Completion {
    pub content: String,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub latency: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("the language model did not answer in time")]
    Timeout,
    #[error("the language model answered {status}: {detail}")]
    Status { status: u16, detail: String },
    #[error("the language model cannot be reached: {0}")]
    Unreachable(String),
    #[error("the language model's answer was not usable: {0}")]
    Malformed(String),
}

#[derive(Deserialize)]
struct ApiResponse {
    choices: Vec<ApiChoice>,
    #[serde(default)]
    usage: Option<ApiUsage>,
}

#[derive(Deserialize)]
struct ApiChoice {
    message: ApiMessage,
}

#[derive(Deserialize)]
struct ApiMessage {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct ApiUsage {
    #[serde(default)]
    prompt_tokens: Option<i32>,
    #[serde(default)]
    completion_tokens: Option<i32>,
}

const RETRIES: u32 = 2;

fn endpoint(config: &LlmConfig, path: &str) -> String {
    format!("{}/{path}", config.base_url.as_str().trim_end_matches('/'))
}

/// Calls `POST {base}/chat/completions`, retrying 429 and 5xx twice (250 ms, then 1 s, or what
/// `Retry-After` asks for up to 5 s). The whole call, retries included, is bounded by the
/// configured timeout.
pub async fn chat(
    http: &reqwest::Client,
    config: &LlmConfig,
    request: &ChatRequest,
) -> Result<Completion, ProviderError> {
    let started = Instant::now();
    let mut body = json!({
        "model": config.model,
        "messages": request.messages,
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
    });
    if request.json {
        body["response_format"] = json!({"type": "json_object"});
    }
    let deadline = started + config.timeout;
    let mut attempt = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ProviderError::Timeout);
        }
        let mut call = http
            .post(endpoint(config, "chat/completions"))
            .timeout(left)
            .json(&body);
        if let Some(key) = &config.api_key {
            call = call.bearer_auth(key);
        }
        let response = match call.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Err(ProviderError::Timeout),
            Err(e) => return Err(ProviderError::Unreachable(e.without_url().to_string())),
        };
        let status = response.status();
        if status.is_success() {
            let text = match response.text().await {
                Ok(t) => t,
                Err(e) if e.is_timeout() => return Err(ProviderError::Timeout),
                Err(e) => return Err(ProviderError::Unreachable(e.without_url().to_string())),
            };
            let parsed: ApiResponse = serde_json::from_str(&text)
                .map_err(|e| ProviderError::Malformed(format!("not a chat completion ({e})")))?;
            let content = parsed
                .choices
                .into_iter()
                .next()
                .and_then(|c| c.message.content)
                .filter(|c| !c.trim().is_empty())
                .ok_or_else(|| ProviderError::Malformed("the completion has no text".into()))?;
            return Ok(Completion {
                content,
                prompt_tokens: parsed.usage.as_ref().and_then(|u| u.prompt_tokens),
                completion_tokens: parsed.usage.as_ref().and_then(|u| u.completion_tokens),
                latency: started.elapsed(),
            });
        }
        let retryable = status.as_u16() == 429 || status.is_server_error();
        if !retryable || attempt >= RETRIES {
            let detail: String = response.text().await.unwrap_or_default().chars().take(300).collect();
            return Err(ProviderError::Status {
                status: status.as_u16(),
                detail,
            });
        }
        let asked = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(|s| Duration::from_secs_f64(s.clamp(0.0, 5.0)));
        let backoff = asked.unwrap_or(if attempt == 0 {
            Duration::from_millis(250)
        } else {
            Duration::from_secs(1)
        });
        attempt += 1;
        tracing::warn!(
            status = status.as_u16(),
            attempt,
            "language model busy or failing; retrying"
        );
        tokio::time::sleep(backoff.min(deadline.saturating_duration_since(Instant::now()))).await;
    }
}

/// Whether the provider answers at all (`GET {base}/models`, 3 s).
pub async fn reachable(http: &reqwest::Client, config: &LlmConfig) -> Result<(), String> {
    let mut call = http.get(endpoint(config, "models")).timeout(Duration::from_secs(3));
    if let Some(key) = &config.api_key {
        call = call.bearer_auth(key);
    }
    match call.send().await {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("it answered {}", r.status())),
        Err(e) => Err(e.without_url().to_string()),
    }
}
