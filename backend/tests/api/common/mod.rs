//! Test harness: a real PostgreSQL per test run and a real server per test, driven over HTTP.
//!
//! Without `TEST_DATABASE_URL` the first test starts a private cluster (initdb + pg_ctl on a free
//! port in a temp dir, stopped and removed when the process exits). A template database is
//! migrated once; every test gets its own database cloned from it, dropped afterwards, so tests
//! run in parallel without seeing each other.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod pg;

use std::net::TcpListener;

use actix_web::HttpServer;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use rapport::config::{Config, LogFormat};
use rapport::db::{DbPool, build_pool};
use rapport::state::AppState;
use reqwest::{Method, StatusCode};
use serde_json::Value;

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
        static_dir: None,
        log_format: LogFormat::Text,
        log_level: "warn".into(),
        llm: rapport::config::LlmConfig::local(),
    }
}

/// A running server on a random port, its database and a client.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
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
        Self::start(db, config)
    }

    pub async fn spawn_with(db: TestDb) -> TestApp {
        let config = test_config(&db.url);
        Self::start(db, config)
    }

    fn start(db: TestDb, config: Config) -> TestApp {
        let pool = build_pool(&db.url, config.db_pool_size).unwrap();
        let state = AppState::new(pool.clone(), config);
        let base = serve(state.clone());
        TestApp {
            base,
            client: reqwest::Client::new(),
            pool,
            db,
            state,
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Resp {
        send(build(self.client.request(method, format!("{}{path}", self.base)))).await
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

/// Starts a server for this state on a free port; returns its base URL.
pub fn serve(state: AppState) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(move || rapport::app(state.clone()))
        .workers(1)
        .disable_signals()
        .listen(listener)
        .unwrap()
        .run();
    actix_web::rt::spawn(server);
    format!("http://127.0.0.1:{port}")
}
