//! Slow, broken and hostile clients: a head or a body that never finishes, a handler held up by
//! the database, floods of parameters, odd bytes in headers, clients that vanish mid-request or
//! mid-response, a storm of requests on one connection, and cross-origin callers. None gets an
//! undocumented answer, holds the server, or changes data it should not.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::Method;
use serde_json::json;

use crate::common::TestApp;

fn short_timeouts() -> rapport::config::Timeouts {
    rapport::config::Timeouts {
        header: Duration::from_secs(1),
        body: Duration::from_secs(1),
        statement: Duration::from_millis(1500),
    }
}

fn connect(app: &TestApp) -> TcpStream {
    let stream = TcpStream::connect(app.base.trim_start_matches("http://")).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    stream
}

/// Reads until the server closes the connection (or 15 s pass); returns what came and how long
/// it took.
fn read_all(mut stream: TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), started.elapsed())
}

/// The start of an answer, for failure messages.
fn head(answer: &str) -> &str {
    &answer[..answer.len().min(600)]
}

/// Runs blocking socket work off the test's runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    actix_web::rt::task::spawn_blocking(f).await.unwrap()
}

#[actix_web::test]
async fn a_body_that_trickles_in_is_cut_off_with_408_and_changes_nothing() {
    let app = TestApp::spawn_configured(|c| c.timeouts = short_timeouts()).await;
    let before = app.scalar("SELECT count(*) FROM contacts").await;
    let stream = connect(&app);
    let token = app.token.clone();
    let (answer, _) = blocking(move || {
        let mut writer = stream.try_clone().unwrap();
        let body = br#"{"first_name": "Slow", "last_name": "Loris"}"#;
        write!(
            writer,
            "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        // One byte every 300 ms: the whole body would take 13 s.
        let trickle = std::thread::spawn(move || {
            for b in body {
                if writer.write_all(&[*b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(300));
            }
        });
        let answer = read_all(stream);
        let _ = trickle.join();
        answer
    })
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{}", head(&answer));
    assert!(answer.contains("\"code\":\"request_timeout\""), "{}", head(&answer));
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, before);
}

#[actix_web::test]
async fn a_head_that_never_ends_is_dropped() {
    let app = TestApp::spawn_configured(|c| c.timeouts = short_timeouts()).await;
    let mut stream = connect(&app);
    let (answer, took) = blocking(move || {
        stream
            .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Waiting: ")
            .unwrap();
        read_all(stream)
    })
    .await;
    // The server gives up on the connection (408) instead of waiting for the read timeout.
    assert!(took < Duration::from_secs(10), "held for {took:?}");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{}",
        head(&answer)
    );
    assert_eq!(app.get("/api/health").await.status, 200);
}

#[actix_web::test]
async fn a_statement_held_up_past_its_time_answers_503_and_its_write_rolls_back() {
    let app = TestApp::spawn_configured(|c| c.timeouts = short_timeouts()).await;
    let c = app.contact(json!({"first_name": "Ada"})).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/contacts/{id}");
    // Someone else holds the contact's row.
    let mut other = AsyncPgConnection::establish(&app.db.url).await.unwrap();
    diesel::sql_query("BEGIN").execute(&mut other).await.unwrap();
    diesel::sql_query(format!("SELECT 1 FROM contacts WHERE id = '{id}' FOR UPDATE"))
        .execute(&mut other)
        .await
        .unwrap();
    let res = app.patch(&path, &json!({"first_name": "Held"})).await;
    res.problem(503, "timeout");
    assert!(res.header("retry-after").is_some());
    diesel::sql_query("ROLLBACK").execute(&mut other).await.unwrap();

    // The abandoned change never lands, and the server works on.
    let again = app.patch(&path, &json!({"last_name": "Lovelace"})).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["first_name"], "Ada");
    assert_eq!(again.body["version"], 2);
    for _ in 0..10 {
        assert_eq!(app.get(&path).await.status, 200);
    }
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM activity WHERE entity_id = '{id}' AND action = 'updated'"
        ))
        .await,
        1
    );
}

#[actix_web::test]
async fn floods_of_parameters_long_paths_and_odd_header_bytes_get_clear_answers() {
    let app = TestApp::spawn().await;
    // 1,000 unknown query parameters are ignored; 10,000 (a 100 KB request line) are more than
    // the HTTP layer reads: 400 and the connection closed, before any handler runs.
    for (count, status) in [(1_000, "200"), (10_000, "400")] {
        let query: Vec<String> = (0..count).map(|i| format!("p{i}={i}")).collect();
        let token = app.token.clone();
        let mut stream = connect(&app);
        let (answer, _) = blocking(move || {
            write!(
                stream,
                "GET /api/v1/contacts?{} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n",
                query.join("&")
            )
            .unwrap();
            read_all(stream)
        })
        .await;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{count}: {}",
            head(&answer)
        );
    }
    // A path of 8 KiB.
    let res = app.get(&format!("/api/v1/contacts/{}", "a".repeat(8 * 1024))).await;
    res.problem(404, "not_found");
    // Bytes above ASCII in header values are opaque text: a credential made of them is refused,
    // an Idempotency-Key of them is invalid, other headers are ignored.
    let token = app.token.clone();
    let mut stream = connect(&app);
    let (answer, _) = blocking(move || {
        let mut req = format!("GET /api/v1/contacts?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n")
            .into_bytes();
        req.extend_from_slice(b"X-Note: caf\xc3\xa9 \xff\r\nConnection: close\r\n\r\n");
        stream.write_all(&req).unwrap();
        read_all(stream)
    })
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{}", head(&answer));
    let mut stream = connect(&app);
    let (answer, _) = blocking(move || {
        stream
            .write_all(b"GET /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer rpt_\xc3\xa9\xff\r\nConnection: close\r\n\r\n")
            .unwrap();
        read_all(stream)
    })
    .await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{}", head(&answer));
    assert!(answer.contains("application/problem+json"), "{}", head(&answer));
    let token = app.token.clone();
    let mut stream = connect(&app);
    let (answer, _) = blocking(move || {
        let body = br#"{"first_name": "Key"}"#;
        let mut req = format!(
            "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(b"Idempotency-Key: cl\xc3\xa9\r\n\r\n");
        req.extend_from_slice(body);
        stream.write_all(&req).unwrap();
        read_all(stream)
    })
    .await;
    assert!(answer.starts_with("HTTP/1.1 422"), "{}", head(&answer));
    // A NUL byte in a header is not HTTP: refused before any handler runs.
    let mut stream = connect(&app);
    let (answer, _) = blocking(move || {
        stream
            .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\nConnection: close\r\n\r\n")
            .unwrap();
        read_all(stream)
    })
    .await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
        "{}",
        head(&answer)
    );
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 0);
    assert_eq!(app.get("/api/ready").await.status, 200);
}

#[actix_web::test]
async fn clients_that_vanish_mid_request_or_mid_response_leave_the_server_whole() {
    let app = TestApp::spawn().await;
    for i in 0..30 {
        app.contact(json!({"first_name": format!("Person {i}")})).await;
    }
    let before = app.scalar("SELECT count(*) FROM contacts").await;
    for _ in 0..5 {
        // Half a body, then gone.
        let token = app.token.clone();
        let mut stream = connect(&app);
        blocking(move || {
            write!(
                stream,
                "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
                 Content-Type: application/json\r\nContent-Length: 40\r\n\r\n{{\"first_name\": "
            )
            .unwrap();
        })
        .await;
        // A large answer, of which a few bytes are read.
        let token = app.token.clone();
        let mut stream = connect(&app);
        blocking(move || {
            write!(
                stream,
                "GET /api/v1/contacts?limit=200 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n"
            )
            .unwrap();
            let mut few = [0u8; 16];
            let _ = stream.read(&mut few);
        })
        .await;
    }
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, before);
    let list = app.get("/api/v1/contacts?limit=200").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"].as_array().unwrap().len() as i64, before);
    assert_eq!(app.get("/api/ready").await.status, 200);
}

#[actix_web::test]
async fn ten_thousand_requests_on_one_connection_are_all_answered() {
    let app = TestApp::spawn().await;
    let mut stream = connect(&app);
    let (answer, _) = blocking(move || {
        let mut writer = stream.try_clone().unwrap();
        let sender = std::thread::spawn(move || {
            for i in 0..10_000 {
                let close = if i == 9_999 { "Connection: close\r\n" } else { "" };
                write!(writer, "GET /api/health HTTP/1.1\r\nHost: x\r\n{close}\r\n").unwrap();
            }
        });
        let mut out = Vec::new();
        let _ = stream.read_to_end(&mut out);
        sender.join().unwrap();
        (String::from_utf8_lossy(&out).into_owned(), ())
    })
    .await;
    assert_eq!(answer.matches("HTTP/1.1 200 OK").count(), 10_000);
}

#[actix_web::test]
async fn only_the_configured_origins_may_read_the_api_across_origins() {
    let app = TestApp::spawn_configured(|c| c.cors_origins = vec!["https://app.example.com".into()]).await;
    let preflight = app
        .request(Method::OPTIONS, "/api/v1/contacts", |r| {
            r.header("origin", "https://app.example.com")
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "authorization, content-type")
        })
        .await;
    assert_eq!(preflight.status, 204, "{}", preflight.text);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert!(
        preflight
            .header("access-control-allow-headers")
            .unwrap()
            .contains("Authorization")
    );
    assert!(
        preflight
            .header("access-control-allow-methods")
            .unwrap()
            .contains("PATCH")
    );
    assert!(preflight.header("access-control-allow-credentials").is_none());

    let res = app
        .request(Method::GET, "/api/v1/contacts", |r| {
            r.header("origin", "https://app.example.com")
        })
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert!(res.header("access-control-expose-headers").unwrap().contains("ETag"));
    assert_eq!(res.header("vary"), Some("Origin"));
    // Errors are readable too (so a client can show them).
    let res = app
        .request(Method::GET, "/api/v1/contacts?limit=0", |r| {
            r.header("origin", "https://app.example.com")
        })
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(
        res.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );

    // Any other origin: no permission, and no preflight answer.
    for origin in ["https://evil.example", "https://app.example.com.evil.example", "null"] {
        let res = app
            .request(Method::GET, "/api/v1/contacts", |r| r.header("origin", origin))
            .await;
        assert!(res.header("access-control-allow-origin").is_none(), "{origin}");
        let res = app
            .request(Method::OPTIONS, "/api/v1/contacts", |r| {
                r.header("origin", origin)
                    .header("access-control-request-method", "GET")
            })
            .await;
        assert_ne!(res.status, 204, "{origin}");
        assert!(res.header("access-control-allow-origin").is_none(), "{origin}");
    }
}

#[actix_web::test]
async fn a_choice_given_empty_is_refused_not_taken_as_absent() {
    // `status=` is not one of the documented values; treating it as "no filter" would answer a
    // request the document calls invalid.
    let app = TestApp::spawn().await;
    for (path, field) in [
        ("/api/v1/deals?status=", "status"),
        ("/api/v1/templates?scenario=", "scenario"),
        ("/api/v1/proposals?status=", "status"),
        ("/api/v1/custom-fields?entity=", "entity"),
        ("/api/v1/revenue?by=", "by"),
        ("/api/v1/activity?entity=", "entity"),
        ("/api/v1/dashboard?period=", "period"),
    ] {
        let res = app.get(path).await;
        res.problem(422, "validation_failed");
        assert_eq!(res.error_fields(), vec![field.to_owned()], "{path}: {}", res.text);
    }
    // Left out, each is no filter at all.
    for path in [
        "/api/v1/deals",
        "/api/v1/templates",
        "/api/v1/proposals",
        "/api/v1/custom-fields",
    ] {
        assert_eq!(app.get(path).await.status, 200, "{path}");
    }
}
