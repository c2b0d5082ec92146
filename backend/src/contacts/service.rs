//! Contact rules: normalising input, linking companies, optimistic concurrency, the trash, and
//! turning rows into API objects. Multi-step writes run in one transaction.

use std::collections::HashMap;

use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{CompanyRef, Contact, ContactPage, CreateContact, Lifecycle, TagCount, TagList, UpdateContact};
use super::query::ContactQuery;
use super::store::{self, ContactChangeset, ContactRow, NewContactRow, WriteOutcome};
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::companies;
use crate::custom_fields;
use crate::custom_fields::dto::FieldEntity;
use crate::db::WorkspaceId;
use crate::db::keyset;
use crate::dto::{clean, normalize_emails, normalize_phones, normalize_tags, normalize_url};
use crate::duplicates;
use crate::error::{AppError, AppResult};
use crate::exports::{Cell, joined, json_cell};
use crate::merges;

const NOT_FOUND: &str = "the contact";

pub(crate) fn display_name(row: &ContactRow) -> String {
    display_name_of(&row.first_name, &row.last_name)
}

fn display_name_of(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_owned()
}

pub(crate) fn to_dto(row: ContactRow) -> Contact {
    Contact {
        id: row.id,
        display_name: display_name(&row),
        first_name: row.first_name,
        last_name: row.last_name,
        emails: row.emails,
        phones: row.phones,
        company: row
            .company_id
            .zip(row.company_name)
            .map(|(id, name)| CompanyRef { id, name }),
        job_title: row.job_title,
        website: row.website,
        linkedin_url: row.linkedin_url,
        twitter_url: row.twitter_url,
        location: row.location,
        source: row.source,
        lifecycle: row.lifecycle,
        relationship_type: row.relationship_type,
        connection_strength: row.connection_strength,
        notes: row.notes,
        tags: row.tags,
        custom_fields: row.custom_fields,
        follow_up_cadence_days: row.follow_up_cadence_days,
        last_interaction_at: row.last_interaction_at,
        last_sentiment: row.last_sentiment,
        next_follow_up_at: row.next_follow_up_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deleted_at: row.deleted_at,
        owner_id: row.owner_id,
        time_zone: row.time_zone,
        version: row.version,
        possible_duplicates: None,
    }
}

fn url(value: Option<String>) -> Option<String> {
    clean(value).map(|v| normalize_url(&v).unwrap_or(v))
}

/// Lists contacts; `custom_field` (`key:value`) is resolved against the field definitions.
pub async fn list_with_custom_filter(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    mut query: ContactQuery,
    custom_field: Option<&str>,
) -> AppResult<ContactPage> {
    resolve_custom_filter(conn, workspace, &mut query, custom_field).await?;
    list(conn, workspace, query).await
}

/// The ids of the contacts the list's filters match (in the list's order), at most `max + 1` —
/// one more than `max` says there are too many.
pub async fn ids_matching(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    mut query: ContactQuery,
    custom_field: Option<&str>,
    max: usize,
) -> AppResult<Vec<Uuid>> {
    resolve_custom_filter(conn, workspace, &mut query, custom_field).await?;
    query.limit = max as i64;
    narrow(conn, &mut query).await?;
    Ok(store::list(conn, workspace, &query)
        .await?
        .into_iter()
        .take(max + 1)
        .map(|r| r.id)
        .collect())
}

/// Resolves a `custom_field` filter (`key:value`) against the field definitions.
pub async fn resolve_custom_filter(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    query: &mut ContactQuery,
    custom_field: Option<&str>,
) -> AppResult<()> {
    if let Some(raw) = custom_field.map(str::trim).filter(|s| !s.is_empty()) {
        query.filter.custom = Some(custom_fields::service::filter(conn, workspace, FieldEntity::Contact, raw).await?);
    }
    Ok(())
}

/// Decides which words of the query's `q` the text index is read for (see
/// `search::service::narrow`): once per list or export, before its pages and its total are read.
pub async fn narrow(conn: &mut AsyncPgConnection, query: &mut ContactQuery) -> AppResult<()> {
    crate::search::service::narrow(conn, "contacts", &mut query.filter.q).await
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    mut query: ContactQuery,
) -> AppResult<ContactPage> {
    // A search decides first which of its words the text index is read for.
    narrow(conn, &mut query).await?;
    let rows = store::list(conn, workspace, &query).await?;
    let (rows, next_cursor) = keyset::page(rows, query.limit, &query.sort, |r| {
        (store::sort_value(r, &query.sort.key), r.id)
    });
    let total = if query.include_total {
        Some(store::count(conn, workspace, &query.filter).await?)
    } else {
        None
    };
    let items = rows.into_iter().map(to_dto).collect();
    Ok(ContactPage {
        items,
        next_cursor,
        total,
    })
}

/// A contact. One in the trash answers 404 `trashed` unless `include_trashed` (its `deleted_at`
/// then says so); one merged into another answers `merged`, naming it.
pub async fn get(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    include_trashed: bool,
) -> AppResult<Contact> {
    match store::find(conn, workspace, id).await? {
        Some(row) if row.deleted_at.is_none() => Ok(to_dto(row)),
        row => match merges::service::absent(conn, workspace, id, NOT_FOUND, row.is_some()).await? {
            e if e.code() == "trashed" && include_trashed => Ok(to_dto(row.ok_or(e)?)),
            e => Err(e),
        },
    }
}

/// The live contacts among `ids`, by id, in one statement (trashed, merged away or unknown ones
/// are missing).
pub async fn live_by_ids(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, Contact>> {
    Ok(store::find_live(conn, workspace, ids)
        .await?
        .into_iter()
        .map(|row| (row.id, to_dto(row)))
        .collect())
}

/// A time zone as stored: trimmed, and one PostgreSQL knows (422 otherwise); `None` for none.
async fn time_zone(conn: &mut AsyncPgConnection, tz: Option<String>) -> AppResult<Option<String>> {
    match tz.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) {
        Some(tz) if crate::settings::service::is_time_zone(conn, &tz).await? => Ok(Some(tz)),
        Some(tz) => Err(AppError::invalid_field(
            "time_zone",
            format!("'{tz}' is not a time zone name such as America/New_York"),
        )),
        None => Ok(None),
    }
}

pub async fn create(conn: &mut AsyncPgConnection, workspace: WorkspaceId, input: CreateContact) -> AppResult<Contact> {
    // What the input needs read first (custom field definitions, a time zone name) is read only
    // when the input has it; the contact and its history entry are then one statement, atomic on
    // its own. A company named for the first time is created with the contact, in one
    // transaction, so a contact that fails leaves no new company behind.
    let time_zone = time_zone(conn, input.time_zone.clone()).await?;
    let custom = custom_fields::service::apply(
        conn,
        workspace,
        FieldEntity::Contact,
        &serde_json::json!({}),
        &input.custom_fields,
    )
    .await?;
    let company_name = clean(input.company_name.clone());
    let created = if company_name.is_some() {
        conn.transaction::<_, AppError, _>(async move |conn| {
            insert_new(conn, workspace, input, company_name, custom, time_zone).await
        })
        .await?
    } else {
        insert_new(conn, workspace, input, None, custom, time_zone).await?
    };
    let possible = duplicates::service::possible_from(created.possible);
    let mut contact = to_dto(created.contact);
    contact.possible_duplicates = (!possible.is_empty()).then_some(possible);
    Ok(contact)
}

/// The contact row and its history entry, written in one statement (after linking or creating
/// its company) that also finds the contact's possible duplicates.
async fn insert_new(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreateContact,
    company_name: Option<String>,
    custom: serde_json::Value,
    time_zone: Option<String>,
) -> AppResult<store::Created> {
    let company_id = companies::service::resolve(conn, workspace, input.company_id, company_name.as_deref()).await?;
    let now = chrono::Utc::now();
    let new = NewContactRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        first_name: input.first_name.trim().to_owned(),
        last_name: input.last_name.map(|s| s.trim().to_owned()).unwrap_or_default(),
        emails: normalize_emails(input.emails),
        phones: normalize_phones(input.phones),
        company_id,
        owner_id: input
            .owner_id
            .unwrap_or_else(|| crate::accounts::actor::current().map(|a| a.user_id)),
        job_title: clean(input.job_title),
        website: url(input.website),
        linkedin_url: url(input.linkedin_url),
        twitter_url: url(input.twitter_url),
        location: clean(input.location),
        source: input.source,
        lifecycle: input.lifecycle.unwrap_or(Lifecycle::Lead),
        relationship_type: input.relationship_type,
        connection_strength: input.connection_strength,
        notes: clean(input.notes),
        tags: normalize_tags(input.tags),
        follow_up_cadence_days: input.follow_up_cadence_days,
        next_follow_up_at: input.next_follow_up_at,
        custom_fields: custom,
        created_at: now,
        updated_at: now,
        time_zone,
    };
    let change = Change {
        entity: Entity::Contact,
        entity_id: new.id,
        action: Action::Created,
        summary: crate::summary!(ContactAdded, name = display_name_of(&new.first_name, &new.last_name)),
        contact_id: Some(new.id),
        fields: &[],
    };
    let history = activity::service::entry(workspace, change, now);
    Ok(store::insert_created(conn, &new, &history).await?)
}

/// The company change a PATCH asks for: `None` = leave it, `Some(None)` = unlink.
async fn company_change(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Option<Option<Uuid>>,
    name: Option<Option<String>>,
) -> AppResult<Option<Option<Uuid>>> {
    let name = name.map(clean);
    match (id, name) {
        (Some(Some(_)), Some(Some(_))) => Err(AppError::invalid_field(
            "company_id",
            "give company_id or company_name, not both",
        )),
        (Some(Some(id)), _) => Ok(Some(
            companies::service::resolve(conn, workspace, Some(id), None).await?,
        )),
        (_, Some(Some(name))) => Ok(Some(
            companies::service::resolve(conn, workspace, None, Some(&name)).await?,
        )),
        (Some(None), _) | (_, Some(None)) => Ok(Some(None)),
        (None, None) => Ok(None),
    }
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateContact,
    expected_version: Option<i32>,
) -> AppResult<Contact> {
    // The update, its history entry and, for a new stage or cadence, its new follow-up date are
    // one statement, after the reads of what the change names (a company, custom field
    // definitions). A company named for the first time is created in a transaction with the
    // update, so an update that fails leaves no new company behind.
    let row = if matches!(input.company_name, Some(Some(_))) {
        conn.transaction::<_, AppError, _>(async move |conn| {
            apply_update(conn, workspace, id, input, expected_version).await
        })
        .await?
    } else {
        apply_update(conn, workspace, id, input, expected_version).await?
    };
    Ok(to_dto(row))
}

/// Looks up what the change names, then writes it with its history entry (and its follow-up,
/// when a new stage or cadence reschedules it).
async fn apply_update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateContact,
    expected_version: Option<i32>,
) -> AppResult<ContactRow> {
    let company_id = company_change(conn, workspace, input.company_id, input.company_name).await?;
    // Custom-field changes are checked against the definitions, and merged into the values as
    // the statement finds them.
    let custom_fields = match &input.custom_fields {
        Some(changes) if !changes.is_empty() => {
            Some(custom_fields::service::change(conn, workspace, FieldEntity::Contact, changes).await?)
        }
        _ => None,
    };
    let changes = ContactChangeset {
        first_name: input.first_name.map(|s| s.trim().to_owned()),
        last_name: input.last_name.map(|s| s.trim().to_owned()),
        emails: input.emails.map(normalize_emails),
        phones: input.phones.map(normalize_phones),
        company_id,
        job_title: input.job_title.map(clean),
        website: input.website.map(url),
        linkedin_url: input.linkedin_url.map(url),
        twitter_url: input.twitter_url.map(url),
        location: input.location.map(clean),
        source: input.source,
        lifecycle: input.lifecycle,
        relationship_type: input.relationship_type,
        connection_strength: input.connection_strength,
        notes: input.notes.map(clean),
        tags: input.tags.map(normalize_tags),
        follow_up_cadence_days: input.follow_up_cadence_days,
        next_follow_up_at: input.next_follow_up_at,
        custom_fields,
        owner_id: input.owner_id,
        time_zone: match input.time_zone {
            Some(tz) => Some(time_zone(conn, tz).await?),
            None => None,
        },
    };
    if changes.is_empty() {
        // Nothing to change: answer with the record as it is (after the version check).
        let row = live_row(conn, workspace, id).await?;
        return match expected_version {
            Some(v) if v != row.version => Err(AppError::version_conflict(row.version)),
            _ => Ok(row),
        };
    }
    let fields = changes.changed_fields();
    // The statement names the contact as the update leaves it.
    let summary = crate::summary!(ContactUpdated, name = "", fields = fields.join(","));
    let template = summary.english_template(&["name"]);
    let change = Change {
        entity: Entity::Contact,
        entity_id: id,
        action: Action::Updated,
        summary,
        contact_id: Some(id),
        fields: &fields,
    };
    let history = activity::service::entry(workspace, change, chrono::Utc::now());
    let outcome = store::update_recorded(conn, workspace, id, &changes, expected_version, (&history, &template));
    written(outcome.await?)
}

fn written(outcome: WriteOutcome) -> AppResult<ContactRow> {
    match outcome {
        WriteOutcome::Written(row) => Ok(*row),
        WriteOutcome::Stale(current) => Err(AppError::version_conflict(current)),
        WriteOutcome::Trashed => Err(AppError::trashed(NOT_FOUND)),
        WriteOutcome::Merged(survivor) => Err(AppError::merged(NOT_FOUND, survivor)),
        WriteOutcome::Missing => Err(AppError::not_found(NOT_FOUND)),
    }
}

/// Moves the contact to the trash (or back) with its history entry, in one statement.
async fn set_trashed(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    trash: bool,
    expected: Option<i32>,
) -> AppResult<ContactRow> {
    let (action, summary) = if trash {
        (Action::Trashed, crate::summary!(Trashed, name = ""))
    } else {
        (Action::Restored, crate::summary!(Restored, name = ""))
    };
    // The statement names the contact as it is.
    let template = summary.english_template(&["name"]);
    let change = Change {
        entity: Entity::Contact,
        entity_id: id,
        action,
        summary,
        contact_id: Some(id),
        fields: &[],
    };
    let history = activity::service::entry(workspace, change, chrono::Utc::now());
    written(store::set_trashed(conn, workspace, id, trash, expected, (&history, &template)).await?)
}

/// Moves the contact to the trash; it can be restored.
pub async fn trash(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<()> {
    set_trashed(conn, workspace, id, true, expected).await.map(|_| ())
}

pub async fn restore(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<Contact> {
    let row = set_trashed(conn, workspace, id, false, expected).await.map_err(|e| {
        if e.code() == "not_found" {
            AppError::not_found("a contact in the trash with this id")
        } else {
            e
        }
    })?;
    Ok(to_dto(row))
}

/// The contact outside the trash; 404 (`trashed` when it is in the trash) otherwise.
async fn live_row(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<ContactRow> {
    match store::find(conn, workspace, id).await? {
        Some(row) if row.deleted_at.is_none() => Ok(row),
        row => Err(merges::service::absent(conn, workspace, id, NOT_FOUND, row.is_some()).await?),
    }
}

/// The contact's display name; 404 unless it exists and, with `live`, is not in the trash
/// (`trashed` then).
pub async fn require(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid, live: bool) -> AppResult<String> {
    match store::find(conn, workspace, id).await? {
        Some(row) if !live || row.deleted_at.is_none() => Ok(display_name(&row)),
        row => Err(merges::service::absent(conn, workspace, id, NOT_FOUND, row.is_some()).await?),
    }
}

/// Reschedules contacts that follow the stage defaults (after the defaults changed).
pub async fn reschedule_defaults(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<usize> {
    Ok(store::reschedule_defaults(conn, workspace).await?)
}

pub use store::FollowUpCounts;

/// The workspace settings, the start of today and the number of contacts due per window (of one
/// owner's contacts when `owner` is given).
pub async fn follow_up_counts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    owner: Option<Option<Uuid>>,
) -> AppResult<FollowUpCounts> {
    Ok(store::follow_up_counts(conn, workspace, owner).await?)
}

/// Folds the contacts-due-per-day changes into their totals; the number of totals written.
pub async fn fold_follow_up_days(conn: &mut AsyncPgConnection) -> AppResult<usize> {
    Ok(store::fold_follow_up_days(conn).await?)
}

/// Removes the days that no contact is due on any more; how many.
pub async fn drop_empty_follow_up_days(conn: &mut AsyncPgConnection) -> AppResult<usize> {
    Ok(store::drop_empty_follow_up_days(conn).await?)
}

pub async fn tags(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<TagList> {
    let items = store::tag_counts(conn, workspace)
        .await?
        .into_iter()
        .map(|(tag, count)| TagCount { tag, count })
        .collect();
    Ok(TagList { items })
}

/// The contact (outside the trash) with one of these email addresses, the oldest if several.
pub async fn find_by_email(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    emails: &[String],
) -> AppResult<Option<Uuid>> {
    Ok(store::id_by_any_email(conn, workspace, emails).await?)
}

/// True when the workspace has any contact, live or in the trash.
pub async fn any(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<bool> {
    Ok(store::any(conn, workspace).await?)
}

/// What a contacts export needs besides the rows: its columns (custom fields last) and the
/// owners' emails.
pub struct ExportPlan {
    pub header: Vec<String>,
    custom_keys: Vec<String>,
    owners: HashMap<Uuid, String>,
}

const EXPORT_COLUMNS: [&str; 23] = [
    "id",
    "first_name",
    "last_name",
    "emails",
    "phones",
    "company",
    "job_title",
    "website",
    "linkedin_url",
    "twitter_url",
    "location",
    "lifecycle",
    "source",
    "relationship_type",
    "connection_strength",
    "tags",
    "owner",
    "follow_up_cadence_days",
    "last_interaction_at",
    "next_follow_up_at",
    "notes",
    "created_at",
    "updated_at",
];

pub async fn export_plan(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<ExportPlan> {
    let custom_keys: Vec<String> = custom_fields::service::defs(conn, workspace, FieldEntity::Contact)
        .await?
        .into_iter()
        .map(|d| d.key)
        .collect();
    let owners = crate::accounts::service::list_members(conn, workspace)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m.email))
        .collect();
    let mut header: Vec<String> = EXPORT_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    header.extend(custom_keys.iter().map(|k| format!("custom.{k}")));
    Ok(ExportPlan {
        header,
        custom_keys,
        owners,
    })
}

/// The next page of a contacts export (every matching contact, in the list's order), or `None`
/// after the last; `query` moves past the page.
pub async fn export_page(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    query: &mut ContactQuery,
    plan: &ExportPlan,
) -> AppResult<Option<Vec<Vec<Cell>>>> {
    let Some(rows) = export_rows(conn, workspace, query).await? else {
        return Ok(None);
    };
    Ok(Some(
        rows.into_iter()
            .map(|row| {
                let c = to_dto(row);
                let mut cells: Vec<Cell> = vec![
                    Cell::from(c.id.to_string()),
                    Cell::from(c.first_name),
                    Cell::from(c.last_name),
                    joined(&c.emails),
                    joined(&c.phones),
                    Cell::from(c.company.map(|co| co.name)),
                    Cell::from(c.job_title),
                    Cell::from(c.website),
                    Cell::from(c.linkedin_url),
                    Cell::from(c.twitter_url),
                    Cell::from(c.location),
                    Cell::from(c.lifecycle.as_str()),
                    Cell::from(c.source.map(|s| s.as_str())),
                    Cell::from(c.relationship_type.map(|r| r.as_str())),
                    Cell::from(c.connection_strength),
                    joined(&c.tags),
                    Cell::from(c.owner_id.and_then(|o| plan.owners.get(&o).cloned())),
                    Cell::from(c.follow_up_cadence_days),
                    Cell::from(c.last_interaction_at),
                    Cell::from(c.next_follow_up_at),
                    Cell::from(c.notes),
                    Cell::from(c.created_at),
                    Cell::from(c.updated_at),
                ];
                cells.extend(plan.custom_keys.iter().map(|k| json_cell(c.custom_fields.get(k))));
                cells
            })
            .collect(),
    ))
}

/// The next page of a vCard export (one card per contact), or `None` after the last.
pub async fn export_vcard_page(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    query: &mut ContactQuery,
) -> AppResult<Option<String>> {
    let Some(rows) = export_rows(conn, workspace, query).await? else {
        return Ok(None);
    };
    Ok(Some(
        rows.into_iter().map(|r| crate::exports::vcard(&to_dto(r))).collect(),
    ))
}

/// The next page of an export's walk over every matching contact (`query` moves past it), or
/// `None` after the last.
async fn export_rows(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    query: &mut ContactQuery,
) -> AppResult<Option<Vec<ContactRow>>> {
    query.limit = crate::exports::PAGE;
    query.include_total = false;
    let rows = store::list(conn, workspace, query).await?;
    let (rows, after) = keyset::step(rows, query.limit, |r| (store::sort_value(r, &query.sort.key), r.id));
    if rows.is_empty() {
        return Ok(None);
    }
    query.after = after;
    Ok(Some(rows))
}
