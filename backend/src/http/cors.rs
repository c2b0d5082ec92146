//! Cross-origin access to the API, for the origins in `CORS_ORIGINS` only (none by default): a
//! page on such an origin may call `/api/v1/…` with a bearer token and read the answer. Cookies
//! are never allowed across origins (no `Access-Control-Allow-Credentials`), so a session works
//! on the server's own origin only.

use actix_web::HttpResponse;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;

/// The origins allowed to read the API from a browser.
#[derive(Debug, Clone, Default)]
pub struct CorsOrigins(pub Vec<String>);

const ALLOW_METHODS: &str = "GET, POST, PATCH, PUT, DELETE";
const ALLOW_HEADERS: &str = "Authorization, Content-Type, If-Match, Idempotency-Key";
const EXPOSE_HEADERS: &str =
    "ETag, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, X-Request-Id";
/// Seconds a browser may reuse a preflight answer.
const MAX_AGE: &str = "600";

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let api = req.path().starts_with("/api/v1/") || req.path() == "/api/openapi.json";
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .filter(|o| {
            api && req
                .app_data::<CorsOrigins>()
                .is_some_and(|allowed| allowed.0.iter().any(|a| o.as_bytes() == a.as_bytes()))
        })
        .cloned();
    let Some(origin) = origin else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let mut res = HttpResponse::NoContent().finish();
        let h = res.headers_mut();
        allow(h, origin);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE));
        return Ok(req.into_response(res).map_into_right_body());
    }
    let mut res = next.call(req).await?;
    let h = res.headers_mut();
    allow(h, origin);
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
    Ok(res.map_into_left_body())
}

fn allow(h: &mut HeaderMap, origin: HeaderValue) {
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.append(header::VARY, HeaderValue::from_static("Origin"));
}
