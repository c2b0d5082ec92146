//! The mail settings row of a workspace.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::SmtpSecurity;
use crate::db::WorkspaceId;
use crate::db::schema::mail_settings;

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
