//! Query-string and path parameters: pagination, booleans, and the error handlers that make
//! actix's own extractor failures speak problem+json.

use actix_web::error::{PathError, QueryPayloadError};
use actix_web::{HttpRequest, web};

use crate::db::cursor::Cursor;
use crate::error::{AppError, FieldError};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// Collects every bad query parameter of a request so that one 422 names them all.
#[derive(Default)]
pub struct ParamErrors(Vec<FieldError>);

impl ParamErrors {
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Records the error of a parse and returns its value, if it had one.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(self.0))
        }
    }
}

pub fn limit(raw: Option<&str>) -> Result<i64, FieldError> {
    let Some(raw) = raw.map(str::trim) else {
        return Ok(DEFAULT_LIMIT);
    };
    match raw.parse::<i64>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(FieldError::coded(
            "limit",
            "range",
            format!("must be a whole number between 1 and {MAX_LIMIT}"),
        )
        .with_param("min", 1)
        .with_param("max", MAX_LIMIT)),
    }
}

pub fn boolean(field: &str, raw: Option<&str>) -> Result<bool, FieldError> {
    match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        _ => Err(FieldError::coded(field, "boolean", "must be true or false")),
    }
}

/// An optional UUID query parameter. Present but empty (`?stage_id=`) is refused like any other
/// value that is not a UUID: leave the parameter out to mean "any".
pub fn uuid(field: &str, raw: Option<&str>) -> Result<Option<uuid::Uuid>, FieldError> {
    match raw.map(str::trim) {
        Some(s) => uuid::Uuid::parse_str(s)
            .map(Some)
            .map_err(|_| FieldError::coded(field, "uuid", "must be a UUID (leave the parameter out to mean any)")),
        None => Ok(None),
    }
}

/// An optional query parameter that names one of a fixed set of values (an enum of the API).
/// Present but empty (`?status=`) is refused like any other value outside the set: leave the
/// parameter out to mean "any" (or the default).
pub fn choice<T: std::str::FromStr<Err = String>>(field: &str, raw: Option<&str>) -> Result<Option<T>, FieldError> {
    raw.map(|s| s.trim().parse::<T>().map_err(|m| FieldError::new(field, m)))
        .transpose()
}

/// An optional day (`2026-11-30`). Present but empty is refused like any other non-date.
pub fn date(field: &str, raw: Option<&str>) -> Result<Option<chrono::NaiveDate>, FieldError> {
    raw.map(|s| {
        chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::coded(field, "date", "must be a date like 2026-11-30"))
    })
    .transpose()
}

/// An owner filter: `me` (the caller), `none` (nobody) or a member's user id; `None` when absent.
pub fn owner(field: &str, raw: Option<&str>, me: uuid::Uuid) -> Result<Option<Option<uuid::Uuid>>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some("me") => Ok(Some(Some(me))),
        Some("none") => Ok(Some(None)),
        Some(other) => uuid::Uuid::parse_str(other)
            .map(|id| Some(Some(id)))
            .map_err(|_| FieldError::new(field, "must be me, none or a member's user id")),
    }
}

/// Decodes a cursor and checks it was issued for the same sort.
pub fn cursor(raw: Option<&str>, sort: &str) -> Result<Option<Cursor>, FieldError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    match Cursor::decode(raw) {
        Some(c) if c.sort == sort => Ok(Some(c)),
        Some(_) => Err(FieldError::coded(
            "cursor",
            "cursor",
            "was issued for another sort order; start again without a cursor",
        )),
        None => Err(FieldError::coded(
            "cursor",
            "cursor",
            "is not a cursor this API issued; use next_cursor from a previous page",
        )),
    }
}

/// A list's own cursor (not a keyset sort's): `read` decodes it; anything it cannot read is an
/// error on `cursor`.
pub fn own_cursor<T>(raw: Option<&str>, read: impl FnOnce(&str) -> Option<T>) -> Result<Option<T>, FieldError> {
    match raw {
        None => Ok(None),
        Some(raw) => read(raw).map(Some).ok_or_else(|| {
            FieldError::coded(
                "cursor",
                "cursor",
                "is not a cursor of this list; use next_cursor from a previous page",
            )
        }),
    }
}

/// A comma-separated list parameter, trimmed, empty items dropped.
pub fn list(raw: Option<&str>) -> Vec<String> {
    raw.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, req: &HttpRequest| {
        // `PATCH /contacts/tags` reaches `PATCH /contacts/{id}` in the router, but the document
        // says `/contacts/tags` exists only for other methods: 405 with `Allow`.
        if let Some(table) = req.app_data::<web::Data<super::routes_table::RouteTable>>()
            && let Some(allowed) = table.literal_allowed(req.path())
        {
            return super::routes_table::method_not_allowed(req, allowed).into();
        }
        let detail = match err {
            PathError::Deserialize(_) => "no record has that id (ids are UUIDs)",
            _ => "the path is not valid",
        };
        let mut e = AppError::not_found("the record");
        e = e.with_detail(detail);
        e.into()
    })
}

/// The `include_trashed` query parameter of a record in the trash and of what hangs under it.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncludeTrashedParams {
    /// `true` also answers for a record in the trash (its `deleted_at` then says when it was
    /// trashed); without it such a record, and what hangs under it, answers 404 with the code
    /// `trashed`.
    #[param(value_type = Option<bool>)]
    pub include_trashed: Option<String>,
}

/// Whether the request asked with `include_trashed=true` (anything but true/false → 422).
pub struct IncludeTrashed(pub bool);

impl actix_web::FromRequest for IncludeTrashed {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let parsed = web::Query::<IncludeTrashedParams>::from_query(req.query_string())
            .map_err(|e| AppError::invalid_field("query", format!("the query string is not valid: {e}")))
            .and_then(|q| {
                boolean("include_trashed", q.include_trashed.as_deref())
                    .map(IncludeTrashed)
                    .map_err(|e| AppError::validation(vec![e]))
            });
        std::future::ready(parsed)
    }
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req: &HttpRequest| {
        AppError::invalid_field("query", format!("the query string is not valid: {err}")).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(limit(None).ok(), Some(50));
        assert_eq!(limit(Some("200")).ok(), Some(200));
        for bad in ["0", "-1", "100000", "ten", "1.5"] {
            assert!(limit(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean("x", Some("TRUE")).ok(), Some(true));
        assert_eq!(boolean("x", None).ok(), Some(false));
        assert!(boolean("x", Some("yes please")).is_err());
    }

    #[test]
    fn lists() {
        assert_eq!(list(Some(" a, ,b ")), vec!["a", "b"]);
        assert!(list(None).is_empty());
    }
}
