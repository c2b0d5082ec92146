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
}

impl AppState {
    pub fn new(pool: DbPool, config: Config) -> Self {
        let outbound = crate::net::guarded_client(config.outbound.allow_private, config.outbound.timeout);
        AppState {
            outbound,
            pool,
            config: Arc::new(config),
            ai: Arc::new(crate::ai::Runtime::new()),
            fresh: Arc::new(crate::db::fresh::Fresh::default()),
            credentials: Arc::default(),
            limiter: Arc::default(),
            live: Arc::default(),
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
}
