//! The mail settings row of a workspace.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::SmtpSecurity;
use crate::db::WorkspaceId;
use crate::db::schema::{digest_subscriptions, mail_settings};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mail_settings, check_for_backend(Pg))]
pub struct MailSettingsRow {
    pub workspace_id: WorkspaceId,
    pub host: String,
    pub port: i32,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    /// Sealed with SECRETS_KEY, bound to the workspace's id.
    pub password: Option<Vec<u8>>,
    pub from_address: String,
    pub from_name: Option<String>,
    pub reply_to: Option<String>,
    pub daily_limit: i32,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

pub async fn find(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Option<MailSettingsRow>> {
    mail_settings::table
        .filter(mail_settings::workspace_id.eq(workspace))
        .select(MailSettingsRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The row, locked until the transaction ends (a change checks its version against it).
pub async fn lock(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Option<MailSettingsRow>> {
    mail_settings::table
        .filter(mail_settings::workspace_id.eq(workspace))
        .select(MailSettingsRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Writes the settings: a new row at version 1, or the next version of the existing one.
pub async fn upsert(conn: &mut AsyncPgConnection, row: &MailSettingsRow) -> QueryResult<MailSettingsRow> {
    diesel::insert_into(mail_settings::table)
        .values(row)
        .on_conflict(mail_settings::workspace_id)
        .do_update()
        .set((
            mail_settings::host.eq(excluded(mail_settings::host)),
            mail_settings::port.eq(excluded(mail_settings::port)),
            mail_settings::security.eq(excluded(mail_settings::security)),
            mail_settings::username.eq(excluded(mail_settings::username)),
            mail_settings::password.eq(excluded(mail_settings::password)),
            mail_settings::from_address.eq(excluded(mail_settings::from_address)),
            mail_settings::from_name.eq(excluded(mail_settings::from_name)),
            mail_settings::reply_to.eq(excluded(mail_settings::reply_to)),
            mail_settings::daily_limit.eq(excluded(mail_settings::daily_limit)),
            mail_settings::updated_by.eq(excluded(mail_settings::updated_by)),
            mail_settings::updated_at.eq(excluded(mail_settings::updated_at)),
            mail_settings::version.eq(mail_settings::version + 1),
        ))
        .returning(MailSettingsRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn delete(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<usize> {
    diesel::delete(mail_settings::table.filter(mail_settings::workspace_id.eq(workspace)))
        .execute(conn)
        .await
}

// --- Daily digests ------------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = digest_subscriptions, check_for_backend(Pg))]
pub struct DigestRow {
    pub workspace_id: WorkspaceId,
    pub user_id: Uuid,
    pub hour: i16,
    pub time_zone: String,
    pub last_sent_on: Option<chrono::NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn digest(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
) -> QueryResult<Option<DigestRow>> {
    digest_subscriptions::table
        .filter(digest_subscriptions::workspace_id.eq(workspace))
        .filter(digest_subscriptions::user_id.eq(user))
        .select(DigestRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Subscribes (or changes the hour and time zone of) a member of the workspace.
pub async fn put_digest(conn: &mut AsyncPgConnection, row: &DigestRow) -> QueryResult<DigestRow> {
    diesel::insert_into(digest_subscriptions::table)
        .values(row)
        .on_conflict((digest_subscriptions::workspace_id, digest_subscriptions::user_id))
        .do_update()
        .set((
            digest_subscriptions::hour.eq(excluded(digest_subscriptions::hour)),
            digest_subscriptions::time_zone.eq(excluded(digest_subscriptions::time_zone)),
            digest_subscriptions::updated_at.eq(excluded(digest_subscriptions::updated_at)),
        ))
        .returning(DigestRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn delete_digest(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> QueryResult<usize> {
    diesel::delete(
        digest_subscriptions::table
            .filter(digest_subscriptions::workspace_id.eq(workspace))
            .filter(digest_subscriptions::user_id.eq(user)),
    )
    .execute(conn)
    .await
}

/// A digest to send now, and the member's local date.
#[derive(Debug, QueryableByName)]
pub struct DueDigest {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub workspace_id: WorkspaceId,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub user_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Date)]
    pub local_date: chrono::NaiveDate,
}

/// Subscriptions, in every workspace with a mail server, whose hour has come today (in their
/// time zone) and that got nothing yet today; each locked for this transaction (`SKIP LOCKED`:
/// another instance takes the others).
pub async fn due_digests(conn: &mut AsyncPgConnection, now: DateTime<Utc>, limit: i64) -> QueryResult<Vec<DueDigest>> {
    diesel::sql_query(
        "SELECT d.workspace_id, d.user_id, ($1 AT TIME ZONE d.time_zone)::date AS local_date \
         FROM digest_subscriptions d JOIN mail_settings m ON m.workspace_id = d.workspace_id \
         WHERE extract(hour FROM ($1 AT TIME ZONE d.time_zone)) >= d.hour \
           AND (d.last_sent_on IS NULL OR d.last_sent_on < ($1 AT TIME ZONE d.time_zone)::date) \
         ORDER BY d.workspace_id, d.user_id LIMIT $2 FOR UPDATE OF d SKIP LOCKED",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(now)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await
}

/// Notes the local date a member's digest was handled on.
pub async fn digest_sent(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
    on: chrono::NaiveDate,
) -> QueryResult<usize> {
    diesel::update(
        digest_subscriptions::table
            .filter(digest_subscriptions::workspace_id.eq(workspace))
            .filter(digest_subscriptions::user_id.eq(user)),
    )
    .set(digest_subscriptions::last_sent_on.eq(Some(on)))
    .execute(conn)
    .await
}
