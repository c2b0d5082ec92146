//! Keyset pagination shared by every list: a sort is a SQL key expression plus `id` as the
//! tie-breaker; the next page is `WHERE (key, id) > (last key, last id)` (or `<` descending),
//! which an index on `(workspace_id, key, id)` answers at any depth.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::pg::Pg;
use diesel::sql_types::{Bool, Date, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use super::cursor::Cursor;
use crate::error::FieldError;

/// The type of a sort key, which says how its cursor value is read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Time,
    Text,
    Date,
}

/// A row's value under a sort.
#[derive(Debug, Clone, PartialEq)]
pub enum SortValue {
    Time(DateTime<Utc>),
    Text(String),
    Date(NaiveDate),
}

impl SortValue {
    fn to_cursor_text(&self) -> String {
        match self {
            SortValue::Time(t) => t.to_rfc3339_opts(SecondsFormat::Micros, true),
            SortValue::Text(s) => s.clone(),
            SortValue::Date(d) => d.to_string(),
        }
    }
}

/// The page sizes whose statements carry their limit in the text (a bounded set, so each
/// connection keeps at most a few prepared statements per list).
const KEPT_PAGE_SIZES: [i64; 6] = [10, 20, 25, 50, 100, 200];

/// One accepted `sort` value of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    /// The name clients use, e.g. `name` or `created_at`.
    pub name: &'static str,
    /// The SQL expression ordered by; it must match an index's expression.
    pub sql: &'static str,
    pub kind: KeyKind,
}

/// A chosen sort: a key and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    /// Parses `name` or `-name` against the keys a list accepts; `default` when absent.
    pub fn parse(raw: Option<&str>, keys: &[SortKey], default: &str) -> Result<Sort, FieldError> {
        let raw = raw.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(default);
        let (descending, name) = match raw.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, raw.strip_prefix('+').unwrap_or(raw)),
        };
        match keys.iter().find(|k| k.name == name) {
            Some(key) => Ok(Sort { key: *key, descending }),
            None => {
                let names: Vec<&str> = keys.iter().map(|k| k.name).collect();
                Err(FieldError::new(
                    "sort",
                    format!("must be one of: {} (prefix - for descending)", names.join(", ")),
                ))
            }
        }
    }

    /// The canonical spelling, recorded in cursors.
    pub fn as_param(&self) -> String {
        if self.descending {
            format!("-{}", self.key.name)
        } else {
            self.key.name.to_owned()
        }
    }

    /// `ORDER BY` for this sort, id breaking ties.
    pub fn order_sql(&self, id_sql: &str) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        format!("{} {dir}, {id_sql} {dir}", self.key.sql)
    }

    /// [`Sort::order_sql`] followed by `LIMIT limit + 1` (the extra row tells whether more
    /// follow) when `limit` is one of the common page sizes, else `None`. With the limit in its
    /// text, a page's statement can be kept prepared and PostgreSQL settles on one plan for it;
    /// with the limit bound as a value it plans the statement again at every request (the
    /// contact list: 0.12 ms of planning for 0.14 ms of execution).
    pub fn order_and_limit_sql(&self, id_sql: &str, limit: i64) -> Option<String> {
        KEPT_PAGE_SIZES
            .contains(&limit)
            .then(|| format!("{} LIMIT {}", self.order_sql(id_sql), limit + 1))
    }

    /// Reads a cursor issued for this sort; a garbage cursor or one from another sort is an error.
    pub fn after(&self, raw: Option<&str>) -> Result<Option<(SortValue, Uuid)>, FieldError> {
        let Some(cursor) = crate::http::params::cursor(raw, &self.as_param())? else {
            return Ok(None);
        };
        let value = match self.key.kind {
            KeyKind::Text => SortValue::Text(cursor.value),
            KeyKind::Time => DateTime::parse_from_rfc3339(&cursor.value)
                .map(|t| SortValue::Time(t.with_timezone(&Utc)))
                .map_err(|_| FieldError::coded("cursor", "cursor", "is damaged; start again without a cursor"))?,
            KeyKind::Date => NaiveDate::parse_from_str(&cursor.value, "%Y-%m-%d")
                .map(SortValue::Date)
                .map_err(|_| FieldError::coded("cursor", "cursor", "is damaged; start again without a cursor"))?,
        };
        Ok(Some((value, cursor.id)))
    }

    /// The cursor pointing after a row with this sort value and id.
    pub fn cursor_after(&self, value: &SortValue, id: Uuid) -> String {
        Cursor {
            sort: self.as_param(),
            value: value.to_cursor_text(),
            id,
        }
        .encode()
    }

    /// `(key, id) > (value, id)` (or `<` when descending), for any table's boxed query.
    pub fn condition<QS: 'static>(
        &self,
        id_sql: &str,
        value: &SortValue,
        id: Uuid,
    ) -> Box<dyn BoxableExpression<QS, Pg, SqlType = Bool>> {
        let op = if self.descending { "<" } else { ">" };
        let head = format!("({}, {id_sql}) {op} (", self.key.sql);
        match value {
            SortValue::Time(t) => Box::new(
                sql::<Bool>(&head)
                    .bind::<Timestamptz, _>(*t)
                    .sql(", ")
                    .bind::<SqlUuid, _>(id)
                    .sql(")"),
            ),
            SortValue::Text(s) => Box::new(
                sql::<Bool>(&head)
                    .bind::<Text, _>(s.clone())
                    .sql(", ")
                    .bind::<SqlUuid, _>(id)
                    .sql(")"),
            ),
            SortValue::Date(d) => Box::new(
                sql::<Bool>(&head)
                    .bind::<Date, _>(*d)
                    .sql(", ")
                    .bind::<SqlUuid, _>(id)
                    .sql(")"),
            ),
        }
    }
}

/// One step of a walk over every matching row (exports): the `limit` rows of this page and the
/// position after its last one, for the next step's `after` (`None` once a page comes back empty).
pub fn step<T>(
    mut rows: Vec<T>,
    limit: i64,
    key_of: impl Fn(&T) -> (SortValue, Uuid),
) -> (Vec<T>, Option<(SortValue, Uuid)>) {
    rows.truncate(limit.max(0) as usize);
    let after = rows.last().map(key_of);
    (rows, after)
}

/// Splits `limit + 1` fetched rows into the page and the cursor for the next one.
pub fn page<T>(
    mut rows: Vec<T>,
    limit: i64,
    sort: &Sort,
    key_of: impl Fn(&T) -> (SortValue, Uuid),
) -> (Vec<T>, Option<String>) {
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let next = match rows.last() {
        Some(last) if has_more => {
            let (value, id) = key_of(last);
            Some(sort.cursor_after(&value, id))
        }
        _ => None,
    };
    (rows, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &[SortKey] = &[
        SortKey {
            name: "name",
            sql: "t.sort_name",
            kind: KeyKind::Text,
        },
        SortKey {
            name: "created_at",
            sql: "t.created_at",
            kind: KeyKind::Time,
        },
    ];

    #[test]
    fn parses_sorts() {
        let s = Sort::parse(Some("-created_at"), KEYS, "name").unwrap();
        assert!(s.descending);
        assert_eq!(s.as_param(), "-created_at");
        assert_eq!(s.order_sql("t.id"), "t.created_at DESC, t.id DESC");
        assert_eq!(Sort::parse(None, KEYS, "name").unwrap().as_param(), "name");
        let err = Sort::parse(Some("password"), KEYS, "name").unwrap_err();
        assert_eq!(err.field, "sort");
        assert!(err.message.contains("name, created_at"));
    }

    #[test]
    fn common_page_sizes_carry_their_limit_in_the_text() {
        let s = Sort::parse(Some("-created_at"), KEYS, "name").unwrap();
        assert_eq!(
            s.order_and_limit_sql("t.id", 50).as_deref(),
            Some("t.created_at DESC, t.id DESC LIMIT 51")
        );
        assert_eq!(
            s.order_and_limit_sql("t.id", 25).as_deref(),
            Some("t.created_at DESC, t.id DESC LIMIT 26")
        );
        // Any other size is bound as a value: the set of statement texts stays small.
        assert_eq!(s.order_and_limit_sql("t.id", 37), None);
        assert_eq!(s.order_and_limit_sql("t.id", 0), None);
    }

    #[test]
    fn cursors_round_trip_through_their_sort() {
        let s = Sort::parse(Some("created_at"), KEYS, "name").unwrap();
        let t = DateTime::parse_from_rfc3339("2026-01-02T03:04:05.123456Z")
            .unwrap()
            .with_timezone(&Utc);
        let id = Uuid::now_v7();
        let c = s.cursor_after(&SortValue::Time(t), id);
        assert_eq!(s.after(Some(&c)).unwrap(), Some((SortValue::Time(t), id)));
        let other = Sort::parse(Some("name"), KEYS, "name").unwrap();
        assert_eq!(other.after(Some(&c)).unwrap_err().field, "cursor");
        assert_eq!(s.after(Some("junk")).unwrap_err().field, "cursor");
    }

    #[test]
    fn pages_split_off_the_extra_row() {
        let s = Sort::parse(Some("name"), KEYS, "name").unwrap();
        let rows = vec!["a", "b", "c"];
        let id = Uuid::nil();
        let (items, next) = page(rows.clone(), 2, &s, |r| (SortValue::Text((*r).into()), id));
        assert_eq!(items, vec!["a", "b"]);
        assert_eq!(
            s.after(next.as_deref()).unwrap(),
            Some((SortValue::Text("b".into()), id))
        );
        let (items, next) = page(rows, 3, &s, |r| (SortValue::Text((*r).into()), id));
        assert_eq!(items.len(), 3);
        assert!(next.is_none());
    }
}
