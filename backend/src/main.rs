//! The `rapport` command: `serve` (default), `migrate`, `seed --demo [--if-empty]`,
//! `seed --dataset [sizes]`, `openapi`.

use std::process::ExitCode;

use actix_web::HttpServer;
use rapport::config::{Config, LogFormat};
use rapport::state::AppState;
use rapport::{dataset, db, demo};
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: rapport [serve | migrate | seed --demo [--if-empty] | seed --dataset [sizes] | openapi]

  serve      apply migrations and serve the API, /docs and the web app (default)
  migrate    apply pending database migrations and exit
  seed       --demo loads demo contacts (--if-empty: only into an empty workspace)
             --dataset loads the benchmark dataset into an empty workspace; sizes default to
             --contacts 100000 --companies 10000 --interactions 1000000 --deals 20000 --seed 42
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
    let pool = db::build_pool(&config.database_url, config.db_pool_size)?;
    let bind = config.bind_addr;
    let workers = config.http_workers;
    tracing::info!(%bind, pool = config.db_pool_size, workers, spa = ?config.static_dir, "Rapport is listening on http://{bind} (API docs at /docs)");
    spawn_housekeeping(pool.clone());
    let state = AppState::new(pool, config);
    spawn_hit_flusher(state.clone());
    let app_state = state.clone();
    HttpServer::new(move || rapport::app(app_state.clone()))
        .workers(workers)
        .shutdown_timeout(30)
        .bind(bind)?
        .run()
        .await?;
    flush_hits(&state).await;
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
    let workspace = db::DEFAULT_WORKSPACE_ID;
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
        other => anyhow::bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
