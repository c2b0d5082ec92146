//! What the templates API speaks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::dto::{non_null, validate_not_blank};
use crate::text_enum;

text_enum!(
    /// When a template is meant to be used.
    Scenario {
        FollowUp => "follow_up",
        Intro => "intro",
        MeetingRequest => "meeting_request",
        Proposal => "proposal",
        ThankYou => "thank_you",
        ReEngage => "re_engage",
        CheckIn => "check_in",
        Other => "other",
    }
);

/// Variables a template may use. Write `{{ name }}`, or `{{ name | fallback }}` to use the
/// fallback when the record has no value.
pub const VARIABLES: &[(&str, &str)] = &[
    ("contact.first_name", "The contact's first name"),
    ("contact.last_name", "The contact's last name"),
    ("contact.full_name", "First and last name"),
    ("contact.email", "The primary email address"),
    ("contact.phone", "The primary phone number"),
    ("contact.job_title", "Job title"),
    ("contact.location", "Location"),
    ("company.name", "The contact's company"),
    ("deal.title", "The deal's title (when rendering for a deal)"),
    ("today", "Today's date, e.g. 23 November 2026"),
];

/// An email template.
#[derive(Debug, Serialize, ToSchema)]
pub struct Template {
    pub id: Uuid,
    #[schema(example = "Gentle follow-up")]
    pub name: String,
    pub scenario: Scenario,
    #[schema(example = "Following up, {{contact.first_name | there}}")]
    pub subject: String,
    #[schema(example = "Hi {{contact.first_name | there}},\n\nI wanted to follow up on my last message.")]
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

/// A new template. Names are unique in a workspace, ignoring case.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Proposal nudge",
    "scenario": "follow_up",
    "subject": "Any questions about the proposal, {{contact.first_name | there}}?",
    "body": "Hi {{contact.first_name | there}},\n\nDid you have a chance to look at the proposal for {{company.name | your team}}?"
}))]
pub struct CreateTemplate {
    #[validate(length(min = 1, max = 120), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 120, pattern = "\\S")]
    pub name: String,
    pub scenario: Scenario,
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub subject: String,
    #[validate(length(min = 1, max = 20000))]
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
}

/// A partial update of a template.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTemplate {
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 120), custom(function = "validate_not_blank"))]
    #[schema(nullable = false, min_length = 1, max_length = 120, pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub scenario: Option<Scenario>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 300))]
    #[schema(nullable = false, min_length = 1, max_length = 300)]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 20000))]
    #[schema(nullable = false, min_length = 1, max_length = 20000)]
    pub body: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
}

/// Whom to render a template for.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"contact_id": "01936000-0000-7000-8000-000000000042"}))]
pub struct RenderTemplate {
    pub contact_id: Uuid,
}

/// Render text that is not saved (the editor's live preview).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"contact_id": "01936000-0000-7000-8000-000000000042", "subject": "Hi {{contact.first_name}}", "body": "See you at {{company.name | your office}}."}))]
pub struct PreviewTemplate {
    pub contact_id: Uuid,
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub subject: String,
    #[validate(length(max = 20000))]
    #[schema(max_length = 20000)]
    pub body: String,
}

/// A template filled in for a contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenderedTemplate {
    #[schema(example = "Following up, Ada")]
    pub subject: String,
    pub body: String,
    /// Variables that do not exist (typos); left in the text as written.
    #[schema(example = json!(["contact.frist_name"]))]
    pub unknown_variables: Vec<String>,
    /// Known variables this contact has no value for (and no fallback was given).
    #[schema(example = json!(["company.name"]))]
    pub empty_variables: Vec<String>,
}

/// A variable templates can use.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateVariable {
    #[schema(example = "contact.first_name")]
    pub name: String,
    pub description: String,
}

/// A page of templates, by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplatePage {
    pub items: Vec<Template>,
    pub next_cursor: Option<String>,
    /// The variables templates may use.
    pub variables: Vec<TemplateVariable>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListTemplatesParams {
    /// Only templates for this scenario.
    #[param(example = "follow_up")]
    pub scenario: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

impl crate::http::idempotency::Resource for Template {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
