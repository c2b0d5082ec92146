//! A read replica: a primary and a hot standby started for the test, Rapport pointed at both
//! (`DATABASE_REPLICA_URL`). Heavy reads move to the standby; a caller always sees its own
//! writes; a standby that lags, is promoted or is down costs nothing but the primary's work.

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use rapport::accounts::dto::{Role, TokenScope};
use rapport::db::replica::Lsn;
use reqwest::Method;
use serde_json::json;

use crate::common::pg::ReplicaPair;
use crate::common::*;

#[derive(diesel::QueryableByName)]
struct Position {
    #[diesel(sql_type = diesel::sql_types::Text)]
    lsn: String,
}

async fn sql(url: &str, statement: &str) {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    diesel::sql_query(statement).execute(&mut conn).await.unwrap();
}

async fn position(url: &str, function: &str) -> Lsn {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let p: Position = diesel::sql_query(format!("SELECT {function}()::text AS lsn"))
        .get_result(&mut conn)
        .await
        .unwrap();
    p.lsn.parse().unwrap()
}

/// Waits until the standby has replayed everything the primary has written (replication, not a
/// clock rule: at most 20 s).
async fn caught_up(pair: &ReplicaPair, db: &str) {
    let target = position(&pair.primary_url(db), "pg_current_wal_insert_lsn").await;
    for _ in 0..400 {
        if position(&pair.standby_url(db), "pg_last_wal_replay_lsn").await >= target {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the standby did not catch up");
}

fn served(i: &Instance) -> (u64, u64) {
    replica(i).served.counts()
}

fn replica(i: &Instance) -> &rapport::db::replica::Replica {
    i.state.replica.as_deref().expect("a replica")
}

/// The instance notes both servers' positions as of `at`.
async fn observe(i: &Instance, at: chrono::DateTime<chrono::Utc>) {
    replica(i).observe(&i.state.pool, at).await;
}

/// Creates a contact through the instance; returns the answer (201 checked).
async fn create(i: &Instance, client: &reqwest::Client, first: &str, last: &str) -> Resp {
    let res = i
        .request_as(client, Method::POST, "/api/v1/contacts", |r| {
            r.json(&json!({"first_name": first, "last_name": last}))
        })
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res
}

fn names(res: &Resp) -> Vec<String> {
    crate::contacts::names(&res.body)
}

#[actix_web::test]
async fn heavy_reads_move_to_the_replica_and_callers_still_read_their_writes() {
    let pair = ReplicaPair::start();
    let db = "rapport";
    sql(&pair.primary_url("postgres"), &format!("CREATE DATABASE {db}")).await;
    rapport::db::run_migrations(&pair.primary_url(db)).await.unwrap();
    let mut config = test_config(&pair.primary_url(db));
    config.replica = Some(rapport::config::ReplicaConfig {
        url: pair.standby_url(db),
        max_lag: std::time::Duration::from_secs(5),
    });
    let primary_pool = rapport::db::build_pool(&pair.primary_url(db), 2).unwrap();
    let ws = rapport::db::DEFAULT_WORKSPACE_ID;
    let owner = add_user(&primary_pool, OWNER_EMAIL, "Olive Owner", ws, Role::Owner).await;
    let token = add_token(&primary_pool, owner, ws, TokenScope::Write).await;
    let api = client_with_token(&token);
    let one = Instance::start(&config).await;
    let two = Instance::start(&config).await;
    let three = Instance::start(&config).await;
    caught_up(&pair, db).await;
    let now = chrono::Utc::now();
    for i in [&one, &two] {
        observe(i, now).await;
    }
    // Instance three last saw the standby caught up 31 seconds ago.
    observe(&three, now - chrono::Duration::seconds(31)).await;

    // A write answers with the primary's position after it; the same caller's next list, with
    // it, includes the write, whichever server answers.
    let res = create(&one, &api, "Ada", "Replica").await;
    let written: Lsn = res.header("rapport-lsn").expect("Rapport-LSN").parse().unwrap();
    let res = two
        .request_as(&api, Method::GET, "/api/v1/contacts", |r| {
            r.header("Rapport-LSN", written.to_string())
        })
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(names(&res), ["Ada Replica"]);

    // Once the standby has it, reads go to the standby.
    caught_up(&pair, db).await;
    observe(&two, chrono::Utc::now()).await;
    let before = served(&two);
    for path in [
        "/api/v1/contacts?q=ada",
        "/api/v1/companies",
        "/api/v1/deals",
        "/api/v1/search?q=ada",
        "/api/v1/dashboard",
        "/api/v1/follow-ups",
        "/api/v1/contacts/export?format=csv",
    ] {
        let res = two
            .request_as(&api, Method::GET, path, |r| {
                r.header("Rapport-LSN", written.to_string())
            })
            .await;
        assert_eq!(res.status, 200, "{path}: {}", res.text);
    }
    let after = served(&two);
    assert_eq!(
        (after.0 - before.0, after.1 - before.1),
        (7, 0),
        "all seven on the standby"
    );

    // The standby stops replaying. A new write: its writer reads it at once (from the primary),
    // and so does anyone on the instance it went through; elsewhere, a read without the
    // position may be up to the lag limit old — here it shows the standby really answers.
    sql(&pair.standby_url(db), "SELECT pg_wal_replay_pause()").await;
    let res = create(&one, &api, "Ben", "Paused").await;
    let second: Lsn = res.header("rapport-lsn").unwrap().parse().unwrap();
    assert!(second > written);
    let before = served(&two);
    let res = two
        .request_as(&api, Method::GET, "/api/v1/contacts?sort=name", |r| {
            r.header("Rapport-LSN", second.to_string())
        })
        .await;
    assert_eq!(names(&res), ["Ada Replica", "Ben Paused"]);
    let res = one
        .request_as(&api, Method::GET, "/api/v1/contacts?sort=name", |r| r)
        .await;
    assert_eq!(
        names(&res),
        ["Ada Replica", "Ben Paused"],
        "the writing instance remembers"
    );
    let res = two
        .request_as(&api, Method::GET, "/api/v1/contacts?sort=name", |r| r)
        .await;
    assert_eq!(
        names(&res),
        ["Ada Replica"],
        "the standby's older data, within the limit"
    );
    let after = served(&two);
    assert_eq!((after.0 - before.0, after.1 - before.1), (1, 1));

    // Lagging 31 s, past the 5 s limit: the primary answers, with no error.
    observe(&three, chrono::Utc::now()).await;
    // (Positions older than twice the limit are forgotten: too old to tell by how much.)
    assert!(
        replica(&three)
            .lag(chrono::Utc::now())
            .is_none_or(|lag| lag > chrono::Duration::seconds(30))
    );
    let res = three
        .request_as(&api, Method::GET, "/api/v1/contacts?sort=name", |r| r)
        .await;
    assert_eq!(names(&res), ["Ada Replica", "Ben Paused"]);
    assert_eq!(served(&three), (0, 1));
    // Replaying again, and seen so: back to the standby.
    sql(&pair.standby_url(db), "SELECT pg_wal_replay_resume()").await;
    caught_up(&pair, db).await;
    observe(&three, chrono::Utc::now()).await;
    let res = three
        .request_as(&api, Method::GET, "/api/v1/contacts?sort=name", |r| r)
        .await;
    assert_eq!(names(&res), ["Ada Replica", "Ben Paused"]);
    assert_eq!(served(&three), (1, 1));

    // A browser session carries the position in a cookie.
    let res = one
        .request_as(&reqwest::Client::new(), Method::POST, "/api/v1/auth/login", |r| {
            r.header("sec-fetch-site", "same-origin")
                .json(&json!({"email": OWNER_EMAIL, "password": PASSWORD}))
        })
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let browser = client_with_cookie(&session_cookie(&res).unwrap());
    let res = create(&one, &browser, "Cleo", "Cookie").await;
    let cookie = res
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rapport_lsn="))
        .expect("the position cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Path=/api"), "{cookie}");
    // A value that is not a position is ignored: the read still sees this instance's writes.
    let res = one
        .request_as(&api, Method::GET, "/api/v1/contacts", |r| {
            r.header("Rapport-LSN", "yesterday")
        })
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(names(&res).len(), 3);

    // Promoted, the standby no longer replays: reads go to the primary.
    pair.promote_standby();
    observe(&two, chrono::Utc::now()).await;
    assert_eq!(replica(&two).lag(chrono::Utc::now()), None);
    let before = served(&two);
    let res = two
        .request_as(&api, Method::GET, "/api/v1/contacts?sort=name", |r| r)
        .await;
    assert_eq!(names(&res), ["Ada Replica", "Ben Paused", "Cleo Cookie"]);
    assert_eq!(served(&two).1 - before.1, 1);

    // Down: reads still answer, from the primary.
    pair.stop_standby();
    let before = served(&three);
    let res = three
        .request_as(&api, Method::GET, "/api/v1/contacts?sort=name", |r| r)
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(names(&res).len(), 3);
    assert_eq!(served(&three).1 - before.1, 1);
    observe(&three, chrono::Utc::now()).await;
    assert_eq!(replica(&three).lag(chrono::Utc::now()), None);
    let res = three.request_as(&api, Method::GET, "/api/v1/dashboard", |r| r).await;
    assert_eq!(res.status, 200, "{}", res.text);
}
