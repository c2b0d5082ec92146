//! What the accounts API speaks: users, workspaces and roles, sessions, API tokens, members,
//! invitations and the security log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::validate_not_blank;
use crate::text_enum;

text_enum!(
    /// What a member may do in a workspace. Each role includes the ones below it:
    /// `owner` (everything, including ownership) > `admin` (members, settings, pipelines, custom
    /// fields, templates, AI cache) > `member` (create, edit and delete records) > `read_only`.
    Role {
        Owner => "owner",
        Admin => "admin",
        Member => "member",
        ReadOnly => "read_only",
    }
);

impl Role {
    fn rank(self) -> u8 {
        match self {
            Role::Owner => 3,
            Role::Admin => 2,
            Role::Member => 1,
            Role::ReadOnly => 0,
        }
    }

    /// True when this role includes everything `needed` may do.
    pub fn allows(self, needed: Role) -> bool {
        self.rank() >= needed.rank()
    }
}

text_enum!(
    /// A language the web app speaks: English, Spanish or French.
    Locale {
        En => "en",
        Es => "es",
        Fr => "fr",
    }
);

text_enum!(
    /// What an API token may do: `read` (only reading operations) or `write` (everything its
    /// user's role allows).
    TokenScope {
        Read => "read",
        Write => "write",
    }
);

text_enum!(
    /// How the request was authenticated.
    CredentialKind {
        Session => "session",
        Token => "token",
    }
);

/// A person who signs in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    #[schema(example = "ada@example.com")]
    pub email: String,
    #[schema(example = "Ada Lovelace")]
    pub display_name: String,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// The language chosen for the web app; `null` follows the browser's.
    pub locale: Option<Locale>,
}

/// A workspace the user belongs to, with their role in it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkspaceMembership {
    pub id: Uuid,
    #[schema(example = "Lovelace Consulting")]
    pub name: String,
    pub role: Role,
}

/// The signed-in user, the workspace this session or token works in, and all their workspaces.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    /// The current workspace; `null` when the user belongs to none.
    pub workspace: Option<WorkspaceMembership>,
    pub workspaces: Vec<WorkspaceMembership>,
    pub credential: CredentialKind,
    /// For a token: its scope.
    pub token_scope: Option<TokenScope>,
}

/// The user's workspaces.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceList {
    pub items: Vec<WorkspaceMembership>,
}

/// Whether the server still waits for its first account, and whether anyone may sign up.
#[derive(Debug, Serialize, ToSchema)]
pub struct SetupStatus {
    /// No account exists yet: the first one is created with the setup code from the server's log.
    pub needs_setup: bool,
    /// `SIGNUP=open`: anyone may create an account with a new, empty workspace.
    pub signup_open: bool,
}

/// Email and password.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "demo@rapport.test", "password": "correct horse battery"}))]
pub struct Login {
    #[validate(length(min = 1, max = 254))]
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub password: String,
}

/// A new account. The first account of a server needs the setup code printed in its log and
/// becomes the owner of the existing workspace (and its data).
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "setup_code": "K7QX-2MPA-W9TD",
    "display_name": "Ada Lovelace",
    "email": "ada@example.com",
    "password": "correct horse battery",
    "workspace_name": "Lovelace Consulting"
}))]
pub struct Signup {
    /// The one-time code from the server's log; required for the first account.
    #[serde(default)]
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub setup_code: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub display_name: String,
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: String,
    /// At least 10 characters, not the email address.
    #[validate(length(min = 10, max = 1000))]
    #[schema(min_length = 10, max_length = 1000)]
    pub password: String,
    /// The workspace's name (the first account renames the existing workspace).
    #[serde(default)]
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub workspace_name: Option<String>,
}

/// A change to the signed-in user.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Ada King", "locale": "fr"}))]
pub struct UpdateMe {
    /// Left out: unchanged.
    #[serde(default, deserialize_with = "crate::dto::non_null")]
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub display_name: Option<String>,
    /// The web app's language; `null` follows the browser's. Left out: unchanged.
    #[serde(default, deserialize_with = "crate::dto::nullable")]
    #[schema(value_type = Option<Locale>)]
    pub locale: Option<Option<Locale>>,
}

/// A new password. Every other session of the user ends.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_password": "correct horse battery", "new_password": "a longer passphrase"}))]
pub struct ChangePassword {
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_length = 1, max_length = 1000)]
    pub current_password: String,
    /// At least 10 characters, not the email address.
    #[validate(length(min = 10, max = 1000))]
    #[schema(min_length = 10, max_length = 1000)]
    pub new_password: String,
}

/// The workspace to work in.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchWorkspace {
    pub workspace_id: Uuid,
}

/// A new workspace, owned by the caller.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Job search 2027"}))]
pub struct CreateWorkspace {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
}

/// A personal API token (its secret is shown only when it is created).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: Uuid,
    #[schema(example = "Zapier")]
    pub name: String,
    /// The token's first characters, to recognise it.
    #[schema(example = "rpt_a1B2c3")]
    pub prefix: String,
    pub scope: TokenScope,
    pub created_at: DateTime<Utc>,
    /// When it was last used (updated at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it stops working; `null` for never.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The caller's tokens in the current workspace, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenList {
    pub items: Vec<ApiToken>,
}

/// A new API token for the current workspace.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Zapier", "scope": "write"}))]
pub struct CreateApiToken {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    pub scope: TokenScope,
    /// When the token stops working (in the future); omit for a token that does not expire.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token just created, with its secret — shown this once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// Send it as `Authorization: Bearer <secret>`.
    #[schema(example = "rpt_a1B2c3d4e5F6g7H8i9J0k1L2m3N4o5P6")]
    pub secret: String,
}

/// A member of the current workspace.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Member {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub joined_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
}

/// The workspace's members, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<Member>,
}

/// A member's new role.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "admin"}))]
pub struct UpdateMember {
    pub role: Role,
}

/// An invitation to join the current workspace.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The single-use link to send to the invitee; only in the answer that creates it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accept_url: Option<String>,
    /// Whether the link was also queued to the invitee by email (the workspace has a mail
    /// server); only in the answer that creates it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emailed: Option<bool>,
}

/// Pending invitations of the current workspace.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationList {
    pub items: Vec<Invitation>,
}

/// A new invitation.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "grace@example.com", "role": "member"}))]
pub struct CreateInvitation {
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    pub email: String,
    pub role: Role,
}

/// What an invitation link offers, for the page that accepts it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPreview {
    pub workspace_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by: Option<String>,
    pub expires_at: DateTime<Utc>,
    /// An account with this email exists: sign in as it to accept.
    pub account_exists: bool,
}

/// Accepting an invitation: a name and password for a new account, or nothing when signed in
/// as the invited email's existing account.
#[derive(Debug, Default, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Grace Hopper", "password": "a long passphrase"}))]
pub struct AcceptInvitation {
    #[serde(default)]
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub display_name: Option<String>,
    /// At least 10 characters, not the email address.
    #[serde(default)]
    #[validate(length(min = 10, max = 1000))]
    #[schema(min_length = 10, max_length = 1000)]
    pub password: Option<String>,
}

/// One entry of the security log.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityEvent {
    pub id: Uuid,
    /// `sign_in`, `sign_in_failed`, `sign_out`, `password_changed`, `token_created`,
    /// `token_revoked`, `member_joined`, `role_changed`, `member_removed`, `invitation_created`,
    /// `invitation_revoked`, `workspace_created`.
    #[schema(example = "sign_in")]
    pub kind: String,
    /// The user it is about.
    pub user_id: Option<Uuid>,
    pub email: Option<String>,
    /// Who did it, when someone other than the user.
    pub actor_id: Option<Uuid>,
    pub client_ip: Option<String>,
    #[schema(example = "role member → admin")]
    pub detail: String,
    pub occurred_at: DateTime<Utc>,
}

/// A page of the security log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityEventPage {
    pub items: Vec<SecurityEvent>,
    pub next_cursor: Option<String>,
}

/// A password reset link for a member, to hand over (valid 24 hours, single use).
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordResetLink {
    #[schema(example = "https://crm.example.com/reset-password/Wm9vQmFy")]
    pub reset_url: String,
    pub expires_at: DateTime<Utc>,
}

/// Whose password a reset link sets.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordResetPreview {
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

/// The new password for a reset link.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"new_password": "a brand new passphrase"}))]
pub struct ResetPassword {
    /// At least 10 characters, not the email address.
    #[validate(length(min = 10, max = 1000))]
    #[schema(min_length = 10, max_length = 1000)]
    pub new_password: String,
}
