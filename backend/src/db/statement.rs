//! Statements whose plan PostgreSQL keeps, and writes composed into one statement.
//!
//! Diesel prepares a statement once per connection and reuses it only when it can tell that the
//! statement's text is one of a bounded set. Raw SQL (`sql_query`, `dsl::sql`) and inserts are
//! never reused: each execution costs an extra round trip (parse, then execute) and a new plan,
//! which for a query with many subqueries takes longer than running it (the duplicate check
//! after a create: 1.1 ms of planning for 0.1 ms of execution). [`Prepared`] marks a statement
//! whose text is fixed at its call site, so it is prepared once per connection.
//!
//! [`Statement`] writes several parts as one statement — a write and everything that belongs to
//! it (its history entry, the contact's follow-up) as data-modifying CTEs — so a create is one
//! round trip and one implicit transaction instead of `BEGIN`, three statements and `COMMIT`,
//! and a row lock it takes is held only while PostgreSQL works, never while the server waits.

use diesel::QueryResult;
use diesel::expression::AsExpression;
use diesel::expression::TypedExpressionType;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Bool, Nullable, SqlType, Untyped};

/// A query whose SQL text is the same at every execution (bind values aside), so the connection
/// keeps its prepared statement and PostgreSQL its plan. Only for text built from constants: a
/// statement per distinct text stays on the connection for its lifetime.
#[derive(Debug, Clone)]
pub struct Prepared<Q>(Q);

/// `.prepared()` on any query: see [`Prepared`].
pub trait Prepare: Sized {
    fn prepared(self) -> Prepared<Self> {
        Prepared(self)
    }
}

impl<Q: QueryFragment<Pg>> Prepare for Q {}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    // Cached by its SQL text, not by a Rust type.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

enum Piece<'a> {
    Sql(&'a str),
    Part(Box<dyn QueryFragment<Pg> + Send + 'a>),
}

/// One statement assembled from SQL text, bound values and whole diesel statements (an insert
/// with its `RETURNING`, an update), each bind numbered where it stands. Its rows are read by
/// column name (`QueryableByName`). Its text is fixed at the call site, so it is prepared once
/// per connection (see [`Prepared`]): the parts must not vary in shape from call to call (a
/// single-row insert of a struct whose `None`s are bound as NULL, not written as `DEFAULT`).
#[derive(Default)]
pub struct Statement<'a> {
    pieces: Vec<Piece<'a>>,
}

impl<'a> Statement<'a> {
    pub fn new() -> Self {
        Self::default()
    }

    /// SQL text, as is.
    pub fn sql(mut self, text: &'a str) -> Self {
        self.pieces.push(Piece::Sql(text));
        self
    }

    /// A whole statement or expression (its binds are numbered in order with the rest).
    pub fn part(mut self, part: impl QueryFragment<Pg> + Send + 'a) -> Self {
        self.pieces.push(Piece::Part(Box::new(part)));
        self
    }

    /// One bound value of SQL type `ST`.
    pub fn bind<ST, V>(self, value: V) -> Self
    where
        V: AsExpression<ST>,
        V::Expression: QueryFragment<Pg> + Send + 'a,
        ST: SqlType + TypedExpressionType,
    {
        self.part(value.as_expression())
    }

    /// ` AND (version = <expected> OR <no version expected>)`: a write's condition on the row's
    /// version (an `If-Match`), with the same text whether one is expected or not.
    pub fn at_version(self, expected: Option<i32>) -> Self {
        self.sql(" AND (version = ")
            .bind::<diesel::sql_types::Int4, _>(expected.unwrap_or(0))
            .sql(" OR ")
            .bind::<Bool, _>(expected.is_none())
            .sql(")")
    }

    /// `column = CASE WHEN <set> THEN <value> ELSE column END, ` in an update's SET list: the
    /// column's new value when the change sets it (to a value, or to NULL with `Some(None)`),
    /// else the column as it is. An update that names every column this way has the same text
    /// whatever a request changes, so it is kept prepared with its plan.
    pub fn assign<ST, V>(self, column: &'a str, change: Option<Option<V>>) -> Self
    where
        Nullable<ST>: SqlType + TypedExpressionType,
        Option<V>: AsExpression<Nullable<ST>>,
        <Option<V> as AsExpression<Nullable<ST>>>::Expression: QueryFragment<Pg> + Send + 'a,
    {
        let set = change.is_some();
        self.sql(column)
            .sql(" = CASE WHEN ")
            .bind::<Bool, _>(set)
            .sql(" THEN ")
            .bind::<Nullable<ST>, _>(change.flatten())
            .sql(" ELSE ")
            .sql(column)
            .sql(" END, ")
    }

    /// `column = CASE WHEN <set> THEN (<old> || <values>) - <cleared> ELSE column END, ` for a
    /// JSON object column: the change's values merged into the column as it is when the
    /// statement runs (or into `{}` when `replace`), its `cleared` keys removed. Same text
    /// whatever the change, as for [`Statement::assign`].
    pub fn assign_merged(self, column: &'a str, change: Option<(bool, &'a serde_json::Value, &'a [String])>) -> Self {
        use diesel::sql_types::{Array, Jsonb, Text};
        static EMPTY: std::sync::LazyLock<serde_json::Value> =
            std::sync::LazyLock::new(|| serde_json::Value::Object(serde_json::Map::new()));
        let (replace, values, cleared) = change.unwrap_or((false, &EMPTY, &[]));
        self.sql(column)
            .sql(" = CASE WHEN ")
            .bind::<Bool, _>(change.is_some())
            .sql(" THEN (CASE WHEN ")
            .bind::<Bool, _>(replace)
            .sql(" THEN '{}'::jsonb ELSE ")
            .sql(column)
            .sql(" END || ")
            .bind::<Jsonb, _>(values)
            .sql(") - ")
            .bind::<Array<Text>, _>(cleared)
            .sql(" ELSE ")
            .sql(column)
            .sql(" END, ")
    }
}

impl QueryFragment<Pg> for Statement<'_> {
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for piece in &self.pieces {
            match piece {
                Piece::Sql(text) => pass.push_sql(text),
                Piece::Part(part) => part.walk_ast(pass.reborrow())?,
            }
        }
        Ok(())
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl QueryId for Statement<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Statement<'_> {
    type SqlType = Untyped;
}
