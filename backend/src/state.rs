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
}

impl AppState {
    pub fn new(pool: DbPool, config: Config) -> Self {
        AppState {
            pool,
            config: Arc::new(config),
            ai: Arc::new(crate::ai::Runtime::new()),
            fresh: Arc::new(crate::db::fresh::Fresh::default()),
        }
    }

    /// A pooled connection, or 503 when the database cannot be reached in time.
    pub async fn conn(&self) -> AppResult<DbConn> {
        Ok(self.pool.get().await?)
    }
}
