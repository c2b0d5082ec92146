//! Every language-model call goes through [`ask`]: the answer is looked up in `llm_cache` by a
//! blake3 key over everything that decides it, computed at most once at a time per key (a lock
//! in this process, a pending row across processes), checked for shape, and only then stored —
//! with no expiry, so repeating a question never pays twice.

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel_async::AsyncPgConnection;
use serde_json::{Value, json};
use uuid::Uuid;

use super::provider::{self, ChatRequest, Completion, ProviderError};
use super::store;
use crate::config::LlmProvider;
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// What a feature asks.
pub struct Question<'a> {
    /// e.g. `contact_insights`.
    pub feature: &'static str,
    /// Bumped whenever the prompt changes, so a new prompt misses the cache on purpose.
    pub prompt_version: &'static str,
    pub request: &'a ChatRequest,
    /// Skip the cached answer (a new one is still stored).
    pub refresh: bool,
    /// The contact the question is about, recorded with the answer so that erasing the person
    /// deletes it.
    pub contact: Option<Uuid>,
}

/// A usable answer and where it came from.
#[derive(Debug, Clone)]
pub struct Answer {
    pub content: String,
    pub cached: bool,
    pub provider: &'static str,
    pub model: String,
    /// The cache key it is stored under.
    pub key: Vec<u8>,
}

impl Answer {
    fn new(state: &AppState, content: String, cached: bool, key: &[u8]) -> Answer {
        Answer {
            content,
            cached,
            provider: state.config.llm.provider.as_str(),
            model: state.config.llm.model.clone(),
            key: key.to_vec(),
        }
    }

    /// Where the answer came from, as the API reports it.
    pub fn source(&self) -> super::dto::AiSource {
        super::dto::AiSource {
            provider: self.provider.into(),
            model: self.model.clone(),
            cached: self.cached,
        }
    }
}

/// Reads a model's JSON answer into `T`, tolerating a fenced code block around it.
pub fn json_answer<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let trimmed = text.trim();
    let body = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|s| s.strip_suffix("```"))
        .unwrap_or(trimmed);
    serde_json::from_str(body.trim()).map_err(|e| format!("not the expected JSON object: {e}"))
}

/// `request` with `line` added to its instructions (the system message, made first if none).
fn with_instruction(request: &ChatRequest, line: &str) -> ChatRequest {
    let mut localized = request.clone();
    match localized.messages.iter_mut().find(|m| m.role == "system") {
        Some(system) => {
            system.content.push_str("\n\n");
            system.content.push_str(line);
        }
        None => localized.messages.insert(0, provider::Message::system(line)),
    }
    localized
}

/// The canonical request: serde_json orders object keys, so equal questions hash equally.
pub fn canonical(state: &AppState, workspace: WorkspaceId, q: &Question<'_>) -> Value {
    let llm = &state.config.llm;
    json!({
        "workspace": workspace,
        "feature": q.feature,
        "prompt_version": q.prompt_version,
        "provider": llm.provider.as_str(),
        "base_url": match llm.provider {
            LlmProvider::Local => Value::Null,
            LlmProvider::OpenAi => Value::String(llm.base_url.to_string()),
        },
        "model": llm.model,
        "messages": q.request.messages,
        "temperature": q.request.temperature,
        "max_tokens": q.request.max_tokens,
        "response_format": if q.request.json { "json_object" } else { "text" },
    })
}

pub fn key_of(canonical: &Value) -> Vec<u8> {
    let bytes = serde_json::to_vec(canonical).unwrap_or_default();
    blake3::hash(&bytes).as_bytes().to_vec()
}

/// The answer's text in a stored response (`{"content": …}`).
fn content_of(response: Value) -> Option<String> {
    response.get("content").and_then(Value::as_str).map(str::to_owned)
}

/// The stored answer for a key, `Ok(None)` while it is pending or absent — read without writing: the hit is counted in memory and written later in one
/// batch ([`flush_hits`]), so a cache hit costs one indexed read and no commit to disk.
async fn hit(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    key: &[u8],
) -> AppResult<Option<String>> {
    let content = store::cached_response(conn, workspace, key).await?.and_then(content_of);
    if content.is_some() {
        state.ai.count_hit(key);
    }
    Ok(content)
}

/// A way around loading a question's facts: the cache key a feature last used for one subject (a
/// contact), kept in memory with the workspace's newest activity entry (see [`crate::db::fresh`]).
/// While nothing was written since, the same facts would give the same key, so a repeated question
/// costs one statement — that entry and the stored answer, two indexed reads — instead of loading
/// the facts.
pub struct Shortcut {
    memo: String,
    stamp: Option<Uuid>,
    /// The stored answer the shortcut leads to, if any (never when refreshing).
    pub answer: Option<Answer>,
}

impl Shortcut {
    pub async fn find(
        state: &AppState,
        workspace: WorkspaceId,
        feature: &'static str,
        subject: Uuid,
        refresh: bool,
    ) -> AppResult<Shortcut> {
        let mut conn = state.conn().await?;
        let language = super::language::current().as_str();
        let memo = format!("ai:{feature}:{workspace}:{subject}:{language}");
        let remembered = if refresh { None } else { state.fresh.peek(&memo) };
        let Some((remembered_at, key)) = remembered else {
            let stamp = crate::db::fresh::stamp(&mut conn, workspace).await?;
            return Ok(Shortcut {
                memo,
                stamp,
                answer: None,
            });
        };
        // The current stamp and the remembered key's answer in one round trip; the answer counts
        // only if nothing was written since the key was remembered.
        let (stamp, response) = store::stamp_and_cached_response(&mut conn, workspace, &key).await?;
        let content = response.filter(|_| stamp == remembered_at).and_then(content_of);
        let answer = content.map(|content| {
            state.ai.count_hit(&key);
            Answer::new(state, content, true, &key)
        });
        Ok(Shortcut { memo, stamp, answer })
    }

    /// Remembers the key the facts gave, for the data as of [`Shortcut::find`].
    pub fn remember(self, state: &AppState, answer: &Answer) {
        state
            .fresh
            .put(self.memo, self.stamp, actix_web::web::Bytes::from(answer.key.clone()));
    }
}

/// Writes the hits counted since the last flush (hit counts and last-hit times) in one statement.
pub async fn flush_hits(state: &AppState, conn: &mut AsyncPgConnection) -> AppResult<()> {
    let hits = state.ai.take_hits();
    if hits.is_empty() {
        return Ok(());
    }
    let (keys, rest): (Vec<Vec<u8>>, Vec<super::PendingHits>) = hits.into_iter().unzip();
    let (counts, times): (Vec<i64>, Vec<chrono::DateTime<Utc>>) = rest.into_iter().unzip();
    let written = store::add_hits(conn, &keys, &counts, &times).await;
    if let Err(e) = written {
        // Put them back for the next flush rather than lose them.
        for ((key, n), at) in keys.into_iter().zip(counts).zip(times) {
            state.ai.count_hits(&key, n, at);
        }
        return Err(e.into());
    }
    Ok(())
}

/// Claims the key for one call: inserts a pending row, or takes over a lapsed one.
#[allow(clippy::too_many_arguments)]
async fn claim(
    conn: &mut AsyncPgConnection,
    key: &[u8],
    workspace: WorkspaceId,
    q: &Question<'_>,
    request: &Value,
    provider: &str,
    model: &str,
    hold: Duration,
) -> AppResult<bool> {
    let entry = store::CacheEntry {
        key,
        workspace,
        feature: q.feature,
        provider,
        model,
        prompt_version: q.prompt_version,
        request,
        contact: q.contact,
    };
    let claimed = store::claim(conn, &entry, hold.as_secs_f64()).await?;
    // One row inserted or taken over: ours. Zero: someone else's call, or an answer already.
    Ok(claimed == 1)
}

#[allow(clippy::too_many_arguments)]
async fn store(
    conn: &mut AsyncPgConnection,
    key: &[u8],
    workspace: WorkspaceId,
    q: &Question<'_>,
    request: &Value,
    provider: &str,
    model: &str,
    done: &Completion,
) -> AppResult<()> {
    let entry = store::CacheEntry {
        key,
        workspace,
        feature: q.feature,
        provider,
        model,
        prompt_version: q.prompt_version,
        request,
        contact: q.contact,
    };
    let latency_ms = done.latency.as_millis().min(i32::MAX as u128) as i32;
    store::save_answer(
        conn,
        &entry,
        &json!({"content": done.content}),
        done.prompt_tokens,
        done.completion_tokens,
        latency_ms,
    )
    .await?;
    count(conn, workspace, Usage::Miss).await
}

/// Gives up a claim after a failed call, so the next request tries again.
async fn release(conn: &mut AsyncPgConnection, key: &[u8], workspace: WorkspaceId) -> AppResult<()> {
    store::release(conn, workspace, key).await?;
    count(conn, workspace, Usage::Failure).await
}

#[derive(Clone, Copy)]
enum Usage {
    Miss,
    Failure,
}

async fn count(conn: &mut AsyncPgConnection, workspace: WorkspaceId, usage: Usage) -> AppResult<()> {
    let column = match usage {
        Usage::Miss => "misses",
        Usage::Failure => "failures",
    };
    store::count_usage(conn, workspace, column).await?;
    Ok(())
}

fn provider_error(e: ProviderError, timeout: Duration) -> AppError {
    match e {
        ProviderError::Timeout => AppError::ai_timeout(timeout.as_secs()),
        other => AppError::ai_upstream(other.to_string()),
    }
}

/// [`ask`] for a structured answer: the offline answer is `local()` serialized, a model's answer
/// must pass `parse` (which reads and validates it), and the parsed value comes back with the
/// answer's source.
pub async fn ask_json<T: serde::Serialize>(
    state: &AppState,
    workspace: WorkspaceId,
    q: Question<'_>,
    local: impl Fn() -> T,
    parse: impl Fn(&str) -> Result<T, String>,
) -> AppResult<(T, Answer)> {
    let answer = ask(
        state,
        workspace,
        q,
        || serde_json::to_string(&local()).unwrap_or_default(),
        |text| parse(text).map(|_| ()),
    )
    .await?;
    let value = parse(&answer.content).map_err(AppError::ai_upstream)?;
    Ok((value, answer))
}

/// Asks the configured model (or the offline one, which answers with `local()`), through the
/// cache. `check` says whether an answer is well formed; a malformed answer is asked again once,
/// then the call fails with 502. Failures are never stored.
pub async fn ask(
    state: &AppState,
    workspace: WorkspaceId,
    q: Question<'_>,
    local: impl Fn() -> String,
    check: impl Fn(&str) -> Result<(), String>,
) -> AppResult<Answer> {
    let llm = &state.config.llm;
    // A model is told to answer in the request's language when it is not English; the sentence is
    // part of the request, so of the key too: each language has its own answers, the offline
    // model's included (it writes in the language `local()` was built for).
    let localized =
        super::language::instruction(super::language::current()).map(|line| with_instruction(q.request, line));
    let q = Question {
        request: localized.as_ref().unwrap_or(q.request),
        ..q
    };
    let provider = llm.provider.as_str();
    let request = canonical(state, workspace, &q);
    let key = key_of(&request);
    let answer = |content: String, cached: bool| Answer::new(state, content, cached, &key);
    if !q.refresh {
        let mut conn = state.conn().await?;
        if let Some(content) = hit(state, &mut conn, workspace, &key).await? {
            return Ok(answer(content, true));
        }
    }
    // One call per key at a time in this process…
    let lock = state.ai.key_lock(&key);
    let _turn = lock.lock().await;
    // …and across processes: a pending row; others wait for it to fill.
    let hold = llm.timeout + Duration::from_secs(10);
    if !q.refresh {
        let waited_since = Instant::now();
        loop {
            let mut conn = state.conn().await?;
            if let Some(content) = hit(state, &mut conn, workspace, &key).await? {
                return Ok(answer(content, true));
            }
            if claim(&mut conn, &key, workspace, &q, &request, provider, &llm.model, hold).await? {
                break;
            }
            drop(conn);
            if waited_since.elapsed() > hold {
                return Err(AppError::ai_timeout(llm.timeout.as_secs()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // The call itself holds no database connection.
    let mut last_problem = String::new();
    for _ in 0..2 {
        let started = Instant::now();
        let result = match llm.provider {
            LlmProvider::Local => Ok(Completion {
                content: local(),
                prompt_tokens: None,
                completion_tokens: None,
                latency: started.elapsed(),
            }),
            LlmProvider::OpenAi => provider::chat(&state.ai.http, llm, q.request).await,
        };
        let done = match result {
            Ok(done) => done,
            Err(e) => {
                let mut conn = state.conn().await?;
                release(&mut conn, &key, workspace).await?;
                tracing::warn!(feature = q.feature, error = %e, "language model call failed");
                return Err(provider_error(e, llm.timeout));
            }
        };
        match check(&done.content) {
            Ok(()) => {
                let mut conn = state.conn().await?;
                store(&mut conn, &key, workspace, &q, &request, provider, &llm.model, &done).await?;
                return Ok(answer(done.content, false));
            }
            Err(problem) => {
                tracing::warn!(feature = q.feature, %problem, "malformed model answer; asking once more");
                last_problem = problem;
            }
        }
    }
    let mut conn = state.conn().await?;
    release(&mut conn, &key, workspace).await?;
    Err(AppError::ai_upstream(format!(
        "the language model's answer was not usable twice in a row ({last_problem})"
    )))
}

pub async fn stats(state: &AppState, workspace: WorkspaceId) -> AppResult<super::dto::CacheStats> {
    let mut conn = state.conn().await?;
    flush_hits(state, &mut conn).await?;
    let row = store::cache_stats(&mut conn, workspace).await?;
    let price = state.config.llm.price_per_million_tokens;
    Ok(super::dto::CacheStats {
        entries: row.entries,
        hits: row.hits,
        misses: row.misses,
        failures: row.failures,
        tokens_saved: row.tokens_saved,
        estimated_cost_saved_usd: (row.tokens_saved as f64 / 1_000_000.0 * price * 10_000.0).round() / 10_000.0,
        generated_at: Utc::now(),
    })
}

/// Forgets every stored answer of the workspace and resets its counters.
pub async fn clear(state: &AppState, workspace: WorkspaceId) -> AppResult<u64> {
    let mut conn = state.conn().await?;
    let n = store::clear_cache(&mut conn, workspace).await?;
    Ok(n as u64)
}
