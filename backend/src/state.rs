//! Shared application state handed to every handler as `web::Data<AppState>`.

use std::sync::Arc;

use crate::config::Config;
use crate::db::{DbConn, DbPool};
use crate::error::AppResult;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub ai: Arc<crate::ai::Runtime>,
    /// Answers computed at the workspace's current data (dashboard, board, follow-ups, AI cache
    /// keys), reused until it changes.
    pub fresh: Arc<crate::db::fresh::Fresh>,
    /// What session cookies and API tokens stand for, kept while the database says nothing
    /// changed (see [`crate::accounts::credentials`]).
    pub credentials: Arc<crate::accounts::credentials::CredentialCache>,
    /// Request budgets per credential or address (see [`crate::http::rate_limit`]).
    pub limiter: Arc<crate::http::rate_limit::Limiter>,
    /// The client for calls to user-given addresses (webhook deliveries): guarded resolution,
    /// no redirects (see [`crate::net`]).
    pub outbound: reqwest::Client,
    /// The live event hub, started by the first event stream (see [`crate::events`]).
    pub live: Arc<tokio::sync::OnceCell<crate::events::Hub>>,
    /// Connections background work (the job worker, webhook dispatch and deliveries, emails, the
    /// live event hub) may hold at once: as many as its own pool has. Work waits here, for as long
    /// as it takes, rather than in the pool's checkout, which gives up after a few seconds.
    pub background: Arc<tokio::sync::Semaphore>,
    /// Background work's own connections, half as many as the requests' pool (at least one): an
    /// import writing two batches at once or a burst of deliveries never holds a connection a
    /// request is waiting for.
    pub background_pool: DbPool,
    /// The read replica of `DATABASE_REPLICA_URL`, if any (see [`crate::db::replica`]).
    pub replica: Option<Arc<crate::db::replica::Replica>>,
    /// How many requests this instance is answering (see [`crate::http::load`]).
    pub load: Arc<crate::http::load::Load>,
}

/// A connection held by background work, from its own pool (see
/// [`AppState::background_conn`]).
pub struct BackgroundConn {
    conn: DbConn,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl std::ops::Deref for BackgroundConn {
    type Target = DbConn;
    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for BackgroundConn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

impl AppState {
    pub fn new(pool: DbPool, config: Config) -> Self {
        let outbound = crate::net::guarded_client(config.outbound.allow_private, config.outbound.timeout);
        let background_size = crate::db::background_pool_size(config.db_pool_size);
        let background = Arc::new(tokio::sync::Semaphore::new(background_size));
        let background_pool = crate::db::build_background_pool(&config).unwrap_or_else(|e| {
            tracing::error!(error = %e, "background work shares the requests' pool");
            pool.clone()
        });
        let replica = config.replica.as_ref().and_then(|r| {
            crate::db::replica::Replica::new(r, config.db_pool_size, config.timeouts.statement)
                .map_err(|e| tracing::error!(error = %e, "the read replica is not used"))
                .ok()
                .map(Arc::new)
        });
        AppState {
            replica,
            background,
            background_pool,
            outbound,
            pool,
            config: Arc::new(config),
            ai: Arc::new(crate::ai::Runtime::new()),
            fresh: Arc::new(crate::db::fresh::Fresh::default()),
            credentials: Arc::default(),
            limiter: Arc::default(),
            live: Arc::default(),
            load: Arc::default(),
        }
    }

    /// Starts listening for credential changes, which turns the credential cache on.
    pub fn listen_for_credential_changes(&self) {
        crate::accounts::credentials::listen(self.credentials.clone(), self.config.database_url.clone());
    }

    /// A pooled connection, or 503 when the database cannot be reached in time.
    pub async fn conn(&self) -> AppResult<DbConn> {
        Ok(self.pool.get().await?)
    }

    /// A connection for a heavy read of the workspace (a list, a search, the dashboard, an
    /// export): the read replica's when it has the writes the read must see (up to `after`, and
    /// this instance's of the workspace) and is not too far behind, else the primary's.
    pub async fn read_conn(
        &self,
        workspace: crate::db::WorkspaceId,
        after: Option<crate::db::replica::Lsn>,
    ) -> AppResult<DbConn> {
        use std::sync::atomic::Ordering::Relaxed;
        let Some(replica) = &self.replica else {
            return self.conn().await;
        };
        let route = replica.route(workspace, after, chrono::Utc::now());
        match replica.conn(route).await {
            Some(conn) => {
                replica.served.replica.fetch_add(1, Relaxed);
                Ok(conn)
            }
            None => {
                replica.served.primary.fetch_add(1, Relaxed);
                self.conn().await
            }
        }
    }

    /// Starts noting the replica's lag, once a second (see [`crate::db::replica`]).
    pub fn watch_replica(&self) {
        if let Some(replica) = &self.replica {
            crate::db::replica::spawn(replica.clone(), self.pool.clone());
        }
    }

    /// A connection for background work, from its own pool: it waits for one of those, never
    /// for a request's, so that a burst of deliveries or a long import never leaves requests
    /// without one.
    pub async fn background_conn(&self) -> AppResult<BackgroundConn> {
        let permit = self
            .background
            .clone()
            .acquire_owned()
            .await
            .map_err(crate::error::AppError::internal)?;
        Ok(BackgroundConn {
            conn: self.background_pool.get().await?,
            _permit: permit,
        })
    }

    /// A connection for background work if its pool has one free now.
    pub async fn try_background_conn(&self) -> Option<BackgroundConn> {
        let permit = self.background.clone().try_acquire_owned().ok()?;
        let conn = self.background_pool.get().await.ok()?;
        Some(BackgroundConn { conn, _permit: permit })
    }
}
