//! Configuration, read once from the environment (documented in README.md and .env.example).

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// PostgreSQL connection URL.
    pub database_url: String,
    /// Address the HTTP server listens on.
    pub bind_addr: SocketAddr,
    /// Database connections in the pool (default 2 × cores).
    pub db_pool_size: usize,
    /// HTTP worker threads (default: one per core).
    pub http_workers: usize,
    /// Directory of the built SPA (`index.html` + `assets/`); not served when absent.
    pub static_dir: Option<PathBuf>,
    /// `text` (readable) or `json` (one object per line).
    pub log_format: LogFormat,
    /// A tracing filter such as `info` or `rapport=debug,actix_web=info`.
    pub log_level: String,
    /// The language model behind the AI features.
    pub llm: LlmConfig,
}

/// Which language model answers, and how to reach it.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    pub provider: LlmProvider,
    /// Base URL of an OpenAI-compatible API, e.g. `https://api.openai.com/v1` or
    /// `http://localhost:11434/v1` (Ollama).
    pub base_url: url::Url,
    pub model: String,
    pub api_key: Option<String>,
    pub timeout: std::time::Duration,
    /// Price of a million tokens in US dollars, for the "cost saved" estimate.
    pub price_per_million_tokens: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LlmProvider {
    /// Built in, offline and deterministic: rules and templates over the record's data.
    Local,
    /// Any OpenAI-compatible chat-completions server.
    OpenAi,
}

impl LlmProvider {
    pub fn as_str(self) -> &'static str {
        match self {
            LlmProvider::Local => "local",
            LlmProvider::OpenAi => "openai",
        }
    }
}

impl LlmConfig {
    /// The built-in offline model; what tests and fresh installs use.
    pub fn local() -> LlmConfig {
        LlmConfig {
            provider: LlmProvider::Local,
            base_url: url::Url::parse("http://localhost/").unwrap_or_else(|_| unreachable!()),
            model: "rapport-local-1".into(),
            api_key: None,
            timeout: std::time::Duration::from_secs(30),
            price_per_million_tokens: 0.0,
        }
    }

    fn from_env() -> anyhow::Result<LlmConfig> {
        Self::from_vars(var)
    }

    /// Reads the LLM_* settings through `var` (the environment, or a table in tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<LlmConfig> {
        let parse = |name: &str, default: f64| -> anyhow::Result<f64> {
            match var(name) {
                None => Ok(default),
                Some(v) => v.parse().map_err(|_| anyhow::anyhow!("{name}={v:?} is not a number")),
            }
        };
        let api_key = var("LLM_API_KEY");
        let provider = match var("LLM_PROVIDER").as_deref() {
            Some("local") => LlmProvider::Local,
            Some("openai") => LlmProvider::OpenAi,
            None if api_key.is_some() => LlmProvider::OpenAi,
            None => LlmProvider::Local,
            Some(other) => anyhow::bail!("LLM_PROVIDER={other:?}: use local or openai"),
        };
        let raw_url = var("LLM_BASE_URL").unwrap_or_else(|| "https://api.openai.com/v1".into());
        let base_url = url::Url::parse(&raw_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                anyhow::anyhow!("LLM_BASE_URL={raw_url:?} is not an http(s) URL such as https://api.openai.com/v1")
            })?;
        let timeout_secs = parse("LLM_TIMEOUT_SECS", 30.0)?;
        if !(1.0..=600.0).contains(&timeout_secs) {
            anyhow::bail!("LLM_TIMEOUT_SECS must be between 1 and 600");
        }
        let model = var("LLM_MODEL").unwrap_or_else(|| match provider {
            LlmProvider::Local => "rapport-local-1".into(),
            LlmProvider::OpenAi => "gpt-4o-mini".into(),
        });
        Ok(LlmConfig {
            provider,
            base_url,
            model,
            api_key,
            timeout: std::time::Duration::from_secs_f64(timeout_secs),
            price_per_million_tokens: parse("LLM_PRICE_PER_MILLION_TOKENS", 0.6)?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn parse_var<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={v:?} is not a valid value")),
    }
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let database_url = var("DATABASE_URL").ok_or_else(|| {
            anyhow::anyhow!("DATABASE_URL is not set (scripts/run sets it up for you with a private database)")
        })?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            anyhow::bail!("DATABASE_URL must be a postgres:// URL");
        }
        let log_format = match var("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => anyhow::bail!("LOG_FORMAT={other:?}: use text or json"),
        };
        let db_pool_size = parse_var("DB_POOL_SIZE", cores * 2)?;
        if db_pool_size == 0 {
            anyhow::bail!("DB_POOL_SIZE must be at least 1");
        }
        Ok(Config {
            database_url,
            bind_addr: parse_var("BIND_ADDR", SocketAddr::from(([127, 0, 0, 1], 8080)))?,
            db_pool_size,
            http_workers: parse_var("HTTP_WORKERS", cores)?.max(1),
            static_dir: var("STATIC_DIR").map(PathBuf::from).or_else(default_static_dir),
            log_format,
            log_level: var("RUST_LOG")
                .or_else(|| var("LOG_LEVEL"))
                .unwrap_or_else(|| "info".to_owned()),
            llm: LlmConfig::from_env()?,
        })
    }
}

/// `frontend/dist` next to the working directory, when running from a checkout.
fn default_static_dir() -> Option<PathBuf> {
    ["frontend/dist", "../frontend/dist"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.join("index.html").is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn llm(pairs: &[(&str, &str)]) -> anyhow::Result<LlmConfig> {
        let table: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        LlmConfig::from_vars(|name| table.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn the_offline_model_is_the_default_without_a_key() {
        let c = llm(&[]).unwrap();
        assert_eq!(c.provider, LlmProvider::Local);
        let c = llm(&[("LLM_API_KEY", "sk-test")]).unwrap();
        assert_eq!(c.provider, LlmProvider::OpenAi);
        assert_eq!(c.model, "gpt-4o-mini");
        let c = llm(&[
            ("LLM_PROVIDER", "openai"),
            ("LLM_BASE_URL", "http://127.0.0.1:11434/v1"),
            ("LLM_MODEL", "llama3"),
        ])
        .unwrap();
        assert_eq!(
            (c.base_url.as_str(), c.model.as_str()),
            ("http://127.0.0.1:11434/v1", "llama3")
        );
    }

    #[test]
    fn a_base_url_that_is_not_a_url_stops_the_start() {
        for bad in ["not a url", "localhost:11434", "ftp://example.com/v1"] {
            let err = llm(&[("LLM_PROVIDER", "openai"), ("LLM_BASE_URL", bad)])
                .unwrap_err()
                .to_string();
            assert!(err.contains("LLM_BASE_URL"), "{err}");
        }
        assert!(llm(&[("LLM_PROVIDER", "gpt")]).is_err());
        assert!(llm(&[("LLM_TIMEOUT_SECS", "0")]).is_err());
    }
}
