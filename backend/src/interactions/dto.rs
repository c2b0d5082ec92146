//! What the interactions API speaks.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::dto::{non_null, nullable};
use crate::text_enum;

text_enum!(
    /// What kind of touchpoint it was.
    InteractionKind {
        Email => "email",
        Call => "call",
        Meeting => "meeting",
        VideoCall => "video_call",
        Message => "message",
        Social => "social",
        Note => "note",
        Other => "other",
    }
);

text_enum!(
    /// Who reached out.
    Direction {
        Inbound => "inbound",
        Outbound => "outbound",
    }
);

text_enum!(
    /// How it went.
    Outcome {
        Positive => "positive",
        Neutral => "neutral",
        Negative => "negative",
        NoResponse => "no_response",
    }
);

text_enum!(
    /// The tone of an interaction.
    SentimentLabel {
        Positive => "positive",
        Neutral => "neutral",
        Negative => "negative",
    }
);

text_enum!(
    /// Where an email sent from Rapport stands.
    DeliveryState {
        /// Waiting to be handed to the mail server (or for a retry after a failed attempt).
        Queued => "queued",
        /// The mail server accepted it.
        Sent => "sent",
        /// It could not be sent: the server refused it, or retries ran out.
        Failed => "failed",
    }
);

/// How an email sent from Rapport went.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailDelivery {
    pub status: DeliveryState,
    /// The mail server's refusal or the connection problem of the last attempt; set while a
    /// queued email waits for its retry, too.
    pub error: Option<String>,
}

/// The tone of an interaction: set by hand or by the AI analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sentiment {
    pub label: SentimentLabel,
    /// From -1 (very negative) to 1 (very positive).
    #[validate(range(min = -1.0, max = 1.0))]
    #[schema(example = 0.6, minimum = -1, maximum = 1)]
    pub score: f64,
}

/// One touchpoint with a contact.
#[derive(Debug, Serialize, ToSchema)]
pub struct Interaction {
    pub id: Uuid,
    pub contact_id: Uuid,
    /// The deal it was about, if any.
    pub deal_id: Option<Uuid>,
    pub kind: InteractionKind,
    pub direction: Option<Direction>,
    /// When it happened (or will, for a planned meeting).
    #[serde(serialize_with = "crate::dto::timestamp")]
    pub occurred_at: DateTime<Utc>,
    #[schema(example = "Intro call")]
    pub subject: Option<String>,
    #[schema(example = "Talked about the spring campaign; she wants a proposal by Friday.")]
    pub body: Option<String>,
    pub outcome: Option<Outcome>,
    #[schema(example = 30)]
    pub duration_minutes: Option<i32>,
    pub sentiment: Option<Sentiment>,
    /// For emails: the message's Message-ID (without angle brackets), when known.
    #[schema(example = "0193a6c2e1b87c40a5b1d2e3f4a5b6c7@example.com")]
    pub message_id: Option<String>,
    /// For emails sent from Rapport: how the delivery went; `null` for everything else.
    pub delivery: Option<EmailDelivery>,
    #[serde(serialize_with = "crate::dto::timestamp")]
    pub created_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::dto::timestamp")]
    pub updated_at: DateTime<Utc>,
    #[schema(example = 1)]
    pub version: i32,
}

fn not_too_far_ahead(at: &DateTime<Utc>) -> Result<(), ValidationError> {
    if *at > Utc::now() + chrono::Duration::days(366) {
        Err(ValidationError::new("range").with_message("must be within a year from now".into()))
    } else {
        Ok(())
    }
}

/// A touchpoint to log. Only `contact_id` and `kind` are required; `occurred_at` defaults to now.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "contact_id": "01936000-0000-7000-8000-000000000042",
    "kind": "call",
    "direction": "outbound",
    "subject": "Intro call",
    "body": "She wants a proposal by Friday.",
    "outcome": "positive",
    "duration_minutes": 20
}))]
pub struct CreateInteraction {
    pub contact_id: Uuid,
    /// A deal of this contact (or one without a contact) that the touchpoint was about.
    #[serde(default)]
    pub deal_id: Option<Uuid>,
    pub kind: InteractionKind,
    #[serde(default)]
    pub direction: Option<Direction>,
    #[serde(default)]
    #[validate(custom(function = "not_too_far_ahead"))]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default)]
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub subject: Option<String>,
    #[serde(default)]
    #[validate(length(max = 50000))]
    #[schema(max_length = 50000)]
    pub body: Option<String>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    #[validate(range(min = 0, max = 1440))]
    #[schema(minimum = 0, maximum = 1440)]
    pub duration_minutes: Option<i32>,
    #[serde(default)]
    #[validate(nested)]
    pub sentiment: Option<Sentiment>,
}

/// A partial update of an interaction; `null` clears an optional field.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "no_response", "version": 1}))]
pub struct UpdateInteraction {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub kind: Option<InteractionKind>,
    /// `null` unlinks the deal.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub deal_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Direction>)]
    pub direction: Option<Option<Direction>>,
    #[serde(default, deserialize_with = "non_null")]
    #[validate(custom(function = "not_too_far_ahead"))]
    #[schema(nullable = false)]
    pub occurred_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 300))]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub subject: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 50000))]
    #[schema(value_type = Option<String>, max_length = 50000)]
    pub body: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Outcome>)]
    pub outcome: Option<Option<Outcome>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(range(min = 0, max = 1440))]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1440)]
    pub duration_minutes: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(value_type = Option<Sentiment>)]
    pub sentiment: Option<Option<Sentiment>>,
    /// The version you edited; a mismatch answers 409 (412 when the version comes as If-Match).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub version: Option<i32>,
}

/// A page of interactions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct InteractionPage {
    pub items: Vec<Interaction>,
    /// Pass as `cursor` to get the next (older) page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Query parameters of the timeline and the interactions list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListInteractionsParams {
    /// Page size, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// Kinds, comma-separated, e.g. `call,meeting`.
    #[param(example = "call,meeting")]
    pub kind: Option<String>,
}

impl crate::http::idempotency::Resource for Interaction {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i32 {
        self.version
    }
}
