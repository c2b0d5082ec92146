//! Interaction rules: the contact must exist, and every change reschedules its follow-up in the
//! same transaction.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::dto::{
    CreateInteraction, DeliveryState, EmailDelivery, Interaction, InteractionKind, InteractionPage, Sentiment,
    UpdateInteraction,
};
use super::store::{self, InteractionChangeset, InteractionRow};
use crate::activity;
use crate::activity::message::Summary;
use crate::activity::service::{Action, Change, Entity};
use crate::contacts;
use crate::db::WorkspaceId;
use crate::db::WriteOutcome;
use crate::db::keyset::{self, KeyKind, Sort, SortKey, SortValue};
use crate::dto::clean;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::params::{self, ParamErrors};

const NOT_FOUND: &str = "the interaction";

/// Timelines are newest first.
const NEWEST_FIRST: Sort = Sort {
    key: SortKey {
        name: "occurred_at",
        sql: "interactions.occurred_at",
        kind: KeyKind::Time,
    },
    descending: true,
};

fn record<'a>(row: &InteractionRow, action: Action, summary: Summary, fields: &'a [&'a str]) -> Change<'a> {
    Change {
        entity: Entity::Interaction,
        entity_id: row.id,
        action,
        summary,
        contact_id: Some(row.contact_id),
        fields,
    }
}

fn to_dto(row: InteractionRow) -> Interaction {
    Interaction {
        id: row.id,
        contact_id: row.contact_id,
        deal_id: row.deal_id,
        kind: row.kind,
        direction: row.direction,
        occurred_at: row.occurred_at,
        subject: row.subject,
        body: row.body,
        outcome: row.outcome,
        duration_minutes: row.duration_minutes,
        sentiment: row
            .sentiment_label
            .zip(row.sentiment_score)
            .map(|(label, score)| Sentiment { label, score }),
        message_id: row
            .external_ref
            .filter(|r| row.kind == InteractionKind::Email && !r.starts_with("blake3:")),
        delivery: row.delivery_status.map(|status| EmailDelivery {
            status,
            error: row.delivery_error,
        }),
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    }
}

fn written(outcome: WriteOutcome<InteractionRow>) -> AppResult<InteractionRow> {
    outcome.into_result(NOT_FOUND)
}

pub struct TimelineQuery {
    kinds: Vec<InteractionKind>,
    after: Option<(SortValue, Uuid)>,
    limit: i64,
}

impl TimelineQuery {
    pub fn parse(limit: Option<&str>, cursor: Option<&str>, kind: Option<&str>) -> AppResult<TimelineQuery> {
        let mut errors = ParamErrors::default();
        let limit = errors.take(params::limit(limit));
        let after = errors.take(NEWEST_FIRST.after(cursor)).flatten();
        let kinds = errors.take(
            params::list(kind)
                .iter()
                .map(|k| {
                    k.parse()
                        .map_err(|e| FieldError::new("kind", format!("'{k}' is not valid: {e}")))
                })
                .collect::<Result<Vec<InteractionKind>, _>>(),
        );
        errors.finish()?;
        Ok(TimelineQuery {
            kinds: kinds.unwrap_or_default(),
            after,
            limit: limit.unwrap_or(params::DEFAULT_LIMIT),
        })
    }
}

/// A contact's timeline, newest first; of a contact in the trash only with `include_trashed`
/// (404 `trashed` otherwise).
pub async fn timeline(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    contact: Uuid,
    q: &TimelineQuery,
    include_trashed: bool,
) -> AppResult<InteractionPage> {
    let rows = store::timeline(
        conn,
        workspace,
        contact,
        include_trashed,
        &q.kinds,
        &NEWEST_FIRST,
        q.after.as_ref(),
        q.limit,
    )
    .await?;
    // No rows: an empty timeline, or no such contact (404, or where a merged one went).
    if rows.is_empty() {
        contacts::service::require(conn, workspace, contact, !include_trashed).await?;
    }
    let (rows, next_cursor) = keyset::page(rows, q.limit, &NEWEST_FIRST, |r| (SortValue::Time(r.occurred_at), r.id));
    Ok(InteractionPage {
        items: rows.into_iter().map(to_dto).collect(),
        next_cursor,
    })
}

pub async fn get(conn: &mut AsyncPgConnection, workspace: WorkspaceId, id: Uuid) -> AppResult<Interaction> {
    store::find(conn, workspace, id)
        .await?
        .map(to_dto)
        .ok_or_else(|| AppError::not_found(NOT_FOUND))
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreateInteraction,
) -> AppResult<Interaction> {
    create_with(conn, workspace, input, None).await
}

/// Logs an email being sent from Rapport: an outbound email with its Message-ID, queued.
pub async fn create_sent_email(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreateInteraction,
    message_id: String,
) -> AppResult<Interaction> {
    create_with(conn, workspace, input, Some(message_id)).await
}

async fn create_with(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    input: CreateInteraction,
    sent_message_id: Option<String>,
) -> AppResult<Interaction> {
    let no_contact = || AppError::invalid_field("contact_id", "no contact (outside the trash) has this id");
    let now = chrono::Utc::now();
    let row = InteractionRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        contact_id: input.contact_id,
        kind: input.kind,
        direction: input.direction,
        occurred_at: input.occurred_at.unwrap_or(now),
        subject: clean(input.subject),
        body: clean(input.body),
        outcome: input.outcome,
        duration_minutes: input.duration_minutes,
        sentiment_label: input.sentiment.as_ref().map(|s| s.label),
        sentiment_score: input.sentiment.as_ref().map(|s| s.score),
        created_at: now,
        updated_at: now,
        version: 1,
        deal_id: input.deal_id,
        delivery_status: sent_message_id.as_ref().map(|_| DeliveryState::Queued),
        external_ref: sent_message_id,
        delivery_error: None,
    };
    if let Some(deal) = row.deal_id {
        // A missing contact is the first thing to answer, before anything about the deal.
        contacts::service::require(conn, workspace, row.contact_id, true)
            .await
            .map_err(|_| no_contact())?;
        crate::deals::service::check_link(conn, workspace, deal, row.contact_id).await?;
    }
    // The statement reads the contact's name itself and fills it in.
    let name = "";
    let summary = match (row.delivery_status.is_some(), row.subject.as_deref()) {
        (true, None) => crate::summary!(InteractionSent, name = name),
        (true, Some(subject)) => crate::summary!(InteractionSentSubject, name = name, subject = subject),
        (false, None) => crate::summary!(InteractionLogged, kind = row.kind, name = name),
        (false, Some(subject)) => {
            crate::summary!(
                InteractionLoggedSubject,
                kind = row.kind,
                name = name,
                subject = subject
            )
        }
    };
    let template = summary.english_template(&["name"]);
    let history = activity::service::entry(workspace, record(&row, Action::Created, summary, &[]), now);
    // The interaction, its history entry and the contact's follow-up: one statement, atomic on
    // its own, that writes nothing when the contact is missing or in the trash.
    let row = store::insert_logged(conn, &row, &history, &template, now)
        .await?
        .ok_or_else(no_contact)?;
    Ok(to_dto(row))
}

/// The history entry of an edit or a deletion, written by the statement that makes it, and its
/// sentence for each kind the interaction may have (the statement reads the kind and the
/// contact's name: see `activity::store::insert_one_read`).
fn change_entry(
    workspace: WorkspaceId,
    id: Uuid,
    action: Action,
    fields: &[&str],
    now: chrono::DateTime<chrono::Utc>,
    summary: impl Fn(InteractionKind) -> Summary,
) -> (activity::store::ActivityRow, serde_json::Value) {
    let variants = InteractionKind::ALL
        .iter()
        .map(|kind| {
            let s = summary(*kind);
            let entry = serde_json::json!({"template": s.english_template(&["name"]), "params": s.params_json()});
            (kind.as_str().to_owned(), entry)
        })
        .collect::<serde_json::Map<_, _>>();
    let change = Change {
        entity: Entity::Interaction,
        entity_id: id,
        action,
        summary: summary(InteractionKind::Other),
        contact_id: None,
        fields,
    };
    (
        activity::service::entry(workspace, change, now),
        serde_json::Value::Object(variants),
    )
}

/// An edit: the interaction, its history entry and its contact's follow-up in one statement (in a
/// transaction with the check of a deal it is linked to, when the edit names one).
pub async fn update(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    input: UpdateInteraction,
    expected: Option<i32>,
) -> AppResult<Interaction> {
    let sentiment = input.sentiment;
    let changes = InteractionChangeset {
        kind: input.kind,
        deal_id: input.deal_id,
        direction: input.direction,
        occurred_at: input.occurred_at,
        subject: input.subject.map(clean),
        body: input.body.map(clean),
        outcome: input.outcome,
        duration_minutes: input.duration_minutes,
        sentiment_label: sentiment.as_ref().map(|s| s.as_ref().map(|s| s.label)),
        sentiment_score: sentiment.as_ref().map(|s| s.as_ref().map(|s| s.score)),
    };
    let fields = changes.changed_fields();
    let joined = fields.join(",");
    let history = change_entry(workspace, id, Action::Updated, &fields, chrono::Utc::now(), |kind| {
        crate::summary!(InteractionEdited, kind = kind, name = "", fields = joined)
    });
    let history = (&history.0, &history.1);
    let row = match input.deal_id {
        Some(Some(deal)) => {
            conn.transaction::<_, AppError, _>(async move |conn| {
                let current = store::find(conn, workspace, id)
                    .await?
                    .ok_or_else(|| AppError::not_found(NOT_FOUND))?;
                crate::deals::service::check_link(conn, workspace, deal, current.contact_id).await?;
                written(store::update(conn, workspace, id, &changes, expected, history).await?)
            })
            .await?
        }
        _ => written(store::update(conn, workspace, id, &changes, expected, history).await?)?,
    };
    Ok(to_dto(row))
}

/// A deletion: the interaction, its history entry and its contact's follow-up in one statement.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    expected: Option<i32>,
) -> AppResult<()> {
    let history = change_entry(workspace, id, Action::Deleted, &[], chrono::Utc::now(), |kind| {
        crate::summary!(InteractionDeleted, kind = kind, name = "")
    });
    written(store::delete(conn, workspace, id, expected, (&history.0, &history.1)).await?)?;
    Ok(())
}
