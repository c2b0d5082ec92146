//! `GET /api/health` (the process answers) and `GET /api/ready` (database reachable, schema
//! current) for load balancers, orchestrators and humans.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    #[schema(example = "ok")]
    pub status: String,
    /// The server's version.
    #[schema(example = "0.1.0")]
    pub version: String,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` when the database answers and every migration is applied.
    #[schema(example = "ready")]
    pub status: String,
    /// Number of schema migrations applied.
    #[schema(example = 2)]
    pub migrations: usize,
}

/// Liveness: the process is up and serving HTTP.
#[utoipa::path(tag = "system", responses((status = 200, description = "The server is alive", body = Health)))]
#[get("/api/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// Readiness: the database is reachable and the schema is current.
#[utoipa::path(tag = "system", responses(
    (status = 200, description = "Ready to serve requests", body = Readiness),
    (status = 503, description = "The database is unreachable or migrations are pending", body = Problem, content_type = "application/problem+json"),
))]
#[get("/api/ready")]
pub async fn ready(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let (applied, pending) = crate::db::migration_state(&mut conn).await?;
    if pending > 0 {
        return Err(
            AppError::unavailable(anyhow::anyhow!("{pending} migrations pending")).with_detail(format!(
                "{pending} database migrations are pending; run `rapport migrate`"
            )),
        );
    }
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready".into(),
        migrations: applied,
    }))
}
