//! `rapport backup` and `rapport restore`: the demo data goes out and comes back identical;
//! damaged files, non-empty targets and unwritable directories are refused with a clear message.

use std::path::Path;
use std::process::Command;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::common::{TestDb, add_user};

/// Runs the `rapport` command on a database; returns (success, stdout + stderr).
fn rapport(db_url: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "warn")
        .env_remove("BACKUP_DIR")
        .env_remove("BACKUP_KEEP")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Fingerprint {
    #[diesel(sql_type = BigInt)]
    rows: i64,
    #[diesel(sql_type = Text)]
    digest: String,
}

/// Every table of the database with its row count and a checksum of its content.
async fn fingerprint(url: &str) -> Vec<(String, i64, String)> {
    let mut conn = AsyncPgConnection::establish(url).await.unwrap();
    let tables: Vec<Name> =
        diesel::sql_query("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            .load(&mut conn)
            .await
            .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let f: Fingerprint = diesel::sql_query(format!(
            "SELECT count(*) AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest \
             FROM \"{}\" t",
            t.name
        ))
        .get_result(&mut conn)
        .await
        .unwrap();
        out.push((t.name, f.rows, f.digest));
    }
    out
}

fn backups(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    files
}

#[actix_web::test]
async fn a_backup_restores_into_a_new_database_exactly() {
    let source = TestDb::new().await;
    {
        let pool = rapport::db::build_pool(&source.url, 1).unwrap();
        add_user(
            &pool,
            "owner@example.com",
            "Olive",
            rapport::db::DEFAULT_WORKSPACE_ID,
            rapport::accounts::dto::Role::Owner,
        )
        .await;
        let mut conn = pool.get().await.unwrap();
        rapport::demo::load(&mut conn, rapport::db::DEFAULT_WORKSPACE)
            .await
            .unwrap();
    }
    let dir = std::env::temp_dir().join(format!("rapport-backups-{}", uuid::Uuid::now_v7()));
    let dir_arg = dir.to_str().unwrap().to_owned();

    // Three backups, two kept; each named with its time and the schema version.
    for _ in 0..3 {
        let (ok, out) = rapport(&source.url, &["backup", "--dir", &dir_arg, "--keep", "2"]);
        assert!(ok, "{out}");
        assert!(out.contains("Backed up to"), "{out}");
    }
    let files = backups(&dir);
    assert_eq!(files.len(), 2, "{files:?}");
    let newest = files.last().unwrap().clone();
    let name = newest.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        name.starts_with("rapport-") && name.contains("-v2026") && name.ends_with(".dump"),
        "{name}"
    );
    // Readable by their owner only.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(std::fs::metadata(&newest).unwrap().permissions().mode() & 0o777, 0o600);

    // Into a new database: every table, every row, the same content.
    let target = TestDb::empty().await;
    let (ok, out) = rapport(&target.url, &["restore", newest.to_str().unwrap()]);
    assert!(ok, "{out}");
    let expected = fingerprint(&source.url).await;
    assert!(
        expected.iter().any(|(t, rows, _)| t == "contacts" && *rows > 10),
        "{expected:?}"
    );
    assert_eq!(fingerprint(&target.url).await, expected);

    // Not over a database that has tables, unless told.
    let (ok, out) = rapport(&target.url, &["restore", newest.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.contains("not empty") && out.contains("--force"), "{out}");
    let (ok, out) = rapport(&target.url, &["restore", newest.to_str().unwrap(), "--force"]);
    assert!(ok, "{out}");
    assert_eq!(fingerprint(&target.url).await, expected);

    // A file cut in the middle is refused before anything is touched.
    let bytes = std::fs::read(&newest).unwrap();
    let truncated = dir.join("truncated.dump");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let empty = TestDb::empty().await;
    let (ok, out) = rapport(&empty.url, &["restore", truncated.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.contains("damaged or truncated"), "{out}");
    assert!(fingerprint(&empty.url).await.is_empty());

    // A backup directory that cannot be written is a clear error, and leaves no file behind.
    let blocker = dir.join("a-file");
    std::fs::write(&blocker, b"").unwrap();
    let (ok, out) = rapport(&source.url, &["backup", "--dir", blocker.join("sub").to_str().unwrap()]);
    assert!(!ok);
    assert!(out.contains("cannot create the backup directory"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
