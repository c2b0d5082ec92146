//! The API's one error type and its RFC 9457 `application/problem+json` rendering.
//! Client mistakes map to 4xx with a stable snake_case `code`; anything else is logged with its
//! cause and answered with a bare 5xx that names only the request id.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::request_id;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({"field": "name", "code": "length", "message": "must be between 1 and 200 characters long", "params": {"min": 1, "max": 200}}))]
pub struct FieldError {
    /// Path of the offending field or parameter, e.g. `emails[1]` or `limit`.
    #[schema(example = "emails[0]")]
    pub field: String,
    /// What kind of problem it is, stable for programs (a client shows its own words for it):
    /// `required`, `unknown_field`, `wrong_type`, `one_of` (params `choices`), `length` and
    /// `range` (params `min` and/or `max`), `blank`, `email`, `phone`, `url`, `currency`,
    /// `country`, `not_found`, `not_member`, `duplicate`, `invalid` (anything else, said in
    /// `message`), and a few more named by the endpoints that use them.
    #[schema(example = "email")]
    pub code: String,
    /// What is wrong with it, in English words a person can act on.
    #[schema(example = "must be a valid email address")]
    pub message: String,
    /// The numbers and names the code needs to be put in words, e.g. `{"max": 200}`.
    #[serde(skip_serializing_if = "serde_json::Map::is_empty")]
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>, required = false)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl FieldError {
    /// A problem of the general kind `invalid`, explained by its message; a message listing the
    /// accepted values ("must be one of: a, b") makes it a `one_of` with those `choices`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        match message.strip_prefix("must be one of: ") {
            Some(list) => {
                let list = list.split(" (").next().unwrap_or(list);
                let choices: Vec<&str> = list.split(", ").map(str::trim).collect();
                Self::coded(field, "one_of", message.clone()).with_param("choices", choices)
            }
            None => Self::coded(field, "invalid", message),
        }
    }

    /// A problem of a named kind.
    pub fn coded(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
            params: serde_json::Map::new(),
        }
    }

    /// Adds a parameter of the message (`max`, `choices`, …).
    pub fn with_param(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        self.params.insert(name.to_owned(), value.into());
        self
    }
}

/// An RFC 9457 problem document, returned with `Content-Type: application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:rapport:problem:validation_failed",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "1 field is invalid",
    "code": "validation_failed",
    "errors": [{"field": "emails[0]", "code": "email", "message": "must be a valid email address"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:rapport:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The HTTP status phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What happened, for people.
    pub detail: String,
    /// Stable machine-readable code, e.g. `validation_failed`, `not_found`, `version_conflict`.
    pub code: String,
    /// Each invalid field or parameter, when the problem is about input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request's id (also in the `X-Request-Id` header), to quote when reporting a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// With the code `merged`: the record this one was merged into, which stands for it now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survivor_id: Option<uuid::Uuid>,
}

#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Vec<FieldError>,
    cause: Option<anyhow::Error>,
    /// Seconds for `Retry-After` (429).
    retry_after: Option<u64>,
    /// The budget a 429 for too many requests went over (`RateLimit-*` headers).
    rate_limit: Option<Box<crate::http::rate_limit::Decision>>,
    /// With the code `merged`: the record that stands for this one now.
    merged: Option<Box<Merged>>,
}

/// The record a merged one resolves to, and where it is (`Location`, when redirected).
#[derive(Debug)]
struct Merged {
    survivor: uuid::Uuid,
    location: Option<String>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        AppError {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            cause: None,
            retry_after: None,
            rate_limit: None,
            merged: None,
        }
    }

    /// Adds the `RateLimit-*` headers of the budget this 429 went over.
    pub fn with_rate_limit(mut self, decision: crate::http::rate_limit::Decision) -> Self {
        self.rate_limit = Some(Box::new(decision));
        self
    }

    /// 401: no credential, or one that is not (or no longer) valid. Answered with
    /// `WWW-Authenticate: Bearer`.
    pub fn unauthorized(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    /// 403 with code `forbidden`, saying what is needed.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// 403 with a more specific code (`signup_closed`, `cross_site_request`, …).
    pub fn refused(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, detail)
    }

    /// 410: the thing existed but can no longer be used (an expired or used invitation).
    pub fn gone(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, code, detail)
    }

    /// 429 with `Retry-After`.
    pub fn too_many_requests(retry_after_secs: u64, detail: impl Into<String>) -> Self {
        AppError {
            retry_after: Some(retry_after_secs.max(1)),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", detail)
        }
    }

    /// The same problem under a more specific code.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// 422 naming every invalid field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => format!("{}: {}", errors[0].field, errors[0].message),
            n => format!("{n} fields are invalid"),
        };
        AppError {
            errors,
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", detail)
        }
    }

    /// This 422 with one more invalid field, so one answer names every bad parameter.
    pub fn and_invalid(self, more: FieldError) -> Self {
        let mut errors = self.errors;
        errors.push(more);
        Self::validation(errors)
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} was not found"))
    }

    /// The record exists but is in the trash: reads of it and of what hangs under it answer this
    /// unless they ask with `include_trashed=true`; changes answer it until it is restored.
    pub fn trashed(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "trashed",
            format!("{what} is in the trash: restore it first, or read it with include_trashed=true"),
        )
    }

    /// The record was merged into another one (`survivor`), which stands for it now: changes to
    /// it answer 409 naming the survivor; a read of it is redirected there (see [`Self::redirect`]).
    pub fn merged(what: &str, survivor: uuid::Uuid) -> Self {
        let mut e = Self::new(
            StatusCode::CONFLICT,
            "merged",
            format!("{what} was merged into {survivor}, which stands for it now; use that one"),
        );
        e.merged = Some(Box::new(Merged {
            survivor,
            location: None,
        }));
        e
    }

    /// The record this one was merged into, for a `merged` problem.
    pub fn survivor(&self) -> Option<uuid::Uuid> {
        self.merged.as_ref().map(|m| m.survivor)
    }

    /// A `merged` problem answered as `308 Permanent Redirect` to the survivor at
    /// `{collection}/{survivor}` (other problems are unchanged).
    pub fn redirect(mut self, collection: &str) -> Self {
        if let Some(m) = self.merged.as_deref_mut() {
            self.status = StatusCode::PERMANENT_REDIRECT;
            m.location = Some(format!("{collection}/{}", m.survivor));
        }
        self
    }

    /// 422 about the input as a whole (a file that is not a CSV), not one field.
    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    /// What happened, for people.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, detail)
    }

    /// The same problem answered with another status (a stale body `version` is a 409 conflict,
    /// a failed `If-Match` a 412).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn version_conflict(current: i32) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "version_conflict",
            format!(
                "the record was changed by someone else (it is now at version {current}); reload it and apply your change again"
            ),
        )
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the request body is larger than the {} KiB this endpoint accepts",
                limit / 1024
            ),
        )
    }

    /// 408: the body did not arrive in time (a stalled or very slow client).
    pub fn request_timeout(limit: std::time::Duration) -> Self {
        Self::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!(
                "the request body did not arrive within {} s; send it again",
                limit.as_secs_f64()
            ),
        )
    }

    /// 503: a statement ran past the statement timeout and was cancelled (nothing was changed).
    pub fn statement_timeout(cause: impl Into<anyhow::Error>) -> Self {
        AppError {
            cause: Some(cause.into()),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "the database took too long and the request was cancelled without changing anything; try again in a moment",
            )
        }
    }

    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", detail)
    }

    /// 431: the request's header fields are larger than the server reads.
    pub fn headers_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!(
                "the request's header fields are over {} KiB; send fewer or shorter headers",
                limit / 1024
            ),
        )
    }

    pub fn method_not_allowed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", detail)
    }

    pub fn unavailable(cause: impl Into<anyhow::Error>) -> Self {
        AppError {
            cause: Some(cause.into()),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                "the database is unreachable right now; try again in a moment",
            )
        }
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        AppError {
            cause: Some(cause.into()),
            ..Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "something went wrong on our side",
            )
        }
    }

    /// 502: the language model failed or answered something unusable.
    pub fn ai_upstream(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, "ai_upstream_failed", detail)
    }

    /// 504: the language model did not answer in time.
    pub fn ai_timeout(seconds: u64) -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "ai_timeout",
            format!("the language model did not answer within {seconds} s; try again, or raise LLM_TIMEOUT_SECS"),
        )
    }

    /// Replaces the human-readable detail, keeping status and code.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn field_errors(&self) -> &[FieldError] {
        &self.errors
    }

    pub fn to_problem(&self) -> Problem {
        Problem {
            problem_type: format!("urn:rapport:problem:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_owned(),
            errors: self.errors.clone(),
            request_id: request_id::current(),
            survivor_id: self.survivor(),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)?;
        if let Some(cause) = &self.cause {
            write!(f, " ({cause:#})")?;
        }
        Ok(())
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, cause = ?self.cause, "request failed");
        }
        let mut res = HttpResponse::build(self.status);
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            res.insert_header((header::RETRY_AFTER, HeaderValue::from_static("2")));
        }
        if let Some(location) = self.merged.as_ref().and_then(|m| m.location.as_deref()) {
            res.insert_header((header::LOCATION, location));
        }
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let Some(d) = self.rate_limit.as_deref() {
            res.insert_header(("ratelimit-limit", d.limit.to_string()));
            res.insert_header(("ratelimit-remaining", d.remaining.to_string()));
            res.insert_header(("ratelimit-reset", d.reset.to_string()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = match self.code {
                "unauthenticated" => "Bearer realm=\"rapport\"",
                _ => "Bearer realm=\"rapport\", error=\"invalid_token\"",
            };
            res.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge)));
        }
        res.body(serde_json::to_vec(&self.to_problem()).unwrap_or_default())
    }
}

impl From<DieselError> for AppError {
    fn from(err: DieselError) -> Self {
        match &err {
            DieselError::NotFound => AppError::not_found("the record"),
            DieselError::DatabaseError(kind, info) => match kind {
                DatabaseErrorKind::UniqueViolation => AppError::conflict(
                    "already_exists",
                    format!(
                        "a record with the same {} already exists",
                        constraint_subject(info.constraint_name())
                    ),
                ),
                DatabaseErrorKind::ForeignKeyViolation => {
                    let mut e = AppError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_reference",
                        "a referenced record does not exist",
                    );
                    // `<table>_<column>_fkey` names the field that points nowhere (in this workspace).
                    if let Some(field) = info
                        .constraint_name()
                        .zip(info.table_name())
                        .and_then(|(c, t)| c.strip_prefix(t)?.strip_prefix('_')?.strip_suffix("_fkey"))
                    {
                        let (code, message) = if field == "owner_id" || field == "assignee_id" {
                            ("not_member", "is not a member of this workspace")
                        } else {
                            ("not_found", "does not exist in this workspace")
                        };
                        e.detail = format!("{field}: {message}");
                        e.errors = vec![FieldError::coded(field, code, message)];
                    }
                    e
                }
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => {
                    AppError::unavailable(err)
                }
                _ if is_connection_loss(info.message()) => AppError::unavailable(err),
                _ if info
                    .message()
                    .starts_with("canceling statement due to statement timeout") =>
                {
                    AppError::statement_timeout(err)
                }
                _ => AppError::internal(err),
            },
            _ => AppError::internal(err),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
    fn from(err: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        AppError::unavailable(err)
    }
}

fn constraint_subject(constraint: Option<&str>) -> &'static str {
    match constraint {
        Some(c) if c.contains("name") => "name",
        Some(c) if c.contains("email") => "email",
        _ => "key",
    }
}

/// Server-side terminations (restart, failover) surface as ordinary database errors.
fn is_connection_loss(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("terminating connection") || m.contains("connection closed") || m.contains("the database system is")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_detail_names_the_single_field() {
        let e = AppError::invalid_field("limit", "must be between 1 and 200");
        let p = e.to_problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.code, "validation_failed");
        assert_eq!(p.detail, "limit: must be between 1 and 200");
        assert_eq!(p.problem_type, "urn:rapport:problem:validation_failed");
    }

    #[test]
    fn a_list_of_choices_in_words_is_a_one_of_with_its_choices() {
        let e = FieldError::new("sort", "must be one of: name, -name (prefix - for descending)");
        assert_eq!(e.code, "one_of");
        assert_eq!(e.params["choices"], serde_json::json!(["name", "-name"]));
        assert_eq!(FieldError::new("q", "is not a query").code, "invalid");
        let body = serde_json::to_value(FieldError::new("q", "is not a query")).unwrap_or_default();
        assert!(body.get("params").is_none(), "no empty params: {body}");
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let e = AppError::internal(anyhow::anyhow!("relation \"secret_table\" does not exist"));
        let body = serde_json::to_string(&e.to_problem()).unwrap_or_default();
        assert!(!body.contains("secret_table"), "{body}");
        assert!(body.contains("internal_error"));
    }
}
