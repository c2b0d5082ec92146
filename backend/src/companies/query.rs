//! The companies list's query parameters.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::db::keyset::{KeyKind, Sort, SortKey, SortValue};
use crate::error::AppError;
use crate::http::params::{self, ParamErrors};

/// Query parameters of `GET /api/v1/companies`, as sent.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCompaniesParams {
    /// Only these fields of each company, comma-separated (`id` is always there), e.g.
    /// `id,name,domain`. The items then follow `CompanyFields` (only `id` required).
    #[param(example = "id,name,domain,industry,contact_count")]
    pub fields: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// `name` (default), `created_at` or `updated_at`; `-` means descending.
    #[param(example = "name")]
    pub sort: Option<String>,
    /// Search text, matched as `GET /api/v1/search` matches companies: word prefixes of name,
    /// domain, industry and location (accents and case ignored), parts of domains for a single
    /// word; `"phrase"`, `-word` and `or` work too. At most 200 characters.
    #[param(max_length = 200, example = "engines")]
    pub q: Option<String>,
    /// Exact industry (case-insensitive).
    pub industry: Option<String>,
    /// `true` lists the trash instead of live companies.
    #[param(value_type = Option<bool>)]
    pub trashed: Option<String>,
    /// `true` adds `total` (one more query).
    #[param(value_type = Option<bool>)]
    pub include_total: Option<String>,
}

/// Query parameters of `GET /api/v1/companies/export`: the list's filters and sort (no paging).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportCompaniesParams {
    /// Sort order, as for the list (default `name`).
    pub sort: Option<String>,
    /// Search text, as for the list.
    pub q: Option<String>,
    /// Exact industry (case-insensitive).
    pub industry: Option<String>,
    /// `true` exports the trash instead of live companies.
    #[param(value_type = Option<bool>)]
    pub trashed: Option<String>,
}

impl ExportCompaniesParams {
    pub fn as_list(&self) -> ListCompaniesParams {
        ListCompaniesParams {
            sort: self.sort.clone(),
            q: self.q.clone(),
            industry: self.industry.clone(),
            trashed: self.trashed.clone(),
            ..Default::default()
        }
    }
}

pub const SORTS: &[SortKey] = &[
    SortKey {
        name: "name",
        sql: "companies.sort_name",
        kind: KeyKind::Text,
    },
    SortKey {
        name: "created_at",
        sql: "companies.created_at",
        kind: KeyKind::Time,
    },
    SortKey {
        name: "updated_at",
        sql: "companies.updated_at",
        kind: KeyKind::Time,
    },
];

#[derive(Debug, Clone, Default)]
pub struct CompanyFilter {
    /// Search text, matched as global search matches companies.
    pub q: Option<crate::search::query::Matcher>,
    pub industry: Option<String>,
    pub trashed: bool,
}

#[derive(Debug, Clone)]
pub struct CompanyQuery {
    pub filter: CompanyFilter,
    pub sort: Sort,
    pub after: Option<(SortValue, uuid::Uuid)>,
    pub limit: i64,
    pub include_total: bool,
}

impl CompanyQuery {
    pub fn from_params(p: &ListCompaniesParams) -> Result<CompanyQuery, AppError> {
        let mut errors = ParamErrors::default();
        let limit = errors.take(params::limit(p.limit.as_deref()));
        let sort = errors.take(Sort::parse(p.sort.as_deref(), SORTS, "name"));
        let after = sort.and_then(|s| errors.take(s.after(p.cursor.as_deref()))).flatten();
        let trashed = errors.take(params::boolean("trashed", p.trashed.as_deref()));
        let include_total = errors.take(params::boolean("include_total", p.include_total.as_deref()));
        let q = errors
            .take(crate::search::query::parse_filter(p.q.as_deref()))
            .flatten();
        let industry = p
            .industry
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase);
        errors.finish()?;
        Ok(CompanyQuery {
            filter: CompanyFilter {
                q,
                industry,
                trashed: trashed.unwrap_or(false),
            },
            sort: sort.unwrap_or(Sort {
                key: SORTS[0],
                descending: false,
            }),
            after,
            limit: limit.unwrap_or(params::DEFAULT_LIMIT),
            include_total: include_total.unwrap_or(false),
        })
    }
}
