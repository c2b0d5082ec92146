//! Shapes of the forms API: a form's design, its embed snippets, and its submissions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::{nullable, validate_not_blank, validate_tags};
use crate::text_enum;

/// What a form field fills: a contact field, `message` (kept with the submission and its
/// interaction only) or `custom:<key>` (a contact custom field).
pub const TARGET_PATTERN: &str =
    "^(first_name|last_name|email|phone|company_name|job_title|website|location|notes|message|custom:[a-z0-9_]{1,50})$";

/// One field of a form.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// What it fills (each target at most once per form): a contact field, `message` (kept with
    /// the submission and its interaction only) or `custom:<key>` (a contact custom field).
    /// `email` is in every form, and required.
    #[schema(
        pattern = "^(first_name|last_name|email|phone|company_name|job_title|website|location|notes|message|custom:[a-z0-9_]{1,50})$",
        example = "first_name"
    )]
    pub target: String,
    /// The label shown above the input.
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S", example = "First name")]
    pub label: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub placeholder: Option<String>,
}

/// The ways to put a form on a website.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmbedSnippets {
    /// A `<script>` that inserts the form (in a frame that fits its height).
    pub script: String,
    /// An `<iframe>` of the hosted page.
    pub iframe: String,
    /// A plain HTML `<form>` that posts to Rapport and works without JavaScript (it carries no
    /// page token, so the minimum fill time and proof of work cannot apply to it).
    pub html: String,
}

/// A web-to-lead form.
#[derive(Debug, Serialize, ToSchema)]
pub struct Form {
    pub id: Uuid,
    #[schema(example = "Contact us")]
    pub name: String,
    /// Submissions are accepted only while it is enabled.
    pub enabled: bool,
    pub fields: Vec<FormField>,
    /// Added to every contact the form creates or matches.
    pub tags: Vec<String>,
    /// The member new contacts and deals belong to.
    pub owner_id: Option<Uuid>,
    /// A deal is opened in this pipeline for each submission when set.
    pub pipeline_id: Option<Uuid>,
    /// The deal's stage (the pipeline's first stage when `null`).
    pub stage_id: Option<Uuid>,
    /// The deal's title (`<form name> – <contact>` when `null`).
    pub deal_title: Option<String>,
    pub submit_label: String,
    /// Shown after a submission (unless `redirect_url` is set).
    pub thank_you_message: String,
    /// Where the browser goes after a submission, instead of the thank-you message.
    pub redirect_url: Option<String>,
    /// Origins (`https://example.com`) whose pages may post the form and frame it. Posts that
    /// come from any other web page are refused.
    pub allowed_origins: Vec<String>,
    /// Submissions sent sooner than this after the page was shown are treated as spam.
    pub min_fill_seconds: i32,
    /// The page makes the browser solve a small puzzle before sending; posts without the
    /// solution are refused (the form then needs JavaScript).
    pub proof_of_work: bool,
    /// The hosted page.
    #[schema(example = "https://crm.example.com/f/0190f3c2-7a40-7cc1-8a1e-1f1f1f1f1f1f")]
    pub hosted_url: String,
    pub embed: EmbedSnippets,
    pub submission_count: i64,
    pub last_submission_at: Option<DateTime<Utc>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FormList {
    pub items: Vec<Form>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Contact us",
    "fields": [
        {"target": "first_name", "label": "Your name", "required": true},
        {"target": "email", "label": "Email", "required": true},
        {"target": "message", "label": "How can we help?"}
    ],
    "tags": ["website"],
    "allowed_origins": ["https://www.example.com"]
}))]
pub struct CreateForm {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// 1 to 20 fields; one must have the target `email`. Defaults to name, email and message.
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub fields: Option<Vec<FormField>>,
    #[serde(default)]
    #[validate(length(max = 10), custom(function = "validate_tags"))]
    #[schema(max_items = 10)]
    pub tags: Vec<String>,
    /// Defaults to you.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default)]
    pub pipeline_id: Option<Uuid>,
    #[serde(default)]
    pub stage_id: Option<Uuid>,
    #[serde(default)]
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub deal_title: Option<String>,
    #[serde(default)]
    #[validate(length(min = 1, max = 50), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 50, pattern = "\\S")]
    pub submit_label: Option<String>,
    #[serde(default)]
    #[validate(length(min = 1, max = 2000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub thank_you_message: Option<String>,
    /// An `http(s)://` URL.
    #[serde(default)]
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub redirect_url: Option<String>,
    /// Up to 20 origins such as `https://www.example.com`.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub allowed_origins: Vec<String>,
    /// 0 to 600; defaults to 3.
    #[serde(default)]
    #[validate(range(min = 0, max = 600))]
    #[schema(minimum = 0, maximum = 600)]
    pub min_fill_seconds: Option<i32>,
    #[serde(default)]
    pub proof_of_work: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// Changes to a form; `null` clears an optional setting.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": false}))]
pub struct UpdateForm {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: Option<String>,
    #[validate(length(min = 1, max = 20), nested)]
    #[schema(min_items = 1, max_items = 20)]
    pub fields: Option<Vec<FormField>>,
    #[validate(length(max = 10), custom(function = "validate_tags"))]
    #[schema(max_items = 10)]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub owner_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub pipeline_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub stage_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200))]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub deal_title: Option<Option<String>>,
    #[validate(length(min = 1, max = 50), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 50, pattern = "\\S")]
    pub submit_label: Option<String>,
    #[validate(length(min = 1, max = 2000), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub thank_you_message: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 2000))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 2000)]
    pub redirect_url: Option<Option<String>>,
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub allowed_origins: Option<Vec<String>>,
    #[validate(range(min = 0, max = 600))]
    #[schema(minimum = 0, maximum = 600)]
    pub min_fill_seconds: Option<i32>,
    pub proof_of_work: Option<bool>,
    pub enabled: Option<bool>,
    /// The version you edited (or send `If-Match`).
    #[schema(minimum = 1)]
    pub version: Option<i32>,
}

text_enum!(
    /// What a submission did.
    SubmissionOutcome {
        /// A new contact was created.
        Created => "created",
        /// The email matched a contact: the submission was logged on it and only its empty
        /// fields were filled.
        Matched => "matched",
        /// Caught by a spam defence; nothing was created.
        Spam => "spam",
    }
);

/// One submission of a form.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submission {
    pub id: Uuid,
    pub form_id: Uuid,
    pub outcome: SubmissionOutcome,
    /// Which defence caught it: `honeypot` (the hidden field was filled in), `forged_token` (the page token was not one Rapport issued) or `too_fast` (sent sooner than the minimum fill time).
    pub spam_reason: Option<String>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    /// The values sent, by field target (text, never HTML).
    #[schema(value_type = std::collections::HashMap<String, String>, example = json!({"email": "ada@example.com", "first_name": "Ada"}))]
    pub data: serde_json::Value,
    /// The fields of the existing contact that were empty and were filled.
    pub filled_fields: Vec<String>,
    /// The sender's network address.
    pub address: String,
    /// The page's origin, when a browser sent it.
    pub origin: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionPage {
    pub items: Vec<Submission>,
    pub next_cursor: Option<String>,
}

/// The answer to a JSON submission: the same whether the email was new or known.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionReceipt {
    pub message: String,
    /// Where to send the visitor, when the form has a redirect.
    pub redirect_url: Option<String>,
}
