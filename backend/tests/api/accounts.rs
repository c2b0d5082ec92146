//! Accounts over HTTP: the first account with the setup code, sign-in and its limits, sessions
//! and their cross-site check, API tokens and their scopes, roles, members, invitations,
//! workspaces and the security log.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{
    OWNER_EMAIL, PASSWORD, TestApp, add_token, add_user, client_with_cookie, client_with_token, session_cookie,
};
use rapport::accounts::dto::{Role, TokenScope};
use rapport::db::DEFAULT_WORKSPACE_ID;

fn same_origin(r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    r.header("sec-fetch-site", "same-origin")
}

async fn login(app: &TestApp, body: Value) -> crate::common::Resp {
    app.request_as(&app.anonymous(), Method::POST, "/api/v1/auth/login", |r| {
        same_origin(r).json(&body)
    })
    .await
}

#[actix_web::test]
async fn the_first_account_needs_the_setup_code_and_takes_over_the_existing_workspace() {
    let app = TestApp::spawn_fresh().await;
    // Data from before accounts existed.
    {
        let mut conn = app.pool.get().await.unwrap();
        rapport::demo::load(&mut conn, rapport::db::DEFAULT_WORKSPACE)
            .await
            .unwrap();
    }
    let contacts_before = app.scalar("SELECT count(*) FROM contacts").await;
    assert!(contacts_before > 0);
    let anon = app.anonymous();
    let status = app.request_as(&anon, Method::GET, "/api/v1/auth/setup", |r| r).await;
    assert_eq!(status.body, json!({"needs_setup": true, "signup_open": false}));
    // Nothing answers without an account.
    app.request_as(&anon, Method::GET, "/api/v1/contacts", |r| r)
        .await
        .problem(401, "unauthenticated");

    let code = {
        let mut conn = app.pool.get().await.unwrap();
        rapport::accounts::service::setup_code_if_needed(&mut conn, chrono::Utc::now())
            .await
            .unwrap()
            .unwrap()
    };
    let signup = |body: Value| {
        let anon = anon.clone();
        let app = &app;
        async move {
            app.request_as(&anon, Method::POST, "/api/v1/auth/signup", |r| {
                same_origin(r).json(&body)
            })
            .await
        }
    };
    let base = json!({"display_name": "Ada Lovelace", "email": "Ada@Example.com",
                      "password": "correct horse battery", "workspace_name": "Lovelace Consulting"});
    let mut without_code = base.clone();
    without_code["setup_code"] = Value::Null;
    let res = signup(without_code).await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["setup_code"]);
    let mut wrong = base.clone();
    wrong["setup_code"] = json!("AAAA-BBBB-CCCC");
    assert_eq!(signup(wrong).await.error_fields(), vec!["setup_code"]);
    let mut weak = base.clone();
    weak["setup_code"] = json!(code);
    weak["password"] = json!("ada@example.com");
    assert_eq!(signup(weak).await.error_fields(), vec!["password"]);
    assert_eq!(app.scalar("SELECT count(*) FROM users").await, 0);

    let mut good = base.clone();
    // Typed in lower case with spaces: still the code.
    good["setup_code"] = json!(code.to_lowercase().replace('-', " "));
    let res = signup(good.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let cookie = session_cookie(&res).unwrap();
    let set_cookie = res.header("set-cookie").unwrap();
    for part in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain http: {set_cookie}");
    assert_eq!(res.body["user"]["email"], "ada@example.com");
    assert_eq!(res.body["workspace"]["id"], DEFAULT_WORKSPACE_ID.to_string());
    assert_eq!(res.body["workspace"]["name"], "Lovelace Consulting");
    assert_eq!(res.body["workspace"]["role"], "owner");
    // The existing data is theirs.
    let session = client_with_cookie(&cookie);
    let list = app
        .request_as(&session, Method::GET, "/api/v1/contacts?include_total=true", |r| r)
        .await;
    assert_eq!(list.body["total"], contacts_before);

    // The code is used up, and sign-up is now closed.
    let mut again = base.clone();
    again["email"] = json!("grace@example.com");
    again["setup_code"] = json!(code);
    signup(again).await.problem(403, "signup_closed");
    let status = app.request_as(&anon, Method::GET, "/api/v1/auth/setup", |r| r).await;
    assert_eq!(status.body["needs_setup"], false);
}

#[actix_web::test]
async fn open_signup_gives_each_new_account_its_own_seeded_workspace() {
    let app = TestApp::spawn_configured(|c| c.accounts.signup_open = true).await;
    let res = app
        .request_as(&app.anonymous(), Method::POST, "/api/v1/auth/signup", |r| {
            same_origin(r).json(&json!({"display_name": "Grace", "email": "grace@example.com",
                                        "password": "a long passphrase"}))
        })
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["workspace"]["name"], "Grace's workspace");
    let ws = res.body["workspace"]["id"].as_str().unwrap().to_owned();
    assert_ne!(ws, DEFAULT_WORKSPACE_ID.to_string());
    let session = client_with_cookie(&session_cookie(&res).unwrap());
    let contacts = app.request_as(&session, Method::GET, "/api/v1/contacts", |r| r).await;
    assert_eq!(contacts.body["items"], json!([]));
    let pipelines = app.request_as(&session, Method::GET, "/api/v1/pipelines", |r| r).await;
    let names: Vec<&str> = pipelines.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Sales", "Job search"]);
    let templates = app.request_as(&session, Method::GET, "/api/v1/templates", |r| r).await;
    assert!(templates.body["items"].as_array().unwrap().len() >= 5);
    // The same email cannot sign up twice.
    let dup = app
        .request_as(&app.anonymous(), Method::POST, "/api/v1/auth/signup", |r| {
            same_origin(r).json(&json!({"display_name": "G", "email": "GRACE@example.com",
                                        "password": "another passphrase"}))
        })
        .await;
    dup.problem(409, "email_taken");
}

#[actix_web::test]
async fn sign_in_sets_a_session_that_signing_out_ends() {
    let app = TestApp::spawn().await;
    let res = login(&app, json!({"email": " Owner@Rapport.test ", "password": PASSWORD})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["credential"], "session");
    assert_eq!(res.body["workspace"]["role"], "owner");
    let cookie = session_cookie(&res).unwrap();
    assert_eq!(
        app.scalar("SELECT count(*) FROM sessions WHERE last_seen_at IS NOT NULL")
            .await,
        1
    );
    // Only a hash of the cookie is stored.
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM sessions WHERE token_hash::text LIKE '%{cookie}%'"
        ))
        .await,
        0
    );
    let session = client_with_cookie(&cookie);
    let me = app.request_as(&session, Method::GET, "/api/v1/me", |r| r).await;
    assert_eq!(me.body["user"]["email"], OWNER_EMAIL);
    assert!(me.body["user"]["last_sign_in_at"].is_string());
    let out = app
        .request_as(&session, Method::POST, "/api/v1/auth/logout", |r| r)
        .await;
    assert_eq!(out.status, 204);
    assert!(out.header("set-cookie").unwrap().contains("rapport_session=;"));
    app.request_as(&session, Method::GET, "/api/v1/me", |r| r)
        .await
        .problem(401, "invalid_credentials");
    // Signing in again replaces the session the browser still had.
    let first = app.sign_in(OWNER_EMAIL, PASSWORD).await;
    let res = app
        .request_as(&app.anonymous(), Method::POST, "/api/v1/auth/login", |r| {
            same_origin(r)
                .header("cookie", format!("rapport_session={first}"))
                .json(&json!({"email": OWNER_EMAIL, "password": PASSWORD}))
        })
        .await;
    assert_eq!(res.status, 200);
    app.request_as(&client_with_cookie(&first), Method::GET, "/api/v1/me", |r| r)
        .await
        .problem(401, "invalid_credentials");
}

#[actix_web::test]
async fn bad_sign_ins_are_refused_alike_and_change_nothing() {
    let app = TestApp::spawn().await;
    let wrong = login(&app, json!({"email": OWNER_EMAIL, "password": "not the password"})).await;
    wrong.problem(401, "invalid_credentials");
    assert!(session_cookie(&wrong).is_none());
    let unknown = login(
        &app,
        json!({"email": "nobody@example.com", "password": "not the password"}),
    )
    .await;
    unknown.problem(401, "invalid_credentials");
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
    login(&app, json!({})).await.problem(422, "validation_failed");
    app.request_as(&app.anonymous(), Method::POST, "/api/v1/auth/login", |r| {
        same_origin(r).header("content-type", "application/json").body("{")
    })
    .await
    .problem(400, "malformed_json");
    let long = "x".repeat(1001);
    let res = login(&app, json!({"email": OWNER_EMAIL, "password": long})).await;
    assert_eq!(res.error_fields(), vec!["password"]);
    // A 10 MB password is refused before it is read, let alone hashed.
    let huge = "x".repeat(10 * 1024 * 1024);
    login(&app, json!({"email": OWNER_EMAIL, "password": huge}))
        .await
        .problem(413, "payload_too_large");
    assert_eq!(app.scalar("SELECT count(*) FROM sessions").await, 0);
    // Failures are recorded for the limits and the security log (not the ones refused as input).
    assert_eq!(app.scalar("SELECT count(*) FROM sign_in_failures").await, 2);
    assert_eq!(
        app.scalar("SELECT count(*) FROM security_events WHERE kind = 'sign_in_failed'")
            .await,
        2
    );
}

#[actix_web::test]
async fn failed_sign_ins_are_limited_per_address_and_email_without_locking_the_owner_out() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        login(&app, json!({"email": OWNER_EMAIL, "password": "wrong password"}))
            .await
            .problem(401, "invalid_credentials");
    }
    // The sixth try from this address for this email waits, even with the right password.
    let limited = login(&app, json!({"email": OWNER_EMAIL, "password": PASSWORD})).await;
    limited.problem(429, "too_many_requests");
    let retry: i64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Another email from the same address is not affected.
    add_user(
        &app.pool,
        "grace@example.com",
        "Grace",
        DEFAULT_WORKSPACE_ID,
        Role::Member,
    )
    .await;
    assert_eq!(
        login(&app, json!({"email": "grace@example.com", "password": PASSWORD}))
            .await
            .status,
        200
    );
    // Failures from other addresses (counted in the database, as several servers would) slow the
    // email down but do not block its owner's address once its window passes.
    app.execute("UPDATE sign_in_failures SET occurred_at = occurred_at - interval '20 minutes'")
        .await;
    assert_eq!(
        login(&app, json!({"email": OWNER_EMAIL, "password": PASSWORD}))
            .await
            .status,
        200
    );
    // A successful sign-in forgets this address's failures for the email.
    assert_eq!(
        app.scalar("SELECT count(*) FROM sign_in_failures WHERE email = 'owner@rapport.test'")
            .await,
        0
    );
}

#[actix_web::test]
async fn cookie_writes_from_another_site_are_refused() {
    let app = TestApp::spawn().await;
    let cookie = app.sign_in(OWNER_EMAIL, PASSWORD).await;
    let body = json!({"first_name": "Mallory"});
    let bare = reqwest::Client::new();
    let post = |build: fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder| {
        let bare = bare.clone();
        let cookie = cookie.clone();
        let body = body.clone();
        let app = &app;
        async move {
            app.request_as(&bare, Method::POST, "/api/v1/contacts", |r| {
                build(r.header("cookie", format!("rapport_session={cookie}")).json(&body))
            })
            .await
        }
    };
    post(|r| r).await.problem(403, "cross_site_request");
    post(|r| r.header("sec-fetch-site", "cross-site"))
        .await
        .problem(403, "cross_site_request");
    post(|r| r.header("sec-fetch-site", "same-site"))
        .await
        .problem(403, "cross_site_request");
    post(|r| r.header("origin", "https://evil.example"))
        .await
        .problem(403, "cross_site_request");
    post(|r| r.header("referer", "https://evil.example/page"))
        .await
        .problem(403, "cross_site_request");
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 0);
    // The public origin without Fetch Metadata (older browsers), and same-origin fetches, pass.
    assert_eq!(post(|r| r.header("origin", "http://localhost:8080")).await.status, 201);
    assert_eq!(post(|r| r.header("sec-fetch-site", "same-origin")).await.status, 201);
    // Reads are not writes.
    let list = app
        .request_as(&bare, Method::GET, "/api/v1/contacts", |r| {
            r.header("cookie", format!("rapport_session={cookie}"))
        })
        .await;
    assert_eq!(list.status, 200);
    // Sign-in itself is protected (login CSRF).
    app.request_as(&bare, Method::POST, "/api/v1/auth/login", |r| {
        r.header("sec-fetch-site", "cross-site")
            .json(&json!({"email": OWNER_EMAIL, "password": PASSWORD}))
    })
    .await
    .problem(403, "cross_site_request");
    // API tokens need no such check: they are not sent by browsers on their own.
    assert_eq!(app.post("/api/v1/contacts", &body).await.status, 201);
}

#[actix_web::test]
async fn missing_forged_and_expired_credentials_get_401_with_a_bearer_challenge() {
    let app = TestApp::spawn().await;
    let anon = app.anonymous();
    let res = app.request_as(&anon, Method::GET, "/api/v1/contacts", |r| r).await;
    res.problem(401, "unauthenticated");
    assert_eq!(res.header("www-authenticate"), Some("Bearer realm=\"rapport\""));
    for bad in [
        format!("Bearer {}x", app.token),
        format!("Bearer {}", &app.token[..20]),
        "Bearer rpt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        "Basic b3duZXI6cGFzc3dvcmQ=".to_owned(),
        "Bearer ".to_owned(),
    ] {
        let res = app
            .request_as(&anon, Method::GET, "/api/v1/contacts", |r| {
                r.header("authorization", &bad)
            })
            .await;
        res.problem(401, "invalid_credentials");
        assert!(res.header("www-authenticate").unwrap().starts_with("Bearer"));
    }
    let cookie = app
        .request_as(&anon, Method::GET, "/api/v1/contacts", |r| {
            r.header("cookie", "rapport_session=forged")
        })
        .await;
    cookie.problem(401, "invalid_credentials");
    // An expired token says so.
    let token = add_token(&app.pool, app.owner, DEFAULT_WORKSPACE_ID, TokenScope::Read).await;
    app.execute(&format!(
        "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = '\\x{}'::bytea",
        blake3::hash(token.as_bytes()).to_hex()
    ))
    .await;
    app.request_as(&client_with_token(&token), Method::GET, "/api/v1/contacts", |r| r)
        .await
        .problem(401, "token_expired");
    // An idle session has expired.
    let cookie = app.sign_in(OWNER_EMAIL, PASSWORD).await;
    app.execute("UPDATE sessions SET last_seen_at = now() - interval '15 days'")
        .await;
    app.request_as(&client_with_cookie(&cookie), Method::GET, "/api/v1/me", |r| r)
        .await
        .problem(401, "session_expired");
    // A deleted user's cookie is worthless.
    let cookie = app.sign_in(OWNER_EMAIL, PASSWORD).await;
    app.execute("DELETE FROM users").await;
    app.request_as(&client_with_cookie(&cookie), Method::GET, "/api/v1/me", |r| r)
        .await
        .problem(401, "invalid_credentials");
    // Public operations ignore a credential they do not need, even a malformed one.
    let res = app
        .request_as(&anon, Method::GET, "/api/v1/auth/setup", |r| {
            r.header("authorization", "Basic Zm9vOmJhcg==")
        })
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // Probes and the docs stay open.
    assert_eq!(
        app.request_as(&anon, Method::GET, "/api/health", |r| r).await.status,
        200
    );
    assert_eq!(
        app.request_as(&anon, Method::GET, "/api/openapi.json", |r| r)
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn api_tokens_are_shown_once_scoped_and_revoked_at_once() {
    let app = TestApp::spawn().await;
    let session = client_with_cookie(&app.sign_in(OWNER_EMAIL, PASSWORD).await);
    let res = app
        .request_as(&session, Method::POST, "/api/v1/api-tokens", |r| {
            r.json(&json!({"name": "Zapier", "scope": "read"}))
        })
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let secret = res.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("rpt_") && secret.len() == 36);
    assert_eq!(res.body["prefix"], secret[..10]);
    let id = res.body["id"].as_str().unwrap().to_owned();
    // Listed without the secret; stored only as a hash.
    let list = app.request_as(&session, Method::GET, "/api/v1/api-tokens", |r| r).await;
    assert!(!list.text.contains(&secret));
    assert_eq!(list.body["items"][0]["name"], "Zapier");
    assert_eq!(
        app.scalar(&format!(
            "SELECT count(*) FROM api_tokens WHERE prefix = '{}'",
            &secret[..10]
        ))
        .await,
        1
    );
    // A read token reads but never writes.
    let reader = client_with_token(&secret);
    let me = app.request_as(&reader, Method::GET, "/api/v1/me", |r| r).await;
    assert_eq!(me.body["credential"], "token");
    assert_eq!(me.body["token_scope"], "read");
    assert_eq!(
        app.request_as(&reader, Method::GET, "/api/v1/contacts", |r| r)
            .await
            .status,
        200
    );
    app.request_as(&reader, Method::POST, "/api/v1/contacts", |r| {
        r.json(&json!({"first_name": "No"}))
    })
    .await
    .problem(403, "insufficient_scope");
    assert_eq!(app.scalar("SELECT count(*) FROM contacts").await, 0);
    // Tokens cannot manage tokens, change passwords or switch workspaces.
    for (method, path, body) in [
        (Method::GET, "/api/v1/api-tokens", json!(null)),
        (
            Method::POST,
            "/api/v1/api-tokens",
            json!({"name": "x", "scope": "write"}),
        ),
        (
            Method::POST,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "x".repeat(12)}),
        ),
        (
            Method::POST,
            "/api/v1/me/workspace",
            json!({"workspace_id": DEFAULT_WORKSPACE_ID}),
        ),
    ] {
        app.request(method, path, |r| if body.is_null() { r } else { r.json(&body) })
            .await
            .problem(403, "session_required");
    }
    // The first use is recorded (at most once a minute), after the answer: wait for it, boundedly.
    let used = format!("SELECT count(*) FROM api_tokens WHERE id = '{id}' AND last_used_at IS NOT NULL");
    let mut recorded = false;
    for _ in 0..100 {
        if app.scalar(&used).await == 1 {
            recorded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(recorded, "the token's last use was not recorded");
    // Revoked: refused at once.
    let del = app
        .request_as(&session, Method::DELETE, &format!("/api/v1/api-tokens/{id}"), |r| r)
        .await;
    assert_eq!(del.status, 204);
    app.request_as(&reader, Method::GET, "/api/v1/contacts", |r| r)
        .await
        .problem(401, "invalid_credentials");
    app.request_as(&session, Method::DELETE, &format!("/api/v1/api-tokens/{id}"), |r| r)
        .await
        .problem(404, "not_found");
    // Bad input.
    let res = app
        .request_as(&session, Method::POST, "/api/v1/api-tokens", |r| {
            r.json(&json!({"name": "", "scope": "admin", "expires_at": "2001-01-01T00:00:00Z"}))
        })
        .await;
    res.problem(422, "validation_failed");
    let res = app
        .request_as(&session, Method::POST, "/api/v1/api-tokens", |r| {
            r.json(&json!({"name": "old", "scope": "read", "expires_at": "2001-01-01T00:00:00Z"}))
        })
        .await;
    assert_eq!(res.error_fields(), vec!["expires_at"]);
    // A read-only member can only make read tokens, and a token never exceeds its user's role.
    let (_, viewer) = app.member("viewer@example.com", Role::ReadOnly).await;
    let res = app
        .request_as(&viewer, Method::POST, "/api/v1/api-tokens", |r| {
            r.json(&json!({"name": "mine", "scope": "write"}))
        })
        .await;
    assert_eq!(res.error_fields(), vec!["scope"]);
    let viewer_user: uuid::Uuid = {
        let res = app.request_as(&viewer, Method::GET, "/api/v1/me", |r| r).await;
        res.body["user"]["id"].as_str().unwrap().parse().unwrap()
    };
    let write_token = add_token(&app.pool, viewer_user, DEFAULT_WORKSPACE_ID, TokenScope::Write).await;
    app.request_as(
        &client_with_token(&write_token),
        Method::POST,
        "/api/v1/contacts",
        |r| r.json(&json!({"first_name": "No"})),
    )
    .await
    .problem(403, "forbidden");
    let count = app
        .scalar("SELECT count(*) FROM security_events WHERE kind IN ('token_created', 'token_revoked')")
        .await;
    assert_eq!(count, 2);
}

#[actix_web::test]
async fn roles_limit_what_members_can_do() {
    let app = TestApp::spawn().await;
    let contact = app.contact(json!({"first_name": "Ada"})).await;
    let id = contact["id"].as_str().unwrap();
    let (_, viewer) = app.member("viewer@example.com", Role::ReadOnly).await;
    let (_, member) = app.member("member@example.com", Role::Member).await;
    // read_only reads, and changes nothing.
    assert_eq!(
        app.request_as(&viewer, Method::GET, &format!("/api/v1/contacts/{id}"), |r| r)
            .await
            .status,
        200
    );
    let res = app
        .request_as(&viewer, Method::PATCH, &format!("/api/v1/contacts/{id}"), |r| {
            r.json(&json!({"first_name": "Changed"}))
        })
        .await;
    res.problem(403, "forbidden");
    assert!(
        res.body["detail"].as_str().unwrap().contains("member role"),
        "{}",
        res.text
    );
    app.request_as(&viewer, Method::DELETE, &format!("/api/v1/contacts/{id}"), |r| r)
        .await
        .problem(403, "forbidden");
    assert_eq!(
        app.get(&format!("/api/v1/contacts/{id}")).await.body["first_name"],
        "Ada"
    );
    // A member edits records but not the workspace's configuration or its people.
    let res = app
        .request_as(&member, Method::PATCH, &format!("/api/v1/contacts/{id}"), |r| {
            r.json(&json!({"first_name": "Ada B."}))
        })
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .request_as(&member, Method::PATCH, "/api/v1/settings", |r| {
            r.json(&json!({"overdue_after_days": 9}))
        })
        .await;
    res.problem(403, "forbidden");
    assert!(res.body["detail"].as_str().unwrap().contains("admin role"));
    app.request_as(&member, Method::PATCH, &format!("/api/v1/members/{}", app.owner), |r| {
        r.json(&json!({"role": "read_only"}))
    })
    .await
    .problem(403, "forbidden");
    app.request_as(&member, Method::POST, "/api/v1/invitations", |r| {
        r.json(&json!({"email": "x@example.com", "role": "member"}))
    })
    .await
    .problem(403, "forbidden");
    // Everyone sees who the members are.
    let members = app.request_as(&viewer, Method::GET, "/api/v1/members", |r| r).await;
    assert_eq!(members.body["items"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn ownership_is_kept_and_lowered_roles_take_effect_at_once() {
    let app = TestApp::spawn().await;
    let owner = app.owner;
    // The last owner can be neither demoted nor removed.
    app.patch(&format!("/api/v1/members/{owner}"), &json!({"role": "admin"}))
        .await
        .problem(409, "last_owner");
    let del = app.delete(&format!("/api/v1/members/{owner}")).await;
    del.problem(409, "last_owner");
    // Role names outside the list are refused.
    let res = app
        .patch(&format!("/api/v1/members/{owner}"), &json!({"role": "superuser"}))
        .await;
    res.problem(422, "validation_failed");
    // An admin cannot touch ownership.
    let (admin_id, admin) = app.member("admin@example.com", Role::Admin).await;
    app.request_as(&admin, Method::PATCH, &format!("/api/v1/members/{owner}"), |r| {
        r.json(&json!({"role": "member"}))
    })
    .await
    .problem(403, "forbidden");
    app.request_as(&admin, Method::PATCH, &format!("/api/v1/members/{admin_id}"), |r| {
        r.json(&json!({"role": "owner"}))
    })
    .await
    .problem(403, "forbidden");
    // Lowering a member's role ends their sessions and tokens.
    let (member_id, member) = app.member("member@example.com", Role::Member).await;
    let member_token = add_token(&app.pool, member_id, DEFAULT_WORKSPACE_ID, TokenScope::Write).await;
    let res = app
        .request_as(&admin, Method::PATCH, &format!("/api/v1/members/{member_id}"), |r| {
            r.json(&json!({"role": "read_only"}))
        })
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["role"], "read_only");
    app.request_as(&member, Method::GET, "/api/v1/contacts", |r| r)
        .await
        .problem(401, "invalid_credentials");
    app.request_as(
        &client_with_token(&member_token),
        Method::GET,
        "/api/v1/contacts",
        |r| r,
    )
    .await
    .problem(401, "invalid_credentials");
    // Transferring ownership: the owner makes someone else owner, then may step down.
    let res = app
        .patch(&format!("/api/v1/members/{admin_id}"), &json!({"role": "owner"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .patch(&format!("/api/v1/members/{owner}"), &json!({"role": "admin"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // Removing a member ends their access at once.
    let (gone_id, gone) = app.member("gone@example.com", Role::Member).await;
    let res = app
        .request_as(&admin, Method::DELETE, &format!("/api/v1/members/{gone_id}"), |r| r)
        .await;
    assert_eq!(res.status, 204);
    app.request_as(&gone, Method::GET, "/api/v1/me", |r| r)
        .await
        .problem(401, "invalid_credentials");
    let log = app
        .request_as(&admin, Method::GET, "/api/v1/security-events?limit=200", |r| r)
        .await;
    let kinds: Vec<&str> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"role_changed") && kinds.contains(&"member_removed"),
        "{kinds:?}"
    );
}

#[actix_web::test]
async fn invitations_create_accounts_or_add_existing_ones_signed_in() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/api/v1/invitations",
            &json!({"email": "Grace@Example.com", "role": "member"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let url = res.body["accept_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("http://localhost:8080/invitations/"), "{url}");
    let token = url.rsplit('/').next().unwrap().to_owned();
    // Listed for admins, without the link.
    let list = app.get("/api/v1/invitations").await;
    assert_eq!(list.body["items"][0]["email"], "grace@example.com");
    assert!(list.body["items"][0].get("accept_url").is_none());
    // Anyone with the link sees what it offers.
    let anon = app.anonymous();
    let preview = app
        .request_as(
            &anon,
            Method::GET,
            &format!("/api/v1/invitations/{token}/preview"),
            |r| r,
        )
        .await;
    assert_eq!(preview.body["workspace_name"], "My workspace");
    assert_eq!(preview.body["account_exists"], false);
    let accept = |body: Value, client: reqwest::Client| {
        let token = token.clone();
        let app = &app;
        async move {
            app.request_as(
                &client,
                Method::POST,
                &format!("/api/v1/invitations/{token}/accept"),
                |r| same_origin(r).json(&body),
            )
            .await
        }
    };
    let res = accept(json!({}), anon.clone()).await;
    res.problem(422, "validation_failed");
    assert_eq!(res.error_fields(), vec!["display_name", "password"]);
    let res = accept(
        json!({"display_name": "Grace Hopper", "password": "a long passphrase"}),
        anon.clone(),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["workspace"]["role"], "member");
    assert!(session_cookie(&res).is_some());
    // Single use.
    accept(
        json!({"display_name": "Mallory", "password": "a long passphrase"}),
        anon.clone(),
    )
    .await
    .problem(410, "invitation_used");
    app.request_as(&anon, Method::GET, "/api/v1/invitations/nonsense/preview", |r| r)
        .await
        .problem(404, "not_found");

    // An existing account joins only when signed in as itself.
    let mut conn_ws = app.pool.get().await.unwrap();
    let other_ws = uuid::Uuid::now_v7();
    rapport::accounts::store::insert_workspace(
        &mut conn_ws,
        rapport::db::WorkspaceId::checked(other_ws),
        "Elsewhere",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    drop(conn_ws);
    add_user(&app.pool, "linus@example.com", "Linus", other_ws, Role::Owner).await;
    let res = app
        .post(
            "/api/v1/invitations",
            &json!({"email": "linus@example.com", "role": "read_only"}),
        )
        .await;
    let token2 = res.body["accept_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/invitations/{token2}/accept");
    let res = app
        .request_as(&anon, Method::POST, &path, |r| {
            same_origin(r).json(&json!({"display_name": "Impostor", "password": "a long passphrase"}))
        })
        .await;
    res.problem(403, "sign_in_required");
    let grace = client_with_cookie(&app.sign_in("grace@example.com", "a long passphrase").await);
    app.request_as(&grace, Method::POST, &path, |r| r.json(&json!({})))
        .await
        .problem(403, "wrong_account");
    let linus = client_with_cookie(&app.sign_in("linus@example.com", PASSWORD).await);
    let res = app
        .request_as(&linus, Method::POST, &path, |r| r.json(&json!({})))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["workspace"]["id"], DEFAULT_WORKSPACE_ID.to_string());
    assert_eq!(res.body["workspaces"].as_array().unwrap().len(), 2);

    // Expired and withdrawn invitations.
    let res = app
        .post(
            "/api/v1/invitations",
            &json!({"email": "late@example.com", "role": "member"}),
        )
        .await;
    let late = res.body["accept_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    app.execute("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE email = 'late@example.com'")
        .await;
    app.request_as(
        &anon,
        Method::GET,
        &format!("/api/v1/invitations/{late}/preview"),
        |r| r,
    )
    .await
    .problem(410, "invitation_expired");
    let res = app
        .post(
            "/api/v1/invitations",
            &json!({"email": "never@example.com", "role": "member"}),
        )
        .await;
    let never_id = res.body["id"].as_str().unwrap().to_owned();
    assert_eq!(app.delete(&format!("/api/v1/invitations/{never_id}")).await.status, 204);
    assert_eq!(
        app.scalar("SELECT count(*) FROM users WHERE email IN ('late@example.com', 'never@example.com')")
            .await,
        0
    );
    // Members cannot be invited twice.
    app.post(
        "/api/v1/invitations",
        &json!({"email": "grace@example.com", "role": "member"}),
    )
    .await
    .problem(409, "already_member");
}

#[actix_web::test]
async fn workspaces_are_created_switched_and_tokens_stay_in_theirs() {
    let app = TestApp::spawn().await;
    app.contact(json!({"first_name": "In the first"})).await;
    let session = client_with_cookie(&app.sign_in(OWNER_EMAIL, PASSWORD).await);
    let res = app
        .request_as(&session, Method::POST, "/api/v1/workspaces", |r| {
            r.json(&json!({"name": "Job search"}))
        })
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let second = res.body["id"].as_str().unwrap().to_owned();
    assert_eq!(res.body["role"], "owner");
    // The session works in the new workspace now; the token stays in the first.
    let mine = app.request_as(&session, Method::GET, "/api/v1/contacts", |r| r).await;
    assert_eq!(mine.body["items"], json!([]));
    assert_eq!(
        app.get("/api/v1/contacts").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let list = app.request_as(&session, Method::GET, "/api/v1/workspaces", |r| r).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
    let res = app
        .request_as(&session, Method::POST, "/api/v1/me/workspace", |r| {
            r.json(&json!({"workspace_id": DEFAULT_WORKSPACE_ID}))
        })
        .await;
    assert_eq!(res.body["workspace"]["id"], DEFAULT_WORKSPACE_ID.to_string());
    let back = app.request_as(&session, Method::GET, "/api/v1/contacts", |r| r).await;
    assert_eq!(back.body["items"].as_array().unwrap().len(), 1);
    // Not a member: 404, and the session stays where it was.
    let res = app
        .request_as(&session, Method::POST, "/api/v1/me/workspace", |r| {
            r.json(&json!({"workspace_id": uuid::Uuid::now_v7()}))
        })
        .await;
    res.problem(404, "not_found");
    let me = app.request_as(&session, Method::GET, "/api/v1/me", |r| r).await;
    assert_eq!(me.body["workspace"]["id"], DEFAULT_WORKSPACE_ID.to_string());
    assert_ne!(second, DEFAULT_WORKSPACE_ID.to_string());
}

#[actix_web::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let here = client_with_cookie(&app.sign_in(OWNER_EMAIL, PASSWORD).await);
    let elsewhere = client_with_cookie(&app.sign_in(OWNER_EMAIL, PASSWORD).await);
    let change = |body: Value| {
        let here = here.clone();
        let app = &app;
        async move {
            app.request_as(&here, Method::POST, "/api/v1/me/password", |r| r.json(&body))
                .await
        }
    };
    let res = change(json!({"current_password": "wrong one", "new_password": "a brand new passphrase"})).await;
    assert_eq!(res.error_fields(), vec!["current_password"]);
    let res = change(json!({"current_password": PASSWORD, "new_password": "short"})).await;
    assert_eq!(res.error_fields(), vec!["new_password"]);
    let res = change(json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"})).await;
    assert_eq!(res.status, 204, "{}", res.text);
    assert_eq!(
        app.request_as(&here, Method::GET, "/api/v1/me", |r| r).await.status,
        200
    );
    app.request_as(&elsewhere, Method::GET, "/api/v1/me", |r| r)
        .await
        .problem(401, "invalid_credentials");
    login(&app, json!({"email": OWNER_EMAIL, "password": PASSWORD}))
        .await
        .problem(401, "invalid_credentials");
    assert_eq!(
        login(
            &app,
            json!({"email": OWNER_EMAIL, "password": "a brand new passphrase"})
        )
        .await
        .status,
        200
    );
    // The display name can change too.
    let res = app
        .request_as(&here, Method::PATCH, "/api/v1/me", |r| {
            r.json(&json!({"display_name": "  Olive O. "}))
        })
        .await;
    assert_eq!(res.body["user"]["display_name"], "Olive O.");
}

#[actix_web::test]
async fn the_security_log_is_for_admins_and_pages() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.sign_in(OWNER_EMAIL, PASSWORD).await;
    }
    login(&app, json!({"email": OWNER_EMAIL, "password": "nope nope nope"})).await;
    let page = app.get("/api/v1/security-events?limit=2").await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.body["items"][0]["kind"], "sign_in_failed");
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let next = app
        .get(&format!("/api/v1/security-events?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(next.body["items"].as_array().unwrap().len(), 2);
    assert_ne!(next.body["items"][0]["id"], page.body["items"][0]["id"]);
    app.get("/api/v1/security-events?limit=0")
        .await
        .problem(422, "validation_failed");
    app.get("/api/v1/security-events?cursor=garbage")
        .await
        .problem(422, "validation_failed");
    let (_, member) = app.member("member@example.com", Role::Member).await;
    app.request_as(&member, Method::GET, "/api/v1/security-events", |r| r)
        .await
        .problem(403, "forbidden");
}

#[actix_web::test]
async fn an_admin_hands_a_member_a_single_use_reset_link() {
    let app = TestApp::spawn().await;
    let (member_id, member) = app.member("member@example.com", Role::Member).await;
    let (_, admin) = app.member("admin@example.com", Role::Admin).await;
    // Members cannot issue links; admins cannot for owners.
    app.request_as(
        &member,
        Method::POST,
        &format!("/api/v1/members/{member_id}/password-reset"),
        |r| r,
    )
    .await
    .problem(403, "forbidden");
    app.request_as(
        &admin,
        Method::POST,
        &format!("/api/v1/members/{}/password-reset", app.owner),
        |r| r,
    )
    .await
    .problem(403, "forbidden");
    app.request_as(
        &admin,
        Method::POST,
        &format!("/api/v1/members/{}/password-reset", uuid::Uuid::now_v7()),
        |r| r,
    )
    .await
    .problem(404, "not_found");
    let res = app
        .request_as(
            &admin,
            Method::POST,
            &format!("/api/v1/members/{member_id}/password-reset"),
            |r| r,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let url = res.body["reset_url"].as_str().unwrap();
    assert!(url.starts_with("http://localhost:8080/reset-password/"), "{url}");
    let token = url.rsplit('/').next().unwrap().to_owned();
    let anon = app.anonymous();
    let preview = app
        .request_as(
            &anon,
            Method::GET,
            &format!("/api/v1/auth/password-reset/{token}"),
            |r| r,
        )
        .await;
    assert_eq!(preview.body["email"], "member@example.com");
    let reset = |body: Value| {
        let anon = anon.clone();
        let token = token.clone();
        let app = &app;
        async move {
            app.request_as(
                &anon,
                Method::POST,
                &format!("/api/v1/auth/password-reset/{token}"),
                |r| same_origin(r).json(&body),
            )
            .await
        }
    };
    let weak = reset(json!({"new_password": "member@example.com"})).await;
    assert_eq!(weak.error_fields(), vec!["new_password"]);
    // From another site: refused.
    app.request_as(
        &anon,
        Method::POST,
        &format!("/api/v1/auth/password-reset/{token}"),
        |r| {
            r.header("sec-fetch-site", "cross-site")
                .json(&json!({"new_password": "a brand new passphrase"}))
        },
    )
    .await
    .problem(403, "cross_site_request");
    assert_eq!(
        reset(json!({"new_password": "a brand new passphrase"})).await.status,
        204
    );
    // The member's sessions ended; the new password works, the old one does not; the link is used up.
    app.request_as(&member, Method::GET, "/api/v1/me", |r| r)
        .await
        .problem(401, "invalid_credentials");
    assert_eq!(
        login(
            &app,
            json!({"email": "member@example.com", "password": "a brand new passphrase"})
        )
        .await
        .status,
        200
    );
    reset(json!({"new_password": "another passphrase"}))
        .await
        .problem(410, "reset_link_used");
    app.request_as(&anon, Method::GET, "/api/v1/auth/password-reset/unknown", |r| r)
        .await
        .problem(404, "not_found");
    // An expired link.
    let res = app
        .post(&format!("/api/v1/members/{member_id}/password-reset"), &json!(null))
        .await;
    let late = res.body["reset_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    app.execute("UPDATE password_resets SET expires_at = now() - interval '1 minute' WHERE used_at IS NULL")
        .await;
    app.request_as(
        &anon,
        Method::GET,
        &format!("/api/v1/auth/password-reset/{late}"),
        |r| r,
    )
    .await
    .problem(410, "reset_link_expired");
}

#[actix_web::test]
async fn the_command_line_resets_a_password_and_ends_sessions() {
    let app = TestApp::spawn().await;
    let session = client_with_cookie(&app.sign_in(OWNER_EMAIL, PASSWORD).await);
    let mut conn = app.pool.get().await.unwrap();
    let changed = rapport::accounts::service::reset_password(
        &mut conn,
        "OWNER@rapport.test",
        "set from the shell".into(),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    assert!(changed);
    assert!(
        !rapport::accounts::service::reset_password(
            &mut conn,
            "nobody@example.com",
            "whatever it is".into(),
            chrono::Utc::now()
        )
        .await
        .unwrap()
    );
    app.request_as(&session, Method::GET, "/api/v1/me", |r| r)
        .await
        .problem(401, "invalid_credentials");
    assert_eq!(
        login(&app, json!({"email": OWNER_EMAIL, "password": "set from the shell"}))
            .await
            .status,
        200
    );
}

/// Runs SQL the way another server instance or the command line would: the server under test
/// only learns of it through the database's notice.
async fn elsewhere(app: &TestApp, sql: &str) {
    use diesel_async::RunQueryDsl;
    let mut conn = app.pool.get().await.unwrap();
    diesel::sql_query(sql).execute(&mut conn).await.unwrap();
}

/// Polls until `path` answers `status` (at most 5 s): a notice takes a moment to arrive.
async fn until_status(app: &TestApp, client: &reqwest::Client, path: &str, status: u16) -> crate::common::Resp {
    for _ in 0..200 {
        let res = app.request_as(client, Method::GET, path, |r| r).await;
        if res.status == status {
            return res;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("GET {path} never answered {status}");
}

#[actix_web::test]
async fn credentials_are_cached_until_the_database_says_they_changed() {
    let app = TestApp::spawn().await;
    let (member_id, member) = app.member("member@example.com", Role::Member).await;
    let token = add_token(&app.pool, member_id, DEFAULT_WORKSPACE_ID, TokenScope::Write).await;
    let by_token = client_with_token(&token);
    // Both credentials are used, so this server has them cached.
    for client in [&member, &by_token] {
        let res = app.request_as(client, Method::GET, "/api/v1/me", |r| r).await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    assert!(app.state.credentials.len() >= 2);
    assert!(app.state.credentials.is_listening());

    // Last-use writes do not empty the cache (they change nothing a credential grants).
    elsewhere(&app, "UPDATE api_tokens SET last_used_at = now()").await;
    elsewhere(&app, "UPDATE sessions SET last_seen_at = now()").await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(app.state.credentials.len() >= 2, "a last-use write emptied the cache");

    // A role lowered elsewhere: the member can no longer write, on both credentials.
    elsewhere(
        &app,
        &format!("UPDATE memberships SET role = 'read_only' WHERE user_id = '{member_id}'"),
    )
    .await;
    for client in [&member, &by_token] {
        for _ in 0..200 {
            let res = app
                .request_as(client, Method::POST, "/api/v1/contacts", |r| {
                    same_origin(r).json(&json!({"first_name": "Nope"}))
                })
                .await;
            if res.status == 403 {
                break;
            }
            assert_eq!(res.status, 201, "{}", res.text);
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }

    // A token revoked and a session ended elsewhere (another instance, the command line).
    elsewhere(
        &app,
        &format!("UPDATE api_tokens SET revoked_at = now() WHERE user_id = '{member_id}'"),
    )
    .await;
    until_status(&app, &by_token, "/api/v1/me", 401).await;
    elsewhere(&app, &format!("DELETE FROM sessions WHERE user_id = '{member_id}'")).await;
    until_status(&app, &member, "/api/v1/me", 401)
        .await
        .problem(401, "invalid_credentials");

    // A rename elsewhere shows in the actor name of the next change.
    elsewhere(
        &app,
        &format!(
            "UPDATE users SET display_name = 'Olive Renamed' WHERE id = '{}'",
            app.owner
        ),
    )
    .await;
    until_status(&app, &app.client, "/api/v1/me", 200).await;
    for _ in 0..200 {
        if app.get("/api/v1/me").await.body["user"]["display_name"] == "Olive Renamed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(
        app.get("/api/v1/me").await.body["user"]["display_name"],
        "Olive Renamed"
    );
}

#[actix_web::test]
async fn account_changes_through_this_server_take_effect_before_it_answers() {
    let app = TestApp::spawn().await;
    let (member_id, member) = app.member("member@example.com", Role::Member).await;
    let token = add_token(&app.pool, member_id, DEFAULT_WORKSPACE_ID, TokenScope::Write).await;
    let by_token = client_with_token(&token);
    for _ in 0..3 {
        assert_eq!(
            app.request_as(&by_token, Method::GET, "/api/v1/contacts", |r| r)
                .await
                .status,
            200
        );
        assert_eq!(
            app.request_as(&member, Method::GET, "/api/v1/contacts", |r| r)
                .await
                .status,
            200
        );
    }
    // Lowering the role answers only once this server has forgotten what it cached: the very
    // next requests are refused, with no wait.
    let owner = app.sign_in(OWNER_EMAIL, PASSWORD).await;
    let res = app
        .request_as(
            &client_with_cookie(&owner),
            Method::PATCH,
            &format!("/api/v1/members/{member_id}"),
            |r| same_origin(r).json(&json!({"role": "read_only"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    // Lowering a role ends the member's sessions and tokens.
    app.request_as(&by_token, Method::GET, "/api/v1/contacts", |r| r)
        .await
        .problem(401, "invalid_credentials");
    app.request_as(&member, Method::GET, "/api/v1/contacts", |r| r)
        .await
        .problem(401, "invalid_credentials");
}

#[actix_web::test]
async fn the_language_is_kept_on_the_user_and_bad_changes_say_why_in_codes() {
    let app = TestApp::spawn().await;
    let me = app.get("/api/v1/me").await;
    assert_eq!(me.body["user"]["locale"], Value::Null, "a new user follows the browser");
    let name = me.body["user"]["display_name"].clone();

    let fr = app.patch("/api/v1/me", &json!({"locale": "fr"})).await;
    assert_eq!(fr.status, 200, "{}", fr.text);
    assert_eq!(fr.body["user"]["locale"], "fr");
    assert_eq!(fr.body["user"]["display_name"], name, "the name is left as it was");
    assert_eq!(app.get("/api/v1/me").await.body["user"]["locale"], "fr");

    // A wrong language and a name too long: each entry says what kind of problem, with its bounds.
    let bad = app.patch("/api/v1/me", &json!({"locale": "de"})).await;
    let problem = bad.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "locale");
    assert_eq!(problem["errors"][0]["code"], "one_of");
    assert_eq!(problem["errors"][0]["params"]["choices"], json!(["en", "es", "fr"]));
    let long = app.patch("/api/v1/me", &json!({"display_name": "x".repeat(101)})).await;
    let problem = long.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["code"], "length");
    assert_eq!(problem["errors"][0]["params"], json!({"min": 1, "max": 100}));
    let blank = app.patch("/api/v1/me", &json!({"display_name": null})).await;
    blank.problem(422, "validation_failed");
    let after = app.get("/api/v1/me").await;
    assert_eq!(after.body["user"]["locale"], "fr", "nothing changed");
    assert_eq!(after.body["user"]["display_name"], name);

    // Back to the browser's language; a rename alone keeps the language.
    let back = app.patch("/api/v1/me", &json!({"locale": null})).await;
    assert_eq!(back.body["user"]["locale"], Value::Null);
    let renamed = app.patch("/api/v1/me", &json!({"display_name": " Ada King "})).await;
    assert_eq!(renamed.body["user"]["display_name"], "Ada King");
    assert_eq!(
        app.scalar("SELECT count(*) FROM users WHERE display_name = 'Ada King' AND locale IS NULL")
            .await,
        1
    );
}
