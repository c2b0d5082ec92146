//! Authentication and authorization of every API request, in one middleware: the operation's
//! policy (from [`policy`], the same table that documents each operation's role in OpenAPI), the
//! credential (a session cookie or an `Authorization: Bearer` API token, one indexed lookup), the
//! cross-site check for cookie-authenticated writes, the token's scope and the member's role.
//! Handlers then take [`Auth`] (a member of the current workspace) or [`SignedIn`] (anyone signed
//! in) and never see a request that their policy refuses.

use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};
use chrono::Utc;
use utoipa::openapi::OpenApi;
use uuid::Uuid;

use crate::accounts::actor::{self, Actor};
use crate::accounts::dto::{Role, TokenScope};
use crate::accounts::service::{self, Client, Credential, Principal};
use crate::config::AccountsConfig;
use crate::db::WorkspaceId;
use crate::error::AppError;
use crate::http::path_pattern::PathPattern;
use crate::http::rate_limit::{Decision as RateDecision, Kind as RateKind};
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "rapport_session";

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a credential.
    Public,
    /// Anyone signed in (a session or a token), member of a workspace or not.
    SignedIn,
    /// A member of the current workspace with at least this role.
    Role(Role),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub access: Access,
    /// Only a browser session, never an API token (password, tokens, workspaces).
    pub session_only: bool,
    /// Changes something: refused to `read` tokens.
    pub writes: bool,
}

const PUBLIC: &[&str] = &[
    "health",
    "ready",
    "login",
    "signup",
    "get_setup_status",
    "get_invitation",
    "accept_invitation",
    "get_calendar_ics",
    "get_password_reset",
    "reset_password",
    "get_form_page",
    "submit_form",
    "get_unsubscribe_page",
    "unsubscribe",
];
/// POSTs that only compute an answer from the workspace's data (they may memoize it), so readers
/// may use them.
const READS_BY_POST: &[&str] = &["create_contact_insights", "preview_template", "render_template"];
/// Reads that take data out of the workspace in bulk: a permission of members and above, not of
/// read-only members.
const EXPORTS: &[&str] = &[
    "export_contacts",
    "export_companies",
    "export_deals",
    "export_contact_data",
    "get_import_errors",
];
/// A member's own things that even a read-only member has (their calendar link, their digest).
const OWN: &[&str] = &[
    "rotate_calendar_link",
    "delete_calendar_link",
    "put_digest",
    "dismiss_onboarding",
    "put_dashboard_layout",
];
const SIGNED_IN: &[&str] = &["get_me", "update_me", "logout", "list_workspaces"];
const SIGNED_IN_SESSION: &[&str] = &["change_password", "switch_workspace", "create_workspace"];
const TOKENS: &[&str] = &["list_api_tokens", "create_api_token", "revoke_api_token"];
const ADMIN: &[&str] = &[
    "load_demo_data",
    "remove_demo_data",
    "list_forms",
    "create_form",
    "get_form",
    "update_form",
    "delete_form",
    "list_form_submissions",
    "get_mail_settings",
    "put_mail_settings",
    "delete_mail_settings",
    "test_mail_settings",
    "list_webhooks",
    "create_webhook",
    "get_webhook",
    "update_webhook",
    "delete_webhook",
    "rotate_webhook_secret",
    "test_webhook",
    "list_webhook_deliveries",
    "redeliver_webhook_delivery",
    "erase_contact",
    "purge_trash",
    "create_export",
    "list_exports",
    "get_export",
    "download_export",
    "update_settings",
    "create_custom_field",
    "update_custom_field",
    "delete_custom_field",
    "create_pipeline",
    "update_pipeline",
    "delete_pipeline",
    "create_stage",
    "reorder_stages",
    "update_stage",
    "delete_stage",
    "create_template",
    "update_template",
    "delete_template",
    "clear_ai_cache",
    "update_member",
    "delete_member",
    "create_invitation",
    "list_invitations",
    "delete_invitation",
    "list_security_events",
    "create_password_reset",
];

/// The policy of an operation: reading needs `read_only`, writing `member`, workspace
/// configuration `admin`, unless the operation is listed above.
pub fn policy(operation_id: &str, method: &Method) -> Policy {
    let is = |list: &[&str]| list.contains(&operation_id);
    let (access, session_only) = if is(PUBLIC) {
        (Access::Public, false)
    } else if is(SIGNED_IN) {
        (Access::SignedIn, false)
    } else if is(SIGNED_IN_SESSION) {
        (Access::SignedIn, true)
    } else if is(OWN) {
        (Access::Role(Role::ReadOnly), false)
    } else if is(TOKENS) {
        (Access::Role(Role::ReadOnly), true)
    } else if is(ADMIN) {
        (Access::Role(Role::Admin), false)
    } else if is(EXPORTS) {
        (Access::Role(Role::Member), false)
    } else if method == Method::GET || is(READS_BY_POST) {
        (Access::Role(Role::ReadOnly), false)
    } else {
        (Access::Role(Role::Member), false)
    };
    let writes = method != Method::GET && !is(READS_BY_POST);
    Policy {
        access,
        session_only,
        writes,
    }
}

/// Public operations that start a session or set a password: protected against cross-site
/// requests (login CSRF) like cookie writes.
const STARTS_SESSION: &[&str] = &["login", "signup", "accept_invitation", "reset_password"];

/// Every API operation's route and policy, from the OpenAPI document (which lists every route).
#[derive(Clone)]
pub struct Policies(Arc<Vec<Entry>>);

struct Entry {
    def: PathPattern,
    method: Method,
    operation_id: String,
    policy: Policy,
    /// An account operation that writes (tag `accounts`): it may change what a credential stands
    /// for, so this instance forgets its cached credentials once it succeeds.
    changes_credentials: bool,
    /// Whose budget the request spends.
    rate: RateKind,
}

/// Marks a request whose success must empty this instance's credential cache.
struct ChangesCredentials;

impl Policies {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let mut entries = Vec::new();
        for (path, item) in &doc.paths.paths {
            let ops = [
                (Method::GET, item.get.as_ref()),
                (Method::POST, item.post.as_ref()),
                (Method::PUT, item.put.as_ref()),
                (Method::PATCH, item.patch.as_ref()),
                (Method::DELETE, item.delete.as_ref()),
            ];
            for (method, op) in ops {
                let Some(op) = op else { continue };
                let operation_id = op.operation_id.clone().unwrap_or_default();
                let policy = policy(&operation_id, &method);
                let tagged = |tag: &str| op.tags.as_ref().is_some_and(|t| t.iter().any(|t| t == tag));
                let changes_credentials = method != Method::GET && tagged("accounts");
                let rate = if STARTS_SESSION.contains(&operation_id.as_str()) && method == Method::POST {
                    RateKind::SignIn
                } else if method == Method::POST && tagged("ai") {
                    RateKind::Ai
                } else {
                    RateKind::General
                };
                entries.push(Entry {
                    rate,
                    changes_credentials,
                    def: PathPattern::new(path.as_str()),
                    method,
                    operation_id,
                    policy,
                });
            }
        }
        // Literal segments win over parameters (`/contacts/tags` before `/contacts/{id}`), as in routing.
        entries.sort_by_key(|e| e.def.params());
        Policies(Arc::new(entries))
    }

    fn find(&self, method: &Method, path: &str) -> Option<&Entry> {
        self.0.iter().find(|e| e.method == *method && e.def.is_match(path))
    }
}

/// The client's address: the peer, or — behind a trusted proxy — the nearest untrusted address
/// in `X-Forwarded-For`.
pub fn client(req: &HttpRequest, config: &AccountsConfig) -> Client {
    let peer = req.peer_addr().map(|a| a.ip());
    let mut ip = peer;
    if let Some(p) = peer.filter(|p| config.is_trusted_proxy(*p)) {
        ip = Some(p);
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<std::net::IpAddr>().ok())
            .collect::<Vec<_>>();
        for hop in forwarded.into_iter().rev() {
            ip = Some(hop);
            if !config.is_trusted_proxy(hop) {
                break;
            }
        }
    }
    Client {
        ip: ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// The client's address and user agent, as an extractor for handlers.
impl FromRequest for Client {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = match req.app_data::<web::Data<AppState>>() {
            Some(state) => client(req, &state.config.accounts),
            None => client(req, &AccountsConfig::local(0)),
        };
        std::future::ready(Ok(found))
    }
}

/// True when the request came over HTTPS (the public URL says so, or a trusted proxy does).
pub fn is_https(req: &HttpRequest, config: &AccountsConfig) -> bool {
    if config.is_https() {
        return true;
    }
    let from_proxy = req.peer_addr().is_some_and(|a| config.is_trusted_proxy(a.ip()));
    from_proxy
        && req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// Refuses a cross-site request: `Sec-Fetch-Site` must be `same-origin` or `none`; without it,
/// `Origin` (or `Referer`) must be the public origin; with neither, the request is refused.
fn check_same_origin(req: &ServiceRequest, config: &AccountsConfig) -> Result<(), AppError> {
    let refuse = || {
        AppError::refused(
            "cross_site_request",
            "this request did not come from Rapport's own pages; API clients should send an API token instead of a cookie",
        )
    };
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return if matches!(site, "same-origin" | "none") {
            Ok(())
        } else {
            Err(refuse())
        };
    }
    let origin = config.origin();
    if let Some(o) = header("origin") {
        return if o == origin { Ok(()) } else { Err(refuse()) };
    }
    if let Some(r) = header("referer") {
        let same = url::Url::parse(r).is_ok_and(|u| u.origin().ascii_serialization() == origin);
        return if same { Ok(()) } else { Err(refuse()) };
    }
    Err(refuse())
}

enum Presented {
    Token(String),
    Cookie(String),
    None,
}

fn presented(req: &ServiceRequest) -> Result<Presented, AppError> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let value = value.to_str().unwrap_or_default().trim();
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                AppError::unauthorized(
                    "invalid_credentials",
                    "the Authorization header must be `Bearer <API token>`",
                )
            })?;
        return Ok(Presented::Token(token.to_owned()));
    }
    match req.cookie(SESSION_COOKIE) {
        Some(c) if !c.value().is_empty() => Ok(Presented::Cookie(c.value().to_owned())),
        _ => Ok(Presented::None),
    }
}

fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Checks every `/api/v1` request against its operation's policy; see the module docs.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match authorize(&req)
        .await
        .and_then(|p| refuse_nul_in_query(req.query_string()).map(|()| p))
    {
        Ok(principal) => {
            let actor = principal.as_ref().map(|p| Actor {
                user_id: p.user_id,
                name: match &p.credential {
                    Credential::Session { .. } => p.user_name.clone(),
                    Credential::Token { name, .. } => format!("{} (API token “{name}”)", p.user_name),
                },
            });
            let budget = match spend_budget(&req, principal.as_ref()) {
                Ok(budget) => budget,
                Err(err) => return Ok(req.into_response(err.error_response()).map_into_right_body()),
            };
            if let Some(p) = principal {
                req.extensions_mut().insert(p);
            }
            let mut res = actor::scope(actor, next.call(req)).await?;
            if let Some(d) = budget {
                rate_limit_headers(res.headers_mut(), &d);
            }
            // Before the answer leaves: this instance forgets credentials at once; the others
            // when the database's notification reaches them.
            if res.status().is_success()
                && res.request().extensions().contains::<ChangesCredentials>()
                && let Some(state) = res.request().app_data::<web::Data<AppState>>()
            {
                state.credentials.clear();
            }
            Ok(res.map_into_left_body())
        }
        Err(err) => Ok(req.into_response(err.error_response()).map_into_right_body()),
    }
}

/// Counts the request against its caller's budget for its kind: the credential's, or the client
/// address's when there is none. `Ok(None)` when the kind is unlimited (or not an API request);
/// past the budget a 429 with `Retry-After` and the `RateLimit-*` headers.
fn spend_budget(req: &ServiceRequest, principal: Option<&Principal>) -> Result<Option<RateDecision>, AppError> {
    let Some(kind) = req.extensions().get::<RateKind>().copied() else {
        return Ok(None);
    };
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Ok(None);
    };
    let per_minute = state.config.rate_limits.per_minute(kind);
    if per_minute == 0 {
        return Ok(None);
    }
    let who = match principal.map(|p| &p.credential) {
        Some(Credential::Session { id }) => format!("session:{id}"),
        Some(Credential::Token { id, .. }) => format!("token:{id}"),
        None => format!("address:{}", client(req.request(), &state.config.accounts).ip),
    };
    let d = state.limiter.take(kind, &who, per_minute, std::time::Instant::now());
    if d.allowed {
        return Ok(Some(d));
    }
    let what = match kind {
        RateKind::General => "requests",
        RateKind::Ai => "AI requests",
        RateKind::SignIn => "sign-in attempts",
    };
    Err(AppError::too_many_requests(
        d.retry_after,
        format!(
            "more than {per_minute} {what} a minute; try again in {} s",
            d.retry_after
        ),
    )
    .with_rate_limit(d))
}

fn rate_limit_headers(headers: &mut actix_web::http::header::HeaderMap, d: &RateDecision) {
    use actix_web::http::header::{HeaderName, HeaderValue};
    for (name, value) in [
        ("ratelimit-limit", d.limit.to_string()),
        ("ratelimit-remaining", d.remaining.to_string()),
        ("ratelimit-reset", d.reset.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
}

/// A query parameter carrying a NUL byte (`%00`) is refused with 422 naming it: no text column
/// can store one, and no search can mean one.
fn refuse_nul_in_query(query: &str) -> Result<(), AppError> {
    for pair in query.split('&') {
        let lower = pair.to_ascii_lowercase();
        if lower.contains("%00") || pair.contains('\0') {
            let name = pair.split('=').next().unwrap_or("query");
            let name = url::form_urlencoded::parse(name.as_bytes())
                .next()
                .map_or_else(|| name.to_owned(), |(k, _)| k.into_owned());
            return Err(AppError::invalid_field(
                if name.is_empty() || name.contains('\0') {
                    "query".to_owned()
                } else {
                    name
                },
                "must not contain a NUL character (%00)",
            ));
        }
    }
    Ok(())
}

async fn authorize(req: &ServiceRequest) -> Result<Option<Principal>, AppError> {
    if !req.path().starts_with("/api/v1/") {
        return Ok(None);
    }
    let (Some(state), Some(policies)) = (
        req.app_data::<web::Data<AppState>>(),
        req.app_data::<web::Data<Policies>>(),
    ) else {
        return Ok(None);
    };
    // Unknown routes fall through to the 404/405 answers.
    let Some(entry) = policies.find(req.method(), req.path()) else {
        return Ok(None);
    };
    let (operation, policy) = (entry.operation_id.as_str(), entry.policy);
    req.extensions_mut().insert(entry.rate);
    if entry.changes_credentials {
        req.extensions_mut().insert(ChangesCredentials);
    }
    let config = &state.config.accounts;
    if policy.access == Access::Public {
        if is_unsafe(req.method()) && STARTS_SESSION.contains(&operation) {
            check_same_origin(req, config)?;
        }
        // A public page may still want to know who is signed in (accepting an invitation); a
        // credential it does not need is never a reason to refuse it.
        if let Ok(Presented::Cookie(cookie)) = presented(req)
            && operation == "accept_invitation"
        {
            return Ok(service::authenticate_session(state, &cookie, Utc::now())
                .await
                .ok()
                .map(|(p, _)| p));
        }
        return Ok(None);
    }
    let credential = presented(req)?;
    let now = Utc::now();
    let (principal, touch) = {
        match &credential {
            Presented::Token(token) => service::authenticate_token(state, token, now).await?,
            Presented::Cookie(cookie) => {
                check_same_origin_if_unsafe(req, config)?;
                service::authenticate_session(state, cookie, now).await?
            }
            Presented::None => {
                return Err(AppError::unauthorized(
                    "unauthenticated",
                    "sign in, or send an API token as `Authorization: Bearer rpt_…`",
                ));
            }
        }
    };
    if let Some(touch) = touch {
        let pool = state.pool.clone();
        actix_web::rt::spawn(async move {
            if let Ok(mut conn) = pool.get().await
                && let Err(e) = service::touch(&mut conn, touch, now).await
            {
                tracing::warn!(error = %e, "could not record a credential's last use");
            }
        });
    }
    if let Credential::Token { scope, .. } = &principal.credential {
        if policy.session_only {
            return Err(AppError::refused(
                "session_required",
                "this operation needs a signed-in browser session; API tokens cannot use it",
            ));
        }
        if *scope == TokenScope::Read && policy.writes {
            return Err(AppError::refused(
                "insufficient_scope",
                "this API token has the read scope; this operation needs a token with the write scope",
            ));
        }
    }
    if let Access::Role(needed) = policy.access {
        let (_, role) = principal.membership()?;
        if !role.allows(needed) {
            return Err(AppError::forbidden(format!(
                "this needs the {} role or above; you are {} in this workspace",
                needed.as_str(),
                role.as_str()
            )));
        }
    }
    Ok(Some(principal))
}

fn check_same_origin_if_unsafe(req: &ServiceRequest, config: &AccountsConfig) -> Result<(), AppError> {
    if is_unsafe(req.method()) {
        check_same_origin(req, config)?;
    }
    Ok(())
}

/// A member of the current workspace, as checked by the middleware for this operation.
#[derive(Debug, Clone)]
pub struct Auth {
    pub principal: Principal,
    workspace: WorkspaceId,
    role: Role,
}

impl Auth {
    /// The workspace every query of this request is scoped to: the credential's, never one the
    /// client names.
    pub fn workspace(&self) -> WorkspaceId {
        self.workspace
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn user_id(&self) -> Uuid {
        self.principal.user_id
    }
}

fn principal_of(req: &HttpRequest) -> Result<Principal, AppError> {
    req.extensions().get::<Principal>().cloned().ok_or_else(|| {
        AppError::unauthorized(
            "unauthenticated",
            "sign in, or send an API token as `Authorization: Bearer rpt_…`",
        )
    })
}

/// The current workspace of a request whose policy needs one (for helpers that get the request).
pub fn workspace_of(req: &HttpRequest) -> Result<WorkspaceId, AppError> {
    Ok(principal_of(req)?.membership()?.0)
}

impl FromRequest for Auth {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(principal_of(req).and_then(|principal| {
            let (workspace, role) = principal.membership()?;
            Ok(Auth {
                principal,
                workspace,
                role,
            })
        }))
    }
}

/// Anyone signed in, member of a workspace or not.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Principal);

impl FromRequest for SignedIn {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(principal_of(req).map(SignedIn))
    }
}

/// The signed-in user when there is one (public operations).
#[derive(Debug, Clone)]
pub struct MaybeSignedIn(pub Option<Principal>);

impl FromRequest for MaybeSignedIn {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(MaybeSignedIn(req.extensions().get::<Principal>().cloned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_the_method_unless_listed() {
        assert_eq!(
            policy("list_contacts", &Method::GET).access,
            Access::Role(Role::ReadOnly)
        );
        assert_eq!(
            policy("create_contact", &Method::POST).access,
            Access::Role(Role::Member)
        );
        assert_eq!(
            policy("update_settings", &Method::PATCH).access,
            Access::Role(Role::Admin)
        );
        assert_eq!(policy("login", &Method::POST).access, Access::Public);
        assert!(policy("create_api_token", &Method::POST).session_only);
        assert!(!policy("get_me", &Method::GET).session_only);
        let insights = policy("create_contact_insights", &Method::POST);
        assert_eq!(insights.access, Access::Role(Role::ReadOnly));
        assert!(!insights.writes && policy("create_contact", &Method::POST).writes);
    }
}
