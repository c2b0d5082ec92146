//! HTTP endpoints: `/api/v1/forms` (admins design forms and read their submissions) and the
//! public `/f/{id}` (the hosted page and where submissions go), plus the two page scripts.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError, delete, get, patch, post, web};
use chrono::Utc;
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{CreateForm, Form, FormList, SubmissionPage, SubmissionReceipt, UpdateForm};
use super::page::{self, Filled};
use super::service::{self, Posted, Visitor};
use super::store::FormRow;
use crate::error::{AppError, AppResult, Problem};
use crate::http::auth::Auth;
use crate::http::json::ApiJson;
use crate::http::precondition::{expected_version, if_match, stale_status};
use crate::state::AppState;

impl crate::http::idempotency::Resource for Form {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}

fn ok(form: &Form) -> HttpResponse {
    crate::http::precondition::ok_with_etag(form)
}

/// The workspace's forms, oldest first.
#[utoipa::path(tag = "forms", responses((status = 200, description = "The forms", body = FormList)))]
#[get("/forms")]
pub async fn list_forms(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<FormList>> {
    let mut conn = state.conn().await?;
    let base = state.config.accounts.base();
    Ok(web::Json(service::list(&mut conn, auth.workspace(), &base).await?))
}

/// Design a form. Without `fields` it asks for a name, an email and a message. The answer holds
/// the hosted page's URL and the snippets that embed it.
#[utoipa::path(
    tag = "forms",
    request_body = CreateForm,
    responses(
        (status = 201, description = "The form", body = Form,
            headers(("Location" = String, description = "URL of the form"))),
        (status = 409, description = "The workspace has 50 forms already (`too_many_forms`)", body = Problem,
            content_type = "application/problem+json"),
    ),
)]
#[post("/forms")]
pub async fn create_form(state: web::Data<AppState>, auth: Auth, body: ApiJson<CreateForm>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let base = state.config.accounts.base();
    let form = service::create(
        &mut conn,
        auth.workspace(),
        &base,
        body.0,
        Some(auth.user_id()),
        Utc::now(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/forms/{}", form.id)))
        .insert_header((header::ETAG, format!("\"{}\"", form.version)))
        .json(form))
}

#[utoipa::path(
    tag = "forms",
    params(("id" = Uuid, Path, description = "The form's id")),
    responses((status = 200, description = "The form", body = Form)),
)]
#[get("/forms/{id}")]
pub async fn get_form(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let base = state.config.accounts.base();
    Ok(ok(&service::get(&mut conn, auth.workspace(), &base, *id).await?))
}

/// Change a form. Changes apply to the next submission; pages already open keep working.
#[utoipa::path(
    tag = "forms",
    params(("id" = Uuid, Path, description = "The form's id"),
        ("If-Match" = Option<String>, Header, description = "The version you edited, as an ETag")),
    request_body = UpdateForm,
    responses((status = 200, description = "The form", body = Form)),
)]
#[patch("/forms/{id}")]
pub async fn update_form(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: ApiJson<UpdateForm>,
) -> AppResult<HttpResponse> {
    let expected = expected_version(&req, body.0.version)?;
    let mut conn = state.conn().await?;
    let base = state.config.accounts.base();
    let form = service::update(&mut conn, auth.workspace(), &base, *id, body.0, expected)
        .await
        .map_err(stale_status(&req))?;
    Ok(ok(&form))
}

/// Delete a form and its submissions (the contacts, deals and interactions they created stay).
/// Its page and snippets stop working.
#[utoipa::path(
    tag = "forms",
    params(("id" = Uuid, Path, description = "The form's id"),
        ("If-Match" = Option<String>, Header, description = "The version you saw, as an ETag")),
    responses((status = 204, description = "The form is gone")),
)]
#[delete("/forms/{id}")]
pub async fn delete_form(
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
pub struct ListSubmissionsParams {
    /// Only submissions with this outcome.
    #[param(value_type = Option<super::dto::SubmissionOutcome>)]
    pub outcome: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    #[param(pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

/// The form's submissions, newest first, spam included (with the defence that caught it).
#[utoipa::path(
    tag = "forms",
    params(("id" = Uuid, Path, description = "The form's id"), ListSubmissionsParams),
    responses((status = 200, description = "A page of submissions", body = SubmissionPage)),
)]
#[get("/forms/{id}/submissions")]
pub async fn list_form_submissions(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<Uuid>,
    query: web::Query<ListSubmissionsParams>,
) -> AppResult<web::Json<SubmissionPage>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::submissions(
            &mut conn,
            auth.workspace(),
            *id,
            query.outcome.as_deref(),
            query.limit.as_deref(),
            query.cursor.as_deref(),
        )
        .await?,
    ))
}

// --- Public -------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// `1` for the page shown in a frame (no background, tells the embedding page its height).
    #[param(value_type = Option<String>, pattern = "^[01]$")]
    pub embed: Option<String>,
}

fn html(status: StatusCode, form: Option<&FormRow>, body: String) -> HttpResponse {
    page::respond(status, form, body)
}

/// An error as a page, for browsers posting the plain form.
fn error_page(e: &AppError, embed: bool) -> HttpResponse {
    let (title, text) = match e.code() {
        "not_found" => ("Form not found", "There is no form at this address."),
        "form_closed" => ("Form closed", "This form is not accepting submissions at the moment."),
        "origin_not_allowed" => (
            "Not sent",
            "This form cannot be sent from the page you were on. Please contact the site's owner another way.",
        ),
        "too_many_submissions" => (
            "Please wait",
            "Too many submissions came from your address. Please try again in a few minutes.",
        ),
        "payload_too_large" => ("Not sent", "What you entered is too long to send."),
        _ => ("Not sent", e.detail()),
    };
    let mut res = html(e.status(), None, page::message_page(title, text, embed));
    if let Some(retry) = e.error_response().headers().get(header::RETRY_AFTER).cloned() {
        res.headers_mut().insert(header::RETRY_AFTER, retry);
    }
    res
}

/// The form's hosted page (HTML). Frame it with `?embed=1` from one of the form's allowed
/// origins, or use one of its snippets.
#[utoipa::path(
    tag = "forms",
    params(("id" = Uuid, Path, description = "The form's id"), PageParams),
    responses(
        (status = 200, description = "The form page", content_type = "text/html", body = String),
        (status = 404, description = "No such form (a page; a problem when the id is malformed)",
            content((String = "text/html"), (Problem = "application/problem+json"))),
        (status = 410, description = "The form is turned off", content_type = "text/html", body = String),
    ),
)]
#[get("/f/{id}")]
pub async fn get_form_page(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: web::Query<PageParams>,
) -> AppResult<HttpResponse> {
    let embed = match query.embed.as_deref() {
        None | Some("0") => false,
        Some("1") => true,
        Some(_) => return Err(AppError::invalid_field("embed", "must be 0 or 1")),
    };
    let mut conn = state.conn().await?;
    let form = match service::public(&mut conn, *id).await {
        Ok(f) => f,
        Err(e) if matches!(e.code(), "not_found" | "form_closed") => return Ok(error_page(&e, embed)),
        Err(e) => return Err(e),
    };
    let custom = service::page_fields(&mut conn, &form).await?;
    let token = service::issue_token(&form, Utc::now());
    let body = page::form_page(&form, &custom, &token, embed, &Filled::default());
    Ok(html(StatusCode::OK, Some(&form), body))
}

/// Reads the body, at most `MAX_BODY` bytes.
async fn read_body(mut payload: web::Payload) -> AppResult<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::bad_request("unreadable_body", e.to_string()))?;
        if body.len() + chunk.len() > service::MAX_BODY {
            return Err(AppError::payload_too_large(service::MAX_BODY));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The posted fields, from `application/x-www-form-urlencoded` or a JSON object (string values;
/// a list of strings for a multi-select; numbers and booleans are taken as text).
fn parse(form_encoded: bool, body: &[u8]) -> AppResult<Posted> {
    let mut posted = Posted::default();
    if form_encoded {
        for (k, v) in url::form_urlencoded::parse(body) {
            posted.0.entry(k.into_owned()).or_default().push(v.into_owned());
        }
        return Ok(posted);
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| AppError::bad_request("malformed_json", format!("the body is not JSON: {e}")))?;
    let serde_json::Value::Object(map) = value else {
        return Err(AppError::invalid_field("body", "must be a JSON object of field values"));
    };
    for (k, v) in map {
        let values = match v {
            serde_json::Value::String(s) => vec![s],
            serde_json::Value::Number(n) => vec![n.to_string()],
            serde_json::Value::Bool(b) => vec![b.to_string()],
            serde_json::Value::Null => vec![],
            serde_json::Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match item {
                        serde_json::Value::String(s) => out.push(s),
                        _ => return Err(AppError::invalid_field(&k, "must be a string or a list of strings")),
                    }
                }
                out
            }
            serde_json::Value::Object(_) => {
                return Err(AppError::invalid_field(&k, "must be a string or a list of strings"));
            }
        };
        posted.0.insert(k, values);
    }
    Ok(posted)
}

fn cors(res: &mut HttpResponse, origin: Option<&str>, form: Option<&FormRow>) {
    if let (Some(origin), Some(form)) = (origin, form)
        && form.allowed_origins.iter().any(|o| o == origin)
        && let Ok(v) = HeaderValue::from_str(origin)
    {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.append(header::VARY, HeaderValue::from_static("Origin"));
        h.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After, X-Request-Id"),
        );
    }
}

/// Send a submission. A web page posts the form (`application/x-www-form-urlencoded`) and gets
/// a page back: the thank-you message, a redirect (303) to the form's `redirect_url`, or the
/// form again with the problems marked. Scripts on the form's allowed origins may post JSON
/// (CORS) and get JSON back. The answer is the same whether the email was new or known; spam is
/// answered like a success.
#[utoipa::path(
    tag = "forms",
    params(("id" = Uuid, Path, description = "The form's id")),
    request_body(
        description = "The field values by target (`email`, `first_name`, `custom:budget`, …), plus `_token` and \
            `_pow` from the hosted page when it has them",
        content(
            (std::collections::HashMap<String, String> = "application/json",
                example = json!({"first_name": "Ada", "email": "ada@example.com", "message": "Hello"})),
            (std::collections::HashMap<String, String> = "application/x-www-form-urlencoded"),
        ),
    ),
    responses(
        (status = 201, description = "Received (JSON)", body = SubmissionReceipt),
        (status = 200, description = "Received: the thank-you page (form posts)", content_type = "text/html", body = String),
        (status = 303, description = "Received: on to the form's redirect URL (form posts)",
            headers(("Location" = String, description = "The form's redirect_url"))),
        (status = 400, description = "The body is not JSON (`malformed_json`)", body = Problem,
            content_type = "application/problem+json"),
        (status = 403, description = "Posted from a page whose origin the form does not allow (`origin_not_allowed`)",
            content((Problem = "application/problem+json"), (String = "text/html"))),
        (status = 404, description = "No such form", content((Problem = "application/problem+json"), (String = "text/html"))),
        (status = 410, description = "The form is turned off (`form_closed`)",
            content((Problem = "application/problem+json"), (String = "text/html"))),
        (status = 413, description = "The body is over 64 KiB",
            content((Problem = "application/problem+json"), (String = "text/html"))),
        (status = 415, description = "Neither JSON nor a form post", body = Problem,
            content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or invalid (`validation_failed`), the page was open over a day \
            (`form_expired`) or the proof of work is missing (`proof_of_work_failed`); form posts get the form again \
            with the problems marked", content((Problem = "application/problem+json"), (String = "text/html"))),
        (status = 429, description = "5 submissions from this address in 10 minutes (`too_many_submissions`)",
            content((Problem = "application/problem+json"), (String = "text/html")),
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    ),
)]
#[post("/f/{id}")]
pub async fn submit_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let form_encoded = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut conn = state.conn().await?;
    let found = service::public(&mut conn, *id).await;
    let form = found.as_ref().ok().cloned();
    let outcome = async {
        let form = found?;
        if !form_encoded && !json {
            return Err(AppError::bad_request(
                "unsupported_media_type",
                "send application/json or application/x-www-form-urlencoded",
            )
            .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let body = read_body(payload).await?;
        let posted = parse(form_encoded, &body)?;
        let visitor = Visitor {
            address: crate::http::auth::client(&req, &state.config.accounts).ip,
            origin: origin.clone(),
            user_agent: req
                .headers()
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        };
        let own = state.config.accounts.origin();
        let receipt = service::submit(&mut conn, &form, &own, posted.clone(), visitor, Utc::now()).await;
        Ok((form, posted, receipt))
    }
    .await;
    let embed_of = |p: &Posted| p.first("_embed") == Some("1");
    let mut res = match outcome {
        Ok((form, posted, Ok(receipt))) if form_encoded => {
            let form = &form;
            let embed = embed_of(&posted);
            match receipt.redirect_url.as_deref().filter(|_| !embed) {
                Some(url) => HttpResponse::SeeOther().insert_header((header::LOCATION, url)).finish(),
                None => html(StatusCode::OK, Some(form), page::thanks_page(form, embed)),
            }
        }
        Ok((_, _, Ok(receipt))) => HttpResponse::Created().json(receipt),
        // The form again, with what was typed and what is wrong.
        Ok((form, posted, Err(e))) if form_encoded && e.status() == StatusCode::UNPROCESSABLE_ENTITY => {
            let form = &form;
            let custom = service::page_fields(&mut conn, form).await?;
            let token = service::issue_token(form, Utc::now());
            let mut filled = Filled {
                values: posted.0.clone(),
                ..Filled::default()
            };
            for fe in e.field_errors() {
                filled.errors.insert(fe.field.clone(), fe.message.clone());
            }
            match e.code() {
                "form_expired" => {
                    filled.banner = Some("The form was open for over a day: check it and send it again.".into());
                }
                "proof_of_work_failed" => {
                    filled.banner =
                        Some("Your browser could not confirm the form: turn on JavaScript and send it again.".into());
                }
                _ => {}
            }
            let body = page::form_page(form, &custom, &token, embed_of(&posted), &filled);
            html(StatusCode::UNPROCESSABLE_ENTITY, Some(form), body)
        }
        Ok((_, posted, Err(e))) if form_encoded => error_page(&e, embed_of(&posted)),
        Err(e) if form_encoded => error_page(&e, false),
        Ok((_, _, Err(e))) | Err(e) => e.error_response(),
    };
    cors(&mut res, origin.as_deref(), form.as_ref());
    Ok(res)
}

/// CORS preflight for scripts on a form's allowed origins that post JSON.
pub async fn preflight(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> HttpResponse {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let form = match Uuid::parse_str(&id) {
        Ok(id) => match state.conn().await {
            Ok(mut conn) => service::public(&mut conn, id).await.ok(),
            Err(_) => None,
        },
        Err(_) => None,
    };
    let mut res = HttpResponse::NoContent().finish();
    cors(&mut res, origin.as_deref(), form.as_ref());
    if res.headers().contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) {
        let h = res.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST"));
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Content-Type"),
        );
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    }
    res
}

fn script(body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        // Websites load the loader from their own pages.
        .insert_header(("cross-origin-resource-policy", "cross-origin"))
        .body(body)
}

/// The routes outside the API document: the page scripts and the CORS preflight.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/embed/form.js", web::get().to(|| async { script(page::EMBED_SCRIPT) }))
        .route(
            "/embed/form-page.js",
            web::get().to(|| async { script(page::PAGE_SCRIPT) }),
        )
        .route("/f/{id}", web::method(Method::OPTIONS).to(preflight))
        .route(
            "/f/{id}",
            web::route().to(|req: HttpRequest| async move {
                crate::http::routes_table::method_not_allowed(&req, "GET, POST").error_response()
            }),
        );
}
