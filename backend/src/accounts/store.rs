//! Rows and SQL of accounts: users, workspaces and memberships, sessions, API tokens,
//! invitations, the security log, failed sign-ins and the setup code.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::dto::{Locale, Role, TokenScope};
use crate::db::WorkspaceId;
use crate::db::schema::{
    api_tokens, invitations, memberships, password_resets, security_events, sessions, setup_codes, sign_in_failures,
    users, workspaces,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, check_for_backend(Pg))]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub locale: Option<Locale>,
}

pub async fn count_users(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    users::table.count().get_result(conn).await
}

pub async fn find_user(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find_user_by_email(conn: &mut AsyncPgConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn insert_user(conn: &mut AsyncPgConnection, row: &UserRow) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values(row)
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

/// Changes a user's name and/or language (`Some(None)`: follow the browser).
pub async fn update_user(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    name: Option<&str>,
    locale: Option<Option<Locale>>,
    now: DateTime<Utc>,
) -> QueryResult<UserRow> {
    #[derive(AsChangeset)]
    #[diesel(table_name = users)]
    struct Change<'a> {
        display_name: Option<&'a str>,
        locale: Option<Option<Locale>>,
        updated_at: DateTime<Utc>,
    }
    let change = Change {
        display_name: name,
        locale,
        updated_at: now,
    };
    diesel::update(users::table.find(id))
        .set((change, users::version.eq(users::version + 1)))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

pub async fn set_password(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    hash: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::updated_at.eq(now),
            users::version.eq(users::version + 1),
        ))
        .execute(conn)
        .await
}

pub async fn touch_sign_in(conn: &mut AsyncPgConnection, id: Uuid, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::last_sign_in_at.eq(now))
        .execute(conn)
        .await
}

// --- workspaces and memberships ---

/// The user's workspaces with their role, in the order they joined.
pub async fn memberships_of(conn: &mut AsyncPgConnection, user: Uuid) -> QueryResult<Vec<(Uuid, String, Role)>> {
    memberships::table
        .inner_join(workspaces::table)
        .filter(memberships::user_id.eq(user))
        .order((memberships::created_at, memberships::workspace_id))
        .select((workspaces::id, workspaces::name, memberships::role))
        .load::<(Uuid, String, String)>(conn)
        .await
        .map(|rows| {
            rows.into_iter()
                .filter_map(|(id, name, role)| role.parse().ok().map(|r| (id, name, r)))
                .collect()
        })
}

pub async fn role_of(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> QueryResult<Option<Role>> {
    let role: Option<String> = memberships::table
        .find((workspace, user))
        .select(memberships::role)
        .first(conn)
        .await
        .optional()?;
    Ok(role.and_then(|r| r.parse().ok()))
}

pub async fn insert_workspace(
    conn: &mut AsyncPgConnection,
    id: WorkspaceId,
    name: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(workspaces::table)
        .values((
            workspaces::id.eq(id),
            workspaces::name.eq(name),
            workspaces::created_at.eq(now),
            workspaces::updated_at.eq(now),
        ))
        .execute(conn)
        .await
}

/// Gives a new workspace the starter pipelines and templates.
pub async fn seed_workspace(conn: &mut AsyncPgConnection, id: WorkspaceId) -> QueryResult<usize> {
    diesel::sql_query("SELECT seed_workspace($1)")
        .bind::<diesel::sql_types::Uuid, _>(id)
        .execute(conn)
        .await
}

pub async fn rename_workspace(
    conn: &mut AsyncPgConnection,
    id: WorkspaceId,
    name: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(workspaces::table.find(id))
        .set((workspaces::name.eq(name), workspaces::updated_at.eq(now)))
        .execute(conn)
        .await
}

pub async fn insert_membership(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
    role: Role,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::workspace_id.eq(workspace),
            memberships::user_id.eq(user),
            memberships::role.eq(role.as_str()),
            memberships::created_at.eq(now),
            memberships::updated_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

#[derive(Debug, Clone, Queryable)]
pub struct MemberRow {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub joined_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

pub async fn members(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Vec<MemberRow>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::workspace_id.eq(workspace))
        .order((users::display_name, users::id))
        .select((
            users::id,
            users::email,
            users::display_name,
            memberships::role,
            memberships::created_at,
            users::last_sign_in_at,
        ))
        .load(conn)
        .await
}

pub async fn member(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
) -> QueryResult<Option<MemberRow>> {
    memberships::table
        .inner_join(users::table)
        .filter(
            memberships::workspace_id
                .eq(workspace)
                .and(memberships::user_id.eq(user)),
        )
        .select((
            users::id,
            users::email,
            users::display_name,
            memberships::role,
            memberships::created_at,
            users::last_sign_in_at,
        ))
        .first(conn)
        .await
        .optional()
}

/// The workspace's owners, locked until the transaction ends (so two changes cannot both
/// remove "the other" last owner).
pub async fn lock_owners(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Vec<Uuid>> {
    memberships::table
        .filter(
            memberships::workspace_id
                .eq(workspace)
                .and(memberships::role.eq(Role::Owner.as_str())),
        )
        .select(memberships::user_id)
        .for_update()
        .load(conn)
        .await
}

pub async fn set_role(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
    role: Role,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(memberships::table.find((workspace, user)))
        .set((memberships::role.eq(role.as_str()), memberships::updated_at.eq(now)))
        .execute(conn)
        .await
}

/// Removes the membership (its API tokens go with it).
pub async fn delete_membership(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> QueryResult<usize> {
    diesel::delete(memberships::table.find((workspace, user)))
        .execute(conn)
        .await
}

pub async fn workspace_name(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> QueryResult<Option<String>> {
    workspaces::table
        .find(workspace)
        .select(workspaces::name)
        .first(conn)
        .await
        .optional()
}

// --- sessions ---

pub struct NewSession<'a> {
    pub id: Uuid,
    pub token_hash: Vec<u8>,
    pub user_id: Uuid,
    pub workspace_id: Option<WorkspaceId>,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<&'a str>,
    pub client_ip: &'a str,
}

pub async fn insert_session(conn: &mut AsyncPgConnection, s: &NewSession<'_>) -> QueryResult<usize> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(s.id),
            sessions::token_hash.eq(&s.token_hash),
            sessions::user_id.eq(s.user_id),
            sessions::workspace_id.eq(s.workspace_id),
            sessions::created_at.eq(s.now),
            sessions::last_seen_at.eq(s.now),
            sessions::expires_at.eq(s.expires_at),
            sessions::user_agent.eq(s.user_agent),
            sessions::client_ip.eq(s.client_ip),
        ))
        .execute(conn)
        .await
}

/// What a credential stands for: its user, its workspace and the user's role there.
#[derive(Debug, Clone, Queryable)]
pub struct SessionPrincipal {
    pub id: Uuid,
    pub user_id: Uuid,
    pub workspace_id: Option<WorkspaceId>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub display_name: String,
    pub role: Option<String>,
}

/// The session with this token hash, with its user and the user's role in its workspace: one
/// indexed lookup.
pub async fn session_principal(conn: &mut AsyncPgConnection, hash: &[u8]) -> QueryResult<Option<SessionPrincipal>> {
    sessions::table
        .inner_join(users::table)
        .left_join(
            memberships::table.on(memberships::workspace_id
                .nullable()
                .eq(sessions::workspace_id)
                .and(memberships::user_id.eq(sessions::user_id))),
        )
        .filter(sessions::token_hash.eq(hash))
        .select((
            sessions::id,
            sessions::user_id,
            sessions::workspace_id,
            sessions::expires_at,
            sessions::last_seen_at,
            users::display_name,
            memberships::role.nullable(),
        ))
        .first(conn)
        .await
        .optional()
}

pub async fn touch_session(conn: &mut AsyncPgConnection, id: Uuid, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_seen_at.eq(now))
        .execute(conn)
        .await
}

pub async fn set_session_workspace(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    workspace: WorkspaceId,
) -> QueryResult<usize> {
    diesel::update(sessions::table.find(id))
        .set(sessions::workspace_id.eq(workspace))
        .execute(conn)
        .await
}

pub async fn delete_session(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(id)).execute(conn).await
}

pub async fn delete_session_by_hash(conn: &mut AsyncPgConnection, hash: &[u8]) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::token_hash.eq(hash)))
        .execute(conn)
        .await
}

/// Ends every session of the user but `keep`.
pub async fn delete_sessions_of(conn: &mut AsyncPgConnection, user: Uuid, keep: Option<Uuid>) -> QueryResult<usize> {
    let keep = keep.unwrap_or(Uuid::nil());
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user).and(sessions::id.ne(keep))))
        .execute(conn)
        .await
}

/// Removes sessions past their absolute expiry or idle since `idle_before`.
pub async fn purge_sessions(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    idle_before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now).or(sessions::last_seen_at.lt(idle_before))))
        .execute(conn)
        .await
}

// --- API tokens ---

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens, check_for_backend(Pg))]
pub struct TokenRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub user_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub token_hash: Vec<u8>,
    pub scope: TokenScope,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn insert_token(conn: &mut AsyncPgConnection, row: &TokenRow) -> QueryResult<TokenRow> {
    diesel::insert_into(api_tokens::table)
        .values(row)
        .returning(TokenRow::as_returning())
        .get_result(conn)
        .await
}

#[derive(Debug, Clone, Queryable)]
pub struct TokenPrincipal {
    pub id: Uuid,
    pub user_id: Uuid,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub scope: TokenScope,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub display_name: String,
    pub role: String,
}

/// The unrevoked token with this hash, with its user's current role in its workspace (none when
/// the user is no longer a member): one indexed lookup.
pub async fn token_principal(conn: &mut AsyncPgConnection, hash: &[u8]) -> QueryResult<Option<TokenPrincipal>> {
    api_tokens::table
        .inner_join(users::table)
        .inner_join(
            memberships::table.on(memberships::workspace_id
                .eq(api_tokens::workspace_id)
                .and(memberships::user_id.eq(api_tokens::user_id))),
        )
        .filter(api_tokens::token_hash.eq(hash).and(api_tokens::revoked_at.is_null()))
        .select((
            api_tokens::id,
            api_tokens::user_id,
            api_tokens::workspace_id,
            api_tokens::name,
            api_tokens::scope,
            api_tokens::expires_at,
            api_tokens::last_used_at,
            users::display_name,
            memberships::role,
        ))
        .first(conn)
        .await
        .optional()
}

pub async fn touch_token(conn: &mut AsyncPgConnection, id: Uuid, now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::last_used_at.eq(now))
        .execute(conn)
        .await
}

/// The user's unrevoked tokens in the workspace, newest first.
pub async fn tokens(conn: &mut AsyncPgConnection, workspace: WorkspaceId, user: Uuid) -> QueryResult<Vec<TokenRow>> {
    api_tokens::table
        .filter(
            api_tokens::workspace_id
                .eq(workspace)
                .and(api_tokens::user_id.eq(user))
                .and(api_tokens::revoked_at.is_null()),
        )
        .order((api_tokens::created_at.desc(), api_tokens::id.desc()))
        .select(TokenRow::as_select())
        .load(conn)
        .await
}

pub async fn revoke_token(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Option<TokenRow>> {
    diesel::update(
        api_tokens::table.filter(
            api_tokens::id
                .eq(id)
                .and(api_tokens::workspace_id.eq(workspace))
                .and(api_tokens::user_id.eq(user))
                .and(api_tokens::revoked_at.is_null()),
        ),
    )
    .set(api_tokens::revoked_at.eq(now))
    .returning(TokenRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Revokes every token the user holds in the workspace (a role was lowered).
pub async fn revoke_tokens_of(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table.filter(
            api_tokens::workspace_id
                .eq(workspace)
                .and(api_tokens::user_id.eq(user))
                .and(api_tokens::revoked_at.is_null()),
        ),
    )
    .set(api_tokens::revoked_at.eq(now))
    .execute(conn)
    .await
}

// --- invitations ---

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations, check_for_backend(Pg))]
pub struct InvitationRow {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub email: String,
    pub role: Role,
    pub token_hash: Vec<u8>,
    pub invited_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub accepted_by: Option<Uuid>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn insert_invitation(conn: &mut AsyncPgConnection, row: &InvitationRow) -> QueryResult<InvitationRow> {
    diesel::insert_into(invitations::table)
        .values(row)
        .returning(InvitationRow::as_returning())
        .get_result(conn)
        .await
}

/// Pending (not accepted, revoked or expired) invitations of the workspace, newest first, with
/// the inviter's name.
pub async fn pending_invitations(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    now: DateTime<Utc>,
) -> QueryResult<Vec<(InvitationRow, Option<String>)>> {
    invitations::table
        .left_join(users::table.on(users::id.nullable().eq(invitations::invited_by)))
        .filter(
            invitations::workspace_id
                .eq(workspace)
                .and(invitations::accepted_at.is_null())
                .and(invitations::revoked_at.is_null())
                .and(invitations::expires_at.gt(now)),
        )
        .order((invitations::created_at.desc(), invitations::id.desc()))
        .select((InvitationRow::as_select(), users::display_name.nullable()))
        .load(conn)
        .await
}

/// The invitation with this token hash, its workspace's name and the inviter's name.
pub async fn invitation_by_hash(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> QueryResult<Option<(InvitationRow, String, Option<String>)>> {
    invitations::table
        .inner_join(workspaces::table)
        .left_join(users::table.on(users::id.nullable().eq(invitations::invited_by)))
        .filter(invitations::token_hash.eq(hash))
        .select((
            InvitationRow::as_select(),
            workspaces::name,
            users::display_name.nullable(),
        ))
        .first(conn)
        .await
        .optional()
}

/// Marks a pending invitation accepted; false when it was used, revoked or expired meanwhile.
pub async fn accept_invitation(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    user: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(
        invitations::table.filter(
            invitations::id
                .eq(id)
                .and(invitations::accepted_at.is_null())
                .and(invitations::revoked_at.is_null())
                .and(invitations::expires_at.gt(now)),
        ),
    )
    .set((invitations::accepted_at.eq(now), invitations::accepted_by.eq(user)))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

pub async fn revoke_invitation(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<Option<InvitationRow>> {
    diesel::update(
        invitations::table.filter(
            invitations::id
                .eq(id)
                .and(invitations::workspace_id.eq(workspace))
                .and(invitations::accepted_at.is_null())
                .and(invitations::revoked_at.is_null()),
        ),
    )
    .set(invitations::revoked_at.eq(now))
    .returning(InvitationRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

// --- the security log ---

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = security_events, check_for_backend(Pg))]
pub struct EventRow {
    pub id: Uuid,
    pub workspace_id: Option<WorkspaceId>,
    pub user_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub kind: String,
    pub email: Option<String>,
    pub client_ip: Option<String>,
    pub detail: String,
    pub occurred_at: DateTime<Utc>,
}

pub async fn insert_event(conn: &mut AsyncPgConnection, row: &EventRow) -> QueryResult<usize> {
    diesel::insert_into(security_events::table)
        .values(row)
        .execute(conn)
        .await
}

/// The workspace's security log, newest first, before the entry `before`: its own entries plus
/// sign-ins (and failed ones) of its current members.
pub async fn events(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<EventRow>> {
    let members = memberships::table
        .filter(memberships::workspace_id.eq(workspace))
        .select(memberships::user_id.nullable());
    let mut query = security_events::table
        .filter(
            security_events::workspace_id
                .eq(workspace)
                .or(security_events::workspace_id
                    .is_null()
                    .and(security_events::user_id.eq_any(members))),
        )
        .order(security_events::id.desc())
        .limit(limit)
        .select(EventRow::as_select())
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(security_events::id.lt(before));
    }
    query.load(conn).await
}

// --- failed sign-ins ---

/// Failed sign-ins since a moment: from the address, for the email from the address, for the
/// email from anywhere; and when the oldest of the first two happened.
#[derive(Debug, Clone, Default, QueryableByName)]
pub struct FailureCounts {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub by_ip: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub by_pair: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub by_email: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub oldest_ip: Option<DateTime<Utc>>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub oldest_pair: Option<DateTime<Utc>>,
}

pub async fn failure_counts(
    conn: &mut AsyncPgConnection,
    ip: &str,
    email: &str,
    since: DateTime<Utc>,
) -> QueryResult<FailureCounts> {
    use diesel::sql_types::{Text, Timestamptz};
    diesel::sql_query(
        "SELECT count(*) FILTER (WHERE client_ip = $1) AS by_ip, \
                count(*) FILTER (WHERE client_ip = $1 AND email = $2) AS by_pair, \
                count(*) FILTER (WHERE email = $2) AS by_email, \
                min(occurred_at) FILTER (WHERE client_ip = $1) AS oldest_ip, \
                min(occurred_at) FILTER (WHERE client_ip = $1 AND email = $2) AS oldest_pair \
         FROM sign_in_failures WHERE occurred_at > $3 AND (client_ip = $1 OR email = $2)",
    )
    .bind::<Text, _>(ip)
    .bind::<Text, _>(email)
    .bind::<Timestamptz, _>(since)
    .get_result(conn)
    .await
}

pub async fn record_failure(
    conn: &mut AsyncPgConnection,
    ip: &str,
    email: &str,
    now: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::id.eq(Uuid::now_v7()),
            sign_in_failures::client_ip.eq(ip),
            sign_in_failures::email.eq(email),
            sign_in_failures::occurred_at.eq(now),
        ))
        .execute(conn)
        .await
}

/// Forgets the failures of this email from this address (after it signed in).
pub async fn clear_failures(conn: &mut AsyncPgConnection, ip: &str, email: &str) -> QueryResult<usize> {
    diesel::delete(
        sign_in_failures::table.filter(
            sign_in_failures::client_ip
                .eq(ip)
                .and(sign_in_failures::email.eq(email)),
        ),
    )
    .execute(conn)
    .await
}

pub async fn purge_failures(conn: &mut AsyncPgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::occurred_at.lt(before)))
        .execute(conn)
        .await
}

// --- the setup code ---

/// Replaces any earlier setup code with this one.
pub async fn replace_setup_code(conn: &mut AsyncPgConnection, hash: &[u8], now: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(setup_codes::table).execute(conn).await?;
    diesel::insert_into(setup_codes::table)
        .values((setup_codes::code_hash.eq(hash), setup_codes::created_at.eq(now)))
        .execute(conn)
        .await
}

/// Uses up the setup code: true when it matched (and is now gone).
pub async fn take_setup_code(conn: &mut AsyncPgConnection, hash: &[u8]) -> QueryResult<bool> {
    diesel::delete(setup_codes::table.filter(setup_codes::code_hash.eq(hash)))
        .execute(conn)
        .await
        .map(|n| n == 1)
}

/// Forgets any setup code (an account now exists).
pub async fn take_all_setup_codes(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::delete(setup_codes::table).execute(conn).await
}

// --- password reset links ---

pub async fn insert_reset(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    token_hash: &[u8],
    created_by: Uuid,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::id.eq(Uuid::now_v7()),
            password_resets::user_id.eq(user),
            password_resets::token_hash.eq(token_hash),
            password_resets::created_by.eq(created_by),
            password_resets::created_at.eq(now),
            password_resets::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await
}

/// A reset link: its id, user, expiry and use, and the user's email.
pub type ResetRow = (Uuid, Uuid, DateTime<Utc>, Option<DateTime<Utc>>, String);

pub async fn reset_by_hash(conn: &mut AsyncPgConnection, token_hash: &[u8]) -> QueryResult<Option<ResetRow>> {
    password_resets::table
        .inner_join(users::table.on(users::id.eq(password_resets::user_id)))
        .filter(password_resets::token_hash.eq(token_hash))
        .select((
            password_resets::id,
            password_resets::user_id,
            password_resets::expires_at,
            password_resets::used_at,
            users::email,
        ))
        .first(conn)
        .await
        .optional()
}

/// Marks the link used; false when it was used or expired meanwhile.
pub async fn use_reset(conn: &mut AsyncPgConnection, id: Uuid, now: DateTime<Utc>) -> QueryResult<bool> {
    diesel::update(
        password_resets::table.filter(
            password_resets::id
                .eq(id)
                .and(password_resets::used_at.is_null())
                .and(password_resets::expires_at.gt(now)),
        ),
    )
    .set(password_resets::used_at.eq(now))
    .execute(conn)
    .await
    .map(|n| n == 1)
}

/// Subscribes this connection to the credential-change notices (see
/// [`super::credentials::CHANNEL`]).
pub async fn listen_for_credential_changes(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query(format!("LISTEN {}", super::credentials::CHANNEL))
        .execute(conn)
        .await
}
