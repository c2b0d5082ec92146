//! Sequences: design, enrollment, the sender that runs due steps, and unsubscribing.
//!
//! Sending: once a minute each instance claims due enrollments one at a time (`FOR UPDATE SKIP
//! LOCKED`, so instances share the work and never send a step twice) whose contact's local time
//! is inside the sending window. A step renders its template (or variant B's subject), adds the
//! unsubscribe link, and goes through the same path as an email written by hand: logged as an
//! outbound email interaction and queued for the mail worker, within the workspace's daily
//! limit. A reply — any inbound interaction — stops the enrollment in the database itself (a
//! trigger on `interactions`), whichever way it was recorded.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{
    CreateSequence, Enroll, EnrollResult, Enrollment, EnrollmentPage, EnrollmentStatus, Sequence, SequenceList,
    SequenceStats, SequenceStep, Skipped, StepStats, UpdateSequence,
};
use super::store::{self, EnrollmentChangeset, EnrollmentRow, SendRow, SequenceChangeset, SequenceRow};
use crate::db::WorkspaceId;
use crate::db::keyset::{self, KeyKind, Sort, SortKey, SortValue};
use crate::error::{AppError, AppResult};
use crate::http::params::{self, ParamErrors};

const NOT_FOUND: &str = "the sequence";
pub const MAX_PER_WORKSPACE: i64 = 100;
/// How long an unsubscribe link works.
pub const LINK_TTL: Duration = Duration::days(365);
/// When a step cannot go out for a passing reason (the daily limit, no mail server yet).
const POSTPONE: Duration = Duration::hours(1);
/// Steps sent per run of the sender, at most.
const BATCH: usize = 200;

pub fn steps_of(row: &SequenceRow) -> Vec<SequenceStep> {
    serde_json::from_value(row.steps.clone()).unwrap_or_default()
}

fn to_dto(row: SequenceRow, stats: SequenceStats) -> Sequence {
    Sequence {
        id: row.id,
        steps: steps_of(&row),
        name: row.name,
        window_start: row.window_start,
        window_end: row.window_end,
        weekdays_only: row.weekdays_only,
        enabled: row.enabled,
        stats,
        created_by: row.created_by,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

async fn stats(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    rows: &[SequenceRow],
) -> AppResult<HashMap<Uuid, SequenceStats>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut out: HashMap<Uuid, SequenceStats> = HashMap::new();
    for r in rows {
        let s = SequenceStats {
            steps: (0..steps_of(r).len() as i32)
                .map(|step| StepStats {
                    step,
                    ..StepStats::default()
                })
                .collect(),
            ..SequenceStats::default()
        };
        out.insert(r.id, s);
    }
    for (id, status, n) in store::status_counts(conn, workspace, &ids).await? {
        let Some(s) = out.get_mut(&id) else { continue };
        s.enrolled += n;
        match status {
            EnrollmentStatus::Active => s.active += n,
            EnrollmentStatus::Completed => s.completed += n,
            EnrollmentStatus::Replied => s.replied += n,
            EnrollmentStatus::Unsubscribed => s.unsubscribed += n,
            EnrollmentStatus::Stopped => s.stopped += n,
            EnrollmentStatus::Failed => s.failed += n,
        }
    }
    for c in store::step_counts(conn, workspace, &ids).await? {
        let Some(s) = out.get_mut(&c.sequence_id) else { continue };
        let Some(step) = s.steps.iter_mut().find(|x| x.step == c.step) else {
            continue;
        };
        if c.variant == "b" {
            step.sent_b += c.sent;
            step.replied_b += c.replied;
            step.unsubscribed_b += c.unsubscribed;
        } else {
            step.sent_a += c.sent;
            step.replied_a += c.replied;
            step.unsubscribed_a += c.unsubscribed;
        }
    }
    Ok(out)
}

async fn with_stats(conn: &mut AsyncPgConnection, workspace: WorkspaceId, row: SequenceRow) -> AppResult<Sequence> {
    let mut all = stats(conn, workspace, std::slice::from_ref(&row)).await?;
    let s = all.remove(&row.id).unwrap_or_default();
    Ok(to_dto(row, s))
}

pub async fn list(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<SequenceList> {
    let rows = store::list(conn, workspace).await?;
    let mut all = stats(conn, workspace, &rows).await?;
    Ok(SequenceList {
        items: rows
            .into_iter()
            .map(|r| {
                let s = all.remove(&r.id).unwrap_or_default();
                to_dto(r, s)
            })
            .collect(),
    })
}

async fn row(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<SequenceRow> {
    store::find(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_FOUND))
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Sequence> {
    let row = row(conn, workspace, id).await?;
    with_stats(conn, workspace, row).await
}

/// The steps as stored; each template must be one of the workspace's.
async fn check_steps(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    steps: Vec<SequenceStep>,
    errors: &mut ParamErrors,
) -> AppResult<Vec<SequenceStep>> {
    let mut out = Vec::new();
    for (i, mut step) in steps.into_iter().enumerate() {
        if crate::templates::service::get(conn, workspace, step.template_id)
            .await
            .is_err()
        {
            errors.push(
                &format!("steps[{i}].template_id"),
                "no template of this workspace has this id",
            );
        }
        step.subject_b = step.subject_b.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        if step.subject_b.as_deref().is_some_and(|s| s.contains(['\r', '\n'])) {
            errors.push(&format!("steps[{i}].subject_b"), "must be one line");
        }
        out.push(step);
    }
    Ok(out)
}

fn check_window(start: i16, end: i16, errors: &mut ParamErrors) {
    if start >= end {
        errors.push("window_end", "must be after window_start");
    }
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreateSequence,
    author: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Sequence> {
    let mut errors = ParamErrors::default();
    let steps = check_steps(conn, workspace, input.steps, &mut errors).await?;
    let (start, end) = (input.window_start.unwrap_or(9), input.window_end.unwrap_or(17));
    check_window(start, end, &mut errors);
    errors.finish()?;
    if store::count(conn, workspace).await? >= MAX_PER_WORKSPACE {
        return Err(AppError::conflict(
            "too_many_sequences",
            format!("a workspace has at most {MAX_PER_WORKSPACE} sequences; delete one first"),
        ));
    }
    let row = SequenceRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        name: input.name.trim().to_owned(),
        steps: serde_json::to_value(steps).map_err(AppError::internal)?,
        window_start: start,
        window_end: end,
        weekdays_only: input.weekdays_only.unwrap_or(true),
        enabled: input.enabled.unwrap_or(true),
        token_key: crate::crypto::new_signing_key(),
        created_by: author,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let row = store::insert(conn, &row).await?;
    with_stats(conn, workspace, row).await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateSequence,
    expected: Option<i32>,
) -> AppResult<Sequence> {
    let current = row(conn, workspace, id).await?;
    let mut errors = ParamErrors::default();
    let steps = match input.steps {
        Some(s) => Some(check_steps(conn, workspace, s, &mut errors).await?),
        None => None,
    };
    check_window(
        input.window_start.unwrap_or(current.window_start),
        input.window_end.unwrap_or(current.window_end),
        &mut errors,
    );
    errors.finish()?;
    let changes = SequenceChangeset {
        name: input.name.map(|n| n.trim().to_owned()),
        steps: steps.map(|s| serde_json::to_value(s).unwrap_or_default()),
        window_start: input.window_start,
        window_end: input.window_end,
        weekdays_only: input.weekdays_only,
        enabled: input.enabled,
    };
    let row = store::update(conn, workspace, id, &changes, expected)
        .await?
        .into_result(NOT_FOUND)?;
    with_stats(conn, workspace, row).await
}

pub async fn delete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<()> {
    store::delete(conn, workspace, id, expected)
        .await?
        .into_result(NOT_FOUND)?;
    Ok(())
}

/// Turns every sequence of the workspace off (a restored workspace's, until an admin turns
/// them on).
pub async fn pause_all(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<usize> {
    Ok(store::pause_all(conn, workspace).await?)
}

// --- Enrollments --------------------------------------------------------------------------------

fn enrollment_dto(row: EnrollmentRow, sequence_name: String, first: String, last: String) -> Enrollment {
    Enrollment {
        id: row.id,
        sequence_id: row.sequence_id,
        sequence_name,
        contact_id: row.contact_id,
        contact_name: format!("{first} {last}").trim().to_owned(),
        status: row.status,
        next_step: row.next_step,
        next_send_at: row.next_send_at,
        last_error: row.last_error,
        enrolled_by: row.enrolled_by,
        enrolled_at: row.enrolled_at,
        finished_at: row.finished_at,
    }
}

const NEWEST_FIRST: Sort = Sort {
    key: SortKey {
        name: "enrolled_at",
        sql: "sequence_enrollments.enrolled_at",
        kind: KeyKind::Time,
    },
    descending: true,
};

/// A page of enrollments: of one sequence, or (with `contact`) of one contact in any sequence.
pub async fn enrollments(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    sequence: Option<Uuid>,
    contact: Option<Uuid>,
    status: Option<&str>,
    limit: Option<&str>,
    cursor: Option<&str>,
) -> AppResult<EnrollmentPage> {
    let mut errors = ParamErrors::default();
    let limit = errors.take(params::limit(limit));
    let after = errors.take(NEWEST_FIRST.after(cursor)).flatten();
    // Present but empty is refused like any other value outside the enum, as the schema says.
    let status = errors
        .take(params::choice::<EnrollmentStatus>("status", status))
        .flatten();
    errors.finish()?;
    if let Some(id) = sequence {
        row(conn, workspace, id).await?;
    }
    let limit = limit.unwrap_or(params::DEFAULT_LIMIT);
    let after = match after {
        Some((SortValue::Time(t), id)) => Some((t, id)),
        _ => None,
    };
    let rows = store::enrollments(conn, workspace, sequence, contact, status, after, limit + 1).await?;
    let (rows, next_cursor) = keyset::page(rows, limit, &NEWEST_FIRST, |(r, _, _, _)| {
        (SortValue::Time(r.enrolled_at), r.id)
    });
    Ok(EnrollmentPage {
        items: rows
            .into_iter()
            .map(|(r, first, last, name)| enrollment_dto(r, name, first, last))
            .collect(),
        next_cursor,
    })
}

/// Enrolls contacts (by id, or everyone a saved contact view shows): each gets the first step
/// after its delay. Contacts without an email, unsubscribed or already in the sequence are
/// skipped and named.
pub async fn enroll(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    sequence: Uuid,
    input: Enroll,
    viewer: crate::views::service::Viewer,
    now: DateTime<Utc>,
) -> AppResult<EnrollResult> {
    let seq = row(conn, workspace, sequence).await?;
    let ids: Vec<Uuid> = match (input.view_id, input.contact_ids.is_empty()) {
        (Some(_), false) => {
            return Err(AppError::invalid_field(
                "view_id",
                "give contact_ids or view_id, not both",
            ));
        }
        (None, true) => return Err(AppError::invalid_field("contact_ids", "name at least one contact")),
        (None, false) => {
            let mut ids = input.contact_ids;
            ids.sort();
            ids.dedup();
            ids
        }
        (Some(view), true) => view_contacts(conn, workspace, view, viewer).await?,
    };
    let first_delay = steps_of(&seq).first().map_or(0, |s| s.delay_days);
    let unsubscribed = store::unsubscribed_among(conn, workspace, &ids).await?;
    // The same statements whatever the number of contacts: who they are, and the enrollments
    // written together (a contact already in the sequence is left out by the insert itself).
    conn.transaction::<_, AppError, _>(async move |conn| {
        let mut contacts = crate::contacts::service::live_by_ids(conn, workspace, &ids).await?;
        let mut skipped = Vec::new();
        let mut rows = Vec::new();
        for &id in &ids {
            let skip = |reason: &str| Skipped {
                contact_id: id,
                reason: reason.to_owned(),
            };
            match contacts.get(&id) {
                None => skipped.push(skip("not_found")),
                Some(c) if c.emails.is_empty() => skipped.push(skip("no_email")),
                Some(_) if unsubscribed.contains(&id) => skipped.push(skip("unsubscribed")),
                Some(_) => rows.push(EnrollmentRow {
                    id: Uuid::now_v7(),
                    workspace_id: workspace,
                    sequence_id: sequence,
                    contact_id: id,
                    status: EnrollmentStatus::Active,
                    next_step: 0,
                    next_send_at: Some(now + Duration::days(first_delay.into())),
                    last_error: None,
                    enrolled_by: Some(viewer.user),
                    enrolled_at: now,
                    finished_at: None,
                }),
            }
        }
        let mut written: std::collections::HashMap<Uuid, EnrollmentRow> = store::insert_enrollments(conn, &rows)
            .await?
            .into_iter()
            .map(|r| (r.contact_id, r))
            .collect();
        let mut result = EnrollResult {
            enrolled: Vec::with_capacity(written.len()),
            skipped,
        };
        for row in &rows {
            match (written.remove(&row.contact_id), contacts.remove(&row.contact_id)) {
                (Some(r), Some(c)) => {
                    result
                        .enrolled
                        .push(enrollment_dto(r, seq.name.clone(), c.first_name, c.last_name));
                }
                _ => result.skipped.push(Skipped {
                    contact_id: row.contact_id,
                    reason: "already_enrolled".to_owned(),
                }),
            }
        }
        Ok(result)
    })
    .await
}

/// The contacts a saved contact view shows (at most 1,000).
async fn view_contacts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    view: Uuid,
    viewer: crate::views::service::Viewer,
) -> AppResult<Vec<Uuid>> {
    use crate::contacts::query::{ContactQuery, ListContactsParams};
    let v = crate::views::service::get(conn, workspace, view, viewer)
        .await
        .map_err(|_| AppError::invalid_field("view_id", "no saved view you can see has this id"))?;
    if v.kind != crate::views::dto::ViewKind::Contact {
        return Err(AppError::invalid_field("view_id", "is not a view of contacts"));
    }
    let params = actix_web::web::Query::<ListContactsParams>::from_query(&v.query)
        .map_err(|e| AppError::invalid_field("view_id", format!("its query cannot be read: {e}")))?;
    let query = ContactQuery::from_params(&params, viewer.user)
        .map_err(|e| AppError::invalid_field("view_id", format!("its query cannot be read: {}", e.detail())))?;
    let ids =
        crate::contacts::service::ids_matching(conn, workspace, query, params.custom_field.as_deref(), 1000).await?;
    if ids.len() > 1000 {
        return Err(AppError::invalid_field(
            "view_id",
            "the view shows more than 1,000 contacts; narrow it down",
        ));
    }
    Ok(ids)
}

/// Stops an active enrollment (a member's decision).
pub async fn stop(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Enrollment> {
    let row = store::find_enrollment(conn, workspace, id)
        .await?
        .ok_or_else(|| AppError::not_found("the enrollment"))?;
    if row.status != EnrollmentStatus::Active {
        return Err(AppError::conflict(
            "enrollment_finished",
            format!("the enrollment is {} already", row.status),
        ));
    }
    let changes = EnrollmentChangeset {
        status: Some(EnrollmentStatus::Stopped),
        next_send_at: Some(None),
        finished_at: Some(Some(now)),
        ..Default::default()
    };
    let row = store::update_enrollment(conn, workspace, id, &changes).await?;
    let contact = crate::contacts::service::get(conn, workspace, row.contact_id, true).await?;
    let sequence = self::row(conn, workspace, row.sequence_id).await?;
    Ok(enrollment_dto(
        row,
        sequence.name,
        contact.first_name,
        contact.last_name,
    ))
}

// --- Sending ------------------------------------------------------------------------------------

/// The unsubscribe link's token: the enrollment and when the email was made, signed with the
/// sequence's key.
pub fn unsubscribe_token(seq: &SequenceRow, enrollment: Uuid, now: DateTime<Utc>) -> String {
    crate::crypto::sign_token(&seq.token_key, &format!("{enrollment}.{}", now.timestamp()))
}

/// What a token says, once its enrollment and sequence are known.
#[derive(Debug, PartialEq)]
pub enum TokenCheck {
    Valid,
    Expired,
    Forged,
}

/// The enrollment a token names (before its signature is checked).
pub fn token_enrollment(token: &str) -> Option<Uuid> {
    token.split('.').next().and_then(|s| s.parse().ok())
}

pub fn check_token(seq: &SequenceRow, token: &str, now: DateTime<Utc>) -> TokenCheck {
    let Some(message) = crate::crypto::open_token(&seq.token_key, token) else {
        return TokenCheck::Forged;
    };
    let made = message
        .rsplit('.')
        .next()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| DateTime::from_timestamp(s, 0));
    match made {
        Some(t) if now - t > LINK_TTL => TokenCheck::Expired,
        Some(_) => TokenCheck::Valid,
        None => TokenCheck::Forged,
    }
}

/// Sends every step that is due now and inside its contact's sending window (at most `BATCH`);
/// returns how many emails were queued.
pub async fn run_due(conn: &mut AsyncPgConnection, base: &str, now: DateTime<Utc>) -> AppResult<usize> {
    let mut queued = 0;
    for _ in 0..BATCH {
        let base = base.to_owned();
        let sent = conn
            .transaction::<_, AppError, _>(async move |conn| {
                let Some(due) = store::claim_due(conn, now).await? else {
                    return Ok(None);
                };
                send_step(conn, WorkspaceId::checked(due.workspace_id), due.id, &base, now)
                    .await
                    .map(Some)
            })
            .await?;
        match sent {
            None => break,
            Some(true) => queued += 1,
            Some(false) => {}
        }
    }
    if queued > 0 {
        crate::mail::wake();
    }
    Ok(queued)
}

/// Sends the enrollment's next step (the row is locked); `true` when an email was queued.
async fn send_step(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    base: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let Some(enrollment) = store::find_enrollment(conn, workspace, id).await? else {
        return Ok(false);
    };
    let seq = row(conn, workspace, enrollment.sequence_id).await?;
    let steps = steps_of(&seq);
    let finish = |status: EnrollmentStatus, error: Option<String>| EnrollmentChangeset {
        status: Some(status),
        next_send_at: Some(None),
        last_error: Some(error),
        finished_at: Some(Some(now)),
        ..Default::default()
    };
    let index = usize::try_from(enrollment.next_step).unwrap_or(usize::MAX);
    let Some(step) = steps.get(index).cloned() else {
        store::update_enrollment(conn, workspace, id, &finish(EnrollmentStatus::Completed, None)).await?;
        return Ok(false);
    };
    if !store::unsubscribed_among(conn, workspace, &[enrollment.contact_id])
        .await?
        .is_empty()
    {
        store::update_enrollment(conn, workspace, id, &finish(EnrollmentStatus::Unsubscribed, None)).await?;
        return Ok(false);
    }
    let contact = enrollment.contact_id;
    let rendered = match crate::templates::service::render(conn, workspace, step.template_id, contact).await {
        Ok(r) => r,
        Err(e) if e.status().is_client_error() => {
            let why = format!("step {} could not be written: {}", index + 1, e.detail());
            store::update_enrollment(conn, workspace, id, &finish(EnrollmentStatus::Failed, Some(why))).await?;
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    let mut variant = "a";
    let mut subject = rendered.subject;
    if let Some(b) = &step.subject_b {
        let mut coin = [0u8; 1];
        getrandom::fill(&mut coin).unwrap_or_else(|e| panic!("the system has no randomness: {e}"));
        if coin[0] & 1 == 1 {
            variant = "b";
            subject = crate::templates::service::preview(conn, workspace, contact, b, "-")
                .await?
                .subject;
        }
    }
    let link = format!("{base}/u/{}", unsubscribe_token(&seq, id, now));
    let body = format!(
        "{}\n\n--\nIf you would rather not get these emails, unsubscribe: {link}\n",
        rendered.body.trim_end()
    );
    let input = crate::mail::dto::SendEmail {
        to: None,
        template_id: None,
        subject: Some(subject),
        body: Some(body),
        deal_id: None,
    };
    let author = enrollment.enrolled_by;
    match crate::mail::service::send_to_contact(conn, workspace, contact, input, author, Some(link), now).await {
        Ok(interaction) => {
            store::insert_send(
                conn,
                &SendRow {
                    id: Uuid::now_v7(),
                    workspace_id: workspace,
                    enrollment_id: id,
                    step: index as i32,
                    variant: variant.to_owned(),
                    interaction_id: Some(interaction.id),
                    sent_at: now,
                },
            )
            .await?;
            let next = index + 1;
            let changes = match steps.get(next) {
                Some(s) => EnrollmentChangeset {
                    next_step: Some(next as i32),
                    next_send_at: Some(Some(now + Duration::days(s.delay_days.into()))),
                    last_error: Some(None),
                    ..Default::default()
                },
                None => EnrollmentChangeset {
                    next_step: Some(next as i32),
                    ..finish(EnrollmentStatus::Completed, None)
                },
            };
            store::update_enrollment(conn, workspace, id, &changes).await?;
            Ok(true)
        }
        // Passing reasons: try again in an hour.
        Err(e) if matches!(e.code(), "daily_send_limit" | "mail_not_configured") => {
            let changes = EnrollmentChangeset {
                next_send_at: Some(Some(now + POSTPONE)),
                last_error: Some(Some(e.detail().to_owned())),
                ..Default::default()
            };
            store::update_enrollment(conn, workspace, id, &changes).await?;
            Ok(false)
        }
        Err(e) if e.status().is_client_error() => {
            let why = format!("step {} could not be sent: {}", index + 1, e.detail());
            store::update_enrollment(conn, workspace, id, &finish(EnrollmentStatus::Failed, Some(why))).await?;
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

// --- Unsubscribing ------------------------------------------------------------------------------

/// What an unsubscribe link leads to.
pub struct Unsubscribe {
    pub workspace: WorkspaceId,
    pub contact: Uuid,
    pub sequence: SequenceRow,
    pub email: Option<String>,
}

/// The link's enrollment, contact and sequence; 404 for an unknown or forged link, 410 for an
/// expired one.
pub async fn resolve_link(conn: &mut AsyncPgConnection, token: &str, now: DateTime<Utc>) -> AppResult<Unsubscribe> {
    let invalid = || AppError::not_found("this unsubscribe link");
    let id = token_enrollment(token).ok_or_else(invalid)?;
    let enrollment = store::find_enrollment_public(conn, id).await?.ok_or_else(invalid)?;
    let workspace = enrollment.workspace_id;
    let seq = store::find(conn, workspace, enrollment.sequence_id)
        .await?
        .ok_or_else(invalid)?;
    match check_token(&seq, token, now) {
        TokenCheck::Valid => {}
        TokenCheck::Expired => {
            return Err(AppError::gone(
                "link_expired",
                "this unsubscribe link is over a year old; reply to the email to be taken off the list",
            ));
        }
        TokenCheck::Forged => return Err(invalid()),
    }
    let email = crate::contacts::service::get(conn, workspace, enrollment.contact_id, true)
        .await
        .ok()
        .and_then(|c| c.emails.first().cloned());
    Ok(Unsubscribe {
        workspace,
        contact: enrollment.contact_id,
        sequence: seq,
        email,
    })
}

/// Unsubscribes the link's contact: no sequence email is sent to them again, and their active
/// enrollments end. Recorded in the contact's history once.
pub async fn unsubscribe(conn: &mut AsyncPgConnection, link: &Unsubscribe, now: DateTime<Utc>) -> AppResult<()> {
    let (workspace, contact, sequence) = (link.workspace, link.contact, link.sequence.id);
    let name = link.sequence.name.clone();
    conn.transaction::<_, AppError, _>(async move |conn| {
        let new = store::unsubscribe(conn, workspace, contact, sequence, now).await?;
        store::finish_active_of_contact(conn, workspace, contact, EnrollmentStatus::Unsubscribed, now).await?;
        if new {
            let change = crate::activity::service::Change {
                entity: crate::activity::service::Entity::Contact,
                entity_id: contact,
                action: crate::activity::service::Action::Updated,
                summary: crate::summary!(ContactUnsubscribed, sequence = name),
                contact_id: Some(contact),
                fields: &[],
            };
            crate::activity::service::record(conn, workspace, change).await?;
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq() -> SequenceRow {
        let now = Utc::now();
        SequenceRow {
            id: Uuid::now_v7(),
            workspace_id: WorkspaceId::checked(Uuid::now_v7()),
            name: "Follow-up".into(),
            steps: serde_json::json!([]),
            window_start: 9,
            window_end: 17,
            weekdays_only: true,
            enabled: true,
            token_key: crate::crypto::new_signing_key(),
            created_by: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn an_unsubscribe_token_names_its_enrollment_and_cannot_be_forged_or_kept_forever() {
        let s = seq();
        let enrollment = Uuid::now_v7();
        let made = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let token = unsubscribe_token(&s, enrollment, made);
        assert_eq!(token_enrollment(&token), Some(enrollment));
        assert_eq!(check_token(&s, &token, made + Duration::days(30)), TokenCheck::Valid);
        assert_eq!(check_token(&s, &token, made + Duration::days(400)), TokenCheck::Expired);
        assert_eq!(check_token(&seq(), &token, made), TokenCheck::Forged);
        let other = token.replacen(&enrollment.to_string(), &Uuid::now_v7().to_string(), 1);
        assert_eq!(check_token(&s, &other, made), TokenCheck::Forged);
        assert_eq!(check_token(&s, "garbage", made), TokenCheck::Forged);
    }
}
