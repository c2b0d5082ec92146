//! `GET /api/v1/search`.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{SearchResults, SearchType};
use super::{query, service};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::auth::Auth;
use crate::http::params::{self, ParamErrors};
use crate::state::AppState;

/// Hits per search: at most this many, 20 unless asked.
const MAX_HITS: i64 = 50;
const DEFAULT_HITS: i64 = 20;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for, 1 to 200 characters with at least one letter or digit. Words match as
    /// prefixes once they have three characters (`acm` finds ACME Corp), accents and case are
    /// ignored, names with a typo are still found; `"exact phrase"`, `-word` leaves records
    /// out, `or` between alternatives, `type:deal` (or `type:contact,company`) looks in those
    /// kinds only.
    #[param(required = true, min_length = 1, max_length = 200, example = "ada lovel")]
    pub q: Option<String>,
    /// Kinds of records to look in, comma-separated: `contact`, `company`, `deal`,
    /// `interaction`, `template`, `product` (default: all).
    #[param(example = "contact,company")]
    pub types: Option<String>,
    /// Hits to return, 1 to 50 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50)]
    pub limit: Option<String>,
}

/// Everything in the workspace that matches a query, best first: exact and prefix name matches,
/// then how well the words match, then how recently each record was touched. Each hit has its
/// kind, a title and subtitle, a snippet with the matching words highlighted, and where the web
/// app shows it.
#[utoipa::path(
    tag = "search",
    params(crate::http::replica::ReadAfterParams, SearchParams),
    responses((status = 200, description = "Hits, best first", body = SearchResults)),
)]
#[get("/search")]
pub async fn search(
    state: web::Data<AppState>,
    auth: Auth,
    read_after: crate::http::replica::ReadAfter,
    query: web::Query<SearchParams>,
) -> AppResult<web::Json<SearchResults>> {
    let mut errors = ParamErrors::default();
    let matcher = errors.take(query::parse(query.q.as_deref()));
    let limit = match query.limit.as_deref().map(str::trim) {
        None => DEFAULT_HITS,
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (1..=MAX_HITS).contains(&n) => n,
            _ => {
                errors.push("limit", format!("must be a whole number between 1 and {MAX_HITS}"));
                DEFAULT_HITS
            }
        },
    };
    let mut types = Vec::new();
    for name in params::list(query.types.as_deref()) {
        match name.parse::<SearchType>() {
            Ok(t) if !types.contains(&t) => types.push(t),
            Ok(_) => {}
            Err(why) => errors.push("types", format!("{name}: {why}")),
        }
    }
    errors.finish()?;
    let matcher = matcher.ok_or_else(|| AppError::validation(vec![FieldError::new("q", "is not a query")]))?;
    let mut conn = state.read_conn(auth.workspace(), read_after.0).await?;
    Ok(web::Json(
        service::search(&mut conn, auth.workspace(), &matcher, &types, limit).await?,
    ))
}
