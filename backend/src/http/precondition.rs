//! Optimistic concurrency over HTTP: every object's `version` is its ETag, and `If-Match` on a
//! write makes a stale write fail with 412 instead of silently overwriting someone's change.

use actix_web::http::header::{self, ETag, EntityTag};
use actix_web::{HttpRequest, HttpResponse};

use crate::error::AppError;

/// What `If-Match` accepts: `*`, or one entity tag (`"3"`, `W/"3"`; RFC 9110 §8.8.3), or a bare
/// version number (`3`). The OpenAPI document states it as the header's pattern.
pub const IF_MATCH_PATTERN: &str = r#"^\s*(\*|(W/)?"[\x21\x23-\x7E]*"|[0-9]{1,9})\s*$"#;

/// A version no record ever has: a precondition that cannot hold.
const NO_VERSION: i32 = -1;

fn invalid_if_match() -> AppError {
    AppError::bad_request(
        "invalid_if_match",
        "If-Match must be * or the record's ETag, e.g. \"3\" (its version)",
    )
}

/// One entity tag at the start of `s`: (weak, opaque value, rest).
fn entity_tag(s: &str) -> Option<(bool, &str, &str)> {
    let s = s.trim_start();
    let (weak, s) = match s.strip_prefix("W/") {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let s = s.strip_prefix('"')?;
    let end = s.find('"')?;
    let value = &s[..end];
    if !value.bytes().all(|b| b == 0x21 || (0x23..=0x7E).contains(&b)) {
        return None;
    }
    Some((weak, value, &s[end + 1..]))
}

/// The version the client expects, from `If-Match`; `*` or no header means "any".
///
/// Comparison is strong, as RFC 9110 asks for `If-Match`: a weak tag, or a tag that is not one
/// of our versions, never matches — the write then answers 412 (or 404 when there is no such
/// record), not 400. A field that is not `*` or one entity tag is a 400.
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, AppError> {
    let Some(raw) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = raw.to_str().map_err(|_| invalid_if_match())?.trim();
    if text == "*" {
        return Ok(None);
    }
    if !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(Some(text.parse().map_err(|_| invalid_if_match())?));
    }
    let (weak, value, rest) = entity_tag(text).ok_or_else(invalid_if_match)?;
    if !rest.trim().is_empty() {
        return Err(invalid_if_match());
    }
    Ok(Some(match value.parse::<i32>() {
        Ok(v) if !weak && v >= 0 => v,
        _ => NO_VERSION,
    }))
}

/// Maps a stale write to its status: 412 when `If-Match` was the precondition (RFC 9110), 409
/// when only the body's `version` was (the change conflicts with the record's current state).
pub fn stale_status(req: &HttpRequest) -> impl Fn(AppError) -> AppError {
    // `If-Match: *` is no version: a stale body `version` is then the conflict.
    let by_header = matches!(if_match(req), Ok(Some(_)));
    move |e| {
        if !by_header && e.code() == "version_conflict" {
            e.with_status(actix_web::http::StatusCode::CONFLICT)
        } else {
            e
        }
    }
}

/// Combines `If-Match` with a `version` given in the body; when both are given and disagree, one
/// of them is stale, and the write answers 412.
pub fn expected_version(req: &HttpRequest, body_version: Option<i32>) -> Result<Option<i32>, AppError> {
    match (if_match(req)?, body_version) {
        // Both cannot be the current version: the precondition fails (412).
        (Some(a), Some(b)) if a != b => Ok(Some(NO_VERSION)),
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
