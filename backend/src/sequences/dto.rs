//! Shapes of the sequences API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::validate_not_blank;
use crate::text_enum;

/// One email of a sequence.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SequenceStep {
    /// The email template it sends, rendered for each contact.
    pub template_id: Uuid,
    /// Days to wait: for the first step from the enrollment, for the others from the step before.
    #[validate(range(min = 0, max = 365))]
    #[schema(minimum = 0, maximum = 365, example = 3)]
    pub delay_days: i32,
    /// A second subject to try on half of the contacts (variant B); the template's is variant A.
    /// It may use the template variables.
    #[serde(default)]
    #[validate(length(min = 1, max = 300), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 300, pattern = "\\S")]
    pub subject_b: Option<String>,
}

/// How one step did, per subject variant (no open tracking: replies and unsubscribes only).
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct StepStats {
    /// The step's index (0 is the first).
    pub step: i32,
    pub sent_a: i64,
    pub sent_b: i64,
    /// Contacts who replied after this step was their last email.
    pub replied_a: i64,
    pub replied_b: i64,
    /// Contacts who unsubscribed after this step was their last email.
    pub unsubscribed_a: i64,
    pub unsubscribed_b: i64,
}

/// Enrollments by status, and each step's figures.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct SequenceStats {
    pub enrolled: i64,
    pub active: i64,
    pub completed: i64,
    pub replied: i64,
    pub unsubscribed: i64,
    pub stopped: i64,
    pub failed: i64,
    pub steps: Vec<StepStats>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Sequence {
    pub id: Uuid,
    #[schema(example = "New lead follow-up")]
    pub name: String,
    pub steps: Vec<SequenceStep>,
    /// Emails go out from this hour (0–23) of the contact's day…
    #[schema(example = 9)]
    pub window_start: i16,
    /// …until this hour (1–24).
    #[schema(example = 17)]
    pub window_end: i16,
    /// Monday to Friday only.
    pub weekdays_only: bool,
    /// A paused sequence sends nothing; its enrollments wait.
    pub enabled: bool,
    pub stats: SequenceStats,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SequenceList {
    pub items: Vec<Sequence>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "New lead follow-up",
    "steps": [
        {"template_id": "0190f3c2-7a40-7cc1-8a1e-1f1f1f1f1f1f", "delay_days": 0},
        {"template_id": "0190f3c2-7a40-7cc1-8a1e-2f2f2f2f2f2f", "delay_days": 3, "subject_b": "Quick question, {{contact.first_name}}"}
    ],
    "window_start": 9,
    "window_end": 17
}))]
pub struct CreateSequence {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// 1 to 20 steps, in order.
    #[validate(length(min = 1, max = 20), nested)]
    #[schema(min_items = 1, max_items = 20)]
    pub steps: Vec<SequenceStep>,
    /// Defaults to 9.
    #[serde(default)]
    #[validate(range(min = 0, max = 23))]
    #[schema(minimum = 0, maximum = 23)]
    pub window_start: Option<i16>,
    /// Defaults to 17; after `window_start`.
    #[serde(default)]
    #[validate(range(min = 1, max = 24))]
    #[schema(minimum = 1, maximum = 24)]
    pub window_end: Option<i16>,
    /// Defaults to true.
    #[serde(default)]
    pub weekdays_only: Option<bool>,
    /// Defaults to true.
    #[serde(default)]
    pub enabled: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": false}))]
pub struct UpdateSequence {
    #[validate(length(min = 1, max = 100), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: Option<String>,
    /// The new steps; active enrollments continue at the same step index.
    #[validate(length(min = 1, max = 20), nested)]
    #[schema(min_items = 1, max_items = 20)]
    pub steps: Option<Vec<SequenceStep>>,
    #[validate(range(min = 0, max = 23))]
    #[schema(minimum = 0, maximum = 23)]
    pub window_start: Option<i16>,
    #[validate(range(min = 1, max = 24))]
    #[schema(minimum = 1, maximum = 24)]
    pub window_end: Option<i16>,
    pub weekdays_only: Option<bool>,
    pub enabled: Option<bool>,
    /// The version you edited (or send `If-Match`).
    #[schema(minimum = 1)]
    pub version: Option<i32>,
}

text_enum!(
    /// Where an enrollment stands.
    EnrollmentStatus {
        /// Steps are left to send.
        Active => "active",
        /// Every step was sent.
        Completed => "completed",
        /// An inbound interaction with the contact was recorded: the sequence stopped.
        Replied => "replied",
        /// The contact unsubscribed.
        Unsubscribed => "unsubscribed",
        /// A member stopped it.
        Stopped => "stopped",
        /// A step could not be sent (its template was deleted, the contact has no email).
        Failed => "failed",
    }
);

/// One contact going through a sequence.
#[derive(Debug, Serialize, ToSchema)]
pub struct Enrollment {
    pub id: Uuid,
    pub sequence_id: Uuid,
    pub sequence_name: String,
    pub contact_id: Uuid,
    pub contact_name: String,
    pub status: EnrollmentStatus,
    /// The index of the next step to send (the number of steps sent so far).
    pub next_step: i32,
    /// When the next step is due; it then waits for the sending window.
    pub next_send_at: Option<DateTime<Utc>>,
    /// Why the last attempt did not send (the daily limit, no mail server, …).
    pub last_error: Option<String>,
    pub enrolled_by: Option<Uuid>,
    pub enrolled_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentPage {
    pub items: Vec<Enrollment>,
    pub next_cursor: Option<String>,
}

/// Contacts to enroll: by id, or everyone a saved contact view shows (at most 1,000).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"contact_ids": ["0190f3c2-7a40-7cc1-8a1e-1f1f1f1f1f1f"]}))]
pub struct Enroll {
    #[serde(default)]
    #[validate(length(max = 1000))]
    #[schema(max_items = 1000)]
    pub contact_ids: Vec<Uuid>,
    /// A saved contact view (instead of `contact_ids`).
    #[serde(default)]
    pub view_id: Option<Uuid>,
}

/// A contact that was not enrolled, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct Skipped {
    pub contact_id: Uuid,
    /// `not_found`, `no_email`, `unsubscribed` or `already_enrolled`.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollResult {
    pub enrolled: Vec<Enrollment>,
    pub skipped: Vec<Skipped>,
}
