//! HTTP endpoints of accounts: sign-in and sign-up (`/auth`), the signed-in user (`/me`),
//! workspaces, API tokens, members, invitations and the security log.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::dto::{
    AcceptInvitation, ApiTokenList, ChangePassword, CreateApiToken, CreateInvitation, CreateWorkspace, CreatedApiToken,
    Invitation, InvitationList, InvitationPreview, Login, Me, Member, MemberList, PasswordResetLink,
    PasswordResetPreview, ResetPassword, SecurityEventPage, SetupStatus, Signup, SwitchWorkspace, UpdateMe,
    UpdateMember, WorkspaceList, WorkspaceMembership,
};
use super::service;
use crate::accounts::service::Client;
use crate::error::{AppError, AppResult, Problem};
use crate::http::auth::{Auth, MaybeSignedIn, SESSION_COOKIE, SignedIn, is_https};
use crate::http::json::ApiJson;
use crate::http::params;
use crate::state::AppState;

fn session_cookie(req: &HttpRequest, state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(is_https(req, &state.config.accounts))
        .path("/")
        .max_age(time::Duration::seconds(service::SESSION_LIFETIME.num_seconds()))
        .finish()
}

fn cleared_cookie(req: &HttpRequest, state: &AppState) -> Cookie<'static> {
    let mut c = session_cookie(req, state, String::new());
    c.make_removal();
    c
}

fn old_cookie(req: &HttpRequest) -> Option<String> {
    req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned())
}

/// Whether this server waits for its first account (then sign-up needs the setup code from the
/// server's log) and whether sign-up is open to anyone.
#[utoipa::path(tag = "accounts", security(()),
    responses((status = 200, description = "What the sign-in page should offer", body = SetupStatus)))]
#[get("/auth/setup")]
pub async fn get_setup_status(state: web::Data<AppState>) -> AppResult<web::Json<SetupStatus>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(SetupStatus {
        needs_setup: service::needs_setup(&mut conn).await?,
        signup_open: state.config.accounts.signup_open,
    }))
}

/// Sign in with email and password: sets the session cookie (`HttpOnly`, `SameSite=Lax`).
///
/// Failed attempts are limited per address and per email and address (429 with `Retry-After`).
#[utoipa::path(tag = "accounts", security(()), request_body = Login,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = Me,
            headers(("Set-Cookie" = String, description = "`rapport_session=…; HttpOnly; SameSite=Lax; Path=/`"))),
        (status = 401, description = "The email or password is not right", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The request came from another site", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed sign-ins; retry after `Retry-After` seconds", body = Problem,
            content_type = "application/problem+json", headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    client: Client,
    req: HttpRequest,
    body: ApiJson<Login>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let signed = service::login(&mut conn, body.0, &client, old_cookie(&req).as_deref(), Utc::now()).await?;
    Ok(HttpResponse::Ok()
        .cookie(session_cookie(&req, &state, signed.cookie))
        .json(signed.me))
}

/// Sign out: ends this session and clears its cookie.
#[utoipa::path(tag = "accounts", responses((status = 204, description = "Signed out")))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    client: Client,
    req: HttpRequest,
    who: SignedIn,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    service::logout(&mut conn, &who.0, &client, Utc::now()).await?;
    Ok(HttpResponse::NoContent().cookie(cleared_cookie(&req, &state)).finish())
}

/// Create an account and sign in. The first account of a server needs the setup code printed in
/// the server's log and becomes the owner of the existing workspace; later ones need `SIGNUP=open`
/// and get a new, empty workspace.
#[utoipa::path(tag = "accounts", security(()), request_body = Signup,
    responses(
        (status = 201, description = "The account was created and signed in", body = Me,
            headers(("Set-Cookie" = String, description = "The session cookie"))),
        (status = 403, description = "Sign-up is closed (`signup_closed`) or the request came from another site",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An account with this email exists", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/signup")]
pub async fn signup(
    state: web::Data<AppState>,
    client: Client,
    req: HttpRequest,
    body: ApiJson<Signup>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let signed = service::signup(
        &mut conn,
        body.0,
        state.config.accounts.signup_open,
        &client,
        Utc::now(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .cookie(session_cookie(&req, &state, signed.cookie))
        .json(signed.me))
}

/// The signed-in user, their workspaces and their role in the current one.
#[utoipa::path(tag = "accounts", responses((status = 200, description = "Who you are", body = Me)))]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, who: SignedIn) -> AppResult<web::Json<Me>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::me(&mut conn, &who.0).await?))
}

/// Change your display name or the web app's language.
#[utoipa::path(tag = "accounts", request_body = UpdateMe, responses((status = 200, description = "Who you are now", body = Me)))]
#[patch("/me")]
pub async fn update_me(state: web::Data<AppState>, who: SignedIn, body: ApiJson<UpdateMe>) -> AppResult<web::Json<Me>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::update_me(&mut conn, &who.0, body.0, Utc::now()).await?,
    ))
}

/// Change your password (browser session only). Every other session of yours ends.
#[utoipa::path(tag = "accounts", request_body = ChangePassword,
    responses((status = 204, description = "The password was changed")))]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    client: Client,
    who: SignedIn,
    body: ApiJson<ChangePassword>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    service::change_password(&mut conn, &who.0, body.0, &client, Utc::now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Work in another of your workspaces (browser session only; an API token stays in its own).
#[utoipa::path(tag = "accounts", request_body = SwitchWorkspace,
    responses((status = 200, description = "Who you are, in the chosen workspace", body = Me)))]
#[post("/me/workspace")]
pub async fn switch_workspace(
    state: web::Data<AppState>,
    who: SignedIn,
    body: ApiJson<SwitchWorkspace>,
) -> AppResult<web::Json<Me>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::switch_workspace(&mut conn, &who.0, body.0.workspace_id).await?,
    ))
}

/// Your workspaces, with your role in each.
#[utoipa::path(tag = "accounts", responses((status = 200, description = "Your workspaces", body = WorkspaceList)))]
#[get("/workspaces")]
pub async fn list_workspaces(state: web::Data<AppState>, who: SignedIn) -> AppResult<web::Json<WorkspaceList>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(WorkspaceList {
        items: service::list_workspaces(&mut conn, &who.0).await?,
    }))
}

/// Create a workspace that you own, with the starter pipelines and templates; this session
/// switches to it.
#[utoipa::path(tag = "accounts", request_body = CreateWorkspace,
    responses((status = 201, description = "The new workspace", body = WorkspaceMembership,
        headers(("Location" = String, description = "`/api/v1/workspaces`")))))]
#[post("/workspaces")]
pub async fn create_workspace(
    state: web::Data<AppState>,
    who: SignedIn,
    body: ApiJson<CreateWorkspace>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let ws = service::create_workspace(&mut conn, &who.0, &body.0.name, Utc::now()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", "/api/v1/workspaces"))
        .json(ws))
}

/// Your API tokens in the current workspace (browser session only).
#[utoipa::path(tag = "accounts", responses((status = 200, description = "Your tokens, newest first", body = ApiTokenList)))]
#[get("/api-tokens")]
pub async fn list_api_tokens(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<ApiTokenList>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(ApiTokenList {
        items: service::list_tokens(&mut conn, &auth.principal).await?,
    }))
}

/// Create a personal API token for the current workspace (browser session only). The answer
/// holds the secret — shown this once; only a hash is stored. It acts as you, in this workspace,
/// never above your role; `read` tokens can only read.
#[utoipa::path(tag = "accounts", request_body = CreateApiToken,
    responses((status = 201, description = "The token, with its secret", body = CreatedApiToken)))]
#[post("/api-tokens")]
pub async fn create_api_token(
    state: web::Data<AppState>,
    client: Client,
    auth: Auth,
    body: ApiJson<CreateApiToken>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let created = service::create_token(&mut conn, &auth.principal, body.0, &client, Utc::now()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", "/api/v1/api-tokens"))
        .json(created))
}

/// Revoke one of your API tokens: it stops working at once.
#[utoipa::path(tag = "accounts", params(("id" = Uuid, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked")))]
#[delete("/api-tokens/{id}")]
pub async fn revoke_api_token(
    state: web::Data<AppState>,
    client: Client,
    auth: Auth,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    service::revoke_token(&mut conn, &auth.principal, *id, &client, Utc::now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The members of the current workspace and their roles.
#[utoipa::path(tag = "accounts", responses((status = 200, description = "Members by name", body = MemberList)))]
#[get("/members")]
pub async fn list_members(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<MemberList>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(MemberList {
        items: service::list_members(&mut conn, auth.workspace()).await?,
    }))
}

/// Change a member's role. Only owners grant or take ownership; the last owner cannot be
/// demoted. A lowered role ends the member's sessions and tokens at once.
#[utoipa::path(tag = "accounts", params(("user_id" = Uuid, Path, description = "The member's user id")),
    request_body = UpdateMember,
    responses(
        (status = 200, description = "The member with the new role", body = Member),
        (status = 409, description = "The last owner cannot be demoted (`last_owner`)", body = Problem,
            content_type = "application/problem+json"),
    ))]
#[patch("/members/{user_id}")]
pub async fn update_member(
    state: web::Data<AppState>,
    client: Client,
    auth: Auth,
    user_id: web::Path<Uuid>,
    body: ApiJson<UpdateMember>,
) -> AppResult<web::Json<Member>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::change_role(&mut conn, &auth.principal, *user_id, body.0.role, &client, Utc::now()).await?,
    ))
}

/// Remove a member from the workspace: their sessions end and their tokens stop working.
#[utoipa::path(tag = "accounts", params(("user_id" = Uuid, Path, description = "The member's user id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 409, description = "The last owner cannot be removed (`last_owner`)", body = Problem,
            content_type = "application/problem+json"),
    ))]
#[delete("/members/{user_id}")]
pub async fn delete_member(
    state: web::Data<AppState>,
    client: Client,
    auth: Auth,
    user_id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    service::remove_member(&mut conn, &auth.principal, *user_id, &client, Utc::now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Pending invitations to the current workspace.
#[utoipa::path(tag = "accounts", responses((status = 200, description = "Pending invitations, newest first", body = InvitationList)))]
#[get("/invitations")]
pub async fn list_invitations(state: web::Data<AppState>, auth: Auth) -> AppResult<web::Json<InvitationList>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(InvitationList {
        items: service::list_invitations(&mut conn, auth.workspace(), Utc::now()).await?,
    }))
}

/// Invite someone by email with a role. The answer's `accept_url` is a single-use link, valid
/// for 7 days, to send them.
#[utoipa::path(tag = "accounts", request_body = CreateInvitation,
    responses(
        (status = 201, description = "The invitation, with its link", body = Invitation),
        (status = 409, description = "That email is already a member (`already_member`)", body = Problem,
            content_type = "application/problem+json"),
    ))]
#[post("/invitations")]
pub async fn create_invitation(
    state: web::Data<AppState>,
    client: Client,
    auth: Auth,
    body: ApiJson<CreateInvitation>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let base = state.config.accounts.base();
    let inv = service::invite(&mut conn, &auth.principal, body.0, &base, &client, Utc::now()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", "/api/v1/invitations"))
        .json(inv))
}

/// Withdraw a pending invitation: its link stops working.
#[utoipa::path(tag = "accounts", params(("id" = Uuid, Path, description = "The invitation's id")),
    responses((status = 204, description = "Withdrawn")))]
#[delete("/invitations/{id}")]
pub async fn delete_invitation(state: web::Data<AppState>, auth: Auth, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    service::revoke_invitation(&mut conn, &auth.principal, *id, Utc::now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What an invitation link offers (no sign-in needed): the workspace, the email and role, and
/// whether an account with that email exists.
#[utoipa::path(tag = "accounts", security(()),
    params(("token" = String, Path, description = "The secret part of the invitation link")),
    responses(
        (status = 200, description = "The invitation", body = InvitationPreview),
        (status = 404, description = "No invitation has this link", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The invitation was used, withdrawn or has expired", body = Problem,
            content_type = "application/problem+json"),
    ))]
#[get("/invitations/{token}/preview")]
pub async fn get_invitation(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<web::Json<InvitationPreview>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::preview_invitation(&mut conn, &token, Utc::now()).await?,
    ))
}

/// Accept an invitation. Without an account for the invited email, `display_name` and
/// `password` create one and sign it in; with one, you must be signed in as it (an empty body).
#[utoipa::path(tag = "accounts", security(()),
    params(("token" = String, Path, description = "The secret part of the invitation link")),
    request_body = AcceptInvitation,
    responses(
        (status = 200, description = "You are a member; the session cookie is set for a new account", body = Me),
        (status = 403, description = "Sign in as the invited account first (`sign_in_required`, `wrong_account`)",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No invitation has this link", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The invitation was used, withdrawn or has expired", body = Problem,
            content_type = "application/problem+json"),
    ))]
#[post("/invitations/{token}/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    client: Client,
    req: HttpRequest,
    who: MaybeSignedIn,
    token: web::Path<String>,
    body: ApiJson<AcceptInvitation>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let accepted = service::accept_invitation(&mut conn, &token, body.0, who.0.as_ref(), &client, Utc::now()).await?;
    let mut res = HttpResponse::Ok();
    if let Some(cookie) = accepted.cookie {
        res.cookie(session_cookie(&req, &state, cookie));
    }
    Ok(res.json(accepted.me))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SecurityLogParams {
    /// Entries per page, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The workspace's security log: sign-ins and failed sign-ins of its members, token creation
/// and revocation, invitations, role changes and removals; newest first.
#[utoipa::path(tag = "accounts", params(SecurityLogParams),
    responses((status = 200, description = "A page of the log", body = SecurityEventPage)))]
#[get("/security-events")]
pub async fn list_security_events(
    state: web::Data<AppState>,
    auth: Auth,
    query: web::Query<SecurityLogParams>,
) -> AppResult<web::Json<SecurityEventPage>> {
    let limit = params::limit(query.limit.as_deref()).map_err(|e| AppError::validation(vec![e]))?;
    let mut conn = state.conn().await?;
    Ok(web::Json(
        service::security_log(&mut conn, auth.workspace(), query.cursor.as_deref(), limit).await?,
    ))
}

/// Issue a single-use link (valid 24 hours) that sets a member's password — to hand over, since
/// Rapport sends no email. Only owners issue links for owners.
#[utoipa::path(tag = "accounts", params(("user_id" = Uuid, Path, description = "The member's user id")),
    responses((status = 201, description = "The link", body = PasswordResetLink)))]
#[post("/members/{user_id}/password-reset")]
pub async fn create_password_reset(
    state: web::Data<AppState>,
    client: Client,
    auth: Auth,
    user_id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    let base = state.config.accounts.base();
    let link = service::issue_reset(&mut conn, &auth.principal, *user_id, &base, &client, Utc::now()).await?;
    Ok(HttpResponse::Created().json(link))
}

/// Whose password a reset link sets (no sign-in needed).
#[utoipa::path(tag = "accounts", security(()),
    params(("token" = String, Path, description = "The secret part of the reset link")),
    responses(
        (status = 200, description = "The link's account", body = PasswordResetPreview),
        (status = 404, description = "No reset link has this secret", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link was used or has expired", body = Problem, content_type = "application/problem+json"),
    ))]
#[get("/auth/password-reset/{token}")]
pub async fn get_password_reset(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<web::Json<PasswordResetPreview>> {
    let mut conn = state.conn().await?;
    Ok(web::Json(service::preview_reset(&mut conn, &token, Utc::now()).await?))
}

/// Set a new password with a reset link. Every session of the account ends; sign in afterwards.
#[utoipa::path(tag = "accounts", security(()),
    params(("token" = String, Path, description = "The secret part of the reset link")),
    request_body = ResetPassword,
    responses(
        (status = 204, description = "The password was set"),
        (status = 403, description = "The request came from another site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No reset link has this secret", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link was used or has expired", body = Problem, content_type = "application/problem+json"),
    ))]
#[post("/auth/password-reset/{token}")]
pub async fn reset_password(
    state: web::Data<AppState>,
    client: Client,
    token: web::Path<String>,
    body: ApiJson<ResetPassword>,
) -> AppResult<HttpResponse> {
    let mut conn = state.conn().await?;
    service::reset_with_link(&mut conn, &token, body.0.new_password, &client, Utc::now()).await?;
    Ok(HttpResponse::NoContent().finish())
}
