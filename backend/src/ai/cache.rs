//! Every language-model call goes through [`ask`]: the answer is looked up in `llm_cache` by a
//! blake3 key over everything that decides it, computed at most once at a time per key (a lock
//! in this process, a pending row across processes), checked for shape, and only then stored —
//! with no expiry, so repeating a question never pays twice.

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bytea, Double, Integer, Jsonb, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};
use uuid::Uuid;

use super::provider::{self, ChatRequest, Completion, ProviderError};
use crate::config::LlmProvider;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

type SqlUuid = diesel::sql_types::Uuid;

/// What a feature asks.
pub struct Question<'a> {
    /// e.g. `contact_insights`.
    pub feature: &'static str,
    /// Bumped whenever the prompt changes, so a new prompt misses the cache on purpose.
    pub prompt_version: &'static str,
    pub request: &'a ChatRequest,
    /// Skip the cached answer (a new one is still stored).
    pub refresh: bool,
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

/// The canonical request: serde_json orders object keys, so equal questions hash equally.
pub fn canonical(state: &AppState, workspace: Uuid, q: &Question<'_>) -> Value {
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

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Nullable<Jsonb>)]
    response: Option<Value>,
}

/// The stored answer for a key, `Ok(None)` while it is pending or absent — read without writing: the hit is counted in memory and written later in one
/// batch ([`flush_hits`]), so a cache hit costs one indexed read and no commit to disk.
async fn hit(state: &AppState, conn: &mut AsyncPgConnection, key: &[u8]) -> AppResult<Option<String>> {
    let row: Option<Stored> =
        diesel::sql_query("SELECT response FROM llm_cache WHERE key = $1 AND response IS NOT NULL")
            .bind::<Bytea, _>(key)
            .get_result(conn)
            .await
            .optional()?;
    let content = row
        .and_then(|r| r.response)
        .and_then(|r| r.get("content").and_then(Value::as_str).map(str::to_owned));
    if content.is_some() {
        state.ai.count_hit(key);
    }
    Ok(content)
}

/// A way around loading a question's facts: the cache key a feature last used for one subject (a
/// contact), kept in memory with the workspace's newest activity entry (see [`crate::db::fresh`]).
/// While nothing was written since, the same facts would give the same key, so a repeated question
/// costs two indexed reads — that entry and the stored answer — instead of loading the facts.
pub struct Shortcut {
    memo: String,
    stamp: Option<Uuid>,
    /// The stored answer the shortcut leads to, if any (never when refreshing).
    pub answer: Option<Answer>,
}

impl Shortcut {
    pub async fn find(
        state: &AppState,
        workspace: Uuid,
        feature: &'static str,
        subject: Uuid,
        refresh: bool,
    ) -> AppResult<Shortcut> {
        let mut conn = state.conn().await?;
        let stamp = crate::db::fresh::stamp(&mut conn, workspace).await?;
        let memo = format!("ai:{feature}:{workspace}:{subject}");
        let mut answer = None;
        if !refresh
            && let Some(key) = state.fresh.get(&memo, stamp)
            && let Some(content) = hit(state, &mut conn, &key).await?
        {
            answer = Some(Answer::new(state, content, true, &key));
        }
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
    let written = diesel::sql_query(
        "UPDATE llm_cache c SET hit_count = c.hit_count + h.n, \
           last_hit_at = greatest(coalesce(c.last_hit_at, h.at), h.at) \
         FROM unnest($1::bytea[], $2::bigint[], $3::timestamptz[]) AS h(key, n, at) WHERE c.key = h.key",
    )
    .bind::<diesel::sql_types::Array<Bytea>, _>(&keys)
    .bind::<diesel::sql_types::Array<BigInt>, _>(&counts)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Timestamptz>, _>(&times)
    .execute(conn)
    .await;
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
    workspace: Uuid,
    q: &Question<'_>,
    request: &Value,
    provider: &str,
    model: &str,
    hold: Duration,
) -> AppResult<bool> {
    let claimed = diesel::sql_query(
        "INSERT INTO llm_cache (key, workspace_id, feature, provider, model, prompt_version, request, \
                                created_at, pending_until) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now() + make_interval(secs => $8)) \
         ON CONFLICT (key) DO UPDATE SET pending_until = EXCLUDED.pending_until \
         WHERE llm_cache.response IS NULL AND llm_cache.pending_until < now()",
    )
    .bind::<Bytea, _>(key)
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(q.feature)
    .bind::<Text, _>(provider)
    .bind::<Text, _>(model)
    .bind::<Text, _>(q.prompt_version)
    .bind::<Jsonb, _>(request)
    .bind::<Double, _>(hold.as_secs_f64())
    .execute(conn)
    .await?;
    // One row inserted or taken over: ours. Zero: someone else's call, or an answer already.
    Ok(claimed == 1)
}

#[allow(clippy::too_many_arguments)]
async fn store(
    conn: &mut AsyncPgConnection,
    key: &[u8],
    workspace: Uuid,
    q: &Question<'_>,
    request: &Value,
    provider: &str,
    model: &str,
    done: &Completion,
) -> AppResult<()> {
    diesel::sql_query(
        "INSERT INTO llm_cache (key, workspace_id, feature, provider, model, prompt_version, request, response, \
                                prompt_tokens, completion_tokens, latency_ms, created_at, pending_until) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), NULL) \
         ON CONFLICT (key) DO UPDATE SET response = EXCLUDED.response, prompt_tokens = EXCLUDED.prompt_tokens, \
             completion_tokens = EXCLUDED.completion_tokens, latency_ms = EXCLUDED.latency_ms, \
             created_at = now(), pending_until = NULL",
    )
    .bind::<Bytea, _>(key)
    .bind::<SqlUuid, _>(workspace)
    .bind::<Text, _>(q.feature)
    .bind::<Text, _>(provider)
    .bind::<Text, _>(model)
    .bind::<Text, _>(q.prompt_version)
    .bind::<Jsonb, _>(request)
    .bind::<Jsonb, _>(json!({"content": done.content}))
    .bind::<Nullable<Integer>, _>(done.prompt_tokens)
    .bind::<Nullable<Integer>, _>(done.completion_tokens)
    .bind::<Integer, _>(done.latency.as_millis().min(i32::MAX as u128) as i32)
    .execute(conn)
    .await?;
    count(conn, workspace, Usage::Miss).await
}

/// Gives up a claim after a failed call, so the next request tries again.
async fn release(conn: &mut AsyncPgConnection, key: &[u8], workspace: Uuid) -> AppResult<()> {
    diesel::sql_query("DELETE FROM llm_cache WHERE key = $1 AND response IS NULL")
        .bind::<Bytea, _>(key)
        .execute(conn)
        .await?;
    count(conn, workspace, Usage::Failure).await
}

#[derive(Clone, Copy)]
enum Usage {
    Miss,
    Failure,
}

async fn count(conn: &mut AsyncPgConnection, workspace: Uuid, usage: Usage) -> AppResult<()> {
    let column = match usage {
        Usage::Miss => "misses",
        Usage::Failure => "failures",
    };
    diesel::sql_query(format!(
        "INSERT INTO llm_usage (workspace_id, {column}) VALUES ($1, 1) \
         ON CONFLICT (workspace_id) DO UPDATE SET {column} = llm_usage.{column} + 1"
    ))
    .bind::<SqlUuid, _>(workspace)
    .execute(conn)
    .await?;
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
    workspace: Uuid,
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
    workspace: Uuid,
    q: Question<'_>,
    local: impl Fn() -> String,
    check: impl Fn(&str) -> Result<(), String>,
) -> AppResult<Answer> {
    let llm = &state.config.llm;
    let provider = llm.provider.as_str();
    let request = canonical(state, workspace, &q);
    let key = key_of(&request);
    let answer = |content: String, cached: bool| Answer::new(state, content, cached, &key);
    if !q.refresh {
        let mut conn = state.conn().await?;
        if let Some(content) = hit(state, &mut conn, &key).await? {
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
            if let Some(content) = hit(state, &mut conn, &key).await? {
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

#[derive(QueryableByName)]
struct StatsRow {
    #[diesel(sql_type = BigInt)]
    entries: i64,
    #[diesel(sql_type = BigInt)]
    hits: i64,
    #[diesel(sql_type = BigInt)]
    misses: i64,
    #[diesel(sql_type = BigInt)]
    failures: i64,
    #[diesel(sql_type = BigInt)]
    tokens_saved: i64,
}

pub async fn stats(state: &AppState, workspace: Uuid) -> AppResult<super::dto::CacheStats> {
    let mut conn = state.conn().await?;
    flush_hits(state, &mut conn).await?;
    let row: StatsRow = diesel::sql_query(
        "SELECT (SELECT count(*) FROM llm_cache WHERE workspace_id = $1 AND response IS NOT NULL)::bigint AS entries, \
                (SELECT coalesce(sum(hit_count), 0) FROM llm_cache WHERE workspace_id = $1)::bigint AS hits, \
                coalesce((SELECT misses FROM llm_usage WHERE workspace_id = $1), 0)::bigint AS misses, \
                coalesce((SELECT failures FROM llm_usage WHERE workspace_id = $1), 0)::bigint AS failures, \
                (SELECT coalesce(sum(hit_count * (coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0))), 0) \
                   FROM llm_cache WHERE workspace_id = $1)::bigint AS tokens_saved",
    )
    .bind::<SqlUuid, _>(workspace)
    .get_result(&mut conn)
    .await?;
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
pub async fn clear(state: &AppState, workspace: Uuid) -> AppResult<u64> {
    let mut conn = state.conn().await?;
    let n = diesel::sql_query("DELETE FROM llm_cache WHERE workspace_id = $1 AND response IS NOT NULL")
        .bind::<SqlUuid, _>(workspace)
        .execute(&mut conn)
        .await?;
    diesel::sql_query("DELETE FROM llm_usage WHERE workspace_id = $1")
        .bind::<SqlUuid, _>(workspace)
        .execute(&mut conn)
        .await?;
    Ok(n as u64)
}

use diesel::OptionalExtension;
