//! Safe defaults on every response — a Content-Security-Policy under which the web app and
//! Swagger UI work, `nosniff`, no referrer to other sites, no framing — and a limit on the
//! size of a request's header fields (431 past 16 KiB).

use actix_web::ResponseError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

use crate::error::AppError;

/// The policy for everything the server sends, unless a response sets its own (the printable
/// proposal does). The web app and Swagger UI load only their own scripts; both set inline
/// styles and use `data:` images (icons), hence those two allowances. API calls go to this
/// origin only; nothing may frame a page.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'";

/// The most bytes of header fields (names, values and separators) a request may carry.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let size: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    let mut res = if size > MAX_HEADER_BYTES {
        let err = AppError::headers_too_large(MAX_HEADER_BYTES);
        req.into_response(err.error_response()).map_into_right_body()
    } else {
        next.call(req).await?.map_into_left_body()
    };
    let headers = res.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // A page that names who may frame it (a form's page) says so in its own policy.
    let framable = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.contains("frame-ancestors") && !p.contains("frame-ancestors 'none'"));
    if !framable {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Ok(res)
}
