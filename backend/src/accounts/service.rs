//! The rules of accounts: who a credential stands for, signing in and up, workspaces, roles and
//! their limits, API tokens, invitations and the security log.

use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::credentials::Cached;
use super::dto::{
    AcceptInvitation, ApiToken, ChangePassword, CreateApiToken, CreateInvitation, CreatedApiToken, CredentialKind,
    Invitation, InvitationPreview, Login, Me, Member, PasswordResetLink, PasswordResetPreview, Role, SecurityEvent,
    SecurityEventPage, Signup, TokenScope, UpdateMe, User, WorkspaceMembership,
};
use super::store::{
    self, EventRow, InvitationRow, MemberRow, NewSession, SessionPrincipal, TokenPrincipal, TokenRow, UserRow,
};
use super::{password, secret};
use crate::db::DEFAULT_WORKSPACE;
use crate::db::WorkspaceId;
use crate::db::cursor::Cursor;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A session ends after this long without a request…
pub const SESSION_IDLE: Duration = Duration::days(14);
/// …and after this long in any case.
pub const SESSION_LIFETIME: Duration = Duration::days(30);
/// `last_seen_at` / `last_used_at` are written at most this often per credential.
pub const TOUCH_EVERY: Duration = Duration::seconds(60);
pub const INVITATION_LIFETIME: Duration = Duration::days(7);
pub const RESET_LIFETIME: Duration = Duration::hours(24);
/// Failed sign-ins are counted over this window.
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);
/// Failed sign-ins from one address (any email) before it is refused for the window.
pub const MAX_FAILURES_PER_IP: i64 = 30;
/// Failed sign-ins for one email from one address before that pair is refused.
pub const MAX_FAILURES_PER_PAIR: i64 = 5;
/// Failed sign-ins for one email (from anywhere) after which each answer is slowed down.
pub const SLOW_DOWN_AFTER: i64 = 10;

/// Who is asking, as far as sign-in limits and the security log care.
#[derive(Debug, Clone)]
pub struct Client {
    pub ip: String,
    pub user_agent: Option<String>,
}

/// The credential a request came with.
#[derive(Debug, Clone)]
pub enum Credential {
    Session { id: Uuid },
    Token { id: Uuid, name: String, scope: TokenScope },
}

/// Who a valid credential stands for: the user, the workspace it works in, and the user's role
/// there (none when the user is not, or no longer, a member of it).
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: Uuid,
    pub user_name: String,
    pub workspace_id: Option<WorkspaceId>,
    pub role: Option<Role>,
    pub credential: Credential,
}

impl Principal {
    pub fn kind(&self) -> CredentialKind {
        match self.credential {
            Credential::Session { .. } => CredentialKind::Session,
            Credential::Token { .. } => CredentialKind::Token,
        }
    }

    pub fn session_id(&self) -> Option<Uuid> {
        match self.credential {
            Credential::Session { id } => Some(id),
            Credential::Token { .. } => None,
        }
    }

    /// The workspace and role, or 403 when the credential has none.
    pub fn membership(&self) -> AppResult<(WorkspaceId, Role)> {
        match (self.workspace_id, self.role) {
            // The lookup joined the credential's workspace with the user's membership there.
            (Some(ws), Some(role)) => Ok((ws, role)),
            _ => Err(AppError::refused(
                "no_workspace",
                "you are not a member of a workspace: create one or switch to one of yours",
            )),
        }
    }
}

/// A write that a credential is due (its last-use time), done off the request.
#[derive(Debug, Clone, Copy)]
pub enum Touch {
    Session(Uuid),
    Token(Uuid),
}

fn invalid_credentials() -> AppError {
    AppError::unauthorized(
        "invalid_credentials",
        "the session or API token is not valid (it may have been revoked, or you were signed out); sign in again",
    )
}

/// The principal of an API token (`rpt_…`): from this instance's credential cache, or one
/// indexed lookup.
pub async fn authenticate_token(
    state: &AppState,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<(Principal, Option<Touch>)> {
    let hash = secret::hash(token);
    let expired = |row: &TokenPrincipal| row.expires_at.is_some_and(|at| at <= now);
    let row = match state.credentials.get(&hash) {
        Some(Cached::Token(row)) if !expired(&row) => row,
        _ => {
            let generation = state.credentials.generation();
            let mut conn = state.conn().await?;
            let row = store::token_principal(&mut conn, &hash)
                .await?
                .ok_or_else(invalid_credentials)?;
            state
                .credentials
                .put(hash.clone(), Cached::Token(row.clone()), generation);
            row
        }
    };
    if expired(&row) {
        state.credentials.forget(&hash);
        return Err(AppError::unauthorized(
            "token_expired",
            "this API token has expired; create a new one under Account → API tokens",
        ));
    }
    let touch = due(row.last_used_at, now).then_some(Touch::Token(row.id));
    if touch.is_some() {
        state.credentials.touched(&hash, now);
    }
    Ok((
        Principal {
            user_id: row.user_id,
            user_name: row.display_name,
            workspace_id: Some(row.workspace_id),
            role: row.role.parse().ok(),
            credential: Credential::Token {
                id: row.id,
                name: row.name,
                scope: row.scope,
            },
        },
        touch,
    ))
}

/// The principal of a session cookie: from this instance's credential cache, or one indexed
/// lookup. A session that looks idle here is looked up again (another instance may have seen
/// it since).
pub async fn authenticate_session(
    state: &AppState,
    cookie: &str,
    now: DateTime<Utc>,
) -> AppResult<(Principal, Option<Touch>)> {
    let hash = secret::hash(cookie);
    let expired = |row: &SessionPrincipal| row.expires_at <= now || row.last_seen_at + SESSION_IDLE <= now;
    let row = match state.credentials.get(&hash) {
        Some(Cached::Session(row)) if !expired(&row) => row,
        _ => {
            let generation = state.credentials.generation();
            let mut conn = state.conn().await?;
            let row = store::session_principal(&mut conn, &hash)
                .await?
                .ok_or_else(invalid_credentials)?;
            state
                .credentials
                .put(hash.clone(), Cached::Session(row.clone()), generation);
            row
        }
    };
    if expired(&row) {
        state.credentials.forget(&hash);
        return Err(AppError::unauthorized(
            "session_expired",
            "your session has expired; sign in again",
        ));
    }
    let touch = due(Some(row.last_seen_at), now).then_some(Touch::Session(row.id));
    if touch.is_some() {
        state.credentials.touched(&hash, now);
    }
    Ok((
        Principal {
            user_id: row.user_id,
            user_name: row.display_name,
            workspace_id: row.workspace_id,
            role: row.role.and_then(|r| r.parse().ok()),
            credential: Credential::Session { id: row.id },
        },
        touch,
    ))
}

fn due(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_none_or(|at| now - at >= TOUCH_EVERY)
}

pub async fn touch(conn: &mut AsyncPgConnection, touch: Touch, now: DateTime<Utc>) -> AppResult<()> {
    match touch {
        Touch::Session(id) => store::touch_session(conn, id, now).await?,
        Touch::Token(id) => store::touch_token(conn, id, now).await?,
    };
    Ok(())
}

/// Expired sessions and old failed sign-ins, removed by the hourly chores.
pub async fn purge(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> AppResult<usize> {
    let sessions = store::purge_sessions(conn, now, now - SESSION_IDLE).await?;
    let failures = store::purge_failures(conn, now - FAILURE_WINDOW).await?;
    Ok(sessions + failures)
}

/// A new session: its cookie value (shown once) and the user's view.
pub struct SignedIn {
    pub me: Me,
    pub cookie: String,
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn user_dto(row: &UserRow) -> User {
    User {
        id: row.id,
        email: row.email.clone(),
        display_name: row.display_name.clone(),
        created_at: row.created_at,
        last_sign_in_at: row.last_sign_in_at,
        locale: row.locale,
    }
}

struct Event<'a> {
    kind: &'a str,
    workspace: Option<WorkspaceId>,
    user: Option<Uuid>,
    actor: Option<Uuid>,
    email: Option<&'a str>,
    ip: Option<&'a str>,
    detail: String,
}

impl<'a> Event<'a> {
    fn new(kind: &'a str) -> Self {
        Event {
            kind,
            workspace: None,
            user: None,
            actor: None,
            email: None,
            ip: None,
            detail: String::new(),
        }
    }
}

async fn record(conn: &mut AsyncPgConnection, e: Event<'_>, now: DateTime<Utc>) -> AppResult<()> {
    store::insert_event(
        conn,
        &EventRow {
            id: Uuid::now_v7(),
            workspace_id: e.workspace,
            user_id: e.user,
            actor_id: e.actor,
            kind: e.kind.to_owned(),
            email: e.email.map(str::to_owned),
            client_ip: e.ip.map(str::to_owned),
            detail: e.detail,
            occurred_at: now,
        },
    )
    .await?;
    Ok(())
}

/// The user, their workspaces, and the credential's workspace and role.
pub async fn me(conn: &mut AsyncPgConnection, p: &Principal) -> AppResult<Me> {
    let user = store::find_user(conn, p.user_id)
        .await?
        .ok_or_else(invalid_credentials)?;
    let workspaces: Vec<WorkspaceMembership> = store::memberships_of(conn, p.user_id)
        .await?
        .into_iter()
        .map(|(id, name, role)| WorkspaceMembership { id, name, role })
        .collect();
    let workspace = p
        .workspace_id
        .and_then(|ws| workspaces.iter().find(|w| w.id == ws.uuid()).cloned());
    Ok(Me {
        user: user_dto(&user),
        workspace,
        workspaces,
        credential: p.kind(),
        token_scope: match &p.credential {
            Credential::Token { scope, .. } => Some(*scope),
            Credential::Session { .. } => None,
        },
    })
}

async fn start_session(
    conn: &mut AsyncPgConnection,
    user: &UserRow,
    workspace: Option<WorkspaceId>,
    client: &Client,
    now: DateTime<Utc>,
) -> AppResult<SignedIn> {
    let cookie = secret::random_secret();
    let id = Uuid::now_v7();
    store::insert_session(
        conn,
        &NewSession {
            id,
            token_hash: secret::hash(&cookie),
            user_id: user.id,
            workspace_id: workspace,
            now,
            expires_at: now + SESSION_LIFETIME,
            user_agent: client.user_agent.as_deref().map(|ua| truncate(ua, 300)),
            client_ip: &client.ip,
        },
    )
    .await?;
    store::touch_sign_in(conn, user.id, now).await?;
    let principal = Principal {
        user_id: user.id,
        user_name: user.display_name.clone(),
        workspace_id: workspace,
        role: None,
        credential: Credential::Session { id },
    };
    Ok(SignedIn {
        me: me(conn, &principal).await?,
        cookie,
    })
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The workspace a new session starts in: the first the user joined.
async fn first_workspace(conn: &mut AsyncPgConnection, user: Uuid) -> AppResult<Option<WorkspaceId>> {
    // One the user is a member of.
    Ok(store::memberships_of(conn, user)
        .await?
        .first()
        .map(|(id, _, _)| WorkspaceId::checked(*id)))
}

/// Signs in with email and password. Failures are counted per address and per (email, address)
/// (429 past the limits) and slow down one email's answers without ever locking its owner out;
/// an unknown email is answered exactly like a wrong password.
pub async fn login(
    conn: &mut AsyncPgConnection,
    input: Login,
    client: &Client,
    old_cookie: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<SignedIn> {
    let email = normalise_email(&input.email);
    let counts = store::failure_counts(conn, &client.ip, &email, now - FAILURE_WINDOW).await?;
    let retry =
        |oldest: Option<DateTime<Utc>>| oldest.map_or(60, |at| (at + FAILURE_WINDOW - now).num_seconds().max(1) as u64);
    if counts.by_ip >= MAX_FAILURES_PER_IP {
        return Err(AppError::too_many_requests(
            retry(counts.oldest_ip),
            "too many failed sign-ins from your address; wait a few minutes and try again",
        ));
    }
    if counts.by_pair >= MAX_FAILURES_PER_PAIR {
        return Err(AppError::too_many_requests(
            retry(counts.oldest_pair),
            "too many failed sign-ins for this email; wait a few minutes and try again",
        ));
    }
    let user = store::find_user_by_email(conn, &email).await?;
    let ok = password::verify(input.password, user.as_ref().map(|u| u.password_hash.clone())).await;
    let Some(user) = user.filter(|_| ok) else {
        store::record_failure(conn, &client.ip, &email, now).await?;
        let known = store::find_user_by_email(conn, &email).await?;
        let mut e = Event::new("sign_in_failed");
        e.user = known.map(|u| u.id);
        e.email = Some(&email);
        e.ip = Some(&client.ip);
        record(conn, e, now).await?;
        // Many failures for one email from many addresses slow its answers down, a little more
        // each time, instead of locking the account.
        let extra = counts.by_email + 1 - SLOW_DOWN_AFTER;
        if extra > 0 {
            let delay = std::time::Duration::from_millis((extra as u64 * 250).min(5_000));
            tokio::time::sleep(delay).await;
        }
        return Err(AppError::unauthorized(
            "invalid_credentials",
            "the email or password is not right",
        ));
    };
    if let Some(old) = old_cookie {
        store::delete_session_by_hash(conn, &secret::hash(old)).await?;
    }
    store::clear_failures(conn, &client.ip, &email).await?;
    let workspace = first_workspace(conn, user.id).await?;
    let mut e = Event::new("sign_in");
    e.user = Some(user.id);
    e.email = Some(&email);
    e.ip = Some(&client.ip);
    record(conn, e, now).await?;
    start_session(conn, &user, workspace, client, now).await
}

pub async fn logout(conn: &mut AsyncPgConnection, p: &Principal, client: &Client, now: DateTime<Utc>) -> AppResult<()> {
    if let Some(id) = p.session_id() {
        store::delete_session(conn, id).await?;
        let mut e = Event::new("sign_out");
        e.user = Some(p.user_id);
        e.ip = Some(&client.ip);
        record(conn, e, now).await?;
    }
    Ok(())
}

/// What a fresh server prints: a new one-time setup code, when no account exists yet.
pub async fn setup_code_if_needed(conn: &mut AsyncPgConnection, now: DateTime<Utc>) -> AppResult<Option<String>> {
    if store::count_users(conn).await? > 0 {
        return Ok(None);
    }
    let code = secret::setup_code();
    store::replace_setup_code(conn, &secret::hash(&code), now).await?;
    Ok(Some(code))
}

pub async fn needs_setup(conn: &mut AsyncPgConnection) -> AppResult<bool> {
    Ok(store::count_users(conn).await? == 0)
}

fn new_user(email: &str, name: &str, hash: String, now: DateTime<Utc>) -> UserRow {
    UserRow {
        id: Uuid::now_v7(),
        email: email.to_owned(),
        display_name: name.trim().to_owned(),
        password_hash: hash,
        created_at: now,
        updated_at: now,
        last_sign_in_at: None,
        version: 1,
        locale: None,
    }
}

/// Creates an account. The first one needs the setup code and becomes the owner of the existing
/// workspace and its data; later ones only when sign-up is open, each with a new workspace.
pub async fn signup(
    conn: &mut AsyncPgConnection,
    input: Signup,
    signup_open: bool,
    client: &Client,
    now: DateTime<Utc>,
) -> AppResult<SignedIn> {
    let email = normalise_email(&input.email);
    password::check("password", &input.password, &email)?;
    let first = store::count_users(conn).await? == 0;
    if !first && !signup_open {
        return Err(AppError::refused(
            "signup_closed",
            "sign-up is closed on this server; ask an admin for an invitation",
        ));
    }
    if first && input.setup_code.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err(AppError::invalid_field(
            "setup_code",
            "the first account needs the setup code printed in the server's log",
        ));
    }
    let hash = password::hash(input.password).await?;
    let user = new_user(&email, &input.display_name, hash, now);
    let ip = client.ip.clone();
    let workspace_name = input.workspace_name.map(|n| n.trim().to_owned());
    let code = input
        .setup_code
        .map(|c| secret::hash(&secret::normalise_setup_code(&c)));
    let (user, workspace) = conn
        .transaction::<_, AppError, _>(async |conn| {
            if store::find_user_by_email(conn, &email).await?.is_some() {
                return Err(AppError::conflict(
                    "email_taken",
                    "an account with this email already exists; sign in instead",
                ));
            }
            let workspace = if first {
                // The setup code is deleted as it is used, so two first sign-ups cannot both win.
                let Some(code) = code.as_deref() else {
                    return Err(AppError::invalid_field("setup_code", "the setup code is required"));
                };
                if !store::take_setup_code(conn, code).await? {
                    return Err(AppError::invalid_field(
                        "setup_code",
                        "the setup code is not right; use the latest one printed in the server's log",
                    ));
                }
                if let Some(name) = &workspace_name {
                    store::rename_workspace(conn, DEFAULT_WORKSPACE, name, now).await?;
                }
                DEFAULT_WORKSPACE
            } else {
                let id = WorkspaceId::checked(Uuid::now_v7());
                let name = workspace_name
                    .clone()
                    .unwrap_or_else(|| format!("{}'s workspace", user.display_name));
                store::insert_workspace(conn, id, &name, now).await?;
                store::seed_workspace(conn, id).await?;
                id
            };
            let user = store::insert_user(conn, &user).await?;
            store::insert_membership(conn, workspace, user.id, Role::Owner, now).await?;
            if first {
                crate::calendar::service::adopt_link_from_before_accounts(conn, workspace, user.id).await?;
            }
            let mut e = Event::new("member_joined");
            e.workspace = Some(workspace);
            e.user = Some(user.id);
            e.email = Some(&email);
            e.ip = Some(&ip);
            e.detail = "created the account as owner".into();
            record(conn, e, now).await?;
            Ok((user, workspace))
        })
        .await?;
    start_session(conn, &user, Some(workspace), client, now).await
}

/// Changes the signed-in user's name and/or language.
pub async fn update_me(
    conn: &mut AsyncPgConnection,
    p: &Principal,
    input: UpdateMe,
    now: DateTime<Utc>,
) -> AppResult<Me> {
    if input.display_name.is_some() || input.locale.is_some() {
        let name = input.display_name.as_deref().map(str::trim);
        store::update_user(conn, p.user_id, name, input.locale, now).await?;
    }
    me(conn, p).await
}

/// Changes the password after checking the current one; every other session of the user ends.
pub async fn change_password(
    conn: &mut AsyncPgConnection,
    p: &Principal,
    input: ChangePassword,
    client: &Client,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let user = store::find_user(conn, p.user_id)
        .await?
        .ok_or_else(invalid_credentials)?;
    if !password::verify(input.current_password, Some(user.password_hash.clone())).await {
        return Err(AppError::invalid_field(
            "current_password",
            "is not your current password",
        ));
    }
    password::check("new_password", &input.new_password, &user.email)?;
    let hash = password::hash(input.new_password).await?;
    let keep = p.session_id();
    let ip = client.ip.clone();
    conn.transaction::<_, AppError, _>(async |conn| {
        store::set_password(conn, user.id, &hash, now).await?;
        store::delete_sessions_of(conn, user.id, keep).await?;
        let mut e = Event::new("password_changed");
        e.user = Some(user.id);
        e.ip = Some(&ip);
        record(conn, e, now).await
    })
    .await
}

/// Sets a user's password from the command line (`rapport user reset-password`); ends their
/// sessions. Returns false when no account has this email.
pub async fn reset_password(
    conn: &mut AsyncPgConnection,
    email: &str,
    new: String,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let email = normalise_email(email);
    let Some(user) = store::find_user_by_email(conn, &email).await? else {
        return Ok(false);
    };
    password::check("password", &new, &email)?;
    let hash = password::hash(new).await?;
    store::set_password(conn, user.id, &hash, now).await?;
    store::delete_sessions_of(conn, user.id, None).await?;
    let mut e = Event::new("password_changed");
    e.user = Some(user.id);
    e.detail = "reset from the command line".into();
    record(conn, e, now).await?;
    Ok(true)
}

/// Makes sure an account exists with this password and role in the workspace (the demo login
/// of `scripts/run`, and tests). Returns the user's id.
pub async fn ensure_user(
    conn: &mut AsyncPgConnection,
    email: &str,
    name: &str,
    password: String,
    workspace: WorkspaceId,
    role: Role,
    now: DateTime<Utc>,
) -> AppResult<Uuid> {
    let email = normalise_email(email);
    password::check("password", &password, &email)?;
    let hash = password::hash(password).await?;
    let id = match store::find_user_by_email(conn, &email).await? {
        Some(user) => {
            store::set_password(conn, user.id, &hash, now).await?;
            user.id
        }
        None => store::insert_user(conn, &new_user(&email, name, hash, now)).await?.id,
    };
    store::insert_membership(conn, workspace, id, role, now).await?;
    store::set_role(conn, workspace, id, role, now).await?;
    store::take_all_setup_codes(conn).await?;
    if role == Role::Owner {
        crate::calendar::service::adopt_link_from_before_accounts(conn, workspace, id).await?;
    }
    Ok(id)
}

/// A new API token for a user in a workspace (the command line and tests); returns the secret.
pub async fn issue_token(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    workspace: WorkspaceId,
    name: &str,
    scope: TokenScope,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let secret = secret::api_token();
    store::insert_token(conn, &token_row(user, workspace, name, scope, None, &secret, now)).await?;
    Ok(secret)
}

fn token_row(
    user: Uuid,
    workspace: WorkspaceId,
    name: &str,
    scope: TokenScope,
    expires_at: Option<DateTime<Utc>>,
    secret: &str,
    now: DateTime<Utc>,
) -> TokenRow {
    TokenRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        user_id: user,
        name: name.trim().to_owned(),
        prefix: secret.chars().take(10).collect(),
        token_hash: secret::hash(secret),
        scope,
        created_at: now,
        last_used_at: None,
        expires_at,
        revoked_at: None,
    }
}

// --- workspaces ---

pub async fn switch_workspace(conn: &mut AsyncPgConnection, p: &Principal, requested: Uuid) -> AppResult<Me> {
    let Some(session) = p.session_id() else {
        return Err(AppError::refused(
            "session_required",
            "only a signed-in session can switch workspaces",
        ));
    };
    // Checked on the next line: the caller must be a member of it.
    let workspace = WorkspaceId::checked(requested);
    let Some(role) = store::role_of(conn, workspace, p.user_id).await? else {
        return Err(AppError::not_found("the workspace"));
    };
    store::set_session_workspace(conn, session, workspace).await?;
    let p = Principal {
        workspace_id: Some(workspace),
        role: Some(role),
        ..p.clone()
    };
    me(conn, &p).await
}

pub async fn list_workspaces(conn: &mut AsyncPgConnection, p: &Principal) -> AppResult<Vec<WorkspaceMembership>> {
    Ok(store::memberships_of(conn, p.user_id)
        .await?
        .into_iter()
        .map(|(id, name, role)| WorkspaceMembership { id, name, role })
        .collect())
}

/// A new workspace with the starter pipelines and templates, owned by the caller, who now works in it.
pub async fn create_workspace(
    conn: &mut AsyncPgConnection,
    p: &Principal,
    name: &str,
    now: DateTime<Utc>,
) -> AppResult<WorkspaceMembership> {
    let id = WorkspaceId::checked(Uuid::now_v7());
    let name = name.trim().to_owned();
    conn.transaction::<_, AppError, _>(async |conn| {
        store::insert_workspace(conn, id, &name, now).await?;
        store::seed_workspace(conn, id).await?;
        store::insert_membership(conn, id, p.user_id, Role::Owner, now).await?;
        if let Some(session) = p.session_id() {
            store::set_session_workspace(conn, session, id).await?;
        }
        let mut e = Event::new("workspace_created");
        e.workspace = Some(id);
        e.user = Some(p.user_id);
        record(conn, e, now).await
    })
    .await?;
    Ok(WorkspaceMembership {
        id: id.uuid(),
        name,
        role: Role::Owner,
    })
}

// --- API tokens ---

fn token_dto(row: TokenRow) -> ApiToken {
    ApiToken {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        scope: row.scope,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        expires_at: row.expires_at,
    }
}

pub async fn list_tokens(conn: &mut AsyncPgConnection, p: &Principal) -> AppResult<Vec<ApiToken>> {
    let (workspace, _) = p.membership()?;
    Ok(store::tokens(conn, workspace, p.user_id)
        .await?
        .into_iter()
        .map(token_dto)
        .collect())
}

/// A token for the caller in the current workspace; a read-only member may only make read tokens.
pub async fn create_token(
    conn: &mut AsyncPgConnection,
    p: &Principal,
    input: CreateApiToken,
    client: &Client,
    now: DateTime<Utc>,
) -> AppResult<CreatedApiToken> {
    let (workspace, role) = p.membership()?;
    if input.scope == TokenScope::Write && !role.allows(Role::Member) {
        return Err(AppError::invalid_field(
            "scope",
            "a read-only member can only create read tokens",
        ));
    }
    if input.expires_at.is_some_and(|at| at <= now) {
        return Err(AppError::invalid_field("expires_at", "must be in the future"));
    }
    let secret = secret::api_token();
    let row = token_row(
        p.user_id,
        workspace,
        &input.name,
        input.scope,
        input.expires_at,
        &secret,
        now,
    );
    let ip = client.ip.clone();
    let row = conn
        .transaction::<_, AppError, _>(async |conn| {
            let row = store::insert_token(conn, &row).await?;
            let mut e = Event::new("token_created");
            e.workspace = Some(workspace);
            e.user = Some(p.user_id);
            e.ip = Some(&ip);
            e.detail = format!("{} ({}, {})", row.name, row.prefix, row.scope.as_str());
            record(conn, e, now).await?;
            Ok(row)
        })
        .await?;
    Ok(CreatedApiToken {
        token: token_dto(row),
        secret,
    })
}

pub async fn revoke_token(
    conn: &mut AsyncPgConnection,
    p: &Principal,
    id: Uuid,
    client: &Client,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (workspace, _) = p.membership()?;
    let row = store::revoke_token(conn, workspace, p.user_id, id, now)
        .await?
        .ok_or_else(|| AppError::not_found("the API token"))?;
    let mut e = Event::new("token_revoked");
    e.workspace = Some(workspace);
    e.user = Some(p.user_id);
    e.ip = Some(&client.ip);
    e.detail = format!("{} ({})", row.name, row.prefix);
    record(conn, e, now).await
}

// --- members ---

fn member_dto(row: MemberRow) -> Member {
    Member {
        user_id: row.user_id,
        email: row.email,
        display_name: row.display_name,
        role: row.role.parse().unwrap_or(Role::ReadOnly),
        joined_at: row.joined_at,
        last_sign_in_at: row.last_sign_in_at,
    }
}

pub async fn list_members(conn: &mut AsyncPgConnection, workspace: WorkspaceId) -> AppResult<Vec<Member>> {
    Ok(store::members(conn, workspace)
        .await?
        .into_iter()
        .map(member_dto)
        .collect())
}

fn owner_only(what: &str) -> AppError {
    AppError::forbidden(format!("{what} needs the owner role"))
}

/// Changes a member's role. Only owners grant or take away ownership; the last owner stays one.
/// A lowered role takes effect at once: the member's sessions and tokens end.
pub async fn change_role(
    conn: &mut AsyncPgConnection,
    p: &Principal,
    user: Uuid,
    role: Role,
    client: &Client,
    now: DateTime<Utc>,
) -> AppResult<Member> {
    let (workspace, my_role) = p.membership()?;
    let ip = client.ip.clone();
    conn.transaction::<_, AppError, _>(async |conn| {
        let owners = store::lock_owners(conn, workspace).await?;
        let target = store::member(conn, workspace, user)
            .await?
            .ok_or_else(|| AppError::not_found("the member"))?;
        let current: Role = target.role.parse().unwrap_or(Role::ReadOnly);
        if current == role {
            return Ok(member_dto(target));
        }
        if (current == Role::Owner || role == Role::Owner) && my_role != Role::Owner {
            return Err(owner_only("granting or changing the owner role"));
        }
        if current == Role::Owner && owners.len() <= 1 {
            return Err(AppError::conflict(
                "last_owner",
                "the workspace's last owner cannot be demoted; make someone else an owner first",
            ));
        }
        store::set_role(conn, workspace, user, role, now).await?;
        if !role.allows(current) {
            store::revoke_tokens_of(conn, workspace, user, now).await?;
            store::delete_sessions_of(conn, user, None).await?;
        }
        let mut e = Event::new("role_changed");
        e.workspace = Some(workspace);
        e.user = Some(user);
        e.actor = Some(p.user_id);
        e.email = Some(&target.email);
        e.ip = Some(&ip);
        e.detail = format!("role {} → {}", current.as_str(), role.as_str());
        record(conn, e, now).await?;
        Ok(Member {
            role,
            ..member_dto(target)
        })
    })
    .await
}

/// Removes a member: their sessions end and their tokens for this workspace are deleted.
pub async fn remove_member(
    conn: &mut AsyncPgConnection,
    p: &Principal,
    user: Uuid,
    client: &Client,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (workspace, my_role) = p.membership()?;
    let ip = client.ip.clone();
    conn.transaction::<_, AppError, _>(async |conn| {
        let owners = store::lock_owners(conn, workspace).await?;
        let target = store::member(conn, workspace, user)
            .await?
            .ok_or_else(|| AppError::not_found("the member"))?;
        if target.role == Role::Owner.as_str() {
            if my_role != Role::Owner {
                return Err(owner_only("removing an owner"));
            }
            if owners.len() <= 1 {
                return Err(AppError::conflict(
                    "last_owner",
                    "the workspace's last owner cannot be removed; make someone else an owner first",
                ));
            }
        }
        store::delete_membership(conn, workspace, user).await?;
        store::delete_sessions_of(conn, user, None).await?;
        let mut e = Event::new("member_removed");
        e.workspace = Some(workspace);
        e.user = Some(user);
        e.actor = Some(p.user_id);
        e.email = Some(&target.email);
        e.ip = Some(&ip);
        record(conn, e, now).await
    })
    .await
}

// --- invitations ---

fn invitation_dto(row: InvitationRow, invited_by: Option<String>, accept_url: Option<String>) -> Invitation {
    Invitation {
        id: row.id,
        email: row.email,
        role: row.role,
        invited_by,
        created_at: row.created_at,
        expires_at: row.expires_at,
        accept_url,
        emailed: None,
    }
}

/// Invites an email with a role; answers the single-use link (valid 7 days) to hand over.
pub async fn invite(
    conn: &mut AsyncPgConnection,
    p: &Principal,
    input: CreateInvitation,
    public_base: &str,
    client: &Client,
    now: DateTime<Utc>,
) -> AppResult<Invitation> {
    let (workspace, my_role) = p.membership()?;
    if input.role == Role::Owner && my_role != Role::Owner {
        return Err(owner_only("inviting an owner"));
    }
    let email = normalise_email(&input.email);
    let already = store::members(conn, workspace)
        .await?
        .into_iter()
        .any(|m| m.email == email);
    if already {
        return Err(AppError::conflict(
            "already_member",
            format!("{email} is already a member of this workspace"),
        ));
    }
    let secret = secret::random_secret();
    let row = InvitationRow {
        id: Uuid::now_v7(),
        workspace_id: workspace,
        email: email.clone(),
        role: input.role,
        token_hash: secret::hash(&secret),
        invited_by: Some(p.user_id),
        created_at: now,
        expires_at: now + INVITATION_LIFETIME,
        accepted_at: None,
        accepted_by: None,
        revoked_at: None,
    };
    let ip = client.ip.clone();
    let row = conn
        .transaction::<_, AppError, _>(async |conn| {
            let row = store::insert_invitation(conn, &row).await?;
            let mut e = Event::new("invitation_created");
            e.workspace = Some(workspace);
            e.actor = Some(p.user_id);
            e.email = Some(&email);
            e.ip = Some(&ip);
            e.detail = format!("as {}", row.role.as_str());
            record(conn, e, now).await?;
            Ok(row)
        })
        .await?;
    let url = format!("{public_base}/invitations/{secret}");
    // Sent by mail when the workspace has a mail server; the link is in the answer either way.
    let workspace_name = store::memberships_of(conn, p.user_id)
        .await?
        .into_iter()
        .find(|(id, _, _)| *id == workspace.uuid())
        .map(|(_, name, _)| name)
        .unwrap_or_default();
    let text = format!(
        "{inviter} invited you to join the workspace \"{workspace_name}\" on Rapport as {role}.\n\n\
         Accept the invitation: {url}\n\n\
         The link works once and until {expires} UTC. If you did not expect this, ignore this email.\n",
        inviter = p.user_name,
        role = row.role.as_str(),
        expires = row.expires_at.format("%Y-%m-%d %H:%M"),
    );
    let subject = format!("{} invited you to {workspace_name} on Rapport", p.user_name);
    let emailed =
        crate::mail::service::queue_notice(conn, workspace, &row.email, &subject, &text, Some(p.user_id), now).await?;
    if emailed {
        crate::mail::wake();
    }
    let mut dto = invitation_dto(row, Some(p.user_name.clone()), Some(url));
    dto.emailed = Some(emailed);
    Ok(dto)
}

pub async fn list_invitations(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    now: DateTime<Utc>,
) -> AppResult<Vec<Invitation>> {
    Ok(store::pending_invitations(conn, workspace, now)
        .await?
        .into_iter()
        .map(|(row, by)| invitation_dto(row, by, None))
        .collect())
}

pub async fn revoke_invitation(
    conn: &mut AsyncPgConnection,
    p: &Principal,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (workspace, _) = p.membership()?;
    let row = store::revoke_invitation(conn, workspace, id, now)
        .await?
        .ok_or_else(|| AppError::not_found("the invitation"))?;
    let mut e = Event::new("invitation_revoked");
    e.workspace = Some(workspace);
    e.actor = Some(p.user_id);
    e.email = Some(&row.email);
    record(conn, e, now).await
}

/// The pending invitation behind a link, or 404 (unknown) / 410 (used, revoked or expired).
async fn pending(
    conn: &mut AsyncPgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<(InvitationRow, String, Option<String>)> {
    let (row, workspace_name, by) = store::invitation_by_hash(conn, &secret::hash(token))
        .await?
        .ok_or_else(|| AppError::not_found("the invitation"))?;
    if row.accepted_at.is_some() {
        return Err(AppError::gone(
            "invitation_used",
            "this invitation has already been used",
        ));
    }
    if row.revoked_at.is_some() {
        return Err(AppError::gone(
            "invitation_revoked",
            "this invitation was withdrawn; ask for a new one",
        ));
    }
    if row.expires_at <= now {
        return Err(AppError::gone(
            "invitation_expired",
            "this invitation has expired; ask for a new one",
        ));
    }
    Ok((row, workspace_name, by))
}

pub async fn preview_invitation(
    conn: &mut AsyncPgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<InvitationPreview> {
    let (row, workspace_name, invited_by) = pending(conn, token, now).await?;
    let account_exists = store::find_user_by_email(conn, &row.email).await?.is_some();
    Ok(InvitationPreview {
        workspace_name,
        email: row.email,
        role: row.role,
        invited_by,
        expires_at: row.expires_at,
        account_exists,
    })
}

/// What accepting answered: the user's view, and a new session when an account was created.
pub struct Accepted {
    pub me: Me,
    pub cookie: Option<String>,
}

/// Joins the invitation's workspace. When an account with the invited email exists, only that
/// account, signed in, can accept (so registering someone's address first gains nothing);
/// otherwise a name and password create the account.
pub async fn accept_invitation(
    conn: &mut AsyncPgConnection,
    token: &str,
    input: AcceptInvitation,
    signed_in: Option<&Principal>,
    client: &Client,
    now: DateTime<Utc>,
) -> AppResult<Accepted> {
    let (row, _, _) = pending(conn, token, now).await?;
    let existing = store::find_user_by_email(conn, &row.email).await?;
    let new_account = match (&existing, signed_in) {
        (Some(user), Some(p)) if p.user_id == user.id && p.session_id().is_some() => None,
        (Some(_), Some(_)) => {
            return Err(AppError::refused(
                "wrong_account",
                format!(
                    "this invitation is for {}; sign in as that account to accept it",
                    row.email
                ),
            ));
        }
        (Some(_), None) => {
            return Err(AppError::refused(
                "sign_in_required",
                format!(
                    "an account for {} exists: sign in as it, then accept the invitation",
                    row.email
                ),
            ));
        }
        (None, _) => {
            let mut errors = Vec::new();
            if input.display_name.is_none() {
                errors.push(crate::error::FieldError::new(
                    "display_name",
                    "is required for a new account",
                ));
            }
            if input.password.is_none() {
                errors.push(crate::error::FieldError::new(
                    "password",
                    "is required for a new account",
                ));
            }
            if !errors.is_empty() {
                return Err(AppError::validation(errors));
            }
            let password = input.password.unwrap_or_default();
            password::check("password", &password, &row.email)?;
            let hash = password::hash(password).await?;
            Some(new_user(
                &row.email,
                input.display_name.as_deref().unwrap_or_default(),
                hash,
                now,
            ))
        }
    };
    let ip = client.ip.clone();
    let user = conn
        .transaction::<_, AppError, _>(async |conn| {
            let user = match (&new_account, &existing) {
                (Some(user), _) => store::insert_user(conn, user).await?,
                (None, Some(user)) => user.clone(),
                (None, None) => return Err(AppError::not_found("the account")),
            };
            if !store::accept_invitation(conn, row.id, user.id, now).await? {
                return Err(AppError::gone(
                    "invitation_used",
                    "this invitation has already been used",
                ));
            }
            store::insert_membership(conn, row.workspace_id, user.id, row.role, now).await?;
            let mut e = Event::new("member_joined");
            e.workspace = Some(row.workspace_id);
            e.user = Some(user.id);
            e.actor = row.invited_by;
            e.email = Some(&row.email);
            e.ip = Some(&ip);
            e.detail = format!("accepted an invitation as {}", row.role.as_str());
            record(conn, e, now).await?;
            Ok(user)
        })
        .await?;
    if new_account.is_some() {
        let signed = start_session(conn, &user, Some(row.workspace_id), client, now).await?;
        return Ok(Accepted {
            me: signed.me,
            cookie: Some(signed.cookie),
        });
    }
    let p = signed_in.ok_or_else(invalid_credentials)?;
    Ok(Accepted {
        me: switch_workspace(conn, p, row.workspace_id.uuid()).await?,
        cookie: None,
    })
}

// --- password reset links ---

/// A single-use link (24 hours) that sets a member's password; admins issue them for members of
/// their workspace (owners' only by owners).
pub async fn issue_reset(
    conn: &mut AsyncPgConnection,
    p: &Principal,
    user: Uuid,
    public_base: &str,
    client: &Client,
    now: DateTime<Utc>,
) -> AppResult<PasswordResetLink> {
    let (workspace, my_role) = p.membership()?;
    let target = store::member(conn, workspace, user)
        .await?
        .ok_or_else(|| AppError::not_found("the member"))?;
    if target.role == Role::Owner.as_str() && my_role != Role::Owner {
        return Err(owner_only("a reset link for an owner"));
    }
    let secret = secret::random_secret();
    let expires_at = now + RESET_LIFETIME;
    store::insert_reset(conn, user, &secret::hash(&secret), p.user_id, now, expires_at).await?;
    let mut e = Event::new("password_reset_issued");
    e.workspace = Some(workspace);
    e.user = Some(user);
    e.actor = Some(p.user_id);
    e.email = Some(&target.email);
    e.ip = Some(&client.ip);
    record(conn, e, now).await?;
    Ok(PasswordResetLink {
        reset_url: format!("{public_base}/reset-password/{secret}"),
        expires_at,
    })
}

/// The unused, unexpired link with this secret: (id, user, expiry, email); else 404 or 410.
async fn valid_reset(
    conn: &mut AsyncPgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<(Uuid, Uuid, DateTime<Utc>, String)> {
    let (id, user, expires_at, used_at, email) = store::reset_by_hash(conn, &secret::hash(token))
        .await?
        .ok_or_else(|| AppError::not_found("the reset link"))?;
    if used_at.is_some() {
        return Err(AppError::gone(
            "reset_link_used",
            "this reset link has already been used; ask for a new one",
        ));
    }
    if expires_at <= now {
        return Err(AppError::gone(
            "reset_link_expired",
            "this reset link has expired; ask for a new one",
        ));
    }
    Ok((id, user, expires_at, email))
}

pub async fn preview_reset(
    conn: &mut AsyncPgConnection,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<PasswordResetPreview> {
    let (_, _, expires_at, email) = valid_reset(conn, token, now).await?;
    Ok(PasswordResetPreview { email, expires_at })
}

/// Sets the password of the link's user; every session of theirs ends, and the link is used up.
pub async fn reset_with_link(
    conn: &mut AsyncPgConnection,
    token: &str,
    new_password: String,
    client: &Client,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let (id, user, _, email) = valid_reset(conn, token, now).await?;
    password::check("new_password", &new_password, &email)?;
    let hash = password::hash(new_password).await?;
    let ip = client.ip.clone();
    conn.transaction::<_, AppError, _>(async |conn| {
        if !store::use_reset(conn, id, now).await? {
            return Err(AppError::gone(
                "reset_link_used",
                "this reset link has already been used; ask for a new one",
            ));
        }
        store::set_password(conn, user, &hash, now).await?;
        store::delete_sessions_of(conn, user, None).await?;
        let mut e = Event::new("password_changed");
        e.user = Some(user);
        e.email = Some(&email);
        e.ip = Some(&ip);
        e.detail = "with a reset link".into();
        record(conn, e, now).await
    })
    .await
}

// --- the security log ---

pub async fn security_log(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    cursor: Option<&str>,
    limit: i64,
) -> AppResult<SecurityEventPage> {
    let before = match cursor {
        None => None,
        Some(raw) => Some(
            Cursor::decode(raw)
                .filter(|c| c.sort == "-id")
                .map(|c| c.id)
                .ok_or_else(|| AppError::invalid_field("cursor", "is not a cursor this list issued"))?,
        ),
    };
    let mut rows = store::events(conn, workspace, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more.then(|| {
        rows.last().map(|r| {
            Cursor {
                sort: "-id".into(),
                value: String::new(),
                id: r.id,
            }
            .encode()
        })
    });
    Ok(SecurityEventPage {
        items: rows
            .into_iter()
            .map(|r| SecurityEvent {
                id: r.id,
                kind: r.kind,
                user_id: r.user_id,
                email: r.email,
                actor_id: r.actor_id,
                client_ip: r.client_ip,
                detail: r.detail,
                occurred_at: r.occurred_at,
            })
            .collect(),
        next_cursor: next_cursor.flatten(),
    })
}

/// The user's email address (none for a user that no longer exists).
/// A member's name and address, while they are a member of the workspace.
pub async fn member_address(
    conn: &mut AsyncPgConnection,
    workspace: WorkspaceId,
    user: Uuid,
) -> AppResult<Option<(String, String)>> {
    if store::role_of(conn, workspace, user).await?.is_none() {
        return Ok(None);
    }
    Ok(store::find_user(conn, user).await?.map(|u| (u.display_name, u.email)))
}

pub async fn email_of(conn: &mut AsyncPgConnection, user: Uuid) -> AppResult<Option<String>> {
    Ok(store::find_user(conn, user).await?.map(|u| u.email))
}
