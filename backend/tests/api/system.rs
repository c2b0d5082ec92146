//! Probes, the OpenAPI document, unknown routes, request ids and a database outage.

use serde_json::Value;

use crate::common::{self, TestApp};

#[actix_web::test]
async fn health_and_ready() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/health").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["status"], "ok");
    let res = app.get("/api/ready").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "ready");
    assert!(res.body["migrations"].as_u64().unwrap() >= 2);
}

#[actix_web::test]
async fn served_openapi_document_matches_the_committed_copy() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/openapi.json").await;
    assert_eq!(res.status, 200);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("openapi/openapi.json exists"))
        .expect("openapi/openapi.json is JSON");
    assert!(
        committed == res.body,
        "openapi/openapi.json is out of date: run scripts/openapi to regenerate it and commit the result"
    );
    assert_eq!(res.body["openapi"], "3.1.0");
}

#[actix_web::test]
async fn every_operation_documents_its_problems_and_an_id() {
    let doc = serde_json::to_value(rapport::api_doc()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or("");
            assert!(!id.is_empty(), "{method} {path} has no operationId");
            let responses = op["responses"].as_object().unwrap();
            if path.starts_with("/api/v1") {
                assert!(responses.contains_key("500") && responses.contains_key("503"), "{id}");
                if op.get("requestBody").is_some() {
                    for s in ["400", "413", "415", "422"] {
                        assert!(responses.contains_key(s), "{id} lacks {s}");
                    }
                }
                if path.contains('{') {
                    assert!(responses.contains_key("404"), "{id} lacks 404");
                }
            }
        }
    }
}

#[actix_web::test]
async fn swagger_ui_is_served_offline() {
    let app = TestApp::spawn().await;
    let res = app.client.get(format!("{}/docs", app.base)).send().await.unwrap();
    assert_eq!(res.status(), 200, "/docs redirects to the UI");
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    let res = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(res.status, 200);
    assert!(res.text.len() > 100_000, "the bundle is served from the binary");
}

#[actix_web::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/nothing-here").await.problem(404, "not_found");
    app.get("/api/nothing-here").await.problem(404, "not_found");
    // Inside a group of routes (those under /api/v1/contacts), and beside one.
    app.get("/api/v1/contacts/0193a000-0000-7000-8000-000000000000/nothing-here")
        .await
        .problem(404, "not_found");
    app.get("/api/v1/contactsx").await.problem(404, "not_found");
    let res = app.request(reqwest::Method::DELETE, "/api/v1/dashboard", |r| r).await;
    res.problem(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET"));
    let res = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/contacts/0193a000-0000-7000-8000-000000000000",
            |r| r,
        )
        .await;
    res.problem(405, "method_not_allowed");
    let allow = res.header("allow").unwrap();
    assert!(
        allow.contains("GET") && allow.contains("PATCH") && allow.contains("DELETE"),
        "{allow}"
    );
}

#[actix_web::test]
async fn request_ids_are_returned_and_honoured() {
    let app = TestApp::spawn().await;
    let res = app.get("/api/health").await;
    let id = res.header("x-request-id").unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let res = app
        .request(reqwest::Method::GET, "/api/v1/contacts/nope", |r| {
            r.header("x-request-id", "trace-42")
        })
        .await;
    assert_eq!(res.header("x-request-id"), Some("trace-42"));
}

#[actix_web::test]
async fn an_unreachable_database_answers_503_not_a_hang_or_500() {
    // Nothing listens on this port: every query fails to connect.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/none");
    let pool = rapport::db::build_pool(&url, 2).unwrap();
    let base = common::serve(rapport::state::AppState::new(pool, common::test_config(&url)));
    let client = reqwest::Client::new();
    // Without a credential the answer needs no database: 401.
    common::send(client.get(format!("{base}/api/v1/contacts")))
        .await
        .problem(401, "unauthenticated");
    // A token must be looked up: 503.
    let res = common::send(client.get(format!("{base}/api/v1/contacts")).bearer_auth("rpt_unknown")).await;
    res.problem(503, "database_unavailable");
    assert!(res.header("retry-after").is_some());
    assert!(
        !res.text.to_lowercase().contains("connection refused"),
        "no internals leak: {}",
        res.text
    );
    common::send(client.get(format!("{base}/api/ready")))
        .await
        .problem(503, "database_unavailable");
    let res = common::send(client.get(format!("{base}/api/health"))).await;
    assert_eq!(res.status, 200, "liveness does not depend on the database");
}

#[actix_web::test]
async fn responses_are_gzipped_for_clients_that_ask() {
    let app = TestApp::spawn().await;
    let url = format!("{}/api/openapi.json", app.base);
    let gz = common::send(app.client.get(&url).header("accept-encoding", "gzip")).await;
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    let plain = common::send(app.client.get(&url)).await;
    assert_eq!(plain.header("content-encoding"), None);
    assert!(plain.body["paths"].is_object());
}

#[actix_web::test]
async fn connections_the_database_dropped_are_replaced() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/api/v1/contacts").await.status, 200);
    // The database ends every session of the app (as a restart or failover would).
    let admin = rapport::db::build_pool(&crate::common::pg::server().admin_url(), 1).unwrap();
    let mut conn = admin.get().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
            app.db.name
        )),
        &mut conn,
    )
    .await
    .unwrap();
    // A request on a dropped connection may fail once, cleanly; then the pool has a new one.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(app.get("/api/v1/contacts").await.status.as_u16());
    }
    assert!(statuses.iter().all(|s| *s == 200 || *s == 503), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&200), "{statuses:?}");
}

#[actix_web::test]
async fn sessions_run_without_jit_compilation() {
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        jit: String,
    }
    let app = TestApp::spawn().await;
    let mut conn = app.state.pool.get().await.unwrap();
    let setting: Setting = diesel_async::RunQueryDsl::get_result(diesel::sql_query("SHOW jit"), &mut conn)
        .await
        .unwrap();
    assert_eq!(setting.jit, "off");
}

#[actix_web::test]
async fn every_response_carries_safe_defaults() {
    let app = TestApp::spawn().await;
    let c = app.contact(serde_json::json!({"first_name": "Ada"})).await;
    let paths = [
        format!("/api/v1/contacts/{}", c["id"].as_str().unwrap()),
        "/api/v1/nowhere".to_owned(),
        "/api/openapi.json".to_owned(),
        "/api/health".to_owned(),
        "/docs/".to_owned(),
    ];
    for path in &paths {
        let res = app.get(path).await;
        let csp = res.header("content-security-policy").unwrap_or_default().to_owned();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"),
            "{path}: {csp}"
        );
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(res.header("referrer-policy"), Some("same-origin"), "{path}");
        assert_eq!(res.header("x-frame-options"), Some("DENY"), "{path}");
    }
    // No CORS unless configured: a cross-origin caller gets no permission to read.
    let res = app
        .request(reqwest::Method::GET, &paths[0], |r| {
            r.header("origin", "https://evil.example")
        })
        .await;
    assert!(res.header("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn oversized_header_fields_are_refused_with_431() {
    let app = TestApp::spawn().await;
    let before = app.scalar("SELECT count(*) FROM contacts").await;
    for size in [17 * 1024, 100 * 1024] {
        let res = app
            .request(reqwest::Method::POST, "/api/v1/contacts", |r| {
                r.header("x-padding", "a".repeat(size))
                    .json(&serde_json::json!({"first_name": "Big"}))
            })
            .await;
        assert_eq!(res.status, 431, "{size} bytes: {}", res.text);
        if !res.text.is_empty() {
            res.problem(431, "headers_too_large");
        }
    }
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, before);
    // Just under the limit is fine.
    let res = app
        .request(reqwest::Method::GET, "/api/v1/contacts", |r| {
            r.header("x-padding", "a".repeat(15 * 1024))
        })
        .await;
    assert_eq!(res.status, 200);
}

/// Runs the real `rapport serve` on this database; returns the child and its base URL.
fn start_server(db_url: &str, grace_secs: u64) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("serve")
        .env("DATABASE_URL", db_url)
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("HTTP_WORKERS", "1")
        .env("SHUTDOWN_GRACE_SECS", grace_secs.to_string())
        .env("RUST_LOG", "warn")
        .env_remove("STATIC_DIR")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    (child, format!("http://127.0.0.1:{port}"))
}

#[actix_web::test]
async fn sigterm_lets_requests_in_flight_finish_and_stops_accepting() {
    let db = common::TestDb::new().await;
    let pool = rapport::db::build_pool(&db.url, 2).unwrap();
    let ws = rapport::db::DEFAULT_WORKSPACE_ID;
    let owner = common::add_user(
        &pool,
        "owner@example.com",
        "Olive",
        ws,
        rapport::accounts::dto::Role::Owner,
    )
    .await;
    let token = common::add_token(&pool, owner, ws, rapport::accounts::dto::TokenScope::Write).await;
    let (mut child, base) = start_server(&db.url, 10);
    let client = common::client_with_token(&token);
    for _ in 0..200 {
        if client
            .get(format!("{base}/api/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // A create whose body is still arriving when the server is told to stop.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let body = reqwest::Body::wrap_stream(tokio_stream_from(rx));
    let request = client
        .post(format!("{base}/api/v1/contacts"))
        .header("content-type", "application/json")
        .body(body)
        .send();
    let in_flight = tokio::spawn(request);
    tx.send(Ok(br#"{"first_name": "#.to_vec())).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    // New connections are no longer accepted…
    let fresh = reqwest::Client::new().get(format!("{base}/api/health")).send().await;
    assert!(
        fresh.is_err(),
        "a new connection was accepted while stopping: {fresh:?}"
    );
    // …while the one in flight completes.
    tx.send(Ok(br#""Grace"}"#.to_vec())).await.unwrap();
    drop(tx);
    let res = in_flight.await.unwrap().expect("the request in flight was cut off");
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "the server did not stop cleanly: {status:?}");
    let mut conn = pool.get().await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = diesel_async::RunQueryDsl::get_result(
        diesel::sql_query("SELECT count(*) AS n FROM contacts WHERE first_name = 'Grace'"),
        &mut conn,
    )
    .await
    .unwrap();
    assert_eq!(n.n, 1);
}

/// A stream of the channel's items.
fn tokio_stream_from<T: Send + 'static>(
    rx: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> + Send + 'static {
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) })
}

#[actix_web::test]
async fn each_credential_and_address_has_a_request_budget() {
    use rapport::accounts::dto::{Role, TokenScope};
    let app = TestApp::spawn_configured(|c| {
        c.rate_limits = rapport::http::rate_limit::Budgets {
            general: 5,
            ai: 2,
            sign_in: 3,
        }
    })
    .await;
    // The budget and what is left of it on every answer; past it, 429 with Retry-After.
    for left in (0..5).rev() {
        let res = app.get("/api/v1/settings").await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.header("ratelimit-limit"), Some("5"));
        assert_eq!(res.header("ratelimit-remaining"), Some(left.to_string().as_str()));
        assert!(res.header("ratelimit-reset").is_some());
    }
    let res = app.get("/api/v1/settings").await;
    res.problem(429, "too_many_requests");
    assert_eq!(res.header("ratelimit-remaining"), Some("0"));
    assert!(res.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // Another credential has its own budget.
    let (member, _) = app.member("member@example.com", Role::Member).await;
    let token = common::add_token(&app.pool, member, rapport::db::DEFAULT_WORKSPACE_ID, TokenScope::Write).await;
    let other = common::client_with_token(&token);
    let res = app
        .request_as(&other, reqwest::Method::GET, "/api/v1/settings", |r| r)
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // Questions to the AI assistant spend a smaller budget of their own.
    let c = app
        .request_as(&other, reqwest::Method::POST, "/api/v1/contacts", |r| {
            r.json(&serde_json::json!({"first_name": "Ada"}))
        })
        .await;
    let insights = format!("/api/v1/contacts/{}/insights", c.body["id"].as_str().unwrap());
    for _ in 0..2 {
        let res = app.request_as(&other, reqwest::Method::POST, &insights, |r| r).await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.header("ratelimit-limit"), Some("2"));
    }
    app.request_as(&other, reqwest::Method::POST, &insights, |r| r)
        .await
        .problem(429, "too_many_requests");
    // Sign-in attempts are budgeted per address (3 a minute here; the member's sign-in above
    // spent one), before any password is checked.
    let anon = app.anonymous();
    let attempt = || {
        app.request_as(&anon, reqwest::Method::POST, "/api/v1/auth/login", |r| {
            r.header("sec-fetch-site", "same-origin")
                .json(&serde_json::json!({"email": "nobody@example.com", "password": "wrong password here"}))
        })
    };
    for _ in 0..2 {
        let res = attempt().await;
        assert_eq!(res.status, 401, "{}", res.text);
    }
    let res = attempt().await;
    res.problem(429, "too_many_requests");
    assert!(res.text.contains("sign-in attempts"), "{}", res.text);
}

#[actix_web::test]
async fn background_work_never_holds_a_connection_a_request_needs() {
    let app = TestApp::spawn().await;
    // Background work holds every connection it may (an import writing two batches at once).
    let _first = app.state.background_conn().await.unwrap();
    let _second = app.state.background_conn().await.unwrap();
    assert!(app.state.try_background_conn().await.is_none());
    // Requests hold all but one of their connections…
    let mut held = Vec::new();
    for _ in 1..app.state.config.db_pool_size {
        held.push(app.state.pool.get().await.unwrap());
    }
    // …and the next request is answered with the last one.
    let res = app.get("/api/v1/contacts?limit=1").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(app.state.pool.status().size, app.state.config.db_pool_size);
}

#[actix_web::test]
async fn every_documented_operation_reaches_its_handler() {
    // The routes are registered in groups by their first segment (`register_api`): a route in the
    // wrong group, or a group whose segment is misspelt, would answer as though it did not
    // exist. Every operation of the document is sent (made-up ids, an empty JSON body) and must
    // be answered by its handler — whatever its answer to such a request — not by the fallback
    // that answers the paths and methods no route takes.
    let app = TestApp::spawn().await;
    let doc = app.get("/api/openapi.json").await.body;
    let mut tried = 0;
    let mut missed = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => reqwest::Method::GET,
                "post" => reqwest::Method::POST,
                "patch" => reqwest::Method::PATCH,
                "put" => reqwest::Method::PUT,
                "delete" => reqwest::Method::DELETE,
                _ => continue,
            };
            // Signing out would end the session the rest is sent with; a stream never ends.
            let streams = op["responses"]["200"]["content"].get("text/event-stream").is_some();
            if op["operationId"] == "logout" || streams {
                continue;
            }
            // Each `{param}` becomes a made-up id (`{token}.ics` keeps its `.ics`).
            let filled: Vec<String> = path
                .split('/')
                .map(|s| match (s.find('{'), s.find('}')) {
                    (Some(open), Some(close)) => {
                        format!("{}01936000-0000-7000-8000-0000000000ff{}", &s[..open], &s[close + 1..])
                    }
                    _ => s.to_owned(),
                })
                .collect();
            let res = app
                .request(method.clone(), &filled.join("/"), |r| {
                    r.header("content-type", "application/json").body("{}")
                })
                .await;
            tried += 1;
            assert_ne!(res.status, 401, "{method} {path}: the session was lost: {}", res.text);
            if res.status == 405 || res.text.contains("there is no endpoint at") {
                missed.push(format!("{method} {path}: {} {}", res.status, res.text));
            }
        }
    }
    assert!(tried > 150, "only {tried} operations tried");
    assert!(
        missed.is_empty(),
        "not routed to their handlers:\n{}",
        missed.join("\n")
    );
}
