//! The contacts list's query parameters: parsing and checking them into a `ContactQuery` the
//! store can run, with every bad parameter named in one 422.

use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{ContactSource, Lifecycle};
use crate::db::keyset::{KeyKind, Sort, SortKey, SortValue};
use crate::error::{AppError, FieldError};
use crate::http::params::{self, ParamErrors};

/// Query parameters of `GET /api/v1/contacts`, as sent. Lists are comma-separated.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListContactsParams {
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// Sort order; `-` means descending. One of `name`, `created_at`, `updated_at`,
    /// `last_interaction_at`, `next_follow_up_at` (default `-created_at`).
    #[param(example = "name")]
    pub sort: Option<String>,
    /// Search text, matched as `GET /api/v1/search` matches contacts: word prefixes of names,
    /// emails, phones, job title, location and company name (accents and case ignored), parts of
    /// emails and phones for a single word; `"phrase"`, `-word` and `or` work too (search also
    /// tries names with a typo when little matches; the list does not). At most 200 characters.
    #[param(max_length = 200, example = "ada")]
    pub q: Option<String>,
    /// Lifecycle stages, comma-separated: `lead`, `prospect`, `client`, `inactive`.
    #[param(example = "lead,prospect")]
    pub lifecycle: Option<String>,
    /// Tags, comma-separated: contacts carrying all of them.
    #[param(example = "vip")]
    pub tag: Option<String>,
    /// Sources, comma-separated, e.g. `referral,event`.
    pub source: Option<String>,
    /// Contacts of this company.
    #[param(value_type = Option<Uuid>)]
    pub company_id: Option<String>,
    /// Whose contacts: `me`, `none` (nobody's) or a member's user id.
    #[param(example = "me")]
    pub owner: Option<String>,
    /// Follow-up state: `due` (due now or overdue), `week` (due within 7 days) or `none` (no follow-up set).
    #[param(example = "due")]
    pub follow_up: Option<String>,
    /// A custom field's value, as `key:value` (for multi-select fields: contacts having that option).
    #[param(example = "tier:gold")]
    pub custom_field: Option<String>,
    /// `true` lists the trash instead of live contacts.
    #[param(value_type = Option<bool>)]
    pub trashed: Option<String>,
    /// Only these contacts: ids, comma-separated (at most 200).
    pub id: Option<String>,
    /// `true` adds `total`, the number of matching contacts (costs one more query).
    #[param(value_type = Option<bool>)]
    pub include_total: Option<String>,
    /// Only these fields of each contact, comma-separated (`id` is always there), e.g.
    /// `id,display_name,emails`: a smaller, faster page for a list of a few columns. The items
    /// then follow `ContactFields` (the same fields, only `id` required).
    #[param(example = "id,display_name,emails,company,lifecycle")]
    pub fields: Option<String>,
}

/// Query parameters of `GET /api/v1/contacts/export`: the list's filters and sort (no paging:
/// the file has every matching contact).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportContactsParams {
    /// Sort order, as for the list (default `-created_at`).
    #[param(example = "name")]
    pub sort: Option<String>,
    /// Search text, as for the list.
    pub q: Option<String>,
    /// Lifecycle stages, comma-separated.
    pub lifecycle: Option<String>,
    /// Tags, comma-separated: contacts carrying all of them.
    pub tag: Option<String>,
    /// Sources, comma-separated.
    pub source: Option<String>,
    /// Contacts of this company.
    #[param(value_type = Option<Uuid>)]
    pub company_id: Option<String>,
    /// Whose contacts: `me`, `none` or a member's user id.
    pub owner: Option<String>,
    /// Follow-up state: `due`, `week` or `none`.
    pub follow_up: Option<String>,
    /// A custom field's value, as `key:value`.
    pub custom_field: Option<String>,
    /// `true` exports the trash instead of live contacts.
    #[param(value_type = Option<bool>)]
    pub trashed: Option<String>,
    /// Only these contacts (one, or a selection): ids, comma-separated (at most 200).
    pub id: Option<String>,
}

impl ExportContactsParams {
    /// The same filters as list parameters.
    pub fn as_list(&self) -> ListContactsParams {
        ListContactsParams {
            sort: self.sort.clone(),
            q: self.q.clone(),
            lifecycle: self.lifecycle.clone(),
            tag: self.tag.clone(),
            source: self.source.clone(),
            company_id: self.company_id.clone(),
            owner: self.owner.clone(),
            follow_up: self.follow_up.clone(),
            custom_field: self.custom_field.clone(),
            trashed: self.trashed.clone(),
            id: self.id.clone(),
            ..Default::default()
        }
    }
}

/// "Never contacted" sorts as the distant past and "no follow-up" as the distant future; these
/// expressions match the expression indexes of `contact_schedule`, which a list sorted by them
/// joins (`contacts::store::list`).
pub const LAST_INTERACTION_KEY: &str =
    "coalesce(contact_schedule.last_interaction_at, '0001-01-01 00:00:00+00'::timestamptz)";
pub const NEXT_FOLLOW_UP_KEY: &str =
    "coalesce(contact_schedule.next_follow_up_at, '9999-12-31 00:00:00+00'::timestamptz)";

pub const SORTS: &[SortKey] = &[
    SortKey {
        name: "name",
        sql: "contacts.sort_name",
        kind: KeyKind::Text,
    },
    SortKey {
        name: "created_at",
        sql: "contacts.created_at",
        kind: KeyKind::Time,
    },
    SortKey {
        name: "updated_at",
        sql: "contacts.updated_at",
        kind: KeyKind::Time,
    },
    SortKey {
        name: "last_interaction_at",
        sql: LAST_INTERACTION_KEY,
        kind: KeyKind::Time,
    },
    SortKey {
        name: "next_follow_up_at",
        sql: NEXT_FOLLOW_UP_KEY,
        kind: KeyKind::Time,
    },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    Due,
    Week,
    None,
}

#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    /// Search text, matched as global search matches contacts.
    pub q: Option<crate::search::query::Matcher>,
    pub lifecycles: Vec<Lifecycle>,
    pub tags: Vec<String>,
    pub sources: Vec<ContactSource>,
    pub company_id: Option<Uuid>,
    /// `Some(None)`: contacts without an owner.
    pub owner: Option<Option<Uuid>>,
    pub follow_up: Option<FollowUp>,
    /// Custom-field filter: contacts whose `custom_fields` contain this JSON.
    pub custom: Option<serde_json::Value>,
    /// Only contacts whose next follow-up is before this instant.
    pub due_before: Option<chrono::DateTime<chrono::Utc>>,
    pub trashed: bool,
    /// Only these contacts (none: any).
    pub ids: Vec<Uuid>,
}

#[derive(Debug, Clone)]
pub struct ContactQuery {
    pub filter: ContactFilter,
    pub sort: Sort,
    pub after: Option<(SortValue, Uuid)>,
    pub limit: i64,
    pub include_total: bool,
}

fn parse_enums<T: std::str::FromStr<Err = String>>(field: &str, raw: Option<&str>) -> Result<Vec<T>, FieldError> {
    params::list(raw)
        .iter()
        .map(|s| {
            s.parse::<T>()
                .map_err(|e| FieldError::new(field, format!("'{s}' is not valid: {e}")))
        })
        .collect()
}

/// `id=a,b,c`: at most 200 UUIDs.
fn ids(raw: Option<&str>) -> Result<Vec<Uuid>, FieldError> {
    let items = params::list(raw);
    if items.len() > 200 {
        return Err(FieldError::new("id", "at most 200 ids"));
    }
    items
        .iter()
        .map(|s| Uuid::parse_str(s).map_err(|_| FieldError::new("id", format!("'{s}' is not a UUID"))))
        .collect()
}

impl ContactQuery {
    /// The query the parameters ask for; `me` is the caller (for `owner=me`).
    pub fn from_params(p: &ListContactsParams, me: Uuid) -> Result<ContactQuery, AppError> {
        let mut errors = ParamErrors::default();
        let limit = errors.take(params::limit(p.limit.as_deref()));
        let sort = errors.take(Sort::parse(p.sort.as_deref(), SORTS, "-created_at"));
        let after = sort
            .and_then(|sort| errors.take(sort.after(p.cursor.as_deref())))
            .flatten();
        let lifecycles = errors.take(parse_enums("lifecycle", p.lifecycle.as_deref()));
        let sources = errors.take(parse_enums("source", p.source.as_deref()));
        let tags: Vec<String> = params::list(p.tag.as_deref())
            .into_iter()
            .map(|t| t.to_lowercase())
            .collect();
        let company_id = errors
            .take(crate::http::params::uuid("company_id", p.company_id.as_deref()))
            .flatten();
        let owner = errors.take(params::owner("owner", p.owner.as_deref(), me)).flatten();
        let follow_up = match p.follow_up.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some("due") => Some(FollowUp::Due),
            Some("week") => Some(FollowUp::Week),
            Some("none") => Some(FollowUp::None),
            Some(_) => {
                errors.push("follow_up", "must be one of: due, week, none");
                None
            }
        };
        let trashed = errors.take(params::boolean("trashed", p.trashed.as_deref()));
        let include_total = errors.take(params::boolean("include_total", p.include_total.as_deref()));
        let q = errors
            .take(crate::search::query::parse_filter(p.q.as_deref()))
            .flatten();
        let ids = errors.take(ids(p.id.as_deref()));
        errors.finish()?;
        Ok(ContactQuery {
            filter: ContactFilter {
                q,
                lifecycles: lifecycles.unwrap_or_default(),
                tags,
                sources: sources.unwrap_or_default(),
                company_id,
                owner,
                follow_up,
                custom: None,
                due_before: None,
                trashed: trashed.unwrap_or(false),
                ids: ids.unwrap_or_default(),
            },
            // Only reached when there were no errors, so the sort parsed.
            sort: sort.unwrap_or(Sort {
                key: SORTS[1],
                descending: true,
            }),
            after,
            limit: limit.unwrap_or(params::DEFAULT_LIMIT),
            include_total: include_total.unwrap_or(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::cursor::Cursor;
    use uuid::Uuid;

    fn fields(p: ListContactsParams) -> Vec<String> {
        match ContactQuery::from_params(&p, Uuid::nil()) {
            Ok(_) => vec![],
            Err(e) => e.field_errors().iter().map(|f| f.field.clone()).collect(),
        }
    }

    #[test]
    fn sorts() {
        let parse = |raw| Sort::parse(raw, SORTS, "-created_at").map(|s| s.as_param());
        assert_eq!(parse(None).ok().as_deref(), Some("-created_at"));
        assert_eq!(parse(Some("name")).ok().as_deref(), Some("name"));
        assert_eq!(
            parse(Some("-next_follow_up_at")).ok().as_deref(),
            Some("-next_follow_up_at")
        );
        assert!(parse(Some("password")).is_err());
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let p = ListContactsParams {
            limit: Some("0".into()),
            sort: Some("bogus".into()),
            lifecycle: Some("lead,vip".into()),
            follow_up: Some("soon".into()),
            company_id: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(fields(p), vec!["limit", "sort", "lifecycle", "company_id", "follow_up"]);
    }

    #[test]
    fn cursors_must_match_the_sort() {
        let c = Cursor {
            sort: "name".into(),
            value: "ada".into(),
            id: Uuid::now_v7(),
        };
        let p = ListContactsParams {
            cursor: Some(c.encode()),
            sort: Some("-created_at".into()),
            ..Default::default()
        };
        assert_eq!(fields(p), vec!["cursor"]);
        let p = ListContactsParams {
            cursor: Some(c.encode()),
            sort: Some("name".into()),
            ..Default::default()
        };
        assert!(fields(p).is_empty());
        let bad_time = Cursor {
            sort: "-created_at".into(),
            value: "yesterday".into(),
            id: Uuid::now_v7(),
        };
        let p = ListContactsParams {
            cursor: Some(bad_time.encode()),
            ..Default::default()
        };
        assert_eq!(fields(p), vec!["cursor"]);
    }
}
