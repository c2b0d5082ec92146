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
    /// Seconds a stopping server (SIGTERM, Ctrl-C) gives requests in flight to finish (default 30).
    pub shutdown_grace_secs: u64,
    /// Directory of the built SPA (`index.html` + `assets/`); not served when absent.
    pub static_dir: Option<PathBuf>,
    /// `text` (readable) or `json` (one object per line).
    pub log_format: LogFormat,
    /// A tracing filter such as `info` or `rapport=debug,actix_web=info`.
    pub log_level: String,
    /// The language model behind the AI features.
    pub llm: LlmConfig,
    /// The accounts settings: public origin, trusted proxies, sign-up.
    pub accounts: AccountsConfig,
    /// Requests per minute per credential (per address without one), by kind; 0 = unlimited.
    pub rate_limits: crate::http::rate_limit::Budgets,
    /// How long a client may take to send a request, and a handler to answer it.
    pub timeouts: Timeouts,
    /// Origins (`https://app.example.com`) whose pages may call the API with a bearer token;
    /// none by default, so browsers keep other sites' scripts from reading it.
    pub cors_origins: Vec<String>,
    /// Live update streams one user may hold open in this process; 0 = no limit.
    pub live_streams_per_user: usize,
    /// Where backups go, how many are kept, and when the server takes one by itself.
    pub backups: BackupConfig,
    /// Calls to user-given addresses (webhooks) and the key of secrets stored for them.
    pub outbound: OutboundConfig,
    /// A streaming replica of the database that heavy reads may use (`DATABASE_REPLICA_URL`).
    pub replica: Option<ReplicaConfig>,
}

/// `DATABASE_REPLICA_URL`, `REPLICA_MAX_LAG_SECS`.
#[derive(Debug, Clone)]
pub struct ReplicaConfig {
    /// A hot standby of the primary (`DATABASE_URL`), for lists, searches, the dashboard and
    /// exports.
    pub url: String,
    /// How far behind the primary the replica may be for a read that has no write of its own to
    /// wait for (default 5 s); past it, reads go to the primary.
    pub max_lag: std::time::Duration,
}

impl ReplicaConfig {
    fn from_vars(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<ReplicaConfig>> {
        let Some(url) = var("DATABASE_REPLICA_URL").filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            anyhow::bail!("DATABASE_REPLICA_URL must be a postgres:// URL");
        }
        let max_lag = match var("REPLICA_MAX_LAG_SECS") {
            None => std::time::Duration::from_secs(5),
            Some(raw) => raw
                .parse::<f64>()
                .ok()
                .filter(|v| (0.5..=3600.0).contains(v))
                .map(std::time::Duration::from_secs_f64)
                .ok_or_else(|| anyhow::anyhow!("REPLICA_MAX_LAG_SECS must be between 0.5 and 3600 seconds"))?,
        };
        Ok(Some(ReplicaConfig { url, max_lag }))
    }
}

/// `SECRETS_KEY`, `WEBHOOKS_ALLOW_PRIVATE`, `WEBHOOK_TIMEOUT_SECS`.
#[derive(Debug, Clone)]
pub struct OutboundConfig {
    /// Seals the secrets the server must use again (webhook signing secrets); without it, webhooks
    /// cannot be created.
    pub secrets_key: Option<crate::crypto::SecretsKey>,
    /// Allow endpoints on private, loopback and link-local addresses, and `http://`.
    pub allow_private: bool,
    /// How long one delivery attempt may take.
    pub timeout: std::time::Duration,
}

impl OutboundConfig {
    fn from_vars(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<OutboundConfig> {
        let secrets_key = match var("SECRETS_KEY") {
            None => None,
            Some(raw) => Some(
                raw.parse()
                    .map_err(|e| anyhow::anyhow!("SECRETS_KEY {e} (make one with: openssl rand -base64 32)"))?,
            ),
        };
        let allow_private = match var("WEBHOOKS_ALLOW_PRIVATE").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => anyhow::bail!("WEBHOOKS_ALLOW_PRIVATE={other:?}: use true or false"),
        };
        let timeout = match var("WEBHOOK_TIMEOUT_SECS") {
            None => std::time::Duration::from_secs(10),
            Some(raw) => raw
                .parse::<f64>()
                .ok()
                .filter(|v| (0.5..=60.0).contains(v))
                .map(std::time::Duration::from_secs_f64)
                .ok_or_else(|| anyhow::anyhow!("WEBHOOK_TIMEOUT_SECS must be between 0.5 and 60 seconds"))?,
        };
        Ok(OutboundConfig {
            secrets_key,
            allow_private,
            timeout,
        })
    }
}

#[derive(Debug, Clone)]
pub struct BackupConfig {
    /// `BACKUP_DIR` (default `.data/backups`).
    pub dir: PathBuf,
    /// `BACKUP_KEEP` (default 7): the newest kept, older ones deleted.
    pub keep: usize,
    /// `BACKUP_SCHEDULE`: the time of day (UTC) of the daily backup; none by default.
    pub schedule: Option<chrono::NaiveTime>,
}

impl BackupConfig {
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<BackupConfig> {
        let keep = match var("BACKUP_KEEP") {
            Some(n) => n
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| anyhow::anyhow!("BACKUP_KEEP must be a whole number of at least 1, not {n:?}"))?,
            None => crate::backup::DEFAULT_KEEP,
        };
        let schedule = match var("BACKUP_SCHEDULE") {
            Some(s) => Some(crate::jobs::parse_schedule(&s).ok_or_else(|| {
                anyhow::anyhow!("BACKUP_SCHEDULE={s:?}: use a time of day in UTC such as 03:00, or daily")
            })?),
            None => None,
        };
        Ok(BackupConfig {
            dir: PathBuf::from(var("BACKUP_DIR").unwrap_or_else(|| crate::backup::DEFAULT_DIR.to_owned())),
            keep,
            schedule,
        })
    }
}

/// Time limits of a request, so that a slow or stalled client, or a slow query, cannot hold the
/// server's resources: the head must arrive within `header` (else the connection is closed with
/// 408), the body within `body` (else 408), and each database statement of a request must finish
/// within `statement` (PostgreSQL's `statement_timeout`: the statement is cancelled, its
/// transaction rolled back, and the answer is 503). The other waits of a handler have their own
/// limits: a database connection 5 s, a language model `LLM_TIMEOUT_SECS`. A streamed answer
/// (server-sent events) is bound by none of them once its head is sent.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub header: std::time::Duration,
    pub body: std::time::Duration,
    pub statement: std::time::Duration,
}

impl Timeouts {
    pub const DEFAULT: Timeouts = Timeouts {
        header: std::time::Duration::from_secs(5),
        body: std::time::Duration::from_secs(30),
        statement: std::time::Duration::from_secs(30),
    };
}

/// `CORS_ORIGINS`: a comma-separated list of origins (scheme, host and port only).
fn cors_origins(raw: Option<String>) -> anyhow::Result<Vec<String>> {
    let mut origins = Vec::new();
    for item in raw
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let parsed = url::Url::parse(item).map_err(|_| anyhow::anyhow!("CORS_ORIGINS: {item:?} is not an origin"))?;
        let origin = parsed.origin().ascii_serialization();
        if !matches!(parsed.scheme(), "http" | "https") || origin != item.trim_end_matches('/') {
            anyhow::bail!("CORS_ORIGINS: {item:?} is not an origin such as https://app.example.com (no path)");
        }
        origins.push(origin);
    }
    Ok(origins)
}

/// How people reach the server and who may create an account.
#[derive(Debug, Clone)]
pub struct AccountsConfig {
    /// The origin users reach (`https://crm.example.com`): the allow-list for unsafe
    /// cookie-authenticated requests without Fetch Metadata, the cookie's `Secure` flag (https),
    /// and every link the server writes (invitations, calendar feed).
    pub public_url: url::Url,
    /// Proxies allowed to set `X-Forwarded-For` / `X-Forwarded-Proto`.
    pub trusted_proxies: Vec<IpNet>,
    /// `SIGNUP=open`: anyone may create an account (with a new empty workspace) after the first.
    pub signup_open: bool,
}

impl AccountsConfig {
    /// What tests and a local server use: `http://localhost:<port>`, no proxies, sign-up closed.
    pub fn local(port: u16) -> AccountsConfig {
        AccountsConfig {
            public_url: url::Url::parse(&format!("http://localhost:{port}")).unwrap_or_else(|_| unreachable!()),
            trusted_proxies: Vec::new(),
            signup_open: false,
        }
    }

    /// The public origin as browsers send it in `Origin`, e.g. `https://crm.example.com`.
    pub fn origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }

    /// The public URL without a trailing slash, to prefix paths with.
    pub fn base(&self) -> String {
        self.public_url.as_str().trim_end_matches('/').to_owned()
    }

    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    pub fn is_trusted_proxy(&self, ip: std::net::IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(ip))
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>, bind: SocketAddr) -> anyhow::Result<AccountsConfig> {
        let mut out = AccountsConfig::local(bind.port());
        if let Some(raw) = var("PUBLIC_URL") {
            let url = url::Url::parse(&raw)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                .ok_or_else(|| {
                    anyhow::anyhow!("PUBLIC_URL={raw:?} is not an http(s) URL such as https://crm.example.com")
                })?;
            out.public_url = url;
        }
        if let Some(raw) = var("TRUSTED_PROXIES") {
            out.trusted_proxies = raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<IpNet>()
                        .map_err(|e| anyhow::anyhow!("TRUSTED_PROXIES: {s:?}: {e}"))
                })
                .collect::<anyhow::Result<_>>()?;
        }
        out.signup_open = match var("SIGNUP").as_deref() {
            None | Some("closed") => false,
            Some("open") => true,
            Some(other) => anyhow::bail!("SIGNUP={other:?}: use open or closed"),
        };
        Ok(out)
    }
}

/// An address or a network in CIDR notation (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for IpNet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: std::net::IpAddr = addr.parse().map_err(|_| "not an IP address".to_owned())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("prefix must be 0-{max}"))?,
        };
        Ok(IpNet { addr, prefix })
    }
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
        let bind_addr = parse_var("BIND_ADDR", SocketAddr::from(([127, 0, 0, 1], 8080)))?;
        Ok(Config {
            database_url,
            bind_addr,
            db_pool_size,
            http_workers: parse_var("HTTP_WORKERS", cores)?.max(1),
            shutdown_grace_secs: parse_var("SHUTDOWN_GRACE_SECS", 30)?,
            static_dir: var("STATIC_DIR").map(PathBuf::from).or_else(default_static_dir),
            log_format,
            log_level: var("RUST_LOG")
                .or_else(|| var("LOG_LEVEL"))
                .unwrap_or_else(|| "info".to_owned()),
            llm: LlmConfig::from_env()?,
            accounts: AccountsConfig::from_vars(var, bind_addr)?,
            rate_limits: crate::http::rate_limit::Budgets {
                general: parse_var("RATE_LIMIT_PER_MINUTE", 1200)?,
                ai: parse_var("RATE_LIMIT_AI_PER_MINUTE", 120)?,
                sign_in: parse_var("RATE_LIMIT_SIGN_IN_PER_MINUTE", 30)?,
            },
            timeouts: timeouts()?,
            cors_origins: cors_origins(var("CORS_ORIGINS"))?,
            live_streams_per_user: parse_var("LIVE_STREAMS_PER_USER", crate::events::MAX_STREAMS_PER_USER)?,
            backups: BackupConfig::from_vars(var)?,
            outbound: OutboundConfig::from_vars(var)?,
            replica: ReplicaConfig::from_vars(var)?,
        })
    }
}

/// `HEADER_TIMEOUT_SECS`, `BODY_TIMEOUT_SECS`, `STATEMENT_TIMEOUT_SECS`.
fn timeouts() -> anyhow::Result<Timeouts> {
    let secs = |name: &str, default: std::time::Duration| -> anyhow::Result<std::time::Duration> {
        let v: f64 = parse_var(name, default.as_secs_f64())?;
        if !(0.5..=3600.0).contains(&v) {
            anyhow::bail!("{name} must be between 0.5 and 3600 seconds");
        }
        Ok(std::time::Duration::from_secs_f64(v))
    };
    Ok(Timeouts {
        header: secs("HEADER_TIMEOUT_SECS", Timeouts::DEFAULT.header)?,
        body: secs("BODY_TIMEOUT_SECS", Timeouts::DEFAULT.body)?,
        statement: secs("STATEMENT_TIMEOUT_SECS", Timeouts::DEFAULT.statement)?,
    })
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
    fn cors_origins_are_exact_origins() {
        assert!(cors_origins(None).unwrap().is_empty());
        assert_eq!(
            cors_origins(Some(" https://app.example.com, http://localhost:5173/ ".into())).unwrap(),
            ["https://app.example.com", "http://localhost:5173"]
        );
        for bad in [
            "app.example.com",
            "https://app.example.com/path",
            "ftp://x.example",
            "*",
        ] {
            assert!(cors_origins(Some(bad.into())).is_err(), "{bad}");
        }
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
    fn trusted_proxies_are_addresses_or_networks() {
        let net: IpNet = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains("10.1.2.3".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        let one: IpNet = "::1".parse().unwrap();
        assert!(one.contains("::1".parse().unwrap()));
        assert!(!one.contains("::2".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<IpNet>().is_err());
        assert!("proxy".parse::<IpNet>().is_err());
        let all: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
    }

    #[test]
    fn accounts_settings_are_checked_at_start() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        let bind: SocketAddr = "127.0.0.1:9000".parse().unwrap();
        let c = AccountsConfig::from_vars(vars(&[]), bind).unwrap();
        assert_eq!(c.origin(), "http://localhost:9000");
        assert!(!c.signup_open && !c.is_https());
        let c = AccountsConfig::from_vars(
            vars(&[("PUBLIC_URL", "https://crm.example.com/"), ("SIGNUP", "open")]),
            bind,
        )
        .unwrap();
        assert_eq!(
            (c.origin().as_str(), c.base().as_str()),
            ("https://crm.example.com", "https://crm.example.com")
        );
        assert!(c.signup_open && c.is_https());
        assert!(AccountsConfig::from_vars(vars(&[("PUBLIC_URL", "crm.example.com")]), bind).is_err());
        assert!(AccountsConfig::from_vars(vars(&[("SIGNUP", "yes")]), bind).is_err());
        assert!(AccountsConfig::from_vars(vars(&[("TRUSTED_PROXIES", "10.0.0.1, nope")]), bind).is_err());
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

    #[test]
    fn a_read_replica_is_optional_and_its_lag_limit_checked() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        assert!(ReplicaConfig::from_vars(vars(&[])).unwrap().is_none());
        assert!(
            ReplicaConfig::from_vars(vars(&[("DATABASE_REPLICA_URL", " ")]))
                .unwrap()
                .is_none()
        );
        let r = ReplicaConfig::from_vars(vars(&[("DATABASE_REPLICA_URL", "postgres://r@replica/rapport")]))
            .unwrap()
            .unwrap();
        assert_eq!(r.max_lag, std::time::Duration::from_secs(5));
        let r = ReplicaConfig::from_vars(vars(&[
            ("DATABASE_REPLICA_URL", "postgres://r@replica/rapport"),
            ("REPLICA_MAX_LAG_SECS", "1.5"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(r.max_lag, std::time::Duration::from_millis(1500));
        assert!(ReplicaConfig::from_vars(vars(&[("DATABASE_REPLICA_URL", "mysql://x")])).is_err());
        for bad in ["0", "-1", "soon", "7200"] {
            let pairs: &'static [(&'static str, &'static str)] = match bad {
                "0" => &[
                    ("DATABASE_REPLICA_URL", "postgres://r@h/db"),
                    ("REPLICA_MAX_LAG_SECS", "0"),
                ],
                "-1" => &[
                    ("DATABASE_REPLICA_URL", "postgres://r@h/db"),
                    ("REPLICA_MAX_LAG_SECS", "-1"),
                ],
                "soon" => &[
                    ("DATABASE_REPLICA_URL", "postgres://r@h/db"),
                    ("REPLICA_MAX_LAG_SECS", "soon"),
                ],
                _ => &[
                    ("DATABASE_REPLICA_URL", "postgres://r@h/db"),
                    ("REPLICA_MAX_LAG_SECS", "7200"),
                ],
            };
            assert!(ReplicaConfig::from_vars(vars(pairs)).is_err(), "{bad}");
        }
    }
}
