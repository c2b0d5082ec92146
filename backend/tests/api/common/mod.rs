//! Test harness: a real PostgreSQL per test run and a real server per test, driven over HTTP.
//!
//! Without `TEST_DATABASE_URL` the first test starts a private cluster (initdb + pg_ctl on a free
//! port in a temp dir, stopped and removed when the process exits). A template database is
//! migrated once; every test gets its own database cloned from it, dropped afterwards, so tests
//! run in parallel without seeing each other.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod pg;
pub mod smtpd;

use std::net::TcpListener;

use actix_web::HttpServer;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use rapport::accounts::dto::{Role, TokenScope};
use rapport::config::{Config, LogFormat};
use rapport::db::{DbPool, build_pool};
use rapport::state::AppState;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The contacts' GIN indexes that keep a pending list (text search and trigrams).
const CONTACT_TEXT_INDEXES: &str = "'contacts_search_trgm', 'contacts_search_fts', 'contacts_name_trgm'";

pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let server = pg::server();
        let name = format!("t_{}", uuid::Uuid::now_v7().simple());
        let mut admin = AsyncPgConnection::establish(&server.admin_url())
            .await
            .expect("connect to the test cluster");
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {}", server.template))
            .execute(&mut admin)
            .await
            .expect("clone the template database");
        TestDb {
            url: server.url_for(&name),
            name,
        }
    }

    /// An empty database with no migrations applied.
    pub async fn empty() -> TestDb {
        let server = pg::server();
        let name = format!("e_{}", uuid::Uuid::now_v7().simple());
        let mut admin = AsyncPgConnection::establish(&server.admin_url())
            .await
            .expect("connect to the test cluster");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("create database");
        TestDb {
            url: server.url_for(&name),
            name,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        pg::run_blocking(async move {
            let server = pg::server();
            if let Ok(mut admin) = AsyncPgConnection::establish(&server.admin_url()).await {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
            }
        });
    }
}

pub fn test_config(database_url: &str) -> Config {
    Config {
        database_url: database_url.to_owned(),
        bind_addr: "127.0.0.1:0".parse().unwrap(),
        db_pool_size: 4,
        http_workers: 1,
        shutdown_grace_secs: 5,
        static_dir: None,
        log_format: LogFormat::Text,
        log_level: "warn".into(),
        llm: rapport::config::LlmConfig::local(),
        accounts: rapport::config::AccountsConfig::local(8080),
        // Off unless a test turns them on: the suite sends hundreds of requests a second.
        rate_limits: rapport::http::rate_limit::Budgets::OFF,
        timeouts: rapport::config::Timeouts::DEFAULT,
        cors_origins: Vec::new(),
        live_streams_per_user: rapport::events::MAX_STREAMS_PER_USER,
        backups: rapport::config::BackupConfig {
            dir: std::env::temp_dir().join(format!("rapport-test-backups-{}", uuid::Uuid::now_v7())),
            keep: 2,
            schedule: None,
        },
        // Tests call endpoints on this machine (a local receiver).
        outbound: rapport::config::OutboundConfig {
            secrets_key: Some("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".parse().unwrap()),
            allow_private: true,
            timeout: std::time::Duration::from_secs(2),
        },
        replica: None,
    }
}

/// The password of every account the harness makes.
pub const PASSWORD: &str = "correct horse battery staple";
pub const OWNER_EMAIL: &str = "owner@rapport.test";

/// The argon2id hash of [`PASSWORD`], computed once per test process.
pub fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        use argon2::password_hash::PasswordHasher;
        argon2::Argon2::default()
            .hash_password(PASSWORD.as_bytes())
            .unwrap()
            .to_string()
    })
    .clone()
}

/// Creates an account (password [`PASSWORD`]) with a role in the workspace; returns its id.
pub async fn add_user(pool: &DbPool, email: &str, name: &str, workspace: uuid::Uuid, role: Role) -> uuid::Uuid {
    let mut conn = pool.get().await.unwrap();
    let now = chrono::Utc::now();
    let user = rapport::accounts::store::insert_user(
        &mut conn,
        &rapport::accounts::store::UserRow {
            id: uuid::Uuid::now_v7(),
            email: email.to_owned(),
            display_name: name.to_owned(),
            password_hash: password_hash(),
            created_at: now,
            updated_at: now,
            last_sign_in_at: None,
            version: 1,
            locale: None,
        },
    )
    .await
    .unwrap();
    rapport::accounts::store::insert_membership(
        &mut conn,
        rapport::db::WorkspaceId::checked(workspace),
        user.id,
        role,
        now,
    )
    .await
    .unwrap();
    user.id
}

/// A new API token of the user in the workspace.
pub async fn add_token(pool: &DbPool, user: uuid::Uuid, workspace: uuid::Uuid, scope: TokenScope) -> String {
    let mut conn = pool.get().await.unwrap();
    rapport::accounts::service::issue_token(
        &mut conn,
        user,
        rapport::db::WorkspaceId::checked(workspace),
        "tests",
        scope,
        chrono::Utc::now(),
    )
    .await
    .unwrap()
}

/// A client that sends this API token on every request.
pub fn client_with_token(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

/// A running server on a random port, its database and a client signed in (with an API token)
/// as the owner of the default workspace.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// The owner's id and API token (write scope) in the default workspace.
    pub owner: uuid::Uuid,
    pub token: String,
    pub pool: DbPool,
    pub db: TestDb,
    /// The server's state, shared with it.
    pub state: AppState,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
    /// The raw body, for binary responses.
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json response with this status and code; returns the problem.
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        assert_eq!(self.body["code"], code, "{}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(
            self.body["title"].is_string() && self.body["detail"].is_string(),
            "{}",
            self.text
        );
        &self.body
    }

    /// The `field` of each entry of `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_owned()).collect())
            .unwrap_or_default()
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let db = TestDb::new().await;
        Self::spawn_with(db).await
    }

    /// A server whose AI features talk to this language model.
    pub async fn spawn_with_llm(llm: rapport::config::LlmConfig) -> TestApp {
        let db = TestDb::new().await;
        let mut config = test_config(&db.url);
        config.llm = llm;
        Self::start(db, config).await
    }

    pub async fn spawn_with(db: TestDb) -> TestApp {
        let config = test_config(&db.url);
        Self::start(db, config).await
    }

    /// A server with these settings changed.
    pub async fn spawn_configured(change: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDb::new().await;
        let mut config = test_config(&db.url);
        change(&mut config);
        Self::start(db, config).await
    }

    /// A server on a fresh installation: no account yet, and a client with no credential.
    pub async fn spawn_fresh() -> TestApp {
        Self::spawn_fresh_with(TestDb::new().await).await
    }

    /// A server without accounts on this (migrated) database, and a client with no credential.
    pub async fn spawn_fresh_with(db: TestDb) -> TestApp {
        let config = test_config(&db.url);
        let pool = build_pool(&db.url, config.db_pool_size).unwrap();
        let state = AppState::new(pool.clone(), config);
        let base = serve(state.clone());
        until_listening(&state).await;
        TestApp {
            base,
            client: reqwest::Client::new(),
            owner: uuid::Uuid::nil(),
            token: String::new(),
            pool,
            db,
            state,
        }
    }

    async fn start(db: TestDb, config: Config) -> TestApp {
        let pool = rapport::db::build_server_pool(&config).unwrap();
        let ws = rapport::db::DEFAULT_WORKSPACE_ID;
        let owner = add_user(&pool, OWNER_EMAIL, "Olive Owner", ws, Role::Owner).await;
        let token = add_token(&pool, owner, ws, TokenScope::Write).await;
        let state = AppState::new(pool.clone(), config);
        let base = serve(state.clone());
        until_listening(&state).await;
        TestApp {
            base,
            client: client_with_token(&token),
            owner,
            token,
            pool,
            db,
            state,
        }
    }

    /// A client with no credential.
    pub fn anonymous(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    /// Sends a request with another client (another credential, or none).
    pub async fn request_as(
        &self,
        client: &reqwest::Client,
        method: Method,
        path: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Resp {
        request_at(&self.base, client, method, path, build).await
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Resp {
        request_at(&self.base, &self.client, method, path, build).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.request(Method::GET, path, |r| r).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.request(Method::POST, path, |r| r.json(body)).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Resp {
        self.request(Method::PATCH, path, |r| r.json(body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.request(Method::DELETE, path, |r| r).await
    }

    /// Creates a contact through the API and returns it.
    pub async fn contact(&self, body: Value) -> Value {
        let res = self.post("/api/v1/contacts", &body).await;
        assert_eq!(res.status, 201, "{}", res.text);
        res.body
    }

    /// Runs a statement against the test's database; returns the rows it changed.
    /// Runs SQL against the test's database. Then the server forgets the credentials it
    /// cached, as it would once the database's notice arrives (a test that edits sessions
    /// directly must not race that notice).
    pub async fn execute(&self, sql: &str) -> usize {
        let mut conn = self.pool.get().await.unwrap();
        let n = diesel::sql_query(sql).execute(&mut conn).await.unwrap();
        self.state.credentials.clear();
        n
    }

    /// Entries waiting in the pending lists of the contacts' text-search and trigram indexes
    /// (pgstattuple's `pgstatginindex`; the extension is created on first use).
    pub async fn pending_contact_index_entries(&self) -> i64 {
        self.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple").await;
        self.scalar(&format!(
            "SELECT sum((pgstatginindex(i)).pending_tuples) FROM unnest(ARRAY[{CONTACT_TEXT_INDEXES}]::regclass[]) i"
        ))
        .await
    }

    /// Merges the contacts' text-search and trigram indexes' pending lists.
    pub async fn merge_contact_index_entries(&self) {
        self.execute(&format!(
            "SELECT gin_clean_pending_list(i) FROM unnest(ARRAY[{CONTACT_TEXT_INDEXES}]::regclass[]) i"
        ))
        .await;
    }

    /// Waits until another session of the test's database waits for a lock (true), or gives up
    /// after a few seconds.
    pub async fn someone_waits_for_a_lock(&self) -> bool {
        for _ in 0..500 {
            let waiting = self
                .scalar(
                    "SELECT count(*) FROM pg_stat_activity \
                     WHERE datname = current_database() AND wait_event_type = 'Lock'",
                )
                .await;
            if waiting > 0 {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        false
    }

    /// Runs a scalar SQL query against the test's database.
    pub async fn scalar(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.pool.get().await.unwrap();
        let row: Row = diesel::sql_query(format!("SELECT ({sql})::bigint AS n"))
            .get_result(&mut conn)
            .await
            .unwrap();
        row.n
    }
}

/// Sends a request to the server at `base` with this client.
pub async fn request_at(
    base: &str,
    client: &reqwest::Client,
    method: Method,
    path: &str,
    build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> Resp {
    send(build(client.request(method, format!("{base}{path}")))).await
}

pub async fn send(req: reqwest::RequestBuilder) -> Resp {
    let res = req.send().await.expect("request");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        body,
        text,
        bytes,
    }
}

/// Waits (at most 10 s) until the server hears credential changes, so that tests run with the
/// credential cache on, as a server does.
pub async fn until_listening(state: &AppState) {
    for _ in 0..400 {
        if state.credentials.is_listening() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the server did not start listening for credential changes");
}

/// Starts a server for this state on a free port (listening for credential changes, like
/// `rapport serve`); returns its base URL.
pub fn serve(state: AppState) -> String {
    state.listen_for_credential_changes();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let header_timeout = state.config.timeouts.header;
    let server = HttpServer::new(move || rapport::app(state.clone()))
        .workers(1)
        .client_request_timeout(header_timeout)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
    actix_web::rt::spawn(server);
    format!("http://127.0.0.1:{port}")
}

/// The value of the session cookie a response set.
pub fn session_cookie(res: &Resp) -> Option<String> {
    res.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("rapport_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .filter(|v| !v.is_empty())
}

/// A browser-like client with this session cookie: its requests say they come from the same
/// origin, as the web app's do.
pub fn client_with_cookie(cookie: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::COOKIE,
        format!("rapport_session={cookie}").parse().unwrap(),
    );
    headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
    reqwest::Client::builder().default_headers(headers).build().unwrap()
}

impl TestApp {
    /// Signs in with email and password (as the web app does); returns the session cookie.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let res = self
            .request_as(&self.anonymous(), Method::POST, "/api/v1/auth/login", |r| {
                r.header("sec-fetch-site", "same-origin")
                    .json(&serde_json::json!({"email": email, "password": password}))
            })
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        session_cookie(&res).expect("a session cookie")
    }

    /// Another server on this database with the same configuration, as a load balancer would
    /// have beside this one: its own pool, in-process caches and credential listener.
    pub async fn another_instance(&self) -> Instance {
        Instance::start(self.state.config.as_ref()).await
    }

    /// A member of the default workspace with this role, and a client signed in as them.
    pub async fn member(&self, email: &str, role: Role) -> (uuid::Uuid, reqwest::Client) {
        let id = add_user(&self.pool, email, email, rapport::db::DEFAULT_WORKSPACE_ID, role).await;
        let cookie = self.sign_in(email, PASSWORD).await;
        (id, client_with_cookie(&cookie))
    }
}

/// A second server process on a test's database (see [`TestApp::another_instance`]).
pub struct Instance {
    pub base: String,
    pub state: AppState,
}

impl Instance {
    /// A server with this configuration, with its own pool, in-process caches and credential
    /// listener.
    pub async fn start(config: &Config) -> Instance {
        let pool = rapport::db::build_server_pool(config).unwrap();
        let state = AppState::new(pool, config.clone());
        let base = serve(state.clone());
        until_listening(&state).await;
        Instance { base, state }
    }

    /// Sends a request to this instance with the given client.
    pub async fn request_as(
        &self,
        client: &reqwest::Client,
        method: Method,
        path: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Resp {
        request_at(&self.base, client, method, path, build).await
    }
}
