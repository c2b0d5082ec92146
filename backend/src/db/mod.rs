//! Database access plumbing: the connection pool, embedded migrations and shared SQL helpers.
//! Only this module and the domains' `store.rs` files use diesel.

pub mod cursor;
pub mod enums;
pub mod fresh;
pub mod idempotency;
pub mod keyset;
pub mod replica;
pub mod schema;
pub mod statement;
mod workspace;

pub use workspace::WorkspaceId;

use std::time::Duration;

use diesel::ConnectionError;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The workspace of an installation from before accounts existed (its first account owns it),
/// and of the demo data.
pub const DEFAULT_WORKSPACE_ID: uuid::Uuid = uuid::uuid!("01936000-0000-7000-8000-000000000001");
pub const DEFAULT_WORKSPACE: WorkspaceId = WorkspaceId::checked(DEFAULT_WORKSPACE_ID);

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

/// Builds the pool. Connections are opened lazily, so this succeeds while the database is down;
/// requests then fail fast with 503 instead of hanging.
/// A pool for commands (migrations, seeding, user administration): statements may run long.
pub fn build_pool(database_url: &str, size: usize) -> anyhow::Result<DbPool> {
    pool(database_url, size, None, PRIMARY_WAITS)
}

/// The server's pool: every statement is cancelled past `STATEMENT_TIMEOUT_SECS`.
pub fn build_server_pool(config: &crate::config::Config) -> anyhow::Result<DbPool> {
    server_pool(config, config.db_pool_size)
}

/// A pool of `size` connections with the server's settings.
fn server_pool(config: &crate::config::Config, size: usize) -> anyhow::Result<DbPool> {
    pool(
        &config.database_url,
        size,
        Some(config.timeouts.statement),
        PRIMARY_WAITS,
    )
}

/// How many connections background work has beside the requests' `requests`: half as many, at
/// least one.
pub fn background_pool_size(requests: usize) -> usize {
    (requests / 2).max(1)
}

/// The pool background work draws from (see [`crate::state::AppState::background_conn`]), with
/// the requests' settings and `background_pool_size` connections, opened when first needed.
pub fn build_background_pool(config: &crate::config::Config) -> anyhow::Result<DbPool> {
    server_pool(config, background_pool_size(config.db_pool_size))
}

/// How long a checkout may wait for a free connection, and for a new one to open.
struct Waits {
    checkout: Duration,
    open: Duration,
    /// Check each connection with a round trip before handing it out.
    verified: bool,
}

const PRIMARY_WAITS: Waits = Waits {
    checkout: Duration::from_secs(5),
    open: Duration::from_secs(3),
    verified: false,
};

/// The pool of a read replica: it gives up sooner, since the primary can always answer instead,
/// and checks a connection before handing it out, so that a replica gone down sends reads to the
/// primary rather than failing them on a dead connection.
pub fn replica_pool(url: &str, size: usize, statement_timeout: Duration) -> anyhow::Result<DbPool> {
    pool(
        url,
        size,
        Some(statement_timeout),
        Waits {
            checkout: Duration::from_millis(500),
            open: Duration::from_secs(1),
            verified: true,
        },
    )
}

fn pool(database_url: &str, size: usize, statement_timeout: Option<Duration>, waits: Waits) -> anyhow::Result<DbPool> {
    // Connections are not pinged on every checkout (that was one extra round trip per request);
    // one that the database closed fails its next statement, answers 503 and is discarded.
    let mut config = ManagerConfig::default();
    config.recycling_method = if waits.verified {
        RecyclingMethod::Verified
    } else {
        RecyclingMethod::Fast
    };
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        with_session_defaults(database_url, statement_timeout),
        config,
    );
    let pool = Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(waits.checkout))
        .create_timeout(Some(waits.open))
        .recycle_timeout(Some(Duration::from_secs(2)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()?;
    Ok(pool)
}

/// The connection string with the server settings every session of the application uses, sent at
/// connection time (no extra statement): JIT compilation off — for the dashboard's aggregates it
/// cost 30–40 ms per statement to save a few, and no request here runs long enough to win it
/// back —, text-search and trigram indexes' pending lists merged once they hold 512 kB (a search
/// scans the whole list; bulk writes raise it for their transaction:
/// `search::store::defer_index_merges`) and, for the server, a statement timeout. Options the
/// URL sets itself come after ours, so they win; a keyword/value connection string that sets
/// `options` is left as it is.
pub fn with_session_defaults(database_url: &str, statement_timeout: Option<Duration>) -> String {
    let mut ours = vec!["-c jit=off".to_owned(), "-c gin_pending_list_limit=512".to_owned()];
    if let Some(t) = statement_timeout {
        ours.push(format!("-c statement_timeout={}", t.as_millis().max(1)));
    }
    let ours = ours.join(" ");
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        let encoded = ours.replace(' ', "%20").replace('=', "%3D");
        if let Some(at) = database_url.find("options=") {
            let (head, tail) = database_url.split_at(at + "options=".len());
            return format!("{head}{encoded}%20{tail}");
        }
        let sep = if database_url.contains('?') { '&' } else { '?' };
        format!("{database_url}{sep}options={encoded}")
    } else if database_url.contains("options=") {
        database_url.to_owned()
    } else {
        format!("{database_url} options='{ours}'")
    }
}

/// Applies pending embedded migrations; returns the versions it applied.
pub async fn run_migrations(database_url: &str) -> anyhow::Result<Vec<String>> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e: ConnectionError| anyhow::anyhow!("cannot connect to the database: {e}"))?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        Ok(applied.iter().map(|v| v.to_string()).collect())
    })
    .await?
}

/// True when every embedded migration has been applied.
pub async fn migrations_applied(database_url: &str) -> anyhow::Result<bool> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<bool> {
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)?;
        let pending = conn
            .pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("cannot read migration state: {e}"))?;
        Ok(pending.is_empty())
    })
    .await?
}

/// How many migrations the database has applied, and how many embedded ones it still lacks.
pub async fn migration_state(conn: &mut diesel_async::AsyncPgConnection) -> crate::error::AppResult<(usize, usize)> {
    use diesel::migration::MigrationSource;
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let applied: Vec<Version> = diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
        .load(conn)
        .await?;
    let embedded = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .map_err(|e| crate::error::AppError::internal(anyhow::anyhow!("{e}")))?;
    let applied: std::collections::HashSet<String> = applied.into_iter().map(|v| v.version).collect();
    let pending = embedded
        .iter()
        .filter(|m| !applied.contains(&m.name().version().to_string()))
        .count();
    Ok((applied.len(), pending))
}

/// Outcome of a conditional write (one guarded by a version and/or state).
pub enum WriteOutcome<R> {
    Written(Box<R>),
    /// The row exists, in the right state, but is at another version.
    Stale(i32),
    /// The row exists but is in the trash.
    Trashed,
    /// The row was merged into this one (contacts and companies), which stands for it now.
    Merged(uuid::Uuid),
    Missing,
}

impl<R> WriteOutcome<R> {
    /// What a write at an expected version returned: its row, else — the row's `current`
    /// version, awaited only then — stale when the row is there, missing when it is not.
    pub async fn versioned(
        written: Option<R>,
        current: impl std::future::Future<Output = diesel::QueryResult<Option<i32>>>,
    ) -> diesel::QueryResult<Self> {
        Ok(match written {
            Some(row) => WriteOutcome::Written(Box::new(row)),
            None => match current.await? {
                Some(version) => WriteOutcome::Stale(version),
                None => WriteOutcome::Missing,
            },
        })
    }

    /// The written row, else 412 (stale version) or 404 naming `what` ("the deal"), with the
    /// code `trashed` when the row is in the trash.
    pub fn into_result(self, what: &str) -> crate::error::AppResult<R> {
        match self {
            WriteOutcome::Written(row) => Ok(*row),
            WriteOutcome::Stale(v) => Err(crate::error::AppError::version_conflict(v)),
            WriteOutcome::Trashed => Err(crate::error::AppError::trashed(what)),
            WriteOutcome::Merged(survivor) => Err(crate::error::AppError::merged(what, survivor)),
            WriteOutcome::Missing => Err(crate::error::AppError::not_found(what)),
        }
    }
}

/// The row `id` of the workspace, at the `expected` version (any version when `None`).
#[doc(hidden)]
#[macro_export]
macro_rules! versioned_target {
    ($table:ident, $workspace:expr, $id:expr, $expected:expr) => {
        $table::table
            .filter($table::workspace_id.eq($workspace))
            .filter($table::id.eq($id))
            .filter(
                $table::version
                    .eq($expected.unwrap_or(0))
                    .or($expected.is_none().into_sql::<diesel::sql_types::Bool>()),
            )
    };
}

/// Writes the versioned `update` and `delete` of a store (and their `outcome`) for a table with
/// `workspace_id`, `id`, `version` and `updated_at` columns; the store must have `find`.
/// A write succeeds only at the `expected` version (any version when `None`); otherwise the
/// outcome says whether the row is stale or missing.
#[macro_export]
macro_rules! versioned_writes {
    ($table:ident, $row:ty, $changeset:ty) => {
        pub async fn update(
            conn: &mut diesel_async::AsyncPgConnection,
            workspace: $crate::db::WorkspaceId,
            id: uuid::Uuid,
            changes: &$changeset,
            expected: Option<i32>,
        ) -> diesel::QueryResult<$crate::db::WriteOutcome<$row>> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            let target = $crate::versioned_target!($table, workspace, id, expected);
            let updated = diesel::update(target)
                .set((
                    changes,
                    $table::version.eq($table::version + 1),
                    $table::updated_at.eq(chrono::Utc::now()),
                ))
                .returning(<$row>::as_returning())
                .get_result(conn)
                .await
                .optional()?;
            outcome(conn, workspace, id, updated).await
        }

        pub async fn delete(
            conn: &mut diesel_async::AsyncPgConnection,
            workspace: $crate::db::WorkspaceId,
            id: uuid::Uuid,
            expected: Option<i32>,
        ) -> diesel::QueryResult<$crate::db::WriteOutcome<$row>> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            let target = $crate::versioned_target!($table, workspace, id, expected);
            let deleted = diesel::delete(target)
                .returning(<$row>::as_returning())
                .get_result(conn)
                .await
                .optional()?;
            outcome(conn, workspace, id, deleted).await
        }

        async fn outcome(
            conn: &mut diesel_async::AsyncPgConnection,
            workspace: $crate::db::WorkspaceId,
            id: uuid::Uuid,
            written: Option<$row>,
        ) -> diesel::QueryResult<$crate::db::WriteOutcome<$row>> {
            $crate::db::WriteOutcome::versioned(written, async {
                Ok(find(conn, workspace, id).await?.map(|r| r.version))
            })
            .await
        }
    };
}

/// The newest applied migration's version (`20261202000006`), for naming backups.
pub async fn schema_version(conn: &mut AsyncPgConnection) -> diesel::QueryResult<String> {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct V {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let v: V = diesel::sql_query("SELECT coalesce(max(version), '0') AS version FROM __diesel_schema_migrations")
        .get_result(conn)
        .await?;
    Ok(v.version)
}

/// How many tables the database's `public` schema holds (0: a new, empty database).
pub async fn table_count(conn: &mut AsyncPgConnection) -> diesel::QueryResult<i64> {
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query("SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'")
        .get_result(conn)
        .await?;
    Ok(n.n)
}

/// Escapes `%`, `_` and `\` so user text is matched literally inside a LIKE pattern.
pub fn like_contains(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::{like_contains, with_session_defaults};

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_contains("ab"), "%ab%");
        assert_eq!(like_contains("50%_off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn sessions_run_without_jit_with_short_pending_lists_and_a_statement_timeout_unless_the_url_says_otherwise() {
        let secs = Some(std::time::Duration::from_secs(30));
        assert_eq!(
            with_session_defaults("postgres://u@h:5432/db", None),
            "postgres://u@h:5432/db?options=-c%20jit%3Doff%20-c%20gin_pending_list_limit%3D512"
        );
        assert_eq!(
            with_session_defaults("postgresql://u@h/db?sslmode=require", secs),
            "postgresql://u@h/db?sslmode=require&options=-c%20jit%3Doff%20-c%20gin_pending_list_limit%3D512%20-c%20statement_timeout%3D30000"
        );
        assert_eq!(
            with_session_defaults("host=h dbname=db", secs),
            "host=h dbname=db options='-c jit=off -c gin_pending_list_limit=512 -c statement_timeout=30000'"
        );
        // The URL's own options follow ours, so they win.
        assert_eq!(
            with_session_defaults("postgres://u@h/db?options=-c%20jit%3Don", None),
            "postgres://u@h/db?options=-c%20jit%3Doff%20-c%20gin_pending_list_limit%3D512%20-c%20jit%3Don"
        );
        let own = "host=h options='-c jit=on'";
        assert_eq!(with_session_defaults(own, secs), own);
    }
}
