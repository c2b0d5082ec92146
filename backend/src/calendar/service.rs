//! The feed's token (create, rotate, disable; only its hash is stored) and its contents.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ics::{self, Entry, EntryKind};
use crate::error::{AppError, AppResult};

/// Whether the workspace has a calendar feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeed {
    pub active: bool,
    /// When the current link was made.
    pub created_at: Option<DateTime<Utc>>,
}

/// A new feed link. Keep it private: anyone with the URL can read the feed. It is shown only
/// now; make a new one (which turns this one off) if it is lost.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeedLink {
    #[schema(example = "http://localhost:8080/api/v1/calendar/3q2-7wJ….ics")]
    pub url: String,
    pub created_at: DateTime<Utc>,
}

fn hash(token: &str) -> Vec<u8> {
    blake3::hash(token.as_bytes()).as_bytes().to_vec()
}

#[derive(QueryableByName)]
struct FeedRow {
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
}

pub async fn status(conn: &mut AsyncPgConnection, workspace: Uuid) -> AppResult<CalendarFeed> {
    let row: Option<FeedRow> = diesel::sql_query("SELECT created_at FROM calendar_feeds WHERE workspace_id = $1")
        .bind::<SqlUuid, _>(workspace)
        .get_result(conn)
        .await
        .optional()?;
    Ok(CalendarFeed {
        active: row.is_some(),
        created_at: row.map(|r| r.created_at),
    })
}

/// Makes a new token (replacing any old one) and returns it; only its hash is kept.
pub async fn rotate(conn: &mut AsyncPgConnection, workspace: Uuid) -> AppResult<(String, DateTime<Utc>)> {
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(Uuid::new_v4().as_bytes());
    bytes.extend_from_slice(Uuid::new_v4().as_bytes());
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    diesel::sql_query(
        "INSERT INTO calendar_feeds (workspace_id, token_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (workspace_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = EXCLUDED.created_at",
    )
    .bind::<SqlUuid, _>(workspace)
    .bind::<Bytea, _>(hash(&token))
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?;
    Ok((token, now))
}

pub async fn disable(conn: &mut AsyncPgConnection, workspace: Uuid) -> AppResult<()> {
    diesel::sql_query("DELETE FROM calendar_feeds WHERE workspace_id = $1")
        .bind::<SqlUuid, _>(workspace)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct WorkspaceRow {
    #[diesel(sql_type = SqlUuid)]
    workspace_id: Uuid,
}

#[derive(QueryableByName)]
struct EntryRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    link: String,
    #[diesel(sql_type = Text)]
    contact_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    company: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    title: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
}

/// The feed for a token, or 404 for a token that is unknown or was replaced.
pub async fn feed(conn: &mut AsyncPgConnection, token: &str, base_url: &str) -> AppResult<String> {
    let ws: Option<WorkspaceRow> = diesel::sql_query("SELECT workspace_id FROM calendar_feeds WHERE token_hash = $1")
        .bind::<Bytea, _>(hash(token))
        .get_result(conn)
        .await
        .optional()?;
    let ws = ws.ok_or_else(|| {
        AppError::not_found("the calendar feed")
            .with_detail("no calendar feed has this address; it may have been replaced")
    })?;
    // Follow-ups (unless an open reminder set that very date, which has its own event), open
    // reminders and open deals' expected close dates, from a month back to six months ahead.
    let rows: Vec<EntryRow> = diesel::sql_query(
        "SELECT 'follow_up' AS kind, c.id AS id, '/contacts/' || c.id AS link, trim(c.first_name || ' ' || c.last_name) AS contact_name, \
                co.name AS company, NULL::text AS title, c.next_follow_up_at AS at \
         FROM contacts c LEFT JOIN companies co ON co.id = c.company_id \
         WHERE c.workspace_id = $1 AND c.deleted_at IS NULL \
           AND c.next_follow_up_at BETWEEN now() - interval '30 days' AND now() + interval '180 days' \
           AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.contact_id = c.id AND r.completed_at IS NULL \
                           AND r.due_at = c.next_follow_up_at) \
         UNION ALL \
         SELECT 'reminder', r.id, '/contacts/' || r.contact_id, trim(c.first_name || ' ' || c.last_name), co.name, r.title, r.due_at \
         FROM reminders r JOIN contacts c ON c.id = r.contact_id LEFT JOIN companies co ON co.id = c.company_id \
         WHERE r.workspace_id = $1 AND r.completed_at IS NULL AND c.deleted_at IS NULL \
           AND r.due_at BETWEEN now() - interval '30 days' AND now() + interval '180 days' \
         UNION ALL \
         SELECT 'close', d.id, '/deals/' || d.id, coalesce(trim(c.first_name || ' ' || c.last_name), ''), co.name, d.title, \
                d.expected_close_date::timestamp AT TIME ZONE 'UTC' \
         FROM deals d LEFT JOIN contacts c ON c.id = d.contact_id LEFT JOIN companies co ON co.id = d.company_id \
         WHERE d.workspace_id = $1 AND d.status = 'open' AND d.deleted_at IS NULL \
           AND d.expected_close_date BETWEEN current_date - 30 AND current_date + 180 \
         ORDER BY at LIMIT 5000",
    )
    .bind::<SqlUuid, _>(ws.workspace_id)
    .load(conn)
    .await?;
    let entries: Vec<Entry> = rows
        .into_iter()
        .map(|r| Entry {
            kind: match r.kind.as_str() {
                "reminder" => EntryKind::Reminder,
                "close" => EntryKind::CloseDate,
                _ => EntryKind::FollowUp,
            },
            id: r.id,
            link: r.link,
            contact_name: r.contact_name,
            company: r.company,
            title: r.title,
            at: r.at,
        })
        .collect();
    Ok(ics::feed(&entries, base_url, Utc::now()))
}
