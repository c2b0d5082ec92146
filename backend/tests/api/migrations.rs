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
    // A foreign key is covered when some index starts with exactly its columns.
    let missing: Vec<Unindexed> = diesel::sql_query(
        "SELECT c.conrelid::regclass || '(' || string_agg(a.attname, ',') || ')' AS fk \
         FROM pg_constraint c \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) \
         WHERE c.contype = 'f' \
           AND NOT EXISTS ( \
             SELECT 1 FROM pg_index i \
             WHERE i.indrelid = c.conrelid \
               AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey \
               AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] <@ c.conkey) \
         GROUP BY c.conrelid, c.conname",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let names: Vec<&str> = missing.iter().map(|m| m.fk.as_str()).collect();
    assert!(names.is_empty(), "foreign keys without an index: {names:?}");
}
