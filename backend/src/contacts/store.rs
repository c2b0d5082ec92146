//! Contact rows and the SQL that reads and writes them.

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{BoxedSelectStatement, FromClause};
use diesel::sql_types::{BigInt, Bool, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use std::sync::LazyLock;
use uuid::Uuid;

use super::dto::{ContactSource, Lifecycle, RelationshipType};
use super::query::{ContactFilter, ContactQuery, FollowUp, LAST_INTERACTION_KEY, NEXT_FOLLOW_UP_KEY};
use crate::activity::{self, store::ActivityRow};
use crate::custom_fields::values::ValuesChange;
use crate::db::WorkspaceId;
use crate::db::keyset::{SortKey, SortValue};
use crate::db::schema::{contact_schedule, contacts, merges};
use crate::db::statement::{Prepare, Statement};
use crate::duplicates;
use crate::interactions::dto::SentimentLabel;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = contacts, check_for_backend(Pg))]
pub struct ContactRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub first_name: String,
    pub last_name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub company_id: Option<Uuid>,
    pub job_title: Option<String>,
    pub website: Option<String>,
    pub linkedin_url: Option<String>,
    pub twitter_url: Option<String>,
    pub location: Option<String>,
    pub source: Option<ContactSource>,
    pub lifecycle: Lifecycle,
    pub relationship_type: Option<RelationshipType>,
    pub connection_strength: Option<i16>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    pub custom_fields: serde_json::Value,
    pub follow_up_cadence_days: Option<i32>,
    pub last_interaction_at: Option<DateTime<Utc>>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub sort_name: String,
    pub last_sentiment: Option<SentimentLabel>,
    /// The company's name, kept by the database (see migration 000016).
    pub company_name: Option<String>,
    pub owner_id: Option<Uuid>,
    pub time_zone: Option<String>,
}

/// A contact to create. `None`s are written as NULL (the columns' default), so the insert's text
/// is the same for every contact; `next_follow_up_at` is written by [`insert_created`].
#[derive(Debug, Insertable)]
#[diesel(table_name = contacts, treat_none_as_default_value = false)]
pub struct NewContactRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub first_name: String,
    pub last_name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub company_id: Option<Uuid>,
    pub job_title: Option<String>,
    pub website: Option<String>,
    pub linkedin_url: Option<String>,
    pub twitter_url: Option<String>,
    pub location: Option<String>,
    pub source: Option<ContactSource>,
    pub lifecycle: Lifecycle,
    pub relationship_type: Option<RelationshipType>,
    pub connection_strength: Option<i16>,
    pub notes: Option<String>,
    pub tags: Vec<String>,
    pub follow_up_cadence_days: Option<i32>,
    #[diesel(skip_insertion)]
    pub next_follow_up_at: Option<DateTime<Utc>>,
    pub custom_fields: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub owner_id: Option<Uuid>,
    pub time_zone: Option<String>,
}

/// Columns to change; `None` leaves a column alone, `Some(None)` sets it to NULL.
#[derive(Debug, Default)]
pub struct ContactChangeset {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub emails: Option<Vec<String>>,
    pub phones: Option<Vec<String>>,
    pub company_id: Option<Option<Uuid>>,
    pub job_title: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub linkedin_url: Option<Option<String>>,
    pub twitter_url: Option<Option<String>>,
    pub location: Option<Option<String>>,
    pub source: Option<Option<ContactSource>>,
    pub lifecycle: Option<Lifecycle>,
    pub relationship_type: Option<Option<RelationshipType>>,
    pub connection_strength: Option<Option<i16>>,
    pub notes: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub follow_up_cadence_days: Option<Option<i32>>,
    pub next_follow_up_at: Option<Option<DateTime<Utc>>>,
    pub custom_fields: Option<ValuesChange>,
    pub owner_id: Option<Option<Uuid>>,
    pub time_zone: Option<Option<String>>,
}

impl ContactChangeset {
    /// Names of the columns this change sets.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.first_name.is_some() {
            out.push("first_name");
        }
        if self.last_name.is_some() {
            out.push("last_name");
        }
        if self.emails.is_some() {
            out.push("emails");
        }
        if self.phones.is_some() {
            out.push("phones");
        }
        if self.company_id.is_some() {
            out.push("company_id");
        }
        if self.owner_id.is_some() {
            out.push("owner_id");
        }
        if self.time_zone.is_some() {
            out.push("time_zone");
        }
        if self.job_title.is_some() {
            out.push("job_title");
        }
        if self.website.is_some() {
            out.push("website");
        }
        if self.linkedin_url.is_some() {
            out.push("linkedin_url");
        }
        if self.twitter_url.is_some() {
            out.push("twitter_url");
        }
        if self.location.is_some() {
            out.push("location");
        }
        if self.source.is_some() {
            out.push("source");
        }
        if self.lifecycle.is_some() {
            out.push("lifecycle");
        }
        if self.relationship_type.is_some() {
            out.push("relationship_type");
        }
        if self.connection_strength.is_some() {
            out.push("connection_strength");
        }
        if self.notes.is_some() {
            out.push("notes");
        }
        if self.tags.is_some() {
            out.push("tags");
        }
        if self.follow_up_cadence_days.is_some() {
            out.push("follow_up_cadence_days");
        }
        if self.next_follow_up_at.is_some() {
            out.push("next_follow_up_at");
        }
        if self.custom_fields.is_some() {
            out.push("custom_fields");
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.changed_fields().is_empty()
    }

    /// Whether the change computes the follow-up anew: a new stage or cadence, unless it sets the
    /// date itself.
    pub fn reschedules(&self) -> bool {
        (self.lifecycle.is_some() || self.follow_up_cadence_days.is_some()) && self.next_follow_up_at.is_none()
    }
}

pub type WriteOutcome = crate::db::WriteOutcome<ContactRow>;

type ContactSelect<'a, ST> = BoxedSelectStatement<'a, ST, FromClause<contacts::table>, Pg>;

/// The value a row has under a sort, as the cursor records it.
pub fn sort_value(row: &ContactRow, key: &SortKey) -> SortValue {
    // The sentinels of LAST_INTERACTION_KEY and NEXT_FOLLOW_UP_KEY.
    let min = DateTime::from_timestamp(-62_135_596_800, 0).unwrap_or_default();
    let max = DateTime::from_timestamp(253_402_214_400, 0).unwrap_or_default();
    match key.name {
        "name" => SortValue::Text(row.sort_name.clone()),
        "updated_at" => SortValue::Time(row.updated_at),
        "last_interaction_at" => SortValue::Time(row.last_interaction_at.unwrap_or(min)),
        "next_follow_up_at" => SortValue::Time(row.next_follow_up_at.unwrap_or(max)),
        _ => SortValue::Time(row.created_at),
    }
}

/// The filters of a contact query on the contact's own columns, whatever it reads the contacts
/// from; the follow-up date's filters need the schedule ([`scheduled`]).
macro_rules! common_filters {
    ($query:expr, $workspace:expr, $f:expr) => {{
        let f: &ContactFilter = $f;
        let mut query = $query.filter(contacts::workspace_id.eq($workspace));
        query = if f.trashed {
            query.filter(contacts::deleted_at.is_not_null())
        } else {
            query.filter(contacts::deleted_at.is_null())
        };
        if let Some(m) = &f.q {
            query = query.filter(crate::search::store::list_condition("contacts", m));
        }
        if !f.lifecycles.is_empty() {
            query = query.filter(contacts::lifecycle.eq_any(f.lifecycles.iter().map(|l| l.as_str())));
        }
        if !f.sources.is_empty() {
            query = query.filter(contacts::source.eq_any(f.sources.iter().map(|s| s.as_str())));
        }
        if !f.tags.is_empty() {
            query = query.filter(contacts::tags.contains(&f.tags));
        }
        if let Some(company) = f.company_id {
            query = query.filter(contacts::company_id.eq(company));
        }
        if !f.ids.is_empty() {
            query = query.filter(contacts::id.eq_any(&f.ids));
        }
        match f.owner {
            None => {}
            Some(Some(owner)) => query = query.filter(contacts::owner_id.eq(owner)),
            Some(None) => query = query.filter(contacts::owner_id.is_null()),
        }
        if let Some(custom) = &f.custom {
            query = query
                .filter(sql::<Bool>("contacts.custom_fields @> ").bind::<diesel::sql_types::Jsonb, _>(custom.clone()));
        }
        query
    }};
}

/// Contacts alone (a query with no follow-up date to filter or sort on).
fn filtered<'a, ST: 'a>(
    query: ContactSelect<'a, ST>,
    workspace: WorkspaceId,
    f: &'a ContactFilter,
) -> ContactSelect<'a, ST> {
    common_filters!(query, workspace, f)
}

/// Whether a query reads the contacts through their schedule (`contact_schedule`, whose indexes
/// order and bound the follow-up dates): sorted by a schedule key, or filtered by the follow-up
/// date.
fn through_schedule(f: &ContactFilter, sort: Option<&SortKey>) -> bool {
    f.follow_up.is_some()
        || f.due_before.is_some()
        || sort.is_some_and(|k| [LAST_INTERACTION_KEY, NEXT_FOLLOW_UP_KEY].contains(&k.sql))
}

/// The contacts joined to their schedule, filtered: the follow-up date's filters are ranges of
/// the schedule index's key (`coalesce(next, 'infinity')` is below an instant exactly when
/// `next` is), and live contacts are asked for as the partial indexes know them.
macro_rules! scheduled {
    ($select:expr, $workspace:expr, $f:expr) => {{
        let f: &ContactFilter = $f;
        let joined = contacts::table.inner_join(
            contact_schedule::table.on(contact_schedule::workspace_id
                .eq(contacts::workspace_id)
                .and(contact_schedule::contact_id.eq(contacts::id))),
        );
        let mut query = common_filters!(joined.select($select).into_boxed(), $workspace, f);
        query = query.filter(contact_schedule::workspace_id.eq($workspace));
        if !f.trashed {
            query = query.filter(contact_schedule::live.eq(true));
        }
        let below = |at: DateTime<Utc>, op: &str| {
            sql::<Bool>(&format!("{NEXT_FOLLOW_UP_KEY} {op} ")).bind::<Timestamptz, _>(at)
        };
        let now = Utc::now();
        query = match f.follow_up {
            Some(FollowUp::Due) => query.filter(below(now, "<=")),
            Some(FollowUp::Week) => query.filter(below(now + chrono::Duration::days(7), "<=")),
            Some(FollowUp::None) => query.filter(contact_schedule::next_follow_up_at.is_null()),
            None => query,
        };
        if let Some(before) = f.due_before {
            query = query.filter(below(before, "<"));
        }
        query
    }};
}

/// One page of contacts in keyset order, plus one extra row to tell whether more follow.
pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    q: &ContactQuery,
) -> QueryResult<Vec<ContactRow>> {
    // A page without search or value filters (whose best plan depends on the values asked for)
    // at a common size is kept prepared, with one plan; any other is planned for its values.
    let f = &q.filter;
    let plain =
        f.q.is_none() && f.tags.is_empty() && f.custom.is_none() && f.lifecycles.is_empty() && f.sources.is_empty();
    macro_rules! page {
        ($query:expr, $id:expr) => {{
            let mut query = $query;
            if let Some((value, id)) = &q.after {
                query = query.filter(q.sort.condition($id, value, *id));
            }
            match q.sort.order_and_limit_sql($id, q.limit).filter(|_| plain) {
                Some(order_and_limit) => query.order(sql::<Text>(&order_and_limit)).prepared().load(conn).await,
                None => {
                    query
                        .order(sql::<Text>(&q.sort.order_sql($id)))
                        .limit(q.limit + 1)
                        .load(conn)
                        .await
                }
            }
        }};
    }
    if through_schedule(f, Some(&q.sort.key)) {
        page!(
            scheduled!(ContactRow::as_select(), workspace, f),
            "contact_schedule.contact_id"
        )
    } else {
        let base: ContactSelect<'_, _> = contacts::table.select(ContactRow::as_select()).into_boxed();
        page!(filtered(base, workspace, f), "contacts.id")
    }
}

pub async fn count(conn: &mut AsyncPgConnection, workspace: WorkspaceId, f: &ContactFilter) -> QueryResult<i64> {
    if through_schedule(f, None) {
        scheduled!(count_star(), workspace, f).get_result(conn).await
    } else {
        let base: ContactSelect<'_, BigInt> = contacts::table.select(count_star()).into_boxed();
        filtered(base, workspace, f).get_result(conn).await
    }
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> QueryResult<Option<ContactRow>> {
    contacts::table
        .filter(contacts::workspace_id.eq(workspace).and(contacts::id.eq(id)))
        .select(ContactRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The live contacts among `ids` (trashed, merged away or unknown ones are left out).
pub async fn find_live(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> QueryResult<Vec<ContactRow>> {
    contacts::table
        .filter(
            contacts::workspace_id
                .eq(workspace)
                .and(contacts::id.eq_any(ids))
                .and(contacts::deleted_at.is_null()),
        )
        .select(ContactRow::as_select())
        .load(conn)
        .await
}

/// Creates a contact together with its history entry, in one statement that also finds its
/// possible duplicates (`duplicates::store::created_contact_matches`). Its first follow-up is
/// `next_follow_up_at` when given, else its creation plus its cadence (its own, else its stage's
/// default from the workspace settings): a new contact has no interactions or reminders yet.
pub async fn insert_created(
    conn: &mut AsyncPgConnection,
    row: &NewContactRow,
    history: &ActivityRow,
) -> QueryResult<Created> {
    #[derive(QueryableByName)]
    struct CreatedRow {
        #[diesel(embed)]
        contact: ContactRow,
        #[diesel(embed)]
        possible: duplicates::store::MaybeMatch,
    }
    let first_follow_up = sql::<diesel::sql_types::Nullable<Timestamptz>>("coalesce(")
        .bind::<diesel::sql_types::Nullable<Timestamptz>, _>(row.next_follow_up_at)
        .sql(", ")
        .bind::<Timestamptz, _>(row.created_at)
        .sql(" + make_interval(days => coalesce(")
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Integer>, _>(row.follow_up_cadence_days)
        .sql(", (SELECT (w.settings -> 'follow_up_cadence_days' ->> ")
        .bind::<Text, _>(row.lifecycle.as_str())
        .sql(")::int FROM workspaces w WHERE w.id = ")
        .bind::<SqlUuid, _>(row.workspace_id)
        .sql("))))");
    // The contact, its history entry and its possible duplicates: one statement.
    let rows = Statement::new()
        .sql("WITH created AS (")
        .part(
            diesel::insert_into(contacts::table)
                .values((row, contacts::next_follow_up_at.eq(first_follow_up)))
                .returning(ContactRow::as_returning()),
        )
        .sql("), history AS (")
        .part(activity::store::insert_one(history))
        .sql(")")
        .part(duplicates::store::created_contact_matches(row.workspace_id))
        .load::<CreatedRow>(conn)
        .await?;
    let mut rows = rows.into_iter();
    let first = rows.next().ok_or(diesel::result::Error::NotFound)?;
    let possible = std::iter::once(first.possible)
        .chain(rows.map(|r| r.possible))
        .filter_map(duplicates::store::MaybeMatch::into_match)
        .collect();
    Ok(Created {
        contact: first.contact,
        possible,
    })
}

/// A contact just inserted, with its possible duplicates, best first.
pub struct Created {
    pub contact: ContactRow,
    pub possible: Vec<duplicates::store::MatchRow>,
}

/// `next_follow_up_at = …, ` in a contact's update: the date the change sets, else with
/// `reschedule` (a new stage or cadence) the schedule as the change leaves the stage and cadence —
/// the last interaction that has happened by `now` (or the contact's creation) plus the cadence,
/// else the stage's default from the workspace settings, brought forward by the earliest open
/// reminder — else the date as it is.
fn next_follow_up<'a>(c: &'a ContactChangeset, reschedule: bool, now: DateTime<Utc>) -> Statement<'a> {
    use diesel::sql_types::{Int4, Nullable};
    Statement::new()
        .sql("next_follow_up_at = CASE WHEN ")
        .bind::<Bool, _>(c.next_follow_up_at.is_some())
        .sql(" THEN ")
        .bind::<Nullable<Timestamptz>, _>(c.next_follow_up_at.flatten())
        .sql(" WHEN ")
        .bind::<Bool, _>(reschedule)
        .sql(
            " THEN least(coalesce((SELECT max(i.occurred_at) FROM interactions i \
             WHERE i.contact_id = contacts.id AND i.occurred_at <= ",
        )
        .bind::<Timestamptz, _>(now)
        .sql("), contacts.created_at) + make_interval(days => coalesce(CASE WHEN ")
        .bind::<Bool, _>(c.follow_up_cadence_days.is_some())
        .sql(" THEN ")
        .bind::<Nullable<Int4>, _>(c.follow_up_cadence_days.flatten())
        .sql(" ELSE contacts.follow_up_cadence_days END, (SELECT (w.settings -> 'follow_up_cadence_days' ->> ")
        .sql("CASE WHEN ")
        .bind::<Bool, _>(c.lifecycle.is_some())
        .sql(" THEN ")
        .bind::<Nullable<Text>, _>(c.lifecycle)
        .sql(
            " ELSE contacts.lifecycle END)::int FROM workspaces w WHERE w.id = contacts.workspace_id))), \
             (SELECT min(r.due_at) FROM reminders r WHERE r.contact_id = contacts.id AND r.completed_at IS NULL)) \
             ELSE next_follow_up_at END, ",
        )
}

/// The update of a live contact (only at `expected` when given) that bumps its version and sets
/// `updated_at` to `now`, returning the row; with `reschedule`, its follow-up is computed anew
/// unless the change sets it (see [`next_follow_up`]). A changeset with no columns is still a valid touch:
/// version and updated_at move. Every column is named whether the change sets it or not (see
/// `Statement::assign`), so the text is one of two — with the company or without, whose change
/// alone runs the trigger that copies the company's name — and both are kept prepared.
fn edit<'a>(
    workspace: WorkspaceId,
    id: Uuid,
    changes: &'a ContactChangeset,
    expected: Option<i32>,
    now: DateTime<Utc>,
    reschedule: bool,
) -> Statement<'a> {
    use diesel::sql_types::{Array, Int2, Int4};
    let c = changes;
    let some = |s: &'a Option<String>| s.as_ref().map(|s| Some(s.as_str()));
    let nullable = |s: &'a Option<Option<String>>| s.as_ref().map(Option::as_deref);
    let mut edit = Statement::new().sql("UPDATE contacts SET ");
    if c.company_id.is_some() {
        edit = edit.assign::<SqlUuid, _>("company_id", c.company_id);
    }
    edit.assign::<Text, _>("first_name", some(&c.first_name))
        .assign::<Text, _>("last_name", some(&c.last_name))
        .assign::<Array<Text>, _>("emails", c.emails.as_ref().map(Some))
        .assign::<Array<Text>, _>("phones", c.phones.as_ref().map(Some))
        .assign::<Text, _>("job_title", nullable(&c.job_title))
        .assign::<Text, _>("website", nullable(&c.website))
        .assign::<Text, _>("linkedin_url", nullable(&c.linkedin_url))
        .assign::<Text, _>("twitter_url", nullable(&c.twitter_url))
        .assign::<Text, _>("location", nullable(&c.location))
        .assign::<Text, _>("source", c.source)
        .assign::<Text, _>("lifecycle", c.lifecycle.map(Some))
        .assign::<Text, _>("relationship_type", c.relationship_type)
        .assign::<Int2, _>("connection_strength", c.connection_strength)
        .assign::<Text, _>("notes", nullable(&c.notes))
        .assign::<Array<Text>, _>("tags", c.tags.as_ref().map(Some))
        .assign::<Int4, _>("follow_up_cadence_days", c.follow_up_cadence_days)
        .part(next_follow_up(c, reschedule, now))
        .assign_merged("custom_fields", c.custom_fields.as_ref().map(ValuesChange::merged))
        .assign::<SqlUuid, _>("owner_id", c.owner_id)
        .assign::<Text, _>("time_zone", nullable(&c.time_zone))
        .sql("version = version + 1, updated_at = ")
        .bind::<Timestamptz, _>(now)
        .sql(" WHERE workspace_id = ")
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND id = ")
        .bind::<SqlUuid, _>(id)
        .sql(" AND deleted_at IS NULL")
        .at_version(expected)
        .sql(" RETURNING ")
        .part(ContactRow::as_returning())
}

/// Applies a change to a live contact, bumping its version; only at `expected` when given.
pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    changes: &ContactChangeset,
    expected: Option<i32>,
) -> QueryResult<WriteOutcome> {
    let updated = edit(workspace, id, changes, expected, Utc::now(), false)
        .get_result::<ContactRow>(conn)
        .await
        .optional()?;
    outcome(conn, workspace, id, updated, |r| r.deleted_at.is_none()).await
}

/// A change of one contact (`change`, returning the row) and its history entry naming the
/// contact as the change leaves it (the entry's sentence `template`, see
/// `Summary::english_template`), as one statement whose row is the contact.
fn recorded<'a>(
    change: impl diesel::query_builder::QueryFragment<Pg> + Send + 'a,
    (history, template): (&'a ActivityRow, &'a str),
) -> Statement<'a> {
    Statement::new()
        .sql("WITH updated AS (")
        .part(change)
        .sql("), named AS (SELECT id AS contact_id, trim(first_name || ' ' || last_name) AS name FROM updated), history AS (")
        .part(activity::store::insert_one_named(history, template, "named", &["name"]))
        .sql(") SELECT * FROM updated")
}

/// [`update`] with the change's history entry in the same statement: the entry is written only
/// when the contact is, and names it as the update leaves it (its sentence's `template`, see
/// `Summary::english_template`).
pub async fn update_recorded(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    changes: &ContactChangeset,
    expected: Option<i32>,
    (history, template): (&ActivityRow, &str),
) -> QueryResult<WriteOutcome> {
    let change = edit(
        workspace,
        id,
        changes,
        expected,
        history.occurred_at,
        changes.reschedules(),
    );
    let updated = recorded(change, (history, template))
        .get_result::<ContactRow>(conn)
        .await
        .optional()?;
    outcome(conn, workspace, id, updated, |r| r.deleted_at.is_none()).await
}

/// Moves a live contact to the trash (`trash = true`) or back (`trash = false`), with its history
/// entry naming the contact (as for [`update_recorded`]), in one statement.
pub async fn set_trashed(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    trash: bool,
    expected: Option<i32>,
    (history, template): (&ActivityRow, &str),
) -> QueryResult<WriteOutcome> {
    let now = history.occurred_at;
    let target = contacts::table
        .filter(contacts::workspace_id.eq(workspace))
        .filter(contacts::id.eq(id))
        .filter(contacts::deleted_at.is_null().eq(trash))
        // A merged record is out of sight but not in the trash: it comes back by undoing the merge.
        .filter(diesel::dsl::not(diesel::dsl::exists(
            merges::table
                .filter(merges::merged_id.eq(contacts::id))
                .filter(merges::undone_at.is_null()),
        )))
        .filter(
            contacts::version
                .eq(expected.unwrap_or(0))
                .or(expected.is_none().into_sql::<Bool>()),
        );
    let change = diesel::update(target)
        .set((
            contacts::deleted_at.eq(trash.then_some(now)),
            contacts::version.eq(contacts::version + 1),
            contacts::updated_at.eq(now),
        ))
        .returning(ContactRow::as_returning());
    let updated = recorded(change, (history, template))
        .get_result::<ContactRow>(conn)
        .await
        .optional()?;
    outcome(conn, workspace, id, updated, |r| r.deleted_at.is_some() != trash).await
}

async fn outcome(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    updated: Option<ContactRow>,
    in_scope: impl Fn(&ContactRow) -> bool,
) -> QueryResult<WriteOutcome> {
    if let Some(row) = updated {
        return Ok(WriteOutcome::Written(Box::new(row)));
    }
    let Some(row) = find(conn, workspace, id).await? else {
        return Ok(WriteOutcome::Missing);
    };
    if row.deleted_at.is_some() {
        // Out of sight because it was merged into another record?
        if let Some(survivor) = crate::merges::store::survivor_of(conn, workspace, id).await? {
            return Ok(WriteOutcome::Merged(survivor));
        }
    }
    Ok(if in_scope(&row) {
        WriteOutcome::Stale(row.version)
    } else if row.deleted_at.is_some() {
        WriteOutcome::Trashed
    } else {
        WriteOutcome::Missing
    })
}

/// The follow-up schedule in SQL: the last interaction that has happened (or, for a contact never
/// contacted, its creation) plus the contact's cadence, else its stage's default from the
/// workspace settings; NULL when neither gives a cadence. An open reminder earlier than that
/// brings the follow-up forward (`least` ignores NULLs). "Has happened" is measured against
/// `clock.at`, a time bound by the caller (a CTE `clock`), so an index bounds the scan and an
/// interaction logged in the same statement or transaction counts.
const LAST_HAPPENED: &str = "(SELECT max(i.occurred_at) FROM interactions i WHERE i.contact_id = c.id \
     AND i.occurred_at <= (SELECT at FROM clock))";
const EARLIEST_REMINDER: &str =
    "(SELECT min(r.due_at) FROM reminders r WHERE r.contact_id = c.id AND r.completed_at IS NULL)";
const LAST_SENTIMENT: &str = "(SELECT i.sentiment_label FROM interactions i WHERE i.contact_id = c.id \
     AND i.sentiment_label IS NOT NULL AND i.occurred_at <= (SELECT at FROM clock) ORDER BY i.occurred_at DESC, i.id DESC LIMIT 1)";
const CADENCE: &str =
    "coalesce(c.follow_up_cadence_days, (w.settings -> 'follow_up_cadence_days' ->> c.lifecycle)::int)";

/// The follow-up fields recomputed from the contact's interactions and reminders.
static REFRESH: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE contacts c SET last_interaction_at = {LAST_HAPPENED}, last_sentiment = {LAST_SENTIMENT}, \
           next_follow_up_at = least(coalesce({LAST_HAPPENED}, c.created_at) + make_interval(days => {CADENCE}), {EARLIEST_REMINDER}) \
         FROM workspaces w WHERE w.id = c.workspace_id AND c.workspace_id = $1"
    )
});

/// The same, for a contact whose interactions or reminders the same statement changes, which the
/// statement's own reads do not see: the rows whose ids are in the CTE `replaced` are left out of
/// them, and the rows of the CTE `added` (as the change leaves them) are taken into account
/// beside them. The WHERE clause ends with the workspace, to be bound next.
fn after_change(interactions: Changed, reminders: Changed) -> String {
    let happened = "i.occurred_at <= (SELECT at FROM clock)";
    let kept = |changed: Changed, alias: &str| {
        changed
            .replaced
            .map(|r| format!(" AND {alias}.id NOT IN (SELECT x.id FROM {r} x)"))
            .unwrap_or_default()
    };
    let kept_interactions = kept(interactions, "i");
    let mut last = format!(
        "(SELECT max(i.occurred_at) FROM interactions i WHERE i.contact_id = c.id AND {happened}{kept_interactions})"
    );
    let mut sentiment = format!(
        "(SELECT i.sentiment_label AS label, i.occurred_at, i.id FROM interactions i WHERE i.contact_id = c.id \
           AND i.sentiment_label IS NOT NULL AND {happened}{kept_interactions} ORDER BY i.occurred_at DESC, i.id DESC LIMIT 1)"
    );
    if let Some(added) = interactions.added {
        last = format!(
            "greatest({last}, (SELECT max(l.occurred_at) FROM {added} l WHERE l.contact_id = c.id \
               AND l.occurred_at <= (SELECT at FROM clock)))"
        );
        sentiment = format!(
            "{sentiment} UNION ALL SELECT l.sentiment_label, l.occurred_at, l.id FROM {added} l WHERE l.contact_id = c.id \
               AND l.sentiment_label IS NOT NULL AND l.occurred_at <= (SELECT at FROM clock)"
        );
    }
    let sentiment = format!("(SELECT s.label FROM ({sentiment}) s ORDER BY s.occurred_at DESC, s.id DESC LIMIT 1)");
    let mut reminder = format!(
        "(SELECT min(r.due_at) FROM reminders r WHERE r.contact_id = c.id AND r.completed_at IS NULL{})",
        kept(reminders, "r")
    );
    if let Some(added) = reminders.added {
        reminder = format!(
            "least({reminder}, (SELECT min(a.due_at) FROM {added} a WHERE a.contact_id = c.id AND a.completed_at IS NULL))"
        );
    }
    format!(
        "UPDATE contacts c SET last_interaction_at = {last}, last_sentiment = {sentiment}, \
           next_follow_up_at = least(coalesce({last}, c.created_at) + make_interval(days => {CADENCE}), {reminder}) \
         FROM workspaces w WHERE w.id = c.workspace_id AND c.workspace_id = "
    )
}

/// Which CTEs of a statement change a contact's interactions or reminders (see [`after_change`]).
#[derive(Clone, Copy, Default)]
struct Changed {
    replaced: Option<&'static str>,
    added: Option<&'static str>,
}

const UNCHANGED: Changed = Changed {
    replaced: None,
    added: None,
};
/// Rows a statement inserts, as the CTE `name`.
const fn added(name: &'static str) -> Changed {
    Changed {
        replaced: None,
        added: Some(name),
    }
}
/// Rows a statement updates, as the CTE `name` holds them after the update.
const fn replaced_by(name: &'static str) -> Changed {
    Changed {
        replaced: Some(name),
        added: Some(name),
    }
}
/// Rows a statement deletes, as the CTE `name`.
const fn removed(name: &'static str) -> Changed {
    Changed {
        replaced: Some(name),
        added: None,
    }
}

/// After an interaction `logged` by the same statement.
static AFTER_LOGGING: LazyLock<String> = LazyLock::new(|| after_change(added("logged"), UNCHANGED));
/// After an edit of an interaction, `updated` by the same statement.
static AFTER_EDIT: LazyLock<String> = LazyLock::new(|| after_change(replaced_by("updated"), UNCHANGED));
/// After an interaction is `deleted` by the same statement.
static AFTER_DELETE: LazyLock<String> = LazyLock::new(|| after_change(removed("deleted"), UNCHANGED));
/// After a reminder is `created`, `updated` or `deleted` by the same statement.
static AFTER_REMINDER_CREATED: LazyLock<String> = LazyLock::new(|| after_change(UNCHANGED, added("created")));
static AFTER_REMINDER_UPDATED: LazyLock<String> = LazyLock::new(|| after_change(UNCHANGED, replaced_by("updated")));
static AFTER_REMINDER_DELETED: LazyLock<String> = LazyLock::new(|| after_change(UNCHANGED, removed("deleted")));

/// Recomputes the `last_interaction_at`, `last_sentiment` and `next_follow_up_at` of many
/// contacts as of now (after an import), in one statement. Derived fields do not bump the
/// version: they never conflict with what a person edits.
pub async fn refresh_follow_ups(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> QueryResult<usize> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "WITH clock AS (SELECT $3::timestamptz AS at) {} AND c.id = ANY($2)",
            *REFRESH
        )
    });
    diesel::sql_query(SQL.as_str())
        .bind::<SqlUuid, _>(workspace)
        .bind::<diesel::sql_types::Array<SqlUuid>, _>(ids)
        .bind::<Timestamptz, _>(Utc::now())
        .prepared()
        .execute(conn)
        .await
}

/// A live contact's id (`contact_id`) and display name (`name`), no row when it is missing or in
/// the trash, as one part of a statement that writes something about it.
pub fn live_name<'a>(workspace: WorkspaceId, contact: Uuid) -> Statement<'a> {
    Statement::new()
        .sql(
            "SELECT c.id AS contact_id, trim(c.first_name || ' ' || c.last_name) AS name FROM contacts c \
             WHERE c.workspace_id = ",
        )
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND c.id = ")
        .bind::<SqlUuid, _>(contact)
        .sql(" AND c.deleted_at IS NULL")
}

/// The update of a contact's follow-up fields after an interaction is logged, as one part of the
/// statement that logs it: the statement defines `clock` (its time) and `logged` (the inserted
/// interaction).
pub fn follow_up_after_logging<'a>(workspace: WorkspaceId, contact: Uuid) -> Statement<'a> {
    Statement::new()
        .sql(AFTER_LOGGING.as_str())
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND c.id = ")
        .bind::<SqlUuid, _>(contact)
}

/// The update of a contact's follow-up fields after one of its interactions is edited, as one
/// part of the statement that edits it: the statement defines `clock` (its time) and `updated`
/// (the edited interaction as the edit leaves it).
pub fn follow_up_after_edit<'a>(workspace: WorkspaceId) -> Statement<'a> {
    Statement::new()
        .sql(AFTER_EDIT.as_str())
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND c.id IN (SELECT u.contact_id FROM updated u)")
}

/// The same after one of its interactions is deleted: the statement defines `clock` and
/// `deleted` (the deleted interaction).
pub fn follow_up_after_delete<'a>(workspace: WorkspaceId) -> Statement<'a> {
    Statement::new()
        .sql(AFTER_DELETE.as_str())
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND c.id IN (SELECT d.contact_id FROM deleted d)")
}

/// How a statement changes one of a contact's reminders, and the CTE that holds it.
#[derive(Debug, Clone, Copy)]
pub enum ReminderChange {
    /// Inserted, as the CTE `created`.
    Created,
    /// Updated, as the CTE `updated` holds it after the update.
    Updated,
    /// Deleted, as the CTE `deleted`.
    Deleted,
}

/// The update of a contact's follow-up fields after one of its reminders is changed, as one part
/// of the statement that changes it: the statement defines `clock` (its time) and the CTE of the
/// change (see [`ReminderChange`]).
pub fn follow_up_after_reminder<'a>(workspace: WorkspaceId, change: ReminderChange) -> Statement<'a> {
    let (sql, cte) = match change {
        ReminderChange::Created => (AFTER_REMINDER_CREATED.as_str(), "created"),
        ReminderChange::Updated => (AFTER_REMINDER_UPDATED.as_str(), "updated"),
        ReminderChange::Deleted => (AFTER_REMINDER_DELETED.as_str(), "deleted"),
    };
    Statement::new()
        .sql(sql)
        .bind::<SqlUuid, _>(workspace)
        .sql(" AND c.id IN (SELECT x.contact_id FROM ")
        .sql(cte)
        .sql(" x)")
}

/// A contact's id (`contact_id`) and display name (`name`) beside the columns `also` of a changed
/// row of theirs (the CTE `changed`, as `x`), as one part of the statement that changes it: what
/// `activity::store::insert_one_read` and `insert_one_named` read (e.g. `x.kind AS variant` of an
/// interaction, `x.title` of a reminder).
pub fn name_of_changed<'a>(changed: &'a str, also: &'a str) -> Statement<'a> {
    Statement::new()
        .sql("SELECT c.id AS contact_id, trim(c.first_name || ' ' || c.last_name) AS name, ")
        .sql(also)
        .sql(" FROM ")
        .sql(changed)
        .sql(" x JOIN contacts c ON c.workspace_id = x.workspace_id AND c.id = x.contact_id")
}

/// Reschedules every live contact that follows its stage's default cadence (after the defaults change).
pub async fn reschedule_defaults(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<usize> {
    diesel::sql_query(format!(
        "UPDATE contacts c SET next_follow_up_at = least(coalesce(c.last_interaction_at, c.created_at) + make_interval(days => {CADENCE}), {EARLIEST_REMINDER}) \
         FROM workspaces w WHERE w.id = c.workspace_id AND c.workspace_id = $1 \
           AND c.deleted_at IS NULL AND c.follow_up_cadence_days IS NULL"
    ))
    .bind::<SqlUuid, _>(workspace)
    .execute(conn)
    .await
}

/// The workspace's settings, where its windows begin and end, and how many live contacts are due
/// in each window — one statement.
#[derive(Debug, QueryableByName)]
pub struct FollowUpCounts {
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    pub settings: serde_json::Value,
    /// Midnight today in the workspace's time zone.
    #[diesel(sql_type = Timestamptz)]
    pub start_of_today: DateTime<Utc>,
    /// Overdue before this: midnight, the grace days before today.
    #[diesel(sql_type = Timestamptz)]
    pub overdue_before: DateTime<Utc>,
    /// Midnight tomorrow.
    #[diesel(sql_type = Timestamptz)]
    pub today_before: DateTime<Utc>,
    /// Midnight seven days from today.
    #[diesel(sql_type = Timestamptz)]
    pub week_before: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
    #[diesel(sql_type = BigInt)]
    pub today: i64,
    #[diesel(sql_type = BigInt)]
    pub week: i64,
}

/// Overdue: due before the start of today minus the grace days. Today: due before tomorrow.
/// Week: due before the end of the sixth day after today. Days are the workspace's time zone.
/// The follow-up counts of the workspace's contacts — of one owner's when `owner` is given
/// (`Some(None)`: contacts without an owner) — summed from the contacts due per day
/// (`follow_up_days`, and the changes not yet folded into it), so the statement reads one row per
/// owner and day, whatever the number of contacts.
pub async fn follow_up_counts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    owner: Option<Option<Uuid>>,
) -> QueryResult<FollowUpCounts> {
    let owner_clause = match owner {
        None => "",
        Some(Some(_)) => " AND owner_id = $2",
        Some(None) => " AND owner_id IS NULL",
    };
    let query = diesel::sql_query(format!(
        "WITH s AS (SELECT settings, coalesce(settings ->> 'timezone', 'UTC') AS tz, \
                      coalesce((settings ->> 'overdue_after_days')::int, 2) AS grace \
                    FROM workspaces WHERE id = $1), \
              w AS MATERIALIZED (SELECT settings, tz, grace, (now() AT TIME ZONE tz)::date AS today FROM s), \
              d AS (SELECT day, contacts FROM follow_up_days, w \
                    WHERE workspace_id = $1 AND day < w.today + 7{owner_clause} \
                    UNION ALL \
                    SELECT day, contacts FROM follow_up_day_changes, w \
                    WHERE workspace_id = $1 AND day < w.today + 7{owner_clause}) \
         SELECT w.settings, w.today::timestamp AT TIME ZONE w.tz AS start_of_today, \
                (w.today - w.grace)::timestamp AT TIME ZONE w.tz AS overdue_before, \
                (w.today + 1)::timestamp AT TIME ZONE w.tz AS today_before, \
                (w.today + 7)::timestamp AT TIME ZONE w.tz AS week_before, \
                coalesce(sum(d.contacts) FILTER (WHERE d.day < w.today - w.grace), 0)::bigint AS overdue, \
                coalesce(sum(d.contacts) FILTER (WHERE d.day <= w.today), 0)::bigint AS today, \
                coalesce(sum(d.contacts), 0)::bigint AS week \
         FROM w LEFT JOIN d ON true \
         GROUP BY w.settings, w.tz, w.grace, w.today",
    ))
    .bind::<SqlUuid, _>(workspace);
    match owner {
        Some(Some(id)) => query.bind::<SqlUuid, _>(id).get_result(conn).await,
        _ => query.get_result(conn).await,
    }
}

/// Moves the contacts-due-per-day changes that writes appended into the per-day totals, one
/// statement for every workspace (the totals' rows are locked in key order, so two instances
/// folding at once wait for each other instead of deadlocking); the number of totals written.
pub async fn fold_follow_up_days(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query(
        "WITH moved AS (DELETE FROM follow_up_day_changes RETURNING workspace_id, owner_id, day, contacts), \
              summed AS (SELECT workspace_id, owner_id, day, sum(contacts)::bigint AS contacts \
                         FROM moved GROUP BY 1, 2, 3) \
         INSERT INTO follow_up_days AS f (workspace_id, owner_id, day, contacts) \
         SELECT * FROM summed WHERE contacts <> 0 ORDER BY 1, 2, 3 \
         ON CONFLICT ON CONSTRAINT follow_up_days_key \
         DO UPDATE SET contacts = f.contacts + excluded.contacts",
    )
    .execute(conn)
    .await
}

/// Removes the days that no contact is due on any more (the fold leaves them at zero).
pub async fn drop_empty_follow_up_days(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM follow_up_days WHERE contacts = 0")
        .execute(conn)
        .await
}

/// Tags in use on live contacts with their counts, most used first.
pub async fn tag_counts(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Vec<(String, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        tag: String,
        #[diesel(sql_type = BigInt)]
        count: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT t.tag, count(*) AS count FROM contacts, unnest(contacts.tags) AS t(tag) \
         WHERE contacts.workspace_id = $1 AND contacts.deleted_at IS NULL \
         GROUP BY t.tag ORDER BY count DESC, t.tag LIMIT 500",
    )
    .bind::<SqlUuid, _>(workspace)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.tag, r.count)).collect())
}

/// The oldest live contact having any of these (lower-cased) email addresses.
pub async fn id_by_any_email(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    emails: &[String],
) -> QueryResult<Option<Uuid>> {
    contacts::table
        .filter(
            contacts::workspace_id
                .eq(workspace)
                .and(contacts::deleted_at.is_null())
                .and(contacts::emails.overlaps_with(emails)),
        )
        .order(contacts::created_at)
        .select(contacts::id)
        .first(conn)
        .await
        .optional()
}

/// True when the workspace has any contact, live or in the trash.
pub async fn any(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        contacts::table.filter(contacts::workspace_id.eq(workspace)),
    ))
    .get_result(conn)
    .await
}
