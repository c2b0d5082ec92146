//! Optimistic concurrency over HTTP: every object's `version` is its ETag, and `If-Match` on a
//! write makes a stale write fail with 412 instead of silently overwriting someone's change.

use actix_web::http::header::{self, ETag, EntityTag};
use actix_web::{HttpRequest, HttpResponse};

use crate::error::AppError;

/// The version the client expects, from `If-Match` (`"3"`, `W/"3"` or `3`); `*` or no header
/// means "any".
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, AppError> {
    let Some(raw) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = raw.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<i32>().map(Some).map_err(|_| {
        AppError::bad_request(
            "invalid_if_match",
            "If-Match must be the record's ETag, e.g. \"3\" (its version)",
        )
    })
}

/// Combines `If-Match` with a `version` given in the body; they must agree when both are given.
pub fn expected_version(req: &HttpRequest, body_version: Option<i32>) -> Result<Option<i32>, AppError> {
    match (if_match(req)?, body_version) {
        (Some(a), Some(b)) if a != b => Err(AppError::bad_request(
            "conflicting_versions",
            format!("If-Match says version {a} but the body says version {b}"),
        )),
        (a, b) => Ok(a.or(b)),
    }
}

pub fn etag(version: i32) -> ETag {
    ETag(EntityTag::new_strong(version.to_string()))
}

/// `200 OK` with the object as JSON and its version as the `ETag`.
pub fn ok_with_etag<T: crate::http::idempotency::Resource>(value: &T) -> HttpResponse {
    let mut res = HttpResponse::Ok().json(value);
    if let Ok(v) = header::HeaderValue::from_str(&etag(value.version()).to_string()) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}
