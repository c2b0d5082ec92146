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
