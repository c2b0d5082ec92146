//! The `rapport` command: `serve` (default), `migrate`, `seed --demo [--if-empty]`,
//! `seed --dataset [sizes]`, `user …`, `token create …`, `openapi`.

use std::process::ExitCode;

use actix_web::HttpServer;
use rapport::config::{Config, LogFormat};
use rapport::state::AppState;
use rapport::{dataset, db, demo};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc: 8–17 % less of the server's CPU per contact list page
/// (other answers about the same; docs/performance.md, "Figures of 2026-12-07").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_arena_max_object_size` of mimalloc 3's `mi_option_t`, for which libmimalloc-sys
/// has no constant (the test below checks that the enum is still the one it was read from).
const MI_OPTION_ARENA_MAX_OBJECT_SIZE: libmimalloc_sys::mi_option_t = 45;

/// Blocks over 1 MiB (a password hash takes 19 MiB) are mapped from the system on their own and
/// returned to it when freed. Kept in mimalloc's arenas, eight sign-ins a second left the server
/// 25 MB larger; with glibc (`M_MMAP_THRESHOLD` at 1 MiB, before mimalloc), 80 sign-ins had left
/// 540 MiB resident without it and 32 MiB with it.
fn return_large_allocations() {
    // SAFETY: sets an option's value; mimalloc reads options on every decision they govern.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_MAX_OBJECT_SIZE, 1024) } // in KiB
}

const USAGE: &str =
    "usage: rapport [serve | migrate | seed --demo [--if-empty] | seed --dataset [sizes] | user … | token … | backup | restore FILE | openapi]

  serve      apply migrations and serve the API, /docs and the web app (default)
  migrate    apply pending database migrations and exit
  seed       --demo loads demo contacts (--if-empty: only into an empty workspace)
             --dataset loads the benchmark dataset into an empty workspace; sizes default to
             --contacts 100000 --companies 10000 --interactions 1000000 --deals 20000 --seed 42
  user       reset-password EMAIL: sets a new password (read from RAPPORT_PASSWORD, else generated
             and printed) and ends the user's sessions
             ensure EMAIL NAME: creates or updates an account with the password in RAPPORT_PASSWORD,
             owner of the first workspace (--role admin|member|read_only for another role)
  token      create EMAIL NAME [--scope read|write]: prints a new API token of that user for the
             first workspace they joined (default scope write)
  backup     [--dir DIR] [--keep N]: writes a consistent backup (pg_dump, custom format) named
             rapport-<time>-v<schema version>.dump into BACKUP_DIR (default .data/backups) and
             keeps the newest BACKUP_KEEP (default 7)
  restore    FILE [--force]: restores a backup into the (empty) database of DATABASE_URL in one
             transaction; --force replaces the contents of a database that is not empty
  openapi    print the OpenAPI document (what /api/openapi.json serves)

Configuration comes from the environment; see README.md.";

fn init_logging(config: &Config) {
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    match config.log_format {
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).init(),
        LogFormat::Text => builder.init(),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let applied = db::run_migrations(&config.database_url).await?;
    if !applied.is_empty() {
        tracing::info!(count = applied.len(), "applied database migrations");
    }
    let pool = db::build_server_pool(&config)?;
    print_setup_code(&pool).await;
    rapport::accounts::password::warm_up();
    let bind = config.bind_addr;
    let workers = config.http_workers;
    let grace = config.shutdown_grace_secs;
    let timeouts = config.timeouts;
    tracing::info!(%bind, pool = config.db_pool_size, workers, spa = ?config.static_dir, "Rapport is listening on http://{bind} (API docs at /docs)");
    spawn_housekeeping(pool.clone());
    let state = AppState::new(pool, config);
    state.listen_for_credential_changes();
    state.watch_replica();
    spawn_hit_flusher(state.clone());
    // Background jobs (and the daily backup of BACKUP_SCHEDULE).
    rapport::jobs::spawn(state.clone());
    rapport::webhooks::spawn(state.clone());
    rapport::mail::spawn(state.clone());
    let app_state = state.clone();
    // SIGTERM or Ctrl-C: stop accepting, let requests in flight finish (up to the grace), then
    // write what is kept in memory and close the database connections.
    HttpServer::new(move || rapport::app(app_state.clone()))
        .workers(workers)
        .shutdown_timeout(grace)
        .client_request_timeout(timeouts.header)
        .bind(bind)?
        .run()
        .await?;
    flush_hits(&state).await;
    state.pool.close();
    tracing::info!("stopped");
    Ok(())
}

/// Writes the AI answer cache's hit counts every few seconds (hits are counted in memory so
/// that a cache hit is a pure read).
fn spawn_hit_flusher(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            every.tick().await;
            flush_hits(&state).await;
        }
    });
}

async fn flush_hits(state: &AppState) {
    let Ok(mut conn) = state.pool.get().await else {
        return;
    };
    if let Err(e) = rapport::ai::cache::flush_hits(state, &mut conn).await {
        tracing::warn!(error = %e, "could not record AI cache hits");
    }
}

/// On a server without any account, a one-time code that the first person must type to create
/// theirs (so the first stranger to reach a fresh server cannot become its owner).
async fn print_setup_code(pool: &db::DbPool) {
    let Ok(mut conn) = pool.get().await else {
        return;
    };
    match rapport::accounts::service::setup_code_if_needed(&mut conn, chrono::Utc::now()).await {
        Ok(Some(code)) => {
            tracing::warn!(
                "No account exists yet. Open the web app and create the first one with the setup code {code}"
            );
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not create a setup code"),
    }
}

/// Hourly chores that keep tables from growing without bound.
fn spawn_housekeeping(pool: db::DbPool) {
    actix_web::rt::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            let Ok(mut conn) = pool.get().await else {
                continue;
            };
            match db::idempotency::purge_expired(&mut conn).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired idempotency keys removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not remove expired idempotency keys"),
            }
            match rapport::accounts::service::purge(&mut conn, chrono::Utc::now()).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions and old failed sign-ins removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
            }
        }
    });
}

async fn seed(config: Config, args: &[String]) -> anyhow::Result<()> {
    let dataset = args.iter().any(|a| a == "--dataset");
    if !dataset && !args.iter().any(|a| a == "--demo") {
        anyhow::bail!("seed needs --demo or --dataset\n\n{USAGE}");
    }
    let sizes = if dataset {
        Some(dataset::parse_args(args)?)
    } else {
        None
    };
    db::run_migrations(&config.database_url).await?;
    let pool = db::build_pool(&config.database_url, 1)?;
    let mut conn = pool
        .get()
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
    let workspace = db::DEFAULT_WORKSPACE;
    if let Some((sizes, seed)) = sizes {
        if !demo::is_empty(&mut conn, workspace).await? {
            anyhow::bail!("the workspace already has contacts: load the dataset into an empty database");
        }
        println!("Loading the dataset ({sizes:?}, seed {seed}):");
        return dataset::load(&mut conn, workspace, sizes, seed).await;
    }
    if args.iter().any(|a| a == "--if-empty") && !demo::is_empty(&mut conn, workspace).await? {
        println!("The workspace already has contacts; demo data not loaded.");
        return Ok(());
    }
    let n = demo::load(&mut conn, workspace).await?;
    println!("Loaded {n} demo contacts.");
    Ok(())
}

async fn connect(config: &Config) -> anyhow::Result<db::DbConn> {
    db::run_migrations(&config.database_url).await?;
    let pool = db::build_pool(&config.database_url, 1)?;
    pool.get()
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// `rapport user reset-password EMAIL` and `rapport user ensure EMAIL NAME [--role ROLE]`.
async fn user(config: Config, args: &[String]) -> anyhow::Result<()> {
    use rapport::accounts::{dto::Role, secret, service};
    let now = chrono::Utc::now();
    let mut conn = connect(&config).await?;
    let from_env = std::env::var("RAPPORT_PASSWORD").ok().filter(|p| !p.is_empty());
    match (args.first().map(String::as_str), args.get(1), args.get(2)) {
        (Some("reset-password"), Some(email), _) => {
            let generated = from_env.is_none();
            let password = from_env.unwrap_or_else(secret::random_secret);
            if !service::reset_password(&mut conn, email, password.clone(), now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                anyhow::bail!("no account has the email {email}");
            }
            if generated {
                println!("New password for {email}: {password}");
            } else {
                println!("The password of {email} was changed.");
            }
            println!("Their sessions have ended.");
            Ok(())
        }
        (Some("ensure"), Some(email), Some(name)) => {
            let password = from_env.ok_or_else(|| anyhow::anyhow!("set RAPPORT_PASSWORD to the account's password"))?;
            let role: Role = flag(args, "--role")
                .unwrap_or("owner")
                .parse()
                .map_err(|e: String| anyhow::anyhow!("--role {e}"))?;
            service::ensure_user(&mut conn, email, name, password, db::DEFAULT_WORKSPACE, role, now)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{email} can sign in ({}).", role.as_str());
            Ok(())
        }
        _ => anyhow::bail!("usage: rapport user reset-password EMAIL | rapport user ensure EMAIL NAME [--role ROLE]"),
    }
}

/// `rapport token create EMAIL NAME [--scope read|write]`: prints the token.
async fn token(config: Config, args: &[String]) -> anyhow::Result<()> {
    use rapport::accounts::{dto::TokenScope, service, store};
    let (Some("create"), Some(email), Some(name)) = (args.first().map(String::as_str), args.get(1), args.get(2)) else {
        anyhow::bail!("usage: rapport token create EMAIL NAME [--scope read|write]");
    };
    let scope: TokenScope = flag(args, "--scope")
        .unwrap_or("write")
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--scope {e}"))?;
    let mut conn = connect(&config).await?;
    let user = store::find_user_by_email(&mut conn, &service::normalise_email(email))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account has the email {email}"))?;
    let workspace = store::memberships_of(&mut conn, user.id)
        .await?
        .first()
        .map(|(id, _, _)| rapport::db::WorkspaceId::checked(*id))
        .ok_or_else(|| anyhow::anyhow!("{email} is not a member of any workspace"))?;
    let secret = service::issue_token(&mut conn, user.id, workspace, name, scope, chrono::Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{secret}");
    Ok(())
}

async fn backup(config: Config, args: &[String]) -> anyhow::Result<()> {
    let dir = flag(args, "--dir")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| config.backups.dir.clone());
    let keep = match flag(args, "--keep") {
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| anyhow::anyhow!("--keep must be a whole number of at least 1, not {n:?}"))?,
        None => config.backups.keep,
    };
    // No migrations here: a backup records the database as it is.
    let pool = db::build_pool(&config.database_url, 1)?;
    let mut conn = pool
        .get()
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
    let version = db::schema_version(&mut conn).await?;
    drop(conn);
    let started = std::time::Instant::now();
    let url = config.database_url.clone();
    let file = tokio::task::spawn_blocking(move || rapport::backup::backup(&url, &dir, keep, &version)).await??;
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!(
        "Backed up to {} ({:.1} MiB in {:.1} s).",
        file.display(),
        size as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn restore(config: Config, args: &[String]) -> anyhow::Result<()> {
    let Some(file) = args.iter().find(|a| !a.starts_with("--")).map(std::path::PathBuf::from) else {
        anyhow::bail!("usage: rapport restore FILE [--force]");
    };
    let force = args.iter().any(|a| a == "--force");
    let checked = file.clone();
    tokio::task::spawn_blocking(move || rapport::backup::check_archive(&checked)).await??;
    let pool = db::build_pool(&config.database_url, 1)?;
    let mut conn = pool
        .get()
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to the database: {e}"))?;
    let tables = db::table_count(&mut conn).await?;
    drop(conn);
    if tables > 0 && !force {
        anyhow::bail!(
            "the database is not empty ({tables} tables); restore into a new database, or pass --force to replace its contents"
        );
    }
    let started = std::time::Instant::now();
    let url = config.database_url.clone();
    let source = file.clone();
    tokio::task::spawn_blocking(move || rapport::backup::restore(&url, &source, tables > 0)).await??;
    println!(
        "Restored {} in {:.1} s.",
        file.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn run(args: Vec<String>) -> anyhow::Result<()> {
    let command = args.first().map(String::as_str).unwrap_or("serve");
    if command == "openapi" {
        println!("{}", rapport::api_doc().to_pretty_json()?);
        return Ok(());
    }
    if matches!(command, "-h" | "--help" | "help") {
        println!("{USAGE}");
        return Ok(());
    }
    let config = Config::from_env()?;
    init_logging(&config);
    match command {
        "serve" => serve(config).await,
        "migrate" => {
            let applied = db::run_migrations(&config.database_url).await?;
            println!("Applied {} migrations.", applied.len());
            Ok(())
        }
        "seed" => seed(config, &args[1..]).await,
        "user" => user(config, &args[1..]).await,
        "token" => token(config, &args[1..]).await,
        "backup" => backup(config, &args[1..]).await,
        "restore" => restore(config, &args[1..]).await,
        other => anyhow::bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    return_large_allocations();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    /// [`super::MI_OPTION_ARENA_MAX_OBJECT_SIZE`] was read from an enum of 47 options: a
    /// mimalloc whose options moved must have it read again.
    #[test]
    fn the_allocator_options_are_numbered_as_read() {
        assert_eq!(libmimalloc_sys::_mi_option_last, 47);
        let kib = super::MI_OPTION_ARENA_MAX_OBJECT_SIZE;
        super::return_large_allocations();
        // SAFETY: reads an option's value.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(kib) }, 1024);
    }
}
