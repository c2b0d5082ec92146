//! The feed's token (create, rotate, disable; only its hash is stored) and its contents.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ics::{self, Entry, EntryKind};
use super::store;
use crate::db::WorkspaceId;
use crate::error::{AppError, AppResult};

/// Whether you have a calendar feed in this workspace.
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

pub async fn status(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> AppResult<CalendarFeed> {
    let created_at = store::created_at(conn, workspace, user).await?;
    Ok(CalendarFeed {
        active: created_at.is_some(),
        created_at,
    })
}

/// Makes a new token for the member (replacing any old one) and returns it; only its hash is kept.
pub async fn rotate(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
) -> AppResult<(String, DateTime<Utc>)> {
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(Uuid::new_v4().as_bytes());
    bytes.extend_from_slice(Uuid::new_v4().as_bytes());
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    store::replace(conn, workspace, user, &hash(&token), now).await?;
    Ok((token, now))
}

/// Hands the workspace's calendar link from before accounts to its first owner, so calendars
/// subscribed to it keep working after the upgrade.
pub async fn adopt_link_from_before_accounts(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    owner: Uuid,
) -> AppResult<bool> {
    Ok(store::adopt_handover(conn, workspace, owner).await?)
}

pub async fn disable(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> AppResult<()> {
    store::delete(conn, workspace, user).await?;
    Ok(())
}

/// The feed for a token, or 404 for a token that is unknown, was replaced, or whose member left.
pub async fn feed(conn: &mut AsyncPgConnection, token: &str, base_url: &str) -> AppResult<String> {
    let (workspace, user) = store::owner_of(conn, &hash(token)).await?.ok_or_else(|| {
        AppError::not_found("the calendar feed")
            .with_detail("no calendar feed has this address; it may have been replaced")
    })?;
    let entries = entries(conn, workspace, Some(user), false).await?;
    Ok(ics::feed(&entries, base_url, Utc::now()))
}

/// What a calendar shows: `user`'s (or everyone's) follow-ups, open reminders and expected close
/// dates, near today or (`every_date`) all of them.
pub async fn entries(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Option<Uuid>,
    every_date: bool,
) -> AppResult<Vec<Entry>> {
    Ok(store::entries(conn, workspace, user, every_date)
        .await?
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
        .collect())
}
