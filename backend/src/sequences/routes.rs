//! HTTP endpoints: `/api/v1/sequences` (members design sequences and enroll contacts),
//! `/api/v1/sequence-enrollments`, and the public unsubscribe page `/u/{token}`.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{
    CreateSequence, Enroll, EnrollResult, Enrollment, EnrollmentPage, Sequence, SequenceList, UpdateSequence,
};
use super::service;
use crate::error::{AppError, AppResult, Problem};
use crate::forms::page::{escape, message_page};
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::http::precondition::{expected_version, if_match, stale_status};
use crate::state::AppState;

impl crate::http::idempotency::Resource for Sequence {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}

fn ok(s: &Sequence) -> HttpResponse {
    crate::http::precondition::ok_with_etag(s)
}

fn viewer(auth: &Auth) -> crate::views::service::Viewer {
    crate::views::service::Viewer {
        user: auth.user_id(),
        role: auth.role(),
    }
}

/// The workspace's sequences, oldest first, with their figures.
#[utoipa::path(tag = "sequences", responses((status = 200, description = "The sequences", body = SequenceList)))]
#[get("/sequences")]
pub async fn list_sequences(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<SequenceList>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::list(&mut conn, auth.workspace()).await?))
}

/// Create a sequence: template steps with delays, and the sending window.
#[utoipa::path(
    tag = "sequences",
    request_body = CreateSequence,
    responses(
        (status = 201, description = "The sequence", body = Sequence,
            headers(("Location" = String, description = "URL of the sequence"))),
        (status = 409, description = "The workspace has 100 sequences already (`too_many_sequences`)", body = Problem,
            content_type = "application/problem+json"),
    ),
)]
#[post("/sequences")]
pub async fn create_sequence(
    state: web::Data<AppState>,
    auth: Auth,
    body: ApiJson<CreateSequence>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let s = service::create(&mut conn, auth.workspace(), body.0, Some(auth.user_id()), Utc::now()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/sequences/{}", s.id)))
        .insert_header((header::ETAG, format!("\"{}\"", s.version)))
        .json(s))
}

#[utoipa::path(
    tag = "sequences",
    params(("id" = Uuid, Path, description = "The sequence's id")),
    responses((status = 200, description = "The sequence and its figures", body = Sequence)),
)]
#[get("/sequences/{id}")]
pub async fn get_sequence(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    Ok(ok(&service::get(&mut conn, auth.workspace(), *id).await?))
}

/// Change a sequence; `enabled: false` pauses it (its enrollments wait).
#[utoipa::path(
    tag = "sequences",
    params(("id" = Uuid, Path, description = "The sequence's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdateSequence,
    responses((status = 200, description = "The sequence", body = Sequence)),
)]
#[patch("/sequences/{id}")]
pub async fn update_sequence(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateSequence>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    let s = service::update(&mut conn, auth.workspace(), *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?;
    Ok(ok(&s))
}

/// Delete a sequence and its enrollments (the emails it sent stay on the timelines).
#[utoipa::path(
    tag = "sequences",
    params(("id" = Uuid, Path, description = "The sequence's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses((status = 204, description = "The sequence is gone")),
)]
#[delete("/sequences/{id}")]
pub async fn delete_sequence(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let expected = if_match(&req)?;
    let mut conn = state.conn().await?;
    service::delete(&mut conn, auth.workspace(), *id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListEnrollmentsParams {
    /// Only enrollments with this status.
    #[param(value_type = Option<super::dto::EnrollmentStatus>)]
    pub status: Option<String>,
    /// Only this contact's enrollments.
    pub contact_id: Option<Uuid>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// A page of enrollments, of one sequence or of all.
async fn enrollments(
    state: &AppState,
    auth: &Auth,
    sequence: Option<Uuid>,
    query: &ListEnrollmentsParams,
) -> AppResult<web::Json<EnrollmentPage>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::enrollments(
            &mut conn,
            auth.workspace(),
            sequence,
            query.contact_id,
            query.status.as_deref(),
            query.limit.as_deref(),
            query.cursor.as_deref(),
        )
        .await?,
    ))
}

/// The sequence's enrollments, newest first.
#[utoipa::path(
    tag = "sequences",
    params(("id" = Uuid, Path, description = "The sequence's id"), ListEnrollmentsParams),
    responses((status = 200, description = "A page of enrollments", body = EnrollmentPage)),
)]
#[get("/sequences/{id}/enrollments")]
pub async fn list_sequence_enrollments(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<ListEnrollmentsParams>,
) -> AppResult<web::Json<EnrollmentPage>> {
    enrollments(&state, &auth, Some(*id), &query).await
}

/// Enrollments in every sequence, newest first — e.g. one contact's (`contact_id`), as its
/// page shows them.
#[utoipa::path(
    tag = "sequences",
    params(ListEnrollmentsParams),
    responses((status = 200, description = "A page of enrollments", body = EnrollmentPage)),
)]
#[get("/sequence-enrollments")]
pub async fn list_enrollments(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<ListEnrollmentsParams>,
) -> AppResult<web::Json<EnrollmentPage>> {
    enrollments(&state, &auth, None, &query).await
}

/// Enroll contacts, by id or everyone a saved contact view shows (at most 1,000). Each gets the
/// first step after its delay, in their sending window. Contacts without an email address,
/// unsubscribed, or already in the sequence are skipped, with the reason.
#[utoipa::path(
    tag = "sequences",
    params(("id" = Uuid, Path, description = "The sequence's id")),
    request_body = Enroll,
    responses((status = 200, description = "Who was enrolled and who was skipped", body = EnrollResult)),
)]
#[post("/sequences/{id}/enrollments")]
pub async fn enroll_in_sequence(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: ApiJson<Enroll>,
) -> AppResult<web::Json<EnrollResult>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::enroll(&mut conn, auth.workspace(), *id, body.0, viewer(&auth), Utc::now()).await?,
    ))
}

/// Stop an active enrollment: nothing more is sent to the contact from this sequence.
#[utoipa::path(
    tag = "sequences",
    params(("id" = Uuid, Path, description = "The enrollment's id")),
    responses(
        (status = 200, description = "The stopped enrollment", body = Enrollment),
        (status = 409, description = "It has finished already (`enrollment_finished`)", body = Problem,
            content_type = "application/problem+json"),
    ),
)]
#[post("/sequence-enrollments/{id}/stop")]
pub async fn stop_sequence_enrollment(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> AppResult<web::Json<Enrollment>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::stop(&mut conn, auth.workspace(), *id, Utc::now()).await?,
    ))
}

// --- Public: the unsubscribe page ---------------------------------------------------------------

fn page(status: StatusCode, body: String) -> HttpResponse {
    crate::forms::page::respond(status, None, body)
}

fn link_error(e: &AppError) -> HttpResponse {
    let text = if e.code() == "link_expired" {
        "This unsubscribe link is over a year old. Reply to the email and ask to be taken off the list."
    } else {
        "This unsubscribe link is not valid. Reply to the email and ask to be taken off the list."
    };
    page(e.status(), message_page("Unsubscribe", text, false))
}

/// The page an email's unsubscribe link opens: it asks to confirm (so that a mail scanner
/// following links unsubscribes nobody).
#[utoipa::path(
    tag = "sequences",
    params(("token" = String, Path, description = "The link's token", pattern = "^[A-Za-z0-9_.-]+$")),
    responses(
        (status = 200, description = "The confirmation page", content_type = "text/html", body = String),
        (status = 404, description = "An unknown or forged link", content_type = "text/html", body = String),
        (status = 410, description = "A link over a year old", content_type = "text/html", body = String),
    ),
)]
#[get("/u/{token}")]
pub async fn get_unsubscribe_page(state: web::Data<AppState>, token: web::Path<String>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let link = match service::resolve_link(&mut conn, &token, Utc::now()).await {
        Ok(l) => l,
        Err(e) if e.status().is_client_error() => return Ok(link_error(&e)),
        Err(e) => return Err(e),
    };
    let who = link
        .email
        .as_deref()
        .map(|e| format!(" for {}", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">\
         <title>Unsubscribe</title><style>body{{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}\
         button{{font:inherit;font-weight:600;background:#4f46e5;color:#fff;border:0;border-radius:8px;padding:.6rem 1.1rem;cursor:pointer}}</style>\
         </head><body><main><h1>Unsubscribe</h1><p>Stop these emails{who}? You will not get emails like \
         “{}” again.</p><form method=\"post\"><button type=\"submit\">Unsubscribe</button></form></main></body></html>\n",
        escape(&link.sequence.name)
    );
    Ok(page(StatusCode::OK, body))
}

/// Unsubscribe (the confirmation page's button, or a mail app's one-click unsubscribe).
#[utoipa::path(
    tag = "sequences",
    params(("token" = String, Path, description = "The link's token", pattern = "^[A-Za-z0-9_.-]+$")),
    responses(
        (status = 200, description = "Unsubscribed (also when already)", content_type = "text/html", body = String),
        (status = 404, description = "An unknown or forged link", content_type = "text/html", body = String),
        (status = 410, description = "A link over a year old", content_type = "text/html", body = String),
    ),
)]
#[post("/u/{token}")]
pub async fn unsubscribe(state: web::Data<AppState>, token: web::Path<String>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let now = Utc::now();
    let link = match service::resolve_link(&mut conn, &token, now).await {
        Ok(l) => l,
        Err(e) if e.status().is_client_error() => return Ok(link_error(&e)),
        Err(e) => return Err(e),
    };
    service::unsubscribe(&mut conn, &link, now).await?;
    Ok(page(
        StatusCode::OK,
        message_page(
            "You are unsubscribed",
            "You will not get these emails again. If this was a mistake, reply to one of them.",
            false,
        ),
    ))
}

/// Other methods on the unsubscribe page: 405 with `Allow`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/u/{token}",
        web::route().to(|req: HttpRequest| async move {
            use actix_web::ResponseError;
            crate::http::routes_table::method_not_allowed(&req, "GET, POST").error_response()
        }),
    );
}
