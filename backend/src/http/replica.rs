//! Read-your-writes with a read replica (see [`crate::db::replica`]): a successful write answers
//! with the primary's WAL position after it — the `Rapport-LSN` header, and for a browser session
//! the `rapport_lsn` cookie — and a heavy read that brings it back ([`ReadAfter`]) is served by the
//! replica only once it has replayed that far. Without a replica, nothing is added.

use actix_web::body::MessageBody;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::accounts::service::{Credential, Principal};
use crate::db::replica::{COOKIE, HEADER, Lsn};
use crate::error::AppError;
use crate::state::AppState;

/// The WAL position a read must see, brought by the caller (`Rapport-LSN`, else the cookie).
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadAfter(pub Option<Lsn>);

/// The `Rapport-LSN` header of the reads that may go to the replica.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct ReadAfterParams {
    /// The `Rapport-LSN` of your last write (any write's answer carries it when the server has a
    /// read replica): the answer then includes that write. Without it, the answer may be up to
    /// `REPLICA_MAX_LAG_SECS` old, except for the writes made through the same server. A value
    /// that is not such a position is ignored.
    #[param(rename = "Rapport-LSN", example = "0/3A1C2B8")]
    #[allow(dead_code)]
    rapport_lsn: Option<String>,
}

impl FromRequest for ReadAfter {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(read_after(req))
    }
}

fn read_after(req: &HttpRequest) -> Result<ReadAfter, AppError> {
    // A value that does not read is ignored, like an absent one: the read then sees the writes
    // made through this instance and may otherwise be up to the lag limit old — older, never wrong.
    let header = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<Lsn>().ok());
    let cookie = || req.cookie(COOKIE).and_then(|c| c.value().parse().ok());
    Ok(ReadAfter(header.or_else(cookie)))
}

/// After a successful write of a member, with a replica: the primary's position after it, in the
/// answer and in this instance's memory of the workspace.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let writes = !matches!(*res.request().method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !writes || !res.status().is_success() {
        return Ok(res);
    }
    let Some(state) = res.request().app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res);
    };
    let Some(replica) = state.replica.clone() else {
        return Ok(res);
    };
    let member = {
        let ext = res.request().extensions();
        ext.get::<Principal>().and_then(|p| {
            let (workspace, _) = p.membership().ok()?;
            Some((workspace, matches!(p.credential, Credential::Session { .. })))
        })
    };
    let Some((workspace, browser)) = member else {
        return Ok(res);
    };
    let lsn = match state.conn().await {
        Ok(mut conn) => crate::db::replica::primary_position(&mut conn).await.ok().flatten(),
        Err(_) => None,
    };
    let Some(lsn) = lsn else {
        return Ok(res);
    };
    replica.wrote(workspace, lsn);
    if let Ok(v) = HeaderValue::from_str(&lsn.to_string()) {
        res.headers_mut().insert(HeaderName::from_static(HEADER), v);
    }
    if browser {
        let secs = replica.position_lifetime().num_seconds();
        let cookie = Cookie::build(COOKIE, lsn.to_string())
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(crate::http::auth::is_https(res.request(), &state.config.accounts))
            .path("/api")
            .max_age(actix_web::cookie::time::Duration::seconds(secs))
            .finish();
        if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
            res.headers_mut().append(actix_web::http::header::SET_COOKIE, v);
        }
    }
    Ok(res)
}
