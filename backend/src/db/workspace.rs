//! The workspace a query is scoped to.

use std::fmt;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Uuid as SqlUuid;
use uuid::Uuid;

/// A workspace id that came from a credential (the signed-in member's current workspace, a
/// token's workspace), from a membership check, or from a row of a table that belongs to one.
///
/// Every store function that reads or writes workspace-owned rows takes one of these instead of
/// a bare [`Uuid`], so an id taken from a path, a query string or a body cannot scope a query by
/// mistake: it does not type-check. The only way to make one from a bare id is
/// [`WorkspaceId::checked`], whose callers are few and say why the id is trustworthy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, AsExpression, FromSqlRow)]
#[diesel(sql_type = SqlUuid)]
pub struct WorkspaceId(Uuid);

impl WorkspaceId {
    /// Wraps an id that has been checked: authentication's membership lookup, a workspace just
    /// created, the built-in default workspace, or a command-line operator's choice.
    pub const fn checked(id: Uuid) -> Self {
        Self(id)
    }

    pub const fn uuid(self) -> Uuid {
        self.0
    }
}

impl fmt::Display for WorkspaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl serde::Serialize for WorkspaceId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl ToSql<SqlUuid, Pg> for WorkspaceId {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <Uuid as ToSql<SqlUuid, Pg>>::to_sql(&self.0, out)
    }
}

impl FromSql<SqlUuid, Pg> for WorkspaceId {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        <Uuid as FromSql<SqlUuid, Pg>>::from_sql(value).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Store functions that do not take a [`super::WorkspaceId`], and why that is right: they
    /// work on what belongs to a user rather than a workspace, find a workspace from a secret, or
    /// write a row that carries its own `WorkspaceId`.
    const NOT_WORKSPACE_SCOPED: &[(&str, &str)] = &[
        // The daily purge looks across workspaces, then purges workspace by workspace.
        // Reminders whose time came are announced in every workspace at once; each history
        // entry is written with its reminder's own workspace.
        ("reminders", "announce_due"),
        // Daily digests due now are found in every workspace; each is then sent and marked with
        // its own workspace.
        ("mail", "due_digests"),
        ("trash", "expired"),
        // Which words of a list's query are rare: read from the table's statistics
        // (`pg_stats`), which hold no rows; the list itself is then read with the workspace.
        ("search", "list_index_words"),
        // A bulk write's index upkeep: a setting of the transaction, and the merge of a table's
        // index pending lists, which hold entries of every workspace.
        ("search", "defer_index_merges"),
        ("search", "merge_pending"),
        // A form's public page and submissions know only the form's id; everything after uses
        // the form's workspace.
        ("forms", "find_public"),
        // An unsubscribe link names its enrollment only; its signature is checked with the
        // enrollment's sequence (of the enrollment's workspace) before anything is done.
        ("sequences", "find_enrollment_public"),
        // The sequence sender claims due steps in every workspace, one at a time; each is then
        // sent with its own workspace.
        ("sequences", "claim_due"),
        // The outbox is read across workspaces, by one reader at a time; each entry names its
        // workspace, and deliveries are written with it.
        ("webhooks", "lock_cursor"),
        ("webhooks", "advance_cursor"),
        // Where the live event hub starts reading: the outbox's last readable entry, of any
        // workspace (each stream then keeps its own workspace's events).
        ("webhooks", "outbox_head"),
        // Whether the dispatcher has any webhook to dispatch to, in any workspace.
        ("webhooks", "any_enabled"),
        // The delivery log's 30 days, for every workspace.
        ("webhooks", "purge_deliveries"),
        // The kept totals' changes (contacts due per day, deals per stage and per day, revenue per
        // month) are folded into the totals for every workspace in one statement, and the rows
        // no record counts in any more removed; each row keeps its own workspace's key.
        ("contacts", "fold_follow_up_days"),
        ("contacts", "drop_empty_follow_up_days"),
        ("deals", "fold_stage_totals"),
        ("deals", "drop_empty_stage_totals"),
        ("deals", "fold_day_totals"),
        ("deals", "drop_empty_day_totals"),
        ("payments", "fold_revenue_totals"),
        ("payments", "drop_empty_revenue_totals"),
        ("merges", "forget_undo_data"),
        ("bulk", "purge_batches"),
        ("accounts", "count_users"),
        ("accounts", "find_user"),
        ("accounts", "find_user_by_email"),
        ("accounts", "update_user"),
        ("accounts", "set_password"),
        ("accounts", "touch_sign_in"),
        ("accounts", "memberships_of"),
        ("accounts", "insert_user"),
        ("accounts", "insert_session"),
        ("accounts", "session_principal"),
        ("accounts", "touch_session"),
        ("accounts", "delete_session"),
        ("accounts", "delete_session_by_hash"),
        ("accounts", "delete_sessions_of"),
        ("accounts", "purge_sessions"),
        ("accounts", "token_principal"),
        ("accounts", "touch_token"),
        ("accounts", "insert_token"),
        ("accounts", "insert_invitation"),
        ("accounts", "invitation_by_hash"),
        ("accounts", "accept_invitation"),
        ("accounts", "failure_counts"),
        ("accounts", "record_failure"),
        ("accounts", "clear_failures"),
        ("accounts", "purge_failures"),
        ("accounts", "replace_setup_code"),
        ("accounts", "take_setup_code"),
        ("accounts", "take_all_setup_codes"),
        ("accounts", "insert_reset"),
        ("accounts", "reset_by_hash"),
        ("accounts", "use_reset"),
        ("accounts", "insert_event"),
        // A connection's subscription to credential-change notices, for every workspace.
        ("accounts", "listen_for_credential_changes"),
        // The answer cache: keys are hashes over a request that names its workspace.
        ("ai", "add_hits"),
        ("ai", "claim"),
        ("ai", "save_answer"),
        ("calendar", "owner_of"),
        // The job queue: workers take due jobs of every workspace (and of none: backups); each
        // job carries its workspace, and a workspace reads its own through `find`.
        // Files and exports whose time ran out, in every workspace (the hourly purge).
        ("files", "purge_expired"),
        ("exports", "expire"),
        // Reads the table's column list (information_schema), not records.
        ("exports", "columns"),
        // Sets the open transaction's isolation; reads nothing.
        ("exports", "snapshot"),
        ("jobs", "enqueue"),
        ("jobs", "enqueue_all"),
        ("jobs", "postpone"),
        ("jobs", "claim"),
        ("jobs", "claim_many"),
        ("jobs", "heartbeat"),
        ("jobs", "succeed"),
        ("jobs", "succeed_many"),
        ("jobs", "fail"),
        ("jobs", "find_system"),
        ("jobs", "recent_system"),
        ("jobs", "purge_finished"),
        ("settings", "time_zone_names"),
    ];

    fn store_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                store_files(&path, out);
            } else if path.file_name().is_some_and(|n| n == "store.rs") {
                out.push(path);
            }
        }
    }

    /// The structs of a store whose `workspace_id` (or `workspace`) field is a `WorkspaceId`.
    fn rows_with_a_workspace(text: &str) -> Vec<String> {
        let mut rows = Vec::new();
        for (start, _) in text.match_indices("pub struct ") {
            let rest = &text[start + "pub struct ".len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let body = &rest[..rest.find('}').unwrap_or(rest.len())];
            if body.contains("workspace_id: WorkspaceId") || body.contains("workspace: WorkspaceId") {
                rows.push(name);
            }
        }
        rows
    }

    #[test]
    fn every_store_function_is_scoped_to_a_workspace() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        store_files(&src, &mut files);
        assert!(files.len() > 15, "the stores were not found under {}", src.display());
        let mut unscoped = Vec::new();
        for file in files {
            let domain = file
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&file).unwrap();
            let scoped_rows = rows_with_a_workspace(&text);
            for (start, _) in text.match_indices("pub async fn ") {
                let rest = &text[start + "pub async fn ".len()..];
                let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                // The signature up to its return type.
                let signature = &rest[..rest.find("->").unwrap_or(rest.len())];
                // A row written whole carries its workspace in a `WorkspaceId` field.
                let takes_row = scoped_rows
                    .iter()
                    .any(|row| signature.contains(&format!("&{row}")) || signature.contains(&format!("&[{row}]")));
                if !signature.contains("WorkspaceId")
                    && !takes_row
                    && !NOT_WORKSPACE_SCOPED.contains(&(domain.as_str(), name.as_str()))
                {
                    unscoped.push(format!("{domain}::store::{name}"));
                }
            }
        }
        assert!(
            unscoped.is_empty(),
            "these store functions take no WorkspaceId (scope them, or say why not in NOT_WORKSPACE_SCOPED): {unscoped:?}"
        );
    }
}
