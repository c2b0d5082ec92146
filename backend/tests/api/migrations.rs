//! Migrations run up, down and up again, and every foreign key is backed by an index.

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::MigrationHarness;

use crate::common::{TestApp, TestDb, pg};

#[actix_web::test]
async fn migrations_go_up_down_and_up_again() {
    let db = TestDb::empty().await;
    let url = db.url.clone();
    pg::run_blocking(async move {
        tokio::task::spawn_blocking(move || {
            use diesel::Connection;
            let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url).unwrap();
            let up = conn.run_pending_migrations(rapport::db::MIGRATIONS).unwrap().len();
            assert!(up >= 2);
            conn.revert_all_migrations(rapport::db::MIGRATIONS).unwrap();
            assert_eq!(conn.run_pending_migrations(rapport::db::MIGRATIONS).unwrap().len(), up);
        })
        .await
        .unwrap();
    });
    // The schema after up/down/up is usable.
    let app = TestApp::spawn_with(db).await;
    app.contact(serde_json::json!({"first_name": "Again"})).await;
}

#[derive(QueryableByName, Debug)]
struct Unindexed {
    #[diesel(sql_type = Text)]
    fk: String,
}

#[actix_web::test]
async fn every_foreign_key_has_an_index() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.unwrap();
    // A foreign key is covered when some index starts with exactly its columns — or, for the
    // composite `(workspace_id, x)` keys, with `x`: `x` alone is selective, so checking or
    // cascading `WHERE workspace_id = … AND x = …` is an index scan without a second index.
    let missing: Vec<Unindexed> = diesel::sql_query(
        "SELECT c.conrelid::regclass || '(' || string_agg(a.attname, ',') || ')' AS fk \
         FROM pg_constraint c \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) \
         WHERE c.contype = 'f' \
           AND NOT EXISTS ( \
             SELECT 1 FROM pg_index i \
             WHERE i.indrelid = c.conrelid \
               AND (((i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey \
                     AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] <@ c.conkey) \
                 OR (array_length(c.conkey, 1) = 2 \
                     AND (SELECT attnum FROM pg_attribute WHERE attrelid = c.conrelid AND attname = 'workspace_id') = ANY (c.conkey) \
                     AND (i.indkey::int2[])[0] = ANY (c.conkey) \
                     AND (i.indkey::int2[])[0] <> (SELECT attnum FROM pg_attribute WHERE attrelid = c.conrelid AND attname = 'workspace_id')))) \
         GROUP BY c.conrelid, c.conname",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let names: Vec<&str> = missing.iter().map(|m| m.fk.as_str()).collect();
    assert!(names.is_empty(), "foreign keys without an index: {names:?}");
}

#[derive(QueryableByName, Debug)]
struct DbColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

/// `table.column` → (SQL type, nullable) from the `diesel::table!` blocks of schema.rs.
fn schema_rs_columns() -> std::collections::BTreeMap<String, (String, bool)> {
    let text = include_str!("../../src/db/schema.rs");
    let mut out = std::collections::BTreeMap::new();
    let mut table: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_suffix('{').map(str::trim)
            && let Some((name, _)) = rest.split_once(' ')
            && rest.contains('(')
            && !name.contains("::")
        {
            table = Some(name.to_owned());
            continue;
        }
        if line == "}" {
            table = None;
            continue;
        }
        if let (Some(t), Some((column, ty))) = (&table, line.split_once("->")) {
            let ty = ty.trim().trim_end_matches(',');
            let nullable = ty.starts_with("Nullable<");
            let inner = ty.trim_start_matches("Nullable<").trim_end_matches('>');
            out.insert(format!("{t}.{}", column.trim()), (inner.to_owned(), nullable));
        }
    }
    out
}

/// The PostgreSQL type a diesel SQL type stands for, as information_schema names it.
fn pg_type(diesel: &str) -> &str {
    match diesel {
        "Uuid" => "uuid",
        "Text" | "Varchar" => "text",
        "Int4" | "Integer" => "integer",
        "Int8" | "BigInt" => "bigint",
        "Int2" | "SmallInt" => "smallint",
        "Float8" | "Double" => "double precision",
        "Float4" => "real",
        "Bool" => "boolean",
        "Timestamptz" => "timestamp with time zone",
        "Date" => "date",
        "Jsonb" => "jsonb",
        "Bytea" => "bytea",
        "Numeric" => "numeric",
        "crate::db::schema::sql_types::Tsvector" => "tsvector",
        t if t.starts_with("Array<") => "ARRAY",
        other => other,
    }
}

/// schema.rs is what diesel checks queries against: it must say exactly what the migrations
/// made, table by table and column by column (name, type, nullability), so a query written
/// against it is a query against the real database.
#[actix_web::test]
async fn schema_rs_matches_the_migrated_database() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.unwrap();
    let columns: Vec<DbColumn> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns c \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' \
           AND EXISTS (SELECT 1 FROM information_schema.tables t \
                       WHERE t.table_schema = 'public' AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE') \
         ORDER BY table_name, ordinal_position",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let declared = schema_rs_columns();
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for c in &columns {
        let key = format!("{}.{}", c.table_name, c.column_name);
        seen.insert(key.clone());
        match declared.get(&key) {
            None => problems.push(format!("{key} ({}) is missing from schema.rs", c.data_type)),
            Some((ty, nullable)) => {
                if pg_type(ty) != c.data_type {
                    problems.push(format!("{key}: schema.rs says {ty}, the database {}", c.data_type));
                }
                if *nullable != (c.is_nullable == "YES") {
                    problems.push(format!(
                        "{key}: schema.rs says {}nullable, the database {}",
                        if *nullable { "" } else { "not " },
                        if c.is_nullable == "YES" {
                            "nullable"
                        } else {
                            "not nullable"
                        }
                    ));
                }
            }
        }
    }
    for key in declared.keys().filter(|k| !seen.contains(*k)) {
        problems.push(format!("{key} is in schema.rs but not in the database"));
    }
    assert!(columns.len() > 100, "{} columns", columns.len());
    assert!(
        problems.is_empty(),
        "schema.rs differs from the migrations:\n{}",
        problems.join("\n")
    );
}

/// An installation from before accounts, upgraded: its data and its calendar link are the first
/// owner's.
#[actix_web::test]
async fn an_upgrade_from_before_accounts_keeps_the_calendar_link_for_the_first_owner() {
    let db = TestDb::empty().await;
    let url = db.url.clone();
    let token = "legacy-calendar-secret-0123456789";
    pg::run_blocking(async move {
        tokio::task::spawn_blocking(move || {
            use diesel::Connection;
            let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url).unwrap();
            // Up to the last migration before accounts.
            loop {
                let pending = conn.pending_migrations(rapport::db::MIGRATIONS).unwrap();
                let Some(next) = <[_]>::first(&pending) else { break };
                if next.name().version().to_string().as_str() >= "20261202000001" {
                    break;
                }
                conn.run_next_migration(rapport::db::MIGRATIONS).unwrap();
            }
            let legacy = [
                format!(
                    "INSERT INTO calendar_feeds (workspace_id, token_hash, created_at) \
                     VALUES ('{}', decode('{}', 'hex'), now())",
                    rapport::db::DEFAULT_WORKSPACE_ID,
                    blake3::hash(token.as_bytes()).to_hex()
                ),
                format!(
                    "INSERT INTO contacts (id, workspace_id, first_name, last_name, created_at, updated_at) \
                     VALUES (gen_random_uuid(), '{}', 'Kept', 'Contact', now(), now())",
                    rapport::db::DEFAULT_WORKSPACE_ID
                ),
            ];
            for sql in legacy {
                diesel::RunQueryDsl::execute(diesel::sql_query(sql), &mut conn).unwrap();
            }
            conn.run_pending_migrations(rapport::db::MIGRATIONS).unwrap();
        })
        .await
        .unwrap();
    });
    let app = TestApp::spawn_fresh_with(db).await;
    let feed = format!("/api/v1/calendar/{token}.ics");
    let anon = app.anonymous();
    // Nobody owns the link until the first account exists.
    app.request_as(&anon, reqwest::Method::GET, &feed, |r| r)
        .await
        .problem(404, "not_found");
    let code = {
        let mut conn = app.pool.get().await.unwrap();
        rapport::accounts::service::setup_code_if_needed(&mut conn, chrono::Utc::now())
            .await
            .unwrap()
            .unwrap()
    };
    let res = app
        .request_as(&anon, reqwest::Method::POST, "/api/v1/auth/signup", |r| {
            r.header("sec-fetch-site", "same-origin").json(&serde_json::json!({
                "setup_code": code, "display_name": "Ada Lovelace", "email": "ada@example.com",
                "password": "correct horse battery"}))
        })
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let cookie = crate::common::session_cookie(&res).unwrap();
    let ada = crate::common::client_with_cookie(&cookie);
    let res = app.request_as(&anon, reqwest::Method::GET, &feed, |r| r).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.text.starts_with("BEGIN:VCALENDAR"));
    // It is Ada's link now: her calendar settings show it.
    let status = app
        .request_as(&ada, reqwest::Method::GET, "/api/v1/calendar", |r| r)
        .await;
    assert_eq!(status.status, 200, "{}", status.text);
    assert!(!status.body["created_at"].is_null(), "{}", status.text);
    let contacts = app
        .request_as(&ada, reqwest::Method::GET, "/api/v1/contacts", |r| r)
        .await;
    assert_eq!(contacts.body["items"][0]["first_name"], "Kept");
    assert_eq!(app.scalar("SELECT count(*) FROM calendar_feed_handovers").await, 0);
}

#[derive(QueryableByName, Debug)]
struct Mismatch {
    #[diesel(sql_type = Text)]
    function: String,
    #[diesel(sql_type = Text)]
    input: String,
}

/// The contacts' generated columns and key indexes call `rapport_unaccent`, `rapport_join_text`,
/// `rapport_name_words` and `rapport_phone_keys`. Migration `2026-12-07-000004` rewrote them
/// from SQL into PL/pgSQL; indexes built with the SQL bodies stay true only if each returns the
/// same value for every input. The SQL bodies (that migration's `down.sql`) are created as
/// temporary functions and compared with the installed ones on edge cases and on 3,000
/// generated inputs.
#[actix_web::test]
async fn the_contacts_key_functions_return_what_their_sql_bodies_did() {
    use diesel_async::SimpleAsyncConnection;
    let app = TestApp::spawn().await;
    let mut conn = app.pool.get().await.unwrap();
    let sql_bodies = include_str!("../../migrations/2026-12-07-000004_functions_planned_once/down.sql")
        .replace("FUNCTION rapport_", "FUNCTION pg_temp.was_")
        .replace("rapport_unaccent($1)", "pg_temp.was_unaccent($1)");
    assert_eq!(sql_bodies.matches("FUNCTION pg_temp.was_").count(), 4);
    conn.batch_execute(&format!("SELECT setseed(0.42); {sql_bodies}"))
        .await
        .unwrap();
    let mismatches: Vec<Mismatch> = diesel::sql_query(
        r#"WITH names(v) AS (
               VALUES (NULL::text), (''), ('Ada Lovelace'), ('José Muñoz-Ortega jr'), ('ÉLAN 42abc x9'),
                      ('O''Brien  Ægir  Straße'), ('李 小龍 Bruce'), ('émile 🎉 zoë'), ('a bb ccc dddd')
               UNION ALL
               SELECT string_agg(chr(32 + (random() * 400)::int), '') FROM generate_series(1, 2000) g,
                      generate_series(1, 1 + (random() * 20)::int) i GROUP BY g),
           lists(v) AS (
               VALUES (NULL::text[]), ('{}'), (ARRAY[NULL]::text[]), (ARRAY['+44 20 7946 0018', '020 7946 0018', NULL, '12']),
                      (ARRAY['555-123-4567', '(555) 123 4567 ext 9', '+1 555 123 4567']), ('{{1234567,7654321},{9,123456789012}}'),
                      (ARRAY['a@example.com', 'b@example.com'])
               UNION ALL
               SELECT array_agg(translate(left(md5(g::text || '.' || i || random()), 5 + (random() * 14)::int), 'abcdef', '1-2 (+'))
               FROM generate_series(1, 1000) g, generate_series(1, 1 + (random() * 4)::int) i GROUP BY g)
           SELECT 'rapport_unaccent' AS function, coalesce(v, 'NULL') AS input FROM names
             WHERE rapport_unaccent(v) IS DISTINCT FROM pg_temp.was_unaccent(v)
           UNION ALL SELECT 'rapport_name_words', coalesce(v, 'NULL') FROM names
             WHERE rapport_name_words(v) IS DISTINCT FROM pg_temp.was_name_words(v)
           UNION ALL SELECT 'rapport_join_text', coalesce(v::text, 'NULL') FROM lists
             WHERE rapport_join_text(v) IS DISTINCT FROM pg_temp.was_join_text(v)
           UNION ALL SELECT 'rapport_phone_keys', coalesce(v::text, 'NULL') FROM lists
             WHERE rapport_phone_keys(v) IS DISTINCT FROM pg_temp.was_phone_keys(v)"#,
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(mismatches.is_empty(), "{mismatches:?}");
    // The comparison is not empty: the generated lists do give several keys and several words.
    let shown: Vec<Mismatch> = diesel::sql_query(
        "SELECT 'keys' AS function, rapport_phone_keys(ARRAY['555-123-4567', '+1 (555) 123-4567', '020 7946 0018'])::text AS input \
         UNION ALL SELECT 'words', rapport_name_words('José Muñoz-Ortega jr')::text",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        (shown[0].function.as_str(), shown[0].input.as_str()),
        ("keys", "{079460018,551234567}")
    );
    assert_eq!(
        (shown[1].function.as_str(), shown[1].input.as_str()),
        ("words", "{jose,munoz,ortega}")
    );
}
