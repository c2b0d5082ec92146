//! What the reminders API speaks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::dto::{non_null, nullable, validate_not_blank};
use crate::text_enum;

text_enum!(
    /// Who made the reminder: a person, or Rapport itself.
    ReminderOrigin {
        Manual => "manual",
        Automatic => "automatic",
    }
);

/// A dated to-do about a contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reminder {
    pub id: Uuid,
    pub contact_id: Uuid,
    /// The deal it is about, if any.
    pub deal_id: Option<Uuid>,
    #[schema(example = "Send the revised quote")]
    pub title: String,
    pub notes: Option<String>,
    pub due_at: DateTime<Utc>,
    /// When it was completed; `null` while open.
    pub completed_at: Option<DateTime<Utc>>,
    pub origin: ReminderOrigin,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    /// The member who should do it (a user id; see `/api/v1/members`).
    pub assignee_id: Option<Uuid>,
    pub version: i32,
}

/// A new reminder.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "contact_id": "01936000-0000-7000-8000-000000000042",
    "title": "Send the revised quote",
    "due_at": "2026-12-01T09:00:00Z"
}))]
pub struct CreateReminder {
    pub contact_id: Uuid,
    /// A deal of this contact (or one without a contact) that the reminder is about.
    #[serde(default)]
    pub deal_id: Option<Uuid>,
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: String,
    #[serde(default)]
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
    pub due_at: DateTime<Utc>,
    /// The member who should do it (a user id); defaults to you, `null` for nobody in particular.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub assignee_id: Option<Option<Uuid>>,
}

/// A partial update; `null` clears the notes.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"due_at": "2026-12-03T09:00:00Z", "version": 1}))]
pub struct UpdateReminder {
    /// `null` unlinks the deal.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub deal_id: Option<Option<Uuid>>,
    /// Another member to do it; `null` for nobody in particular.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub assignee_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(nullable = false, min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 5000))]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub due_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
}

/// Postpone a reminder.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"until": "2026-12-02T09:00:00Z"}))]
pub struct SnoozeReminder {
    /// The new due time.
    pub until: DateTime<Utc>,
}

/// A page of reminders, soonest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderPage {
    pub items: Vec<Reminder>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListRemindersParams {
    /// `open` (default), `done` or `all`.
    #[param(example = "open")]
    pub status: Option<String>,
    /// Only this contact's reminders.
    #[param(value_type = Option<Uuid>)]
    pub contact_id: Option<String>,
    /// Whose reminders: `me`, `none` (nobody's in particular) or a member's user id.
    #[param(example = "me")]
    pub assignee: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

impl crate::http::idempotency::Resource for Reminder {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
