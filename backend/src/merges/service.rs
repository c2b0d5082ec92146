//! Merging two contacts or two companies into one, and undoing it.
//!
//! A merge, in one transaction: the survivor takes the chosen value of each field; what hangs
//! under the merged record (a contact's interactions, reminders, deals, payments and AI
//! conversations; a company's contacts and deals) moves to the survivor; the merged record goes
//! out of sight (`deleted_at` set; its merge row makes its old id resolve to the survivor); both
//! histories record it. For [`UNDO_DAYS`] the merge can be undone: the merged
//! record comes back as it was with what was moved from it (what was added to the survivor since
//! stays there), and the survivor's fields go back to their values before the merge — except a
//! field changed since, which keeps its current value.

use crate::activity::message::Summary;
use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::dto::{CompanyMerge, CompanyMoves, ContactMerge, ContactMoves, MergeRequest, MergeType, MergeUndo};
use super::fields::{self, Combine, Spec, digits, lowercase};
use super::store::{self, MergeRow};
use crate::activity;
use crate::activity::service::{Action, Change, Entity};
use crate::companies;
use crate::companies::store::{CompanyChangeset, CompanyRow};
use crate::contacts;
use crate::contacts::dto::{ContactSource, Lifecycle, RelationshipType};
use crate::contacts::store::{ContactChangeset, ContactRow};
use crate::custom_fields::values::ValuesChange;
use crate::db::{WorkspaceId, WriteOutcome};
use crate::error::{AppError, AppResult};

/// How long a merge can be undone (the merged record is purged with the trash after as long).
pub const UNDO_DAYS: i64 = 30;

/// A contact's fields a merge chooses between, in the order the answer lists them.
const CONTACT_FIELDS: &[Spec] = &[
    Spec {
        name: "first_name",
        combine: Combine::No,
    },
    Spec {
        name: "last_name",
        combine: Combine::No,
    },
    Spec {
        name: "emails",
        combine: Combine::List {
            max: 10,
            what: "email addresses",
            key: lowercase,
        },
    },
    Spec {
        name: "phones",
        combine: Combine::List {
            max: 10,
            what: "phone numbers",
            key: digits,
        },
    },
    Spec {
        name: "company_id",
        combine: Combine::No,
    },
    Spec {
        name: "job_title",
        combine: Combine::No,
    },
    Spec {
        name: "owner_id",
        combine: Combine::No,
    },
    Spec {
        name: "lifecycle",
        combine: Combine::No,
    },
    Spec {
        name: "website",
        combine: Combine::No,
    },
    Spec {
        name: "linkedin_url",
        combine: Combine::No,
    },
    Spec {
        name: "twitter_url",
        combine: Combine::No,
    },
    Spec {
        name: "location",
        combine: Combine::No,
    },
    Spec {
        name: "source",
        combine: Combine::No,
    },
    Spec {
        name: "relationship_type",
        combine: Combine::No,
    },
    Spec {
        name: "connection_strength",
        combine: Combine::No,
    },
    Spec {
        name: "follow_up_cadence_days",
        combine: Combine::No,
    },
    Spec {
        name: "tags",
        combine: Combine::List {
            max: 30,
            what: "tags",
            key: lowercase,
        },
    },
    Spec {
        name: "notes",
        combine: Combine::Text { max: 20_000 },
    },
    Spec {
        name: "custom_fields",
        combine: Combine::Map,
    },
];

const COMPANY_FIELDS: &[Spec] = &[
    Spec {
        name: "name",
        combine: Combine::No,
    },
    Spec {
        name: "domain",
        combine: Combine::No,
    },
    Spec {
        name: "industry",
        combine: Combine::No,
    },
    Spec {
        name: "size",
        combine: Combine::No,
    },
    Spec {
        name: "location",
        combine: Combine::No,
    },
    Spec {
        name: "notes",
        combine: Combine::Text { max: 20_000 },
    },
    Spec {
        name: "custom_fields",
        combine: Combine::Map,
    },
];

/// The fields of a contact a merge chooses between (and an undo puts back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ContactFields {
    first_name: String,
    last_name: String,
    emails: Vec<String>,
    phones: Vec<String>,
    company_id: Option<Uuid>,
    job_title: Option<String>,
    owner_id: Option<Uuid>,
    lifecycle: Lifecycle,
    website: Option<String>,
    linkedin_url: Option<String>,
    twitter_url: Option<String>,
    location: Option<String>,
    source: Option<ContactSource>,
    relationship_type: Option<RelationshipType>,
    connection_strength: Option<i16>,
    follow_up_cadence_days: Option<i32>,
    tags: Vec<String>,
    notes: Option<String>,
    custom_fields: Value,
}

impl ContactFields {
    fn of(r: &ContactRow) -> Self {
        ContactFields {
            first_name: r.first_name.clone(),
            last_name: r.last_name.clone(),
            emails: r.emails.clone(),
            phones: r.phones.clone(),
            company_id: r.company_id,
            job_title: r.job_title.clone(),
            owner_id: r.owner_id,
            lifecycle: r.lifecycle,
            website: r.website.clone(),
            linkedin_url: r.linkedin_url.clone(),
            twitter_url: r.twitter_url.clone(),
            location: r.location.clone(),
            source: r.source,
            relationship_type: r.relationship_type,
            connection_strength: r.connection_strength,
            follow_up_cadence_days: r.follow_up_cadence_days,
            tags: r.tags.clone(),
            notes: r.notes.clone(),
            custom_fields: r.custom_fields.clone(),
        }
    }

    /// The change that turns `self` into `to`.
    fn changeset(&self, to: &ContactFields) -> ContactChangeset {
        macro_rules! set {
            ($f:ident) => {
                (self.$f != to.$f).then(|| to.$f.clone())
            };
        }
        ContactChangeset {
            first_name: set!(first_name),
            last_name: set!(last_name),
            emails: set!(emails),
            phones: set!(phones),
            company_id: set!(company_id),
            job_title: set!(job_title),
            website: set!(website),
            linkedin_url: set!(linkedin_url),
            twitter_url: set!(twitter_url),
            location: set!(location),
            source: set!(source),
            lifecycle: set!(lifecycle),
            relationship_type: set!(relationship_type),
            connection_strength: set!(connection_strength),
            notes: set!(notes),
            tags: set!(tags),
            follow_up_cadence_days: set!(follow_up_cadence_days),
            next_follow_up_at: None,
            custom_fields: set!(custom_fields).map(ValuesChange::replace),
            owner_id: set!(owner_id),
            time_zone: None,
        }
    }

    /// `row` with these fields (the company's name from `other` when its company is taken).
    fn apply(self, mut row: ContactRow, other: &ContactRow) -> ContactRow {
        if self.company_id != row.company_id {
            row.company_name = other
                .company_name
                .clone()
                .filter(|_| self.company_id == other.company_id);
        }
        row.first_name = self.first_name;
        row.last_name = self.last_name;
        row.emails = self.emails;
        row.phones = self.phones;
        row.company_id = self.company_id;
        row.job_title = self.job_title;
        row.owner_id = self.owner_id;
        row.lifecycle = self.lifecycle;
        row.website = self.website;
        row.linkedin_url = self.linkedin_url;
        row.twitter_url = self.twitter_url;
        row.location = self.location;
        row.source = self.source;
        row.relationship_type = self.relationship_type;
        row.connection_strength = self.connection_strength;
        row.follow_up_cadence_days = self.follow_up_cadence_days;
        row.tags = self.tags;
        row.notes = self.notes;
        row.custom_fields = self.custom_fields;
        row.last_interaction_at = row.last_interaction_at.max(other.last_interaction_at);
        row
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CompanyFields {
    name: String,
    domain: Option<String>,
    industry: Option<String>,
    size: Option<String>,
    location: Option<String>,
    notes: Option<String>,
    custom_fields: Value,
}

impl CompanyFields {
    fn of(r: &CompanyRow) -> Self {
        CompanyFields {
            name: r.name.clone(),
            domain: r.domain.clone(),
            industry: r.industry.clone(),
            size: r.size.clone(),
            location: r.location.clone(),
            notes: r.notes.clone(),
            custom_fields: r.custom_fields.clone(),
        }
    }

    fn changeset(&self, to: &CompanyFields) -> CompanyChangeset {
        macro_rules! set {
            ($f:ident) => {
                (self.$f != to.$f).then(|| to.$f.clone())
            };
        }
        CompanyChangeset {
            name: set!(name),
            domain: set!(domain),
            industry: set!(industry),
            size: set!(size),
            location: set!(location),
            notes: set!(notes),
            custom_fields: set!(custom_fields).map(ValuesChange::replace),
        }
    }

    fn apply(self, mut row: CompanyRow) -> CompanyRow {
        row.name = self.name;
        row.domain = self.domain;
        row.industry = self.industry;
        row.size = self.size;
        row.location = self.location;
        row.notes = self.notes;
        row.custom_fields = self.custom_fields;
        row
    }
}

fn to_map<T: Serialize>(v: &T) -> AppResult<Map<String, Value>> {
    match serde_json::to_value(v).map_err(AppError::internal)? {
        Value::Object(m) => Ok(m),
        _ => Err(AppError::internal(anyhow::anyhow!("fields are not an object"))),
    }
}

fn from_map<T: DeserializeOwned>(m: Map<String, Value>) -> AppResult<T> {
    serde_json::from_value(Value::Object(m)).map_err(AppError::internal)
}

fn from_value<T: DeserializeOwned>(v: &Value) -> AppResult<T> {
    serde_json::from_value(v.clone()).map_err(AppError::internal)
}

/// Why a contact or company `id` cannot be used, when it is not live: it was merged into another
/// record (409 `merged`, naming it — also once the merged record is purged), it is in the trash
/// (`deleted`: 404 `trashed`) or it does not exist (404).
pub async fn absent(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    what: &str,
    deleted: bool,
) -> AppResult<AppError> {
    Ok(match store::survivor_of(conn, workspace, id).await? {
        Some(survivor) => AppError::merged(what, survivor),
        None if deleted => AppError::trashed(what),
        None => AppError::not_found(what),
    })
}

/// The survivor and the merged record of a request, locked, each checked to be mergeable
/// (`state`: the record it was merged into, and whether it is out of sight).
fn pair<R>(
    rows: Vec<R>,
    req: &MergeRequest,
    what: &str,
    id: impl Fn(&R) -> Uuid,
    state: impl Fn(&R) -> (Option<Uuid>, bool),
) -> AppResult<(R, R)> {
    let mut survivor = None;
    let mut merged = None;
    for row in rows {
        if id(&row) == req.survivor_id {
            survivor = Some(row);
        } else if id(&row) == req.merged_id {
            merged = Some(row);
        }
    }
    let check = |row: Option<R>, field: &str| -> AppResult<R> {
        let row = row.ok_or_else(|| AppError::invalid_field(field, format!("no {what} has this id")))?;
        match state(&row) {
            (Some(survivor), _) => Err(AppError::merged(&format!("{field}: the {what}"), survivor)),
            (None, true) => Err(AppError::invalid_field(
                field,
                format!("the {what} is in the trash: restore it first"),
            )),
            (None, false) => Ok(row),
        }
    };
    let survivor = check(survivor, "survivor_id");
    let merged = check(merged, "merged_id");
    match (survivor, merged) {
        (Ok(s), Ok(m)) => Ok((s, m)),
        (Err(a), Err(b)) if a.code() == "validation_failed" && b.code() == "validation_failed" => {
            Err(b.field_errors().iter().cloned().fold(a, AppError::and_invalid))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// For each of `ids` (records out of sight) merged into another record: (id, that record).
async fn merged_into(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    ids: Vec<Uuid>,
) -> AppResult<Vec<(Uuid, Uuid)>> {
    let mut found = Vec::new();
    for id in ids {
        if let Some(survivor) = store::survivor_of(conn, workspace, id).await? {
            found.push((id, survivor));
        }
    }
    Ok(found)
}

fn lookup(found: &[(Uuid, Uuid)], id: Uuid) -> Option<Uuid> {
    found.iter().find(|(m, _)| *m == id).map(|(_, s)| *s)
}

fn same_record(req: &MergeRequest) -> AppResult<()> {
    if req.survivor_id == req.merged_id {
        return Err(AppError::invalid_field(
            "merged_id",
            "must be another record than survivor_id",
        ));
    }
    Ok(())
}

fn moved_count(moved: &Value, key: &str) -> i64 {
    moved[key].as_array().map_or(0, |a| a.len() as i64)
}

fn written<R>(outcome: WriteOutcome<R>, what: &str) -> AppResult<R> {
    outcome.into_result(what)
}

/// What a merge changed, to keep for its undo.
struct Recorded {
    kind: MergeType,
    survivor: Uuid,
    merged: Uuid,
    before: serde_json::Value,
    after: serde_json::Value,
    merged_deleted_at: Option<DateTime<Utc>>,
    moved: serde_json::Value,
}

/// Keeps the merge and records it in both records' histories; the merge's id.
async fn record(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    m: Recorded,
    summary: Summary,
    changed: &[&str],
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    store::insert(
        conn,
        &MergeRow {
            id,
            workspace_id: workspace,
            kind: m.kind,
            survivor_id: m.survivor,
            merged_id: m.merged,
            survivor_before: m.before,
            survivor_after: m.after,
            merged_deleted_at: m.merged_deleted_at,
            moved: m.moved,
            created_at: now,
            created_by: crate::accounts::actor::current().map(|a| a.user_id),
            undone_at: None,
            undone_by: None,
        },
    )
    .await?;
    activity::service::record_merge(
        conn,
        workspace,
        history(m.kind, [m.survivor, m.merged], Action::Merged, &summary, changed),
        id,
    )
    .await?;
    Ok(id)
}

/// The history entries of a merge or its undo: one for each record (the survivor's first, with
/// the fields that changed on it).
fn history<'a>(
    kind: MergeType,
    ids: [Uuid; 2],
    action: Action,
    summary: &Summary,
    changed: &'a [&'a str],
) -> Vec<Change<'a>> {
    let (entity, contact) = match kind {
        MergeType::Contact => (Entity::Contact, true),
        MergeType::Company => (Entity::Company, false),
    };
    ids.into_iter()
        .enumerate()
        .map(|(n, id)| Change {
            entity,
            entity_id: id,
            action,
            summary: summary.clone(),
            contact_id: contact.then_some(id),
            fields: if n == 0 { changed } else { &[] },
        })
        .collect()
}

/// Merges (or, with `dry_run`, shows the merge of) two contacts.
pub async fn merge_contacts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    req: MergeRequest,
    now: DateTime<Utc>,
) -> AppResult<ContactMerge> {
    same_record(&req)?;
    conn.transaction::<_, AppError, _>(async move |conn| {
        let rows = store::lock_contacts(conn, workspace, [req.survivor_id, req.merged_id]).await?;
        let out_of_sight = rows.iter().filter(|r| r.deleted_at.is_some()).map(|r| r.id).collect();
        let into = merged_into(conn, workspace, out_of_sight).await?;
        let (survivor, merged) = pair(
            rows,
            &req,
            "contact",
            |r| r.id,
            |r| (lookup(&into, r.id), r.deleted_at.is_some()),
        )?;
        let before = ContactFields::of(&survivor);
        let (after, report) = fields::merge(
            CONTACT_FIELDS,
            "contact",
            &to_map(&before)?,
            &to_map(&ContactFields::of(&merged))?,
            &req.fields,
        )?;
        let after: ContactFields = from_map(after)?;
        if req.dry_run {
            let moved = store::contact_moves(conn, workspace, survivor.id, merged.id).await?;
            let record = contacts::service::to_dto(after.apply(survivor, &merged));
            return Ok(ContactMerge {
                merge_id: None,
                dry_run: true,
                record,
                fields: report,
                moved,
                undo_until: None,
            });
        }
        store::mark_merged(conn, workspace, MergeType::Contact, merged.id, now).await?;
        let changes = before.changeset(&after);
        let changed = changes.changed_fields();
        let updated = written(
            contacts::store::update(conn, workspace, survivor.id, &changes, None).await?,
            "the surviving contact",
        )?;
        let moved = store::move_contact_records(conn, workspace, survivor.id, merged.id).await?;
        contacts::store::refresh_follow_ups(conn, workspace, &[survivor.id]).await?;
        let summary = crate::summary!(
            Merged,
            merged = contacts::service::display_name(&merged),
            survivor = contacts::service::display_name(&updated)
        );
        let merge = Recorded {
            kind: MergeType::Contact,
            survivor: survivor.id,
            merged: merged.id,
            before: serde_json::to_value(&before).map_err(AppError::internal)?,
            after: serde_json::to_value(&after).map_err(AppError::internal)?,
            merged_deleted_at: merged.deleted_at,
            moved: moved.clone(),
        };
        let merge_id = record(conn, workspace, merge, summary, &changed, now).await?;
        let record = contacts::store::find(conn, workspace, survivor.id)
            .await?
            .ok_or_else(|| AppError::not_found("the surviving contact"))?;
        Ok(ContactMerge {
            merge_id: Some(merge_id),
            dry_run: false,
            record: contacts::service::to_dto(record),
            fields: report,
            moved: ContactMoves {
                interactions: moved_count(&moved, "interactions"),
                reminders: moved_count(&moved, "reminders"),
                deals: moved_count(&moved, "deals"),
                payments: moved_count(&moved, "payments"),
                conversations: moved_count(&moved, "ai_conversations"),
            },
            undo_until: Some(now + Duration::days(UNDO_DAYS)),
        })
    })
    .await
}

/// Merges (or, with `dry_run`, shows the merge of) two companies.
pub async fn merge_companies(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    req: MergeRequest,
    now: DateTime<Utc>,
) -> AppResult<CompanyMerge> {
    same_record(&req)?;
    conn.transaction::<_, AppError, _>(async move |conn| {
        let rows = store::lock_companies(conn, workspace, [req.survivor_id, req.merged_id]).await?;
        let out_of_sight = rows.iter().filter(|r| r.deleted_at.is_some()).map(|r| r.id).collect();
        let into = merged_into(conn, workspace, out_of_sight).await?;
        let (survivor, merged) = pair(
            rows,
            &req,
            "company",
            |r| r.id,
            |r| (lookup(&into, r.id), r.deleted_at.is_some()),
        )?;
        let before = CompanyFields::of(&survivor);
        let (after, report) = fields::merge(
            COMPANY_FIELDS,
            "company",
            &to_map(&before)?,
            &to_map(&CompanyFields::of(&merged))?,
            &req.fields,
        )?;
        let after: CompanyFields = from_map(after)?;
        let counts = companies::store::contact_counts(conn, workspace, &[survivor.id, merged.id]).await?;
        let contact_count = counts.iter().map(|(_, n)| n).sum();
        if req.dry_run {
            let moved = store::company_moves(conn, workspace, merged.id).await?;
            return Ok(CompanyMerge {
                merge_id: None,
                dry_run: true,
                record: companies::service::to_dto(after.apply(survivor), contact_count),
                fields: report,
                moved,
                undo_until: None,
            });
        }
        // The merged company leaves first, so that the survivor may take its name.
        store::mark_merged(conn, workspace, MergeType::Company, merged.id, now).await?;
        let changes = before.changeset(&after);
        let changed = changes.changed_fields();
        let updated = written(
            companies::store::update(conn, workspace, survivor.id, &changes, None).await?,
            "the surviving company",
        )?;
        let moved = store::move_company_records(conn, workspace, survivor.id, merged.id).await?;
        let merge = Recorded {
            kind: MergeType::Company,
            survivor: survivor.id,
            merged: merged.id,
            before: serde_json::to_value(&before).map_err(AppError::internal)?,
            after: serde_json::to_value(&after).map_err(AppError::internal)?,
            merged_deleted_at: merged.deleted_at,
            moved: moved.clone(),
        };
        let summary = crate::summary!(Merged, merged = merged.name, survivor = updated.name);
        let merge_id = record(conn, workspace, merge, summary, &changed, now).await?;
        Ok(CompanyMerge {
            merge_id: Some(merge_id),
            dry_run: false,
            record: companies::service::to_dto(updated, contact_count),
            fields: report,
            moved: CompanyMoves {
                contacts: moved_count(&moved, "contacts"),
                deals: moved_count(&moved, "deals"),
            },
            undo_until: Some(now + Duration::days(UNDO_DAYS)),
        })
    })
    .await
}

/// Undoes a merge made at most [`UNDO_DAYS`] before `now`.
pub async fn undo(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    merge_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<MergeUndo> {
    conn.transaction::<_, AppError, _>(async move |conn| {
        let merge = store::lock(conn, workspace, merge_id)
            .await?
            .ok_or_else(|| AppError::not_found("the merge"))?;
        if merge.undone_at.is_some() {
            return Err(AppError::conflict("already_undone", "this merge was already undone"));
        }
        if now > merge.created_at + Duration::days(UNDO_DAYS) {
            return Err(AppError::conflict(
                "undo_expired",
                format!("a merge can be undone for {UNDO_DAYS} days; this one is older"),
            ));
        }
        let ids = [merge.survivor_id, merge.merged_id];
        let gone = || AppError::conflict("merged_record_gone", "a record of this merge no longer exists");
        let survivor_merged = |into: Uuid| {
            AppError::conflict(
                "survivor_merged",
                format!("the surviving record was merged into {into} since: undo that merge first"),
            )
        };
        let (kept, names) = match merge.kind {
            MergeType::Contact => {
                let rows = store::lock_contacts(conn, workspace, ids).await?;
                let survivor = rows.iter().find(|r| r.id == merge.survivor_id).ok_or_else(gone)?;
                let restored = rows.iter().find(|r| r.id == merge.merged_id).ok_or_else(gone)?;
                let out_of_sight = survivor.deleted_at.map(|_| survivor.id).into_iter().collect();
                if let Some(&(_, into)) = merged_into(conn, workspace, out_of_sight).await?.first() {
                    return Err(survivor_merged(into));
                }
                let current = ContactFields::of(survivor);
                let (target, kept) = fields::revert(
                    CONTACT_FIELDS,
                    &to_map(&current)?,
                    &to_map(&from_value::<ContactFields>(&merge.survivor_before)?)?,
                    &to_map(&from_value::<ContactFields>(&merge.survivor_after)?)?,
                );
                let changes = current.changeset(&from_map(target)?);
                if !changes.is_empty() {
                    written(
                        contacts::store::update(conn, workspace, survivor.id, &changes, None).await?,
                        "the surviving contact",
                    )?;
                }
                let names = (
                    contacts::service::display_name(restored),
                    contacts::service::display_name(survivor),
                );
                (kept, names)
            }
            MergeType::Company => {
                let rows = store::lock_companies(conn, workspace, ids).await?;
                let survivor = rows.iter().find(|r| r.id == merge.survivor_id).ok_or_else(gone)?;
                let restored = rows.iter().find(|r| r.id == merge.merged_id).ok_or_else(gone)?;
                let out_of_sight = survivor.deleted_at.map(|_| survivor.id).into_iter().collect();
                if let Some(&(_, into)) = merged_into(conn, workspace, out_of_sight).await?.first() {
                    return Err(survivor_merged(into));
                }
                let current = CompanyFields::of(survivor);
                let (target, kept) = fields::revert(
                    COMPANY_FIELDS,
                    &to_map(&current)?,
                    &to_map(&from_value::<CompanyFields>(&merge.survivor_before)?)?,
                    &to_map(&from_value::<CompanyFields>(&merge.survivor_after)?)?,
                );
                let changes = current.changeset(&from_map(target)?);
                if !changes.changed_fields().is_empty() {
                    written(
                        companies::store::update(conn, workspace, survivor.id, &changes, None).await?,
                        "the surviving company",
                    )?;
                }
                (kept, (restored.name.clone(), survivor.name.clone()))
            }
        };
        // The survivor has given back the merged record's name (a company's is unique), so the
        // merged record can return.
        if !store::unmark_merged(
            conn,
            workspace,
            merge.kind,
            merge.merged_id,
            merge.merged_deleted_at,
            now,
        )
        .await?
        {
            return Err(gone());
        }
        let moved_back = store::move_back(
            conn,
            workspace,
            merge.kind,
            merge.survivor_id,
            merge.merged_id,
            &merge.moved,
        )
        .await?;
        if merge.kind == MergeType::Contact {
            contacts::store::refresh_follow_ups(conn, workspace, &ids).await?;
        }
        let by = crate::accounts::actor::current().map(|a| a.user_id);
        store::mark_undone(conn, workspace, merge.id, now, by).await?;
        let summary = crate::summary!(Unmerged, merged = names.0, survivor = names.1);
        let entries = history(merge.kind, ids, Action::Unmerged, &summary, &[]);
        activity::service::record_merge(conn, workspace, entries, merge.id).await?;
        Ok(MergeUndo {
            merge_id: merge.id,
            kind: merge.kind,
            survivor_id: merge.survivor_id,
            restored_id: merge.merged_id,
            kept,
            moved_back,
            undone_at: now,
        })
    })
    .await
}
