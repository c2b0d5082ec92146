//! `Idempotency-Key` for creating requests: the first request with a key runs and its response
//! is stored in the same transaction; a retry with the same key and body gets that response
//! again (with `Idempotent-Replayed: true`) instead of creating a duplicate. Concurrent requests
//! with one key queue on the key's row, so exactly one of them creates anything.

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpResponse, http::StatusCode};
use diesel_async::AsyncPgConnection;
use futures_util::future::BoxFuture;
use serde::Serialize;
use uuid::Uuid;

use crate::db::WorkspaceId;
use crate::db::idempotency::{self as store, Claim};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// What an `Idempotency-Key` may be: 1 to 255 visible ASCII characters.
pub const KEY_PATTERN: &str = "^[\\x21-\\x7E]+$";

/// The request's `Idempotency-Key`, if it sent one (1–255 visible ASCII characters).
pub fn key(req: &HttpRequest) -> AppResult<Option<String>> {
    let Some(raw) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    match raw.to_str() {
        Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => Ok(Some(k.to_owned())),
        _ => Err(AppError::invalid_field(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters, e.g. a UUID",
        )),
    }
}

/// blake3 of what makes two requests "the same": method, path and canonical JSON body
/// (serde_json sorts object keys, so spacing and key order do not matter).
pub fn fingerprint<T: Serialize>(req: &HttpRequest, body: &T) -> Vec<u8> {
    let mut hasher = blake3::Hasher::new();
    hasher.update(req.method().as_str().as_bytes());
    hasher.update(b" ");
    hasher.update(req.path().as_bytes());
    hasher.update(b"\n");
    hasher.update(&serde_json::to_vec(&serde_json::to_value(body).unwrap_or_default()).unwrap_or_default());
    hasher.finalize().as_bytes().to_vec()
}

/// What a creating endpoint returns: a JSON object with an id and a version.
pub trait Resource: Serialize + Send {
    fn id(&self) -> Uuid;
    fn version(&self) -> i32;
}

/// A creating POST: runs `create` at most once per `Idempotency-Key` (when one is sent) and
/// answers 201 with `Location: {collection}/{id}`, the object and its ETag.
pub async fn create<I, T, F>(
    state: &AppState,
    req: &HttpRequest,
    input: I,
    collection: &str,
    create: F,
) -> AppResult<HttpResponse>
where
    I: Serialize + Send + 'static,
    T: Resource,
    F: for<'c> FnOnce(&'c mut AsyncPgConnection, WorkspaceId, I) -> BoxFuture<'c, AppResult<T>> + Send + 'static,
{
    let key = key(req)?;
    let fingerprint = fingerprint(req, &input);
    let workspace = crate::http::auth::workspace_of(req)?;
    let collection = collection.to_owned();
    let mut conn = state.conn().await?;
    once(&mut conn, workspace, key, fingerprint, move |conn| {
        Box::pin(async move {
            let item = create(conn, workspace, input).await?;
            Ok(Created {
                location: format!("{collection}/{}", item.id()),
                version: Some(item.version()),
                body: serde_json::to_value(&item).map_err(AppError::internal)?,
            })
        })
    })
    .await
}

/// What a creating handler produced: status, JSON body and `Location`.
struct Created {
    body: serde_json::Value,
    location: String,
    version: Option<i32>,
}

fn respond(status: StatusCode, created: &Created, replayed: bool) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header((header::LOCATION, created.location.clone()));
    if let Some(v) = created.version {
        res.insert_header((header::ETAG, format!("\"{v}\"")));
    }
    if replayed {
        res.insert_header((REPLAYED, HeaderValue::from_static("true")));
    }
    res.json(&created.body)
}

/// Runs `create` at most once per key: inside one transaction that first claims the key.
async fn once<F>(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    key: Option<String>,
    fingerprint: Vec<u8>,
    create: F,
) -> AppResult<HttpResponse>
where
    F: for<'c> FnOnce(&'c mut AsyncPgConnection) -> BoxFuture<'c, AppResult<Created>> + Send,
{
    let Some(key) = key else {
        let created = create(conn).await?;
        return Ok(respond(StatusCode::CREATED, &created, false));
    };
    use diesel_async::AsyncConnection;
    // HttpResponse is not Send, so the transaction yields the parts and the response is built after.
    let (status, created, replayed) = conn
        .transaction::<_, AppError, _>(async move |conn| {
            match store::claim(conn, workspace, &key, &fingerprint).await? {
                Claim::Claimed => {
                    // Any failure below rolls the claim back too, so the client may retry the key.
                    let created = create(conn).await?;
                    let status = StatusCode::CREATED;
                    store::complete(conn, workspace, &key, status.as_u16(), &created.body, &created.location).await?;
                    Ok((status, created, false))
                }
                Claim::Done {
                    fingerprint: stored,
                    status,
                    body,
                    location,
                } => {
                    if stored != fingerprint {
                        return Err(AppError::conflict(
                            "idempotency_key_reused",
                            "this Idempotency-Key was already used for a different request; use a new key",
                        ));
                    }
                    let version = body.get("version").and_then(|v| v.as_i64()).map(|v| v as i32);
                    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
                    Ok((
                        status,
                        Created {
                            body,
                            location,
                            version,
                        },
                        true,
                    ))
                }
            }
        })
        .await?;
    Ok(respond(status, &created, replayed))
}
